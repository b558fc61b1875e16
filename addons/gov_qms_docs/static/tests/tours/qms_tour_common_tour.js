import { registry } from "@web/core/registry";

// The shared tour helper's own check (tests/tour_common.py): the web client opens in the user's language.
registry.category("web_tour.tours").add("gov_qms_tour_common_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "The web client is up, in the user's language",
            trigger: "html[data-qms-lang-expected] .o_main_navbar",
        },
    ],
});
