from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    qms_managed_department_ids = fields.Many2many(
        "hr.department", string="Departments Headed", compute="_compute_qms_managed_department_ids",
        help="Departments this user manages, with all their sub-departments.",
    )
    # For checks in Python (e.g. who may triage or close). Record rules do not use it: they search
    # `qms_in_my_departments` (qms.department.scope.mixin), evaluated when each query runs.

    qms_digest = fields.Boolean(
        string="Daily QMS Digest", default=True,
        help="One e-mail a day listing your QMS items due soon, overdue or supervised, and what waits for you "
             "(documents to read, review or approve, checklists...); none on days with nothing to list.")
    qms_digest_date = fields.Date(string="Last QMS Digest", readonly=True, copy=False, groups="base.group_system",
                                  help="The day of the last daily digest done for this user (never twice a day).")

    @property
    def SELF_READABLE_FIELDS(self):
        return [*super().SELF_READABLE_FIELDS, "qms_digest"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return [*super().SELF_WRITEABLE_FIELDS, "qms_digest"]

    def _compute_qms_managed_department_ids(self):
        Department = self.env["hr.department"].sudo().with_context(active_test=False)
        for user in self:
            headed = Department.search([("manager_id.user_id", "=", user.id)]) if user.id else Department
            user.qms_managed_department_ids = Department.search([("id", "child_of", headed.ids)]) if headed \
                else Department

    # ------------------------------------------------------------------ home: My Workbench

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._qms_set_workbench_home()
        return users

    def write(self, vals):
        # a portal user made an employee gets the workbench too; a home an administrator cleared stays cleared
        portal = self.filtered("share") if "group_ids" in vals else self.browse()
        result = super().write(vals)
        if portal:
            portal._qms_set_workbench_home()
        return result

    def _qms_set_workbench_home(self):
        """Internal users without a home action land on My Workbench (我的工作台): every employee is a QMS user
        (base.group_user implies the QMS viewer). A home action chosen for the user is kept."""
        action = self.env.ref("gov_qms_docs.qms_workbench_action", raise_if_not_found=False)
        users = self.filtered(lambda user: not user.action_id and not user.share)
        if action and users:
            users.sudo().write({"action_id": action.id})

    @api.model
    def _qms_demo_workbench_home(self):
        """Demo data: the administrator and every demo user land on My Workbench."""
        users = self.with_context(active_test=False).search([("share", "=", False)])
        (users.filtered(lambda user: not user.action_id) | self.env.ref("base.user_admin"))._qms_force_workbench_home()

    def _qms_force_workbench_home(self):
        action = self.env.ref("gov_qms_docs.qms_workbench_action", raise_if_not_found=False)
        if action:
            self.sudo().write({"action_id": action.id})
