import secrets
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION, check_workflow_fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, email_normalize

STATES = [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]


class QmsEvidencePackGrant(models.Model):
    """Read-only access to one ready evidence pack for an external auditor (the certification body).

    The QMS office names a contact with an e-mail (never an internal user's) and an expiry date; the
    auditor receives by e-mail a personal link (``/qms/evidence/<token>/``) that serves the pack's clause
    map and files, nothing else of the database, until the end of the expiry date or until the grant
    is revoked (with a reason). Every use of the link is recorded (``qms.evidence.pack.access``).

    A grant is evidence of who was given access: its pack, auditor, expiry date and token never
    change, and it is not deleted (revoke it, grant a new one).
    """

    _name = "qms.evidence.pack.grant"
    _description = "Evidence Pack Access Grant"
    _inherit = ["qms.parent.scope.mixin"]
    _qms_parent_field = "pack_id"
    _order = "id desc"
    _check_company_auto = True

    _qms_max_days = 180  # how far ahead a link may expire
    _qms_fixed_fields = ("pack_id", "partner_id", "date_expiry", "token")

    pack_id = fields.Many2one("qms.evidence.pack", string="Evidence Pack", required=True, index=True,
                              ondelete="cascade")
    company_id = fields.Many2one(related="pack_id.company_id", store=True, index=True, precompute=True)
    partner_id = fields.Many2one(
        "res.partner", string="External Auditor", required=True, index=True, ondelete="restrict",
        check_company=True, help="The certification body's auditor: a contact with an e-mail address, not a user "
                                 "of this database. The link is sent to this address.")
    partner_email = fields.Char(related="partner_id.email", string="E-mail")
    token = fields.Char(readonly=True, copy=False, required=True, groups="base.group_system",
                        default=lambda self: secrets.token_urlsafe(32))
    date_expiry = fields.Date(string="Expires On", required=True,
                              help="The link works until the end of this day, then refuses access.")
    state = fields.Selection(STATES, string="Status", compute="_compute_state", search="_search_state")
    revoked_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_revoked = fields.Datetime(string="Revoked On", readonly=True, copy=False)
    revoke_reason = fields.Text(string="Reason for Revoking", readonly=True, copy=False)
    url = fields.Char(string="Link", compute="_compute_url", groups="gov_qms_docs.group_qms_manager",
                      help="The personal link sent to the auditor. Do not share it with anyone else.")
    access_ids = fields.One2many("qms.evidence.pack.access", "grant_id", string="Access Log")
    access_count = fields.Integer(string="Accesses", compute="_compute_access_stats")
    date_last_access = fields.Datetime(string="Last Access", compute="_compute_access_stats")

    _token_unique = models.UniqueIndex("(token)", "Every link is different.")

    @api.depends("partner_id", "pack_id")
    def _compute_display_name(self):
        for grant in self:
            grant.display_name = self.env._("%(partner)s on %(pack)s", partner=grant.partner_id.display_name,
                                            pack=grant.pack_id.display_name)

    def _qms_today(self):
        """The grant's day: in the auditor's time zone, else the granting user's (the link works through the
        whole expiry day where it is used)."""
        self.ensure_one()
        tz = self.partner_id.tz or (self.create_uid or self.env.user).tz or "UTC"
        return fields.Date.context_today(self.with_context(tz=tz))

    @api.depends("date_expiry", "date_revoked", "partner_id.tz")
    def _compute_state(self):
        for grant in self:
            if grant.date_revoked:
                grant.state = "revoked"
            elif grant.date_expiry and grant.date_expiry < grant._qms_today():
                grant.state = "expired"
            else:
                grant.state = "active"

    def _search_state(self, operator, value):
        if operator != "in":
            return NotImplemented
        # each grant's day is in its own time zone: the grants whose expiry is around today are decided one by one
        today = fields.Date.today()
        first, last = today - timedelta(days=1), today + timedelta(days=1)
        not_revoked = Domain("date_revoked", "=", False)
        around = self.sudo().search(not_revoked & Domain("date_expiry", ">=", first) & Domain("date_expiry", "<", last))
        expired = around.filtered(lambda grant: grant.state == "expired")
        domains = {
            "revoked": Domain("date_revoked", "!=", False),
            "expired": not_revoked & (Domain("date_expiry", "<", first) | Domain("id", "in", expired.ids)),
            "active": not_revoked & (Domain("date_expiry", ">=", last) | Domain("id", "in", (around - expired).ids)),
        }
        return Domain.OR(domains[state] for state in value if state in domains)

    @api.depends("token")
    def _compute_url(self):
        for grant in self:
            token = grant.sudo().token
            grant.url = f"{grant.get_base_url()}/qms/evidence/{token}/" if token else False

    def _compute_access_stats(self):
        stats = {
            grant.id: (count, last)
            for grant, count, last in self.env["qms.evidence.pack.access"].sudo()._read_group(
                [("grant_id", "in", self.ids)], ["grant_id"], ["__count", "date:max"])
        }
        for grant in self:
            grant.access_count, grant.date_last_access = stats.get(grant.id, (0, False))

    # ------------------------------------------------------------------ checks

    @api.constrains("partner_id")
    def _check_partner(self):
        for grant in self:
            partner = grant.partner_id
            if not email_normalize(partner.email or ""):
                raise ValidationError(self.env._(
                    "%s has no valid e-mail address: the link is sent by e-mail. Add the address to the contact "
                    "first.", partner.display_name))
            internal = partner.sudo().with_context(active_test=False).user_ids.filtered(lambda user: not user.share)
            if internal:
                raise ValidationError(self.env._(
                    "%(partner)s is the contact of %(user)s, a user of this database: colleagues read evidence "
                    "through their QMS role. Grant access to the certification body's auditor instead.",
                    partner=partner.display_name, user=internal[0].name))

    @api.constrains("date_expiry")
    def _check_date_expiry(self):
        for grant in self:
            today = grant._qms_today()
            if grant.date_expiry < today:
                raise ValidationError(self.env._(
                    "The link cannot expire on %(date)s: that day is past. Choose a date from today on.",
                    date=grant.date_expiry))
            if grant.date_expiry > today + timedelta(days=self._qms_max_days):
                raise ValidationError(self.env._(
                    "The link cannot expire on %(date)s: access is granted for %(days)s days at most "
                    "(until %(last)s). Grant access again later if the audit needs more time.",
                    date=grant.date_expiry, days=self._qms_max_days,
                    last=today + timedelta(days=self._qms_max_days)))

    def _qms_check_manager(self):
        if not self.env.su and not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            raise AccessError(self.env._("Only the QMS office grants and revokes access to evidence packs."))

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        self._qms_check_manager()
        for vals in vals_list:
            if "token" in vals or self.env.context.get("default_token"):
                raise UserError(self.env._("The link of an access grant is made by the system; it cannot be chosen."))
            check_workflow_fields(self, vals, creating=True)
        packs = self.env["qms.evidence.pack"].browse({vals.get("pack_id") for vals in vals_list} - {None, False})
        for pack in packs:
            if pack.state != "ready":
                raise UserError(self.env._(
                    "Access can only be granted to a ready evidence pack: %(pack)s is %(state)s.",
                    pack=pack.display_name, state=pack._qms_state_label()))
        grants = super().create(vals_list)
        grants._qms_send_link()
        return grants

    def write(self, vals):
        fixed = [name for name in self._qms_fixed_fields if name in vals]
        if fixed and self:
            raise UserError(self.env._(
                "%(fields)s of an access grant never change: revoke %(grant)s and grant access again instead.",
                fields=", ".join(self._fields[name]._description_string(self.env) for name in fixed),
                grant=self[:1].display_name))
        check_workflow_fields(self, vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_superuser(self):
        """Nobody has the right to delete a grant (see the access rights); this says why to code that would."""
        if not self.env.su:
            raise UserError(self.env._(
                "%s is kept as evidence of who was given access to the pack and cannot be deleted: revoke it "
                "instead.", self[:1].display_name))

    # ------------------------------------------------------------------ steps

    def _qms_log_on_packs(self, line):
        """A note in the chatter of the packs, one line per grant worded by `line(grant)`, in one batch; the grant
        given to `line` is in the company's language (word the line with ``grant.env._``)."""
        lines = defaultdict(list)
        for grant in self:
            lines[grant.pack_id.id].append(Markup("<p>%s</p>") % line(grant.with_env(grant.pack_id._qms_note_env())))
        self.pack_id._message_log_batch(bodies={pack_id: Markup().join(texts) for pack_id, texts in lines.items()})

    def _qms_send_link(self):
        """E-mail each auditor their link, in their language, through the mail queue; note it on the pack.

        The mail is not attached to the grant (whose readers would read the link in it) and is deleted once
        sent; the pack's note names who may read it until when, never the link."""
        template = self.env.ref("gov_qms_audit.mail_template_evidence_pack_grant")
        template.send_mail_batch(self.ids, email_values={"model": False, "res_id": False})
        self._qms_log_on_packs(lambda grant: grant.env._(
            "Read-only access granted to %(partner)s (%(email)s) until %(date)s; the link was sent by e-mail.",
            partner=grant.partner_id.name, email=grant.partner_id.email, date=grant.date_expiry))

    def action_confirm_grant(self):
        """The dialog's button: the grant is saved (and its link sent); show it, with the link to copy."""
        self.ensure_one()
        form = self.env.ref("gov_qms_audit.qms_evidence_pack_grant_view_form")
        title = self.env._("Access Granted")
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "target": "new",
                "name": title, "views": [(form.id, "form")]}

    def action_open_revoke_wizard(self):
        self._qms_check_manager()
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_revoke", self.env._("Revoke Access"))

    def _action_revoke(self, reason):
        self._qms_check_manager()
        if not (reason or "").strip():
            raise UserError(self.env._("Please give the reason for revoking the access."))
        self._qms_lock_rows()
        for grant in self:
            if grant.state != "active":
                raise UserError(self.env._("%(grant)s is %(state)s: the link no longer works.",
                                           grant=grant.display_name, state=grant._qms_state_label()))
        now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        self.with_context(qms_transition=TRANSITION).write({
            "revoked_by_id": self.env.uid, "date_revoked": now, "revoke_reason": reason.strip()})
        self._qms_log_on_packs(lambda grant: grant.env._(
            "Access of %(partner)s revoked: %(reason)s", partner=grant.partner_id.name, reason=grant.revoke_reason))
        return True

    def _qms_lock_rows(self):
        """Take the grants for the step about to run: a colleague revoking the same grant at the same time gets a
        clear error at once (a step already committed is seen by the retry Odoo makes)."""
        self.flush_recordset()
        rows = self.env.execute_query(SQL("SELECT id FROM %s WHERE id IN %s FOR NO KEY UPDATE SKIP LOCKED",
                                          SQL.identifier(self._table), tuple(self.ids)))
        busy = self - self.browse(row[0] for row in rows)
        if busy:
            raise UserError(self.env._("%s is being processed by someone else right now: reload the page and try "
                                       "again.", busy[0].display_name))
        self.invalidate_recordset(["date_revoked"])

    def _qms_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env)).get(self.state, self.state)

    def _qms_refusal(self):
        """Why the link does not serve the pack now (a result of the access log), or None when it does.

        A superseded pack stays readable until the grant expires: it is what the certification body was
        given (its manifest and hashes are unchanged); the QMS office revokes the grant to end it sooner."""
        self.ensure_one()
        if self.state != "active":
            return self.state
        if self.pack_id.state not in ("ready", "superseded") or not self.pack_id.attachment_id:
            return "unavailable"
        return None

    def action_open_access_log(self):
        self.ensure_one()
        title = self.env._("Access Log")
        return {
            "type": "ir.actions.act_window", "res_model": "qms.evidence.pack.access", "view_mode": "list",
            "name": title, "domain": [("grant_id", "=", self.id)], "context": {"create": False},
        }
