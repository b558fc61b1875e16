from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    qms_audit_notice_days = fields.Integer(
        string="Audit Notice (working days)", default=10,
        help="Working days before an audit starts when the auditees receive the audit plan and the calendar event.")
    qms_evidence_pack_async_files = fields.Integer(
        string="Evidence Pack: Queue Above (files)", default=200,
        help="An evidence pack with more files than this is built by a queued job, its progress on the form.")
