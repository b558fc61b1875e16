from odoo import fields, models

from .qms_complaint import OPEN_STATES as COMPLAINT_OPEN_STATES
from .qms_nonconformity import OPEN_STATES


class QmsWorkbenchTile(models.Model):
    _inherit = "qms.workbench.tile"

    code = fields.Selection(selection_add=[
        ("capa_my_actions", "My actions"),
        ("capa_my_ncs", "My nonconformities"),
        ("capa_my_checks", "My effectiveness checks"),
        ("capa_my_complaints", "My citizen work orders"),
        ("capa_supervised", "Supervised items"),
        ("capa_dept_ncs", "Nonconformities of my departments"),
        ("capa_dept_actions", "Actions of my departments"),
        ("capa_extensions", "Extension requests to decide"),
        ("capa_to_triage", "Nonconformities to triage"),
    ], ondelete=dict.fromkeys((
        "capa_my_actions", "capa_my_ncs", "capa_my_checks", "capa_my_complaints", "capa_supervised",
        "capa_dept_ncs", "capa_dept_actions", "capa_extensions", "capa_to_triage"), "cascade"))

    def _qms_tile_capa_my_actions(self, today):
        return {"model": "qms.action", "deadline": "date_deadline",
                "domain": [("owner_id", "=", self.env.uid), ("state", "=", "open")],
                "action": "gov_qms_capa.qms_action_action_mine"}

    def _qms_tile_capa_my_ncs(self, today):
        return {"model": "qms.nonconformity", "deadline": "date_deadline",
                "domain": [("owner_id", "=", self.env.uid), ("state", "in", OPEN_STATES)],
                "action": "gov_qms_capa.qms_nonconformity_action"}

    def _qms_tile_capa_my_checks(self, today):
        return {"model": "qms.effectiveness.check", "deadline": "date_due",
                "domain": [("checker_id", "=", self.env.uid), ("state", "=", "pending")],
                "action": "gov_qms_capa.qms_effectiveness_check_action"}

    def _qms_tile_capa_my_complaints(self, today):
        # the work order's handler, or its receiver until it is assigned (as the ladder reminds them)
        return {"model": "qms.complaint", "deadline": "date_deadline",
                "domain": [("state", "in", COMPLAINT_OPEN_STATES), "|", ("owner_id", "=", self.env.uid),
                           "&", ("owner_id", "=", False), ("receiver_id", "=", self.env.uid)],
                "action": "gov_qms_capa.qms_complaint_action"}

    def _qms_tile_capa_supervised(self, today):
        # the board's record rules give a head the items of their departments, the QMS office all of them
        return {"model": "qms.supervised.item", "domain": [], "action": "gov_qms_capa.qms_supervised_item_action"}

    def _qms_tile_capa_dept_ncs(self, today):
        return {"model": "qms.nonconformity", "deadline": "date_deadline",
                "domain": [("qms_in_my_departments", "=", True), ("state", "in", OPEN_STATES)],
                "action": "gov_qms_capa.qms_nonconformity_action"}

    def _qms_tile_capa_dept_actions(self, today):
        return {"model": "qms.action", "deadline": "date_deadline",
                "domain": [("qms_in_my_departments", "=", True), ("state", "=", "open")],
                "action": "gov_qms_capa.qms_action_action"}

    def _qms_tile_capa_extensions(self, today):
        domain = [("state", "=", "open"), ("extension_state", "=", "requested")]
        if not self.env.user.has_group("gov_qms_docs.group_qms_manager"):
            domain.append(("qms_in_my_departments", "=", True))  # the QMS office decides them all
        return {"model": "qms.action", "domain": domain, "action": "gov_qms_capa.qms_action_action"}

    def _qms_tile_capa_to_triage(self, today):
        return {"model": "qms.nonconformity", "domain": [("state", "=", "new")],
                "action": "gov_qms_capa.qms_nonconformity_action"}
