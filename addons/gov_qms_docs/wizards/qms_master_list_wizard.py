from odoo import fields, models

from ..models.qms_document import TIERS


class QmsMasterListWizard(models.TransientModel):
    """Master list of controlled documents (受控文件清单), as PDF or XLSX."""

    _name = "qms.master.list.wizard"
    _description = "Master List of Controlled Documents"

    tier = fields.Selection(TIERS, help="Leave empty for every tier.")
    department_id = fields.Many2one("hr.department", help="Includes its sub-departments. Empty: all.")
    include_obsolete = fields.Boolean(help="Also list withdrawn documents.")

    def _qms_documents(self):
        self.ensure_one()
        return self.env["qms.document"]._qms_master_list_documents(
            tier=self.tier, department_id=self.department_id.id, include_obsolete=self.include_obsolete)

    def action_print_pdf(self):
        report = self.env.ref("gov_qms_docs.action_report_qms_master_list")
        return report.report_action(self._qms_documents(), config=False)

    def action_download_xlsx(self):
        self.ensure_one()
        query = f"tier={self.tier or ''}&department_id={self.department_id.id or ''}" \
                f"&include_obsolete={int(self.include_obsolete)}"
        return {"type": "ir.actions.act_url", "url": f"/gov_qms/master_list.xlsx?{query}", "target": "self"}
