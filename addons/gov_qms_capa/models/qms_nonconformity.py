from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, OrderedSet

SOURCES = [
    ("internal_audit", "Internal audit"),
    ("external_audit", "External audit"),
    ("complaint", "Citizen complaint"),
    ("supervision", "Supervision or inspection"),
    ("indicator", "Process indicator breach"),
    ("management_review", "Management review"),
    ("self_reported", "Self-reported"),
]
SEVERITIES = [("major", "Major"), ("minor", "Minor")]
OPEN_STATES = ("new", "triaged", "analysis", "action", "verification", "reopened")


class QmsNonconformity(models.Model):
    """A nonconformity and its CAPA loop (ISO 9001 10.2).

    new -> triaged -> (correction only: closed) / (full CAPA: analysis -> action -> verification
    -> closed); a failed effectiveness check reopens it for a new round of actions; cancelled
    with a reason. Every step is a method with its gate; the status is never written directly.
    """

    _name = "qms.nonconformity"
    _description = "Nonconformity"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.supervision.mixin", "qms.locked.mixin",
                "qms.reference.mixin", "qms.change.request.origin.mixin"]
    _qms_sequence_code = "qms.nonconformity"
    _qms_change_request_field = "nonconformity_id"
    _order = "date_detected desc, id desc"
    _rec_names_search = ["name", "title"]
    _check_company_auto = True

    _locked_states = ("closed", "cancelled")
    _qms_deletable_states = ("new",)
    _qms_gate_depends = ("path", "severity", "department_id", "containment_by_id", "action_ids.owner_id")

    name = fields.Char(string="Code", required=True, copy=False, readonly=True, index=True,
                       default=lambda self: self.env._("New"))
    title = fields.Char(required=True, tracking=True)
    description = fields.Html(help="What was found, where and when, against which requirement.")
    evidence_attachment_ids = fields.Many2many("ir.attachment", "qms_nonconformity_evidence_rel",
                                               "nonconformity_id", "attachment_id", string="Evidence")
    source = fields.Selection(SOURCES, required=True, default="self_reported", tracking=True, index=True)
    origin_model = fields.Char(readonly=True, index=True)
    origin_id = fields.Many2oneReference(string="Origin Record", model_field="origin_model", readonly=True)
    origin_name = fields.Char(string="Raised From", compute="_compute_origin_name")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    department_id = fields.Many2one(required=True, string="Responsible Department")
    owner_id = fields.Many2one("res.users", string="Handled By", tracking=True, index=True,
                               help="Who handles the nonconformity; by default the department head.")
    process_id = fields.Many2one("qms.process", check_company=True)
    clause_ids = fields.Many2many("qms.iso.clause", string="ISO Clauses")
    document_ids = fields.Many2many("qms.document", string="Documents Concerned")
    severity = fields.Selection(SEVERITIES, required=True, default="minor", tracking=True, index=True)
    reported_by_id = fields.Many2one("res.users", required=True, default=lambda self: self.env.user, index=True)
    date_detected = fields.Date(required=True, default=fields.Date.context_today, index=True)
    path = fields.Selection([("correction", "Correction only"), ("capa", "Full CAPA")], readonly=True,
                            tracking=True, help="Set at triage. A major nonconformity always takes the full path.")
    state = fields.Selection(
        [("new", "New"), ("triaged", "Triaged"), ("analysis", "Analysis"), ("action", "Actions Under Way"),
         ("verification", "Verification"), ("reopened", "Reopened"), ("closed", "Closed"),
         ("cancelled", "Cancelled")],
        default="new", required=True, readonly=True, copy=False, tracking=True, index=True,
        group_expand="_read_group_expand_states",
    )
    # containment / correction: what was done at once
    containment_description = fields.Text(string="Correction / Containment")
    containment_by_id = fields.Many2one("res.users", string="Done By")
    containment_date = fields.Date(string="Done On")
    # root cause analysis
    rca_method = fields.Selection([("five_whys", "5 Whys"), ("fishbone", "Fishbone")], string="Analysis Method",
                                  default="five_whys")
    why_ids = fields.One2many("qms.nonconformity.why", "nonconformity_id", string="5 Whys")
    cause_ids = fields.One2many("qms.nonconformity.cause", "nonconformity_id", string="Fishbone Causes")
    root_cause = fields.Text(tracking=True, help="The cause that, once removed, keeps the nonconformity from happening "
                                                 "again. Left empty, the analysis gives it when the actions are "
                                                 "planned: the last answer of the 5 Whys, or the fishbone's root "
                                                 "causes.")
    root_cause_from_analysis = fields.Text(
        compute="_compute_root_cause_from_analysis", string="Root Cause from the Analysis",
        help="The last answer of the 5 Whys, or the causes marked as root on the fishbone.")
    similar_ids = fields.Many2many(
        "qms.nonconformity", compute="_compute_similar_ids", string="Similar Nonconformities",
        help="Earlier nonconformities of the same department, process or clause in the last 12 months.")
    is_recurrence = fields.Boolean(string="Recurrence", readonly=True, copy=False, index=True)
    recurrence_count = fields.Integer(readonly=True, copy=False)
    # actions and effectiveness
    action_ids = fields.One2many("qms.action", "nonconformity_id", string="Actions")
    complaint_ids = fields.One2many("qms.complaint", "nonconformity_id", string="Citizen Complaints")
    check_ids = fields.One2many("qms.effectiveness.check", "nonconformity_id", string="Effectiveness Checks")
    qms_my_actions_or_checks = fields.Boolean(
        string="My Actions or Checks", compute="_compute_qms_my_actions_or_checks",
        search="_search_qms_my_actions_or_checks",
        help="You own one of its actions or check the effectiveness of its actions.")
    current_round = fields.Integer(default=1, readonly=True, copy=False,
                                   help="A failed effectiveness check starts a new round of actions.")
    # time limits
    time_limit_rule_id = fields.Many2one("qms.time.limit.rule", readonly=True, copy=False)
    date_deadline = fields.Date(string="Close By")
    date_reply_due = fields.Date(string="Reply By", readonly=True, copy=False)
    date_action_plan_due = fields.Date(string="Action Plan By", readonly=True, copy=False)
    is_action_plan_late = fields.Boolean(
        string="Action Plan Late", compute="_compute_is_action_plan_late", search="_search_is_action_plan_late",
        help="The action plan was due and the actions are not planned yet.")
    # closure
    closed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_closed = fields.Date(readonly=True, copy=False, index=True)
    # precomputed: written with the row when a batch is created, not by one more UPDATE per 100 rows
    closed_on_time = fields.Boolean(compute="_compute_closure_figures", store=True, precompute=True)
    days_to_close = fields.Integer(compute="_compute_closure_figures", store=True, precompute=True)
    cancel_reason = fields.Text(readonly=True, copy=False)
    reopen_count = fields.Integer(string="Reopened After Closure", readonly=True, copy=False)
    # documents changed because of it (ISO 9001 10.2.1 f)
    change_request_ids = fields.One2many("qms.document.change.request", "nonconformity_id",
                                         string="Document Change Requests")
    # honest buttons (qms.gate.mixin): each is computed by the gate of its step, `_check_<step>`
    can_triage_correction = fields.Boolean(compute="_compute_qms_can")
    can_triage_capa = fields.Boolean(compute="_compute_qms_can")
    can_start_analysis = fields.Boolean(compute="_compute_qms_can")
    can_plan_actions = fields.Boolean(compute="_compute_qms_can")
    can_close = fields.Boolean(compute="_compute_qms_can")
    can_cancel = fields.Boolean(compute="_compute_qms_can")

    _name_company_uniq = models.Constraint("UNIQUE(company_id, name)", "Nonconformity codes are unique.")
    # the open ones (the list's default filter): counted and grouped by department from the index alone
    _open_department_idx = models.Index("(company_id, department_id) WHERE state NOT IN ('closed', 'cancelled')")
    # grouped and counted by status from the index alone, not from the (wide) rows
    _state_company_idx = models.Index("(state, company_id)")

    @api.model
    def _read_group_expand_states(self, states, domain):
        """Kanban columns in the order of the workflow (not alphabetical), every open step shown even when empty;
        closed and cancelled only when some are listed."""
        return [state for state in self._fields["state"].get_values(self.env)
                if state in OPEN_STATES or state in states]

    @api.depends_context("uid")
    def _compute_origin_name(self):
        for nc in self:
            origin = self.env[nc.origin_model].browse(nc.origin_id).exists() if nc.origin_model else None
            # whoever reads the nonconformity without reading its origin is told what kind of record it is
            nc.origin_name = (origin.display_name if origin.has_access("read") else self.env._(
                "%s (not accessible to you)", origin._description)) if origin else False

    @api.depends("rca_method", "why_ids.answer", "why_ids.sequence", "cause_ids.is_root", "cause_ids.description")
    def _compute_root_cause_from_analysis(self):
        for nc in self:
            nc.root_cause_from_analysis = nc._qms_root_cause_from_analysis() or False

    def _qms_root_cause_from_analysis(self):
        """The root cause the analysis gives: the answer to the last Why (the chain stops at the root), or the
        causes marked as root on the fishbone; the chosen method first."""
        self.ensure_one()
        whys = self.why_ids.filtered(lambda why: (why.answer or "").strip()).sorted(lambda why: (why.sequence, why.id))
        from_whys = whys[-1:].answer.strip() if whys else ""
        categories = dict(self.env["qms.nonconformity.cause"]._fields["category"]._description_selection(self.env))
        from_fishbone = "; ".join(f"{categories.get(cause.category, '')}: {cause.description.strip()}"
                                  for cause in self.cause_ids.filtered("is_root") if (cause.description or "").strip())
        methods = [from_fishbone, from_whys] if self.rca_method == "fishbone" else [from_whys, from_fishbone]
        return next((text for text in methods if text), "")

    def _action_plan_late_domain(self):
        return [("date_action_plan_due", "<", fields.Date.context_today(self)),
                ("state", "in", ("triaged", "analysis")), ("path", "=", "capa")]

    @api.depends("date_action_plan_due", "state", "path")
    @api.depends_context("date")
    def _compute_is_action_plan_late(self):
        late = self.filtered_domain(self._action_plan_late_domain())
        for nc in self:
            nc.is_action_plan_late = nc in late

    def _search_is_action_plan_late(self, operator, value):
        if operator != "in":
            return NotImplemented
        late = Domain(self._action_plan_late_domain())
        return late if True in value else ~late

    @api.depends_context("uid")
    def _compute_qms_my_actions_or_checks(self):
        mine = self.sudo().filtered_domain(self._search_qms_my_actions_or_checks("in", [True]))
        for nc in self:
            nc.qms_my_actions_or_checks = nc in mine

    def _search_qms_my_actions_or_checks(self, operator, value):
        """``id in <ids>`` read when the query runs (one query, whatever the user may read): an indexed condition
        in the record rules, where a subquery per action and check made PostgreSQL scan every nonconformity."""
        if operator != "in":
            return NotImplemented
        self.env["qms.action"].flush_model(["owner_id", "nonconformity_id"])
        self.env["qms.effectiveness.check"].flush_model(["checker_id", "nonconformity_id"])
        rows = self.env.execute_query(SQL("""
            SELECT nonconformity_id FROM qms_action WHERE owner_id = %(uid)s AND nonconformity_id IS NOT NULL
             UNION
            SELECT nonconformity_id FROM qms_effectiveness_check WHERE checker_id = %(uid)s
        """, uid=self.env.uid))
        ids = sorted(row[0] for row in rows if row[0])
        return Domain("id", "in", ids) if ids else Domain.FALSE

    @api.depends("date_closed", "date_deadline", "date_detected")
    def _compute_closure_figures(self):
        for nc in self:
            nc.closed_on_time = bool(nc.date_closed and (not nc.date_deadline or nc.date_closed <= nc.date_deadline))
            nc.days_to_close = (nc.date_closed - nc.date_detected).days if nc.date_closed else 0

    @api.depends("department_id", "process_id", "clause_ids", "date_detected")
    def _compute_similar_ids(self):
        for nc in self:
            nc.similar_ids = nc._qms_find_similar()._filtered_access("read")

    def _qms_find_similar(self):
        """Earlier nonconformities of the same department, process or clause in the 12 months before,
        whoever may read them: a recurrence counts even when it happened in another department."""
        self.ensure_one()
        if not self.date_detected:
            return self.browse()
        matches = [("department_id", "=", self.department_id.id)]
        if self.process_id:
            matches.append(("process_id", "=", self.process_id.id))
        if self.clause_ids:
            matches.append(("clause_ids", "in", self.clause_ids.ids))
        domain = ["|"] * (len(matches) - 1) + matches + [
            ("id", "!=", self._origin.id or 0), ("state", "!=", "cancelled"),
            ("date_detected", ">=", self.date_detected - relativedelta(months=12)),
            ("date_detected", "<=", self.date_detected),
        ]
        return self.sudo().search(domain).with_env(self.env)

    def _qms_change_request_documents(self):
        return self.document_ids

    @api.depends("name", "title")
    def _compute_display_name(self):
        for nc in self:
            nc.display_name = f"{nc.name} {nc.title}" if nc.title else nc.name

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_title_text(vals.get("title"))
        # the handler by default: the head of the department, the departments of the batch read together
        wanted = [vals for vals in vals_list if not vals.get("owner_id")
                  and isinstance(vals.get("department_id"), int) and vals["department_id"]]
        departments = self.env["hr.department"].browse(OrderedSet(vals["department_id"] for vals in wanted))
        heads = departments._qms_head_users()
        for vals in wanted:
            vals["owner_id"] = heads[departments.browse(vals["department_id"])].id
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_raised_from_a_record(self):
        """Raised from an audit finding, a citizen complaint or an indicator (each raised once, linked both ways):
        deleting it would leave its origin without it, to be raised again. It is cancelled with a reason."""
        raised = self.filtered("origin_model")
        if raised:
            raise UserError(self.env._(
                "%(nc)s was raised from %(origin)s: it stays as its record. Cancel it with a reason instead.",
                nc=raised[0].display_name, origin=raised[0].origin_name))

    # the facts of a nonconformity are settled at triage: its figures (department, severity, source) and the
    # independence of its checker (the reporter) follow from them
    _QMS_TRIAGED_FACTS = frozenset({"department_id", "severity", "source", "reported_by_id", "date_detected"})

    def write(self, vals):
        if not self._qms_in_transition():
            facts = self._QMS_TRIAGED_FACTS & set(vals)
            settled = self.filtered(lambda nc: nc.state != "new")
            if facts and settled:
                raise UserError(self.env._(
                    "%(nc)s is triaged: %(fields)s no longer change. Cancel it with a reason and raise a new one "
                    "if they were wrong.", nc=settled[0].display_name,
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in sorted(facts))))
            # who did the correction is recorded once: relabelling it would let a doer approve the closure
            if "containment_by_id" in vals and not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
                relabelled = self.filtered(lambda nc: nc.containment_by_id
                                           and nc.containment_by_id.id != vals["containment_by_id"])
                if relabelled:
                    raise UserError(self.env._(
                        "%s: who did the correction is already recorded. Only the QMS office can correct it.",
                        relabelled[0].display_name))
        return super().write(vals)

    @api.constrains("title")
    def _check_title(self):
        for nc in self:
            self._check_title_text(nc.title)

    @api.model
    def _check_title_text(self, title):
        if not isinstance(title, str) or not title.strip():
            raise ValidationError(self.env._(
                "Give the nonconformity a title: a short sentence saying what does not conform."))

    @api.constrains("date_deadline", "date_detected")
    def _check_deadline_after_detection(self):
        for nc in self:
            if nc.date_deadline and nc.date_detected and nc.date_deadline < nc.date_detected:
                raise ValidationError(self.env._(
                    "%(nc)s cannot be due (%(due)s) before it was found (%(found)s).",
                    nc=nc.display_name, due=nc.date_deadline, found=nc.date_detected))
        # and its actions: the check on the action's side does not see the detection date move
        self.action_ids._check_deadline()

    @api.constrains("severity", "path")
    def _check_major_is_full_capa(self):
        for nc in self:
            if nc.severity == "major" and nc.path == "correction":
                raise ValidationError(self.env._(
                    "%s is a major nonconformity: it always takes the full corrective action path.", nc.name))

    # ------------------------------------------------------------------ escalation ladder

    def _escalation_open_domain(self):
        return [("state", "in", OPEN_STATES)]

    def _qms_ladder_owner(self):
        return self.owner_id or self.department_id._qms_head_user()

    # ------------------------------------------------------------------ workflow

    def _qms_check_manager(self):
        """Triage, closure and cancellation belong to the department's head or the QMS office."""
        self._qms_check_head_or("gov_qms_docs.group_qms_manager")

    def _check_triage_capa(self):
        """New, and the head of its department or the QMS office."""
        self._qms_check_state("new")
        self._qms_check_manager()

    def _check_triage_correction(self):
        """As the full CAPA, for a minor nonconformity only."""
        self._check_triage_capa()
        for nc in self:
            if nc.severity == "major":
                raise UserError(self.env._(
                    "%s is a major nonconformity: it always takes the full corrective action path.", nc.name))

    def _qms_triage(self, path):
        getattr(self, f"_check_triage_{path}")()
        Rule = self.env["qms.time.limit.rule"]
        for nc in self:
            rule = Rule._qms_rule_for(nc.source, nc.severity, nc.company_id)
            add = nc._qms_working_days(nc.company_id).add
            nc._qms_set_state(
                "triaged", path=path, time_limit_rule_id=rule.id,
                date_deadline=add(nc.date_detected, rule.close_days) if rule else nc.date_deadline,
                date_reply_due=add(nc.date_detected, rule.reply_days) if rule.reply_days else False,
                date_action_plan_due=add(nc.date_detected, rule.action_plan_days) if rule.action_plan_days else False,
            )
        return True

    def action_triage_correction(self):
        """A small matter: the department corrects it, attaches proof, the head closes it."""
        return self._qms_triage("correction")

    def action_triage_capa(self):
        """A real nonconformity: cause, actions, effectiveness check."""
        return self._qms_triage("capa")

    def _check_start_analysis(self):
        """Triaged to the full CAPA (or reopened), and whoever may change it (its department's head, the QMS
        office)."""
        self._qms_check_state("triaged", "reopened")
        for nc in self:
            if nc.path != "capa":
                raise UserError(self.env._("%s takes the correction-only path: correct it and close it.", nc.name))
        self._qms_check_access("write")

    def action_start_analysis(self):
        self._check_start_analysis()
        for nc in self:
            if nc.severity == "major" and not (nc.containment_description or "").strip():
                raise UserError(self.env._(
                    "%s is major: record the containment (what was done at once, by whom, when) before the "
                    "cause analysis.", nc.name))
            # a recurrence counts across departments: the codes are named even where the head cannot open them
            similar = nc._qms_find_similar().sudo()
            nc._qms_set_state("analysis", is_recurrence=bool(similar), recurrence_count=len(similar))
            if similar:
                env, codes = nc._qms_note_env(), ", ".join(similar.mapped("name"))
                nc.message_post(body=env._(
                    "Recurrence: 1 similar nonconformity in the last 12 months (%s).", codes) if len(similar) == 1
                    else env._("Recurrence: %(count)s similar nonconformities in the last 12 months (%(codes)s).",
                               count=len(similar), codes=codes))
        return True

    def _check_plan_actions(self):
        """In analysis (or reopened), and whoever may change it (its department's head, the QMS office)."""
        self._qms_check_state("analysis", "reopened")
        self._qms_check_access("write")

    def action_plan_actions(self):
        """Analysis done: the root cause is stated and the actions of this round are planned."""
        self._check_plan_actions()
        for nc in self:
            if not (nc.root_cause or "").strip() and nc._qms_root_cause_from_analysis():
                nc.write({"root_cause": nc._qms_root_cause_from_analysis()})  # the 5 Whys' last answer, tracked
            if not (nc.root_cause or "").strip():
                raise UserError(self.env._(
                    "State the root cause of %s first: answer the 5 Whys (the last answer is the root cause), mark "
                    "the root causes on the fishbone, or write it. Without it no corrective action can be planned.",
                    nc.name))
            round_actions = nc._qms_round_actions()
            if not round_actions.filtered(lambda a: a.action_type in ("corrective", "preventive")):
                raise UserError(self.env._("Plan at least one corrective or preventive action for %s.", nc.name))
        self._qms_set_state("action")
        for nc in self:
            nc.action_ids.filtered(lambda a, n=nc: a.round == n.current_round)._qms_notify_owner()
        return True

    def _qms_round_actions(self):
        """The actions of the current round that still count (not cancelled)."""
        self.ensure_one()
        return self.action_ids.filtered(lambda a: a.round == self.current_round and a.state != "cancelled")

    def _qms_actions_done(self):
        """Called when actions are done: a nonconformity whose round is complete goes to verification."""
        Check = self.env["qms.effectiveness.check"]
        for nc in self.filtered(lambda n: n.state == "action"):
            round_actions = nc._qms_round_actions()
            if round_actions and all(action.state in ("done", "verified") for action in round_actions):
                nc._qms_set_state("verification")
                days = nc.company_id.qms_effectiveness_days_major if nc.severity == "major" \
                    else nc.company_id.qms_effectiveness_days_minor
                last_done = max(round_actions.mapped("date_done"))
                independent = nc.reported_by_id not in round_actions.owner_id
                Check.create({
                    "nonconformity_id": nc.id, "round": nc.current_round,
                    "date_due": last_done + relativedelta(days=days),
                    "checker_id": nc.reported_by_id.id if independent else False,
                })

    def _qms_reopen(self):
        """The effectiveness check failed: a new round of analysis and actions."""
        for nc in self:
            nc._qms_set_state("reopened", current_round=nc.current_round + 1)
            nc.message_post(body=nc._qms_note_env()._(
                "Reopened: the actions did not work. Round %s: review the cause and plan new actions.",
                nc.current_round))

    def _check_close(self):
        """Corrected (correction only) or verified (full CAPA), and the head of its department or the QMS office,
        who did no part of the work on it."""
        self._qms_check_manager()
        user = self.env.user
        for nc in self:
            nc._qms_check_state("triaged" if nc.path == "correction" else "verification")
            doers = nc.containment_by_id | nc.action_ids.owner_id
            if user in doers:
                raise UserError(self.env._(
                    "%(user)s did part of the work on %(nc)s and so cannot approve its closure.",
                    user=user.name, nc=nc.name))

    def action_close(self):
        """Approved by the department head or the QMS office, never by someone who did the work."""
        self._check_close()
        user = self.env.user
        for nc in self:
            open_actions = nc.action_ids.filtered(lambda a: a.state not in ("done", "verified", "cancelled"))
            if open_actions:
                raise UserError(self.env._("%s still has open actions.", nc.name))
            if nc.path == "correction":
                if not (nc.containment_description or "").strip() or not nc.evidence_attachment_ids:
                    raise UserError(self.env._(
                        "Describe the correction of %s and attach the proof before closing it.", nc.name))
            else:
                last_check = nc.check_ids.filtered(lambda c, n=nc: c.round == n.current_round)[:1]
                if last_check.state != "effective":
                    raise UserError(self.env._(
                        "The effectiveness of the actions on %s has not been verified as effective.", nc.name))
        today = fields.Date.context_today(self)
        self.sudo().action_ids.filtered(lambda a: a.state == "done")._qms_set_state("verified")
        self._qms_set_state("closed", closed_by_id=user.id, date_closed=today)
        self.activity_ids.unlink()
        return True

    def _action_reopen(self, reason):
        """The QMS office reopens a closed nonconformity (the closure was wrong, the problem came back).

        Who, when and why go to the chatter; the closure figures are cleared and the CAPA loop takes a new
        round (the correction-only path goes back to its correction).
        """
        if not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            raise UserError(self.env._("Only the QMS office can reopen a closed nonconformity."))
        if not (reason or "").strip():
            raise UserError(self.env._("Please give the reason for reopening: it is kept in the history."))
        self._qms_check_state("closed")
        for nc in self:
            closed = nc.date_closed
            if nc.path == "correction":
                nc._qms_set_state("triaged", closed_by_id=False, date_closed=False, reopen_count=nc.reopen_count + 1)
            else:
                nc._qms_set_state("reopened", closed_by_id=False, date_closed=False,
                                  current_round=nc.current_round + 1, reopen_count=nc.reopen_count + 1)
            nc.message_post(body=nc._qms_note_env()._(
                "Reopened by %(user)s (closed on %(date)s). Reason: %(reason)s",
                user=self.env.user.name, date=closed, reason=reason))
        return True

    def action_open_reopen_wizard(self):
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_reopen", self.env._("Reopen Nonconformity"))

    def _check_cancel(self):
        """Still open, and the head of its department or the QMS office."""
        self._qms_check_state(*OPEN_STATES)
        self._qms_check_manager()

    def _action_cancel(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Please give the reason for cancelling the nonconformity."))
        self._check_cancel()
        self._qms_set_state("cancelled", cancel_reason=reason)
        self.sudo().action_ids.filtered(lambda a: a.state == "open")._qms_set_state("cancelled")
        for nc in self:
            nc.message_post(body=nc._qms_note_env()._("Cancelled: %s", reason))
        return True

    def action_open_cancel_wizard(self):
        self._qms_gate("cancel")
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_cancel", self.env._("Cancel Nonconformity"))
