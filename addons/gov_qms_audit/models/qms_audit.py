from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

AUDIT_TYPES = [("internal", "Internal audit"), ("external", "External / certification audit"),
               ("follow_up", "Follow-up audit")]


class QmsAudit(models.Model):
    """An audit (ISO 9001 9.2, ISO 19011 6): scope, criteria, an independent qualified team, a checklist.

    planned -> notified -> in progress -> reported -> closed; cancelled with a reason.
    """

    _name = "qms.audit"
    _description = "Audit"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.locked.mixin", "qms.notification.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    _locked_states = ("closed", "cancelled")

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True,
                       default=lambda self: self.env._("New"))
    audit_type = fields.Selection(AUDIT_TYPES, string="Type", required=True, default="internal", tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    objectives = fields.Text()
    department_ids = fields.Many2many("hr.department", string="Audited Departments", required=True)
    process_ids = fields.Many2many("qms.process", string="Processes")
    clause_ids = fields.Many2many("qms.iso.clause", string="Clauses")
    document_ids = fields.Many2many("qms.document", string="Criteria",
                                    help="The documents in force the audit checks against.")
    lead_auditor_id = fields.Many2one("qms.auditor", required=True, tracking=True)
    team_ids = fields.Many2many("qms.auditor", string="Audit Team")
    auditee_ids = fields.Many2many("res.users", string="Auditees")
    date_start = fields.Date(string="Start", required=True, tracking=True)
    date_end = fields.Date(string="End", required=True)
    state = fields.Selection(
        [("planned", "Planned"), ("notified", "Notified"), ("in_progress", "In Progress"), ("reported", "Reported"),
         ("closed", "Closed"), ("cancelled", "Cancelled")],
        default="planned", required=True, readonly=True, copy=False, tracking=True, index=True)
    line_ids = fields.One2many("qms.audit.line", "audit_id", string="Checklist")
    finding_ids = fields.One2many("qms.audit.finding", "audit_id", string="Findings")
    nonconformity_ids = fields.Many2many("qms.nonconformity", compute="_compute_nonconformity_ids")
    follow_up_audit_id = fields.Many2one("qms.audit", string="Follow-up Audit", copy=False,
                                         help="The audit that will verify the open nonconformities.")
    conclusions = fields.Html()
    report_state = fields.Selection([("draft", "Draft"), ("final", "Final")], string="Report", default="draft",
                                    readonly=True, copy=False, tracking=True)
    report_approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_report_approved = fields.Date(string="Report Approved On", readonly=True, copy=False)
    distribution_ids = fields.Many2many("res.users", compute="_compute_distribution_ids", string="Report Distribution",
                                        help="The auditees and the heads of the audited departments.")
    cancel_reason = fields.Text(readonly=True, copy=False)

    @api.depends("finding_ids.nonconformity_id")
    def _compute_nonconformity_ids(self):
        for audit in self:
            audit.nonconformity_ids = audit.finding_ids.nonconformity_id

    @api.depends("auditee_ids", "department_ids")
    def _compute_distribution_ids(self):
        for audit in self:
            heads = self.env["res.users"].union(*(department._qms_head_user() for department in audit.department_ids))
            audit.distribution_ids = audit.auditee_ids | heads

    def write(self, vals):
        if {"conclusions", "objectives", "line_ids", "finding_ids"} & set(vals) and \
                any(audit.report_state == "final" for audit in self):
            raise UserError(self.env._("The audit report is final: its content can no longer change."))
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("qms.audit") or self.env._("New")
        return super().create(vals_list)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for audit in self:
            if audit.date_end < audit.date_start:
                raise ValidationError(self.env._("Audit %s cannot end before it starts.", audit.name))

    @api.constrains("lead_auditor_id", "team_ids", "department_ids", "date_start")
    def _check_team(self):
        """Nobody audits their own department or one they head; every member is qualified on the day."""
        for audit in self:
            if not audit.lead_auditor_id.is_lead:
                raise ValidationError(self.env._(
                    "%s is not a qualified lead auditor: choose a lead auditor from the register.",
                    audit.lead_auditor_id.name))
            for auditor in audit.lead_auditor_id | audit.team_ids:
                own = auditor._qms_audited_departments() & audit.department_ids
                if own:
                    raise ValidationError(self.env._(
                        "%(auditor)s cannot audit %(department)s: it is their own department or one they head. "
                        "Auditors must be independent of the work they audit.",
                        auditor=auditor.name, department=", ".join(own.mapped("name"))))
                if not auditor._qms_is_qualified_on(audit.date_start):
                    raise ValidationError(self.env._(
                        "%(auditor)s is not qualified on %(date)s (qualified %(from)s, expires %(to)s).",
                        auditor=auditor.name, date=audit.date_start, **{"from": auditor.date_qualified},
                        to=auditor.date_expiry or "-"))

    # ------------------------------------------------------------------ checklist

    def action_generate_checklist(self):
        """Checklist lines from the clauses and procedures in scope, for each audited department.

        Questions come from the question bank of each clause, else from the clause's guidance.
        Lines already there are kept; only missing ones are added (one create, no query per line).
        """
        for audit in self:
            audit._qms_check_state("planned", "notified", "in_progress")
            clauses = self.env["qms.iso.clause"].search([("id", "child_of", audit.clause_ids.ids),
                                                         ("applicable", "=", True)]) if audit.clause_ids \
                else self.env["qms.iso.clause"]
            questions = self.env["qms.audit.question"].search([("clause_id", "in", clauses.ids)])
            by_clause = questions.grouped("clause_id")
            existing = {(line.department_id.id, line.clause_id.id, line.document_id.id, line.question)
                        for line in audit.line_ids}
            wanted = []
            for department in audit.department_ids:
                for clause in clauses:
                    texts = by_clause[clause].mapped("name") if clause in by_clause \
                        else [clause.guidance or clause.name]
                    wanted += [(department, clause, self.env["qms.document"], text) for text in texts]
                for document in audit.document_ids.filtered(
                        lambda d, dep=department: d.tier in ("procedure", "instruction") and d.department_id == dep):
                    wanted.append((department, self.env["qms.iso.clause"], document, self.env._(
                        "Is %s followed as written? Look at its records.", document.display_name)))
            self.env["qms.audit.line"].create([
                {"audit_id": audit.id, "department_id": department.id, "clause_id": clause.id,
                 "document_id": document.id, "question": text, "sequence": sequence}
                for sequence, (department, clause, document, text) in enumerate(wanted, start=1)
                if (department.id, clause.id, document.id, text) not in existing
            ])
        return True

    def action_fill_criteria(self):
        """The documents in force for the audited departments, processes and clauses."""
        for audit in self:
            audit.document_ids |= self.env["qms.document"].search([
                ("state", "=", "effective"), "|", "|",
                ("department_id", "child_of", audit.department_ids.ids),
                ("process_ids", "in", audit.process_ids.ids), ("clause_ids", "in", audit.clause_ids.ids)])
        return True

    # ------------------------------------------------------------------ workflow

    def action_notify(self):
        self._qms_check_state("planned")
        self._qms_set_state("notified")
        self._qms_schedule_activities({audit: audit.auditee_ids for audit in self}, self.env._("Prepare for the audit"),
                                      date_deadline=lambda audit: audit.date_start)
        return True

    def action_start(self):
        self._qms_check_state("planned", "notified")
        self._qms_set_state("in_progress")
        return True

    def action_raise_findings(self):
        """Findings for every checklist line that is not conforming, each raised into the CAPA loop once."""
        self.line_ids._qms_create_findings()
        self.finding_ids._qms_raise()
        return True

    def action_report(self):
        self._qms_check_state("in_progress")
        for audit in self:
            if not audit.conclusions:
                raise UserError(self.env._("Write the conclusions of %s before reporting it.", audit.name))
            if audit.line_ids.filtered(lambda line: not line.result):
                raise UserError(self.env._("Some checklist lines of %s have no result yet.", audit.name))
        self.action_raise_findings()
        self._qms_set_state("reported")
        return True

    def action_approve_report(self):
        """The lead auditor makes the report final (ISO 19011 6.5.2); it goes to the distribution list."""
        self._qms_check_state("reported")
        for audit in self:
            if self.env.user != audit.lead_auditor_id.user_id:
                raise UserError(self.env._("Only the lead auditor, %s, approves the audit report.",
                                           audit.lead_auditor_id.name))
            if audit.report_state == "final":
                raise UserError(self.env._("The report of %s is already final.", audit.name))
        self.write({"report_state": "final", "report_approved_by_id": self.env.user.id,
                    "date_report_approved": fields.Date.context_today(self)})
        for audit in self:
            audit.message_post(body=self.env._("The audit report is final."),
                               partner_ids=audit.distribution_ids.partner_id.ids, subtype_xmlid="mail.mt_comment")
        return True

    def action_close(self):
        """Closes when the report is final and its nonconformities are closed, or handed to a follow-up audit."""
        self._qms_check_state("reported")
        for audit in self:
            if audit.report_state != "final":
                raise UserError(self.env._("The lead auditor must approve the report of %s first.", audit.name))
            still_open = audit.nonconformity_ids.filtered(lambda nc: nc.state not in ("closed", "cancelled"))
            if still_open and not audit.follow_up_audit_id:
                raise UserError(self.env._(
                    "%(audit)s still has open nonconformities (%(codes)s): close them or name the follow-up audit.",
                    audit=audit.name, codes=", ".join(still_open.mapped("name"))))
        self._qms_set_state("closed")
        return True

    def action_cancel(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Please give the reason for cancelling the audit."))
        self._qms_check_state("planned", "notified", "in_progress")
        self._qms_set_state("cancelled", cancel_reason=reason)
        return True

    def action_open_cancel_wizard(self):
        return self.env["qms.reason.wizard"]._qms_open(self, "action_cancel", self.env._("Cancel Audit"))

    def _qms_improvement_deadline(self):
        self.ensure_one()
        return self.date_end + relativedelta(days=30)
