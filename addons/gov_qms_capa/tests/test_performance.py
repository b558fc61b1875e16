from contextlib import contextmanager

from odoo.tests import tagged

from .common import QmsCapaCase

NC_LIST_SPEC = {
    "name": {}, "title": {}, "source": {}, "severity": {}, "date_detected": {}, "date_deadline": {}, "state": {},
    "is_overdue": {}, "is_supervised": {},
    "department_id": {"fields": {"display_name": {}}}, "owner_id": {"fields": {"display_name": {}}},
}


class ExactQueryCount:
    @contextmanager
    def exact_query_count(self, expected):
        """As assertQueryCount, but a smaller count fails too: the guard says how many, so that an improvement
        tightens it."""
        self.env.flush_all()
        self.env.cr.flush()
        before = self.cr.sql_log_count
        yield
        self.env.flush_all()
        self.env.cr.flush()
        self.assertEqual(self.cr.sql_log_count - before, expected, "queries")


@tagged("post_install", "-at_install")
class TestCapaQueryCounts(ExactQueryCount, QmsCapaCase):
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

    def test_a_heads_rules_are_indexed_conditions(self):
        """The department rule compiles to ``department_id IN (<ids>)`` and the rule of action owners and checkers
        to ``id IN (<ids>)``, both read when the query runs: no join on the departments, no subquery per row, so
        that PostgreSQL uses the indexes (and no JIT) for a head's list as for the QMS office's (issue 14)."""
        nc = self.make_ncs(1)
        self.Action.create({"nonconformity_id": nc.id, "name": "Fix it", "owner_id": self.bureau_head.id,
                            "date_deadline": "2026-12-20"})
        where = self.NC.with_user(self.bureau_head)._search([]).where_clause
        self.assertNotIn("EXISTS", where.code)
        self.assertNotIn("hr_department", where.code)
        self.assertNotIn("SELECT", where.code)
        self.assertIn('"qms_nonconformity"."department_id" IN %s', where.code)
        self.assertIn(tuple(sorted((self.bureau | self.section).ids)), where.params, "the bureau and its section")
        self.assertIn((nc.id,), where.params, "the nonconformity of the action the head owns")

    def test_a_heads_list_costs_the_same_for_10_or_40_rows(self):
        """First page and count, as the web client asks them: the head's departments (and the nonconformities of
        their actions) are read once per query the rules go into, never per row."""
        ten, forty = self.make_ncs(10), self.make_ncs(40)
        NC = self.NC.with_user(self.bureau_head)

        def page(ncs):
            return lambda: NC.web_search_read([("id", "in", ncs.ids)], NC_LIST_SPEC, limit=80, count_limit=10001)
        self.queries(page(ten))
        self.assertEqual(self.queries(page(ten)), self.queries(page(forty)), "no query per row")
        self.env.invalidate_all()
        # the page and its count (each with the head's departments and the nonconformities of their actions and
        # checks, one query each), then the departments, users and partners shown
        with self.exact_query_count(9):
            page(forty)()

    def queries(self, function):
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.cr.sql_log_count
        function()
        return self.cr.sql_log_count - before


@tagged("post_install", "-at_install")
class TestCapaBatchCreate(ExactQueryCount, QmsCapaCase):
    """A batch of 1,000 nonconformities or actions costs a few queries per hundred records, never one per record
    (issue 14: ≤ 0.3 queries per record). The chatter is on, as in production (creation notes, followers)."""

    def nc_values(self, count, prefix="Counter finding"):
        departments = [self.section, self.bureau, self.finance, self.city]
        return [{"title": f"{prefix} {i}", "department_id": departments[i % 4].id, "source": "self_reported",
                 "severity": "minor", "description": "<p>Found at the counter.</p>"} for i in range(count)]

    def set_aside_the_company_sequence(self):
        """The company numbers from a copy of its sequence made in this test's transaction: the 1,000 numbers taken
        are given back when the test rolls back (a database sequence's numbers are not; a kept database would
        otherwise run into five-digit numbers)."""
        sequences = self.env["ir.sequence"].search([("code", "=", "qms.nonconformity"),
                                                    ("company_id", "in", [self.company.id, False])],
                                                   order="company_id, id")
        template = sequences[:1]  # the company's own, else the shared one
        sequences.filtered("company_id").write({"code": "qms.nonconformity.set.aside"})
        template.copy({"code": "qms.nonconformity", "company_id": self.company.id,
                       "number_next": template.number_next_actual})

    def test_1000_nonconformities_in_one_create(self):
        self.set_aside_the_company_sequence()
        NC = self.NC.with_user(self.qms_manager).with_context(mail_create_nolog=False)
        NC.create(self.nc_values(2, "Warm-up"))  # the company's sequence, the rules and the views are read once
        # the departments and their heads once, the numbers in one query, 10 inserts of 100 rows, their creation
        # notes and followers in as many
        with self.exact_query_count(35):
            ncs = NC.create(self.nc_values(1000))
        numbers = [int(name.rsplit("-", 1)[1]) for name in ncs.mapped("name")]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 1000)), "numbered in the order of the batch")
        self.assertEqual([nc.owner_id for nc in ncs[:4]],
                         [self.section_head, self.bureau_head, self.other_head, self.city_head],
                         "handled by default by the head of their department")
        self.assertEqual(len(ncs.message_ids), 1000, "one creation note each")

    def test_1000_actions_with_the_owners_to_dos_in_one_create(self):
        ncs = self.NC.create(self.nc_values(10))
        ncs._qms_set_state("action")
        owners = [self.clerk, self.other_clerk, self.author, self.reviewer, self.approver]
        values = [{"nonconformity_id": ncs[i % 10].id, "name": f"Re-check licence file {i}",
                   "action_type": "corrective", "owner_id": owners[i % 5].id, "date_deadline": "2026-12-20"}
                  for i in range(1000)]
        Action = self.Action.with_user(self.qms_manager).with_context(mail_create_nolog=False)
        Action.create(values[:2])  # warm-up
        mails = self.env["mail.mail"].sudo().search_count([])
        # the nonconformities once, 10 inserts of 100 actions, their to-dos, the owners made followers in one
        # batch, no e-mail per to-do (the owners' daily digest tells them)
        with self.exact_query_count(65):
            actions = Action.create(values[2:])
        self.assertEqual(len(actions.activity_ids), 998, "a to-do for each owner")
        self.assertEqual(actions[:5].activity_ids.user_id, self.clerk | self.other_clerk | self.author | self.reviewer
                         | self.approver)
        self.assertEqual(self.env["mail.mail"].sudo().search_count([]), mails, "no e-mail per to-do")
        for action in actions[:5]:
            self.assertIn(action.owner_id.partner_id, action.message_partner_ids, "the owner follows their action")
        self.assertEqual(set(actions.mapped("round")), {1})
        self.assertEqual(actions.department_id, ncs.department_id)


@tagged("post_install", "-at_install")
class TestReferenceBatches(QmsCapaCase):
    """The numbers of a batch are reserved in one query per sequence (and per year of a sequence numbered per year)
    and are those Odoo's `next_by_id` gives one by one (qms.reference.mixin)."""

    def twin_sequences(self, **values):
        vals = {"name": "Twin", "code": "qms.test.twin", "prefix": "T-%(year)s-", "padding": 3,
                "company_id": self.company.id, **values}
        return self.env["ir.sequence"].create(vals), self.env["ir.sequence"].create(vals)

    def one_by_one(self, sequence, days):
        return [sequence.with_context(ir_sequence_date=day).next_by_id() if day else sequence.next_by_id()
                for day in days]

    def test_the_batch_numbers_as_odoo_numbers_one_by_one(self):
        days = ["2025-03-01", "2026-05-01", None, "2025-12-31", "2026-01-01", None]
        for values in ({}, {"use_date_range": True}, {"implementation": "no_gap"},
                       {"use_date_range": True, "implementation": "no_gap", "prefix": "T-%(range_year)s-"},
                       {"number_increment": 5, "number_next": 40}):
            with self.subTest(**values):
                batched, single = self.twin_sequences(**values)
                self.assertEqual(self.NC._qms_reserve_references(batched, days), self.one_by_one(single, days))
                self.assertEqual(self.NC._qms_reserve_references(batched, days[:2]), self.one_by_one(single, days[:2]),
                                 "and the next batch goes on from there")

    def test_one_query_per_year_of_a_sequence_numbered_per_year(self):
        batched, _single = self.twin_sequences(use_date_range=True)
        self.NC._qms_reserve_references(batched, ["2025-03-01", "2026-05-01"])  # the two years' counters
        with self.assertQueryCount(3):  # the years' counters, then one query for each year's numbers
            names = self.NC._qms_reserve_references(batched, ["2025-06-01", "2026-06-01"] * 500)
        self.assertEqual(names[:4], ["T-2025-002", "T-2026-002", "T-2025-003", "T-2026-003"])
        self.assertEqual(names[-2:], ["T-2025-501", "T-2026-501"])


@tagged("post_install", "-at_install")
class TestDepartmentNames(QmsCapaCase):
    """Department names as hr gives them ("City / Bureau / Section"), their parents read at once (lists and group-bys
    show hundreds of departments)."""

    def test_the_complete_name_with_all_the_parents_in_one_query(self):
        self.env.invalidate_all()
        with self.assertQueryCount(2):  # the section, then its bureau and city office together (hr: one per level)
            self.assertEqual(self.section.display_name,
                             "City QMS Office / Market Regulation Bureau / Licensing Section")
        departments = self.city | self.bureau | self.section | self.finance
        self.env.invalidate_all()
        names = departments.mapped("display_name")
        self.env.invalidate_all()
        self.assertEqual(names, departments.mapped("complete_name"))
        self.section.parent_id = self.finance  # moved: its new parents
        self.assertEqual(self.section.display_name, "City QMS Office / Finance Bureau / Licensing Section")
        new = self.env["hr.department"].new({"name": "Archives", "parent_id": self.bureau.id})
        self.assertEqual(new.display_name, "City QMS Office / Market Regulation Bureau / Archives")
        self.assertEqual(self.section.with_context(hierarchical_naming=False).display_name, "Licensing Section")
