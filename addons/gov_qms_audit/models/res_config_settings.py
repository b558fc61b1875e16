from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    qms_audit_notice_days = fields.Integer(related="company_id.qms_audit_notice_days", readonly=False)
    qms_evidence_pack_async_files = fields.Integer(related="company_id.qms_evidence_pack_async_files",
                                                   readonly=False)
