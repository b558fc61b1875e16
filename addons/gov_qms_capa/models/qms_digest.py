from odoo import api, models
from odoo.fields import Domain


class QmsDigest(models.AbstractModel):
    """The daily digest lists the actions, nonconformities, citizens' work orders and effectiveness checks."""

    _inherit = "qms.digest"

    @api.model
    def _qms_digest_kinds(self):
        return [
            ("actions", self.env._("Actions")),
            ("nonconformities", self.env._("Nonconformities")),
            ("complaints", self.env._("Citizen complaints")),
            ("effectiveness_checks", self.env._("Effectiveness checks")),
            *super()._qms_digest_kinds(),
        ]

    @api.model
    def _qms_digest_collect(self, run):
        run = super()._qms_digest_collect(run)
        ids = run.users.ids
        self._qms_digest_ladder(run, "actions", "qms.action", [("owner_id", "in", ids)])
        # a nonconformity without a handler is its department's head's (found through the department)
        self._qms_digest_ladder(run, "nonconformities", "qms.nonconformity", [("owner_id", "in", ids)])
        # a work order is its handler's, or its receiver's until it is assigned
        self._qms_digest_ladder(run, "complaints", "qms.complaint", [
            "|", ("owner_id", "in", ids), "&", ("owner_id", "=", False), ("receiver_id", "in", ids)])
        domain = Domain("state", "=", "pending") & Domain("checker_id", "in", ids) & Domain(
            "date_due", "<=", run.horizon())
        for check in self.env["qms.effectiveness.check"].sudo().search_fetch(
                domain, ["checker_id", "date_due", "company_id"]):
            run.add(check.checker_id.id, "effectiveness_checks", check, run.status(check.date_due, check.company_id),
                    check.checker_id)
        return run
