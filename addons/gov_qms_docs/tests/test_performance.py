from odoo.tests import tagged

from .common import QmsDocsCase

LIST_SPEC = {
    "code": {}, "name": {}, "tier": {}, "revision_label": {}, "effective_date": {},
    "department_id": {"fields": {"display_name": {}}}, "owner_id": {"fields": {"display_name": {}}},
    "date_deadline": {}, "is_review_overdue": {}, "state": {}, "company_id": {"fields": {"display_name": {}}},
}


@tagged("post_install", "-at_install")
class TestQueryCounts(QmsDocsCase):
    """Lists and the master list cost the same number of queries for 10 or 80 documents."""

    def make_documents(self, count, prefix):
        departments = [self.bureau, self.section, self.finance, self.city]
        owners = [self.author, self.clerk, self.other_clerk, self.reviewer]
        documents = self.env["qms.document"].create([
            {"name": f"{prefix} procedure {i}", "tier": "procedure", "department_id": departments[i % 4].id,
             "owner_id": owners[i % 4].id} for i in range(count)])
        revisions = self.env["qms.document.revision"].create([
            {"document_id": document.id, "body": "<p>text</p>", "approver_id": self.approver.id,
             "author_id": self.author.id} for document in documents])
        revisions.with_user(self.author).action_submit()
        revisions.with_user(self.approver).action_approve()
        return documents

    def queries(self, function):
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.cr.sql_log_count
        function()
        return self.cr.sql_log_count - before

    def list_queries(self, documents):
        Document = self.env["qms.document"].with_user(self.controller)
        return self.queries(lambda: Document.web_search_read([("id", "in", documents.ids)], LIST_SPEC, limit=200))

    def test_document_list_of_80_rows(self):
        ten = self.make_documents(10, "small")
        eighty = self.make_documents(80, "large")
        self.list_queries(ten)  # warm the caches (views, rules, translations)
        self.assertEqual(self.list_queries(ten), self.list_queries(eighty), "no query per row")
        self.env.invalidate_all()
        with self.assertQueryCount(6):  # documents, revisions, departments, users, partners, companies
            self.env["qms.document"].with_user(self.controller).web_search_read(
                [("id", "in", eighty.ids)], LIST_SPEC, limit=200)

    def test_master_list_of_80_rows(self):
        ten = self.make_documents(10, "small")
        eighty = self.make_documents(80, "large")
        report = "gov_qms_docs.report_qms_master_list"
        Report = self.env["ir.actions.report"].with_user(self.controller)
        self.queries(lambda: Report._render_qweb_html(report, ten.ids))
        self.assertEqual(self.queries(lambda: Report._render_qweb_html(report, ten.ids)),
                         self.queries(lambda: Report._render_qweb_html(report, eighty.ids)), "no query per row")
        self.env.invalidate_all()
        with self.assertQueryCount(10):
            Report._render_qweb_html(report, eighty.ids)
        self.queries(lambda: ten.with_user(self.controller)._qms_master_list_xlsx())
        self.assertEqual(self.queries(lambda: ten.with_user(self.controller)._qms_master_list_xlsx()),
                         self.queries(lambda: eighty.with_user(self.controller)._qms_master_list_xlsx()))
