from odoo import fields, models


class QmsProcessKpi(models.Model):
    """A performance indicator of a process (ISO 9001 9.1.1), e.g. on-time completion rate."""

    _name = "qms.process.kpi"
    _description = "Process Indicator"
    _inherit = ["qms.parent.scope.mixin"]
    _qms_parent_field = "process_id"
    _order = "process_id, sequence, id"

    process_id = fields.Many2one("qms.process", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="process_id.company_id", store=True, index=True, precompute=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Indicator", required=True, translate=True)
    target = fields.Float(digits=(16, 2))
    unit = fields.Char(help="e.g. %, days, cases")
    direction = fields.Selection([("min", "At least"), ("max", "At most")], default="min", required=True)
    frequency = fields.Selection(
        [("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")],
        default="monthly", required=True,
    )
