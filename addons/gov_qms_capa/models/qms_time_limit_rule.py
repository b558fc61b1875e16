from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .qms_complaint import KINDS
from .qms_nonconformity import SEVERITIES, SOURCES


class QmsTimeLimitRule(models.Model):
    """Time limits (限时办结) by source and severity, in working days of the company's calendar."""

    _name = "qms.time.limit.rule"
    _description = "Time Limit Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    source = fields.Selection(SOURCES, help="Empty: any source.")
    severity = fields.Selection(SEVERITIES, help="Empty: any severity.")
    complaint_kind = fields.Selection(KINDS,
                                      help="For citizens' work orders of this kind: answered within the close limit.")
    reply_days = fields.Integer(string="Reply Within (working days)", help="0: no reply time limit.")
    action_plan_days = fields.Integer(string="Action Plan Within (working days)", help="0: no separate limit.")
    close_days = fields.Integer(string="Close Within (working days)", required=True, default=30)

    @api.constrains("reply_days", "action_plan_days", "close_days")
    def _check_days(self):
        for rule in self:
            if rule.close_days <= 0 or rule.reply_days < 0 or rule.action_plan_days < 0:
                raise ValidationError(self.env._(
                    "Time limits of rule %s must be positive numbers of working days.", rule.name))
            steps = [days for days in (rule.reply_days, rule.action_plan_days, rule.close_days) if days]
            if steps != sorted(steps):
                raise ValidationError(self.env._(
                    "In rule %s the reply comes before the action plan, and both before closure.", rule.name))

    @api.model
    def _qms_rule_for_complaint(self, kind, company):
        """The rule of a citizen's work order: that of its kind (the statutory answer limit)."""
        return self.search([("company_id", "=", company.id), ("complaint_kind", "=", kind)], order="sequence, id",
                           limit=1)

    @api.model
    def _qms_rule_for(self, source, severity, company):
        """The most specific active rule: source and severity, then source, then severity, then any."""
        rules = self.search([("company_id", "=", company.id), ("source", "in", [source, False]),
                             ("severity", "in", [severity, False]), ("complaint_kind", "=", False)])
        if not rules:
            return rules
        return max(rules, key=lambda rule: (bool(rule.source) * 2 + bool(rule.severity), -rule.sequence, -rule.id))
