from collections import defaultdict

from markupsafe import Markup

from odoo import Command, fields, models
from odoo.tools.mail import generate_tracking_message_id

# The mark of to-dos whose followers were added in one batch (`_qms_follow`): only Python code holds this object,
# so that a client's context cannot make Odoo skip adding followers (see mail_thread.message_subscribe).
FOLLOWED = object()


class NoteCollector:
    """The chatter notes of one batch of a job, posted together at the end (`post`): one note per record, whatever
    the number of steps that wrote to it, in one insert per model. Set in the context as ``qms_notes`` (a Python
    object: a client's JSON context cannot carry one), it makes `_qms_log` / `_qms_log_each` wait for it."""

    def __init__(self):
        self.notes = defaultdict(dict)  # model -> {res_id: ([texts], {partner ids})}

    def add(self, model, notes):
        for res_id, (texts, partner_ids) in notes.items():
            own_texts, own_partners = self.notes[model].setdefault(res_id, ([], set()))
            own_texts.extend(texts)
            own_partners.update(partner_ids)

    def post(self, env):
        for model, notes in self.notes.items():
            env[model]._qms_post_notes(notes)
        self.notes.clear()


class QmsNotificationMixin(models.AbstractModel):
    """Batched to-dos and chatter notes, shared by every QMS workflow (no query per record).

    Nothing here sends an e-mail per item: a to-do appears in its assignee's activities, a note in the chatter
    (with the partners it says were told), and the daily digest (qms.digest) mails each user once a day what is
    due, overdue and supervised for them.
    """

    _name = "qms.notification.mixin"
    _description = "QMS Notifications"

    # ------------------------------------------------------------------ the language of a text
    # A generated text is written in its reader's language: a to-do or an e-mail in its recipient's
    # (`_qms_recipient_lang`), a note the system writes into a chatter that everybody reads in the company's
    # (`_qms_company_lang`). Texts are given as functions of an environment in that language, e.g.
    # ``lambda env: env._("Prepare for the audit")``, so that each is translated once per language.

    def _qms_installed_lang(self, lang):
        """`lang` if it is an installed language, else False."""
        return lang if lang and lang in dict(self.env["res.lang"].get_installed()) else False

    def _qms_company_lang(self):
        """The language of a note the system writes in these records' chatter: their company's (its partner's
        language), else the acting user's, else English."""
        company = self[:1].company_id if "company_id" in self._fields and self[:1].company_id else self.env.company
        return (self._qms_installed_lang(company.partner_id.lang)
                or self._qms_installed_lang(self.env.lang or self.env.user.lang) or "en_US")

    def _qms_recipient_lang(self, recipient):
        """The language of a text written for one person (res.users or res.partner): theirs, else the company's."""
        return self._qms_installed_lang(recipient.lang) or self._qms_company_lang()

    def _qms_lang_env(self, lang=None):
        """This environment in `lang` (default: the company's language, see `_qms_company_lang`)."""
        return self.env(context=dict(self.env.context, lang=lang or self._qms_company_lang()))

    def _qms_note_env(self):
        """The environment to word a note the system writes in these records' chatter: the company's language.
        ``record.message_post(body=record._qms_note_env()._("Rejected: %s", reason))``."""
        return self._qms_lang_env(self._qms_company_lang())

    def _qms_post_to(self, partners, body, subject=None, **kwargs):
        """A message from the system to `partners` (res.partner, e-mailed as Odoo does), each reading it in their
        language: one message per language among them (one for a team that shares a language), `body` and
        `subject` worded by functions of an environment in that language. Without partners, one message in the
        company's language. Returns the messages."""
        self.ensure_one()
        groups = partners.grouped(lambda partner: self._qms_recipient_lang(partner)) if partners else {
            self._qms_company_lang(): partners}
        messages = self.env["mail.message"]
        for lang, group in groups.items():
            messages |= self.with_env(self._qms_lang_env(lang)).message_post(
                body=self._qms_text(body, lang), subject=self._qms_text(subject, lang) if subject else None,
                partner_ids=group.ids, **kwargs)
        return messages.with_env(self.env)

    def _qms_text(self, text, lang):
        """`text` in `lang`: a function of an environment (called with one in that language), or a plain string."""
        return text(self._qms_lang_env(lang)) if callable(text) else text

    def _qms_schedule_activities(self, users_by_record, summary, note="", date_deadline=None,
                                 act_type_xmlid="mail.mail_activity_data_todo"):
        """One batched create of to-dos: {record: res.users} -> one activity per user and record.

        `date_deadline` is a date, or a function of the record giving its date (default: today). The assignees
        follow their records, added in one batch (`_qms_follow`) rather than one subscription per assignee.
        `summary` and `note` are written in each assignee's language: give them as functions of an environment in
        that language (``lambda env: env._("Deadline approaching")``); a plain string is used as it is.
        """
        activity_type = self.env.ref(act_type_xmlid)
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        texts = {}  # lang -> (summary, note): each text translated once per language

        def in_lang(user):
            lang = self._qms_recipient_lang(user)
            if lang not in texts:
                texts[lang] = (self._qms_text(summary, lang), self._qms_text(note, lang))
            return texts[lang]

        vals_list = [
            {
                "res_model_id": model_id, "res_id": record.id, "user_id": user.id,
                "activity_type_id": activity_type.id, "summary": in_lang(user)[0], "note": in_lang(user)[1],
                "date_deadline": (date_deadline(record) if callable(date_deadline) else date_deadline) or today,
                "automated": True,
            }
            for record, users in users_by_record.items() for user in users
        ]
        if not vals_list:
            return self.env["mail.activity"]
        if "message_follower_ids" in self._fields:
            self._qms_follow({record: users.partner_id for record, users in users_by_record.items()})
        return self.env["mail.activity"].sudo().with_context(qms_followers=FOLLOWED).create(vals_list)

    def _qms_follow(self, partners_by_record):
        """Make partners follow records, {record: res.partner}, in a few queries whatever their number (Odoo's
        message_subscribe costs a few queries per partner): the default subtypes of the model, as Odoo gives them
        (the external ones to portal partners); partners already following keep their subscription."""
        pairs = {(record.id, partner.id) for record, partners in partners_by_record.items()
                 for partner in partners if record.id}
        if not pairs:
            return
        partner_ids = sorted({partner_id for _res_id, partner_id in pairs})
        partners = self.env["res.partner"].sudo().search_fetch([("id", "in", partner_ids)], ["partner_share"])
        Followers = self.env["mail.followers"].sudo()
        existing = {(res_id, partner_id) for _id, res_id, partner_id, _subtypes in Followers._get_subscription_data(
            [(self._name, sorted({res_id for res_id, _partner_id in pairs}))], partners.ids)}
        shared = set(partners.filtered("partner_share").ids)
        active = set(partners.ids)  # inactive partners follow nothing (as message_subscribe)
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(self._name)
        Followers.create([
            {"res_model": self._name, "res_id": res_id, "partner_id": partner_id,
             "subtype_ids": [Command.set((external if partner_id in shared else default).ids)]}
            for res_id, partner_id in sorted(pairs - existing) if partner_id in active
        ])

    def _qms_log(self, body, partners=None):
        """The same note in the chatter of every record, in one batch (see `_qms_log_each`). `body` is a function of
        an environment in the company's language (``lambda env: env._("...")``), or a text already worded."""
        self._qms_log_each((lambda record: body(record.env)) if callable(body) else (lambda record: body), partners)

    def _qms_log_each(self, body, partners=None):
        """A note in each record's chatter, worded per record by `body(record)`, in one batch.

        The record given to `body` is in the company's language (`_qms_company_lang`): word the note with its
        environment, ``lambda record: record.env._("Reminder: due on %s.", record.date_deadline)``.

        `partners(record)` gives the partners the note says were told: they are kept on the note, not e-mailed
        (their daily digest tells them). Within a job's batch (a NoteCollector in the context), the notes wait
        for the end of the batch: one note per record with the texts of every step, one insert.
        """
        if "message_ids" not in self._fields or not self:
            return
        # worded in the company's language: `body` reads the environment of the record it is given
        # (the language found once per company, not once per record: a job's batch holds hundreds of records)
        has_company = "company_id" in self._fields
        env_of = {}
        for company, records in self.grouped(lambda record: record.company_id if has_company else None).items():
            lang = records[:1]._qms_company_lang()
            env_of[company] = records._qms_lang_env(lang)
        notes = {record.id: ([body(record.with_env(env_of[record.company_id if has_company else None]))],
                             set(partners(record).ids) if partners else set()) for record in self}
        collector = self.env.context.get("qms_notes")
        if isinstance(collector, NoteCollector):
            collector.add(self._name, notes)
        else:
            self._qms_post_notes(notes)

    def _qms_post_notes(self, notes):
        """Post {res_id: ([texts], {partner ids})} as one internal note per record, in one insert (Odoo's
        `_message_log_batch`, with the partners of each note)."""
        if not notes or "message_ids" not in self._fields:
            return self.env["mail.message"]
        author_id, email_from = self._message_compute_author()
        base = {
            "author_id": author_id, "email_from": email_from, "model": self._name,
            "record_alias_domain_id": False, "record_company_id": False, "message_type": "notification",
            "is_internal": True, "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_add_signature": False, "message_id": generate_tracking_message_id("message-notify"),
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(default=email_from, author_id=author_id)[False],
        }
        return self.sudo()._message_create([
            dict(base, res_id=res_id, body=Markup("<br/>").join(texts), partner_ids=sorted(partner_ids))
            for res_id, (texts, partner_ids) in notes.items()
        ])
