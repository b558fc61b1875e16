from datetime import date

from odoo.tests import tagged

from .common import QmsCapaCase

NOVEMBER = date(2026, 11, 1)


@tagged("post_install", "-at_install")
class TestScorecardDisplay(QmsCapaCase):
    """What the scorecards and the nonconformity board show: the QMS departments only, the month as a month,
    a dash when nothing was closed, the workflow's columns in order."""

    def setUp(self):
        super().setUp()
        self.lab = self.env["hr.department"].create({"name": "R&D Lab (not in the QMS)"})
        quick = self.make_nc(title="Typo on the form", date_detected="2026-11-03")
        quick.with_user(self.section_head).action_triage_correction()
        proof = self.env["ir.attachment"].with_user(self.section_head).create({"name": "form.pdf", "raw": b"%PDF"})
        quick.with_user(self.section_head).write({"containment_description": "Form reprinted",
                                                  "containment_by_id": self.clerk.id,
                                                  "evidence_attachment_ids": [(6, 0, proof.ids)]})
        with self.subTest("closed on time"):
            quick.with_user(self.section_head).action_close()
        self.scores = self.env["qms.department.score"]._qms_compute_month(NOVEMBER)

    def score(self, department):
        return self.scores.filtered(lambda score: score.department_id == department)

    def test_only_departments_in_the_qms_scope(self):
        self.assertFalse(self.score(self.lab), "a department without a QMS code gets no scorecard")
        self.assertTrue(self.score(self.section) and self.score(self.finance))
        self.assertFalse(self.scores.department_id.filtered(lambda department: not department.qms_code))

    def test_month_label_is_a_month(self):
        score = self.score(self.section)
        self.assertEqual(score.month_label, "November 2026")
        self.assertEqual(score.display_name, "Licensing Section November 2026")
        self.env["res.lang"]._activate_lang("zh_CN")
        self.assertEqual(score.with_context(lang="zh_CN").month_label, "2026年11月")

    def test_nothing_closed_shows_a_dash(self):
        self.assertEqual(self.score(self.section).on_time_label, "100.0 %")
        finance = self.score(self.finance)
        self.assertEqual(finance.closed_count, 0)
        self.assertEqual(finance.on_time_label, "—")
        self.assertFalse(finance.on_time_rate)

    def test_nonconformity_kanban_columns_in_workflow_order(self):
        NC = self.env["qms.nonconformity"].with_user(self.qms_manager).with_context(read_group_expand=True)
        groups = NC.web_read_group([("department_id", "child_of", self.city.id)], ["state"])["groups"]
        self.assertEqual([group["state"] for group in groups],
                         ["new", "triaged", "analysis", "action", "verification", "reopened", "closed"],
                         "every open step in order, then the closed ones (cancelled: none here)")
