from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestRevisionLifecycle(QmsDocsCase):
    def test_full_lifecycle_draft_to_superseded(self):
        document = self.make_document()
        self.assertEqual(document.state, "draft")
        first = self.make_revision(document)
        self.assertEqual(first.state, "draft", "saving never submits")
        self.assertFalse(document.current_revision_id)

        first.with_user(self.author).action_submit()
        self.assertEqual(first.state, "in_review")
        todo_users = first.activity_ids.mapped("user_id")
        self.assertIn(self.reviewer, todo_users, "the reviewer gets a to-do")
        self.assertIn(self.approver, todo_users, "the approver gets a to-do")

        first.with_user(self.approver).action_approve()
        today = fields.Date.context_today(first)
        self.assertEqual(first.state, "effective", "approved with no date: effective at once")
        self.assertEqual(first.effective_date, today)
        self.assertEqual(first.activity_ids.user_id, self.reviewer,
                         "the approver's to-do is done; the reviewer's is theirs, never closed by the approval")
        self.assertEqual(document.state, "effective")
        self.assertEqual(document.current_revision_id, first)
        self.assertEqual(document.revision_label, "1")
        self.assertEqual(document.date_deadline, today.replace(year=today.year + 1), "next review in 12 months")

        second = self.make_effective(document, change_summary="Add the same-day reply rule",
                                     body="<p>Reply the same day.</p>")
        self.assertEqual(second.name, "2")
        self.assertEqual(second.state, "effective")
        self.assertEqual(first.state, "superseded", "the previous revision is superseded in the same step")
        self.assertTrue(first.is_obsolete)
        self.assertEqual(first.date_superseded, second.effective_date)
        self.assertEqual(document.current_revision_id, second)
        self.assertEqual(document.revision_ids.filtered(lambda r: r.state == "effective"), second)

    def test_approved_revisions_are_read_only_for_everyone(self):
        revision = self.make_effective(self.make_document())
        for user in (self.author, self.approver, self.controller, self.qms_manager):
            with self.assertRaises(UserError):
                revision.with_user(user).write({"body": "<p>quietly changed</p>"})
        with self.assertRaises(UserError, msg="not even the superuser"):
            revision.sudo().write({"change_summary": "rewritten history"})
        with self.assertRaises(UserError):
            revision.sudo().unlink()
        self.assertEqual(revision.body, "<p>Step 1: receive the application.</p>")

    def test_status_moves_only_through_the_workflow(self):
        revision = self.make_revision(self.make_document())
        with self.assertRaises(UserError):
            revision.with_user(self.author).write({"state": "approved"})
        self.assertEqual(revision.state, "draft")

    def test_only_the_approver_approves(self):
        revision = self.make_revision(self.make_document())
        revision.with_user(self.author).action_submit()
        for user in (self.author, self.reviewer, self.bureau_head):
            with self.assertRaises(UserError):
                revision.with_user(user).action_approve()
        self.assertEqual(revision.state, "in_review")

    def test_author_cannot_approve_own_revision(self):
        document = self.make_document()
        with self.assertRaises(ValidationError) as error:
            self.make_revision(document, approver_id=self.author.id)
        self.assertIn("cannot approve", str(error.exception))

    def test_reject_needs_a_reason_and_returns_to_draft(self):
        revision = self.make_revision(self.make_document())
        revision.with_user(self.author).action_submit()
        with self.assertRaises(UserError):
            revision.with_user(self.approver)._action_reject("  ")
        self.assertEqual(revision.state, "in_review")
        wizard = self.env["qms.reason.wizard"].with_user(self.reviewer).create({
            "res_model": revision._name, "res_ids": revision.ids, "method": "_action_reject",
            "reason": "Step 2 contradicts the licensing law.",
        })
        wizard.action_confirm()
        self.assertEqual(revision.state, "draft")
        self.assertEqual(revision.rejection_reason, "Step 2 contradicts the licensing law.")
        self.assertEqual(revision.activity_ids.user_id, self.author, "the author is asked to rework it")
        self.assertTrue(any("contradicts" in body for body in revision.message_ids.mapped("body")),
                        "the reason is kept in the history")

    def test_reason_wizard_refuses_other_methods(self):
        revision = self.make_revision(self.make_document())
        wizard = self.env["qms.reason.wizard"].create({
            "res_model": revision._name, "res_ids": revision.ids, "method": "unlink", "reason": "x"})
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertTrue(revision.exists())

    def test_submit_needs_content_approver_and_change_summary(self):
        document = self.make_document()
        empty = self.make_revision(document, body=False)
        with self.assertRaises(UserError):
            empty.with_user(self.author).action_submit()
        no_approver = self.make_revision(self.make_document(), approver_id=False)
        with self.assertRaises(UserError):
            no_approver.with_user(self.author).action_submit()
        self.make_effective(document, body="<p>v1</p>")
        empty.body = "<p>v2</p>"
        with self.assertRaises(UserError, msg="a second revision must say what changes"):
            empty.with_user(self.author).action_submit()
        empty.change_summary = "Shorter time limit"
        empty.with_user(self.author).action_submit()
        self.assertEqual(empty.state, "in_review")

    def test_effective_date_before_approval_is_refused(self):
        revision = self.make_revision(self.make_document())
        revision.effective_date = fields.Date.context_today(revision) - timedelta(days=10)
        revision.with_user(self.author).action_submit()
        with self.assertRaises(ValidationError) as error:
            revision.with_user(self.approver).action_approve()
        self.assertIn("before it is approved", str(error.exception))

    def test_future_revision_takes_effect_by_the_scheduled_job(self):
        document = self.make_document()
        current = self.make_effective(document)
        today = fields.Date.context_today(document)
        future = self.make_effective(document, effective_date=today + timedelta(days=7), approved_on=str(today),
                                     change_summary="New fees")
        self.assertEqual(future.state, "approved")
        self.assertEqual(current.state, "effective", "the current revision stays in force until the date")
        Revision = self.env["qms.document.revision"]
        Revision._cron_take_effect(today=today + timedelta(days=6))
        self.assertEqual(future.state, "approved")
        # the job was down for a while: the next run catches up
        Revision._cron_take_effect(today=today + timedelta(days=20))
        self.assertEqual(future.state, "effective")
        self.assertEqual(current.state, "superseded")
        acks_before = self.env["qms.document.acknowledgement"].search_count([("revision_id", "=", future.id)])
        Revision._cron_take_effect(today=today + timedelta(days=21))
        self.assertEqual(future.state, "effective", "running the job again changes nothing")
        self.assertEqual(self.env["qms.document.acknowledgement"].search_count([("revision_id", "=", future.id)]),
                         acks_before, "and asks nobody twice")

    def test_database_refuses_two_effective_revisions(self):
        document = self.make_document()
        self.make_effective(document)
        other = self.make_revision(document, change_summary="x")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env.cr.execute("UPDATE qms_document_revision SET state = 'effective' WHERE id = %s", [other.id])

    def test_withdrawn_document_becomes_obsolete(self):
        document = self.make_document(distribution_user_ids=[(6, 0, self.clerk.ids)])
        revision = self.make_effective(document)
        with self.assertRaises(UserError):
            document.with_user(self.author)._action_withdraw("")
        document.with_user(self.author)._action_withdraw("Replaced by the one-window procedure")
        self.assertEqual(document.state, "obsolete")
        self.assertEqual(revision.state, "obsolete")
        self.assertTrue(revision.is_obsolete)
        ack = self.env["qms.document.acknowledgement"].search([("revision_id", "=", revision.id)])
        self.assertEqual(ack.state, "cancelled", "nobody is asked to read a withdrawn document")

    def test_new_revision_starts_from_the_effective_text(self):
        document = self.make_document()
        self.make_effective(document, body="<p>Effective text</p>")
        action = document.with_user(self.author).action_new_revision()
        draft = self.env["qms.document.revision"].browse(action["res_id"])
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.body, "<p>Effective text</p>")
        self.assertEqual(draft.name, "2")
        again = document.with_user(self.author).action_new_revision()
        self.assertEqual(again["res_id"], draft.id, "one draft in progress at a time")
