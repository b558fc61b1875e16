"""From a checklist answer to a closed nonconformity, in a real browser (Chromium), in English and in Chinese.

(a) The auditor answers the checklist during the interview, raises the findings, rewrites the statement prefilled
from the checklist and confirms it: it becomes a nonconformity titled with the statement.
(b) The head of the audited section analyses it (5 Whys: the last answer is the root cause), plans the action;
the clerk does it, the auditor checks it effective, and the head closes it.

With QMS_SCREENSHOTS set, the last screen of each tour is saved (docs/screenshots/<lang>/ in the README).
"""
from xmlrpc.client import Fault

from odoo.addons.gov_qms_docs.tests.tour_common import QmsTourCase
from odoo.tests import new_test_user, tagged

TEXTS = {
    "en_US": {
        "department": "Licensing Counter",
        "questions": ["At the counter, is the fee table in use the one in force?",
                      "Are obsolete application forms withdrawn from the counter?"],
        "evidence": "Counter 2 uses the fee table of 2024 (form LF-02 rev. 1); rev. 2 is in force since 1 March.",
        "statement": "Counter 2 charges fees from the superseded 2024 table instead of LF-02 rev. 2, in force since "
                     "1 March.",
        "root_cause": "The document control procedure names no one to send new revisions to the counters.",
    },
    "zh_CN": {
        "department": "许可受理窗口",
        "questions": ["窗口使用的收费标准表是否为现行有效版本？", "作废的申请表是否已从窗口撤出？"],
        "evidence": "2号窗口仍使用2024年版收费标准表（LF-02第1版）；第2版自3月1日起施行。",
        "statement": "2号窗口仍按已作废的2024年版收费标准收费，未使用自3月1日起施行的LF-02第2版。",
        "root_cause": "文件控制程序未规定由谁向窗口分发新版本。",
    },
}


@tagged("post_install", "-at_install", "qms_ui")
class TestFindingToNonconformityUi(QmsTourCase):
    """The two tours of a finding (see the module's docstring); one test method per language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_auditor = new_test_user(cls.env, login="tour_finding_auditor", name="Zhao Min",
                                         groups="base.group_user,gov_qms_docs.group_qms_auditor")
        cls.tour_head = new_test_user(cls.env, login="tour_finding_head", name="Zhou Qiang",
                                      groups="base.group_user,gov_qms_docs.group_qms_department_head")
        cls.tour_clerk = new_test_user(cls.env, login="tour_finding_clerk", name="He Xiaoyun", groups="base.group_user")
        cls.whole_standard = cls.env["qms.iso.clause"].search([("parent_id", "=", False)])
        cls.lead = cls.env["qms.auditor"].create({
            "user_id": cls.tour_auditor.id, "is_lead": True, "date_qualified": "2020-01-01",
            "clause_ids": [(6, 0, cls.whole_standard.ids)]})
        cls.clause = cls.env.ref("gov_qms_docs.iso_clause_7_5_3_1")

    def make_audit(self, lang):
        texts = TEXTS[lang]
        department = self.env["hr.department"].create({"name": texts["department"], "qms_code": "TLC"})
        head = self.env["hr.employee"].create({"name": self.tour_head.name, "user_id": self.tour_head.id,
                                               "department_id": department.id})
        self.env["hr.employee"].create({"name": self.tour_clerk.name, "user_id": self.tour_clerk.id,
                                        "department_id": department.id})
        department.manager_id = head
        audit = self.env["qms.audit"].create({
            "department_ids": [(6, 0, department.ids)], "lead_auditor_id": self.lead.id,
            "clause_ids": [(6, 0, self.clause.ids)], "auditee_ids": [(6, 0, self.tour_head.ids)],
            "date_start": "2026-11-23", "date_end": "2026-11-24",
            "line_ids": [(0, 0, {"department_id": department.id, "clause_id": self.clause.id, "question": question,
                                 "sequence": sequence})
                         for sequence, question in enumerate(texts["questions"], start=1)],
        })
        audit.action_start()
        return audit

    # ------------------------------------------------------------------ (a) the auditor

    def run_auditor(self, lang):
        texts = TEXTS[lang]
        for login in ("tour_finding_auditor", "tour_finding_head"):
            self.qms_set_lang(login, lang)
        audit = self.make_audit(lang)
        self.qms_tour("/odoo/action-gov_qms_audit.qms_audit_action_my", "gov_qms_finding_checklist_tour",
                      login="tour_finding_auditor", screenshot="audit_checklist", lang=lang)
        first, second = audit.line_ids.sorted("sequence")
        self.assertEqual((first.result, first.evidence, second.result), ("minor", texts["evidence"], "conforming"))
        self.assertEqual((audit.answered_count, audit.line_count), (2, 2))

        self.qms_tour(f"/odoo/qms.audit/{audit.id}", "gov_qms_finding_statement_tour",
                      login="tour_finding_auditor", screenshot="finding_statement", lang=lang)
        finding = first.finding_id
        self.assertEqual(finding.state, "draft", "the statement is not confirmed by opening it")
        self.assertEqual(finding.evidence, texts["evidence"])
        self.assertFalse(audit.nonconformity_ids)

        self.qms_tour(f"/odoo/qms.audit/{audit.id}", "gov_qms_finding_raise_tour",
                      login="tour_finding_auditor", screenshot="finding_raised", lang=lang)
        nc = finding.nonconformity_id
        self.assertEqual((finding.state, finding.confirmed_by_id), ("confirmed", self.tour_auditor))
        self.assertEqual(finding.statement, texts["statement"])
        self.assertEqual(nc.title, texts["statement"], "the nonconformity's title is the auditor's statement")
        self.assertEqual((nc.department_id.name, nc.severity, nc.owner_id), (texts["department"], "minor",
                                                                            self.tour_head))
        return nc

    def test_auditor_writes_the_finding_en(self):
        self.run_auditor("en_US")

    def test_auditor_writes_the_finding_zh(self):
        self.run_auditor("zh_CN")

    # ------------------------------------------------------------------ (b) the department head

    def raised_nonconformity(self, lang):
        audit = self.make_audit(lang)
        first = audit.line_ids.sorted("sequence")[0]
        first.with_user(self.tour_auditor).write({"result": "minor", "evidence": TEXTS[lang]["evidence"]})
        audit.line_ids[1].with_user(self.tour_auditor).write({"result": "conforming"})
        audit.with_user(self.tour_auditor).action_raise_findings()
        first.finding_id.with_user(self.tour_auditor).write({"statement": TEXTS[lang]["statement"]})
        first.finding_id.with_user(self.tour_auditor).action_confirm_statement()
        return first.finding_id.nonconformity_id

    def run_head(self, lang):
        for login in ("tour_finding_head", "tour_finding_clerk", "tour_finding_auditor"):
            self.qms_set_lang(login, lang)
        nc = self.raised_nonconformity(lang)
        self.qms_tour(f"/odoo/qms.nonconformity/{nc.id}", "gov_qms_capa_analysis_tour", login="tour_finding_head",
                      screenshot="capa_analysis", lang=lang)
        self.assertEqual(nc.state, "action")
        self.assertEqual(len(nc.why_ids), 3)
        self.assertEqual(nc.root_cause, TEXTS[lang]["root_cause"], "the last Why is the root cause")
        action = nc.action_ids
        self.assertEqual((action.owner_id, action.action_type), (self.tour_clerk, "corrective"))
        # the clerk does the action, the auditor who reported the nonconformity checks it
        action.with_user(self.tour_clerk).write({"evidence_note": "Supervisor named; old tables withdrawn."})
        action.with_user(self.tour_clerk).action_done()
        check = nc.check_ids
        self.assertEqual(check.checker_id, self.tour_auditor)
        check.with_user(self.tour_auditor).write({"evidence_note": "Counters 1-4 checked: 2026 table only."})
        check.with_user(self.tour_auditor).action_effective()
        self.qms_tour(f"/odoo/qms.nonconformity/{nc.id}", "gov_qms_capa_close_tour", login="tour_finding_head",
                      screenshot="capa_closed", lang=lang)
        self.assertEqual((nc.state, nc.closed_by_id), ("closed", self.tour_head))

    def test_head_analyses_acts_and_closes_en(self):
        self.run_head("en_US")

    def test_head_analyses_acts_and_closes_zh(self):
        self.run_head("zh_CN")

    # ------------------------------------------------------------------ the same rules over XML-RPC

    def test_an_unconfirmed_statement_over_the_api(self):
        audit = self.make_audit("en_US")
        line = audit.line_ids.sorted("sequence")[0]
        line.with_user(self.tour_auditor).write({"result": "major", "evidence": TEXTS["en_US"]["evidence"]})
        audit.with_user(self.tour_auditor).action_raise_findings()
        finding = line.finding_id
        user = self.tour_auditor

        def call(method, *args):
            return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, "qms.audit.finding",
                                                 method, list(args))

        for method, args, text in (
                ("_qms_raise", ([finding.id],), "Private methods"),
                ("write", ([finding.id], {"state": "confirmed"}), "changes only through its workflow"),
                ("write", ([finding.id], {"nonconformity_id": 1}), "change only through the workflow")):
            with self.subTest(method=method, args=args), self.assertRaises(Fault) as caught:
                call(method, *args)
            self.assertIn(text, caught.exception.faultString)
        self.assertEqual(finding.state, "draft")
        self.assertFalse(finding.nonconformity_id)
        call("write", [finding.id], {"statement": TEXTS["en_US"]["statement"]})
        feedback = call("action_confirm_statement", [finding.id])
        self.assertEqual(feedback["tag"], "display_notification")
        self.assertEqual(finding.nonconformity_id.title, TEXTS["en_US"]["statement"])
