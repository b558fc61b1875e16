from odoo import api, fields, models
from odoo.exceptions import ValidationError


class QmsAuditor(models.Model):
    """The register of qualified internal auditors (ISO 19011 7: competence and its evaluation)."""

    _name = "qms.auditor"
    _description = "Internal Auditor"
    _inherit = ["mail.thread"]
    _order = "name"

    user_id = fields.Many2one("res.users", required=True, index=True, tracking=True)
    name = fields.Char(related="user_id.name", store=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    department_id = fields.Many2one("hr.department", compute="_compute_department_id", store=True,
                                    help="The auditor's own department: they never audit it.")
    is_lead = fields.Boolean(string="Lead Auditor", tracking=True)
    training = fields.Char(help="Training course followed, e.g. ISO 9001 internal auditor, 3 days.")
    certificate_number = fields.Char()
    date_qualified = fields.Date(string="Qualified On", required=True, tracking=True)
    date_expiry = fields.Date(string="Qualification Expires", tracking=True)
    clause_ids = fields.Many2many("qms.iso.clause", string="Competence: Clauses")
    process_ids = fields.Many2many("qms.process", string="Competence: Processes")
    # evaluations are personal: the QMS office sees them on the register (an auditor reads only their own)
    evaluation_ids = fields.One2many("qms.auditor.evaluation", "auditor_id", string="Evaluations",
                                     groups="gov_qms_docs.group_qms_manager")
    average_score = fields.Float(compute="_compute_average_score", digits=(3, 1),
                                 groups="gov_qms_docs.group_qms_manager")

    _user_company_uniq = models.Constraint("UNIQUE(user_id, company_id)", "This person is already in the register.")

    @api.depends("user_id.employee_ids.department_id")
    def _compute_department_id(self):
        for auditor in self:
            auditor.department_id = auditor.user_id.employee_ids[:1].department_id

    def _compute_average_score(self):
        scores = dict(self.env["qms.auditor.evaluation"]._read_group(
            [("auditor_id", "in", self.ids)], ["auditor_id"], ["score:avg"]))
        for auditor in self:
            auditor.average_score = scores.get(auditor, 0.0)

    @api.constrains("date_qualified", "date_expiry")
    def _check_dates(self):
        for auditor in self:
            if auditor.date_expiry and auditor.date_expiry < auditor.date_qualified:
                raise ValidationError(self.env._("The qualification of %s cannot expire before it was obtained.",
                                                 auditor.name))

    def _qms_is_qualified_on(self, day):
        self.ensure_one()
        return self.active and self.date_qualified <= day and (not self.date_expiry or day <= self.date_expiry)

    def _qms_audited_departments(self):
        """Departments this auditor may not audit: their own, and those they head with everything below."""
        self.ensure_one()
        return self.department_id | self.user_id.qms_managed_department_ids

    def _qms_competence_gaps(self, clauses, processes):
        """{auditor: (clauses, processes)}: the part of a scope outside each auditor's competence areas (ISO 19011
        7.2.3). Competence in a clause covers the clauses under it (7.5 covers 7.5.3.1); a process is covered when
        it is one of the auditor's processes. Auditors without a gap are left out."""
        gaps = {}
        for auditor in self:
            paths = [path for path in auditor.clause_ids.mapped("parent_path") if path]
            missing_clauses = clauses.filtered(
                lambda clause, paths=paths: not any((clause.parent_path or "").startswith(path) for path in paths))
            missing_processes = processes - auditor.process_ids
            if missing_clauses or missing_processes:
                gaps[auditor] = (missing_clauses, missing_processes)
        return gaps

    def _qms_competence_text(self, clauses, processes):
        """The areas of a gap, for messages: clause codes and titles, then the processes."""
        return ", ".join(clauses.sorted(lambda clause: clause.parent_path or "").mapped("display_name")
                         + processes.mapped("display_name"))

