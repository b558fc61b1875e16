from odoo import api, fields, models
from odoo.exceptions import UserError


class QmsReasonWizard(models.TransientModel):
    """Asks for the reason of a step that needs one (reject, refuse, withdraw, cancel...)
    and calls the record method with it."""

    _name = "qms.reason.wizard"
    _description = "Give a Reason"

    res_model = fields.Char(required=True)
    res_ids = fields.Json(required=True)
    method = fields.Char(required=True)
    reason = fields.Text(required=True)

    # Record methods this wizard may call, by model: nothing else can be triggered through it.
    _ALLOWED = {
        "qms.document": {"_action_withdraw"},
        "qms.document.revision": {"_action_reject"},
        "qms.document.change.request": {"_action_refuse"},
    }

    @api.model
    def _qms_allowed_methods(self):
        return self._ALLOWED

    @api.model
    def _qms_open(self, records, method, title):
        return {
            "type": "ir.actions.act_window", "res_model": self._name, "view_mode": "form", "target": "new",
            "name": title,
            "context": {"default_res_model": records._name, "default_res_ids": records.ids, "default_method": method},
        }

    def _qms_records(self):
        """The records the wizard acts on, or a clear error for ids that are not a list of records."""
        ids = self.res_ids
        if not isinstance(ids, list) or not ids or not all(isinstance(i, int) and i > 0 for i in ids):
            raise UserError(self.env._("This step cannot be done from here."))
        records = self.env[self.res_model].browse(ids).exists()
        if len(records) != len(set(ids)):
            raise UserError(self.env._("Some of the records were deleted in the meantime: reload the page."))
        return records

    def action_confirm(self):
        self.ensure_one()
        if self.method not in self._qms_allowed_methods().get(self.res_model, ()):
            raise UserError(self.env._("This step cannot be done from here."))
        records = self._qms_records()
        getattr(records, self.method)(self.reason)
        return {"type": "ir.actions.act_window_close"}
