from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_job import commit_batch, lock_rows
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.exceptions import UserError
from odoo.tools import SQL


class QmsDepartmentScore(models.Model):
    """A department's monthly scorecard (月度量化考核): computed, reviewed, then published (read-only)."""

    _name = "qms.department.score"
    _description = "Department Monthly Scorecard"
    _inherit = ["mail.thread", "qms.locked.mixin", "qms.department.scope.mixin"]
    _order = "month desc, points_deducted desc, department_id"

    _locked_states = ("published",)

    department_id = fields.Many2one("hr.department", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    month = fields.Date(required=True, readonly=True, index=True, help="First day of the month scored.")
    state = fields.Selection([("draft", "Computed"), ("reviewed", "Reviewed"), ("published", "Published")],
                             default="draft", required=True, readonly=True, tracking=True, index=True)
    raised_count = fields.Integer(string="Raised", readonly=True)
    closed_count = fields.Integer(string="Closed", readonly=True)
    closed_on_time_count = fields.Integer(string="Closed on Time", readonly=True)
    on_time_rate = fields.Float(string="Closed on Time (%)", readonly=True, aggregator="avg",
                                help="Empty when nothing was closed in the month: no rate, rather than 0 %.")
    avg_days_to_close = fields.Float(string="Average Days to Close", readonly=True, aggregator="avg")
    overdue_count = fields.Integer(string="Went Overdue", readonly=True)
    supervised_count = fields.Integer(string="Supervised Items", readonly=True)
    recurrence_count = fields.Integer(string="Recurrences", readonly=True)
    complaint_late_count = fields.Integer(string="Complaints Answered Late", readonly=True)
    complaint_dissatisfied_count = fields.Integer(string="Dissatisfied Citizens", readonly=True)
    points_deducted = fields.Float(readonly=True)
    deduction_ids = fields.One2many("qms.score.deduction", "score_id", string="Deductions", readonly=True)

    _department_month_uniq = models.Constraint("UNIQUE(department_id, month)",
                                               "A department has one scorecard a month.")

    @api.depends("department_id", "month")
    def _compute_display_name(self):
        for score in self:
            score.display_name = f"{score.department_id.name} {score.month and score.month.strftime('%Y-%m')}"

    @api.model
    def _qms_compute_month(self, month, company=None):
        """(Re)compute the draft scorecards of every department for the month of `month`.

        A handful of grouped queries whatever the number of items: counts come from
        _read_group, the deductions from one search per kind of item.
        """
        company = company or self.env.company
        start = month.replace(day=1)
        end = start + relativedelta(months=1)
        NC, Action, Complaint = self.env["qms.nonconformity"], self.env["qms.action"], self.env["qms.complaint"]
        in_month = [("company_id", "=", company.id)]

        def counts(model, domain, aggregates=("__count",)):
            return {row[0]: row[1:] for row in model._read_group(in_month + domain, ["department_id"], aggregates)}

        raised = counts(NC, [("date_detected", ">=", start), ("date_detected", "<", end)])
        closed = counts(NC, [("date_closed", ">=", start), ("date_closed", "<", end)], ("__count", "days_to_close:avg"))
        on_time = counts(NC, [("date_closed", ">=", start), ("date_closed", "<", end), ("closed_on_time", "=", True)])
        recurring = counts(NC, [("date_detected", ">=", start), ("date_detected", "<", end),
                                ("is_recurrence", "=", True)])
        overdue_domain = [("date_overdue", ">=", start), ("date_overdue", "<", end)]
        late_items = [*NC.search(in_month + overdue_domain), *Action.search(in_month + overdue_domain),
                      *Complaint.search(in_month + overdue_domain)]
        answered_late = counts(Complaint, [("date_answered", ">=", start), ("date_answered", "<", end),
                                           ("answered_on_time", "=", False)])
        dissatisfied = counts(Complaint, [("date_callback", ">=", start), ("date_callback", "<", end),
                                          ("callback_result", "=", "dissatisfied")])
        supervised = counts(NC, [("date_supervised", ">=", start), ("date_supervised", "<", end)])
        supervised_actions = counts(Action, [("date_supervised", ">=", start), ("date_supervised", "<", end)])

        departments = self.env["hr.department"].search([("company_id", "in", [company.id, False])])
        existing = self.search([("month", "=", start), ("department_id", "in", departments.ids)])
        if existing.filtered(lambda score: score.state != "draft"):
            raise UserError(self.env._("The scorecards of %s are already reviewed or published.",
                                       start.strftime("%Y-%m")))
        existing.deduction_ids.unlink()
        by_department = {score.department_id: score for score in existing}
        overdue_by_department = {}
        for item in late_items:
            overdue_by_department[item.department_id] = overdue_by_department.get(item.department_id, 0) + 1

        vals_list, to_update = [], []
        for department in departments:
            closed_count, avg_days = closed.get(department, (0, 0.0))
            on_time_count = on_time.get(department, (0,))[0]
            values = {
                "raised_count": raised.get(department, (0,))[0],
                "closed_count": closed_count,
                "closed_on_time_count": on_time_count,
                "on_time_rate": 100.0 * on_time_count / closed_count if closed_count else 0.0,
                "avg_days_to_close": avg_days or 0.0,
                "overdue_count": overdue_by_department.get(department, 0),
                "supervised_count": supervised.get(department, (0,))[0] + supervised_actions.get(department, (0,))[0],
                "recurrence_count": recurring.get(department, (0,))[0],
                "complaint_late_count": answered_late.get(department, (0,))[0],
                "complaint_dissatisfied_count": dissatisfied.get(department, (0,))[0],
            }
            if department in by_department:
                to_update.append((by_department[department], values))
            else:
                vals_list.append({"department_id": department.id, "company_id": company.id, "month": start, **values})
        for score, values in to_update:
            score._qms_write_workflow(values)
        scores = existing | self.with_context(qms_transition=TRANSITION).create(vals_list).with_env(self.env)
        score_of = {score.department_id: score for score in scores}
        self.env["qms.score.deduction"].create([
            {**deduction, "score_id": score_of[item.department_id].id}
            for item in late_items for deduction in self._qms_cascade(item, company)
        ])
        for score in scores:
            score._qms_write_workflow({"points_deducted": sum(score.deduction_ids.mapped("points"))})
        # nothing closed: no rate rather than 0 %. The ORM has no empty float, so the column is emptied (NULL) and
        # averages over departments or months leave such scorecards out; the views hide the rate there.
        scores.flush_recordset()
        self.env.cr.execute(SQL(
            "UPDATE qms_department_score SET on_time_rate = NULL WHERE id IN %s AND closed_count = 0",
            tuple(scores.ids) or (0,)))
        scores.invalidate_recordset(["on_time_rate"])
        return scores

    @api.model
    def _qms_cascade(self, item, company):
        """The deductions for one overdue item: the responsible person, the section head, the leader above."""
        department = item.department_id
        people = [
            ("responsible", item._qms_ladder_owner(), company.qms_points_responsible),
            ("section_head", department._qms_head_user(), company.qms_points_section_head),
            ("leader", department._qms_parent_head_user(), company.qms_points_leader),
        ]
        return [
            {"user_id": user.id, "role": role, "points": points, "res_model": item._name, "res_id": item.id,
             "item_name": item.display_name, "date_overdue": item.date_overdue}
            for role, user, points in people if user and points
        ]

    @api.model
    def _cron_compute_last_month(self):
        """Every day, last month's draft scorecards are computed again, company by company.

        One company's month is one batch: as a scheduled job it is committed on its own (see qms_job),
        with the day it was done on the company, so that a run that dies keeps the companies done before
        it and the next run that day does only the others. A month that the QMS office reviewed or
        published, or whose scorecards someone is handling right now, is left alone.
        """
        today = fields.Date.context_today(self)
        last_month = today.replace(day=1) - relativedelta(months=1)
        companies = self.env["res.company"].search([("active", "=", True)])
        reviewed = self.search([("month", "=", last_month), ("company_id", "in", companies.ids),
                                ("state", "!=", "draft")]).company_id
        todo = companies.filtered(lambda company: company.qms_scores_computed_on != today) - reviewed
        for done, company in enumerate(todo, start=1):
            scores = self.search([("month", "=", last_month), ("company_id", "=", company.id)])
            if lock_rows(scores) == scores and all(score.state == "draft" for score in scores):
                self.with_company(company)._qms_compute_month(last_month, company)
                company.sudo().qms_scores_computed_on = today
            if not commit_batch(self.env, 1, len(todo) - done):
                break  # time is up: Odoo runs the job again for the rest
        return True

    @api.model
    def _qms_compute_this_month(self):
        """The QMS office's menu: this month as the user sees it (not the server's date), then the scorecards."""
        self._qms_compute_month(fields.Date.context_today(self).replace(day=1))
        action = self.env["ir.actions.act_window"]._for_xml_id("gov_qms_capa.qms_department_score_action")
        action["context"] = {"search_default_computed": 1}
        return action

    def action_review(self):
        self._qms_check_qms_office()
        self._qms_check_state("draft")
        self._qms_set_state("reviewed")
        return True

    def action_publish(self):
        self._qms_check_qms_office()
        self._qms_check_state("reviewed")
        self._qms_set_state("published")
        return True

    def _action_reopen(self, reason):
        """The QMS office takes back a published scorecard (a figure was wrong): reviewed again, reason logged."""
        self._qms_check_qms_office()
        if not (reason or "").strip():
            raise UserError(self.env._(
                "Please give the reason for reopening the scorecard: it is kept in the history."))
        self._qms_check_state("published")
        self._qms_set_state("reviewed")
        self._qms_log(self.env._("Publication withdrawn by %(user)s. Reason: %(reason)s",
                                 user=self.env.user.name, reason=reason))
        return True

    def action_open_reopen_wizard(self):
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_reopen", self.env._("Reopen Scorecard"))

    def action_reset_to_draft(self):
        self._qms_check_qms_office()
        self._qms_check_state("reviewed")
        self._qms_set_state("draft")
        return True

    def _qms_check_qms_office(self):
        if not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            raise UserError(self.env._("Only the QMS office reviews and publishes scorecards."))
