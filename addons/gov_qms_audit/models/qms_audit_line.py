from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.exceptions import UserError

RESULTS = [("conforming", "Conforming"), ("major", "Major nonconformity"), ("minor", "Minor nonconformity"),
           ("observation", "Observation"), ("ofi", "Opportunity for improvement"), ("na", "Not applicable")]
FINDING_RESULTS = ("major", "minor", "observation", "ofi")
LOCKED_AUDIT_STATES = ("reported", "closed", "cancelled")


class QmsAuditLine(models.Model):
    """One checklist question, answered during the audit with its result and the evidence seen."""

    _name = "qms.audit.line"
    _description = "Audit Checklist Line"
    _inherit = ["qms.locked.line.mixin", "qms.gate.mixin"]
    _order = "audit_id, sequence, id"
    _qms_lock_parent = "audit_id"
    _qms_gate_depends = ("result", "finding_id", "audit_id.state")

    audit_id = fields.Many2one("qms.audit", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="audit_id.company_id", store=True, index=True, precompute=True)
    sequence = fields.Integer(default=10)
    department_id = fields.Many2one("hr.department", string="Auditee Department", required=True, index=True)
    clause_id = fields.Many2one("qms.iso.clause", index=True)
    document_id = fields.Many2one("qms.document", string="Procedure")
    question = fields.Text(required=True)
    result = fields.Selection(RESULTS)
    evidence = fields.Text(string="Evidence Seen")
    attachment_ids = fields.Many2many("ir.attachment", "qms_audit_line_attachment_rel", "line_id", "attachment_id",
                                      string="Evidence Files")
    finding_id = fields.Many2one("qms.audit.finding", readonly=True, copy=False)
    answered = fields.Integer(compute="_compute_answered", store=True, aggregator="sum",
                              help="1 once the question has a result: the checklist's footer adds them up.")
    is_locked = fields.Boolean(compute="_compute_is_locked",
                               help="The audit is reported, closed or cancelled: its checklist is evidence.")
    can_open_finding = fields.Boolean(compute="_compute_qms_can")  # honest button (qms.gate.mixin)

    @api.depends("audit_id.state")
    def _compute_is_locked(self):
        for line in self:
            line.is_locked = line.audit_id.state in LOCKED_AUDIT_STATES

    @api.depends("result")
    def _compute_answered(self):
        for line in self:
            line.answered = 1 if line.result else 0

    @api.constrains("department_id", "audit_id")
    def _check_department_audited(self):
        self.env["qms.audit"]._qms_check_in_scope(self)

    def _qms_parent_frozen(self, parent):
        """The checklist is evidence from the moment the audit is reported."""
        return parent.state in LOCKED_AUDIT_STATES

    def _qms_create_findings(self):
        """A draft finding for each line that is not conforming and has none yet (never two), prefilled from the
        line: the auditor confirms its statement before it is raised."""
        lines = self.filtered(lambda line: line.result in FINDING_RESULTS and not line.finding_id)
        Finding = self.env["qms.audit.finding"]
        findings = Finding.with_context(qms_transition=TRANSITION).create([Finding._qms_prefill(line)
                                                                           for line in lines])
        for line, finding in zip(lines, findings, strict=True):
            line._qms_write_workflow({"finding_id": finding.id})
        return findings.with_env(self.env)

    def _check_open_finding(self):
        """A question that is not conforming; its finding is written (when it has none yet) by the audit team or
        the QMS office while the audit is under way, and opened by whoever reads the checklist."""
        for line in self:
            if line.result not in FINDING_RESULTS:
                raise UserError(self.env._("A finding is written for a question that is not conforming: give the "
                                           "result first."))
            if not line.finding_id:
                line.audit_id._check_raise_findings()

    def action_open_finding(self):
        """From the checklist: the finding of this line, written now from the answer if it has none yet, opened in
        the statement dialog for the auditor to rewrite and confirm."""
        self.ensure_one()
        self._check_open_finding()
        if not self.finding_id:
            self._qms_create_findings()
        return self.finding_id.action_open_statement()
