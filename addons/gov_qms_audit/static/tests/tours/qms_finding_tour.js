import { registry } from "@web/core/registry";
import { user } from "@web/core/user";

// From a checklist answer to a closed nonconformity (tests/test_findings_tour.py), in English and in Chinese: the
// steps find their elements by name, value and data attributes, never by English text; what they type is in the
// language of the page.

function zh() {
    return (user.lang || "").toLowerCase().startsWith("zh");
}

function typed(english, chinese) {
    return function (helpers) {
        return helpers.edit(zh() ? chinese : english);
    };
}

const TEXTS = {
    evidence: [
        "Counter 2 uses the fee table of 2024 (form LF-02 rev. 1); rev. 2 is in force since 1 March.",
        "2号窗口仍使用2024年版收费标准表（LF-02第1版）；第2版自3月1日起施行。",
    ],
    statement: [
        "Counter 2 charges fees from the superseded 2024 table instead of LF-02 rev. 2, in force since 1 March.",
        "2号窗口仍按已作废的2024年版收费标准收费，未使用自3月1日起施行的LF-02第2版。",
    ],
    whys: [
        ["Why was the old fee table used?", "The new table was not sent to counter 2.",
         "为什么使用旧收费表？", "新表未下发到2号窗口。"],
        ["Why was it not sent?", "Counters get new forms only when someone asks for them.",
         "为什么未下发？", "窗口只有在有人索取时才领取新表格。"],
        ["Why only on request?", "The document control procedure names no one to send new revisions to the counters.",
         "为什么只在索取时领取？", "文件控制程序未规定由谁向窗口分发新版本。"],
    ],
    action: [
        "Name the counter supervisor to hand out each new revision and withdraw the old one",
        "指定窗口主管负责分发每个新版本并收回旧版本",
    ],
};

registry.category("web_tour.tours").add("gov_qms_finding_checklist_tour", {
    url: "/odoo/action-gov_qms_audit.qms_audit_action_my",
    steps: () => [
        {
            content: "Open the checklist of the audit under way from My Audits",
            trigger: ".o_kanban_record button[name='action_open_checklist']",
            run: "click",
        },
        {
            content: "Pick the first question",
            trigger: ".o_qms_checklist .o_data_row:first-child td[name='question']",
            run: "click",
        },
        {
            content: "One click for the result: minor nonconformity",
            trigger: ".o_data_row:first-child.o_selected_row .o_field_widget[name='result'] .o_selection_badge[value='\"minor\"']",
            run: "click",
        },
        {
            content: "Type the evidence seen, in the wide evidence column",
            trigger: ".o_data_row:first-child.o_selected_row .o_field_widget[name='evidence'] textarea",
            run: typed(...TEXTS.evidence),
        },
        {
            content: "Next question",
            trigger: ".o_qms_checklist .o_data_row:nth-child(2) td[name='question']",
            run: "click",
        },
        {
            content: "Conforming",
            trigger: ".o_data_row:nth-child(2).o_selected_row .o_field_widget[name='result'] .o_selection_badge[value='\"conforming\"']",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "Both answers are saved: 2 answered, and the first question offers its finding",
            trigger: ".o_qms_checklist .o_data_row:first-child:not(.o_selected_row) button[name='action_open_finding']",
        },
    ],
});

registry.category("web_tour.tours").add("gov_qms_finding_statement_tour", {
    // no url: the test opens the record (a registered url would send the browser there instead)
    steps: () => [
        {
            content: "Raise the findings of the audit",
            trigger: ".o_form_view .o_form_statusbar button[name='action_raise_findings']",
            run: "click",
        },
        {
            content: "The statement opens, prefilled from the checklist: criterion and evidence",
            trigger: ".modal .o_qms_finding_statement .o_field_widget[name='criterion'] textarea",
        },
        {
            content: "The auditor rewrites the statement as a fact",
            trigger: ".modal .o_qms_finding_statement .o_field_widget[name='statement'] textarea",
            run: typed(...TEXTS.statement),
        },
        {
            content: "Ready to confirm",
            trigger: ".modal footer button[name='action_confirm_statement']",
        },
    ],
});

registry.category("web_tour.tours").add("gov_qms_finding_raise_tour", {
    // no url: the test opens the record (a registered url would send the browser there instead)
    steps: () => [
        {
            content: "The findings of the audit",
            trigger: ".o_form_view .o_notebook .nav-link[name='findings']",
            run: "click",
        },
        {
            content: "The draft statement: open it",
            trigger: ".o_field_widget[name='finding_ids'] .o_data_row button[name='action_open_statement']",
            run: "click",
        },
        {
            content: "The auditor writes the statement",
            trigger: ".modal .o_qms_finding_statement .o_field_widget[name='statement'] textarea",
            run: typed(...TEXTS.statement),
        },
        {
            content: "Confirm and raise",
            trigger: ".modal footer button[name='action_confirm_statement']",
            run: "click",
        },
        {
            content: "Told what was raised, with a link to the nonconformity",
            trigger: ".o_notification a[href^='/odoo/qms.nonconformity/']",
        },
        {
            content: "The finding now names its nonconformity",
            trigger: "body:not(:has(.modal)) .o_field_widget[name='finding_ids'] .o_data_row:not(:has(button[name='action_open_statement']))",
            run() {
                this.anchor.scrollIntoView({ block: "center" });
            },
        },
    ],
});

registry.category("web_tour.tours").add("gov_qms_capa_analysis_tour", {
    // no url: the test opens the record (a registered url would send the browser there instead)
    steps: () => [
        {
            content: "The head takes the nonconformity into the full CAPA loop",
            trigger: ".o_form_view .o_form_statusbar button[name='action_triage_capa']",
            run: "click",
        },
        {
            content: "and starts the analysis",
            trigger: ".o_form_view .o_form_statusbar button[name='action_start_analysis']",
            run: "click",
        },
        {
            content: "Root cause tab",
            trigger: ".o_statusbar_status button[data-value='analysis'][aria-checked='true']",
        },
        {
            content: "Open the root cause analysis",
            trigger: ".o_form_view .o_notebook .nav-link[name='root_cause']",
            run: "click",
        },
        ...TEXTS.whys.flatMap(([question, answer, zhQuestion, zhAnswer], index) => [
            {
                content: `Why number ${index + 1}`,
                trigger: ".o_field_widget[name='why_ids'] .o_field_x2many_list_row_add a",
                run: "click",
            },
            {
                content: "The question",
                trigger: `.o_field_widget[name='why_ids'] .o_data_row:nth-child(${index + 1}).o_selected_row [name='question'] input`,
                run: typed(question, zhQuestion),
            },
            {
                content: "The answer",
                trigger: `.o_field_widget[name='why_ids'] .o_data_row:nth-child(${index + 1}).o_selected_row [name='answer'] input`,
                run: typed(answer, zhAnswer),
            },
        ]),
        {
            content: "The actions",
            trigger: ".o_form_view .o_notebook .nav-link[name='actions']",
            run: "click",
        },
        {
            content: "Add a corrective action",
            trigger: ".o_field_widget[name='action_ids'] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "What will be done",
            trigger: ".o_field_widget[name='action_ids'] .o_selected_row [name='name'] input",
            run: typed(...TEXTS.action),
        },
        {
            content: "Who does it",
            trigger: ".o_field_widget[name='action_ids'] .o_selected_row [name='owner_id'] input",
            run: "edit He Xiaoyun",
        },
        {
            content: "He Xiaoyun, of the section",
            trigger: ".o-autocomplete--dropdown-item a:contains('He Xiaoyun')",
            run: "click",
        },
        {
            content: "The actions are planned: the last Why is the root cause",
            trigger: ".o_form_view .o_form_statusbar button[name='action_plan_actions']",
            run: "click",
        },
        {
            content: "Actions under way",
            trigger: ".o_statusbar_status button[data-value='action'][aria-checked='true']",
        },
        {
            content: "Back to the analysis: the root cause is stated",
            trigger: ".o_form_view .o_notebook .nav-link[name='root_cause']",
            run: "click",
        },
        {
            content: "The root cause, from the 5 Whys",
            trigger: ".o_field_widget[name='root_cause'] textarea",
            run() {
                this.anchor.scrollIntoView({ block: "center" });
            },
        },
    ],
});

registry.category("web_tour.tours").add("gov_qms_capa_close_tour", {
    // no url: the test opens the record (a registered url would send the browser there instead)
    steps: () => [
        {
            content: "The action is done and checked effective: the head closes the nonconformity",
            trigger: ".o_form_view .o_form_statusbar button[name='action_close']",
            run: "click",
        },
        {
            content: "Closed",
            trigger: ".o_statusbar_status button[data-value='closed'][aria-checked='true']",
        },
        {
            content: "The closure: by whom, when, on time",
            trigger: ".o_form_view .o_notebook .nav-link[name='closure']",
            run: "click",
        },
        {
            content: "Closed on time",
            trigger: ".o_field_widget[name='closed_by_id']",
            run() {
                this.anchor.scrollIntoView({ block: "center" });
            },
        },
    ],
});
