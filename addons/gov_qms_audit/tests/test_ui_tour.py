from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "qms_ui")
class TestAuditUi(HttpCase):
    """The auditor fills the checklist in during the interview: run by Odoo's test runner with Chromium."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        department = cls.env["hr.department"].create({"name": "Tour Section", "qms_code": "TOURS"})
        cls.tour_auditor = new_test_user(cls.env, login="tour_auditor", name="Tour Auditor",
                                         groups="base.group_user,gov_qms_docs.group_qms_auditor")
        lead = cls.env["qms.auditor"].create({"user_id": cls.tour_auditor.id, "is_lead": True,
                                              "date_qualified": "2020-01-01"})
        cls.audit = cls.env["qms.audit"].create({
            "department_ids": [(6, 0, department.ids)], "lead_auditor_id": lead.id,
            "date_start": "2026-11-23", "date_end": "2026-11-23",
            "line_ids": [(0, 0, {"department_id": department.id, "question": question, "sequence": sequence})
                         for sequence, question in enumerate(["Is the fee table in force?",
                                                              "Are obsolete forms withdrawn?"], start=1)],
        })
        cls.audit.action_start()

    def test_fast_checklist_entry(self):
        self.start_tour("/odoo/action-gov_qms_audit.qms_audit_action_my", "gov_qms_audit_checklist_tour",
                        login="tour_auditor")
        first, second = self.audit.line_ids.sorted("sequence")
        self.assertEqual((first.result, first.evidence), ("minor", "Counter 2 uses the fee table of 2024"))
        self.assertEqual(second.result, "conforming")
        self.assertEqual(self.audit.answered_count, 2)


@tagged("post_install", "-at_install", "qms_ui")
class TestManagementReviewUi(HttpCase):
    """The QMS manager compiles a review, reads an input's chart and figures, writes an assessment (Chromium)."""

    def test_compile_and_write_an_assessment(self):
        manager = new_test_user(self.env, login="tour_qms_manager", name="Tour QMS Manager",
                                groups="base.group_user,gov_qms_docs.group_qms_manager")
        today = fields.Date.context_today(self.env["qms.management.review"])
        review = self.env["qms.management.review"].with_user(manager).create({
            "title": "Tour Review", "date_from": today.replace(month=1, day=1), "date_to": today,
            "chair_id": manager.id})
        self.start_tour("/odoo/action-gov_qms_audit.qms_management_review_action",
                        "gov_qms_audit_management_review_tour", login="tour_qms_manager")
        self.assertEqual(review.state, "compiled")
        self.assertEqual(review.b_context_note, "New provincial rules on one-window services since March.")
        self.assertTrue(review.c3_processes_figure_ids)
        self.assertNotIn("b) Changes", review.missing_inputs)
