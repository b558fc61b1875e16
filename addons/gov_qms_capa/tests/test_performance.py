from odoo.tests import tagged

from .common import QmsCapaCase

NC_LIST_SPEC = {
    "name": {}, "title": {}, "source": {}, "severity": {}, "date_detected": {}, "date_deadline": {}, "state": {},
    "is_overdue": {}, "is_supervised": {},
    "department_id": {"fields": {"display_name": {}}}, "owner_id": {"fields": {"display_name": {}}},
}


@tagged("post_install", "-at_install")
class TestCapaQueryCounts(QmsCapaCase):
    def make_ncs(self, count):
        departments = [self.section, self.bureau, self.finance, self.city]
        return self.NC.create([{"title": f"Finding {i}", "department_id": departments[i % 4].id,
                                "source": "internal_audit", "date_detected": "2026-11-02"} for i in range(count)])

    def list_queries(self, ncs):
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.cr.sql_log_count
        self.NC.with_user(self.qms_manager).web_search_read([("id", "in", ncs.ids)], NC_LIST_SPEC, limit=200)
        return self.cr.sql_log_count - before

    def test_nonconformity_list_costs_the_same_for_10_or_40_rows(self):
        ten, forty = self.make_ncs(10), self.make_ncs(40)
        self.list_queries(ten)
        self.assertEqual(self.list_queries(ten), self.list_queries(forty), "no query per row")
        self.env.invalidate_all()
        with self.assertQueryCount(5):  # whatever the number of rows
            self.NC.with_user(self.qms_manager).web_search_read([("id", "in", forty.ids)], NC_LIST_SPEC, limit=200)
