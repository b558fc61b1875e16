from datetime import date, timedelta

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.exceptions import UserError, ValidationError

DONE_STATES = ("reported", "closed")


class QmsAuditProgramme(models.Model):
    """A year's audit programme (ISO 9001 9.2.2, ISO 19011 5): objectives, the audit universe with
    its risks, the planned audits generated from it, and the coverage of departments and clauses."""

    _name = "qms.audit.programme"
    _description = "Audit Programme"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.locked.mixin"]
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
    coverage_html = fields.Html(string="Coverage Matrix", compute="_compute_coverage", sanitize=False)
    coverage_percent = fields.Float(string="Coverage (%)", compute="_compute_coverage", digits=(5, 1),
                                    help="Share of department x clause cells covered by a planned or done audit.")
    gap_department_ids = fields.Many2many("hr.department", string="Departments Not Audited",
                                          compute="_compute_coverage")
    gap_clause_ids = fields.Many2many("qms.iso.clause", string="Clauses Not Audited", compute="_compute_coverage")

    _year_company_uniq = models.UniqueIndex(
        "(company_id, year) WHERE active",
        "This year already has an audit programme: complete it rather than start another.")

    @api.depends("year")
    def _compute_name(self):
        for programme in self:
            programme.name = self.env._("Audit Programme %s", programme.year)

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
            programme.message_post(body=self.env._("%s audit(s) planned from the audit universe.", len(audits)))
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

    def _qms_coverage(self):
        """Departments x applicable clauses of the year: 'done' when a reported or closed audit covers the
        cell, 'planned' when only audits still to come do. Every audit of the company dated in the year
        counts, generated or not. An audit of a department covers its sections; an audit scoped on a
        clause covers its sub-clauses (and the clause heading it belongs to). A few queries in all.
        """
        self.ensure_one()
        company = self.company_id
        start, end = self._qms_cycle_dates(self.year)
        Clause = self.env["qms.iso.clause"].with_company(company)
        columns = Clause.search([("parent_id", "!=", False), ("parent_id.parent_id", "=", False),
                                 ("applicable", "=", True)]).sorted(lambda c: [int(part) for part in c.code.split(".")])
        rows = self.env["hr.department"].search([("company_id", "in", [company.id, False]), ("qms_code", "!=", False)])
        rows = (rows | self.line_ids.department_id | self.line_ids.process_id.department_id).sorted("complete_name")
        audits = self.env["qms.audit"].search([("company_id", "=", company.id), ("state", "!=", "cancelled"),
                                               ("date_start", ">=", start), ("date_start", "<=", end)])
        cells, audited = {}, {}
        for audit in audits:
            status = "done" if audit.state in DONE_STATES else "planned"
            prefixes = tuple(audit.department_ids.mapped("parent_path"))
            covered_rows = rows.filtered(lambda d, p=prefixes: d.parent_path.startswith(p))
            scope = audit.clause_ids.mapped("parent_path")
            covered_columns = columns.filtered(
                lambda c, s=scope: any(path.startswith(c.parent_path) or c.parent_path.startswith(path) for path in s))
            for row in covered_rows:
                audited[row.id] = "done" if status == "done" else audited.get(row.id, status)
                for column in covered_columns:
                    key = (row.id, column.id)
                    cells[key] = "done" if status == "done" else cells.get(key, status)
        covered_column_ids = {column_id for _row_id, column_id in cells}
        return {
            "rows": rows, "columns": columns, "cells": cells, "audited": audited,
            "gap_rows": rows.filtered(lambda d: d.id not in audited),
            "gap_columns": columns.filtered(lambda c: c.id not in covered_column_ids),
        }

    @api.depends("year", "company_id", "line_ids", "audit_ids.state", "audit_ids.department_ids",
                 "audit_ids.clause_ids", "audit_ids.date_start")
    def _compute_coverage(self):
        for programme in self:
            if not programme.year or not programme.company_id:
                programme.update({"coverage_html": False, "coverage_percent": 0.0,
                                  "gap_department_ids": False, "gap_clause_ids": False})
                continue
            coverage = programme._qms_coverage()
            total = len(coverage["rows"]) * len(coverage["columns"])
            programme.coverage_percent = 100.0 * len(coverage["cells"]) / total if total else 0.0
            programme.gap_department_ids = coverage["gap_rows"]
            programme.gap_clause_ids = coverage["gap_columns"]
            programme.coverage_html = self.env["ir.qweb"]._render(
                "gov_qms_audit.qms_audit_programme_coverage", {"programme": programme, **coverage})
