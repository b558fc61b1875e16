from freezegun import freeze_time

from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.tests import tagged

from .common import QmsCapaCase


@tagged("post_install", "-at_install")
class TestDailyDigest(QmsCapaCase):
    """The daily digest on Monday 30 November 2026, after the escalation job of the day. The clerk's actions in the
    Licensing Section: one due Wednesday 2 December (due soon: the reminder period is 3 working days), one due
    Thursday 26 November (overdue), one due at the end of the year (not listed); the author's action due Friday
    20 November is a supervised item (5 working days after its deadline)."""

    def setUp(self):
        super().setUp()
        self.nc = self.make_nc()
        self.first = self.to_action_stage(self.nc)  # the clerk's, due 20 November (the fixture's)
        self.first.with_context(qms_transition=TRANSITION).write({"date_deadline": "2026-12-31"})
        self.soon = self.add_action(self.nc, name="Train the counter staff", date_deadline="2026-12-02")
        self.late = self.add_action(self.nc, name="Check last month's licences", date_deadline="2026-11-26")
        self.supervised = self.add_action(self.nc, owner=self.author, name="Publish the checklist",
                                          date_deadline="2026-11-20")
        self.Mail = self.env["mail.mail"].sudo()

    def send(self, day="2026-11-30"):
        """The escalation job of the day, then the digest job; the digests queued, {user: mail}."""
        before = self.Mail.search([]).ids
        with freeze_time(f"{day} 07:30:00"):
            self.Action._cron_escalate()
            self.NC._cron_escalate()
            self.env["qms.digest"]._cron_send_digest()
        mails = self.Mail.search([("id", "not in", before)])
        by_user = {}
        for mail in mails:
            for user in mail.recipient_ids.user_ids:
                self.assertNotIn(user, by_user, f"one digest a day for {user.name}")
                by_user[user] = mail
        return by_user

    def test_one_mail_per_user_with_the_right_items(self):
        mails = self.send()
        clerk = mails[self.clerk]
        self.assertIn("Train the counter staff", clerk.body_html)
        self.assertIn("Check last month&#39;s licences", clerk.body_html)
        self.assertNotIn("Add the inspection record", clerk.body_html, "due at the end of the year: not yet")
        self.assertNotIn("Publish the checklist", clerk.body_html, "not the clerk's")
        self.assertIn(f"/mail/view?model=qms.action&amp;res_id={self.soon.id}", clerk.body_html, "a link to the item")
        self.assertIn("Due soon", clerk.body_html)
        self.assertIn("Overdue", clerk.body_html)
        self.assertEqual(clerk.subject, "Your QMS work for 11/30/2026: 2 item(s) need your attention")
        self.assertIn("Actions (2)", clerk.body_html, "grouped by kind")
        self.assertNotIn("word-break: break-all", clerk.body_html, "labels are never broken letter by letter")
        self.assertIn("Supervised (挂牌督办)", mails[self.author].body_html)
        # the section's head: the overdue and supervised items of the section; the bureau's head (the level
        # above): the supervised one only; the city office's head sees the supervised items of all below it
        head = mails[self.section_head].body_html
        self.assertIn("Check last month&#39;s licences", head)
        self.assertIn("Publish the checklist", head)
        self.assertNotIn("Train the counter staff", head, "not overdue: the clerk's own business")
        bureau = mails[self.bureau_head].body_html
        self.assertIn("Publish the checklist", bureau)
        self.assertNotIn("Check last month&#39;s licences", bureau)
        self.assertIn("Publish the checklist", mails[self.city_head].body_html)
        self.assertEqual(clerk.state, "outgoing", "queued in Odoo's outgoing mail")

    def test_none_when_nothing_is_due(self):
        mails = self.send()
        for user in (self.other_head, self.other_clerk, self.reviewer):
            self.assertNotIn(user, mails, f"{user.name} has nothing due")

    def test_never_twice_a_day(self):
        self.assertIn(self.clerk, self.send())
        self.assertFalse(self.send(), "the second run of the day sends nothing")
        self.assertIn(self.clerk, self.send("2026-12-01"), "the next day again")

    def test_users_turn_it_off_in_their_preferences(self):
        preferences = self.env.ref("base.view_users_form_simple_modif")
        views = self.env["res.users"].with_user(self.clerk).get_views([(preferences.id, "form")])["views"]
        arch = views["form"]["arch"]
        self.assertIn('name="qms_digest"', arch, "on the user's preferences form")
        self.clerk.with_user(self.clerk).write({"qms_digest": False})  # the user's own preference
        self.assertFalse(self.clerk.qms_digest)
        mails = self.send()
        self.assertNotIn(self.clerk, mails)
        self.assertIn(self.section_head, mails)

    def test_written_in_the_recipients_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["gov_qms_docs", "gov_qms_capa"], ["zh_CN"], overwrite=True)
        self.clerk.lang = "zh_CN"
        mails = self.send()
        clerk = mails[self.clerk]
        self.assertIn("2026/11/30", clerk.subject, "the date as Chinese readers write it")
        self.assertIn("即将到期", clerk.body_html)  # Due soon
        self.assertIn("措施 (2)", clerk.body_html)  # Actions
        self.assertNotIn("Due soon", clerk.body_html)
        self.assertIn("Overdue", mails[self.section_head].body_html, "the others in their own language")


# Odoo's ORM inserts and updates 100 rows per statement (models.INSERT_BATCH_SIZE, UPDATE_BATCH_SIZE): a batch of
# 200 items takes one statement more for each table it writes (to-dos, notes, the items, their to-dos' names)
ORM_CHUNKS = 4


@tagged("post_install", "-at_install")
class TestLadderCost(QmsCapaCase):
    """The daily job, its catch-up after days without it, and the digest cost a constant number of queries per batch:
    10 and 200 late items (one batch) cost the same."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owners = cls.env["res.users"].create([
            {"name": f"Owner {index}", "login": f"owner{index}", "email": f"owner{index}@city.example"}
            for index in range(20)])
        cls.departments = cls.section | cls.bureau | cls.finance

    def setUp(self):
        super().setUp()
        self.nc = self.make_nc()
        self.to_action_stage(self.nc)

    def late_actions(self, count, deadlines):
        """`count` actions of 20 owners in three departments, their deadlines taken in turn from `deadlines`."""
        return self.Action.create([
            {"name": f"Late action {index}", "owner_id": self.owners[index % 20].id,
             "department_id": self.departments[index % 3].id, "action_type": "improvement",
             "date_deadline": deadlines[index % len(deadlines)]} for index in range(count)])

    def only(self, actions):
        """The other running actions climbed their ladder already: the job sees `actions` only."""
        others = self.Action.search([("id", "not in", actions.ids), ("state", "=", "open"),
                                     ("escalation_level", "<", 3)])
        others.with_context(qms_transition=TRANSITION).write({"escalation_level": 3})
        self.env.flush_all()

    def job_queries(self, day):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time(f"{day} 07:00:00"):
            self.Action._cron_escalate()
            self.env.flush_all()
        return self.cr.sql_log_count - before

    def catch_up(self, count):
        actions = self.late_actions(count, ["2026-11-16", "2026-11-18", "2026-11-20"])
        self.only(actions)
        queries = self.job_queries("2026-11-30")
        self.assertEqual(set(actions.mapped("escalation_level")), {3})
        return queries

    def test_the_catch_up_costs_the_same_for_10_or_200_items(self):
        self.catch_up(10)  # warm the caches
        ten = self.catch_up(10)
        self.assertEqual(self.catch_up(100), ten, "no query per item: three steps each, in one batch")
        # 200 items, still one batch: Odoo's ORM writes 100 rows per INSERT or UPDATE statement, so the to-dos, the
        # notes and the two updates of the items take one statement more each, nothing per item
        self.assertLessEqual(self.catch_up(200), ten + ORM_CHUNKS)
        self.assertLessEqual(ten, 35)
        actions = self.late_actions(10, ["2026-11-20"])
        self.only(actions)
        self.job_queries("2026-11-30")
        notes = actions[0].message_ids.filtered(lambda message: "Reminder: due on" in (message.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertIn("Now a supervised item", notes.body, "a catch-up: one note per item, with every step taken")
        self.assertEqual(actions[0].activity_ids.mapped("summary").count("Deadline approaching"), 1)

    def daily(self, count):
        # Monday 30 November: the reminder of the actions due Thursday 3 December, the overdue step of those due
        # today, the supervision of those due Monday 23 November (5 working days ago)
        actions = self.late_actions(count, ["2026-12-03", "2026-11-30", "2026-11-23"])
        self.only(actions)
        self.job_queries("2026-11-27")  # the job of the last working day
        steps = actions.mapped("escalation_level")
        queries = self.job_queries("2026-11-30")
        self.assertEqual([level - step for level, step in zip(actions.mapped("escalation_level"), steps,
                                                              strict=True)], [1] * count, "one step each")
        return queries

    def test_the_daily_job_costs_the_same_for_10_or_200_items(self):
        self.daily(10)  # warm the caches
        ten = self.daily(10)
        self.assertEqual(self.daily(100), ten, "no query per item")
        self.assertLessEqual(self.daily(200), ten + ORM_CHUNKS, "one statement more per 100 rows, nothing per item")
        self.assertLessEqual(ten, 35)

    def digest_queries(self, count):
        self.late_actions(count, ["2026-11-20", "2026-11-26", "2026-12-02"])
        with freeze_time("2026-11-30 07:00:00"):
            self.Action._cron_escalate()
        self.env["res.users"].search([]).sudo().write({"qms_digest_date": False})
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time("2026-11-30 07:30:00"):
            self.env["qms.digest"]._cron_send_digest()
            self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_the_digest_costs_the_same_for_10_or_200_items(self):
        self.digest_queries(10)  # warm the caches
        ten = self.digest_queries(10)
        self.assertEqual(self.digest_queries(200), ten, "no query per item or per user")
