from odoo import models

from .qms_notification_mixin import FOLLOWED


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """To-dos created by the QMS in a batch (qms.notification.mixin) have had their assignees added as followers
        in one go: Odoo's activity creation does not subscribe them again, one assignee at a time."""
        if self.env.context.get("qms_followers") is FOLLOWED and not subtype_ids:
            return True
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    def _creation_message(self):
        """The "... created" note of a QMS record is written by the system in a chatter everybody reads: in the
        company's language (qms.notification.mixin), as the suite's other notes."""
        if self._name.startswith("qms."):
            notes = self if hasattr(self, "_qms_note_env") else self.env["qms.notification.mixin"]
            return super(MailThread, self.with_env(notes._qms_note_env()))._creation_message()
        return super()._creation_message()
