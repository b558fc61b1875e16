from odoo import fields, models
from odoo.exceptions import UserError


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

    def _qms_check_head_or(self, group_xmlid):
        """Refuse unless the user heads the department of every record or belongs to `group_xmlid`."""
        user = self.env.user
        if user.has_group(group_xmlid):
            return
        for record in self:
            if not record._qms_user_is_department_head(user):
                raise UserError(self.env._(
                    "Only the head of %(department)s or the QMS office can do this for %(record)s.",
                    department=record.department_id.name, record=record.display_name))
