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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_raised_by_a_finding(self):
        # the finding keeps its link: deleting the action would let the finding be raised again
        finding = self.env["qms.audit.finding"].sudo().search([("action_id", "in", self.ids)], limit=1)
        if finding:
            raise UserError(self.env._(
                "%(action)s was raised by the audit finding %(finding)s: cancel it with a reason instead.",
                action=finding.action_id.name, finding=finding.display_name))
