"""19.0.1.2.0: the nonconformity rule of action owners and checkers looks them up once per query (an indexed
condition) instead of a subquery per row."""
from odoo.addons.gov_qms_docs.tools.migration import drop_record_rules


def migrate(cr, version):
    if version:
        drop_record_rules(cr, "gov_qms_capa")
