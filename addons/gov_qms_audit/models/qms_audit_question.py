from odoo import fields, models


class QmsAuditQuestion(models.Model):
    """The question bank: what to ask under each clause when a checklist is generated."""

    _name = "qms.audit.question"
    _description = "Audit Question"
    _order = "clause_id, sequence, id"

    clause_id = fields.Many2one("qms.iso.clause", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    name = fields.Text(string="Question", required=True, translate=True)
    active = fields.Boolean(default=True)
