from odoo import api, fields, models
from odoo.exceptions import ValidationError


class QmsProcess(models.Model):
    """A process of a department, with its procedures, control points and time limits."""

    _name = "qms.process"
    _description = "QMS Process"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.department.mixin"]
    _order = "department_id, code, name"

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(index=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    department_id = fields.Many2one(required=True)
    owner_id = fields.Many2one("res.users", string="Process Owner", tracking=True, index=True)
    purpose = fields.Text(translate=True)
    inputs = fields.Text()
    outputs = fields.Text()
    procedure_ids = fields.Many2many(
        "qms.document", "qms_document_process_rel", "process_id", "document_id", string="Documents",
        help="Procedures, work instructions and forms that govern this process.",
    )
    clause_ids = fields.Many2many("qms.iso.clause", string="ISO Clauses")
    control_point_ids = fields.One2many("qms.process.control.point", "process_id", string="Key Control Points")
    kpi_ids = fields.One2many("qms.process.kpi", "process_id", string="Indicators")
    reply_same_day = fields.Boolean(string="Reply the Same Day")
    reply_days = fields.Integer(string="Reply Within (working days)", help="0 when there is no reply limit.")
    answer_days = fields.Integer(string="Clear Answer Within (working days)")
    complete_days = fields.Integer(string="Complete Within (working days)")
    time_limit_display = fields.Char(string="Time Limit", compute="_compute_time_limit_display")
    flow_chart = fields.Binary(attachment=True, string="Process Flow Chart")
    flow_chart_filename = fields.Char()
    responsibility_chart = fields.Binary(attachment=True)
    responsibility_chart_filename = fields.Char()

    _code_company_uniq = models.Constraint("UNIQUE(company_id, code)", "Two processes cannot share the same code.")

    @api.depends("reply_same_day", "reply_days", "answer_days", "complete_days")
    def _compute_time_limit_display(self):
        for process in self:
            parts = []
            if process.reply_same_day:
                parts.append(self.env._("reply the same day"))
            elif process.reply_days:
                parts.append(self.env._("reply in %s working days", process.reply_days))
            if process.answer_days:
                parts.append(self.env._("answer in %s working days", process.answer_days))
            if process.complete_days:
                parts.append(self.env._("complete in %s working days", process.complete_days))
            process.time_limit_display = ", ".join(parts)

    @api.constrains("reply_days", "answer_days", "complete_days")
    def _check_time_limits(self):
        for process in self:
            limits = [d for d in (process.reply_days, process.answer_days, process.complete_days) if d]
            if any(d < 0 for d in limits):
                raise ValidationError(self.env._("Time limits of %s cannot be negative.", process.display_name))
            if limits != sorted(limits):
                raise ValidationError(self.env._(
                    "The time limits of %s must grow: reply, then answer, then completion.", process.display_name))
