"""My Workbench and the KPI dashboard on known data, in a company of their own (the demo municipality, installed
in the same database, stays out of every figure). Today is Monday 30 November 2026 (frozen).

The organisation: the City Office above the Bureau (which has the Section below it) and Finance; a "Research Lab"
without a QMS code, out of the QMS scope. The bureau head heads the bureau and the section.

Nonconformities (deadline set at creation; the company has no time limit rules):
  A section, found 2 Nov, due 20 Nov, closed 6 Nov       on time   (November)
  B section, found 1 Sep, due 1 Oct, closed 20 Nov       late      (November)
  C section, found 1 Oct, due 30 Oct, closed 9 Oct       on time   (October)
  D finance, found 3 Nov, due 30 Nov, closed 5 Nov       on time   (November)
  L lab,     found 4 Nov, due 30 Nov, closed 10 Nov      on time   (November, out of the QMS scope)
  open: E section found 25 Nov (5 days old), I section 23 Nov (7), J section 22 Nov (8), H section 10 Nov (20,
        triaged, due 2 Dec: due soon), R section 16 Nov (14, full CAPA: a recurrence, its action owned by the
        clerk due 20 Nov: overdue, then supervised), F bureau 20 Oct (41), G finance 1 Aug (121, triaged, due
        15 Sep: overdue, then supervised).
Audits: the section's (23-24 Nov) reported, the bureau's (26-27 Nov) under way with a question not answered.
"""
import io
from datetime import date

import openpyxl
from freezegun import freeze_time
from PyPDF2 import PdfReader

from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.addons.gov_qms_docs.tests.common import AUDITOR, HEAD, MANAGER, TODAY, VIEWER
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

PERIOD = ("2026-10-01", "2026-11-30")


@freeze_time(TODAY, tick=True)
class DashboardCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Dashboard Test City"})
        cls.company.resource_calendar_id.tz = "Asia/Shanghai"
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id],
                                       tracking_disable=True, mail_create_nolog=True, mail_notrack=True))
        company = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}

        def user(login, groups, name):
            return new_test_user(cls.env, login=login, groups=groups, name=name, email=f"{login}@dash.example",
                                 **company)

        cls.manager = user("dash_manager", MANAGER, "Wang Office")
        cls.head = user("dash_head", HEAD, "Zhang Bureau Head")
        cls.finance_head = user("dash_fin_head", HEAD, "Chen Finance Head")
        cls.auditor = user("dash_auditor", AUDITOR, "Hu Auditor")
        cls.clerk = user("dash_clerk", VIEWER, "Xu Clerk")
        Department = cls.env["hr.department"]
        cls.city = Department.create({"name": "City Office", "qms_code": "DCO", "company_id": cls.company.id})
        cls.bureau = Department.create({"name": "Bureau", "qms_code": "DBU", "parent_id": cls.city.id,
                                        "company_id": cls.company.id})
        cls.section = Department.create({"name": "Section", "qms_code": "DSE", "parent_id": cls.bureau.id,
                                         "company_id": cls.company.id})
        cls.finance = Department.create({"name": "Finance", "qms_code": "DFI", "parent_id": cls.city.id,
                                         "company_id": cls.company.id})
        cls.lab = Department.create({"name": "Research Lab", "company_id": cls.company.id})
        employees = {
            usr: cls.env["hr.employee"].create({"name": usr.name, "user_id": usr.id, "department_id": dep.id,
                                                "company_id": cls.company.id})
            for usr, dep in [(cls.manager, cls.city), (cls.head, cls.bureau), (cls.finance_head, cls.finance),
                             (cls.auditor, cls.finance), (cls.clerk, cls.section)]}
        cls.city.manager_id = employees[cls.manager]
        cls.bureau.manager_id = employees[cls.head]
        cls.finance.manager_id = employees[cls.finance_head]
        cls.company.write({"qms_reminder_days": 3, "qms_supervise_after_days": 5})
        cls.NC = cls.env["qms.nonconformity"].with_user(cls.manager)
        cls.Attachment = cls.env["ir.attachment"].with_user(cls.manager)

        cls.nc_a = cls.closed(cls.section, "2026-11-02", "2026-11-20", "2026-11-06")
        cls.nc_b = cls.closed(cls.section, "2026-09-01", "2026-10-01", "2026-11-20")
        cls.nc_c = cls.closed(cls.section, "2026-10-01", "2026-10-30", "2026-10-09")
        cls.nc_d = cls.closed(cls.finance, "2026-11-03", "2026-11-30", "2026-11-05")
        cls.nc_l = cls.closed(cls.lab, "2026-11-04", "2026-11-30", "2026-11-10")
        cls.nc_e = cls.make(cls.section, "2026-11-25")
        cls.nc_i = cls.make(cls.section, "2026-11-23")
        cls.nc_j = cls.make(cls.section, "2026-11-22")
        cls.nc_h = cls.make(cls.section, "2026-11-10", "2026-12-02")
        cls.nc_h.action_triage_correction()
        cls.nc_f = cls.make(cls.bureau, "2026-10-20")
        cls.nc_g = cls.make(cls.finance, "2026-08-01", "2026-09-15")
        cls.nc_g.action_triage_correction()
        cls.nc_r = cls.make(cls.section, "2026-11-16", "2026-12-31")
        cls.nc_r.action_triage_capa()
        cls.nc_r.action_start_analysis()
        cls.nc_r.write({"root_cause": "The checklist does not ask for the record."})
        cls.action = cls.env["qms.action"].with_user(cls.manager).create({
            "nonconformity_id": cls.nc_r.id, "name": "Add the record to the checklist", "owner_id": cls.clerk.id,
            "date_deadline": "2026-11-20"})
        cls.nc_r.action_plan_actions()
        (cls.nc_g | cls.nc_r)._qms_escalate(date(2026, 11, 30), {})
        cls.action._qms_escalate(date(2026, 11, 30), {})

        whole_standard = cls.env["qms.iso.clause"].search([("parent_id", "=", False)])
        lead = cls.env["qms.auditor"].create({"user_id": cls.auditor.id, "is_lead": True, "company_id": cls.company.id,
                                              "date_qualified": "2025-01-10",
                                              "clause_ids": [(6, 0, whole_standard.ids)]})
        Audit = cls.env["qms.audit"].with_user(cls.manager)
        cls.audit_done = Audit.create({"department_ids": [(6, 0, cls.section.ids)], "lead_auditor_id": lead.id,
                                       "date_start": "2026-11-23", "date_end": "2026-11-24",
                                       "company_id": cls.company.id})
        cls.audit_running = Audit.create({
            "department_ids": [(6, 0, cls.bureau.ids)], "lead_auditor_id": lead.id, "date_start": "2026-11-26",
            "date_end": "2026-11-27", "company_id": cls.company.id,
            "line_ids": [(0, 0, {"department_id": cls.bureau.id, "question": "Is the fee table in force?"})]})
        cls.audit_done.with_context(qms_transition=TRANSITION).write({"state": "reported"})
        cls.audit_running.with_context(qms_transition=TRANSITION).write({"state": "in_progress"})
        cls.Dashboard = cls.env["qms.dashboard"]

    @classmethod
    def make(cls, department, detected, deadline=None):
        vals = {"title": f"Found on {detected}", "department_id": department.id, "source": "internal_audit",
                "severity": "minor", "date_detected": detected, "company_id": cls.company.id}
        if deadline:
            vals["date_deadline"] = deadline
        return cls.NC.create(vals)

    @classmethod
    def closed(cls, department, detected, deadline, closed_on):
        nc = cls.make(department, detected, deadline)
        nc.action_triage_correction()
        proof = cls.Attachment.create({"name": "proof.pdf", "raw": b"%PDF-1.4"})
        nc.write({"containment_description": "Corrected at once", "containment_by_id": cls.clerk.id,
                  "evidence_attachment_ids": [(6, 0, proof.ids)]})
        with freeze_time(closed_on):
            nc.action_close()
        return nc


@tagged("post_install", "-at_install")
class TestKpiData(DashboardCase):
    def data(self, user=None, period=PERIOD):
        return self.Dashboard.with_user(user or self.manager).get_kpi_data(*period)

    @staticmethod
    def by_department(rows, key="department"):
        return {row[key]: row for row in rows}

    def test_fixture(self):
        self.assertEqual([nc.closed_on_time for nc in (self.nc_a, self.nc_b, self.nc_c, self.nc_d)],
                         [True, False, True, True])
        self.assertTrue(self.nc_r.is_recurrence)
        self.assertTrue(self.nc_g.is_supervised and self.action.is_supervised)
        self.assertFalse(self.nc_r.is_supervised)

    def test_on_time_by_department_and_month(self):
        data = self.data()
        self.assertEqual([month["month"] for month in data["months"]], ["2026-10", "2026-11"])
        self.assertEqual([month["label"] for month in data["months"]], ["October 2026", "November 2026"])
        cells = {(cell["department"], cell["month"]): (cell["closed"], cell["on_time"], cell["rate"])
                 for cell in data["on_time"]["by_department_month"]}
        self.assertEqual(cells, {
            ("Section", "2026-10"): (1, 1, 100.0),
            ("Section", "2026-11"): (2, 1, 50.0),
            ("Finance", "2026-11"): (1, 1, 100.0),
            ("Research Lab", "2026-11"): (1, 1, 100.0),
        })
        rows = {name: (row["closed"], row["on_time"], row["rate"])
                for name, row in self.by_department(data["on_time"]["by_department"]).items()}
        self.assertEqual(rows, {"City Office": (0, 0, None), "Bureau": (0, 0, None), "Section": (3, 2, 66.7),
                                "Finance": (1, 1, 100.0), "Research Lab": (1, 1, 100.0)})
        self.assertEqual([(month["closed"], month["on_time"], month["rate"]) for month in data["on_time"]["by_month"]],
                         [(1, 1, 100.0), (4, 3, 75.0)])
        self.assertEqual(data["on_time"]["total"], {"closed": 5, "on_time": 4, "rate": 80.0})
        # the lab has figures, so it is listed, but it is not in the QMS scope
        scope = {row["name"]: row["in_scope"] for row in data["departments"]}
        self.assertEqual(scope, {"City Office": True, "Bureau": True, "Section": True, "Finance": True,
                                 "Research Lab": False})

    def test_a_month_with_nothing_closed_has_no_rate(self):
        data = self.data(period=("2026-07-01", "2026-07-31"))
        self.assertEqual(data["on_time"]["total"], {"closed": 0, "on_time": 0, "rate": None})
        self.assertEqual(self.Dashboard._qms_rate_label(None), "—")

    def test_raised_and_recurrences(self):
        data = self.data()
        raised = {name: row["count"] for name, row in self.by_department(data["raised"]["by_department"]).items()}
        # found in October or November: A C E I J H R (section), F (bureau), D (finance), L (lab)
        self.assertEqual(raised, {"City Office": 0, "Bureau": 1, "Section": 7, "Finance": 1, "Research Lab": 1})
        self.assertEqual(data["raised"]["total"], 10)
        self.assertEqual(data["recurrences"]["count"], 1)
        self.assertEqual([month["count"] for month in data["recurrences"]["by_month"]], [0, 1])
        self.assertEqual(self.by_department(data["recurrences"]["by_department"])["Section"]["count"], 1)

    def test_ageing_in_order(self):
        ageing = self.data()["ageing"]
        self.assertEqual(ageing["as_of"], "2026-11-30")
        self.assertEqual([bucket["key"] for bucket in ageing["buckets"]], ["0_7", "8_30", "31_90", "90_plus"])
        self.assertEqual([bucket["label"] for bucket in ageing["buckets"]],
                         ["0-7 days", "8-30 days", "31-90 days", "Over 90 days"])
        # E (5 days) and I (7) | J (8), R (14), H (20) | F (41) | G (121)
        self.assertEqual([bucket["count"] for bucket in ageing["buckets"]], [2, 3, 1, 1])
        rows = self.by_department(ageing["by_department"])
        self.assertEqual((rows["Section"]["0_7"], rows["Section"]["8_30"], rows["Section"]["total"]), (2, 3, 5))
        self.assertEqual((rows["Bureau"]["31_90"], rows["Finance"]["90_plus"]), (1, 1))
        self.assertEqual(ageing["total"], 7)
        # a period that ended earlier: aged on its last day, the nonconformities found after it left out
        earlier = self.data(period=("2026-11-01", "2026-11-20"))["ageing"]
        self.assertEqual(earlier["as_of"], "2026-11-20")
        # H (10 days) and R (4) found by 20 November; F (31) and G (111)
        self.assertEqual([bucket["count"] for bucket in earlier["buckets"]], [1, 1, 1, 1])

    def test_overdue_and_supervised(self):
        data = self.data()
        self.assertEqual(data["overdue"]["total"], 2, "G and the action of R")
        self.assertEqual(data["supervised"]["open"], 2)
        self.assertEqual(data["supervised"]["new_in_period"], 2)
        rows = self.by_department(data["supervised"]["by_department"])
        self.assertEqual((rows["Section"]["open"], rows["Finance"]["open"], rows["Bureau"]["open"]), (1, 1, 0))

    def test_audit_coverage(self):
        coverage = self.data()["audit_coverage"]
        self.assertEqual((coverage["audits_planned"], coverage["audits_done"], coverage["rate"]), (2, 1, 50.0))
        self.assertEqual((coverage["departments_audited"], coverage["departments_in_scope"]), (1, 4))
        self.assertEqual(coverage["department_rate"], 25.0)
        self.assertEqual(coverage["departments_not_audited"], ["Bureau", "City Office", "Finance"])

    def test_ranking(self):
        ranking = [(row["rank"], row["department"], row["rate"], row["overdue"]) for row in self.data()["ranking"]]
        # the QMS departments only: best rate first, then fewest overdue items; nothing closed last
        self.assertEqual(ranking, [(1, "Finance", 100.0, 1), (2, "Section", 66.7, 1), (3, "Bureau", None, 0),
                                   (4, "City Office", None, 0)])

    def test_a_head_sees_their_departments_only(self):
        data = self.data(self.head)
        self.assertEqual({row["name"] for row in data["departments"]}, {"Bureau", "Section"})
        self.assertEqual(data["on_time"]["total"], {"closed": 3, "on_time": 2, "rate": 66.7})
        self.assertEqual(data["ageing"]["total"], 6)
        self.assertEqual(data["audit_coverage"]["departments_in_scope"], 2)

    def test_top_management_reads_every_figure_of_their_company_and_no_record(self):
        leader = new_test_user(self.env, login="dash_leader", name="Deputy Mayor", company_id=self.company.id,
                               company_ids=[(6, 0, self.company.ids)],
                               groups="base.group_user,gov_qms_docs.group_qms_top_management")
        other = self.env["res.company"].create({"name": "Another Town"})
        elsewhere = self.env["hr.department"].create({"name": "Elsewhere", "qms_code": "DEW", "company_id": other.id})
        self.env["qms.nonconformity"].sudo().create({
            "title": "Not ours", "department_id": elsewhere.id, "source": "internal_audit", "severity": "minor",
            "date_detected": "2026-11-02", "company_id": other.id})
        mine, everything = self.data(leader), self.data(self.manager)
        for key in ("on_time", "ageing", "overdue", "raised", "recurrences"):
            self.assertEqual(mine[key], everything[key], key)
        self.assertEqual(mine["audit_coverage"]["departments_in_scope"],
                         everything["audit_coverage"]["departments_in_scope"])
        self.assertNotIn("Elsewhere", {row["name"] for row in mine["departments"]})
        with self.assertRaises(AccessError):
            self.nc_a.with_user(leader).read(["title"])
        self.assertTrue(self.Dashboard.with_user(leader).create({"date_from": PERIOD[0], "date_to": PERIOD[1]}))

    def test_printed_on_the_companys_clock(self):
        """The export's stamp is the company's local time (Asia/Shanghai here), from Python's frozen clock."""
        dashboard = self.Dashboard.with_user(self.manager).with_context(tz="America/New_York").create(
            {"date_from": PERIOD[0], "date_to": PERIOD[1]})
        with freeze_time("2026-11-30 20:30:00"):
            self.assertIn("2026-12-01 04:30", dashboard._qms_printed_by())

    def test_bad_periods_are_refused_clearly(self):
        for period in (("2026-12-01", "2026-11-01"), ("yesterday", "2026-11-01"), (None, "2026-11-01"),
                       ("2020-01-01", "2026-11-30")):
            with self.subTest(period=period), self.assertRaises(UserError):
                self.Dashboard.with_user(self.manager).get_kpi_data(*period)

    def queries(self, function):
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        function()
        return self.env.cr.sql_log_count - start

    def test_grouped_queries_whatever_the_number_of_records(self):
        Dashboard = self.Dashboard.with_user(self.manager)
        Dashboard.get_kpi_data(*PERIOD)  # warm the caches
        before = self.queries(lambda: Dashboard.get_kpi_data(*PERIOD))
        for index in range(20):
            closed = self.closed(self.finance if index % 2 else self.section, "2026-11-02", "2026-11-20", "2026-11-06")
            self.make(self.bureau, f"2026-10-{index + 1:02d}").action_triage_correction()
            self.assertTrue(closed.date_closed)
        after = self.queries(lambda: Dashboard.get_kpi_data(*PERIOD))
        self.assertEqual(after, before, "grouped queries: as many with 40 more nonconformities")
        self.assertLessEqual(before, 40)


@tagged("post_install", "-at_install")
class TestDashboardExports(DashboardCase):
    def dashboard(self):
        return self.Dashboard.with_user(self.manager).create({"date_from": PERIOD[0], "date_to": PERIOD[1]})

    def test_screen_shows_the_tables(self):
        dashboard = self.dashboard()
        self.assertEqual(dashboard.on_time_label, "80.0 %")
        self.assertEqual((dashboard.closed_count, dashboard.open_overdue_count, dashboard.supervised_count,
                          dashboard.recurrence_count, dashboard.audit_coverage_label), (5, 2, 2, 1, "1 / 4"))
        body = str(dashboard.body_html)
        for expected in ("qms-kpi-on-time", "qms-kpi-ageing", "qms-kpi-supervised", "qms-kpi-coverage",
                         "October 2026", "66.7 %", "Over 90 days"):
            self.assertIn(expected, body)
        self.assertLess(body.index("0-7 days"), body.index("8-30 days"))
        self.assertLess(body.index("8-30 days"), body.index("31-90 days"))

    def test_xlsx(self):
        dashboard = self.dashboard()
        action = dashboard.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        self.assertEqual(book.sheetnames, ["Summary", "On Time", "Ageing", "Supervised", "Recurrences",
                                           "Audit Coverage", "Ranking"])
        summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=5, values_only=True)}
        self.assertEqual(summary["Nonconformities closed"], 5)
        self.assertEqual(summary["Closed on time (%)"], 80.0)
        self.assertEqual(summary["Supervised items open"], 2)
        on_time = list(book["On Time"].iter_rows(min_row=4, values_only=True))
        self.assertEqual(on_time[0][:3], ("Department", "October 2026", "November 2026"))
        rows = {row[0]: row[1:] for row in on_time[1:]}
        self.assertEqual(rows["Section"], (100.0, 50.0, 66.7, 3, 2))
        self.assertEqual(rows["Bureau"], (None, None, None, 0, 0), "nothing closed: empty cells, not 0 %")
        self.assertEqual(rows["All departments"], (100.0, 75.0, 80.0, 5, 4))
        ageing = list(book["Ageing"].iter_rows(min_row=4, values_only=True))
        self.assertEqual(ageing[0], ("Department", "0-7 days", "8-30 days", "31-90 days", "Over 90 days", "Total"))
        self.assertEqual(ageing[-1], ("All departments", 2, 3, 1, 1, 7))
        ranking = list(book["Ranking"].iter_rows(min_row=5, values_only=True))
        self.assertEqual(ranking[0][:2], (1, "Finance"))

    def test_pdf(self):
        dashboard = self.dashboard()
        self.assertEqual(dashboard.action_export_pdf()["report_name"], "gov_qms_audit.report_qms_kpi_dashboard")
        pdf, kind = self.env["ir.actions.report"].with_user(self.manager).with_context(
            force_report_rendering=True)._render_qweb_pdf("gov_qms_audit.report_qms_kpi_dashboard", dashboard.ids)
        self.assertEqual(kind, "pdf")
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
        for expected in ("QMS Key Figures", "2026-10-01", "2026-11-30", "October 2026", "November 2026", "Section",
                         "66.7 %", "80.0 %", "Over 90 days", "Audit coverage", "1 / 4"):
            self.assertIn(expected, text)

    def test_chinese_month_labels(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        data = self.Dashboard.with_user(self.manager).with_context(lang="zh_CN").get_kpi_data(*PERIOD)
        self.assertEqual([month["label"] for month in data["months"]], ["2026年10月", "2026年11月"])

    def test_the_menu_opens_a_saved_dashboard_of_six_months(self):
        action = self.Dashboard.with_user(self.manager).action_open_dashboard()
        dashboard = self.Dashboard.browse(action["res_id"])
        self.assertEqual((dashboard.date_from, dashboard.date_to), (date(2026, 6, 1), date(2026, 11, 30)))

    def test_staff_have_no_dashboard(self):
        with self.assertRaises(AccessError):
            self.Dashboard.with_user(self.clerk).create({"date_from": PERIOD[0], "date_to": PERIOD[1]})
