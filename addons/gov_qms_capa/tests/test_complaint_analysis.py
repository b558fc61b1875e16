from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import QmsCapaCase

KPIS = ["accepted_on_time:avg", "answered_on_time:avg", "satisfied:avg", "sent_back:avg"]


@tagged("post_install", "-at_install")
class TestComplaintAnalysis(QmsCapaCase):
    """The 12345 figures of the complaint analysis, on six work orders walked through their steps by hand.

    Today is Monday 30 November 2026; the company works Monday to Friday. Time limits: consultation 1 working
    day, request for help 5, complaint 10; a work order is accepted on time when assigned by the next working day.

    =====  =======  ============  ========  ===============  ==================  =============  ========  =========
    order  channel  department    received  assigned         answered            call-back      accepted  answered
    =====  =======  ============  ========  ===============  ==================  =============  ========  =========
    A      hotline  section       Mon 2/11  2/11 (by 3/11)   10/11 (by 16/11)    satisfied      100       100
    B      hotline  section       Fri 6/11  Mon 9/11 (by 9)  12/11 (by 9/11)     dissatisfied   100       0
    F      hotline  section       Mon 2/11  4/11 (by 3/11)   4/11 (by 16/11)     -              0         100
    C      web      finance       Mon 2/11  5/11 (by 3/11)   6/11 (by 9/11)      basically      0         100
    D      web      finance       Fri 20/11 - (by 23/11)     - (by 27/11)        -              0         0
    E      counter  -             Mon 30/11 -                -                   -              -         -
    =====  =======  ============  ========  ===============  ==================  =============  ========  =========

    Satisfaction: A 100, B 0, C 100 (the others were not called back). Sent back: B 100; A, C, F 0 (answered);
    D and E were never answered. "-" is no value: left out of the averages.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Rule = cls.env["qms.time.limit.rule"]
        Rule.search([("complaint_kind", "!=", False)]).active = False
        for kind, days in (("consultation", 1), ("help", 5), ("complaint", 10)):
            Rule.create({"name": f"{kind} {days}", "complaint_kind": kind, "close_days": days})
        cls.Analysis = cls.env["qms.complaint.analysis"]
        cls.order_a = cls.walk("2026-11-02", "complaint", "hotline", cls.section, cls.clerk, assigned="2026-11-02",
                               answered="2026-11-10", callback=("2026-11-11", "satisfied"))
        cls.order_b = cls.walk("2026-11-06", "consultation", "hotline", cls.section, cls.clerk, assigned="2026-11-09",
                               answered="2026-11-12", callback=("2026-11-13", "dissatisfied"))
        cls.order_f = cls.walk("2026-11-02", "complaint", "hotline", cls.section, cls.clerk, assigned="2026-11-04",
                               answered="2026-11-04")
        cls.order_c = cls.walk("2026-11-02", "help", "web", cls.finance, cls.other_clerk, assigned="2026-11-05",
                               answered="2026-11-06", callback=("2026-11-09", "basic"))
        cls.order_d = cls.walk("2026-11-20", "help", "web", cls.finance, cls.other_clerk)
        cls.order_e = cls.walk("2026-11-30", "complaint", "counter", None, cls.clerk)
        cls.orders = cls.order_a | cls.order_b | cls.order_c | cls.order_d | cls.order_e | cls.order_f

    @classmethod
    def walk(cls, received, kind, channel, department, receiver, assigned=None, answered=None, callback=None):
        """A work order received, assigned, answered and called back on the given days by the people who would."""
        with freeze_time(f"{received} 02:00:00"):
            complaint = cls.env["qms.complaint"].with_user(receiver).create({
                "subject": f"{kind} by {channel}", "description": "What happened.", "kind": kind, "channel": channel,
                "department_id": department.id if department else False, "citizen_name": "Ms Li"})
        if assigned:
            with freeze_time(f"{assigned} 03:00:00"):
                complaint.with_user(receiver).action_assign()
        if answered:
            head = complaint.with_user(complaint.owner_id)
            with freeze_time(f"{answered} 03:00:00"):
                head.write({"reply": "Done as asked."})
                head.action_answer()
        if callback:
            day, result = callback
            with freeze_time(f"{day} 03:00:00"):
                cls.env["qms.complaint.wizard"].with_user(cls.qms_manager).create({
                    "res_ids": complaint.ids, "step": "callback", "callback_result": result}).action_confirm()
        return complaint.with_env(cls.env)

    def kpis(self, user=None, domain=(), groupby=()):
        Analysis = self.Analysis.with_user(user or self.qms_manager)
        rows = Analysis._read_group([("complaint_id", "in", self.orders.ids), *domain], list(groupby), KPIS)
        # an average over no value at all is False (the pivot shows it empty): None here, never taken for 0
        return [(*row[:len(groupby)], *(None if value is False else round(value, 2) for value in row[len(groupby):]))
                for row in rows]

    def test_acceptance_deadline_in_working_days(self):
        self.assertEqual(str(self.order_b.date_accept_by), "2026-11-09", "received on a Friday: by Monday")
        self.assertEqual(str(self.order_a.date_accept_by), "2026-11-03")
        self.assertEqual((str(self.order_b.date_assigned), self.order_b.state, self.order_b.rework_count),
                         ("2026-11-09", "assigned", 1))
        self.assertFalse(self.order_d.date_assigned)
        for vals in ({"date_assigned": "2026-11-01"}, {"date_accept_by": "2026-12-31"}):
            with self.subTest(vals=vals), self.assertRaises(UserError, msg="set by the workflow only"):
                self.order_d.with_user(self.other_clerk).write(vals)

    def test_the_four_12345_figures(self):
        self.assertEqual(self.kpis(), [(40.0, 60.0, 66.67, 25.0)])

    def test_the_figures_by_channel(self):
        self.assertEqual({row[0]: row[1:] for row in self.kpis(groupby=["channel"])}, {
            "hotline": (66.67, 66.67, 50.0, 33.33),
            "web": (0.0, 50.0, 100.0, 0.0),
            "counter": (None, None, None, None),  # received today: nothing known yet
        })

    def test_the_figures_are_as_of_today(self):
        """Before its time limits passed, the open work order D was neither late to assign nor to answer."""
        d_only = [("complaint_id", "=", self.order_d.id)]
        for day, expected in (("2026-11-21", [(None, None, None, None)]), ("2026-11-24", [(0.0, None, None, None)]),
                              ("2026-11-30", [(0.0, 0.0, None, None)])):
            with self.subTest(day=day), freeze_time(f"{day} 02:00:00"):
                self.assertEqual(self.kpis(domain=d_only), expected)

    def test_rows_carry_the_work_order(self):
        rows = self.Analysis.search([("complaint_id", "in", self.orders.ids)])
        self.assertEqual(len(rows), 6)
        row_b = rows.filtered(lambda row: row.complaint_id == self.order_b)
        self.assertEqual((row_b.name, row_b.department_id, row_b.kind, row_b.state, row_b.company_id),
                         (self.order_b.name, self.section, "consultation", "assigned", self.company))
        self.assertEqual(row_b.date_received, self.order_b.date_received)

    def test_a_head_sees_the_rows_of_their_departments_only(self):
        Analysis = self.Analysis
        section_orders = self.order_a | self.order_b | self.order_f
        for user, expected in ((self.section_head, section_orders), (self.bureau_head, section_orders),
                               (self.other_head, self.order_c | self.order_d),
                               (self.auditor, self.orders), (self.qms_manager, self.orders)):
            with self.subTest(user=user.login):
                rows = Analysis.with_user(user).search([("complaint_id", "in", self.orders.ids)])
                self.assertEqual(rows.complaint_id, expected)
        self.assertEqual(self.kpis(self.section_head), [(66.67, 66.67, 50.0, 33.33)],
                         "a head's figures are those of their departments")
        with self.assertRaises(AccessError):
            Analysis.with_user(self.clerk).search([])

    def test_grouped_in_one_query(self):
        Analysis = self.Analysis.with_user(self.qms_manager)
        domain = [("complaint_id", "in", self.orders.ids)]
        Analysis.formatted_read_group(domain, ["department_id", "date_received:month"], ["__count", *KPIS])
        self.env.flush_all()
        with self.assertQueryCount(1):
            groups = Analysis.formatted_read_group(domain, ["kind"], ["__count", *KPIS])
        self.assertEqual({group["kind"]: group["__count"] for group in groups},
                         {"complaint": 3, "consultation": 1, "help": 2})
