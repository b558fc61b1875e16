from datetime import datetime, timezone

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# The mark of a workflow write. Only Python code holds this object: a context sent over RPC is JSON
# and cannot carry it, so no client can pass a plain write off as a workflow step.
TRANSITION = object()


def _class_union(model, attribute):
    """The union of a frozenset class attribute over the model's classes (each mixin adds its own)."""
    names = set()
    for cls in type(model).__mro__:
        names.update(vars(cls).get(attribute, ()))
    return frozenset(names)


def workflow_field_names(model):
    """Fields that only the workflow writes: stored fields declared readonly, the stored computed and related
    ones too (the ORM recomputes them without `write`; written by hand they would say what the records do
    not), and those the model's classes list in `_qms_workflow_fields`."""
    declared = {
        name for name, field in model._fields.items()
        if field.readonly and field.store
        and name not in models.MAGIC_COLUMNS and not name.startswith(("message_", "activity_"))
    }
    return declared | _class_union(model, "_qms_workflow_fields")


def in_transition(model):
    return model.env.context.get("qms_transition") is TRANSITION


def check_workflow_fields(records, names, creating=False):
    """Refuse a plain create or write of workflow fields by a user (the superuser and workflow steps may)."""
    if records.env.su or in_transition(records):
        return
    protected = set(names) & workflow_field_names(records)
    if creating:
        protected -= _class_union(records, "_qms_create_fields")
    if not protected:
        return
    env = records.env
    labels = ", ".join(records._fields[name]._description_string(env) for name in sorted(protected))
    if creating:
        raise UserError(env._("%(fields)s of a new %(model)s are set by the workflow, not when creating it.",
                              fields=labels, model=records._description))
    if "state" in protected:
        raise UserError(env._("The status of %s changes only through its workflow buttons.",
                              records[:1].display_name or records._description))
    raise UserError(env._("%(fields)s of %(record)s change only through the workflow (its buttons), not by editing.",
                          fields=labels, record=records[:1].display_name or records._description))


class QmsLockedMixin(models.AbstractModel):
    """Workflow records: the status and the fields the workflow writes move only through the workflow,
    and the whole record is read-only once approved or closed.

    - *Workflow fields*: ``state``, every stored field declared ``readonly`` (dates of steps, who
      approved, reasons, ...) and the fields each mixin declares in ``_qms_workflow_fields``
      (escalation steps, supervision flags, the deadline). A plain ``write`` refuses them; only the
      workflow methods write them, through ``_qms_set_state`` / ``_qms_write_workflow``. At creation
      they keep their defaults, except those in ``_qms_create_fields`` (a due date chosen at
      creation, values the model's own ``create`` always sets).
    - *Locked records* (``_locked_states``): nothing changes by a plain write, the record's lines
      (``qms.locked.line.mixin``) and evidence attachments included; only a workflow step (a
      reopening with a reason, a job's bookkeeping) writes. Records are evidence (ISO 9001 7.5.3.2).
    - Records that left their first state are not deleted (``_qms_deletable_states``).

    The superuser (jobs, consequences of an authorised step run with ``sudo``) is not bound by the
    workflow-field rule, but is by the lock.
    """

    _name = "qms.locked.mixin"
    _inherit = ["qms.gate.mixin"]
    _description = "QMS Read-only Once Approved"

    _locked_states = ()
    _qms_workflow_fields = frozenset({"state"})
    _qms_create_fields = frozenset()
    _qms_deletable_states = None  # default: the first state of the selection

    is_locked = fields.Boolean(compute="_compute_is_locked", string="Locked")

    @api.depends("state")
    def _compute_is_locked(self):
        for record in self:
            record.is_locked = record.state in self._locked_states

    def _qms_lines_locked(self):
        """Whether the lines of this record (qms.locked.line.mixin) are frozen: by default, when it is locked."""
        self.ensure_one()
        return self.state in self._locked_states

    def _qms_evidence_locked(self):
        """The records whose evidence files are frozen."""
        return self.filtered(lambda record: record.state in self._locked_states)

    def _qms_frozen_attachments(self):
        """Files of these records kept as evidence whatever their state (e.g. the minutes stored each time a
        review was closed, which stay as they were when it is reopened)."""
        return self.env["ir.attachment"]

    def _qms_timestamp(self):
        """When a step is taken: Python's clock (which tests freeze), in UTC without time zone as Odoo stores it."""
        return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)

    def _qms_workflow_field_names(self):
        return workflow_field_names(self)

    def _qms_in_transition(self):
        return in_transition(self)

    def _qms_write_workflow(self, vals):
        """Write workflow fields from a workflow method (its gate has been passed)."""
        return self.with_context(qms_transition=TRANSITION).write(vals)

    def _qms_check_plain_write(self, vals):
        """What a plain write (not a workflow step) may not change, with a clear message."""
        if self._qms_in_transition() or not vals:
            return
        humans = [name for name in vals if not name.startswith(("message_", "activity_"))]
        locked = self.filtered(lambda record: record.state in self._locked_states)
        if locked and humans:
            raise UserError(self.env._(
                "%(record)s can no longer be changed: it is %(state)s. "
                "Its content is kept as evidence; start a new revision or record instead.",
                record=locked[0].display_name, state=locked[0]._qms_state_label(),
            ))
        check_workflow_fields(self, humans)

    def _qms_state_label(self, field="state"):
        self.ensure_one()
        return dict(self._fields[field]._description_selection(self.env)).get(self[field], self[field] or "")

    def _qms_lock_for_transition(self, field="state"):
        """Take these records for the workflow step about to run, before its gate reads `field`.

        The rows stay locked until the transaction ends (``FOR NO KEY UPDATE SKIP LOCKED``: others may
        still add lines or messages to them). A row that another transaction holds (a colleague's step on
        the same record, a job's batch) gives a clear error at once, before anything is done. A row that
        another transaction changed and committed since this one began cannot be locked: PostgreSQL
        raises a serialization failure, which the RPC layer retries (``odoo.service.model.retrying``); the
        retry reads the new status and the gate says why the step is no longer possible. The status the
        gate reads is the one the lock saw.

        A dry run of the gate (whether a button is shown, see qms.gate.mixin) takes no lock.
        """
        ids = [record_id for record_id in self._ids if record_id]
        if not ids or self._qms_in_dry_run():
            return
        self.flush_recordset([field])
        rows = self.env.execute_query(SQL(
            "SELECT id, %s FROM %s WHERE id IN %s FOR NO KEY UPDATE SKIP LOCKED",
            SQL.identifier(field), SQL.identifier(self._table), tuple(set(ids))))
        locked = dict(rows)
        busy = [record_id for record_id in ids if record_id not in locked]
        if busy:
            raise UserError(self.env._(
                "%s is being processed by someone else right now: reload the page and try again.",
                self.browse(busy[0]).display_name))
        stale = self.browse(list(locked)).filtered(lambda record: record[field] != (locked[record.id] or False))
        stale.invalidate_recordset([field])

    def _qms_check_state(self, *states, field="state"):
        """The gate of a workflow step: every record's `field` (its status, or a secondary status such
        as the report or an extension request) must be one of `states`. The records are locked first
        (`_qms_lock_for_transition`), so that two people cannot take the same step at once."""
        self._qms_lock_for_transition(field)
        for record in self:
            if record[field] not in states:
                if field == "state":
                    raise UserError(self.env._("%(record)s is %(state)s: this step is not possible now.",
                                               record=record.display_name, state=record._qms_state_label()))
                raise UserError(self.env._(
                    "%(record)s: %(what)s is %(value)s, so this step is not possible now.",
                    record=record.display_name, what=record._fields[field]._description_string(self.env),
                    value=record._qms_state_label(field)))

    def _qms_set_state(self, state, **values):
        """The one way a workflow method moves the status (see `write`)."""
        return self._qms_write_workflow({"state": state, **values})

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_workflow_fields(self, vals, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._qms_check_plain_write(vals)
        return super().write(vals)

    def _qms_deletable(self):
        states = self._qms_deletable_states
        if states is None:
            states = (self._fields["state"].selection[0][0],) if isinstance(self._fields["state"].selection, list) \
                else ()
        return self.filtered(lambda record: record.state in states)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        kept = self - self._qms_deletable()
        if kept:
            raise UserError(self.env._(
                "%(record)s is kept as evidence and cannot be deleted (it is %(state)s): cancel or archive it instead.",
                record=kept[0].display_name, state=kept[0]._qms_state_label()))
