from odoo import fields, models


class QmsNonconformityCause(models.Model):
    """A cause on the fishbone (Ishikawa) diagram, in one of the six categories used by agencies."""

    _name = "qms.nonconformity.cause"
    _description = "Fishbone Cause"
    _inherit = ["qms.locked.line.mixin"]
    _qms_lock_parent = "nonconformity_id"
    _order = "nonconformity_id, category, sequence, id"

    nonconformity_id = fields.Many2one("qms.nonconformity", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="nonconformity_id.company_id", store=True, index=True, precompute=True)
    sequence = fields.Integer(default=10)
    category = fields.Selection(
        [("people", "People"), ("procedure", "Procedure"), ("policy", "Policy"), ("equipment", "Equipment"),
         ("information", "Information"), ("environment", "Environment")], required=True)
    description = fields.Char(required=True)
    is_root = fields.Boolean(string="Root Cause", help="This cause is (part of) the root cause.")
