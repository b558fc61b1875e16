from odoo import api, fields, models

from .qms_deadline_mixin import EscalationStep
from .qms_locked_mixin import TRANSITION


class QmsSupervisionMixin(models.AbstractModel):
    """The agencies' ladder for time-limited items (限时办结, 逾期, 挂牌督办).

    A few working days before the deadline the owner is reminded (a to-do); on the deadline the item is
    overdue and the head of its department is told; some working days later it becomes a
    supervised item, flagged for the QMS manager's board, and the head of the parent
    department is told. The heads are told in their daily digest (qms.digest), which lists the overdue
    and supervised items of their departments, not by a to-do or an e-mail per item. Concrete models say
    who owns an item (`_qms_ladder_owner`).
    """

    _name = "qms.supervision.mixin"
    _inherit = ["qms.deadline.mixin", "qms.department.mixin"]
    _description = "QMS Supervised Time Limit"

    _qms_workflow_fields = frozenset({"is_supervised", "date_supervised", "date_overdue"})
    _qms_deadline_resettable = True

    is_supervised = fields.Boolean(string="Supervised Item", readonly=True, copy=False, index=True, tracking=True,
                                   help="Overdue beyond the grace period: publicly supervised by the level above.")
    date_overdue = fields.Date(string="Went Overdue On", readonly=True, copy=False, index=True)
    date_supervised = fields.Date(string="Supervised Since", readonly=True, copy=False)

    def _qms_ladder_owner(self):
        """The user who must act on this item."""
        raise NotImplementedError

    def _escalation_steps(self, company):
        return [
            EscalationStep(-company.qms_reminder_days, True, "_qms_ladder_remind"),
            EscalationStep(0, True, "_qms_ladder_overdue"),
            EscalationStep(company.qms_supervise_after_days, True, "_qms_ladder_supervise"),
        ]

    @api.model
    def _qms_quiet(self):
        """Activities appear in the assignee's inbox; no e-mail is composed per item."""
        return self.with_context(mail_activity_quick_update=True, mail_notrack=True)

    def _qms_ladder_remind(self):
        self._qms_quiet()._qms_schedule_activities(
            {record: record._qms_ladder_owner() for record in self}, lambda env: env._("Deadline approaching"),
            date_deadline=lambda record: record.date_deadline)
        self._qms_log_each(lambda record: record.env._("Reminder: due on %s.", record.date_deadline))

    def _qms_ladder_overdue(self):
        # one write per deadline (the ORM sends them as one UPDATE); the head of the department is told in their
        # daily digest (the overdue items of the departments they head), not by a to-do per item
        for deadline, records in self.grouped("date_deadline").items():
            records.with_context(qms_transition=TRANSITION, mail_notrack=True).write({"date_overdue": deadline})
        self._qms_log_each(lambda record: record.env._(
            "Overdue since %(date)s: the head of %(department)s has been told.",
            date=record.date_deadline, department=record.department_id.name))

    def _qms_ladder_supervise(self):
        today = fields.Date.context_today(self)
        self.with_context(qms_transition=TRANSITION, mail_notrack=True).write(  # the note below tells it
            {"is_supervised": True, "date_supervised": today})
        # the head of the level above is told in their daily digest (the supervised items of their departments)
        self._qms_log_each(lambda record: record.env._(
            "Now a supervised item: overdue since %(date)s; the level above %(department)s has been told.",
            date=record.date_deadline, department=record.department_id.name))
