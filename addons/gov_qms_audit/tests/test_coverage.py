from unittest.mock import patch

from odoo.tests import tagged

from .common import QmsAuditCase


@tagged("post_install", "-at_install")
class TestCoverage(QmsAuditCase):
    """The 2030 programme: what the audits of the year cover, department by clause, and the gaps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead.date_expiry = False
        cls.member.is_lead = True
        cls.programme = cls.env["qms.audit.programme"].with_user(cls.qms_manager).create({
            "year": 2030, "line_ids": [(0, 0, {"department_id": cls.section.id}),
                                       (0, 0, {"department_id": cls.finance.id})]})

    def clause(self, code):
        return self.env["qms.iso.clause"].search([("code", "=", code)])

    def reported_audit(self, **values):
        audit = self.make_audit(**values)
        audit.with_user(self.qms_manager).action_start()
        audit.with_user(self.auditor).write({"conclusions": "<p>Conforms.</p>"})
        audit.with_user(self.auditor).action_report()
        return audit

    def plan_the_year(self):
        """Section on 7.5.3 (planned), bureau and its sections on 9.2 (reported), finance on all of 8 (planned);
        a cancelled audit of the City office and an audit of 2029 do not count."""
        self.make_audit(date_start="2030-03-04", date_end="2030-03-04")
        self.reported_audit(department_ids=[(6, 0, self.bureau.ids)], clause_ids=[(6, 0, self.clause("9.2").ids)],
                            date_start="2030-02-04", date_end="2030-02-05")
        finance = self.make_audit(department_ids=[(6, 0, self.finance.ids)], lead_auditor_id=self.member.id,
                                  team_ids=[(5, 0, 0)], clause_ids=[(6, 0, self.clause("8").ids)],
                                  date_start="2030-06-03", date_end="2030-06-04")
        self.make_audit(department_ids=[(6, 0, self.city.ids)], team_ids=[(5, 0, 0)],
                        clause_ids=[(6, 0, self.clause("5").ids)], date_start="2030-04-01",
                        date_end="2030-04-01")._action_cancel("Postponed")
        self.make_audit(department_ids=[(6, 0, self.city.ids)], team_ids=[(5, 0, 0)],
                        clause_ids=[(6, 0, self.clause("4").ids)], date_start="2029-09-03", date_end="2029-09-03")
        return finance

    def test_cells_show_planned_and_done_coverage(self):
        self.plan_the_year()
        coverage = self.programme._qms_coverage()
        cells = coverage["cells"]
        self.assertEqual(cells.get((self.section.id, self.clause("7.5").id)), "planned", "7.5.3 lies under 7.5")
        self.assertEqual(cells.get((self.section.id, self.clause("9.2").id)), "done", "audited with its bureau")
        self.assertEqual(cells.get((self.bureau.id, self.clause("9.2").id)), "done")
        self.assertNotIn((self.bureau.id, self.clause("7.5").id), cells, "the section's audit leaves its bureau out")
        for code in ("8.1", "8.5", "8.7"):
            self.assertEqual(cells.get((self.finance.id, self.clause(code).id)), "planned", code)
        self.assertNotIn((self.finance.id, self.clause("9.2").id), cells)

    def test_gaps_are_the_departments_and_clauses_no_audit_covers(self):
        finance = self.plan_the_year()
        programme = self.programme
        self.assertIn(self.city, programme.gap_department_ids, "its only audit of the year was cancelled")
        self.assertNotIn(self.section, programme.gap_department_ids)
        self.assertNotIn(self.bureau, programme.gap_department_ids)
        self.assertNotIn(self.finance, programme.gap_department_ids)
        gaps = set(programme.gap_clause_ids.mapped("code"))
        self.assertTrue({"4.1", "5.1", "6.1", "10.2"} <= gaps, "not in the scope of any audit of 2030")
        self.assertFalse({"7.5", "9.2", "8.1", "8.5"} & gaps)
        html = str(programme.coverage_html)
        self.assertIn("Departments not audited this cycle", html)
        self.assertIn("City QMS Office", html)
        self.assertIn("4.1 Understanding the organization and its context", html)

        finance.with_user(self.qms_manager)._action_cancel("Merged into the 2031 programme")
        programme.invalidate_recordset()
        self.assertIn(self.finance, programme.gap_department_ids)
        self.assertIn("8.1", programme.gap_clause_ids.mapped("code"))

    def test_excluded_clauses_are_no_gap(self):
        clause = self.clause("8.3").with_company(self.company)
        clause.write({"applicable": False, "exclusion_justification": "The government designs no services."})
        self.assertNotIn(clause, self.programme.gap_clause_ids)
        self.assertNotIn(clause, self.programme._qms_coverage()["columns"])

    def test_coverage_matrix_query_count(self):
        def queries():
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            self.assertTrue(self.programme.coverage_html)
            return self.cr.sql_log_count - before

        queries()  # warm the caches (templates, rules)
        self.make_audit(date_start="2030-03-04", date_end="2030-03-04")
        few = queries()
        self.plan_the_year()
        for month in range(1, 10):
            self.make_audit(department_ids=[(6, 0, self.bureau.ids)], date_start=f"2030-{month:02d}-15",
                            date_end=f"2030-{month:02d}-15", clause_ids=[(6, 0, self.clause(f"{4 + month % 7}").ids)])
        self.assertEqual(queries(), few, "no query per audit, department or clause")
        self.env.invalidate_all()
        with self.assertQueryCount(1):  # the stored matrix, in the reader's language
            self.assertIn("<table", self.programme.coverage_html)
        self.env.invalidate_all()
        with self.assertQueryCount(4):  # the figures and the gaps, as the dashboard reads them
            self.programme.read(["coverage_percent", "gap_department_ids", "gap_clause_ids"])

    def done_cells(self, programme=None):
        programme = programme or self.programme
        programme.invalidate_recordset()
        return str(programme.coverage_html).count('class="text-bg-success"')

    def test_matrix_is_stored_and_not_computed_when_read(self):
        self.plan_the_year()
        self.env.flush_all()
        languages = {code for code, _name in self.env["res.lang"].get_installed()}
        self.assertEqual(set(self.programme.coverage_html_i18n), languages, "the matrix in every language")
        Programme = type(self.env["qms.audit.programme"])
        with patch.object(Programme, "_qms_coverage", side_effect=AssertionError("computed when read")):
            for user in (self.qms_manager, self.auditor, self.env.user):
                self.env.invalidate_all()
                programme = self.programme.with_user(user)
                self.assertIn("Departments not audited this cycle", str(programme.coverage_html))
                self.assertTrue(programme.coverage_percent)
                self.assertIn(self.city, programme.gap_department_ids)

    def test_matrix_follows_the_audits_of_the_year(self):
        finance = self.plan_the_year()
        planned = self.done_cells()
        percent = self.programme.coverage_percent
        finance.with_user(self.qms_manager).action_start()
        finance.with_user(self.member.user_id).write({"conclusions": "<p>Conforms.</p>"})
        finance.with_user(self.member.user_id).action_report()
        self.assertEqual(self.done_cells(), planned + 7, "finance's clauses of 8 are done now")
        self.assertEqual(self.programme.coverage_percent, percent, "the same cells, done rather than planned")
        # an audit of another department, on another clause: a new cell
        audit = self.make_audit(department_ids=[(6, 0, self.finance.ids)], lead_auditor_id=self.member.id,
                                team_ids=[(5, 0, 0)], clause_ids=[(6, 0, self.clause("9.3").ids)],
                                date_start="2030-10-07",
                                date_end="2030-10-07")
        self.assertGreater(self.programme.coverage_percent, percent)
        self.assertNotIn("9.3", self.programme.gap_clause_ids.mapped("code"))
        # moved to another year: it leaves this matrix (and counts in that year's)
        audit.with_user(self.qms_manager).write({"date_start": "2031-01-06", "date_end": "2031-01-06"})
        self.assertIn("9.3", self.programme.gap_clause_ids.mapped("code"))
        self.assertEqual(self.programme.coverage_percent, percent)
        # its scope changes: the matrix of its year follows
        next_year = self.env["qms.audit.programme"].with_user(self.qms_manager).create({"year": 2031})
        self.assertEqual(audit.coverage_programme_id, next_year, "an audit planned before its programme counts")
        self.assertNotIn(self.finance, next_year.gap_department_ids)
        audit.with_user(self.qms_manager).write({"department_ids": [(6, 0, self.section.ids)]})
        self.assertIn(self.finance, next_year.gap_department_ids)
        self.assertNotIn(self.section, next_year.gap_department_ids)
        audit.with_user(self.qms_manager)._action_cancel("Merged")
        self.assertIn(self.section, next_year.gap_department_ids)

    def test_matrix_follows_departments_clauses_and_the_universe(self):
        self.plan_the_year()
        programme = self.programme
        self.bureau.name = "Market Supervision Bureau"
        self.assertIn("Market Supervision Bureau", str(programme.coverage_html))
        desk = self.env["hr.department"].create({"name": "Complaints Desk", "parent_id": self.city.id,
                                                 "qms_code": "CPD"})
        self.assertIn(desk, programme.gap_department_ids, "a new QMS department, not audited yet")
        desk.qms_code = False
        self.assertNotIn(desk, programme.gap_department_ids)
        programme.with_user(self.qms_manager).write({"line_ids": [(0, 0, {"department_id": desk.id})]})
        self.assertIn(desk, programme.gap_department_ids, "in the universe: a row of the matrix")
        desk.active = False
        self.assertNotIn("Complaints Desk", str(programme.coverage_html).split("Departments not audited")[0])
        self.clause("9.3").name = "Management review of the city"
        self.assertIn("9.3 Management review of the city", str(programme.coverage_html))

