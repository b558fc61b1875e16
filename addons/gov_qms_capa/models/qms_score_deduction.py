from odoo import fields, models


class QmsScoreDeduction(models.Model):
    """Points lost by one person for one item that went overdue (the accountability cascade)."""

    _name = "qms.score.deduction"
    _description = "Scorecard Deduction"
    _inherit = ["qms.locked.line.mixin"]
    _qms_lock_parent = "score_id"
    _order = "score_id, date_overdue, id"

    score_id = fields.Many2one("qms.department.score", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="score_id.company_id", store=True, index=True, precompute=True)
    user_id = fields.Many2one("res.users", string="Person", required=True, index=True)
    role = fields.Selection([("responsible", "Responsible person"), ("section_head", "Section head"),
                             ("leader", "Supervising leader")], required=True)
    points = fields.Float(required=True)
    res_model = fields.Char(string="Item Model", required=True)
    res_id = fields.Many2oneReference(string="Item", model_field="res_model", required=True)
    item_name = fields.Char(string="Overdue Item", required=True)
    date_overdue = fields.Date(string="Went Overdue On")

    def _qms_parent_frozen(self, parent):
        """The deductions are the scorecard's figures: frozen from the review on."""
        return parent.state != "draft"
