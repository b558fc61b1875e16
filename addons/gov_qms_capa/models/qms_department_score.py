from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_job import commit_batch, lock_rows
from odoo.addons.gov_qms_docs.tools.month import month_label
from odoo.exceptions import UserError
from odoo.tools import SQL


class QmsDepartmentScore(models.Model):
    """A department's monthly scorecard (月度量化考核): computed, reviewed, then published (read-only)."""

    _name = "qms.department.score"
    _description = "Department Monthly Scorecard"
    _inherit = ["mail.thread", "qms.locked.mixin", "qms.department.scope.mixin", "qms.notification.mixin"]
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
    month_label = fields.Char(string="Month Scored", compute="_compute_labels",
                              help="The month, as written in your language (November 2026, 2026年11月).")
    on_time_label = fields.Char(string="On Time", compute="_compute_labels",
                                help="Closed on time as a percentage; a dash when nothing was closed in the month.")

    _department_month_uniq = models.Constraint("UNIQUE(department_id, month)",
                                               "A department has one scorecard a month.")

    @api.depends("department_id", "month")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for score in self:
            score.display_name = f"{score.department_id.name} {month_label(self.env, score.month)}"

    @api.depends("month", "closed_count", "on_time_rate")
    @api.depends_context("lang")
    def _compute_labels(self):
        for score in self:
            score.month_label = month_label(self.env, score.month)
            # nothing closed: no rate, a dash (the rate is empty then, see _qms_compute_month)
            score.on_time_label = f"{score.on_time_rate:.1f} %" if score.closed_count else "—"

    # The items that go overdue, with who answers for each (as their model's _qms_ladder_owner) and their name (as
    # their display_name): the deductions are computed in SQL with the figures (test_scorecard checks both agree).
    _QMS_LATE_ITEMS = {
        "qms.nonconformity": ("COALESCE(item.owner_id, heads.head_id)",
                              "CASE WHEN item.title <> '' THEN item.name || ' ' || item.title ELSE item.name END"),
        "qms.action": ("item.owner_id", "item.name"),
        "qms.complaint": ("COALESCE(item.owner_id, item.receiver_id)",
                          "CASE WHEN item.subject <> '' THEN item.name || ' ' || item.subject ELSE item.name END"),
    }

    @api.model
    def _qms_compute_month(self, month, company=None):
        """(Re)compute the draft scorecards of every department for the month of `month`.

        One statement whatever the number of departments and items: the figures of every department, grouped over
        the month's nonconformities, actions and citizens' work orders; a deduction for each person of the
        accountability cascade of each item that went overdue in the month (the responsible person, the section
        head, the leader above); the scorecards created, or the month's drafts updated in place (the daily job
        recomputes last month: only the figures and deductions that changed are written). The heads of the
        departments are worked out once each, in Python (_qms_head_user). Scorecards are figures computed by the
        system: created without a chatter message or followers.
        """
        company = company or self.env.company
        start = month.replace(day=1)
        end = start + relativedelta(months=1)
        self.check_access("create")
        self.env["qms.score.deduction"].check_access("create")
        # the QMS scope: departments with a QMS code (not Odoo's other departments, e.g. its HR demo's "R&D USA")
        departments = self.env["hr.department"]._qms_scope_departments(company).with_env(self.env)
        existing = self.search([("month", "=", start), ("department_id", "in", departments.ids)])
        if existing.filtered(lambda score: score.state != "draft"):
            raise UserError(self.env._("The scorecards of %s are already reviewed or published.",
                                       start.strftime("%Y-%m")))
        existing.check_access("write")
        heads = {department: department._qms_head_user() for department in departments}

        def parent_head(department):  # the leader above: the head of the level above (_qms_parent_head_user)
            parent = department.parent_id
            return (heads[parent] if parent in heads else parent._qms_head_user()).id or None if parent else None

        flushed = {
            "qms.nonconformity": ["company_id", "department_id", "date_detected", "date_closed", "days_to_close",
                                  "closed_on_time", "is_recurrence", "date_overdue", "date_supervised", "owner_id",
                                  "name", "title"],
            "qms.action": ["company_id", "department_id", "date_overdue", "date_supervised", "owner_id", "name"],
            "qms.complaint": ["company_id", "department_id", "date_overdue", "date_answered", "answered_on_time",
                              "date_callback", "callback_result", "owner_id", "receiver_id", "name", "subject"],
            "qms.department.score": None, "qms.score.deduction": None,
        }
        for model, names in flushed.items():
            self.env[model].flush_model(names)

        def deduction_key(alias):  # a deduction's values, compared as one (NOT IN is then a hashed subplan)
            columns = (("score_id", "int"), ("res_model", "text"), ("res_id", "int"), ("role", "text"),
                       ("user_id", "int"), ("points", "float8"), ("item_name", "text"))
            return SQL(", ").join(SQL("%s::%s", SQL.identifier(alias, name), SQL(kind)) for name, kind in columns)

        def in_month(column, alias="item"):
            column = SQL.identifier(alias, column)
            return SQL("(%s >= %s AND %s < %s)", column, start, column, end)

        late_items = SQL(" UNION ALL ").join(
            SQL("""SELECT %(model)s AS res_model, %(kind)s AS kind, item.id AS res_id, item.department_id,
                          %(owner)s AS responsible_id, %(name)s AS item_name, item.date_overdue
                     FROM %(table)s AS item LEFT JOIN heads ON heads.department_id = item.department_id
                    WHERE item.company_id = %(company)s AND %(overdue)s""",
                model=model, kind=kind, owner=SQL(owner), name=SQL(name),
                table=SQL.identifier(self.env[model]._table), company=company.id, overdue=in_month("date_overdue"))
            for kind, (model, (owner, name)) in enumerate(self._QMS_LATE_ITEMS.items()))
        figures = [
            "raised_count", "closed_count", "closed_on_time_count", "on_time_rate", "avg_days_to_close",
            "overdue_count", "supervised_count", "recurrence_count", "complaint_late_count",
            "complaint_dissatisfied_count", "points_deducted",
        ]
        now = self._qms_timestamp()
        score_ids = [row[0] for row in self.env.execute_query(SQL(
            """
            WITH heads AS (
                SELECT * FROM unnest(%(department_ids)s::int[], %(head_ids)s::int[], %(parent_head_ids)s::int[])
                    AS heads(department_id, head_id, parent_head_id)
            ), late AS (%(late_items)s
            ), cascade AS (
                SELECT late.*, person.sequence, person.role, person.user_id, person.points
                  FROM late LEFT JOIN heads ON heads.department_id = late.department_id
                 CROSS JOIN LATERAL (VALUES (1, 'responsible', late.responsible_id, %(responsible)s::float8),
                                            (2, 'section_head', heads.head_id, %(section_head)s::float8),
                                            (3, 'leader', heads.parent_head_id, %(leader)s::float8))
                       AS person(sequence, role, user_id, points)
                 WHERE person.user_id IS NOT NULL AND person.points <> 0
            ), points AS (
                SELECT department_id, SUM(points) AS points FROM cascade GROUP BY department_id
            ), overdue AS (
                SELECT department_id, COUNT(*) AS overdue FROM late GROUP BY department_id
            ), nc AS (
                SELECT department_id,
                       COUNT(*) FILTER (WHERE %(detected)s) AS raised,
                       COUNT(*) FILTER (WHERE %(closed)s) AS closed,
                       COUNT(*) FILTER (WHERE %(closed)s AND closed_on_time) AS on_time,
                       AVG(days_to_close) FILTER (WHERE %(closed)s) AS days,
                       COUNT(*) FILTER (WHERE %(detected)s AND is_recurrence) AS recurring,
                       COUNT(*) FILTER (WHERE %(supervised)s) AS supervised
                  FROM qms_nonconformity AS item
                 WHERE company_id = %(company)s AND (%(detected)s OR %(closed)s OR %(supervised)s)
                 GROUP BY department_id
            ), action AS (
                SELECT department_id, COUNT(*) AS supervised
                  FROM qms_action AS item WHERE company_id = %(company)s AND %(supervised)s
                 GROUP BY department_id
            ), complaint AS (
                SELECT department_id,
                       COUNT(*) FILTER (WHERE %(answered)s AND NOT COALESCE(answered_on_time, FALSE)) AS late,
                       COUNT(*) FILTER (WHERE %(called)s AND callback_result = 'dissatisfied') AS dissatisfied
                  FROM qms_complaint AS item
                 WHERE company_id = %(company)s AND (%(answered)s OR %(called)s)
                 GROUP BY department_id
            ), scores AS (
                INSERT INTO qms_department_score AS score (
                       department_id, company_id, month, state, %(figures)s,
                       create_uid, create_date, write_uid, write_date)
                SELECT department.id, %(company)s, %(month)s, 'draft',
                       COALESCE(nc.raised, 0), COALESCE(nc.closed, 0), COALESCE(nc.on_time, 0),
                       CASE WHEN nc.closed > 0 THEN 100.0 * nc.on_time / nc.closed END,
                       COALESCE(nc.days, 0), COALESCE(overdue.overdue, 0),
                       COALESCE(nc.supervised, 0) + COALESCE(action.supervised, 0), COALESCE(nc.recurring, 0),
                       COALESCE(complaint.late, 0), COALESCE(complaint.dissatisfied, 0), COALESCE(points.points, 0),
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(department_ids)s::int[]) AS department(id)
                  LEFT JOIN nc ON nc.department_id = department.id
                  LEFT JOIN action ON action.department_id = department.id
                  LEFT JOIN complaint ON complaint.department_id = department.id
                  LEFT JOIN overdue ON overdue.department_id = department.id
                  LEFT JOIN points ON points.department_id = department.id
                    ON CONFLICT (department_id, month) DO UPDATE SET %(update)s,
                       write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                 WHERE score.state = 'draft' AND (%(current)s) IS DISTINCT FROM (%(computed)s)
             RETURNING score.id, score.department_id
            ), month_scores AS (  -- created, changed, and unchanged (not returned above)
                SELECT id, department_id FROM scores
                 UNION
                SELECT id, department_id FROM qms_department_score WHERE id = ANY(%(existing_ids)s::int[])
            ), wanted AS (
                SELECT month_scores.id AS score_id, cascade.*
                  FROM cascade JOIN month_scores ON month_scores.department_id = cascade.department_id
            ), dropped AS (  -- recomputing a draft month: the deductions that are no longer so, and only those
                DELETE FROM qms_score_deduction AS deduction
                 WHERE deduction.score_id = ANY(%(existing_ids)s::int[])
                   AND (%(deduction_key)s, COALESCE(deduction.date_overdue, '-infinity'))
                       NOT IN (SELECT %(wanted_key)s, COALESCE(wanted.date_overdue, '-infinity') FROM wanted)
            ), added AS (
                INSERT INTO qms_score_deduction (score_id, company_id, user_id, role, points, res_model, res_id,
                                                 item_name, date_overdue, create_uid, create_date, write_uid,
                                                 write_date)
                SELECT wanted.score_id, %(company)s, wanted.user_id, wanted.role, wanted.points, wanted.res_model,
                       wanted.res_id, wanted.item_name, wanted.date_overdue, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM wanted
                 WHERE (%(wanted_key)s, COALESCE(wanted.date_overdue, '-infinity'))
                       NOT IN (SELECT %(deduction_key)s, COALESCE(deduction.date_overdue, '-infinity')
                                 FROM qms_score_deduction AS deduction
                                WHERE deduction.score_id = ANY(%(existing_ids)s::int[]))
                 ORDER BY wanted.kind, wanted.res_id, wanted.sequence
            )
            SELECT id FROM month_scores ORDER BY id
            """,
            department_ids=departments.ids, head_ids=[heads[department].id or None for department in departments],
            parent_head_ids=[parent_head(department) for department in departments],
            late_items=late_items, responsible=company.qms_points_responsible,
            section_head=company.qms_points_section_head, leader=company.qms_points_leader,
            detected=in_month("date_detected"), closed=in_month("date_closed"),
            supervised=in_month("date_supervised"), answered=in_month("date_answered"),
            called=in_month("date_callback"), company=company.id, month=start, uid=self.env.uid, now=now,
            figures=SQL(", ").join(SQL.identifier(name) for name in figures),
            update=SQL(", ").join(SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
                                  for name in figures),
            current=SQL(", ").join(SQL.identifier("score", name) for name in figures),
            computed=SQL(", ").join(SQL.identifier("excluded", name) for name in figures),
            # the anti-joins are hashed subplans whatever the table's statistics say (a nested loop would not end)
            wanted_key=deduction_key("wanted"), deduction_key=deduction_key("deduction"),
            existing_ids=existing.ids,
        ))]
        self.invalidate_model()
        self.env["qms.score.deduction"].invalidate_model()
        return self.browse(score_ids)

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
        self._qms_log(lambda env: env._("Publication withdrawn by %(user)s. Reason: %(reason)s",
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
