import base64
import binascii
import csv
import io
import os
import re
from collections import defaultdict
from datetime import date, datetime, timedelta

import openpyxl
import psycopg2
import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.qms_complaint import subject_from

# The column layout of a 12345 hotline export (documented in README.md, "12345 hotline import"): a header row, then
# one work order a row. Each column is found by its heading, in Chinese or English (any order; case, spaces and
# punctuation ignored; other columns are ignored). (key, Chinese heading, English heading, other accepted headings,
# value required)
COLUMNS = (
    ("external_ref", "工单编号", "Work Order No.", ("工单号", "Work Order Number", "Work Order"), True),
    ("date_received", "受理时间", "Time Received", ("来电时间", "Date Received", "Received"), True),
    ("kind", "诉求类型", "Kind", ("工单类型", "类型", "Type"), True),
    ("department", "承办部门", "Department", ("承办单位", "责任部门", "部门"), True),
    ("description", "诉求内容", "Content", ("内容", "Description"), True),
    ("citizen_phone", "来电号码", "Citizen Phone", ("联系电话", "电话", "Phone"), False),
)
# the kinds of work order, as the hotline writes them
KIND_WORDS = {
    "咨询": "consultation", "consultation": "consultation",
    "求助": "help", "help": "help", "request for help": "help",
    "投诉": "complaint", "complaint": "complaint",
    "建议": "suggestion", "suggestion": "suggestion",
    "表扬": "praise", "praise": "praise",
}
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
# a hotline system's clock may run a little ahead of ours
FUTURE_TOLERANCE = timedelta(minutes=15)
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def _heading_key(text):
    return re.sub(r"[\s_.:：()（）\-]+", "", str(text or "")).casefold()


def _name_key(text):
    return " ".join(str(text or "").replace("/", " / ").split()).casefold()


def _cell_text(value):
    """A cell as text: numbers without a trailing .0 (work order numbers and phone numbers typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class QmsComplaintImportWizard(models.TransientModel):
    """Import the work orders of a 12345 hotline export (XLSX or CSV) as citizen complaints of the hotline channel.

    The whole file is checked first: every error is listed with its row number and nothing is imported while there
    is one. Work orders already registered (same work order number in the company) are skipped and counted; the
    others are created in one batch. Times received are read in the company's time zone (its working-time calendar).
    """

    _name = "qms.complaint.import.wizard"
    _description = "Import 12345 Hotline Work Orders"

    file = fields.Binary(string="Export File", attachment=False, help="The hotline system's export, XLSX or CSV.")
    filename = fields.Char(string="File Name")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    state = fields.Selection([("upload", "Upload"), ("done", "Imported")], default="upload", required=True)
    imported_count = fields.Integer(string="Imported", readonly=True)
    skipped_count = fields.Integer(string="Already There", readonly=True)
    complaint_ids = fields.Many2many("qms.complaint", string="Imported Work Orders", readonly=True)
    summary = fields.Char(compute="_compute_summary")

    @api.depends("imported_count", "skipped_count")
    def _compute_summary(self):
        for wizard in self:
            wizard.summary = self.env._("%(imported)s imported, %(skipped)s already there",
                                        imported=wizard.imported_count, skipped=wizard.skipped_count)

    # ------------------------------------------------------------------ actions

    def action_import(self):
        self.ensure_one()
        self.check_access("write")
        complaints, skipped = self._qms_import()
        self.write({"state": "done", "imported_count": len(complaints), "skipped_count": skipped,
                    "complaint_ids": [(6, 0, complaints.ids)], "file": False})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "new", "name": self.env._("Import from the 12345 Hotline")}

    def action_open_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("gov_qms_capa.qms_complaint_action")
        action.update({"domain": [("id", "in", self.complaint_ids.ids)], "view_mode": "list,form,kanban",
                       "views": [(False, "list"), (False, "form"), (False, "kanban")],
                       "name": self.env._("Imported Work Orders")})
        return action

    # ------------------------------------------------------------------ import

    def _qms_import(self):
        """Check the whole file, then create its new work orders in one batch: (complaints created, rows skipped)."""
        self.ensure_one()
        rows = self._qms_read_rows()
        vals_list, skipped = self._qms_rows_to_values(rows)
        Complaint = self.env["qms.complaint"].with_company(self.company_id).with_context(
            tz=self._qms_tz().zone, mail_create_nolog=True)
        try:
            with self.env.cr.savepoint():
                complaints = Complaint.create(vals_list)
        except psycopg2.errors.UniqueViolation:
            raise UserError(self.env._(
                "Some of these work orders were registered by someone else at the same moment. Import the file again: "
                "the work orders already there are skipped."))
        return complaints.with_env(self.env), skipped

    def _qms_tz(self):
        """The time zone the hotline's times are read in: the company's (its working-time calendar's)."""
        name = self.company_id.resource_calendar_id.tz or self.env.user.tz or "UTC"
        return pytz.timezone(name)

    # ---------------------------------------------------------- reading the file

    def _qms_file_bytes(self):
        if not self.file:
            raise UserError(self.env._("Choose the hotline's export file (XLSX or CSV) to import."))
        try:
            return base64.b64decode(self.file, validate=True)
        except (binascii.Error, ValueError):
            raise UserError(self.env._("The file could not be read: upload it again."))

    def _qms_read_rows(self):
        """[(row number as the spreadsheet shows it, [cell values])], the header row first."""
        data = self._qms_file_bytes()
        name = self.filename or self.env._("The file")
        extension = os.path.splitext(self.filename or "")[1].lower()
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise UserError(self.env._(
                "%s is an Excel 97-2003 workbook (.xls): open it in Excel or WPS and save it as .xlsx or CSV, then "
                "import that file.", name))
        if data.startswith(b"PK\x03\x04"):
            return self._qms_read_xlsx(data, name)
        if extension in ("", ".csv", ".txt") and not data.startswith(BINARY_SIGNATURES) and b"\x00" not in data[:4096]:
            return self._qms_read_csv(data, name)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text, as Excel saves "Unicode text"
            return self._qms_read_csv(data, name)
        raise UserError(self._qms_wrong_type_message(name))

    def _qms_wrong_type_message(self, name):
        return self.env._(
            "%s is neither an Excel workbook (.xlsx) nor a CSV file. Export the work orders from the hotline system "
            "as XLSX or CSV and import that file.", name)

    def _qms_read_xlsx(self, data, name):
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        except Exception:  # a ZIP that is no workbook (a .docx...), or a damaged one
            raise UserError(self._qms_wrong_type_message(name))
        if not book.worksheets:
            raise UserError(self.env._("%s holds no work orders.", name))
        sheet = book.worksheets[0]
        return [(number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), 1)]

    def _qms_read_csv(self, data, name):
        text = None
        if data.startswith(b"\xef\xbb\xbf"):
            encodings = ("utf-8-sig",)
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            encodings = ("utf-16",)
        else:
            encodings = ("utf-8", "gb18030")  # 12345 systems often export GB18030 (GBK)
        for encoding in encodings:
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None or "\x00" in text:
            raise UserError(self.env._(
                "The text of %s could not be read: save it as CSV in UTF-8 or GB18030 (GBK), or as XLSX.", name))
        first_line = text.lstrip("\ufeff").split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first_line.count)
        try:
            return list(enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter), 1))
        except csv.Error as error:
            raise UserError(self.env._("%(file)s is not a valid CSV file: %(error)s", file=name, error=error))

    # ---------------------------------------------------------- checking the rows

    def _qms_columns(self, header):
        """{key: column index} from the header row; refuses a file that lacks a column, naming the missing ones."""
        accepted = {}
        for key, chinese, english, others, _required in COLUMNS:
            for heading in (chinese, english, *others):
                accepted[_heading_key(heading)] = key
        found = {}
        for index, heading in enumerate(header):
            key = accepted.get(_heading_key(heading))
            if key and key not in found:
                found[key] = index
        missing = [f"{chinese} ({english})" for key, chinese, english, _others, _required in COLUMNS
                   if key not in found]
        if missing:
            raise UserError(self.env._(
                "The file lacks the columns %(missing)s. Its first row must name the columns of the hotline export: "
                "%(layout)s (in any order).", missing=", ".join(missing),
                layout=", ".join(f"{chinese} ({english})" for _key, chinese, english, _o, _r in COLUMNS)))
        return found

    def _qms_departments(self):
        """{name, full name or QMS code (normalised): departments} of the company."""
        departments = self.env["hr.department"].search_fetch(
            [("company_id", "in", [self.company_id.id, False])], ["name", "complete_name", "qms_code"])
        by_key = defaultdict(set)
        for department in departments:
            for key in {_name_key(department.name), _name_key(department.complete_name),
                        _name_key(department.qms_code)}:
                if key:
                    by_key[key].add(department.id)
        return by_key

    def _qms_parse_time(self, value, tz):
        """The time received as Odoo stores it (UTC), from a cell in the company's time zone; None if unreadable."""
        if isinstance(value, datetime):
            local = value.replace(tzinfo=None)
        elif isinstance(value, date):
            local = datetime.combine(value, datetime.min.time())
        else:
            text = _cell_text(value).replace("/", "-").replace(".", "-").replace("T", " ")
            text = re.sub(r"(\d+)年(\d+)月(\d+)日?", r"\1-\2-\3", text)
            text = " ".join(text.split())
            local = None
            for pattern in DATETIME_FORMATS:
                try:
                    local = datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
            if local is None:
                return None
        return tz.localize(local, is_dst=False).astimezone(pytz.utc).replace(tzinfo=None)

    def _qms_rows_to_values(self, rows):
        """The values of the work orders to create and the number of rows already imported; every error of the file
        at once, with its row number."""
        name = self.filename or self.env._("The file")
        rows = [(number, [value if isinstance(value, date) else _cell_text(value) for value in values])
                for number, values in rows]
        rows = [(number, values) for number, values in rows if any(values)]
        if not rows:
            raise UserError(self.env._("%s holds no work orders.", name))
        columns = self._qms_columns(rows[0][1])
        data_rows = [(number, {key: values[index] if index < len(values) else "" for key, index in columns.items()})
                     for number, values in rows[1:]]
        if not data_rows:
            raise UserError(self.env._("%s holds no work orders: only its header row.", name))
        existing = set(self.env["qms.complaint"].sudo().search_fetch(
            [("company_id", "=", self.company_id.id),
             ("external_ref", "in", [row["external_ref"] for _number, row in data_rows if row["external_ref"]])],
            ["external_ref"]).mapped("external_ref"))
        context = {"departments": self._qms_departments(), "tz": self._qms_tz(), "seen": {},
                   "latest": datetime.now(pytz.utc).replace(tzinfo=None) + FUTURE_TOLERANCE}
        errors, vals_list, skipped = [], [], 0
        for number, row in data_rows:
            if row["external_ref"] in existing:
                skipped += 1  # imported before: not checked again
                continue
            vals, problems = self._qms_check_row(number, row, context)
            if problems:
                errors.append(self.env._("Row %(row)s: %(problems)s.", row=number, problems="; ".join(problems)))
            else:
                vals_list.append(vals)
        if errors:
            raise UserError(self.env._(
                "Nothing was imported: correct these rows of %(file)s and import it again.\n%(errors)s",
                file=name, errors="\n".join(errors)))
        return vals_list, skipped

    def _qms_check_row(self, number, row, context):
        """(values of the work order, problems of the row)."""
        problems = []
        for key, chinese, english, _others, required in COLUMNS:
            if required and not row[key]:
                problems.append(self.env._("%s is empty", f"{chinese} ({english})"))
        ref = row["external_ref"]
        if ref in context["seen"]:
            problems.append(self.env._("work order %(ref)s is also on row %(row)s", ref=ref, row=context["seen"][ref]))
        elif ref:
            context["seen"][ref] = number
        received = None
        if row["date_received"]:
            received = self._qms_parse_time(row["date_received"], context["tz"])
            if received is None:
                problems.append(self.env._("the time received “%s” is not a date and time (e.g. 2026-11-02 09:15)",
                                           row["date_received"]))
            elif received > context["latest"]:
                problems.append(self.env._("the time received %s is in the future", row["date_received"]))
        kind = KIND_WORDS.get(" ".join(row["kind"].split()).casefold()) if row["kind"] else None
        if row["kind"] and not kind:
            problems.append(self.env._(
                "the kind “%s” is none of 咨询/consultation, 求助/help, 投诉/complaint, 建议/suggestion, "
                "表扬/praise", row["kind"]))
        department_ids = context["departments"].get(_name_key(row["department"]), set()) if row["department"] else ()
        if row["department"] and not department_ids:
            problems.append(self.env._("the department “%s” is unknown: give its name or its QMS code",
                                       row["department"]))
        elif len(department_ids) > 1:
            problems.append(self.env._("“%s” names several departments: give its QMS code instead",
                                       row["department"]))
        if problems:
            return None, problems
        return {
            "external_ref": ref, "channel": "hotline", "kind": kind, "company_id": self.company_id.id,
            "department_id": next(iter(department_ids)), "description": row["description"],
            "subject": subject_from(row["description"]), "citizen_phone": row["citizen_phone"] or False,
            "date_received": fields.Datetime.to_string(received),
        }, problems
