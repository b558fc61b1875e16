import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("gov_qms_document_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Quality app",
            trigger: ".o_app[data-menu-xmlid='gov_qms_docs.qms_root_menu']",
            run: "click",
        },
        {
            content: "Open the Documents menu (the app opens on My Workbench)",
            trigger: ".o_menu_sections [data-menu-xmlid='gov_qms_docs.qms_documents_menu']",
            run: "click",
        },
        {
            content: "Controlled Documents",
            trigger: ".o-dropdown--menu [data-menu-xmlid='gov_qms_docs.qms_document_menu']",
            run: "click",
        },
        {
            content: "Create a controlled document",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Title",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit Handling of citizen complaints",
        },
        {
            content: "Owning department",
            trigger: ".o_field_widget[name='department_id'] input",
            run: "edit Tour Bureau",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour Bureau')",
            run: "click",
        },
        {
            content: "Save the document",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The code was numbered on save",
            trigger: ".o_field_widget[name='code'] input:value(/^QP-/)",
        },
        {
            content: "Start the first revision",
            trigger: "button[name='action_new_revision']",
            run: "click",
        },
        {
            content: "Write the procedure",
            trigger: ".o_field_html[name='body'] .odoo-editor-editable div.o-paragraph",
            run: "editor Reply to every complaint within one working day.",
        },
        {
            content: "Choose the approver",
            trigger: ".o_field_widget[name='approver_id'] input",
            run: "edit Tour Approver",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour Approver')",
            run: "click",
        },
        {
            content: "Save the draft",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Submit it for review: an explicit step",
            trigger: "button[name='action_submit']",
            run: "click",
        },
        {
            content: "The revision is in review",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('In Review')",
        },
    ],
});
