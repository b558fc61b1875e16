from odoo import api, models, tools
from odoo.exceptions import UserError


class IrAttachment(models.Model):
    """Evidence stays as it was: the files of a locked QMS record (attached to it, or linked as its
    evidence) cannot be replaced, changed or deleted."""

    _inherit = "ir.attachment"

    @api.model
    @tools.ormcache()
    def _qms_locked_models(self):
        """QMS models whose records (or whose lines' parents) can be locked, with their evidence fields."""
        mixins = (self.pool["qms.locked.mixin"], self.pool["qms.locked.line.mixin"])
        return tuple(
            (name, tuple(field.name for field in model._fields.values()
                         if field.type == "many2many" and field.comodel_name == "ir.attachment" and field.store))
            for name, model in self.env.items()
            if not model._abstract and not model._transient and isinstance(model, mixins)
        )

    def _qms_locked_owner(self, linked=True):
        """The first locked QMS record whose evidence these attachments are, or an empty recordset."""
        locked_models = dict(self._qms_locked_models())
        sudo_self = self.sudo()
        by_model = {}
        for attachment in sudo_self:
            if attachment.res_model in locked_models and attachment.res_id:
                by_model.setdefault(attachment.res_model, set()).add(attachment.res_id)
        for model_name, ids in by_model.items():
            records = self.env[model_name].sudo().browse(ids).exists()
            locked = records._qms_evidence_locked()
            if locked:
                return locked[:1]
            frozen = records._qms_frozen_attachments() & sudo_self  # kept whatever the record's state
            if frozen:
                return records.browse(frozen[0].res_id)
        if not linked:  # a new file is linked to nothing yet
            return self.env["ir.attachment"].browse()
        # files linked as evidence through a many2many field (uploaded from the form)
        for model_name, field_names in locked_models.items():
            for field_name in field_names:
                records = self.env[model_name].sudo().search([(field_name, "in", self.ids)])
                locked = records._qms_evidence_locked()
                if locked:
                    return locked[:1]
        return self.env["ir.attachment"].browse()

    def _qms_check_evidence_unlocked(self, linked=True):
        if not self:
            return
        owner = self._qms_locked_owner(linked)
        if owner:
            raise UserError(self.env._(
                "This file is evidence of %s, which is locked: it can no longer be replaced or deleted.",
                owner.display_name))

    def write(self, vals):
        if set(vals) - {"access_token", "original_id"}:
            self._qms_check_evidence_unlocked()
        result = super().write(vals)
        if {"res_model", "res_id"} & set(vals):
            self._qms_check_evidence_unlocked()  # nor moved onto a locked record
        return result

    @api.model_create_multi
    def create(self, vals_list):
        attachments = super().create(vals_list)
        attachments._qms_check_evidence_unlocked(linked=False)  # no file is added to a locked record
        return attachments

    @api.ondelete(at_uninstall=False)
    def _unlink_except_qms_evidence(self):
        self._qms_check_evidence_unlocked()
