from odoo import api, models


class QmsIsoClause(models.Model):
    """The applicable clauses are the columns of the programmes' coverage matrices, which are stored: a change to
    what a column shows (applicability, code, title, place in the standard) has them computed again."""

    _inherit = "qms.iso.clause"

    _QMS_COVERAGE_FIELDS = frozenset({"applicable", "code", "name", "parent_id", "sequence"})

    @api.model_create_multi
    def create(self, vals_list):
        clauses = super().create(vals_list)
        self._qms_coverage_modified()
        return clauses

    def write(self, vals):
        result = super().write(vals)
        if self._QMS_COVERAGE_FIELDS & set(vals):
            self._qms_coverage_modified()
        return result

    def unlink(self):
        result = super().unlink()
        self._qms_coverage_modified()
        return result

    @api.model
    def _qms_coverage_modified(self):
        """Every programme's matrix (a handful of programmes a year; clauses change once in years)."""
        Programme = self.env["qms.audit.programme"].sudo().with_context(active_test=False)
        Programme.search([])._qms_coverage_modified()  # pylint: disable=no-search-all
