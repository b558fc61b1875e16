{
    "name": "Government QMS: Nonconformity and CAPA",
    "summary": "Nonconformities, root cause, corrective and preventive actions, time limits, escalation",
    "version": "19.0.1.0.0",
    "category": "Quality",
    "author": "gov_qms",
    "website": "https://example.invalid/gov_qms",
    "license": "LGPL-3",
    "depends": ["gov_qms_docs"],
}
