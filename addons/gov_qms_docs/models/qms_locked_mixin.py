from odoo import api, fields, models
from odoo.exceptions import UserError


class QmsLockedMixin(models.AbstractModel):
    """Read-only once approved or closed: records in `_locked_states` refuse any change.

    Only the fields that the state machine itself moves (`_locked_writable_fields`) and
    the chatter and activity fields stay writable. This holds for every user, the
    superuser included: records are evidence (ISO 9001 7.5.3.2). The status itself only
    moves through the workflow methods (`_qms_set_state`), never by a plain write, so
    that no one can approve or close a record by editing it.
    """

    _name = "qms.locked.mixin"
    _description = "QMS Read-only Once Approved"

    _locked_states = ()
    _locked_writable_fields = frozenset({"state", "escalation_level", "date_deadline"})

    is_locked = fields.Boolean(compute="_compute_is_locked", string="Locked")

    @api.depends("state")
    def _compute_is_locked(self):
        for record in self:
            record.is_locked = record.state in self._locked_states

    def _qms_frozen_fields(self, vals):
        return sorted(
            name for name in vals
            if name not in self._locked_writable_fields and not name.startswith(("message_", "activity_"))
        )

    def _qms_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _qms_check_state(self, *states):
        """The gate of a workflow step: every record must be in one of `states`."""
        for record in self:
            if record.state not in states:
                raise UserError(self.env._("%(record)s is %(state)s: this step is not possible now.",
                                           record=record.display_name, state=record._qms_state_label()))

    def _qms_set_state(self, state, **values):
        """The one way a workflow method moves the status (see `write`)."""
        return self.with_context(qms_transition=True).write({"state": state, **values})

    def write(self, vals):
        if "state" in vals and not self.env.context.get("qms_transition"):
            raise UserError(self.env._("The status of %s changes only through its workflow buttons.",
                              self[:1].display_name or self._description))
        frozen = self._qms_frozen_fields(vals)
        if frozen:
            locked = self.filtered(lambda record: record.state in self._locked_states)
            if locked:
                raise UserError(self.env._(
                    "%(record)s can no longer be changed: it is %(state)s. "
                    "Its content is kept as evidence; start a new revision or record instead.",
                    record=locked[0].display_name, state=locked[0]._qms_state_label(),
                ))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        locked = self.filtered(lambda record: record.state in self._locked_states)
        if locked:
            raise UserError(self.env._("%(record)s is kept as evidence and cannot be deleted.",
                              record=locked[0].display_name))
