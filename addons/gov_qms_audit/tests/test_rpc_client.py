"""The same rules, tried as an API client would: Odoo's XML-RPC `execute_kw`, logged in as the users."""
from xmlrpc.client import Fault

from odoo.addons.gov_qms_docs.tests.common import HEAD, MANAGER, VIEWER
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "qms_ui")
class TestRpcClient(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.head = new_test_user(cls.env, login="rpc_head", groups=HEAD, name="RPC Head")
        cls.clerk = new_test_user(cls.env, login="rpc_clerk", groups=VIEWER, name="RPC Clerk")
        cls.manager = new_test_user(cls.env, login="rpc_manager", groups=MANAGER, name="RPC Manager")
        department = cls.env["hr.department"].create({"name": "RPC Section", "qms_code": "RPC"})
        head_employee = cls.env["hr.employee"].create({"name": "RPC Head", "user_id": cls.head.id,
                                                        "department_id": department.id})
        cls.env["hr.employee"].create({"name": "RPC Clerk", "user_id": cls.clerk.id, "department_id": department.id})
        department.manager_id = head_employee
        cls.department = department

    def call(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs)

    def assertFault(self, text, user, model, method, *args, **kwargs):
        with self.assertRaises(Fault) as caught:
            self.call(user, model, method, *args, **kwargs)
        fault = caught.exception
        self.assertIn(text, fault.faultString)
        # 2: UserError/ValidationError, 4: AccessError, shown as a message; 1 would be a server error's traceback
        self.assertIn(fault.faultCode, (2, 4), fault.faultString)
        return fault.faultString

    def test_client_cannot_bypass_the_workflow(self):
        nc_id = self.call(self.head, "qms.nonconformity", "create",
                          {"title": "Wrong phone number on the sign", "department_id": self.department.id})
        # the status, even with the context key the workflow uses
        self.assertFault("changes only through its workflow", self.head, "qms.nonconformity", "write", [nc_id],
                         {"state": "closed"}, context={"qms_transition": True})
        # private steps are not reachable
        self.assertFault("Private methods", self.head, "qms.nonconformity", "_action_cancel", [nc_id], "no reason")
        self.call(self.head, "qms.nonconformity", "action_triage_correction", [nc_id])
        # the evidence, then the closure, then the evidence again
        attachment_id = self.call(self.head, "ir.attachment", "create",
                                  {"name": "sign.jpg", "datas": "anBn", "res_model": "qms.nonconformity",
                                   "res_id": nc_id})
        self.call(self.head, "qms.nonconformity", "write", [nc_id], {
            "containment_description": "Sign replaced", "containment_by_id": self.clerk.id,
            "containment_date": "2026-11-03", "evidence_attachment_ids": [(6, 0, [attachment_id])]})
        self.call(self.manager, "qms.nonconformity", "action_close", [nc_id])
        self.assertFault("can no longer be replaced or deleted", self.head, "ir.attachment", "unlink",
                         [attachment_id])
        self.assertFault("can no longer be replaced or deleted", self.head, "ir.attachment", "write",
                         [attachment_id], {"datas": "Zm9yZ2Vk"})
        self.assertFault("can no longer be changed", self.manager, "qms.nonconformity", "write", [nc_id],
                         {"date_deadline": "2030-01-01"})
        self.assertFault("kept as evidence", self.manager, "qms.nonconformity", "unlink", [nc_id])

    def test_bad_arguments_get_a_clear_error(self):
        action_id = self.call(self.head, "qms.action", "create", {
            "name": "Reprint the signs", "department_id": self.department.id, "owner_id": self.clerk.id,
            "date_deadline": "2026-12-18"})
        wizard_id = self.call(self.clerk, "qms.action.extension.wizard", "create", {
            "action_id": action_id, "new_date": "2026-12-10", "reason": "earlier than the due date"})
        self.assertFault("The new due date must be after the current one", self.clerk,
                         "qms.action.extension.wizard", "action_confirm", [wizard_id])
        self.assertFault("Only the head", self.clerk, "qms.action", "write", [action_id], {"owner_id": self.head.id})
        self.assertFault("change only through the workflow", self.clerk, "qms.action", "write", [action_id],
                         {"date_deadline": "2027-06-30"})
        reason_id = self.call(self.clerk, "qms.reason.wizard", "create", {
            "res_model": "qms.action", "res_ids": [action_id], "method": "_action_cancel", "reason": "mine"})
        self.assertFault("Only the head", self.clerk, "qms.reason.wizard", "action_confirm", [reason_id])
