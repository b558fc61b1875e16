from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.qms_nonconformity import OPEN_STATES

LADDER_FIELDS = ["is_supervised", "date_supervised", "date_deadline", "department_id", "company_id", "owner_id",
                 "state"]


class QmsSupervisedItem(models.Model):
    """The supervision board (挂牌督办): open nonconformities and actions that became supervised items."""

    _name = "qms.supervised.item"
    _description = "Supervised Item"
    _inherit = ["qms.department.scope.mixin"]
    _auto = False
    _order = "date_deadline, id"
    _depends = {  # flushed before the view is read
        "qms.nonconformity": ["name", "title", *LADDER_FIELDS],
        "qms.action": ["name", "nonconformity_id", *LADDER_FIELDS],
    }

    item_type = fields.Selection([("nonconformity", "Nonconformity"), ("action", "Action")], readonly=True)
    res_model = fields.Char(readonly=True)
    res_id = fields.Many2oneReference(model_field="res_model", readonly=True)
    name = fields.Char(string="Item", readonly=True)
    nonconformity_id = fields.Many2one("qms.nonconformity", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    department_id = fields.Many2one("hr.department", readonly=True)
    owner_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    date_deadline = fields.Date(string="Was Due", readonly=True)
    date_supervised = fields.Date(string="Supervised Since", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")

    def init(self):
        # the rows are computed when read (_table_query): drop the SQL view of earlier versions
        tools.drop_view_if_exists(self.env.cr, self._table)

    @property
    def _table_query(self):
        """The board as of the user's today (a Python date, so that tests can freeze it)."""
        today = fields.Date.context_today(self)
        open_states = SQL(", ".join(["%s"] * len(OPEN_STATES)), *OPEN_STATES)
        return SQL(
            """SELECT nc.id * 2 AS id, 'nonconformity' AS item_type, 'qms.nonconformity' AS res_model,
                      nc.id AS res_id, nc.name || ' ' || nc.title AS name, nc.id AS nonconformity_id,
                      nc.company_id, nc.department_id, nc.owner_id, nc.date_deadline, nc.date_supervised,
                      %(today)s - nc.date_deadline AS days_overdue
                 FROM qms_nonconformity nc
                WHERE nc.is_supervised AND nc.state IN (%(open)s)
               UNION ALL
               SELECT a.id * 2 + 1, 'action', 'qms.action', a.id, a.name, a.nonconformity_id,
                      a.company_id, a.department_id, a.owner_id, a.date_deadline, a.date_supervised,
                      %(today)s - a.date_deadline
                 FROM qms_action a
                WHERE a.is_supervised AND a.state = 'open'""",
            today=today, open=open_states,
        )

    def action_open_item(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self.res_model, "res_id": self.res_id,
                "view_mode": "form", "target": "current"}
