from odoo.addons.gov_qms_capa.tests.common import QmsCapaCase
from odoo.tests import new_test_user


class QmsAuditCase(QmsCapaCase):
    """The finance auditor (Hu, lead) and the City office auditor (Qian, team member) audit the
    licensing section of the Market Regulation Bureau."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.auditor2 = new_test_user(cls.env, login="auditor2", name="Qian Auditor", email="auditor2@city.example",
                                     groups="base.group_user,gov_qms_docs.group_qms_auditor")
        cls.env["hr.employee"].create({"name": cls.auditor2.name, "user_id": cls.auditor2.id,
                                       "department_id": cls.city.id})
        Auditor = cls.env["qms.auditor"]
        # both are competent in the whole standard (its main clauses): the competence checks have their own tests
        cls.whole_standard = cls.env["qms.iso.clause"].search([("parent_id", "=", False)])
        competent = [(6, 0, cls.whole_standard.ids)]
        cls.lead = Auditor.create({"user_id": cls.auditor.id, "is_lead": True, "date_qualified": "2025-01-10",
                                   "date_expiry": "2027-01-09", "clause_ids": competent})
        cls.member = Auditor.create({"user_id": cls.auditor2.id, "date_qualified": "2026-03-01",
                                     "clause_ids": competent})
        cls.clause_doc_control = cls.env.ref("gov_qms_docs.iso_clause_7_5_3")
        cls.Question = cls.env["qms.audit.question"]
        cls.Question.create([
            {"clause_id": cls.env.ref("gov_qms_docs.iso_clause_7_5_3_1").id,
             "name": "Is the version in use at the counter the one in force?"},
            {"clause_id": cls.env.ref("gov_qms_docs.iso_clause_7_5_3_1").id,
             "name": "Are obsolete copies withdrawn or marked?"},
        ])

    def make_audit(self, **values):
        vals = {"department_ids": [(6, 0, self.section.ids)], "lead_auditor_id": self.lead.id,
                "team_ids": [(6, 0, self.member.ids)], "date_start": "2026-11-23", "date_end": "2026-11-24",
                "clause_ids": [(6, 0, self.clause_doc_control.ids)], "auditee_ids": [(6, 0, self.section_head.ids)]}
        vals.update(values)
        return self.env["qms.audit"].with_user(self.qms_manager).create(vals)

    def confirm_findings(self, audit, user=None):
        """Raise Findings, then confirm each statement as written (prefilled from the checklist), as the lead."""
        user = user or audit.lead_auditor_id.user_id
        audit.with_user(user).action_raise_findings()
        drafts = audit.finding_ids.filtered(lambda finding: finding.state == "draft")
        drafts.with_user(user).action_confirm_statement()
        return audit.finding_ids

