from datetime import date

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import QmsCapaCase

MEASURED_ON = "2026-12-03 02:00:00"  # Thursday 3 December 2026, 10:00 in Beijing: November is the last complete month


@tagged("post_install", "-at_install")
class TestKpiBreach(QmsCapaCase):
    """Process indicators measured by hand or computed from the complaints and nonconformities; a measurement that
    misses its target raises one nonconformity (source: process indicator), once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Kpi = cls.env["qms.process.kpi"]
        cls.Measurement = cls.env["qms.process.kpi.measurement"]
        Process = cls.env["qms.process"]
        cls.licensing = Process.create({"name": "Licence issuing", "department_id": cls.section.id,
                                        "owner_id": cls.section_head.id})
        cls.refunds = Process.create({"name": "Deposit refunds", "department_id": cls.finance.id})
        cls.kpi_complaints = cls.make_kpi(cls.licensing, "Complaints answered on time", 90, "complaints_on_time")
        cls.kpi_ncs = cls.make_kpi(cls.licensing, "Nonconformities closed on time", 30, "ncs_on_time")
        cls.kpi_manual = cls.make_kpi(cls.licensing, "Licences issued on time", 95, "manual")
        # complaints of the licensing process due in November 2026: 2 of 4 answered by their deadline
        cls.complaint(cls.licensing, "2026-11-10", answered="2026-11-09")
        cls.complaint(cls.licensing, "2026-11-20", answered="2026-11-23")  # late
        cls.complaint(cls.licensing, "2026-11-25")  # not answered: late
        cls.complaint(cls.licensing, "2026-11-27", answered="2026-11-27")
        cls.complaint(cls.licensing, "2026-11-15", state="dismissed")  # left out
        cls.complaint(cls.licensing, "2026-12-02", answered="2026-11-30")  # due in December: left out
        cls.complaint(cls.licensing, "2026-10-30", answered="2026-11-02")  # due in October: left out
        cls.complaint(cls.refunds, "2026-11-10", answered="2026-11-20")  # another process
        # nonconformities of the licensing process due in November: 1 of 3 closed by its deadline
        cls.nc(cls.licensing, "2026-11-05", closed="2026-11-04")
        cls.nc(cls.licensing, "2026-11-12", closed="2026-11-20")  # late
        cls.nc(cls.licensing, "2026-11-30")  # still open: late
        cls.nc(cls.licensing, "2026-11-18", state="cancelled")  # left out
        cls.nc(cls.licensing, "2026-12-15", closed="2026-11-28")  # due in December: left out

    @classmethod
    def make_kpi(cls, process, name, target, measure, frequency="monthly"):
        return cls.env["qms.process.kpi"].create({
            "process_id": process.id, "name": name, "target": target, "unit": "%", "direction": "min",
            "frequency": frequency, "measure": measure})

    @classmethod
    def complaint(cls, process, deadline, answered=None, state=None):
        vals = {"subject": "Licence delayed", "description": "The licence came late.", "kind": "complaint",
                "channel": "hotline", "department_id": process.department_id.id, "process_id": process.id,
                "date_received": "2026-10-01 02:00:00", "date_deadline": deadline}
        if answered:
            vals.update(state="answered", date_answered=answered)
        if state:
            vals["state"] = state
        return cls.env["qms.complaint"].sudo().create(vals)

    @classmethod
    def nc(cls, process, deadline, closed=None, state=None):
        vals = {"title": "Licence file incomplete", "department_id": process.department_id.id,
                "process_id": process.id, "source": "self_reported", "date_detected": "2026-10-01",
                "date_deadline": deadline, "state": state or "action"}
        if closed:
            vals.update(state="closed", path="capa", date_closed=closed)
        return cls.env["qms.nonconformity"].sudo().create(vals)

    def indicator_ncs(self, measurements=None):
        domain = [("source", "=", "indicator")]
        if measurements is not None:
            domain += [("origin_model", "=", "qms.process.kpi.measurement"), ("origin_id", "in", measurements.ids)]
        return self.NC.sudo().search(domain)

    # ------------------------------------------------------------------ computed indicators

    def test_computed_values_and_the_breach_raising_one_nc(self):
        with freeze_time(MEASURED_ON):
            measurements = self.Kpi.browse()._cron_measure()
        complaints = measurements.filtered(lambda m: m.kpi_id == self.kpi_complaints)
        ncs_measure = measurements.filtered(lambda m: m.kpi_id == self.kpi_ncs)
        self.assertEqual(measurements.kpi_id & self.licensing.kpi_ids, self.kpi_complaints | self.kpi_ncs,
                         "manual indicators are not computed")
        self.assertEqual((str(complaints.date), complaints.value, complaints.target), ("2026-11-01", 50.0, 90.0))
        self.assertEqual((str(ncs_measure.date), ncs_measure.value), ("2026-11-01", 33.33))
        self.assertTrue(complaints.is_computed and ncs_measure.is_computed)
        self.assertFalse(complaints.measured_by_id)
        self.assertEqual(complaints.note, "2 of the 4 citizen complaints due from 2026-11-01 to 2026-11-30 were "
                                          "answered by their deadline.")
        # 50 % against at least 90 %: missed, one nonconformity; 33.33 % against at least 30 %: met, none
        self.assertFalse(complaints.met)
        self.assertTrue(ncs_measure.met)
        self.assertFalse(ncs_measure.nonconformity_id)
        nc = complaints.nonconformity_id
        self.assertEqual(self.indicator_ncs(measurements), nc)
        self.assertEqual(nc.title, "Indicator Complaints answered on time missed its target: 50% vs 90%")
        self.assertEqual((nc.source, nc.department_id, nc.process_id, nc.state, nc.origin_model, nc.origin_id),
                         ("indicator", self.section, self.licensing, "new", complaints._name, complaints.id))
        self.assertEqual(nc.origin_name, complaints.display_name)
        self.assertEqual(str(nc.date_detected), "2026-12-03")
        self.assertEqual(nc.owner_id, self.section_head, "the department's head handles it")
        self.assertEqual(nc.reported_by_id, self.section_head, "computed: reported in the process owner's name")
        self.assertIn("2026-11", nc.description)

    def test_no_second_measurement_nor_nc_when_run_again(self):
        with freeze_time(MEASURED_ON):
            first = self.Kpi.browse()._cron_measure()
            again = self.Kpi.browse()._cron_measure()
        self.assertTrue(first)
        self.assertFalse(again, "never twice for the same period")
        with freeze_time("2026-12-28 02:00:00"):
            self.assertFalse(self.Kpi.browse()._cron_measure(), "still November's period in December")
        self.assertEqual(self.Measurement.search_count([("kpi_id", "=", self.kpi_complaints.id)]), 1)
        self.assertEqual(len(self.indicator_ncs(first)), 1)
        # correcting the figure (as the system) raises no second nonconformity
        measurement = first.filtered(lambda m: m.kpi_id == self.kpi_complaints)
        measurement.sudo().write({"value": 40})
        measurement.sudo().write({"value": 95})
        measurement.sudo().write({"value": 20})
        self.assertEqual(len(self.indicator_ncs(first)), 1)
        # a computed figure is not typed over; its note may be completed
        with self.assertRaises(UserError):
            measurement.with_user(self.section_head).write({"value": 99})
        measurement.with_user(self.section_head).write({"note": "Two officers were on leave."})
        with self.assertRaises(UserError):  # nor entered by hand
            self.Measurement.with_user(self.section_head).create(
                {"kpi_id": self.kpi_complaints.id, "date": "2026-10-01", "value": 100})
        with self.assertRaises(UserError):  # kept as the nonconformity's evidence
            measurement.with_user(self.section_head).unlink()

    def test_periods_and_nothing_due(self):
        kpi = self.Kpi.browse()
        dates = {frequency: self.make_kpi(self.refunds, frequency, 90, "complaints_on_time", frequency)
                 for frequency in ("monthly", "quarterly", "yearly")}
        today = date(2026, 12, 3)
        self.assertEqual(dates["monthly"]._qms_last_period(today), (date(2026, 11, 1), date(2026, 11, 30)))
        self.assertEqual(dates["quarterly"]._qms_last_period(today), (date(2026, 7, 1), date(2026, 9, 30)))
        self.assertEqual(dates["yearly"]._qms_last_period(today), (date(2025, 1, 1), date(2025, 12, 31)))
        self.assertEqual(dates["monthly"]._qms_last_period(date(2027, 1, 1)), (date(2026, 12, 1), date(2026, 12, 31)))
        # the third quarter: one complaint answered on time, one late
        self.complaint(self.refunds, "2026-08-10", answered="2026-08-10")
        self.complaint(self.refunds, "2026-09-30", answered="2026-10-09")
        measurements = kpi.union(*dates.values())._qms_measure(today)
        self.assertEqual([(m.kpi_id.frequency, str(m.date), m.value) for m in measurements.sorted("date")],
                         [("quarterly", "2026-07-01", 50.0), ("monthly", "2026-11-01", 0.0)],
                         "nothing was due in 2025: no yearly measurement")
        self.assertEqual(len(self.indicator_ncs(measurements)), 2)

    # ------------------------------------------------------------------ measured by hand

    def test_manual_measurement_breach_raises_one_nc(self):
        Measurement = self.Measurement.with_user(self.section_head)
        met = Measurement.create({"kpi_id": self.kpi_manual.id, "date": "2026-09-01", "value": 96})
        self.assertFalse(met.nonconformity_id, "a met target raises nothing")
        missed = Measurement.create({"kpi_id": self.kpi_manual.id, "date": "2026-10-01", "value": 80.5,
                                     "note": "The licensing system was down for a week."})
        nc = missed.nonconformity_id
        self.assertEqual(nc.title, "Indicator Licences issued on time missed its target: 80.5% vs 95%")
        self.assertEqual((nc.source, nc.department_id, nc.process_id, nc.origin_id, nc.reported_by_id),
                         ("indicator", self.section, self.licensing, missed.id, self.section_head))
        self.assertIn("The licensing system was down for a week.", nc.description)
        nc.with_user(self.section_head).check_access("read")  # the head reads it
        # corrected, met, missed again: still that one nonconformity
        missed.write({"value": 70})
        missed.write({"value": 97})
        missed.write({"value": 60})
        self.assertEqual(self.indicator_ncs(missed), nc)
        self.assertEqual(missed.nonconformity_id, nc)
        # a measurement first met, then corrected to a miss, raises its nonconformity then
        met.write({"value": 90})
        self.assertEqual(met.nonconformity_id.title, "Indicator Licences issued on time missed its target: 90% vs 95%")
        with self.assertRaises(UserError):  # the link is the system's
            missed.write({"nonconformity_id": False})
        # a unit other than % reads with a space; at most
        errors = self.Kpi.create({"process_id": self.licensing.id, "name": "Errors", "target": 2, "unit": "cases",
                                  "direction": "max", "measure": "manual"})
        self.assertEqual(Measurement.create({"kpi_id": errors.id, "date": "2026-10-01", "value": 3})
                         .nonconformity_id.title, "Indicator Errors missed its target: 3 cases vs 2 cases")
        self.assertFalse(Measurement.create({"kpi_id": errors.id, "date": "2026-09-01", "value": 2}).nonconformity_id)

    # ------------------------------------------------------------------ cost

    def test_query_count_does_not_grow_with_the_indicators(self):
        def indicators(count):
            processes = self.env["qms.process"].create([
                {"name": f"Process {index}", "department_id": self.section.id} for index in range(count)])
            kpis = self.Kpi.browse()
            for process in processes:
                self.complaint(process, "2026-11-10", answered="2026-11-09")
                self.nc(process, "2026-11-10", closed="2026-11-09")
                kpis |= self.make_kpi(process, "Answered on time", 0, "complaints_on_time")
                kpis |= self.make_kpi(process, "Closed on time", 0, "ncs_on_time")
            return kpis

        def queries(kpis):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            measurements = kpis._qms_measure(date(2026, 12, 3))
            self.env.flush_all()
            self.assertEqual(len(measurements), len(kpis))
            return self.cr.sql_log_count - before

        queries(indicators(1))  # warm the caches
        one, ten = indicators(1), indicators(10)
        self.assertEqual(queries(one), queries(ten), "no query per indicator")
        more = indicators(10)
        self.env.flush_all()
        self.env.invalidate_all()
        # the indicators, the company's time zone, the measurements already there, one grouped query per kind of
        # measure and period, the measurements inserted with their related fields
        with self.assertQueryCount(9):
            more._qms_measure(date(2026, 12, 3))
            self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(2):
            self.assertFalse(more._qms_measure(date(2026, 12, 3)), "measured already")
