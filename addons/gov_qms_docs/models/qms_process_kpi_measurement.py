from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import date_utils

from .qms_locked_mixin import check_workflow_fields

GRANULARITY = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}


class QmsProcessKpiMeasurement(models.Model):
    """What a process indicator measured over one period (ISO 9001 9.1.1, 9.1.3), against the target in force.

    One measurement per indicator and period. Its date is the first day of the period, as the indicator's
    frequency says (month, quarter, year): any day of the period is taken as the period. The target and its
    direction are copied from the indicator when the measurement is recorded, so that a later change of the
    target does not rewrite history. A measurement is read and changed by whoever may read, resp. change, the
    indicator's process (as the indicator itself).
    """

    _name = "qms.process.kpi.measurement"
    _description = "Process Indicator Measurement"
    _inherit = ["qms.parent.scope.mixin"]
    _qms_parent_field = "process_id"
    _order = "date desc, process_id, kpi_id"

    kpi_id = fields.Many2one("qms.process.kpi", string="Indicator", required=True, ondelete="cascade", index=True)
    process_id = fields.Many2one(related="kpi_id.process_id", store=True, index=True, precompute=True)
    company_id = fields.Many2one(related="kpi_id.company_id", store=True, index=True, precompute=True)
    department_id = fields.Many2one(related="process_id.department_id", store=True, index=True, precompute=True)
    frequency = fields.Selection(related="kpi_id.frequency")
    unit = fields.Char(related="kpi_id.unit")
    date = fields.Date(
        string="Period", required=True, index=True, default=fields.Date.context_today,
        help="The period measured, by its first day: any day of the month, quarter or year (as the indicator "
             "is measured) stands for the whole period.")
    period_name = fields.Char(string="Period Measured", compute="_compute_period_name")
    value = fields.Float(required=True, digits=(16, 2), aggregator="avg")
    target = fields.Float(digits=(16, 2), readonly=True, copy=False, aggregator="avg",
                          help="The indicator's target when this measurement was recorded.")
    direction = fields.Selection([("min", "At least"), ("max", "At most")], readonly=True, copy=False,
                                 help="The indicator's direction when this measurement was recorded.")
    met = fields.Boolean(string="Target Met", compute="_compute_met", store=True, index=True)
    note = fields.Text(help="How the figure was obtained, or why the target was missed.")
    measured_by_id = fields.Many2one("res.users", default=lambda self: self.env.user)

    _kpi_period_uniq = models.Constraint(
        "UNIQUE(kpi_id, date)",
        "An indicator has one measurement per period: correct the one already recorded instead.",
    )

    # copied from the indicator when the measurement is recorded: history keeps the target in force then
    _QMS_COPIED_FIELDS = ("target", "direction")

    @api.depends("value", "target", "direction")
    def _compute_met(self):
        for measurement in self:
            if measurement.direction == "max":
                measurement.met = measurement.value <= measurement.target
            else:
                measurement.met = measurement.value >= measurement.target

    @api.depends("date", "kpi_id.frequency")
    def _compute_period_name(self):
        for measurement in self:
            measurement.period_name = measurement._qms_period_label(measurement.date, measurement.kpi_id.frequency)

    @api.depends("kpi_id", "period_name")
    def _compute_display_name(self):
        for measurement in self:
            measurement.display_name = " ".join(filter(None, [measurement.kpi_id.name, measurement.period_name]))

    @api.model
    def _qms_period_start(self, day, frequency):
        """The first day of the period of `frequency` that holds `day` (a date or an ISO date string)."""
        day = fields.Date.to_date(day)
        return date_utils.start_of(day, GRANULARITY.get(frequency, "month")) if day else day

    @api.model
    def _qms_period_label(self, day, frequency):
        if not day:
            return False
        if frequency == "yearly":
            return str(day.year)
        if frequency == "quarterly":
            return self.env._("%(year)s Q%(quarter)s", year=day.year, quarter=(day.month - 1) // 3 + 1)
        return f"{day.year}-{day.month:02d}"

    # ------------------------------------------------------------------ input checks

    def _qms_check_copied_fields(self, vals, creating=False):
        if self.env.su:
            return
        given = [name for name in self._QMS_COPIED_FIELDS if name in vals]
        if given:
            raise UserError(self.env._(
                "%(fields)s of a measurement is the indicator's when the measurement is recorded: change the "
                "indicator's target instead (it applies to the measurements recorded from then on).",
                fields=", ".join(self._fields[name]._description_string(self.env) for name in given)))
        # whether the target was met, the indicator's process, department and company: derived, never typed
        check_workflow_fields(self, [name for name in vals if name not in self._QMS_COPIED_FIELDS], creating=creating)

    @api.model
    def _qms_check_dates(self, pairs):
        """`pairs`: (indicator, period start, measurement or None) about to be written. Refuses a period that
        has not begun and a second measurement of the same indicator and period, naming them."""
        today = fields.Date.context_today(self)
        for kpi, start, _measurement in pairs:
            if start > today:
                raise UserError(self.env._(
                    "%(kpi)s: the period %(period)s has not begun yet. Record its measurement once it is measured.",
                    kpi=kpi.display_name, period=self._qms_period_label(start, kpi.frequency)))
        seen = set()
        for kpi, start, _measurement in pairs:
            if (kpi.id, start) in seen:
                raise UserError(self._qms_duplicate_message(kpi, start))
            seen.add((kpi.id, start))
        moved = {measurement.id for _kpi, _start, measurement in pairs if measurement}
        existing = self.sudo().search_fetch(
            [("kpi_id", "in", list({kpi.id for kpi, _start, _m in pairs})),
             ("date", "in", list({start for _kpi, start, _m in pairs})), ("id", "not in", list(moved))],
            ["kpi_id", "date"])
        taken = {(measurement.kpi_id.id, measurement.date) for measurement in existing}
        for kpi, start, _measurement in pairs:
            if (kpi.id, start) in taken:
                raise UserError(self._qms_duplicate_message(kpi, start))

    @api.model
    def _qms_duplicate_message(self, kpi, start):
        return self.env._(
            "%(kpi)s already has a measurement for %(period)s: an indicator has one measurement per period. "
            "Correct the one already recorded instead.",
            kpi=kpi.display_name, period=self._qms_period_label(start, kpi.frequency))

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        for index, vals in enumerate(vals_list):
            self._qms_check_copied_fields(vals, creating=True)
            vals_list[index] = self._add_missing_default_values(vals)
        # the indicators in one query, read together (a job records many measurements at once)
        kpis = {kpi.id: kpi for kpi in self.env["qms.process.kpi"].browse(
            {vals["kpi_id"] for vals in vals_list if isinstance(vals.get("kpi_id"), int)}).exists()}
        pairs = []
        for vals in vals_list:
            kpi = kpis.get(vals.get("kpi_id"))
            if not kpi:
                raise UserError(self.env._("Choose the indicator that was measured."))
            if not vals.get("date"):
                raise UserError(self.env._("%s: give the period measured.", kpi.display_name))
            if vals.get("value") is None:
                raise UserError(self.env._("%s: enter the measured value.", kpi.display_name))
            vals["date"] = self._qms_period_start(vals["date"], kpi.frequency)
            vals.setdefault("target", kpi.target)
            vals.setdefault("direction", kpi.direction)
            pairs.append((kpi, vals["date"], None))
        self._qms_check_dates(pairs)
        return super().create(vals_list)

    def write(self, vals):
        self._qms_check_copied_fields(vals)
        if "kpi_id" in vals and any(measurement.kpi_id.id != vals["kpi_id"] for measurement in self):
            raise UserError(self.env._(
                "A measurement stays with the indicator it was recorded for: record a new one for the other "
                "indicator instead."))
        if "date" in vals:
            if not vals["date"]:
                raise UserError(self.env._("Give the period measured."))
            by_frequency = self.grouped(lambda measurement: measurement.kpi_id.frequency)
            if len(by_frequency) > 1:  # each its own period start
                for measurements in by_frequency.values():
                    measurements.write(vals)
                return True
            vals = dict(vals, date=self._qms_period_start(vals["date"], self.kpi_id[:1].frequency))
            self._qms_check_dates([(measurement.kpi_id, vals["date"], measurement) for measurement in self])
        return super().write(vals)
