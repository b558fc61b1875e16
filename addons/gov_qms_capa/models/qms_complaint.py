from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

CHANNELS = [("hotline", "12345 hotline"), ("web", "Web form"), ("counter", "Counter / in person"),
            ("letter", "Letter"), ("email", "E-mail"), ("supervision", "Supervision / mystery visit")]
KINDS = [("consultation", "Consultation"), ("help", "Request for help"), ("complaint", "Complaint"),
         ("suggestion", "Suggestion"), ("praise", "Praise")]
CALLBACK_RESULTS = [("satisfied", "Satisfied"), ("basic", "Basically satisfied"), ("dissatisfied", "Dissatisfied")]
OPEN_STATES = ("received", "assigned")
# a work order sent to another department or back for rework this many times is a problem item (问题工单)
PROBLEM_AFTER = 3
# a work order is accepted on time when the department concerned has it by the next working day after it was received
ACCEPT_WITHIN_DAYS = 1
SUBJECT_LENGTH = 60


def subject_from(text):
    """The subject of a work order given without one (hotline exports have none): the first 60 characters of
    what happened, on one line."""
    return " ".join((text or "").split())[:SUBJECT_LENGTH]


class QmsComplaint(models.Model):
    """A citizen's request or complaint (群众诉求工单), from the 12345 hotline, the web form, the counter...

    received (whoever receives it owns it until it is assigned) -> assigned to a department (its head
    handles it; transferring it to another department is counted) -> answered (the reply goes to the
    citizen) -> call-back (回访): satisfied or basically satisfied closes it, dissatisfied sends it back
    for rework (counted) -> closed; or dismissed with a reason. Answer time limits per kind in working
    days (`qms.time.limit.rule`), with the suite's ladder (reminder, overdue, 挂牌督办). A work order
    transferred or sent back three times becomes a problem item and is supervised at once. A complaint
    that shows a process failed raises a nonconformity (several complaints may share one).
    """

    _name = "qms.complaint"
    _description = "Citizen Complaint"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.supervision.mixin", "qms.locked.mixin",
                "qms.reference.mixin"]
    _qms_sequence_code = "qms.complaint"
    _qms_sequence_date_field = "date_received"
    _order = "date_received desc, id desc"
    _rec_names_search = ["name", "subject", "external_ref"]
    _check_company_auto = True

    _locked_states = ("closed", "dismissed")
    _qms_gate_depends = ("owner_id", "receiver_id", "department_id", "nonconformity_id")
    _qms_deletable_states = ()  # a citizen's work order is a record: dismissed with a reason, never deleted
    # the time received is a fact of the intake, given when the work order is registered (a hotline export, a letter
    # received yesterday), never changed afterwards: a workflow field, yet not declared readonly so that Odoo's
    # import offers it
    _qms_workflow_fields = frozenset({"date_received"})
    # the time received is given when registering (an import, a letter opened later); the answer deadline always
    # comes from the time limit of the kind
    _qms_create_fields = frozenset({"date_received"})

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, index=True,
                       default=lambda self: self.env._("New"))
    external_ref = fields.Char(string="Work Order No.", index=True, copy=False,
                               help="The number of the work order in the 12345 hotline system.")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    channel = fields.Selection(CHANNELS, required=True, default="counter", tracking=True, index=True)
    kind = fields.Selection(KINDS, required=True, default="complaint", tracking=True, index=True)
    subject = fields.Char(required=True, tracking=True)
    description = fields.Text(string="What Happened", required=True)
    date_event = fields.Date(string="When")
    location = fields.Char(string="Where")
    date_received = fields.Datetime(required=True, default=lambda self: self._qms_timestamp(), index=True)
    receiver_id = fields.Many2one("res.users", string="Received By", readonly=True, index=True,
                                  default=lambda self: self.env.user,
                                  help="First-contact responsibility: the receiver owns it until it is assigned.")
    department_id = fields.Many2one(string="Department Concerned", tracking=True)
    process_id = fields.Many2one("qms.process", check_company=True)
    owner_id = fields.Many2one("res.users", string="Handled By", readonly=True, index=True, tracking=True)
    citizen_name = fields.Char(string="Citizen")
    citizen_phone = fields.Char(string="Phone")
    citizen_email = fields.Char(string="E-mail")
    partner_id = fields.Many2one("res.partner", string="Portal Contact", readonly=True, index=True,
                                 help="The citizen's contact when the complaint was filed online.")
    state = fields.Selection(
        [("received", "Received"), ("assigned", "Assigned"), ("answered", "Answered"), ("closed", "Closed"),
         ("dismissed", "Dismissed")],
        default="received", required=True, readonly=True, copy=False, tracking=True, index=True)
    time_limit_rule_id = fields.Many2one("qms.time.limit.rule", readonly=True, copy=False)
    date_accept_by = fields.Date(string="Assign By", readonly=True, copy=False,
                                 help="The work order reaches the department concerned by this day to be accepted on "
                                      "time: the next working day after it was received.")
    date_assigned = fields.Date(string="Assigned On", readonly=True, copy=False, index=True)
    date_deadline = fields.Date(string="Answer By")
    reply = fields.Text(tracking=True)
    date_answered = fields.Date(readonly=True, copy=False, index=True)
    answered_on_time = fields.Boolean(compute="_compute_answered_on_time", store=True)
    callback_result = fields.Selection(CALLBACK_RESULTS, string="Call-back", readonly=True, copy=False, index=True)
    callback_note = fields.Text(string="Call-back Note", readonly=True, copy=False)
    date_callback = fields.Date(string="Called Back On", readonly=True, copy=False)
    rework_count = fields.Integer(string="Sent Back", readonly=True, copy=False)
    transfer_count = fields.Integer(string="Transferred", readonly=True, copy=False)
    is_problem = fields.Boolean(string="Problem Item", readonly=True, copy=False, index=True,
                                help="Transferred or sent back three times: supervised at once (问题工单).")
    dismiss_reason = fields.Text(readonly=True, copy=False)
    nonconformity_id = fields.Many2one("qms.nonconformity", readonly=True, copy=False, index=True,
                                       check_company=True)
    # honest buttons (qms.gate.mixin): each is computed by the gate of its step, `_check_<step>`
    can_assign = fields.Boolean(compute="_compute_qms_can")
    can_answer = fields.Boolean(compute="_compute_qms_can")
    can_callback = fields.Boolean(compute="_compute_qms_can")
    can_transfer = fields.Boolean(compute="_compute_qms_can")
    can_raise_nonconformity = fields.Boolean(compute="_compute_qms_can")
    can_dismiss = fields.Boolean(compute="_compute_qms_can")

    _external_ref_uniq = models.Constraint(
        "UNIQUE(company_id, external_ref)", "A hotline work order is registered once.")

    @api.depends("date_answered", "date_deadline")
    def _compute_answered_on_time(self):
        for complaint in self:
            complaint.answered_on_time = bool(complaint.date_answered and (
                not complaint.date_deadline or complaint.date_answered <= complaint.date_deadline))

    def _compute_display_name(self):
        for complaint in self:
            complaint.display_name = f"{complaint.name} {complaint.subject}" if complaint.subject else complaint.name

    # ------------------------------------------------------------------ creation and checks

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("date_deadline") for vals in vals_list):
            raise UserError(self.env._("The answer deadline of a work order comes from the time limit of its kind: "
                                       "it is set by the workflow, not when registering the work order."))
        for vals in vals_list:
            if not vals.get("subject") and vals.get("description"):
                vals["subject"] = subject_from(vals["description"])
        complaints = super().create(vals_list)
        complaints._qms_set_time_limit()
        return complaints

    def _qms_set_time_limit(self):
        """The answer time limit of the kind, and the day it must reach the department concerned, in the company's
        working days from the day received (one rule lookup and one calendar per company and kind: an import of
        many work orders costs a few queries)."""
        Rule = self.env["qms.time.limit.rule"]
        rules, calendars, by_values = {}, {}, {}
        for complaint in self:
            company = complaint.company_id
            if (company, complaint.kind) not in rules:
                rules[company, complaint.kind] = Rule._qms_rule_for_complaint(complaint.kind, company)
            if company not in calendars:
                calendars[company] = complaint._qms_working_days(company)
            rule = rules[company, complaint.kind]
            received = fields.Date.context_today(complaint, complaint.date_received)
            values = {"time_limit_rule_id": rule.id,
                      "date_accept_by": calendars[company].add(received, ACCEPT_WITHIN_DAYS)}
            if rule and not complaint.date_deadline:
                values["date_deadline"] = calendars[company].add(received, rule.close_days)
            by_values.setdefault(tuple(sorted(values.items())), []).append(complaint.id)
        for values, ids in by_values.items():  # one write per distinct limit, whatever the number (an import)
            self.browse(ids).sudo()._qms_write_workflow(dict(values))

    @api.constrains("date_received")
    def _check_date_received(self):
        latest = self._qms_timestamp() + timedelta(minutes=15)
        for complaint in self:
            if complaint.date_received > latest:
                raise ValidationError(self.env._(
                    "%(complaint)s cannot have been received in the future (%(date)s).", complaint=complaint.name,
                    date=complaint.date_received))

    def write(self, vals):
        if "department_id" in vals and not self._qms_in_transition():
            moved = self.filtered(lambda c: c.state != "received" and c.department_id.id != vals["department_id"])
            if moved:
                raise UserError(self.env._(
                    "%s is with its department already: transfer it (the transfer is counted and told).",
                    moved[0].name))
        return super().write(vals)

    @api.constrains("citizen_email")
    def _check_email(self):
        for complaint in self:
            if complaint.citizen_email and "@" not in complaint.citizen_email:
                raise ValidationError(self.env._("%s is not an e-mail address.", complaint.citizen_email))

    def _escalation_open_domain(self):
        return [("state", "in", OPEN_STATES)]

    def _qms_ladder_owner(self):
        return self.owner_id or self.receiver_id

    def _qms_check_handler(self):
        """The handler of the work order (its receiver until assigned, then the department's head), or the QMS
        office / complaint centre."""
        if self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            return
        for complaint in self:
            if self.env.user not in complaint._qms_ladder_owner() and not complaint._qms_user_is_department_head():
                raise UserError(self.env._("Only %(user)s, who handles %(complaint)s, or the QMS office can do this.",
                                           user=complaint._qms_ladder_owner().name, complaint=complaint.name))

    # ------------------------------------------------------------------ workflow

    def _check_assign(self):
        """Received, and its handler (see `_qms_check_handler`)."""
        self._qms_check_state("received")
        self._qms_check_handler()

    def action_assign(self):
        """Send the work order to the department concerned: its head handles it from now on."""
        self._check_assign()
        for complaint in self:
            if not complaint.department_id:
                raise UserError(self.env._("Choose the department concerned by %s before assigning it.",
                                           complaint.name))
            head = complaint.department_id._qms_head_user()
            complaint._qms_set_state("assigned", owner_id=head.id, date_assigned=fields.Date.context_today(complaint))
        self._qms_schedule_activities({complaint: complaint.owner_id for complaint in self if complaint.owner_id},
                                      lambda env: env._("Answer the citizen"),
                                      date_deadline=lambda complaint: complaint.date_deadline)
        return True

    def _action_transfer(self, department, reason):
        """Another department is concerned (wizard): counted; the third transfer or rework makes it a problem item."""
        self.ensure_one()
        self._check_transfer()
        if not department or department == self.department_id:
            raise UserError(self.env._("Choose another department to transfer %s to.", self.name))
        for complaint in self:
            complaint._qms_write_workflow({"department_id": department.id,
                                           "owner_id": department._qms_head_user().id,
                                           "transfer_count": complaint.transfer_count + 1})
            complaint._qms_log(lambda env, department=department: env._(
                "Transferred to %(department)s: %(reason)s", department=department.with_env(env).name, reason=reason))
        self._qms_check_problem()
        return True

    def _check_transfer(self):
        """Assigned, and its handler."""
        self._qms_check_state("assigned")
        self._qms_check_handler()

    def _check_answer(self):
        """Assigned, and its handler."""
        self._qms_check_state("assigned")
        self._qms_check_handler()

    def action_answer(self):
        """The reply is sent to the citizen (by e-mail when given; on the portal)."""
        self._check_answer()
        for complaint in self:
            if not (complaint.reply or "").strip():
                raise UserError(self.env._("Write the reply to the citizen before answering %s.", complaint.name))
        self._qms_set_state("answered", date_answered=fields.Date.context_today(self))
        self.activity_ids.with_context(lang=self._qms_company_lang()).action_feedback(feedback=self._qms_note_env()._("Answered"))
        self._qms_send_reply()
        return True

    def _qms_send_reply(self):
        """The reply by e-mail to the citizen (who is not a contact of the database unless they filed online), in
        their language when known, queued with Odoo's outgoing mail."""
        template = self.env.ref("gov_qms_capa.mail_template_qms_complaint_reply").sudo()
        values = []
        for complaint in self.filtered(lambda c: c.citizen_email or c.partner_id.email):
            # the citizen's language when known, else the company's
            rendering = template.with_context(lang=complaint._qms_recipient_lang(complaint.partner_id))
            values.append({
                "subject": rendering._render_field("subject", complaint.ids)[complaint.id],
                "body_html": rendering._render_field("body_html", complaint.ids)[complaint.id],
                "email_to": complaint.citizen_email or complaint.partner_id.email,
                "email_from": complaint.company_id.email_formatted or self.env.user.email_formatted,
                "model": complaint._name, "res_id": complaint.id, "auto_delete": True,
            })
        if values:
            self.env["mail.mail"].sudo().create(values)

    def _action_callback(self, result, note):
        """The call-back (回访) of an answered work order (wizard): dissatisfied sends it back for rework."""
        self._check_callback()
        if result not in dict(CALLBACK_RESULTS):
            raise UserError(self.env._("Choose the citizen's answer to the call-back."))
        today = fields.Date.context_today(self)
        for complaint in self:
            values = {"callback_result": result, "callback_note": note, "date_callback": today}
            if result == "dissatisfied":
                complaint._qms_set_state("assigned", rework_count=complaint.rework_count + 1, **values)
            else:
                complaint._qms_set_state("closed", **values)
        self.filtered(lambda c: c.state == "assigned")._qms_check_problem()
        return True

    def _check_callback(self):
        """Answered, and its handler."""
        self._qms_check_state("answered")
        self._qms_check_handler()

    def _check_dismiss(self):
        """Still open (received or assigned), and its handler."""
        self._qms_check_state(*OPEN_STATES)
        self._qms_check_handler()

    def _action_dismiss(self, reason):
        """Not a QMS matter, a duplicate, anonymous and unverifiable... (wizard): kept with the reason."""
        self._check_dismiss()
        self._qms_set_state("dismissed", dismiss_reason=reason)
        self.activity_ids.unlink()
        return True

    def _qms_check_problem(self):
        problems = self.filtered(lambda c: not c.is_problem and c.transfer_count + c.rework_count >= PROBLEM_AFTER)
        if problems:
            problems._qms_write_workflow({"is_problem": True, "is_supervised": True,
                                          "date_supervised": fields.Date.context_today(self)})
            problems._qms_schedule_activities(
                {complaint: complaint.department_id._qms_parent_head_user() for complaint in problems},
                lambda env: env._("Problem work order (问题工单)"))
            problems._qms_log(lambda env: env._("Transferred or sent back %s times: now a problem item, supervised.",
                                                PROBLEM_AFTER))

    def _check_raise_nonconformity(self):
        """Its handler, once, unless it was dismissed."""
        self._qms_check_handler()
        for complaint in self:
            if complaint.nonconformity_id:
                raise UserError(self.env._("%(complaint)s already raised %(nc)s.", complaint=complaint.name,
                                           nc=complaint.nonconformity_id.display_name))
            if complaint.state == "dismissed":
                raise UserError(self.env._("%s was dismissed: it raises no nonconformity.", complaint.name))

    def action_raise_nonconformity(self):
        """The complaint shows a process failed: a nonconformity in the CAPA loop, linked both ways, once."""
        self._check_raise_nonconformity()
        for complaint in self:
            if not complaint.department_id:
                raise UserError(self.env._("Choose the department concerned by %s first.", complaint.name))
        NC = self.env["qms.nonconformity"]
        ncs = NC.sudo().create([{
            "title": complaint.subject, "source": "complaint", "department_id": complaint.department_id.id,
            "process_id": complaint.process_id.id, "company_id": complaint.company_id.id,
            "description": complaint.description, "date_detected": fields.Date.context_today(complaint),
            "origin_model": complaint._name, "origin_id": complaint.id,
        } for complaint in self]).with_env(self.env)
        for complaint, nc in zip(self, ncs, strict=True):
            complaint._qms_write_workflow({"nonconformity_id": nc.id})
        return True

    def _action_link_nonconformity(self, nonconformity):
        """Several complaints, one failure: link to a nonconformity already raised (wizard)."""
        self._qms_check_handler()
        dismissed = self.filtered(lambda c: c.state == "dismissed")
        if dismissed:
            raise UserError(self.env._("%s was dismissed: it raises no nonconformity.", dismissed[0].name))
        nonconformity = nonconformity.with_env(self.env)
        nonconformity.check_access("read")
        linked = self.filtered("nonconformity_id")
        if linked:
            raise UserError(self.env._("%(complaint)s already raised %(nc)s.", complaint=linked[0].name,
                                       nc=linked[0].nonconformity_id.display_name))
        self._qms_write_workflow({"nonconformity_id": nonconformity.id})
        return True

    def action_open_transfer_wizard(self):
        self._qms_gate("transfer")
        return self.env["qms.complaint.wizard"]._qms_open(self, "transfer", self.env._("Transfer"))

    def action_open_callback_wizard(self):
        self._qms_gate("callback")
        return self.env["qms.complaint.wizard"]._qms_open(self, "callback", self.env._("Call-back"))

    def action_open_dismiss_wizard(self):
        self._qms_gate("dismiss")
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_dismiss", self.env._("Dismiss"))
