import base64
import io
import zipfile
from datetime import datetime

import xlsxwriter

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import QmsCapaCase

HEADER_ZH = ["工单编号", "受理时间", "诉求类型", "承办部门", "诉求内容", "来电号码"]
HEADER_EN = ["Work Order No.", "Time Received", "Kind", "Department", "Content", "Citizen Phone"]
LONG = ("The licence counter asked for the same residence certificate three times and never said which office "
        "issues it")


@tagged("post_install", "-at_install")
class TestComplaintImport(QmsCapaCase):
    """The 12345 hotline import: XLSX or CSV in the documented layout, the whole file checked first, work orders never
    imported twice; and Odoo's own import on citizen complaints. Today: Monday 30 November 2026, 10:00 in Beijing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Complaint = cls.env["qms.complaint"]
        cls.parks = cls.env["hr.department"].create({"name": "Parks Maintenance Office", "parent_id": cls.city.id,
                                                     "qms_code": "PMO"})

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def xlsx(rows):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet("工单")
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for row_index, row in enumerate(rows):
            for column, value in enumerate(row):
                if isinstance(value, datetime):
                    sheet.write_datetime(row_index, column, value, when)
                else:
                    sheet.write(row_index, column, value)
        workbook.close()
        return output.getvalue()

    @staticmethod
    def csv(rows, encoding="utf-8-sig", delimiter=","):
        return "\r\n".join(delimiter.join(row) for row in rows).encode(encoding)

    def wizard(self, data, filename, user=None):
        return self.env["qms.complaint.import.wizard"].with_user(user or self.qms_manager).create(
            {"file": base64.b64encode(data), "filename": filename})

    def run_import(self, data, filename, user=None):
        wizard = self.wizard(data, filename, user)
        wizard.action_import()
        return wizard

    def hotline(self, *refs):
        return self.Complaint.sudo().search([("external_ref", "in", list(refs))], order="external_ref")

    def assertRefused(self, data, filename, *fragments):
        before = self.Complaint.sudo().search_count([])
        with self.assertRaises(UserError) as caught:
            self.run_import(data, filename)
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))
        self.assertEqual(self.Complaint.sudo().search_count([]), before, "nothing imported")
        return str(caught.exception)

    # ------------------------------------------------------------------ good files

    def test_xlsx_good_file(self):
        data = self.xlsx([
            HEADER_ZH,
            ["GD20261127001", datetime(2026, 11, 27, 7, 0), "咨询", "LIC", "Which papers does a food licence need?",
             13800138000],
            ["GD20261127002", "2026/11/27 16:45", "投诉", "Parks Maintenance Office", LONG, "021-5555 0101"],
            [],  # blank rows are ignored
            [20261128003, "2026-11-28 09:05:00", "求助", "fin", "Refund of the deposit has not arrived", ""],
        ])
        wizard = self.run_import(data, "12345_export.xlsx")
        self.assertEqual((wizard.state, wizard.imported_count, wizard.skipped_count), ("done", 3, 0))
        self.assertEqual(wizard.summary, "3 imported, 0 already there")
        first, second, third = (self.hotline(ref) for ref in ("GD20261127001", "GD20261127002", "20261128003"))
        self.assertEqual(len(first | second | third), 3)
        self.assertEqual(wizard.complaint_ids, first | second | third)
        self.assertEqual(set((first | second | third).mapped("channel")), {"hotline"})
        self.assertEqual(set((first | second | third).mapped("state")), {"received"})
        self.assertEqual((first | second | third).mapped("kind"), ["consultation", "complaint", "help"])
        self.assertEqual((first | second | third).department_id.mapped("qms_code"), ["LIC", "PMO", "FIN"])
        self.assertEqual(first.citizen_phone, "13800138000", "a phone number typed as a number stays digits")
        self.assertEqual(second.citizen_phone, "021-5555 0101")
        self.assertFalse(third.citizen_phone)
        self.assertEqual(second.subject, LONG[:60], "the subject is the first 60 characters of the content")
        self.assertEqual(second.description, LONG)
        self.assertEqual(first.receiver_id, self.qms_manager, "the importer owns them until they are assigned")
        self.assertTrue(first.name.startswith("CP-2026-"))
        # 07:00 in Beijing on Friday 27 November is 23:00 UTC on Thursday 26: stored in UTC, counted from Friday
        self.assertEqual(str(first.date_received), "2026-11-26 23:00:00")
        self.assertEqual(str(first.date_deadline), "2026-11-30", "consultation: 1 working day after Friday")
        self.assertEqual(str(second.date_received), "2026-11-27 08:45:00")
        self.assertEqual(str(third.date_received), "2026-11-28 01:05:00")

    def test_all_kinds_in_chinese_and_english(self):
        rows = [HEADER_EN] + [
            [f"K{index}", "2026-11-27 10:00", kind, "LIC", f"Work order {index}", ""]
            for index, kind in enumerate(["咨询", "求助", "投诉", "建议", "表扬", "Consultation", "request for help",
                                          "COMPLAINT", " suggestion ", "Praise"])]
        self.run_import(self.csv(rows), "kinds.csv")
        self.assertEqual(self.hotline(*[f"K{index}" for index in range(10)]).mapped("kind"),
                         ["consultation", "help", "complaint", "suggestion", "praise"] * 2)

    def test_csv_utf8_with_bom_and_gb18030(self):
        rows = [HEADER_ZH,
                ["GD-U1", "2026-11-27 09:30", "建议", "PMO", "公园西门晚上没有路灯，建议加装。", "13900000001"]]
        wizard = self.run_import(self.csv(rows, "utf-8-sig"), "utf8.csv")
        self.assertEqual(wizard.imported_count, 1)
        complaint = self.hotline("GD-U1")
        self.assertEqual(complaint.description, "公园西门晚上没有路灯，建议加装。")
        self.assertEqual(complaint.kind, "suggestion")
        self.assertEqual(str(complaint.date_received), "2026-11-27 01:30:00")
        # the same layout as many 12345 systems export it: GB18030 (GBK), semicolons, no BOM
        rows = [HEADER_ZH, ["GD-G1", "2026年11月27日 14:05", "表扬", "Parks Maintenance Office",
                            "环卫工人很负责，表扬。", "13900000002"]]
        data = self.csv(rows, "gb18030", ";")
        self.assertRaises(UnicodeDecodeError, data.decode, "utf-8")
        self.assertEqual(self.run_import(data, "gbk.csv").imported_count, 1)
        complaint = self.hotline("GD-G1")
        self.assertEqual((complaint.kind, complaint.department_id, complaint.description),
                         ("praise", self.parks, "环卫工人很负责，表扬。"))
        self.assertEqual(str(complaint.date_received), "2026-11-27 06:05:00")
        # plain UTF-8 without BOM
        rows = [HEADER_EN, ["GD-U2", "2026-11-27 09:30", "咨询", "LIC", "办证要带什么材料？", ""]]
        self.assertEqual(self.run_import(self.csv(rows, "utf-8"), "plain.csv").imported_count, 1)

    # ------------------------------------------------------------------ refused files

    def test_unknown_department_refused_with_its_row_and_nothing_imported(self):
        rows = [
            HEADER_ZH,
            ["GD-D1", "2026-11-27 09:00", "投诉", "LIC", "Counter closed early", ""],
            ["GD-D2", "2026-11-27 09:10", "投诉", "Parks Bureau", "Broken bench", ""],
            ["GD-D3", "2026-11-27 09:20", "抱怨", "FIN", "Late refund", ""],
            ["GD-D4", "tomorrow", "咨询", "", "", ""],
        ]
        message = self.assertRefused(self.xlsx(rows), "export.xlsx", "Nothing was imported")
        self.assertIn("Row 3: the department “Parks Bureau” is unknown: give its name or its QMS code.", message)
        self.assertIn("Row 4: the kind “抱怨” is none of", message)
        self.assertIn("Row 5: 承办部门 (Department) is empty; 诉求内容 (Content) is empty; "
                      "the time received “tomorrow” is not a date and time", message)
        self.assertNotIn("Row 2", message, "a good row is not reported")
        self.assertFalse(self.hotline("GD-D1"), "not even the good rows are imported")

    def test_ambiguous_department_duplicate_work_order_and_future_time(self):
        Department = self.env["hr.department"]
        Department.create([{"name": "General Office", "parent_id": self.bureau.id, "qms_code": "MRB-GO"},
                           {"name": "General Office", "parent_id": self.finance.id, "qms_code": "FIN-GO"}])
        rows = [
            HEADER_EN,
            ["GD-A1", "2026-11-27 09:00", "咨询", "General Office", "Opening hours?", ""],
            ["GD-A2", "2026-11-27 09:00", "咨询", "fin-go", "Opening hours?", ""],
            ["GD-A2", "2026-11-27 09:05", "咨询", "FIN-GO", "Opening hours again", ""],
            ["GD-A3", "2026-11-30 11:00", "咨询", "FIN-GO", "Called from the future", ""],
        ]
        message = self.assertRefused(self.csv(rows), "export.csv")
        self.assertIn("Row 2: “General Office” names several departments: give its QMS code instead.", message)
        self.assertIn("Row 4: work order GD-A2 is also on row 3.", message)
        self.assertIn("Row 5: the time received 2026-11-30 11:00 is in the future.", message)
        # by its full name the department is found
        rows = [HEADER_EN, ["GD-A1", "2026-11-27 09:00", "咨询", Department.search(
            [("qms_code", "=", "FIN-GO")]).complete_name, "Opening hours?", ""]]
        self.assertEqual(self.run_import(self.csv(rows), "export.csv").imported_count, 1)

    def test_missing_columns_are_named(self):
        rows = [["工单编号", "诉求类型", "诉求内容", "来电号码"], ["GD-M1", "咨询", "Opening hours?", ""]]
        self.assertRefused(self.xlsx(rows), "export.xlsx",
                           "The file lacks the columns 受理时间 (Time Received), 承办部门 (Department).")
        self.assertRefused(self.csv([HEADER_EN]), "empty.csv", "holds no work orders")
        self.assertRefused(b"", "nothing.csv", "Choose the hotline's export file")
        self.assertRefused(b"\r\n\r\n", "blank.csv", "holds no work orders")

    def test_wrong_file_type(self):
        docx = io.BytesIO()
        with zipfile.ZipFile(docx, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        for data, filename in ((b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "export.pdf"),
                               (b"\x89PNG\r\n\x1a\n\x00\x00", "screenshot.png"),
                               (docx.getvalue(), "export.docx"),
                               (self.csv([HEADER_EN]), "export.xlsx")):
            with self.subTest(filename=filename):
                self.assertRefused(data, filename, f"{filename} is neither an Excel workbook (.xlsx) nor a CSV file")
        self.assertRefused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls",
                           "old.xls is an Excel 97-2003 workbook (.xls)")
        with self.assertRaises(UserError):
            self.env["qms.complaint.import.wizard"].with_user(self.qms_manager).create({}).action_import()

    # ------------------------------------------------------------------ never twice

    def test_reimport_creates_nothing(self):
        rows = [HEADER_ZH,
                ["GD-R1", "2026-11-27 09:00", "咨询", "LIC", "Opening hours?", ""],
                ["GD-R2", "2026-11-27 09:10", "投诉", "FIN", "Late refund", ""]]
        self.assertEqual(self.run_import(self.xlsx(rows), "day1.xlsx").imported_count, 2)
        again = self.run_import(self.xlsx(rows), "day1.xlsx")
        self.assertEqual((again.imported_count, again.skipped_count, again.summary),
                         (0, 2, "0 imported, 2 already there"))
        # the next day's export repeats yesterday's work orders: only the new one is imported
        rows.append(["GD-R3", "2026-11-28 10:00", "建议", "PMO", "More benches", ""])
        rows[1][3] = "Unknown Bureau"  # rows already imported are not checked again
        next_day = self.run_import(self.csv(rows), "day2.csv")
        self.assertEqual((next_day.imported_count, next_day.skipped_count), (1, 2))
        self.assertEqual(len(self.hotline("GD-R1", "GD-R2", "GD-R3")), 3)
        self.assertEqual(self.Complaint.sudo().search_count([("external_ref", "=", "GD-R1")]), 1)
        self.assertEqual(next_day.action_open_complaints()["domain"], [("id", "in", self.hotline("GD-R3").ids)])

    def test_only_the_qms_office_imports(self):
        data = self.xlsx([HEADER_ZH, ["GD-X1", "2026-11-27 09:00", "咨询", "LIC", "Opening hours?", ""]])
        for user in (self.section_head, self.clerk, self.auditor):
            with self.subTest(user=user.name), self.assertRaises(AccessError):
                self.run_import(data, "export.xlsx", user=user)
        self.assertFalse(self.hotline("GD-X1"))

    # ------------------------------------------------------------------ Odoo's own import

    def test_base_import_csv(self):
        """Odoo's import screen maps the columns to the fields by their labels and creates the work orders; the time
        received (a workflow field set only at creation) is among the fields it may set, read in the user's time
        zone; the subject, when not given, is the first 60 characters of what happened."""
        self.qms_manager.tz = "Asia/Shanghai"
        data = self.csv([
            ["Work Order No.", "Date Received", "Kind", "Department Concerned", "What Happened", "Phone", "Channel"],
            ["BI-1", "2026-11-27 08:30", "Request for help", self.parks.complete_name, LONG, "13700000000",
             "12345 hotline"],
            ["BI-2", "2026-11-27 15:00", "complaint", self.parks.complete_name, "Bench broken", "", "hotline"],
        ], "utf-8")
        importer = self.env["base_import.import"].with_user(self.qms_manager).create(
            {"res_model": "qms.complaint", "file": data, "file_name": "complaints.csv", "file_type": "text/csv"})
        options = {"has_headers": True, "quoting": '"', "separator": ",", "encoding": "utf-8", "date_format": "",
                   "datetime_format": "", "float_thousand_separator": ",", "float_decimal_separator": ".",
                   "import_skip_records": [], "import_set_empty_fields": [], "fallback_values": {},
                   "name_create_enabled_fields": {}, "advanced": False, "keep_matches": False, "limit": 2000,
                   "skip": 0, "tracking_disable": True}
        preview = importer.parse_preview(dict(options))
        self.assertFalse(preview.get("error"), preview)
        matched = ["/".join(match) for _index, match in sorted(preview["matches"].items())]
        self.assertEqual(matched, ["external_ref", "date_received", "kind", "department_id", "description",
                                   "citizen_phone", "channel"])
        options.update(datetime_format=preview["options"].get("datetime_format") or "%Y-%m-%d %H:%M")
        result = importer.execute_import(matched, preview["headers"], options)
        self.assertFalse(result["messages"], result["messages"])
        first, second = self.Complaint.browse(result["ids"])
        self.assertEqual((first.external_ref, first.kind, first.channel, first.department_id),
                         ("BI-1", "help", "hotline", self.parks))
        self.assertEqual(str(first.date_received), "2026-11-27 00:30:00", "read in the user's time zone")
        self.assertEqual(first.subject, LONG[:60])
        self.assertEqual((first.state, first.receiver_id), ("received", self.qms_manager))
        self.assertTrue(first.date_deadline, "the time limit of its kind applies")
        self.assertEqual(second.kind, "complaint")
        # the same work order a second time: refused by the unique work order number, nothing imported
        importer = self.env["base_import.import"].with_user(self.qms_manager).create(
            {"res_model": "qms.complaint", "file": data, "file_name": "complaints.csv", "file_type": "text/csv"})
        result = importer.execute_import(matched, preview["headers"], options)
        self.assertTrue(result["messages"])
        self.assertEqual(self.Complaint.sudo().search_count([("external_ref", "in", ["BI-1", "BI-2"])]), 2)
        # the time received is set when registering, never changed afterwards
        with self.assertRaises(UserError):
            first.with_user(self.qms_manager).write({"date_received": "2026-11-20 00:00:00"})
