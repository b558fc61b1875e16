from datetime import date

from odoo.tests import tagged

from .common import QmsAuditCase


@tagged("post_install", "-at_install")
class TestNotification(QmsAuditCase):
    """Audit plans go out 5 working days before the audit (Monday 30 November 2026: Monday 23rd)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.qms_audit_notice_days = 5
        cls.Audit = cls.env["qms.audit"]

    def plan_messages(self, audit):
        return audit.message_ids.filtered(lambda m: (m.subject or "").startswith("Audit plan"))

    def test_plan_sent_once_by_mail_with_a_calendar_event(self):
        audit = self.make_audit(date_start="2026-11-30", date_end="2026-12-01",
                                objectives="Licences issued within the time limits")
        self.Audit._cron_escalate(today=date(2026, 11, 20))
        self.assertEqual((audit.state, audit.calendar_event_id), ("planned", self.env["calendar.event"]),
                         "too early")
        self.Audit._cron_escalate(today=date(2026, 11, 23))
        self.assertEqual(audit.state, "notified")
        self.assertTrue(audit.date_notified)

        message = self.plan_messages(audit)
        self.assertEqual(len(message), 1)
        self.assertIn(self.section_head.partner_id, message.partner_ids, "the auditee and head of the section")
        self.assertIn("Licences issued within the time limits", message.body)
        self.assertIn("Hu Auditor", message.body)
        self.assertIn(audit.name, message.subject)
        self.assertTrue(message.attachment_ids.filtered(lambda a: a.name.endswith(".ics")), "the invitation file")
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertIn(self.section_head.partner_id, mail.recipient_ids, "sent by e-mail")

        event = audit.calendar_event_id
        self.assertTrue(event.allday)
        self.assertEqual((event.start_date, event.stop_date), (date(2026, 11, 30), date(2026, 12, 1)))
        self.assertTrue((self.section_head | self.auditor | self.auditor2).partner_id <= event.partner_ids,
                        "auditees and the audit team")
        self.assertEqual((event.res_model, event.res_id), ("qms.audit", audit.id))
        self.assertIn(self.section_head, audit.activity_ids.user_id, "a to-do to prepare")

        self.Audit._cron_escalate(today=date(2026, 11, 24))
        self.Audit._cron_escalate(today=date(2026, 11, 30))
        self.assertEqual(len(self.plan_messages(audit)), 1, "sent once")
        self.assertEqual(self.env["calendar.event"].search_count([("res_model", "=", "qms.audit"),
                                                                  ("res_id", "=", audit.id)]), 1)

    def test_missed_notice_days_are_caught_up(self):
        audit = self.make_audit(date_start="2026-11-25", date_end="2026-11-25")
        self.Audit._cron_escalate(today=date(2026, 11, 24))  # the job did not run on the 18th
        self.assertEqual(audit.state, "notified")
        self.assertEqual(len(self.plan_messages(audit)), 1)

    def test_notify_button_sends_now_and_the_job_not_again(self):
        audit = self.make_audit(date_start="2026-12-14", date_end="2026-12-14")
        audit.with_user(self.qms_manager).action_notify()
        self.assertEqual(audit.state, "notified")
        self.Audit._cron_escalate(today=date(2026, 12, 7))
        self.assertEqual(len(self.plan_messages(audit)), 1)

    def test_moving_a_notified_audit_moves_the_event_and_tells_the_auditees(self):
        audit = self.make_audit(date_start="2026-11-30", date_end="2026-11-30")
        self.Audit._cron_escalate(today=date(2026, 11, 23))
        audit.with_user(self.qms_manager).write({"date_start": "2026-12-03", "date_end": "2026-12-04"})
        self.assertEqual(audit.calendar_event_id.start_date, date(2026, 12, 3))
        moved = audit.message_ids.filtered(lambda m: "has moved" in (m.body or ""))
        self.assertEqual(len(moved), 1)
        self.assertIn(self.section_head.partner_id, moved.partner_ids)

    def test_notice_period_is_a_setting(self):
        audit = self.make_audit(date_start="2026-11-30", date_end="2026-11-30")
        self.company.qms_audit_notice_days = 10
        self.Audit._cron_escalate(today=date(2026, 11, 16))
        self.assertEqual(audit.state, "notified", "10 working days before the 30th is the 16th")
