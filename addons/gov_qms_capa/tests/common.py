from freezegun import freeze_time

from odoo.addons.gov_qms_docs.tests.common import QmsDocsCase


class QmsCapaCase(QmsDocsCase):
    """The docs fixture's organisation, plus helpers to walk a nonconformity through its loop.

    Dates: 2026-11-02 is a Monday; the company works Monday to Friday.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"qms_reminder_days": 3, "qms_supervise_after_days": 5,
                           "qms_effectiveness_days_major": 30, "qms_effectiveness_days_minor": 15,
                           "qms_points_responsible": 1.0, "qms_points_section_head": 0.5, "qms_points_leader": 0.25})
        cls.NC = cls.env["qms.nonconformity"]
        cls.Action = cls.env["qms.action"]

    def make_nc(self, user=None, **values):
        vals = {"title": "Licence issued without the site inspection record", "department_id": self.section.id,
                "source": "internal_audit", "severity": "minor", "date_detected": "2026-11-02"}
        vals.update(values)
        return self.NC.with_user(user or self.auditor).create(vals)

    def add_action(self, nc, owner=None, **values):
        vals = {"nonconformity_id": nc.id, "name": "Add the inspection record to the licence checklist",
                "action_type": "corrective", "owner_id": (owner or self.clerk).id, "date_deadline": "2026-11-20"}
        vals.update(values)
        return self.Action.with_user(self.section_head).create(vals)

    def to_action_stage(self, nc, head=None):
        """Triage as full CAPA, analyse, plan one corrective action; return the action."""
        head = head or self.section_head
        nc.with_user(head).action_triage_capa()
        if nc.severity == "major":
            nc.with_user(head).write({"containment_description": "Licences of the week re-checked on site",
                                      "containment_by_id": self.clerk.id, "containment_date": "2026-11-02"})
        nc.with_user(head).action_start_analysis()
        nc.with_user(head).write({"root_cause": "The checklist does not ask for the site inspection record."})
        action = self.add_action(nc)
        nc.with_user(head).action_plan_actions()
        return action

    def finish_action(self, action, on="2026-11-10"):
        action.with_user(action.owner_id).write({"evidence_note": "Checklist v2 in use since 9 November."})
        with freeze_time(on):
            action.with_user(action.owner_id).action_done()
