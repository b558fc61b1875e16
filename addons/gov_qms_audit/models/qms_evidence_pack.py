import hashlib
import os
import shutil
import tempfile
from collections import defaultdict
from datetime import timedelta

import xlsxwriter

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_job import in_scheduled_job
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.evidence_pack import PackWriter, sha256_of, verify
from ..tools.evidence_pack_manifest import build_manifest, validate_manifest
from ..tools.register_pdf import GAP_COLOUR, RegisterPdf

CHUNK = 1 << 20
BATCH_SIZE = 500  # records read at once for a register
XLSX_IN_MEMORY_ROWS = 2000  # a longer register is written to disk row by row
# the registers and minutes stand as evidence of these clauses, whatever the clauses their records cite
REGISTER_CLAUSES = {
    "documents": ("7.5",), "audits": ("9.2",), "capa": ("10.2",), "reviews": ("9.3",), "kpis": ("9.1",),
}


class PackItem:
    """A file to put in the pack: its path, where its content comes from, the records it shows."""

    __slots__ = ("attachment", "clauses", "kind", "path", "produce", "source", "title")

    def __init__(self, path, kind, title, source=None, attachment=None, produce=None, clauses=()):
        self.path, self.kind, self.title, self.source = path, kind, title, source
        self.attachment, self.produce, self.clauses = attachment, produce, tuple(clauses)


class QmsEvidencePack(models.Model):
    """The evidence that the QMS works, for the certification body, organised by ISO 9001 clause.

    draft -> building (a large pack is built by a queued job, with its progress) -> ready (the ZIP and its
    manifest stored; read-only) -> superseded (by a newer pack of the same scope). The ZIP holds an index
    (HTML and PDF: clause -> evidence, the gaps), the documents, audits, CAPA registers and review minutes
    in scope, and a manifest (path, size, SHA-256 and origin of every file) that anyone can check without
    Odoo (tools/evidence_pack.py).
    """

    _name = "qms.evidence.pack"
    _description = "Certification Evidence Pack"
    _inherit = ["mail.thread", "qms.locked.mixin", "qms.department.scope.mixin", "qms.notification.mixin"]
    _qms_department_path = "department_ids"
    _order = "id desc"
    _check_company_auto = True

    _locked_states = ("ready", "superseded")
    _qms_deletable_states = ("draft",)
    # the company is chosen at creation; the scope is what was asked for once the build is queued
    _qms_workflow_fields = frozenset({"company_id"})
    _qms_create_fields = frozenset({"company_id"})
    _QMS_SCOPE_FIELDS = ("name", "department_ids", "date_from", "date_to", "clause_ids")
    _qms_gate_depends = ("requested_by_id", "department_ids")

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    department_ids = fields.Many2many(
        "hr.department", "qms_evidence_pack_department_rel", "pack_id", "department_id", string="Departments",
        check_company=True,
        help="The departments in scope, with their sub-departments. Empty: the whole organisation (QMS office only).")
    date_from = fields.Date(string="Period From", required=True)
    date_to = fields.Date(string="Period To", required=True)
    clause_ids = fields.Many2many(
        "qms.iso.clause", "qms_evidence_pack_clause_rel", "pack_id", "clause_id", string="Clauses",
        help="Empty: every applicable clause.")
    requested_by_id = fields.Many2one("res.users", readonly=True, default=lambda self: self.env.user, index=True)
    state = fields.Selection(
        [("draft", "Draft"), ("building", "Building"), ("ready", "Ready"), ("superseded", "Superseded")],
        default="draft", required=True, readonly=True, copy=False, tracking=True, index=True)
    files_total = fields.Integer(readonly=True, copy=False)
    files_done = fields.Integer(readonly=True, copy=False)
    progress = fields.Float(compute="_compute_progress")
    attachment_id = fields.Many2one("ir.attachment", string="Pack (ZIP)", readonly=True, copy=False)
    zip_sha256 = fields.Char(string="SHA-256 of the ZIP", readonly=True, copy=False)
    manifest_sha256 = fields.Char(string="SHA-256 of the Manifest", readonly=True, copy=False)
    file_count = fields.Integer(string="Files", readonly=True, copy=False)
    gap_count = fields.Integer(string="Clauses without Evidence", readonly=True, copy=False)
    date_built = fields.Datetime(string="Built On", readonly=True, copy=False)
    built_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    verify_result = fields.Text(string="Last Verification", readonly=True, copy=False)
    verify_ok = fields.Boolean(string="Verified", readonly=True, copy=False)
    can_build = fields.Boolean(compute="_compute_qms_can")  # honest button (qms.gate.mixin)
    date_verified = fields.Datetime(string="Verified On", readonly=True, copy=False)
    superseded_by_id = fields.Many2one("qms.evidence.pack", readonly=True, copy=False)
    grant_ids = fields.One2many("qms.evidence.pack.grant", "pack_id", string="Access Grants")
    access_ids = fields.One2many("qms.evidence.pack.access", "pack_id", string="Access Log")

    all_my_departments = fields.Boolean(
        compute="_compute_all_my_departments", search="_search_all_my_departments",
        help="Every department of the pack is one you head (or under one): the pack holds only your records.")

    def _qms_all_my_departments_domain(self):
        headed = self.env["hr.department"]._qms_headed_domain()
        if headed.is_false():
            return Domain.FALSE
        return Domain("department_ids", "!=", False) & ~Domain("department_ids", "any!", ~headed)

    def _search_all_my_departments(self, operator, value):
        if operator != "in":
            return NotImplemented
        return self._qms_all_my_departments_domain()

    @api.depends_context("uid")
    def _compute_all_my_departments(self):
        mine = self.sudo().filtered_domain(self._qms_all_my_departments_domain())
        for pack in self:
            pack.all_my_departments = pack in mine

    @api.depends("files_done", "files_total")
    def _compute_progress(self):
        for pack in self:
            pack.progress = 100.0 * pack.files_done / pack.files_total if pack.files_total else 0.0

    # ------------------------------------------------------------------ validation

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for pack in self:
            if pack.date_from > pack.date_to:
                raise ValidationError(self.env._(
                    "The period of %(pack)s ends (%(end)s) before it starts (%(start)s).",
                    pack=pack.name, end=pack.date_to, start=pack.date_from))

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")
        for vals in vals_list:  # before the record rules say it less clearly
            self._qms_check_scope(self.new({"department_ids": vals.get("department_ids", [])}).department_ids)
        return super().create(vals_list)

    def write(self, vals):
        changed = [name for name in self._QMS_SCOPE_FIELDS if name in vals]
        queued = self.filtered(lambda pack: pack.state == "building")
        if changed and queued and not self._qms_in_transition():
            raise UserError(self.env._(
                "%s is being built for the scope asked: wait until it is ready, then prepare a new pack.",
                queued[0].name))
        if "department_ids" in vals:
            for pack in self:  # the scope as it would be after the change
                scope = pack.new({"department_ids": [(6, 0, pack.department_ids.ids)]})
                scope.update({"department_ids": vals["department_ids"]})
                pack._qms_check_scope(scope.department_ids)
        return super().write(vals)

    @api.model
    def _qms_check_scope(self, departments):
        """The QMS office builds any pack; a department head only a pack of the departments they head."""
        if self.env.su or self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            return
        departments = departments._origin
        if not departments:
            raise UserError(self.env._(
                "Choose your departments: a pack of the whole organisation is prepared by the QMS office."))
        outside = departments - self._qms_managed_departments()
        if outside:
            raise UserError(self.env._(
                "%(department)s is not one of the departments you head: a pack holds only your departments' "
                "records.", department=outside[0].name))

    def _qms_managed_departments(self):
        """The departments the current user heads, with their sub-departments (the suite's department scope)."""
        Department = self.env["hr.department"].sudo()
        return Department.search(Department._qms_headed_domain())

    # ------------------------------------------------------------------ scope

    def _qms_scope_departments(self):
        """The departments in scope with their sub-departments (empty: the whole organisation)."""
        self.ensure_one()
        if not self.department_ids:
            return self.env["hr.department"]
        return self.env["hr.department"].sudo().search([("id", "child_of", self.department_ids.ids)])

    def _qms_scope_clauses(self):
        self.ensure_one()
        Clause = self.env["qms.iso.clause"].sudo().with_company(self.company_id)
        if self.clause_ids:
            clauses = Clause.search([("id", "child_of", self.clause_ids.ids), ("applicable", "=", True)])
        else:
            clauses = Clause.search([("applicable", "=", True)])
        return clauses.sorted(lambda c: [int(part) for part in c.code.split(".") if part.isdigit()])

    def _qms_department_domain(self, field="department_id"):
        departments = self._qms_scope_departments()
        return Domain(field, "in", departments.ids) if departments else Domain.TRUE

    # ------------------------------------------------------------------ what goes in

    def _qms_plan(self):
        """The files of the pack, in order, as PackItems (no content produced yet)."""
        self.ensure_one()
        pack = self.sudo().with_company(self.company_id)
        return pack._qms_plan_documents() + pack._qms_plan_audits() + pack._qms_plan_capa() + \
            pack._qms_plan_reviews()

    def _qms_records(self, model, domain, order=None):
        return self.env[model].search(Domain.AND([[("company_id", "=", self.company_id.id)], domain]), order=order)

    def _qms_plan_documents(self):
        env = self.env
        documents = self._qms_records("qms.document", self._qms_department_domain() & Domain(
            "state", "=", "effective"), order="tier_sequence, code")
        items = []
        if documents:
            items += [
                PackItem("documents/master_list.pdf", "documents", env._("Master list of controlled documents"),
                         produce=lambda: self._qms_master_list_pdf(documents), clauses=REGISTER_CLAUSES["documents"]),
                PackItem("documents/master_list.xlsx", "documents", env._("Master list of controlled documents"),
                         produce=documents._qms_master_list_xlsx, clauses=REGISTER_CLAUSES["documents"]),
            ]
        revisions = documents.current_revision_id
        file_attachments = self._qms_binary_attachments(revisions, "file")
        for document in documents:
            revision = document.current_revision_id
            source = {"model": revision._name, "id": revision.id, "name": revision.display_name}
            clauses = tuple(document.clause_ids.mapped("code"))
            attachment = file_attachments.get(revision.id)
            if attachment:
                extension = os.path.splitext(attachment.name or "")[1] or ".pdf"
                items.append(PackItem(f"documents/{self._qms_safe(document.code)}_{self._qms_safe(revision.name)}"
                                      f"{extension}", "document", document.display_name, source=source,
                                      attachment=attachment, clauses=clauses))
            else:  # its text, as written and approved in the system: the revision as a web page
                items.append(PackItem(
                    f"documents/{self._qms_safe(document.code)}_{self._qms_safe(revision.name)}.html", "document",
                    document.display_name, source=source, clauses=clauses,
                    produce=lambda r=revision: self._qms_revision_html(r)))
        acknowledgements = self._qms_records("qms.document.acknowledgement", [("revision_id", "in", revisions.ids)])
        if acknowledgements:
            items.append(PackItem("documents/acknowledgements.xlsx", "documents",
                                  env._("Read-and-understood acknowledgements"),
                                  produce=lambda: self._qms_acknowledgements_xlsx(acknowledgements),
                                  clauses=("7.3", "7.5")))
        return items

    def _qms_plan_audits(self):
        env = self.env
        audits = self._qms_records("qms.audit", [
            ("state", "!=", "cancelled"), ("date_start", ">=", self.date_from), ("date_start", "<=", self.date_to),
        ], order="date_start, id")
        departments = self._qms_scope_departments()
        if departments:  # an audit belongs to the pack when every department it audited is in scope
            audits = audits.filtered(lambda audit: audit.department_ids and not audit.department_ids - departments)
        items = []
        if not departments:
            years = range(self.date_from.year, self.date_to.year + 1)
            for programme in self._qms_records("qms.audit.programme", [("year", "in", list(years))], order="year"):
                items.append(PackItem(
                    f"audits/programme_{programme.year}.html", "programme", programme.display_name,
                    source={"model": programme._name, "id": programme.id, "name": programme.display_name},
                    produce=lambda p=programme: self._qms_programme_html(p), clauses=REGISTER_CLAUSES["audits"]))
        for audit in audits:
            # the final report as stored at its approval; a report not approved yet (or approved before reports
            # were stored) as it reads now; an audit not reported yet has no report (the programme lists it)
            stored = audit.report_attachment_id
            if not stored and audit.state not in ("reported", "closed"):
                continue
            items.append(PackItem(
                f"audits/{self._qms_safe(audit.name)}_report.pdf", "audit", audit.display_name,
                source={"model": audit._name, "id": audit.id, "name": audit.display_name}, attachment=stored,
                produce=None if stored else lambda a=audit: self._qms_render_pdf(
                    "gov_qms_audit.action_report_qms_audit", a),
                clauses=("9.2", *audit.clause_ids.mapped("code"), *audit.line_ids.clause_id.mapped("code"))))
        findings = audits.finding_ids
        if findings:
            items.append(PackItem("audits/findings.xlsx", "audits", env._("Register of audit findings"),
                                  produce=lambda: self._qms_findings_xlsx(findings),
                                  clauses=(*REGISTER_CLAUSES["audits"],
                                           *findings.line_id.clause_id.mapped("code"))))
        return items

    def _qms_plan_capa(self):
        env = self.env
        ncs = self._qms_records("qms.nonconformity", self._qms_department_domain() & Domain.AND([
            [("date_detected", "<=", self.date_to)],
            ["|", ("date_closed", "=", False), ("date_closed", ">=", self.date_from)],
        ]), order="date_detected, id")
        items = []
        if not ncs:
            return items
        clauses = (*REGISTER_CLAUSES["capa"], *ncs.clause_ids.mapped("code"))
        registers = {}  # both written in one pass over the records, when the first of them is added

        def register(kind):
            if not registers:
                registers.update(self._qms_capa_registers(ncs))
            return registers.pop(kind)

        items += [
            PackItem("capa/register.xlsx", "capa", env._("Register of nonconformities, actions and checks"),
                     produce=lambda: register("xlsx"), clauses=clauses),
            PackItem("capa/register.pdf", "capa", env._("Register of nonconformities, actions and checks"),
                     produce=lambda: register("pdf"), clauses=clauses),
        ]
        # the evidence of the closed ones: their files, their actions' and checks' (fields, and the chatter)
        closed = ncs.search_fetch([("id", "in", ncs.ids), ("state", "=", "closed")],
                                  ["name", "title", "clause_ids", "evidence_attachment_ids"], order="date_detected, id")
        lines = [self.env[model].search_fetch([("nonconformity_id", "in", closed.ids)],
                                              ["nonconformity_id", "evidence_attachment_ids"])
                 for model in ("qms.action", "qms.effectiveness.check")]
        files = defaultdict(set)  # nonconformity id: attachment ids
        owner = {}
        for nc in closed:
            files[nc.id].update(nc.evidence_attachment_ids.ids)
            owner[nc._name, nc.id] = nc.id
        for records in lines:
            for record in records:
                files[record.nonconformity_id.id].update(record.evidence_attachment_ids.ids)
                owner[record._name, record.id] = record.nonconformity_id.id
        Attachment = self.env["ir.attachment"]
        attached = Attachment.search_fetch(Domain.OR([  # files attached to them in the chatter
            [("res_model", "=", records._name), ("res_id", "in", records.ids), ("res_field", "=", False)]
            for records in (closed, *lines)]), ["res_model", "res_id"])
        for attachment in attached:
            files[owner[attachment.res_model, attachment.res_id]].add(attachment.id)
        evidence = Attachment.browse(sorted(set().union(*files.values()))).with_prefetch()
        evidence.fetch(["name", "store_fname"])
        for nc in closed:
            for attachment in evidence.browse(sorted(files[nc.id])):
                items.append(PackItem(
                    f"capa/{self._qms_safe(nc.name)}/{attachment.id}_{self._qms_safe(attachment.name)}", "evidence",
                    attachment.name, source={"model": nc._name, "id": nc.id, "name": nc.display_name},
                    attachment=attachment, clauses=("10.2", *nc.clause_ids.mapped("code"))))
        return items

    def _qms_plan_reviews(self):
        """The minutes of the management reviews of the period: a whole-organisation pack only (the minutes
        show every department's figures)."""
        if self.department_ids:
            return []
        held_in_period = Domain([("date_meeting", ">=", self.date_from),
                                 ("date_meeting", "<", self.date_to + timedelta(days=1))])
        reviewing_period = Domain([("date_to", ">=", self.date_from), ("date_from", "<=", self.date_to)])
        reviews = self._qms_records("qms.management.review", Domain("state", "=", "closed") & (
            held_in_period | reviewing_period), order="date_to, id")
        return [PackItem(f"reviews/{self._qms_safe(review.name)}_minutes.pdf", "review", review.display_name,
                         source={"model": review._name, "id": review.id, "name": review.display_name},
                         attachment=review.minutes_attachment_id, clauses=REGISTER_CLAUSES["reviews"])
                for review in reviews if review.minutes_attachment_id]

    # ------------------------------------------------------------------ producers

    @staticmethod
    def _qms_safe(text):
        keep = "".join(char if char.isalnum() or char in "-_." else "_" for char in (text or "file"))
        return keep.strip("._") or "file"

    def _qms_binary_attachments(self, records, field):
        """{record id: the ir.attachment holding its binary `field`}, in one query."""
        attachments = self.env["ir.attachment"].sudo().search([
            ("res_model", "=", records._name), ("res_field", "=", field), ("res_id", "in", records.ids)])
        return {attachment.res_id: attachment for attachment in attachments}

    def _qms_render_pdf(self, report_xmlid, records):
        pdf, _kind = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
            report_xmlid, records.ids)
        return pdf

    def _qms_programme_html(self, programme):
        body = self.env["ir.qweb"]._render("gov_qms_audit.qms_evidence_pack_programme", {"programme": programme})
        return str(body).encode()

    def _qms_revision_html(self, revision):
        """A revision without a signed file: its text as approved, with its identity (code, revision, approval),
        as a web page (what was written in the system, without a conversion to PDF)."""
        approved = revision.date_approved
        body = self.env["ir.qweb"]._render("gov_qms_audit.qms_evidence_pack_revision", {
            "revision": revision,
            "approved_on": fields.Datetime.context_timestamp(revision, approved).date() if approved else ""})
        return ("<!DOCTYPE html>\n" + str(body)).encode()

    def _qms_batches(self, records, size=BATCH_SIZE):
        """`records` in batches, each read at once and let go of before the next: a register of any length takes
        the memory of one batch."""
        for start in range(0, len(records), size):
            yield records[start:start + size].with_prefetch()
            self.env.invalidate_all()

    @staticmethod
    def _qms_cell_text(value):
        if value in (None, False):
            return ""
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    def _qms_xlsx(self, title, columns, rows, large=True):
        """A register as an XLSX workbook: a title, a header row, the rows (an iterable, read once; no query per
        row). A `large` register is written row by row to a temporary file (xlsxwriter's constant memory mode:
        the memory of a row, whatever the length); a small one in memory. Returns a temporary file."""
        output = tempfile.TemporaryFile(prefix="qms-register-")  # noqa: SIM115 (the caller closes it)
        # texts stay texts: a title typed as "=HYPERLINK(...)" is never a live formula in the register
        workbook = xlsxwriter.Workbook(output, {"constant_memory": large, "in_memory": not large,
                                                "strings_to_formulas": False, "strings_to_urls": False})
        sheet = workbook.add_worksheet(title[:31])
        bold = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet.set_column(0, max(len(columns) - 1, 0), 18)
        sheet.write(0, 0, title, workbook.add_format({"bold": True, "size": 14}))
        for col, label in enumerate(columns):
            sheet.write(2, col, label, bold)
        last = 2
        for last, row in enumerate(rows, start=3):
            for col, value in enumerate(row):
                if hasattr(value, "isoformat"):
                    sheet.write_datetime(last, col, fields.Datetime.to_datetime(value), date_format)
                else:
                    sheet.write(last, col, value if value not in (None, False) else "")
        sheet.autofilter(2, 0, last, max(len(columns) - 1, 0))
        sheet.freeze_panes(3, 0)
        workbook.close()
        output.seek(0)
        return output

    def _qms_register_pdf(self, title, lines, columns, rows):
        """A register as a PDF written page by page to a temporary file (tools/register_pdf.py), without a
        wkhtmltopdf run: `columns` are (label, relative width); the cells of `rows` are values or lists of
        (text, link, colour) pieces. Returns the file."""
        output = tempfile.TemporaryFile(prefix="qms-register-")  # noqa: SIM115 (the caller closes it)
        pdf = RegisterPdf(output, title, lines, footer=f"{self.name} - {title}")
        pdf.table(columns, (tuple(cell if isinstance(cell, list) else self._qms_cell_text(cell) for cell in row)
                            for row in rows))
        pdf.close()
        output.seek(0)
        return output

    def _qms_printed_line(self, count):
        return self.env._("%(company)s - printed on %(date)s - %(count)s rows", company=self.company_id.name,
                          date=fields.Date.context_today(self), count=count)

    def _qms_master_list_pdf(self, documents):
        columns = documents._qms_master_list_columns()
        widths = {"code": 1.3, "name": 3.5, "tier": 1.3, "revision": 0.8, "effective_date": 1.1, "department": 1.8,
                  "owner": 1.4, "next_review": 1.1, "state": 1.1}

        def rows():
            for batch in self._qms_batches(documents):
                for row in batch._qms_master_list_rows():
                    yield tuple([(self._qms_cell_text(row[key]), None, GAP_COLOUR)] if key == "next_review"
                                and row["review_overdue"] else row[key] for key, _label in columns)

        title = self.env._("Master List of Controlled Documents")
        return self._qms_register_pdf(title, [self._qms_printed_line(len(documents))],
                                      [(label, widths.get(key, 1)) for key, label in columns], rows())

    def _qms_label(self, record, field, labels=None):
        """The label of a selection field's value, in the user's language (`labels`: its _qms_labels)."""
        labels = self._qms_labels(record._name, field) if labels is None else labels
        return labels.get(record[field], record[field] or "")

    def _qms_labels(self, model, field):
        """{value: label} of a selection field, in the user's language: read once for a whole register."""
        return dict(self.env[model]._fields[field]._description_selection(self.env))

    def _qms_headers(self, model, names):
        """Column headers: the fields' own labels, in the user's language."""
        fields_ = self.env[model]._fields
        return [fields_[name]._description_string(self.env) for name in names]

    def _qms_acknowledgements_xlsx(self, acknowledgements):
        names = ["document_id", "revision_id", "user_id", "department_id", "date_deadline", "state",
                 "date_acknowledged"]

        states = self._qms_labels(acknowledgements._name, "state")

        def rows():
            for batch in self._qms_batches(acknowledgements):
                for ack in batch:
                    yield (ack.document_id.display_name, ack.revision_id.name, ack.user_id.name, ack.department_id.name,
                           ack.date_deadline, self._qms_label(ack, "state", states), ack.date_acknowledged)

        return self._qms_xlsx(self.env._("Acknowledgements"), self._qms_headers(acknowledgements._name, names), rows(),
                              large=len(acknowledgements) > XLSX_IN_MEMORY_ROWS)

    def _qms_findings_xlsx(self, findings):
        names = ["audit_id", "department_id", "classification", "line_id", "criterion", "evidence", "statement",
                 "nonconformity_id", "action_id"]

        classes = self._qms_labels(findings._name, "classification")

        def rows():
            for batch in self._qms_batches(findings):
                for finding in batch:
                    yield (finding.audit_id.name, finding.department_id.name,
                           self._qms_label(finding, "classification", classes),
                           finding.line_id.clause_id.code or finding.line_id.question, finding.criterion,
                           finding.evidence, finding.statement, finding.nonconformity_id.name, finding.action_id.name)

        return self._qms_xlsx(self.env._("Findings"), self._qms_headers(findings._name, names), rows(),
                              large=len(findings) > XLSX_IN_MEMORY_ROWS)

    _QMS_CAPA_COLUMNS = ["name", "title", "department_id", "source", "severity", "date_detected", "date_deadline",
                         "date_closed", "state", "root_cause"]

    def _qms_capa_rows(self, ncs):
        """One row per nonconformity, followed by its actions' and its checks' rows (what, who, due, done, status,
        evidence) under the nonconformity's columns; read a batch of nonconformities at a time."""
        action_label, check_label = self.env["qms.action"]._description, self.env._("Effectiveness check")
        labels = {(model, name): self._qms_labels(model, name) for model, name in (
            ("qms.nonconformity", "source"), ("qms.nonconformity", "severity"), ("qms.nonconformity", "state"),
            ("qms.action", "action_type"), ("qms.action", "state"), ("qms.effectiveness.check", "state"))}

        def label(record, field):
            return self._qms_label(record, field, labels[record._name, field])

        for batch in self._qms_batches(ncs):
            for nc in batch:
                yield (nc.name, nc.title, nc.department_id.name, label(nc, "source"), label(nc, "severity"),
                       nc.date_detected, nc.date_deadline, nc.date_closed, label(nc, "state"), nc.root_cause)
                for action in nc.action_ids:
                    yield (nc.name, f"{action_label}: {action.name}", action.owner_id.name,
                           label(action, "action_type"), "", action.original_deadline, action.date_deadline,
                           action.date_done,
                           label(action, "state"), action.evidence_note)
                for check in nc.check_ids:
                    yield (nc.name, f"{check_label}: {check.display_name}", check.checker_id.name, "", "",
                           check.date_due, check.date_due, check.date_checked, label(check, "state"),
                           check.evidence_note)

    def _qms_capa_registers(self, ncs):
        """The register of nonconformities as XLSX and PDF, written in one pass over the records (each batch read
        once for both): {"xlsx": file, "pdf": file}."""
        title = self.env._("Register of Nonconformities, Actions and Effectiveness Checks")
        headers = self._qms_headers(ncs._name, self._QMS_CAPA_COLUMNS)
        widths = [1.3, 3.4, 1.5, 1.2, 0.9, 1.0, 1.0, 1.0, 1.1, 3.2]
        pdf_file = tempfile.TemporaryFile(prefix="qms-register-")  # noqa: SIM115 (the caller closes it)
        pdf = RegisterPdf(pdf_file, title, [self._qms_printed_line(len(ncs))], footer=f"{self.name} - {title}")
        pdf.begin_table(list(zip(headers, widths, strict=True)))

        def rows():
            for row in self._qms_capa_rows(ncs):
                pdf.row(tuple(self._qms_cell_text(cell) for cell in row))
                yield row

        xlsx_file = self._qms_xlsx(self.env._("Nonconformities"), headers, rows(),
                                   large=len(ncs) > XLSX_IN_MEMORY_ROWS // 4)
        pdf.close()
        pdf_file.seek(0)
        return {"xlsx": xlsx_file, "pdf": pdf_file}

    def _qms_index_pdf(self, clause_map, plan):
        """index.pdf: the clause -> evidence map of index.html, each file a link to its path in the pack."""
        env = self.env
        gaps = [row for row in clause_map if not row["items"]]
        lines = [
            f"{env._('Organisation')}: {self.company_id.name}",
            f"{env._('Departments')}: "
            f"{', '.join(self.department_ids.mapped('name')) or env._('The whole organisation')}",
            f"{env._('Period')}: {self.date_from} - {self.date_to}",
            f"{env._('Built by')}: {env.user.name}",
            f"{env._('Clauses without evidence')}: {len(gaps)}",
            env._("Every file of this pack is listed in manifest.xml with its size and SHA-256; check the pack with "
                  "python3 evidence_pack.py pack.zip (shipped with gov_qms_audit, tools/)."),
        ]
        output = tempfile.TemporaryFile(prefix="qms-index-")  # noqa: SIM115 (the caller closes it)
        pdf = RegisterPdf(output, env._("Certification Evidence Pack: %s", self.name), lines, footer=self.name)
        gap = env._("GAP: no evidence in this pack")
        pdf.table([(env._("Clause"), 1), (env._("Requirement"), 4), (env._("Evidence"), 8)], (
            (row["clause"].code, row["clause"].name,
             [(f"{item.title} ({item.path})", item.path, None) for item in row["items"]]
             or [(gap, None, GAP_COLOUR)])
            for row in clause_map), heading=env._("ISO 9001 clauses and their evidence"))
        pdf.table([(env._("File"), 5), (env._("Title"), 5)],
                  (([(item.path, item.path, None)], item.title) for item in plan), heading=env._("Files"))
        pdf.close()
        output.seek(0)
        return output

    # ------------------------------------------------------------------ building

    def _qms_check_can_build(self):
        for pack in self:
            if not (self.env.user.has_group("gov_qms_docs.group_qms_manager")
                    or self.env.user == pack.requested_by_id):
                raise UserError(self.env._("Only %(user)s, who asked for %(pack)s, or the QMS office can build it.",
                                           user=pack.requested_by_id.name, pack=pack.name))
            pack._qms_check_scope(pack.department_ids)

    def _check_build(self):
        """A draft, and whoever asked for it (within their departments) or the QMS office."""
        self._qms_check_state("draft")
        self._qms_check_can_build()

    def action_build(self):
        """Build the pack now, or queue it when it is large (its progress shows on the form)."""
        self._check_build()
        for pack in self:
            plan = pack._qms_plan()
            if len(plan) > pack.company_id.qms_evidence_pack_async_files:
                pack._qms_set_state("building", files_total=len(plan) + 2, files_done=0)
                count = len(plan) + 2
                pack._qms_log(lambda env, count=count: env._(
                    "%s files to put in the pack: it is being built, you will be notified.", count))
            else:
                pack._qms_build(plan)
        if self.filtered(lambda pack: pack.state == "building"):
            self.env.ref("gov_qms_audit.ir_cron_qms_evidence_pack_build")._trigger()
        return True

    @api.model
    def _cron_build_packs(self):
        """Build the queued packs, one at a time, the progress committed as it goes."""
        for pack in self.search([("state", "=", "building")], order="id"):
            pack.with_user(pack.requested_by_id).with_company(pack.company_id)._qms_build(
                pack.with_user(pack.requested_by_id)._qms_plan(), progress=True)

    def _qms_build(self, plan, progress=False):
        """Write the files of `plan`, the index and the manifest into a ZIP on disk, store it, mark the pack
        ready and supersede the previous pack of the same scope."""
        self.ensure_one()
        clauses = self._qms_scope_clauses()
        total = len(plan) + 2
        self._qms_write_workflow({"files_total": total, "files_done": 0})
        with tempfile.TemporaryFile(prefix="qms-pack-") as tmp:
            writer = PackWriter(tmp)
            for index, item in enumerate(plan, start=1):
                if item.attachment:
                    self._qms_add_attachment(writer, item)
                else:
                    self._qms_add_produced(writer, item.path, item.produce(), item.source)
                if progress and index % 10 == 0:
                    self._qms_progress(index)
            clause_map = self._qms_clause_map(clauses, plan)
            index_html = self._qms_index_html(clause_map, plan)
            writer.add_bytes("index.html", index_html, source=None)
            self._qms_add_produced(writer, "index.pdf", self._qms_index_pdf(clause_map, plan), None)
            manifest = build_manifest(writer.entries, self._qms_manifest_meta(clauses))
            validate_manifest(manifest)
            manifest_sha256 = writer.close(manifest)
            tmp.seek(0)
            zip_sha256 = sha256_of(tmp)
            attachment = self._qms_store_zip(tmp)
        gaps = sum(1 for row in clause_map if not row["items"])
        previous = self.search([("id", "!=", self.id), ("state", "=", "ready"), ("company_id", "=", self.company_id.id),
                                ("date_from", "=", self.date_from), ("date_to", "=", self.date_to)]).filtered(
            lambda other: other.department_ids == self.department_ids and other.clause_ids == self.clause_ids)
        previous = previous._filtered_access("write")  # a head's pack never supersedes the QMS office's
        self._qms_set_state("ready", attachment_id=attachment.id, zip_sha256=zip_sha256,
                            manifest_sha256=manifest_sha256, file_count=len(writer.entries) + 1, gap_count=gaps,
                            files_done=total, date_built=self._qms_timestamp(), built_by_id=self.env.user.id)
        previous.sudo()._qms_set_state("superseded", superseded_by_id=self.id)
        self._qms_post_to(
            self.requested_by_id.partner_id,
            lambda env: env._("Pack built: %(files)s files, %(gaps)s. SHA-256 of the ZIP: %(zip)s; of manifest.xml: "
                              "%(manifest)s.", files=len(writer.entries) + 1, zip=zip_sha256, manifest=manifest_sha256,
                              gaps=env._("1 clause without evidence") if gaps == 1
                              else env._("%s clauses without evidence", gaps)),
            subtype_xmlid="mail.mt_comment")

    def _qms_progress(self, done):
        """Record the progress; in the queued job, commit it so that the form shows it (a job that dies leaves
        the pack *building*: the next run builds it again from the start)."""
        self._qms_write_workflow({"files_done": done})
        if in_scheduled_job(self.env):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @staticmethod
    def _qms_add_produced(writer, path, content, source):
        """Add a produced file: bytes, or a temporary file (a register written to disk), streamed then closed."""
        if isinstance(content, (bytes, bytearray)):
            writer.add_bytes(path, content, source=source)
            return
        with content:
            content.seek(0)
            writer.add_stream(path, content, source=source)

    def _qms_add_attachment(self, writer, item):
        attachment = item.attachment.sudo()
        if attachment.store_fname:
            writer.add_file(item.path, attachment._full_path(attachment.store_fname), source=item.source)
        else:
            writer.add_bytes(item.path, attachment.raw or b"", source=item.source)

    def _qms_store_zip(self, tmp):
        """The ZIP as an attachment of the pack, copied to the filestore in chunks (never whole in memory)."""
        Attachment = self.env["ir.attachment"].sudo()
        tmp.seek(0)
        sha1 = hashlib.sha1()
        size = 0
        for chunk in iter(lambda: tmp.read(CHUNK), b""):
            sha1.update(chunk)
            size += len(chunk)
        checksum = sha1.hexdigest()
        values = {"name": f"{self._qms_safe(self.name)}.zip", "res_model": self._name, "res_id": self.id,
                  "mimetype": "application/zip", "type": "binary"}
        tmp.seek(0)
        if Attachment._storage() != "file":
            return Attachment.create({**values, "raw": tmp.read()})
        # the filestore's place for this checksum (as ir.attachment._get_path, whose collision check would read
        # the whole file): a pack built twice in the same second with the same content is the same file
        fname = f"{checksum[:2]}/{checksum}"
        full_path = Attachment._full_path(fname)
        os.makedirs(os.path.dirname(full_path), exist_ok=True)
        if not os.path.exists(full_path):
            Attachment._mark_for_gc(fname)
            with open(full_path, "wb") as target:
                shutil.copyfileobj(tmp, target, CHUNK)
        attachment = Attachment.create(values)
        self.env.cr.execute(SQL("UPDATE ir_attachment SET store_fname = %s, file_size = %s, checksum = %s "
                                "WHERE id = %s", fname, size, checksum, attachment.id))
        attachment.invalidate_recordset(["store_fname", "file_size", "checksum"])
        return attachment

    def _qms_manifest_meta(self, clauses):
        self.ensure_one()
        module = self.env["ir.module.module"].sudo().search([("name", "=", "gov_qms_audit")], limit=1)
        return {
            "name": self.name, "company": self.company_id.name,
            "departments": [(department.qms_code or "", department.name) for department in self.department_ids],
            "date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat(),
            "clauses": clauses.mapped("code"),
            "builder_name": self.env.user.name, "builder_login": self.env.user.login,
            "built_at": self._qms_timestamp().isoformat() + "Z",
            "software": f"gov_qms_audit {module.latest_version or module.installed_version or ''}".strip(),
        }

    def _qms_clause_map(self, clauses, plan):
        """For every clause in scope, the files that show it is met (a clause is shown by the files citing it or
        one of its sub-clauses, and by the registers of its process); a clause with none is a gap."""
        by_code = defaultdict(list)
        for item in plan:
            for code in item.clauses:
                by_code[code].append(item)
        rows = []
        for clause in clauses:
            matched, seen = [], set()
            for code, items in by_code.items():
                if code == clause.code or code.startswith(clause.code + ".") or clause.code.startswith(code + "."):
                    for item in items:
                        if item.path not in seen:
                            seen.add(item.path)
                            matched.append(item)
            rows.append({"clause": clause, "items": matched})
        return rows

    def _qms_index_html(self, clause_map, plan):
        html = self.env["ir.qweb"]._render("gov_qms_audit.qms_evidence_pack_index", {
            "pack": self, "rows": clause_map, "plan": plan,
            "gaps": [row["clause"] for row in clause_map if not row["items"]],
        })
        return ("<!DOCTYPE html>\n" + str(html)).encode()

    # ------------------------------------------------------------------ verification

    def action_verify(self):
        """Read the stored ZIP again against its manifest (and the manifest against its recorded SHA-256)."""
        self.check_access("read")
        for pack in self:
            if pack.state not in ("ready", "superseded") or not pack.attachment_id:
                raise UserError(self.env._("%s has not been built yet: there is nothing to verify.", pack.name))
            attachment = pack.attachment_id.sudo()
            if attachment.store_fname:
                result = verify(attachment._full_path(attachment.store_fname), pack.manifest_sha256)
            else:
                with tempfile.NamedTemporaryFile(suffix=".zip") as tmp:
                    tmp.write(attachment.raw or b"")
                    tmp.flush()
                    result = verify(tmp.name, pack.manifest_sha256)
            ok, files, differences = result
            env = pack._qms_note_env()  # recorded on the pack and in its chatter: the company's language
            if ok:
                text = env._("Verified: %s files are as built.", files)
            else:
                text = env._("Differences found:") + "\n" + "\n".join(differences)
            # whoever may read the pack may check it: the result is recorded for them
            pack.sudo()._qms_write_workflow({"verify_result": text, "verify_ok": ok,
                                             "date_verified": pack._qms_timestamp()})
            pack._qms_log(text)
        return True
