from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_deadline_mixin import EscalationStep
from odoo.exceptions import UserError, ValidationError

from .qms_audit_line import FINDING_RESULTS

AUDIT_TYPES = [("internal", "Internal audit"), ("external", "External / certification audit"),
               ("follow_up", "Follow-up audit")]


class QmsAudit(models.Model):
    """An audit (ISO 9001 9.2, ISO 19011 6): scope, criteria, an independent qualified team, a checklist.

    planned -> notified -> in progress -> reported -> closed; cancelled with a reason.
    """

    _name = "qms.audit"
    _description = "Audit"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.locked.mixin", "qms.deadline.mixin", "qms.reference.mixin",
                "qms.department.scope.mixin"]
    _qms_department_path = "department_ids"
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _qms_sequence_code = "qms.audit"
    _qms_sequence_date_field = "date_start"  # AUD-<year of the audit>-<n>

    _locked_states = ("closed", "cancelled")
    _qms_deletable_states = ("planned",)
    _qms_gate_depends = ("report_state", "lead_auditor_id", "team_ids")

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True,
                       default=lambda self: self.env._("New"))
    audit_type = fields.Selection(AUDIT_TYPES, string="Type", required=True, default="internal", tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    programme_id = fields.Many2one("qms.audit.programme", index=True, tracking=True, check_company=True)
    programme_line_id = fields.Many2one("qms.audit.programme.line", string="Universe Entry", index=True,
                                        readonly=True, copy=False)
    objectives = fields.Text()
    department_ids = fields.Many2many("hr.department", string="Audited Departments", required=True)
    process_ids = fields.Many2many("qms.process", string="Processes")
    clause_ids = fields.Many2many("qms.iso.clause", string="Clauses")
    document_ids = fields.Many2many("qms.document", string="Criteria",
                                    help="The documents in force the audit checks against.")
    lead_auditor_id = fields.Many2one("qms.auditor", required=True, tracking=True)
    team_ids = fields.Many2many("qms.auditor", string="Audit Team")
    auditee_ids = fields.Many2many("res.users", string="Auditees")
    date_start = fields.Date(string="Start", required=True, tracking=True)
    date_end = fields.Date(string="End", required=True)
    date_deadline = fields.Date(compute="_compute_date_deadline", store=True, string="Notice Reference Date",
                                help="The audit plan goes out a set number of working days before this date.")
    date_notified = fields.Date(string="Auditees Notified On", readonly=True, copy=False)
    calendar_event_id = fields.Many2one("calendar.event", readonly=True, copy=False)
    state = fields.Selection(
        [("planned", "Planned"), ("notified", "Notified"), ("in_progress", "In Progress"), ("reported", "Reported"),
         ("closed", "Closed"), ("cancelled", "Cancelled")],
        default="planned", required=True, readonly=True, copy=False, tracking=True, index=True)
    line_ids = fields.One2many("qms.audit.line", "audit_id", string="Checklist")
    line_count = fields.Integer(compute="_compute_line_counts", string="Checklist Questions")
    answered_count = fields.Integer(compute="_compute_line_counts", string="Questions Answered")
    finding_ids = fields.One2many("qms.audit.finding", "audit_id", string="Findings")
    nonconformity_ids = fields.Many2many("qms.nonconformity", compute="_compute_nonconformity_ids")
    follow_up_audit_id = fields.Many2one("qms.audit", string="Follow-up Audit", copy=False,
                                         help="The audit that will verify the open nonconformities.")
    conclusions = fields.Html()
    report_state = fields.Selection([("draft", "Draft"), ("final", "Final")], string="Report", default="draft",
                                    readonly=True, copy=False, tracking=True)
    report_approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_report_approved = fields.Date(string="Report Approved On", readonly=True, copy=False)
    report_attachment_id = fields.Many2one(
        "ir.attachment", string="Final Report (PDF)", readonly=True, copy=False,
        help="The report as the lead auditor approved it, stored as a PDF at the approval (kept when the report is "
             "reopened; a new approval stores a new one).")
    report_attachment_ids = fields.Many2many(
        "ir.attachment", "qms_audit_report_attachment_rel", "audit_id", "attachment_id", string="Final Reports",
        readonly=True, copy=False, help="Every report PDF stored at an approval, kept as it was.")
    distribution_ids = fields.Many2many("res.users", compute="_compute_distribution_ids", string="Report Distribution",
                                        help="The auditees and the heads of the audited departments.")
    cancel_reason = fields.Text(readonly=True, copy=False)
    coverage_programme_id = fields.Many2one(
        "qms.audit.programme", string="Programme of the Year", compute="_compute_coverage_programme_id", store=True,
        index=True, readonly=True, help="The audit programme of the audit's year, whose coverage matrix counts it.")
    # honest buttons (qms.gate.mixin): each is computed by the gate of its step, `_check_<step>`
    can_notify = fields.Boolean(compute="_compute_qms_can")
    can_start = fields.Boolean(compute="_compute_qms_can")
    can_fill_criteria = fields.Boolean(compute="_compute_qms_can")
    can_generate_checklist = fields.Boolean(compute="_compute_qms_can")
    can_raise_findings = fields.Boolean(compute="_compute_qms_can")
    can_report = fields.Boolean(compute="_compute_qms_can")
    can_approve_report = fields.Boolean(compute="_compute_qms_can")
    can_close = fields.Boolean(compute="_compute_qms_can")
    can_cancel = fields.Boolean(compute="_compute_qms_can")
    competence_warning = fields.Text(
        compute="_compute_competence_warning",
        help="Auditors of the team whose competence areas (auditor register) do not cover the whole scope.")
    team_competence_reason = fields.Text(
        string="Why This Team", tracking=True, copy=False,
        help="A team member is not competent in part of the scope: why they are on the team all the same (e.g. an "
             "auditor in training under the lead auditor's guidance, ISO 19011 5.5.4). Kept in the history.")

    @api.depends("date_start")
    def _compute_date_deadline(self):
        for audit in self:
            audit.date_deadline = audit.date_start

    @api.depends("company_id", "date_start")
    def _compute_coverage_programme_id(self):
        """Every audit of the year counts in the coverage matrix of the year's programme, generated from it or
        not: through this link, a change to the audit recomputes that matrix (see qms.audit.programme)."""
        programmes = self.env["qms.audit.programme"].sudo()._qms_programmes_of(
            (audit.company_id.id, audit.date_start.year) for audit in self if audit.date_start)
        active = {(programme.company_id.id, programme.year): programme for programme in programmes
                  if programme.active}
        for audit in self:
            audit.coverage_programme_id = audit.date_start and \
                active.get((audit.company_id.id, audit.date_start.year)) or False

    @api.depends("line_ids.result")
    def _compute_line_counts(self):
        counts = self.env["qms.audit.line"]._read_group([("audit_id", "in", self.ids)], ["audit_id", "result"],
                                                        ["__count"])
        for audit in self:
            by_result = {result: count for owner, result, count in counts if owner == audit}
            audit.line_count = sum(by_result.values())
            audit.answered_count = audit.line_count - by_result.get(False, 0)

    @api.depends("finding_ids.nonconformity_id")
    def _compute_nonconformity_ids(self):
        for audit in self:
            audit.nonconformity_ids = audit.finding_ids.nonconformity_id

    @api.depends("lead_auditor_id.clause_ids", "lead_auditor_id.process_ids", "team_ids.clause_ids",
                 "team_ids.process_ids", "clause_ids", "process_ids")
    def _compute_competence_warning(self):
        for audit in self:
            gaps = audit._qms_competence_gaps()
            audit.competence_warning = "\n".join(
                self.env._("%(auditor)s%(role)s: not competent in %(areas)s.", auditor=auditor.name,
                           role=self.env._(" (lead auditor)") if auditor == audit.lead_auditor_id else "",
                           areas=auditor._qms_competence_text(*gap))
                for auditor, gap in gaps.items()) or False

    def _qms_competence_gaps(self):
        """{auditor: (clauses, processes)} of the audit's scope outside the competence of each team member."""
        self.ensure_one()
        return (self.lead_auditor_id | self.team_ids)._qms_competence_gaps(self.clause_ids, self.process_ids)

    def _qms_gap_pairs(self):
        """The gaps as (auditor, area) pairs: what a new team or scope adds to them."""
        return {(auditor.id, area._name, area.id)
                for auditor, (clauses, processes) in self._qms_competence_gaps().items()
                for area in [*clauses, *processes]}

    def _qms_check_lead_competence(self):
        """The lead auditor is competent for the whole scope: refused otherwise (ISO 19011 7.2.3.3)."""
        for audit in self:
            gap = audit._qms_competence_gaps().get(audit.lead_auditor_id)
            if gap:
                raise UserError(self.env._(
                    "%(auditor)s cannot lead %(audit)s: the scope includes %(areas)s, outside their competence in the "
                    "auditor register. Name a lead auditor competent for the whole scope, narrow the scope, or have "
                    "the QMS office record the competence in the register.",
                    auditor=audit.lead_auditor_id.name, audit=audit.name, areas=audit.lead_auditor_id.
                    _qms_competence_text(*gap)))

    def _qms_check_staffing(self, before, vals):
        """After a person named the team or changed the scope: the lead auditor is competent for the whole scope
        (refused otherwise); a team member outside their competence needs a reason, logged in the chatter."""
        self._qms_check_lead_competence()
        reason = (vals.get("team_competence_reason") or "").strip() if isinstance(
            vals.get("team_competence_reason"), str) else ""
        for audit in self:
            added = audit._qms_gap_pairs() - before.get(audit.id, set())
            if not added:
                continue
            gaps = {auditor: gap for auditor, gap in audit._qms_competence_gaps().items()
                    if any(pair[0] == auditor.id for pair in added)}
            text = "; ".join(self.env._("%(auditor)s: %(areas)s", auditor=auditor.name,
                                        areas=auditor._qms_competence_text(*gap)) for auditor, gap in gaps.items())
            if not reason:
                raise UserError(self.env._(
                    "Part of the scope of %(audit)s is outside the competence of %(gaps)s (auditor register). Choose "
                    "another auditor, or write why they are on the team in “Why This Team” (e.g. an auditor in "
                    "training under the lead auditor's guidance).", audit=audit.name, gaps=text))
            audit.message_post(body=audit._qms_note_env()._(
                "Team accepted outside its competence by %(user)s: %(gaps)s. Reason: %(reason)s",
                user=self.env.user.name, gaps=text, reason=reason), subtype_xmlid="mail.mt_note")

    def _qms_checks_staffing(self, vals):
        return not self.env.su and not self._qms_in_transition() and bool(self._QMS_STAFFING_FIELDS & set(vals))

    @api.model_create_multi
    def create(self, vals_list):
        audits = super().create(vals_list)
        for audit, vals in zip(audits, vals_list, strict=True):
            if audit._qms_checks_staffing(vals):
                audit._qms_check_staffing({}, vals)
        return audits

    @api.depends("auditee_ids", "department_ids")
    def _compute_distribution_ids(self):
        for audit in self:
            heads = self.env["res.users"].union(*(department._qms_head_user() for department in audit.department_ids))
            audit.distribution_ids = audit.auditee_ids | heads

    _QMS_OFFICE_FIELDS = frozenset({"lead_auditor_id", "team_ids", "department_ids", "programme_id", "audit_type"})
    _QMS_STAFFING_FIELDS = frozenset({"lead_auditor_id", "team_ids", "clause_ids", "process_ids"})

    def write(self, vals):
        office = self._QMS_OFFICE_FIELDS & set(vals)
        if office and not self._qms_in_transition() and not self.env.su and \
                not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            raise UserError(self.env._(
                "The QMS office names the team and the audited departments of %(audit)s (%(fields)s).",
                audit=self[:1].name, fields=", ".join(self._fields[name]._description_string(self.env)
                                                      for name in sorted(office))))
        if "follow_up_audit_id" in vals and not self.env.su and \
                not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            raise UserError(self.env._("The QMS office names the follow-up audit."))
        if set(vals) - {"follow_up_audit_id"} and not self._qms_in_transition() and \
                not all(name.startswith(("message_", "activity_")) for name in vals) and \
                any(audit.report_state == "final" for audit in self):
            raise UserError(self.env._(
                "The audit report of %s is final: its content can no longer change. The QMS office can reopen it "
                "with a reason.", self.filtered(lambda audit: audit.report_state == "final")[0].name))
        moved = self.filtered(lambda audit: audit.calendar_event_id) if {"date_start", "date_end"} & set(vals) \
            else self.browse()
        moved_from = {audit: (audit.date_start, audit.date_end) for audit in moved}
        staffing = self._qms_checks_staffing(vals)
        gaps_before = {audit.id: audit._qms_gap_pairs() for audit in self} if staffing else {}
        result = super().write(vals)
        if staffing:
            self._qms_check_staffing(gaps_before, vals)
        moved = moved.filtered(lambda audit: moved_from[audit] != (audit.date_start, audit.date_end))
        if moved:
            moved._qms_reschedule()
        return result

    @api.model
    def _qms_check_in_scope(self, records):
        """Checklist lines and findings are about the departments their audit covers."""
        for record in records:
            if record.department_id not in record.audit_id.department_ids:
                raise ValidationError(self.env._(
                    "%(department)s is not audited by %(audit)s: choose one of its audited departments.",
                    department=record.department_id.name, audit=record.audit_id.name))

    @api.constrains("follow_up_audit_id")
    def _check_follow_up_audit(self):
        for audit in self.filtered("follow_up_audit_id"):
            follow_up = audit.follow_up_audit_id
            if follow_up == audit or follow_up.state == "cancelled" or follow_up.date_start < audit.date_start \
                    or not (follow_up.department_ids & audit.department_ids):
                raise ValidationError(self.env._(
                    "The follow-up audit of %(audit)s must be a later audit, not cancelled, of the same departments.",
                    audit=audit.name))

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for audit in self:
            if audit.date_end < audit.date_start:
                raise ValidationError(self.env._("Audit %s cannot end before it starts.", audit.name))

    @api.constrains("lead_auditor_id", "team_ids", "department_ids", "date_start")
    def _check_team(self):
        """Nobody audits their own department or one they head; every member is qualified on the day."""
        for audit in self:
            if not audit.lead_auditor_id.is_lead:
                raise ValidationError(self.env._(
                    "%s is not a qualified lead auditor: choose a lead auditor from the register.",
                    audit.lead_auditor_id.name))
            for auditor in audit.lead_auditor_id | audit.team_ids:
                own = auditor._qms_audited_departments() & audit.department_ids
                if own:
                    raise ValidationError(self.env._(
                        "%(auditor)s cannot audit %(department)s: it is their own department or one they head. "
                        "Auditors must be independent of the work they audit.",
                        auditor=auditor.name, department=", ".join(own.mapped("name"))))
                if not auditor._qms_is_qualified_on(audit.date_start):
                    raise ValidationError(self.env._(
                        "%(auditor)s is not qualified on %(date)s (qualified %(from)s, expires %(to)s).",
                        auditor=auditor.name, date=audit.date_start, **{"from": auditor.date_qualified},
                        to=auditor.date_expiry or "-"))

    # ------------------------------------------------------------------ checklist

    def action_generate_checklist(self):
        """Checklist lines from the clauses and procedures in scope, for each audited department.

        Questions come from the question bank of each clause, else from the clause's guidance.
        Lines already there are kept; only missing ones are added (one create, no query per line).
        """
        for audit in self:
            audit._check_generate_checklist()
            env = audit._qms_note_env()  # the lines are the audit team's shared record: the company's language
            clauses = env["qms.iso.clause"].search([("id", "child_of", audit.clause_ids.ids),
                                                    ("applicable", "=", True)]) if audit.clause_ids \
                else env["qms.iso.clause"]
            questions = env["qms.audit.question"].search([("clause_id", "in", clauses.ids)])
            by_clause = questions.grouped("clause_id")
            existing = {(line.department_id.id, line.clause_id.id, line.document_id.id, line.question)
                        for line in audit.line_ids}
            wanted = []
            for department in audit.department_ids:
                for clause in clauses:
                    texts = by_clause[clause].mapped("name") if clause in by_clause \
                        else [clause.guidance or clause.name]
                    wanted += [(department, clause, self.env["qms.document"], text) for text in texts]
                for document in audit.document_ids.filtered(
                        lambda d, dep=department: d.tier in ("procedure", "instruction") and d.department_id == dep):
                    wanted.append((department, self.env["qms.iso.clause"], document, env._(
                        "Is %s followed as written? Look at its records.", document.display_name)))
            self.env["qms.audit.line"].create([
                {"audit_id": audit.id, "department_id": department.id, "clause_id": clause.id,
                 "document_id": document.id, "question": text, "sequence": sequence}
                for sequence, (department, clause, document, text) in enumerate(wanted, start=1)
                if (department.id, clause.id, document.id, text) not in existing
            ])
        return True

    def action_open_checklist(self):
        """The checklist as a list to fill in during the interviews: one click for the result, evidence typed inline."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "name": self.env._("Checklist %s", self.name),
            "res_model": "qms.audit.line", "view_mode": "list",
            "views": [(self.env.ref("gov_qms_audit.qms_audit_line_view_list_checklist").id, "list")],
            "search_view_id": [self.env.ref("gov_qms_audit.qms_audit_line_view_search").id],
            "domain": [("audit_id", "=", self.id)],
            "context": {"default_audit_id": self.id, "group_by": ["department_id"] if len(self.department_ids) > 1
                        else []},
        }

    def action_open_calendar_event(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "calendar.event", "res_id": self.calendar_event_id.id,
                "view_mode": "form", "views": [(False, "form")]}

    def action_fill_criteria(self):
        """The documents in force for the audited departments, processes and clauses."""
        self._check_fill_criteria()
        for audit in self:
            audit.document_ids |= self.env["qms.document"].search([
                ("state", "=", "effective"), "|", "|",
                ("department_id", "child_of", audit.department_ids.ids),
                ("process_ids", "in", audit.process_ids.ids), ("clause_ids", "in", audit.clause_ids.ids)])
        return True

    # ------------------------------------------------------------------ notice to the auditees

    def _escalation_steps(self, company):
        return [EscalationStep(-company.qms_audit_notice_days, True, "_qms_send_audit_plan")]

    def _escalation_open_domain(self):
        return [("state", "in", ("planned", "notified"))]

    def action_notify(self):
        """Send the audit plan now, rather than waiting for the notice period."""
        self._check_notify()
        self._qms_send_audit_plan()
        self._qms_write_workflow({"escalation_level": 1})  # the daily job will not send it again
        return True

    def _qms_notice_recipients(self):
        self.ensure_one()
        return self.distribution_ids | self.lead_auditor_id.user_id | self.team_ids.user_id

    def _qms_event_values(self):
        self.ensure_one()
        return {"start": datetime.combine(self.date_start, time(9)), "stop": datetime.combine(self.date_end, time(17))}

    def _qms_send_audit_plan(self):
        """The audit plan by mail, with a calendar event, to the auditees, the heads and the team; once per audit.

        Run by the daily job on the notice date (catching up on missed days) or by the Notify button.
        """
        audits = self.filtered(lambda audit: audit.state == "planned")
        if not audits:
            return
        model_id = self.env["ir.model"]._get_id(self._name)
        events = self.env["calendar.event"].sudo().with_context(no_mail_to_attendees=True, mail_create_nolog=True,
                                                                 skip_contact_description=True).create([
            {
                # shared by its attendees: in the company's language
                "name": audit._qms_note_env()._(
                    "Audit %(audit)s: %(departments)s", audit=audit.name,
                    departments=", ".join(audit.department_ids.with_env(audit._qms_note_env()).mapped("name"))),
                "allday": True, **audit._qms_event_values(),
                "user_id": audit.lead_auditor_id.user_id.id, "res_model_id": model_id, "res_id": audit.id,
                "partner_ids": [(6, 0, audit._qms_notice_recipients().partner_id.ids)],
                "description": audit.objectives or "",
            }
            for audit in audits
        ])
        ics_files = events._get_ics_file()
        for audit, event in zip(audits, events, strict=True):
            attachments = [(f"{audit.name}.ics", ics_files[event.id])] if event.id in ics_files else []
            # in each recipient's language (one message per language among them)
            audit._qms_post_to(
                audit.distribution_ids.partner_id,
                lambda env, audit=audit: env["ir.qweb"]._render("gov_qms_audit.qms_audit_plan_message",
                                                                {"audit": audit.with_env(env)}),
                subject=lambda env, audit=audit: env._("Audit plan: %s", audit.name), attachments=attachments,
                subtype_xmlid="mail.mt_comment")
        audits._qms_set_state("notified", date_notified=fields.Date.context_today(self))
        for audit, event in zip(audits, events, strict=True):
            audit._qms_write_workflow({"calendar_event_id": event.id})
        self._qms_schedule_activities({audit: audit.auditee_ids for audit in audits},
                                      lambda env: env._("Prepare for the audit"),
                                      date_deadline=lambda audit: audit.date_start)

    def _qms_reschedule(self):
        """The audit moved after its plan went out: move the calendar event and tell the same people."""
        for audit in self:
            audit.calendar_event_id.sudo().with_context(no_mail_to_attendees=True).write(audit._qms_event_values())
            audit._qms_post_to(
                audit.distribution_ids.partner_id,
                lambda env, audit=audit: env._("The audit %(audit)s has moved: it now runs from %(start)s to %(end)s.",
                                               audit=audit.name, start=audit.date_start, end=audit.date_end),
                subtype_xmlid="mail.mt_comment")

    # ------------------------------------------------------------------ workflow

    # Gates of the steps (qms.gate.mixin): the status, and the audit team or the QMS office (write access: the
    # record rules give it to the auditors of the audit and to the QMS office; heads read).

    def _qms_check_audit_state(self, *states):
        self._qms_check_state(*states)
        self._qms_check_access("write")

    def _check_notify(self):
        self._qms_check_audit_state("planned")

    def _check_start(self):
        self._qms_check_audit_state("planned", "notified")

    def _check_fill_criteria(self):
        self._qms_check_audit_state("planned", "notified", "in_progress")

    def _check_generate_checklist(self):
        self._qms_check_audit_state("planned", "notified", "in_progress")

    def _check_raise_findings(self):
        self._qms_check_audit_state("in_progress")

    def _check_report(self):
        self._qms_check_audit_state("in_progress")

    def _check_approve_report(self):
        """Reported, its report still a draft, and its lead auditor."""
        self._qms_check_state("reported")
        for audit in self:
            if self.env.user != audit.lead_auditor_id.user_id:
                raise UserError(self.env._("Only the lead auditor, %s, approves the audit report.",
                                           audit.lead_auditor_id.name))
        self._qms_check_state("draft", field="report_state")

    def _check_close(self):
        """Reported, its report final, and the audit team or the QMS office."""
        self._qms_check_audit_state("reported")
        for audit in self:
            if audit.report_state != "final":
                raise UserError(self.env._("The lead auditor must approve the report of %s first.", audit.name))

    def _check_cancel(self):
        self._qms_check_audit_state("planned", "notified", "in_progress")

    def action_start(self):
        self._check_start()
        self._qms_check_lead_competence()  # an audit planned by the programme, or staffed before the register changed
        self._qms_set_state("in_progress")
        return True

    def action_raise_findings(self):
        """Write up every checklist line that is not conforming as a draft finding, its criterion, evidence and
        statement prefilled from the line; raise the confirmed findings not raised yet into the CAPA loop (once
        each); then say what was raised and open the statements still to confirm, one by one."""
        self._check_raise_findings()
        self.line_ids._qms_create_findings()
        confirmed = self.finding_ids.filtered(lambda finding: finding.state == "confirmed")
        ncs, actions = confirmed._qms_raise()
        return self._qms_findings_feedback(ncs, actions)

    def _qms_findings_feedback(self, ncs, actions):
        """The notification telling the auditor what was raised (the nonconformities as links) and how many
        statements are still to confirm; then the next statement to confirm, or back to the audit."""
        drafts = self.finding_ids.filtered(lambda finding: finding.state == "draft")
        parts, links = [], []
        if ncs:
            parts.append(self.env._("Nonconformity raised: %s.", "%s") if len(ncs) == 1 else self.env._(
                "%(count)s nonconformities raised: %(codes)s.", count=len(ncs), codes=", ".join(["%s"] * len(ncs))))
            links += [{"label": nc.name, "url": f"/odoo/qms.nonconformity/{nc.id}"} for nc in ncs]
        if actions:
            parts.append(self.env._("Improvement action created for %s.", actions.department_id[:1].name)
                         if len(actions) == 1 else
                         self.env._("%s improvement actions created.", len(actions)))
        if drafts:
            parts.append(self.env._("1 statement still to confirm.") if len(drafts) == 1 else
                         self.env._("%s statements still to confirm.", len(drafts)))
        if not parts:
            parts.append(self.env._("Nothing to raise: every finding of the checklist is confirmed and raised."))
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {
                "title": self.env._("Findings"), "message": " ".join(parts), "links": links,
                "type": "success" if ncs or actions else "warning" if drafts else "info",
                "sticky": bool(ncs), "next": drafts[:1].action_open_statement() if drafts
                else {"type": "ir.actions.act_window_close"},
            },
        }

    def _qms_findings_to_confirm(self):
        """Non-conforming checklist lines not written up yet, and findings whose statement is not confirmed."""
        self.ensure_one()
        unwritten = self.line_ids.filtered(lambda line: line.result in FINDING_RESULTS and not line.finding_id)
        return len(unwritten) + len(self.finding_ids.filtered(lambda finding: finding.state == "draft"))

    def action_report(self):
        self._check_report()
        for audit in self:
            if not audit.conclusions:
                raise UserError(self.env._("Write the conclusions of %s before reporting it.", audit.name))
            if audit.line_ids.filtered(lambda line: not line.result):
                raise UserError(self.env._("Some checklist lines of %s have no result yet.", audit.name))
            pending = audit._qms_findings_to_confirm()
            if pending:
                raise UserError(self.env._(
                    "%(audit)s has %(count)s finding(s) whose statement is not confirmed: click Raise Findings and "
                    "confirm each statement before reporting.", audit=audit.name, count=pending))
        self.finding_ids._qms_raise()
        self._qms_set_state("reported")
        return True

    def action_approve_report(self):
        """The lead auditor makes the report final (ISO 19011 6.5.2); it goes to the distribution list."""
        self._check_approve_report()
        for audit in self:
            drafts = audit.finding_ids.filtered(lambda finding: finding.state == "draft")
            if drafts:
                raise UserError(self.env._(
                    "%(audit)s has %(count)s finding(s) whose statement is not confirmed: confirm or delete them "
                    "before approving the report.", audit=audit.name, count=len(drafts)))
        self._qms_write_workflow({"report_state": "final", "report_approved_by_id": self.env.user.id,
                                  "date_report_approved": fields.Date.context_today(self)})
        self._qms_store_report()
        for audit in self:
            audit._qms_post_to(audit.distribution_ids.partner_id, lambda env: env._("The audit report is final."),
                               subtype_xmlid="mail.mt_comment")
        return True

    def action_close(self):
        """Closes when the report is final and its nonconformities are closed, or handed to a follow-up audit."""
        self._check_close()
        for audit in self:
            still_open = audit.nonconformity_ids.filtered(lambda nc: nc.state not in ("closed", "cancelled"))
            if still_open and not audit.follow_up_audit_id:
                raise UserError(self.env._(
                    "%(audit)s still has open nonconformities (%(codes)s): close them or name the follow-up audit.",
                    audit=audit.name, codes=", ".join(still_open.mapped("name"))))
        self.filtered(lambda audit: not audit.report_attachment_id)._qms_store_report()  # approved before PDFs
        self._qms_set_state("closed")
        return True

    def _qms_store_report(self):
        """Store the final report of each audit as a PDF attachment (the evidence pack copies it): rendered once,
        at the approval, and kept as it was (see _qms_frozen_attachments), a reopening included."""
        Attachment = self.env["ir.attachment"].sudo()
        report = self.env.ref("gov_qms_audit.action_report_qms_audit")
        for audit in self:  # kept as evidence: in the company's language
            env = audit._qms_note_env()
            content, kind = self.env["ir.actions.report"].with_context(lang=env.lang)._render_qweb_pdf(
                report, audit.ids)
            attachment = Attachment.create({
                "name": env._("Audit report %s.pdf", audit.name), "raw": content, "res_model": audit._name,
                "res_id": audit.id, "mimetype": "application/pdf" if kind == "pdf" else "text/html"})
            audit._qms_write_workflow({"report_attachment_id": attachment.id,
                                       "report_attachment_ids": [(4, attachment.id)]})

    def _qms_frozen_attachments(self):
        """The final reports stored at each approval stay as they were, whatever the audit's state."""
        return super()._qms_frozen_attachments() | self.sudo().report_attachment_ids

    def _action_reopen_report(self, reason):
        """The QMS office reopens a final report (a finding was wrong, a diverging opinion was left out):
        the report and its findings can be revised and approved again; who, when and why go to the chatter."""
        if not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            raise UserError(self.env._("Only the QMS office can reopen a final audit report."))
        if not (reason or "").strip():
            raise UserError(self.env._("Please give the reason for reopening the report: it is kept in the history."))
        self._qms_check_state("final", field="report_state")
        self._qms_check_state("reported", "closed")
        for audit in self:
            approved = audit.date_report_approved
            audit._qms_set_state("reported", report_state="draft", report_approved_by_id=False,
                                 date_report_approved=False)
            audit._qms_post_to(audit.distribution_ids.partner_id, lambda env, approved=approved: env._(
                "Report reopened by %(user)s (final since %(date)s). Reason: %(reason)s",
                user=self.env.user.name, date=approved, reason=reason), subtype_xmlid="mail.mt_comment")
        return True

    def action_open_reopen_report_wizard(self):
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_reopen_report", self.env._("Reopen Audit Report"))

    def _action_cancel(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Please give the reason for cancelling the audit."))
        self._check_cancel()
        self._qms_set_state("cancelled", cancel_reason=reason)
        return True

    def action_open_cancel_wizard(self):
        self._qms_gate("cancel")
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_cancel", self.env._("Cancel Audit"))

    def _qms_improvement_deadline(self):
        self.ensure_one()
        return self.date_end + relativedelta(days=30)
