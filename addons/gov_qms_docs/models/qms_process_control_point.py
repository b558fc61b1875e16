from odoo import fields, models


class QmsProcessControlPoint(models.Model):
    """A key control point (关键控制点) added to a high-risk step of a process."""

    _name = "qms.process.control.point"
    _description = "Process Key Control Point"
    _inherit = ["qms.parent.scope.mixin"]
    _qms_parent_field = "process_id"
    _order = "process_id, sequence, id"

    process_id = fields.Many2one("qms.process", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="process_id.company_id", store=True, index=True, precompute=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Step", required=True, translate=True)
    control_type = fields.Selection(
        [("approval", "Approval"), ("joint_review", "Joint review"), ("hearing", "Hearing"),
         ("publicity", "Public notice"), ("inspection", "Inspection"), ("other", "Other")],
        required=True, default="approval",
    )
    criterion = fields.Text(string="Control Criterion", translate=True,
                            help="What must be true before the process may continue.")
    responsible_id = fields.Many2one("res.users")
