from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import QmsCapaCase


class ComplaintCase(QmsCapaCase):
    """The docs fixture's organisation with the answer limits of the 12345 practice (consultation 1 working
    day, help 5, complaint 10), and a clerk who receives work orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Complaint = cls.env["qms.complaint"]
        Rule = cls.env["qms.time.limit.rule"]
        Rule.search([("complaint_kind", "!=", False)]).active = False
        for kind, days in (("consultation", 1), ("help", 5), ("complaint", 10)):
            Rule.create({"name": f"{kind} {days}", "complaint_kind": kind, "close_days": days})

    def receive(self, user=None, **values):
        vals = {"subject": "Licence fee charged twice", "description": "Charged 200 yuan twice at counter 3.",
                "kind": "complaint", "channel": "counter", "citizen_name": "Ms Li", "citizen_phone": "13800000000",
                "citizen_email": "li@example.com"}
        vals.update(values)
        return self.Complaint.with_user(user or self.clerk).create(vals)


@tagged("post_install", "-at_install")
class TestComplaint(ComplaintCase):
    """A citizen's work order through its loop, its time limit, its ladder and its nonconformity."""

    def test_time_limit_per_kind_in_working_days(self):
        # received on Monday 30 November 2026: 10, 5 and 1 working days (weekends skipped)
        complaint = self.receive()
        help_request = self.receive(kind="help")
        consultation = self.receive(kind="consultation")
        self.assertRegex(complaint.name, r"^CP-2026-\d{4}$")
        self.assertEqual(str(complaint.date_deadline), "2026-12-14")
        self.assertEqual(str(help_request.date_deadline), "2026-12-07")
        self.assertEqual(str(consultation.date_deadline), "2026-12-01")
        self.assertEqual(complaint.receiver_id, self.clerk)
        self.assertEqual(complaint.state, "received")

    def test_time_limits_count_the_make_up_saturday_and_skip_the_spring_festival(self):
        # received on Friday 13 February 2026: Saturday the 14th is a make-up working day (调休), the 15th to the 23rd
        # are the Spring Festival holiday, Saturday the 28th is worked again
        with freeze_time("2026-02-13 02:00:00"):
            consultation = self.receive(kind="consultation")
            complaint = self.receive()
        self.assertEqual(str(consultation.date_deadline), "2026-02-14")
        self.assertEqual(str(consultation.date_accept_by), "2026-02-14")
        # 14 (Sat, worked), 24, 25, 26, 27, 28 (Sat, worked), 2, 3, 4, 5 March
        self.assertEqual(str(complaint.date_deadline), "2026-03-05")

    def test_assign_answer_and_call_back(self):
        complaint = self.receive()
        with self.assertRaisesRegex(UserError, "Choose the department concerned"):
            complaint.action_assign()
        complaint.department_id = self.section
        complaint.action_assign()
        self.assertEqual((complaint.state, complaint.owner_id), ("assigned", self.section_head))
        self.assertTrue(complaint.activity_ids.filtered(lambda a: a.user_id == self.section_head))
        head = complaint.with_user(self.section_head)
        with self.assertRaisesRegex(UserError, "Write the reply"):
            head.action_answer()
        head.reply = "The second payment is refunded; counter 3 now checks the receipt."
        head.action_answer()
        self.assertEqual(complaint.state, "answered")
        self.assertTrue(complaint.answered_on_time)
        mail = self.env["mail.mail"].search([("model", "=", "qms.complaint"), ("res_id", "=", complaint.id),
                                             ("email_to", "!=", False)])
        self.assertEqual(len(mail), 1)
        self.assertIn("li@example.com", mail.email_to, "the reply goes to the citizen")
        self.assertIn("The second payment is refunded", mail.body_html)
        # dissatisfied: back for rework, counted; then satisfied: closed
        self.env["qms.complaint.wizard"].with_user(self.section_head).create({
            "res_ids": complaint.ids, "step": "callback", "callback_result": "dissatisfied",
            "callback_note": "Still not refunded."}).action_confirm()
        self.assertEqual((complaint.state, complaint.rework_count), ("assigned", 1))
        head.action_answer()
        self.env["qms.complaint.wizard"].with_user(self.section_head).create({
            "res_ids": complaint.ids, "step": "callback", "callback_result": "basic"}).action_confirm()
        self.assertEqual((complaint.state, complaint.callback_result), ("closed", "basic"))
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            head.write({"reply": "rewritten"})

    def test_third_transfer_or_rework_makes_a_problem_item(self):
        complaint = self.receive(department_id=self.section.id)
        complaint.action_assign()
        Wizard = self.env["qms.complaint.wizard"].with_user(self.qms_manager)
        for department in (self.finance, self.section):
            Wizard.create({"res_ids": complaint.ids, "step": "transfer", "department_id": department.id,
                           "reason": "Not ours"}).action_confirm()
        self.assertEqual((complaint.transfer_count, complaint.is_problem), (2, False))
        complaint.with_user(self.section_head).write({"reply": "Answered."})
        complaint.with_user(self.section_head).action_answer()
        Wizard.create({"res_ids": complaint.ids, "step": "callback",
                       "callback_result": "dissatisfied"}).action_confirm()
        self.assertTrue(complaint.is_problem)
        self.assertTrue(complaint.is_supervised)
        self.assertTrue(complaint.activity_ids.filtered(lambda a: a.user_id == self.bureau_head),
                        "the level above the section is told")

    def test_ladder_steps_once(self):
        complaint = self.receive(kind="consultation", department_id=self.section.id)
        complaint.action_assign()
        with freeze_time("2026-12-02 02:00:00"):  # a day after the deadline
            self.Complaint._cron_escalate()
            self.Complaint._cron_escalate()
        self.assertEqual(str(complaint.date_overdue), "2026-12-01")
        overdue_notes = complaint.message_ids.filtered(lambda m: "Overdue since" in (m.body or ""))
        self.assertEqual(len(overdue_notes), 1)

    def test_raises_one_nonconformity_and_links_others(self):
        first = self.receive(department_id=self.section.id)
        second = self.receive(department_id=self.section.id, subject="Charged twice again")
        first.with_user(self.section_head).action_raise_nonconformity()
        nc = first.nonconformity_id
        self.assertEqual((nc.source, nc.department_id, nc.origin_model, nc.origin_id),
                         ("complaint", self.section, "qms.complaint", first.id))
        with self.assertRaisesRegex(UserError, "already raised"):
            first.with_user(self.section_head).action_raise_nonconformity()
        second.with_user(self.section_head)._action_link_nonconformity(nc)
        self.assertEqual(nc.complaint_ids, first | second)

    def test_dismissed_with_a_reason_never_deleted(self):
        complaint = self.receive()
        self.env["qms.reason.wizard"].with_user(self.clerk).create({
            "res_model": complaint._name, "res_ids": complaint.ids, "method": "_action_dismiss",
            "reason": "Duplicate of CP-2026-0001"}).action_confirm()
        self.assertEqual((complaint.state, complaint.dismiss_reason), ("dismissed", "Duplicate of CP-2026-0001"))
        with self.assertRaises(UserError):
            complaint.with_user(self.qms_manager).unlink()

    def test_what_an_api_client_may_not_do(self):
        complaint = self.receive(department_id=self.section.id)
        for vals in ({"state": "closed"}, {"owner_id": self.clerk.id}, {"date_answered": "2026-11-30"},
                     {"is_problem": True}, {"nonconformity_id": False}, {"date_received": "2026-01-01 00:00:00"},
                     {"rework_count": 0}, {"answered_on_time": True}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                complaint.with_user(self.clerk).write(vals)
        with self.assertRaisesRegex(UserError, "not when creating it"):
            self.receive(state="closed")
        with self.assertRaisesRegex(UserError, "Only Xu Clerk, who handles"):
            complaint.with_user(self.auditor).action_assign()  # reads it, does not handle it

    def test_access_per_group(self):
        section_complaint = self.receive(department_id=self.section.id)
        finance_complaint = self.receive(user=self.other_clerk, department_id=self.finance.id)
        both = section_complaint | finance_complaint
        Complaint = self.Complaint
        self.assertEqual(Complaint.with_user(self.section_head).search([("id", "in", both.ids)]), section_complaint)
        self.assertEqual(Complaint.with_user(self.bureau_head).search([("id", "in", both.ids)]), section_complaint)
        self.assertEqual(Complaint.with_user(self.clerk).search([("id", "in", both.ids)]), section_complaint,
                         "the receiver")
        self.assertEqual(Complaint.with_user(self.auditor).search([("id", "in", both.ids)]), both)
        self.assertEqual(Complaint.with_user(self.qms_manager).search([("id", "in", both.ids)]), both)
        with self.assertRaises(AccessError):
            finance_complaint.with_user(self.section_head).read(["subject"])
        with self.assertRaises(AccessError):
            section_complaint.with_user(self.auditor).write({"location": "x"})
