from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION, _class_union
from odoo.exceptions import UserError
from odoo.fields import Domain


class QmsDocumentChangeRequest(models.Model):
    """A change request raised from a nonconformity or a CAPA action (ISO 9001 10.2.1 f).

    The links to the record it was raised from are workflow fields: only `_qms_create_from` sets them.
    Another addon adds a link of its own by declaring the many2one (readonly) and naming it in
    `_qms_origin_fields` on its extension of this model.
    """

    _inherit = "qms.document.change.request"

    _qms_origin_fields = frozenset({"nonconformity_id", "action_id"})

    nonconformity_id = fields.Many2one("qms.nonconformity", readonly=True, index=True, copy=False)
    action_id = fields.Many2one("qms.action", string="CAPA Action", readonly=True, index=True, copy=False)
    raised_from_ref = fields.Reference(selection="_selection_raised_from_ref", string="Raised From",
                                       compute="_compute_raised_from_ref",
                                       help="The nonconformity, action or decision that asked for this change.")
    qms_origin_readable = fields.Boolean(
        string="Origin Readable", compute="_compute_qms_origin_readable", search="_search_qms_origin_readable",
        help="Raised from a record you may read: whoever reads a nonconformity reads the changes it asked for.")

    @api.model
    def _qms_origin_field_names(self):
        """The many2ones to the records a change request may be raised from (each addon adds its own)."""
        return _class_union(self, "_qms_origin_fields")

    @api.model
    def _selection_raised_from_ref(self):
        models_ = {self._fields[name].comodel_name for name in self._qms_origin_field_names()}
        return sorted((name, self.env[name]._description) for name in models_)

    @api.depends(lambda self: sorted(self._qms_origin_field_names()))
    def _compute_raised_from_ref(self):
        names = sorted(self._qms_origin_field_names())
        for request in self:
            origin = next((request[name] for name in names if request[name]), None)
            request.raised_from_ref = f"{origin._name},{origin.id}" if origin else False

    @api.model
    def _qms_origin_readable_domain(self):
        """The change requests raised from a record the current user may read (access rights and record rules)."""
        domains = []
        for name in sorted(self._qms_origin_field_names()):
            comodel = self._fields[name].comodel_name
            # for the real user, also inside the sudo() in which the ORM applies record rules
            if self.env["ir.model.access"].sudo(False).check(comodel, "read", raise_exception=False):
                domains.append(Domain(name, "any!", self.env["ir.rule"].sudo(False)._compute_domain(comodel, "read")))
        return Domain.OR(domains)

    def _search_qms_origin_readable(self, operator, value):
        if operator != "in":
            return NotImplemented  # the ORM negates the positive search for `= False` / `!= True`
        return self._qms_origin_readable_domain()

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_qms_origin_readable(self):
        mine = self.sudo().filtered_domain(self._qms_origin_readable_domain())
        for request in self:
            request.qms_origin_readable = request in mine

    @api.model
    def _qms_create_from(self, origin_vals, document, reason, proposed_change=False):
        """Raise a change request of `document` from another record; return it.

        :param dict origin_vals: the link(s) to the record it is raised from, e.g. ``{"nonconformity_id": nc.id}``;
            keys among `_qms_origin_field_names()`, values a record or its id.
        :param document: the ``qms.document`` (record or id) to change; the user must be able to read it.
        :param str reason: what is wrong or missing in the document (required).
        :param str proposed_change: the change proposed (optional).

        The caller checks that the user may raise it from the origin record (see
        ``qms.change.request.origin.mixin._qms_check_change_request_origin``) and posts on the origin's chatter;
        this method validates the document and the reason, creates the request as the current user (who is its
        requester), sets the links, which no client can write, and says on the request where it comes from.
        """
        allowed = self._qms_origin_field_names()
        links = {name: value.id if isinstance(value, models.BaseModel) else value
                 for name, value in (origin_vals or {}).items()}
        if not links or set(links) - allowed or not all(isinstance(value, int) and value > 0
                                                        for value in links.values()):
            raise ValueError(f"origin_vals must link to records through {sorted(allowed)}, got {origin_vals!r}")
        if isinstance(document, models.BaseModel):
            document = document.id
        document = self.env["qms.document"].browse(document if isinstance(document, int) else []).exists()
        if len(document) != 1:
            raise UserError(self.env._("Choose the document to change."))
        document.check_access("read")
        if not (reason or "").strip():
            raise UserError(self.env._(
                "Say what is wrong or missing in %s: its owner decides on the change from that.",
                document.display_name))
        request = self.with_context(qms_transition=TRANSITION).create({
            "document_id": document.id, "reason": reason, "proposed_change": proposed_change or False, **links,
        }).with_env(self.env)
        origins = [request[name] for name in sorted(links)]
        request.message_post(body=request._qms_note_env()._(
            "Raised from %s.", Markup(", ").join(origin._get_html_link() for origin in origins)))
        return request
