import io
import re
import string

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .qms_deadline_mixin import EscalationStep

TIERS = [
    ("manual", "Quality Manual"),
    ("procedure", "Procedure"),
    ("instruction", "Work Instruction"),
    ("form", "Form"),
    ("record", "Record"),
    ("external", "External Document"),
]
TIER_PREFIX = {"manual": "QM", "procedure": "QP", "instruction": "WI", "form": "QF", "record": "QR",
               "external": "EXT"}
MASTER_LIST_KEYS = ("code", "name", "tier", "revision", "effective_date", "department", "owner", "next_review",
                    "state")
# Revision labels (版本/修改状态): edition letter / amendment number. The first revision is A/0, each next one the
# next amendment (A/1, A/2, ...), a new edition (换版: the document rewritten) starts the next letter at 0 (B/0).
FIRST_LABEL = "A/0"
LABEL_PATTERN = re.compile(r"^([A-Z])/(\d{1,3})$")


def parse_label(label):
    """(edition, amendment) of a label such as 'B/2' -> (1, 2); None when it is not one."""
    match = LABEL_PATTERN.match(label or "")
    return (string.ascii_uppercase.index(match[1]), int(match[2])) if match else None


def format_label(edition, amendment):
    return f"{string.ascii_uppercase[edition]}/{amendment}"


# Which tier may sit under which (the three-tier system: manual > procedures > work instructions).
ALLOWED_PARENT_TIERS = {
    "manual": (),
    "procedure": ("manual",),
    "instruction": ("procedure",),
    "form": ("procedure", "instruction"),
    "record": ("procedure", "instruction", "form"),
    "external": ("manual", "procedure", "instruction"),
}


class QmsDocument(models.Model):
    """A controlled document (ISO 9001 7.5). Its state and current revision derive from its revisions."""

    _name = "qms.document"
    _description = "Controlled Document"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.department.mixin", "qms.deadline.mixin", "qms.locked.mixin"]
    # the document itself never locks (its revisions do); its status, next review and withdrawal move only through
    # the workflow, and a document that was ever in force is withdrawn, never deleted
    _qms_deletable_states = ("draft",)
    _order = "tier_sequence, code, id"
    _rec_names_search = ["code", "name"]
    _check_company_auto = True
    _qms_gate_depends = ("owner_id", "department_id")

    code = fields.Char(required=True, copy=False, index=True, tracking=True, default=lambda self: self.env._("New"),
                       help="Left as 'New', the code is numbered from the tier's sequence on save.")
    name = fields.Char(string="Title", required=True, tracking=True)
    tier = fields.Selection(TIERS, required=True, default="procedure", tracking=True)
    tier_sequence = fields.Integer(compute="_compute_tier_sequence", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    department_id = fields.Many2one(required=True)
    owner_id = fields.Many2one("res.users", required=True, tracking=True, index=True,
                               default=lambda self: self.env.user)
    parent_id = fields.Many2one("qms.document", string="Parent Document", index=True, check_company=True)
    child_ids = fields.One2many("qms.document", "parent_id", string="Lower-tier Documents")
    clause_ids = fields.Many2many("qms.iso.clause", string="ISO Clauses")
    process_ids = fields.Many2many("qms.process", "qms_document_process_rel", "document_id", "process_id",
                                   string="Processes")
    external_source = fields.Char(help="Issuing body of an external document (law, regulation, standard).")
    revision_ids = fields.One2many("qms.document.revision", "document_id", string="Revisions")
    revision_count = fields.Integer(compute="_compute_revision_count")
    current_revision_id = fields.Many2one("qms.document.revision", string="Effective Revision",
                                          compute="_compute_current_revision", store=True, index=True)
    revision_label = fields.Char(related="current_revision_id.name", string="Revision")
    effective_date = fields.Date(related="current_revision_id.effective_date", store=True)
    approver_id = fields.Many2one(related="current_revision_id.approver_id", string="Approved By")
    state = fields.Selection(
        [("draft", "Draft"), ("effective", "Effective"), ("obsolete", "Obsolete")],
        compute="_compute_current_revision", store=True, index=True, tracking=True,
        help="Derived from the revisions: effective while one revision is in force; obsolete once withdrawn.",
    )
    review_interval_months = fields.Integer(string="Review Interval (months)", default=12, required=True)
    date_deadline = fields.Date(string="Next Review")
    last_review_date = fields.Date(readonly=True, copy=False)
    is_review_overdue = fields.Boolean(string="Review Overdue", compute="_compute_is_review_overdue", store=True)
    distribution_department_ids = fields.Many2many(
        "hr.department", string="Distribution Departments",
        help="Every employee of these departments (and their sub-departments) must read each new revision.")
    distribution_user_ids = fields.Many2many("res.users", string="Distribution Users")
    retention_years = fields.Integer(string="Retention (years)", help="How long records are kept.")
    disposition = fields.Selection(
        [("destroy", "Destroy"), ("archive", "Transfer to archives"), ("permanent", "Keep permanently")],
        string="Disposition After Retention")
    withdrawal_reason = fields.Text(readonly=True, copy=False)
    pending_ack_count = fields.Integer(string="Pending Acknowledgements", compute="_compute_ack_counts")
    # honest buttons (qms.gate.mixin): each is computed by the gate of its step, `_check_<step>`
    can_new_revision = fields.Boolean(compute="_compute_qms_can")
    can_mark_reviewed = fields.Boolean(compute="_compute_qms_can")
    can_withdraw = fields.Boolean(compute="_compute_qms_can")

    _code_company_uniq = models.Constraint(
        "UNIQUE(company_id, code)", "This document code is already used: each controlled document needs its own code.")

    @api.depends("tier")
    def _compute_tier_sequence(self):
        order = [key for key, _label in TIERS]
        for document in self:
            document.tier_sequence = order.index(document.tier) if document.tier else len(order)

    @api.depends("revision_ids.state")
    def _compute_current_revision(self):
        for document in self:
            effective = document.revision_ids.filtered(lambda r: r.state == "effective")[:1]
            document.current_revision_id = effective
            if effective:
                document.state = "effective"
            elif any(r.state == "obsolete" for r in document.revision_ids):
                document.state = "obsolete"
            else:
                document.state = "draft"

    @api.depends("escalation_level")
    def _compute_is_review_overdue(self):
        for document in self:
            document.is_review_overdue = document.escalation_level >= 2

    def _compute_revision_count(self):
        counts = dict(self.env["qms.document.revision"]._read_group(
            [("document_id", "in", self.ids)], ["document_id"], ["__count"]))
        for document in self:
            document.revision_count = counts.get(document, 0)

    def _compute_ack_counts(self):
        counts = dict(self.env["qms.document.acknowledgement"]._read_group(
            [("document_id", "in", self.ids), ("state", "=", "pending")], ["document_id"], ["__count"]))
        for document in self:
            document.pending_ack_count = counts.get(document, 0)

    @api.constrains("tier", "parent_id")
    def _check_parent_tier(self):
        labels = dict(self._fields["tier"]._description_selection(self.env))
        for document in self:
            if not document.parent_id:
                continue
            if document.parent_id.tier not in ALLOWED_PARENT_TIERS[document.tier]:
                raise ValidationError(self.env._(
                    "A %(tier)s cannot be placed under a %(parent_tier)s (%(parent)s). "
                    "The documented system goes: quality manual, procedures, work instructions, forms and records.",
                    tier=labels[document.tier], parent_tier=labels[document.parent_id.tier],
                    parent=document.parent_id.display_name))
            if document.parent_id._has_cycle():
                raise ValidationError(self.env._("A document cannot be its own parent."))

    @api.constrains("review_interval_months")
    def _check_review_interval(self):
        for document in self:
            if document.review_interval_months <= 0:
                raise ValidationError(self.env._(
                    "The review interval of %s must be at least one month.", document.display_name))

    @api.constrains("code", "company_id")
    def _check_code_unique(self):
        for document in self:
            document._qms_check_code_free(document.code, document.company_id)

    def _qms_check_code_free(self, code, company):
        other = self.search([("code", "=", code), ("company_id", "=", company.id), ("id", "not in", self.ids)],
                            limit=1)
        if other:
            raise ValidationError(self.env._(
                "The code %(code)s is already used by %(other)s: each controlled document needs its own code.",
                code=code, other=other.name))

    @api.constrains("tier", "retention_years")
    def _check_retention(self):
        for document in self:
            if document.retention_years < 0 or (document.tier == "record" and not document.retention_years):
                raise ValidationError(self.env._(
                    "Record %s needs a retention period of at least one year.", document.display_name))

    @api.depends("code", "name")
    def _compute_display_name(self):
        for document in self:
            document.display_name = f"[{document.code}] {document.name}" if document.code else document.name

    # ------------------------------------------------------------------ codes

    @api.model_create_multi
    def create(self, vals_list):
        new_label = self.env._("New")
        for vals in vals_list:
            if not vals.get("code") or vals["code"] in (new_label, "New"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                department = self.env["hr.department"].browse(vals.get("department_id"))
                vals["code"] = self._qms_next_code(vals.get("tier") or "procedure", department, company)
            else:  # a code typed by hand: say clearly if it is taken (the database would only refuse it)
                self._qms_check_code_free(vals["code"], self.env["res.company"].browse(vals.get("company_id"))
                                          or self.env.company)
        return super().create(vals_list)

    @api.model
    def _qms_next_code(self, tier, department, company):
        """Next code of a tier, e.g. QP-003, or QP-MRB-003 when the company numbers per department."""
        sequence_code = f"qms.document.{tier}"
        if company.qms_code_per_department and department.qms_code:
            sequence_code = f"qms.document.{tier}.{department.id}"
            Sequence = self.env["ir.sequence"].sudo()
            if not Sequence.search([("code", "=", sequence_code), ("company_id", "in", [company.id, False])],
                                   limit=1):
                Sequence.create({
                    "name": f"{TIER_PREFIX[tier]}-{department.qms_code}", "code": sequence_code,
                    "prefix": f"{TIER_PREFIX[tier]}-{department.qms_code}-", "padding": 3,
                    "company_id": company.id,
                })
        code = self.env["ir.sequence"].with_company(company).next_by_code(sequence_code)
        if not code:
            raise UserError(self.env._("No numbering sequence is configured for %s documents.", tier))
        return code

    # ------------------------------------------------------------------ periodic review

    def _escalation_open_domain(self):
        return [("state", "=", "effective")]

    def _escalation_steps(self, company):
        return [
            EscalationStep(-company.qms_review_notice_days, False, "_qms_notify_review_due"),
            EscalationStep(1, False, "_qms_flag_review_overdue"),
        ]

    def _qms_next_review_date(self, from_date):
        self.ensure_one()
        return from_date + relativedelta(months=self.review_interval_months)

    def _qms_notify_review_due(self):
        # the owner's to-do, without an e-mail per document: the owner's daily digest lists the reviews due
        self.with_context(mail_activity_quick_update=True)._qms_schedule_activities(
            {document: document.owner_id for document in self}, lambda env: env._("Periodic review due"),
            note=lambda env: env._(
                "Check that the document is still adequate, then mark it reviewed or start a new revision."),
            date_deadline=lambda document: document.date_deadline,
        )
        self._qms_log(lambda env: env._("Periodic review due: the owner has been given a to-do."))

    def _qms_flag_review_overdue(self):
        # the document controllers are told in their daily digest (the overdue reviews), not by an e-mail per
        # document; the note keeps who was told
        controllers = self.env.ref("gov_qms_docs.group_qms_document_controller").sudo().all_user_ids
        partners = controllers.filtered(lambda u: not u.share).partner_id
        self._qms_log_each(lambda document: document.env._(
            "The periodic review of %(document)s was due on %(date)s and has not been done.",
            document=document.display_name, date=document.date_deadline), partners=lambda document: partners)

    def _qms_check_can_manage(self):
        """The owner, the head of the document's department or a document controller."""
        self.filtered(lambda document: document.owner_id != self.env.user)._qms_check_head_or(
            "gov_qms_docs.group_qms_document_controller")

    def _check_mark_reviewed(self):
        """In force, and its owner, the head of its department or a document controller."""
        self._qms_check_can_manage()
        for document in self:
            if document.state != "effective":
                raise UserError(self.env._("Only an effective document can be reviewed: %s.", document.display_name))

    def action_mark_reviewed(self):
        """Periodic review done without change: the next review is scheduled."""
        self._check_mark_reviewed()
        today = fields.Date.context_today(self)
        for document in self:
            document._qms_write_workflow({"last_review_date": today,
                                          "date_deadline": document._qms_next_review_date(today)})
            # the to-do's summary is in its assignee's language
            document.activity_ids.filtered(lambda a, document=document: a.summary == document._qms_text(
                lambda env: env._("Periodic review due"), document._qms_recipient_lang(a.user_id))).with_context(
                lang=document._qms_company_lang()).action_feedback(
                feedback=document._qms_note_env()._("Reviewed, no change needed."))
            document.message_post(body=document._qms_note_env()._(
                "Periodic review done: no change needed. Next review on %s.", document.date_deadline))
        return True

    # ------------------------------------------------------------------ revisions

    def _check_new_revision(self):
        """Its owner, the head of its department or a document controller (who may create its revisions)."""
        if not self.env.su:
            self._qms_check_can_manage()

    def action_new_revision(self):
        """Start a draft revision from the effective one and open it."""
        self.ensure_one()
        self._check_new_revision()
        revision = self._qms_start_revision()
        return {
            "type": "ir.actions.act_window", "res_model": "qms.document.revision",
            "res_id": revision.id, "view_mode": "form", "target": "current",
        }

    def _qms_next_revision_label(self, new_edition=False, exclude=None):
        """The label of the next revision of the document (see FIRST_LABEL): the next amendment of the highest
        label used so far, or the next edition at 0, whoever may read the revisions (`exclude`: the draft being
        relabelled). A deleted draft leaves a gap rather than a clash. Labels of an older numbering (1, 2, ...)
        count as the amendments of edition A (1 is A/0)."""
        self.ensure_one()
        revisions = self.sudo().revision_ids - (exclude.sudo() if exclude else self.env["qms.document.revision"])
        used = [parse_label(label) or (0, int(label) - 1)
                for label in revisions.mapped("name") if parse_label(label) or (label or "").isdigit()]
        if not used:
            return FIRST_LABEL
        edition, amendment = max(used)
        if not new_edition:
            return format_label(edition, amendment + 1)
        if edition + 1 >= len(string.ascii_uppercase):
            raise UserError(self.env._("%s has reached edition Z: continue with its amendments.", self.display_name))
        return format_label(edition + 1, 0)

    def _qms_start_revision(self, change_summary=False):
        self.ensure_one()
        in_progress = self.revision_ids.filtered(lambda r: r.state in ("draft", "in_review"))
        if in_progress:
            return in_progress[0]
        source = self.current_revision_id
        return self.env["qms.document.revision"].create({
            "document_id": self.id,
            "body": source.body,
            "file": source.file,
            "file_name": source.file_name,
            "change_summary": change_summary,
            "reviewer_ids": source.reviewer_ids.ids,
            "approver_id": source.approver_id.id if source.approver_id != self.env.user else False,
        })

    def _check_withdraw(self):
        """In force, and its owner, the head of its department or a document controller."""
        self._qms_check_can_manage()
        for document in self:
            if document.state != "effective":
                raise UserError(self.env._("Only an effective document can be withdrawn: %s.", document.display_name))

    def _action_withdraw(self, reason):
        """Withdraw the document: its effective revision becomes obsolete, readers stop being asked."""
        self._check_withdraw()
        if not (reason or "").strip():
            raise UserError(self.env._("Please give the reason for withdrawing the document."))
        revisions = self.current_revision_id
        revisions._qms_set_state("obsolete", date_superseded=fields.Date.context_today(self))
        revisions.sudo().ack_ids.filtered(lambda a: a.state == "pending")._qms_cancel()
        self._qms_write_workflow({"withdrawal_reason": reason})
        for document in self:
            document.message_post(body=document._qms_note_env()._("Document withdrawn: %s", reason))
        return True

    def action_open_revisions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("gov_qms_docs.qms_document_revision_action")
        action["domain"] = [("document_id", "=", self.id)]
        action["context"] = {"default_document_id": self.id}
        return action

    def action_open_acknowledgements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("gov_qms_docs.qms_document_acknowledgement_action")
        action["domain"] = [("document_id", "=", self.id)]
        action["context"] = {"search_default_pending": 1}
        return action

    def action_print_current(self):
        """The controlled copy of the revision in force."""
        self.ensure_one()
        if not self.current_revision_id:
            raise UserError(self.env._("%s has no revision in force to print.", self.display_name))
        report = self.env.ref("gov_qms_docs.action_report_qms_document_revision")
        return report.report_action(self.current_revision_id, config=False)

    def action_open_withdraw_wizard(self):
        self._qms_gate("withdraw")
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_withdraw", self.env._("Withdraw Document"))

    # ------------------------------------------------------------------ master list (受控文件清单)

    @api.model
    def _qms_master_list_documents(self, tier=None, department_id=None, include_obsolete=False):
        domain = [("state", "in", ("effective", "obsolete") if include_obsolete else ("effective",))]
        if tier:
            domain.append(("tier", "=", tier))
        if department_id:
            domain.append(("department_id", "child_of", int(department_id)))
        return self.search(domain, order="tier_sequence, code")

    def _qms_master_list_rows(self):
        """The master list's rows, read in batch (no query per document)."""
        tiers = dict(self._fields["tier"]._description_selection(self.env))
        states = dict(self._fields["state"]._description_selection(self.env))
        return [
            {
                "code": document.code, "name": document.name, "tier": tiers[document.tier],
                "revision": document.revision_label or "", "effective_date": document.effective_date,
                "department": document.department_id.name or "", "owner": document.owner_id.name or "",
                "next_review": document.date_deadline, "state": states[document.state],
                "review_overdue": document.is_review_overdue,
            }
            for document in self
        ]

    def _qms_master_list_columns(self):
        labels = [
            self.env._("Code"), self.env._("Title"), self.env._("Tier"), self.env._("Revision"),
            self.env._("Effective Date"), self.env._("Department"), self.env._("Owner"), self.env._("Next Review"),
            self.env._("Status"),
        ]
        return list(zip(MASTER_LIST_KEYS, labels, strict=True))

    def _qms_master_list_xlsx(self):
        """The master list as an XLSX workbook (bytes)."""
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False,
                                                "strings_to_urls": False})
        sheet = workbook.add_worksheet(self.env._("Master List"))
        bold = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        overdue_format = workbook.add_format({"num_format": "yyyy-mm-dd", "font_color": "#C00000", "bold": True})
        columns = self._qms_master_list_columns()
        title_format = workbook.add_format({"bold": True, "size": 14})
        sheet.write(0, 0, self.env._("Master List of Controlled Documents"), title_format)
        sheet.write(1, 0, self.env._("Printed on %s", fields.Date.context_today(self)))
        for col, (_key, label) in enumerate(columns):
            sheet.write(3, col, label, bold)
        for row, values in enumerate(self._qms_master_list_rows(), start=4):
            for col, (key, _label) in enumerate(columns):
                value = values[key]
                if key in ("effective_date", "next_review") and value:
                    fmt = overdue_format if key == "next_review" and values["review_overdue"] else date_format
                    sheet.write_datetime(row, col, fields.Datetime.to_datetime(value), fmt)
                else:
                    sheet.write(row, col, value or "")
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, 1, 48)
        sheet.set_column(2, len(columns) - 1, 16)
        sheet.autofilter(3, 0, 3 + len(self), len(columns) - 1)
        sheet.freeze_panes(4, 0)
        workbook.close()
        return output.getvalue()
