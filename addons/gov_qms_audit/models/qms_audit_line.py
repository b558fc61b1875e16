from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION

RESULTS = [("conforming", "Conforming"), ("major", "Major nonconformity"), ("minor", "Minor nonconformity"),
           ("observation", "Observation"), ("ofi", "Opportunity for improvement"), ("na", "Not applicable")]
FINDING_RESULTS = ("major", "minor", "observation", "ofi")
LOCKED_AUDIT_STATES = ("reported", "closed", "cancelled")


class QmsAuditLine(models.Model):
    """One checklist question, answered during the audit with its result and the evidence seen."""

    _name = "qms.audit.line"
    _description = "Audit Checklist Line"
    _inherit = ["qms.locked.line.mixin"]
    _order = "audit_id, sequence, id"
    _qms_lock_parent = "audit_id"

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
    is_locked = fields.Boolean(compute="_compute_is_locked",
                               help="The audit is reported, closed or cancelled: its checklist is evidence.")

    @api.depends("audit_id.state")
    def _compute_is_locked(self):
        for line in self:
            line.is_locked = line.audit_id.state in LOCKED_AUDIT_STATES

    @api.constrains("department_id", "audit_id")
    def _check_department_audited(self):
        self.env["qms.audit"]._qms_check_in_scope(self)

    def _qms_parent_frozen(self, parent):
        """The checklist is evidence from the moment the audit is reported."""
        return parent.state in LOCKED_AUDIT_STATES

    def _qms_create_findings(self):
        """A finding for each line that is not conforming and has none yet (never two)."""
        lines = self.filtered(lambda line: line.result in FINDING_RESULTS and not line.finding_id)
        findings = self.env["qms.audit.finding"].with_context(qms_transition=TRANSITION).create([
            {
                "audit_id": line.audit_id.id, "line_id": line.id, "department_id": line.department_id.id,
                "classification": line.result,
                "criterion": " / ".join(filter(None, [line.clause_id.display_name, line.document_id.display_name])),
                "evidence": line.evidence or "", "statement": line.question,
            }
            for line in lines
        ])
        for line, finding in zip(lines, findings, strict=True):
            line._qms_write_workflow({"finding_id": finding.id})
        return findings.with_env(self.env)
