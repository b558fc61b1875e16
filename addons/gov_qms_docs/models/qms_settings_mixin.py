from odoo import fields, models


class QmsSettingsMixin(models.AbstractModel):
    """The QMS settings, declared once: company fields shown both in Odoo's Settings (administrators) and in the
    QMS office's own settings screen (qms.config.settings). Each addon extends this mixin with its settings."""

    _name = "qms.settings.mixin"
    _description = "QMS Settings Fields"

    company_id = fields.Many2one("res.company")
    qms_ack_reminder_days = fields.Integer(related="company_id.qms_ack_reminder_days", readonly=False)
    qms_ack_escalation_days = fields.Integer(related="company_id.qms_ack_escalation_days", readonly=False)
    qms_review_notice_days = fields.Integer(related="company_id.qms_review_notice_days", readonly=False)
    qms_reminder_days = fields.Integer(related="company_id.qms_reminder_days", readonly=False)
    qms_supervise_after_days = fields.Integer(related="company_id.qms_supervise_after_days", readonly=False)
    qms_code_per_department = fields.Boolean(related="company_id.qms_code_per_department", readonly=False)
