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
            self.assertEqual(buckets, {fresh: "0_7", month_old: "8_30", old: "90_plus"})
            groups = self.env["qms.nonconformity.analysis"]._read_group(
                [("id", "in", analysis.ids)], ["department_id", "ageing_bucket"], ["__count"])
            self.assertEqual(sorted((bucket, count) for _dep, bucket, count in groups),
                             [("0_7", 1), ("8_30", 1), ("90_plus", 1)])

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
