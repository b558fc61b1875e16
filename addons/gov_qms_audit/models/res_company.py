from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    qms_audit_notice_days = fields.Integer(
        string="Audit Notice (working days)", default=10,
        help="Working days before an audit starts when the auditees receive the audit plan and the calendar event.")
