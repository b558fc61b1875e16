from odoo import models


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    def write(self, vals):
        result = super().write(vals)
        if {"user_id", "department_id"} & set(vals):
            self.env.registry.clear_cache()  # department heads' record rules follow their employee
        return result
