from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import QmsCapaCase


@tagged("post_install", "-at_install")
class TestCapaAccess(QmsCapaCase):
    def setUp(self):
        super().setUp()
        self.section_nc = self.make_nc()
        self.bureau_nc = self.make_nc(title="Fee table out of date", department_id=self.bureau.id)
        self.finance_nc = self.make_nc(title="Late payment", department_id=self.finance.id)
        self.all = self.section_nc | self.bureau_nc | self.finance_nc

    def visible(self, user, records):
        return records.with_user(user).search([("id", "in", records.ids)])

    def test_department_heads_see_their_department_and_below(self):
        self.assertEqual(self.visible(self.bureau_head, self.all), self.section_nc | self.bureau_nc)
        self.assertEqual(self.visible(self.section_head, self.all), self.section_nc)
        self.assertEqual(self.visible(self.other_head, self.all), self.finance_nc)

    def test_department_heads_manage_only_their_departments(self):
        self.section_nc.with_user(self.bureau_head).write({"root_cause": "x"})
        with self.assertRaises(AccessError):
            self.finance_nc.with_user(self.bureau_head).write({"root_cause": "x"})
        with self.assertRaises(UserError):
            self.finance_nc.with_user(self.bureau_head).action_triage_capa()
        with self.assertRaises(AccessError):
            self.Action.with_user(self.bureau_head).create({
                "name": "x", "department_id": self.finance.id, "owner_id": self.other_clerk.id,
                "date_deadline": "2026-12-01"})

    def test_staff_see_what_they_reported_or_act_on(self):
        self.assertFalse(self.visible(self.clerk, self.all))
        action = self.to_action_stage(self.section_nc)
        self.assertEqual(self.visible(self.clerk, self.all), self.section_nc, "the owner of an action sees its NC")
        self.assertEqual(self.visible(self.clerk, action), action)
        self.assertFalse(self.visible(self.author, action))
        with self.assertRaises(AccessError, msg="staff do not edit nonconformities"):
            self.section_nc.with_user(self.clerk).write({"root_cause": "mine"})
        reported = self.NC.with_user(self.other_clerk).create({
            "title": "Queue display broken", "department_id": self.finance.id, "source": "self_reported"})
        self.assertEqual(self.visible(self.other_clerk, self.all | reported), reported)

    def test_auditors_read_all_and_change_nothing(self):
        self.assertEqual(self.visible(self.auditor, self.all), self.all)
        self.finance_nc.with_user(self.auditor).write({"title": "Late payment of a supplier"})  # own report, still new
        self.finance_nc.with_user(self.other_head).action_triage_capa()
        with self.assertRaises(AccessError, msg="once triaged, the report belongs to the department"):
            self.finance_nc.with_user(self.auditor).write({"title": "x"})

    def test_qms_manager_sees_and_manages_everything(self):
        self.assertEqual(self.visible(self.qms_manager, self.all), self.all)
        self.finance_nc.with_user(self.qms_manager).action_triage_capa()
        self.assertEqual(self.finance_nc.state, "triaged")

    def test_supervision_board_and_analysis_follow_departments(self):
        Analysis = self.env["qms.nonconformity.analysis"]
        self.assertEqual(Analysis.with_user(self.bureau_head).search([]).nonconformity_id & self.all,
                         self.section_nc | self.bureau_nc)
        with self.assertRaises(AccessError):
            Analysis.with_user(self.clerk).search([])
