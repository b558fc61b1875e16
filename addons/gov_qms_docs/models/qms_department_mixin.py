"""Record scopes for the record rules, each one searchable field evaluated for the current user
when a query runs (Odoo's pattern of `hr.manager.department.report.has_department_manager_access`).

The rules themselves never bake ids (no ``user.<x>.ids``): a rule domain is cached per user by
the registry, the search method behind these fields is not. Who heads which department, who may
change a parent record: both take effect at once, without clearing any cache.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain


class QmsDepartmentScopeMixin(models.AbstractModel):
    """A record that belongs to one or more departments, found through `_qms_department_path`.

    ``[('qms_in_my_departments', '=', True)]``: the records of the departments the current user
    heads (as the manager of the department's employee record) and of all their sub-departments.
    The path is a field name or a dotted path to an ``hr.department`` many2one or many2many,
    or a tuple of paths (any of them matches).
    """

    _name = "qms.department.scope.mixin"
    _description = "QMS Department Scope"

    _qms_department_path = "department_id"

    qms_in_my_departments = fields.Boolean(
        string="In My Departments", compute="_compute_qms_in_my_departments",
        search="_search_qms_in_my_departments",
        help="Belongs to a department you head, or to one of its sub-departments.",
    )

    @api.model
    def _qms_department_paths(self):
        path = self._qms_department_path
        return (path,) if isinstance(path, str) else tuple(path)

    @api.model
    def _qms_path_domain(self, path, department_ids):
        """The department at the end of `path` is one of `department_ids`, whatever the user may read on the
        way: ``department_id in ids`` on the record itself (an indexed condition), through ``any!`` on a longer
        path."""
        first, _dot, rest = path.partition(".")
        if not rest:
            return Domain(first, "in", department_ids)
        return Domain(first, "any!", self._qms_path_domain(rest, department_ids))

    @api.model
    def _qms_my_departments_domain(self):
        # the ids are read when the query runs (one query), never kept in the rule: see the module's docstring
        department_ids = self.env["hr.department"]._qms_headed_ids()
        if not department_ids:
            return Domain.FALSE
        return Domain.OR(self._qms_path_domain(path, department_ids) for path in self._qms_department_paths())

    def _search_qms_in_my_departments(self, operator, value):
        if operator != "in":
            return NotImplemented  # the ORM negates the positive search for `= False` / `!= True`
        return self._qms_my_departments_domain()

    @api.depends_context("uid")
    def _compute_qms_in_my_departments(self):
        mine = self.sudo().filtered_domain(self._qms_my_departments_domain())
        for record in self:
            record.qms_in_my_departments = record in mine


class QmsDepartmentMixin(models.AbstractModel):
    """A record owned by a department: department heads manage their department's
    records and those of its sub-departments.

    The record rules of every department-scoped model use the same domain,
    ``[('qms_in_my_departments', '=', True)]`` (see `qms.department.scope.mixin`).
    """

    _name = "qms.department.mixin"
    _inherit = ["qms.department.scope.mixin"]
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


class QmsParentScopeMixin(models.AbstractModel):
    """A line that sees and changes what its parent lets the user see and change.

    ``[('qms_parent_readable', '=', True)]`` and ``[('qms_parent_writable', '=', True)]``: the
    line's parent (the many2one named by `_qms_parent_field`) passes the current user's access
    rights and record rules for reading, resp. writing. The record rules of the line models say
    only this, so that a 5 Whys step, a checklist line or a control point is never more visible
    or more editable than the record it belongs to, and follows its parent's rules when they change.
    """

    _name = "qms.parent.scope.mixin"
    _description = "QMS Line Scoped by its Parent"

    _qms_parent_field = None

    qms_parent_readable = fields.Boolean(
        string="Record Readable", compute="_compute_qms_parent_access", search="_search_qms_parent_readable",
        help="You may read the record this line belongs to.")
    qms_parent_writable = fields.Boolean(
        string="Record Editable", compute="_compute_qms_parent_access", search="_search_qms_parent_writable",
        help="You may change the record this line belongs to.")

    @api.model
    def _qms_scope_parent_field(self):
        return self._qms_parent_field

    @api.model
    def _qms_parent_access_domain(self, mode):
        """The lines whose parent the current user may `mode` ('read' or 'write')."""
        parent_field = self._qms_scope_parent_field()
        parent_model = self._fields[parent_field].comodel_name
        # for the real user, also inside the sudo() in which the ORM applies record rules
        if not self.env["ir.model.access"].sudo(False).check(parent_model, mode, raise_exception=False):
            return Domain.FALSE
        return Domain(parent_field, "any!", self.env["ir.rule"].sudo(False)._compute_domain(parent_model, mode))

    def _search_qms_parent_readable(self, operator, value):
        if operator != "in":
            return NotImplemented
        return self._qms_parent_access_domain("read")

    def _search_qms_parent_writable(self, operator, value):
        if operator != "in":
            return NotImplemented
        return self._qms_parent_access_domain("write")

    def write(self, vals):
        parent_field = self._qms_scope_parent_field()
        if parent_field in vals and any(line[parent_field].id != vals[parent_field] for line in self):
            raise UserError(self.env._("A %s stays with the record it was written for: add a new one there instead.",
                                       self._description))
        return super().write(vals)

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_qms_parent_access(self):
        parent_field = self._qms_scope_parent_field()
        parents = self.mapped(parent_field).sudo(False)
        readable, writable = parents._filtered_access("read"), parents._filtered_access("write")
        for line in self:
            line.qms_parent_readable = line[parent_field] in readable
            line.qms_parent_writable = line[parent_field] in writable


class QmsLockedLineMixin(models.AbstractModel):
    """The lines that follow their parent's lock follow its access too: their parent is `_qms_lock_parent`."""

    _name = "qms.locked.line.mixin"
    _inherit = ["qms.locked.line.mixin", "qms.parent.scope.mixin"]

    @api.model
    def _qms_scope_parent_field(self):
        return self._qms_lock_parent
