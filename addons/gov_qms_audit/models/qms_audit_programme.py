from collections import defaultdict
from datetime import date, timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

DONE_STATES = ("reported", "closed")


class QmsAuditProgramme(models.Model):
    """A year's audit programme (ISO 9001 9.2.2, ISO 19011 5): objectives, the audit universe with
    its risks, the planned audits generated from it, and the coverage of departments and clauses."""

    _name = "qms.audit.programme"
    _description = "Audit Programme"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.locked.mixin", "qms.notification.mixin"]
    _order = "year desc, id desc"
    _check_company_auto = True

    _locked_states = ("closed",)
    _qms_deletable_states = ("draft",)

    name = fields.Char(compute="_compute_name", store=True, readonly=False, precompute=True, required=True,
                       tracking=True)
    active = fields.Boolean(default=True, help="Archived programmes are kept as evidence, out of sight.")
    year = fields.Integer(required=True, tracking=True, default=lambda self: fields.Date.context_today(self).year + 1)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    manager_id = fields.Many2one("res.users", string="Programme Manager", default=lambda self: self.env.user,
                                 tracking=True, help="Who runs the programme in the QMS office.")
    objectives = fields.Text(help="What the year's audits are to establish, e.g. whether the time limits are kept.")
    methods = fields.Text(help="How the audits are carried out: on site, interviews, sampling of files, ...")
    state = fields.Selection([("draft", "Draft"), ("approved", "Approved"), ("closed", "Closed")], default="draft",
                             required=True, readonly=True, copy=False, tracking=True)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_approved = fields.Date(string="Approved On", readonly=True, copy=False)
    line_ids = fields.One2many("qms.audit.programme.line", "programme_id", string="Audit Universe", copy=True)
    audit_ids = fields.One2many("qms.audit", "programme_id", string="Audits")
    audit_count = fields.Integer(compute="_compute_audit_counts")
    audit_done_count = fields.Integer(string="Audits Done", compute="_compute_audit_counts")
    # The coverage matrix is stored, computed again when something it shows changes (an audit of the year, the
    # universe, a department, a clause: see _qms_coverage_modified), never when it is read.
    coverage_audit_ids = fields.One2many("qms.audit", "coverage_programme_id", string="Audits of the Year",
                                         help="Every audit of the company dated in the programme's year.")
    coverage_html_i18n = fields.Json(
        string="Coverage Matrix (stored)", compute="_compute_coverage", store=True, prefetch=False, copy=False,
        help="The matrix as HTML in each installed language, computed when what it shows changes.")
    coverage_html = fields.Html(string="Coverage Matrix", compute="_compute_coverage_html", sanitize=False)
    coverage_percent = fields.Float(string="Coverage (%)", compute="_compute_coverage", store=True, digits=(5, 1),
                                    help="Share of department x clause cells covered by a planned or done audit.")
    gap_department_ids = fields.Many2many("hr.department", "qms_audit_programme_gap_department_rel", "programme_id",
                                          "department_id", string="Departments Not Audited",
                                          compute="_compute_coverage", store=True)
    gap_clause_ids = fields.Many2many("qms.iso.clause", "qms_audit_programme_gap_clause_rel", "programme_id",
                                      "clause_id", string="Clauses Not Audited", compute="_compute_coverage",
                                      store=True)

    _year_company_uniq = models.UniqueIndex(
        "(company_id, year) WHERE active",
        "This year already has an audit programme: complete it rather than start another.")

    @api.depends("year")
    def _compute_name(self):
        for programme in self:  # a stored name: in the company's language
            programme.name = programme._qms_note_env()._("Audit Programme %s", programme.year)

    def _compute_audit_counts(self):
        counts = {(programme, state): count for programme, state, count in self.env["qms.audit"]._read_group(
            [("programme_id", "in", self.ids), ("state", "!=", "cancelled")], ["programme_id", "state"], ["__count"])}
        for programme in self:
            mine = {state: count for (owner, state), count in counts.items() if owner == programme}
            programme.audit_count = sum(mine.values())
            programme.audit_done_count = sum(mine.get(state, 0) for state in DONE_STATES)

    @api.constrains("year")
    def _check_year(self):
        for programme in self:
            if not 2000 <= programme.year <= 2100:
                raise ValidationError(self.env._("%s is not a valid programme year: enter a year such as 2027.",
                                                 programme.year))

    @api.model
    def _qms_cycle_dates(self, year):
        return date(year, 1, 1), date(year, 12, 31)

    # ------------------------------------------------------------------ workflow

    def action_approve(self):
        self._qms_check_state("draft")
        for programme in self:
            if not programme.line_ids:
                raise UserError(self.env._("Add the departments and processes to audit before approving %s.",
                                           programme.name))
        self._qms_set_state("approved", approved_by_id=self.env.user.id, date_approved=fields.Date.context_today(self))
        return True

    def action_close(self):
        self._qms_check_state("approved")
        self._qms_set_state("closed")
        return True

    def action_generate_audits(self):
        """Plan the audits the universe calls for, spread over the year, each with an independent lead auditor.

        A department is audited on the clauses its processes and documents in force cite (the whole standard
        when they cite none), a process on its own clauses.

        Re-running adds only what is missing (an entry audited twice with one audit planned gets one more).
        The lead auditor proposed is the qualified, independent one with the fewest audits that year.
        """
        self._qms_check_state("draft", "approved")
        self.line_ids._qms_assess_history()
        Audit = self.env["qms.audit"]
        for programme in self:
            planned = dict(Audit._read_group([("programme_line_id", "in", programme.line_ids.ids),
                                              ("state", "!=", "cancelled")], ["programme_line_id"], ["__count"]))
            slots = programme._qms_plan_slots(planned)
            if not slots:
                continue
            leads = programme._qms_lead_auditors()
            start, end = self._qms_cycle_dates(programme.year)
            load = dict(Audit._read_group([("lead_auditor_id", "in", leads.ids), ("state", "!=", "cancelled"),
                                           ("date_start", ">=", start), ("date_start", "<=", end)],
                                          ["lead_auditor_id"], ["__count"]))
            scope, whole_standard = programme._qms_department_scope()
            vals_list = []
            for line, day in slots:
                departments = line.department_id or line.process_id.department_id
                lead = min(leads.filtered(lambda a, d=day, deps=departments: a._qms_is_qualified_on(d)
                                          and not a._qms_audited_departments() & deps),
                           key=lambda a: (load.get(a, 0), a.name), default=None)
                if lead is None:
                    raise UserError(self.env._(
                        "No lead auditor can audit %(subject)s on %(date)s: each is either from that department, "
                        "heads it, or is not qualified on that date. Add a lead auditor to the register.",
                        subject=line.display_name, date=day))
                load[lead] = load.get(lead, 0) + 1
                processes, clauses = (line.process_id, line.process_id.clause_ids) if line.process_id \
                    else scope[line.department_id]
                heads = departments._qms_head_user()
                vals_list.append({
                    "programme_id": programme.id, "programme_line_id": line.id,
                    "company_id": programme.company_id.id, "objectives": programme.objectives,
                    "department_ids": [(6, 0, departments.ids)],
                    "process_ids": [(6, 0, processes.ids)], "clause_ids": [(6, 0, (clauses or whole_standard).ids)],
                    "lead_auditor_id": lead.id, "date_start": day, "date_end": day,
                    "auditee_ids": [(6, 0, (heads | line.process_id.owner_id).ids)],
                })
            audits = Audit.with_context(qms_transition=TRANSITION).create(vals_list).with_env(Audit.env)
            env = programme._qms_note_env()
            programme.message_post(body=env._("1 audit planned from the audit universe.") if len(audits) == 1
                                   else env._("%s audits planned from the audit universe.", len(audits)))
        return True

    def _qms_plan_slots(self, planned):
        """(entry, start date) for each audit still to plan; the n audits of an entry fall in the n parts of
        the year, and the entries are spread across each part, on working days."""
        self.ensure_one()
        start, end = self._qms_cycle_dates(self.year)
        start = max(start, fields.Date.context_today(self) + timedelta(days=14))  # room for the notice
        if start > end:
            raise UserError(self.env._("%s is over: plan the audits of a coming year.", self.name))
        span = (end - start).days + 1
        working_days = self.env["qms.deadline.mixin"]._qms_working_days(self.company_id)
        working_days.load(start, end + timedelta(days=14))
        lines = self.line_ids
        slots = []
        for index, line in enumerate(lines):
            part = span // line.frequency
            for occurrence in range(planned.get(line, 0), line.frequency):
                day = start + timedelta(days=occurrence * part + part * index // len(lines))
                day = working_days.add(day - timedelta(days=1), 1)  # that day, or the next working day
                slots.append((line, min(day, end)))
        return slots

    def _qms_department_scope(self):
        """({department: (processes, clauses)}, whole standard) for the departments of the universe: the processes
        run by the department or its sections and the clauses they and its documents in force cite; and the
        applicable main clauses, for a department whose documents cite none."""
        self.ensure_one()
        departments = self.line_ids.department_id
        processes = self.env["qms.process"].search([("department_id", "child_of", departments.ids)])
        documents = self.env["qms.document"].search([("state", "=", "effective"),
                                                     ("department_id", "child_of", departments.ids)])
        whole_standard = self.env["qms.iso.clause"].with_company(self.company_id).search(
            [("parent_id", "=", False), ("applicable", "=", True)])
        scope = {}
        for department in departments:
            own_processes = processes.filtered(lambda p, d=department: p.department_id.parent_path.startswith(
                d.parent_path))
            own_documents = documents.filtered(lambda doc, d=department: doc.department_id.parent_path.startswith(
                d.parent_path))
            scope[department] = (own_processes, own_processes.clause_ids | own_documents.clause_ids)
        return scope, whole_standard

    def _qms_lead_auditors(self):
        """Every lead auditor of the register that could be picked, with what the choice needs read up front."""
        leads = self.env["qms.auditor"].search([("is_lead", "=", True), ("company_id", "=", self.company_id.id)])
        leads.user_id.mapped("qms_managed_department_ids")  # computed once for all, not once per audit
        return leads

    def action_open_audits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("gov_qms_audit.qms_audit_action")
        start, end = self._qms_cycle_dates(self.year)
        opening_day = min(max(fields.Date.context_today(self), start), end)
        action.update({"domain": [("programme_id", "=", self.id)], "view_mode": "calendar,list,kanban,form",
                       "context": {"default_programme_id": self.id, "initial_date": f"{opening_day} 00:00:00"}})
        year_calendar = self.env.ref("gov_qms_audit.qms_audit_view_calendar_programme").id
        action["views"] = [(year_calendar if mode == "calendar" else False, mode)
                           for mode in action["view_mode"].split(",")]
        return action

    def action_prepare_evidence(self):
        """The certification evidence of the programme's year, through the pack wizard."""
        self.ensure_one()
        start, end = self._qms_cycle_dates(self.year)
        return {
            "type": "ir.actions.act_window", "res_model": "qms.evidence.pack.wizard", "view_mode": "form",
            "target": "new", "name": self.env._("Prepare Certification Evidence"),
            "context": {"default_programme_id": self.id, "default_date_from": str(start), "default_date_to": str(end),
                        "default_name": self.env._("Certification evidence %s", self.year)},
        }

    # ------------------------------------------------------------------ coverage

    _QMS_COVERAGE_FIELDS = ("coverage_html_i18n", "coverage_percent", "gap_department_ids", "gap_clause_ids")

    def _qms_coverage_modified(self):
        """Something these programmes' matrices show has changed (a department, a clause, the programme of an
        audit's year): their matrices are computed again before the transaction ends (or when read before)."""
        for name in self._QMS_COVERAGE_FIELDS:
            self.env.add_to_compute(self._fields[name], self)
        self.invalidate_recordset(["coverage_html"], flush=False)  # read from the matrix about to be computed

    @api.model
    def _qms_programmes_of(self, company_years):
        """The programmes (archived ones included) of the (company id, year) pairs given."""
        pairs = {(company_id, year) for company_id, year in company_years if company_id and year}
        if not pairs:
            return self.browse()
        programmes = self.with_context(active_test=False).search([
            ("company_id", "in", list({company_id for company_id, _year in pairs})),
            ("year", "in", list({year for _company_id, year in pairs}))])
        return programmes.filtered(lambda programme: (programme.company_id.id, programme.year) in pairs)

    @api.model
    def _qms_audits_of(self, company_years):
        """The audits dated in the (company id, year) pairs given (they count in that year's programme)."""
        pairs = {(company_id, year) for company_id, year in company_years if company_id and year}
        if not pairs:
            return self.env["qms.audit"]
        domain = Domain.OR(
            Domain([("company_id", "=", company_id), ("date_start", ">=", date(year, 1, 1)),
                    ("date_start", "<=", date(year, 12, 31))])
            for company_id, year in pairs)
        return self.env["qms.audit"].with_context(active_test=False).search(domain)

    @api.model_create_multi
    def create(self, vals_list):
        programmes = super().create(vals_list)
        programmes._qms_audits_moved([])
        return programmes

    def write(self, vals):
        moved = {"year", "company_id", "active"} & set(vals)
        before = [(programme.company_id.id, programme.year) for programme in self] if moved else []
        result = super().write(vals)
        if moved:
            self._qms_audits_moved(before)
        return result

    def _qms_audits_moved(self, before):
        """A programme took a year (created, or its year, company or archiving changed): the audits of its year,
        and of the year it left, count in the programme now active for their year."""
        company_years = before + [(programme.company_id.id, programme.year) for programme in self]
        audits = self._qms_audits_of(company_years)
        if audits:
            self.env.add_to_compute(audits._fields["coverage_programme_id"], audits)

    def _qms_coverage(self):
        """Departments x applicable clauses of the year: 'done' when a reported or closed audit covers the
        cell, 'planned' when only audits still to come do. Every audit of the company dated in the year
        counts, generated or not. An audit of a department covers its sections; an audit scoped on a
        clause covers its sub-clauses (and the clause heading it belongs to). A few queries in all, and
        sets rather than searches: one pass over the departments, one over the audits.
        """
        self.ensure_one()
        company = self.company_id
        start, end = self._qms_cycle_dates(self.year)
        Clause = self.env["qms.iso.clause"].with_company(company)
        columns = Clause.search([("parent_id", "!=", False), ("parent_id.parent_id", "=", False),
                                 ("applicable", "=", True)]).sorted(lambda c: [int(part) for part in c.code.split(".")])
        rows = self.env["hr.department"].search([("company_id", "in", [company.id, False]), ("qms_code", "!=", False)])
        rows = rows | self.line_ids.department_id | self.line_ids.process_id.department_id
        titles = self._qms_department_titles(rows)
        rows = rows.sorted(lambda row: titles[row.id])  # by complete name
        audits = self.env["qms.audit"].search([("company_id", "=", company.id), ("state", "!=", "cancelled"),
                                               ("date_start", ">=", start), ("date_start", "<=", end)])
        # the rows under each department (itself included), the columns under or above each clause
        rows_under = defaultdict(list)
        for row in rows:
            for ancestor in row.parent_path.split("/")[:-1]:
                rows_under[int(ancestor)].append(row.id)
        column_ids = set(columns.ids)
        columns_under = defaultdict(list)
        for column in columns:
            columns_under[column.parent_id.id].append(column.id)
        cells, audited = {}, {}
        for audit in audits:
            status = "done" if audit.state in DONE_STATES else "planned"
            covered_rows = {row_id for department in audit.department_ids for row_id in rows_under[department.id]}
            covered_columns = set()
            for clause in audit.clause_ids:
                path = [int(part) for part in clause.parent_path.split("/")[:-1]]
                if len(path) == 1:  # a main clause: its clauses
                    covered_columns.update(columns_under[path[0]])
                elif path[1] in column_ids:  # a clause or one of its sub-clauses
                    covered_columns.add(path[1])
            for row_id in covered_rows:
                audited[row_id] = "done" if status == "done" else audited.get(row_id, status)
                for column_id in covered_columns:
                    key = (row_id, column_id)
                    cells[key] = "done" if status == "done" else cells.get(key, status)
        covered_column_ids = {column_id for _row_id, column_id in cells}
        return {
            "rows": rows, "columns": columns, "cells": cells, "audited": audited,
            "gap_rows": rows.filtered(lambda d: d.id not in audited),
            "gap_columns": columns.filtered(lambda c: c.id not in covered_column_ids),
        }

    @api.depends("year", "company_id", "line_ids.department_id", "line_ids.process_id.department_id",
                 "coverage_audit_ids", "coverage_audit_ids.state", "coverage_audit_ids.date_start",
                 "coverage_audit_ids.department_ids", "coverage_audit_ids.clause_ids")
    def _compute_coverage(self):
        languages = [code for code, _name in self.env["res.lang"].get_installed()]
        for programme in self:
            if not programme.year or not programme.company_id:
                programme.update({"coverage_html_i18n": False, "coverage_percent": 0.0,
                                  "gap_department_ids": False, "gap_clause_ids": False})
                continue
            coverage = programme._qms_coverage()
            total = len(coverage["rows"]) * len(coverage["columns"])
            programme.coverage_percent = 100.0 * len(coverage["cells"]) / total if total else 0.0
            programme.gap_department_ids = coverage["gap_rows"]
            programme.gap_clause_ids = coverage["gap_columns"]
            programme.coverage_html_i18n = {lang: programme.with_context(lang=lang)._qms_coverage_render(coverage)
                                            for lang in languages}

    @api.depends("coverage_html_i18n")
    @api.depends_context("lang")
    def _compute_coverage_html(self):
        lang = self.env.lang or "en_US"
        for programme in self:
            stored = programme.coverage_html_i18n or {}
            html = stored.get(lang) or (programme.year and programme.company_id and lang not in stored
                                        and programme._qms_coverage_render(programme._qms_coverage()))
            programme.coverage_html = Markup(html) if html else False

    def _qms_coverage_render(self, coverage):
        """The matrix as HTML in the language of the context. The legend and the headers come from the template;
        the cells (thousands at a city's scale, without a word to translate) are written here, in a single pass."""
        self.ensure_one()
        rows, columns = coverage["rows"].with_env(self.env), coverage["columns"].with_env(self.env)
        gap_rows, gap_columns = set(coverage["gap_rows"].ids), set(coverage["gap_columns"].ids)
        cells = coverage["cells"]
        titles = self._qms_department_titles(rows)
        heads = [{"code": column.code, "title": column.display_name, "gap": column.id in gap_columns}
                 for column in columns]
        kinds = {  # the cell of each column, for each status
            status: [Markup(html).format(title=head["title"]) for head in heads] for status, html in (
                ("done", '<td class="text-bg-success" title="{title}">&#x25CF;</td>'),
                ("planned", '<td class="text-bg-info" title="{title}">&#x25CB;</td>'),
                ("gap", '<td class="table-danger" title="{title}"></td>'),
                ("none", '<td class="table-warning" title="{title}"></td>'),
            )}
        gap_cells = [index for index, head in enumerate(heads) if head["gap"]]
        body = []
        for row in rows:
            gap_row = row.id in gap_rows
            statuses = ["gap" if gap_row else "none"] * len(heads)
            for index in gap_cells:
                statuses[index] = "gap"
            for index, column in enumerate(columns):
                status = cells.get((row.id, column.id))
                if status:
                    statuses[index] = status
            body.append(Markup('<tr><th class="{css}" title="{title}" style="padding-left: {indent}rem;">{name}</th>'
                               '{cells}</tr>').format(
                css="text-start text-nowrap text-bg-danger" if gap_row else "text-start text-nowrap",
                title=titles[row.id], indent=round(0.3 + 0.9 * (row.parent_path.count("/") - 1), 1), name=row.name,
                cells=Markup("").join(kinds[status][index] for index, status in enumerate(statuses))))
        return str(self.env["ir.qweb"]._render("gov_qms_audit.qms_audit_programme_coverage", {
            "programme": self, "heads": heads, "body": Markup("\n").join(body),
            "gap_row_names": ", ".join(rows.filtered(lambda row: row.id in gap_rows).mapped("name")),
            "gap_column_names": ", ".join(head["title"] for head in heads if head["gap"]),
        }))

    @api.model
    def _qms_department_titles(self, departments):
        """{department id: its complete name} (as hr's complete_name, "Bureau / Section"), read in one batch."""
        ancestors = self.env["hr.department"].with_context(active_test=False).browse(
            {int(part) for department in departments for part in department.parent_path.split("/")[:-1]})
        names = {department.id: department.name for department in ancestors}
        return {department.id: " / ".join(names[int(part)] for part in department.parent_path.split("/")[:-1])
                for department in departments}

    @api.model
    def _qms_coverage_recompute_all(self):
        """After an update of the addon (its template may have changed): every stored matrix rendered again."""
        # every programme (a handful a year)
        self.with_context(active_test=False).search([])._qms_coverage_modified()  # pylint: disable=no-search-all
