from odoo import fields, models

RESULTS = [("conforming", "Conforming"), ("major", "Major nonconformity"), ("minor", "Minor nonconformity"),
           ("observation", "Observation"), ("ofi", "Opportunity for improvement"), ("na", "Not applicable")]
FINDING_RESULTS = ("major", "minor", "observation", "ofi")


class QmsAuditLine(models.Model):
    """One checklist question, answered during the audit with its result and the evidence seen."""

    _name = "qms.audit.line"
    _description = "Audit Checklist Line"
    _order = "audit_id, sequence, id"

    audit_id = fields.Many2one("qms.audit", required=True, index=True, ondelete="cascade")
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

    def _qms_create_findings(self):
        """A finding for each line that is not conforming and has none yet (never two)."""
        lines = self.filtered(lambda line: line.result in FINDING_RESULTS and not line.finding_id)
        findings = self.env["qms.audit.finding"].create([
            {
                "audit_id": line.audit_id.id, "line_id": line.id, "department_id": line.department_id.id,
                "classification": line.result,
                "criterion": " / ".join(filter(None, [line.clause_id.display_name, line.document_id.display_name])),
                "evidence": line.evidence or "", "statement": line.question,
            }
            for line in lines
        ])
        for line, finding in zip(lines, findings, strict=True):
            line.finding_id = finding
        return findings
