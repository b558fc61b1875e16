from odoo import api, fields, models
from odoo.tools import SQL


class QmsProcessKpi(models.Model):
    """A performance indicator of a process (ISO 9001 9.1.1), e.g. on-time completion rate."""

    _name = "qms.process.kpi"
    _description = "Process Indicator"
    _inherit = ["qms.parent.scope.mixin"]
    _qms_parent_field = "process_id"
    _order = "process_id, sequence, id"

    process_id = fields.Many2one("qms.process", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="process_id.company_id", store=True, index=True, precompute=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Indicator", required=True, translate=True)
    target = fields.Float(digits=(16, 2))
    unit = fields.Char(help="e.g. %, days, cases")
    direction = fields.Selection([("min", "At least"), ("max", "At most")], default="min", required=True)
    frequency = fields.Selection(
        [("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")],
        default="monthly", required=True,
    )
    measurement_ids = fields.One2many("qms.process.kpi.measurement", "kpi_id", string="Measurements")
    last_value = fields.Float(digits=(16, 2), compute="_compute_last_measurement")
    last_date = fields.Date(string="Last Period", compute="_compute_last_measurement")
    last_met = fields.Boolean(string="Last Target Met", compute="_compute_last_measurement")

    @api.depends("measurement_ids.date", "measurement_ids.value", "measurement_ids.met")
    def _compute_last_measurement(self):
        """The latest period's measurement of each indicator, in two queries whatever the number of indicators."""
        Measurement = self.env["qms.process.kpi.measurement"]
        kpi_ids = tuple(self._origin.ids)
        last = Measurement
        if kpi_ids:
            Measurement.flush_model(["kpi_id", "date"])
            rows = self.env.execute_query(SQL(
                "SELECT DISTINCT ON (kpi_id) kpi_id, id FROM %s WHERE kpi_id IN %s ORDER BY kpi_id, date DESC",
                SQL.identifier(Measurement._table), kpi_ids))
            last = Measurement.browse([row[1] for row in rows]).sudo()
            last.fetch(["kpi_id", "date", "value", "met"])
        by_kpi = {measurement.kpi_id.id: measurement for measurement in last}
        for kpi in self:
            measurement = by_kpi.get(kpi._origin.id)
            kpi.last_value = measurement.value if measurement else 0.0
            kpi.last_date = measurement.date if measurement else False
            kpi.last_met = bool(measurement and measurement.met)

    def action_open_measurements(self):
        """The measurements of this indicator, to record the next one or read the history."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("gov_qms_docs.qms_process_kpi_measurement_action")
        action.update({
            "name": self.env._("Measurements: %s", self.display_name),
            "domain": [("kpi_id", "=", self.id)],
            "context": {"default_kpi_id": self.id},
        })
        return action
