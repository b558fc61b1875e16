import io

import openpyxl

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "qms_ui")
class TestUi(HttpCase):
    """Browser and HTTP tests: run by Odoo's own test runner with Chromium (`./qms test`)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.department = cls.env["hr.department"].create({"name": "Tour Bureau", "qms_code": "TOUR"})
        cls.approver = new_test_user(cls.env, login="tour_approver", name="Tour Approver", groups="base.group_user")

    def test_create_document_and_submit_first_revision(self):
        self.start_tour("/odoo", "gov_qms_document_tour", login="admin")
        document = self.env["qms.document"].search([("name", "=", "Handling of citizen complaints")])
        self.assertEqual(document.department_id, self.department)
        self.assertRegex(document.code, r"^QP-\d{3}$")
        revision = document.revision_ids
        self.assertEqual(revision.state, "in_review")
        self.assertEqual(revision.approver_id, self.approver)
        self.assertIn("within one working day", revision.body)
        self.assertIn(self.approver, revision.activity_ids.user_id)

    def test_master_list_xlsx_download(self):
        document = self.env["qms.document"].create({"name": "Records control", "department_id": self.department.id})
        revision = self.env["qms.document.revision"].create({"document_id": document.id, "body": "<p>x</p>",
                                                             "approver_id": self.approver.id})
        revision.action_submit()
        revision.with_user(self.approver).action_approve()
        self.authenticate("admin", "admin")
        response = self.url_open(f"/gov_qms/master_list.xlsx?tier=procedure&department_id={self.department.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        codes = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)]
        self.assertEqual(codes, [document.code])
