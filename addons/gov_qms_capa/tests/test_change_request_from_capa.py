from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import QmsCapaCase


@tagged("post_install", "-at_install")
class TestChangeRequestFromCapa(QmsCapaCase):
    """A nonconformity or an action asks the owner of a document to change it (ISO 9001 10.2.1 f), linked both ways;
    the links are set by that step only, with the rights of whoever may change the nonconformity or action."""

    def setUp(self):
        super().setUp()
        self.CR = self.env["qms.document.change.request"]
        self.document = self.make_document()  # the bureau's, owned by the author
        self.make_effective(self.document)
        self.nc = self.make_nc(document_ids=[(6, 0, self.document.ids)]).sudo()  # reported by the auditor

    def raise_through_wizard(self, record, user, **values):
        """Click "Request Document Change", fill the wizard, confirm."""
        opened = record.with_user(user).action_open_change_request_wizard()
        wizard = self.env[opened["res_model"]].with_user(user).with_context(**opened["context"]).create(
            {"reason": "The checklist has no line for the site inspection record.", **values})
        return wizard, wizard.action_confirm()

    def test_raised_from_a_nonconformity(self):
        wizard, _result = self.raise_through_wizard(self.nc, self.section_head,
                                                    proposed_change="Add the line 'site inspection record attached'.")
        self.assertEqual(wizard.document_id, self.document, "the wizard proposes the document of the nonconformity")
        self.assertEqual(wizard.origin_name, self.nc.display_name)
        request = self.nc.change_request_ids
        self.assertEqual(len(request), 1)
        self.assertEqual((request.nonconformity_id, request.action_id, request.document_id),
                         (self.nc, self.Action, self.document))
        self.assertEqual(request.raised_from_ref, self.nc)
        self.assertEqual((request.requested_by_id, request.state), (self.section_head, "submitted"))
        self.assertEqual(request.proposed_change, "Add the line 'site inspection record attached'.")
        self.assertEqual(self.nc.with_user(self.section_head).change_request_count, 1)
        self.assertEqual(self.CR.with_user(self.auditor).search([("id", "=", request.id)]), request,
                         "whoever reads the nonconformity (the auditors) reads the change it asked for")
        self.assertEqual(self.nc.with_user(self.auditor).change_request_count, 1)
        self.assertFalse(self.CR.with_user(self.other_head).search([("id", "=", request.id)]))
        with self.assertRaises(AccessError, msg="reading it is all the nonconformity gives"):
            request.with_user(self.auditor).write({"proposed_change": "x"})
        self.assertEqual(request.activity_ids.user_id, self.author, "the document's owner is asked to decide")
        self.assertIn(request.name, self.nc.message_ids[0].body)
        self.assertIn(self.nc.name, request.message_ids[0].body)
        listed = self.nc.with_user(self.section_head).action_view_change_requests()
        self.assertEqual(self.CR.with_user(self.section_head).search(listed["domain"]), request)
        # the owner decides as on any change request
        request.with_user(self.author).action_accept()
        self.assertEqual(request.state, "accepted")

    def test_raised_from_an_action(self):
        action = self.to_action_stage(self.nc)
        self.assertEqual(self.env["qms.change.request.wizard"].with_user(self.clerk).with_context(
            default_res_model="qms.action", default_res_id=action.id).default_get(["document_id"])["document_id"],
            self.document.id, "the action proposes its nonconformity's document")
        request = action.with_user(self.clerk)._qms_raise_change_request(
            self.document, "Step 4 still says the inspection is optional.", "Make it mandatory.")
        self.assertEqual((request.action_id, request.nonconformity_id), (action, self.NC))
        self.assertEqual(action.change_request_ids, request)
        self.assertEqual(action.with_user(self.section_head).change_request_count, 1,
                         "the head reads it through the action, though the document is another department's")
        self.assertFalse(self.nc.change_request_ids, "raised from the action, not from its nonconformity")
        self.assertEqual(request.raised_from_ref, action)
        self.assertIn(request.name, action.message_ids[0].body)
        self.assertIn(action.name, request.message_ids[0].body)
        self.assertEqual(request.with_user(self.clerk).requested_by_id, self.clerk, "the owner reads their request")

    def test_a_client_cannot_write_the_links(self):
        other = self.make_nc(title="Fee table out of date")
        for context in ({}, {"qms_transition": True}):
            with self.subTest(context=context), self.assertRaises(UserError):
                self.CR.with_user(self.section_head).with_context(**context).create({
                    "document_id": self.document.id, "reason": "x", "nonconformity_id": self.nc.id})
        action = self.to_action_stage(self.nc)
        with self.assertRaises(UserError):
            self.CR.with_user(self.clerk).create({"document_id": self.document.id, "reason": "x",
                                                  "action_id": action.id})
        request = self.nc.with_user(self.section_head)._qms_raise_change_request(self.document, "Out of date")
        for vals in ({"nonconformity_id": other.id}, {"nonconformity_id": False}, {"action_id": action.id}):
            for context in ({}, {"qms_transition": True}):
                with self.subTest(vals=vals, context=context), self.assertRaises(UserError):
                    request.with_user(self.section_head).with_context(**context).write(vals)
        self.assertEqual((request.nonconformity_id, request.action_id), (self.nc, self.Action))
        with self.assertRaises(ValueError, msg="only the declared links are set by the step"):
            self.CR._qms_create_from({"revision_id": 1}, self.document, "x")

    def test_who_cannot_change_the_nonconformity_cannot_raise_from_it(self):
        self.nc.with_user(self.section_head).action_triage_capa()
        for user in (self.other_head, self.clerk, self.auditor):  # another department, staff, the reporter
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.nc.with_user(user)._qms_raise_change_request(self.document, "Out of date")
        action = self.to_action_stage(self.make_nc(title="Fee table out of date"))
        with self.assertRaises(AccessError, msg="an action is raised from by its owner, not by any employee"):
            action.with_user(self.other_clerk)._qms_raise_change_request(self.document, "Out of date")
        self.assertFalse(self.CR.search([("document_id", "=", self.document.id)]))

    def test_nothing_is_raised_from_a_cancelled_record(self):
        action = self.to_action_stage(self.nc)
        other_action = self.add_action(self.nc, name="Retrain the counter staff")
        other_action.with_user(self.section_head)._action_cancel("Covered by the checklist change")
        with self.assertRaisesRegex(UserError, "is cancelled"):
            other_action.with_user(self.section_head)._qms_raise_change_request(self.document, "Out of date")
        self.nc.with_user(self.section_head)._action_cancel("Raised twice")
        for record in (self.nc, action):
            with self.subTest(record=record._name), self.assertRaisesRegex(UserError, "is cancelled"):
                record.with_user(self.section_head)._qms_raise_change_request(self.document, "Out of date")

    def test_bad_input_gets_a_clear_error(self):
        with self.assertRaisesRegex(UserError, "Say what is wrong or missing"):
            self.nc.with_user(self.section_head)._qms_raise_change_request(self.document, "  ")
        with self.assertRaisesRegex(UserError, "Choose the document"):
            self.nc.with_user(self.section_head)._qms_raise_change_request(self.env["qms.document"], "Out of date")
        draft_elsewhere = self.make_document(name="Supplier payments", department_id=self.finance.id,
                                             owner_id=self.other_clerk.id)
        with self.assertRaises(AccessError, msg="a document the user may not read"):
            self.nc.with_user(self.section_head)._qms_raise_change_request(draft_elsewhere, "Out of date")
        self.assertFalse(self.nc.change_request_ids)

    def test_the_wizard_acts_only_on_a_record_the_user_may_change(self):
        Wizard = self.env["qms.change.request.wizard"].with_user(self.section_head)
        finance_nc = self.make_nc(title="Late payment", department_id=self.finance.id)
        values = {"document_id": self.document.id, "reason": "Out of date"}
        with self.assertRaises(AccessError, msg="the id of another department's nonconformity"):
            Wizard.create({"res_model": "qms.nonconformity", "res_id": finance_nc.id, **values}).action_confirm()
        for res_model, res_id in (("res.users", self.section_head.id), ("qms.document.change.request", 1),
                                  ("qms.document", self.document.id), ("qms.nonconformity", 0),
                                  ("qms.nonconformity", -3)):
            with self.subTest(res_model=res_model, res_id=res_id), \
                    self.assertRaisesRegex(UserError, "cannot be requested from here"):
                Wizard.create({"res_model": res_model, "res_id": res_id, **values}).action_confirm()
        gone = self.make_nc(title="Reported by mistake")
        gone_id = gone.id
        gone.sudo().unlink()
        with self.assertRaisesRegex(UserError, "deleted in the meantime"):
            Wizard.create({"res_model": "qms.nonconformity", "res_id": gone_id, **values}).action_confirm()
        self.assertFalse(finance_nc.change_request_ids)
        self.assertFalse(self.env["qms.change.request.wizard"].with_user(self.section_head).with_context(
            default_res_model="qms.nonconformity", default_res_id=finance_nc.id).default_get(
            ["document_id"]).get("document_id"), "no default read from a record the user may not read")
