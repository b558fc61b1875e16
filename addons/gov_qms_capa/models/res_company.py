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
    qms_complaint_rate_limit = fields.Integer(
        string="Web Complaints per Hour", default=5,
        help="The most requests the public complaint form accepts in an hour from one address (IP) or one e-mail; "
             "0: no limit.")
    qms_complaint_receiver_id = fields.Many2one(
        "res.users", string="Complaint Centre User", domain=[("share", "=", False)],
        help="Receives the requests filed on the public form and owns them until they are assigned "
             "(first-contact responsibility). Empty: OdooBot, and the QMS office assigns them.")
