from odoo import fields, models


class QmsNonconformityWhy(models.Model):
    """One step of a 5 Whys analysis: why did this happen, and the answer."""

    _name = "qms.nonconformity.why"
    _description = "5 Whys Step"
    _inherit = ["qms.locked.line.mixin"]
    _qms_lock_parent = "nonconformity_id"
    _order = "nonconformity_id, sequence, id"

    nonconformity_id = fields.Many2one("qms.nonconformity", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="nonconformity_id.company_id", store=True, index=True, precompute=True)
    sequence = fields.Integer(default=10)
    question = fields.Char(string="Why?", required=True)
    answer = fields.Char(string="Because", required=True)
