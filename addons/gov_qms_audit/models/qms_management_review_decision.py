from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION, in_transition
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

KINDS = [("improvement", "Improvement opportunity"), ("change", "Change to the QMS"), ("resource", "Resource need")]
FOLLOW_UPS = [("note", "Recorded only"), ("action", "Action"), ("change_request", "Document change")]


class QmsManagementReviewDecision(models.Model):
    """An output of a management review (ISO 9001 9.3.3): an improvement opportunity, a change to the QMS
    or a resource need, recorded as a note or followed up by an action in the CAPA loop or a document
    change request, both linked back. The next review's input a) reports how each was followed up."""

    _name = "qms.management.review.decision"
    _description = "Management Review Decision"
    _inherit = ["qms.locked.line.mixin", "qms.department.scope.mixin"]
    _order = "review_id, sequence, id"
    _qms_lock_parent = "review_id"

    review_id = fields.Many2one("qms.management.review", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="review_id.company_id", store=True, index=True, precompute=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Decision", required=True)
    kind = fields.Selection(KINDS, required=True, default="improvement")
    follow_up = fields.Selection(FOLLOW_UPS, required=True, default="action",
                                 help="An action goes into the CAPA loop with its owner and due date; a document "
                                      "change goes to the document's owner as a change request.")
    note = fields.Text(help="Why, and what is expected.")
    action_type = fields.Selection([("improvement", "Improvement"), ("corrective", "Corrective action")],
                                   default="improvement")
    owner_id = fields.Many2one("res.users", index=True)
    department_id = fields.Many2one("hr.department", index=True)
    date_deadline = fields.Date(string="Due Date")
    document_id = fields.Many2one("qms.document", string="Document to Change")
    action_id = fields.Many2one("qms.action", readonly=True, copy=False, index=True)
    change_request_id = fields.Many2one("qms.document.change.request", readonly=True, copy=False, index=True)
    state = fields.Selection(
        [("draft", "To Follow Up"), ("recorded", "Recorded"), ("open", "In Progress"), ("done", "Done"),
         ("cancelled", "Cancelled")],
        string="Follow-up", compute="_compute_state", store=True, index=True)
    date_done = fields.Date(compute="_compute_state", store=True)
    done_on_time = fields.Boolean(compute="_compute_state", store=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")

    @api.depends("follow_up", "action_id.state", "action_id.date_done", "action_id.date_deadline",
                 "change_request_id.state", "change_request_id.date_decided",
                 "change_request_id.revision_id.state", "change_request_id.revision_id.effective_date",
                 "date_deadline")
    def _compute_state(self):
        for decision in self:
            state, done = "draft", False
            if decision.follow_up == "note":
                state = "recorded"
            elif decision.action_id:
                action = decision.action_id
                state = {"open": "open", "done": "done", "verified": "done", "cancelled": "cancelled"}[action.state]
                done = action.date_done if state == "done" else False
            elif decision.change_request_id:
                request = decision.change_request_id
                if request.state == "refused":
                    state = "cancelled"
                elif request.revision_id.state in ("effective", "superseded", "obsolete"):
                    state, done = "done", request.revision_id.effective_date
                else:
                    state = "open"
            due = decision.action_id.date_deadline or decision.date_deadline
            decision.update({"state": state, "date_done": done,
                             "done_on_time": bool(done and (not due or done <= due))})

    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for decision in self:
            due = decision.action_id.date_deadline or decision.date_deadline
            decision.is_overdue = decision.state in ("draft", "open") and bool(due) and due < today

    def _search_is_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        overdue = Domain("state", "in", ("draft", "open")) & (
            Domain("action_id.date_deadline", "<", today)
            | (Domain("action_id", "=", False) & Domain("date_deadline", "<", today)))
        return overdue if True in value else ~overdue

    # what the action or change request raised from the decision took over: kept as it was decided
    _QMS_FOLLOWED_UP_FIELDS = ("name", "kind", "follow_up", "action_type", "owner_id", "department_id",
                               "date_deadline", "document_id")

    @api.constrains("document_id", "department_id", "review_id")
    def _check_company(self):
        for decision in self:
            company = decision.review_id.company_id
            if decision.document_id and decision.document_id.company_id != company:
                raise ValidationError(self.env._(
                    "Decision \"%(decision)s\": %(document)s belongs to another organisation than the review.",
                    decision=decision.name, document=decision.document_id.display_name))
            if decision.department_id.company_id and decision.department_id.company_id != company:
                raise ValidationError(self.env._(
                    "Decision \"%(decision)s\": %(department)s belongs to another organisation than the review.",
                    decision=decision.name, department=decision.department_id.name))

    def write(self, vals):
        if not self._qms_in_transition_or_su():
            followed = [name for name in self._QMS_FOLLOWED_UP_FIELDS if name in vals]
            raised = self._qms_followed_up()
            if followed and raised:
                raise UserError(self.env._(
                    "Decision \"%s\" has been followed up: change its action or change request instead "
                    "(extension, cancellation with a reason).", raised[0].name))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_followed_up(self):
        raised = self._qms_followed_up()
        if raised and not self.env.su:
            raise UserError(self.env._(
                "Decision \"%s\" has been followed up and is kept with its action or change request.",
                raised[0].name))

    def _qms_followed_up(self):
        """Decisions already followed up on minutes still open (closed minutes refuse every change anyway)."""
        return self.filtered(
            lambda d: (d.action_id or d.change_request_id) and not self._qms_parent_frozen(d.review_id))

    def _qms_in_transition_or_su(self):
        return self.env.su or in_transition(self)

    def _qms_parent_frozen(self, parent):
        """Decisions are taken at the meeting: they change until the minutes are closed."""
        return parent.state == "closed"

    def _qms_status_text(self):
        """How the decision was followed up, as input a) of the next review reports it."""
        self.ensure_one()
        env = self.env
        state = dict(self._fields["state"]._description_selection(env)).get(self.state, "")
        due = self.action_id.date_deadline or self.date_deadline
        if self.action_id:
            text = env._("Action of %(owner)s: %(state)s", owner=self.action_id.owner_id.name, state=state)
        elif self.change_request_id:
            text = env._("Change request %(request)s: %(state)s", request=self.change_request_id.name, state=state)
        else:
            return state
        if self.state == "done":
            text += " " + (env._("on %(date)s, on time", date=self.date_done) if self.done_on_time
                           else env._("on %(date)s, late (due %(due)s)", date=self.date_done, due=due))
        elif self.state == "open" and due:
            text += " " + env._("(due %s)", due)
        return text

    # ------------------------------------------------------------------ follow-up (when the review closes)

    def _qms_pending_follow_up(self):
        return self.filtered(lambda d: d.follow_up != "note" and not d.action_id and not d.change_request_id)

    def _qms_action_department(self):
        self.ensure_one()
        employees = self.owner_id.sudo().employee_ids
        employee = employees.filtered(lambda e: e.company_id == self.company_id)[:1] or employees[:1]
        return self.department_id or employee.department_id.with_env(self.env)

    def _qms_check_follow_up(self):
        """Each decision to follow up says who does what by when, before the minutes are closed."""
        env = self.env
        for decision in self._qms_pending_follow_up():
            if decision.follow_up == "action":
                missing = [label for ok, label in (
                    (decision.owner_id, env._("an owner")),
                    (decision._qms_action_department(), env._("a department")),
                    (decision.date_deadline, env._("a due date"))) if not ok]
            else:
                missing = [] if decision.document_id else [env._("the document to change")]
            if missing:
                raise UserError(env._(
                    "Decision \"%(decision)s\" of %(review)s is to be followed up: give it %(missing)s.",
                    decision=decision.name, review=decision.review_id.display_name, missing=", ".join(missing)))
            meeting = decision.review_id.date_meeting
            if decision.date_deadline and meeting and decision.date_deadline < meeting.date():
                raise UserError(env._(
                    "Decision \"%(decision)s\" is due on %(due)s, before the review was held (%(held)s).",
                    decision=decision.name, due=decision.date_deadline, held=meeting.date()))

    def _qms_create_follow_ups(self):
        """Actions in the CAPA loop (in one batch) and document change requests, linked both ways."""
        pending = self._qms_pending_follow_up()
        to_act = pending.filtered(lambda d: d.follow_up == "action")
        to_change = pending - to_act
        workflow = {"qms_transition": TRANSITION}
        actions = self.env["qms.action"].with_context(**workflow).create([{
            "name": decision.name, "action_type": decision.action_type or "improvement",
            "description": decision._qms_follow_up_text(), "owner_id": decision.owner_id.id,
            "department_id": decision._qms_action_department().id, "date_deadline": decision.date_deadline,
            "company_id": decision.company_id.id, "review_decision_id": decision.id,
        } for decision in to_act])
        for decision, action in zip(to_act, actions, strict=True):
            decision._qms_write_workflow({"action_id": action.id})
        Request = self.env["qms.document.change.request"]
        for decision in to_change:
            request = Request._qms_create_from({"review_decision_id": decision.id}, decision.document_id,
                                               decision._qms_follow_up_text())
            decision._qms_write_workflow({"change_request_id": request.id})

    def _qms_follow_up_text(self):
        self.ensure_one()
        origin = self.review_id._qms_note_env()._("Decided by management review %s.", self.review_id.display_name)
        return f"{self.name}\n{self.note or ''}\n\n{origin}".replace("\n\n\n", "\n\n")
