from odoo import api, models
from odoo.exceptions import UserError

from .qms_locked_mixin import TRANSITION, check_workflow_fields


class QmsLockedLineMixin(models.AbstractModel):
    """A line of a QMS record (5 Whys step, fishbone cause, checklist line, finding, control point...).

    The line follows its parent, named by `_qms_lock_parent`: it is created, changed or deleted only
    by someone who may change the parent, and never once the parent is locked. A parent says when
    its lines are frozen with `_qms_lines_locked()` (by default: when the parent itself is locked).
    As on their parents, the fields the workflow writes (declared readonly) are not written by hand.
    """

    _name = "qms.locked.line.mixin"
    _description = "QMS Line of a Locked Record"

    _qms_lock_parent = None  # name of the many2one to the parent record

    def _qms_lines_locked(self):
        """A line that has lines of its own freezes them with itself."""
        self.ensure_one()
        return self._qms_parents()._qms_lines_locked()

    def _qms_evidence_locked(self):
        """The lines whose evidence files are frozen: those of a frozen parent."""
        return self.filtered(lambda line: line._qms_parent_frozen(line._qms_parents()))

    def _qms_frozen_attachments(self):
        return self.env["ir.attachment"]

    def _qms_parent_frozen(self, parent):
        """Whether `parent` freezes lines of this kind (a line model may tighten or loosen its parent's rule)."""
        return parent._qms_lines_locked()

    def _qms_parents(self):
        return self.mapped(self._qms_lock_parent)

    def _qms_check_parent_open(self, parents=None):
        parents = self._qms_parents() if parents is None else parents
        if not parents:
            return
        if not self.env.su:
            parents.check_access("write")
        frozen = parents.filtered(self._qms_parent_frozen)
        if frozen:
            parent = frozen[0]
            state = parent._qms_state_label() if "state" in parent._fields and hasattr(parent, "_qms_state_label") \
                else ""
            raise UserError(self.env._(
                "%(lines)s of %(record)s can no longer change: it is %(state)s and its content is kept as evidence.",
                lines=self._description, record=parent.display_name, state=state))

    def _qms_write_workflow(self, vals):
        return self.with_context(qms_transition=TRANSITION).write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_workflow_fields(self, vals, creating=True)
        records = super().create(vals_list)
        records._qms_check_parent_open()
        return records

    def write(self, vals):
        check_workflow_fields(self, vals)
        parents = self._qms_parents()
        self._qms_check_parent_open(parents)
        if self._qms_lock_parent in vals and any(line[self._qms_lock_parent].id != vals[self._qms_lock_parent]
                                                 for line in self):
            raise UserError(self.env._("A %s stays with the record it was written for: add a new one there instead.",
                                       self._description))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_parent_open(self):
        self._qms_check_parent_open()
