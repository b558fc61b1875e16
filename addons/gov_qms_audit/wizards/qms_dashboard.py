import io
from datetime import date, timedelta

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.gov_qms_capa.models.qms_nonconformity import OPEN_STATES
from odoo.addons.gov_qms_docs.tools.month import month_label
from odoo.exceptions import UserError

from ..models.qms_audit_programme import DONE_STATES

# open nonconformities by age (days since detection), in this order
AGEING_BUCKETS = [("0_7", 0, 7), ("8_30", 8, 30), ("31_90", 31, 90), ("90_plus", 91, None)]
MAX_MONTHS = 36
# the dates a period may hold: the month arithmetic and the ageing (91 days before the end) stay within Python's dates
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
TREND_MONTHS = 6


def _rate(part, whole):
    """A percentage with one decimal, or None when there is nothing to rate (shown as a dash, never 0 %)."""
    return round(100.0 * part / whole, 1) if whole else None


class QmsDashboard(models.TransientModel):
    """The leaders' KPI dashboard (质量目标看板): on-time closure by department and month, the ageing of open
    nonconformities, supervised items, recurrences and audit coverage, for a period; exported to XLSX and PDF
    for the monthly meeting.

    Every figure comes from ``get_kpi_data``: grouped queries (``_read_group``) run with the reader's access
    rights and record rules, so that a department head sees the figures of their departments, the QMS office
    and the auditors those of every department; the same handful of queries whatever the number of records.
    """

    _name = "qms.dashboard"
    _description = "QMS KPI Dashboard"

    date_from = fields.Date(string="From", required=True, default=lambda self: self._qms_default_date_from())
    date_to = fields.Date(string="To", required=True, default=lambda self: fields.Date.context_today(self))
    on_time_label = fields.Char(string="Closed on Time", compute="_compute_dashboard")
    closed_count = fields.Integer(string="Closed", compute="_compute_dashboard")
    open_overdue_count = fields.Integer(string="Open and Overdue", compute="_compute_dashboard")
    supervised_count = fields.Integer(string="Supervised Items", compute="_compute_dashboard")
    recurrence_count = fields.Integer(string="Recurrences", compute="_compute_dashboard")
    audit_coverage_label = fields.Char(string="Departments Audited", compute="_compute_dashboard")
    body_html = fields.Html(string="Dashboard", compute="_compute_dashboard", sanitize=False)

    @api.depends("date_from", "date_to")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for dashboard in self:
            dashboard.display_name = self.env._("QMS Key Figures %(start)s - %(end)s",
                                                start=dashboard.date_from or "", end=dashboard.date_to or "")

    @api.model
    def action_open_dashboard(self):
        """The menu: the dashboard of the last six months."""
        return self._qms_open_dashboard(self._qms_default_date_from(), fields.Date.context_today(self))

    @api.model
    def _qms_open_dashboard(self, date_from, date_to):
        """A dashboard of the period, saved (the export buttons and the breadcrumbs need a record), opened."""
        dashboard = self.create({"date_from": date_from, "date_to": date_to})
        action = self.env["ir.actions.act_window"]._for_xml_id("gov_qms_audit.qms_dashboard_action")
        action.update({"res_id": dashboard.id, "views": [(self.env.ref("gov_qms_audit.qms_dashboard_view_form").id,
                                                          "form")]})
        return action

    @api.model
    def _qms_default_date_from(self, today=None):
        """The start of the last six months, this one included."""
        today = today or fields.Date.context_today(self)
        return today.replace(day=1) - relativedelta(months=TREND_MONTHS - 1)

    @api.depends("date_from", "date_to")
    @api.depends_context("uid", "lang", "allowed_company_ids")
    def _compute_dashboard(self):
        for dashboard in self:
            if not (dashboard.date_from and dashboard.date_to) or dashboard.date_from > dashboard.date_to:
                dashboard.update({"on_time_label": "—", "closed_count": 0, "open_overdue_count": 0,
                                  "supervised_count": 0, "recurrence_count": 0, "audit_coverage_label": "—",
                                  "body_html": False})
                continue
            data = self.get_kpi_data(dashboard.date_from, dashboard.date_to)
            coverage = data["audit_coverage"]
            dashboard.update({
                "on_time_label": self._qms_rate_label(data["on_time"]["total"]["rate"]),
                "closed_count": data["on_time"]["total"]["closed"],
                "open_overdue_count": data["overdue"]["total"],
                "supervised_count": data["supervised"]["open"],
                "recurrence_count": data["recurrences"]["count"],
                "audit_coverage_label": f"{coverage['departments_audited']} / {coverage['departments_in_scope']}",
                "body_html": self.env["ir.qweb"]._render("gov_qms_audit.qms_kpi_dashboard_body",
                                                         dashboard._qms_render_values(data)),
            })

    @api.model
    def _qms_rate_label(self, rate):
        return "—" if rate is None else f"{rate:.1f} %"

    # ------------------------------------------------------------------ the figures

    @api.model
    def _qms_check_period(self, date_from, date_to):
        try:
            date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        except (TypeError, ValueError):
            date_from = date_to = None
        if not (isinstance(date_from, date) and isinstance(date_to, date)):
            raise UserError(self.env._("Give the period as two dates (YYYY-MM-DD): from and to."))
        if date_from < FIRST_DAY or date_to > LAST_DAY:
            raise UserError(self.env._("Give dates between %(first)s and %(last)s.", first=FIRST_DAY, last=LAST_DAY))
        if date_from > date_to:
            raise UserError(self.env._("The period starts (%(start)s) after it ends (%(end)s).",
                                       start=date_from, end=date_to))
        if (date_to.year - date_from.year) * 12 + date_to.month - date_from.month >= MAX_MONTHS:
            raise UserError(self.env._("Choose a period of at most %s months.", MAX_MONTHS))
        return date_from, date_to

    @api.model
    def _qms_months(self, date_from, date_to):
        month, last, months = date_from.replace(day=1), date_to.replace(day=1), []
        while month <= last:
            months.append(month)
            month += relativedelta(months=1)
        return months

    @api.model
    def _qms_scope_departments(self):
        """The QMS departments the reader sees figures of: all for the QMS office and the auditors, those they head
        (with their sub-departments) for a head; none otherwise (their own items still count)."""
        Department = self.env["hr.department"]
        scope = Department.browse()
        for company in self.env.companies:
            scope |= Department._qms_scope_departments(company)
        if not (self.env.user.has_group("gov_qms_docs.group_qms_auditor") or self._qms_is_top_management()):
            scope &= self.env.user.qms_managed_department_ids
        return scope

    @api.model
    def get_kpi_data(self, date_from, date_to):
        """The KPI figures of the period [date_from, date_to]: see ``_qms_kpi_data``."""
        return self._qms_as_reader()._qms_kpi_data(date_from, date_to)

    @api.model
    def _qms_is_top_management(self):
        user = self.env.user
        return user.has_group("gov_qms_docs.group_qms_top_management") \
            and not user.has_group("gov_qms_docs.group_qms_auditor")

    @api.model
    def _qms_as_reader(self):
        """Top management (the mayor, the deputy in charge of quality) reads the figures of every department of
        their companies: counts only, never the records behind them. The counts are taken as superuser, limited to
        the reader's companies by ``_qms_reader_domain``; everyone else counts what their record rules show."""
        if self._qms_is_top_management():
            return self.sudo().with_context(qms_reader_company_ids=self.env.companies.ids)
        return self

    @api.model
    def _qms_reader_domain(self, domain):
        company_ids = self.env.context.get("qms_reader_company_ids")
        if company_ids and self.env.su:
            return [*domain, ("company_id", "in", company_ids)]
        return domain

    @api.model
    def _qms_kpi_data(self, date_from, date_to, with_audits=True):
        """The KPI figures of the period [date_from, date_to] (dates or "YYYY-MM-DD"), as the current user may read
        them, in plain values (JSON and XML-RPC ready; a rate is None when nothing was closed). Keys:

        - ``months``: the months of the period (``month`` "YYYY-MM", ``label`` in the user's language);
        - ``departments``: the departments reported on (the QMS scope the user sees, and any other with figures);
        - ``on_time``: nonconformities closed in the period and closed on time: ``by_department_month`` (cells),
          ``by_department``, ``by_month`` and ``total``, each with ``closed``, ``on_time`` and ``rate``;
        - ``raised``: nonconformities detected in the period, ``by_department`` and ``total``;
        - ``ageing``: nonconformities open today and detected by the end of the period, by age on the report date
          (the end of the period, or today when it is later), ``buckets`` in order (0-7, 8-30, 31-90, over 90 days),
          ``by_department`` and ``total``;
        - ``overdue``: open nonconformities and actions past their deadline today, ``by_department`` and ``total``;
        - ``supervised``: supervised items open today (``open``, nonconformities and actions) and those that became
          supervised in the period (``new_in_period``), ``by_department``;
        - ``recurrences``: recurrences detected in the period, ``by_department``, ``by_month`` and ``count``;
        - ``audit_coverage``: audits of the period (planned, done), the QMS departments audited (reported or
          closed audits) and not audited, and the coverage of the programmes of the period's years;
        - ``ranking``: the QMS departments ranked by on-time closure, then by fewest overdue items (those that
          closed nothing last).

        ``with_audits=False`` leaves the audit coverage out (the workbench's tables do not show it).
        """
        date_from, date_to = self._qms_check_period(date_from, date_to)
        today = fields.Date.context_today(self)
        as_of = min(date_to, today)
        NC, Action = self.env["qms.nonconformity"], self.env["qms.action"]
        months = self._qms_months(date_from, date_to)
        in_period = lambda name: self._qms_reader_domain([(name, ">=", date_from), (name, "<=", date_to)])  # noqa: E731

        # on time: one query, by department, month of closure and whether on time
        cells, by_department, by_month = {}, {}, {}
        for department, month, on_time, count in NC._read_group(
                in_period("date_closed"), ["department_id", "date_closed:month", "closed_on_time"], ["__count"]):
            for key, table in (((department.id, month), cells), (department.id, by_department), (month, by_month)):
                closed, timely = table.get(key, (0, 0))
                table[key] = (closed + count, timely + (count if on_time else 0))
        raised = {department.id: count for department, count in NC._read_group(
            in_period("date_detected"), ["department_id"], ["__count"])}

        # ageing of the open nonconformities on the report date: one query per bucket
        ageing = {}
        for key, low, high in AGEING_BUCKETS:
            domain = [("state", "in", OPEN_STATES), ("date_detected", "<=", as_of - timedelta(days=low))]
            if high is not None:
                domain.append(("date_detected", ">=", as_of - timedelta(days=high)))
            for department, count in NC._read_group(self._qms_reader_domain(domain), ["department_id"], ["__count"]):
                ageing.setdefault(department.id, {})[key] = count

        # overdue and supervised: open items, today
        overdue, supervised_open, supervised_new = {}, {}, {}
        for model, open_domain in ((NC, [("state", "in", OPEN_STATES)]), (Action, [("state", "=", "open")])):
            for target, domain in ((overdue, [("date_deadline", "<", today)]),
                                   (supervised_open, [("is_supervised", "=", True)])):
                for department, count in model._read_group(self._qms_reader_domain(open_domain + domain),
                                                           ["department_id"], ["__count"]):
                    target[department.id] = target.get(department.id, 0) + count
            for department, count in model._read_group(in_period("date_supervised"), ["department_id"], ["__count"]):
                supervised_new[department.id] = supervised_new.get(department.id, 0) + count

        recurrence_cells = {}
        for department, month, count in NC._read_group(
                [("is_recurrence", "=", True), *in_period("date_detected")], ["department_id", "date_detected:month"],
                ["__count"]):
            recurrence_cells[department.id, month] = count

        # the departments reported on
        scope = self._qms_scope_departments()
        with_figures = set(by_department) | set(raised) | set(ageing) | set(overdue) | set(supervised_open) \
            | set(supervised_new) | {department_id for department_id, _month in recurrence_cells}
        departments = (scope | self.env["hr.department"].browse(with_figures - set(scope.ids))).sudo()
        departments = departments.sorted(lambda department: (department.complete_name or "").lower())
        names = {department.id: department.name for department in departments}

        def on_time_row(closed_timely):
            closed, timely = closed_timely
            return {"closed": closed, "on_time": timely, "rate": _rate(timely, closed)}

        month_key = lambda month: month.strftime("%Y-%m")  # noqa: E731
        on_time_by_department = [
            {"department_id": department.id, "department": names[department.id],
             **on_time_row(by_department.get(department.id, (0, 0)))} for department in departments]
        total_closed = sum(closed for closed, _timely in by_department.values())
        total_timely = sum(timely for _closed, timely in by_department.values())
        audit_coverage = self._qms_audit_coverage(date_from, date_to, scope) if with_audits else {}

        ranking = sorted(
            ({**row, "overdue": overdue.get(row["department_id"], 0),
              "supervised": supervised_open.get(row["department_id"], 0)}
             for row in on_time_by_department if row["department_id"] in scope.ids),
            key=lambda row: (row["rate"] is None, -(row["rate"] or 0), row["overdue"], row["supervised"],
                             row["department"].lower()))
        for position, row in enumerate(ranking, start=1):
            row["rank"] = position

        return {
            "date_from": fields.Date.to_string(date_from), "date_to": fields.Date.to_string(date_to),
            "as_of": fields.Date.to_string(as_of),
            "months": [{"month": month_key(month), "label": month_label(self.env, month)} for month in months],
            "departments": [{"id": department.id, "name": department.name, "code": department.qms_code or "",
                             "in_scope": department in scope} for department in departments],
            "on_time": {
                "by_department_month": [
                    {"department_id": department_id, "department": names.get(department_id, ""),
                     "month": month_key(month), **on_time_row(value)}
                    for (department_id, month), value in sorted(cells.items(), key=lambda item: (item[0][1],
                                                                                                 item[0][0]))],
                "by_department": on_time_by_department,
                "by_month": [{"month": month_key(month), "label": month_label(self.env, month),
                              **on_time_row(by_month.get(month, (0, 0)))} for month in months],
                "total": {"closed": total_closed, "on_time": total_timely, "rate": _rate(total_timely, total_closed)},
            },
            "raised": {
                "by_department": [{"department_id": department.id, "department": names[department.id],
                                   "count": raised.get(department.id, 0)} for department in departments],
                "total": sum(raised.values()),
            },
            "ageing": {
                "as_of": fields.Date.to_string(as_of),
                "buckets": [{"key": key, "label": self._qms_bucket_label(low, high),
                             "count": sum(row.get(key, 0) for row in ageing.values())}
                            for key, low, high in AGEING_BUCKETS],
                "by_department": [
                    {"department_id": department.id, "department": names[department.id],
                     **{key: ageing.get(department.id, {}).get(key, 0) for key, _low, _high in AGEING_BUCKETS},
                     "total": sum(ageing.get(department.id, {}).values())}
                    for department in departments],
                "total": sum(sum(row.values()) for row in ageing.values()),
            },
            "overdue": {
                "by_department": [{"department_id": department.id, "department": names[department.id],
                                   "count": overdue.get(department.id, 0)} for department in departments],
                "total": sum(overdue.values()),
            },
            "supervised": {
                "open": sum(supervised_open.values()),
                "new_in_period": sum(supervised_new.values()),
                "by_department": [{"department_id": department.id, "department": names[department.id],
                                   "open": supervised_open.get(department.id, 0),
                                   "new": supervised_new.get(department.id, 0)} for department in departments],
            },
            "recurrences": {
                "count": sum(recurrence_cells.values()),
                "by_department": [
                    {"department_id": department.id, "department": names[department.id],
                     "count": sum(count for (department_id, _month), count in recurrence_cells.items()
                                  if department_id == department.id)} for department in departments],
                "by_month": [{"month": month_key(month), "label": month_label(self.env, month),
                              "count": sum(count for (_department_id, cell_month), count in recurrence_cells.items()
                                           if cell_month == month)} for month in months],
            },
            "audit_coverage": audit_coverage,
            "ranking": ranking,
        }

    @api.model
    def _qms_bucket_label(self, low, high):
        if high is None:
            return self.env._("Over %s days", low - 1)
        return self.env._("%(low)s-%(high)s days", low=low, high=high)

    @api.model
    def _qms_audit_coverage(self, date_from, date_to, scope):
        """The audits of the period and the QMS departments they covered (as the reader may see the audits)."""
        Audit = self.env["qms.audit"]
        if not Audit.has_access("read"):
            return {"audits_planned": 0, "audits_done": 0, "rate": None, "departments_in_scope": len(scope),
                    "departments_audited": 0, "department_rate": None, "departments_not_audited": [],
                    "programmes": []}
        period = self._qms_reader_domain([("date_start", ">=", date_from), ("date_start", "<=", date_to)])
        by_state = dict(Audit._read_group([*period, ("state", "!=", "cancelled")], ["state"], ["__count"]))
        planned = sum(by_state.values())
        done = sum(by_state.get(state, 0) for state in DONE_STATES)
        audited = self.env["hr.department"].browse(
            department.id for department, _count in Audit._read_group(
                [*period, ("state", "in", DONE_STATES)], ["department_ids"], ["__count"]) if department)
        # an audited parent department does not cover its sub-departments: each is audited on its own
        covered = scope & audited
        programmes = []
        Programme = self.env["qms.audit.programme"]
        if Programme.has_access("read"):
            for programme in Programme.search(
                    self._qms_reader_domain([("year", ">=", date_from.year), ("year", "<=", date_to.year)]),
                    order="year"):
                programmes.append({"name": programme.name, "year": programme.year,
                                   "coverage_percent": round(programme.coverage_percent, 1),
                                   "audits": programme.audit_count, "audits_done": programme.audit_done_count})
        return {
            "audits_planned": planned, "audits_done": done, "rate": _rate(done, planned),
            "departments_in_scope": len(scope), "departments_audited": len(covered),
            "department_rate": _rate(len(covered), len(scope)),
            "departments_not_audited": sorted((scope - covered).sudo().mapped("name")),
            "programmes": programmes,
        }

    # ------------------------------------------------------------------ the screen, the PDF and the workbook

    def _qms_render_values(self, data):
        """What the tables' template reads: the figures, their look-ups by department and the sentences that hold
        a figure (whole sentences to translate, never pieces)."""
        nothing_closed = [row["department"] for row in data["on_time"]["by_department"] if not row["closed"]]
        coverage = data["audit_coverage"] or {}
        texts = {
            "as_of": self.env._("Days since detection, on %s.", data["ageing"]["as_of"]),
            "nothing_closed": self.env._("Closed nothing in the period: %s.", ", ".join(nothing_closed))
            if nothing_closed else "",
            "not_audited": ", ".join(coverage.get("departments_not_audited", [])),
            "programmes": [(self.env._("Coverage of %s (departments x clauses)", programme["name"]),
                            self._qms_rate_label(programme["coverage_percent"]))
                           for programme in coverage.get("programmes", [])],
            "period": self.env._("Period: %(start)s to %(end)s.", start=data["date_from"], end=data["date_to"]),
        }
        return {
            "data": data, "rate_label": self._qms_rate_label, "texts": texts,
            "cells": {(cell["department_id"], cell["month"]): cell for cell in data["on_time"]["by_department_month"]},
            "overdue_by_department": {row["department_id"]: row["count"] for row in data["overdue"]["by_department"]},
            "recurrences_by_department": {row["department_id"]: row["count"]
                                          for row in data["recurrences"]["by_department"]},
        }

    def _qms_printed_by(self):
        printed = self.env.company._qms_now().strftime("%Y-%m-%d %H:%M")
        return self.env._("Printed on %(when)s by %(user)s.", when=printed, user=self.env.user.name)

    def _qms_data(self):
        self.ensure_one()
        return self.get_kpi_data(self.date_from, self.date_to)

    def action_export_pdf(self):
        self.ensure_one()
        self._qms_check_period(self.date_from, self.date_to)
        return self.env.ref("gov_qms_audit.action_report_qms_kpi_dashboard").report_action(self, config=False)

    def action_export_xlsx(self):
        self.ensure_one()
        content = self._qms_xlsx(self._qms_data())
        attachment = self.env["ir.attachment"].create({
            "name": self._qms_file_name("xlsx"), "raw": content, "res_model": self._name, "res_id": self.id,
            "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    def _qms_file_name(self, extension):
        return f"{self.env._('QMS KPI')} {self.date_from} - {self.date_to}.{extension}"

    def _qms_xlsx(self, data):
        """The dashboard as a workbook: a sheet per table, figures as numbers, rates as percentages (empty when
        nothing was closed)."""
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False,
                                                "strings_to_urls": False})
        title = workbook.add_format({"bold": True, "size": 14})
        header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        percent = workbook.add_format({"num_format": "0.0"})
        period = self.env._("Period: %(start)s to %(end)s", start=data["date_from"], end=data["date_to"])

        def sheet(name, heading, columns, rows, percent_columns=()):
            worksheet = workbook.add_worksheet(name[:31])
            worksheet.write(0, 0, heading, title)
            worksheet.write(1, 0, period)
            for col, label in enumerate(columns):
                worksheet.write(3, col, label, header)
            for row_index, row in enumerate(rows, start=4):
                for col, value in enumerate(row):
                    if value is None:
                        worksheet.write_blank(row_index, col, None)
                    elif col in percent_columns:
                        worksheet.write_number(row_index, col, value, percent)
                    else:
                        worksheet.write(row_index, col, value)
            worksheet.set_column(0, 0, 28)
            worksheet.set_column(1, max(len(columns) - 1, 1), 14)
            worksheet.freeze_panes(4, 1)
            return worksheet

        # the labels first, the rows after: translated texts and the figures' keys never share a statement
        label = {
            "department": self.env._("Department"), "figure": self.env._("Figure"), "value": self.env._("Value"),
            "all": self.env._("All departments"), "total": self.env._("Total"), "total_rate": self.env._("Total (%)"),
            "closed": self.env._("Closed"), "on_time": self.env._("On Time"), "rate": self.env._("Closed on time (%)"),
            "raised": self.env._("Nonconformities raised"), "closed_ncs": self.env._("Nonconformities closed"),
            "closed_on_time": self.env._("Closed on time"),
            "overdue_all": self.env._("Open and overdue (nonconformities and actions)"),
            "supervised_open": self.env._("Supervised items open"),
            "supervised_new": self.env._("Became supervised in the period"),
            "recurrences": self.env._("Recurrences"), "planned": self.env._("Audits planned in the period"),
            "done": self.env._("Audits done (reported or closed)"),
            "audited": self.env._("QMS departments audited"), "in_scope": self.env._("QMS departments"),
            "audited_rate": self.env._("Departments audited (%)"), "open_supervised": self.env._("Supervised, open"),
            "open_overdue": self.env._("Overdue, open"), "rank": self.env._("Rank"),
        }
        sheets = {
            "summary": (self.env._("Summary"), self.env._("QMS Key Figures")),
            "on_time": (self.env._("On Time"), self.env._("Closed on Time (%) by Department and Month")),
            "ageing": (self.env._("Ageing"), self.env._("Open Nonconformities by Age on %s", data["ageing"]["as_of"])),
            "supervised": (self.env._("Supervised"), self.env._("Supervised Items and Overdue Items")),
            "recurrences": (self.env._("Recurrences"), self.env._("Recurrences by Department")),
            "coverage": (self.env._("Audit Coverage"), self.env._("Audit Coverage")),
            "ranking": (self.env._("Ranking"), self.env._("Department Ranking")),
        }
        coverage = data["audit_coverage"]
        not_audited = [self.env._("Not audited: %s", name) for name in coverage["departments_not_audited"]]
        programme_labels = [self.env._("Coverage of %s (%%)", programme["name"])
                            for programme in coverage["programmes"]]

        on_time = data["on_time"]
        total = on_time["total"]
        sheet(*sheets["summary"], [label["figure"], label["value"]], [
            (label["raised"], data["raised"]["total"]),
            (label["closed_ncs"], total["closed"]),
            (label["closed_on_time"], total["on_time"]),
            (label["rate"], total["rate"]),
            (label["overdue_all"], data["overdue"]["total"]),
            (label["supervised_open"], data["supervised"]["open"]),
            (label["supervised_new"], data["supervised"]["new_in_period"]),
            (label["recurrences"], data["recurrences"]["count"]),
            (label["planned"], coverage["audits_planned"]),
            (label["done"], coverage["audits_done"]),
            (label["audited"], coverage["departments_audited"]),
            (label["in_scope"], coverage["departments_in_scope"]),
        ])
        months = data["months"]
        cells = {(cell["department_id"], cell["month"]): cell for cell in on_time["by_department_month"]}
        sheet(*sheets["on_time"],
              [label["department"], *[month["label"] for month in months], label["total_rate"], label["closed"],
               label["on_time"]],
              [(row["department"], *[cells.get((row["department_id"], month["month"]), {}).get("rate")
                                     for month in months], row["rate"], row["closed"], row["on_time"])
               for row in on_time["by_department"]]
              + [(label["all"], *[month["rate"] for month in on_time["by_month"]], total["rate"], total["closed"],
                  total["on_time"])],
              percent_columns=range(1, len(months) + 2))
        ageing = data["ageing"]
        sheet(*sheets["ageing"], [label["department"], *[bucket["label"] for bucket in ageing["buckets"]],
                                  label["total"]],
              [(row["department"], *[row[bucket["key"]] for bucket in ageing["buckets"]], row["total"])
               for row in ageing["by_department"]]
              + [(label["all"], *[bucket["count"] for bucket in ageing["buckets"]], ageing["total"])])
        sheet(*sheets["supervised"],
              [label["department"], label["open_supervised"], label["supervised_new"], label["open_overdue"]],
              [(row["department"], row["open"], row["new"], overdue["count"])
               for row, overdue in zip(data["supervised"]["by_department"], data["overdue"]["by_department"],
                                       strict=True)])
        recurrences = data["recurrences"]
        sheet(*sheets["recurrences"], [label["department"], label["recurrences"]],
              [(row["department"], row["count"]) for row in recurrences["by_department"]]
              + [(label["all"], recurrences["count"])])
        sheet(*sheets["coverage"], [label["figure"], label["value"]], [
            (label["planned"], coverage["audits_planned"]),
            (label["done"], coverage["audits_done"]),
            (label["audited"], coverage["departments_audited"]),
            (label["in_scope"], coverage["departments_in_scope"]),
            (label["audited_rate"], coverage["department_rate"]),
            *[(text, "") for text in not_audited],
            *[(text, programme["coverage_percent"])
              for text, programme in zip(programme_labels, coverage["programmes"], strict=True)],
        ])
        sheet(*sheets["ranking"],
              [label["rank"], label["department"], label["closed"], label["on_time"], label["rate"],
               label["open_overdue"], label["open_supervised"]],
              [(row["rank"], row["department"], row["closed"], row["on_time"], row["rate"], row["overdue"],
                row["supervised"]) for row in data["ranking"]], percent_columns=(4,))
        workbook.close()
        return output.getvalue()
