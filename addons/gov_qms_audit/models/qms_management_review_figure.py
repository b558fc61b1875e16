from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import in_transition
from odoo.exceptions import UserError

UNITS = [("count", "Count"), ("percent", "%"), ("days", "Days"), ("points", "Points"), ("value", "Value"),
         ("text", "Status")]


class QmsManagementReviewFigure(models.Model):
    """A figure of a management review input: its value for the period reviewed, the same figure for the
    previous review's period, and the trend. Written only by compiling the review, never by hand."""

    _name = "qms.management.review.figure"
    _description = "Management Review Figure"
    _inherit = ["qms.locked.line.mixin"]
    _order = "input_id, sequence, id"
    _qms_lock_parent = "input_id"

    input_id = fields.Many2one("qms.management.review.input", required=True, readonly=True, index=True,
                               ondelete="cascade")
    review_id = fields.Many2one(related="input_id.review_id", store=True, index=True)
    company_id = fields.Many2one(related="input_id.company_id", store=True, index=True)
    sequence = fields.Integer(readonly=True)
    group = fields.Char(readonly=True, help="The table the figure belongs to, e.g. \"By department\".")
    label = fields.Char(readonly=True, required=True)
    unit = fields.Selection(UNITS, readonly=True, required=True, default="count")
    value = fields.Float(string="This Period", readonly=True, digits=(16, 1))
    has_previous = fields.Boolean(readonly=True)
    previous_value = fields.Float(string="Previous Period", readonly=True, digits=(16, 1))
    detail = fields.Char(readonly=True)
    better = fields.Selection([("up", "Higher is better"), ("down", "Lower is better")], readonly=True)
    trend = fields.Selection([("up", "↑"), ("down", "↓"), ("flat", "=")], string="Direction", compute="_compute_trend",
                             store=True)
    trend_percent = fields.Float(string="Change (%)", compute="_compute_trend", store=True, digits=(16, 1))
    trend_display = fields.Char(string="Trend", compute="_compute_trend", store=True)
    assessment = fields.Selection([("good", "Better"), ("bad", "Worse"), ("neutral", "Same")],
                                  compute="_compute_trend", store=True)

    @api.depends("value", "previous_value", "has_previous", "unit", "better")
    def _compute_trend(self):
        for figure in self:
            if not figure.has_previous or figure.unit == "text":
                figure.update({"trend": False, "trend_percent": 0.0, "trend_display": "", "assessment": False})
                continue
            difference = round(figure.value - figure.previous_value, 6)
            trend = "up" if difference > 0 else "down" if difference < 0 else "flat"
            arrow = {"up": "↑", "down": "↓", "flat": "="}[trend]
            if figure.unit == "percent":
                # a rate moves in points, not in percent of itself
                percent = difference
                display = f"{arrow} {abs(difference):.1f} pt" if trend != "flat" else arrow
            elif figure.previous_value:
                percent = 100.0 * difference / abs(figure.previous_value)
                display = f"{arrow} {abs(percent):.0f}%" if trend != "flat" else arrow
            else:
                percent = 0.0
                display = f"{arrow} {self.env._('new')}" if trend != "flat" else arrow
            assessment = "neutral" if trend == "flat" or not figure.better else \
                "good" if trend == figure.better else "bad"
            figure.update({"trend": trend, "trend_percent": percent, "trend_display": display,
                           "assessment": assessment})

    def _compute_display_name(self):
        for figure in self:
            figure.display_name = f"{figure.group}: {figure.label}" if figure.group else figure.label

    def _qms_value_display(self, previous=False):
        """The value as the minutes print it."""
        self.ensure_one()
        if self.unit == "text":  # the status is this period's; a previous value, if any, is a number
            if previous:
                return f"{self.previous_value:.1f}" if self.has_previous else ""
            return self.detail or ""
        if previous and not self.has_previous:
            return ""
        value = self.previous_value if previous else self.value
        text = f"{value:.0f}" if self.unit in ("count", "days") and value == int(value) else f"{value:.1f}"
        return f"{text}%" if self.unit == "percent" else text

    @api.ondelete(at_uninstall=False)
    def _unlink_only_when_compiling(self):
        if not self.env.su and not in_transition(self):
            raise UserError(self.env._("The figures of a management review come from the records: compile the "
                                       "review again instead of removing one."))
