"""The benchmark harness (tools/bench) on a tiny data set, in the test's transaction: the plan's distributions,
the bulk load checked against the ORM, two operations measured with their SQL floor, the JSON format.
The benchmark itself (`python -m tools.bench`, `./qms bench`) is not run here: it builds its own databases."""

import json
import os
import tempfile
from datetime import date, timedelta

from odoo.tests import TransactionCase, tagged
from tools.bench import generate, operations, report, runner
from tools.bench.plan import Planner, choose_facts
from tools.bench.scales import SCALES, Scale

TODAY = date(2026, 6, 15)


class Weekdays:
    """Monday to Friday, for the planner without a database."""

    def add(self, day, count):
        step = timedelta(days=1 if count > 0 else -1)
        for _n in range(abs(count)):
            day += step
            while day.weekday() >= 5:
                day += step
        return day

    def is_working(self, day):
        return day.weekday() < 5


def plan_of(scale):
    clauses = [(n, f"{4 + n // 10}.{n % 10 + 1}", f"Question {n}") for n in range(40)]
    settings = {"reminder_days": 3, "supervise_days": 5, "notice_days": 10, "review_notice_days": 30,
                "effectiveness_major": 90, "effectiveness_minor": 60}
    return Planner(scale, TODAY, Weekdays(), lambda source, severity: (1, 1, 5, 20), clauses, settings).plan()


class TestBenchPlan:
    """The data set's shape, without a database."""

    def test_distributions(self):
        scale = Scale("test", departments=12, staff_per_department=2, documents=50, ncs=1500, actions=3000, audits=40,
                      lines_per_audit=10)
        plan = plan_of(scale)
        ncs = plan.ncs
        assert len(ncs) == scale.ncs
        closed = [nc for nc in ncs if nc.state == "closed"]
        assert len(closed) > 0.75 * len(ncs), "most nonconformities are closed"
        late = [nc for nc in closed if nc.date_closed > nc.deadline]
        assert 0.05 * len(closed) < len(late) < 0.25 * len(closed), "some were closed late"
        open_ncs = [nc for nc in ncs if nc.state not in ("closed", "cancelled")]
        assert any(nc.date_supervised for nc in open_ncs), "a few open ones are supervised items"
        assert any(action.state == "open" and action.deadline < TODAY for action in plan.actions), "some overdue"
        assert 0.8 * scale.actions < len(plan.actions) < 1.2 * scale.actions
        # skewed by department: the busiest department has several times the average share
        by_department = {}
        for nc in ncs:
            by_department[nc.department] = by_department.get(nc.department, 0) + 1
        assert max(by_department.values()) > 2 * len(ncs) / scale.departments
        # seasonal: the year-end months are busier than the summer ones
        months = {}
        for nc in ncs:
            months[nc.date_detected.month] = months.get(nc.date_detected.month, 0) + 1
        assert months[11] + months[12] > months[7] + months[8]
        # the ladder as the daily job leaves it: nothing due before today is left undone
        for nc in open_ncs:
            if nc.deadline and nc.deadline < TODAY - timedelta(days=1):
                assert nc.escalation_level >= 2 and nc.date_overdue == nc.deadline
        facts = choose_facts(plan)
        assert facts["overdue_count"] > 0

    def test_deterministic(self):
        first, second = plan_of(SCALES["tiny"]), plan_of(SCALES["tiny"])
        assert [(nc.department, nc.date_detected, nc.state) for nc in first.ncs] == \
            [(nc.department, nc.date_detected, nc.state) for nc in second.ncs]


@tagged("post_install", "-at_install")
class TestBenchHarness(TransactionCase):
    """The tiny data set loaded in the test's transaction, read back through the ORM, and measured."""

    def test_generate_and_measure(self):
        facts, problems = generate.generate_qms(self.env, SCALES["tiny"], date.today(), prefix="BT",
                                                advance_sequences=False)
        self.assertEqual(problems, [], "the bulk-loaded records are what the ORM computes")
        NC = self.env["qms.nonconformity"]
        departments = facts["department_ids"]
        self.assertEqual(NC.search_count([("department_id", "in", departments)]), SCALES["tiny"].ncs)
        self.assertTrue(NC.search_count([("department_id", "in", departments), ("state", "=", "closed")]))
        self.assertTrue(self.env["qms.action"].search_count([("department_id", "in", departments)]))
        self.assertEqual(generate.read_marker(self.env)["facts"]["head_login"], facts["head_login"])

        transaction = runner.savepoint_transaction(self.env)
        rows = []
        for key in ("group_state", "scorecards"):
            operation = operations.BY_KEY[key]
            ours = [runner.run_operation(transaction, facts, key, "ours") for _round in range(2)]
            floor = [runner.run_operation(transaction, facts, key, "floor")] if operation.floor else []
            for result in ours + floor:
                self.assertGreater(result["ms"], 0)
                self.assertGreater(result["queries"], 0)
                self.assertGreater(result["peak_rss_mb"], 0)
            rows.append(report.make_row(operation, runner.summarise(ours), None, runner.summarise(floor)))
        # each round was rolled back: the scorecards computed in the first are not there
        self.assertFalse(self.env["qms.department.score"].search([("department_id", "in", departments)]))

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "bench.json")
            report.write_json(path, rows)
            with open(path, encoding="utf-8") as source:
                written = json.load(source)
        self.assertEqual([list(row) for row in written], [list(report.KEYS)] * 2)
        state, scorecards = written
        self.assertEqual(state["operation"], operations.BY_KEY["group_state"].label)
        self.assertIsNone(state["oca_ms"])
        self.assertIsNone(state["ratio"])
        self.assertIsNone(state["floor_ms"])
        self.assertIsNotNone(scorecards["floor_ms"])
        expected = scorecards["ours_ms"] / scorecards["floor_ms"]
        self.assertAlmostEqual(scorecards["floor_ratio"], expected, delta=0.05 * expected + 0.05)
        marks = [report.check_targets(operations.BY_KEY[key], row, {})
                 for key, row in zip(("group_state", "scorecards"), rows, strict=True)]
        self.assertIn("scorecards", report.table(rows, marks))
