"""Hostile but logged-in API clients against citizens' work orders (issue 12): what ``execute_kw`` reaches.

Each test is a rule that must hold; those that fail are holes found by the probe (see the report)."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_complaint import ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintProbe(ComplaintCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.citizen_a = new_test_user(cls.env, login="probe_citizen_a", groups="base.group_portal",
                                      name="Probe Citizen A", email="probe_a@mail.example")
        cls.citizen_b = new_test_user(cls.env, login="probe_citizen_b", groups="base.group_portal",
                                      name="Probe Citizen B", email="probe_b@mail.example")

    def assigned(self, **values):
        complaint = self.receive(department_id=self.section.id, **values)
        complaint.with_user(self.clerk).action_assign()
        return complaint

    def answered(self, **values):
        complaint = self.assigned(**values)
        head = complaint.with_user(self.section_head)
        head.reply = "Refunded."
        head.action_answer()
        return complaint

    # ------------------------------------------------------------------ holes

    def test_hole_department_is_not_rewritten_after_assignment(self):
        """After assignment the department changes only by a transfer (counted, new handler, logged)."""
        complaint = self.assigned()
        for user in (self.clerk, self.section_head):
            with self.subTest(user=user.login), self.assertRaisesRegex(UserError, "transfer it"):
                complaint.with_user(user).write({"department_id": self.finance.id})
        self.assertEqual((complaint.department_id, complaint.transfer_count), (self.section, 0))

    def test_hole_creator_cannot_stretch_the_statutory_deadline(self):
        """A plain employee registering a complaint cannot give it months instead of the 10 working days."""
        with self.assertRaisesRegex(UserError, "set by the workflow"):
            self.receive(date_deadline="2027-06-30")

    def test_hole_receiver_cannot_date_a_complaint_in_the_future(self):
        with self.assertRaises(UserError):
            self.receive(date_received="2027-06-30 02:00:00")

    def test_hole_dismissed_complaint_is_not_linked_to_a_nonconformity(self):
        complaint = self.receive(department_id=self.section.id)
        complaint.with_user(self.clerk)._action_dismiss("Duplicate")
        nc = self.make_nc(user=self.qms_manager, department_id=self.section.id)
        with self.assertRaisesRegex(UserError, "dismissed"):
            complaint.with_user(self.qms_manager)._action_link_nonconformity(nc)

    # ------------------------------------------------------------------ what held

    def test_workflow_fields_refused_on_write(self):
        complaint = self.assigned()
        values = {"state": "closed", "owner_id": self.clerk.id, "receiver_id": self.other_clerk.id,
                  "partner_id": self.citizen_b.partner_id.id, "date_answered": "2026-11-30",
                  "callback_result": "satisfied", "rework_count": 0, "transfer_count": 0, "is_problem": False,
                  "nonconformity_id": False, "time_limit_rule_id": False, "date_accept_by": "2027-01-01",
                  "date_received": "2026-01-01 00:00:00", "date_deadline": "2027-06-30"}
        for name, value in values.items():
            with self.subTest(field=name), \
                    self.assertRaisesRegex(UserError, "workflow"):
                complaint.with_user(self.section_head).write({name: value})

    def test_workflow_fields_refused_on_create(self):
        for name, value in {"state": "closed", "owner_id": self.clerk.id, "partner_id": self.citizen_a.partner_id.id,
                            "callback_result": "satisfied", "is_problem": True, "date_accept_by": "2027-01-01",
                            "receiver_id": self.other_clerk.id}.items():
            with self.subTest(field=name), self.assertRaisesRegex(UserError, "set by the workflow"):
                self.receive(**{name: value})

    def test_source_ip_is_the_qms_office_s(self):
        complaint = self.receive()
        with self.assertRaisesRegex(UserError, "change only through the workflow"):
            complaint.with_user(self.clerk).write({"source_ip": "10.0.0.1"})
        with self.assertRaises(AccessError):
            complaint.with_user(self.clerk).read(["source_ip"])

    def test_steps_in_the_wrong_state_or_by_the_wrong_user(self):
        complaint = self.receive(department_id=self.section.id)
        with self.assertRaisesRegex(UserError, "this step is not possible now"):
            complaint.with_user(self.clerk).action_answer()
        with self.assertRaises(AccessError):
            complaint.with_user(self.other_clerk).action_assign()
        with self.assertRaises(AccessError):
            complaint.with_user(self.other_head).action_assign()
        complaint.with_user(self.clerk).action_assign()
        with self.assertRaisesRegex(UserError, "this step is not possible now"):
            complaint.with_user(self.clerk).action_assign()
        with self.assertRaisesRegex(UserError, "Only .* who handles"):
            complaint.with_user(self.clerk).action_answer()

    def test_wizard_on_complaints_one_cannot_write(self):
        complaint = self.assigned()
        for user in (self.other_clerk, self.other_head, self.auditor):
            wizard = self.env["qms.complaint.wizard"].with_user(user).create(
                {"res_ids": complaint.ids, "step": "transfer", "department_id": self.finance.id, "reason": "x"})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                wizard.action_confirm()
        self.assertEqual(complaint.transfer_count, 0)

    def test_wizard_transfer_to_a_department_of_another_company(self):
        other = self.env["res.company"].create({"name": "Other City"})
        foreign = self.env["hr.department"].create({"name": "Foreign", "company_id": other.id, "qms_code": "FOR"})
        complaint = self.assigned()
        wizard = self.env["qms.complaint.wizard"].with_user(self.section_head).create(
            {"res_ids": complaint.ids, "step": "transfer", "department_id": foreign.id, "reason": "x"})
        with self.assertRaisesRegex(UserError, "belong to other companies|incompatible|compan"):
            wizard.action_confirm()

    def test_nonconformity_once_not_dismissed_not_by_a_stranger(self):
        complaint = self.assigned()
        with self.assertRaises(AccessError):
            complaint.with_user(self.other_clerk).action_raise_nonconformity()
        with self.assertRaisesRegex(UserError, "Only .* who handles"):
            complaint.with_user(self.clerk).action_raise_nonconformity()
        complaint.with_user(self.section_head).action_raise_nonconformity()
        with self.assertRaisesRegex(UserError, "already raised"):
            complaint.with_user(self.section_head).action_raise_nonconformity()
        dismissed = self.receive(department_id=self.section.id)
        dismissed.with_user(self.clerk)._action_dismiss("Duplicate")
        with self.assertRaisesRegex(UserError, "was dismissed"):
            dismissed.with_user(self.qms_manager).action_raise_nonconformity()

    def test_link_to_a_nonconformity_one_cannot_read(self):
        nc = self.make_nc(user=self.qms_manager, department_id=self.finance.id)
        complaint = self.assigned()
        with self.assertRaises(AccessError):
            complaint.with_user(self.section_head)._action_link_nonconformity(nc)

    def test_no_deletion(self):
        complaint = self.receive()
        for user in (self.clerk, self.qms_manager):
            with self.subTest(user=user.login), self.assertRaisesRegex(AccessError, "not allowed to delete"):
                complaint.with_user(user).unlink()

    def test_portal_citizen_b_cannot_reach_citizen_a_s(self):
        complaint = self.answered()
        complaint.sudo()._qms_write_workflow({"partner_id": self.citizen_a.partner_id.id})
        as_b = self.Complaint.with_user(self.citizen_b)
        self.assertFalse(as_b.search([("id", "=", complaint.id)]))
        with self.assertRaises(AccessError):
            complaint.with_user(self.citizen_b).read(["reply"])
        with self.assertRaisesRegex(AccessError, "not one of your requests"):
            complaint.with_user(self.citizen_b)._qms_portal_callback("dissatisfied", "bad")
        with self.assertRaises(AccessError):
            complaint.with_user(self.citizen_a).write({"reply": "forged"})
        pending = self.assigned()
        pending.sudo()._qms_write_workflow({"partner_id": self.citizen_a.partner_id.id})
        with self.assertRaisesRegex(UserError, "not waiting for your opinion"):
            pending.with_user(self.citizen_a)._qms_portal_callback("satisfied", "")

    def test_import_wizard_is_the_qms_office_s(self):
        with self.assertRaises(AccessError):
            self.env["qms.complaint.import.wizard"].with_user(self.section_head).create({})

    def test_measurement_nonconformity_is_not_written(self):
        kpi = self.env["qms.process.kpi"].search([("measure", "=", "manual")], limit=1)
        if not kpi:
            self.skipTest("no manual indicator in the demo data")
        measurement = self.env["qms.process.kpi.measurement"].create(
            {"kpi_id": kpi.id, "date": "2026-10-01", "value": -1e6 if kpi.direction != "max" else 1e6})
        self.assertTrue(measurement.nonconformity_id)
        with self.assertRaisesRegex(UserError, "workflow"):
            measurement.with_user(self.qms_manager).write({"nonconformity_id": False})
        with self.assertRaisesRegex(UserError, "kept as its evidence"):
            measurement.with_user(self.qms_manager).unlink()
