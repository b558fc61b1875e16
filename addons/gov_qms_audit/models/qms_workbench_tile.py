from odoo import fields, models
from odoo.addons.gov_qms_docs.tools.month import month_label


class QmsWorkbenchTile(models.Model):
    _inherit = "qms.workbench.tile"

    code = fields.Selection(selection_add=[
        ("audit_my_month", "My audits this month"),
        ("audit_checklists", "Checklists to fill"),
        ("audit_provisional", "My departments this month"),
        ("audit_ranking", "Department ranking of the month"),
        ("audit_trend", "On-time closure trend"),
    ], ondelete=dict.fromkeys((
        "audit_my_month", "audit_checklists", "audit_provisional", "audit_ranking", "audit_trend"), "cascade"))

    def _qms_my_audits_domain(self):
        return ["|", ("lead_auditor_id.user_id", "=", self.env.uid), ("team_ids.user_id", "=", self.env.uid)]

    def _qms_tile_audit_my_month(self, today):
        start, end = self._qms_month_bounds(today)
        # the audits I lead or am on; a head's also those of the departments they head
        mine = self._qms_my_audits_domain()
        if self.env.user.has_group("gov_qms_docs.group_qms_department_head"):
            mine = ["|", *mine, ("qms_in_my_departments", "=", True)]
        return {"model": "qms.audit", "action": "gov_qms_audit.qms_audit_action",
                "domain": [*mine, ("state", "!=", "cancelled"), ("date_start", ">=", start), ("date_start", "<", end)]}

    def _qms_tile_audit_checklists(self, today):
        return {"model": "qms.audit", "action": "gov_qms_audit.qms_audit_action_my",
                "domain": [*self._qms_my_audits_domain(), ("state", "=", "in_progress"),
                           ("line_ids", "any", [("result", "=", False)])]}

    # the QMS office's and the heads' tables: from the dashboard's figures of the month, read once per workbench

    def _qms_month_kpi(self, today, memo):
        if "month" not in memo:
            memo["month"] = self.env["qms.dashboard"]._qms_kpi_data(today.replace(day=1), today, with_audits=False)
        return memo["month"]

    def _qms_open_dashboard(self, date_from, date_to):
        return self.env["qms.dashboard"]._qms_open_dashboard(date_from, date_to)

    def _qms_active_rows(self, rows):
        """The rows with something to show (closed, overdue or supervised), and a note on those left out."""
        active = [row for row in rows if row["closed"] or row["overdue"] or row["supervised"]]
        quiet = len(rows) - len(active)
        if quiet == 1:
            note = self.env._("1 other department: nothing closed or overdue")
        elif quiet:
            note = self.env._("%s other departments: nothing closed or overdue", quiet)
        else:
            note = ""
        return active, note

    def _qms_tile_audit_provisional(self, today):
        def html(memo):
            data = self._qms_month_kpi(today, memo)
            mine = set(self.env.user.qms_managed_department_ids.ids)
            rows, quiet_note = self._qms_active_rows([row for row in data["ranking"] if row["department_id"] in mine])
            return self.env["ir.qweb"]._render("gov_qms_audit.qms_workbench_provisional", {
                "rows": rows, "quiet_note": quiet_note, "rate_label": self._qms_rate_label,
                "note": self.env._("%s, provisional: the scorecard is published after the month by the QMS office",
                                   month_label(self.env, today))})
        return {"html": html, "open": lambda: self._qms_open_dashboard(today.replace(day=1), today)}

    def _qms_tile_audit_ranking(self, today):
        def html(memo):
            data = self._qms_month_kpi(today, memo)
            rows, quiet_note = self._qms_active_rows(data["ranking"])
            return self.env["ir.qweb"]._render("gov_qms_audit.qms_workbench_ranking", {
                "rows": rows[:12], "quiet_note": quiet_note, "month": month_label(self.env, today),
                "rate_label": self._qms_rate_label})
        return {"html": html, "open": lambda: self._qms_open_dashboard(today.replace(day=1), today)}

    def _qms_tile_audit_trend(self, today):
        start = self.env["qms.dashboard"]._qms_default_date_from(today)

        def html(memo):
            return self.env["ir.qweb"]._render("gov_qms_audit.qms_workbench_trend", {
                "chart": self._qms_trend_chart(start, today)})
        return {"html": html, "open": lambda: self._qms_open_dashboard(start, today)}

    def _qms_rate_label(self, rate):
        """Compact, for the tiles: 87 %, or a dash when nothing was closed."""
        return "—" if rate is None else f"{rate:.0f} %"

    def _qms_trend_chart(self, start, today):
        """The on-time closure rate of the last months, as bars (one grouped query)."""
        closed = {}
        for month, on_time, count in self.env["qms.nonconformity"]._read_group(
                [("date_closed", ">=", start), ("date_closed", "<=", today)], ["date_closed:month", "closed_on_time"],
                ["__count"]):
            total, timely = closed.get(month, (0, 0))
            closed[month] = (total + count, timely + (count if on_time else 0))
        width, height, top, bottom = 280, 130, 16, 22
        months = self.env["qms.dashboard"]._qms_months(start, today)
        slot = width / len(months)
        bars = []
        for index, month in enumerate(months):
            total, timely = closed.get(month, (0, 0))
            rate = round(100.0 * timely / total, 1) if total else None
            bar_height = (height - top - bottom) * (rate or 0) / 100.0
            bars.append({
                "x": round(index * slot + slot * 0.2, 1), "width": round(slot * 0.6, 1),
                "y": round(height - bottom - bar_height, 1), "height": round(bar_height, 1),
                "label_x": round(index * slot + slot / 2, 1), "label": month_label(self.env, month, style="month"),
                "value": self._qms_rate_label(rate), "closed": total,
            })
        return {"width": width, "height": height, "base": height - bottom, "bars": bars}
