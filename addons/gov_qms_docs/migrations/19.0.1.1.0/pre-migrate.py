"""19.0.1.1.0: record rules go through one searchable field and every model has a company rule.

The rules are noupdate data, which an upgrade never rewrites: the old ones are dropped here and the
upgrade creates the rules of this version afresh.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        DELETE FROM ir_rule WHERE id IN (
            SELECT res_id FROM ir_model_data WHERE module = %(module)s AND model = 'ir.rule')
    """, {"module": "gov_qms_docs"})
    cr.execute("DELETE FROM ir_model_data WHERE module = %s AND model = 'ir.rule'", ["gov_qms_docs"])
