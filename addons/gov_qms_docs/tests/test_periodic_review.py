from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestPeriodicReview(QmsDocsCase):
    def setUp(self):
        super().setUp()
        self.document = self.make_document(review_interval_months=6)
        self.make_effective(self.document, effective_date=self.d("2026-05-04"))
        self.Document = self.env["qms.document"]

    def review_todos(self):
        return self.document.activity_ids.filtered(lambda a: a.summary == "Periodic review due")

    def controller_notices(self):
        return self.document.message_ids.filtered(lambda m: self.controller.partner_id in m.partner_ids)

    def test_next_review_date_follows_the_interval(self):
        self.assertEqual(self.document.date_deadline, self.d("2026-11-04"))
        self.assertEqual(self.document.last_review_date, self.d("2026-05-04"))

    def test_todo_thirty_days_ahead_then_overdue_flag_and_controller_told(self):
        self.Document._cron_escalate(today=self.d("2026-10-04"))
        self.assertFalse(self.review_todos(), "31 days ahead: nothing yet")
        self.Document._cron_escalate(today=self.d("2026-10-05"))
        self.assertEqual(self.review_todos().user_id, self.author)
        self.Document._cron_escalate(today=self.d("2026-10-20"))
        self.assertEqual(len(self.review_todos()), 1, "the owner gets one to-do, not one a day")
        self.Document._cron_escalate(today=self.d("2026-11-04"))
        self.assertFalse(self.document.is_review_overdue, "due today is not yet overdue")
        self.Document._cron_escalate(today=self.d("2026-11-05"))
        self.assertTrue(self.document.is_review_overdue)
        self.assertEqual(len(self.controller_notices()), 1)
        self.assertIn(self.qms_manager.partner_id, self.controller_notices().partner_ids,
                      "QMS managers are document controllers too")
        self.Document._cron_escalate(today=self.d("2026-11-06"))
        self.assertEqual(len(self.controller_notices()), 1, "told once")
        self.assertIn(self.document, self.Document.search([("is_review_overdue", "=", True)]))

    def test_missed_month_catches_up_once(self):
        self.Document._cron_escalate(today=self.d("2026-12-01"))
        self.assertEqual(len(self.review_todos()), 1)
        self.assertEqual(len(self.controller_notices()), 1)
        self.assertTrue(self.document.is_review_overdue)

    def test_review_without_change_schedules_the_next_one(self):
        self.Document._cron_escalate(today=self.d("2026-12-01"))
        self.document.with_user(self.author).action_mark_reviewed()
        self.assertEqual(self.document.escalation_level, 0)
        self.assertFalse(self.document.is_review_overdue)
        self.assertFalse(self.review_todos(), "the to-do is marked done")
        self.assertGreater(self.document.date_deadline, self.d("2026-12-01"))

    def test_only_owner_head_or_controller_marks_reviewed(self):
        self.document.with_user(self.bureau_head).action_mark_reviewed()
        self.document.with_user(self.controller).action_mark_reviewed()
        with self.assertRaises(UserError):
            self.document.with_user(self.other_head).action_mark_reviewed()
