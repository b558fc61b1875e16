from odoo import models

from ..tools.pdf_text import unalias_cjk_text


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _run_wkhtmltopdf(self, *args, **kwargs):
        """Chinese text in every PDF copies and searches as the characters shown (see tools/pdf_text.py)."""
        return unalias_cjk_text(super()._run_wkhtmltopdf(*args, **kwargs))
