from odoo import fields, models


class QmsSettingsMixin(models.AbstractModel):
    """The CAPA settings, in Odoo's Settings and in the QMS office's settings screen."""

    _inherit = "qms.settings.mixin"

    qms_effectiveness_days_major = fields.Integer(related="company_id.qms_effectiveness_days_major", readonly=False)
    qms_effectiveness_days_minor = fields.Integer(related="company_id.qms_effectiveness_days_minor", readonly=False)
    qms_points_responsible = fields.Float(related="company_id.qms_points_responsible", readonly=False)
    qms_points_section_head = fields.Float(related="company_id.qms_points_section_head", readonly=False)
    qms_points_leader = fields.Float(related="company_id.qms_points_leader", readonly=False)
    qms_complaint_rate_limit = fields.Integer(related="company_id.qms_complaint_rate_limit", readonly=False)
    qms_complaint_receiver_id = fields.Many2one(related="company_id.qms_complaint_receiver_id", readonly=False)
