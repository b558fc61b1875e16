from odoo import fields, models


class QmsEvidencePackWizard(models.TransientModel):
    """Prepare the certification evidence of an audit programme's year: a pack of that scope, built at once
    (or queued when large)."""

    _name = "qms.evidence.pack.wizard"
    _description = "Prepare Certification Evidence"

    programme_id = fields.Many2one("qms.audit.programme")
    name = fields.Char(required=True)
    date_from = fields.Date(string="Period From", required=True)
    date_to = fields.Date(string="Period To", required=True)
    department_ids = fields.Many2many("hr.department", string="Departments")
    clause_ids = fields.Many2many("qms.iso.clause", string="Clauses")

    def action_confirm(self):
        self.ensure_one()
        company = self.programme_id.company_id or self.env.company
        pack = self.env["qms.evidence.pack"].with_company(company).create({
            "name": self.name, "date_from": self.date_from, "date_to": self.date_to, "company_id": company.id,
            "department_ids": [(6, 0, self.department_ids.ids)], "clause_ids": [(6, 0, self.clause_ids.ids)],
        })
        pack.action_build()
        return {"type": "ir.actions.act_window", "res_model": pack._name, "res_id": pack.id, "view_mode": "form"}
