from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class QmsEffectivenessCheck(models.Model):
    """Did the actions work? Checked some time after they are done, by someone independent of them."""

    _name = "qms.effectiveness.check"
    _description = "Effectiveness Check"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.locked.mixin", "qms.notification.mixin",
                "qms.department.scope.mixin"]
    _order = "date_due, id"

    _locked_states = ("effective", "not_effective")
    # a check belongs to one round of one nonconformity; who checks is named by the head or the QMS office
    _qms_workflow_fields = frozenset({"nonconformity_id", "round"})
    _qms_create_fields = frozenset({"nonconformity_id", "round"})
    _qms_gate_depends = ("checker_id",)

    nonconformity_id = fields.Many2one("qms.nonconformity", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="nonconformity_id.company_id", store=True)
    department_id = fields.Many2one(related="nonconformity_id.department_id", store=True, index=True)
    round = fields.Integer(required=True, default=1)
    date_due = fields.Date(string="Check On", required=True)
    checker_id = fields.Many2one("res.users", string="Checked By", tracking=True, index=True)
    state = fields.Selection(
        [("pending", "To Check"), ("effective", "Effective"), ("not_effective", "Not Effective")],
        string="Result", default="pending", required=True, readonly=True, tracking=True, index=True)
    evidence_note = fields.Text(string="Evidence", help="What was looked at to judge the effect of the actions.")
    evidence_attachment_ids = fields.Many2many("ir.attachment", "qms_effectiveness_check_evidence_rel", "check_id",
                                               "attachment_id", string="Evidence Files")
    date_checked = fields.Date(readonly=True)
    # honest buttons (qms.gate.mixin): both results have the same gate, `_check_record`
    can_effective = fields.Boolean(compute="_compute_qms_can")
    can_not_effective = fields.Boolean(compute="_compute_qms_can")

    @api.depends("nonconformity_id", "round")
    def _compute_display_name(self):
        for check in self:
            check.display_name = self.env._("%(nc)s check %(round)s", nc=check.nonconformity_id.name,
                                            round=check.round)

    @api.model_create_multi
    def create(self, vals_list):
        checks = super().create(vals_list)
        with_checker = checks.filtered("checker_id")
        with_checker._qms_schedule_activities({check: check.checker_id for check in with_checker},
                                              lambda env: env._("Check the effectiveness of the actions"),
                                              date_deadline=lambda check: check.date_due)
        return checks

    @api.constrains("checker_id", "nonconformity_id", "round")
    def _check_independent(self):
        for check in self:
            owners = check.nonconformity_id.action_ids.filtered(lambda a, c=check: a.round == c.round).owner_id
            if check.checker_id in owners:
                raise ValidationError(self.env._(
                    "%(user)s owns actions on %(nc)s and so cannot check their effectiveness: choose someone "
                    "independent.", user=check.checker_id.name, nc=check.nonconformity_id.name))

    def _check_record(self):
        """To check, and its checker or the QMS office, owning none of the actions checked."""
        self._qms_check_state("pending")
        for check in self:
            if self.env.user != check.checker_id and not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
                raise UserError(self.env._("Only the checker named on %s can record its result.", check.display_name))
            owners = check.nonconformity_id.action_ids.filtered(lambda a, c=check: a.round == c.round).owner_id
            if self.env.user in owners:
                raise UserError(self.env._(
                    "%(user)s owns actions on %(nc)s and so cannot judge their effectiveness.",
                    user=self.env.user.name, nc=check.nonconformity_id.name))

    def _check_effective(self):
        self._check_record()

    def _check_not_effective(self):
        self._check_record()

    def _qms_record(self, result):
        self._check_record()
        for check in self:
            if not (check.evidence_note or "").strip() and not check.evidence_attachment_ids:
                raise UserError(self.env._("Record the evidence of %s before its result.", check.display_name))
        self._qms_set_state(result, date_checked=fields.Date.context_today(self))
        self.activity_ids.with_context(lang=self._qms_company_lang()).action_feedback(feedback=self._qms_note_env()._("Checked"))

    def action_effective(self):
        self._qms_record("effective")
        for check in self:
            nc = check.nonconformity_id.sudo()
            nc.message_post(body=nc._qms_note_env()._("The actions are effective: ready to close."))
        return True

    def action_not_effective(self):
        self._qms_record("not_effective")
        self.nonconformity_id.sudo()._qms_reopen()
        return True
