from odoo import api, fields, models
from odoo.exceptions import ValidationError

RISK_LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
MAX_AUDITS_PER_YEAR = 12


class QmsAuditProgrammeLine(models.Model):
    """One entry of the audit universe: a department or a process, its risk, and how often it is audited.

    ISO 9001 9.2.2 a) asks the programme to consider the importance of the processes and the
    results of previous audits: high risk, or a major nonconformity in the last cycle, means
    two audits in the year; otherwise one. The QMS office may plan more, never fewer.
    """

    _name = "qms.audit.programme.line"
    _description = "Audit Universe Entry"
    _inherit = ["qms.locked.line.mixin"]
    _qms_lock_parent = "programme_id"  # a closed programme keeps its universe as it was
    _order = "programme_id, sequence, id"

    programme_id = fields.Many2one("qms.audit.programme", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="programme_id.company_id", store=True)
    department_id = fields.Many2one("hr.department", index=True, check_company=True)
    process_id = fields.Many2one("qms.process", index=True, check_company=True)
    risk_level = fields.Selection(RISK_LEVELS, required=True, default="medium")
    risk_note = fields.Char(string="Why this Risk",
                            help="E.g. handles licences and fees; many complaints last year; new process.")
    last_cycle_major_count = fields.Integer(
        string="Major NCs Last Cycle", readonly=True,
        help="Major nonconformities raised against this department (and its sections) or this process "
             "in the previous programme year. Updated each time the audits are generated.")
    minimum_frequency = fields.Integer(string="Required Audits", compute="_compute_minimum_frequency", store=True)
    frequency = fields.Integer(string="Audits per Year", compute="_compute_frequency", store=True, readonly=False)
    frequency_reason = fields.Char(string="Because", compute="_compute_minimum_frequency", store=True)
    audit_ids = fields.One2many("qms.audit", "programme_line_id", string="Audits")
    planned_count = fields.Integer(string="Audits Planned", compute="_compute_planned_count")

    _department_uniq = models.Constraint("UNIQUE(programme_id, department_id)",
                                         "A department appears once in the audit universe of a programme.")
    _process_uniq = models.Constraint("UNIQUE(programme_id, process_id)",
                                      "A process appears once in the audit universe of a programme.")

    @api.depends("department_id", "process_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = (line.department_id or line.process_id).display_name or ""

    @api.depends("risk_level", "last_cycle_major_count")
    def _compute_minimum_frequency(self):
        risk_labels = dict(self._fields["risk_level"]._description_selection(self.env))
        for line in self:
            reasons = [self.env._("%s risk", risk_labels.get(line.risk_level, ""))]
            if line.last_cycle_major_count:
                reasons.append(self.env._("%s major nonconformity(ies) last cycle", line.last_cycle_major_count))
            line.minimum_frequency = 2 if line.risk_level == "high" or line.last_cycle_major_count else 1
            line.frequency_reason = "; ".join(reasons)

    @api.depends("minimum_frequency")
    def _compute_frequency(self):
        for line in self:
            line.frequency = line.minimum_frequency

    def _compute_planned_count(self):
        counts = dict(self.env["qms.audit"]._read_group(
            [("programme_line_id", "in", self.ids), ("state", "!=", "cancelled")], ["programme_line_id"], ["__count"]))
        for line in self:
            line.planned_count = counts.get(line, 0)

    @api.constrains("programme_id", "department_id", "process_id")  # programme_id: checked on every create
    def _check_subject(self):
        for line in self:
            if bool(line.department_id) == bool(line.process_id):
                raise ValidationError(self.env._(
                    "Each entry of the audit universe is either a department or a process: choose one of the two."))

    @api.constrains("frequency")
    def _check_frequency(self):
        for line in self:
            if line.frequency < line.minimum_frequency:
                raise ValidationError(self.env._(
                    "%(subject)s must be audited at least %(count)s time(s) this year (%(reason)s).",
                    subject=line.display_name, count=line.minimum_frequency, reason=line.frequency_reason))
            if line.frequency > MAX_AUDITS_PER_YEAR:
                raise ValidationError(self.env._(
                    "%(subject)s cannot be audited more than %(max)s times a year.",
                    subject=line.display_name, max=MAX_AUDITS_PER_YEAR))

    def _qms_assess_history(self):
        """Count the major nonconformities of the last cycle for each entry, in two grouped queries."""
        by_programme = self.grouped("programme_id")
        NC = self.env["qms.nonconformity"].sudo()  # a count for planning, whoever plans
        for programme, lines in by_programme.items():
            start, end = programme._qms_cycle_dates(programme.year - 1)
            base = [("company_id", "=", programme.company_id.id), ("severity", "=", "major"),
                    ("state", "!=", "cancelled"), ("date_detected", ">=", start), ("date_detected", "<=", end)]
            departments = lines.department_id
            by_department = NC._read_group(
                [*base, ("department_id", "child_of", departments.ids)], ["department_id"], ["__count"],
            ) if departments else []
            processes = lines.process_id
            by_process = dict(NC._read_group([*base, ("process_id", "in", processes.ids)], ["process_id"], ["__count"])
                              ) if processes else {}
            for line in lines:
                if line.department_id:
                    prefix = line.department_id.parent_path
                    count = sum(n for department, n in by_department if department.parent_path.startswith(prefix))
                else:
                    count = by_process.get(line.process_id, 0)
                if line.last_cycle_major_count != count:
                    line._qms_write_workflow({"last_cycle_major_count": count})
