import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("gov_qms_audit_management_review_tour", {
    url: "/odoo/action-gov_qms_audit.qms_management_review_action",
    steps: () => [
        {
            content: "Open the review being prepared",
            trigger: ".o_data_row:contains('Tour Review') td[name='name']",
            run: "click",
        },
        {
            content: "Compile the inputs from the records",
            trigger: "button[name='action_compile']:contains('Compile Inputs')",
            run: "click",
        },
        {
            content: "The review is compiled",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Compiled')",
        },
        {
            content: "Open the process performance input",
            trigger: ".o_notebook a.nav-link:contains('c3) Processes')",
            run: "click",
        },
        {
            content: "Its chart and its figures are there",
            trigger: ".o_field_widget[name='c3_processes_chart'] svg rect",
        },
        {
            content: "Figures with their previous value",
            trigger: ".o_field_widget[name='c3_processes_figure_ids'] .o_data_row td[name='label']:contains('Nonconformities closed')",
        },
        {
            content: "Open the input on external and internal issues",
            trigger: ".o_notebook a.nav-link:contains('b) Issues')",
            run: "click",
        },
        {
            content: "Write the leaders' assessment",
            trigger: ".o_field_widget[name='b_context_note'] textarea",
            run: "edit New provincial rules on one-window services since March.",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: b) is no longer listed as missing",
            trigger: ".alert-warning:not(:contains('b) Changes in external'))",
        },
    ],
});
