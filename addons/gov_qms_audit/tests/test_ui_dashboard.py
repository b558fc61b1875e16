from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.addons.gov_qms_docs.tests.tour_common import QmsTourCase
from odoo.tests import tagged

from .dashboard_common import close_nc


@tagged("post_install", "-at_install", "qms_ui")
class TestDashboardUi(QmsTourCase):
    """The QMS manager reads their workbench and the KPI dashboard, a department head their workbench (Chromium),
    in English and in Chinese.

    On the demo municipality (`./qms test` installs it): the demo QMS manager and the head of the Administrative
    Service Centre, whose home is My Workbench, with six months of closures added for the trend. With
    QMS_SCREENSHOTS set, the final screens are saved as <folder>/<lang>/workbench.png, dashboard.png and
    workbench_head.png.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.env["res.users"].search([("login", "=", "qms.manager")])
        home = cls.env.ref("gov_qms_docs.qms_workbench_action").id
        cls.manager.action_id = home
        cls.env["res.users"].search([("login", "=", "qms.head.asc")]).action_id = home
        # six months of closures for the trend and the table: some on time, some late
        ref = cls.env.ref
        doer = ref("gov_qms_docs.user_staff_lic")
        month = fields.Date.context_today(cls.manager).replace(day=1)
        for back, department, late in [(5, "dept_lic", False), (5, "dept_hot", True), (4, "dept_lic", False),
                                       (4, "dept_ows", False), (3, "dept_hot", True), (3, "dept_bud", False),
                                       (2, "dept_lic", False), (2, "dept_ins", True), (1, "dept_ows", False),
                                       (1, "dept_lic", False), (1, "dept_hot", False)]:
            start = month - relativedelta(months=back)
            detected = start - relativedelta(months=2) if late else start
            close_nc(cls.env, ref(f"gov_qms_docs.{department}"), detected, start + relativedelta(days=9),
                     cls.manager, doer)

    def test_workbench_en(self):
        self.qms_tour("/odoo", "gov_qms_workbench_tour", login="qms.manager", screenshot="workbench", lang="en_US")

    def test_workbench_zh(self):
        self.qms_tour("/odoo", "gov_qms_workbench_tour", login="qms.manager", screenshot="workbench", lang="zh_CN")

    def test_dashboard_en(self):
        self.qms_tour("/odoo", "gov_qms_dashboard_tour", login="qms.manager", screenshot="dashboard", lang="en_US")

    def test_dashboard_zh(self):
        self.qms_tour("/odoo", "gov_qms_dashboard_tour", login="qms.manager", screenshot="dashboard", lang="zh_CN")

    def test_head_workbench_en(self):
        self.qms_tour("/odoo", "gov_qms_head_workbench_tour", login="qms.head.asc", screenshot="workbench_head",
                      lang="en_US")

    def test_head_workbench_zh(self):
        self.qms_tour("/odoo", "gov_qms_head_workbench_tour", login="qms.head.asc", screenshot="workbench_head",
                      lang="zh_CN")
