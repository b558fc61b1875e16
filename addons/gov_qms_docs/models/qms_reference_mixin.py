from odoo import api, models
from odoo.tools import SQL


class QmsReferenceMixin(models.AbstractModel):
    """The record's `name` (its reference, "New" until then) numbered from the sequence `_qms_sequence_code`
    when it is created.

    Numbering is per company: a record takes the next number of its own company's sequence (the
    company it is created in, or gets from its parent: a change request from its document). A
    company without a sequence of its own gets one on its first record, copied from the shared
    sequence shipped with the addon; the copy goes on from the shared counter, so that it never
    gives again a number the shared sequence gave (on a new database that counter is still at 1).

    The sequence is looked up once per company and batch (a programme plans many audits at once). With
    `_qms_sequence_date_field`, the year in the prefix is that of the record's date rather than today's.
    """

    _name = "qms.reference.mixin"
    _description = "QMS Numbered Reference"

    _qms_sequence_code = None
    _qms_sequence_date_field = None

    @api.model_create_multi
    def create(self, vals_list):
        new = self.env._("New")
        sequences = {}
        for vals in vals_list:
            if vals.get("name", new) != new:
                continue
            company = self._qms_reference_company(vals)
            if company not in sequences:
                sequences[company] = self._qms_company_sequence(company)
            sequence = sequences[company]
            if sequence and vals.get(self._qms_sequence_date_field):
                vals["name"] = sequence.with_context(
                    ir_sequence_date=str(vals[self._qms_sequence_date_field])[:10]).next_by_id()
            else:
                vals["name"] = sequence.next_by_id() if sequence else new
        return super().create(vals_list)

    @api.model
    def _qms_reference_company(self, vals):
        """The company the record created from `vals` will belong to."""
        Company = self.env["res.company"]
        field = self._fields.get("company_id")
        if field is None:
            return self.env.company
        if field.related:  # e.g. document_id.company_id
            parent_name, _dot, path = field.related.partition(".")
            parent_id = vals.get(parent_name)
            if parent_id:
                parent = self.env[self._fields[parent_name].comodel_name].sudo().browse(parent_id)
                return parent.mapped(path)[:1] or self.env.company
            return self.env.company
        company_id = vals.get("company_id") or self.default_get(["company_id"]).get("company_id")
        return Company.browse(company_id) if company_id else self.env.company

    @api.model
    def _qms_company_sequence(self, company):
        """The numbering sequence of `company`, created from the shared one on the company's first record."""
        Sequence = self.env["ir.sequence"].sudo()
        code = self._qms_sequence_code
        candidates = Sequence.search([("code", "=", code), ("company_id", "in", [company.id, False])],
                                     order="company_id, id")
        own = candidates.filtered(lambda sequence: sequence.company_id == company)[:1]
        if own or not candidates:
            return own
        shared = candidates[:1]
        # Two first records of the same company at once: the second transaction waits on this
        # row, then fails to serialize and is retried, and finds the company's sequence.
        self.env.cr.execute(SQL("UPDATE ir_sequence SET write_date = write_date WHERE id = %s", shared.id))
        return Sequence.create({
            "name": f"{shared.name} ({company.name})", "code": code, "company_id": company.id,
            "prefix": shared.prefix, "suffix": shared.suffix, "padding": shared.padding,
            "number_increment": shared.number_increment, "implementation": shared.implementation,
            "use_date_range": shared.use_date_range, "number_next": shared.number_next_actual,
        })
