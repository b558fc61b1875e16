from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestAcknowledgement(QmsDocsCase):
    def setUp(self):
        super().setUp()
        # distribution: the bureau (with its licensing section) and one finance clerk by name
        self.document = self.make_document(distribution_department_ids=[(6, 0, self.bureau.ids)],
                                           distribution_user_ids=[(6, 0, self.other_clerk.ids)])
        self.revision = self.make_effective(self.document, effective_date=self.d("2026-11-02"))
        self.Ack = self.env["qms.document.acknowledgement"]

    def acks(self):
        return self.Ack.search([("revision_id", "=", self.revision.id)])

    def test_every_reader_gets_a_request_and_a_todo(self):
        readers = self.acks().mapped("user_id")
        expected = self.bureau_head | self.author | self.approver | self.reviewer | self.section_head | \
            self.clerk | self.other_clerk
        self.assertEqual(readers, expected, "department members, sub-departments included, and named users")
        self.assertNotIn(self.other_head, readers)
        clerk_ack = self.acks().filtered(lambda a: a.user_id == self.clerk)
        self.assertEqual(clerk_ack.department_id, self.section)
        self.assertEqual(clerk_ack.activity_ids.user_id, self.clerk)
        self.assertEqual(clerk_ack.activity_ids.activity_type_id,
                         self.env.ref("gov_qms_docs.mail_activity_type_acknowledge"))
        # 2026-11-02 is a Monday: five working days later is Monday 2026-11-09
        self.assertEqual(clerk_ack.date_deadline, self.d("2026-11-09"))

    def test_reader_sees_pending_and_owner_sees_who_has_not_read(self):
        mine = self.Ack.with_user(self.clerk).search([("state", "=", "pending")])
        self.assertEqual(mine.user_id, self.clerk, "a reader sees only their own requests")
        mine.action_open_revision()
        mine.action_acknowledge()
        self.assertEqual(mine.state, "acknowledged")
        self.assertTrue(mine.date_acknowledged)
        self.assertFalse(mine.activity_ids, "the to-do is done")
        not_read = self.Ack.with_user(self.author).search([("document_id", "=", self.document.id),
                                                           ("state", "=", "pending")])
        self.assertEqual(len(not_read), 6)
        self.assertNotIn(self.clerk, not_read.user_id)
        self.assertEqual(self.document.pending_ack_count, 6)

    def test_nobody_acknowledges_for_someone_else(self):
        clerk_ack = self.acks().filtered(lambda a: a.user_id == self.clerk)
        with self.assertRaises(UserError):
            clerk_ack.with_user(self.author).action_acknowledge()
        self.assertEqual(clerk_ack.state, "pending")

    def notices(self, ack, text):
        return ack.message_ids.filtered(lambda m: text in (m.body or ""))

    def test_reminded_once_then_escalated_to_the_department_head(self):
        clerk_ack = self.acks().filtered(lambda a: a.user_id == self.clerk)
        authors = self.acks().filtered(lambda a: a.user_id == self.author).with_user(self.author)
        authors.action_open_revision()
        authors.action_acknowledge()
        self.Ack._cron_escalate(today=self.d("2026-11-06"))
        self.assertEqual(clerk_ack.escalation_level, 0, "not due before the deadline")
        self.Ack._cron_escalate(today=self.d("2026-11-09"))
        reminder = self.notices(clerk_ack, "Reminder")
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.partner_ids, self.clerk.partner_id)
        self.Ack._cron_escalate(today=self.d("2026-11-10"))
        self.assertEqual(len(self.notices(clerk_ack, "Reminder")), 1, "never reminded twice")
        # escalation: three working days after the deadline (Thursday 2026-11-12)
        self.Ack._cron_escalate(today=self.d("2026-11-11"))
        self.assertFalse(self.notices(clerk_ack, "still not acknowledged"))
        self.Ack._cron_escalate(today=self.d("2026-11-12"))
        escalation = self.notices(clerk_ack, "still not acknowledged")
        self.assertEqual(len(escalation), 1)
        self.assertEqual(escalation.partner_ids, self.section_head.partner_id, "the reader's own department head")
        self.Ack._cron_escalate(today=self.d("2026-11-30"))
        self.assertEqual(len(self.notices(clerk_ack, "still not acknowledged")), 1)
        author_ack = self.acks().filtered(lambda a: a.user_id == self.author)
        self.assertFalse(self.notices(author_ack, "Reminder"), "acknowledged readers are left alone")

    def test_job_down_for_a_week_sends_each_missed_step_once(self):
        clerk_ack = self.acks().filtered(lambda a: a.user_id == self.clerk)
        self.Ack._cron_escalate(today=self.d("2026-11-20"))
        self.assertEqual(len(self.notices(clerk_ack, "Reminder")), 1)
        self.assertEqual(len(self.notices(clerk_ack, "still not acknowledged")), 1)
        self.assertEqual(clerk_ack.escalation_level, 2)
        # a catch-up goes straight to the final state: the two steps make one note, telling the reader and the head
        # (their daily digest e-mails them; no e-mail per item)
        notice = clerk_ack.message_ids.filtered(lambda m: m.partner_ids)
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.partner_ids, self.clerk.partner_id | self.section_head.partner_id)
        self.Ack._cron_escalate(today=self.d("2026-11-20"))
        self.assertEqual(clerk_ack.message_ids.filtered(lambda m: m.partner_ids), notice, "idempotent")

    def test_a_new_revision_cancels_pending_requests_of_the_old_one(self):
        new = self.make_effective(self.document, effective_date=self.d("2026-11-23"), approved_on="2026-11-20",
                                  change_summary="x")
        self.env["qms.document.revision"]._cron_take_effect(today=self.d("2026-11-23"))
        self.assertEqual(new.state, "effective")
        self.assertEqual(set(self.acks().mapped("state")), {"cancelled"})
        self.assertEqual(len(self.Ack.search([("revision_id", "=", new.id)])), 7)

    # ------------------------------------------------------------------ reading before confirming

    def test_the_reader_opens_the_revision_before_confirming(self):
        ack = self.acks().filtered(lambda a: a.user_id == self.clerk).with_user(self.clerk)
        self.assertFalse(ack.can_acknowledge, "not opened yet: no button to confirm")
        self.assertTrue(ack.can_open_revision)
        with self.assertRaisesRegex(UserError, "Open .* and read it before confirming"):
            ack.action_acknowledge()
        with self.assertRaises(UserError, msg="nor from the revision"):
            self.revision.with_user(self.clerk).action_acknowledge()
        self.assertEqual(ack.state, "pending")
        with self.assertRaises(UserError, msg="somebody else opening it does not count"):
            ack.with_user(self.author).action_open_revision()
        self.assertFalse(ack.date_opened)

        action = ack.action_open_revision()
        self.assertEqual((action["res_model"], action["res_id"]), ("qms.document.revision", self.revision.id),
                         "the revision itself opens, its text and file")
        opened = ack.date_opened
        self.assertTrue(opened, "the opening is recorded on the server")
        self.assertTrue(ack.message_ids.filtered(lambda m: "opened the revision" in (m.body or "")))
        ack.invalidate_recordset()
        self.assertTrue(ack.can_acknowledge)
        ack.action_open_revision()
        self.assertEqual(ack.date_opened, opened, "the first opening is kept")

        revision = self.revision.with_user(self.clerk)
        self.assertTrue(revision.can_acknowledge, "the revision opened from the request offers the confirmation")
        revision.action_acknowledge()
        self.assertEqual(ack.state, "acknowledged")
        self.assertFalse(revision.can_acknowledge)
        self.assertFalse(self.revision.with_user(self.author).can_acknowledge, "only a reader with a request")

    def test_opening_is_a_workflow_field(self):
        ack = self.acks().filtered(lambda a: a.user_id == self.clerk).with_user(self.clerk)
        with self.assertRaises(UserError):
            ack.write({"date_opened": "2026-11-03 08:00:00"})
        self.assertFalse(ack.date_opened)

    def test_documents_to_read_leaves_out_requests_no_longer_needed(self):
        mine = self.acks().filtered(lambda a: a.user_id == self.clerk)
        newer = self.make_effective(self.document, effective_date=self.d("2026-11-16"),
                                    change_summary="Photographs of the site", body="<p>Photograph the site.</p>")
        self.assertEqual(mine.state, "cancelled", "superseded before it was read: no longer needed")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "gov_qms_docs.qms_document_acknowledgement_action_mine")
        Ack = self.Ack.with_user(self.clerk).with_context(
            **safe_eval(action["context"], {"uid": self.clerk.id}))
        domain = safe_eval(action["domain"], {"uid": self.clerk.id})
        views = Ack.get_views([(action["search_view_id"] and action["search_view_id"][0], "search")])
        search = etree.fromstring(views["views"]["search"]["arch"])
        for name, value in Ack.env.context.items():
            if name.startswith("search_default_") and value:
                domain += safe_eval(search.xpath(f"//filter[@name='{name[15:]}']")[0].get("domain"),
                                    {"uid": self.clerk.id})
        listed = Ack.search(domain)
        self.assertEqual(listed, newer.ack_ids.filtered(lambda a: a.user_id == self.clerk),
                         "Documents to Read lists what the reader still has to read, and nothing else")
