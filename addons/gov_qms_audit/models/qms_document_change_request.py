from odoo import fields, models


class QmsDocumentChangeRequest(models.Model):
    _inherit = "qms.document.change.request"

    _qms_origin_fields = frozenset({"review_decision_id"})

    review_decision_id = fields.Many2one("qms.management.review.decision", string="Management Review Decision",
                                         readonly=True, copy=False, index=True)
