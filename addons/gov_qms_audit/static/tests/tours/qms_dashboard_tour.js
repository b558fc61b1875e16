import { registry } from "@web/core/registry";

// The tours find their elements by name and data attributes, never by English text: they run in English and
// in Chinese (tests/test_ui_dashboard.py saves a screenshot of each language).

registry.category("web_tour.tours").add("gov_qms_workbench_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "The QMS manager lands on My Workbench: their own work first",
            trigger: ".o_kanban_view .o_kanban_group [data-qms-tile='capa_my_actions']",
        },
        {
            content: "The supervised items of the departments",
            trigger: ".o_kanban_view [data-qms-tile='capa_supervised'] [name='qms_tile_count']",
        },
        {
            content: "The office's column: the department ranking of the month",
            trigger: ".o_kanban_view .o_kanban_record:has([data-qms-tile='audit_ranking']) .qms-workbench-ranking table",
        },
        {
            content: "and the on-time trend of the last months",
            trigger: ".o_kanban_view .o_kanban_record:has([data-qms-tile='audit_trend']) .qms-workbench-trend svg rect",
        },
    ],
});

registry.category("web_tour.tours").add("gov_qms_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "From the workbench, open the on-time trend: the KPI dashboard of the last six months",
            trigger: ".o_kanban_view .o_kanban_record:has([data-qms-tile='audit_trend'])",
            run: "click",
        },
        {
            content: "Six months of on-time closure by department, the period's total last",
            trigger: ".o_qms_dashboard .qms-kpi-on-time thead th:nth-child(8)",
        },
        {
            content: "The ageing of the open nonconformities, in order",
            trigger: ".o_qms_dashboard .qms-kpi-ageing thead th:nth-child(5)",
        },
        {
            content: "Supervised items and recurrences",
            trigger: ".o_qms_dashboard .qms-kpi-supervised",
        },
        {
            content: "Audit coverage; the export buttons for the monthly meeting",
            trigger: ".o_qms_dashboard .qms-kpi-coverage",
        },
        {
            content: "Export buttons",
            trigger: ".o_form_view button[name='action_export_xlsx'] + button[name='action_export_pdf']",
        },
    ],
});

registry.category("web_tour.tours").add("gov_qms_head_workbench_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "A department head lands on My Workbench: the provisional scorecard of the month, live",
            trigger: ".o_kanban_view .o_kanban_record:has([data-qms-tile='audit_provisional']) .qms-workbench-provisional table",
        },
        {
            content: "The nonconformities and actions of the departments, with their red counts",
            trigger: ".o_kanban_view [data-qms-tile='capa_dept_actions'] [name='qms_tile_count']",
        },
        {
            content: "No QMS office column for a head",
            trigger: ".o_kanban_view:not(:has([data-qms-tile='audit_ranking']))",
        },
    ],
});
