"""Citizens' work orders filed on the public form (``/complaint``) and followed in the portal (``/my/complaints``).

The HTTP side is in ``controllers/complaint_portal.py``; what it stores and checks is here, so that it can be
tested without a browser: the rate limit per address and per e-mail, the citizen's portal contact (found by
e-mail or created, and invited), the work order itself with its attachment, and the call-back the citizen gives
online on their own answered work order.
"""

import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import plaintext2html

from .qms_complaint import CALLBACK_RESULTS

_logger = logging.getLogger(__name__)

# Files a citizen may attach on the public form: extension -> (MIME type, the bytes the file starts with)
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
MAX_ATTACHMENT_MB = 5
MAX_ATTACHMENT_BYTES = MAX_ATTACHMENT_MB * 1024 * 1024
RATE_WINDOW = timedelta(hours=1)


class QmsComplaint(models.Model):
    _inherit = "qms.complaint"

    source_ip = fields.Char(
        string="Sent From (IP Address)", readonly=True, copy=False, index=True,
        groups="gov_qms_docs.group_qms_manager",
        help="The address the public web form was sent from: the rate limit per address counts on it.")

    # ------------------------------------------------------------------ the public form

    @api.model
    def _qms_web_rate_limited(self, source_ip, email, company):
        """Whether this address or e-mail already sent the most web work orders a company accepts in an hour."""
        limit = company.qms_complaint_rate_limit
        if limit <= 0:
            return False
        Complaint = self.sudo()
        since = self._qms_timestamp() - RATE_WINDOW  # Python's clock, which the tests freeze
        recent = [("company_id", "=", company.id), ("channel", "=", "web"), ("date_received", ">=", since)]
        if source_ip and Complaint.search_count(recent + [("source_ip", "=", source_ip)], limit=limit) >= limit:
            return True
        return bool(email) and Complaint.search_count(recent + [("citizen_email", "=", email)], limit=limit) >= limit

    @api.model
    def _qms_web_portal_partner(self, name, email, phone, lang):
        """The citizen's contact for the portal, found by e-mail or created; returns ``(partner, invited)``.

        A contact that has a user (portal or internal, even archived) is not linked: whoever types somebody's
        e-mail on the public form must not put a work order into that person's portal (a citizen signed in files
        from their own session, `partner`); the reply still goes to the e-mail given. Otherwise the contact (an
        existing one with this e-mail, or a new one) is invited to the portal with Odoo's own invitation
        (``portal.wizard``: a portal user, and the "set your password" e-mail in the citizen's language). The work
        order is filed whether the invitation works or not.
        """
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partners = Partner.search([("email_normalized", "=", email)], order="id")
        if partners.filtered("user_ids"):
            return Partner.browse(), False
        partner = partners.filtered("active")[:1] or Partner.create(
            {"name": name, "email": email, "phone": phone, "lang": lang})
        try:
            with self.env.cr.savepoint():
                wizard = self.env["portal.wizard"].sudo().create({"partner_ids": [Command.set(partner.ids)]})
                wizard.user_ids.filtered(lambda line: line.partner_id == partner).action_grant_access()
        except UserError as error:
            _logger.warning("complaint form: no portal invitation for contact %s: %s", partner.id, error)
            return partner, False
        return partner, True

    @api.model
    def _qms_web_file(self, values, source_ip, attachment=None, partner=None, lang=None):
        """File a work order from the public form (`values` checked by the form); returns ``(complaint, invited)``.

        Received on the "web" channel by the company's complaint centre user (or OdooBot when none is set: the QMS
        office then sees it among all work orders), who owns it until it is assigned. `attachment` is
        ``(file name, content, MIME type)``. With an e-mail, the work order is linked to the citizen's portal
        contact (`partner`, when they are signed in, or `_qms_web_portal_partner`).
        """
        company = self.env.company
        receiver = company.qms_complaint_receiver_id or self.env.ref("base.user_root")
        invited = False
        email = values.get("citizen_email")
        if not partner and email:
            partner, invited = self._qms_web_portal_partner(values["citizen_name"], email,
                                                            values.get("citizen_phone"), lang)
        complaint = self.sudo().with_context(mail_create_nosubscribe=True, mail_create_nolog=True).create({
            **values, "channel": "web", "company_id": company.id, "receiver_id": receiver.id,
            "partner_id": partner.id if partner else False, "source_ip": source_ip or False,
        })
        if attachment:
            name, content, mimetype = attachment
            self.env["ir.attachment"].sudo().create({
                "name": name, "raw": content, "mimetype": mimetype, "res_model": complaint._name,
                "res_id": complaint.id})
        complaint._qms_log(lambda env: env._("Filed by the citizen on the public web form."))
        if receiver._is_internal() and receiver.id != SUPERUSER_ID:
            complaint._qms_schedule_activities({complaint: receiver}, lambda env: env._("Assign the citizen's request"))
        return complaint, invited

    # ------------------------------------------------------------------ the portal

    def _qms_portal_callback(self, result, note):
        """The citizen's call-back (回访), given online on their own answered work order.

        Only the citizen whose portal contact the work order has may give it; the step itself is the handlers'
        `_action_callback` (satisfied or basically satisfied closes it, dissatisfied sends it back for rework),
        run as the superuser once ownership is checked, and noted in the chatter in the citizen's name.
        """
        self.ensure_one()
        complaint = self.sudo()
        partner = self.env.user.partner_id
        if self.env.user._is_public() or not complaint.exists() or complaint.partner_id != partner:
            raise AccessError(self.env._("This is not one of your requests."))
        if result not in dict(CALLBACK_RESULTS):
            raise UserError(self.env._("Choose whether you are satisfied with the answer."))
        note = (note or "").strip()
        if result == "dissatisfied" and not note:
            raise UserError(self.env._("Tell us what is still wrong, so that the department can work on it again."))
        if complaint.state != "answered":
            raise UserError(self.env._("Request %s is not waiting for your opinion.", complaint.name))
        complaint.with_user(SUPERUSER_ID)._action_callback(result, note)
        handler = complaint._qms_ladder_owner()
        if complaint.state == "assigned" and handler and handler.id != SUPERUSER_ID:
            # sent back online: the handler learns it at once (a call-back by phone is taken by the handler)
            complaint._qms_schedule_activities(
                {complaint: handler}, lambda env: env._("The citizen is not satisfied: work on the request again"),
                note=plaintext2html(note), date_deadline=complaint.date_deadline)
        # a note for the staff: in the company's language
        staff_env = complaint._qms_note_env()
        text = staff_env._("Call-back given online by the citizen: %s",
                           dict(self._fields["callback_result"]._description_selection(staff_env))[result])
        body = Markup("%s<br/>%s") % (text, note) if note else text
        complaint.message_post(body=body, author_id=partner.id, message_type="comment",
                               subtype_xmlid="mail.mt_note")
        return True
