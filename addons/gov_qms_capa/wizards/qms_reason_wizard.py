from odoo import api, models


class QmsReasonWizard(models.TransientModel):
    _inherit = "qms.reason.wizard"

    @api.model
    def _qms_allowed_methods(self):
        allowed = dict(super()._qms_allowed_methods())
        allowed["qms.nonconformity"] = {"_action_cancel", "_action_reopen"}
        allowed["qms.action"] = {"_action_cancel", "_action_refuse_extension"}
        allowed["qms.department.score"] = {"_action_reopen"}
        allowed["qms.complaint"] = {"_action_dismiss"}
        return allowed
