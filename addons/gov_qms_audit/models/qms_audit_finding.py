from odoo import api, fields, models

CLASSIFICATIONS = [("major", "Major nonconformity"), ("minor", "Minor nonconformity"),
                   ("observation", "Observation"), ("ofi", "Opportunity for improvement")]


class QmsAuditFinding(models.Model):
    """A finding stated the ISO 19011 way: criterion, evidence, statement.

    Major and minor findings raise a nonconformity in the CAPA loop, an opportunity for
    improvement an improvement action; both linked back, and never raised twice.
    """

    _name = "qms.audit.finding"
    _description = "Audit Finding"
    _inherit = ["qms.locked.line.mixin"]
    _order = "audit_id, id"
    _qms_lock_parent = "audit_id"

    audit_id = fields.Many2one("qms.audit", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="audit_id.company_id", store=True, index=True, precompute=True)
    line_id = fields.Many2one("qms.audit.line", string="Checklist Line", readonly=True)
    department_id = fields.Many2one("hr.department", required=True, index=True)
    classification = fields.Selection(CLASSIFICATIONS, required=True)
    criterion = fields.Text(required=True, help="The requirement: clause, procedure or law.")
    evidence = fields.Text(required=True, help="What was seen, heard or read, verifiable.")
    statement = fields.Text(required=True, help="How the evidence does not meet the criterion.")
    nonconformity_id = fields.Many2one("qms.nonconformity", readonly=True, copy=False, index=True)
    action_id = fields.Many2one("qms.action", string="Improvement Action", readonly=True, copy=False)

    @api.constrains("department_id", "audit_id")
    def _check_department_audited(self):
        self.env["qms.audit"]._qms_check_in_scope(self)

    def _qms_parent_frozen(self, parent):
        """Findings are part of the report: frozen once the lead auditor made it final."""
        return parent.report_state == "final" or parent.state in ("closed", "cancelled")

    def _qms_raise(self):
        """Into the CAPA loop, once: a nonconformity for major/minor, an improvement action for an OFI."""
        to_nc = self.filtered(lambda f: f.classification in ("major", "minor") and not f.nonconformity_id)
        today = fields.Date.context_today(self)
        # Raising into the CAPA loop is the consequence of the auditor's finding, not a right of their own.
        ncs = self.env["qms.nonconformity"].sudo().create([
            {
                "title": ((finding.statement or "").strip().splitlines() or [""])[0][:120] or finding.audit_id.name,
                "description": self.env._(
                    "<p><b>Criterion:</b> %(criterion)s</p><p><b>Evidence:</b> %(evidence)s</p>"
                    "<p><b>Statement:</b> %(statement)s</p>",
                    criterion=finding.criterion, evidence=finding.evidence, statement=finding.statement),
                "source": "external_audit" if finding.audit_id.audit_type == "external" else "internal_audit",
                "origin_model": finding._name, "origin_id": finding.id,
                "department_id": finding.department_id.id, "severity": finding.classification,
                "clause_ids": finding.line_id.clause_id.ids, "document_ids": finding.line_id.document_id.ids,
                "reported_by_id": finding.audit_id.lead_auditor_id.user_id.id,
                "date_detected": today,  # the day the finding is raised: an audit run early still ages from then
            }
            for finding in to_nc
        ])
        ncs = ncs.with_env(self.env)
        for finding, nc in zip(to_nc, ncs, strict=True):
            finding._qms_write_workflow({"nonconformity_id": nc.id})
        to_action = self.filtered(lambda f: f.classification == "ofi" and not f.action_id)
        actions = self.env["qms.action"].sudo().create([
            {
                "name": ((finding.statement or "").strip().splitlines() or [""])[0][:120] or finding.audit_id.name,
                "description": finding.evidence, "action_type": "improvement",
                "department_id": finding.department_id.id,
                "owner_id": finding.department_id._qms_head_user().id or finding.audit_id.lead_auditor_id.user_id.id,
                "date_deadline": finding.audit_id._qms_improvement_deadline(),
            }
            for finding in to_action
        ])
        actions = actions.with_env(self.env)
        for finding, action in zip(to_action, actions, strict=True):
            finding._qms_write_workflow({"action_id": action.id})
        return ncs, actions
