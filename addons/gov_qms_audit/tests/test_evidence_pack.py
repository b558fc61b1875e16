import base64
import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .test_management_review import ReviewCityCase

TOOL = Path(__file__).resolve().parents[1] / "tools" / "evidence_pack.py"


def xlsx_text(workbook):
    """The texts of an XLSX workbook (a ZipFile), whether shared or, as in a register written row by row, in
    its sheets."""
    return "".join(workbook.read(name).decode() for name in workbook.namelist()
                   if name.startswith(("xl/sharedStrings", "xl/worksheets/")))


class EvidencePackCase(ReviewCityCase):
    """Packs of the review test's city (its own company, so that the demo stays out): the whole organisation,
    and the Inspection Section's own pack built by its head (the fixture, shared with test_evidence_pack_probe)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # a document in force citing 7.5.3, with a signed PDF
        for user in (cls.author, cls.approver):
            user.company_ids = [(4, cls.co.id)]
        cls.document = env["qms.document"].create({
            "name": "Licence applications", "tier": "procedure", "department_id": cls.dA.id, "company_id": cls.co.id,
            "owner_id": cls.author.id, "clause_ids": [(6, 0, cls.clause_doc_control.ids)]})
        revision = env["qms.document.revision"].with_user(cls.author).with_company(cls.co).create({
            "document_id": cls.document.id, "body": "<p>Step 1</p>", "approver_id": cls.approver.id,
            "file": base64.b64encode(b"%PDF-1.4 signed procedure")})
        with freeze_time("2026-03-02 02:00:00"):
            revision.with_user(cls.author).with_company(cls.co).action_submit()
            revision.with_user(cls.approver).with_company(cls.co).action_approve()
        # evidence of a closed nonconformity (Licensing) and of the open one (Inspection)
        Attachment = env["ir.attachment"]
        Attachment.create({"name": "draft report.pdf", "raw": b"%PDF draft", "res_model": "qms.nonconformity",
                           "res_id": cls.nc3.id})
        cls.Pack = env["qms.evidence.pack"].with_user(cls.qms_manager).with_company(cls.co)

    def make_pack(self, Pack=None, **values):
        return (self.Pack if Pack is None else Pack).create({"name": "2026 surveillance", "date_from": "2026-01-01",
                                           "date_to": "2026-06-30", "company_id": self.co.id, **values})

    def zip_of(self, pack):
        attachment = pack.attachment_id.sudo()
        return zipfile.ZipFile(attachment._full_path(attachment.store_fname))

    def manifest_of(self, pack):
        with self.zip_of(pack) as archive:
            return etree.fromstring(archive.read("manifest.xml"))


@tagged("post_install", "-at_install")
class TestEvidencePack(EvidencePackCase):
    """The pack's contents, build, verification and rules, on EvidencePackCase's city."""

    # ------------------------------------------------------------------ contents

    def test_whole_organisation_pack_contents_and_clause_map(self):
        pack = self.make_pack()
        pack.action_build()
        self.assertEqual(pack.state, "ready")
        with self.zip_of(pack) as archive:
            names = set(archive.namelist())
            index = archive.read("index.html").decode()
            self.assertTrue(archive.read("index.pdf").startswith(b"%PDF"))
            revision = pack._qms_safe(self.document.current_revision_id.name)  # A/0 is A_0 in a file name
            self.assertEqual(archive.read(f"documents/{self.document.code}_{revision}.pdf"),
                             b"%PDF-1.4 signed procedure")
        expected = {
            "index.html", "index.pdf", "manifest.xml", "documents/master_list.pdf", "documents/master_list.xlsx",
            "audits/programme_2026.html", f"audits/{self.audit1.name}_report.pdf", "audits/findings.xlsx",
            "capa/register.xlsx", "capa/register.pdf", f"capa/{self.nc1.name}/{self.nc1_file.id}_refund_receipt.pdf",
            f"reviews/{self.previous.name}_minutes.pdf",
        }
        self.assertFalse(expected - names, sorted(names))
        self.assertFalse([name for name in names if "draft_report" in name], "open NCs' evidence stays out")
        self.assertEqual(pack.file_count, len(names))
        # the clause map: 7.5.3 shown by the procedure, 9.3 by the minutes, 10.2 by the registers
        self.assertIn(f'href="documents/{self.document.code}_', index)
        for clause, path in (("9.3", f"reviews/{self.previous.name}_minutes.pdf"), ("10.2", "capa/register.pdf"),
                             ("9.2", f"audits/{self.audit1.name}_report.pdf")):
            row = index.split(f"<td>{clause}</td>", 1)[1].split("</tr>", 1)[0]
            self.assertIn(path, row, clause)
        # the gaps are listed, and counted
        self.assertGreater(pack.gap_count, 0)
        self.assertEqual(index.count("GAP: no evidence in this pack"), pack.gap_count)
        # the chatter carries both hashes, which match the stored ZIP and its manifest
        message = pack.message_ids.filtered(lambda m: pack.zip_sha256 in (m.body or ""))
        self.assertTrue(message and pack.manifest_sha256 in message.body)

    def test_manifest_hashes_are_the_files(self):
        pack = self.make_pack()
        pack.action_build()
        with self.zip_of(pack) as archive:
            root = etree.fromstring(archive.read("manifest.xml"))
            entries = root.xpath("//*[local-name()='file']")
            self.assertEqual(len(entries), len(archive.namelist()) - 1)
            for entry in entries:
                data = archive.read(entry.get("path"))
                self.assertEqual(entry.get("sha256"), hashlib.sha256(data).hexdigest(), entry.get("path"))
                self.assertEqual(int(entry.get("size")), len(data))
            self.assertEqual(hashlib.sha256(archive.read("manifest.xml")).hexdigest(), pack.manifest_sha256)
        audit_entry = [e for e in entries if e.get("path") == f"audits/{self.audit1.name}_report.pdf"][0]
        self.assertEqual((audit_entry.get("sourceModel"), int(audit_entry.get("sourceId"))),
                         ("qms.audit", self.audit1.id))

    def test_department_pack_holds_only_its_departments(self):
        self.other_head.company_ids = [(4, self.co.id)]
        Pack = self.env["qms.evidence.pack"].with_user(self.other_head).with_company(self.co)  # heads Inspection
        with self.assertRaisesRegex(UserError, "pack of the whole organisation is prepared by the QMS office"):
            self.make_pack(Pack)
        with self.assertRaisesRegex(UserError, "Test Licensing is not one of the departments you head"):
            self.make_pack(Pack, department_ids=[(6, 0, self.dA.ids)])
        pack = self.make_pack(Pack, department_ids=[(6, 0, self.dB.ids)])
        pack.action_build()
        with self.zip_of(pack) as archive:
            names = set(archive.namelist())
            register = archive.read("capa/register.xlsx")
        self.assertFalse([name for name in names if name.startswith(("reviews/", "documents/"))])
        self.assertFalse([name for name in names if self.audit1.name in name], "the Licensing audit stays out")
        self.assertFalse([name for name in names if self.nc1.name in name])
        with zipfile.ZipFile(io.BytesIO(register)) as workbook:  # an XLSX is a ZIP of XML parts
            strings = xlsx_text(workbook)
        for nc in (self.nc3, self.nc4, self.nc6):
            self.assertIn(nc.name, strings)
        for nc in (self.nc1, self.nc2, self.nc5):
            self.assertNotIn(nc.name, strings)
        # and the head cannot read the QMS office's packs of the whole organisation
        office_pack = self.make_pack()
        with self.assertRaises(AccessError):
            office_pack.with_user(self.other_head).read(["name"])

    # ------------------------------------------------------------------ queued build

    def test_large_pack_is_queued_with_its_progress(self):
        self.co.qms_evidence_pack_async_files = 3
        pack = self.make_pack()
        pack.action_build()
        self.assertEqual(pack.state, "building")
        self.assertGreater(pack.files_total, 3)
        self.assertEqual(pack.files_done, 0)
        cron = self.env.ref("gov_qms_audit.ir_cron_qms_evidence_pack_build")
        self.assertTrue(self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)]))
        self.env["qms.evidence.pack"]._cron_build_packs()
        self.assertEqual(pack.state, "ready")
        self.assertEqual(pack.files_done, pack.files_total)
        self.assertEqual(pack.progress, 100.0)
        notified = pack.message_ids.filtered(lambda m: self.qms_manager.partner_id in m.partner_ids)
        self.assertTrue(notified, "the requester is told the pack is ready")

    def test_a_newer_pack_of_the_same_scope_supersedes_the_older(self):
        first = self.make_pack()
        first.action_build()
        second = self.make_pack()
        second.action_build()
        self.assertEqual((first.state, first.superseded_by_id), ("superseded", second))
        self.assertEqual(second.state, "ready")

    # ------------------------------------------------------------------ verification

    def rewrite_zip(self, pack, change):
        """Rewrite the stored ZIP in place with `change(files)` (a dict path -> bytes)."""
        attachment = pack.attachment_id.sudo()
        path = attachment._full_path(attachment.store_fname)
        with zipfile.ZipFile(path) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
        change(files)
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return path

    def test_verify_catches_changed_missing_added_files_and_a_tampered_manifest(self):
        pack = self.make_pack()
        pack.action_build()
        pack.action_verify()
        self.assertTrue(pack.verify_ok)
        self.assertIn(f"Verified: {pack.file_count - 1} files", pack.verify_result)

        def tamper(files):
            files["capa/register.xlsx"] = b"forged"
            del files["documents/master_list.xlsx"]
            files["documents/extra.pdf"] = b"%PDF added"

        path = self.rewrite_zip(pack, tamper)
        pack.action_verify()
        self.assertFalse(pack.verify_ok)
        for line in ("changed: capa/register.xlsx", "missing: documents/master_list.xlsx",
                     "added: documents/extra.pdf"):
            self.assertIn(line, pack.verify_result)
        # the command line gives the same verdict, with Python's standard library alone
        result = subprocess.run([sys.executable, "-I", "-S", str(TOOL), path, "--manifest-sha256",
                                 pack.manifest_sha256], capture_output=True, text=True, check=False)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("changed: capa/register.xlsx", result.stdout)

    def test_verify_catches_a_manifest_rewritten_to_match(self):
        pack = self.make_pack()
        pack.action_build()

        def forge(files):  # the file changed and the manifest rewritten with its new hash
            files["capa/register.xlsx"] = b"forged"
            root = etree.fromstring(files["manifest.xml"])
            entry = root.xpath("//*[local-name()='file'][@path='capa/register.xlsx']")[0]
            entry.set("sha256", hashlib.sha256(b"forged").hexdigest())
            entry.set("size", str(len(b"forged")))
            files["manifest.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

        path = self.rewrite_zip(pack, forge)
        pack.action_verify()
        self.assertFalse(pack.verify_ok)
        self.assertIn("manifest", pack.verify_result)
        ok = subprocess.run([sys.executable, "-I", "-S", str(TOOL), path], capture_output=True, text=True,
                            check=False)
        self.assertEqual(ok.returncode, 0, "without the published hash the forged pack is self-consistent")
        refused = subprocess.run([sys.executable, "-I", "-S", str(TOOL), path, "--manifest-sha256",
                                  pack.manifest_sha256], capture_output=True, text=True, check=False)
        self.assertEqual(refused.returncode, 1)

    # ------------------------------------------------------------------ rules

    def test_ready_pack_is_read_only_and_kept(self):
        pack = self.make_pack()
        pack.action_build()
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            pack.write({"date_to": "2026-12-31"})
        with self.assertRaisesRegex(UserError, "kept as evidence"):
            pack.unlink()
        with self.assertRaisesRegex(UserError, "locked"):
            pack.attachment_id.with_user(self.qms_manager).unlink()
        with self.assertRaisesRegex(UserError, "workflow"):
            self.make_pack().write({"zip_sha256": "0" * 64})
        with self.assertRaisesRegex(UserError, "this step is not possible now"):
            pack.action_build()

    def test_access_per_group(self):
        pack = self.make_pack()
        pack.action_build()
        Pack = self.env["qms.evidence.pack"].with_company(self.co)
        self.assertEqual(Pack.with_user(self.auditor).search([("id", "=", pack.id)]), pack)
        pack.with_user(self.auditor).action_verify()  # an auditor checks the pack they read
        self.assertTrue(pack.verify_ok)
        with self.assertRaises(AccessError):
            self.make_pack().with_user(self.auditor).write({"name": "x"})
        for user in (self.clerk, self.bureau_head):
            with self.assertRaises(AccessError):
                pack.with_user(user).read(["name"])
        with self.assertRaises(AccessError):
            Pack.with_user(self.clerk).create({"name": "x", "date_from": "2026-01-01", "date_to": "2026-06-30"})

    def test_bad_input(self):
        with self.assertRaisesRegex(ValidationError, r"ends \(2026-01-01\) before it starts \(2026-06-30\)"):
            self.make_pack(date_from="2026-06-30", date_to="2026-01-01")
        pack = self.make_pack()
        with self.assertRaisesRegex(UserError, "has not been built yet"):
            pack.action_verify()
