from odoo import api, fields, models
from odoo.addons.base.models.ir_sequence import _update_nogap
from odoo.tools import SQL, OrderedSet


class QmsReferenceMixin(models.AbstractModel):
    """The record's `name` (its reference, "New" until then) numbered from the sequence `_qms_sequence_code`
    when it is created.

    Numbering is per company: a record takes the next number of its own company's sequence (the
    company it is created in, or gets from its parent: a change request from its document). A
    company without a sequence of its own gets one on its first record, copied from the shared
    sequence shipped with the addon; the copy goes on from the shared counter, so that it never
    gives again a number the shared sequence gave (on a new database that counter is still at 1).

    With `_qms_sequence_date_field`, the year in the prefix is that of the record's date rather than today's
    (and a sequence numbered per year, `use_date_range`, counts in the year of that date).

    A batch costs a few queries whatever its size: the companies and their sequences are looked up once, and
    the numbers of each sequence (each year of a sequence numbered per year) are reserved in one query, in
    the order of the batch. A standard sequence may leave gaps (a rolled-back transaction loses its numbers),
    as Odoo's; a "no gap" one stays without gaps.
    """

    _name = "qms.reference.mixin"
    _description = "QMS Numbered Reference"

    _qms_sequence_code = None
    _qms_sequence_date_field = None

    @api.model_create_multi
    def create(self, vals_list):
        new = self.env._("New")
        to_number = [vals for vals in vals_list if vals.get("name", new) == new]
        if to_number:
            for vals, name in zip(to_number, self._qms_next_references(to_number), strict=True):
                vals["name"] = name or new
        return super().create(vals_list)

    @api.model
    def _qms_next_references(self, vals_list):
        """The references of the records to create from `vals_list`, in order (False without a sequence)."""
        date_field = self._qms_sequence_date_field
        sequences = {}
        by_sequence = {}  # sequence: [(index, date or None)]
        for index, (vals, company) in enumerate(zip(vals_list, self._qms_reference_companies(vals_list), strict=True)):
            if company not in sequences:
                sequences[company] = self._qms_company_sequence(company)
            if sequences[company]:
                day = str(vals[date_field])[:10] if date_field and vals.get(date_field) else None
                by_sequence.setdefault(sequences[company], []).append((index, day))
        references = [False] * len(vals_list)
        for sequence, wanted in by_sequence.items():
            names = self._qms_reserve_references(sequence, [day for _index, day in wanted])
            for (index, _day), name in zip(wanted, names, strict=True):
                references[index] = name
        return references

    @api.model
    def _qms_reserve_references(self, sequence, days):
        """The next ``len(days)`` references of `sequence`, the i-th dated `days[i]` ('YYYY-MM-DD', None: today),
        as ``sequence.next_by_id()`` gives them one by one, reserved in one query per sequence and date range."""
        if not sequence.use_date_range:
            numbers = self._qms_reserve_numbers(sequence, len(days))
            return self._qms_format_references(sequence, numbers, [
                {"ir_sequence_date": day} if day else {} for day in days])
        # numbered per period (year): as ir.sequence._next, the date range holding the day, created when missing
        today = fields.Date.to_date(self.env.context.get("ir_sequence_date")) or fields.Date.today()
        dates = [fields.Date.to_date(day) if day else today for day in days]
        DateRange = self.env["ir.sequence.date_range"].sudo()
        ranges = DateRange.search([("sequence_id", "=", sequence.id), ("date_from", "<=", max(dates)),
                                   ("date_to", ">=", min(dates))], order="id")
        by_range = {}  # date range: [(index, date)]
        for index, date in enumerate(dates):
            date_range = next((r for r in ranges if r.date_from <= date <= r.date_to), None)
            if date_range is None:
                date_range = sequence._create_date_range_seq(date)
                ranges |= date_range
            by_range.setdefault(date_range, []).append((index, date))
        references = [False] * len(days)
        for date_range, wanted in by_range.items():
            numbers = self._qms_reserve_numbers(date_range, len(wanted))
            names = self._qms_format_references(sequence, numbers, [
                {"ir_sequence_date_range": date_range.date_from, "ir_sequence_date": date} for _index, date in wanted])
            for (index, _date), name in zip(wanted, names, strict=True):
                references[index] = name
        return references

    @api.model
    def _qms_reserve_numbers(self, counter, count):
        """`count` numbers of `counter` (an ir.sequence or one of its date ranges) in one query, in order."""
        sequence = counter if counter._name == "ir.sequence" else counter.sequence_id
        if sequence.implementation != "standard":  # no gap: the counter's row is locked until the commit
            first = _update_nogap(counter, sequence.number_increment * count)
            return [first + sequence.number_increment * n for n in range(count)]
        name = f"ir_sequence_{sequence.id:03d}" if counter == sequence else \
            f"ir_sequence_{sequence.id:03d}_{counter.id:03d}"
        rows = self.env.execute_query(SQL("SELECT nextval(%s) FROM generate_series(1, %s)", name, count))
        return sorted(row[0] for row in rows) if sequence.number_increment > 0 else \
            sorted((row[0] for row in rows), reverse=True)

    @api.model
    def _qms_format_references(self, sequence, numbers, contexts):
        """``sequence.get_next_char(number)`` in each context, its prefix and suffix interpolated once per context."""
        affixes = {}
        names = []
        for number, context in zip(numbers, contexts, strict=True):
            key = tuple(sorted(context.items()))
            if key not in affixes:
                affixes[key] = sequence.with_context(**context)._get_prefix_suffix()
            prefix, suffix = affixes[key]
            names.append(f"{prefix}{number:0{sequence.padding}d}{suffix}")  # as get_next_char
        return names

    @api.model
    def _qms_reference_companies(self, vals_list):
        """The company each record created from `vals_list` will belong to (its parents read once for all)."""
        Company = self.env["res.company"]
        field = self._fields.get("company_id")
        if field is None:
            return [self.env.company] * len(vals_list)
        if field.related:  # e.g. document_id.company_id
            parent_name, _dot, path = field.related.partition(".")
            Parent = self.env[self._fields[parent_name].comodel_name].sudo()
            parents = {parent.id: parent for parent in Parent.browse(OrderedSet(
                vals[parent_name] for vals in vals_list
                if isinstance(vals.get(parent_name), int) and vals[parent_name]))}
            companies = []
            for vals in vals_list:
                parent_id = vals.get(parent_name)
                parent = parents.get(parent_id, Parent) if isinstance(parent_id, int) else Parent.browse(parent_id)
                companies.append(parent.mapped(path)[:1] if parent else Company)
            return [company or self.env.company for company in companies]
        default = None
        companies = []
        for vals in vals_list:
            company_id = vals.get("company_id")
            if not company_id:
                if default is None:
                    default = self.default_get(["company_id"]).get("company_id") or False
                company_id = default
            companies.append(Company.browse(company_id) if company_id else self.env.company)
        return companies

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
