from odoo import api, fields, models
from odoo.exceptions import ValidationError


class QmsIsoClause(models.Model):
    """ISO 9001:2015 clause library (shipped as data), with per-company applicability."""

    _name = "qms.iso.clause"
    _description = "ISO 9001 Clause"
    _parent_store = True
    _order = "parent_path, sequence, id"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, index=True)
    name = fields.Char(string="Title", required=True, translate=True)
    guidance = fields.Text(translate=True, help="What an internal auditor looks for under this clause.")
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one("qms.iso.clause", string="Parent Clause", index=True, ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("qms.iso.clause", "parent_id", string="Sub-clauses")
    applicable = fields.Boolean(
        company_dependent=True, default=True,
        help="Untick a requirement the organisation declares not applicable (ISO 9001 4.3).",
    )
    exclusion_justification = fields.Text(
        company_dependent=True, help="Why the requirement does not apply to the organisation.",
    )

    is_qms_manager = fields.Boolean(compute="_compute_is_qms_manager")

    _code_uniq = models.Constraint("UNIQUE(code)", "Each ISO clause code appears once in the library.")

    @api.depends_context("uid")
    def _compute_is_qms_manager(self):
        self.is_qms_manager = self.env.user.has_group("gov_qms_docs.group_qms_manager")

    @api.depends("code", "name")
    def _compute_display_name(self):
        for clause in self:
            clause.display_name = f"{clause.code} {clause.name}"

    @api.constrains("applicable", "exclusion_justification")
    def _check_exclusion_justified(self):
        for clause in self:
            if not clause.applicable and not (clause.exclusion_justification or "").strip():
                raise ValidationError(self.env._(
                    "Clause %(clause)s is marked not applicable: write down why (ISO 9001 4.3 requires a "
                    "justification for every requirement that does not apply).", clause=clause.display_name))
