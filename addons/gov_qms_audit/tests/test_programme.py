from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import QmsAuditCase


@tagged("post_install", "-at_install")
class TestProgramme(QmsAuditCase):
    """The 2027 programme: the licensing section is high risk, the finance bureau had a major
    nonconformity in 2026, the archives office is low risk, and the licence approval process
    had a major nonconformity in 2026. Hu (finance) and Qian (City office) are lead auditors.
    Today is the fixture's 30 November 2026 (QmsDocsCase freezes it): 2027 is next year's programme."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead.date_expiry = False
        cls.member.is_lead = True
        # the demo data's auditors and programmes are set aside
        cls.env["qms.auditor"].search([("id", "not in", (cls.lead | cls.member).ids)]).active = False
        cls.env["qms.audit.programme"].search([]).action_archive()  # kept as evidence: archived, never deleted
        cls.archives = cls.env["hr.department"].create({"name": "Archives Office", "parent_id": cls.city.id,
                                                        "qms_code": "ARC"})
        cls.process = cls.env["qms.process"].create({
            "name": "Licence approval", "department_id": cls.bureau.id,
            "clause_ids": [(6, 0, cls.env.ref("gov_qms_docs.iso_clause_8_5_1").ids)]})
        cls.Programme = cls.env["qms.audit.programme"].with_user(cls.qms_manager)

    def make_programme(self, year=2027, lines=None):
        lines = lines or [
            {"department_id": self.section.id, "risk_level": "high", "risk_note": "Issues licences and collects fees"},
            {"department_id": self.finance.id, "risk_level": "low"},
            {"department_id": self.archives.id, "risk_level": "low"},
            {"process_id": self.process.id, "risk_level": "low"},
        ]
        return self.Programme.create({"year": year, "objectives": "Confirm the time limits are kept.",
                                      "line_ids": [(0, 0, vals) for vals in lines]})

    def record_history(self):
        self.make_nc(department_id=self.finance.id, severity="major", date_detected="2026-05-11",
                     title="Payment made without the second signature")
        self.make_nc(department_id=self.section.id, process_id=self.process.id, severity="major",
                     date_detected="2026-03-02", title="Licence approved without the hearing")
        self.make_nc(department_id=self.archives.id, severity="major", date_detected="2025-12-31",
                     title="Files destroyed before the retention date")  # the cycle before the last
        self.make_nc(department_id=self.archives.id, severity="minor", date_detected="2026-06-01",
                     title="Register not signed")

    def line(self, programme, subject):
        field = "department_id" if subject._name == "hr.department" else "process_id"
        return programme.line_ids.filtered(lambda line: line[field] == subject)

    def test_frequency_from_risk_and_history(self):
        self.record_history()  # the process's nonconformity was raised against the section: it counts for both
        programme = self.make_programme()
        programme.action_generate_audits()
        expected = {self.section: (2, 1), self.finance: (2, 1), self.archives: (1, 0), self.process: (2, 1)}
        for subject, (frequency, majors) in expected.items():
            line = self.line(programme, subject)
            self.assertEqual((line.frequency, line.last_cycle_major_count), (frequency, majors), subject.name)
            self.assertEqual(len(line.audit_ids), frequency, subject.name)
        self.assertEqual(self.line(programme, self.section).frequency_reason,
                         "High risk; 1 major nonconformity(ies) last cycle")
        self.assertEqual(self.line(programme, self.archives).frequency_reason, "Low risk")
        self.assertEqual(self.line(programme, self.finance).frequency_reason,
                         "Low risk; 1 major nonconformity(ies) last cycle")

        audits = programme.audit_ids
        self.assertEqual(len(audits), 7)
        self.assertEqual(set(audits.mapped("state")), {"planned"})
        for audit in audits:
            self.assertEqual(audit.date_start.year, 2027)
            self.assertLess(audit.date_start.weekday(), 5, "audits fall on working days")
        for line in programme.line_ids.filtered(lambda line: line.frequency == 2):
            first, second = line.audit_ids.sorted("date_start")
            self.assertLess(first.date_start, date(2027, 7, 2), "one audit in each half of the year")
            self.assertGreaterEqual(second.date_start, date(2027, 7, 2))

        finance_audits = self.line(programme, self.finance).audit_ids
        self.assertEqual(finance_audits.lead_auditor_id, self.member, "Hu works in finance: Qian leads")
        self.assertEqual(finance_audits.auditee_ids, self.other_head)
        loads = [len(audits.filtered(lambda a, lead=lead: a.lead_auditor_id == lead))
                 for lead in self.lead | self.member]
        self.assertLessEqual(max(loads) - min(loads), 1, "the audits are shared between the lead auditors")

        process_audit = self.line(programme, self.process).audit_ids[:1]
        self.assertEqual(process_audit.department_ids, self.bureau)
        self.assertEqual(process_audit.process_ids, self.process)
        self.assertEqual(process_audit.clause_ids, self.process.clause_ids)
        section_audit = self.line(programme, self.section).audit_ids[:1]
        self.assertEqual(set(section_audit.clause_ids.mapped("code")), {"4", "5", "6", "7", "8", "9", "10"},
                         "no process or document of the section cites a clause: the whole standard")
        self.assertEqual(section_audit.auditee_ids, self.section_head)
        self.assertEqual(section_audit.objectives, "Confirm the time limits are kept.")

        calendar = programme.action_open_audits()
        self.assertEqual(calendar["views"][0], (self.env.ref("gov_qms_audit.qms_audit_view_calendar_programme").id,
                                                "calendar"), "the programme opens on its year calendar")
        self.assertEqual(self.env["qms.audit"].search(calendar["domain"]), audits)
        self.assertEqual(calendar["context"]["initial_date"], "2027-01-01 00:00:00")

    def test_a_department_is_audited_on_what_its_processes_and_documents_cite(self):
        procedure = self.make_document(name="Licence counter procedure", department_id=self.section.id,
                                       clause_ids=[(6, 0, self.clause_doc_control.ids)])
        self.make_effective(procedure)
        programme = self.make_programme(lines=[{"department_id": self.bureau.id, "risk_level": "low"}])
        programme.action_generate_audits()
        audit = programme.audit_ids
        self.assertEqual(audit.process_ids, self.process)
        self.assertEqual(audit.clause_ids, self.process.clause_ids | self.clause_doc_control,
                         "the bureau's process and its section's procedure")
        self.assertEqual(audit.auditee_ids, self.bureau_head)

    def test_generating_again_adds_only_what_is_missing(self):
        programme = self.make_programme()
        programme.action_generate_audits()
        self.assertEqual(len(programme.audit_ids), 5)
        programme.action_generate_audits()
        self.assertEqual(len(programme.audit_ids), 5, "nothing planned twice")
        archives = self.line(programme, self.archives)
        archives.audit_ids._action_cancel("The office moves in January")
        archives.risk_level = "high"
        programme.action_generate_audits()
        self.assertEqual(len(archives.audit_ids.filtered(lambda a: a.state != "cancelled")), 2)
        self.assertEqual(len(programme.audit_ids), 7)

    def test_a_current_year_programme_plans_from_today(self):
        with freeze_time("2026-07-01"):
            programme = self.make_programme(year=2026)
            programme.action_generate_audits()
        self.assertTrue(all(audit.date_start >= date(2026, 7, 15) for audit in programme.audit_ids),
                        "no audit planned in the past, two weeks left for the notice")

    def test_generation_needs_an_independent_qualified_lead_auditor(self):
        self.member.is_lead = False
        programme = self.make_programme(lines=[{"department_id": self.finance.id, "risk_level": "low"}])
        with self.assertRaises(UserError) as error:
            programme.action_generate_audits()
        # 1 January 2027 is New Year's Day (元旦, a statutory holiday): the audit falls on Monday 4 January
        self.assertIn("No lead auditor can audit City QMS Office / Finance Bureau on 2027-01-04", str(error.exception))
        self.assertFalse(programme.audit_ids, "nothing half-planned")

    def test_bad_input(self):
        with self.assertRaises(ValidationError, msg="a department or a process, not both"):
            self.make_programme(lines=[{"department_id": self.section.id, "process_id": self.process.id}])
        with self.assertRaises(ValidationError, msg="neither"):
            self.make_programme(lines=[{"risk_level": "low"}])
        with self.assertRaises(ValidationError) as error:
            self.make_programme(lines=[{"department_id": self.section.id, "risk_level": "high", "frequency": 1}])
        self.assertIn("Licensing Section must be audited at least 2 time(s) this year", str(error.exception))
        with self.assertRaises(ValidationError):
            self.make_programme(year=27)
        empty = self.Programme.create({"year": 2028})
        with self.assertRaises(UserError, msg="nothing to approve"):
            empty.action_approve()

    def test_approved_then_closed_programme_is_kept_as_is(self):
        programme = self.make_programme()
        programme.action_approve()
        self.assertEqual((programme.state, programme.approved_by_id), ("approved", self.qms_manager))
        programme.action_generate_audits()
        programme.action_close()
        with self.assertRaises(UserError):
            programme.write({"objectives": "changed afterwards"})
        with self.assertRaises(UserError):
            programme.action_generate_audits()

    def test_access(self):
        programme = self.make_programme()
        for user in (self.auditor, self.section_head, self.other_head):
            self.assertEqual(programme.with_user(user).read(["name"])[0]["name"], "Audit Programme 2027")
        with self.assertRaises(AccessError):
            programme.with_user(self.auditor).write({"objectives": "mine"})
        with self.assertRaises(AccessError):
            self.env["qms.audit.programme"].with_user(self.section_head).create({"year": 2029})
        with self.assertRaises(AccessError):
            programme.with_user(self.clerk).read(["name"])

    def test_auditor_workload(self):
        programme = self.make_programme()
        programme.action_generate_audits()
        audit = programme.audit_ids.filtered(lambda a: a.lead_auditor_id == self.lead)[:1]
        audit.write({"team_ids": [(6, 0, self.member.ids)], "date_end": audit.date_start + timedelta(days=1)})
        Workload = self.env["qms.auditor.workload"].with_user(self.auditor)
        rows = Workload.search([("programme_id", "=", programme.id)])
        self.assertEqual(len(rows), len(programme.audit_ids) + 1, "one row per lead, one per team member")
        member = rows.filtered(lambda row: row.role == "member")
        self.assertEqual((member.auditor_id, member.audit_id, member.audit_days), (self.member, audit, 2))
        days = dict(Workload._read_group([("programme_id", "=", programme.id)], ["auditor_id"], ["audit_days:sum"]))
        self.assertEqual(sum(days.values()), len(programme.audit_ids) + 1 + 2)
        with self.assertRaises(AccessError):
            self.env["qms.auditor.workload"].with_user(self.section_head).search([])

    def test_generation_query_count(self):
        def queries(programme):
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.cr.sql_log_count
            programme.action_generate_audits()
            self.env.flush_all()
            return self.cr.sql_log_count - before

        departments = self.env["hr.department"].create([
            {"name": f"Street Office {n}", "parent_id": self.city.id, "qms_code": f"ST{n}"} for n in range(8)])
        small = self.make_programme(year=2028, lines=[{"department_id": d.id, "risk_level": "low"}
                                                      for d in departments[:2]])
        large = self.make_programme(year=2029, lines=[{"department_id": d.id, "risk_level": "low"}
                                                      for d in departments])
        queries(self.make_programme(year=2030, lines=[{"department_id": self.archives.id}]))  # warm the caches
        small_count, large_count = queries(small), queries(large)
        self.assertEqual((len(small.audit_ids), len(large.audit_ids)), (2, 8))
        self.assertEqual(large_count, small_count,
                         "nothing per audit or entry: the reference numbers are reserved in one query")
        third = self.make_programme(year=2031, lines=[{"department_id": d.id, "risk_level": "high"}
                                                      for d in departments])
        self.env.invalidate_all()
        # 16 audits: their reference numbers in one query; the gate's lock; the company's language of the note
        with self.assertQueryCount(52):
            third.action_generate_audits()
            self.env.flush_all()
        self.assertEqual(len(third.audit_ids), 16)
