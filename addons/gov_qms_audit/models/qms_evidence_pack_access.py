from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_datetime

RESULTS = [
    ("allowed", "Allowed"),
    ("expired", "Refused: link expired"),
    ("revoked", "Refused: access revoked"),
    ("unavailable", "Refused: pack not available"),
    ("unknown_file", "Refused: no such file in the pack"),
]


class QmsEvidencePackAccess(models.Model):
    """One use of an evidence pack link: who (the grant's auditor), when, from which address, what was
    asked for and whether it was served. Written only by the link's controller; nobody edits or deletes
    it (the superuser aside)."""

    _name = "qms.evidence.pack.access"
    _description = "Evidence Pack Access Log"
    _inherit = ["qms.parent.scope.mixin"]
    _qms_parent_field = "pack_id"
    _order = "date desc, id desc"

    grant_id = fields.Many2one("qms.evidence.pack.grant", string="Access Grant", required=True, index=True,
                               readonly=True, ondelete="cascade")
    pack_id = fields.Many2one(related="grant_id.pack_id", store=True, index=True, precompute=True)
    company_id = fields.Many2one(related="grant_id.company_id", store=True, index=True, precompute=True)
    partner_id = fields.Many2one(related="grant_id.partner_id", string="External Auditor", store=True,
                                 precompute=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    ip_address = fields.Char(string="IP Address", readonly=True)
    user_agent = fields.Char(string="Browser", readonly=True)
    path = fields.Char(string="Requested", readonly=True, help="The file asked for, in the pack.")
    result = fields.Selection(RESULTS, required=True, readonly=True)

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for access in self:
            access.display_name = f"{access.partner_id.display_name}, {format_datetime(self.env, access.date)}"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("The access log of an evidence pack is written by its link only."))
        return super().create(vals_list)

    def write(self, vals):
        if self and not self.env.su:
            raise UserError(self.env._("The access log of an evidence pack is a record of fact: it cannot be "
                                       "changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_superuser(self):
        """Nobody has the right to delete the log (see the access rights); this says why to code that would."""
        if not self.env.su:
            raise UserError(self.env._("The access log of an evidence pack is a record of fact: it cannot be "
                                       "deleted."))
