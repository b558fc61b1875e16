from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    qms_effectiveness_days_major = fields.Integer(
        string="Effectiveness Check After, Major (days)", default=30,
        help="Days after the last action is done when a major nonconformity's actions are checked.")
    qms_effectiveness_days_minor = fields.Integer(
        string="Effectiveness Check After, Minor (days)", default=15)
    qms_points_responsible = fields.Float(string="Points: Responsible Person", default=1.0,
                                          help="Deducted from the person responsible for each item gone overdue.")
    qms_points_section_head = fields.Float(string="Points: Section Head", default=0.5)
    qms_points_leader = fields.Float(string="Points: Supervising Leader", default=0.25)
    qms_scores_computed_on = fields.Date(
        string="Scorecards Computed On", readonly=True, copy=False,
        help="The day the daily job last computed last month's draft scorecards of this company.")
