from odoo import fields, models


class QmsDepartmentMixin(models.AbstractModel):
    """A record owned by a department: department heads manage their department's
    records and those of its sub-departments.

    The record rules of every department-scoped model use the same domain,
    ``[('department_id', 'in', user.qms_managed_department_ids.ids)]``.
    """

    _name = "qms.department.mixin"
    _description = "QMS Department-scoped Record"

    department_id = fields.Many2one("hr.department", index=True, tracking=True,
                                    check_company=True)
    department_head_id = fields.Many2one(
        "res.users", compute="_compute_department_head_id",
        help="User of the department's manager (or of the nearest parent department with one).",
    )

    def _compute_department_head_id(self):
        for record in self:
            record.department_head_id = record.department_id._qms_head_user()

    def _qms_user_is_department_head(self, user=None):
        """True when `user` heads the department of every record (directly or from above)."""
        user = user or self.env.user
        managed = user.qms_managed_department_ids
        return all(record.department_id in managed for record in self)
