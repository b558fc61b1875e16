"""Helpers for the gov_qms addons' migration scripts."""


def drop_record_rules(cr, module):
    """Drop the record rules `module` declared, so that the upgrade creates its current ones afresh.

    Record rules are noupdate data, which an upgrade never rewrites: a version that changes them calls
    this from a pre-migration script.
    """
    cr.execute("""
        DELETE FROM ir_rule WHERE id IN (
            SELECT res_id FROM ir_model_data WHERE module = %(module)s AND model = 'ir.rule')
    """, {"module": module})
    cr.execute("DELETE FROM ir_model_data WHERE module = %s AND model = 'ir.rule'", [module])
