from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import in_transition
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import column_exists

CLASSIFICATIONS = [("major", "Major nonconformity"), ("minor", "Minor nonconformity"),
                   ("observation", "Observation"), ("ofi", "Opportunity for improvement")]
STATEMENT_STATES = [("draft", "To Confirm"), ("confirmed", "Confirmed")]
RAISED_CLASSIFICATIONS = ("major", "minor", "ofi")


class QmsAuditFinding(models.Model):
    """A finding stated the ISO 19011 way: criterion, evidence, nonconformity statement.

    A finding written from a checklist line starts as a draft, its criterion, evidence and statement prefilled
    from the line; the auditor rewrites the statement and confirms it (``action_confirm_statement``). Only then
    is it raised: major and minor findings raise a nonconformity in the CAPA loop, titled with the statement, an
    opportunity for improvement an improvement action; both linked back, and never raised twice. A confirmed
    statement no longer changes: the records raised from it carry it.
    """

    _name = "qms.audit.finding"
    _description = "Audit Finding"
    _inherit = ["qms.locked.line.mixin", "qms.gate.mixin"]
    _order = "audit_id, id"
    _qms_lock_parent = "audit_id"

    audit_id = fields.Many2one("qms.audit", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="audit_id.company_id", store=True, index=True, precompute=True)
    line_id = fields.Many2one("qms.audit.line", string="Checklist Line", readonly=True)
    question = fields.Text(related="line_id.question", string="Checklist Question")
    department_id = fields.Many2one("hr.department", required=True, index=True)
    audit_department_ids = fields.Many2many(related="audit_id.department_ids", string="Audited Departments")
    classification = fields.Selection(CLASSIFICATIONS, required=True)
    # written by the auditor; required when the statement is confirmed (a draft may still lack them)
    criterion = fields.Text(help="The requirement: clause, procedure or law.")
    evidence = fields.Text(help="What was seen, heard or read, verifiable.")
    statement = fields.Text(string="Nonconformity Statement",
                            help="What does not conform, said as a fact: how the evidence falls short of the "
                                 "criterion. It becomes the title of the nonconformity.")
    state = fields.Selection(STATEMENT_STATES, string="Status", default="draft", required=True, readonly=True,
                             copy=False, index=True,
                             help="A finding is raised once an auditor of the team has confirmed its statement.")
    confirmed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_confirmed = fields.Date(string="Confirmed On", readonly=True, copy=False)
    nonconformity_id = fields.Many2one("qms.nonconformity", readonly=True, copy=False, index=True)
    action_id = fields.Many2one("qms.action", string="Improvement Action", readonly=True, copy=False)
    # honest button (qms.gate.mixin): the gate of the step, `_check_confirm_statement`
    can_confirm_statement = fields.Boolean(compute="_compute_qms_can")

    def _auto_init(self):
        # findings written before statements were confirmed were raised as they were: they count as confirmed
        adding_state = not column_exists(self.env.cr, self._table, "state")
        result = super()._auto_init()
        if adding_state:
            self.env.cr.execute(SQL("UPDATE %s SET state = 'confirmed'", SQL.identifier(self._table)))
        return result

    @api.depends("audit_id.name", "statement", "classification")
    def _compute_display_name(self):
        labels = dict(self._fields["classification"]._description_selection(self.env))
        for finding in self:
            text = " ".join((finding.statement or "").split()) or labels.get(finding.classification, "")
            if len(text) > 80:
                text = text[:79] + "…"
            finding.display_name = f"{finding.audit_id.name}: {text}" if finding.audit_id.name else text

    @api.constrains("department_id", "audit_id")
    def _check_department_audited(self):
        self.env["qms.audit"]._qms_check_in_scope(self)

    def _qms_parent_frozen(self, parent):
        """Findings are part of the report: frozen once the lead auditor made it final."""
        return parent.report_state == "final" or parent.state in ("closed", "cancelled")

    def write(self, vals):
        if vals and not in_transition(self):
            confirmed = self.filtered(lambda finding: finding.state == "confirmed")
            if confirmed:
                raise UserError(self.env._(
                    "The statement of the finding %s is confirmed: it no longer changes (what was raised from it "
                    "carries it). Write a new finding, or have the nonconformity cancelled with a reason.",
                    confirmed[0].display_name))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_raised(self):
        raised = self.filtered(lambda finding: finding.nonconformity_id or finding.action_id)
        if raised:
            raise UserError(self.env._(
                "The finding %(finding)s was raised as %(record)s: it stays with the audit as its origin.",
                finding=raised[0].display_name,
                record=(raised[0].nonconformity_id or raised[0].action_id).display_name))
        confirmed = self.filtered(lambda finding: finding.state == "confirmed")
        if confirmed:  # an observation raises nothing, but the audit team stated it: it stays in the report
            raise UserError(self.env._(
                "The statement of the finding %s is confirmed: it stays with the audit.", confirmed[0].display_name))

    # ------------------------------------------------------------------ the auditor's statement

    @api.model
    def _qms_prefill(self, line):
        """The values of a draft finding written from a checklist line: the auditor confirms or rewrites them."""
        criterion = " / ".join(filter(None, [line.clause_id.display_name, line.document_id.display_name]))
        evidence = (line.evidence or "").strip()
        statement = self.env._("%(evidence)s: this does not meet %(criterion)s.", evidence=evidence.rstrip(".。"),
                               criterion=criterion) if evidence and criterion else evidence
        return {"audit_id": line.audit_id.id, "line_id": line.id, "department_id": line.department_id.id,
                "classification": line.result, "criterion": criterion, "evidence": evidence, "statement": statement}

    def _check_confirm_statement(self):
        """Gate: a draft statement, on an audit under way (or reported, its report still a draft), confirmed by an
        auditor of its team."""
        user = self.env.user
        for finding in self:
            if finding.state != "draft":
                raise UserError(self.env._("The statement of the finding %s is already confirmed.",
                                           finding.display_name))
            audit = finding.audit_id
            if audit.state not in ("in_progress", "reported") or audit.report_state == "final":
                raise UserError(self.env._(
                    "%(audit)s is %(state)s: its findings can no longer be confirmed.",
                    audit=audit.name, state=audit._qms_state_label()))
            if user not in audit.lead_auditor_id.user_id | audit.team_ids.user_id:
                raise UserError(self.env._(
                    "Only the audit team of %s (the lead auditor and the team members) confirms the statement of "
                    "its findings.", audit.name))

    def _qms_check_statement_written(self):
        """What a confirmed statement needs: the criterion, the evidence and a statement that says what does not
        conform (not the checklist question)."""
        for finding in self:
            missing = [finding._fields[name]._description_string(self.env)
                       for name in ("criterion", "evidence", "statement") if not (finding[name] or "").strip()]
            if missing:
                raise UserError(self.env._("Write the %(fields)s of the finding %(finding)s before confirming it.",
                                           fields=", ".join(missing), finding=finding.display_name))
            statement = " ".join(finding.statement.split())
            if statement.endswith(("?", "？")) or statement == " ".join((finding.question or "").split()):
                raise UserError(self.env._(
                    "The statement of the finding %s is a question. Say what does not conform, as a fact, e.g. "
                    "“Counter 2 uses the fee table of 2024, not the one in force (QP-LIC-003 rev. 4)”.",
                    finding.audit_id.name))

    def action_confirm_statement(self):
        """The auditor confirms the statement as written; the finding is raised at once (nonconformity or
        improvement action). Returns the feedback, then the next statement of the audit still to confirm."""
        self._check_confirm_statement()
        self.audit_id._qms_check_state("in_progress", "reported")  # takes the audits: one confirmation at a time
        self.invalidate_recordset(["state"])
        self._check_confirm_statement()
        self._qms_check_statement_written()
        self._qms_write_workflow({"state": "confirmed", "confirmed_by_id": self.env.user.id,
                                  "date_confirmed": fields.Date.context_today(self)})
        ncs, actions = self._qms_raise()
        for finding in self:  # the audit's history says who stated what, and what it became
            user, statement, env = self.env.user.name, finding.statement, finding.audit_id._qms_note_env()
            finding.audit_id._message_log(body=env._(
                "Finding confirmed by %(user)s and raised as nonconformity %(code)s: %(statement)s", user=user,
                code=finding.nonconformity_id.name, statement=statement) if finding.nonconformity_id else env._(
                "Finding confirmed by %(user)s and raised as an improvement action: %(statement)s", user=user,
                statement=statement) if finding.action_id else env._(
                "Finding confirmed by %(user)s: %(statement)s", user=user, statement=statement))
        return self.audit_id._qms_findings_feedback(ncs, actions)

    def action_open_statement(self):
        """The finding in the statement dialog: criterion, evidence and statement, to rewrite and confirm."""
        self.ensure_one()
        drafts = self.audit_id.finding_ids.filtered(lambda finding: finding.state == "draft")
        position = list(drafts.ids).index(self.id) + 1 if self in drafts else 0
        name = self.env._("Finding %(position)s of %(count)s to confirm", position=position, count=len(drafts)) \
            if position else self.env._("Finding")
        return {
            "type": "ir.actions.act_window", "name": name, "res_model": self._name, "res_id": self.id,
            "view_mode": "form", "target": "new",
            "views": [(self.env.ref("gov_qms_audit.qms_audit_finding_view_form_statement").id, "form")],
        }

    # ------------------------------------------------------------------ into the CAPA loop

    def _qms_nonconformity_values(self):
        self.ensure_one()
        statement = " ".join((self.statement or "").split())
        return {
            "title": statement,
            "description": Markup(self.env._(
                "<p><b>Criterion:</b> %(criterion)s</p><p><b>Evidence:</b> %(evidence)s</p>"
                "<p><b>Statement:</b> %(statement)s</p>")) % {
                    "criterion": self.criterion, "evidence": self.evidence, "statement": self.statement},
            "source": "external_audit" if self.audit_id.audit_type == "external" else "internal_audit",
            "origin_model": self._name, "origin_id": self.id,
            "department_id": self.department_id.id, "severity": self.classification,
            "clause_ids": self.line_id.clause_id.ids, "document_ids": self.line_id.document_id.ids,
            "reported_by_id": self.audit_id.lead_auditor_id.user_id.id,
            "date_detected": fields.Date.context_today(self),  # the day it is raised: an audit run early ages from then
        }

    def _qms_raise(self):
        """Into the CAPA loop, once: a nonconformity for major/minor, an improvement action for an OFI.

        Only confirmed statements are raised: a draft is refused, whoever calls this.
        """
        to_raise = self.filtered(lambda f: f.classification in RAISED_CLASSIFICATIONS
                                 and not f.nonconformity_id and not f.action_id)
        drafts = to_raise.filtered(lambda f: f.state != "confirmed")
        if drafts:
            raise UserError(self.env._(
                "The statement of the finding %s is not confirmed: an auditor of the team confirms it before it is "
                "raised.", drafts[0].display_name))
        to_nc = to_raise.filtered(lambda f: f.classification in ("major", "minor"))
        # Raising into the CAPA loop is the consequence of the auditor's finding, not a right of their own.
        ncs = self.env["qms.nonconformity"].sudo().create([finding._qms_nonconformity_values() for finding in to_nc])
        ncs = ncs.with_env(self.env)
        for finding, nc in zip(to_nc, ncs, strict=True):
            finding._qms_write_workflow({"nonconformity_id": nc.id})
        to_action = to_raise - to_nc
        actions = self.env["qms.action"].sudo().create([
            {
                "name": " ".join((finding.statement or "").split()),
                "description": finding.evidence, "action_type": "improvement",
                "department_id": finding.department_id.id,
                "owner_id": finding.department_id._qms_head_user().id or finding.audit_id.lead_auditor_id.user_id.id,
                "date_deadline": finding.audit_id._qms_improvement_deadline(),
            }
            for finding in to_action
        ])
        actions = actions.with_env(self.env)
        for finding, action in zip(to_action, actions, strict=True):
            finding._qms_write_workflow({"action_id": action.id})
        return ncs, actions
