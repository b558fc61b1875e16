from odoo import fields, models


class QmsAuditorEvaluation(models.Model):
    """How an auditor performed on one audit (ISO 19011 7.6)."""

    _name = "qms.auditor.evaluation"
    _description = "Auditor Evaluation"
    _order = "date desc, id desc"

    auditor_id = fields.Many2one("qms.auditor", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="auditor_id.company_id", store=True, index=True, precompute=True)
    audit_id = fields.Many2one("qms.audit", index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    evaluator_id = fields.Many2one("res.users", required=True, default=lambda self: self.env.user)
    score = fields.Integer(required=True, help="1 (poor) to 5 (excellent).")
    comments = fields.Text()

    _score_range = models.Constraint("CHECK(score BETWEEN 1 AND 5)", "A score goes from 1 to 5.")
