from odoo import api, models


class QmsReasonWizard(models.TransientModel):
    _inherit = "qms.reason.wizard"

    @api.model
    def _qms_allowed_methods(self):
        allowed = dict(super()._qms_allowed_methods())
        allowed["qms.audit"] = {"_action_cancel", "_action_reopen_report"}
        allowed["qms.management.review"] = {"_action_reopen"}
        allowed["qms.evidence.pack.grant"] = {"_action_revoke"}
        return allowed
