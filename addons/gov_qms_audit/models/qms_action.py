from odoo import api, fields, models
from odoo.exceptions import UserError


class QmsAction(models.Model):
    _inherit = "qms.action"

    review_decision_id = fields.Many2one("qms.management.review.decision", string="Management Review Decision",
                                         readonly=True, copy=False, index=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided_by_a_review(self):
        decided = self.filtered("review_decision_id")
        if decided:
            raise UserError(self.env._(
                "%(action)s was decided by management review %(review)s: cancel it with a reason instead.",
                action=decided[0].name, review=decided[0].review_decision_id.review_id.display_name))
