"""The certification body's read-only link to one evidence pack: ``/qms/evidence/<token>/``.

The token is the whole credential (no login, no session): it serves the files of one pack's ZIP, the
clause map (``index.html``) first, and the ZIP itself (``pack.zip``) for checking it without Odoo,
until the grant expires or is revoked. Nothing else of the database is reachable with it. Every
request with a known token is recorded in the pack's access log, served or refused.
"""

import hmac
import io
import logging
import mimetypes
import posixpath
import zipfile

from markupsafe import Markup
from werkzeug.wsgi import wrap_file

from odoo import http
from odoo.http import Response, content_disposition, request

_logger = logging.getLogger(__name__)

INDEX = "index.html"
ZIP_NAME = "pack.zip"
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_TOKEN = 128

# Headers of every answer: the link is personal (never cached, never sent on as a referrer, never indexed)
COMMON_HEADERS = {
    "Cache-Control": "no-store, private",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
# The clause map is shown as a sandboxed page: no script runs, it cannot act on the Odoo origin, and it
# reaches nothing but its own links (to the pack's files, which are downloads)
HTML_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
               "sandbox allow-downloads allow-popups allow-popups-to-escape-sandbox")
FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


class EvidencePackPortal(http.Controller):
    @http.route("/qms/evidence/<string:token>/", type="http", auth="public", methods=["GET"], save_session=False,
                readonly=False)
    def qms_evidence_pack_index(self, token, **_kwargs):
        return self._qms_serve(token, INDEX)

    @http.route(f"/qms/evidence/<string:token>/{ZIP_NAME}", type="http", auth="public", methods=["GET"],
                save_session=False, readonly=False)
    def qms_evidence_pack_zip(self, token, **_kwargs):
        return self._qms_serve(token, ZIP_NAME)

    @http.route("/qms/evidence/<string:token>/<path:path>", type="http", auth="public", methods=["GET"],
                save_session=False, readonly=False)
    def qms_evidence_pack_file(self, token, path, **_kwargs):
        return self._qms_serve(token, path)

    # ------------------------------------------------------------------ serving

    def _qms_serve(self, token, path):
        grant = self._qms_find_grant(token)
        if not grant:
            _logger.info("evidence pack link refused: unknown token from %s", request.httprequest.remote_addr)
            return self._qms_refuse(grant, 404)
        refusal = grant._qms_refusal()
        if refusal:
            self._qms_log(grant, path, refusal)
            return self._qms_refuse(grant, 403)
        attachment = grant.pack_id.attachment_id
        if path == ZIP_NAME:
            self._qms_log(grant, path, "allowed")
            stream = request.env["ir.binary"]._record_to_stream(attachment, "raw")
            stream.download_name = attachment.name or ZIP_NAME
            response = stream.get_response(as_attachment=True, content_security_policy=FILE_POLICY)
            response.headers.update(COMMON_HEADERS)
            return response
        try:
            archive = self._qms_open_zip(attachment)
        except (OSError, zipfile.BadZipFile):
            _logger.exception("evidence pack %s: its ZIP cannot be read", grant.pack_id.id)
            self._qms_log(grant, path, "unavailable")
            return self._qms_refuse(grant, 404)
        try:
            info = self._qms_member(archive, path)
            if info is None:
                self._qms_log(grant, path, "unknown_file")
                return self._qms_refuse(grant, 404)
            member = archive.open(info)
        finally:
            archive.close()  # an opened member keeps the file open until it is read through
        self._qms_log(grant, path, "allowed")
        return self._qms_file_response(member, info)

    def _qms_find_grant(self, token):
        """The grant of this token, or an empty recordset: looked up by its unique index, then compared in
        constant time."""
        Grant = request.env["qms.evidence.pack.grant"].sudo()
        if not token or len(token) > MAX_TOKEN:
            return Grant
        grant = Grant.search([("token", "=", token)], limit=1)
        if grant and hmac.compare_digest(grant.token.encode(), token.encode()):
            return grant
        return Grant

    @staticmethod
    def _qms_open_zip(attachment):
        """The pack's ZIP, read from the filestore (never loaded whole into memory when it is stored there)."""
        attachment = attachment.sudo()
        if attachment.store_fname:
            return zipfile.ZipFile(attachment._full_path(attachment.store_fname))
        return zipfile.ZipFile(io.BytesIO(attachment.raw or b""))  # a database-stored attachment

    @staticmethod
    def _qms_member(archive, path):
        """The ZIP entry named exactly `path` (a file, not a folder), or None. Nothing outside the ZIP is ever
        opened; paths that are not in their plain form (``..``, ``//``, absolute, backslashes) are refused."""
        if not path or len(path) > 1024 or "\\" in path or "\x00" in path or path.startswith("/"):
            return None
        if posixpath.normpath(path) != path or path == ".." or path.startswith("../"):
            return None
        try:
            info = archive.getinfo(path)
        except KeyError:
            return None
        return None if info.is_dir() else info

    @staticmethod
    def _qms_file_response(member, info):
        mimetype = mimetypes.guess_type(info.filename)[0] or "application/octet-stream"
        headers = dict(COMMON_HEADERS, **{"Content-Length": str(info.file_size)})
        if mimetype in HTML_TYPES:
            headers["Content-Security-Policy"] = HTML_POLICY
        else:
            headers["Content-Security-Policy"] = FILE_POLICY
            headers["Content-Disposition"] = content_disposition(posixpath.basename(info.filename))
        return Response(wrap_file(request.httprequest.environ, member), status=200, headers=headers,
                        mimetype=mimetype, direct_passthrough=True)

    # ------------------------------------------------------------------ log and refusal

    @staticmethod
    def _qms_log(grant, path, result):
        httprequest = request.httprequest

        def printable(text, size):  # a NUL or another control character is logged as a replacement character
            return "".join(char if char.isprintable() else "\ufffd" for char in (text or ""))[:size]

        request.env["qms.evidence.pack.access"].sudo().create({
            "grant_id": grant.id,
            "ip_address": printable(httprequest.remote_addr, 64),
            "user_agent": printable(httprequest.user_agent.string, 512),
            "path": printable(path, 1024),
            "result": result,
        })

    @staticmethod
    def _qms_refuse(grant, status):
        """A short page saying the link does not work, in the auditor's language when known, revealing nothing."""
        env = request.env(context=dict(request.env.context, lang=grant.partner_id.lang)) if grant else request.env
        if status == 404:
            title = env._("Not found")
            text = env._("There is nothing here. Check the link you were sent.")
        else:
            title = env._("Link no longer valid")
            text = env._("This link has expired or was withdrawn. Ask the QMS office that sent it for a new one.")
        body = Markup(
            '<!DOCTYPE html><html><head><meta charset="utf-8"/><meta name="robots" content="noindex"/>'
            "<title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>") % (title, title, text)
        headers = dict(COMMON_HEADERS, **{"Content-Type": "text/html; charset=utf-8",
                                          "Content-Security-Policy": "default-src 'none'"})
        return request.make_response(str(body), headers=list(headers.items()), status=status)
