from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

MAX_DAYS = 366  # a delay in days or working days: a year at most (a larger one makes the ladder run for ever)


class QmsConfigSettings(models.TransientModel):
    """The QMS settings for the QMS office (Quality > Configuration > Settings).

    Odoo's Settings (res.config.settings) are for administrators only: ``execute`` refuses anyone else, and the
    form carries every application's settings. The QMS manager is not an administrator, so the QMS section has
    this model of its own, open to the QMS manager only: it shows the same company settings as the Quality
    section of Settings (both inherit qms.settings.mixin, where each addon declares its settings once) and writes
    only them (as the system, on the user's current company).
    """

    _name = "qms.config.settings"
    _inherit = ["qms.settings.mixin"]
    _description = "Quality Settings"

    company_id = fields.Many2one("res.company", required=True, readonly=True,
                                 default=lambda self: self.env.company)

    @api.model
    def _qms_company_fields(self):
        """The settings written on the company: the related ``company_id.qms_*`` fields of this model."""
        return [name for name, field in self._fields.items()
                if field.related and field.related.startswith("company_id.qms_") and field.related.count(".") == 1]

    @api.model
    def _qms_check_manager(self):
        if not self.env.su and not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            raise AccessError(self.env._("Only the QMS office changes the quality settings."))

    def _qms_split(self, vals):
        """(settings values, company values) of `vals`."""
        names = set(self._qms_company_fields())
        return ({key: value for key, value in vals.items() if key not in names},
                {key: value for key, value in vals.items() if key in names})

    @api.model_create_multi
    def create(self, vals_list):
        self._qms_check_manager()
        own_list, company_list = [], []
        for vals in vals_list:
            own, company_values = self._qms_split(vals)
            company_id = own.get("company_id") or self.env.company.id
            if company_id not in self.env.companies.ids:
                raise AccessError(self.env._("You can change the settings of your current company only."))
            own_list.append(own)
            company_list.append(company_values)
        records = super().create(own_list)
        for record, company_values in zip(records, company_list, strict=True):
            record._qms_write_company(company_values)
        return records

    def write(self, vals):
        self._qms_check_manager()
        self.check_access("write")  # the settings of a company of the user's only (the company values skip the ORM)
        own, company_values = self._qms_split(vals)
        if "company_id" in own:
            raise AccessError(self.env._("The settings are those of your current company: switch company instead."))
        result = super().write(own) if own else True
        for record in self:
            record._qms_write_company(company_values)
        return result

    def _qms_check_company_values(self, values):
        """The values are checked before they are written as the system, with a message the QMS office understands
        (a number that is no number, a negative one, a delay of years), never a traceback later in the ladder."""
        for name, value in values.items():
            field = self._fields[name]
            if field.type not in ("integer", "float"):
                continue
            label = field._description_string(self.env)
            try:
                number = float(value or 0)
            except (TypeError, ValueError):
                raise ValidationError(self.env._("%s must be a number.", label)) from None
            if number < 0:
                raise ValidationError(self.env._("%s cannot be negative.", label))
            if name.endswith("_days") and number > MAX_DAYS:
                raise ValidationError(self.env._("%(setting)s: at most %(max)s days.", setting=label, max=MAX_DAYS))

    def _qms_write_company(self, values):
        """Write the QMS settings on the company as the system: the QMS manager may not change the company's
        other fields, and only the fields of this model get here."""
        self._qms_check_company_values(values)
        if values:
            self.company_id.sudo().write({self._fields[name].related.split(".", 1)[1]: value
                                          for name, value in values.items()})
            self.invalidate_recordset(list(values))

    def execute(self):
        """Saved (the form creates or writes the record first): reload, as Odoo's Settings do."""
        self._qms_check_manager()
        return {"type": "ir.actions.client", "tag": "reload"}

    def cancel(self):
        return self.env["ir.actions.act_window"]._for_xml_id("gov_qms_docs.qms_config_settings_action")
