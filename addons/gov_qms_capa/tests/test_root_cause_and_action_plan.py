from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QmsCapaCase


@tagged("post_install", "-at_install")
class TestRootCauseAndActionPlan(QmsCapaCase):
    """The 5 Whys answer the root cause (no second typing), and a missed action plan date shows."""

    def analysed(self, **values):
        nc = self.make_nc(**values)
        nc.with_user(self.section_head).action_triage_capa()
        if nc.severity == "major":
            nc.with_user(self.section_head).write({"containment_description": "Licences of the week re-checked",
                                                   "containment_by_id": self.clerk.id,
                                                   "containment_date": "2026-11-02"})
        nc.with_user(self.section_head).action_start_analysis()
        return nc

    def test_the_last_why_is_the_root_cause(self):
        nc = self.analysed()
        nc.with_user(self.section_head).write({"why_ids": [
            (0, 0, {"sequence": 1, "question": "Why was the licence issued without the inspection?",
                    "answer": "The clerk did not see that an inspection was needed."}),
            (0, 0, {"sequence": 3, "question": "Why does the checklist not ask for it?",
                    "answer": "The checklist predates the 2025 regulation."}),
            (0, 0, {"sequence": 2, "question": "Why did the clerk not see it?",
                    "answer": "The licence checklist does not ask for the inspection record."}),
        ]})
        self.assertEqual(nc.root_cause_from_analysis, "The checklist predates the 2025 regulation.")
        self.add_action(nc)
        nc.with_user(self.section_head).action_plan_actions()
        self.assertEqual(nc.state, "action")
        self.assertEqual(nc.root_cause, "The checklist predates the 2025 regulation.", "the last Why, by order")

    def test_a_written_root_cause_is_kept(self):
        nc = self.analysed()
        nc.with_user(self.section_head).write({
            "root_cause": "No owner for the checklist.",
            "why_ids": [(0, 0, {"question": "Why?", "answer": "The checklist is old."})]})
        self.add_action(nc)
        nc.with_user(self.section_head).action_plan_actions()
        self.assertEqual(nc.root_cause, "No owner for the checklist.")

    def test_fishbone_root_causes(self):
        nc = self.analysed(rca_method="fishbone")
        nc.with_user(self.section_head).write({"cause_ids": [
            (0, 0, {"category": "procedure", "description": "Checklist without the inspection", "is_root": True}),
            (0, 0, {"category": "people", "description": "New clerk", "is_root": False}),
            (0, 0, {"category": "information", "description": "Regulation not circulated", "is_root": True}),
        ]})
        self.add_action(nc)
        nc.with_user(self.section_head).action_plan_actions()
        self.assertEqual(nc.root_cause,
                         "Procedure: Checklist without the inspection; Information: Regulation not circulated")

    def test_no_analysis_no_plan(self):
        nc = self.analysed()
        self.add_action(nc)
        with self.assertRaises(UserError) as error:
            nc.with_user(self.section_head).action_plan_actions()
        self.assertIn("answer the 5 Whys", str(error.exception))
        self.assertFalse(nc.root_cause_from_analysis)
        self.assertEqual(nc.state, "analysis")

    def test_a_missed_action_plan_date_is_flagged(self):
        major = self.analysed(severity="major")  # action plan in 5 working days: due Monday 9 November
        self.assertEqual(str(major.date_action_plan_due), "2026-11-09")
        minor = self.analysed()
        self.assertFalse(minor.date_action_plan_due, "no action plan date for a minor one")
        NC = self.NC.with_user(self.qms_manager)
        with freeze_time("2026-11-09"):
            major.invalidate_recordset(["is_action_plan_late"])
            self.assertFalse(major.is_action_plan_late, "due today: not late yet")
            self.assertFalse(NC.search([("is_action_plan_late", "=", True), ("id", "in", (major | minor).ids)]))
        with freeze_time("2026-11-10"):
            major.invalidate_recordset(["is_action_plan_late"])
            self.assertTrue(major.is_action_plan_late)
            self.assertEqual(NC.search([("is_action_plan_late", "=", True), ("id", "in", (major | minor).ids)]),
                             major)
            self.assertEqual(NC.search([("is_action_plan_late", "=", False), ("id", "in", (major | minor).ids)]),
                             minor)
        # the department head sees it too, in the list and on the form
        self.assertTrue(major.with_user(self.section_head).is_action_plan_late)
        self.assertIn("is_action_plan_late", self.NC.get_view(view_type="list")["arch"])
        search_arch = self.NC.get_view(view_type="search")["arch"]
        self.assertIn('name="action_plan_late"', search_arch)
        major.with_user(self.section_head).write({"root_cause": "Checklist out of date"})
        self.add_action(major)
        major.with_user(self.section_head).action_plan_actions()
        major.invalidate_recordset(["is_action_plan_late"])
        self.assertFalse(major.is_action_plan_late, "planned: no longer late")
