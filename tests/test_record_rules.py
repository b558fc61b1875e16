"""Record rules with real users of different departments and companies.

The organisation of the fixtures: the City QMS Office above the Market Regulation Bureau (with its
Licensing Section) and the Finance Bureau; a head for each. The audit fixture adds two auditors.
"""

from unittest.mock import patch

from freezegun import freeze_time

from odoo.addons.gov_qms_audit.tests.common import QmsAuditCase
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

MODULES = ("gov_qms_docs", "gov_qms_capa", "gov_qms_audit")


def suite_models(env):
    return [name for name in sorted(env.registry)
            if env[name]._original_module in MODULES and not env[name]._abstract and not env[name]._transient]


@tagged("post_install", "-at_install")
class TestDepartmentScope(QmsAuditCase):
    """A head reads and changes the records of the departments they head and below, nothing else;
    the lines of a record follow the record."""

    def setUp(self):
        super().setUp()
        self.section_nc = self.make_nc()
        self.bureau_nc = self.make_nc(title="Fee table out of date", department_id=self.bureau.id)
        self.finance_nc = self.make_nc(title="Late payment of a supplier", department_id=self.finance.id)
        self.ncs = self.section_nc | self.bureau_nc | self.finance_nc

    def visible(self, user, records):
        return records.with_user(user).search([("id", "in", records.ids)])

    def to_analysis(self, nc, head):
        nc.with_user(head).action_triage_capa()
        nc.with_user(head).action_start_analysis()

    def test_the_rules_bake_no_ids(self):
        """Every department rule goes through the searchable field: nothing is frozen in the rule cache."""
        rules = self.env["ir.rule"].search([("model_id.model", "in", suite_models(self.env))])
        self.assertGreater(len(rules), 40)
        for rule in rules:
            self.assertNotIn(".ids", rule.domain_force, rule.name)
            self.assertNotIn("qms_managed_department_ids", rule.domain_force, rule.name)

    def test_heads_see_their_departments_and_the_sub_departments(self):
        self.assertEqual(self.visible(self.bureau_head, self.ncs), self.section_nc | self.bureau_nc)
        self.assertEqual(self.visible(self.section_head, self.ncs), self.section_nc)
        self.assertEqual(self.visible(self.other_head, self.ncs), self.finance_nc)
        self.assertEqual(self.visible(self.city_head, self.ncs), self.ncs, "the City office heads them all")
        self.assertEqual(self.NC.with_user(self.bureau_head).search([("qms_in_my_departments", "=", True),
                                                                     ("id", "in", self.ncs.ids)]),
                         self.section_nc | self.bureau_nc, "the field is searchable from the interface too")
        self.assertEqual(self.NC.with_user(self.bureau_head).search([("qms_in_my_departments", "=", False),
                                                                     ("id", "in", self.ncs.ids)]),
                         self.NC, "and its negation: nothing outside the departments is visible")
        self.assertTrue(self.section_nc.with_user(self.bureau_head).qms_in_my_departments)
        self.assertFalse(self.section_nc.with_user(self.other_head).sudo().qms_in_my_departments)

    def test_a_head_changes_nothing_in_another_department(self):
        finance_action = self.Action.create({"name": "Pay within 5 days", "nonconformity_id": self.finance_nc.id,
                                             "owner_id": self.other_clerk.id, "date_deadline": "2026-11-30"})
        with self.assertRaises(AccessError):
            self.finance_nc.with_user(self.bureau_head).read(["title"])
        with self.assertRaises(AccessError):
            self.finance_nc.with_user(self.bureau_head).write({"root_cause": "x"})
        with self.assertRaises(AccessError):
            finance_action.with_user(self.bureau_head).read(["name"])
        with self.assertRaises(AccessError):
            finance_action.with_user(self.bureau_head).write({"evidence_note": "x"})
        with self.assertRaises(AccessError):
            self.Action.with_user(self.bureau_head).create({
                "name": "x", "department_id": self.finance.id, "owner_id": self.other_clerk.id,
                "date_deadline": "2026-12-01"})
        with self.assertRaises(AccessError, msg="the section head does not manage the bureau above"):
            self.bureau_nc.with_user(self.section_head).write({"root_cause": "x"})

    def test_5_whys_and_fishbone_lines_follow_their_nonconformity(self):
        self.to_analysis(self.finance_nc, self.other_head)
        why = self.env["qms.nonconformity.why"].with_user(self.other_head).create({
            "nonconformity_id": self.finance_nc.id, "question": "Why was the supplier paid late?",
            "answer": "The invoice waited for a second signature."})
        cause = self.env["qms.nonconformity.cause"].with_user(self.other_head).create({
            "nonconformity_id": self.finance_nc.id, "category": "procedure",
            "description": "No deputy for the second signature"})
        for line in (why, cause):
            lines = line.sudo()
            with self.subTest(model=line._name):
                self.assertEqual(self.visible(self.other_head, lines), lines)
                self.assertEqual(self.visible(self.auditor, lines), lines, "auditors read every nonconformity")
                self.assertEqual(self.visible(self.qms_manager, lines), lines)
                for user in (self.bureau_head, self.section_head, self.clerk, self.other_clerk):
                    self.assertFalse(self.visible(user, lines), f"{user.name} does not see the Finance analysis")
                    with self.assertRaises(AccessError):
                        lines.with_user(user).read(["nonconformity_id"])
                for user in (self.bureau_head, self.auditor, self.other_clerk):
                    with self.assertRaises(AccessError, msg=f"{user.name} does not change the Finance analysis"):
                        lines.with_user(user).write({"sequence": 3})
                    with self.assertRaises(AccessError):
                        lines.with_user(user).unlink()
                    with self.assertRaises(AccessError):
                        lines.with_user(user).copy()
                lines.with_user(self.qms_manager).write({"sequence": 5})
        for user in (self.bureau_head, self.auditor, self.other_clerk):
            with self.assertRaises(AccessError):
                self.env["qms.nonconformity.why"].with_user(user).create({
                    "nonconformity_id": self.finance_nc.id, "question": "Why?", "answer": "Because."})
        why.with_user(self.other_head).write({"answer": "It waited for the director's signature."})
        cause.with_user(self.other_head).unlink()

    def test_the_reporter_writes_the_analysis_of_a_new_report_only(self):
        reported = self.NC.with_user(self.other_clerk).create({
            "title": "Queue display broken", "department_id": self.finance.id, "source": "self_reported",
            "why_ids": [(0, 0, {"question": "Why is the display off?", "answer": "Its cable is loose."})]})
        why = reported.why_ids
        self.assertEqual(self.visible(self.other_clerk, why), why)
        why.with_user(self.other_clerk).write({"answer": "The cable came off when cleaning."})
        reported.with_user(self.other_head).action_triage_correction()
        self.assertEqual(self.visible(self.other_clerk, why), why, "the reporter still reads it")
        with self.assertRaises(AccessError, msg="once triaged, the report belongs to the department"):
            why.with_user(self.other_clerk).write({"answer": "x"})

    def test_audit_lines_and_findings_follow_their_audit(self):
        audit = self.make_audit()
        audit.with_user(self.auditor).action_generate_checklist()
        line = audit.line_ids[:1]
        line.with_user(self.auditor2).write({"result": "minor", "evidence": "Two old forms at the counter."})
        finding = line.sudo()._qms_create_findings().sudo()
        self.member.sudo().is_lead = True
        finance_audit = self.make_audit(department_ids=[(6, 0, self.finance.ids)], lead_auditor_id=self.member.id,
                                        team_ids=[(5, 0, 0)], auditee_ids=[(6, 0, self.other_head.ids)])
        finance_audit.with_user(self.auditor2).action_generate_checklist()
        finance_line = finance_audit.line_ids[:1].sudo()
        for records in (line.sudo(), finding):
            with self.subTest(model=records._name):
                for user in (self.section_head, self.bureau_head, self.city_head, self.auditor, self.auditor2,
                             self.qms_manager):
                    self.assertEqual(self.visible(user, records), records, user.name)
                self.assertFalse(self.visible(self.other_head, records), "not an audit of Finance")
                self.assertFalse(records.with_user(self.clerk).has_access("read"), "staff have no access to audits")
                for user in (self.section_head, self.bureau_head):
                    with self.assertRaises(AccessError, msg="auditees read the checklist and the findings"):
                        records.with_user(user).write({"sequence": 1} if records._name == "qms.audit.line"
                                                      else {"statement": "softened"})
        self.assertEqual(self.visible(self.other_head, finance_line), finance_line)
        self.assertFalse(self.visible(self.auditor, finance_line), "Hu is not on the Finance audit")
        with self.assertRaises(AccessError):
            finance_line.with_user(self.auditor).write({"evidence": "x"})
        finance_line.with_user(self.auditor2).write({"result": "conforming", "evidence": "Register up to date."})
        with self.assertRaises(AccessError):
            self.env["qms.audit.line"].with_user(self.auditor).create({
                "audit_id": finance_audit.id, "department_id": self.finance.id, "question": "Who signs?"})

    def test_control_points_and_indicators_follow_their_process(self):
        process = self.env["qms.process"].create({"name": "Licensing", "department_id": self.section.id})
        point = self.env["qms.process.control.point"].with_user(self.bureau_head).create({
            "process_id": process.id, "name": "Site inspection before issue"})
        kpi = self.env["qms.process.kpi"].with_user(self.section_head).create({
            "process_id": process.id, "name": "Licences issued on time", "target": 98})
        for records in (point.sudo(), kpi.sudo()):
            with self.subTest(model=records._name):
                self.assertEqual(self.visible(self.other_clerk, records), records, "processes are read by all")
                for user in (self.other_head, self.clerk, self.auditor):
                    with self.assertRaises(AccessError, msg=f"{user.name} does not change the Licensing process"):
                        records.with_user(user).write({"sequence": 2})
                    with self.assertRaises(AccessError):
                        records.with_user(user).unlink()
                records.with_user(self.controller).write({"sequence": 3})
        with self.assertRaises(AccessError):
            self.env["qms.process.kpi"].with_user(self.other_head).create({"process_id": process.id, "name": "x"})

    def test_scorecard_deductions_follow_their_scorecard(self):
        with freeze_time("2026-12-01"):
            nc = self.make_nc(date_detected="2026-10-01", department_id=self.finance.id)
            nc.sudo().write({"date_overdue": "2026-11-10"})
            scores = self.env["qms.department.score"].with_user(self.qms_manager)._qms_compute_month(
                self.d("2026-11-01"), self.company)
        deductions = scores.filtered(lambda score: score.department_id == self.finance).deduction_ids.sudo()
        self.assertTrue(deductions)
        self.assertFalse(self.visible(self.other_head, deductions), "a draft scorecard is the QMS office's")
        scores.with_user(self.qms_manager).action_review()
        self.assertEqual(self.visible(self.other_head, deductions), deductions)
        self.assertFalse(self.visible(self.bureau_head, deductions))
        with self.assertRaises(AccessError):
            deductions.with_user(self.other_head).write({"points": 0})

    def test_a_new_head_takes_over_at_once_without_clearing_any_cache(self):
        self.assertFalse(self.visible(self.bureau_head, self.finance_nc))  # the rules are now in the cache
        registry_class = type(self.env.registry)
        with patch.object(registry_class, "clear_cache", autospec=True,
                          side_effect=registry_class.clear_cache) as clear_cache:
            bureau_head_employee = self.bureau_head.employee_ids[:1]
            self.finance.manager_id = bureau_head_employee
            self.env.flush_all()
            self.assertEqual(self.visible(self.bureau_head, self.finance_nc), self.finance_nc)
            self.assertTrue(self.finance_nc.with_user(self.bureau_head).has_access("write"))
            self.assertFalse(self.finance_nc.with_user(self.other_head).has_access("write"),
                             "the former head no longer manages it (they still read it: they handle it)")
            self.finance.manager_id = self.other_head.employee_ids[:1]
            self.finance.parent_id = self.bureau
            self.env.flush_all()
            self.assertEqual(self.visible(self.bureau_head, self.finance_nc), self.finance_nc,
                             "a department moved under the bureau is the bureau head's too")
            self.assertEqual(self.visible(self.other_head, self.finance_nc), self.finance_nc)
        self.assertFalse(clear_cache.called, "department changes do not clear the registry cache")


@tagged("post_install", "-at_install")
class TestMultiCompany(QmsAuditCase):
    """A second municipality in the same database: its QMS records are invisible from the first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Riverside District"})
        env = cls.env(su=True, context=dict(cls.env.context, allowed_company_ids=[cls.company_b.id]))
        b = {"company_id": cls.company_b.id}
        cls.head_b = new_test_user(env, login="head_b", name="Qin District Head", company_id=cls.company_b.id,
                                   company_ids=[(6, 0, cls.company_b.ids)],
                                   groups="base.group_user,gov_qms_docs.group_qms_department_head")
        employee_b = env["hr.employee"].create({"name": cls.head_b.name, "user_id": cls.head_b.id, **b})
        department = env["hr.department"].create({"name": "District Office", "manager_id": employee_b.id, **b})
        employee_b.department_id = department
        dep = {"department_id": department.id}
        document = env["qms.document"].create({"name": "District licensing", "tier": "procedure",
                                               "owner_id": cls.head_b.id, **dep, **b})
        revision = env["qms.document.revision"].create({"document_id": document.id, "body": "<p>B</p>"})
        env["qms.document.acknowledgement"].create({"revision_id": revision.id, "user_id": cls.head_b.id, **dep})
        env["qms.document.change.request"].create({"document_id": document.id, "reason": "Out of date"})
        process = env["qms.process"].create({
            "name": "District licensing", "control_point_ids": [(0, 0, {"name": "Inspection"})],
            "kpi_ids": [(0, 0, {"name": "On time", "measurement_ids": [(0, 0, {"date": "2026-10-01", "value": 97})]})],
            **dep, **b})
        env["qms.time.limit.rule"].create({"name": "District default", "close_days": 20, **b})
        env["qms.calendar.day"].create({"date": "2026-12-31", "name": "District day", **b})
        nc = env["qms.nonconformity"].create({
            "title": "District licence without inspection", "date_detected": "2026-11-02", "process_id": process.id,
            "why_ids": [(0, 0, {"question": "Why?", "answer": "Because."})],
            "cause_ids": [(0, 0, {"category": "people", "description": "New staff"})], **dep, **b})
        env["qms.action"].create({"name": "Train the staff", "nonconformity_id": nc.id, "owner_id": cls.head_b.id,
                                  "date_deadline": "2026-11-30", **dep})
        env["qms.effectiveness.check"].create({"nonconformity_id": nc.id, "date_due": "2026-12-30"})
        env["qms.complaint"].create({"subject": "District counter closed", "description": "Nobody at the counter.",
                                     "department_id": department.id, **b})  # and its row in the complaint analysis
        env.cr.execute(SQL("UPDATE qms_nonconformity SET is_supervised = TRUE, date_deadline = %s WHERE id = %s",
                           "2026-11-10", nc.id))  # on the supervision board
        env.invalidate_all()
        score = env["qms.department.score"].create({"month": "2026-11-01", **dep, **b})
        env["qms.score.deduction"].create({
            "score_id": score.id, "user_id": cls.head_b.id, "role": "responsible", "points": 1.0,
            "res_model": "qms.nonconformity", "res_id": nc.id, "item_name": nc.display_name})
        auditor_b = env["qms.auditor"].create({
            "user_id": cls.auditor.id, "is_lead": True, "date_qualified": "2025-01-10",
            "evaluation_ids": [(0, 0, {"score": 4})], **b})
        programme = env["qms.audit.programme"].create({"year": 2026, "line_ids": [(0, 0, dep)], **b})
        audit = env["qms.audit"].create({
            "department_ids": [(6, 0, department.ids)], "lead_auditor_id": auditor_b.id, "programme_id": programme.id,
            "date_start": "2026-11-23", "date_end": "2026-11-24",
            "line_ids": [(0, 0, {"question": "Who signs?", **dep})], **b})
        env["qms.audit.finding"].create({"audit_id": audit.id, "classification": "observation", "criterion": "7.5",
                                         "evidence": "Unsigned form", "statement": "Forms unsigned", **dep})
        review = env["qms.management.review"].create({"date_from": "2026-01-01", "date_to": "2026-06-30",
                                                      "chair_id": cls.head_b.id, **b})
        env["qms.management.review.decision"].create({"review_id": review.id, "name": "Keep", "follow_up": "note"})
        review.action_compile()  # its inputs and their figures
        pack = env["qms.evidence.pack"].create({"name": "District pack", "date_from": "2026-01-01",
                                                "date_to": "2026-06-30", **b})
        pack_zip = env["ir.attachment"].create({"name": "district.zip", "raw": b"PK\x05\x06" + bytes(18),
                                                "res_model": pack._name, "res_id": pack.id})
        pack.with_context(qms_transition=TRANSITION).write({"state": "ready", "attachment_id": pack_zip.id})
        certifier = env["res.partner"].create({"name": "District Certifier", "email": "certifier@body.example"})
        grant = env["qms.evidence.pack.grant"].create({"pack_id": pack.id, "partner_id": certifier.id,
                                                       "date_expiry": "2026-12-30"})
        env["qms.evidence.pack.access"].create({"grant_id": grant.id, "result": "allowed"})
        cls.nc_b, cls.audit_b, cls.document_b = nc, audit, document

    def company_models(self):
        return [name for name in suite_models(self.env)  # the SQL views too: they carry their rows' company
                if "company_id" in self.env[name]._fields and self.env[name]._fields["company_id"].store]

    def test_every_model_with_a_company_has_a_company_rule_and_is_covered_here(self):
        models = self.company_models()
        self.assertGreaterEqual(len(models), 25)
        for name in models:
            with self.subTest(model=name):
                rules = self.env["ir.rule"].search([("model_id.model", "=", name), ("global", "=", True)])
                self.assertIn("[('company_id', 'in', company_ids)]", rules.mapped("domain_force"),
                              f"{name} holds company data and has no multi-company rule")
                self.assertTrue(self.env[name].sudo().search_count([("company_id", "=", self.company_b.id)]),
                                f"the fixture has no {name} in the second company: add one")

    def test_the_second_company_is_invisible_from_the_first(self):
        users = (self.qms_manager, self.controller, self.auditor, self.bureau_head, self.clerk)
        for name in self.company_models():
            records_b = self.env[name].sudo().search([("company_id", "=", self.company_b.id)])
            for user in users:
                with self.subTest(model=name, user=user.login):
                    Model = self.env[name].with_user(user)
                    if not Model.has_access("read"):
                        continue  # not for this role anyway (see the access matrix)
                    self.assertFalse(Model.search([("id", "in", records_b.ids)]))
                    self.assertFalse(records_b.with_user(user).has_access("read"))

    def test_a_user_of_both_companies_sees_both_when_both_are_selected(self):
        self.qms_manager.company_ids = [(4, self.company_b.id)]
        NC = self.env["qms.nonconformity"].with_user(self.qms_manager)
        self.assertFalse(NC.with_context(allowed_company_ids=[self.company.id]).search([("id", "=", self.nc_b.id)]))
        self.assertEqual(NC.with_context(allowed_company_ids=[self.company.id, self.company_b.id]).search(
            [("id", "=", self.nc_b.id)]), self.nc_b)

    def test_the_head_of_the_second_company_sees_their_department(self):
        NC = self.env["qms.nonconformity"].with_user(self.head_b).with_company(self.company_b)
        self.assertEqual(NC.search([]), self.nc_b)
        self.assertEqual(self.env["qms.nonconformity.why"].with_user(self.head_b).with_company(self.company_b)
                         .search([]), self.nc_b.why_ids)
        self.assertEqual(self.env["qms.audit.finding"].with_user(self.head_b).with_company(self.company_b)
                         .search([]).audit_id, self.audit_b)

    def test_references_are_numbered_from_each_company_sequence(self):
        Sequence = self.env["ir.sequence"]
        for model, create in [
            ("qms.nonconformity", lambda company, department: self.env["qms.nonconformity"].sudo().create({
                "title": "Numbered", "department_id": department.id, "company_id": company.id})),
            ("qms.document.change.request", lambda company, department: self.env["qms.document.change.request"]
             .sudo().create({"document_id": (self.document_b if company == self.company_b
                                             else self.make_document()).id, "reason": "Numbered"})),
        ]:
            with self.subTest(model=model):
                records = {}
                for company, department in ((self.company_b, self.nc_b.department_id), (self.company, self.section),
                                            (self.company_b, self.nc_b.department_id)):
                    records.setdefault(company, []).append(create(company, department))
                sequence_b = Sequence.search([("code", "=", model), ("company_id", "=", self.company_b.id)])
                sequence_a = Sequence.search([("code", "=", model), ("company_id", "=", self.company.id)])
                self.assertEqual(len(sequence_b), 1, "the second company got a sequence of its own")
                self.assertEqual(len(sequence_a), 1)
                first_b, second_b = records[self.company_b]
                self.assertEqual(self.number(second_b.name), self.number(first_b.name) + 1,
                                 "the first company's record in between took no number of the second's")
                self.assertEqual(sequence_b.number_next_actual, self.number(second_b.name) + 1)
                self.assertEqual(sequence_a.number_next_actual, self.number(records[self.company][0].name) + 1)
        # an audit takes the number of its own company's sequence too
        sequence_b = Sequence.search([("code", "=", "qms.audit"), ("company_id", "=", self.company_b.id)])
        self.assertEqual(sequence_b.number_next_actual, self.number(self.audit_b.name) + 1)

    @staticmethod
    def number(reference):
        return int(reference.rsplit("-", 1)[1])
