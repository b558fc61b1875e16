import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("gov_qms_capa_complaint_form_tour", {
    url: "/complaint",
    steps: () => [
        {
            content: "Choose the kind of request",
            trigger: "select[name='kind']",
            run: "selectByLabel Complaint",
        },
        {
            content: "Choose the department concerned",
            trigger: "select[name='department_id']",
            run: "selectByLabel Tour Licensing Section",
        },
        {
            content: "Say it in a few words",
            trigger: "input[name='subject']",
            run: "edit Counter closed during opening hours",
        },
        {
            content: "Tell what happened",
            trigger: "textarea[name='description']",
            run: "edit The licensing counter was closed on Tuesday at 10:00 although the sign says it opens at 9:00.",
        },
        {
            content: "Where",
            trigger: "input[name='location']",
            run: "edit Service hall, counter 3",
        },
        {
            content: "Name",
            trigger: "input[name='citizen_name']",
            run: "edit Tour Citizen",
        },
        {
            content: "Phone",
            trigger: "input[name='citizen_phone']",
            run: "edit 138 0000 1234",
        },
        {
            content: "Send the form",
            trigger: "button.o_qms_complaint_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The reference is shown",
            trigger: ".o_qms_complaint_reference:contains('CP-')",
        },
    ],
});
