import { registry } from "@web/core/registry";

// The QMS manager (not a Settings administrator) changes the escalation ladder under Quality > Configuration.
registry.category("web_tour.tours").add("gov_qms_settings_tour", {
    url: "/odoo/action-gov_qms_docs.qms_config_settings_action",
    steps: () => [
        {
            content: "The QMS settings open, on the Quality section",
            trigger: ".o_form_view .o_setting_box .o_field_widget[name='qms_supervise_after_days'] input",
            run: "edit 6",
        },
        {
            content: "Save: the settings are saved and the page reloads, as Odoo's own Settings do",
            trigger: ".o_control_panel .o_form_button_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Saved: the settings reload with the new value",
            trigger: ".o_form_view .o_field_widget[name='qms_supervise_after_days'] input:value(6)",
        },
    ],
});
