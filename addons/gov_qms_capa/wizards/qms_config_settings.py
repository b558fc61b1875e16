from odoo import models
from odoo.exceptions import ValidationError


class QmsConfigSettings(models.TransientModel):
    _inherit = "qms.config.settings"

    def _qms_check_company_values(self, values):
        """The complaint centre user receives the citizens' requests (their names, contacts, what they ask): an
        active internal user of the company, never a portal user or someone of another company."""
        super()._qms_check_company_values(values)
        if not values.get("qms_complaint_receiver_id"):
            return
        receiver_id = values["qms_complaint_receiver_id"]
        receiver = self.env["res.users"].sudo().browse(receiver_id if isinstance(receiver_id, int) else []).exists()
        for settings in self:
            if not receiver.active or receiver.share or settings.company_id not in receiver.company_ids:
                raise ValidationError(self.env._(
                    "The complaint centre user must be an active internal user of %s.", settings.company_id.name))
