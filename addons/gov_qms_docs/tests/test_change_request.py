from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestChangeRequest(QmsDocsCase):
    def setUp(self):
        super().setUp()
        self.document = self.make_document()
        self.effective = self.make_effective(self.document, body="<p>Reply within 5 days.</p>")
        self.request = self.env["qms.document.change.request"].with_user(self.other_clerk).create({
            "document_id": self.document.id, "reason": "Citizens complain: 5 days is too long.",
            "proposed_change": "Reply within 3 working days."})

    def test_anyone_may_ask_and_the_owner_is_asked_to_decide(self):
        self.assertTrue(self.request.name.startswith("DCR-"))
        self.assertEqual(self.request.requested_by_id, self.other_clerk)
        self.assertEqual(self.request.activity_ids.user_id, self.author)

    def test_accept_creates_a_draft_from_the_effective_revision(self):
        self.request.with_user(self.author).action_accept()
        self.assertEqual(self.request.state, "accepted")
        draft = self.request.sudo().revision_id
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.body, self.effective.body)
        self.assertEqual(draft.change_summary, self.request.reason)
        self.assertEqual(self.effective.state, "effective", "the text in force is untouched until approval")

    def test_refuse_needs_a_reason(self):
        with self.assertRaises(UserError):
            self.request.with_user(self.author)._action_refuse("")
        self.request.with_user(self.author)._action_refuse("The law fixes the 5-day limit.")
        self.assertEqual(self.request.state, "refused")
        self.assertEqual(self.request.refusal_reason, "The law fixes the 5-day limit.")
        self.assertFalse(self.document.revision_ids.filtered(lambda r: r.state == "draft"))

    def test_only_the_owner_head_or_controller_decides(self):
        with self.assertRaises(UserError):
            self.request.with_user(self.other_clerk).action_accept()
        with self.assertRaises(UserError):
            self.request.with_user(self.other_head).action_accept()
        self.request.with_user(self.bureau_head).action_accept()
        with self.assertRaises(UserError, msg="decided once"):
            self.request.with_user(self.author)._action_refuse("late")
