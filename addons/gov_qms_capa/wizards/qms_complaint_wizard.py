from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.qms_complaint import CALLBACK_RESULTS


class QmsComplaintWizard(models.TransientModel):
    """A step of a citizen's work order that needs input: transfer to another department, or the call-back."""

    _name = "qms.complaint.wizard"
    _description = "Citizen Complaint Step"

    res_ids = fields.Json(required=True)
    step = fields.Selection([("transfer", "Transfer"), ("callback", "Call-back")], required=True)
    department_id = fields.Many2one("hr.department", string="Transfer To")
    reason = fields.Text(string="Why")
    callback_result = fields.Selection(CALLBACK_RESULTS, string="The Citizen Is")
    callback_note = fields.Text(string="What the Citizen Said")

    @api.model
    def _qms_open(self, complaints, step, title):
        return {
            "type": "ir.actions.act_window", "res_model": self._name, "view_mode": "form", "target": "new",
            "name": title, "context": {"default_res_ids": complaints.ids, "default_step": step},
        }

    def _qms_complaints(self):
        """The work orders, validated as every QMS wizard validates the ids it is given."""
        complaints = self.env["qms.reason.wizard"].new(
            {"res_model": "qms.complaint", "res_ids": self.res_ids})._qms_records()
        complaints.check_access("write")
        return complaints

    def action_confirm(self):
        self.ensure_one()
        complaints = self._qms_complaints()
        if self.step == "transfer":
            if not (self.reason or "").strip():
                raise UserError(self.env._("Say why the work order goes to another department."))
            complaints._action_transfer(self.department_id, self.reason)
        else:
            complaints._action_callback(self.callback_result, self.callback_note or "")
        return {"type": "ir.actions.act_window_close"}
