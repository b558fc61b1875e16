from datetime import date

from odoo.tests import TransactionCase, freeze_time, new_test_user

VIEWER = "base.group_user"
HEAD = "base.group_user,gov_qms_docs.group_qms_department_head"
CONTROLLER = "base.group_user,gov_qms_docs.group_qms_document_controller"
AUDITOR = "base.group_user,gov_qms_docs.group_qms_auditor"
MANAGER = "base.group_user,gov_qms_docs.group_qms_manager"


# "Today" for every test of the suite, whatever the machine's date: Monday 30 November 2026,
# 10:00 in Beijing (02:00 UTC, the same day in both). The clock ticks from there, so that
# timestamps still follow one another. A test that needs another day freezes it itself.
TODAY = "2026-11-30 02:00:00"


@freeze_time(TODAY, tick=True)
class QmsDocsCase(TransactionCase):
    """A small municipal organisation: a city office above a bureau with two sections,
    and another bureau; users for every QMS role. The company works Monday to Friday
    in Beijing time. Today is Monday 30 November 2026 (see TODAY)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_create_nolog=True))
        cls.company = cls.env.company
        cls.calendar = cls.company.resource_calendar_id
        cls.calendar.tz = "Asia/Shanghai"
        cls.company.write({"qms_ack_reminder_days": 5, "qms_ack_escalation_days": 3,
                           "qms_review_notice_days": 30, "qms_code_per_department": False})

        def user(login, groups, name):
            return new_test_user(cls.env, login=login, groups=groups, name=name, email=f"{login}@city.example")

        cls.qms_manager = user("qms_manager", MANAGER, "Wang QMS Office")
        cls.controller = user("doc_controller", CONTROLLER, "Li Document Controller")
        cls.bureau_head = user("bureau_head", HEAD, "Zhang Bureau Head")
        cls.section_head = user("section_head", HEAD, "Zhao Section Head")
        cls.other_head = user("other_head", HEAD, "Chen Finance Head")
        cls.city_head = user("city_head", HEAD, "Liu City Office Head")
        cls.author = user("author", VIEWER, "Sun Author")
        cls.approver = user("approver", VIEWER, "Zhou Approver")
        cls.reviewer = user("reviewer", VIEWER, "Wu Reviewer")
        cls.clerk = user("clerk", VIEWER, "Xu Clerk")
        cls.other_clerk = user("other_clerk", VIEWER, "Ma Finance Clerk")
        cls.auditor = user("auditor", AUDITOR, "Hu Auditor")

        Department = cls.env["hr.department"]
        Employee = cls.env["hr.employee"]
        cls.city = Department.create({"name": "City QMS Office", "qms_code": "QMO"})
        cls.bureau = Department.create({"name": "Market Regulation Bureau", "parent_id": cls.city.id,
                                        "qms_code": "MRB"})
        cls.section = Department.create({"name": "Licensing Section", "parent_id": cls.bureau.id, "qms_code": "LIC"})
        cls.finance = Department.create({"name": "Finance Bureau", "parent_id": cls.city.id, "qms_code": "FIN"})
        employees = {}
        for usr, department in [
            (cls.city_head, cls.city), (cls.bureau_head, cls.bureau), (cls.section_head, cls.section),
            (cls.other_head, cls.finance), (cls.author, cls.bureau), (cls.approver, cls.bureau),
            (cls.reviewer, cls.bureau), (cls.clerk, cls.section), (cls.other_clerk, cls.finance),
            (cls.controller, cls.city), (cls.qms_manager, cls.city), (cls.auditor, cls.finance),
        ]:
            employees[usr] = Employee.create({"name": usr.name, "user_id": usr.id, "department_id": department.id})
        cls.city.manager_id = employees[cls.city_head]
        cls.bureau.manager_id = employees[cls.bureau_head]
        cls.section.manager_id = employees[cls.section_head]
        cls.finance.manager_id = employees[cls.other_head]

    def make_document(self, **values):
        vals = {"name": "Handling of licence applications", "tier": "procedure", "department_id": self.bureau.id,
                "owner_id": self.author.id, "review_interval_months": 12}
        vals.update(values)
        return self.env["qms.document"].create(vals)

    def make_revision(self, document, user=None, **values):
        """A draft written by `user`, by default the document's owner."""
        vals = {"document_id": document.id, "body": "<p>Step 1: receive the application.</p>",
                "approver_id": self.approver.id, "reviewer_ids": [(6, 0, self.reviewer.ids)]}
        vals.update(values)
        return self.env["qms.document.revision"].with_user(user or document.owner_id).create(vals)

    def make_effective(self, document, effective_date=None, approved_on=None, **values):
        """Write, submit and approve a revision as the real people would; return it.

        `approved_on` (ISO date) runs the approval on that day; by default the day is
        `effective_date`, so that the revision takes effect on it.
        """
        revision = self.make_revision(document, **values)
        if effective_date:
            revision.effective_date = effective_date
        with freeze_time(approved_on or str(effective_date or "2026-11-02")):
            revision.with_user(revision.author_id).action_submit()
            revision.with_user(revision.approver_id).action_approve()
        return revision

    @staticmethod
    def d(text):
        return date.fromisoformat(text)
