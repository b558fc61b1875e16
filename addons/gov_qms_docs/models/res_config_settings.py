from odoo import models


class ResConfigSettings(models.TransientModel):  # pylint: disable=no-wizard-in-models
    """The Quality section of Odoo's Settings: the fields of qms.settings.mixin.

    An extension of Odoo's settings, not a wizard of ours: ``_name`` only because a list ``_inherit`` needs it."""

    _name = "res.config.settings"
    _inherit = ["res.config.settings", "qms.settings.mixin"]
