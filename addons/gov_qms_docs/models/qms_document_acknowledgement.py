from odoo import api, fields, models
from odoo.exceptions import UserError

from .qms_deadline_mixin import EscalationStep


class QmsDocumentAcknowledgement(models.Model):
    """Read-and-understood: one per reader and effective revision; reminded, then escalated."""

    _name = "qms.document.acknowledgement"
    _description = "Read-and-Understood Acknowledgement"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.department.mixin", "qms.deadline.mixin",
                "qms.locked.mixin"]
    _order = "state desc, date_deadline, id desc"
    _qms_department_path = ("department_id", "document_id.department_id")

    _locked_states = ("acknowledged", "cancelled")

    revision_id = fields.Many2one("qms.document.revision", required=True, index=True, ondelete="cascade")
    document_id = fields.Many2one(related="revision_id.document_id", store=True, index=True)
    company_id = fields.Many2one(related="revision_id.company_id", store=True)
    user_id = fields.Many2one("res.users", string="Reader", required=True, index=True)
    department_id = fields.Many2one(help="The reader's department when the revision took effect.")
    state = fields.Selection(
        [("pending", "To Read"), ("acknowledged", "Read and Understood"), ("cancelled", "No Longer Needed")],
        default="pending", required=True, readonly=True, index=True, tracking=True,
    )
    date_deadline = fields.Date(string="Read By")
    date_acknowledged = fields.Datetime(string="Acknowledged On", readonly=True)

    _one_per_reader = models.Constraint("UNIQUE(revision_id, user_id)",
                                        "A reader acknowledges a revision once.")

    @api.depends("revision_id", "user_id")
    def _compute_display_name(self):
        for ack in self:
            ack.display_name = f"{ack.revision_id.display_name} - {ack.user_id.name}"

    def action_acknowledge(self):
        self._qms_check_state("pending")
        for ack in self:
            if ack.user_id != self.env.user:
                raise UserError(self.env._(
                    "Only %s can confirm having read and understood this revision.", ack.user_id.name))
        self._qms_set_state("acknowledged", date_acknowledged=self._qms_timestamp())
        self.sudo().activity_ids.action_feedback(feedback=self.env._("Read and understood"))
        return True

    def _qms_cancel(self):
        self._qms_set_state("cancelled")
        self.sudo().activity_ids.unlink()

    def _escalation_open_domain(self):
        return [("state", "=", "pending")]

    def _escalation_steps(self, company):
        return [
            EscalationStep(0, True, "_qms_remind_reader"),
            EscalationStep(company.qms_ack_escalation_days, True, "_qms_escalate_to_department_head"),
        ]

    def _qms_remind_reader(self):
        for ack in self:
            ack.message_post(
                body=self.env._("Reminder: please read %(document)s and confirm you have understood it.",
                       document=ack.revision_id.display_name),
                partner_ids=ack.user_id.partner_id.ids, subtype_xmlid="mail.mt_comment",
                message_type="notification")

    def _qms_escalate_to_department_head(self):
        for ack in self:
            head = ack.department_id._qms_head_user() if ack.department_id else self.env["res.users"]
            ack.message_post(
                body=self.env._("%(reader)s has still not acknowledged %(document)s, due on %(date)s.",
                       reader=ack.user_id.name, document=ack.revision_id.display_name, date=ack.date_deadline),
                partner_ids=head.partner_id.ids, subtype_xmlid="mail.mt_comment", message_type="notification")
