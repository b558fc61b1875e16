from odoo import fields, models
from odoo.exceptions import UserError


class QmsDeadlineWizard(models.TransientModel):
    """The QMS office resets the deadline of running items, with a reason kept in their history."""

    _name = "qms.deadline.wizard"
    _description = "Reset a Deadline"

    res_model = fields.Char(required=True)
    res_ids = fields.Json(required=True)
    new_date = fields.Date(string="New Deadline", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if self.res_model not in self.env or not isinstance(self.env[self.res_model], self.pool["qms.deadline.mixin"]):
            raise UserError(self.env._("This step cannot be done from here."))
        target = {"res_model": self.res_model, "res_ids": self.res_ids}
        records = self.env["qms.reason.wizard"].new(target)._qms_records()
        records._qms_reset_deadline(self.new_date, self.reason)
        return {"type": "ir.actions.act_window_close"}
