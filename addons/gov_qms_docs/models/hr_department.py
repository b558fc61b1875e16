from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, OrderedSet


class HrDepartment(models.Model):
    _inherit = "hr.department"

    qms_code = fields.Char(
        string="QMS Code", help="Short code used in document codes, e.g. MRB gives QP-MRB-003.",
    )

    _qms_code_uniq = models.Constraint("UNIQUE(company_id, qms_code)",
                                       "Two departments cannot share the same QMS code.")

    @api.model
    def _qms_scope_domain(self):
        """The departments in the QMS scope: those with a QMS code. Odoo's other departments (an HR structure
        imported for payroll, Odoo's demo "R&D USA") stay out of scorecards, rankings and dashboards until the QMS
        office gives them a code."""
        return Domain("qms_code", "!=", False)

    @api.model
    def _qms_scope_departments(self, company=None):
        """The departments of `company` (and shared ones) in the QMS scope, as the system sees them."""
        company = company or self.env.company
        return self.sudo().search(Domain("company_id", "in", [company.id, False]) & self._qms_scope_domain())

    def _compute_display_name(self):
        """As hr's, the complete name ("City Office / Bureau / Section"), built for the whole batch from the
        departments' parent paths: the names of all their parents read in one query, not one level of parents
        at a time, and no recursive computation per department (lists and group-bys show hundreds of them)."""
        if not self.env.context.get("hierarchical_naming", True):
            return super()._compute_display_name()
        paths = {}
        for department in self:
            ids = [int(part) for part in (department.parent_path or "").split("/") if part]
            # where the stored path is the department's current one (hr's way for a new or just moved department)
            if department.id and ids and ids[-1] == department.id and (
                    ids[-2] if len(ids) > 1 else False) == department.parent_id.id:
                paths[department] = ids
        if len(paths) < len(self):
            super(HrDepartment, self.filtered(lambda department: department not in paths))._compute_display_name()
        names = {ancestor.id: ancestor.name for ancestor in self.browse(
            OrderedSet(ancestor for ids in paths.values() for ancestor in ids))}
        for department, ids in paths.items():
            department.display_name = " / ".join(str(names[ancestor]) for ancestor in ids)
        return None

    @api.model
    def _qms_headed_domain(self):
        """The departments the current user heads, with their sub-departments, as ``[('id', 'in', ids)]``.

        The ids are read afresh on every call (a new head takes over at once, a department moved under another
        follows its new parent) in one indexed query, so that a record rule built on them compiles to
        ``department_id IN (...)``: an indexed condition, no join or subquery per row.
        """
        ids = self._qms_headed_ids()
        return Domain("id", "in", ids) if ids else Domain.FALSE

    @api.model
    def _qms_headed_ids(self):
        """Ids of the departments the current user heads (as the manager's user, archived ones included) and of
        all their sub-departments: one query."""
        # pending changes of heads and of the tree are written first (the query below reads the tables)
        self.env["hr.employee"].flush_model(["user_id"])
        self.flush_model(["manager_id", "parent_path"])
        rows = self.env.execute_query(SQL("""
            SELECT sub.id
              FROM hr_employee AS head
              JOIN hr_department AS headed ON headed.manager_id = head.id
              JOIN hr_department AS sub ON sub.parent_path LIKE headed.parent_path || '%%'
             WHERE head.user_id = %s
        """, self.env.uid))
        return sorted({row[0] for row in rows})

    def _qms_head_user(self):
        """The user heading this department: its manager's, else the nearest parent's."""
        self.ensure_one()
        department = self
        while department:
            if department.manager_id.user_id:
                return department.manager_id.user_id
            department = department.parent_id
        return self.env["res.users"]

    def _qms_head_users(self):
        """{department: its head user (as `_qms_head_user`)} for the departments of `self`, read together: a few
        queries per level of the tree, whatever the number of departments."""
        return {department: department._qms_head_user() for department in self}

    def _qms_parent_head_user(self):
        """The head of the level above: who supervises an overdue item of this department."""
        self.ensure_one()
        return self.parent_id._qms_head_user() if self.parent_id else self.env["res.users"]
