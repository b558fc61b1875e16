from datetime import date, timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestCalendarDays(QmsDocsCase):
    """Statutory holidays and make-up working days (调休) in every working-day count.

    The company works Monday to Friday (the fixture); the State Council's 2026 arrangement is shipped as
    data for the main company: the Spring Festival from Sunday 15 to Monday 23 February off, Saturdays 14
    and 28 February worked; National Day from 1 to 7 October off, Sunday 20 September and Saturday
    10 October worked.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Day = cls.env["qms.calendar.day"]
        cls.Mixin = cls.env["qms.deadline.mixin"]

    def add(self, day, count, company=None):
        return self.Mixin._qms_add_working_days(self.d(day), count, company or self.company).isoformat()

    def test_the_official_2026_arrangement_is_shipped(self):
        days = self.Day.search([("company_id", "=", self.company.id), ("date", ">=", "2026-01-01"),
                                ("date", "<=", "2026-12-31")])
        worked = days.filtered(lambda day: day.kind == "workday")
        self.assertEqual([day.date.isoformat() for day in worked],
                         ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"])
        self.assertEqual(len(days - worked), 33, "3 + 9 + 3 + 5 + 3 + 3 + 7 days off")
        self.assertEqual(self.env.ref("gov_qms_docs.calendar_day_20260214").name, "春节 (Spring Festival)")
        provisional = self.Day.search([("company_id", "=", self.company.id), ("date", ">=", "2027-01-01")])
        self.assertEqual(len(provisional), 13, "2027: the statutory days only, until the notice is entered")
        self.assertTrue(all("provisional" in day.name for day in provisional))
        self.assertEqual(self.env.ref("gov_qms_docs.calendar_day_20270206").name,
                         "春节 (Spring Festival) (provisional: replace with the State Council notice)")

    def test_a_make_up_saturday_is_worked_and_the_holiday_is_not(self):
        self.assertEqual(self.add("2026-02-13", 1), "2026-02-14", "Friday + 1: the make-up Saturday (调休)")
        self.assertEqual(self.add("2026-02-13", 2), "2026-02-24", "+ 2: Tuesday after the Spring Festival")
        self.assertEqual(self.add("2026-02-24", -1), "2026-02-14", "backwards too")
        self.assertEqual(self.add("2026-02-24", -2), "2026-02-13")
        self.assertEqual(self.add("2026-02-27", 1), "2026-02-28", "the second make-up Saturday")
        self.assertEqual(self.add("2026-02-27", 2), "2026-03-02")
        self.assertEqual(self.add("2026-09-18", 1), "2026-09-20", "a make-up Sunday before National Day")
        self.assertEqual(self.add("2026-09-30", 1), "2026-10-08", "National Day week off")
        self.assertEqual(self.add("2026-09-30", 3), "2026-10-10", "then Saturday 10 October is worked")
        self.assertEqual(self.add("2026-06-18", 1), "2026-06-22", "Dragon Boat Friday off")
        self.assertEqual(self.add("2026-11-20", 1), "2026-11-23", "an ordinary weekend is still off")
        working = self.Mixin._qms_working_days(self.company)
        self.assertTrue(working.is_working(self.d("2026-02-14")))
        self.assertFalse(working.is_working(self.d("2026-02-16")))
        self.assertFalse(working.is_working(self.d("2026-02-21")))

    def test_the_calendar_public_holidays_still_count(self):
        """Holidays declared on the working-time calendar (its leaves) are still days off."""
        self.env["resource.calendar.leaves"].create({
            "name": "Local holiday", "calendar_id": self.calendar.id, "resource_id": False,
            "date_from": "2026-11-02 16:00:00", "date_to": "2026-11-03 15:59:59",  # Tuesday 3, Beijing time
        })
        self.assertEqual(self.add("2026-11-02", 1), "2026-11-04")
        self.assertEqual(self.add("2026-09-30", 3), "2026-10-10", "together with the holidays of the notice")

    def test_changes_count_at_once(self):
        day = self.Day.with_user(self.qms_manager).create(
            {"date": "2026-12-01", "name": "地方节日 (Local festival)"})
        self.assertEqual(day.kind, "holiday")
        self.assertEqual(day.company_id, self.company)
        self.assertEqual(self.add("2026-11-30", 1), "2026-12-02")
        day.with_user(self.qms_manager).unlink()
        self.assertEqual(self.add("2026-11-30", 1), "2026-12-01")
        self.env.ref("gov_qms_docs.calendar_day_20261010").with_user(self.qms_manager).unlink()
        self.assertEqual(self.add("2026-09-30", 3), "2026-10-12", "no make-up Saturday any more")

    def test_the_days_are_those_of_the_company(self):
        company_b = self.env["res.company"].create({"name": "Riverside District"})
        company_b.resource_calendar_id.tz = "Asia/Shanghai"
        self.assertEqual(self.add("2026-02-13", 1, company_b), "2026-02-16", "the main company's days stay its own")
        self.Day.create({"date": "2026-02-14", "kind": "workday", "name": "调休", "company_id": company_b.id})
        self.assertEqual(self.add("2026-02-13", 1, company_b), "2026-02-14")
        self.assertEqual(self.add("2026-02-13", 2, company_b), "2026-02-16")
        self.assertEqual(self.add("2026-02-13", 2), "2026-02-24", "and the other's are not the main company's")

    def test_a_deadline_is_the_same_whoever_computes_it(self):
        Ack = self.env["qms.document.acknowledgement"].with_user(self.clerk)
        self.assertEqual(Ack._qms_add_working_days(self.d("2026-02-13"), 2, self.company), self.d("2026-02-24"))

    def test_the_acknowledgement_ladder_counts_the_holidays(self):
        """A revision in force on Thursday 12 February 2026: read within 5 working days (Fri 13, Sat 14
        worked, Tue 24, Wed 25, Thu 26 February), escalated 3 working days later (Fri 27, Sat 28 worked,
        Monday 2 March)."""
        document = self.make_document(distribution_user_ids=[(6, 0, self.clerk.ids)])
        with freeze_time("2026-02-12 02:00:00"):
            revision = self.make_effective(document, effective_date=self.d("2026-02-12"), approved_on="2026-02-12")
        ack = self.env["qms.document.acknowledgement"].search([("revision_id", "=", revision.id),
                                                               ("user_id", "=", self.clerk.id)])
        self.assertEqual(ack.date_deadline, self.d("2026-02-26"))
        Ack = self.env["qms.document.acknowledgement"]
        Ack._cron_escalate(today=self.d("2026-02-26"))
        self.assertEqual(ack.escalation_level, 1, "reminded on the deadline")
        Ack._cron_escalate(today=self.d("2026-02-28"))
        self.assertEqual(ack.escalation_level, 1, "the make-up Saturday is the second working day only")
        Ack._cron_escalate(today=self.d("2026-03-02"))
        self.assertEqual(ack.escalation_level, 2)

    def test_loading_costs_the_same_for_1_or_50_deadlines(self):
        def deadlines(count):
            working = self.Mixin._qms_working_days(self.company)
            return [working.add(date(2026, 1, 5) + timedelta(days=i), 5) for i in range(count)]

        self.env.invalidate_all()
        # the company, its calendar, the calendar's attendances (2), its leaves, the holidays and make-up days
        with self.assertQueryCount(6):
            self.assertEqual(deadlines(1), [self.d("2026-01-12")])
        self.env.invalidate_all()
        with self.assertQueryCount(6):
            fifty = deadlines(50)
        self.assertEqual(fifty[39], self.d("2026-02-27"), "Friday 13 February + 5: 14 (worked), 24, 25, 26, 27")

    def test_only_the_qms_office_changes_the_days(self):
        day = self.env.ref("gov_qms_docs.calendar_day_20260214")
        for user in (self.clerk, self.bureau_head, self.controller, self.auditor):
            with self.subTest(user=user.login):
                self.assertEqual(day.with_user(user).name, "春节 (Spring Festival)", "everyone reads them")
                with self.assertRaises(AccessError):
                    day.with_user(user).write({"kind": "holiday"})
                with self.assertRaises(AccessError):
                    self.Day.with_user(user).create({"date": "2026-12-01", "name": "x"})
                with self.assertRaises(AccessError):
                    day.with_user(user).unlink()
        day.with_user(self.qms_manager).write({"name": "春节调休 (Spring Festival make-up day)"})
        self.assertEqual(day.name, "春节调休 (Spring Festival make-up day)")

    def test_one_entry_per_day_and_company(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.Day.with_user(self.qms_manager).create({"date": "2026-02-14", "kind": "holiday", "name": "Twice"})
        company_b = self.env["res.company"].create({"name": "Riverside District"})
        self.Day.create({"date": "2026-02-14", "kind": "workday", "name": "调休", "company_id": company_b.id})

    def test_a_make_up_working_day_is_a_weekend_day(self):
        with self.assertRaises(ValidationError) as error:
            self.Day.with_user(self.qms_manager).create({"date": "2026-10-09", "kind": "workday", "name": "国庆节"})
        self.assertIn("Saturday or a Sunday", str(error.exception))
        self.assertIn("Friday", str(error.exception))
