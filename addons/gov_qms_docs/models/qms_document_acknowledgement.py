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
    _qms_gate_depends = ("user_id", "date_opened")

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
    date_opened = fields.Datetime(string="Opened On", readonly=True, copy=False,
                                  help="When the reader first opened the revision from this request: they confirm "
                                       "having read it only after opening it.")
    date_acknowledged = fields.Datetime(string="Acknowledged On", readonly=True)
    # honest buttons (qms.gate.mixin)
    can_open_revision = fields.Boolean(compute="_compute_qms_can")
    can_acknowledge = fields.Boolean(compute="_compute_qms_can")

    _one_per_reader = models.Constraint("UNIQUE(revision_id, user_id)",
                                        "A reader acknowledges a revision once.")

    @api.depends("revision_id", "user_id")
    def _compute_display_name(self):
        for ack in self:
            ack.display_name = f"{ack.revision_id.display_name} - {ack.user_id.name}"

    def _check_open_revision(self):
        """The reader (others open the revision from its link)."""
        for ack in self:
            if ack.user_id != self.env.user:
                raise UserError(self.env._("This request to read is %s's.", ack.user_id.name))

    def action_open_revision(self):
        """The reader opens the revision to read it: the first opening of a request still to read is recorded
        (Opened On, the chatter), which lets them confirm it afterwards."""
        self.ensure_one()
        self._check_open_revision()
        if self.state == "pending" and not self.date_opened:
            self._qms_write_workflow({"date_opened": self._qms_timestamp()})
            self._qms_log(lambda env: env._("%s opened the revision to read it.", self.user_id.name))
        return {
            "type": "ir.actions.act_window", "res_model": "qms.document.revision", "res_id": self.revision_id.id,
            "view_mode": "form", "views": [(False, "form")], "target": "current",
        }

    def _check_acknowledge(self):
        """To read, by its reader, who has opened the revision."""
        self._qms_check_state("pending")
        for ack in self:
            if ack.user_id != self.env.user:
                raise UserError(self.env._(
                    "Only %s can confirm having read and understood this revision.", ack.user_id.name))
            if not ack.date_opened:
                raise UserError(self.env._(
                    "Open %s and read it before confirming that you have read and understood it.",
                    ack.revision_id.display_name))

    def action_acknowledge(self):
        self._check_acknowledge()
        self._qms_set_state("acknowledged", date_acknowledged=self._qms_timestamp())
        self.sudo().activity_ids.with_context(lang=self._qms_company_lang()).action_feedback(
            feedback=self._qms_note_env()._("Read and understood"))
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
        # one note per reader, kept with the reader as told; the e-mail is the reader's daily digest
        self._qms_log_each(lambda ack: ack.env._(
            "Reminder: please read %(document)s and confirm you have understood it.",
            document=ack.revision_id.display_name), partners=lambda ack: ack.user_id.partner_id)

    def _qms_escalate_to_department_head(self):
        # the head of the reader's department is told in their daily digest (the unread documents of their people)
        self._qms_log_each(lambda ack: ack.env._(
            "%(reader)s has still not acknowledged %(document)s, due on %(date)s.",
            reader=ack.user_id.name, document=ack.revision_id.display_name, date=ack.date_deadline),
            partners=lambda ack: ack._qms_reader_head().partner_id)

    def _qms_reader_head(self):
        """The head of the reader's department (the level told when a revision stays unread)."""
        self.ensure_one()
        return self.department_id._qms_head_user() if self.department_id else self.env["res.users"]
