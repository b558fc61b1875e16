from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QmsCapaCase


@tagged("post_install", "-at_install")
class TestAction(QmsCapaCase):
    def setUp(self):
        super().setUp()
        self.nc = self.make_nc()
        self.action = self.to_action_stage(self.nc)

    def test_done_needs_evidence_and_the_owner(self):
        with self.assertRaises(UserError, msg="no evidence"):
            self.action.with_user(self.clerk).action_done()
        self.action.with_user(self.clerk).write({"evidence_note": "Checklist v2 published"})
        with self.assertRaises(UserError, msg="only the owner marks it done"):
            self.action.with_user(self.author).action_done()
        self.action.with_user(self.clerk).action_done()
        self.assertEqual(self.action.state, "done")
        self.assertTrue(self.action.date_done)

    def test_an_attachment_is_evidence_too(self):
        proof = self.env["ir.attachment"].with_user(self.clerk).create({"name": "checklist-v2.pdf", "raw": b"%PDF"})
        self.action.with_user(self.clerk).write({"evidence_attachment_ids": [(6, 0, proof.ids)]})
        self.action.with_user(self.clerk).action_done()
        self.assertEqual(self.action.state, "done")

    def test_extension_approved_keeps_the_original_due_date(self):
        with self.assertRaises(UserError, msg="a reason is needed"):
            self.action.with_user(self.clerk)._action_request_extension(self.d("2026-11-27"), "")
        with self.assertRaises(UserError, msg="later than the current date"):
            self.action.with_user(self.clerk)._action_request_extension(self.d("2026-11-19"), "Printer broken")
        self.action.with_user(self.clerk)._action_request_extension(self.d("2026-11-27"), "Waiting for the new form")
        self.assertEqual(self.action.extension_state, "requested")
        head_todos = self.action.activity_ids.filtered(lambda a: a.user_id == self.section_head)
        self.assertTrue(head_todos, "the department head is asked to decide")
        with self.assertRaises(UserError, msg="the owner does not decide"):
            self.action.with_user(self.clerk).action_approve_extension()
        with self.assertRaises(UserError, msg="another department's head does not decide"):
            self.action.with_user(self.other_head).action_approve_extension()
        self.action.with_user(self.section_head).action_approve_extension()
        self.assertEqual(self.action.date_deadline, self.d("2026-11-27"))
        self.assertEqual(self.action.original_deadline, self.d("2026-11-20"))
        self.assertEqual(self.action.extension_state, "approved")

    def test_extension_refused_with_a_reason(self):
        self.action.with_user(self.clerk)._action_request_extension(self.d("2026-11-27"), "Busy")
        with self.assertRaises(UserError):
            self.action.with_user(self.section_head)._action_refuse_extension("")
        self.action.with_user(self.section_head)._action_refuse_extension("The licence law fixes the date")
        self.assertEqual(self.action.extension_state, "refused")
        self.assertEqual(self.action.date_deadline, self.d("2026-11-20"))

    def test_action_due_before_detection_is_refused(self):
        with self.assertRaises(Exception) as error:
            self.add_action(self.nc, date_deadline="2026-10-01")
        self.assertIn("before the nonconformity was found", str(error.exception))

    def test_improvement_action_without_nonconformity(self):
        action = self.Action.with_user(self.section_head).create({
            "name": "Offer online booking of counter appointments", "action_type": "improvement",
            "department_id": self.section.id, "owner_id": self.clerk.id, "date_deadline": "2026-12-31"})
        self.assertEqual(action.activity_ids.user_id, self.clerk)
