from freezegun import freeze_time

from odoo.tests import tagged

from .common import QmsCapaCase


@tagged("post_install", "-at_install")
class TestReporting(QmsCapaCase):
    def test_ageing_buckets_and_pivot_groups(self):
        with freeze_time("2026-11-20"):
            fresh = self.make_nc(date_detected="2026-11-16")
            month_old = self.make_nc(date_detected="2026-10-25")
            old = self.make_nc(date_detected="2026-06-01")
            analysis = self.env["qms.nonconformity.analysis"].search([("nonconformity_id", "in",
                                                                       (fresh | month_old | old).ids)])
            buckets = {row.nonconformity_id: row.ageing_bucket for row in analysis}
            self.assertEqual(buckets, {fresh: "00_07", month_old: "08_30", old: "91_plus"})
            groups = self.env["qms.nonconformity.analysis"]._read_group(
                [("id", "in", analysis.ids)], ["department_id", "ageing_bucket"], ["__count"])
            self.assertEqual(sorted((bucket, count) for _dep, bucket, count in groups),
                             [("00_07", 1), ("08_30", 1), ("91_plus", 1)])

    def test_supervision_board_lists_open_supervised_items(self):
        nc = self.make_nc()
        action = self.to_action_stage(nc)
        Board = self.env["qms.supervised.item"]
        self.assertFalse(Board.search([("res_model", "=", "qms.action"), ("res_id", "=", action.id)]))
        with freeze_time("2026-11-30"):
            self.Action._cron_escalate()
        item = Board.search([("res_model", "=", "qms.action"), ("res_id", "=", action.id)])
        self.assertEqual(item.department_id, self.section)
        self.assertEqual(item.owner_id, self.clerk)
        self.assertEqual(item.action_open_item()["res_id"], action.id)
        self.finish_action(action, on="2026-12-01")
        self.assertFalse(Board.search([("res_model", "=", "qms.action"), ("res_id", "=", action.id)]),
                         "done items leave the board")

    def aged(self, nc, day, tz="UTC"):
        """(age in days, age bucket, overdue) of `nc` in the analysis as read on `day` by a user in `tz`."""
        Analysis = self.env["qms.nonconformity.analysis"].with_user(self.qms_manager).with_context(tz=tz)
        with freeze_time(day):
            self.env.invalidate_all()  # what was read on another day is still in the cache
            row = Analysis.search([("nonconformity_id", "=", nc.id)])
            return row.age_days, row.ageing_bucket, row.is_overdue

    def test_ageing_and_overdue_are_computed_as_of_today(self):
        """Age and overdue come from the user's today (freezable), not the database's clock."""
        nc = self.make_nc(date_detected="2026-11-02", date_deadline="2026-12-02")
        self.assertEqual(self.aged(nc, "2026-11-05 02:00"), (3, "00_07", False))
        self.assertEqual(self.aged(nc, "2026-12-01 02:00"), (29, "08_30", False))
        self.assertEqual(self.aged(nc, "2026-12-10 02:00"), (38, "31_90", True))
        self.assertEqual(self.aged(nc, "2027-03-01 02:00"), (119, "91_plus", True))
        # 17:00 UTC on 2 December is already 3 December in Beijing: the user's day counts
        self.assertEqual(self.aged(nc, "2026-12-02 17:00", tz="UTC"), (30, "08_30", False))
        self.assertEqual(self.aged(nc, "2026-12-02 17:00", tz="Asia/Shanghai"), (31, "31_90", True))

        Analysis = self.env["qms.nonconformity.analysis"].with_user(self.qms_manager)
        for day, bucket in (("2026-11-05", "00_07"), ("2027-03-01", "91_plus")):
            with freeze_time(day):
                groups = Analysis._read_group([("nonconformity_id", "=", nc.id)], ["ageing_bucket"], ["__count"])
            self.assertEqual(groups, [(bucket, 1)], f"grouped on {day}")

    def test_days_overdue_on_the_board_as_of_today(self):
        action = self.to_action_stage(self.make_nc())  # due 2026-11-20
        with freeze_time("2026-11-30"):
            self.Action._cron_escalate()
        Board = self.env["qms.supervised.item"].with_user(self.qms_manager)
        for day, days_overdue in (("2026-12-01", 11), ("2026-12-15", 25)):
            with freeze_time(day):
                self.env.invalidate_all()
                item = Board.search([("res_model", "=", "qms.action"), ("res_id", "=", action.id)])
                self.assertEqual(item.days_overdue, days_overdue, f"read on {day}")
                groups = Board._read_group([("id", "=", item.id)], ["item_type"], ["days_overdue:max"])
                self.assertEqual(groups, [("action", days_overdue)], f"grouped on {day}")

    def test_analysis_grouped_by_age_in_one_query(self):
        ncs = self.NC
        for detected in ("2026-11-27", "2026-11-10", "2026-10-01", "2026-06-01", "2026-05-01"):
            ncs |= self.make_nc(date_detected=detected)
        Analysis = self.env["qms.nonconformity.analysis"].with_user(self.qms_manager)
        domain = [("nonconformity_id", "in", ncs.ids), ("is_open", "=", True)]
        Analysis.formatted_read_group(domain, ["ageing_bucket"], ["__count", "age_days:avg"])  # warm the caches
        self.env.flush_all()
        with self.assertQueryCount(1):
            groups = Analysis.formatted_read_group(domain, ["ageing_bucket"], ["__count", "age_days:avg"])
        counts = {group["ageing_bucket"]: group["__count"] for group in groups}
        self.assertEqual(counts, {"00_07": 1, "08_30": 1, "31_90": 1, "91_plus": 2}, "today is 2026-11-30")

    def test_pivot_groups_come_in_age_and_department_order(self):
        """Issue 13: the buckets sorted 0-7, 31-90, 8-30. They come in age order, the departments in name order
        (Finance Bureau before Licensing Section, created first), as the pivot and the graph ask for them."""
        ncs = self.NC
        for department in (self.section, self.finance):
            for detected in ("2026-05-01", "2026-10-01", "2026-11-10", "2026-11-27"):
                ncs |= self.make_nc(date_detected=detected, department_id=department.id)
        Analysis = self.env["qms.nonconformity.analysis"].with_user(self.qms_manager)
        domain = [("nonconformity_id", "in", ncs.ids)]
        buckets = ["00_07", "08_30", "31_90", "91_plus"]
        groups = Analysis.formatted_read_group(domain, ["ageing_bucket"], ["__count"])
        self.assertEqual([group["ageing_bucket"] for group in groups], buckets)
        self.assertEqual([key for key, _label in Analysis._fields["ageing_bucket"].selection], buckets)
        rows = Analysis._read_group(domain, ["department_id", "ageing_bucket"], ["__count"])
        self.assertEqual([(department, bucket) for department, bucket, _count in rows],
                         [(department, bucket) for department in (self.finance, self.section) for bucket in buckets])
        # the pivot's query: every grouping at once, each in order
        by_department, by_cell = Analysis.formatted_read_grouping_sets(
            domain, [["department_id"], ["department_id", "ageing_bucket"]], ["__count"])
        self.assertEqual([group["department_id"][0] for group in by_department], [self.finance.id, self.section.id])
        self.assertEqual([group["ageing_bucket"] for group in by_cell], buckets * 2)
        descending = Analysis._read_group(domain, ["department_id"], ["__count"], order="department_id desc")
        self.assertEqual([department for department, _count in descending], [self.section, self.finance])

    def test_this_months_scorecards_are_the_users_month(self):
        """17:00 UTC on 30 November is already 1 December in Beijing: the menu computes December's scorecards."""
        compute = self.env.ref("gov_qms_capa.qms_department_score_action_compute")
        with freeze_time("2026-11-30 17:00:00"):
            result = compute.with_user(self.qms_manager).with_context(tz="Asia/Shanghai").run()
        self.assertEqual(result["res_model"], "qms.department.score")
        scores = self.env["qms.department.score"].search([("department_id", "=", self.section.id)])
        self.assertEqual(scores.mapped("month"), [self.d("2026-12-01")])
