import psycopg2

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import QmsDocsCase


@tagged("post_install", "-at_install")
class TestKpiMeasurement(QmsDocsCase):
    """Measurements of process indicators: one per period, against the target in force when recorded,
    recorded by whoever may change the process, read by everyone who may read it. Today: 30 November 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Measurement = cls.env["qms.process.kpi.measurement"]
        cls.process = cls.env["qms.process"].create({"name": "Licensing", "department_id": cls.section.id})
        cls.on_time = cls.env["qms.process.kpi"].create({
            "process_id": cls.process.id, "name": "Licences issued on time", "target": 98, "unit": "%",
            "direction": "min", "frequency": "monthly"})
        cls.errors = cls.env["qms.process.kpi"].create({
            "process_id": cls.process.id, "name": "Major errors", "target": 0, "unit": "cases",
            "direction": "max", "frequency": "quarterly"})
        cls.overturned = cls.env["qms.process.kpi"].create({
            "process_id": cls.process.id, "name": "Decisions overturned", "target": 1, "direction": "max",
            "frequency": "yearly"})

    def measure(self, kpi, date, value, user=None, **values):
        return self.Measurement.with_user(user or self.section_head).create(
            {"kpi_id": kpi.id, "date": date, "value": value, **values})

    def test_target_met_in_both_directions(self):
        self.assertTrue(self.measure(self.on_time, "2026-09-01", 98).met, "at least 98: 98 meets it")
        self.assertFalse(self.measure(self.on_time, "2026-10-01", 97.5).met)
        self.assertTrue(self.measure(self.errors, "2026-04-01", 0).met, "at most 0: none meets it")
        missed = self.measure(self.errors, "2026-07-01", 1)
        self.assertFalse(missed.met)
        missed.with_user(self.section_head).write({"value": 0})
        self.assertTrue(missed.met, "a corrected value is judged again")
        self.assertEqual(self.Measurement.search([("process_id", "=", self.process.id), ("met", "=", False)])
                         .mapped("value"), [97.5], "the 'Target missed' filter finds the misses")

    def test_the_target_in_force_when_measured_is_kept(self):
        september = self.measure(self.on_time, "2026-09-01", 98.5)
        self.assertEqual((september.target, september.direction, september.measured_by_id),
                         (98, "min", self.section_head))
        self.on_time.with_user(self.section_head).write({"target": 99, "direction": "max"})
        self.assertEqual((september.target, september.direction), (98, "min"), "history keeps its target")
        self.assertTrue(september.met)
        october = self.measure(self.on_time, "2026-10-01", 98.5)
        self.assertEqual((october.target, october.direction), (99, "max"))
        self.assertTrue(october.met, "at most 99 from then on")

    def test_the_date_stands_for_its_period(self):
        month = self.measure(self.on_time, "2026-10-17", 99)
        quarter = self.measure(self.errors, "2026-08-20", 0)
        year = self.measure(self.overturned, "2025-06-30", 0)
        self.assertEqual([str(m.date) for m in (month, quarter, year)], ["2026-10-01", "2026-07-01", "2025-01-01"])
        self.assertEqual([m.period_name for m in (month, quarter, year)], ["2026-10", "2026 Q3", "2025"])
        self.assertEqual(month.display_name, "Licences issued on time 2026-10")
        month.with_user(self.section_head).write({"date": "2026-09-12"})
        self.assertEqual(str(month.date), "2026-09-01")
        (month | quarter).with_user(self.section_head).write({"date": "2026-05-20"})
        self.assertEqual((str(month.date), str(quarter.date)), ("2026-05-01", "2026-04-01"),
                         "each measurement takes the start of its own indicator's period")
        current = self.measure(self.on_time, "2026-11-30", 96)
        self.assertEqual(str(current.date), "2026-11-01", "the current period may be measured")

    def test_one_measurement_per_indicator_and_period(self):
        october = self.measure(self.on_time, "2026-10-01", 99)
        with self.assertRaisesRegex(UserError, "already has a measurement for 2026-10"):
            self.measure(self.on_time, "2026-10-25", 97)
        with self.assertRaisesRegex(UserError, "already has a measurement"):
            self.Measurement.with_user(self.section_head).create([
                {"kpi_id": self.on_time.id, "date": "2026-08-03", "value": 97},
                {"kpi_id": self.on_time.id, "date": "2026-08-28", "value": 98}])
        september = self.measure(self.on_time, "2026-09-01", 97)
        with self.assertRaisesRegex(UserError, "already has a measurement"):
            september.with_user(self.section_head).write({"date": "2026-10-09"})
        october.with_user(self.section_head).write({"date": "2026-10-20", "value": 99.5})  # its own period again
        self.measure(self.errors, "2026-10-01", 0)  # another indicator, the same period
        # the database holds the rule too, whatever writes the row
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE qms_process_kpi_measurement SET date = %s WHERE id = %s",
                                ("2026-10-01", september.id))

    def test_who_records_and_who_reads(self):
        measurement = self.measure(self.on_time, "2026-10-01", 99, user=self.section_head)
        measurement.with_user(self.bureau_head).write({"note": "Checked against the register"})  # head above
        self.measure(self.on_time, "2026-09-01", 98, user=self.controller)
        for user in (self.clerk, self.other_clerk, self.auditor, self.other_head):
            with self.subTest(user=user.login):
                self.assertEqual(self.Measurement.with_user(user).search([("id", "=", measurement.id)]), measurement,
                                 "whoever reads the process reads its measurements")
                with self.assertRaises(AccessError):
                    measurement.with_user(user).write({"value": 50})
                with self.assertRaises(AccessError):
                    self.measure(self.on_time, "2026-08-01", 97, user=user)
                with self.assertRaises(AccessError):
                    measurement.with_user(user).unlink()
        self.assertEqual(measurement.value, 99)
        measurement.with_user(self.section_head).unlink()
        self.assertFalse(measurement.exists())

    def test_bad_input_gets_a_clear_error(self):
        with self.assertRaisesRegex(UserError, "has not begun yet"):
            self.measure(self.on_time, "2026-12-01", 99)
        with self.assertRaisesRegex(UserError, "Choose the indicator"):
            self.Measurement.with_user(self.section_head).create({"date": "2026-10-01", "value": 99})
        with self.assertRaisesRegex(UserError, "enter the measured value"):
            self.Measurement.with_user(self.section_head).create({"kpi_id": self.on_time.id, "date": "2026-10-01"})
        with self.assertRaisesRegex(UserError, "give the period measured"):
            self.Measurement.with_user(self.section_head).create({"kpi_id": self.on_time.id, "value": 99,
                                                                   "date": False})
        with self.assertRaisesRegex(UserError, "change the indicator's target instead"):
            self.measure(self.on_time, "2026-10-01", 99, target=50)
        measurement = self.measure(self.on_time, "2026-10-01", 97)
        with self.assertRaisesRegex(UserError, "change the indicator's target instead"):
            measurement.with_user(self.section_head).write({"target": 90})
        with self.assertRaisesRegex(UserError, "stays with the indicator"):
            measurement.with_user(self.section_head).write({"kpi_id": self.errors.id})
        with self.assertRaisesRegex(UserError, "has not begun yet"):
            measurement.with_user(self.section_head).write({"date": "2027-01-04"})
        self.assertEqual((str(measurement.date), measurement.target), ("2026-10-01", 98))

    def test_last_measurement_of_each_indicator_in_a_fixed_number_of_queries(self):
        self.measure(self.on_time, "2026-09-01", 99)
        self.measure(self.on_time, "2026-10-01", 97)
        self.measure(self.errors, "2026-07-01", 0)
        kpis = self.on_time | self.errors | self.overturned
        self.assertEqual(kpis.mapped("last_value"), [97, 0, 0])
        self.assertEqual([str(d) if d else d for d in kpis.mapped("last_date")], ["2026-10-01", "2026-07-01", False])
        self.assertEqual(kpis.mapped("last_met"), [False, True, False])

        def queries(records):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            records.mapped("last_value")
            return self.env.cr.sql_log_count - before

        more = self.env["qms.process.kpi"].create([
            {"process_id": self.process.id, "name": f"Indicator {i}", "target": 90} for i in range(10)])
        self.Measurement.create([{"kpi_id": kpi.id, "date": "2026-10-01", "value": 95} for kpi in more])
        self.assertEqual(queries(kpis | more), queries(self.on_time | self.errors), "no query per indicator")

    def test_the_indicator_opens_its_measurements(self):
        action = self.on_time.with_user(self.clerk).action_open_measurements()
        self.assertEqual(action["res_model"], "qms.process.kpi.measurement")
        self.assertEqual(action["domain"], [("kpi_id", "=", self.on_time.id)])
        self.assertEqual(action["context"], {"default_kpi_id": self.on_time.id})
        measurement = self.Measurement.with_user(self.section_head).with_context(**action["context"]).create(
            {"date": "2026-10-01", "value": 99})
        self.assertEqual(measurement.kpi_id, self.on_time, "the measurement is recorded for the indicator opened")
