from odoo import api, models


class QmsDigest(models.AbstractModel):
    """The daily digest lists the checklists the auditors still have to fill."""

    _inherit = "qms.digest"

    @api.model
    def _qms_digest_kinds(self):
        return [*super()._qms_digest_kinds(), ("checklists", self.env._("Checklists to fill"))]

    @api.model
    def _qms_digest_collect(self, run):
        run = super()._qms_digest_collect(run)
        ids = run.users.ids
        audits = self.env["qms.audit"].sudo().search([
            ("state", "=", "in_progress"), ("line_ids", "any", [("result", "=", False)]),
            "|", ("lead_auditor_id.user_id", "in", ids), ("team_ids.user_id", "in", ids)])
        for audit in audits:
            for user in (audit.lead_auditor_id | audit.team_ids).user_id:
                run.add(user.id, "checklists", audit, "waiting", audit.lead_auditor_id.user_id)
        return run
