from odoo import api, fields, models
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import in_transition
from odoo.exceptions import UserError

# The inputs of ISO 9001 9.3.2, in the order of the standard: (code, label, kind). Data inputs are
# compiled from the records; judgement inputs are written by the QMS office and the leaders.
INPUTS = [
    ("a_actions", "a) Status of actions from previous management reviews", "data"),
    ("b_context", "b) Changes in external and internal issues relevant to the QMS", "judgement"),
    ("c1_feedback", "c1) Citizen satisfaction and feedback from interested parties", "data"),
    ("c2_objectives", "c2) Extent to which quality objectives have been met", "data"),
    ("c3_processes", "c3) Process performance and conformity of services", "data"),
    ("c4_capa", "c4) Nonconformities and corrective actions", "data"),
    ("c5_audits", "c5/c6) Monitoring and measurement results, audit results", "data"),
    ("c6_documents", "Documented information: revisions, periodic reviews, reading", "data"),
    ("c7_providers", "c7) Performance of external providers", "judgement"),
    ("d_resources", "d) Adequacy of resources", "judgement"),
    ("e_risks", "e) Effectiveness of actions taken to address risks and opportunities", "judgement"),
    ("f_improvement", "f) Opportunities for improvement", "judgement"),
]
INPUT_KIND = {code: kind for code, _label, kind in INPUTS}

CHART_WIDTH = 520
CHART_BAR_HEIGHT = 12
CHART_LABEL_WIDTH = 170


class QmsManagementReviewInput(models.Model):
    """One input of a management review (ISO 9001 9.3.2): its figures compiled from the records, or the
    leaders' judgement written for the inputs no data gives. Created with the review; frozen once held."""

    _name = "qms.management.review.input"
    _description = "Management Review Input"
    _inherit = ["qms.locked.line.mixin"]
    _order = "review_id, sequence, id"
    _qms_lock_parent = "review_id"

    review_id = fields.Many2one("qms.management.review", required=True, readonly=True, index=True,
                                ondelete="cascade")
    company_id = fields.Many2one(related="review_id.company_id", store=True, index=True, precompute=True)
    sequence = fields.Integer(readonly=True)
    code = fields.Selection([(code, label) for code, label, _kind in INPUTS], string="Input", required=True,
                            readonly=True)
    kind = fields.Selection([("data", "Compiled from the records"), ("judgement", "Written by the review")],
                            compute="_compute_kind", store=True)
    note = fields.Text(string="Assessment", help="For compiled inputs: the conclusions drawn from the figures. "
                       "For the other inputs: what the leaders assessed (required before the review is held).")
    date_compiled = fields.Datetime(string="Compiled On", readonly=True, copy=False)
    figure_ids = fields.One2many("qms.management.review.figure", "input_id", string="Figures")
    chart_html = fields.Html(string="Charts", compute="_compute_chart_html", sanitize=False)

    _review_code_uniq = models.Constraint("UNIQUE(review_id, code)", "Each input appears once in a review.")

    @api.depends("code")
    def _compute_kind(self):
        for section in self:
            section.kind = INPUT_KIND.get(section.code)

    @api.depends("figure_ids")
    def _compute_chart_html(self):
        QWeb = self.env["ir.qweb"]
        for section in self:
            charts = section._qms_charts()
            section.chart_html = QWeb._render("gov_qms_audit.qms_management_review_charts", {"charts": charts}) \
                if charts else False

    def _compute_display_name(self):
        labels = dict(self._fields["code"]._description_selection(self.env))
        for section in self:
            section.display_name = labels.get(section.code, "")

    def _qms_is_missing(self):
        """Whether this input still stops the review from being held."""
        self.ensure_one()
        if self.kind == "judgement":
            return not (self.note or "").strip()
        return not self.date_compiled

    def _qms_charts(self):
        """Bar charts of the count figures, one per group of two or more rows, as plain numbers for an
        inline SVG (the form and the minutes draw the same)."""
        self.ensure_one()
        groups = {}
        for figure in self.figure_ids:
            if figure.unit == "count" and figure.group:
                groups.setdefault(figure.group, []).append(figure)
        charts = []
        for title, rows in groups.items():
            if len(rows) < 2:
                continue
            top = max(max(row.value, row.previous_value if row.has_previous else 0) for row in rows) or 1
            scale = (CHART_WIDTH - CHART_LABEL_WIDTH - 40) / top
            bars = []
            for index, row in enumerate(rows):
                y = index * (2 * CHART_BAR_HEIGHT + 8)
                bars.append({
                    "label": row.label[:28], "y": y, "value": row.value,
                    "previous": row.previous_value if row.has_previous else None,
                    "width": max(round(row.value * scale), 1 if row.value else 0),
                    "previous_width": max(round(row.previous_value * scale), 1 if row.previous_value else 0)
                    if row.has_previous else 0,
                })
            charts.append({"title": title, "bars": bars, "width": CHART_WIDTH, "label_width": CHART_LABEL_WIDTH,
                           "bar_height": CHART_BAR_HEIGHT,
                           "height": len(rows) * (2 * CHART_BAR_HEIGHT + 8) + 4})
        return charts

    @api.ondelete(at_uninstall=False)
    def _unlink_only_with_the_review(self):
        if not self.env.su and not in_transition(self):
            raise UserError(self.env._("The inputs of a management review are kept: write \"not applicable\" and "
                                       "why in the assessment instead of removing one."))
