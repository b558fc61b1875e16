"""The certification body's read-only link to one evidence pack: who may grant it, what it serves, when it
stops, what it records, and that it opens nothing else."""

import http.client
import io
import zipfile
from datetime import date, timedelta
from urllib.parse import urlsplit

from odoo.addons.gov_qms_audit.controllers.evidence_pack_portal import EvidencePackPortal
from odoo.addons.gov_qms_audit.tests.common import QmsAuditCase
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.addons.gov_qms_docs.tests.common import AUDITOR, HEAD, MANAGER, TODAY, VIEWER
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

PACK_FILES = {
    "index.html": b"<!DOCTYPE html><html><body><h1>Clause map</h1>"
                  b"<a href='documents/master_list.pdf'>Master list</a></body></html>",
    "documents/master_list.pdf": b"%PDF-1.4 master list of controlled documents",
    "audits/findings.xlsx": b"PK fake findings register",
    "manifest.xml": b"<?xml version='1.0'?><manifest/>",
}


def zip_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class EvidencePackFixture:
    """A ready pack made directly (the builder is tested elsewhere): a ZIP built here, attached to the pack."""

    @classmethod
    def make_ready_pack(cls, env, name, files=None, company=None, department=None):
        pack = env["qms.evidence.pack"].sudo().create({
            "name": name, "date_from": "2026-01-01", "date_to": "2026-10-31",
            "company_id": (company or env.company).id,
            "department_ids": [(6, 0, department.ids)] if department else [],
        })
        attachment = env["ir.attachment"].sudo().create({
            "name": f"{name}.zip", "raw": zip_bytes(files or PACK_FILES), "mimetype": "application/zip",
            "res_model": pack._name, "res_id": pack.id})
        pack.with_context(qms_transition=TRANSITION).write({"state": "ready", "attachment_id": attachment.id})
        return pack

    @classmethod
    def make_external_auditor(cls, env, name="Ruth Fischer", email="ruth.fischer@certbody.example", **values):
        return env["res.partner"].create({"name": name, "email": email, "lang": "en_US", **values})


@tagged("post_install", "-at_install")
class TestEvidencePackGrant(EvidencePackFixture, QmsAuditCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Grant = cls.env["qms.evidence.pack.grant"]
        cls.pack = cls.make_ready_pack(cls.env, "2026 surveillance audit", department=cls.section)
        cls.external = cls.make_external_auditor(cls.env)

    def grant(self, user=None, **values):
        vals = {"pack_id": self.pack.id, "partner_id": self.external.id, "date_expiry": "2026-12-31", **values}
        return self.Grant.with_user(user or self.qms_manager).create(vals)

    def revoke(self, grant, user=None, reason="The audit is over"):
        wizard = self.env["qms.reason.wizard"].with_user(user or self.qms_manager).create({
            "res_model": grant._name, "res_ids": grant.ids, "method": "_action_revoke", "reason": reason})
        return wizard.action_confirm()

    def test_granting_queues_the_link_by_mail_and_notes_it_on_the_pack(self):
        grant = self.grant()
        self.assertEqual(grant.state, "active")
        token = grant.sudo().token
        self.assertGreaterEqual(len(token), 43)
        self.assertEqual(grant.url, f"{self.pack.get_base_url()}/qms/evidence/{token}/")
        mail = self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.external.ids)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, sent by the mail queue's job")
        self.assertIn(grant.url, mail.body_html)
        self.assertIn(f"{grant.url}pack.zip", mail.body_html)
        self.assertIn(self.pack.name, mail.subject)
        self.assertTrue(mail.auto_delete, "the link does not stay in the database once sent")
        self.assertFalse(mail.model, "attached to no record: whoever reads the grant does not read the link")
        note = self.pack.message_ids.filtered(lambda message: self.external.name in (message.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("ruth.fischer@certbody.example", note.body)
        self.assertNotIn(token, note.body, "the chatter never shows the link")
        second = self.grant(partner_id=self.make_external_auditor(self.env, "Otto Berg", "otto@certbody.example").id)
        self.assertNotEqual(second.sudo().token, token, "every link is different")

    def test_the_link_is_mailed_in_the_auditors_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["gov_qms_audit"], ["zh_CN"], overwrite=True)
        self.external.lang = "zh_CN"
        self.grant()
        mail = self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.external.ids)])
        self.assertIn("认证证据包", mail.subject)
        self.assertIn("打开证据包", mail.body_html)

    def test_only_the_qms_office_grants_and_revokes(self):
        for user in (self.section_head, self.bureau_head, self.controller, self.auditor, self.clerk):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.grant(user=user)
        grant = self.grant()
        for user in (self.section_head, self.controller, self.auditor, self.clerk):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.revoke(grant, user=user)
        self.assertEqual(grant.state, "active")
        self.revoke(grant)
        self.assertEqual(grant.state, "revoked")

    def test_who_reads_the_grants_and_the_log(self):
        grant = self.grant()
        access = self.env["qms.evidence.pack.access"].sudo().create({
            "grant_id": grant.id, "ip_address": "203.0.113.7", "path": "index.html", "result": "allowed"})
        for user in (self.qms_manager, self.auditor, self.section_head, self.bureau_head, self.city_head):
            with self.subTest(user=user.login):
                self.assertEqual(self.Grant.with_user(user).search([("id", "=", grant.id)]), grant)
                self.assertEqual(grant.with_user(user).access_ids, access)
        for user in (self.other_head, self.clerk):
            with self.subTest(user=user.login):
                self.assertFalse(self.Grant.with_user(user).search([("id", "=", grant.id)]) if
                                 self.Grant.with_user(user).has_access("read") else self.Grant)
                with self.assertRaises(AccessError):
                    grant.with_user(user).read(["partner_id"])
                with self.assertRaises(AccessError):
                    access.with_user(user).read(["ip_address"])
        with self.assertRaises(AccessError, msg="only the QMS office sees the link"):
            grant.with_user(self.section_head).read(["url"])
        with self.assertRaises(AccessError, msg="nobody reads the token as such"):
            grant.with_user(self.qms_manager).read(["token"])

    def test_bad_input_gets_a_clear_error(self):
        nobody = self.env["res.partner"].create({"name": "No Mail Auditor"})
        with self.assertRaisesRegex(ValidationError, "has no valid e-mail address"):
            self.grant(partner_id=nobody.id)
        with self.assertRaisesRegex(ValidationError, "a user of this database"):
            self.grant(partner_id=self.clerk.partner_id.id)
        with self.assertRaisesRegex(ValidationError, "that day is past"):
            self.grant(date_expiry="2026-11-29")
        self.assertEqual(self.grant(date_expiry="2026-11-30").state, "active", "today is fine: the whole day")
        with self.assertRaisesRegex(ValidationError, "180 days at most"):
            self.grant(date_expiry=date(2026, 11, 30) + timedelta(days=181))
        self.grant(date_expiry=date(2026, 11, 30) + timedelta(days=180))
        with self.assertRaisesRegex(UserError, "made by the system"):
            self.grant(token="my-own-token")
        draft = self.env["qms.evidence.pack"].sudo().create({
            "name": "Not built", "date_from": "2026-01-01", "date_to": "2026-10-31"})
        with self.assertRaisesRegex(UserError, "only be granted to a ready evidence pack"):
            self.grant(pack_id=draft.id)
        with self.assertRaisesRegex(UserError, "Please give the reason"):
            self.grant().with_user(self.qms_manager)._action_revoke("  ")

    def test_a_grant_never_changes_and_is_kept(self):
        grant = self.grant()
        token = grant.sudo().token
        other = self.make_external_auditor(self.env, "Otto Berg", "otto@certbody.example")
        second_pack = self.make_ready_pack(self.env, "Second pack")
        for vals in ({"partner_id": other.id}, {"pack_id": second_pack.id}, {"date_expiry": "2027-01-31"}):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "never change"):
                grant.with_user(self.qms_manager).write(vals)
        with self.assertRaisesRegex(UserError, "never change"):
            grant.sudo().write({"token": "x" * 43})
        with self.assertRaisesRegex(UserError, "change only through the workflow"):
            grant.with_user(self.qms_manager).write({"revoke_reason": "forged"})
        with self.assertRaises(AccessError, msg="nobody has the right to delete a grant"):
            grant.with_user(self.qms_manager).unlink()
        self.assertEqual(grant.sudo().token, token)

    def test_revoking_takes_a_reason_and_is_noted(self):
        grant = self.grant()
        self.revoke(grant, reason="The certification audit is over")
        self.assertEqual(grant.state, "revoked")
        self.assertEqual(grant.revoked_by_id, self.qms_manager)
        self.assertEqual(grant.revoke_reason, "The certification audit is over")
        self.assertTrue(self.pack.message_ids.filtered(lambda message: "The certification audit is over"
                                                       in (message.body or "")))
        self.assertEqual(grant._qms_refusal(), "revoked")
        with self.assertRaisesRegex(UserError, "no longer works"):
            self.revoke(grant)

    def test_the_link_works_through_the_expiry_day_in_the_auditors_time_zone(self):
        self.external.tz = "Asia/Shanghai"
        grant = self.grant(date_expiry="2026-12-10")
        with freeze_time("2026-12-10 15:59:00"):  # 23:59 in Shanghai
            grant.invalidate_recordset(["state"])
            self.assertEqual(grant.state, "active")
            self.assertIsNone(grant.sudo()._qms_refusal())
        with freeze_time("2026-12-10 16:01:00"):  # 11 December in Shanghai
            grant.invalidate_recordset(["state"])
            self.assertEqual(grant.state, "expired")
            self.assertEqual(grant.sudo()._qms_refusal(), "expired")
            self.assertEqual(self.Grant.search([("state", "=", "expired"), ("id", "=", grant.id)]), grant)
            with self.assertRaisesRegex(UserError, "no longer works"):
                self.revoke(grant)

    def test_a_superseded_pack_stays_readable_until_the_grant_expires(self):
        grant = self.grant()
        self.pack.with_context(qms_transition=TRANSITION).write({"state": "superseded"})
        self.assertIsNone(grant.sudo()._qms_refusal())
        self.pack.with_context(qms_transition=TRANSITION).write({"state": "draft"})
        self.assertEqual(grant.sudo()._qms_refusal(), "unavailable")

    def test_the_access_log_cannot_be_written_or_deleted(self):
        grant = self.grant()
        Access = self.env["qms.evidence.pack.access"]
        access = Access.sudo().create({"grant_id": grant.id, "ip_address": "203.0.113.7", "path": "index.html",
                                       "result": "allowed"})
        self.assertEqual(access.pack_id, self.pack)
        self.assertEqual(access.partner_id, self.external)
        self.assertEqual(grant.access_count, 1)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            access.with_user(self.qms_manager).write({"ip_address": "10.0.0.1"})
        with self.assertRaises(AccessError, msg="nobody has the right to delete the log"):
            access.with_user(self.qms_manager).unlink()
        with self.assertRaisesRegex(UserError, "written by its link only"):
            Access.with_user(self.qms_manager).create({"grant_id": grant.id, "result": "allowed"})
        access.sudo().unlink()  # the superuser may (uninstalling)

    def test_files_are_found_only_by_their_exact_name_in_the_zip(self):
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes(PACK_FILES)))
        member = EvidencePackPortal._qms_member
        self.assertEqual(member(archive, "documents/master_list.pdf").filename, "documents/master_list.pdf")
        for path in ("", "documents", "documents/", "../manifest.xml", "documents/../manifest.xml", "/manifest.xml",
                     "./manifest.xml", "documents//master_list.pdf", "documents\\master_list.pdf", "..",
                     "/etc/passwd", "../../../../etc/passwd", "manifest.xml\x00.pdf", "MANIFEST.XML"):
            with self.subTest(path=path):
                self.assertIsNone(member(archive, path))

    def test_a_zip_stored_in_the_database_is_read_too(self):
        self.env["ir.config_parameter"].sudo().set_param("ir_attachment.location", "db")
        attachment = self.env["ir.attachment"].sudo().create({"name": "db.zip", "raw": zip_bytes(PACK_FILES)})
        self.assertFalse(attachment.store_fname)
        with EvidencePackPortal._qms_open_zip(attachment) as archive:
            self.assertEqual(archive.read("manifest.xml"), PACK_FILES["manifest.xml"])


@tagged("post_install", "-at_install", "qms_ui")
class TestEvidencePackPortal(EvidencePackFixture, HttpCase):
    """The link itself, over HTTP, as the certification body's auditor uses it (no login)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, login="portal_qms_manager", groups=MANAGER, name="Portal QMS Manager")
        new_test_user(cls.env, login="portal_clerk", groups=VIEWER, name="Portal Clerk")
        new_test_user(cls.env, login="portal_head", groups=HEAD, name="Portal Head")
        new_test_user(cls.env, login="portal_auditor", groups=AUDITOR, name="Portal Auditor")
        cls.pack = cls.make_ready_pack(cls.env, "Pack A")
        cls.pack_b = cls.make_ready_pack(cls.env, "Pack B", files={
            "index.html": b"<html><body>Pack B</body></html>", "b_only/secret.pdf": b"%PDF secret of B",
            "manifest.xml": b"<manifest/>"})
        cls.external = cls.make_external_auditor(cls.env)

    def grant(self, pack=None, date_expiry="2026-12-31"):
        grant = self.env["qms.evidence.pack.grant"].with_user(self.manager).create({
            "pack_id": (pack or self.pack).id, "partner_id": self.external.id, "date_expiry": date_expiry})
        return grant, grant.sudo().token

    def get(self, path, **kwargs):
        return self.url_open(path, allow_redirects=False, headers={"User-Agent": "CertBody/1.0"}, **kwargs)

    def raw_get(self, raw_path):
        """A request sent exactly as written (no client-side normalisation of the path)."""
        url = urlsplit(self.base_url())
        self.cr.flush()
        self.cr.clear()
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=12)
        try:
            with self.allow_requests():
                key = self.opener.cookies.get(TEST_CURSOR_COOKIE_NAME)
                connection.request("GET", raw_path, headers={
                    "User-Agent": "CertBody/1.0", "Cookie": f"{TEST_CURSOR_COOKIE_NAME}={key}"})
                response = connection.getresponse()
                return response.status, response.read()
        finally:
            connection.close()

    def log(self, grant):
        self.env.invalidate_all()
        return grant.access_ids.sorted("id")

    def test_the_link_serves_the_pack_until_it_expires(self):
        with freeze_time(TODAY, tick=True):
            grant, token = self.grant(date_expiry="2026-12-10")
            base = f"/qms/evidence/{token}/"
            response = self.get(base)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.content, PACK_FILES["index.html"])
            self.assertTrue(response.headers["Content-Type"].startswith("text/html"))
            self.assertIn("sandbox", response.headers["Content-Security-Policy"])
            self.assertEqual(response.headers["Referrer-Policy"], "no-referrer")
            self.assertIn("no-store", response.headers["Cache-Control"])
            self.assertNotIn("Set-Cookie", response.headers, "no session for the link")
            response = self.get(base + "documents/master_list.pdf")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.content, PACK_FILES["documents/master_list.pdf"])
            self.assertEqual(response.headers["Content-Type"], "application/pdf")
            self.assertTrue(response.headers["Content-Disposition"].startswith("attachment"))
            self.assertEqual(self.get(base + "manifest.xml").content, PACK_FILES["manifest.xml"])
            response = self.get(base + "pack.zip")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.content, self.pack.attachment_id.raw, "the whole ZIP, to verify it offline")
            self.assertTrue(response.headers["Content-Disposition"].startswith("attachment"))
        with freeze_time("2026-12-12 12:00:00", tick=True):
            response = self.get(base)
            self.assertEqual(response.status_code, 403)
            self.assertNotIn(b"Clause map", response.content)
            self.assertIn(b"no longer valid", response.content)
            self.assertEqual(self.get(base + "documents/master_list.pdf").status_code, 403)
        log = self.log(grant)
        self.assertEqual(log.mapped("path"), ["index.html", "documents/master_list.pdf", "manifest.xml", "pack.zip",
                                              "index.html", "documents/master_list.pdf"])
        self.assertEqual(log.mapped("result"), ["allowed"] * 4 + ["expired"] * 2)
        self.assertEqual(set(log.mapped("ip_address")), {"127.0.0.1"})
        self.assertEqual(set(log.mapped("user_agent")), {"CertBody/1.0"})
        self.assertEqual(log.partner_id, self.external)
        self.assertEqual(self.pack.access_ids, log, "the log is on the pack")

    def test_a_revoked_link_is_refused(self):
        with freeze_time(TODAY, tick=True):
            grant, token = self.grant()
            self.assertEqual(self.get(f"/qms/evidence/{token}/").status_code, 200)
            grant.with_user(self.manager)._action_revoke("Sent to the wrong address")
            response = self.get(f"/qms/evidence/{token}/")
            self.assertEqual(response.status_code, 403)
            self.assertNotIn(b"Clause map", response.content)
            self.assertEqual(self.get(f"/qms/evidence/{token}/pack.zip").status_code, 403)
        self.assertEqual(self.log(grant).mapped("result"), ["allowed", "revoked", "revoked"])

    def test_an_unknown_token_is_refused_and_reveals_nothing(self):
        with freeze_time(TODAY, tick=True):
            grant, token = self.grant()
            for path in (f"/qms/evidence/{token[:-1]}/", f"/qms/evidence/{token.upper()}/",
                         f"/qms/evidence/{'x' * 300}/", f"/qms/evidence/{token[:-1]}/manifest.xml",
                         f"/qms/evidence/{token[:-1]}/pack.zip"):
                with self.subTest(path=path):
                    response = self.get(path)
                    self.assertEqual(response.status_code, 404)
                    self.assertNotIn(b"Pack A", response.content)
                    self.assertNotIn(b"Clause map", response.content)
        self.assertFalse(self.log(grant), "only the uses of a known link are logged (on its grant)")

    def test_a_token_opens_its_own_pack_only(self):
        with freeze_time(TODAY, tick=True):
            grant, token = self.grant()
            grant_b, token_b = self.grant(pack=self.pack_b)
            self.assertEqual(self.get(f"/qms/evidence/{token}/").content, PACK_FILES["index.html"])
            self.assertEqual(self.get(f"/qms/evidence/{token_b}/").content, b"<html><body>Pack B</body></html>")
            response = self.get(f"/qms/evidence/{token}/b_only/secret.pdf")
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(b"secret", response.content)
            self.assertEqual(self.get(f"/qms/evidence/{token_b}/b_only/secret.pdf").content, b"%PDF secret of B")
        self.assertEqual(self.log(grant).mapped("result"), ["allowed", "unknown_file"])
        self.assertEqual(self.log(grant_b).mapped("result"), ["allowed", "allowed"])

    def test_no_path_leads_outside_the_zip(self):
        with freeze_time(TODAY, tick=True):
            grant, token = self.grant()
            base = f"/qms/evidence/{token}/"
            for raw in ("..%2F..%2F..%2Fetc%2Fpasswd", "documents/..%2F..%2Fmanifest.xml", "%2e%2e/%2e%2e/odoo",
                        "documents/", "documents%5Cmaster_list.pdf", "%2Fetc%2Fpasswd", "./manifest.xml",
                        "documents//master_list.pdf", "nothing.pdf"):
                with self.subTest(path=raw):
                    status, body = self.raw_get(base + raw)
                    # 404, or werkzeug's redirect of a path with doubled slashes to its plain form, in the pack
                    self.assertIn(status, (301, 308, 404), body[:200])
                    self.assertNotIn(b"root:", body)
                    self.assertNotIn(b"<manifest", body)
        results = set(self.log(grant).mapped("result"))
        self.assertEqual(results, {"unknown_file"})

    def test_the_token_opens_nothing_else_of_the_database(self):
        with freeze_time(TODAY, tick=True):
            _grant, token = self.grant()
            self.assertEqual(self.get(f"/qms/evidence/{token}/").status_code, 200)
            for path in ("/odoo", f"/odoo?token={token}", "/odoo/action-gov_qms_audit.qms_audit_action_my",
                         f"/web?access_token={token}"):
                with self.subTest(path=path):
                    response = self.get(path)
                    self.assertIn(response.status_code, (302, 303))
                    self.assertIn("/web/login", response.headers["Location"])
            attachment = self.pack.attachment_id
            for path in (f"/web/content/{attachment.id}?access_token={token}",
                         f"/web/content/{attachment.id}?download=true&access_token={token}",
                         f"/web/content/qms.evidence.pack/{self.pack.id}/name?access_token={token}"):
                with self.subTest(path=path):
                    response = self.get(path)
                    self.assertIn(response.status_code, (403, 404))
                    self.assertNotEqual(response.content, attachment.raw)
            response = self.url_open("/web/dataset/call_kw/qms.evidence.pack/search_read", json={
                "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                    "model": "qms.evidence.pack", "method": "search_read", "args": [[]],
                    "kwargs": {"fields": ["name"], "context": {"access_token": token}}}},
                headers={"X-Access-Token": token})
            self.assertIn("error", response.json())
            self.assertNotIn("Pack A", response.text)
