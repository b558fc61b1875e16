from odoo import fields, models


class QmsSettingsMixin(models.AbstractModel):
    """The audit settings, in Odoo's Settings and in the QMS office's settings screen."""

    _inherit = "qms.settings.mixin"

    qms_audit_notice_days = fields.Integer(related="company_id.qms_audit_notice_days", readonly=False)
    qms_evidence_pack_async_files = fields.Integer(related="company_id.qms_evidence_pack_async_files",
                                                   readonly=False)
