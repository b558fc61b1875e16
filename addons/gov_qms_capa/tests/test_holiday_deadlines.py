from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import QmsCapaCase


@tagged("post_install", "-at_install")
class TestHolidayDeadlines(QmsCapaCase):
    """Time limits and the escalation ladder over the 2026 Spring Festival and National Day (the State
    Council's arrangement shipped for the main company): 15 to 23 February off, Saturdays 14 and
    28 February worked; 1 to 7 October off, Sunday 20 September and Saturday 10 October worked."""

    def setUp(self):
        super().setUp()
        self.env["qms.time.limit.rule"].create({
            "name": "Complaint (holiday test)", "sequence": 1, "source": "complaint", "severity": "minor",
            "reply_days": 1, "close_days": 5})

    def triage(self, detected):
        with freeze_time(f"{detected} 02:00:00"):
            nc = self.make_nc(source="complaint", date_detected=detected)
            nc.with_user(self.section_head).action_triage_capa()
        return nc

    def test_a_time_limit_runs_over_the_spring_festival(self):
        nc = self.triage("2026-02-13")  # Friday
        self.assertEqual(nc.date_reply_due, self.d("2026-02-14"), "the make-up Saturday (调休) is a working day")
        self.assertEqual(nc.date_deadline, self.d("2026-02-27"), "14 (worked), 24, 25, 26, 27 February")

    def test_a_time_limit_runs_over_national_day(self):
        nc = self.triage("2026-09-30")  # Wednesday
        self.assertEqual(nc.date_reply_due, self.d("2026-10-08"), "1 to 7 October off")
        self.assertEqual(nc.date_deadline, self.d("2026-10-13"), "8, 9, 10 (worked), 12, 13 October")

    def nc_in_analysis(self):
        with freeze_time("2026-02-02 02:00:00"):
            nc = self.make_nc(date_detected="2026-02-02")
            nc.with_user(self.section_head).action_triage_capa()
            nc.with_user(self.section_head).action_start_analysis()
            nc.with_user(self.section_head).write({"root_cause": "The checklist lacks the site inspection."})
        return nc

    def test_the_ladder_counts_the_same_days(self):
        """An action due Wednesday 25 February: reminded 3 working days before (Tue 24, Sat 14 worked,
        Fri 13), overdue on the 25th, supervised 5 working days later (26, 27, Sat 28 worked, 2 and
        Tuesday 3 March)."""
        nc = self.nc_in_analysis()
        with freeze_time("2026-02-02 02:00:00"):
            action = self.add_action(nc, date_deadline="2026-02-25")
            nc.with_user(self.section_head).action_plan_actions()
        for day, level in [("2026-02-12", 0), ("2026-02-13", 1), ("2026-02-24", 1), ("2026-02-25", 2),
                           ("2026-03-02", 2), ("2026-03-03", 3)]:
            with freeze_time(day):
                self.Action._cron_escalate()
            self.assertEqual(action.escalation_level, level, day)
        self.assertEqual(action.date_overdue, self.d("2026-02-25"))
        self.assertTrue(action.is_supervised)

    def test_the_ladder_loads_the_days_once_for_1_or_50_items(self):
        """On Friday 13 February the reminder (3 working days ahead: 14 worked, 24, 25) is due for the
        actions due up to Wednesday 25 February; the days are read once whatever the number of actions."""
        nc = self.nc_in_analysis()
        actions = self.Action.create([
            {"nonconformity_id": nc.id, "name": f"Action {i}", "owner_id": self.clerk.id,
             "date_deadline": date(2026, 2, 2) + timedelta(days=i)} for i in range(50)])

        def due(records):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            result = records._qms_escalation_due(self.d("2026-02-13"), {})
            return result, self.cr.sql_log_count - before

        (_due_one, one), (due_all, fifty) = due(actions[:1]), due(actions)
        self.assertEqual(fifty, one, "no query per item")
        self.assertEqual(due_all, actions.filtered(lambda action: action.date_deadline <= date(2026, 2, 25)))
        self.env.invalidate_all()
        with self.assertQueryCount(7):  # the actions, their company, its calendar and attendances (2), leaves, days
            actions._qms_escalation_due(self.d("2026-02-13"), {})
