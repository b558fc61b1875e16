from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import QmsAuditCase

QUESTION = "Is the version in use at the counter the one in force?"
EVIDENCE = "Counter 2 uses the fee table of 2024 (form LF-02 rev. 1)"
STATEMENT = "Counter 2 charges fees from the 2024 table although LF-02 rev. 2 is in force since 1 March."


@tagged("post_install", "-at_install")
class TestFindingStatements(QmsAuditCase):
    """The auditor writes each finding: criterion, evidence and statement prefilled from the checklist line, then
    confirmed by an auditor of the team; only a confirmed statement is raised, and the nonconformity carries it."""

    def audit_with_answers(self):
        audit = self.make_audit()
        audit.with_user(self.auditor).action_generate_checklist()
        audit.with_user(self.qms_manager).action_start()
        lines = audit.line_ids.sorted("sequence")
        lines.with_user(self.auditor).write({"result": "conforming", "evidence": "Seen at counters 1-4"})
        version = lines.filtered(lambda line: line.question == QUESTION)
        version.with_user(self.auditor).write({"result": "minor", "evidence": EVIDENCE})
        (lines - version)[:1].with_user(self.auditor).write({"result": "ofi", "evidence": "Forms are filed by hand"})
        return audit, version

    def test_raise_findings_writes_prefilled_drafts_and_opens_them(self):
        audit, line = self.audit_with_answers()
        feedback = audit.with_user(self.auditor).action_raise_findings()
        finding = line.finding_id
        self.assertEqual(len(audit.finding_ids), 2)
        self.assertEqual(set(audit.finding_ids.mapped("state")), {"draft"})
        self.assertFalse(audit.nonconformity_ids, "nothing is raised before the auditor confirms")
        clause = self.env.ref("gov_qms_docs.iso_clause_7_5_3_1")
        self.assertEqual(finding.criterion, clause.display_name)
        self.assertEqual(finding.evidence, EVIDENCE)
        self.assertEqual(finding.statement, f"{EVIDENCE}: this does not meet {clause.display_name}.")
        self.assertEqual(finding.question, QUESTION, "the question is shown, not taken as the statement")
        # the feedback: what is left to do, then the first statement to confirm in a dialog
        self.assertEqual(feedback["tag"], "display_notification")
        params = feedback["params"]
        self.assertEqual(params["message"], "2 statements still to confirm.")
        self.assertEqual(params["type"], "warning")
        first = audit.finding_ids.sorted("id")[0]
        self.assertEqual((params["next"]["res_model"], params["next"]["res_id"], params["next"]["target"]),
                         ("qms.audit.finding", first.id, "new"))
        self.assertEqual(params["next"]["views"][0][0],
                         self.env.ref("gov_qms_audit.qms_audit_finding_view_form_statement").id)
        self.assertEqual(params["next"]["name"], "Finding 1 of 2 to confirm")
        audit.with_user(self.auditor).action_raise_findings()
        self.assertEqual(len(audit.finding_ids), 2, "a line is written up once")

    def test_an_unconfirmed_statement_is_never_raised(self):
        audit, line = self.audit_with_answers()
        audit.with_user(self.auditor).action_raise_findings()
        finding = line.finding_id.with_user(self.auditor)
        with self.assertRaises(UserError) as error:
            finding._qms_raise()
        self.assertIn("is not confirmed", str(error.exception))
        nc = self.make_nc()
        for vals in ({"state": "confirmed"}, {"confirmed_by_id": self.auditor.id},
                     {"date_confirmed": "2026-11-30"}, {"nonconformity_id": nc.id}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                finding.write(vals)
        with self.assertRaises(UserError, msg="the workflow's fields are not set at creation either"):
            self.env["qms.audit.finding"].with_user(self.auditor).create({
                "audit_id": audit.id, "department_id": self.section.id, "classification": "minor",
                "criterion": "7.5.3", "evidence": "seen", "statement": "Forms unsigned", "state": "confirmed"})
        self.assertEqual(finding.state, "draft")
        self.assertFalse(self.NC.search([("origin_model", "=", finding._name), ("origin_id", "=", finding.id)]))

    def test_confirmation_needs_a_statement_not_the_question(self):
        audit, line = self.audit_with_answers()
        audit.with_user(self.auditor).action_raise_findings()
        finding = line.finding_id.with_user(self.auditor)
        finding.write({"statement": QUESTION})
        with self.assertRaises(UserError) as error:
            finding.action_confirm_statement()
        self.assertIn("is a question", str(error.exception))
        finding.write({"statement": "Is the fee table current"})  # the question without its mark, still the line's
        finding.write({"statement": "  ", "evidence": ""})
        with self.assertRaises(UserError) as error:
            finding.action_confirm_statement()
        self.assertIn("Evidence, Nonconformity Statement", str(error.exception))
        self.assertEqual(finding.state, "draft")

    def test_confirmed_statement_becomes_the_nonconformity(self):
        audit, line = self.audit_with_answers()
        audit.with_user(self.auditor).action_raise_findings()
        finding = line.finding_id.with_user(self.auditor2)  # a team member confirms
        finding.write({"statement": f"  {STATEMENT}\n  <b>bold?</b> no."})
        feedback = finding.action_confirm_statement()
        nc = finding.nonconformity_id
        self.assertEqual(nc.title, f"{STATEMENT} <b>bold?</b> no.", "the title is the statement, on one line")
        self.assertIn("&lt;b&gt;bold?&lt;/b&gt;", str(nc.description), "the auditor's text is escaped in the HTML")
        self.assertIn(EVIDENCE, str(nc.description))
        self.assertEqual((nc.severity, nc.source, nc.department_id), ("minor", "internal_audit", self.section))
        self.assertEqual(nc.clause_ids, line.clause_id)
        self.assertEqual((finding.state, finding.confirmed_by_id, str(finding.date_confirmed)),
                         ("confirmed", self.auditor2, "2026-11-30"))
        # the feedback names the nonconformity as a link, then opens the next statement to confirm
        params = feedback["params"]
        self.assertEqual(params["message"], "Nonconformity raised: %s. 1 statement still to confirm.")
        self.assertEqual(params["links"], [{"label": nc.name, "url": f"/odoo/qms.nonconformity/{nc.id}"}])
        self.assertEqual(params["type"], "success")
        ofi = audit.finding_ids - finding
        self.assertEqual(params["next"]["res_id"], ofi.id)
        params = ofi.with_user(self.auditor).action_confirm_statement()["params"]
        self.assertEqual(params["message"], f"Improvement action created for {self.section.name}.")
        self.assertEqual(params["next"], {"type": "ir.actions.act_window_close"}, "back to the audit")
        self.assertEqual(ofi.action_id.action_type, "improvement")
        # a confirmed statement no longer changes, and a raised finding stays
        with self.assertRaises(UserError):
            finding.write({"statement": "softened"})
        with self.assertRaises(UserError):
            finding.with_user(self.qms_manager).unlink()
        with self.assertRaises(UserError, msg="confirmed once"):
            finding.action_confirm_statement()
        params = audit.with_user(self.auditor).action_raise_findings()["params"]
        self.assertEqual(params["message"],
                         "Nothing to raise: every finding of the checklist is confirmed and raised.")
        self.assertEqual(self.NC.search_count([("origin_model", "=", finding._name)]), 1, "never twice")

    def test_several_raised_at_once(self):
        audit, _line = self.audit_with_answers()
        others = audit.line_ids.filtered(lambda other: other.result == "conforming")[:2]
        others.with_user(self.auditor).write({"result": "major", "evidence": "No register of obsolete copies"})
        audit.with_user(self.auditor).action_raise_findings()
        drafts = audit.finding_ids
        drafts.with_user(self.auditor).write({"statement": "No register of obsolete copies is kept."})
        params = drafts.with_user(self.auditor).action_confirm_statement()["params"]
        ncs = audit.nonconformity_ids.sorted("id")
        self.assertEqual(len(ncs), 3)
        self.assertEqual(params["message"], "3 nonconformities raised: %s, %s, %s. Improvement action created for "
                                            f"{self.section.name}.")
        self.assertEqual([link["label"] for link in params["links"]], ncs.mapped("name"))

    def test_the_origin_is_named_and_linked(self):
        audit, line = self.audit_with_answers()
        audit.with_user(self.auditor).action_raise_findings()
        finding = line.finding_id
        finding.with_user(self.auditor).write({"statement": STATEMENT})
        finding.with_user(self.auditor).action_confirm_statement()
        nc = finding.nonconformity_id
        self.assertEqual(finding.display_name, f"{audit.name}: {STATEMENT[:79]}…")
        self.assertEqual(nc.with_user(self.section_head).origin_name, finding.display_name)
        read = nc.with_user(self.section_head).web_read({"origin_id": {"fields": {"display_name": {}}}})[0]
        self.assertEqual(read["origin_id"], {"id": finding.id, "display_name": finding.display_name})
        arch = self.env["qms.nonconformity"].get_view(view_type="form")["arch"]
        self.assertIn('name="origin_id"', arch)
        self.assertNotIn("qms.audit.finding,", nc.with_user(self.section_head).origin_name)
        # the owner of an action reads the nonconformity, not the audit: told so, without an error
        action = self.add_action(nc, date_deadline="2026-12-18")
        self.assertEqual(nc.with_user(self.clerk).origin_name, "Audit Finding (not accessible to you)")
        read = nc.with_user(action.owner_id).web_read({"origin_id": {"fields": {"display_name": {}}}})[0]
        self.assertEqual(read["origin_id"]["display_name"], "You don't have access to this record")

    def test_only_the_audit_team_confirms(self):
        audit, line = self.audit_with_answers()
        audit.with_user(self.auditor).action_raise_findings()
        finding = line.finding_id
        with self.assertRaises(UserError, msg="the auditee reads the findings, the audit team writes them"):
            finding.with_user(self.section_head).action_confirm_statement()
        with self.assertRaises(AccessError):
            finding.with_user(self.section_head).write({"statement": "softened"})
        with self.assertRaises(UserError) as error:
            finding.with_user(self.qms_manager).action_confirm_statement()
        self.assertIn("Only the audit team", str(error.exception))
        with self.assertRaises(AccessError):
            finding.with_user(self.clerk).read(["state"])
        self.assertEqual(finding.with_user(self.section_head).state, "draft", "auditees read the statement's state")
        finding.with_user(self.auditor).action_confirm_statement()
        self.assertEqual(finding.state, "confirmed")

    def test_the_report_waits_for_the_statements(self):
        audit, _line = self.audit_with_answers()
        audit.with_user(self.auditor).write({"conclusions": "<p>One fee table out of date.</p>"})
        with self.assertRaises(UserError) as error:
            audit.with_user(self.auditor).action_report()
        self.assertIn("2 finding(s) whose statement is not confirmed", str(error.exception))
        self.confirm_findings(audit)
        audit.with_user(self.auditor).action_report()
        self.assertEqual(audit.state, "reported")
        late = self.env["qms.audit.finding"].with_user(self.auditor).create({
            "audit_id": audit.id, "department_id": self.section.id, "classification": "observation",
            "criterion": "QP-LIC-003", "evidence": "Queue numbers are handed out by hand"})
        with self.assertRaises(UserError, msg="a draft finding holds the report back"):
            audit.with_user(self.auditor).action_approve_report()
        late.with_user(self.auditor).write({"statement": "Queue numbers are not recorded."})
        late.with_user(self.auditor).action_confirm_statement()
        self.assertFalse(late.nonconformity_id or late.action_id, "an observation raises nothing")
        audit.with_user(self.auditor).action_approve_report()
        self.assertEqual(audit.report_state, "final")

    def test_a_finding_from_the_checklist_line(self):
        audit, line = self.audit_with_answers()
        action = line.with_user(self.auditor).action_open_finding()
        self.assertEqual((action["res_model"], action["res_id"], action["name"]),
                         ("qms.audit.finding", line.finding_id.id, "Finding 1 of 1 to confirm"))
        self.assertEqual(line.with_user(self.auditor).action_open_finding()["res_id"], line.finding_id.id)
        conforming = audit.line_ids.filtered(lambda other: other.result == "conforming")[:1]
        with self.assertRaises(UserError):
            conforming.with_user(self.auditor).action_open_finding()

    def test_answered_out_of_total(self):
        audit, _line = self.audit_with_answers()
        audit.line_ids[:2].with_user(self.auditor).write({"result": False})
        total = len(audit.line_ids)
        self.assertEqual((audit.answered_count, audit.line_count), (total - 2, total))
        groups = self.env["qms.audit.line"].with_user(self.auditor).formatted_read_group(
            [("audit_id", "=", audit.id)], [], ["answered:sum", "__count"])
        self.assertEqual((groups[0]["answered:sum"], groups[0]["__count"]), (total - 2, total))
        self.assertIn('sum="Answered"', self.env["qms.audit.line"].get_view(
            self.env.ref("gov_qms_audit.qms_audit_line_view_list_checklist").id, "list")["arch"])


@tagged("post_install", "-at_install")
class TestAuditorCompetence(QmsAuditCase):
    """ISO 19011 7.2: the lead auditor is competent for the whole scope (refused otherwise); a team member outside
    their competence is warned about and needs a reason, kept in the chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clause_75 = cls.env.ref("gov_qms_docs.iso_clause_7_5")
        cls.clause_851 = cls.env.ref("gov_qms_docs.iso_clause_8_5_1")
        cls.lead.clause_ids = cls.clause_75  # covers 7.5.3 and everything under it
        cls.member.clause_ids = cls.env.ref("gov_qms_docs.iso_clause_9_2")
        cls.process = cls.env["qms.process"].create({"name": "Licence issuing", "department_id": cls.section.id})

    def test_the_lead_auditor_is_competent_for_the_whole_scope(self):
        self.make_audit(team_ids=[(5, 0, 0)])  # 7.5.3 is under 7.5
        with self.assertRaises(UserError) as error:
            self.make_audit(team_ids=[(5, 0, 0)], clause_ids=[(6, 0, (self.clause_doc_control | self.clause_851).ids)])
        self.assertIn("Hu Auditor cannot lead", str(error.exception))
        self.assertIn("8.5.1", str(error.exception))
        self.assertNotIn("7.5.3", str(error.exception))
        with self.assertRaises(UserError, msg="a process outside the lead's competence"):
            self.make_audit(team_ids=[(5, 0, 0)], process_ids=[(6, 0, self.process.ids)])
        self.lead.process_ids = self.process
        audit = self.make_audit(team_ids=[(5, 0, 0)], process_ids=[(6, 0, self.process.ids)])
        with self.assertRaises(UserError, msg="the scope widened beyond the lead's competence"):
            audit.with_user(self.auditor).write({"clause_ids": [(4, self.clause_851.id)]})
        self.assertEqual(audit.clause_ids, self.clause_doc_control)

    def test_an_audit_does_not_start_with_a_lead_outside_their_competence(self):
        audit = self.make_audit(team_ids=[(5, 0, 0)])
        audit.sudo().clause_ids |= self.clause_851  # staffed by a job or before the register changed
        with self.assertRaises(UserError) as error:
            audit.with_user(self.qms_manager).action_start()
        self.assertIn("cannot lead", str(error.exception))
        self.lead.clause_ids |= self.env.ref("gov_qms_docs.iso_clause_8")
        audit.with_user(self.qms_manager).action_start()
        self.assertEqual(audit.state, "in_progress")

    def test_a_team_member_outside_their_competence_needs_a_reason(self):
        with self.assertRaises(UserError) as error:
            self.make_audit()
        message = str(error.exception)
        self.assertIn("Qian Auditor: 7.5.3", message)
        self.assertIn("Why This Team", message)
        audit = self.make_audit(team_competence_reason="Auditor in training on 7.5.3, under Hu's guidance")
        self.assertIn("Qian Auditor: not competent in 7.5.3", audit.competence_warning)
        self.assertNotIn("Hu Auditor", audit.competence_warning)
        note = audit.message_ids.filtered(lambda message: "Team accepted outside its competence" in message.body)
        self.assertIn("Auditor in training on 7.5.3", note.body)
        self.assertIn("Wang QMS Office", note.body)
        # the same gaps again need nothing more; a new one needs a new reason
        audit.with_user(self.qms_manager).write({"date_end": "2026-11-25", "team_ids": [(6, 0, self.member.ids)]})
        newcomer = self.env["qms.auditor"].create({"user_id": self.reviewer.id, "date_qualified": "2026-01-01"})
        with self.assertRaises(UserError):
            audit.with_user(self.qms_manager).write({"team_ids": [(4, newcomer.id)]})
        audit.with_user(self.qms_manager).write({"team_ids": [(4, newcomer.id)],
                                                 "team_competence_reason": "Observer from the new bureau"})
        self.assertIn("Wu Reviewer", audit.competence_warning)

    def test_no_check_without_a_scope_and_none_for_the_programme_job(self):
        audit = self.make_audit(clause_ids=[(5, 0, 0)])
        self.assertFalse(audit.competence_warning)
        with self.assertRaises(ValidationError, msg="independence is still checked first"):
            self.make_audit(department_ids=[(6, 0, self.finance.ids)])
