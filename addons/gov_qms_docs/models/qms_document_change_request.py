from odoo import api, fields, models
from odoo.exceptions import UserError


class QmsDocumentChangeRequest(models.Model):
    """Anyone may ask for a change; the owner accepts (a draft revision starts) or refuses with a reason."""

    _name = "qms.document.change.request"
    _description = "Document Change Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.locked.mixin", "qms.notification.mixin",
                "qms.reference.mixin", "qms.department.scope.mixin"]
    _qms_sequence_code = "qms.document.change.request"
    _order = "id desc"

    _locked_states = ("accepted", "refused")
    _qms_gate_depends = ("document_id",)

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True,
                       default=lambda self: self.env._("New"))
    document_id = fields.Many2one("qms.document", required=True, index=True, tracking=True)
    company_id = fields.Many2one(related="document_id.company_id", store=True)
    department_id = fields.Many2one(related="document_id.department_id", store=True, index=True)
    owner_id = fields.Many2one(related="document_id.owner_id", store=True, string="Document Owner")
    requested_by_id = fields.Many2one("res.users", required=True, readonly=True,
                                      default=lambda self: self.env.user, index=True)
    reason = fields.Text(required=True, help="What is wrong or missing in the current document.")
    proposed_change = fields.Text()
    state = fields.Selection(
        [("submitted", "Submitted"), ("accepted", "Accepted"), ("refused", "Refused")],
        default="submitted", required=True, readonly=True, tracking=True, index=True,
    )
    refusal_reason = fields.Text(readonly=True)
    revision_id = fields.Many2one("qms.document.revision", string="Resulting Revision", readonly=True)
    date_decided = fields.Date(readonly=True)
    # honest buttons (qms.gate.mixin)
    can_accept = fields.Boolean(compute="_compute_qms_can")
    can_refuse = fields.Boolean(compute="_compute_qms_can")

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        requests._qms_schedule_activities({request: request.owner_id for request in requests},
                                          lambda env: env._("Decide on the change request"))
        return requests

    def _qms_check_decider(self):
        """Submitted, and the document's owner, the head of its department or a document controller."""
        self._qms_check_state("submitted")
        self.document_id._qms_check_can_manage()

    def _check_accept(self):
        self._qms_check_decider()

    def _check_refuse(self):
        self._qms_check_decider()

    def action_accept(self):
        """Accept: a draft revision is started from the effective one (or the draft in progress is used)."""
        self._qms_check_decider()
        for request in self:
            revision = request.document_id._qms_start_revision(change_summary=request.reason)
            request._qms_set_state("accepted", revision_id=revision.id, date_decided=fields.Date.context_today(self))
            request.message_post(body=request._qms_note_env()._(
                "Accepted: the change goes into revision %s.", revision.with_env(request._qms_note_env()).display_name))
        self.activity_ids.with_context(lang=self._qms_company_lang()).action_feedback(feedback=self._qms_note_env()._("Accepted"))
        return True

    def _action_refuse(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Please tell the requester why the change is refused."))
        self._qms_check_decider()
        self._qms_set_state("refused", refusal_reason=reason, date_decided=fields.Date.context_today(self))
        for request in self:
            requester_env = request._qms_lang_env(request._qms_recipient_lang(request.requested_by_id))
            request.message_post(body=requester_env._("Refused: %s", reason),
                                 partner_ids=request.requested_by_id.partner_id.ids,
                                 subtype_xmlid="mail.mt_comment")
        self.activity_ids.with_context(lang=self._qms_company_lang()).action_feedback(feedback=self._qms_note_env()._("Refused"))
        return True

    def action_open_refuse_wizard(self):
        self._qms_gate("refuse")
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_refuse", self.env._("Refuse Change Request"))
