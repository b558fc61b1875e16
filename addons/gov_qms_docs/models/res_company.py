from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    qms_ack_reminder_days = fields.Integer(
        string="Acknowledgement Reminder (working days)", default=5,
        help="A read-and-understood acknowledgement still pending this many working days after the "
             "revision took effect is reminded to the reader.",
    )
    qms_ack_escalation_days = fields.Integer(
        string="Acknowledgement Escalation (working days)", default=3,
        help="Working days after the reminder before the reader's department head is told.",
    )
    qms_review_notice_days = fields.Integer(
        string="Periodic Review Notice (days)", default=30,
        help="The document owner gets a to-do this many days before the next review date.",
    )
    qms_reminder_days = fields.Integer(
        string="Reminder Before Deadline (working days)", default=3,
        help="Owners of time-limited items are reminded this many working days before the deadline.",
    )
    qms_supervise_after_days = fields.Integer(
        string="Supervise After (working days)", default=5,
        help="An item overdue for this many working days becomes a supervised item (挂牌督办).",
    )
    qms_code_per_department = fields.Boolean(
        string="Department in Document Codes",
        help="Number documents per tier and department (QP-MRB-003) instead of per tier (QP-003).",
    )

    _qms_ack_reminder_days_positive = models.Constraint(
        "CHECK(qms_ack_reminder_days > 0 AND qms_ack_escalation_days > 0 AND qms_review_notice_days >= 0 "
        "AND qms_reminder_days >= 0 AND qms_supervise_after_days > 0)",
        "Reminder and escalation delays must be positive numbers of days.",
    )

    def _qms_tz(self):
        """The time zone the company works in: its working-time calendar's, else the user's, else UTC."""
        self.ensure_one()
        return self.resource_calendar_id.tz or self.env.user.tz or "UTC"

    def _qms_now(self):
        """Now on the company's clock (Python's, which tests freeze), as a naive local datetime for display."""
        return fields.Datetime.context_timestamp(self.with_context(tz=self._qms_tz()), fields.Datetime.now())
