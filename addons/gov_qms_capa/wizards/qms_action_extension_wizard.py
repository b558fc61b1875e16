from odoo import fields, models


class QmsActionExtensionWizard(models.TransientModel):
    _name = "qms.action.extension.wizard"
    _description = "Ask for More Time"

    action_id = fields.Many2one("qms.action", required=True)
    current_deadline = fields.Date(related="action_id.date_deadline")
    new_date = fields.Date(string="New Due Date", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.action_id._action_request_extension(self.new_date, self.reason)
        return {"type": "ir.actions.act_window_close"}
