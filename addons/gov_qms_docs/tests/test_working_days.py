from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestWorkingDays(TransactionCase):
    def setUp(self):
        super().setUp()
        self.company = self.env.company
        self.company.resource_calendar_id.tz = "Asia/Shanghai"
        self.Mixin = self.env["qms.document"]

    def add(self, day, count):
        from datetime import date
        return self.Mixin._qms_add_working_days(date.fromisoformat(day), count, self.company).isoformat()

    def test_weekends_are_skipped(self):
        self.assertEqual(self.add("2026-11-20", 1), "2026-11-23", "Friday + 1 working day is Monday")
        self.assertEqual(self.add("2026-11-21", 1), "2026-11-23", "from a Saturday too")
        self.assertEqual(self.add("2026-11-23", 5), "2026-11-30")
        self.assertEqual(self.add("2026-11-23", -1), "2026-11-20", "backwards")
        self.assertEqual(self.add("2026-11-23", 0), "2026-11-23")

    def test_public_holidays_are_skipped(self):
        # National Day week, declared on the company calendar as a public holiday
        self.env["resource.calendar.leaves"].create({
            "name": "National Day", "calendar_id": self.company.resource_calendar_id.id, "resource_id": False,
            "date_from": "2026-09-30 16:00:00", "date_to": "2026-10-07 15:59:59",
        })
        self.assertEqual(self.add("2026-09-30", 1), "2026-10-08")
        # Saturday 10 October 2026 is a make-up working day (调休) of the State Council's arrangement (shipped data)
        self.assertEqual(self.add("2026-09-30", 3), "2026-10-10")
