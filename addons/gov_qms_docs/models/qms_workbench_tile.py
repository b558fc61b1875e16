from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

SECTIONS = [("mine", "My Work"), ("departments", "My Departments"), ("audits", "Audits"), ("office", "QMS Office")]


class QmsWorkbenchTile(models.Model):
    """A tile of 我的工作台 (My Workbench), the home of every QMS user.

    The tiles are shipped records (one per kind of work, ``code``), shown to the users of their groups. Their
    figures are computed for whoever reads them, with that user's access rights and record rules: one grouped
    query per tile (``_read_group`` on the deadline's day gives the total, the overdue and the due-soon counts
    at once, ``search_count`` otherwise), never a query per record. Clicking a tile opens the list behind its
    count. Each kind of tile is a method ``_qms_tile_<code>(today)`` returning its spec (see ``_qms_spec``); the
    addons add their kinds with ``selection_add`` and their records in data.
    """

    _name = "qms.workbench.tile"
    _description = "Workbench Tile"
    _order = "section_sequence, sequence, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Char(translate=True, help="One line under the title: what the count is.")
    code = fields.Selection([
        ("doc_read", "Documents to read"),
        ("doc_review", "Revisions to review"),
        ("doc_approve", "Revisions to approve"),
    ], required=True, help="The kind of work the tile counts.")
    sequence = fields.Integer(default=10)
    section = fields.Selection(SECTIONS, required=True, default="mine", group_expand="_read_group_expand_section")
    section_sequence = fields.Integer(compute="_compute_section_sequence", store=True)
    group_ids = fields.Many2many("res.groups", string="Shown To",
                                 help="The tile is on the workbench of the members of these groups (everyone when "
                                      "empty).")
    active = fields.Boolean(default=True)
    show_count = fields.Boolean(default=True, help="A figure tile; otherwise the tile shows a table or a chart.")
    alert_when_positive = fields.Boolean(help="The count itself is shown in red when it is not zero.")
    is_mine = fields.Boolean(compute="_compute_is_mine", search="_search_is_mine")
    count = fields.Integer(compute="_compute_figures")
    overdue_count = fields.Integer(string="Overdue", compute="_compute_figures")
    soon_count = fields.Integer(string="Due Soon", compute="_compute_figures")
    body_html = fields.Html(compute="_compute_figures", sanitize=False)

    _code_uniq = models.Constraint("UNIQUE(code)", "There is one tile per kind of work.")

    @api.depends("section")
    def _compute_section_sequence(self):
        order = {key: index for index, (key, _label) in enumerate(SECTIONS)}
        for tile in self:
            tile.section_sequence = order.get(tile.section, len(SECTIONS))

    @api.model
    def _read_group_expand_section(self, sections, domain):
        """The columns in their fixed order, those with tiles only."""
        return [key for key, _label in SECTIONS if key in sections]

    @api.depends_context("uid")
    def _compute_is_mine(self):
        groups = self.env.user.all_group_ids
        for tile in self:
            tile.is_mine = not tile.group_ids or bool(tile.group_ids & groups)

    def _search_is_mine(self, operator, value):
        if operator != "in":
            return NotImplemented
        return Domain("group_ids", "=", False) | Domain("group_ids", "in", self.env.user.all_group_ids.ids)

    # ------------------------------------------------------------------ figures

    @api.model
    def _qms_today(self):
        return fields.Date.context_today(self)

    @api.model
    def _qms_soon_limit(self, today):
        """Due soon: by the day the ladder reminds the owner (the company's reminder, in working days)."""
        days = self.env.company.qms_reminder_days
        return self.env["qms.deadline.mixin"]._qms_add_working_days(today, days) if days else today

    def _qms_spec(self, today):
        """What the tile counts, for the current user: a dict with

        - ``model`` and ``domain``: the records counted (read with the user's rights and record rules);
        - ``deadline``: a date field whose past days are overdue and near days due soon (optional);
        - ``action``: the xmlid of the window action whose views open the records (optional);
        - ``html``: a callable returning the body of a table or chart tile, given a dict in which the tiles of one
          workbench keep the figures they share (optional);
        - ``open``: a callable returning the action the tile opens, when it is not the list of the records.
        """
        self.ensure_one()
        method = getattr(self, f"_qms_tile_{self.code}", None)
        return method(today) if method else {}

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_figures(self):
        today = self._qms_today()
        soon = None
        memo = {}  # figures several tiles show, read once
        for tile in self:
            spec = tile._qms_spec(today)
            count = overdue = due_soon = 0
            body = False
            if spec.get("model") and self.env[spec["model"]].has_access("read"):
                Model = self.env[spec["model"]]
                deadline = spec.get("deadline")
                if deadline:
                    soon = soon or self._qms_soon_limit(today)
                    for day, day_count in Model._read_group(spec["domain"], [f"{deadline}:day"], ["__count"]):
                        count += day_count
                        if day and day < today:
                            overdue += day_count
                        elif day and day <= soon:
                            due_soon += day_count
                else:
                    count = Model.search_count(spec["domain"])
            if spec.get("html"):
                body = spec["html"](memo)
            if "count" in spec:
                count = spec["count"]
            tile.count, tile.overdue_count, tile.soon_count, tile.body_html = count, overdue, due_soon, body

    # ------------------------------------------------------------------ opening the records

    def _qms_open(self, extra_domain=None, subtitle=None):
        self.ensure_one()
        spec = self._qms_spec(self._qms_today())
        if spec.get("open"):
            return spec["open"]()
        if not spec.get("model"):
            return False
        if spec.get("action"):
            action = self.env["ir.actions.act_window"]._for_xml_id(spec["action"])
        else:
            action = {"type": "ir.actions.act_window", "res_model": spec["model"],
                      "views": [(False, "list"), (False, "form")]}
        domain = Domain.AND([spec["domain"], extra_domain or []])
        views = [view for view in action.get("views", []) if view[1] in ("list", "form", "kanban")]
        action.update({
            "name": f"{self.name}: {subtitle}" if subtitle else self.name,
            "domain": list(domain),
            "context": {**spec.get("context", {})},
            "views": views or [(False, "list"), (False, "form")],
            "target": "current",
        })
        return action

    def action_open(self):
        return self._qms_open()

    def action_open_overdue(self):
        spec = self._qms_spec(self._qms_today())
        if not spec.get("deadline"):
            return self._qms_open()
        return self._qms_open([(spec["deadline"], "<", self._qms_today())], self.env._("overdue"))

    def action_open_soon(self):
        spec = self._qms_spec(self._qms_today())
        today = self._qms_today()
        if not spec.get("deadline"):
            return self._qms_open()
        return self._qms_open([(spec["deadline"], ">=", today), (spec["deadline"], "<=", self._qms_soon_limit(today))],
                              self.env._("due soon"))

    # ------------------------------------------------------------------ the kinds of tile of this addon

    def _qms_tile_doc_read(self, today):
        return {"model": "qms.document.acknowledgement", "deadline": "date_deadline",
                "domain": [("user_id", "=", self.env.uid), ("state", "=", "pending")],
                "action": "gov_qms_docs.qms_document_acknowledgement_action_mine"}

    def _qms_tile_doc_review(self, today):
        return {"model": "qms.document.revision",
                "domain": [("state", "=", "in_review"), ("reviewer_ids", "in", self.env.uid)],
                "action": "gov_qms_docs.qms_document_revision_action_to_approve"}

    def _qms_tile_doc_approve(self, today):
        return {"model": "qms.document.revision",
                "domain": [("state", "=", "in_review"), ("approver_id", "=", self.env.uid)],
                "action": "gov_qms_docs.qms_document_revision_action_to_approve"}

    @api.model
    def _qms_month_bounds(self, today):
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return start, end
