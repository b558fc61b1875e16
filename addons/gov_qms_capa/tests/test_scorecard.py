from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QmsCapaCase

NOVEMBER = date(2026, 11, 1)


@tagged("post_install", "-at_install")
class TestScorecard(QmsCapaCase):
    def setUp(self):
        super().setUp()
        self.Score = self.env["qms.department.score"]
        # an action of the licensing section goes overdue on 20 November
        self.nc = self.make_nc()
        self.late = self.to_action_stage(self.nc)
        with freeze_time("2026-11-23"):
            self.Action._cron_escalate()
        # a correction-only nonconformity of the section, closed on time
        quick = self.make_nc(title="Typo on the form", date_detected="2026-11-03")
        quick.with_user(self.section_head).action_triage_correction()
        proof = self.env["ir.attachment"].with_user(self.section_head).create({"name": "form.pdf", "raw": b"%PDF"})
        quick.with_user(self.section_head).write({"containment_description": "Form reprinted",
                                                  "containment_by_id": self.clerk.id,
                                                  "evidence_attachment_ids": [(6, 0, proof.ids)]})
        with freeze_time("2026-11-06"):
            quick.with_user(self.section_head).action_close()

    def section_score(self):
        scores = self.Score._qms_compute_month(NOVEMBER)
        return scores.filtered(lambda score: score.department_id == self.section)

    def test_written_on_the_suites_clock(self):
        """The scorecards are inserted in SQL: their create and write dates come from Python's (frozen) clock,
        not the database's."""
        before = self.Score.search([("month", "=", NOVEMBER)])  # the demo's, left as they are when unchanged
        with freeze_time("2026-12-02 01:15:00"):
            scores = self.Score._qms_compute_month(NOVEMBER) - before
        self.assertTrue(scores)
        self.assertEqual(set(scores.mapped("create_date")) | set(scores.mapped("write_date")),
                         {datetime(2026, 12, 2, 1, 15)})

    def test_cascade_deducts_one_half_and_a_quarter(self):
        score = self.section_score()
        deductions = {(d.user_id, d.role): d.points for d in score.deduction_ids}
        self.assertEqual(deductions, {
            (self.clerk, "responsible"): 1.0,
            (self.section_head, "section_head"): 0.5,
            (self.bureau_head, "leader"): 0.25,
        })
        self.assertEqual(score.points_deducted, 1.75)
        self.assertEqual(score.overdue_count, 1)
        self.assertEqual(score.raised_count, 2)
        self.assertEqual(score.closed_count, 1)
        self.assertEqual(score.closed_on_time_count, 1)
        self.assertEqual(score.on_time_rate, 100.0)
        self.assertEqual(score.avg_days_to_close, 3.0)
        finance = self.Score.search([("department_id", "=", self.finance.id), ("month", "=", NOVEMBER)])
        self.assertEqual(finance.points_deducted, 0.0)

    def test_deductions_are_configurable(self):
        self.company.write({"qms_points_responsible": 2.0, "qms_points_section_head": 1.0, "qms_points_leader": 0.0})
        score = self.section_score()
        self.assertEqual(score.points_deducted, 3.0)
        self.assertNotIn("leader", score.deduction_ids.mapped("role"))

    def test_recomputing_a_draft_month_replaces_it(self):
        first = self.section_score()
        deductions = first.deduction_ids
        again = self.section_score()
        self.assertEqual(first, again)
        self.assertEqual(len(again.deduction_ids), 3)
        self.assertEqual(again.deduction_ids, deductions, "what did not change is not written again")
        self.company.qms_points_leader = 0.5
        self.late.sudo().date_overdue = "2026-11-24"
        third = self.section_score()
        self.assertEqual(third, first)
        self.assertEqual(third.points_deducted, 2.0)
        self.assertEqual(set(third.deduction_ids.mapped("date_overdue")), {self.d("2026-11-24")})
        self.assertFalse(third.deduction_ids & deductions, "changed deductions are replaced")
        self.assertEqual(len(third.deduction_ids), 3)

    def test_published_scorecards_are_read_only(self):
        score = self.section_score()
        with self.assertRaises(UserError, msg="only the QMS office publishes"):
            score.with_user(self.section_head).action_review()
        month = self.Score.search([("month", "=", NOVEMBER)])
        month.with_user(self.qms_manager).action_review()
        month.with_user(self.qms_manager).action_publish()
        self.assertEqual(score.state, "published")
        with self.assertRaises(UserError):
            score.with_user(self.qms_manager).write({"points_deducted": 0})
        with self.assertRaises(UserError):
            self.Score._qms_compute_month(NOVEMBER)
        with self.assertRaises(UserError):
            score.with_user(self.qms_manager).action_reset_to_draft()

    def test_heads_see_their_reviewed_scorecards_only(self):
        self.section_score()
        month = self.Score.search([("month", "=", NOVEMBER)])
        self.assertFalse(self.Score.with_user(self.bureau_head).search([("month", "=", NOVEMBER)]),
                         "drafts stay with the QMS office")
        month.with_user(self.qms_manager).action_review()
        visible = self.Score.with_user(self.bureau_head).search([("month", "=", NOVEMBER)])
        self.assertEqual(visible.department_id, self.bureau | self.section)

    def test_monthly_scoring_is_batched(self):
        # only this test's late items: the demo's (dated from the day it was installed) may or may not fall in
        # November, and each kind of late item reads its owners once
        for model in ("qms.nonconformity", "qms.action", "qms.complaint"):
            demo_late = self.env[model].sudo().search([("date_overdue", ">=", NOVEMBER),
                                                       ("date_overdue", "<", date(2026, 12, 1))]).filtered(
                lambda item: item != self.late)
            demo_late.write({"date_overdue": False})

        def queries():
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.cr.sql_log_count
            self.Score._qms_compute_month(NOVEMBER)
            return self.cr.sql_log_count - before

        queries()
        few = queries()
        owners = [self.clerk, self.author, self.reviewer, self.approver]
        self.Action.create([{"nonconformity_id": self.nc.id, "name": f"Late {i}", "owner_id": owners[i % 4].id,
                             "date_deadline": "2026-11-20"} for i in range(20)])
        with freeze_time("2026-11-23"):
            self.Action._cron_escalate()
        sections = self.env["hr.department"].create([{"name": f"Section {i}", "parent_id": self.bureau.id}
                                                     for i in range(30)])
        self.make_nc(department_id=sections[0].id)
        queries()
        self.assertEqual(queries(), few, "no query per overdue item or per department")
        self.env.invalidate_all()
        # the departments, the month's scorecards, their heads (employees, users), the statement computing and
        # writing the figures, the scorecards and their deductions: 7 whatever the number of departments and items
        with self.assertQueryCount(7):
            self.Score._qms_compute_month(NOVEMBER)

    def test_deductions_follow_each_items_owner_and_name(self):
        """The cascade is computed in SQL: each kind of item's person responsible is its _qms_ladder_owner, the
        section head and the leader the department's _qms_head_user and _qms_parent_head_user, the item's name its
        display_name."""
        unowned = self.make_nc(title="Fee table out of date", department_id=self.finance.id)  # its head answers
        complaint = self.env["qms.complaint"].with_user(self.clerk).create({
            "subject": "Licence fee charged twice", "description": "Charged twice at counter 3.", "kind": "complaint",
            "channel": "counter", "citizen_name": "Ms Li", "citizen_phone": "13800000000"})
        for item in (unowned, complaint):
            item.sudo().write({"date_overdue": "2026-11-25", "department_id": self.finance.id})
        self.nc.sudo().write({"owner_id": self.author.id, "date_overdue": "2026-11-24"})
        scores = self.Score._qms_compute_month(NOVEMBER)
        items = (unowned | self.nc, self.late, complaint)
        deductions = scores.deduction_ids
        for records in items:
            for item in records:
                mine = deductions.filtered(lambda d, i=item: (d.res_model, d.res_id) == (i._name, i.id))
                department = item.department_id
                self.assertEqual({d.role: d.user_id for d in mine}, {
                    "responsible": item._qms_ladder_owner(), "section_head": department._qms_head_user(),
                    "leader": department._qms_parent_head_user()}, item.display_name)
                self.assertEqual(set(mine.mapped("item_name")), {item.display_name})
                self.assertEqual(mine.score_id.department_id, department)
                self.assertEqual(set(mine.mapped("date_overdue")), {item.date_overdue})
        self.assertEqual(unowned._qms_ladder_owner(), self.other_head, "no handler yet: the head answers")
        self.assertEqual(complaint._qms_ladder_owner(), self.clerk, "not assigned yet: its receiver answers")
        finance = scores.filtered(lambda score: score.department_id == self.finance)
        self.assertEqual((finance.overdue_count, finance.points_deducted), (2, 2 * 1.75))
        self.assertEqual(finance.company_id, self.company)
        self.assertEqual(set(deductions.mapped("company_id")), {self.company})

    def test_every_stored_field_is_written_by_the_computation(self):
        """_qms_compute_month writes the scorecards and deductions in SQL: a new stored field must be added there
        (its value, or its default), which this test reminds whoever adds one."""
        written = {
            "qms.department.score": {"department_id", "company_id", "month", "state", "raised_count", "closed_count",
                                     "closed_on_time_count", "on_time_rate", "avg_days_to_close", "overdue_count",
                                     "supervised_count", "recurrence_count", "complaint_late_count",
                                     "complaint_dissatisfied_count", "points_deducted"},
            "qms.score.deduction": {"score_id", "company_id", "user_id", "role", "points", "res_model", "res_id",
                                    "item_name", "date_overdue"},
        }
        for model, names in written.items():
            stored = {name for name, field in self.env[model]._fields.items() if field.store and field.column_type}
            self.assertEqual(stored - {"id", "create_uid", "create_date", "write_uid", "write_date"}, names, model)
