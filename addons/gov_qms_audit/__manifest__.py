{
    "name": "Government QMS: Internal Audit",
    "summary": "Audit programme, plans, checklists, findings, reports and management review",
    "version": "19.0.1.0.0",
    "category": "Quality",
    "author": "gov_qms",
    "website": "https://example.invalid/gov_qms",
    "license": "LGPL-3",
    "depends": ["gov_qms_capa"],
}
