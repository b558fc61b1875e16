from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.qms_nonconformity import OPEN_STATES, SEVERITIES, SOURCES

AGEING_BUCKETS = [("0_7", "0-7 days"), ("8_30", "8-30 days"), ("31_90", "31-90 days"), ("90_plus", "Over 90 days")]


class QmsNonconformityAnalysis(models.Model):
    """Nonconformities for pivot and graph views, with their age bucketed as of today."""

    _name = "qms.nonconformity.analysis"
    _description = "Nonconformity Analysis"
    _inherit = ["qms.department.scope.mixin"]
    _auto = False
    _order = "date_detected desc"
    _depends = {  # flushed before the view is read
        "qms.nonconformity": ["name", "company_id", "department_id", "process_id", "source", "severity", "state",
                              "date_detected", "date_closed", "date_deadline", "is_supervised", "is_recurrence",
                              "closed_on_time"],
    }

    nonconformity_id = fields.Many2one("qms.nonconformity", readonly=True)
    name = fields.Char(string="Code", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    department_id = fields.Many2one("hr.department", readonly=True)
    process_id = fields.Many2one("qms.process", readonly=True)
    source = fields.Selection(SOURCES, readonly=True)
    severity = fields.Selection(SEVERITIES, readonly=True)
    state = fields.Selection(lambda self: self.env["qms.nonconformity"]._fields["state"].selection, readonly=True)
    date_detected = fields.Date(readonly=True)
    date_closed = fields.Date(readonly=True)
    age_days = fields.Integer(string="Age (days)", readonly=True, aggregator="avg",
                              help="Days from detection to closure, or to today while open.")
    ageing_bucket = fields.Selection(AGEING_BUCKETS, string="Age", readonly=True)
    is_open = fields.Boolean(string="Open", readonly=True)
    is_overdue = fields.Boolean(string="Overdue", readonly=True)
    is_supervised = fields.Boolean(string="Supervised", readonly=True)
    is_recurrence = fields.Boolean(string="Recurrence", readonly=True)
    closed_on_time = fields.Boolean(readonly=True)

    def init(self):
        # the rows are computed when read (_table_query): drop the SQL view of earlier versions
        tools.drop_view_if_exists(self.env.cr, self._table)

    @property
    def _table_query(self):
        """The rows, aged as of the user's today (a Python date, so that tests can freeze it)."""
        today = fields.Date.context_today(self)
        age = SQL("(COALESCE(nc.date_closed, %s) - nc.date_detected)", today)
        open_states = SQL(", ".join(["%s"] * len(OPEN_STATES)), *OPEN_STATES)
        return SQL(
            """SELECT nc.id, nc.id AS nonconformity_id, nc.name, nc.company_id, nc.department_id, nc.process_id,
                      nc.source, nc.severity, nc.state, nc.date_detected, nc.date_closed,
                      %(age)s AS age_days,
                      CASE WHEN %(age)s <= 7 THEN '0_7' WHEN %(age)s <= 30 THEN '8_30'
                           WHEN %(age)s <= 90 THEN '31_90' ELSE '90_plus' END AS ageing_bucket,
                      nc.state IN (%(open)s) AS is_open,
                      (nc.state IN (%(open)s) AND nc.date_deadline < %(today)s) AS is_overdue,
                      COALESCE(nc.is_supervised, FALSE) AS is_supervised,
                      COALESCE(nc.is_recurrence, FALSE) AS is_recurrence,
                      COALESCE(nc.closed_on_time, FALSE) AS closed_on_time
                 FROM qms_nonconformity nc""",
            age=age, open=open_states, today=today,
        )
