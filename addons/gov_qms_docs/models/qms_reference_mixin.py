from odoo import api, models


class QmsReferenceMixin(models.AbstractModel):
    """The record's `name` (its reference, "New" until then) numbered from the sequence `_qms_sequence_code`
    when it is created.

    The sequence is looked up once per batch (a programme plans many audits at once). With
    `_qms_sequence_date_field`, the year in the prefix is that of the record's date rather than today's.
    """

    _name = "qms.reference.mixin"
    _description = "QMS Numbered Reference"

    _qms_sequence_code = None
    _qms_sequence_date_field = None

    @api.model_create_multi
    def create(self, vals_list):
        new = self.env._("New")
        unnamed = [vals for vals in vals_list if vals.get("name", new) == new]
        if unnamed:
            sequence = self.env["ir.sequence"].sudo().search(
                [("code", "=", self._qms_sequence_code), ("company_id", "in", [self.env.company.id, False])],
                order="company_id", limit=1)
            for vals in unnamed:
                if sequence and self._qms_sequence_date_field:
                    vals["name"] = sequence.with_context(
                        ir_sequence_date=vals.get(self._qms_sequence_date_field)).next_by_id()
                else:
                    vals["name"] = sequence.next_by_id() if sequence else new
        return super().create(vals_list)
