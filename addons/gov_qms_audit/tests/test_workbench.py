"""My Workbench (我的工作台) per role, on the known data of test_dashboard.DashboardCase (today: 30 November 2026)."""
from odoo.tests import new_test_user, tagged

from .test_dashboard import DashboardCase


@tagged("post_install", "-at_install")
class TestWorkbench(DashboardCase):
    def home(self, user):
        """{tile code: (count, overdue, due soon)} of the user's workbench, and the tiles' bodies."""
        tiles = self.env["qms.workbench.tile"].with_user(user).search([("is_mine", "=", True)])
        self.env.invalidate_all()
        return ({tile.code: (tile.count, tile.overdue_count, tile.soon_count) for tile in tiles},
                {tile.code: str(tile.body_html or "") for tile in tiles})

    def test_staff(self):
        figures, _bodies = self.home(self.clerk)
        self.assertEqual(set(figures), {"capa_my_actions", "capa_my_ncs", "capa_my_complaints", "capa_my_checks",
                                        "doc_read", "doc_review", "doc_approve"})
        self.assertEqual(figures["capa_my_actions"], (1, 1, 0), "the action of R, overdue")
        self.assertEqual(figures["capa_my_ncs"], (0, 0, 0))

    def test_department_head(self):
        figures, bodies = self.home(self.head)
        self.assertEqual(set(figures), {
            "capa_my_actions", "capa_my_ncs", "capa_my_complaints", "capa_my_checks", "doc_read", "doc_review",
            "doc_approve", "audit_provisional", "capa_supervised", "capa_dept_ncs", "capa_dept_actions",
            "capa_extensions", "audit_my_month"})
        # the head handles the nonconformities of the bureau and of the section (which has no head of its own)
        self.assertEqual(figures["capa_my_ncs"], (6, 0, 1), "E I J H R F open; H due on 2 December")
        self.assertEqual(figures["capa_dept_ncs"], (6, 0, 1))
        self.assertEqual(figures["capa_dept_actions"], (1, 1, 0))
        self.assertEqual(figures["capa_supervised"][0], 1, "the action of the section; G is the finance's")
        self.assertEqual(figures["audit_my_month"][0], 2, "the audits of the bureau and of the section")
        # the provisional scorecard of the month: the section closed A on time and B late
        provisional = bodies["audit_provisional"]
        self.assertIn("November 2026", provisional)
        self.assertIn("Section", provisional)
        self.assertIn("50 %", provisional)
        self.assertNotIn("Finance", provisional)

    def test_auditor(self):
        figures, _bodies = self.home(self.auditor)
        self.assertEqual(set(figures), {"capa_my_actions", "capa_my_ncs", "capa_my_complaints", "capa_my_checks",
                                        "doc_read", "doc_review", "doc_approve", "audit_my_month",
                                        "audit_checklists"})
        self.assertEqual(figures["audit_my_month"][0], 2)
        self.assertEqual(figures["audit_checklists"][0], 1, "the bureau's audit has a question not answered")

    def test_qms_manager(self):
        figures, bodies = self.home(self.manager)
        self.assertTrue({"capa_to_triage", "audit_ranking", "audit_trend", "capa_supervised"} <= set(figures))
        self.assertEqual(figures["capa_to_triage"][0], 4, "E I J F are new")
        self.assertEqual(figures["capa_supervised"][0], 2)
        ranking = bodies["audit_ranking"]
        self.assertLess(ranking.index("Finance"), ranking.index("Section"))
        self.assertIn("2 other departments", ranking)
        trend = bodies["audit_trend"]
        # October: C on time; November: A, D, L on time and B late
        self.assertIn("100 %", trend)
        self.assertIn("75 %", trend)
        self.assertEqual(trend.count("<rect"), 6, "six months")

    def test_tiles_open_the_counted_records(self):
        tile = self.env.ref("gov_qms_capa.qms_tile_capa_dept_ncs").with_user(self.head)
        action = tile.action_open()
        self.assertEqual(self.env["qms.nonconformity"].with_user(self.head).search(action["domain"]),
                         self.nc_e | self.nc_i | self.nc_j | self.nc_h | self.nc_r | self.nc_f)
        soon = tile.action_open_soon()
        self.assertEqual(self.env["qms.nonconformity"].with_user(self.head).search(soon["domain"]), self.nc_h)
        overdue = self.env.ref("gov_qms_capa.qms_tile_capa_my_actions").with_user(self.clerk).action_open_overdue()
        self.assertEqual(self.env["qms.action"].with_user(self.clerk).search(overdue["domain"]), self.action)
        dashboard = self.env.ref("gov_qms_audit.qms_tile_audit_ranking").with_user(self.manager).action_open()
        self.assertEqual(dashboard["res_model"], "qms.dashboard")

    def test_homes_cost_the_same_whatever_the_number_of_records(self):
        """Counts are grouped queries, one per tile: forty more nonconformities cost no query more."""
        Tile = self.env["qms.workbench.tile"].with_user(self.manager)

        def read_home():
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            Tile.search([("is_mine", "=", True)]).read(["count", "overdue_count", "soon_count", "body_html"])
            return self.env.cr.sql_log_count - start

        read_home()
        before = read_home()
        for index in range(20):
            self.make(self.section, f"2026-11-{index + 1:02d}", f"2026-11-{index + 10:02d}")
            self.closed(self.finance, "2026-11-02", "2026-11-20", "2026-11-06")
        self.assertEqual(read_home(), before)
        self.assertLessEqual(before, 120)

    def test_new_users_land_on_the_workbench(self):
        home = self.env.ref("gov_qms_docs.qms_workbench_action")
        user = new_test_user(self.env, login="dash_new", groups="base.group_user")
        self.assertEqual(user.action_id.id, home.id)
        portal = new_test_user(self.env, login="dash_portal", groups="base.group_portal")
        self.assertFalse(portal.action_id, "citizens have no back-office home")
        chosen = self.env.ref("base.action_res_users")
        other = new_test_user(self.env, login="dash_other", groups="base.group_user", action_id=chosen.id)
        self.assertEqual(other.action_id.id, chosen.id, "a home chosen for the user is kept")
        portal.write({"group_ids": [(6, 0, self.env.ref("base.group_user").ids)]})
        self.assertEqual(portal.action_id.id, home.id, "a citizen made an employee lands on the workbench")
        user.action_id = False
        user.write({"group_ids": [(4, self.env.ref("gov_qms_docs.group_qms_auditor").id)]})
        self.assertFalse(user.action_id, "a home the administrator cleared stays cleared")
