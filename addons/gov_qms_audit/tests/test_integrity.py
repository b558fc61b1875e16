"""Trustworthy records: each case a client could abuse over RPC (issue 9, items 1-11), tried through the ORM as
the user would (with_user, the same methods and fields the RPC layer reaches)."""
import base64
from contextlib import contextmanager

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import QmsAuditCase

REFUSED = (UserError, ValidationError, AccessError)


@tagged("post_install", "-at_install")
class TestIntegrity(QmsAuditCase):
    @contextmanager
    def refused(self, msg=None):
        """The block must be refused with a UserError, ValidationError or AccessError that has a message."""
        try:
            with self.env.cr.savepoint():
                yield
        except REFUSED as error:
            self.assertTrue(str(error), "a refusal says why")
            return
        self.fail(msg or "expected a refusal")

    def close_capa(self, nc, action=None):
        """Walk `nc` through the full CAPA loop to closed (from its action stage if `action` is given); return it."""
        action = action or self.to_action_stage(nc)
        self.finish_action(action)
        check = nc.check_ids
        check.with_user(self.auditor).write({"evidence_note": "20 licences sampled: all have the record"})
        check.with_user(self.auditor).action_effective()
        nc.with_user(self.bureau_head).action_close()
        self.assertEqual(nc.state, "closed")
        return action

    # 1 -------------------------------------------------------------- 5 Whys and fishbone lines
    def test_01_analysis_lines_follow_their_nonconformity(self):
        nc = self.make_nc()
        action = self.to_action_stage(nc)
        Why = self.env["qms.nonconformity.why"]
        why = Why.with_user(self.section_head).create(
            {"nonconformity_id": nc.id, "question": "Why no record?", "answer": "Nobody asked for it"})
        cause = self.env["qms.nonconformity.cause"].with_user(self.section_head).create(
            {"nonconformity_id": nc.id, "category": "procedure", "description": "No step in the checklist"})
        for stranger in (self.other_clerk, self.other_head):  # another department
            with self.refused(f"{stranger.name} reads another department's analysis"):
                why.with_user(stranger).read(["answer"])
            with self.refused():
                why.with_user(stranger).write({"answer": "rewritten"})
            with self.refused():
                Why.with_user(stranger).create({"nonconformity_id": nc.id, "question": "?", "answer": "!"})
            with self.refused():
                cause.with_user(stranger).unlink()
        self.assertEqual(why.answer, "Nobody asked for it")
        self.close_capa(nc, action)
        for user in (self.section_head, self.qms_manager):
            with self.assertRaises(UserError, msg="a closed nonconformity's analysis is evidence"):
                why.with_user(user).write({"answer": "rewritten"})
            with self.assertRaises(UserError):
                cause.with_user(user).unlink()
            with self.assertRaises(UserError):
                Why.with_user(user).create({"nonconformity_id": nc.id, "question": "?", "answer": "!"})
        with self.assertRaises(UserError, msg="not even through the parent's one2many"):
            nc.with_user(self.qms_manager).write({"why_ids": [(2, why.id)]})
        self.assertTrue(why.exists())
        self.assertEqual(nc.why_ids.answer, "Nobody asked for it")

    # 2 -------------------------------------------------------------- segregation of duties on revisions
    def test_02_nobody_approves_their_own_revision(self):
        document = self.make_document()
        revision = self.make_revision(document, reviewer_ids=[(6, 0, self.reviewer.ids)])
        self.assertEqual(revision.author_id, self.author)
        with self.assertRaises(UserError, msg="the author is fixed at creation"):
            revision.with_user(self.author).write({"author_id": self.clerk.id})
        with self.assertRaises(ValidationError, msg="the author does not approve"):
            revision.with_user(self.author).write({"approver_id": self.author.id})
        with self.assertRaises(ValidationError, msg="a reviewer is not also the approver"):
            revision.with_user(self.author).write({"approver_id": self.reviewer.id})
        with self.assertRaises(UserError, msg="nobody creates a revision in someone else's name"):
            self.env["qms.document.revision"].with_user(self.author).create(
                {"document_id": document.id, "body": "<p>x</p>", "author_id": self.clerk.id,
                 "approver_id": self.author.id})
        self.assertEqual(revision.author_id, self.author)
        revision.with_user(self.author).action_submit()
        with self.assertRaises(UserError):
            revision.with_user(self.author).action_approve()
        revision.with_user(self.approver).action_approve()
        self.assertEqual(revision.state, "effective")
        done = self.env["mail.message"].search([("model", "=", revision._name), ("res_id", "=", revision.id),
                                                ("mail_activity_type_id", "!=", False),
                                                ("author_id", "=", self.reviewer.partner_id.id)])
        self.assertFalse(done, "the reviewer's to-do is not marked done by the approver (it is withdrawn)")
        self.assertFalse(revision.reviewed_by_ids, "nor is a review recorded for them")

    # 3 -------------------------------------------------------------- a closed nonconformity's deadline
    def test_03_closed_nonconformity_figures_are_frozen(self):
        nc = self.make_nc()
        self.close_capa(nc)
        on_time, deadline = nc.closed_on_time, nc.date_deadline
        for user in (self.section_head, self.qms_manager, self.env.user):  # the superuser too
            with self.assertRaises(UserError):
                nc.with_user(user).write({"date_deadline": "2026-11-03"})
        with self.assertRaises(UserError, msg="not through the deadline reset either"):
            nc.with_user(self.qms_manager)._qms_reset_deadline("2027-01-05", "late")
        self.assertEqual((nc.closed_on_time, nc.date_deadline), (on_time, deadline))
        with self.assertRaises(UserError, msg="a closed nonconformity is not deleted"):
            nc.with_user(self.qms_manager).unlink()

    # 4 -------------------------------------------------------------- a verified action is not cancelled
    def test_04_every_transition_gates_its_state(self):
        nc = self.make_nc()
        action = self.close_capa(nc)
        self.assertEqual(action.state, "verified")
        with self.assertRaises(UserError):
            action.with_user(self.qms_manager)._action_cancel("no longer needed")
        with self.assertRaises(UserError):
            action.with_user(self.qms_manager).action_approve_extension()
        with self.assertRaises(UserError):
            action.with_user(self.qms_manager).action_done()
        self.assertEqual(action.state, "verified")
        with self.assertRaises(UserError):
            nc.with_user(self.qms_manager)._action_cancel("duplicate")
        self.assertEqual(nc.state, "closed")

    # 5 -------------------------------------------------------------- deadlines move through the extension workflow
    def test_05_deadline_moves_only_through_extension_or_logged_reset(self):
        nc = self.make_nc()
        action = self.to_action_stage(nc)
        with freeze_time("2026-11-30"):
            self.Action._cron_escalate()
        self.assertTrue(action.is_supervised)
        with self.assertRaises(UserError, msg="the owner does not move the due date by editing"):
            action.with_user(self.clerk).write({"date_deadline": "2027-01-29"})
        with self.assertRaises(UserError, msg="nor the head: the extension workflow decides"):
            action.with_user(self.section_head).write({"date_deadline": "2027-01-29"})
        for field, value in (("is_supervised", False), ("escalation_level", 0), ("extension_state", "approved"),
                             ("original_deadline", "2027-01-29"), ("date_done", "2026-11-30")):
            with self.assertRaises(UserError, msg=f"{field} is written by the workflow only"):
                action.with_user(self.section_head).write({field: value})
        with self.assertRaises(UserError, msg="owners do not hand their action to someone else"):
            action.with_user(self.clerk).write({"owner_id": self.other_clerk.id})
        self.assertEqual(action.owner_id, self.clerk)
        self.assertTrue(action.is_supervised, "still on the supervision board")
        # the extension: asked by the owner, never decided by them
        action.with_user(self.clerk)._action_request_extension("2026-12-18", "Waiting for the printer")
        with self.assertRaises(UserError):
            action.with_user(self.clerk).action_approve_extension()
        action.with_user(self.section_head).action_approve_extension()
        self.assertEqual(str(action.date_deadline), "2026-12-18")
        self.assertEqual(str(action.original_deadline), "2026-11-20")
        self.assertTrue(action.is_supervised, "an extension does not strike a supervised item off the board")
        # the QMS office may reset it, with a reason that is logged
        with self.assertRaises(UserError):
            action.with_user(self.section_head)._qms_reset_deadline("2027-01-15", "busy")
        with self.assertRaises(UserError):
            action.with_user(self.qms_manager)._qms_reset_deadline("2027-01-15", "  ")
        action.with_user(self.qms_manager)._qms_reset_deadline("2027-01-15", "Court ruling awaited")
        self.assertEqual(str(action.date_deadline), "2027-01-15")
        self.assertIn("Court ruling awaited", action.message_ids[0].body)
        self.assertEqual(action.escalation_level, 0, "a new deadline, a new ladder")
        # the head may hand the action to someone else
        action.with_user(self.section_head).write({"owner_id": self.author.id})
        self.assertEqual(action.owner_id, self.author)

    # 6 -------------------------------------------------------------- findings of a final report
    def test_06_findings_of_a_final_report_are_frozen_until_reopened(self):
        audit = self.make_audit()
        audit.with_user(self.auditor).action_generate_checklist()
        audit.with_user(self.auditor).action_start()
        lines = audit.line_ids
        lines.with_user(self.auditor).write({"result": "conforming", "evidence": "seen"})
        lines[0].with_user(self.auditor).write({"result": "minor", "evidence": "Two obsolete copies at the counter"})
        audit.with_user(self.auditor).write({"conclusions": "<p>Mostly conforming.</p>"})
        self.confirm_findings(audit)
        audit.with_user(self.auditor).action_report()
        finding = audit.finding_ids
        self.assertEqual(len(finding), 1)
        audit.with_user(self.auditor).action_approve_report()
        with self.assertRaises(UserError):
            audit.with_user(self.auditor).action_approve_report()
        for user in (self.auditor, self.qms_manager):
            with self.assertRaises(UserError):
                finding.with_user(user).write({"statement": "rewritten", "classification": "observation"})
            with self.assertRaises(UserError):
                finding.with_user(user).unlink()
        with self.assertRaises(UserError):
            audit.with_user(self.qms_manager).write({"finding_ids": [(2, finding.id)]})
        with self.assertRaises(UserError, msg="the lead auditor does not reopen his own final report"):
            audit.with_user(self.auditor)._action_reopen_report("typo")
        audit.with_user(self.qms_manager)._action_reopen_report("The auditee's diverging opinion was left out")
        self.assertEqual(audit.report_state, "draft")
        self.assertIn("diverging opinion", audit.message_ids[0].body)
        # a confirmed statement stays (its nonconformity carries it); the reopened report takes a new finding
        with self.assertRaises(UserError):
            finding.with_user(self.auditor).write({"statement": "Two obsolete copies of QP-001 at the counter"})
        added = self.env["qms.audit.finding"].with_user(self.auditor).create({
            "audit_id": audit.id, "department_id": self.section.id, "classification": "observation",
            "criterion": "QP-001", "evidence": "The auditee's view", "statement": "Copies are withdrawn weekly."})
        added.with_user(self.auditor).action_confirm_statement()

    # 7 -------------------------------------------------------------- evidence files of a closed nonconformity
    def test_07_evidence_of_a_closed_record_cannot_be_changed(self):
        nc = self.make_nc(title="Wrong phone number on the counter sign")
        nc.with_user(self.section_head).action_triage_correction()
        proof = self.env["ir.attachment"].with_user(self.section_head).create(
            {"name": "new-sign.jpg", "raw": b"jpg", "res_model": nc._name, "res_id": nc.id})
        loose = self.env["ir.attachment"].with_user(self.section_head).create({"name": "photo.jpg", "raw": b"jpg"})
        nc.with_user(self.section_head).write({
            "containment_description": "Sign replaced", "containment_by_id": self.clerk.id,
            "containment_date": "2026-11-03", "evidence_attachment_ids": [(6, 0, (proof | loose).ids)]})
        nc.with_user(self.bureau_head).action_close()
        for attachment in (proof, loose):
            for user in (self.section_head, self.env.user):
                with self.assertRaises(UserError):
                    attachment.with_user(user).unlink()
                with self.assertRaises(UserError):
                    attachment.with_user(user).write({"raw": b"forged"})
        self.assertEqual(base64.b64decode(proof.datas), b"jpg")
        with self.assertRaises(UserError):
            nc.with_user(self.section_head).write({"evidence_attachment_ids": [(3, proof.id)]})
        self.assertEqual(nc.sudo().evidence_attachment_ids, proof | loose)

    # 8 -------------------------------------------------------------- bad input on nonconformities
    def test_08_nonconformity_needs_a_title_and_a_sane_deadline(self):
        for title in ("", "   ", False):
            with self.assertRaises(ValidationError):
                self.make_nc(title=title)
        with self.assertRaises(ValidationError):
            self.make_nc(date_detected="2026-11-10", date_deadline="2026-11-09")
        nc = self.make_nc()
        with self.assertRaises(ValidationError):
            nc.with_user(self.section_head).write({"title": " "})
        nc.with_user(self.section_head).action_triage_capa()
        with self.assertRaises(UserError, msg="detection moved after the deadline (and settled at triage)"):
            nc.with_user(self.section_head).write({"date_detected": "2027-01-31"})

    # 9 -------------------------------------------------------------- arguments from a client
    def test_09_extension_request_validates_its_arguments(self):
        action = self.to_action_stage(self.make_nc())
        for bad in ("31/12/2026", "tomorrow", 20261231, None):
            with self.assertRaises(UserError):
                action.with_user(self.clerk)._action_request_extension(bad, "Printer broken")
        with self.assertRaises(UserError):
            action.with_user(self.clerk)._action_request_extension("2026-11-19", "Before the current date")
        self.assertFalse(hasattr(type(action), "action_request_extension"), "no public method takes arguments")
        wizard = self.env["qms.action.extension.wizard"].with_user(self.clerk).create(
            {"action_id": action.id, "new_date": "2026-12-04", "reason": "Waiting for the new form"})
        wizard.action_confirm()
        self.assertEqual((action.extension_state, str(action.extension_date)), ("requested", "2026-12-04"))
        with self.assertRaises(UserError, msg="one request at a time"):
            action.with_user(self.clerk)._action_request_extension("2026-12-11", "More")
        reason_wizard = self.env["qms.reason.wizard"].with_user(self.clerk).create(
            {"res_model": "qms.action", "res_ids": action.ids, "method": "unlink", "reason": "x"})
        with self.assertRaises(UserError, msg="the reason wizard calls only the steps it is made for"):
            reason_wizard.action_confirm()

    # 10 ------------------------------------------------------------- heads are not blocked by other departments
    def test_10_head_starts_analysis_despite_a_similar_nc_elsewhere(self):
        elsewhere = self.make_nc(department_id=self.finance.id, date_detected="2026-10-01",
                                 clause_ids=[(6, 0, self.clause_doc_control.ids)])
        nc = self.make_nc(clause_ids=[(6, 0, self.clause_doc_control.ids)])
        nc.with_user(self.section_head).action_triage_capa()
        with self.assertRaises(AccessError):
            elsewhere.with_user(self.section_head).read(["name"])
        nc.with_user(self.section_head).action_start_analysis()
        self.assertEqual(nc.state, "analysis")
        self.assertTrue(nc.is_recurrence)
        self.assertIn(elsewhere.name, nc.message_ids[0].body)

    # 11 ------------------------------------------------------------- honest figures
    def test_11_audit_nonconformity_detected_when_raised(self):
        audit = self.make_audit(date_start="2026-12-14", date_end="2026-12-15")  # planned later, run early
        audit.with_user(self.auditor).action_generate_checklist()
        with freeze_time("2026-11-25"):
            audit.with_user(self.auditor).action_start()
            audit.line_ids.with_user(self.auditor).write({"result": "conforming"})
            audit.line_ids[0].with_user(self.auditor).write({"result": "minor", "evidence": "Obsolete copy"})
            audit.with_user(self.auditor).write({"conclusions": "<p>One minor.</p>"})
            self.confirm_findings(audit)
            audit.with_user(self.auditor).action_report()
        nc = audit.nonconformity_ids
        self.assertEqual(str(nc.date_detected), "2026-11-25")
        nc.with_user(self.section_head).action_triage_correction()
        nc.with_user(self.section_head).write({"containment_description": "Copy withdrawn",
                                               "containment_by_id": self.clerk.id, "containment_date": "2026-11-26"})
        proof = self.env["ir.attachment"].with_user(self.section_head).create({"name": "p.jpg", "raw": b"p"})
        nc.with_user(self.section_head).write({"evidence_attachment_ids": [(6, 0, proof.ids)]})
        with freeze_time("2026-11-27"):
            nc.with_user(self.bureau_head).action_close()
        self.assertEqual(nc.days_to_close, 2)

    def test_on_time_rate_undefined_when_nothing_closed(self):
        self.make_nc(date_detected="2026-11-02")
        scores = self.env["qms.department.score"].with_user(self.qms_manager)._qms_compute_month(self.d("2026-11-01"))
        score = scores.filtered(lambda s: s.department_id == self.section)
        self.assertEqual((score.raised_count, score.closed_count), (1, 0))
        self.env.cr.execute("SELECT on_time_rate FROM qms_department_score WHERE id = %s", [score.id])
        self.assertIsNone(self.env.cr.fetchone()[0], "no closure: no rate, not 0 %")

    # reopening with a reason ------------------------------------------------------------------------------------
    def test_reopen_closed_nonconformity_with_reason(self):
        nc = self.make_nc()
        self.close_capa(nc)
        with self.assertRaises(UserError):
            nc.with_user(self.section_head)._action_reopen("It happened again")
        with self.assertRaises(UserError):
            nc.with_user(self.qms_manager)._action_reopen("")
        nc.with_user(self.qms_manager)._action_reopen("It happened again at the counter")
        self.assertEqual((nc.state, nc.current_round, nc.reopen_count), ("reopened", 2, 1))
        self.assertFalse(nc.date_closed)
        self.assertIn("It happened again at the counter", nc.message_ids[0].body)
        self.assertIn(self.qms_manager.name, nc.message_ids[0].body)
        with self.assertRaises(UserError):
            nc.with_user(self.qms_manager)._action_reopen("again")

    def test_workflow_fields_are_not_written_by_hand(self):
        nc = self.make_nc()
        for vals in ({"state": "closed"}, {"closed_by_id": self.section_head.id}, {"date_closed": "2026-11-30"},
                     {"path": "correction"}, {"is_recurrence": True}, {"current_round": 5}):
            with self.assertRaises(UserError, msg=str(vals)):
                nc.with_user(self.section_head).write(vals)
            with self.assertRaises(UserError, msg="a context key sent by a client is no workflow step"):
                nc.with_user(self.section_head).with_context(qms_transition=True).write(vals)
        with self.assertRaises(UserError, msg="nor at creation"):
            self.make_nc(state="closed")
        with self.assertRaises(UserError):
            self.make_nc(is_supervised=True)
        self.assertEqual(nc.state, "new")
        nc.with_user(self.section_head).action_triage_capa()
        with self.assertRaises(UserError, msg="a nonconformity that left 'new' is not deleted"):
            nc.with_user(self.qms_manager).unlink()

    def test_wizards_reach_the_private_steps(self):
        """The buttons open wizards; the wizards validate and call the private steps with the user's rights."""
        nc = self.make_nc()
        action = self.to_action_stage(nc)

        def confirm(record, opener, user, **values):
            wizard_action = getattr(record.with_user(user), opener)()
            defaults = {**wizard_action["context"], **{f"default_{key}": value for key, value in values.items()}}
            wizard = self.env[wizard_action["res_model"]].with_user(user).with_context(**defaults).create({})
            return wizard.action_confirm()

        with self.assertRaises(UserError):
            confirm(action, "action_open_deadline_wizard", self.section_head, new_date="2027-01-15", reason="busy")
        confirm(action, "action_open_deadline_wizard", self.qms_manager, new_date="2027-01-15", reason="Court ruling")
        self.assertEqual(str(action.date_deadline), "2027-01-15")
        self.finish_action(action)
        check = nc.check_ids
        check.with_user(self.auditor).write({"evidence_note": "sampled"})
        check.with_user(self.auditor).action_effective()
        nc.with_user(self.bureau_head).action_close()
        confirm(nc, "action_open_reopen_wizard", self.qms_manager, reason="Same error found again")
        self.assertEqual(nc.state, "reopened")

    def test_findings_of_the_state_machine(self):
        """Cases the hypothesis state machine found: each stays fixed."""
        # the same deadline written again (triage) does not restart the ladder
        nc = self.make_nc(source="complaint", severity="major", date_detected="2026-12-04",
                          date_deadline="2026-12-11")
        with freeze_time("2026-12-29"):
            self.NC._cron_escalate()
        level, notes = nc.escalation_level, len(nc.message_ids)
        self.assertEqual(level, 3)
        nc.with_user(self.section_head).action_triage_capa()
        self.assertEqual(str(nc.date_deadline), "2026-12-11")
        with freeze_time("2026-12-30"):
            self.NC._cron_escalate()
        self.assertEqual(nc.escalation_level, level, "no step twice for the same deadline")
        self.assertEqual(len(nc.message_ids.filtered(lambda m: "Reminder" in (m.body or ""))), 1)
        self.assertGreaterEqual(len(nc.message_ids), notes)
        # moving the detection date after an action's due date
        other = self.make_nc(date_detected="2026-11-02")
        action = self.add_action(other, date_deadline="2026-11-20")
        with self.assertRaises(ValidationError):
            other.with_user(self.section_head).write({"date_detected": "2026-11-25"})
        # an action is not moved onto another nonconformity
        with self.assertRaises(UserError):
            action.with_user(self.section_head).write({"nonconformity_id": nc.id})
        # a correction-only nonconformity does not close over an open action
        other.with_user(self.section_head).action_triage_correction()
        proof = self.env["ir.attachment"].with_user(self.section_head).create({"name": "p.pdf", "raw": b"p"})
        other.with_user(self.section_head).write({
            "containment_description": "Corrected", "containment_by_id": self.clerk.id,
            "containment_date": "2026-11-30", "evidence_attachment_ids": [(6, 0, proof.ids)]})
        with self.assertRaises(UserError):
            other.with_user(self.bureau_head).action_close()
        self.assertEqual(other.state, "triaged")

    def test_done_action_keeps_its_evidence(self):
        """Found by the state machine: the owner blanked the evidence of an action after marking it done."""
        action = self.to_action_stage(self.make_nc())
        proof = self.env["ir.attachment"].with_user(self.clerk).create(
            {"name": "checklist-v2.pdf", "raw": b"v2", "res_model": action._name, "res_id": action.id})
        action.with_user(self.clerk).write({"evidence_attachment_ids": [(6, 0, proof.ids)]})
        self.finish_action(action)
        self.assertEqual(action.state, "done")
        with self.assertRaises(UserError):
            action.with_user(self.clerk).write({"evidence_note": " "})
        with self.assertRaises(UserError):
            action.with_user(self.clerk).write({"evidence_attachment_ids": [(5,)]})
        with self.assertRaises(UserError):
            proof.with_user(self.clerk).unlink()
        self.assertTrue(action.evidence_note.strip())

    def test_findings_of_the_api_client_probe(self):
        """Cases a hostile XML-RPC client found on the demo database: each stays fixed."""
        # a revision under review keeps its text, reviewers and approver
        document = self.make_document()
        revision = self.make_revision(document)
        revision.with_user(self.author).action_submit()
        for vals in ({"body": "<p>other text</p>"}, {"approver_id": self.clerk.id}, {"reviewer_ids": [(5,)]}):
            with self.assertRaises(UserError):
                revision.with_user(self.author).write(vals)
        # no new file slipped into a locked record's evidence, nor moved onto it, nor published
        nc = self.make_nc(title="Wrong phone number on the counter sign")
        nc.with_user(self.section_head).action_triage_correction()
        proof = self.env["ir.attachment"].with_user(self.section_head).create({"name": "p.jpg", "raw": b"p"})
        nc.with_user(self.section_head).write({
            "containment_description": "Sign replaced", "containment_by_id": self.clerk.id,
            "containment_date": "2026-11-03", "evidence_attachment_ids": [(6, 0, proof.ids)]})
        nc.with_user(self.bureau_head).action_close()
        with self.assertRaises(UserError):
            self.env["ir.attachment"].with_user(self.section_head).create(
                {"name": "late.jpg", "raw": b"x", "res_model": nc._name, "res_id": nc.id})
        loose = self.env["ir.attachment"].with_user(self.section_head).create({"name": "x.jpg", "raw": b"x"})
        with self.assertRaises(UserError):
            loose.with_user(self.section_head).write({"res_model": nc._name, "res_id": nc.id})
        with self.assertRaises(UserError):
            proof.with_user(self.section_head).write({"public": True})
        # who did a correction is recorded once: a doer cannot relabel it and then approve the closure
        relabel = self.make_nc()
        relabel.with_user(self.section_head).action_triage_correction()
        relabel.with_user(self.section_head).write({"containment_description": "Fixed",
                                                    "containment_by_id": self.section_head.id})
        with self.assertRaises(UserError):
            relabel.with_user(self.section_head).write({"containment_by_id": self.clerk.id})
        # the facts of a triaged nonconformity, and the department of an action, do not move
        other = self.make_nc()
        action = self.to_action_stage(other)
        for vals in ({"department_id": self.finance.id}, {"severity": "major"}, {"source": "self_reported"},
                     {"reported_by_id": self.section_head.id}, {"date_detected": "2026-11-03"}):
            with self.assertRaises(UserError, msg=str(vals)):
                other.with_user(self.section_head).write(vals)
        with self.assertRaises(UserError):
            action.with_user(self.clerk).write({"department_id": self.finance.id})
        # the lines of a record stay with it
        why = self.env["qms.nonconformity.why"].with_user(self.section_head).create(
            {"nonconformity_id": other.id, "question": "Why?", "answer": "Because"})
        with self.assertRaises(UserError):
            why.with_user(self.section_head).write({"nonconformity_id": self.make_nc().id})
        # nobody judges the effectiveness of their own actions, the QMS office included
        self.finish_action(action)
        check = other.check_ids
        check.with_user(self.auditor).write({"evidence_note": "sampled"})
        action.sudo()._qms_write_workflow({"owner_id": self.qms_manager.id})
        with self.assertRaises(UserError):
            check.with_user(self.qms_manager).action_effective()
        with self.assertRaises(UserError):
            check.with_user(self.auditor).write({"round": 2})
        # the audit team and the audited departments are the QMS office's; findings stay within the scope
        audit = self.make_audit()
        with self.assertRaises(UserError):
            audit.with_user(self.auditor2).write({"lead_auditor_id": self.member.id})
        audit.with_user(self.auditor).action_generate_checklist()
        with self.assertRaises(ValidationError):
            audit.line_ids[0].with_user(self.auditor).write({"department_id": self.finance.id})
        with self.assertRaises(ValidationError):
            self.env["qms.audit.finding"].with_user(self.auditor).create({
                "audit_id": audit.id, "department_id": self.finance.id, "classification": "minor",
                "criterion": "7.5.3", "evidence": "seen", "statement": "not audited here"})
        with self.assertRaises(UserError):
            audit.with_user(self.qms_manager)._qms_reset_deadline("2027-01-05", "an audit's notice follows its dates")
        # bad values from a client: a clear error, never a traceback
        with self.assertRaises(ValidationError):
            self.make_nc(title=12345)
        for res_ids in ("1", {"a": 1}, [[1]], [1.5], [0], [999999999]):
            wizard = self.env["qms.reason.wizard"].with_user(self.section_head).create(
                {"res_model": "qms.nonconformity", "res_ids": res_ids, "method": "_action_cancel", "reason": "x"})
            with self.assertRaises(UserError, msg=str(res_ids)):
                wizard.action_confirm()
