{
    "name": "Government QMS: Internal Audit",
    "summary": "Risk-based audit programme, independent auditors, clause checklists, ISO 19011 findings and reports",
    "version": "19.0.1.2.0",
    "category": "Quality",
    "author": "gov_qms",
    "website": "https://example.invalid/gov_qms",
    "license": "LGPL-3",
    "depends": ["gov_qms_capa", "calendar"],
    "data": [
        "security/ir.model.access.csv",
        "security/qms_audit_security.xml",
        "data/qms_audit_data.xml",
        "report/qms_audit_report.xml",
        "views/qms_audit_templates.xml",
        "views/qms_auditor_views.xml",
        "views/qms_audit_question_views.xml",
        "views/qms_audit_views.xml",
        "views/qms_audit_programme_views.xml",
        "views/res_config_settings_views.xml",
        "views/qms_audit_menus.xml",
    ],
    "demo": ["demo/qms_audit_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "gov_qms_audit/static/tests/tours/*.js",
        ],
    },
}
