import base64
import io

from PyPDF2 import PdfReader

from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import QmsAuditCase

JUDGEMENT_NOTES = {
    "b_context_note": "The provincial e-government rules of March changed the licensing channels.",
    "c7_providers_note": "The outsourced call centre met 11 of its 12 monthly service levels.",
    "d_resources_note": "Two inspectors short in the Inspection Section since May.",
    "e_risks_note": "The peak-season staffing plan kept the licensing backlog under 5 days.",
    "f_improvement_note": "Put the licence checklist online for applicants.",
}


class ReviewCityCase(QmsAuditCase):
    """A small city of its own (a second company, so that the demo data stays out of the figures):
    two sections, six nonconformities over two half-years, actions, checks, audits, an indicator,
    scorecards, and the previous review (2025 H2), closed with three decisions. The review under test
    covers 2026 H1 and compares it with 2025 H2. Every expected figure below is counted by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.co = env["res.company"].create({"name": "Review Test City"})
        cls.leader = new_test_user(env, login="leader", name="Liu Deputy Mayor", groups="base.group_user",
                                   company_id=cls.co.id, company_ids=[(6, 0, [cls.co.id, cls.company.id])])
        for user in (cls.qms_manager, cls.auditor, cls.section_head, cls.clerk, cls.other_head, cls.bureau_head):
            user.company_ids = [(4, cls.co.id)]
        Department = env["hr.department"]
        cls.dA = Department.create({"name": "Test Licensing", "qms_code": "TLA", "company_id": cls.co.id})
        cls.dB = Department.create({"name": "Test Inspection", "qms_code": "TLB", "company_id": cls.co.id})
        head = env["hr.employee"].create({"name": "Test head", "user_id": cls.other_head.id, "company_id": cls.co.id,
                                          "department_id": cls.dB.id})
        cls.dB.manager_id = head
        rule = env["qms.time.limit.rule"].create({"name": "Complaints and audits", "company_id": cls.co.id,
                                                   "close_days": 20})
        NC = env["qms.nonconformity"].sudo().with_company(cls.co)

        def nc(title, department, source, detected, deadline, **values):
            return NC.create({"title": title, "department_id": department.id, "source": source,
                              "date_detected": detected, "date_deadline": deadline, "company_id": cls.co.id,
                              **values})

        cls.nc1 = nc("Licence fee charged twice", cls.dA, "complaint", "2026-02-01", "2026-03-01",
                     time_limit_rule_id=rule.id)
        cls.nc2 = nc("Licence issued without inspection", cls.dA, "internal_audit", "2026-03-01", "2026-03-31",
                     severity="major", path="capa", state="action", time_limit_rule_id=rule.id, is_recurrence=True)
        cls.nc3 = nc("Inspection report never sent", cls.dB, "complaint", "2026-05-01", "2026-07-01",
                     state="action", is_supervised=True, date_supervised="2026-06-10")
        cls.nc4 = nc("Duplicate record", cls.dB, "self_reported", "2026-06-15", "2026-07-15", state="cancelled")
        cls.nc5 = nc("Applicant not told of missing papers", cls.dA, "complaint", "2025-08-01", "2025-08-31",
                     time_limit_rule_id=rule.id)
        cls.nc6 = nc("Inspection checklist out of date", cls.dB, "internal_audit", "2025-09-01", "2025-12-01")
        Action = env["qms.action"].sudo().with_company(cls.co)
        cls.a1 = Action.create({"nonconformity_id": cls.nc2.id, "name": "Add the inspection record to the checklist",
                                "owner_id": cls.clerk.id, "date_deadline": "2026-03-25"})
        cls.a2 = Action.create({"nonconformity_id": cls.nc3.id, "name": "Send reports within 3 days",
                                "owner_id": cls.clerk.id, "date_deadline": "2026-06-01"})
        cls.a3 = Action.create({"nonconformity_id": cls.nc3.id, "name": "Train the inspectors",
                                "owner_id": cls.clerk.id, "date_deadline": "2026-05-01"})
        cls.a1.write({"state": "done", "date_done": "2026-03-20"})
        cls.a2.write({"is_supervised": True, "date_supervised": "2026-06-05"})
        cls.a3.write({"state": "done", "date_done": "2026-05-10"})
        cls.nc1_file = env["ir.attachment"].create({  # the proof of nc1's correction, before it closes
            "name": "refund receipt.pdf", "raw": b"%PDF refund", "res_model": "qms.nonconformity",
            "res_id": cls.nc1.id})
        for record, closed in ((cls.nc1, "2026-02-20"), (cls.nc2, "2026-04-10"), (cls.nc5, "2025-08-11"),
                               (cls.nc6, "2026-01-05")):
            record.write({"state": "closed", "date_closed": closed})
        # citizens' work orders: four in 2026 H1 (one closed satisfied, one answered late and sent back, one
        # open, one dismissed), one in 2025 H2 (answered on time, basically satisfied)
        Complaint = env["qms.complaint"].sudo().with_company(cls.co)

        def complaint(subject, department, kind, received, deadline, **values):
            return Complaint.create({"subject": subject, "description": subject, "department_id": department.id,
                                     "kind": kind, "channel": "hotline", "date_deadline": deadline,
                                     "company_id": cls.co.id, **values}).with_context(
                qms_transition=TRANSITION).write({"date_received": f"{received} 02:00:00"})

        complaint("Charged twice at the counter", cls.dA, "complaint", "2026-02-03", "2026-02-17", state="closed",
                  date_answered="2026-02-10", callback_result="satisfied", date_callback="2026-02-12")
        complaint("No reply about the inspection", cls.dB, "help", "2026-04-01", "2026-04-08", state="assigned",
                  date_answered="2026-04-15", callback_result="dissatisfied", date_callback="2026-04-16",
                  rework_count=1)
        complaint("Opening hours?", cls.dB, "consultation", "2026-06-20", "2026-06-22")
        complaint("Duplicate of a hotline call", cls.dA, "complaint", "2026-05-05", "2026-05-19", state="dismissed")
        complaint("Missing papers not told", cls.dA, "complaint", "2025-09-01", "2025-09-15", state="closed",
                  date_answered="2025-09-05", callback_result="basic", date_callback="2025-09-08")
        Check = env["qms.effectiveness.check"].sudo()
        Check.create({"nonconformity_id": cls.nc2.id, "date_due": "2026-05-01", "state": "effective",
                      "date_checked": "2026-05-01"})
        Check.create({"nonconformity_id": cls.nc1.id, "date_due": "2026-03-01", "state": "not_effective",
                      "date_checked": "2026-03-01"})
        # indicator: at least 95 % of licences issued within the time limit
        process = env["qms.process"].create({"name": "Licence issuing", "department_id": cls.dA.id,
                                             "company_id": cls.co.id})
        cls.kpi = env["qms.process.kpi"].create({"process_id": process.id, "name": "Issued on time", "target": 95,
                                                 "unit": "%", "direction": "min", "frequency": "monthly"})
        env["qms.process.kpi.measurement"].create([
            {"kpi_id": cls.kpi.id, "date": day, "value": value}
            for day, value in (("2026-01-01", 96), ("2026-02-01", 90), ("2025-12-01", 97))])
        # audits: one closed in March with two findings, one still planned in May
        auditor = env["qms.auditor"].create({"user_id": cls.auditor.id, "is_lead": True, "company_id": cls.co.id,
                                             "date_qualified": "2025-01-01"})
        Audit = env["qms.audit"].sudo()
        audit_values = {"lead_auditor_id": auditor.id, "company_id": cls.co.id,
                        "clause_ids": [(6, 0, cls.clause_doc_control.ids)]}
        cls.audit1 = Audit.create({**audit_values, "department_ids": [(6, 0, cls.dA.ids)],
                                   "date_start": "2026-03-10", "date_end": "2026-03-11", "state": "in_progress"})
        Audit.create({**audit_values, "department_ids": [(6, 0, cls.dB.ids)], "date_start": "2026-05-10",
                      "date_end": "2026-05-11"})
        Finding = env["qms.audit.finding"].sudo()
        finding = {"audit_id": cls.audit1.id, "department_id": cls.dA.id, "criterion": "Procedure P-LIC-01",
                   "evidence": "3 files of 20", "statement": "Not inspected"}
        Finding.create([{**finding, "classification": "minor", "nonconformity_id": cls.nc2.id},
                        {**finding, "classification": "ofi", "action_id": cls.a2.id}])
        cls.audit1.write({"state": "closed"})
        # a new company states its clause applicability itself (ISO 9001 4.3)
        env["qms.iso.clause"].with_company(cls.co).search([]).write({"applicable": True})
        cls.programme = env["qms.audit.programme"].create({"year": 2026, "company_id": cls.co.id})
        # monthly scorecards: the Inspection Section lost fewer points than Licensing
        Score = env["qms.department.score"].sudo()
        Score.create([
            {"department_id": cls.dA.id, "company_id": cls.co.id, "month": "2026-01-01", "state": "published",
             "points_deducted": 2.0, "on_time_rate": 80.0},
            {"department_id": cls.dB.id, "company_id": cls.co.id, "month": "2026-02-01", "state": "published",
             "points_deducted": 0.5, "on_time_rate": 100.0},
            {"department_id": cls.dA.id, "company_id": cls.co.id, "month": "2025-12-01", "state": "published",
             "points_deducted": 1.0, "on_time_rate": 90.0},
        ])
        # the previous review (2025 H2), walked through the real workflow, and its three decisions
        cls.Review = env["qms.management.review"].with_user(cls.qms_manager).with_company(cls.co)
        cls.previous = cls.make_review("2025-07-01", "2025-12-31", date_meeting="2026-01-15 02:00:00")
        with freeze_time("2026-01-15 08:00:00"):
            cls.previous.action_compile()
            cls.previous.write(JUDGEMENT_NOTES)
            cls.previous.action_hold()
            decisions = cls.env["qms.management.review.decision"].with_user(cls.qms_manager).create([
                {"review_id": cls.previous.id, "name": "Publish the licence fees online", "owner_id": cls.clerk.id,
                 "department_id": cls.dA.id, "date_deadline": "2026-02-28"},
                {"review_id": cls.previous.id, "name": "Recruit two inspectors", "kind": "resource",
                 "owner_id": cls.clerk.id, "department_id": cls.dB.id, "date_deadline": "2026-03-31"},
                {"review_id": cls.previous.id, "name": "Keep the quality policy", "kind": "change",
                 "follow_up": "note"},
            ])
            cls.previous.conclusion = "The QMS is suitable and effective; licensing needs more inspectors."
            cls.previous.action_close()
        cls.dec_fees, cls.dec_recruit, cls.dec_policy = decisions
        cls.a4, cls.a5 = cls.dec_fees.action_id, cls.dec_recruit.action_id
        cls.a4.sudo().write({"state": "done", "date_done": "2026-02-01"})
        # the review under test: 2026 H1
        cls.review = cls.make_review("2026-01-01", "2026-06-30", previous_review_id=cls.previous.id,
                                     participant_ids=[(6, 0, cls.section_head.ids)],
                                     department_ids=[(6, 0, cls.dB.ids)])

    @classmethod
    def make_review(cls, start, end, **values):
        return cls.Review.create({"title": "Management review", "date_from": start, "date_to": end,
                                  "chair_id": cls.leader.id, "company_id": cls.co.id, **values})

    def figure(self, review, code, label, group=None):
        figures = review.input_ids.filtered(lambda s: s.code == code).figure_ids.filtered(
            lambda f: f.label == label and (group is None or f.group == group))
        self.assertEqual(len(figures), 1, f"one figure {label!r} in {code}: {figures.mapped('display_name')}")
        return figures

    def assertFigure(self, review, code, label, value, previous=None, group=None, trend=None):
        figure = self.figure(review, code, label, group)
        self.assertAlmostEqual(figure.value, value, places=1, msg=label)
        if previous is None:
            self.assertFalse(figure.has_previous, label)
        else:
            self.assertTrue(figure.has_previous, label)
            self.assertAlmostEqual(figure.previous_value, previous, places=1, msg=label)
        if trend:
            self.assertEqual(figure.trend_display, trend, label)
        return figure

    def hold(self, review):
        review.action_compile()
        review.write({**JUDGEMENT_NOTES, "date_meeting": "2026-11-30 01:00:00"})
        review.action_hold()



@tagged("post_install", "-at_install")
class TestManagementReview(ReviewCityCase):
    """The management review compiled, held, closed and followed up, on the city's known data."""

    # ------------------------------------------------------------------ compiled figures

    def test_compiled_figures_on_known_data(self):
        review = self.review
        self.assertEqual(review.name, "MR-2026-01")
        self.assertEqual(self.previous.name, "MR-2025-01")
        self.assertEqual((review.previous_date_from, review.previous_date_to), (self.d("2025-07-01"),
                                                                                self.d("2025-12-31")))
        review.action_compile()
        self.assertEqual(review.state, "compiled")
        # c1: the citizens' work orders of each half-year
        self.assertFigure(review, "c1_feedback", "Received", 4, 1, trend="↑ 300%")
        self.assertFigure(review, "c1_feedback", "Test Licensing", 2, 1, group="Received by department")
        self.assertFigure(review, "c1_feedback", "Test Inspection", 2, 0, group="Received by department")
        self.assertFigure(review, "c1_feedback", "Complaint", 2, 1, group="Received by kind")
        self.assertFigure(review, "c1_feedback", "Answered and closed", 1, 1)
        self.assertFigure(review, "c1_feedback", "Dismissed", 1, 0)
        self.assertFigure(review, "c1_feedback", "Being handled", 2, 0)
        self.assertFigure(review, "c1_feedback", "Answered within the time limit", 50, 100, trend="↓ 50.0 pt")
        self.assertFigure(review, "c1_feedback", "Satisfied or basically satisfied at the call-back", 50, 100)
        self.assertFigure(review, "c1_feedback", "Sent back for rework", 1, 0)
        # c2: the indicator averages 93 against 97; NCs under a time limit 1 of 2 on time; actions 2 of 3
        kpi = self.assertFigure(review, "c2_objectives", "Licence issuing: Issued on time", 93, 97, trend="↓ 4%")
        self.assertEqual(kpi.assessment, "bad")
        self.assertIn("met 1 of 2 times", kpi.detail)
        self.assertFigure(review, "c2_objectives", "Nonconformities closed within their time limit", 50, 100,
                          trend="↓ 50.0 pt")
        self.assertFigure(review, "c2_objectives", "Actions done by their due date", 200 / 3, 0)
        # c3: raised (cancelled nc4 left out), closed nc1, nc2, nc6 (closed in January), days, recurrences
        self.assertFigure(review, "c3_processes", "Test Licensing", 2, 1, group="Nonconformities by department")
        self.assertFigure(review, "c3_processes", "Test Inspection", 1, 1, group="Nonconformities by department")
        self.assertFigure(review, "c3_processes", "Citizen complaint", 2, 1, group="Nonconformities by source")
        self.assertFigure(review, "c3_processes", "Internal audit", 1, 1, group="Nonconformities by source")
        self.assertFigure(review, "c3_processes", "Major", 1, 0, group="Nonconformities by severity")
        self.assertFigure(review, "c3_processes", "Minor", 1 + 1, 2, group="Nonconformities by severity")
        self.assertFigure(review, "c3_processes", "Nonconformities closed", 3, 1)
        closed = self.assertFigure(review, "c3_processes", "Closed on time", 100 / 3, 100, trend="↓ 66.7 pt")
        self.assertEqual(closed.assessment, "bad")
        self.assertFigure(review, "c3_processes", "Average days to close", (19 + 40 + 126) / 3, 10)
        self.assertFigure(review, "c3_processes", "Recurrences", 1, 0)
        self.assertFigure(review, "c3_processes", "Supervised items (overdue and escalated)", 2, 0)
        first = self.assertFigure(review, "c3_processes", "1. Test Inspection", 0.5, 0)
        self.assertIn("100% closed on time", first.detail)
        self.assertFigure(review, "c3_processes", "2. Test Licensing", 2, 1, trend="↑ 100%")
        # c4: open at the end of each period, checks, actions by type, actions overdue at the end
        self.assertFigure(review, "c4_capa", "Open at the end of the period", 1, 1)
        self.assertFigure(review, "c4_capa", "Raised", 3, 2)
        self.assertFigure(review, "c4_capa", "Closed", 3, 1)
        self.assertFigure(review, "c4_capa", "Judged effective", 1, 0)
        self.assertFigure(review, "c4_capa", "Judged not effective (a new round of actions)", 1, 0)
        self.assertFigure(review, "c4_capa", "Corrective action", 2, 0, group="Actions")
        self.assertFigure(review, "c4_capa", "Improvement", 1, 0, group="Actions")
        self.assertFigure(review, "c4_capa", "Overdue at the end of the period", 2, 0, group="Actions")
        # c5/c6: 1 of 2 audits done, findings by class, the open one (its action is open), coverage
        self.assertFigure(review, "c5_audits", "Audits planned in the period", 2, 0)
        self.assertFigure(review, "c5_audits", "Audits done (reported or closed)", 1, 0)
        self.assertFigure(review, "c5_audits", "Programme carried out", 50, 0)
        self.assertFigure(review, "c5_audits", "Minor nonconformity", 1, 0, group="Findings by class")
        self.assertFigure(review, "c5_audits", "Opportunity for improvement", 1, 0, group="Findings by class")
        self.assertFigure(review, "c5_audits", "Findings still open (their nonconformity or action)", 1)
        coverage = self.figure(review, "c5_audits", "Programme 2026")
        self.assertGreater(coverage.value, 0)
        self.assertAlmostEqual(coverage.value, self.programme.coverage_percent, places=1)
        # documented information: nothing in this company
        self.assertFigure(review, "c6_documents", "Revisions issued", 0, 0)
        self.assertFigure(review, "c6_documents", "Acknowledgements outstanding", 0)
        # the charts of the counts are drawn for the form
        self.assertIn("<svg", review.c3_processes_chart)
        self.assertIn("Test Licensing", review.c3_processes_chart)

    def test_previous_decisions_followed_up_in_input_a(self):
        review = self.review
        review.action_compile()
        rows = review.input_ids.filtered(lambda s: s.code == "a_actions").figure_ids
        status = {row.label: row.detail for row in rows if row.unit == "text"}
        self.assertEqual(set(status), {"MR-2025-01: Publish the licence fees online",
                                       "MR-2025-01: Recruit two inspectors", "MR-2025-01: Keep the quality policy"})
        self.assertIn("Done on 2026-02-01, on time", status["MR-2025-01: Publish the licence fees online"])
        self.assertIn("In Progress (due 2026-03-31)", status["MR-2025-01: Recruit two inspectors"])
        self.assertEqual(status["MR-2025-01: Keep the quality policy"], "Recorded")
        self.assertFigure(review, "a_actions", "Decisions followed up", 3)
        self.assertFigure(review, "a_actions", "Actions and changes completed", 1)
        self.assertFigure(review, "a_actions", "Completed on time", 100)
        self.assertFigure(review, "a_actions", "Still in progress", 1)
        self.assertFigure(review, "a_actions", "Overdue", 1)
        # the follow-up actions are in the CAPA loop, linked both ways
        self.assertEqual(self.a5.review_decision_id, self.dec_recruit)
        self.assertEqual((self.a5.owner_id, self.a5.department_id, str(self.a5.date_deadline)),
                         (self.clerk, self.dB, "2026-03-31"))
        self.assertEqual(self.a5.action_type, "improvement")
        self.assertTrue(self.dec_recruit.is_overdue)
        overdue = self.env["qms.management.review.decision"].search([("is_overdue", "=", True),
                                                                     ("company_id", "=", self.co.id)])
        self.assertEqual(overdue, self.dec_recruit)

    def test_compiling_again_refreshes_the_figures(self):
        review = self.review
        review.action_compile()
        review.write({"c3_processes_note": "Licensing raises most nonconformities."})
        self.nc3.sudo().write({"state": "closed", "date_closed": "2026-06-20"})
        review.action_compile()
        self.assertFigure(review, "c3_processes", "Nonconformities closed", 4, 1)
        self.assertEqual(review.c3_processes_note, "Licensing raises most nonconformities.")

    # ------------------------------------------------------------------ holding and closing

    def test_holding_needs_every_input(self):
        review = self.review
        with self.assertRaisesRegex(UserError, "this step is not possible now"):
            review.action_hold()
        review.action_compile()
        review.date_meeting = "2026-11-30 01:00:00"
        with self.assertRaises(UserError) as error:
            review.action_hold()
        message = str(error.exception)
        for name in ("b) Changes in external and internal issues", "c7) Performance of external providers",
                     "d) Adequacy of resources", "e) Effectiveness of actions taken",
                     "f) Opportunities for improvement"):
            self.assertIn(name, message)
        self.assertNotIn("c1)", message)
        review.write({name: note for name, note in JUDGEMENT_NOTES.items() if name != "d_resources_note"})
        with self.assertRaisesRegex(UserError, r"missing or not written: d\) Adequacy of resources\.$"):
            review.action_hold()
        self.assertEqual(review.missing_inputs, "d) Adequacy of resources")
        # an input removed behind the form's back is named too (and a user cannot remove one)
        section = review.input_ids.filtered(lambda s: s.code == "c4_capa")
        with self.assertRaisesRegex(UserError, "inputs of a management review are kept"):
            section.unlink()
        section.sudo().unlink()
        review.d_resources_note = "Enough, except inspectors."
        with self.assertRaisesRegex(UserError, r"c4\) Nonconformities and corrective actions"):
            review.action_hold()
        review.action_compile()  # compiling restores it
        review.action_hold()
        self.assertEqual(review.state, "held")
        with self.assertRaisesRegex(UserError, "can no longer change"):
            review.write({"b_context_note": "rewritten after the meeting"})

    def test_decisions_become_actions_and_change_requests_then_the_next_review_lists_them(self):
        review = self.review
        self.hold(review)
        document = self.make_document(company_id=self.co.id, department_id=self.dA.id, owner_id=self.author.id)
        Decision = self.env["qms.management.review.decision"].with_user(self.qms_manager)
        action_decision, change_decision, note_decision = Decision.create([
            {"review_id": review.id, "name": "Cut inspection report delays", "action_type": "corrective",
             "owner_id": self.other_head.id, "department_id": self.dB.id, "date_deadline": "2027-01-31"},
            {"review_id": review.id, "name": "Add online payment to the licence procedure", "kind": "change",
             "follow_up": "change_request", "document_id": document.id, "note": "Citizens pay twice at the counter."},
            {"review_id": review.id, "name": "Budget for two inspectors in 2027", "kind": "resource",
             "follow_up": "note"},
        ])
        review.conclusion = "Suitable and effective; inspection needs resources."
        review.action_close()
        self.assertEqual(review.state, "closed")
        action = action_decision.action_id
        self.assertEqual((action.name, action.owner_id, action.department_id, action.action_type, action.state),
                         ("Cut inspection report delays", self.other_head, self.dB, "corrective", "open"))
        self.assertEqual(action.review_decision_id, action_decision)
        self.assertIn(review.name, action.description)
        self.assertTrue(action.activity_ids.filtered(lambda a: a.user_id == self.other_head))
        request = change_decision.change_request_id
        self.assertEqual((request.document_id, request.review_decision_id, request.state),
                         (document, change_decision, "submitted"))
        self.assertIn("Citizens pay twice", request.reason)
        self.assertFalse(note_decision.action_id or note_decision.change_request_id)
        self.assertEqual(note_decision.state, "recorded")
        self.assertEqual(action_decision.state, "open")
        # the minutes are stored as a PDF and read back
        minutes = review.minutes_attachment_id
        self.assertEqual((minutes.res_model, minutes.res_id, minutes.mimetype),
                         (review._name, review.id, "application/pdf"))
        pdf = base64.b64decode(minutes.datas)
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
        for expected in ("MR-2026-01", "Liu Deputy Mayor", "Zhao Section Head", "Answered within the time limit",
                         "Test Licensing", "Cut inspection report delays", "2027-01-31",
                         action.name, request.name, "Suitable and effective", "Signature",
                         "c7) Performance of external providers", "outsourced call centre"):
            self.assertIn(expected, text)
        self.assertIn("<svg", review.input_ids.filtered(lambda s: s.code == "c3_processes").chart_html)
        # the next review reports how they were followed up
        with freeze_time("2027-02-05 02:00:00"):
            action.sudo().write({"state": "done", "date_done": "2027-01-20"})
            following = self.make_review("2026-07-01", "2026-12-31")
            self.assertEqual(following.previous_review_id, review)
            following.action_compile()
        status = {row.label: row.detail for row in following.input_ids.filtered(
            lambda s: s.code == "a_actions").figure_ids if row.unit == "text"}
        self.assertIn("on 2027-01-20, on time", status["MR-2026-01: Cut inspection report delays"])
        self.assertIn(request.name, status["MR-2026-01: Add online payment to the licence procedure"])
        self.assertEqual(status["MR-2026-01: Budget for two inspectors in 2027"], "Recorded")
        # last year's overdue decision is still reported while it is open
        self.assertIn("MR-2025-01: Recruit two inspectors", status)
        self.assertNotIn("MR-2025-01: Publish the licence fees online", status)

    def test_closed_review_is_read_only_and_reopens_only_with_a_reason(self):
        review = self.previous
        self.assertTrue(review.is_locked)
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            review.write({"conclusion": "rewritten"})
        with self.assertRaisesRegex(UserError, "can no longer change"):
            self.dec_fees.with_user(self.qms_manager).write({"name": "rewritten"})
        with self.assertRaisesRegex(UserError, "can no longer change"):
            self.env["qms.management.review.decision"].with_user(self.qms_manager).create(
                {"review_id": review.id, "name": "added afterwards", "follow_up": "note"})
        with self.assertRaisesRegex(UserError, "locked"):
            review.minutes_attachment_id.with_user(self.qms_manager).unlink()
        with self.assertRaisesRegex(UserError, "kept as evidence"):
            review.unlink()
        wizard = self.env["qms.reason.wizard"].with_user(self.section_head).create({
            "res_model": review._name, "res_ids": review.ids, "method": "_action_reopen", "reason": "typo"})
        with self.assertRaises(UserError):
            wizard.action_confirm()
        wizard = self.env["qms.reason.wizard"].with_user(self.qms_manager).create({
            "res_model": review._name, "res_ids": review.ids, "method": "_action_reopen",
            "reason": "The chair's name was misspelt in the minutes."})
        wizard.action_confirm()
        self.assertEqual((review.state, review.reopen_count), ("held", 1))
        self.assertTrue(any("misspelt" in message.body for message in review.message_ids))
        # closing again keeps the actions already raised and stores new minutes beside the old ones
        old_minutes = review.minutes_attachment_id
        review.action_close()
        self.assertEqual(self.dec_fees.action_id, self.a4)
        self.assertNotEqual(review.minutes_attachment_id, old_minutes)
        self.assertTrue(old_minutes.exists())

    # ------------------------------------------------------------------ what an API client may not do

    def test_workflow_fields_and_figures_are_not_written_by_hand(self):
        review = self.review
        review.action_compile()
        with self.assertRaisesRegex(UserError, "workflow buttons"):
            review.write({"state": "held"})
        with self.assertRaisesRegex(UserError, "not when creating it"):
            self.Review.create({"date_from": "2027-01-01", "date_to": "2027-06-30", "chair_id": self.leader.id,
                                "state": "closed"})
        figure = review.input_ids.figure_ids[:1]
        with self.assertRaisesRegex(UserError, "change only through the workflow"):
            figure.write({"value": 99})
        with self.assertRaisesRegex(UserError, "compile the review again"):
            figure.unlink()
        with self.assertRaisesRegex(UserError, "set by the workflow"):
            self.env["qms.management.review.figure"].with_user(self.qms_manager).create(
                {"input_id": review.input_ids[0].id, "label": "Invented", "value": 1})
        with self.assertRaisesRegex(UserError, "set by the workflow"):
            self.env["qms.management.review.input"].with_user(self.qms_manager).create(
                {"review_id": review.id, "code": "b_context"})
        # the follow-up links are the workflow's too
        decision = self.env["qms.management.review.decision"].with_user(self.qms_manager).create(
            {"review_id": review.id, "name": "A decision", "follow_up": "note"})
        with self.assertRaisesRegex(UserError, "change only through the workflow"):
            decision.write({"action_id": self.a2.id})
        with self.assertRaisesRegex(UserError, "set by the workflow"):
            self.env["qms.action"].with_user(self.qms_manager).create({
                "name": "Forged", "owner_id": self.clerk.id, "department_id": self.dA.id,
                "date_deadline": "2027-01-01", "company_id": self.co.id, "review_decision_id": decision.id})

    def test_only_the_qms_office_runs_the_review(self):
        review = self.review.with_user(self.section_head)
        review.sudo().participant_ids = self.section_head
        for step in ("action_compile", "action_hold", "action_close"):
            with self.assertRaises(UserError):
                getattr(review, step)()
        with self.assertRaises(AccessError):
            review.write({"agenda": "<p>mine</p>"})

    # ------------------------------------------------------------------ access

    def test_access_per_group(self):
        Review = self.env["qms.management.review"].with_company(self.co)
        review = self.review
        review.action_compile()
        mine = [("company_id", "=", self.co.id)]
        # the chair, the participants and the heads of the invited departments read theirs
        self.assertEqual(Review.with_user(self.leader).search(mine), self.review | self.previous)
        self.assertEqual(Review.with_user(self.section_head).search(mine), review)
        self.assertEqual(Review.with_user(self.other_head).search(mine), review)  # heads the invited section
        self.assertFalse(Review.with_user(self.clerk).search(mine))
        self.assertFalse(Review.with_user(self.bureau_head).search(mine))
        with self.assertRaises(AccessError):
            review.with_user(self.clerk).read(["title"])
        # their figures and decisions follow the review
        Figure = self.env["qms.management.review.figure"].with_company(self.co)
        self.assertEqual(Figure.with_user(self.section_head).search(mine), review.input_ids.figure_ids)
        self.assertFalse(Figure.with_user(self.clerk).search(mine))
        # auditors read them all, write none
        self.assertEqual(Review.with_user(self.auditor).search(mine), self.review | self.previous)
        with self.assertRaises(AccessError):
            review.with_user(self.auditor).write({"title": "x"})
        with self.assertRaises(AccessError):
            review.with_user(self.leader).write({"conclusion": "x"})
        with self.assertRaises(AccessError):
            Review.with_user(self.section_head).create({"date_from": "2027-01-01", "date_to": "2027-06-30",
                                                         "chair_id": self.leader.id})
        # the owner of a follow-up action reads its decision
        Decision = self.env["qms.management.review.decision"].with_company(self.co)
        self.assertEqual(Decision.with_user(self.clerk).search(mine), self.dec_fees | self.dec_recruit)

    # ------------------------------------------------------------------ bad input

    def test_bad_input_gets_clear_errors(self):
        with self.assertRaisesRegex(ValidationError, r"ends \(2026-01-01\) before it starts \(2026-06-30\)"):
            self.make_review("2026-06-30", "2026-01-01")
        with self.assertRaisesRegex(ValidationError, "name its chair"):
            self.Review.create({"date_from": "2027-01-01", "date_to": "2027-06-30"})
        with self.assertRaisesRegex(ValidationError, "name its chair"):
            self.review.write({"chair_id": False})
        with self.assertRaisesRegex(ValidationError, "end of the period"):
            self.Review.create({"date_from": "2027-01-01", "chair_id": self.leader.id})
        later = self.make_review("2027-01-01", "2027-06-30")
        with self.assertRaisesRegex(ValidationError, "must cover an earlier period"):
            self.review.write({"previous_review_id": later.id})
        with self.assertRaisesRegex(ValidationError, "must cover an earlier period"):
            self.review.write({"previous_review_id": self.review.id})
        review = self.review
        self.hold(review)
        review.conclusion = "Fine."
        Decision = self.env["qms.management.review.decision"].with_user(self.qms_manager)
        decision = Decision.create({"review_id": review.id, "name": "Shorten queues", "date_deadline": "2027-01-31"})
        with self.assertRaisesRegex(UserError, r'"Shorten queues" .* give it an owner, a department\.'):
            review.action_close()
        decision.owner_id = self.other_head  # the department comes from the owner's employee record
        decision.date_deadline = False
        with self.assertRaisesRegex(UserError, "give it a due date"):
            review.action_close()
        decision.date_deadline = "2026-01-01"
        with self.assertRaisesRegex(UserError, "before the review was held"):
            review.action_close()
        decision.write({"date_deadline": "2027-01-31", "follow_up": "change_request"})
        with self.assertRaisesRegex(UserError, "give it the document to change"):
            review.action_close()
        decision.follow_up = "action"
        review.conclusion = " "
        with self.assertRaisesRegex(UserError, "Write the conclusion"):
            review.action_close()
        review.conclusion = "Fine."
        review.action_close()
        self.assertEqual(decision.action_id.department_id, self.dB)
        self.assertEqual(review.state, "closed")
        # nothing was lost on the way: one action per decision
        self.assertEqual(len(self.env["qms.action"].search([("review_decision_id", "=", decision.id)])), 1)

    # ------------------------------------------------------------------ cost

    def test_compiling_costs_the_same_for_10_and_200_nonconformities(self):
        review = self.review
        NC = self.env["qms.nonconformity"].sudo().with_company(self.co)
        sources = ["complaint", "internal_audit"]

        def add(count):
            NC.create([{"title": f"Extra {index}", "department_id": (self.dA, self.dB)[index % 2].id,
                        "source": sources[index % 2], "date_detected": "2026-04-01", "company_id": self.co.id}
                       for index in range(count)])

        add(4)  # 10 nonconformities in all
        for _warm in range(3):  # the registry's caches (access rules, the replaced figures' unlink) get warm
            review.action_compile()

        def compile_counted():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with self.assertQueryCount(QUERIES):
                review.action_compile()
            return self.env.cr.sql_log_count - before

        with_10 = compile_counted()
        self.assertFigure(review, "c4_capa", "Raised", 3 + 4, 2)
        add(190)
        with_200 = compile_counted()
        self.assertFigure(review, "c4_capa", "Raised", 3 + 194, 2)
        # nothing in the cost grows with the records (the first counted run still loads a few caches)
        self.assertLessEqual(with_200, with_10)

# grouped queries over both periods, whatever the number of records (95 to 107 measured, with the caches' warmth)
QUERIES = 115
