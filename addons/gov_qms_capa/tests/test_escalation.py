from freezegun import freeze_time

from odoo.tests import tagged

from .common import QmsCapaCase


@tagged("post_install", "-at_install")
class TestEscalation(QmsCapaCase):
    """The ladder on an action due Friday 2026-11-20: reminder Tuesday 17 (3 working days before),
    overdue on the 20th (the section head is told), supervised Friday 27 (5 working days later,
    the bureau head above is told)."""

    def setUp(self):
        super().setUp()
        self.nc = self.make_nc()
        self.action = self.to_action_stage(self.nc)

    def run_job(self, day):
        with freeze_time(day):
            self.Action._cron_escalate()

    def todos(self, user, summary):
        return self.action.activity_ids.filtered(lambda a: a.user_id == user and a.summary == summary)

    def notes(self, text):
        return self.action.message_ids.filtered(lambda m: text in (m.body or ""))

    def digest(self, user, day, kind="actions"):
        """What the daily digest of `day` lists for `user`: {record: status}."""
        with freeze_time(day):
            run = self.env["qms.digest"]._qms_digest_run(user, self.d(day))
        return {record: status for record, (status, _responsible) in run.rows[user.id][kind].items()}

    def test_every_step_once_and_only_once(self):
        self.run_job("2026-11-16")
        self.assertEqual(self.action.escalation_level, 0)
        self.run_job("2026-11-17")
        self.assertEqual(len(self.todos(self.clerk, "Deadline approaching")), 1)
        self.assertEqual(len(self.notes("Reminder: due on")), 1)
        self.run_job("2026-11-18")
        self.assertEqual(len(self.todos(self.clerk, "Deadline approaching")), 1, "not reminded twice")
        self.run_job("2026-11-20")
        # the department head is told in their daily digest, not by a to-do per item (issue 13)
        self.assertFalse(self.todos(self.section_head, "Overdue item"))
        self.assertEqual(self.digest(self.section_head, "2026-11-20"), {self.action: "overdue"},
                         "the department head is told")
        self.assertEqual(self.action.date_overdue, self.d("2026-11-20"))
        self.assertFalse(self.action.is_supervised)
        self.run_job("2026-11-26")
        self.assertFalse(self.action.is_supervised)
        self.run_job("2026-11-27")
        self.assertTrue(self.action.is_supervised)
        self.assertFalse(self.todos(self.bureau_head, "Supervised item (挂牌督办)"))
        self.assertEqual(self.digest(self.bureau_head, "2026-11-27"), {self.action: "supervised"},
                         "the head of the level above is told")
        for day in ("2026-11-27", "2026-11-30", "2026-12-15"):
            self.run_job(day)
        self.assertEqual(len(self.notes("Reminder: due on")), 1)
        self.assertEqual(len(self.notes("Overdue since")), 1)
        self.assertEqual(len(self.notes("Now a supervised item")), 1)
        self.assertTrue(self.env["qms.supervised.item"].search([("res_model", "=", "qms.action"),
                                                                ("res_id", "=", self.action.id)]))

    def test_a_missed_week_sends_each_step_once(self):
        self.run_job("2026-11-30")
        self.assertEqual(self.action.escalation_level, 3)
        self.assertEqual(len(self.notes("Reminder: due on")), 1)
        self.assertEqual(len(self.notes("Overdue since")), 1)
        self.assertEqual(len(self.notes("Now a supervised item")), 1)
        self.assertEqual(self.action.date_overdue, self.d("2026-11-20"), "overdue since the deadline, not the catch-up")
        self.run_job("2026-11-30")
        self.assertEqual(len(self.action.message_ids.filtered(lambda m: "Reminder" in (m.body or ""))), 1)

    def test_more_time_starts_a_new_ladder(self):
        self.run_job("2026-11-30")
        self.assertTrue(self.action.is_supervised)
        self.action.with_user(self.clerk)._action_request_extension(self.d("2026-12-18"), "Waiting for the law")
        self.action.with_user(self.section_head).action_approve_extension()
        self.assertEqual(self.action.escalation_level, 0)
        self.assertTrue(self.action.is_supervised, "more time does not strike a supervised item off the board")
        self.run_job("2026-12-01")
        self.assertEqual(self.action.escalation_level, 0)

    def test_done_actions_are_left_alone(self):
        self.finish_action(self.action)
        self.run_job("2026-11-30")
        self.assertEqual(self.action.escalation_level, 0)

    def test_nonconformities_climb_the_same_ladder(self):
        with freeze_time("2026-12-14"):
            self.NC._cron_escalate()
        self.assertEqual(self.nc.escalation_level, 2)
        self.assertEqual(self.nc.date_overdue, self.d("2026-12-14"))
        self.assertEqual(self.digest(self.section_head, "2026-12-14", "nonconformities").get(self.nc), "overdue",
                         "the head is told in their daily digest")

    def test_the_job_is_batched(self):
        """No query per record: 4 or 24 overdue actions cost the same number of queries."""
        def overdue_actions(count):
            owners = [self.clerk, self.author, self.reviewer, self.approver]
            return self.Action.create([
                {"nonconformity_id": self.nc.id, "name": f"Action {i}", "owner_id": owners[i % 4].id,
                 "date_deadline": "2026-11-20"} for i in range(count)])

        def queries(records):
            self.env.invalidate_all()
            self.env.flush_all()
            other = self.Action.search([("id", "not in", records.ids)])
            other.filtered(lambda action: not action.is_locked).write({"escalation_level": 3})
            self.env.flush_all()
            before = self.cr.sql_log_count
            with freeze_time("2026-11-30"):
                self.Action._cron_escalate()
            return self.cr.sql_log_count - before

        queries(overdue_actions(4))  # warm the caches
        few = overdue_actions(4)
        queries_few = queries(few)
        many = overdue_actions(24)
        self.assertEqual(queries(many), queries_few)
        self.assertEqual(set(many.mapped("escalation_level")), {3})
        more = overdue_actions(24)
        (self.Action.search([]) - more).filtered(lambda action: not action.is_locked).write({"escalation_level": 3})
        self.env.invalidate_all()
        # 3 steps x 24 items, batched: the notes in one insert, the owners' to-dos and followers in one (26 to 28
        # measured with the caches' warmth; 112 when each step posted its own notes and the heads had to-dos)
        with freeze_time("2026-11-30"), self.assertQueryCount(30):
            self.Action._cron_escalate()
        self.assertEqual(set(more.mapped("escalation_level")), {3})
