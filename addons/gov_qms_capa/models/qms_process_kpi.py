from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_process_kpi_measurement import GRANULARITY
from odoo.exceptions import UserError
from odoo.tools import date_utils, html_escape

MEASURES = [
    ("manual", "Entered by hand"),
    ("complaints_on_time", "Complaints answered on time (%)"),
    ("ncs_on_time", "Nonconformities closed on time (%)"),
]
PERIOD_LENGTH = {"monthly": relativedelta(months=1), "quarterly": relativedelta(months=3),
                 "yearly": relativedelta(years=1)}


def _number(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


class QmsProcessKpi(models.Model):
    """Indicators measured by hand by the process owner, or computed from the records: the share of the process's
    citizen complaints answered, or nonconformities closed, by their deadline among those due in the period."""

    _inherit = "qms.process.kpi"

    measure = fields.Selection(
        MEASURES, string="Measured", required=True, default="manual",
        help="Entered by hand by the process owner, or computed by the monthly job for the last complete period: the "
             "percentage of the process's citizen complaints answered by their deadline, or of its nonconformities "
             "closed by their deadline, among those due in the period (dismissed complaints and cancelled "
             "nonconformities left out). A period with nothing due gets no measurement.")

    @api.onchange("measure")
    def _onchange_measure(self):
        if self.measure != "manual" and not self.unit:
            self.unit = "%"

    # ------------------------------------------------------------------ computed measurements

    @api.model
    def _qms_today(self, company):
        """Today in the company's time zone (that of its working-time calendar)."""
        return fields.Date.context_today(self.with_context(tz=company._qms_tz()))

    def _qms_last_period(self, today):
        """(first day, last day) of the last period of the indicator's frequency that ended before `today`."""
        self.ensure_one()
        current = date_utils.start_of(today, GRANULARITY[self.frequency])
        return current - PERIOD_LENGTH[self.frequency], current - timedelta(days=1)

    @api.model
    def _cron_measure(self):
        """Monthly job: measure every computed indicator for its last complete period, once."""
        kpis = self.sudo().search([("measure", "!=", "manual"), ("process_id.active", "=", True)])
        return kpis._qms_measure()

    def _qms_measure(self, today=None):
        """Measure these computed indicators for their last complete period before `today` (by default each
        company's today), once: an indicator already measured for that period is left as it is. A fixed number of
        queries whatever the number of indicators: one grouped query per kind of measure and period. Measurements
        that miss their target raise their nonconformity (see the measurement)."""
        kpis = self.sudo().filtered(lambda kpi: kpi.measure != "manual")
        if not kpis:
            return self.env["qms.process.kpi.measurement"]
        kpis.fetch(["measure", "frequency", "process_id", "company_id", "name", "target", "direction"])
        todays = {}
        periods = defaultdict(list)  # (measure, first day, last day): indicators
        for kpi in kpis:
            if kpi.company_id not in todays:
                todays[kpi.company_id] = today or self._qms_today(kpi.company_id)
            periods[(kpi.measure, *kpi._qms_last_period(todays[kpi.company_id]))].append(kpi)
        Measurement = self.env["qms.process.kpi.measurement"].sudo()
        taken = {(measurement.kpi_id.id, measurement.date) for measurement in Measurement.search_fetch(
            [("kpi_id", "in", kpis.ids), ("date", "in", list({start for _measure, start, _stop in periods}))],
            ["kpi_id", "date"])}
        vals_list = []
        for (measure, start, stop), group in periods.items():
            group = [kpi for kpi in group if (kpi.id, start) not in taken]
            if not group:
                continue
            counts = self._qms_on_time_counts(measure, [kpi.process_id.id for kpi in group], start, stop)
            for kpi in group:
                due, on_time = counts.get(kpi.process_id.id, (0, 0))
                if not due:
                    continue
                if measure == "complaints_on_time":
                    note = self.env._("%(on_time)s of the %(due)s citizen complaints due from %(start)s to %(stop)s "
                                      "were answered by their deadline.", on_time=on_time, due=due, start=start,
                                      stop=stop)
                else:
                    note = self.env._("%(on_time)s of the %(due)s nonconformities due from %(start)s to %(stop)s were "
                                      "closed by their deadline.", on_time=on_time, due=due, start=start, stop=stop)
                vals_list.append({"kpi_id": kpi.id, "date": start, "value": round(100.0 * on_time / due, 2),
                                  "is_computed": True, "measured_by_id": False, "note": note})
        return Measurement.create(vals_list).with_env(self.env)

    @api.model
    def _qms_on_time_counts(self, measure, process_ids, start, stop):
        """{process id: (items due from `start` to `stop`, those done by their deadline)}, in one grouped query."""
        if measure == "complaints_on_time":
            model, on_time_field, dropped = "qms.complaint", "answered_on_time", "dismissed"
        else:
            model, on_time_field, dropped = "qms.nonconformity", "closed_on_time", "cancelled"
        groups = self.env[model].sudo()._read_group(
            [("process_id", "in", process_ids), ("date_deadline", ">=", start), ("date_deadline", "<=", stop),
             ("state", "!=", dropped)],
            ["process_id", on_time_field], ["__count"])
        counts = defaultdict(lambda: [0, 0])
        for process, on_time, count in groups:
            counts[process.id][0] += count
            if on_time:
                counts[process.id][1] += count
        return {process_id: tuple(figures) for process_id, figures in counts.items()}


class QmsProcessKpiMeasurement(models.Model):
    """A measurement that misses its target raises one nonconformity (source: process indicator), linked both ways:
    never a second one for the same measurement, whether its value is corrected or the job runs again."""

    _inherit = "qms.process.kpi.measurement"

    is_computed = fields.Boolean(string="Computed", readonly=True, copy=False,
                                 help="Computed from the records by the monthly job, not entered by hand.")
    nonconformity_id = fields.Many2one(
        "qms.nonconformity", string="Nonconformity Raised", readonly=True, copy=False, index="btree_not_null",
        ondelete="restrict", help="Raised when this measurement missed its target (once per measurement).")

    @api.model_create_multi
    def create(self, vals_list):
        measurements = super().create(vals_list)
        if not self.env.su:
            by_hand = measurements.filtered(lambda measurement: measurement.kpi_id.measure != "manual")
            if by_hand:
                raise UserError(self.env._(
                    "%s is computed from the records by the monthly job: its measurements are not entered by hand.",
                    by_hand[0].kpi_id.display_name))
        measurements._qms_raise_breaches()
        return measurements

    def write(self, vals):
        if not self.env.su and set(vals) - {"note"}:
            computed = self.filtered("is_computed")
            if computed:
                raise UserError(self.env._(
                    "%s was computed from the records: only its note can be changed.", computed[0].display_name))
        result = super().write(vals)
        if {"value", "target", "direction"} & set(vals):
            self._qms_raise_breaches()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_raised(self):
        raised = self.filtered("nonconformity_id")
        if raised:
            raise UserError(self.env._(
                "%(measurement)s raised %(nc)s and is kept as its evidence: correct its value instead.",
                measurement=raised[0].display_name, nc=raised[0].nonconformity_id.display_name))

    def _qms_raise_breaches(self):
        """One nonconformity for each of these measurements that misses its target and has none yet."""
        missed = self.filtered(lambda measurement: not measurement.met and not measurement.nonconformity_id)
        if not missed:
            return self.env["qms.nonconformity"]
        # the consequence of a measurement recorded by whoever may record it, not a right of their own
        ncs = self.env["qms.nonconformity"].sudo().create([measurement._qms_breach_values() for measurement in missed])
        for measurement, nc in zip(missed.sudo(), ncs, strict=True):
            measurement.write({"nonconformity_id": nc.id})
        return ncs.with_env(self.env)

    def _qms_breach_values(self):
        self.ensure_one()
        kpi, process = self.kpi_id, self.process_id
        unit = kpi.unit or ""

        def shown(number):
            text = _number(number)
            return f"{text}{unit}" if unit == "%" else " ".join(filter(None, [text, unit]))

        direction = dict(self._fields["direction"]._description_selection(self.env)).get(self.direction, "")
        description = self.env._(
            "<p>%(kpi)s, %(period)s: %(value)s against a target of %(direction)s %(target)s.</p>",
            kpi=html_escape(kpi.display_name), period=html_escape(self.period_name or ""), value=shown(self.value),
            direction=html_escape(direction.lower()), target=shown(self.target))
        if self.note:
            description += f"<p>{html_escape(self.note)}</p>"
        return {
            "title": self.env._("Indicator %(kpi)s missed its target: %(value)s vs %(target)s", kpi=kpi.name,
                                value=shown(self.value), target=shown(self.target)),
            "description": description,
            "source": "indicator",
            "department_id": process.department_id.id,
            "process_id": process.id,
            "company_id": self.company_id.id,
            "origin_model": self._name,
            "origin_id": self.id,
            "reported_by_id": (self.measured_by_id or process.owner_id or self.env.user).id,
            "date_detected": self.env["qms.process.kpi"]._qms_today(self.company_id),
        }
