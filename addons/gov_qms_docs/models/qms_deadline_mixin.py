from collections import namedtuple
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

EscalationStep = namedtuple("EscalationStep", "offset working_days method")
EscalationStep.__doc__ = """One rung of an escalation ladder.

offset: days relative to the deadline (negative = before it) at which the step is due.
working_days: count the offset in the company's working days rather than calendar days.
method: name of the recordset method that carries the step out (notify, flag, ...).
"""


class WorkingDays:
    """Working-day arithmetic on a company's resource calendar, public holidays included.

    The calendar's working days are loaded once per window of dates, so a batch of
    records costs a few queries whatever its size.
    """

    WINDOW = 120

    def __init__(self, calendar):
        self.calendar = calendar
        self.tz = pytz.timezone(calendar.tz or "UTC") if calendar else pytz.utc
        self.days = set()
        self.loaded_from = self.loaded_to = None

    def load(self, start, stop):
        """Read the working days from `start` to `stop` (extending what is loaded) in one go."""
        if not self.calendar:
            return
        if self.loaded_from is not None:
            start, stop = min(start, self.loaded_from), max(stop, self.loaded_to)
            if start == self.loaded_from and stop == self.loaded_to:
                return
        begin = self.tz.localize(datetime.combine(start, time.min))
        end = self.tz.localize(datetime.combine(stop + timedelta(days=1), time.min))
        intervals = self.calendar._work_intervals_batch(begin, end)[False]
        self.days = {interval_start.astimezone(self.tz).date() for interval_start, _stop, _meta in intervals}
        self.loaded_from, self.loaded_to = start, stop

    def is_working(self, day):
        if not self.calendar:
            return True
        if self.loaded_from is None or not (self.loaded_from <= day <= self.loaded_to):
            self.load(day - timedelta(days=self.WINDOW), day + timedelta(days=self.WINDOW))
        return day in self.days

    def add(self, day, count):
        """The count-th working day after `day` (before it when count < 0); `day` when 0."""
        if not self.calendar:
            return day + timedelta(days=count)
        step = timedelta(days=1 if count > 0 else -1)
        remaining = abs(count)
        for _guard in range(abs(count) * 7 + 3660):
            if not remaining:
                return day
            day += step
            if self.is_working(day):
                remaining -= 1
        return day


class QmsDeadlineMixin(models.AbstractModel):
    """A time limit with an escalation ladder: reminders, overdue notices, supervision.

    A concrete model defines its ladder with `_escalation_steps` and which records are
    still running with `_escalation_open_domain`. The daily job `_cron_escalate` then
    carries out every step that has fallen due, in order, each exactly once per deadline
    (``escalation_level`` records the last step done), including steps missed while the
    job did not run. Rows are locked with SKIP LOCKED so that two workers never handle
    the same record.
    """

    _name = "qms.deadline.mixin"
    _inherit = ["qms.notification.mixin"]
    _description = "QMS Time Limit and Escalation"

    date_deadline = fields.Date(string="Deadline", index=True, tracking=True, copy=False)
    escalation_level = fields.Integer(
        string="Escalation Step", default=0, copy=False, readonly=True, index=True,
        help="Last escalation step carried out for the current deadline.",
    )
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue",
        help="The deadline has passed and the item is still open.",
    )

    def _escalation_steps(self, company):
        """Ordered list of EscalationStep for records of `company` (offsets increasing)."""
        return []

    def _escalation_open_domain(self):
        """Domain of the records that are still running (and so can be escalated)."""
        return []

    def _escalation_company(self):
        return self.company_id if "company_id" in self._fields else self.env.company

    @api.model
    def _qms_working_days(self, company):
        return WorkingDays(company.resource_calendar_id)

    @api.model
    def _qms_add_working_days(self, day, count, company=None):
        return self._qms_working_days(company or self.env.company).add(day, count)

    @api.depends("date_deadline")
    @api.depends_context("date")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        open_records = self.filtered_domain(self._escalation_open_domain())
        for record in self:
            record.is_overdue = bool(record in open_records and record.date_deadline
                                     and record.date_deadline < today)

    def _search_is_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        overdue = Domain("date_deadline", "<", fields.Date.context_today(self)) & Domain(
            self._escalation_open_domain())
        return overdue if True in value else ~overdue

    def write(self, vals):
        if "date_deadline" in vals and "escalation_level" not in vals:
            vals = dict(vals, escalation_level=0)
        return super().write(vals)

    def _qms_lock_rows(self):
        """Lock these rows for this transaction; return those no other worker holds."""
        if not self:
            return self
        self.flush_recordset(["escalation_level"])
        self.env.cr.execute(SQL("SELECT id FROM %s WHERE id IN %s FOR UPDATE SKIP LOCKED",
                                SQL.identifier(self._table), tuple(self.ids)))
        locked = self.browse(row[0] for row in self.env.cr.fetchall())
        locked.invalidate_recordset(["escalation_level"])
        return locked

    @api.model
    def _cron_escalate(self, today=None):
        """Carry out every escalation step due by `today` (default: today), once each."""
        today = today or fields.Date.context_today(self)
        base_domain = [*self._escalation_open_domain(), ("date_deadline", "!=", False)]
        candidates = self.search([*base_domain, ("escalation_level", "<", self._escalation_max_level())])
        for company, records in candidates.grouped(lambda r: r._escalation_company()).items():
            calendar = self._qms_working_days(company)
            for level, step in enumerate(self._escalation_steps(company), start=1):
                due = records.filtered(lambda r, lvl=level, st=step, cal=calendar: r.escalation_level < lvl
                                       and r._qms_step_date(st, cal) <= today)
                due = due._qms_lock_rows().filtered(lambda r, lvl=level: r.escalation_level < lvl)
                if due:
                    getattr(due, step.method)()
                    due.write({"escalation_level": level})
        return True

    def _qms_step_date(self, step, calendar):
        """The day on which `step` falls due for this record."""
        if step.working_days:
            return calendar.add(self.date_deadline, step.offset)
        return self.date_deadline + timedelta(days=step.offset)

    @api.model
    def _escalation_max_level(self):
        return max((len(self._escalation_steps(company)) for company in self.env["res.company"].sudo().search([])),
                   default=0)
