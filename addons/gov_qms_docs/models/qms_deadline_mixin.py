from collections import namedtuple
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from .qms_job import batches, commit_batch, lock_rows
from .qms_locked_mixin import TRANSITION
from .qms_notification_mixin import NoteCollector

EscalationStep = namedtuple("EscalationStep", "offset working_days method")
EscalationStep.__doc__ = """One rung of an escalation ladder.

offset: days relative to the deadline (negative = before it) at which the step is due.
working_days: count the offset in the company's working days rather than calendar days.
method: name of the recordset method that carries the step out (notify, flag, ...).
"""


class WorkingDays:
    """Working-day arithmetic on a company's resource calendar, public holidays included.

    A day is a working day when the calendar has working time on it, no public holiday (leave of the
    calendar) covers it and the company's calendar of holidays (qms.calendar.day) does not make it a
    holiday; or when that calendar makes it a make-up working day (调休), a weekend day on which people
    work although the resource calendar has no working time that day.

    The working days are loaded once per window of dates, the calendar's intervals and the company's
    holidays and make-up days together, so a batch of records costs a few queries whatever its size.
    What is loaded stays for the life of the object: build one per job run or per batch (as
    ``_cron_escalate`` does), not one kept across transactions.
    """

    WINDOW = 60  # days read around a day asked for, each side; further days are read when asked for

    def __init__(self, calendar, company=None):
        self.calendar = calendar
        self.company = company if company is not None else (calendar.company_id if calendar else None)
        self.tz = pytz.timezone(calendar.tz or "UTC") if calendar else pytz.utc
        self.days = set()
        self.loaded_from = self.loaded_to = None
        self.sums = {}  # (day, count) -> result of add: many records share a deadline

    def load(self, start, stop):
        """Read the working days from `start` to `stop`, in one go: only the days not read yet (the loaded days
        stay one span, from `loaded_from` to `loaded_to`)."""
        if not self.calendar:
            return
        if self.loaded_from is None:
            self._read(start, stop)
            self.loaded_from, self.loaded_to = start, stop
            return
        if start < self.loaded_from:
            self._read(start, self.loaded_from - timedelta(days=1))
            self.loaded_from = start
        if stop > self.loaded_to:
            self._read(self.loaded_to + timedelta(days=1), stop)
            self.loaded_to = stop

    def _read(self, start, stop):
        """Add the working days from `start` to `stop` (days not read yet): the calendar's intervals and the
        company's holidays and make-up days, two queries."""
        begin = self.tz.localize(datetime.combine(start, time.min))
        end = self.tz.localize(datetime.combine(stop + timedelta(days=1), time.min))
        intervals = self.calendar._work_intervals_batch(begin, end)[False]
        days = {interval_start.astimezone(self.tz).date() for interval_start, _stop, _meta in intervals}
        if self.company:
            # a deadline is the same whoever computes it: the days are read as the system, for this company
            special = self.calendar.env["qms.calendar.day"].sudo().search_fetch(
                [("company_id", "=", self.company.id), ("date", ">=", start), ("date", "<=", stop)],
                ["date", "kind"])
            days -= {day.date for day in special if day.kind == "holiday"}
            days |= {day.date for day in special if day.kind == "workday"}
        self.days |= {day for day in days if start <= day <= stop}

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
        key = (day, count)
        if key not in self.sums:
            self.sums[key] = self._add(day, count)
        return self.sums[key]

    def _add(self, day, count):
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
    the same record, and each batch is committed with the steps it recorded, so that a
    run that dies resumes where it stopped (see qms_job).
    """

    _name = "qms.deadline.mixin"
    _inherit = ["qms.notification.mixin"]
    _description = "QMS Time Limit and Escalation"

    # On workflow records (qms.locked.mixin) the deadline and the steps done move only through the
    # workflow: a due date is chosen at creation, then changed by an extension or a logged reset.
    _qms_workflow_fields = frozenset({"date_deadline", "escalation_level"})
    _qms_create_fields = frozenset({"date_deadline"})
    _qms_deadline_resettable = False  # time-limited items whose deadline the QMS office may move, with a reason
    _qms_job_batch_size = 200  # records per committed batch of the daily job (_cron_escalate)

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
        """The working days of `company`: its working-time calendar with its holidays and make-up days."""
        return WorkingDays(company.resource_calendar_id, company)

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
            # a new deadline, a new ladder; the same deadline written again keeps the steps done
            new_deadline = fields.Date.to_date(vals["date_deadline"])
            same = self.filtered(lambda record: record.date_deadline == new_deadline)
            if same:
                super(QmsDeadlineMixin, same).write(vals)
                moved = self - same
                return super(QmsDeadlineMixin, moved).write(dict(vals, escalation_level=0)) if moved else True
            vals = dict(vals, escalation_level=0)
        return super().write(vals)

    @api.model
    def _qms_to_date(self, value, label=None):
        """A date from a client's value (a date or an ISO string), or a clear error."""
        try:
            day = fields.Date.to_date(value)
        except (TypeError, ValueError):
            day = None
        if not day:
            raise UserError(self.env._("%(label)s: %(value)s is not a valid date (expected YYYY-MM-DD).",
                                       label=label or self.env._("Date"), value=value))
        return day

    def _qms_reset_deadline(self, new_date, reason):
        """The QMS office moves the deadline of running items outside the extension workflow; who, when, from
        what to what and why go to the chatter. A new deadline restarts the escalation ladder."""
        if not self._qms_deadline_resettable:
            raise UserError(self.env._("The deadline of %s follows from its other dates: change those instead.",
                                       self._description))
        if not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            raise UserError(self.env._(
                "Only the QMS office can reset a deadline. Owners ask for more time with an extension request."))
        if not (reason or "").strip():
            raise UserError(self.env._("Please give the reason for moving the deadline: it is kept in the history."))
        new_date = self._qms_to_date(new_date, self._fields["date_deadline"]._description_string(self.env))
        finished = self - self.filtered_domain(self._escalation_open_domain())
        if finished:
            raise UserError(self.env._("%s is finished: its deadline is part of the record and no longer moves.",
                                       finished[0].display_name))
        previous = {record: record.date_deadline for record in self}
        self.with_context(qms_transition=TRANSITION).write({"date_deadline": new_date})
        self._qms_log_each(lambda record: record.env._(
            "Deadline reset by %(user)s from %(old)s to %(new)s. Reason: %(reason)s",
            user=self.env.user.name, old=previous[record] or "-", new=new_date, reason=reason))
        return True

    def action_open_deadline_wizard(self):
        return {
            "type": "ir.actions.act_window", "res_model": "qms.deadline.wizard", "view_mode": "form",
            "target": "new", "name": self.env._("Reset the Deadline"),
            "context": {"default_res_model": self._name, "default_res_ids": self.ids},
        }

    def _qms_lock_rows(self):
        """Lock these rows for this transaction; return those no other worker holds, read afresh."""
        return lock_rows(self)

    @api.model
    def _cron_escalate(self, today=None):
        """Carry out every escalation step due by `today` (default: today), once each.

        The records with a step due are handled in batches of `_qms_job_batch_size`: a batch locks its
        rows (skipping those another transaction holds), carries out their due steps and writes
        ``escalation_level`` in the same transaction as the messages and to-dos. As a scheduled job each
        batch is then committed with the job's progress (see qms_job), so a run that dies in a batch
        leaves the earlier batches done and the next run does the rest, each step still once.
        """
        today = today or fields.Date.context_today(self)
        domain = self._qms_escalation_domain()
        calendars = {}
        due = self.search(domain + self._qms_escalation_horizon(today, calendars),
                          order="id")._qms_escalation_due(today, calendars)
        left = len(due)
        for batch in batches(due, self._qms_job_batch_size):
            batch._qms_lock_rows().filtered_domain(domain)._qms_escalate(today, calendars)
            left -= len(batch)
            if not commit_batch(self.env, len(batch), left):
                break  # time is up: Odoo runs the job again for the rest
        return True

    @api.model
    def _qms_escalation_domain(self):
        """The records that may still have an escalation step to carry out."""
        return [*self._escalation_open_domain(), ("date_deadline", "!=", False),
                ("escalation_level", "<", self._escalation_max_level())]

    @api.model
    def _qms_escalation_horizon(self, today, calendars):
        """A domain that leaves out the records with no step due by `today` for sure: those whose deadline is beyond
        the first step's reach (the steps of a ladder come in order, so no step falls due before the first one's day;
        with an offset of -3 working days, no step is due yet for a deadline after the 3rd working day from today).
        The daily job then reads the items near or past their deadline, not every running item."""
        horizons = []
        for company in self.env["res.company"].sudo().search([("active", "=", True)]):
            steps = self._escalation_steps(company)
            if not steps:
                continue
            first = steps[0]
            if first.working_days:
                horizons.append(self._qms_escalation_calendar(company, calendars).add(today, -first.offset))
            horizons.append(today - timedelta(days=first.offset))  # calendar days: also records without a company
        return [("date_deadline", "<=", max(horizons))] if horizons else []

    def _qms_escalation_calendar(self, company, calendars):
        """The working days of `company`, loaded once per run (`calendars` caches them)."""
        if company not in calendars:
            calendars[company] = self._qms_working_days(company)
        return calendars[company]

    def _qms_escalation_due(self, today, calendars):
        """Those of these records whose next escalation step has fallen due by `today`."""
        due_ids = set()
        for company, records in self.grouped(lambda record: record._escalation_company()).items():
            calendar = self._qms_escalation_calendar(company, calendars)
            steps = self._escalation_steps(company)
            due_ids.update(record.id for record in records
                           if record._qms_level_due(steps, calendar, today) > record.escalation_level)
        return self.filtered(lambda record: record.id in due_ids)

    def _qms_level_due(self, steps, calendar, today):
        """The last step of `steps` due by `today` for this record (0: none), counting from the steps done."""
        level = self.escalation_level
        while level < len(steps) and self._qms_step_date(steps[level], calendar) <= today:
            level += 1
        return level

    def _qms_escalate(self, today, calendars):
        """Bring these (locked) records to the state due by `today`, each step once, in one pass.

        A step is carried out on every record that reaches it, in the ladder's order (the reminder before the
        overdue notice), as one batch: its to-dos in one create, its writes once per group of records. A record
        that missed several days (a catch-up) goes straight to its final state: ``escalation_level`` is written
        once, and the notes of the steps it took make one note in its chatter, posted with the notes of the
        whole batch in one insert (a NoteCollector in the context: see qms.notification.mixin).
        """
        notes = NoteCollector()
        for company, records in self.with_context(qms_notes=notes).grouped(
                lambda record: record._escalation_company()).items():
            calendar = self._qms_escalation_calendar(company, calendars)
            steps = self._escalation_steps(company)
            reached = {record.id: record._qms_level_due(steps, calendar, today) for record in records}
            for level, step in enumerate(steps, start=1):
                due = records.filtered(lambda record, lvl=level, reached=reached:
                                       record.escalation_level < lvl <= reached[record.id])
                if due:
                    getattr(due, step.method)()
            # the job's bookkeeping, the final step of each record: its note is the chatter's record, not a tracking
            for level, group in records.grouped(lambda record, reached=reached: reached[record.id]).items():
                moved = group.filtered(lambda record, lvl=level: record.escalation_level < lvl)
                if moved:
                    moved.with_context(qms_transition=TRANSITION, mail_notrack=True).write({"escalation_level": level})
        notes.post(self.env)

    def _qms_step_date(self, step, calendar):
        """The day on which `step` falls due for this record."""
        if step.working_days:
            return calendar.add(self.date_deadline, step.offset)
        return self.date_deadline + timedelta(days=step.offset)

    @api.model
    def _escalation_max_level(self):
        return max((len(self._escalation_steps(company)) for company in self.env["res.company"].sudo().search([])),
                   default=0)
