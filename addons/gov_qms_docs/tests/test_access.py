from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestAccess(QmsDocsCase):
    """Who sees and changes what, for each QMS role (allowed and refused)."""

    def setUp(self):
        super().setUp()
        self.effective_doc = self.make_document(name="Licensing procedure")
        self.effective_rev = self.make_effective(self.effective_doc)
        self.draft_doc = self.make_document(name="Draft fee schedule")
        self.draft_rev = self.make_revision(self.draft_doc)
        self.finance_doc = self.make_document(name="Budget procedure", department_id=self.finance.id,
                                              owner_id=self.other_head.id)
        self.Document = self.env["qms.document"]
        self.Revision = self.env["qms.document.revision"]

    def visible(self, model, user, records):
        return self.env[model].with_user(user).search([("id", "in", records.ids)])

    def test_every_employee_reads_effective_revisions_only(self):
        revisions = self.effective_rev | self.draft_rev
        self.assertEqual(self.visible("qms.document.revision", self.clerk, revisions), self.effective_rev)
        self.assertEqual(self.visible("qms.document", self.clerk, self.effective_doc | self.draft_doc),
                         self.effective_doc)
        with self.assertRaises(AccessError):
            self.draft_rev.with_user(self.clerk).read(["body"])

    def test_drafts_are_seen_by_those_involved(self):
        for user in (self.author, self.reviewer, self.approver, self.bureau_head, self.city_head, self.controller):
            self.assertEqual(self.visible("qms.document.revision", user, self.draft_rev), self.draft_rev,
                             f"{user.name} works on the draft")
        for user in (self.other_head, self.other_clerk, self.section_head):
            self.assertFalse(self.visible("qms.document.revision", user, self.draft_rev),
                             f"{user.name} has nothing to do with the draft")

    def test_viewers_cannot_create_or_change_others_documents(self):
        with self.assertRaises(AccessError):
            self.Document.with_user(self.clerk).create({"name": "Mine", "tier": "procedure",
                                                        "department_id": self.section.id})
        with self.assertRaises(AccessError):
            self.effective_doc.with_user(self.clerk).write({"name": "renamed"})
        with self.assertRaises(AccessError):
            self.Revision.with_user(self.clerk).create({"document_id": self.effective_doc.id, "body": "<p>x</p>"})

    def test_owner_maintains_own_document(self):
        self.effective_doc.with_user(self.author).write({"review_interval_months": 24})
        revision = self.Revision.with_user(self.author).create({"document_id": self.effective_doc.id,
                                                               "body": "<p>x</p>"})
        self.assertEqual(revision.author_id, self.author)

    def test_department_head_manages_own_and_sub_departments_only(self):
        section_doc = self.make_document(name="Counter service", department_id=self.section.id)
        head_docs = self.Document.with_user(self.bureau_head)
        created = head_docs.create({"name": "Inspection", "tier": "procedure", "department_id": self.section.id,
                                    "owner_id": self.clerk.id})
        section_doc.with_user(self.bureau_head).write({"review_interval_months": 6})
        self.assertEqual(created.department_id, self.section)
        with self.assertRaises(AccessError):
            head_docs.create({"name": "Budget", "tier": "procedure", "department_id": self.finance.id,
                              "owner_id": self.other_clerk.id})
        with self.assertRaises(AccessError):
            self.finance_doc.with_user(self.bureau_head).write({"review_interval_months": 6})
        with self.assertRaises(AccessError, msg="the section head does not manage the bureau above"):
            self.effective_doc.with_user(self.section_head).write({"review_interval_months": 6})

    def test_document_controller_manages_every_department(self):
        self.finance_doc.with_user(self.controller).write({"review_interval_months": 3})
        self.Document.with_user(self.controller).create({"name": "Records control", "tier": "procedure",
                                                         "department_id": self.finance.id,
                                                         "owner_id": self.other_head.id})
        self.assertEqual(self.visible("qms.document", self.controller, self.draft_doc), self.draft_doc)

    def test_auditor_reads_everything_changes_nothing(self):
        all_docs = self.effective_doc | self.draft_doc | self.finance_doc
        self.assertEqual(self.visible("qms.document", self.auditor, all_docs), all_docs)
        self.assertEqual(self.visible("qms.document.revision", self.auditor, self.draft_rev), self.draft_rev)
        with self.assertRaises(AccessError):
            self.finance_doc.with_user(self.auditor).write({"name": "x"})

    def test_clause_applicability_is_for_the_qms_manager(self):
        clause = self.env.ref("gov_qms_docs.iso_clause_8_3")
        with self.assertRaises(AccessError):
            clause.with_user(self.controller).write({"applicable": False, "exclusion_justification": "x"})
        clause.with_user(self.qms_manager).write({
            "applicable": False, "exclusion_justification": "The bureau designs no new services."})
        self.assertFalse(clause.applicable)
        self.assertEqual(clause.with_user(self.clerk).exclusion_justification, "The bureau designs no new services.")

    def test_acknowledgements_visibility(self):
        doc = self.make_document(distribution_department_ids=[(6, 0, self.section.ids)])
        self.make_effective(doc)
        Ack = self.env["qms.document.acknowledgement"]
        acks = Ack.search([("document_id", "=", doc.id)])
        self.assertEqual(Ack.with_user(self.clerk).search([("id", "in", acks.ids)]).user_id, self.clerk)
        self.assertEqual(Ack.with_user(self.author).search([("id", "in", acks.ids)]), acks, "the owner sees all")
        self.assertEqual(Ack.with_user(self.section_head).search([("id", "in", acks.ids)]), acks)
        self.assertFalse(Ack.with_user(self.other_head).search([("id", "in", acks.ids)]))
        with self.assertRaises(AccessError):
            acks.filtered(lambda a: a.user_id == self.clerk).with_user(self.author).write({"user_id": self.author.id})

    def test_processes_read_by_all_changed_by_their_department(self):
        process = self.env["qms.process"].create({"name": "Licensing", "department_id": self.section.id})
        self.assertEqual(self.env["qms.process"].with_user(self.other_clerk).search([("id", "=", process.id)]),
                         process)
        process.with_user(self.bureau_head).write({"complete_days": 5})
        with self.assertRaises(AccessError):
            process.with_user(self.other_head).write({"complete_days": 3})
        with self.assertRaises(AccessError):
            process.with_user(self.clerk).write({"complete_days": 3})
