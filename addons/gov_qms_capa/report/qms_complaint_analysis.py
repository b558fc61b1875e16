from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.qms_complaint import CHANNELS, KINDS, OPEN_STATES


class QmsComplaintAnalysis(models.Model):
    """Citizens' work orders for pivot and graph views, with the 12345 hotline's figures as percentages.

    One row per work order. Each figure is 100 (yes), 0 (no) or empty (not known yet), so that its average over
    any group is the rate of that group, empty rows left out:

    - *on-time acceptance*: assigned to the department concerned by the next working day after receipt; 0 as
      well when still unassigned after that day; empty while it may still be assigned on time, or dismissed first;
    - *on-time answer* (按时办结): answered by the time limit of its kind; 0 as well when still open after it;
    - *satisfaction*: satisfied or basically satisfied at the last call-back (回访); empty before any call-back;
    - *send-back rate*: sent back for rework at least once, among the work orders answered.

    "Today" is the user's (a Python date, so that tests can freeze it), never the database's clock.
    """

    _name = "qms.complaint.analysis"
    _description = "Citizen Complaint Analysis"
    _inherit = ["qms.department.scope.mixin"]
    _auto = False
    _order = "date_received desc"
    _depends = {  # flushed before the rows are read
        "qms.complaint": ["name", "company_id", "department_id", "process_id", "channel", "kind", "state",
                          "date_received", "date_accept_by", "date_assigned", "date_deadline", "date_answered",
                          "callback_result", "rework_count", "transfer_count", "is_problem", "nonconformity_id"],
    }

    complaint_id = fields.Many2one("qms.complaint", string="Work Order", readonly=True)
    name = fields.Char(string="Reference", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    department_id = fields.Many2one("hr.department", string="Department Concerned", readonly=True)
    process_id = fields.Many2one("qms.process", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    kind = fields.Selection(KINDS, readonly=True)
    state = fields.Selection(lambda self: self.env["qms.complaint"]._fields["state"].selection, readonly=True)
    date_received = fields.Datetime(readonly=True)
    is_problem = fields.Boolean(string="Problem Item", readonly=True)
    has_nonconformity = fields.Boolean(string="Raised a Nonconformity", readonly=True)
    transfer_count = fields.Integer(string="Transfers", readonly=True)
    accepted_on_time = fields.Float(
        string="On-time Acceptance (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Share of the work orders assigned to the department concerned by the next working day after receipt "
             "(those still unassigned after that day count as late).")
    answered_on_time = fields.Float(
        string="On-time Answer (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Share of the work orders answered within the time limit of their kind (those still open after it "
             "count as late).")
    satisfied = fields.Float(
        string="Satisfaction (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Share of the citizens called back who were satisfied or basically satisfied.")
    sent_back = fields.Float(
        string="Send-back Rate (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Share of the work orders answered that were sent back for rework at least once.")

    def init(self):
        # the rows are computed when read (_table_query), as of the user's today
        tools.drop_view_if_exists(self.env.cr, self._table)

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        open_states = SQL(", ".join(["%s"] * len(OPEN_STATES)), *OPEN_STATES)
        return SQL(
            """SELECT c.id, c.id AS complaint_id, c.name, c.company_id, c.department_id, c.process_id, c.channel,
                      c.kind, c.state, c.date_received, COALESCE(c.is_problem, FALSE) AS is_problem,
                      c.nonconformity_id IS NOT NULL AS has_nonconformity,
                      COALESCE(c.transfer_count, 0) AS transfer_count,
                      CASE WHEN c.date_assigned IS NOT NULL
                                THEN CASE WHEN c.date_accept_by IS NULL OR c.date_assigned <= c.date_accept_by
                                          THEN 100.0 ELSE 0.0 END
                           WHEN c.state = 'received' AND c.date_accept_by < %(today)s THEN 0.0
                      END AS accepted_on_time,
                      CASE WHEN c.date_answered IS NOT NULL
                                THEN CASE WHEN c.date_deadline IS NULL OR c.date_answered <= c.date_deadline
                                          THEN 100.0 ELSE 0.0 END
                           WHEN c.state IN (%(open)s) AND c.date_deadline < %(today)s THEN 0.0
                      END AS answered_on_time,
                      CASE WHEN c.callback_result IN ('satisfied', 'basic') THEN 100.0
                           WHEN c.callback_result = 'dissatisfied' THEN 0.0
                      END AS satisfied,
                      CASE WHEN COALESCE(c.rework_count, 0) > 0 THEN 100.0
                           WHEN c.date_answered IS NOT NULL THEN 0.0
                      END AS sent_back
                 FROM qms_complaint c""",
            today=today, open=open_states,
        )
