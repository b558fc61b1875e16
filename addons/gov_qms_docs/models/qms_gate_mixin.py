from odoo import api, models
from odoo.exceptions import AccessError, UserError

# The mark of a dry run of a step's gate. Only Python code holds this object: a context sent over RPC is JSON and
# cannot carry it, so no client can make a real step skip the lock its gate takes (see qms.locked.mixin).
DRY_RUN = object()


def in_dry_run(model):
    return model.env.context.get("qms_gate") is DRY_RUN


class QmsGateMixin(models.AbstractModel):
    """Honest buttons: a button is shown to whoever may take its step, and to nobody else.

    Each workflow step ``action_<step>`` (or ``_action_<step>(reason)`` behind a wizard) starts with its gate,
    ``_check_<step>()``: the record's status and who may take the step (a role, the approver, the owner, the head
    of the department, write access). The gate only reads and raises a ``UserError`` (or ``AccessError``) saying
    why not; what a step needs from the record (evidence, a root cause, a reply) is checked after it, so that a
    user who may take the step sees the button and is told what is missing.

    A model declares one non-stored boolean per button, ``can_<step> = fields.Boolean(compute="_compute_qms_can")``,
    and its views show the button with ``invisible="not can_<step>"``. The one compute below runs the gate
    ``_check_<step>`` of every such field for the current user, as a dry run: the gate's lock is not taken (see
    ``qms.locked.mixin._qms_lock_for_transition``) and nothing is written. The rule lives in the gate alone: the
    server runs it when the step is taken, the form runs it to decide what to show. A pure group rule is left
    to ``groups=`` on the button.
    """

    _name = "qms.gate.mixin"
    _description = "QMS Honest Buttons"

    # fields read by the gates besides the status: a change of them in the same transaction recomputes the can_*
    _qms_gate_depends = ()

    @api.model
    def _qms_can_field_names(self):
        return [name for name, field in self._fields.items()
                if name.startswith("can_") and field.compute == "_compute_qms_can"]

    def _qms_dry(self):
        return self.with_context(qms_gate=DRY_RUN)

    def _qms_in_dry_run(self):
        return in_dry_run(self)

    def _qms_check_access(self, operation):
        """A gate's access check (e.g. write access: the record rules say who may change the record). In a dry run
        it raises without building Odoo's access error, which empties the cache of the records being computed."""
        if self._qms_in_dry_run():
            if not self.has_access(operation):
                raise AccessError(self.env._("You may not change %s.", self[:1].display_name))
        else:
            self.check_access(operation)

    def _qms_can(self, step):
        """Whether the current user may take `step` on every record now (its gate passes), without side effects."""
        if not self or not all(self._ids):
            return False
        try:
            getattr(self._qms_dry(), f"_check_{step}")()
        except (UserError, AccessError):
            return False
        return True

    def _qms_gate(self, step):
        """Raise why the current user may not take `step` on these records, without taking the step's lock
        (for the buttons that open a wizard: the step itself runs its gate again)."""
        getattr(self._qms_dry(), f"_check_{step}")()

    @api.depends(lambda self: ("state", *self._qms_gate_depends) if "state" in self._fields else self._qms_gate_depends)
    @api.depends_context("uid")
    def _compute_qms_can(self):
        names = self._qms_can_field_names()
        # every gate runs before any value is assigned: a gate that empties the cache cannot lose one
        values = [(record, {name: record._qms_can(name[len("can_"):]) for name in names}) for record in self]
        for record, record_values in values:
            record.update(record_values)
