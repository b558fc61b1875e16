from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import OrderedSet

ACTION_TYPES = [("correction", "Correction"), ("corrective", "Corrective action"),
                ("preventive", "Preventive action"), ("improvement", "Improvement")]


class QmsAction(models.Model):
    """A correction, corrective, preventive or improvement action with an owner and a due date.

    Done only with evidence; the owner may ask for more time with a reason, and the department
    head decides; the original due date is kept.
    """

    _name = "qms.action"
    _description = "CAPA Action"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.supervision.mixin", "qms.locked.mixin",
                "qms.change.request.origin.mixin"]
    _qms_change_request_field = "action_id"
    _order = "date_deadline, id"
    _check_company_auto = True

    # done means done with this evidence: it is what the effectiveness check and the closure rely on
    _locked_states = ("done", "verified", "cancelled")
    # set by `create` itself from the nonconformity and the due date
    # an action belongs to the nonconformity it was planned for: chosen at creation, never moved
    _qms_workflow_fields = frozenset({"nonconformity_id", "department_id"})
    _qms_create_fields = frozenset({"round", "original_deadline", "nonconformity_id", "department_id"})
    _qms_gate_depends = ("owner_id", "department_id", "extension_state")

    name = fields.Char(string="Action", required=True, tracking=True)
    description = fields.Text()
    action_type = fields.Selection(ACTION_TYPES, string="Type", required=True, default="corrective", tracking=True)
    nonconformity_id = fields.Many2one("qms.nonconformity", index=True, ondelete="restrict", check_company=True)
    round = fields.Integer(readonly=True, default=1, help="Round of actions of the nonconformity.")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    department_id = fields.Many2one(required=True)
    owner_id = fields.Many2one("res.users", required=True, tracking=True, index=True)
    date_deadline = fields.Date(string="Due Date", required=True)
    original_deadline = fields.Date(string="Original Due Date", readonly=True, copy=False)
    state = fields.Selection(
        [("open", "Open"), ("done", "Done"), ("verified", "Verified"), ("cancelled", "Cancelled")],
        default="open", required=True, readonly=True, copy=False, tracking=True, index=True)
    evidence_note = fields.Text(string="Evidence", help="What was done, and where the proof is.")
    evidence_attachment_ids = fields.Many2many("ir.attachment", "qms_action_evidence_rel", "action_id",
                                               "attachment_id", string="Evidence Files")
    date_done = fields.Date(readonly=True, copy=False)
    extension_state = fields.Selection(
        [("none", "None"), ("requested", "Requested"), ("approved", "Approved"), ("refused", "Refused")],
        string="Extension", default="none", readonly=True, copy=False, tracking=True)
    extension_date = fields.Date(string="Requested Due Date", readonly=True, copy=False)
    extension_reason = fields.Text(readonly=True, copy=False)
    extension_refusal_reason = fields.Text(readonly=True, copy=False)
    change_request_ids = fields.One2many("qms.document.change.request", "action_id",
                                         string="Document Change Requests")
    # honest buttons (qms.gate.mixin): each is computed by the gate of its step, `_check_<step>`
    can_done = fields.Boolean(compute="_compute_qms_can")
    can_request_extension = fields.Boolean(compute="_compute_qms_can")
    can_approve_extension = fields.Boolean(compute="_compute_qms_can")
    can_refuse_extension = fields.Boolean(compute="_compute_qms_can")
    can_cancel = fields.Boolean(compute="_compute_qms_can")

    # the open ones (the list's default filter): counted, grouped by department and filtered on their due date
    # (overdue) from the index alone
    _open_department_idx = models.Index("(company_id, department_id, date_deadline) WHERE state = 'open'")
    # grouped and counted by status from the index alone
    _state_company_idx = models.Index("(state, company_id)")

    @api.model_create_multi
    def create(self, vals_list):
        # the nonconformities of the batch are read together (one query), as the user who creates the actions
        NC = self.env["qms.nonconformity"]
        ncs = {nc.id: nc for nc in NC.browse(OrderedSet(
            vals["nonconformity_id"] for vals in vals_list if isinstance(vals.get("nonconformity_id"), int)
            and vals["nonconformity_id"]))}
        for vals in vals_list:
            nc_id = vals.get("nonconformity_id")
            nc = ncs.get(nc_id, NC) if isinstance(nc_id, int) else NC.browse(nc_id)
            if nc:
                if nc.state in ("closed", "cancelled"):
                    raise UserError(self.env._("%s is closed: no action can be added to it.", nc.name))
                vals.setdefault("department_id", nc.department_id.id)
                vals.setdefault("company_id", nc.company_id.id)
                vals["round"] = nc.current_round
            vals["original_deadline"] = vals.get("date_deadline")
        actions = super().create(vals_list)
        actions.filtered(lambda a: not a.nonconformity_id or a.nonconformity_id.state == "action")._qms_notify_owner()
        return actions

    def write(self, vals):
        if "owner_id" in vals and not self._qms_in_transition():
            for action in self:
                if action.owner_id.id != vals["owner_id"]:
                    action._qms_check_head_or("gov_qms_docs.group_qms_manager")
                    if action.owner_id == self.env.user and not self.env.user.has_group(
                            "gov_qms_docs.group_qms_manager"):
                        raise UserError(self.env._(
                            "%s is yours: its department head or the QMS office hands it to someone else.",
                            action.name))
        return super().write(vals)

    def _qms_change_request_documents(self):
        return self.nonconformity_id.document_ids

    @api.constrains("date_deadline", "nonconformity_id")
    def _check_deadline(self):
        for action in self:
            detected = action.nonconformity_id.date_detected
            if detected and action.date_deadline < detected:
                raise ValidationError(self.env._(
                    "Action %(action)s cannot be due (%(due)s) before the nonconformity was found (%(found)s).",
                    action=action.name, due=action.date_deadline, found=detected))

    def _qms_notify_owner(self):
        """A to-do for each owner, the batch in one go and without an e-mail per to-do: owners learn of their new
        actions from their daily digest (the assignees follow their actions, added in one batch)."""
        self.with_context(mail_activity_quick_update=True)._qms_schedule_activities(
            {action: action.owner_id for action in self}, lambda env: env._("Carry out the action"),
            date_deadline=lambda action: action.date_deadline)

    def _escalation_open_domain(self):
        return [("state", "=", "open")]

    def _qms_ladder_owner(self):
        return self.owner_id

    def _check_done(self):
        """Open, and its owner or the QMS office."""
        self._qms_check_state("open")
        for action in self:
            if self.env.user not in action.owner_id and not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
                raise UserError(self.env._("Only %(owner)s, who owns action %(action)s, can mark it done.",
                                           owner=action.owner_id.name, action=action.name))

    def action_done(self):
        self._check_done()
        # the last actions of a round may be done by two owners at once: one of them moves the nonconformity on
        self.nonconformity_id.sudo()._qms_lock_for_transition()
        for action in self:
            if not (action.evidence_note or "").strip() and not action.evidence_attachment_ids:
                raise UserError(self.env._(
                    "Action %s needs evidence before it is done: describe what was done or attach the proof.",
                    action.name))
        self._qms_set_state("done", date_done=fields.Date.context_today(self))
        # the done to-dos' notes are in the chatter: the company's language
        self.activity_ids.with_context(lang=self._qms_company_lang()).action_feedback(feedback=self._qms_note_env()._("Done"))
        self.nonconformity_id.sudo()._qms_actions_done()
        return True

    def _check_request_extension(self):
        """Open, no request waiting, and its owner."""
        self._qms_check_state("open")
        self._qms_check_state("none", "approved", "refused", field="extension_state")
        for action in self:
            if self.env.user != action.owner_id:
                raise UserError(self.env._("Only the owner of the action can ask for more time."))

    def _action_request_extension(self, new_date, reason):
        """The owner asks for more time, with a reason; the department head decides (called by the wizard)."""
        self.ensure_one()
        self._check_request_extension()
        if not (reason or "").strip():
            raise UserError(self.env._("Please give the reason why more time is needed."))
        new_date = self._qms_to_date(new_date, self._fields["extension_date"]._description_string(self.env))
        if new_date <= self.date_deadline:
            raise UserError(self.env._("The new due date must be after the current one (%s).", self.date_deadline))
        self._qms_write_workflow({"extension_state": "requested", "extension_date": new_date,
                                  "extension_reason": reason, "extension_refusal_reason": False})
        head = self.department_id._qms_head_user()
        self.sudo()._qms_schedule_activities({self: head}, lambda env: env._("Decide on the extension request"),
                                             note=reason)
        return True

    def _qms_check_extension_decider(self):
        """An extension is decided by the department head (or the QMS office), never by the action's owner."""
        self._qms_check_state("open")
        self._qms_check_state("requested", field="extension_state")
        self._qms_check_head_or("gov_qms_docs.group_qms_manager")
        for action in self:
            if self.env.user == action.owner_id:
                raise UserError(self.env._("The owner of an action cannot decide on their own extension."))

    def _check_approve_extension(self):
        self._qms_check_extension_decider()

    def _check_refuse_extension(self):
        self._qms_check_extension_decider()

    def action_approve_extension(self):
        self._qms_check_extension_decider()
        for action in self:
            action._qms_write_workflow({"extension_state": "approved", "date_deadline": action.extension_date})
            action.message_post(body=action._qms_note_env()._(
                "More time granted: now due on %(date)s (originally %(original)s).",
                date=action.extension_date, original=action.original_deadline))
        return True

    def _action_refuse_extension(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Please tell the owner why the extension is refused."))
        self._qms_check_extension_decider()
        self._qms_write_workflow({"extension_state": "refused", "extension_refusal_reason": reason})
        for action in self:
            owner_env = action._qms_lang_env(action._qms_recipient_lang(action.owner_id))
            action.message_post(body=owner_env._("Extension refused: %s", reason),
                                partner_ids=action.owner_id.partner_id.ids, subtype_xmlid="mail.mt_comment")
        return True

    def _check_cancel(self):
        """Open, and the head of its department or the QMS office."""
        self._qms_check_state("open")
        self._qms_check_head_or("gov_qms_docs.group_qms_manager")

    def _action_cancel(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Please give the reason for cancelling the action."))
        self._check_cancel()
        self._qms_set_state("cancelled")
        for action in self:
            action.message_post(body=action._qms_note_env()._("Cancelled: %s", reason))
        self.nonconformity_id.sudo()._qms_actions_done()
        return True

    def action_open_extension_wizard(self):
        self._qms_gate("request_extension")
        return {"type": "ir.actions.act_window", "res_model": "qms.action.extension.wizard", "view_mode": "form",
                "target": "new", "context": {"default_action_id": self.id}}

    def action_open_refuse_extension_wizard(self):
        self._qms_gate("refuse_extension")
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_refuse_extension",
                                                       self.env._("Refuse Extension"))

    def action_open_cancel_wizard(self):
        self._qms_gate("cancel")
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_cancel", self.env._("Cancel Action"))
