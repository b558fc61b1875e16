from odoo import fields, models, tools
from odoo.tools import SQL


class QmsAuditorWorkload(models.Model):
    """Auditor workload: one row per auditor and audit (as lead or team member), with the audit days."""

    _name = "qms.auditor.workload"
    _description = "Auditor Workload"
    _auto = False
    _order = "date_start desc, auditor_id"
    _depends = {  # flushed before the view is read
        "qms.audit": ["lead_auditor_id", "team_ids", "date_start", "date_end", "state", "audit_type",
                      "programme_id", "company_id"],
        "qms.auditor": ["user_id", "department_id"],
    }

    auditor_id = fields.Many2one("qms.auditor", readonly=True)
    user_id = fields.Many2one("res.users", string="Auditor User", readonly=True)
    auditor_department_id = fields.Many2one("hr.department", string="Auditor's Department", readonly=True)
    audit_id = fields.Many2one("qms.audit", readonly=True)
    programme_id = fields.Many2one("qms.audit.programme", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    role = fields.Selection([("lead", "Lead auditor"), ("member", "Team member")], readonly=True)
    audit_type = fields.Selection(lambda self: self.env["qms.audit"]._fields["audit_type"].selection, readonly=True)
    state = fields.Selection(lambda self: self.env["qms.audit"]._fields["state"].selection, readonly=True)
    date_start = fields.Date(readonly=True)
    audit_days = fields.Integer(readonly=True, help="Calendar days from the first to the last day of the audit.")
    audit_count = fields.Integer(string="Audits", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            """CREATE OR REPLACE VIEW %(table)s AS (
                SELECT ROW_NUMBER() OVER (ORDER BY assignment.audit_id, assignment.role, assignment.auditor_id) AS id,
                       assignment.auditor_id, auditor.user_id, auditor.department_id AS auditor_department_id,
                       assignment.audit_id, a.programme_id, a.company_id, assignment.role, a.audit_type, a.state,
                       a.date_start, a.date_end - a.date_start + 1 AS audit_days, 1 AS audit_count
                  FROM (
                        SELECT id AS audit_id, lead_auditor_id AS auditor_id, 'lead' AS role FROM qms_audit
                        UNION
                        SELECT rel.qms_audit_id, rel.qms_auditor_id, 'member'
                          FROM qms_audit_qms_auditor_rel rel
                          JOIN qms_audit lead ON lead.id = rel.qms_audit_id
                         WHERE rel.qms_auditor_id != lead.lead_auditor_id
                       ) assignment
                  JOIN qms_audit a ON a.id = assignment.audit_id
                  JOIN qms_auditor auditor ON auditor.id = assignment.auditor_id
            )""", table=SQL.identifier(self._table)))
