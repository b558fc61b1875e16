from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    qms_managed_department_ids = fields.Many2many(
        "hr.department", string="Departments Headed", compute="_compute_qms_managed_department_ids",
        help="Departments this user manages, with all their sub-departments.",
    )
    # For checks in Python (e.g. who may triage or close). Record rules do not use it: they search
    # `qms_in_my_departments` (qms.department.scope.mixin), evaluated when each query runs.

    def _compute_qms_managed_department_ids(self):
        Department = self.env["hr.department"].sudo().with_context(active_test=False)
        for user in self:
            headed = Department.search([("manager_id.user_id", "=", user.id)]) if user.id else Department
            user.qms_managed_department_ids = Department.search([("id", "child_of", headed.ids)]) if headed \
                else Department
