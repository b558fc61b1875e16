"""Citizens on the web: the public complaint form and their work orders in the portal.

``/complaint`` (no login, no JavaScript needed): a plain HTML form posted back to the same address. It is
checked on the server (CSRF token, honeypot, rate limit per address and per e-mail, each field, the optional
attachment's type and size) and either filed (the page shows the reference) or shown again with what the citizen
typed and a clear message per field, in the citizen's language (``/zh_CN/complaint``). Nothing is stored unless
the whole form is good.

``/my/complaints``: the signed-in citizen's own work orders (those linked to their contact), the status and the
reply, and the call-back rating once a work order is answered.
"""

import logging
import os
import re
from datetime import date

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, UserError
from odoo.fields import Date
from odoo.http import request
from odoo.tools import email_normalize, format_date

from ..models.qms_complaint_portal import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENT_MB

_logger = logging.getLogger(__name__)

TEXT_FIELDS = ("department_id", "kind", "subject", "description", "date_event", "location", "citizen_name",
               "citizen_phone", "citizen_email")
MAX_LENGTHS = {"subject": 200, "description": 10000, "location": 200, "citizen_name": 100, "citizen_phone": 30,
               "citizen_email": 254}
# A field people never see (hidden by CSS, skipped by keyboard and screen readers) that form-filling bots fill in
HONEYPOT = "homepage"
SESSION_KEY = "qms_complaint_sent"
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()\-/.]+$")


class QmsComplaintForm(http.Controller):
    @http.route("/complaint", type="http", auth="public", website=True, methods=["GET", "POST"], csrf=False)
    def qms_complaint_form(self, **post):
        """The form (GET) and its sending (POST). The CSRF token is checked here rather than by the route, so that
        a form sent from an expired session is shown again with what was typed and a message, not a bare error."""
        if request.httprequest.method != "POST":
            return self._qms_render_form(self._qms_defaults())
        return self._qms_submit(post)

    @http.route("/complaint/sent", type="http", auth="public", website=True, methods=["GET"], readonly=True)
    def qms_complaint_sent(self, **_kwargs):
        """The page after sending (post/redirect/get: reloading it sends nothing again): the reference of the work
        order this browser session just filed, kept in the session only."""
        sent = request.session.get(SESSION_KEY)
        if not isinstance(sent, dict):
            return request.redirect(self._qms_url("/complaint"))
        env = request.env
        complaint = env["qms.complaint"].sudo().browse(sent.get("id") or []).exists()
        answer_by = complaint.date_deadline and env._(
            "You will receive our answer by %s.", format_date(env, complaint.date_deadline))
        return request.render("gov_qms_capa.qms_complaint_thanks", {
            "complaint": complaint, "signed_in": bool(sent.get("signed_in")), "answer_by": answer_by})

    # ------------------------------------------------------------------ sending

    def _qms_submit(self, post):
        env = request.env
        typed = {name: (post.get(name) or "").strip() if isinstance(post.get(name), str) else ""
                 for name in TEXT_FIELDS}
        token = post.get("csrf_token")
        if not isinstance(token, str) or not request.validate_csrf(token):
            _logger.info("complaint form refused: missing or invalid CSRF token from %s",
                         request.httprequest.remote_addr)
            return self._qms_render_form(typed, message=env._(
                "This page was open too long, or it was not sent from our site. Check what you wrote and send it "
                "again."), status=403)
        if post.get(HONEYPOT):
            _logger.info("complaint form: honeypot filled in from %s, nothing stored", request.httprequest.remote_addr)
            request.session[SESSION_KEY] = {"id": False}  # the same way out as a real sending, without a reference
            return request.redirect(self._qms_url("/complaint/sent"))
        values, errors = self._qms_check(typed)
        upload = request.httprequest.files.get("attachment")
        attachment = None
        if upload and upload.filename:
            attachment, error = self._qms_check_attachment(upload)
            if error:
                errors["attachment"] = error
            elif errors:
                errors["attachment"] = env._("Choose the file again: it is not kept when the form is shown again.")
        if errors:
            return self._qms_render_form(typed, errors=errors, status=400)
        company = env.company
        Complaint = env["qms.complaint"].sudo()
        source_ip = (request.httprequest.remote_addr or "")[:64]
        if Complaint._qms_web_rate_limited(source_ip, values["citizen_email"], company):
            _logger.info("complaint form: rate limit reached for %s", source_ip)
            return self._qms_render_form(typed, message=env._(
                "We have already received %s requests from your connection or e-mail address in the last hour, the "
                "most we accept. Please try again later, or call the 12345 hotline.",
                company.qms_complaint_rate_limit), status=429)
        user = env.user
        partner = user.partner_id if not user._is_public() else None
        complaint, _invited = Complaint._qms_web_file(values, source_ip, attachment=attachment, partner=partner,
                                                      lang=request.lang.code)
        request.session[SESSION_KEY] = {"id": complaint.id, "signed_in": bool(partner)}
        return request.redirect(self._qms_url("/complaint/sent"))

    def _qms_check(self, typed):
        """The values to store and the messages per field, from what was typed."""
        env = request.env
        errors = {}
        values = {name: typed[name] or False for name in TEXT_FIELDS}
        for name, limit in MAX_LENGTHS.items():
            if len(typed[name]) > limit:
                errors[name] = env._("At most %s characters here.", limit)
        department = typed["department_id"]
        values["department_id"] = False
        if department:
            departments = self._qms_departments()
            if not department.isdigit() or int(department) not in departments.ids:
                errors["department_id"] = env._("Choose a department from the list.")
            else:
                values["department_id"] = int(department)
        if typed["kind"] not in dict(self._qms_kinds()):
            errors["kind"] = env._("Choose what kind of request this is.")
        if not typed["subject"]:
            errors["subject"] = env._("Give your request a short title.")
        if not typed["description"]:
            errors["description"] = env._("Tell us what happened.")
        if typed["date_event"]:
            try:
                when = date.fromisoformat(typed["date_event"])
            except ValueError:
                errors["date_event"] = env._("Give the date as year-month-day, e.g. 2026-11-30.")
            else:
                if when > self._qms_today():
                    errors["date_event"] = env._("This date is in the future.")
                values["date_event"] = when
        if not typed["citizen_name"]:
            errors["citizen_name"] = env._("Give your name, so that we can answer you.")
        phone = typed["citizen_phone"]
        if not phone:
            errors["citizen_phone"] = env._("Give a phone number: we call you back to ask whether the answer helped.")
        elif not PHONE_CHARACTERS.match(phone) or not 5 <= sum(char.isdigit() for char in phone) <= 20:
            errors["citizen_phone"] = env._("This is not a phone number: use digits, spaces and + only.")
        if typed["citizen_email"]:
            email = email_normalize(typed["citizen_email"], strict=True)
            if not email:
                errors["citizen_email"] = env._("This is not an e-mail address (e.g. name@example.com).")
            values["citizen_email"] = email or False
        return values, errors

    def _qms_check_attachment(self, upload):
        """``((name, content, MIME type), None)`` for an acceptable file, else ``(None, message)``."""
        env = request.env
        name = os.path.basename((upload.filename or "").replace("\\", "/"))[-200:] or "attachment"
        extension = name.rpartition(".")[2].lower() if "." in name else ""
        content = upload.read(MAX_ATTACHMENT_BYTES + 1)
        if len(content) > MAX_ATTACHMENT_BYTES:
            return None, env._("The file is too large: at most %s MB.", MAX_ATTACHMENT_MB)
        kind = ATTACHMENT_TYPES.get(extension)
        if not kind or not content.startswith(kind[1]):
            return None, env._("Only a PDF, JPG or PNG file can be attached.")
        return (name, content, kind[0]), None

    # ------------------------------------------------------------------ rendering

    @staticmethod
    def _qms_url(path):
        """`path` in the citizen's language (``/zh_CN/...``)."""
        return request.env["ir.http"]._url_for(path)

    def _qms_departments(self):
        """The departments citizens may choose: the company's departments in the QMS (with a code)."""
        return request.env["hr.department"].sudo().search(
            [("company_id", "in", [request.env.company.id, False]), ("qms_code", "!=", False)], order="name, id")

    def _qms_kinds(self):
        Complaint = request.env["qms.complaint"]
        return Complaint._fields["kind"]._description_selection(request.env)

    def _qms_today(self):
        company = request.env.company.sudo()
        tz = company.resource_calendar_id.tz or company.partner_id.tz or "UTC"
        return Date.context_today(request.env["qms.complaint"].with_context(tz=tz))

    def _qms_defaults(self):
        values = dict.fromkeys(TEXT_FIELDS, "")
        values["kind"] = "complaint"
        user = request.env.user
        if not user._is_public():
            partner = user.partner_id
            values.update(citizen_name=partner.name or "", citizen_phone=partner.phone or "",
                          citizen_email=partner.email or "")
        return values

    def _qms_render_form(self, typed, errors=None, message=None, status=200):
        return request.render("gov_qms_capa.qms_complaint_form", {
            "typed": typed, "errors": errors or {}, "message": message,
            "departments": self._qms_departments(), "kinds": self._qms_kinds(),
            "attachment_hint": request.env._("PDF, JPG or PNG, at most %s MB.", MAX_ATTACHMENT_MB),
            "today": self._qms_today().isoformat(), "honeypot": HONEYPOT,
            "signed_in": not request.env.user._is_public(),
        }, status=status)


class QmsComplaintCustomerPortal(CustomerPortal):
    """The citizen's own work orders in the portal: only those linked to their contact, checked on every page."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "qms_complaint_count" in counters:
            values["qms_complaint_count"] = request.env["qms.complaint"].sudo().search_count(self._qms_my_domain())
        return values

    def _qms_my_domain(self):
        return [("partner_id", "=", request.env.user.partner_id.id)]

    def _qms_my_complaint(self, complaint_id):
        """The citizen's own work order (with sudo, to show its department and reply), or None."""
        complaint = request.env["qms.complaint"].sudo().browse(complaint_id).exists()
        if not complaint or complaint.partner_id != request.env.user.partner_id:
            return None
        return complaint

    @http.route(["/my/complaints", "/my/complaints/page/<int:page>"], type="http", auth="user", website=True,
                readonly=True)
    def qms_my_complaints(self, page=1, **_kwargs):
        Complaint = request.env["qms.complaint"].sudo()
        domain = self._qms_my_domain()
        pager = portal_pager(url="/my/complaints", total=Complaint.search_count(domain), page=page,
                             step=self._items_per_page)
        complaints = Complaint.search(domain, limit=self._items_per_page, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(complaints=complaints, pager=pager, page_name="qms_complaint", default_url="/my/complaints")
        return request.render("gov_qms_capa.portal_my_complaints", values)

    @http.route("/my/complaints/<int:complaint_id>", type="http", auth="user", website=True, readonly=True)
    def qms_my_complaint(self, complaint_id, **kwargs):
        complaint = self._qms_my_complaint(complaint_id)
        if not complaint:
            raise request.not_found()
        return self._qms_render_complaint(complaint, thanks=kwargs.get("callback") == "done")

    @http.route("/my/complaints/<int:complaint_id>/callback", type="http", auth="user", website=True,
                methods=["POST"])
    def qms_my_complaint_callback(self, complaint_id, result=None, note=None, **_kwargs):
        complaint = self._qms_my_complaint(complaint_id)
        if not complaint:
            raise request.not_found()
        try:
            with request.env.cr.savepoint():
                request.env["qms.complaint"].browse(complaint.id)._qms_portal_callback(result, note)
        except AccessError:
            raise request.not_found()
        except UserError as error:
            return self._qms_render_complaint(complaint, error=error.args[0], note=note, result=result, status=400)
        return request.redirect(f"/my/complaints/{complaint.id}?callback=done")

    def _qms_render_complaint(self, complaint, thanks=False, error=None, note=None, result=None, status=200):
        values = self._prepare_portal_layout_values()
        values.update({
            "complaint": complaint, "page_name": "qms_complaint", "thanks": thanks, "error": error,
            "note": note or "", "result": result,
            "callback_results": complaint._fields["callback_result"]._description_selection(request.env),
        })
        return request.render("gov_qms_capa.portal_my_complaint", values, status=status)
