from odoo import fields, models


class QmsAction(models.Model):
    _inherit = "qms.action"

    review_decision_id = fields.Many2one("qms.management.review.decision", string="Management Review Decision",
                                         readonly=True, copy=False, index=True)
