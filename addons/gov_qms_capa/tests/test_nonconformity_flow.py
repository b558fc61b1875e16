from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import QmsCapaCase


@tagged("post_install", "-at_install")
class TestNonconformityFlow(QmsCapaCase):
    def test_code_owner_and_deadline_from_triage(self):
        nc = self.make_nc()
        self.assertRegex(nc.name, r"^NC-\d{4}-\d{4}$")
        self.assertEqual(nc.owner_id, self.section_head, "handled by the head of the responsible department")
        self.assertEqual(nc.state, "new")
        nc.with_user(self.section_head).action_triage_capa()
        self.assertEqual(nc.state, "triaged")
        self.assertEqual(nc.path, "capa")
        self.assertEqual(nc.time_limit_rule_id, self.env.ref("gov_qms_capa.time_limit_rule_minor"))
        self.assertEqual(nc.date_deadline, self.d("2026-12-14"), "30 working days after Monday 2 November")

    def test_correction_only_path(self):
        nc = self.make_nc(title="Wrong phone number on the counter sign")
        nc.with_user(self.section_head).action_triage_correction()
        self.assertEqual(nc.path, "correction")
        nc.with_user(self.section_head).write({"containment_description": "Sign replaced",
                                               "containment_by_id": self.clerk.id, "containment_date": "2026-11-03"})
        with self.assertRaises(UserError, msg="no closure without proof"):
            nc.with_user(self.section_head).action_close()
        proof = self.env["ir.attachment"].with_user(self.section_head).create({"name": "new-sign.jpg", "raw": b"jpg"})
        nc.with_user(self.section_head).write({"evidence_attachment_ids": [(6, 0, proof.ids)]})
        with self.assertRaises(UserError, msg="the doer does not approve"):
            nc.with_user(self.clerk).action_close()
        nc.with_user(self.section_head).action_close()
        self.assertEqual(nc.state, "closed")
        self.assertEqual(nc.closed_by_id, self.section_head)
        with self.assertRaises(UserError, msg="closed records are evidence"):
            nc.with_user(self.qms_manager).write({"title": "changed"})

    def test_major_always_takes_full_capa(self):
        nc = self.make_nc(severity="major")
        with self.assertRaises(UserError):
            nc.with_user(self.section_head).action_triage_correction()
        self.assertEqual(nc.state, "new")
        with self.assertRaises(ValidationError):
            nc.sudo().with_context(qms_transition=True).write({"path": "correction"})

    def test_full_capa_path_with_every_gate(self):
        nc = self.make_nc(severity="major", source="complaint")
        nc.with_user(self.section_head).action_triage_capa()
        self.assertEqual(nc.date_reply_due, self.d("2026-11-03"), "complaint: reply within one working day")
        with self.assertRaises(UserError, msg="no analysis of a major without containment"):
            nc.with_user(self.section_head).action_start_analysis()
        nc.with_user(self.section_head).write({"containment_description": "Suspended the licences of the week",
                                               "containment_by_id": self.clerk.id, "containment_date": "2026-11-02"})
        nc.with_user(self.section_head).action_start_analysis()
        self.assertEqual(nc.state, "analysis")
        self.add_action(nc)
        with self.assertRaises(UserError, msg="no action without a root cause"):
            nc.with_user(self.section_head).action_plan_actions()
        nc.with_user(self.section_head).write({
            "rca_method": "five_whys", "root_cause": "No step in the checklist",
            "why_ids": [(0, 0, {"question": "Why no record?", "answer": "Nobody asked for it"}),
                        (0, 0, {"question": "Why not asked?", "answer": "No step in the checklist"})]})
        nc.with_user(self.section_head).action_plan_actions()
        self.assertEqual(nc.state, "action")
        action = nc.action_ids
        self.assertEqual(action.activity_ids.user_id, self.clerk, "the owner gets a to-do")
        with self.assertRaises(UserError, msg="no closure while actions are open"):
            nc.with_user(self.section_head).action_close()
        self.finish_action(action)
        self.assertEqual(nc.state, "verification")
        check = nc.check_ids
        self.assertEqual(check.date_due, self.d("2026-12-10"), "major: checked 30 days after the last action")
        self.assertEqual(check.checker_id, self.auditor, "the auditor who reported it checks it")
        with self.assertRaises(UserError, msg="no closure before the effectiveness check"):
            nc.with_user(self.section_head).action_close()
        check.with_user(self.auditor).write({"evidence_note": "20 licences sampled: all have the record"})
        check.with_user(self.auditor).action_effective()
        with self.assertRaises(UserError, msg="the action owner does not approve the closure"):
            nc.with_user(self.clerk).action_close()
        nc.with_user(self.bureau_head).action_close()
        self.assertEqual(nc.state, "closed")
        self.assertEqual(action.state, "verified")

    def test_failed_effectiveness_reopens_with_a_new_round(self):
        nc = self.make_nc()
        first = self.to_action_stage(nc)
        self.finish_action(first)
        check = nc.check_ids
        check.with_user(self.auditor).write({"evidence_note": "3 of 20 licences still lack the record"})
        check.with_user(self.auditor).action_not_effective()
        self.assertEqual(nc.state, "reopened")
        self.assertEqual(nc.current_round, 2)
        with self.assertRaises(UserError, msg="a new round needs new actions"):
            nc.with_user(self.section_head).action_plan_actions()
        second = self.add_action(nc, name="Block issuing without the record in the system", owner=self.author,
                                 action_type="preventive")
        self.assertEqual(second.round, 2)
        nc.with_user(self.section_head).action_plan_actions()
        self.finish_action(second, on="2026-11-18")
        self.assertEqual(nc.state, "verification")
        self.assertEqual(nc.check_ids.mapped("round"), [1, 2], "the history of rounds is kept")
        self.assertEqual(check.state, "not_effective")

    def test_checker_must_be_independent(self):
        nc = self.make_nc(reported_by_id=self.clerk.id)
        action = self.to_action_stage(nc)
        self.finish_action(action)
        check = nc.sudo().check_ids
        self.assertFalse(check.checker_id, "the reporter owns the action: someone else must check")
        with self.assertRaises(ValidationError):
            check.write({"checker_id": self.clerk.id})

    def test_cancel_needs_a_reason(self):
        nc = self.make_nc()
        with self.assertRaises(UserError):
            nc.with_user(self.section_head)._action_cancel(" ")
        nc.with_user(self.section_head)._action_cancel("Duplicate of the hotline ticket")
        self.assertEqual(nc.state, "cancelled")
        self.assertEqual(nc.cancel_reason, "Duplicate of the hotline ticket")

    def test_recurrence_is_flagged_and_counted(self):
        earlier = self.make_nc(date_detected="2026-03-10")
        earlier.with_user(self.section_head)._action_cancel("kept for the test")  # cancelled ones do not count
        self.make_nc(date_detected="2026-04-01")
        self.make_nc(date_detected="2025-06-01")  # more than 12 months before
        self.make_nc(department_id=self.finance.id, date_detected="2026-05-01")
        nc = self.make_nc()
        nc.with_user(self.section_head).action_triage_capa()
        nc.with_user(self.section_head).action_start_analysis()
        self.assertTrue(nc.is_recurrence)
        self.assertEqual(nc.recurrence_count, 1)
        self.assertEqual(len(nc.similar_ids), 1)

    def test_recurrence_counts_other_departments_on_the_same_process(self):
        process = self.env["qms.process"].create({"name": "Licensing", "department_id": self.bureau.id})
        self.make_nc(department_id=self.finance.id, process_id=process.id, date_detected="2026-09-01")
        nc = self.make_nc(process_id=process.id)
        nc.with_user(self.section_head).action_triage_capa()
        nc.with_user(self.section_head).action_start_analysis()
        self.assertEqual(nc.recurrence_count, 1, "counted although the section head cannot read it")
        self.assertFalse(nc.with_user(self.section_head).similar_ids, "and not shown to them")

    def test_status_is_never_written_directly(self):
        nc = self.make_nc()
        with self.assertRaises(UserError):
            nc.with_user(self.qms_manager).write({"state": "closed"})
