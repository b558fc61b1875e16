import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("gov_qms_audit_checklist_tour", {
    url: "/odoo/action-gov_qms_audit.qms_audit_action_my",
    steps: () => [
        {
            content: "Open the checklist of the audit under way from My Audits",
            trigger: ".o_kanban_record:contains('Tour Section') button[name='action_open_checklist']",
            run: "click",
        },
        {
            content: "Pick the first question",
            trigger: ".o_qms_checklist .o_data_row:first-child td[name='question']",
            run: "click",
        },
        {
            content: "One click for the result",
            trigger: ".o_data_row:first-child.o_selected_row .o_field_widget[name='result'] .o_selection_badge:contains('Minor nonconformity')",
            run: "click",
        },
        {
            content: "Type the evidence seen",
            trigger: ".o_data_row:first-child.o_selected_row .o_field_widget[name='evidence'] textarea",
            run: "edit Counter 2 uses the fee table of 2024",
        },
        {
            content: "Next question",
            trigger: ".o_qms_checklist .o_data_row:nth-child(2) td[name='question']",
            run: "click",
        },
        {
            content: "Conforming",
            trigger: ".o_data_row:nth-child(2).o_selected_row .o_field_widget[name='result'] .o_selection_badge:contains('Conforming')",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "Both answers are saved",
            trigger: ".o_qms_checklist .o_data_row:nth-child(2):not(.o_selected_row) td[name='result']:contains('Conforming')",
        },
    ],
});
