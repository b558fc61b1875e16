from odoo import fields, models
from odoo.exceptions import UserError


class QmsChangeRequestOriginMixin(models.AbstractModel):
    """A record from which a document change request is raised (ISO 9001 10.2.1 f: update the QMS from CAPA).

    The model names the change request's many2one that points back at it (`_qms_change_request_field`, one of
    the change request's `_qms_origin_fields`) and defines its own `change_request_ids` one2many on it. It gets
    the count, the smart button, the "Request Document Change" button (a wizard asking for the document, the
    reason and the proposed change) and the step itself, `_qms_raise_change_request`.
    """

    _name = "qms.change.request.origin.mixin"
    _inherit = ["qms.gate.mixin"]
    _description = "QMS Record Raising Document Changes"

    _qms_change_request_field = None  # the change request's many2one to this model

    change_request_count = fields.Integer(string="Change Requests", compute="_compute_change_request_count")
    can_request_change = fields.Boolean(compute="_compute_qms_can")  # honest button (qms.gate.mixin)

    def _compute_change_request_count(self):
        field = self._qms_change_request_field
        counts = dict(self.env["qms.document.change.request"]._read_group(
            [(field, "in", self._origin.ids)], [field], ["__count"]))
        for record in self:
            record.change_request_count = counts.get(record._origin, 0)

    def _qms_change_request_documents(self):
        """The documents this record concerns: the wizard proposes the first one."""
        return self.env["qms.document"]

    def _qms_check_change_request_origin(self):
        """Who may change this record may raise a change request from it, unless it was cancelled."""
        self.ensure_one()
        self._qms_check_access("write")
        if "state" in self._fields and self.state == "cancelled":
            raise UserError(self.env._(
                "%s is cancelled: no document change can be requested from it.", self.display_name))

    def _check_request_change(self):
        for record in self:
            record._qms_check_change_request_origin()

    def _qms_raise_change_request(self, document, reason, proposed_change=False):
        """Ask the owner of `document` to change it, linked to this record both ways; return the change request."""
        self.ensure_one()
        self._qms_check_change_request_origin()
        request = self.env["qms.document.change.request"]._qms_create_from(
            {self._qms_change_request_field: self.id}, document, reason, proposed_change)
        if "message_ids" in self._fields:
            self.message_post(body=request._qms_note_env()._(
                "Document change requested: %(request)s on %(document)s.",
                request=request._get_html_link(), document=request.document_id.display_name))
        return request

    def action_open_change_request_wizard(self):
        self.ensure_one()
        self._qms_gate("request_change")
        return {
            "type": "ir.actions.act_window", "res_model": "qms.change.request.wizard", "view_mode": "form",
            "target": "new", "name": self.env._("Request Document Change"),
            "context": {"default_res_model": self._name, "default_res_id": self.id},
        }

    def action_view_change_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("gov_qms_docs.qms_document_change_request_action")
        action.update({
            "name": self.env._("Change Requests: %s", self.display_name),
            "domain": [(self._qms_change_request_field, "=", self.id)],
            "context": {"create": False},
        })
        return action
