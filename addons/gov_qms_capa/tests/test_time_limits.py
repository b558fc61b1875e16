from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import QmsCapaCase


@tagged("post_install", "-at_install")
class TestTimeLimits(QmsCapaCase):
    def triage(self, **values):
        nc = self.make_nc(**values)
        nc.with_user(self.section_head).action_triage_capa()
        return nc

    def test_deadlines_follow_the_most_specific_rule_in_working_days(self):
        complaint = self.triage(source="complaint", severity="minor")
        self.assertEqual(complaint.date_reply_due, self.d("2026-11-03"))
        self.assertEqual(complaint.date_deadline, self.d("2026-11-09"), "5 working days, weekend skipped")
        major = self.triage(severity="major")
        self.assertEqual(major.date_action_plan_due, self.d("2026-11-09"))
        self.assertEqual(major.date_deadline, self.d("2026-12-14"))

    def test_public_holidays_push_the_deadline(self):
        self.env["resource.calendar.leaves"].create({
            "name": "Local holiday", "calendar_id": self.calendar.id, "resource_id": False,
            "date_from": "2026-11-02 16:00:00", "date_to": "2026-11-04 15:59:59",  # Tue 3 and Wed 4, Beijing time
        })
        complaint = self.triage(source="complaint")
        self.assertEqual(complaint.date_reply_due, self.d("2026-11-05"))
        self.assertEqual(complaint.date_deadline, self.d("2026-11-11"))

    def test_a_specific_rule_wins(self):
        rule = self.env["qms.time.limit.rule"].create({
            "name": "Major complaint", "source": "complaint", "severity": "major", "reply_days": 1,
            "action_plan_days": 2, "close_days": 10})
        nc = self.triage(source="complaint", severity="major", containment_description="x")
        self.assertEqual(nc.time_limit_rule_id, rule)
        self.assertEqual(nc.date_deadline, self.d("2026-11-16"))

    def test_bad_rules_are_refused(self):
        Rule = self.env["qms.time.limit.rule"]
        with self.assertRaises(ValidationError):
            Rule.create({"name": "Zero", "close_days": 0})
        with self.assertRaises(ValidationError):
            Rule.create({"name": "Backwards", "reply_days": 10, "close_days": 5})
