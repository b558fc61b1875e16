import csv
import io

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools import file_open

from .qms_locked_mixin import TRANSITION

DEMO_CONTEXT = {"tracking_disable": True, "mail_notrack": True, "mail_create_nolog": True,
                "qms_transition": TRANSITION}


def _html_replace(html, english, text):
    """`english` replaced by `text` in a stored message body, quotes escaped or not (the sanitizer keeps them
    plain, a Markup format escapes them)."""
    for escaped in dict.fromkeys((str(escape(english)), english.replace("&", "&amp;").replace("<", "&lt;")
                                  .replace(">", "&gt;"))):
        html = html.replace(escaped, str(escape(text)))
    return html


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    @api.model
    def _qms_demo_lang(self):
        """The language of the demo municipality: the main company's, which Odoo sets to the first language loaded
        when the database is created (``--load-language``, ``./qms run``); None for English or a language not
        installed."""
        company = self.env.ref("base.main_company", raise_if_not_found=False)
        lang = company.partner_id.lang if company else None
        return lang if lang and lang != "en_US" and lang in dict(self.env["res.lang"].get_installed()) else None

    @api.model
    def _qms_load_demo_terms(self, module):
        """The translations of `module` in the demo language, loaded before its demo data, by a ``<function>`` at
        the start of it: Odoo loads them only after the demo, and what the demo's steps generate (the names of
        the models in "... created", the labels of a selection, the checklist questions taken from the question
        bank) would be written in English. Nothing happens in English."""
        lang = self._qms_demo_lang()
        if lang:
            self.env.flush_all()
            self._load_module_terms([module], [lang])
            self.env.invalidate_all()  # the terms are written in SQL: the names read before are stale
        return bool(lang)

    @api.model
    def _qms_localise_demo(self, module, lang=None):
        """Put the demo data of `module` in the demo language (`_qms_demo_lang`, or `lang`): the rows of
        ``<module>/demo/<lang>.csv``, called by a ``<function>`` at the end of the module's demo data.

        Each row is ``id,field,value``: the xml id of a demo record (the module's own when it has no module
        prefix), the field, and its value in that language. The field may be a path through relations, for the
        records the demo made without an xml id: ``name=value`` picks the related records with that value, a
        number the n-th in their order, ``*`` all of them (``why_ids/sequence=2/answer``,
        ``check_ids/1/evidence_note``, ``audit_ids/*/objectives``). ``{year}``, ``{last_year}`` and
        ``{next_year}`` in a value are today's year and the years around it (the demo is dated relative to its
        installation).

        A translatable field (the name of a department or a process) gets its translation in that language only,
        so the English stays for English users; any other field (a nonconformity's title, a user's name) is
        written as it is, without tracking and through the workflow's write, as the demo data itself was. The
        notes already written in those records' chatter get the new text in place of the English one (a reason
        quoted in "Cancelled: ..."); a row whose field is ``chatter`` only does that, for a text no field keeps
        (``English => translation``: a transfer's reason). A field ending with ``~`` gets the English part of
        its value replaced (``English => translation``), for texts the code composed from demo texts (the
        question of a checklist line, the description of an action raised from a review decision). Nothing
        happens for English, or when the module has no file for the language. Returns the number of values written.
        """
        lang = lang or self._qms_demo_lang()
        if not lang:
            return 0
        try:
            with file_open(f"{module}/demo/{lang}.csv", "rb") as file:
                rows = list(csv.DictReader(io.StringIO(file.read().decode("utf-8"))))
        except FileNotFoundError:
            return 0
        year = fields.Date.context_today(self).year
        names = {"{year}": year, "{last_year}": year - 1, "{next_year}": year + 1}
        plain, translated, quoted = {}, {}, {}  # record -> {field: value}; record -> [(English, translation)]
        for row in rows:
            xmlid = row["id"] if "." in row["id"] else f"{module}.{row['id']}"
            value = row["value"]
            for token, number in names.items():
                value = value.replace(token, str(number))
            *path, name = row["field"].split("/")
            english, _sep, text = value.partition(" => ")
            for record in self._qms_demo_targets(self.env.ref(xmlid), path):
                if name == "chatter":  # a text the demo gave a step and only its chatter note quotes
                    quoted.setdefault(record, []).append((english, text))
                elif name.endswith("~"):  # a part of a text the code composed from demo texts (a question...)
                    current = plain.get(record, {}).get(name[:-1], record[name[:-1]]) or ""
                    if english in current:
                        plain.setdefault(record, {})[name[:-1]] = current.replace(english, text)
                else:
                    (translated if record._fields[name].translate else plain).setdefault(record, {})[name] = value
        for record, values in translated.items():
            for name, value in values.items():
                record._update_field_translations(name, {lang: value})
        replacements = {record: list(pairs) for record, pairs in quoted.items()}
        for model, records in self._qms_group_by_model(plain).items():
            env_records = self.env[model].with_context(**DEMO_CONTEXT)
            for record in records:
                replacements.setdefault(record, []).extend(
                    (record[name], value) for name, value in plain[record].items()
                    if isinstance(record[name], str) and len(record[name]) > 3)
            if getattr(env_records, "_qms_lock_parent", None):
                # lines (5 Whys steps, checklist lines...) of a record kept as evidence refuse any change, the
                # workflow's too: their texts are written below those checks, in one update per set of fields
                lines = env_records.browse([record.id for record in records])
                lines.flush_recordset()
                lines._write_multi([plain[record] for record in records])
                lines.invalidate_recordset(list({name for record in records for name in plain[record]}))
                continue
            for record in records:  # the ORM sends the updates in one batch per model when flushed
                env_records.browse(record.id).write(plain[record])
        for model, records in self._qms_group_by_model(replacements).items():
            self._qms_demo_rewrite_messages(model, {record: replacements[record] for record in records})
        for model, records in self._qms_group_by_model(plain).items():
            self._qms_demo_refresh_names(model, [record.id for record in records], lang)
        # the notes of every record name the people who acted ("Reviewed by Zhang Wei: no objection")
        self._qms_demo_rewrite_names([pair for record, pairs in replacements.items() if record._name == "res.users"
                                      for pair in pairs])
        self.env.flush_all()
        return sum(len(values) for values in (*plain.values(), *translated.values(), *quoted.values()))

    @api.model
    def _qms_demo_targets(self, record, path):
        records = record
        for step in path:
            if step == "*":
                continue
            if "=" in step:  # the records whose field has that value: why_ids/sequence=2
                name, value = step.split("=", 1)
                records = records.filtered(lambda record, name=name, value=value: str(record[name]) == value)
            else:
                records = records[int(step) - 1] if step.isdigit() else records[step]
        return records

    @api.model
    def _qms_group_by_model(self, values):
        grouped = {}
        for record in values:
            grouped.setdefault(record._name, []).append(record)
        return grouped

    @api.model
    def _qms_demo_refresh_names(self, model, ids, lang):
        """The names of these records, kept as they were by the records that point to them (a to-do's record
        name, a scorecard deduction's item), written again, in one update per kind."""
        records = self.env[model].with_context(lang=lang).browse(ids)
        for holder, name_field in (("mail.activity", "res_name"), ("qms.score.deduction", "item_name")):
            if holder not in self.env:
                continue
            holders = self.env[holder].sudo().search([("res_model", "=", model), ("res_id", "in", ids)])
            if holders:
                names = {record.id: record.display_name for record in records}
                holders.flush_recordset()
                holders._write_multi([{name_field: names[holder_record.res_id]} for holder_record in holders])
                holders.invalidate_recordset([name_field])

    @api.model
    def _qms_demo_rewrite_names(self, names):
        """Replace each person's English name by the new one, [(English, translation)], in the notes of the QMS
        records that quote it, in one search."""
        if not names:
            return
        names = sorted(names, key=lambda pair: -len(pair[0]))
        domain = [("model", "=like", "qms.%")] + ["|"] * (len(names) - 1) + [
            ("body", "ilike", english) for english, _text in names]
        for message in self.env["mail.message"].sudo().search(domain):
            body = str(message.body or "")
            changed = body
            for english, text in names:
                changed = _html_replace(changed, english, text)
            if changed != body:
                message.body = Markup(changed)

    @api.model
    def _qms_demo_rewrite_messages(self, model, replacements):
        """The chatter notes of these records quoted English texts, {record: [(English, translation)]}: the
        translation replaces each (a reason in "Cancelled: ..."), in one search of their messages."""
        if "message_ids" not in self.env[model]._fields:
            return
        pairs_by_id = {record.id: pairs for record, pairs in replacements.items() if pairs}
        messages = self.env["mail.message"].sudo().search(
            [("model", "=", model), ("res_id", "in", list(pairs_by_id))])
        for message in messages:
            body = str(message.body or "")
            changed = body
            for english, text in pairs_by_id[message.res_id]:
                changed = _html_replace(changed, english, text)
            if changed != body:
                message.body = Markup(changed)  # the stored (sanitized) body with a text replaced
