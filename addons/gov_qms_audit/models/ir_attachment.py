from odoo import models
from odoo.exceptions import UserError


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def write(self, vals):
        """An evidence pack reaches the certification body only through its grants (expiring, revocable, logged):
        no public access token on its files."""
        if vals.get("access_token") and not self.env.su:
            packs = self.sudo().filtered(lambda attachment: attachment.res_model == "qms.evidence.pack")
            if packs:
                raise UserError(self.env._(
                    "An evidence pack is shared with the certification body through an access grant (it expires, "
                    "can be revoked and is logged), never by a public link to its file."))
        return super().write(vals)
