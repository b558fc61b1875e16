import io

import openpyxl
from lxml import etree
from PyPDF2 import PdfReader

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import file_open
from odoo.tools.template_inheritance import apply_inheritance_specs

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestReports(QmsDocsCase):
    def setUp(self):
        super().setUp()
        self.manual = self.make_document(tier="manual", name="Quality Manual", department_id=self.city.id,
                                         owner_id=self.controller.id)
        self.procedure = self.make_document(name="Licence applications", parent_id=self.manual.id)
        self.instruction = self.make_document(tier="instruction", name="Counter guide", department_id=self.section.id,
                                              parent_id=self.procedure.id)
        self.budget = self.make_document(name="Budget procedure", department_id=self.finance.id,
                                         owner_id=self.other_head.id)
        self.draft = self.make_document(name="Not yet approved")
        self.old_rev = self.make_effective(self.procedure, body="<p>Old text</p>")
        self.new_rev = self.make_effective(self.procedure, body="<p>New text</p>", change_summary="Faster",
                                           effective_date=self.d("2026-11-03"))
        for document in (self.manual, self.instruction, self.budget):
            self.make_effective(document)
        self.Report = self.env["ir.actions.report"]

    def pdf_text(self, report, records):
        pdf, kind = self.Report.with_context(force_report_rendering=True)._render_qweb_pdf(report, records.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), "wkhtmltopdf produced a real PDF")
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        return " ".join(text.split())

    def wizard(self, **values):
        return self.env["qms.master.list.wizard"].create(values)

    def test_master_list_filters(self):
        city = self.city.id  # the whole test organisation (the database may hold the demo municipality too)
        in_force = self.manual | self.procedure | self.instruction | self.budget
        self.assertEqual(self.wizard(department_id=city)._qms_documents(), in_force, "drafts are left out")
        self.assertEqual(self.wizard(department_id=city, tier="procedure")._qms_documents(),
                         self.procedure | self.budget)
        self.assertEqual(self.wizard(department_id=self.bureau.id)._qms_documents(),
                         self.procedure | self.instruction, "a department includes its sections")
        self.budget.with_user(self.other_head)._action_withdraw("Merged")
        self.assertNotIn(self.budget, self.wizard(department_id=city)._qms_documents())
        self.assertIn(self.budget, self.wizard(department_id=city, include_obsolete=True)._qms_documents())

    def test_master_list_pdf(self):
        self.company.qms_code_per_department = True
        external = self.make_document(tier="external", name="Administrative Licensing Law", department_id=self.city.id,
                                      external_source="National People's Congress")
        self.make_effective(external)
        documents = self.wizard(department_id=self.city.id)._qms_documents()
        self.assertIn(external, documents)
        text = self.pdf_text("gov_qms_docs.report_qms_master_list", documents)
        self.assertIn("Master List of Controlled Documents", text)
        for document in documents:
            self.assertIn(document.code, text)
        self.assertIn("2026-11-03", text, "the effective date of the revision in force")
        self.assertIn("2027-11-03", text, "the next review")
        self.assertNotIn(self.draft.code, text)
        action = self.wizard().action_print_pdf()
        self.assertEqual(action["report_name"], "gov_qms_docs.report_qms_master_list")

    def test_master_list_xlsx(self):
        documents = self.wizard(department_id=self.city.id)._qms_documents()
        sheet = openpyxl.load_workbook(io.BytesIO(documents._qms_master_list_xlsx())).active
        self.assertEqual([cell.value for cell in sheet[4]][:4], ["Code", "Title", "Tier", "Revision"])
        rows = {row[0]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
        self.assertEqual(set(rows), set(documents.mapped("code")))
        procedure_row = rows[self.procedure.code]
        self.assertEqual(procedure_row[1], "Licence applications")
        self.assertEqual(procedure_row[3], "A/1")
        self.assertEqual(procedure_row[4].date(), self.d("2026-11-03"))
        self.assertEqual(procedure_row[6], "Sun Author")
        self.assertEqual(procedure_row[7].date(), self.d("2027-11-03"))
        self.assertIn("department_id=", self.wizard(department_id=self.bureau.id).action_download_xlsx()["url"])

    def test_document_print_has_the_control_block(self):
        text = self.pdf_text("gov_qms_docs.report_qms_document_revision", self.new_rev)
        for expected in (self.procedure.code, "Revision", "2026-11-03", "Zhou Approver", "Uncontrolled when printed",
                         "New text"):
            self.assertIn(expected, text)
        self.assertNotIn("OBSOLETE", text)

    def test_chinese_text_extracts_as_the_characters_shown(self):
        """文 and the Kangxi radical ⽂ share one glyph in CJK fonts: the PDF's text must say 文, so that
        copying and searching a printed procedure works."""
        document = self.make_document(name="文件控制程序", department_id=self.city.id)
        revision = self.make_effective(document, body="<p>本程序规定文件的编制、审批、发布和作废。</p>")
        text = self.pdf_text("gov_qms_docs.report_qms_document_revision", revision)
        self.assertIn("文件控制程序", text)
        self.assertIn("本程序规定文件的编制", text.replace(" ", ""))
        aliases = [char for char in text if 0x2E80 <= ord(char) <= 0x2FDF or 0xF900 <= ord(char) <= 0xFAFF]
        self.assertFalse(aliases, "no radical look-alikes in the extracted text")

    def test_print_from_the_document_gives_the_revision_in_force(self):
        action = self.procedure.action_print_current()
        self.assertEqual(action["report_name"], "gov_qms_docs.report_qms_document_revision")
        self.assertEqual(action["context"]["active_ids"], self.new_rev.ids)
        with self.assertRaises(UserError):
            self.draft.action_print_current()

    def test_superseded_revision_prints_as_obsolete(self):
        self.assertEqual(self.old_rev.state, "superseded")
        text = self.pdf_text("gov_qms_docs.report_qms_document_revision", self.old_rev)
        self.assertIn("OBSOLETE - DO NOT USE", text)
        self.assertIn("Old text", text)


@tagged("post_install", "-at_install")
class TestPlainErrorDialogs(QmsDocsCase):
    """The web client's error dialogs speak plainly: our overrides apply to Odoo's own templates."""

    def test_dialogs_without_jokes(self):
        paths = self.env["ir.asset"]._get_asset_paths("web.assets_backend", {})
        self.assertIn("gov_qms_docs/static/src/xml/qms_error_dialogs.xml", [path[0].lstrip("/") for path in paths])
        with file_open("gov_qms_docs/static/src/xml/qms_error_dialogs.xml", "rb") as ours:
            overrides = etree.fromstring(ours.read())
        sources = {"web.ErrorDialog": "web/static/src/core/errors/error_dialogs.xml",
                   "web.FormErrorDialog": "web/static/src/views/form/form_error_dialog/form_error_dialog.xml"}
        for override in overrides.iterfind("t[@t-inherit]"):
            with file_open(sources[override.get("t-inherit")], "rb") as odoo_file:
                odoo_templates = etree.fromstring(odoo_file.read())
            # a template alone, as the web client inherits it (an xpath "//" must not reach its neighbours)
            source = etree.fromstring(etree.tostring(odoo_templates.find(f"t[@t-name='{override.get('t-inherit')}']")))
            specs = etree.Element("data")
            specs.extend(list(override))
            result = etree.tostring(apply_inheritance_specs(source, specs), encoding="unicode")
            for joke in ("Oh snap", "Oops", "friendly support"):
                self.assertNotIn(joke, result)
            self.assertIn("system administrator" if "Form" not in override.get("t-inherit") else "cannot be saved",
                          result)
        self.assertEqual(len(overrides.findall("t[@t-inherit]")), 2)
