from odoo import api, models


class HrDepartment(models.Model):
    """The departments are the rows of the programmes' coverage matrices, which are stored: a change to what a
    row shows (a department added, renamed, moved, archived, given or losing its QMS code) has them computed
    again."""

    _inherit = "hr.department"

    _QMS_COVERAGE_FIELDS = frozenset({"name", "parent_id", "qms_code", "active", "company_id"})

    @api.model_create_multi
    def create(self, vals_list):
        departments = super().create(vals_list)
        departments._qms_coverage_modified()
        return departments

    def write(self, vals):
        if not self._QMS_COVERAGE_FIELDS & set(vals):
            return super().write(vals)
        companies = self.company_id
        result = super().write(vals)
        self._qms_coverage_modified(companies)
        return result

    def unlink(self):
        companies = self.company_id
        shared = any(not department.company_id for department in self)
        result = super().unlink()
        self.browse()._qms_coverage_modified(companies, shared=shared)
        return result

    def _qms_coverage_modified(self, companies=None, shared=False):
        """The programmes of the departments' companies (all of them for a department shared by the companies)."""
        companies = (companies or self.env["res.company"]) | self.company_id
        Programme = self.env["qms.audit.programme"].sudo().with_context(active_test=False)
        shared = shared or any(not department.company_id for department in self)
        if not shared and not companies:
            return
        Programme.search([] if shared else [("company_id", "in", companies.ids)])._qms_coverage_modified()
