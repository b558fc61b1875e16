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

        first.with_user(self.reviewer).action_review()
        self.assertEqual(first.reviewed_by_ids, self.reviewer, "the review is recorded")
        self.assertEqual(first.activity_ids.user_id, self.approver, "the reviewer's own to-do is done")
        first.with_user(self.approver).action_approve()
        today = fields.Date.context_today(first)
        self.assertEqual(first.state, "effective", "approved with no date: effective at once")
        self.assertEqual(first.effective_date, today)
        self.assertFalse(first.activity_ids, "the approver's to-do is done")
        self.assertEqual(document.state, "effective")
        self.assertEqual(document.current_revision_id, first)
        self.assertEqual(document.revision_label, "A/0")
        self.assertEqual(document.date_deadline, today.replace(year=today.year + 1), "next review in 12 months")

        second = self.make_effective(document, change_summary="Add the same-day reply rule",
                                     body="<p>Reply the same day.</p>")
        self.assertEqual(second.name, "A/1")
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
        self.assertEqual(draft.name, "A/1")
        again = document.with_user(self.author).action_new_revision()
        self.assertEqual(again["res_id"], draft.id, "one draft in progress at a time")

    # ------------------------------------------------------------------ reviews

    def test_a_review_is_recorded_by_the_reviewer_only(self):
        revision = self.make_revision(self.make_document(), reviewer_ids=[(6, 0, (self.reviewer | self.clerk).ids)])
        with self.assertRaises(UserError, msg="not in review yet"):
            revision.with_user(self.reviewer).action_review()
        revision.with_user(self.author).action_submit()
        for user in (self.author, self.approver, self.controller, self.bureau_head):
            with self.assertRaises(UserError, msg=f"{user.name} is not a reviewer"):
                revision.with_user(user).action_review()
        self.assertTrue(revision.with_user(self.reviewer).can_review)
        self.assertFalse(revision.with_user(self.approver).can_review)
        revision.with_user(self.reviewer).action_review()
        with self.assertRaises(UserError, msg="once"):
            revision.with_user(self.reviewer).action_review()
        self.assertEqual(revision.reviewed_by_ids, self.reviewer)
        self.assertEqual(revision.activity_ids.user_id, self.clerk | self.approver,
                         "the other reviewer's to-do and the approver's stay open")
        self.assertTrue(revision.message_ids.filtered(lambda m: "Reviewed by Wu Reviewer" in (m.body or "")))
        with self.assertRaises(UserError):
            revision.with_user(self.reviewer).write({"reviewed_by_ids": [(4, self.clerk.id)]})

    def test_an_approval_never_passes_for_a_review(self):
        """The approver may approve before a reviewer has reviewed: the reviewer's to-do is withdrawn, not marked
        done, and the chatter says who did not review before the approval."""
        revision = self.make_revision(self.make_document(), reviewer_ids=[(6, 0, (self.reviewer | self.clerk).ids)])
        revision.with_user(self.author).action_submit()
        revision.with_user(self.clerk).action_review()
        revision.with_user(self.approver).action_approve()
        self.assertEqual(revision.state, "effective")
        self.assertEqual(revision.reviewed_by_ids, self.clerk, "only the review given is recorded")
        self.assertFalse(revision.activity_ids, "no to-do left on a revision in force")
        done = self.env["mail.message"].search([("model", "=", revision._name), ("res_id", "=", revision.id),
                                                ("mail_activity_type_id", "!=", False)])
        self.assertEqual(len(done), 2, "two to-dos were done: the clerk's review and the approval")
        self.assertNotIn(self.reviewer.partner_id, done.author_id,
                         "the reviewer who did not review has no to-do marked done")
        note = revision.message_ids.filtered(lambda m: "before the review of" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("Wu Reviewer", note.body)
        self.assertNotIn("Xu Clerk", note.body)

    def test_submitting_again_starts_a_new_review_round(self):
        revision = self.make_revision(self.make_document())
        revision.with_user(self.author).action_submit()
        revision.with_user(self.reviewer).action_review()
        revision.with_user(self.author).action_reset_to_draft()
        revision.with_user(self.author).action_submit()
        self.assertFalse(revision.reviewed_by_ids, "the text may have changed: reviewed again")
        self.assertTrue(revision.with_user(self.reviewer).can_review)

    def test_submit_is_for_the_author_or_who_manages_the_document(self):
        revision = self.make_revision(self.make_document())
        for user in (self.reviewer, self.approver):
            with self.assertRaises(UserError):
                revision.with_user(user).action_submit()
        self.assertFalse(revision.with_user(self.reviewer).can_submit)
        self.assertTrue(revision.with_user(self.bureau_head).can_submit, "the head of the document's department")
        self.assertTrue(revision.with_user(self.controller).can_submit)
        revision.with_user(self.controller).action_submit()
        self.assertEqual(revision.state, "in_review")

    # ------------------------------------------------------------------ labels

    def test_labels_follow_edition_and_amendment(self):
        """A/0 first, then A/1, A/2...; a new edition starts again at 0 (B/0); the system gives the label."""
        document = self.make_document()
        first = self.make_effective(document)
        self.assertEqual(first.name, "A/0")
        second = self.make_effective(document, change_summary="Same-day reply", body="<p>Reply the same day.</p>")
        self.assertEqual(second.name, "A/1")
        draft = self.make_revision(document, change_summary="Rewritten for the one-window service")
        self.assertEqual(draft.name, "A/2")
        draft.with_user(self.author).write({"new_edition": True})
        self.assertEqual(draft.name, "B/0", "a new edition")
        draft.with_user(self.author).write({"new_edition": False})
        self.assertEqual(draft.name, "A/2", "back to the next amendment")
        draft.with_user(self.author).write({"new_edition": True})
        draft.with_user(self.author).action_submit()
        draft.with_user(self.approver).action_approve()
        self.assertEqual(document.revision_label, "B/0")
        self.assertEqual(self.make_revision(document, change_summary="Typo").name, "B/1")

    def test_labels_are_not_typed(self):
        document = self.make_document()
        revision = self.make_revision(document, name="2")
        self.assertEqual(revision.name, "A/0", "whatever a client sends, the system labels it")
        with self.assertRaises(UserError):
            revision.with_user(self.author).write({"name": "7"})
        self.assertEqual(revision.name, "A/0")
        with self.assertRaises(ValidationError, msg="not even the workflow writes a label out of the scheme"):
            revision.sudo()._qms_write_workflow({"name": "7"})

    def test_an_older_numbering_continues_in_the_scheme(self):
        document = self.make_document()
        old = self.make_effective(document)
        # a register kept with the older numbering (1, 2, 3...): revision 3 was the third issue, A/2
        self.env.cr.execute("UPDATE qms_document_revision SET name = '3' WHERE id = %s", [old.id])
        old.invalidate_recordset(["name"])
        self.assertEqual(document._qms_next_revision_label(), "A/3")
        self.assertEqual(document._qms_next_revision_label(new_edition=True), "B/0")
