from odoo import fields, models


class HrDepartment(models.Model):
    _inherit = "hr.department"

    qms_code = fields.Char(
        string="QMS Code", help="Short code used in document codes, e.g. MRB gives QP-MRB-003.",
    )

    _qms_code_uniq = models.Constraint("UNIQUE(company_id, qms_code)",
                                       "Two departments cannot share the same QMS code.")

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
