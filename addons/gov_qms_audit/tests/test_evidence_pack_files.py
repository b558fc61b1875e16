import base64
import io
import zipfile
from unittest.mock import patch

from odoo.addons.gov_qms_audit.models import qms_evidence_pack
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged
from odoo.tools.pdf import PdfFileReader

from .test_evidence_pack import EvidencePackCase, xlsx_text

CHINESE_TITLE = "文件控制程序未执行：受理窗口使用作废版本"


def pdf_text(data):
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return "\n".join(page.extract_text() for page in reader.pages)


@tagged("post_install", "-at_install")
class TestEvidencePackFiles(EvidencePackCase):
    """How the pack's files are made: audit reports stored when approved (and protected like the minutes), the
    registers and the index written as PDFs without wkhtmltopdf (Chinese text extracting as written), revisions
    without a signed file as their approved text, registers read in batches."""

    def reported_audit(self, department):
        return self.env["qms.audit"].sudo().create({
            "lead_auditor_id": self.audit1.lead_auditor_id.id, "company_id": self.co.id,
            "department_ids": [(6, 0, department.ids)], "date_start": "2026-04-07", "date_end": "2026-04-08",
            "clause_ids": [(6, 0, self.clause_doc_control.ids)], "state": "reported",
            "conclusions": "<p>Records kept as the procedure says.</p>"})

    def approve(self, audit, **context):
        lead = audit.lead_auditor_id.user_id
        audit.with_user(lead).with_company(self.co).with_context(**context).action_approve_report()

    def test_final_report_is_stored_at_approval_and_kept(self):
        audit = self.reported_audit(self.dB)
        self.approve(audit, force_report_rendering=True)
        first = audit.report_attachment_id
        self.assertTrue(first.raw.startswith(b"%PDF"), "the report as approved, rendered once")
        self.assertEqual((first.res_model, first.res_id), (audit._name, audit.id))
        self.assertEqual(audit.report_attachment_ids, first)
        # protected as the minutes are: neither replaced nor deleted, by anyone
        for user in (self.qms_manager, audit.lead_auditor_id.user_id):
            with self.assertRaisesRegex(UserError, "locked"):
                first.with_user(user).unlink()
            with self.assertRaisesRegex(UserError, "locked"):
                first.with_user(user).write({"raw": b"%PDF forged"})
        with self.assertRaisesRegex(UserError, "locked"):
            first.sudo().unlink()
        # reopened: the report may change, the PDF approved before stays as it was
        audit.with_user(self.qms_manager).with_company(self.co)._action_reopen_report("A finding was wrong")
        self.assertEqual(audit.report_state, "draft")
        self.assertEqual(audit.report_attachment_id, first, "the last approved report, until a new approval")
        with self.assertRaisesRegex(UserError, "locked"):
            first.with_user(self.qms_manager).unlink()
        with self.assertRaises(UserError):
            audit.with_user(self.qms_manager).write({"report_attachment_id": False})
        with self.assertRaises(UserError):
            audit.with_user(self.qms_manager).write({"report_attachment_ids": [(5, 0, 0)]})
        with self.assertRaisesRegex(UserError, "locked"):
            first.with_user(self.qms_manager).write({"res_id": audit.id + 1})
        self.approve(audit)
        second = audit.report_attachment_id
        self.assertNotEqual(second, first)
        self.assertEqual(audit.report_attachment_ids, first | second)
        with self.assertRaisesRegex(UserError, "locked"):
            second.with_user(self.qms_manager).unlink()
        # closed: still there, and frozen with the audit
        audit.with_user(self.qms_manager).with_company(self.co).action_close()
        self.assertEqual(audit.state, "closed")
        self.assertEqual(audit.report_attachment_ids, first | second)

    def test_closing_an_audit_approved_before_reports_were_stored_stores_it(self):
        audit = self.reported_audit(self.dB)
        audit.sudo().write({"report_state": "final"})  # approved by an earlier version of the suite
        audit.with_user(self.qms_manager).with_company(self.co).action_close()
        self.assertTrue(audit.report_attachment_id)

    def test_a_pack_copies_stored_reports_and_renders_nothing(self):
        audit = self.reported_audit(self.dB)
        self.approve(audit)
        stored = audit.report_attachment_id.raw
        nc = self.env["qms.nonconformity"].sudo().create({
            "title": CHINESE_TITLE, "department_id": self.dB.id, "date_detected": "2026-03-02",
            "company_id": self.co.id})
        Report = type(self.env["ir.actions.report"])
        with patch.object(Report, "_run_wkhtmltopdf", side_effect=AssertionError("wkhtmltopdf run")):
            pack = self.make_pack(self.env["qms.evidence.pack"].with_user(self.other_head).with_company(self.co),
                                  department_ids=[(6, 0, self.dB.ids)])
            pack.action_build()
        with self.zip_of(pack) as archive:
            self.assertEqual(archive.read(f"audits/{audit.name}_report.pdf"), stored)
            register = archive.read("capa/register.pdf")
            index = archive.read("index.pdf")
            names = set(archive.namelist())
        self.assertFalse([name for name in names if "AUD" in name and name != f"audits/{audit.name}_report.pdf"],
                         "the planned audit of Inspection has no report yet")
        # the registers and the index: real PDFs, their fonts embedded, Chinese text extracting as written
        for data in (register, index):
            self.assertTrue(data.startswith(b"%PDF-1.7"))
            self.assertIn(b"/FontFile2", data)
        text = pdf_text(register)
        self.assertIn(nc.name, text)
        self.assertIn(CHINESE_TITLE[:10], text.replace("\n", ""))
        self.assertFalse([char for char in text if 0x2E80 <= ord(char) <= 0x2FDF], "no radical look-alikes")
        index_text = pdf_text(index)
        self.assertEqual(index_text.count("GAP: no evidence in this pack"), pack.gap_count)
        self.assertIn(f"audits/{audit.name}_report.pdf", index_text.replace("\n", ""))
        links = {annotation.get_object()["/A"]["/URI"]
                 for page in PdfFileReader(io.BytesIO(index)).pages for annotation in page.get("/Annots") or []}
        self.assertIn(f"audits/{audit.name}_report.pdf", links, "each file a link to its place in the pack")

    def test_revision_without_a_signed_file_is_its_approved_text(self):
        for user in (self.author, self.approver):
            user.company_ids = [(4, self.co.id)]
        document = self.env["qms.document"].create({
            "name": "Counter opening hours", "tier": "instruction", "department_id": self.dA.id,
            "company_id": self.co.id, "owner_id": self.author.id})
        revision = self.env["qms.document.revision"].with_user(self.author).with_company(self.co).create({
            "document_id": document.id, "body": "<p>窗口每天 8:30 开放。</p>", "approver_id": self.approver.id})
        with freeze_time("2026-03-02 02:00:00"):
            revision.with_user(self.author).with_company(self.co).action_submit()
            revision.with_user(self.approver).with_company(self.co).action_approve()
        pack = self.make_pack()
        pack.action_build()
        path = f"documents/{pack._qms_safe(document.code)}_{pack._qms_safe(revision.name)}.html"
        with self.zip_of(pack) as archive:
            page = archive.read(path).decode()
            index = archive.read("index.html").decode()
            master_list = pdf_text(archive.read("documents/master_list.pdf"))
        self.assertIn("窗口每天 8:30 开放。", page)
        self.assertIn(document.code, page)
        self.assertIn(self.approver.name, page)
        self.assertIn(f'href="{path}"', index)
        self.assertIn(document.code, master_list)
        self.assertIn("Counter opening hours", master_list)

    def test_registers_are_read_in_batches(self):
        """A register holds every row whatever the batch size (the memory of a batch, whatever the pack)."""
        ncs = self.env["qms.nonconformity"].sudo().create([
            {"title": f"Batch {i:02d}", "department_id": self.dB.id, "date_detected": "2026-04-01",
             "company_id": self.co.id} for i in range(23)])
        with patch.object(qms_evidence_pack, "BATCH_SIZE", 4), \
                patch.object(qms_evidence_pack, "XLSX_IN_MEMORY_ROWS", 8):  # and written to disk row by row
            pack = self.make_pack(department_ids=[(6, 0, self.dB.ids)])
            pack.action_build()
        with self.zip_of(pack) as archive:
            workbook = zipfile.ZipFile(io.BytesIO(archive.read("capa/register.xlsx")))
            text = xlsx_text(workbook)
            register = pdf_text(archive.read("capa/register.pdf"))
        for nc in ncs | self.nc3:
            self.assertEqual(text.count(f">{nc.name}<"), 1 + len(nc.action_ids) + len(nc.check_ids), nc.name)
            self.assertIn(nc.title, register)
        self.assertEqual(pack.state, "ready")
        pack.action_verify()
        self.assertTrue(pack.verify_ok)

    def test_evidence_files_are_copied_from_the_filestore(self):
        """Attachments go into the ZIP from the filestore as they are (never rendered or read whole)."""
        pack = self.make_pack()
        pack.action_build()
        with self.zip_of(pack) as archive:
            copied = archive.read(f"capa/{self.nc1.name}/{self.nc1_file.id}_refund_receipt.pdf")
        self.assertEqual(copied, base64.b64decode(self.nc1_file.datas))
