from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date

KINDS = [
    ("holiday", "Holiday"),
    ("workday", "Make-up Working Day"),
]


class QmsCalendarDay(models.Model):
    """A day on which the company's working-time calendar is wrong: a statutory holiday (法定节假日), on
    which nobody works although it is a weekday, or a make-up working day (调休上班), a Saturday or Sunday
    on which everybody works. Every working-day time limit of the suite counts them (WorkingDays in
    qms_deadline_mixin).

    China's holidays and make-up days are fixed each year by the State Council's notice (国务院办公厅关于
    部分节假日安排的通知), usually published in the autumn before: the QMS office enters them here.
    """

    _name = "qms.calendar.day"
    _description = "Holiday or Make-up Working Day"
    _order = "date, id"

    date = fields.Date(required=True, index=True)
    weekday = fields.Char(string="Day of the Week", compute="_compute_weekday")
    kind = fields.Selection(
        KINDS, required=True, default="holiday",
        help="Holiday: nobody works although the working-time calendar says it is a working day. Make-up "
             "working day (调休): everybody works although it is a Saturday or a Sunday.")
    name = fields.Char(
        string="Occasion", required=True,
        help="The festival the day belongs to, as the State Council's notice names it, e.g. 春节 (Spring Festival).")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company,
        help="The days apply to this organisation's working-time calendar.")

    _company_date_uniq = models.Constraint(
        "UNIQUE(company_id, date)",
        "This day is already in the calendar of holidays and make-up working days: correct that entry instead.",
    )

    @api.depends("date")
    @api.depends_context("lang")
    def _compute_weekday(self):
        for day in self:
            day.weekday = format_date(self.env, day.date, date_format="EEEE") if day.date else False

    @api.constrains("date", "kind")
    def _check_make_up_day_on_weekend(self):
        for day in self:
            if day.kind == "workday" and day.date.weekday() < 5:
                raise ValidationError(self.env._(
                    "%(date)s is a %(weekday)s: a make-up working day (调休) is a Saturday or a Sunday on which "
                    "people work. Check the date against the State Council's notice.",
                    date=day.date, weekday=day.weekday))
