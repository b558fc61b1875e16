from odoo import api, fields, models
from odoo.fields import Domain


class HrDepartment(models.Model):
    _inherit = "hr.department"

    qms_code = fields.Char(
        string="QMS Code", help="Short code used in document codes, e.g. MRB gives QP-MRB-003.",
    )

    _qms_code_uniq = models.Constraint("UNIQUE(company_id, qms_code)",
                                       "Two departments cannot share the same QMS code.")

    @api.model
    def _qms_headed_domain(self):
        """The departments the current user heads, with their sub-departments (read afresh: a new head takes
        over at once)."""
        headed = self.sudo().with_context(active_test=False).search_fetch(
            [("manager_id.user_id", "=", self.env.uid)], ["parent_path"])
        return Domain.OR(Domain("parent_path", "=like", f"{path}%") for path in headed.mapped("parent_path"))

    def _qms_head_user(self):
        """The user heading this department: its manager's, else the nearest parent's."""
        self.ensure_one()
        department = self
        while department:
            if department.manager_id.user_id:
                return department.manager_id.user_id
            department = department.parent_id
        return self.env["res.users"]

    def _qms_parent_head_user(self):
        """The head of the level above: who supervises an overdue item of this department."""
        self.ensure_one()
        return self.parent_id._qms_head_user() if self.parent_id else self.env["res.users"]
