import base64
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from .qms_audit_programme import DONE_STATES
from .qms_management_review_input import INPUTS

REQUIRED = ("chair_id", "date_from", "date_to")
# what the figures were compiled for: changing it makes them stale; once held, it is what the meeting reviewed
COMPILED_ON = ("date_from", "date_to", "previous_review_id", "company_id")
INTERNAL_USERS = [("share", "=", False)]


def _input_fields(code, tag):
    """The fields through which the review's form shows one input in its own tab: its figures and charts
    (read-only) and its assessment (written through to that input only)."""
    def write_note(reviews):
        reviews._qms_write_input_note(code)

    return (
        fields.Many2many("qms.management.review.figure", string=f"{tag} Figures", compute="_compute_input_tabs"),
        fields.Html(string=f"{tag} Charts", compute="_compute_input_tabs", sanitize=False),
        fields.Text(string=f"{tag} Assessment", compute="_compute_input_tabs", inverse=write_note),
    )


class QmsManagementReview(models.Model):
    """A management review (ISO 9001 9.3), compiled from the live records.

    draft -> compiled (every 9.3.2 input filled from the records, for the period and the previous
    review's period, with the trend; compiling again refreshes it) -> held (every input present and
    every judgement written) -> closed (decisions turned into actions and change requests, minutes
    stored as a PDF; read-only, reopened only with a logged reason).
    """

    _name = "qms.management.review"
    _description = "Management Review"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.locked.mixin", "qms.reference.mixin",
                "qms.department.scope.mixin", "qms.notification.mixin"]
    _qms_sequence_code = "qms.management.review"
    _qms_sequence_date_field = "date_to"
    _qms_department_path = "department_ids"
    _order = "date_to desc, id desc"
    _check_company_auto = True

    _locked_states = ("closed",)
    _qms_deletable_states = ("draft", "compiled")

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, index=True,
                       default=lambda self: self.env._("New"))
    title = fields.Char(required=True, tracking=True, default=lambda self: self.env._("Management Review"))
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    date_from = fields.Date(string="Period From", required=True, tracking=True)
    date_to = fields.Date(string="Period To", required=True, tracking=True, index=True)
    previous_review_id = fields.Many2one(
        "qms.management.review", check_company=True, tracking=True,
        default=lambda self: self._default_previous_review(),
        help="Its period gives the figures the trends compare with, and its decisions are followed up in input a).")
    previous_date_from = fields.Date(string="Compared With From", compute="_compute_previous_period")
    previous_date_to = fields.Date(string="Compared With To", compute="_compute_previous_period")
    chair_id = fields.Many2one("res.users", required=True, tracking=True, index=True, domain=INTERNAL_USERS,
                               help="Top management: the leader who chairs the review and signs the minutes.")
    participant_ids = fields.Many2many("res.users", "qms_management_review_participant_rel", "review_id", "user_id",
                                       string="Participants", domain=INTERNAL_USERS)
    department_ids = fields.Many2many("hr.department", "qms_management_review_department_rel", "review_id",
                                      "department_id", string="Invited Departments")
    date_meeting = fields.Datetime(string="Meeting", tracking=True)
    duration = fields.Float(default=2.0, help="Hours.")
    location = fields.Char(string="Place")
    agenda = fields.Html()
    state = fields.Selection(
        [("draft", "Draft"), ("compiled", "Compiled"), ("held", "Held"), ("closed", "Closed")],
        default="draft", required=True, readonly=True, copy=False, tracking=True, index=True)
    input_ids = fields.One2many("qms.management.review.input", "review_id", string="Inputs")
    decision_ids = fields.One2many("qms.management.review.decision", "review_id", string="Decisions")
    conclusion = fields.Text(
        string="Conclusion on the QMS",
        help="Top management's conclusion on the continuing suitability, adequacy and effectiveness of the QMS "
             "and its alignment with the strategic direction (required to close).")
    date_compiled = fields.Datetime(string="Compiled On", readonly=True, copy=False)
    compiled_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_held = fields.Date(string="Held On", readonly=True, copy=False)
    closed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_closed = fields.Date(string="Closed On", readonly=True, copy=False)
    reopen_count = fields.Integer(readonly=True, copy=False)
    minutes_attachment_id = fields.Many2one("ir.attachment", string="Minutes", readonly=True, copy=False)
    minutes_attachment_ids = fields.Many2many(
        "ir.attachment", "qms_management_review_minutes_rel", "review_id", "attachment_id", string="All Minutes",
        readonly=True, copy=False, help="The minutes stored each time the review was closed, kept as they were.")
    # one tab per input in the form
    a_actions_figure_ids, a_actions_chart, a_actions_note = _input_fields("a_actions", "a)")
    b_context_figure_ids, b_context_chart, b_context_note = _input_fields("b_context", "b)")
    c1_feedback_figure_ids, c1_feedback_chart, c1_feedback_note = _input_fields("c1_feedback", "c1)")
    c2_objectives_figure_ids, c2_objectives_chart, c2_objectives_note = _input_fields("c2_objectives", "c2)")
    c3_processes_figure_ids, c3_processes_chart, c3_processes_note = _input_fields("c3_processes", "c3)")
    c4_capa_figure_ids, c4_capa_chart, c4_capa_note = _input_fields("c4_capa", "c4)")
    c5_audits_figure_ids, c5_audits_chart, c5_audits_note = _input_fields("c5_audits", "c5/c6)")
    c6_documents_figure_ids, c6_documents_chart, c6_documents_note = _input_fields("c6_documents", "Documents:")
    c7_providers_figure_ids, c7_providers_chart, c7_providers_note = _input_fields("c7_providers", "c7)")
    d_resources_figure_ids, d_resources_chart, d_resources_note = _input_fields("d_resources", "d)")
    e_risks_figure_ids, e_risks_chart, e_risks_note = _input_fields("e_risks", "e)")
    f_improvement_figure_ids, f_improvement_chart, f_improvement_note = _input_fields("f_improvement", "f)")
    missing_inputs = fields.Char(compute="_compute_missing_inputs",
                                 help="What stops the review from being held.")
    decision_count = fields.Integer(compute="_compute_decision_count")

    _name_company_uniq = models.Constraint("UNIQUE(company_id, name)", "Management review references are unique.")

    # ------------------------------------------------------------------ defaults and computes

    @api.model
    def _default_previous_review(self):
        return self.search([("company_id", "=", self.env.company.id), ("state", "=", "closed")],
                           order="date_to desc, id desc", limit=1)

    @api.depends("date_from", "date_to", "previous_review_id.date_from", "previous_review_id.date_to")
    def _compute_previous_period(self):
        for review in self:
            previous = review._qms_periods()[1] if review.date_from and review.date_to else (False, False)
            review.previous_date_from, review.previous_date_to = previous

    @api.depends("input_ids.code", "input_ids.note", "input_ids.figure_ids", "input_ids.chart_html")
    def _compute_input_tabs(self):
        for review in self:
            by_code = {section.code: section for section in review.input_ids}
            for code, _label, _kind in INPUTS:
                section = by_code.get(code, self.env["qms.management.review.input"])
                review[f"{code}_figure_ids"] = section.figure_ids
                review[f"{code}_chart"] = section.chart_html
                review[f"{code}_note"] = section.note

    def _qms_write_input_note(self, code):
        for review in self:
            review.input_ids.filtered(lambda section: section.code == code).note = review[f"{code}_note"]

    @api.depends("input_ids.note", "input_ids.date_compiled")
    def _compute_missing_inputs(self):
        for review in self:
            review.missing_inputs = ", ".join(review._qms_missing_inputs()) if review.state in (
                "draft", "compiled") else False

    @api.depends("decision_ids")
    def _compute_decision_count(self):
        for review in self:
            review.decision_count = len(review.decision_ids)

    def _compute_display_name(self):
        for review in self:
            review.display_name = f"{review.name} {review.title}" if review.title else review.name

    # ------------------------------------------------------------------ validation

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            missing = [name for name in REQUIRED if not vals.get(name)]
            self._qms_check_required({**vals, **(self.default_get(missing) if missing else {})})
        reviews = super().create(vals_list)
        reviews._qms_ensure_inputs()
        return reviews

    def write(self, vals):
        self._qms_check_required(vals, writing=True)
        if not self._qms_in_transition():
            self._qms_check_compiled_on(vals)
        stale = self.filtered(lambda review: review.state == "compiled") if any(
            name in vals for name in COMPILED_ON) and not self._qms_in_transition() else self.browse()
        result = super().write(vals)
        if stale:  # the figures were compiled for another period: compile again before holding
            stale.input_ids.filtered("date_compiled")._qms_write_workflow({"date_compiled": False})
            stale._qms_set_state("draft")
        return result

    def _qms_check_compiled_on(self, vals):
        """Once held, the period, the comparison and the meeting are what the minutes record."""
        changed = [name for name in (*COMPILED_ON, "date_meeting") if name in vals]
        held = self.filtered(lambda review: review.state == "held")  # closed minutes refuse everything anyway
        if changed and held:
            raise UserError(self.env._(
                "%(review)s has been held: %(fields)s stay as the meeting reviewed them (reopen the minutes only "
                "to correct what was written).", review=held[0].display_name,
                fields=", ".join(self._fields[name]._description_string(self.env) for name in changed)))
        if "company_id" in vals and self.filtered(lambda review: review.state != "draft"):
            raise UserError(self.env._("A compiled review stays with its organisation: plan a new one instead."))

    @api.model
    def _qms_check_required(self, vals, writing=False):
        """Clear messages for what the database would refuse with a technical one."""
        messages = {"chair_id": self.env._("A management review is chaired by top management: name its chair."),
                    "date_from": self.env._("Give the start of the period the review covers."),
                    "date_to": self.env._("Give the end of the period the review covers.")}
        for name in REQUIRED:
            if (name in vals or not writing) and not vals.get(name):
                raise ValidationError(messages[name])
        latest = fields.Date.context_today(self).year + 10
        for name in ("date_from", "date_to"):
            day = vals.get(name) and fields.Date.to_date(vals[name])
            if day and not 1990 <= day.year <= latest:
                raise ValidationError(self.env._(
                    "%(date)s is not a plausible date for a management review: choose a period between 1990 and "
                    "%(latest)s.", date=day, latest=latest))

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for review in self:
            if review.date_from > review.date_to:
                raise ValidationError(self.env._(
                    "The period of %(review)s ends (%(end)s) before it starts (%(start)s).",
                    review=review.display_name, end=review.date_to, start=review.date_from))

    @api.constrains("duration")
    def _check_duration(self):
        for review in self:
            if review.duration < 0:
                raise ValidationError(self.env._("The meeting of %s cannot last a negative time.",
                                                 review.display_name))

    @api.constrains("chair_id", "participant_ids")
    def _check_internal_users(self):
        for review in self:
            outsiders = (review.chair_id | review.participant_ids).filtered("share")
            if outsiders:
                raise ValidationError(self.env._(
                    "%(user)s is not a member of staff: the chair and the participants of %(review)s are internal "
                    "users.", user=outsiders[0].name, review=review.display_name))

    @api.constrains("previous_review_id", "date_from")
    def _check_previous_review(self):
        for review in self:
            previous = review.previous_review_id
            if previous and (previous == review or previous.date_from >= review.date_from):
                raise ValidationError(self.env._(
                    "The previous review of %(review)s must cover an earlier period: %(previous)s does not.",
                    review=review.display_name, previous=previous.display_name))

    def _qms_check_manager(self):
        if not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            raise UserError(self.env._("Only the QMS office prepares, holds and closes management reviews."))

    def _qms_frozen_attachments(self):
        return self.sudo().minutes_attachment_ids

    def _qms_lines_locked(self):
        """The inputs are what the meeting was given: frozen once it is held (decisions have their own rule)."""
        self.ensure_one()
        return self.state in ("held", "closed")

    # ------------------------------------------------------------------ inputs

    def _qms_ensure_inputs(self):
        """Every input of 9.3.2 as a section of the review (created with it; restored when compiling)."""
        existing = {(section.review_id.id, section.code) for section in self.input_ids}
        vals_list = [{"review_id": review.id, "code": code, "sequence": index}
                     for review in self for index, (code, _label, _kind) in enumerate(INPUTS)
                     if (review.id, code) not in existing]
        if vals_list:
            self.env["qms.management.review.input"].with_context(qms_transition=TRANSITION).create(vals_list)

    def _qms_missing_inputs(self):
        """Names of the inputs that stop the review from being held, in the order of the standard."""
        self.ensure_one()
        Input = self.env["qms.management.review.input"]
        labels = dict(Input._fields["code"]._description_selection(self.env))
        present = {section.code: section for section in self.input_ids}
        missing = []
        for code, _label, _kind in INPUTS:
            section = present.get(code)
            if not section or section._qms_is_missing():
                missing.append(labels[code])
        return missing

    def _qms_periods(self):
        """((from, to) of the period reviewed, (from, to) of the period compared with): the previous
        review's period, or the same number of days just before."""
        self.ensure_one()
        current = (self.date_from, self.date_to)
        if self.previous_review_id:
            return current, (self.previous_review_id.date_from, self.previous_review_id.date_to)
        end = self.date_from - timedelta(days=1)
        after = self.date_to + timedelta(days=1)
        if self.date_from.day == 1 and after.day == 1:  # whole months: the same months just before
            months = (after.year - self.date_from.year) * 12 + after.month - self.date_from.month
            return current, (self.date_from - relativedelta(months=months), end)
        return current, (end - (self.date_to - self.date_from), end)

    # ------------------------------------------------------------------ workflow

    def action_compile(self):
        """Fill every data input with its figures (repeatable until the review is held)."""
        self._qms_check_state("draft", "compiled")
        self._qms_check_manager()
        self._qms_ensure_inputs()
        now = self._qms_timestamp()
        Figure = self.env["qms.management.review.figure"].with_context(qms_transition=TRANSITION)
        for review in self:
            sections = {section.code: section for section in review.input_ids}
            # the figures' labels are stored: in the company's language
            compiled = review.sudo().with_company(review.company_id).with_context(
                lang=review._qms_company_lang())._qms_compile()
            review.input_ids.figure_ids.with_context(qms_transition=TRANSITION).unlink()
            Figure.create([
                {**figure, "input_id": sections[code].id, "sequence": sequence}
                for code, figures in compiled.items() for sequence, figure in enumerate(figures)
            ])
            review.input_ids.filtered(lambda s, done=compiled: s.code in done)._qms_write_workflow(
                {"date_compiled": now})
        self._qms_set_state("compiled", date_compiled=now, compiled_by_id=self.env.user.id)
        return True

    def action_hold(self):
        self._qms_check_state("compiled")
        self._qms_check_manager()
        for review in self:
            missing = review._qms_missing_inputs()
            if missing:
                raise UserError(self.env._(
                    "%(review)s cannot be held yet: these inputs are missing or not written: %(inputs)s.",
                    review=review.display_name, inputs="; ".join(missing)))
            if not review.date_meeting:
                raise UserError(self.env._("Give the date of the meeting of %s before holding it.",
                                           review.display_name))
            meeting_day = fields.Date.context_today(review, review.date_meeting)
            if meeting_day < review.date_from:
                raise UserError(self.env._(
                    "The meeting of %(review)s (%(date)s) is before the period it reviews starts (%(start)s).",
                    review=review.display_name, date=meeting_day, start=review.date_from))
            if review.date_meeting > self._qms_timestamp():
                raise UserError(self.env._("The meeting of %(review)s is on %(date)s: mark it held once it has met.",
                                           review=review.display_name,
                                           date=fields.Date.context_today(review, review.date_meeting)))
        for review in self:
            review._qms_set_state("held", date_held=fields.Date.context_today(review, review.date_meeting))
        return True

    def action_close(self):
        """The minutes are final: decisions become actions and change requests, the minutes PDF is stored."""
        self._qms_check_state("held")
        self._qms_check_manager()
        for review in self:
            if not (review.conclusion or "").strip():
                raise UserError(self.env._(
                    "Write the conclusion of %s on the suitability, adequacy and effectiveness of the QMS "
                    "before closing it.", review.display_name))
            review.decision_ids._qms_check_follow_up()
        self.decision_ids._qms_create_follow_ups()
        self._qms_write_workflow({"closed_by_id": self.env.user.id, "date_closed": fields.Date.context_today(self)})
        self._qms_attach_minutes()
        self._qms_set_state("closed")
        for review in self:
            actions = review.decision_ids.action_id
            requests = review.decision_ids.change_request_id
            review._qms_log(lambda env, actions=actions, requests=requests: env._(
                "Closed: %(actions)s and %(requests)s raised from the decisions; minutes stored.",
                actions=env._("1 action") if len(actions) == 1 else env._("%s actions", len(actions)),
                requests=env._("1 change request") if len(requests) == 1 else env._("%s change requests",
                                                                                     len(requests))))
        return True

    def _action_reopen(self, reason):
        """Reopen closed minutes to correct them (wizard): the reason is logged, the actions stay."""
        self._qms_check_manager()
        self._qms_check_state("closed")
        for review in self:
            review._qms_set_state("held", reopen_count=review.reopen_count + 1)
        self._qms_log(lambda env: env._("Reopened by %(user)s: %(reason)s", user=self.env.user.name, reason=reason))
        return True

    def action_open_reopen_wizard(self):
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_reopen",
                                                       self.env._("Reopen Management Review"))

    def _qms_attach_minutes(self):
        Attachment = self.env["ir.attachment"]
        report = self.env.ref("gov_qms_audit.action_report_qms_management_review")
        for review in self:
            lang = review._qms_company_lang()  # the minutes kept as evidence: in the company's language
            pdf, _kind = self.env["ir.actions.report"].with_context(force_report_rendering=True, lang=lang)\
                ._render_qweb_pdf(report, review.ids)
            attachment = Attachment.create({
                "name": review._qms_lang_env(lang)._("Minutes %s.pdf", review.name), "type": "binary",
                "datas": base64.b64encode(pdf),
                "res_model": review._name, "res_id": review.id, "mimetype": "application/pdf",
            })
            review._qms_write_workflow({"minutes_attachment_id": attachment.id,
                                        "minutes_attachment_ids": [(4, attachment.id)]})

    def action_open_decisions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("gov_qms_audit.qms_management_review_decision_action")
        action["domain"] = [("review_id", "=", self.id)]
        action["context"] = {"default_review_id": self.id}
        return action

    # ------------------------------------------------------------------ compiling

    def _qms_compile(self):
        """{input code: [figure values]} for every data input, in a fixed number of queries (grouped
        queries over the period and the previous one, whatever the number of records)."""
        self.ensure_one()
        periods = self._qms_periods()
        return {code: getattr(self, f"_qms_input_{code}")(periods)
                for code, _label, kind in INPUTS if kind == "data"}

    @staticmethod
    def _qms_figure(group, label, value, previous=None, unit="count", detail="", better=False):
        return {"group": group, "label": label, "value": value or 0.0, "has_previous": previous is not None,
                "previous_value": previous or 0.0, "unit": unit, "detail": detail, "better": better or False}

    def _qms_grouped(self, model, domain, date_field, periods, groupby=(), aggregate="__count"):
        """{group key: [value in the period, value in the previous period]}: one grouped query per period."""
        Model = self.env[model]
        result = {}
        datetime_field = Model._fields[date_field.split(".")[0]].type == "datetime" and "." not in date_field
        for index, (start, end) in enumerate(periods):
            if datetime_field:  # the whole last day, in UTC as stored
                bounds = [(date_field, ">=", fields.Datetime.to_datetime(start)),
                          (date_field, "<", fields.Datetime.to_datetime(end + timedelta(days=1)))]
            else:
                bounds = [(date_field, ">=", start), (date_field, "<=", end)]
            period_domain = Domain.AND([[("company_id", "=", self.company_id.id)], domain, bounds])
            for row in Model._read_group(period_domain, list(groupby), [aggregate]):
                key = row[:-1] if len(groupby) > 1 else row[0] if groupby else None
                result.setdefault(key, [0, 0])[index] = row[-1] or 0
        return result

    def _qms_grouped_figures(self, group, grouped, label, better=False, unit="count"):
        """Figures of a grouped count, biggest first, each with its previous value."""
        rows = sorted(grouped.items(), key=lambda item: (-item[1][0], -item[1][1], label(item[0])))
        return [self._qms_figure(group, label(key), current, previous, unit=unit, better=better)
                for key, (current, previous) in rows]

    @staticmethod
    def _qms_rate(part, whole):
        return 100.0 * part / whole if whole else 0.0

    def _qms_selection_label(self, model, field):
        labels = dict(self.env[model]._fields[field]._description_selection(self.env))
        return lambda key: labels.get(key, key or self.env._("None"))

    def _qms_rates(self, grouped, flag=True):
        """[% in the period, % in the previous period] of the rows whose key is `flag`, from a count grouped by it."""
        totals = [sum(values[index] for values in grouped.values()) for index in (0, 1)]
        parts = grouped.get(flag, [0, 0])
        return [self._qms_rate(parts[index], totals[index]) for index in (0, 1)], totals

    # a) status of actions from previous management reviews
    def _qms_input_a_actions(self, periods):
        Decision = self.env["qms.management.review.decision"]
        domain = Domain([("company_id", "=", self.company_id.id), ("review_id.state", "=", "closed"),
                         ("review_id", "!=", self.id), ("review_id.date_to", "<=", self.date_to)])
        followed = Domain("state", "in", ("draft", "open"))
        if self.previous_review_id:
            followed |= Domain("review_id", "=", self.previous_review_id.id)
        decisions = Decision.search(domain & followed, order="review_id, sequence, id")
        group = self.env._("Decisions of earlier reviews")
        figures = [self._qms_figure(group, f"{decision.review_id.name}: {decision.name}", 0, unit="text",
                                    detail=decision._qms_status_text())
                   for decision in decisions]
        followed_up = decisions.filtered(lambda d: d.follow_up != "note")
        done = followed_up.filtered(lambda d: d.state == "done")
        summary = self.env._("Follow-up")
        figures += [
            self._qms_figure(summary, self.env._("Decisions followed up"), len(decisions)),
            self._qms_figure(summary, self.env._("Actions and changes completed"), len(done)),
            self._qms_figure(summary, self.env._("Completed on time"), self._qms_rate(
                len(done.filtered("done_on_time")), len(done)), unit="percent", better="up"),
            self._qms_figure(summary, self.env._("Still in progress"), len(followed_up.filtered(
                lambda d: d.state in ("draft", "open")))),
            self._qms_figure(summary, self.env._("Overdue"), len(followed_up.filtered("is_overdue")), better="down"),
            self._qms_figure(summary, self.env._("Cancelled or refused"), len(followed_up.filtered(
                lambda d: d.state == "cancelled"))),
        ]
        return figures

    # c1) citizen satisfaction and feedback
    def _qms_input_c1_feedback(self, periods):
        """The citizens' work orders (qms.complaint): received, by department and outcome, answered on time,
        satisfaction at the call-back, sent back for rework."""
        model = "qms.complaint"
        group = self.env._("Citizen complaints and requests")
        total = self._qms_grouped(model, [], "date_received", periods).get(None, [0, 0])
        figures = [self._qms_figure(group, self.env._("Received"), *total)]
        figures += self._qms_grouped_figures(
            self.env._("Received by department"),
            self._qms_grouped(model, [], "date_received", periods, ["department_id"]),
            lambda department: department.name or self.env._("Not assigned yet"))
        figures += self._qms_grouped_figures(
            self.env._("Received by kind"), self._qms_grouped(model, [], "date_received", periods, ["kind"]),
            self._qms_selection_label(model, "kind"))
        by_state = self._qms_grouped(model, [], "date_received", periods, ["state"])
        outcomes = {"closed": self.env._("Answered and closed"), "dismissed": self.env._("Dismissed"),
                    "answered": self.env._("Answered, awaiting the call-back")}
        by_outcome = {}
        for state, values in by_state.items():
            key = outcomes.get(state, self.env._("Being handled"))
            by_outcome[key] = [a + b for a, b in zip(by_outcome.get(key, [0, 0]), values, strict=True)]
        figures += self._qms_grouped_figures(self.env._("Outcome"), by_outcome, str)
        (on_time, on_time_before), _totals = self._qms_rates(
            self._qms_grouped(model, [], "date_answered", periods, ["answered_on_time"]))
        callbacks = self._qms_grouped(model, [("callback_result", "!=", False)], "date_callback", periods,
                                      ["callback_result"])
        satisfied = {True: [sum(values[index] for result, values in callbacks.items() if result != "dissatisfied")
                            for index in (0, 1)],
                     False: callbacks.get("dissatisfied", [0, 0])}
        (satisfaction, satisfaction_before), _totals = self._qms_rates(satisfied)
        reworked = self._qms_grouped(model, [("rework_count", ">", 0)], "date_received", periods).get(None, [0, 0])
        figures += [
            self._qms_figure(group, self.env._("Answered within the time limit"), on_time, on_time_before,
                             unit="percent", better="up"),
            self._qms_figure(group, self.env._("Satisfied or basically satisfied at the call-back"), satisfaction,
                             satisfaction_before, unit="percent", better="up"),
            self._qms_figure(group, self.env._("Sent back for rework"), *reworked, better="down"),
        ]
        return figures

    # c2) quality objectives
    def _qms_input_c2_objectives(self, periods):
        kpis = self.env["qms.process.kpi"].search([("company_id", "=", self.company_id.id),
                                                   ("process_id.active", "=", True)])
        measurements = [("kpi_id", "in", kpis.ids)]
        values = self._qms_grouped("qms.process.kpi.measurement", measurements, "date", periods, ["kpi_id"],
                                   "value:avg")
        met = self._qms_grouped("qms.process.kpi.measurement", measurements, "date", periods, ["kpi_id", "met"])
        direction = self._qms_selection_label("qms.process.kpi", "direction")
        group = self.env._("Process indicators (average of the measurements)")
        figures = []
        for kpi in kpis.sorted(lambda k: (k.process_id.name, k.sequence, k.id)):
            counts = [sum(values_[index] for (kpi_key, _met), values_ in met.items() if kpi_key == kpi)
                      for index in (0, 1)]
            current, previous = values.get(kpi, [0.0, 0.0])
            reached = met.get((kpi, True), [0, 0])[0]
            target = self.env._("target %(direction)s %(target)s%(unit)s", direction=direction(kpi.direction).lower(),
                       target=f"{kpi.target:g}", unit=f" {kpi.unit}" if kpi.unit else "")
            detail = self.env._("%(target)s: met %(met)s of %(count)s times", target=target, met=reached,
                                count=counts[0]) \
                if counts[0] else self.env._("%s: not measured in the period", target)
            figures.append(self._qms_figure(
                group, f"{kpi.process_id.name}: {kpi.name}", current, previous if counts[1] else None,
                unit="value" if counts[0] else "text", detail=detail,
                better="up" if kpi.direction == "min" else "down"))
        handling = self.env._("Time-limited handling")
        closed = self._qms_grouped("qms.nonconformity", [("time_limit_rule_id", "!=", False)], "date_closed",
                                   periods, ["closed_on_time"])
        (rate, previous), _totals = self._qms_rates(closed)
        figures.append(self._qms_figure(handling, self.env._("Nonconformities closed within their time limit"),
                                        rate, previous, unit="percent", better="up"))
        (current_period, previous_period) = periods
        rows = self.env.execute_query(SQL(
            """SELECT count(*) FILTER (WHERE date_done BETWEEN %(s1)s AND %(e1)s),
                      count(*) FILTER (WHERE date_done BETWEEN %(s1)s AND %(e1)s AND date_done <= date_deadline),
                      count(*) FILTER (WHERE date_done BETWEEN %(s2)s AND %(e2)s),
                      count(*) FILTER (WHERE date_done BETWEEN %(s2)s AND %(e2)s AND date_done <= date_deadline)
                 FROM qms_action WHERE company_id = %(company)s AND state IN ('done', 'verified')""",
            s1=current_period[0], e1=current_period[1], s2=previous_period[0], e2=previous_period[1],
            company=self.company_id.id))
        done, on_time, done_before, on_time_before = rows[0]
        figures.append(self._qms_figure(handling, self.env._("Actions done by their due date"),
                                        self._qms_rate(on_time, done),
                                        self._qms_rate(on_time_before, done_before), unit="percent", better="up"))
        return figures

    # c3) process performance and conformity
    def _qms_input_c3_processes(self, periods):
        model = "qms.nonconformity"
        raised = [("state", "!=", "cancelled")]
        figures = self._qms_grouped_figures(
            self.env._("Nonconformities by department"), self._qms_grouped(model, raised, "date_detected", periods,
                                                                   ["department_id"]),
            lambda department: department.name or self.env._("None"), better="down")
        figures += self._qms_grouped_figures(
            self.env._("Nonconformities by source"),
            self._qms_grouped(model, raised, "date_detected", periods, ["source"]),
            self._qms_selection_label(model, "source"), better="down")
        figures += self._qms_grouped_figures(
            self.env._("Nonconformities by severity"), self._qms_grouped(model, raised, "date_detected", periods,
                                                                ["severity"]),
            self._qms_selection_label(model, "severity"), better="down")
        closure = self.env._("Closure")
        closed = self._qms_grouped(model, [], "date_closed", periods, ["closed_on_time"])
        (rate, previous), totals = self._qms_rates(closed)
        days = self._qms_grouped(model, [], "date_closed", periods, (), "days_to_close:avg").get(None, [0, 0])
        recurrences = self._qms_grouped(model, raised + [("is_recurrence", "=", True)], "date_detected",
                                        periods).get(None, [0, 0])
        supervised = [sum(values) for values in zip(
            self._qms_grouped(model, [], "date_supervised", periods).get(None, [0, 0]),
            self._qms_grouped("qms.action", [], "date_supervised", periods).get(None, [0, 0]), strict=True)]
        figures += [
            self._qms_figure(closure, self.env._("Nonconformities closed"), *totals),
            self._qms_figure(closure, self.env._("Closed on time"), rate, previous, unit="percent", better="up"),
            self._qms_figure(closure, self.env._("Average days to close"), *days, unit="days", better="down"),
            self._qms_figure(closure, self.env._("Recurrences"), *recurrences, better="down"),
            self._qms_figure(closure, self.env._("Supervised items (overdue and escalated)"), *supervised,
                             better="down"),
        ]
        figures += self._qms_ranking(periods)
        return figures

    def _qms_ranking(self, periods):
        """The departments ranked by their monthly scorecards of the period (fewest points deducted first)."""
        scored = [("state", "in", ("reviewed", "published"))]
        points = self._qms_grouped("qms.department.score", scored, "month", periods, ["department_id"],
                                   "points_deducted:sum")
        on_time = self._qms_grouped("qms.department.score", scored, "month", periods[:1], ["department_id"],
                                    "on_time_rate:avg")
        ranked = sorted((department for department, values in points.items() if department in on_time),
                        key=lambda d: (points[d][0], -on_time[d][0], d.name))
        group = self.env._("Department ranking (monthly scorecards, points deducted)")
        return [self._qms_figure(group, f"{rank}. {department.name}", points[department][0], points[department][1],
                                 unit="points", better="down",
                                 detail=self.env._("%s%% closed on time", f"{on_time[department][0]:.0f}"))
                for rank, department in enumerate(ranked, start=1)]

    # c4) nonconformities and corrective actions
    def _qms_input_c4_capa(self, periods):
        company = [("company_id", "=", self.company_id.id)]
        Nc = self.env["qms.nonconformity"]
        Action = self.env["qms.action"]
        open_at_end, overdue_at_end = [], []
        for _start, end in periods:
            open_at_end.append(Nc.search_count(company + [
                ("date_detected", "<=", end), ("state", "!=", "cancelled"),
                "|", ("date_closed", "=", False), ("date_closed", ">", end)]))
            overdue_at_end.append(Action.search_count(company + [
                ("date_deadline", "<", end), ("state", "!=", "cancelled"),
                "|", ("date_done", "=", False), ("date_done", ">", end)]))
        checks = self._qms_grouped("qms.effectiveness.check", [("state", "!=", "pending")], "date_checked", periods,
                                   ["state"])
        (effective_rate, effective_before), _totals = self._qms_rates(checks, "effective")
        done = self._qms_grouped("qms.action", [("state", "in", ("done", "verified"))], "date_done", periods,
                                 ["action_type"])
        nc_group = self.env._("Nonconformities")
        check_group = self.env._("Effectiveness checks")
        action_group = self.env._("Actions")
        return [
            self._qms_figure(nc_group, self.env._("Open at the end of the period"), *open_at_end, better="down"),
            self._qms_figure(nc_group, self.env._("Raised"), *self._qms_grouped(
                "qms.nonconformity", [("state", "!=", "cancelled")], "date_detected", periods).get(None, [0, 0]),
                better="down"),
            self._qms_figure(nc_group, self.env._("Closed"), *self._qms_grouped(
                "qms.nonconformity", [], "date_closed", periods).get(None, [0, 0]), better="up"),
            self._qms_figure(check_group, self.env._("Judged effective"), *checks.get("effective", [0, 0]),
                             better="up"),
            self._qms_figure(check_group, self.env._("Judged not effective (a new round of actions)"),
                             *checks.get("not_effective", [0, 0]), better="down"),
            self._qms_figure(check_group, self.env._("Effective at the first check or later"), effective_rate,
                             effective_before, unit="percent", better="up"),
            *self._qms_grouped_figures(action_group, done, self._qms_selection_label("qms.action", "action_type")),
            self._qms_figure(action_group, self.env._("Overdue at the end of the period"), *overdue_at_end,
                             better="down"),
        ]

    # c5/c6) monitoring, measurement and audit results
    def _qms_input_c5_audits(self, periods):
        audits = self._qms_grouped("qms.audit", [("state", "!=", "cancelled")], "date_start", periods, ["state"])
        planned = [sum(values[index] for values in audits.values()) for index in (0, 1)]
        done = [sum(values[index] for state, values in audits.items() if state in DONE_STATES) for index in (0, 1)]
        group = self.env._("Internal audits")
        figures = [
            self._qms_figure(group, self.env._("Audits planned in the period"), *planned),
            self._qms_figure(group, self.env._("Audits done (reported or closed)"), *done, better="up"),
            self._qms_figure(group, self.env._("Programme carried out"), self._qms_rate(done[0], planned[0]),
                             self._qms_rate(done[1], planned[1]), unit="percent", better="up"),
        ]
        years = range(self.date_from.year, self.date_to.year + 1)
        programmes = self.env["qms.audit.programme"].search([("company_id", "=", self.company_id.id),
                                                             ("year", "in", [y - 1 for y in years] + list(years))])
        coverage = {}
        for programme in programmes:
            matrix = programme._qms_coverage()
            total = len(matrix["rows"]) * len(matrix["columns"])
            coverage[programme.year] = self._qms_rate(len(matrix["cells"]), total)
        for year in years:
            if year in coverage:
                figures.append(self._qms_figure(
                    self.env._("Coverage of the departments x clauses matrix"), self.env._("Programme %s", year),
                    coverage[year],
                    coverage.get(year - 1), unit="percent", better="up"))
        findings = self._qms_grouped("qms.audit.finding", [], "audit_id.date_start", periods, ["classification"])
        figures += self._qms_grouped_figures(self.env._("Findings by class"), findings,
                                             self._qms_selection_label("qms.audit.finding", "classification"))
        open_findings = self.env["qms.audit.finding"].search_count([
            ("company_id", "=", self.company_id.id), "|",
            ("nonconformity_id.state", "not in", ("closed", "cancelled")), ("action_id.state", "=", "open")])
        figures.append(self._qms_figure(self.env._("Findings"),
                                        self.env._("Findings still open (their nonconformity or action)"),
                                        open_findings, better="down"))
        return figures

    # documented information
    def _qms_input_c6_documents(self, periods):
        issued = self._qms_grouped("qms.document.revision", [("state", "in", ("effective", "superseded", "obsolete"))],
                                   "effective_date", periods, ["tier"])
        group = self.env._("Documented information")
        total = [sum(values[index] for values in issued.values()) for index in (0, 1)]
        figures = [self._qms_figure(group, self.env._("Revisions issued"), *total)]
        figures += self._qms_grouped_figures(self.env._("Revisions issued by tier"), issued,
                                             self._qms_selection_label("qms.document.revision", "tier"))
        today = fields.Date.context_today(self)
        as_at = min(self.date_to, today)
        company = [("company_id", "=", self.company_id.id)]
        overdue_reviews = self.env["qms.document"].search_count(company + [
            ("state", "=", "effective"), ("date_deadline", "<", as_at)])
        Ack = self.env["qms.document.acknowledgement"]
        pending = Ack._read_group(company + [("state", "=", "pending")], [], ["__count"])[0][0]
        late = Ack.search_count(company + [("state", "=", "pending"), ("date_deadline", "<", today)])
        figures += [
            self._qms_figure(group, self.env._("Documents past their periodic review"), overdue_reviews, better="down",
                             detail=self.env._("as at %s", as_at)),
            self._qms_figure(group, self.env._("Acknowledgements outstanding"), pending, better="down",
                             detail=self.env._("%s past their read-by date", late)),
        ]
        return figures
