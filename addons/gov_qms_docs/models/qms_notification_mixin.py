from odoo import fields, models


class QmsNotificationMixin(models.AbstractModel):
    """Batched to-dos and chatter notes, shared by every QMS workflow (no query per record)."""

    _name = "qms.notification.mixin"
    _description = "QMS Notifications"

    def _qms_schedule_activities(self, users_by_record, summary, note="", date_deadline=None,
                                 act_type_xmlid="mail.mail_activity_data_todo"):
        """One batched create of to-dos: {record: res.users} -> one activity per user and record.

        `date_deadline` is a date, or a function of the record giving its date (default: today).
        """
        activity_type = self.env.ref(act_type_xmlid)
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        vals_list = [
            {
                "res_model_id": model_id, "res_id": record.id, "user_id": user.id,
                "activity_type_id": activity_type.id, "summary": summary, "note": note,
                "date_deadline": (date_deadline(record) if callable(date_deadline) else date_deadline) or today,
                "automated": True,
            }
            for record, users in users_by_record.items() for user in users
        ]
        return self.env["mail.activity"].sudo().create(vals_list)

    def _qms_log(self, body):
        """The same note in the chatter of every record, in one batch."""
        if "message_ids" in self._fields and self:
            self._message_log_batch(bodies=dict.fromkeys(self.ids, body))

    def _qms_log_each(self, body):
        """A note in each record's chatter, worded per record by `body(record)`, in one batch."""
        if "message_ids" in self._fields and self:
            self._message_log_batch(bodies={record.id: body(record) for record in self})
