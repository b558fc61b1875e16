from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    qms_ack_reminder_days = fields.Integer(related="company_id.qms_ack_reminder_days", readonly=False)
    qms_ack_escalation_days = fields.Integer(related="company_id.qms_ack_escalation_days", readonly=False)
    qms_review_notice_days = fields.Integer(related="company_id.qms_review_notice_days", readonly=False)
    qms_reminder_days = fields.Integer(related="company_id.qms_reminder_days", readonly=False)
    qms_supervise_after_days = fields.Integer(related="company_id.qms_supervise_after_days", readonly=False)
    qms_code_per_department = fields.Boolean(related="company_id.qms_code_per_department", readonly=False)
