from odoo import api, fields, models
from odoo.exceptions import UserError


class QmsChangeRequestWizard(models.TransientModel):
    """Asks for the document, the reason and the proposed change, then raises the change request from the
    nonconformity or action it was opened on (`_qms_raise_change_request`, with the user's rights)."""

    _name = "qms.change.request.wizard"
    _description = "Request a Document Change"

    res_model = fields.Char(required=True)
    res_id = fields.Integer(required=True)
    origin_name = fields.Char(string="Raised From", compute="_compute_origin_name")
    document_id = fields.Many2one("qms.document", required=True)
    reason = fields.Text(required=True, help="What is wrong or missing in the current document.")
    proposed_change = fields.Text()

    @api.model
    def _qms_origin_models(self):
        """The models a change request may be raised from: those with the origin mixin."""
        children = self.env["qms.change.request.origin.mixin"]._inherit_children
        return {name for name in children if name in self.env and not self.env[name]._abstract}

    @api.model
    def _qms_origin_record(self, res_model, res_id):
        """The record a change request is raised from, or a clear error for a model or id that is not one."""
        if res_model not in self._qms_origin_models() or not isinstance(res_id, int) or res_id <= 0:
            raise UserError(self.env._("A document change cannot be requested from here."))
        record = self.env[res_model].browse(res_id).exists()
        if not record:
            raise UserError(self.env._("The record was deleted in the meantime: reload the page."))
        return record

    def _qms_origin(self):
        self.ensure_one()
        return self._qms_origin_record(self.res_model, self.res_id)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        res_model = values.get("res_model", context.get("default_res_model"))
        res_id = values.get("res_id", context.get("default_res_id"))
        if ("document_id" in fields_list and not values.get("document_id") and res_model in self._qms_origin_models()
                and isinstance(res_id, int) and res_id > 0):
            origin = self.env[res_model].browse(res_id).exists()._filtered_access("read")
            values["document_id"] = origin._qms_change_request_documents()._filtered_access("read")[:1].id
        return values

    @api.depends("res_model", "res_id")
    def _compute_origin_name(self):
        for wizard in self:
            origin = self.env["qms.nonconformity"]
            if wizard.res_model in self._qms_origin_models() and wizard.res_id > 0:
                origin = self.env[wizard.res_model].browse(wizard.res_id).exists()._filtered_access("read")
            wizard.origin_name = origin.display_name if origin else False

    def action_confirm(self):
        self.ensure_one()
        self._qms_origin()._qms_raise_change_request(self.document_id, self.reason, self.proposed_change)
        return {"type": "ir.actions.act_window_close"}
