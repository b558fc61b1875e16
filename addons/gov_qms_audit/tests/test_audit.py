import io

from PyPDF2 import PdfReader

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import QmsAuditCase


@tagged("post_install", "-at_install")
class TestAudit(QmsAuditCase):
    """The finance auditor leads an audit of the licensing section (Market Regulation Bureau)."""

    def test_nobody_audits_their_own_department_or_one_they_head(self):
        with self.assertRaises(ValidationError) as error:
            self.make_audit(department_ids=[(6, 0, self.finance.ids)])
        self.assertIn("Hu Auditor cannot audit Finance Bureau", str(error.exception))
        head = self.env["qms.auditor"].create({"user_id": self.bureau_head.id, "date_qualified": "2025-01-01"})
        with self.assertRaises(ValidationError, msg="the bureau head heads the section's bureau"):
            self.make_audit(team_ids=[(6, 0, head.ids)])
        with self.assertRaises(ValidationError, msg="the City office is above every department"):
            self.make_audit(team_ids=[(6, 0, self.member.ids)], department_ids=[(6, 0, self.city.ids)])

    def test_only_qualified_auditors_on_the_audit_date(self):
        with self.assertRaises(ValidationError) as error:
            self.make_audit(date_start="2027-02-01", date_end="2027-02-02")
        self.assertIn("Hu Auditor is not qualified on 2027-02-01", str(error.exception))
        with self.assertRaises(ValidationError, msg="qualified after the audit date"):
            self.make_audit(date_start="2026-02-01", date_end="2026-02-02")
        with self.assertRaises(ValidationError, msg="the lead must be a lead auditor"):
            self.make_audit(lead_auditor_id=self.member.id, team_ids=[(5, 0, 0)])

    def test_bad_dates(self):
        with self.assertRaises(ValidationError):
            self.make_audit(date_end="2026-11-20")
        with self.assertRaises(ValidationError):
            self.env["qms.auditor"].create({"user_id": self.clerk.id, "date_qualified": "2026-01-01",
                                            "date_expiry": "2025-01-01"})

    def test_checklist_from_the_question_bank_and_the_procedures(self):
        procedure = self.make_document(name="Licence counter procedure", department_id=self.section.id)
        self.make_effective(procedure)
        audit = self.make_audit()
        audit.action_fill_criteria()
        self.assertIn(procedure, audit.document_ids)
        audit.with_user(self.auditor).action_generate_checklist()
        questions = audit.line_ids.mapped("question")
        self.assertIn("Is the version in use at the counter the one in force?", questions)
        self.assertIn("Are obsolete copies withdrawn or marked?", questions)
        clause_7532 = self.env.ref("gov_qms_docs.iso_clause_7_5_3_2")
        self.assertIn(clause_7532.guidance, questions, "without questions in the bank, the clause guidance")
        self.assertTrue(audit.line_ids.filtered(lambda line: line.document_id == procedure))
        self.assertEqual(set(audit.line_ids.department_id.ids), set(self.section.ids))
        count = len(audit.line_ids)
        audit.with_user(self.auditor).action_generate_checklist()
        self.assertEqual(len(audit.line_ids), count, "generating again adds nothing twice")

    def test_checklist_generation_is_batched(self):
        def queries(audit):
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.cr.sql_log_count
            audit.action_generate_checklist()
            return self.cr.sql_log_count - before

        small = self.make_audit()
        large = self.make_audit(clause_ids=[(6, 0, self.env.ref("gov_qms_docs.iso_clause_7").ids)],
                                department_ids=[(6, 0, (self.section | self.bureau).ids)])
        queries(self.make_audit())  # warm the caches (rules, translations)
        self.assertEqual(queries(small), queries(large), "no query per checklist line")
        self.assertGreater(len(large.line_ids), 3 * len(small.line_ids))
        again = self.make_audit(clause_ids=[(6, 0, self.env.ref("gov_qms_docs.iso_clause_8").ids)])
        self.env.invalidate_all()
        # 12, the lines' check that their audit is open, the gate's row lock, the company's language of the lines (2)
        with self.assertQueryCount(16):
            again.action_generate_checklist()

    def run_audit(self):
        audit = self.make_audit()
        audit.with_user(self.auditor).action_generate_checklist()
        audit.with_user(self.qms_manager).action_start()
        lines = audit.line_ids
        results = ["minor", "ofi"] + ["conforming"] * (len(lines) - 2)
        for line, result in zip(lines, results, strict=True):
            line.with_user(self.auditor).write({"result": result, "evidence": "Counter 2 uses fee table of 2024"})
        return audit

    def test_findings_raise_a_nonconformity_or_an_action_once(self):
        audit = self.run_audit()
        audit.with_user(self.auditor).action_raise_findings()
        self.assertEqual(audit.finding_ids.mapped("state"), ["draft", "draft"], "written up, not raised yet")
        self.assertFalse(audit.nonconformity_ids)
        audit.finding_ids.with_user(self.auditor).action_confirm_statement()
        minor, ofi = audit.finding_ids.sorted("id")
        self.assertEqual(minor.classification, "minor")
        nc = minor.nonconformity_id
        self.assertEqual(nc.source, "internal_audit")
        self.assertEqual(nc.department_id, self.section)
        self.assertEqual((nc.origin_model, nc.origin_id), ("qms.audit.finding", minor.id), "linked both ways")
        self.assertEqual(nc.reported_by_id, self.auditor)
        self.assertIn("Counter 2 uses fee table of 2024", nc.description)
        self.assertEqual(ofi.action_id.action_type, "improvement")
        self.assertEqual(ofi.action_id.owner_id, self.section_head)
        audit.with_user(self.auditor).action_raise_findings()
        self.assertEqual(len(audit.finding_ids), 2, "never twice")
        self.assertEqual(self.NC.search_count([("origin_model", "=", "qms.audit.finding")]), 1)

    def test_report_needs_conclusions_and_results_then_closure_gate(self):
        audit = self.run_audit()
        with self.assertRaises(UserError):
            audit.with_user(self.auditor).action_report()
        audit.with_user(self.auditor).write({"conclusions": "<p>The section's document control works, "
                                                            "with one fee table out of date.</p>"})
        self.confirm_findings(audit)
        audit.with_user(self.auditor).action_report()
        self.assertEqual(audit.state, "reported")
        self.assertEqual(len(audit.nonconformity_ids), 1)
        with self.assertRaises(UserError, msg="its nonconformity is still open"):
            audit.with_user(self.qms_manager).action_close()
        follow_up = self.make_audit(audit_type="follow_up", date_start="2026-12-14", date_end="2026-12-14")
        audit.with_user(self.qms_manager).write({"follow_up_audit_id": follow_up.id})
        with self.assertRaises(UserError, msg="the report is not final yet"):
            audit.with_user(self.qms_manager).action_close()
        with self.assertRaises(UserError, msg="only the lead auditor approves the report"):
            audit.with_user(self.auditor2).action_approve_report()
        audit.with_user(self.auditor).action_approve_report()
        self.assertEqual(audit.report_state, "final")
        with self.assertRaises(UserError, msg="a final report does not change"):
            audit.with_user(self.auditor).write({"conclusions": "<p>rewritten</p>"})
        audit.with_user(self.qms_manager).action_close()
        self.assertEqual(audit.state, "closed")

    def test_report_pdf_holds_the_iso_19011_contents(self):
        audit = self.run_audit()
        audit.write({"objectives": "Check the licence fee tables", "conclusions": "<p>Conforms, with one gap.</p>"})
        self.confirm_findings(audit)
        audit.with_user(self.auditor).action_report()
        audit.with_user(self.auditor).action_approve_report()
        pdf, _kind = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
            "gov_qms_audit.report_qms_audit", audit.ids)
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
        nc = audit.nonconformity_ids
        for expected in (audit.name, "Check the licence fee tables", "Licensing Section", "7.5.3",
                         "Hu Auditor", "Qian Auditor", "Counter 2 uses fee table of 2024", nc.name,
                         "Conforms, with one gap.", "Zhao Section Head", "Final"):
            self.assertIn(expected, text)
        self.assertNotIn("DRAFT", text)

    def test_checklist_entry_then_kept_as_evidence(self):
        audit = self.run_audit()
        action = audit.with_user(self.auditor).action_open_checklist()
        self.assertEqual(self.env["qms.audit.line"].with_user(self.auditor).search(action["domain"]), audit.line_ids)
        self.assertEqual((audit.answered_count, audit.line_count), (len(audit.line_ids), len(audit.line_ids)))
        audit.with_user(self.auditor).write({"conclusions": "<p>Conforms, with one gap.</p>"})
        self.confirm_findings(audit)
        audit.with_user(self.auditor).action_report()
        line = audit.line_ids[0]
        with self.assertRaises(UserError) as error:
            line.with_user(self.auditor).write({"result": "major"})
        self.assertIn("can no longer change: it is Reported", str(error.exception))
        with self.assertRaises(UserError):
            line.with_user(self.auditor).unlink()
        self.assertEqual(line.result, "minor")

    def test_cancel_needs_a_reason(self):
        audit = self.make_audit()
        with self.assertRaises(UserError):
            audit.with_user(self.qms_manager)._action_cancel("")
        audit.with_user(self.qms_manager)._action_cancel("The section is being merged")
        self.assertEqual(audit.state, "cancelled")

    def test_access(self):
        audit = self.make_audit()
        Audit = self.env["qms.audit"]
        self.assertEqual(Audit.with_user(self.auditor).search([("id", "=", audit.id)]), audit, "on the team")
        self.assertEqual(Audit.with_user(self.section_head).search([("id", "=", audit.id)]), audit, "audited")
        self.assertEqual(Audit.with_user(self.bureau_head).search([("id", "=", audit.id)]), audit, "from above")
        self.assertFalse(Audit.with_user(self.other_head).search([("id", "=", audit.id)]))
        outsider = new_test_user(self.env, login="auditor3", groups="base.group_user,gov_qms_docs.group_qms_auditor")
        self.assertFalse(Audit.with_user(outsider).search([("id", "=", audit.id)]), "not on the team")
        with self.assertRaises(AccessError):
            audit.with_user(self.section_head).write({"objectives": "mine"})
        self.assertEqual(Audit.with_user(self.qms_manager).search([("id", "=", audit.id)]), audit)
