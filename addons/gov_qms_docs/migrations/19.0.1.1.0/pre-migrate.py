"""19.0.1.1.0: record rules go through one searchable field and every model has a company rule."""
from odoo.addons.gov_qms_docs.tools.migration import drop_record_rules


def migrate(cr, version):
    if version:
        drop_record_rules(cr, "gov_qms_docs")
