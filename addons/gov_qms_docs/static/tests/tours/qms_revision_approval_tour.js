import { registry } from "@web/core/registry";

// A document controller approves a revision, then a reader opens it and confirms having read it
// (tests/test_revision_approval_tour.py). The steps find the elements by name and value, never by their English
// text, so that the same tours run in English and in Chinese.

registry.category("web_tour.tours").add("gov_qms_revision_approve_tour", {
    steps: () => [
        {
            content: "The revision waiting for my approval",
            trigger: ".o_list_view .o_data_row .o_data_cell[name='document_name']",
            run: "click",
        },
        {
            content: "Its reviewer has reviewed it",
            trigger: ".o_form_view .o_field_widget[name='reviewed_by_ids'] .o_tag, .o_form_view .o_field_widget[name='reviewed_by_ids'] img",
        },
        {
            content: "Approve it: it is mine to approve",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_approve']",
            run: "click",
        },
        {
            content: "The revision is in force",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='effective']",
        },
        {
            content: "No approval step is left on it",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_approve']))",
        },
    ],
});

registry.category("web_tour.tours").add("gov_qms_revision_open_tour", {
    steps: () => [
        {
            content: "Nothing to confirm before the revision is opened",
            trigger: ".o_list_view .o_data_row:not(:has(button[name='action_acknowledge']))",
        },
        {
            content: "Open the revision to read",
            trigger: ".o_list_view .o_data_row button[name='action_open_revision']",
            run: "click",
        },
        {
            content: "The text is there to read, and now the confirmation",
            trigger: ".o_form_view:has(.o_field_html[name='body']) .o_statusbar_buttons button[name='action_acknowledge']",
        },
    ],
});

registry.category("web_tour.tours").add("gov_qms_revision_acknowledge_tour", {
    steps: () => [
        {
            content: "Open the revision again",
            trigger: ".o_list_view .o_data_row button[name='action_open_revision']",
            run: "click",
        },
        {
            content: "I have read and understood it",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_acknowledge']",
            run: "click",
        },
        {
            content: "Confirmed once: the button is gone",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_acknowledge']))",
        },
        {
            content: "Back to my documents to read",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "Nothing left to read",
            trigger: ".o_list_view .o_view_nocontent, .o_list_view:not(:has(.o_data_row))",
        },
        {
            content: "Show the requests already read as well",
            trigger: ".o_searchview_facet .o_facet_remove",
            run: "click",
        },
        {
            content: "The request is read and understood, with when it was opened",
            trigger: ".o_list_view .o_data_row .o_data_cell[name='state'] .badge.text-bg-success",
        },
    ],
});
