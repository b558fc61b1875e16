"""Issue 13's features attacked as an API client (the ORM as each role, then XML-RPC and HTTP): the findings'
workflow, the KPI dashboard and its exports, the Quality settings screen. Each test states the safe behaviour."""
from xmlrpc.client import Fault

from odoo.addons.gov_qms_docs.tests.common import MANAGER
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import QmsAuditCase
from .test_dashboard import PERIOD, DashboardCase


def export_attachment(env, dashboard):
    """The attachment an XLSX export wrote, from the URL the button returns."""
    url = dashboard.action_export_xlsx()["url"]
    return env["ir.attachment"].browse(int(url.split("/")[3].split("?")[0]))


@tagged("post_install", "-at_install")
class TestProbeDashboard(DashboardCase):
    """The figures are computed for their reader; an export holds the figures of whoever made it."""

    def test_an_export_stays_with_whoever_made_it(self):
        leader = new_test_user(self.env, login="probe_leader", name="Deputy Mayor", company_id=self.company.id,
                               company_ids=[(6, 0, self.company.ids)],
                               groups="base.group_user,gov_qms_docs.group_qms_top_management")
        for maker in (self.manager, leader):  # the QMS office's figures, the mayor's figures of every department
            dashboard = self.Dashboard.with_user(maker).create({"date_from": PERIOD[0], "date_to": PERIOD[1]})
            attachment = export_attachment(self.env, dashboard)
            self.assertTrue(attachment.with_user(maker).raw, "the maker downloads it")
            for reader in {self.head, self.auditor, self.finance_head, self.manager, leader} - {maker}:
                with self.subTest(maker=maker.login, reader=reader.login):
                    with self.assertRaises(AccessError):
                        attachment.with_user(reader).read(["raw"])
                    self.assertFalse(self.env["ir.attachment"].with_user(reader).search(
                        [("res_model", "=", "qms.dashboard"), ("res_id", "=", dashboard.id)]))
                    with self.assertRaises(AccessError):
                        dashboard.with_user(reader).write({"date_from": "2026-11-01"})

    def test_dates_out_of_range_are_refused_clearly(self):
        for period in (("0001-01-01", "0001-01-31"), ("9999-11-01", "9999-12-31"), ("0001-01-01", "2026-11-30")):
            with self.subTest(period=period), self.assertRaises(UserError):
                self.Dashboard.with_user(self.manager).get_kpi_data(*period)
        dashboard = self.Dashboard.with_user(self.manager).create({"date_from": "9999-11-01", "date_to": "9999-12-31"})
        with self.assertRaises(UserError):
            dashboard.action_export_xlsx()


@tagged("post_install", "-at_install")
class TestProbeSettings(QmsAuditCase):
    """The Quality settings screen writes its company's QMS settings as the system: only a company of the QMS
    manager's, only sound values."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Riverside District"})
        cls.manager_b = new_test_user(cls.env, login="probe_manager_b", name="Riverside QMS Office",
                                      company_id=cls.other.id, company_ids=[(6, 0, cls.other.ids)], groups=MANAGER)
        cls.Settings = cls.env["qms.config.settings"].with_user(cls.qms_manager)

    def test_the_settings_of_another_company_are_out_of_reach(self):
        reminder, receiver = self.company.qms_reminder_days, self.company.qms_complaint_receiver_id
        mine = self.Settings.create({})
        for vals in ({"qms_reminder_days": 9}, {"qms_complaint_receiver_id": self.manager_b.id}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                mine.with_user(self.manager_b).write(vals)
        with self.assertRaises(AccessError, msg="nor read"):
            mine.with_user(self.manager_b).read(["qms_reminder_days"])
        self.assertEqual((self.company.qms_reminder_days, self.company.qms_complaint_receiver_id),
                         (reminder, receiver))

    def test_the_complaint_centre_user_is_an_internal_user_of_the_company(self):
        portal = new_test_user(self.env, login="probe_portal", groups="base.group_portal")
        stranger = new_test_user(self.env, login="probe_stranger", groups="base.group_user",
                                 company_id=self.other.id, company_ids=[(6, 0, self.other.ids)])
        archived = new_test_user(self.env, login="probe_archived", groups="base.group_user")
        archived.active = False
        for receiver in (portal.id, stranger.id, archived.id, "clerk"):
            with self.subTest(receiver=receiver), self.assertRaises(ValidationError):
                self.Settings.create({"qms_complaint_receiver_id": receiver})
        self.assertFalse(self.company.qms_complaint_receiver_id)
        self.Settings.create({"qms_complaint_receiver_id": self.clerk.id})
        self.assertEqual(self.company.qms_complaint_receiver_id, self.clerk)

    def test_numbers_are_checked_before_they_are_written(self):
        for vals in ({"qms_reminder_days": 10 ** 7}, {"qms_audit_notice_days": -3},
                     {"qms_effectiveness_days_major": -1}, {"qms_evidence_pack_async_files": -1},
                     {"qms_points_leader": -5}, {"qms_complaint_rate_limit": "many"}):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.Settings.create(vals)
        self.Settings.create({"qms_reminder_days": 10, "qms_review_notice_days": 60, "qms_points_leader": 0.5})
        self.assertEqual((self.company.qms_reminder_days, self.company.qms_review_notice_days), (10, 60))


@tagged("post_install", "-at_install")
class TestProbeFindings(QmsAuditCase):
    """What the audit team stated and raised stays: no deleting it to raise it again."""

    def audit_with_findings(self):
        audit = self.make_audit()
        audit.with_user(self.auditor).action_generate_checklist()
        audit.with_user(self.qms_manager).action_start()
        lines = audit.line_ids.sorted("sequence")
        lines.with_user(self.auditor).write({"result": "conforming", "evidence": "Seen at counters 1-4"})
        lines[0].with_user(self.auditor).write({"result": "minor", "evidence": "Counter 2 uses the 2024 fee table"})
        lines[1].with_user(self.auditor).write({"result": "ofi", "evidence": "Forms are filed by hand"})
        self.confirm_findings(audit)
        return audit

    def test_a_raised_nonconformity_or_action_is_not_deleted(self):
        audit = self.audit_with_findings()
        nc, action = audit.nonconformity_ids, audit.finding_ids.action_id
        self.assertEqual((len(nc), nc.state, len(action)), (1, "new", 1))
        with self.assertRaises(UserError):
            nc.with_user(self.qms_manager).unlink()
        with self.assertRaises(UserError):
            action.with_user(self.qms_manager).unlink()
        audit.with_user(self.auditor).action_raise_findings()
        self.assertEqual(self.NC.search_count([("origin_model", "=", "qms.audit.finding")]), 1, "never twice")
        self.assertEqual(len(self.Action.search([("action_type", "=", "improvement"),
                                                 ("department_id", "=", self.section.id)])), 1)

    def test_a_confirmed_finding_is_not_deleted(self):
        audit = self.audit_with_findings()
        observation = self.env["qms.audit.finding"].with_user(self.auditor).create({
            "audit_id": audit.id, "department_id": self.section.id, "classification": "observation",
            "criterion": "QP-LIC-003", "evidence": "Queue numbers are handed out by hand",
            "statement": "Queue numbers are not recorded."})
        observation.action_confirm_statement()
        self.assertEqual((observation.state, observation.nonconformity_id.id), ("confirmed", False))
        with self.assertRaises(UserError):
            observation.with_user(self.qms_manager).unlink()
        # a draft is still the auditors' to rewrite or drop (the QMS office deletes it)
        draft = self.env["qms.audit.finding"].with_user(self.auditor).create({
            "audit_id": audit.id, "department_id": self.section.id, "classification": "observation",
            "criterion": "QP-LIC-003", "evidence": "Seen", "statement": "Not signed."})
        draft.with_user(self.qms_manager).unlink()
        self.assertFalse(draft.exists())


@tagged("post_install", "-at_install", "qms_ui")
class TestProbeRpc(HttpCase):
    """The same holes tried over XML-RPC and HTTP, as the users themselves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, login="probe_rpc_manager", groups=MANAGER, name="RPC Office")
        cls.head = new_test_user(cls.env, login="probe_rpc_head", name="RPC Head",
                                 groups="base.group_user,gov_qms_docs.group_qms_department_head")
        cls.other = cls.env["res.company"].create({"name": "RPC District"})
        cls.manager_b = new_test_user(cls.env, login="probe_rpc_manager_b", groups=MANAGER, name="RPC District Office",
                                      company_id=cls.other.id, company_ids=[(6, 0, cls.other.ids)])

    def call(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs)

    def assertFault(self, code, user, model, method, *args, **kwargs):
        """2: UserError/ValidationError, 4: AccessError (a message); 1 would be a server error's traceback."""
        with self.assertRaises(Fault) as caught:
            self.call(user, model, method, *args, **kwargs)
        self.assertEqual(caught.exception.faultCode, code, caught.exception.faultString)

    def test_exports_settings_and_dates_over_rpc(self):
        dashboard_id = self.call(self.manager, "qms.dashboard", "create",
                                 {"date_from": "2026-06-01", "date_to": "2026-11-30"})
        url = self.call(self.manager, "qms.dashboard", "action_export_xlsx", [dashboard_id])["url"]
        attachment_id = int(url.split("/")[3].split("?")[0])
        self.assertFault(4, self.head, "ir.attachment", "read", [attachment_id], ["datas"])
        self.authenticate(self.head.login, self.head.login)
        self.assertNotEqual(self.url_open(url).status_code, 200, "the head does not download the office's export")
        self.authenticate(self.manager.login, self.manager.login)
        self.assertEqual(self.url_open(url).status_code, 200)
        self.assertFault(2, self.head, "qms.dashboard", "get_kpi_data", "0001-01-01", "0001-01-31")
        settings_id = self.call(self.manager, "qms.config.settings", "create", {})
        self.assertFault(4, self.manager_b, "qms.config.settings", "write", [settings_id], {"qms_reminder_days": 9})
        self.assertFault(2, self.manager, "qms.config.settings", "write", [settings_id],
                         {"qms_complaint_receiver_id": self.manager_b.id})
        self.assertFault(2, self.manager, "qms.config.settings", "write", [settings_id], {"qms_reminder_days": "x"})
