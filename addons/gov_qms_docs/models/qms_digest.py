"""The daily digest (每日待办): one e-mail a day to each user with something due, overdue or supervised.

Each user's digest lists, kind by kind (actions, nonconformities, complaints, documents to read, review or
approve, checklists...), their own items due soon or overdue and what waits for them; a department head's also
lists the overdue items of the departments they head and the supervised items (挂牌督办) of those departments
and the ones below. It is written in the user's language, links to each record, and is not sent when there is
nothing to list or when the user turned it off in their preferences. It replaces the e-mail per item that the
escalation steps used to send and the to-do per item for the level above.

The items are read kind by kind for all the recipients at once (a few queries per kind, whatever the number of
users and items), and the e-mails are queued in Odoo's outgoing mail queue in batches of users, each batch
committed with the job's progress (see qms_job): a run that stops is resumed by the next run, and the day's digest
is never sent twice (``res.users.qms_digest_date``).
"""

from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlencode

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_date

from .qms_job import batches, commit_batch

# Statuses of a row, the most urgent first: a row added twice keeps the most urgent one.
STATUSES = ("supervised", "overdue", "soon", "waiting")
ROWS_PER_KIND = 30  # a long list ends with "and N more", the rest is one click away


class DigestRun:
    """One run of the digest: its day, the recipients, who heads which department, the 'due soon' limit of
    each company (read once), and the rows found for each recipient, {user id: {kind: {record: (status,
    responsible user)}}}."""

    def __init__(self, env, users, today):
        self.env, self.users, self.today = env, users, today
        self.user_ids = set(users.ids)
        self.heads = DepartmentHeads(env)
        self.rows = defaultdict(lambda: defaultdict(dict))
        self.companies = users.company_id | users.company_ids | env.company
        self._soon = {}

    def add(self, user_id, kind, record, status, responsible=None):
        if user_id not in self.user_ids or not status:
            return
        rows = self.rows[user_id][kind]
        if record not in rows or STATUSES.index(status) < STATUSES.index(rows[record][0]):
            rows[record] = (status, responsible)

    def users_with_rows(self):
        return {user_id for user_id, kinds in self.rows.items() if any(kinds.values())}

    def soon(self, company):
        """The last day 'due soon' for `company`: its reminder period (working days) from today, when the
        supervision ladder reminds the owner."""
        company = company or self.env.company
        if company not in self._soon:
            days = company.qms_reminder_days or 0
            self._soon[company] = self.env["qms.deadline.mixin"]._qms_add_working_days(
                self.today, days, company) if days else self.today
        return self._soon[company]

    def horizon(self):
        """The last 'due soon' day of all the companies: what a search for due items reads up to."""
        return max(self.soon(company) for company in self.companies)

    def status(self, deadline, company):
        """overdue, soon (due by the company's reminder period) or None (later or no deadline)."""
        if not deadline:
            return None
        if deadline < self.today:
            return "overdue"
        return "soon" if deadline <= self.soon(company) else None


class DepartmentHeads:
    """Who heads which department, read once (three queries): the head told when an item of a department is
    overdue (its manager's user, else the nearest parent's, as hr.department._qms_head_user), and the heads of
    the department and of every department above it (the supervised items of their departments)."""

    def __init__(self, env):
        departments = env["hr.department"].sudo().with_context(active_test=False).search_fetch(
            [], ["parent_id", "parent_path", "manager_id"])
        managers = {department.id: department.manager_id.user_id.id for department in departments
                    if department.manager_id.user_id}
        self.head = {}
        self.heads_above = {}
        for department in departments:
            chain = [int(part) for part in (department.parent_path or "").split("/") if part][::-1] or [department.id]
            heads = [managers[dep_id] for dep_id in chain if dep_id in managers]
            self.head[department.id] = heads[0] if heads else None
            self.heads_above[department.id] = set(heads)

    def departments_of(self, user_ids):
        """The departments whose items the users may get as heads: those they head and all below them."""
        user_ids = set(user_ids)
        return [dep_id for dep_id, heads in self.heads_above.items() if heads & user_ids]


class QmsDigest(models.AbstractModel):
    _name = "qms.digest"
    _description = "QMS Daily Digest"

    _qms_job_batch_size = 200  # users per committed batch

    # ------------------------------------------------------------------ the job

    @api.model
    def _cron_send_digest(self, today=None):
        """Queue today's digest of every user who has something to do and has not turned the digest off.

        Today is the company's (its working-time calendar's time zone): the job runs early in the morning there.
        """
        today = today or fields.Date.context_today(self.with_context(tz=self.env.company._qms_tz()))
        users = self._qms_digest_recipients(today)
        if not users:
            return True
        run = self._qms_digest_run(users, today)
        left = len(users)
        for batch in batches(users, self._qms_job_batch_size):
            self._qms_digest_queue(batch, run)
            # the day's digest is done for the batch, sent or with nothing to send: never twice a day
            batch.sudo().write({"qms_digest_date": today})
            left -= len(batch)
            if not commit_batch(self.env, len(batch), left):
                break  # time is up: Odoo runs the job again for the rest
        return True

    @api.model
    def _qms_digest_recipients(self, today):
        """Internal users with an e-mail address who want the digest and have not had today's yet."""
        return self.env["res.users"].sudo().search([
            ("share", "=", False), ("qms_digest", "=", True), ("email", "!=", False),
            "|", ("qms_digest_date", "=", False), ("qms_digest_date", "<", today),
        ], order="id")

    @api.model
    def _qms_digest_run(self, users, today):
        """The rows of every digest of `users` on `today` (DigestRun)."""
        return self._qms_digest_collect(DigestRun(self.env, users, today))

    # ------------------------------------------------------------------ what each kind adds

    @api.model
    def _qms_digest_kinds(self):
        """The kinds of item, in the order of the e-mail: [(key, label)], the labels in the env's language.
        Each addon adds its own (call super)."""
        return [
            ("documents_to_read", self.env._("Documents to read")),
            ("documents_to_review", self.env._("Documents due for their periodic review")),
            ("revisions_to_review", self.env._("Revisions to review")),
            ("revisions_to_approve", self.env._("Revisions to approve")),
        ]

    @api.model
    def _qms_digest_collect(self, run):
        """Add the rows of this addon's kinds to `run` (a few queries per kind, for all its users at once) and
        return it. Each addon adds its own kinds (call super)."""
        self._qms_digest_documents_to_read(run)
        self._qms_digest_documents_to_review(run)
        self._qms_digest_revisions(run)
        return run

    @api.model
    def _qms_digest_documents_to_read(self, run):
        """The reader's revisions to read, due soon or overdue; for the head of the reader's department, those
        still not read after the escalation step (the ladder's second step)."""
        domain = Domain("state", "=", "pending") & Domain("date_deadline", "<=", run.horizon()) & (
            Domain("user_id", "in", run.users.ids)
            | Domain("department_id", "in", run.heads.departments_of(run.user_ids)))
        for ack in self.env["qms.document.acknowledgement"].sudo().search_fetch(
                domain, ["user_id", "department_id", "date_deadline", "escalation_level", "company_id"]):
            run.add(ack.user_id.id, "documents_to_read", ack, run.status(ack.date_deadline, ack.company_id),
                    ack.user_id)
            if ack.escalation_level >= 2 and ack.department_id:
                run.add(run.heads.head.get(ack.department_id.id), "documents_to_read", ack, "overdue", ack.user_id)

    @api.model
    def _qms_digest_documents_to_review(self, run):
        """The owner's documents due for their periodic review (from the notice period on, when the ladder gives
        the owner a to-do); for the document controllers, the overdue reviews (the ladder's second step)."""
        controllers = self.env.ref("gov_qms_docs.group_qms_document_controller").sudo().all_user_ids & run.users
        horizon = max(run.today + timedelta(days=company.qms_review_notice_days) for company in run.companies)
        domain = Domain("state", "=", "effective") & Domain("date_deadline", "<=", horizon)
        if not controllers:
            domain &= Domain("owner_id", "in", run.users.ids)
        for document in self.env["qms.document"].sudo().search_fetch(
                domain, ["owner_id", "date_deadline", "company_id", "is_review_overdue"]):
            notice = (document.company_id or self.env.company).qms_review_notice_days
            status = "overdue" if document.date_deadline < run.today else \
                "soon" if document.date_deadline <= run.today + timedelta(days=notice) else None
            run.add(document.owner_id.id, "documents_to_review", document, status, document.owner_id)
            if document.is_review_overdue:
                for controller in controllers:
                    run.add(controller.id, "documents_to_review", document, "overdue", document.owner_id)

    @api.model
    def _qms_digest_revisions(self, run):
        """Revisions in review: for each reviewer who has not reviewed yet, and for the approver."""
        for revision in self.env["qms.document.revision"].sudo().search_fetch(
                [("state", "=", "in_review"), "|", ("reviewer_ids", "in", run.users.ids),
                 ("approver_id", "in", run.users.ids)],
                ["reviewer_ids", "reviewed_by_ids", "approver_id", "author_id"]):
            for reviewer in revision.reviewer_ids - revision.reviewed_by_ids:
                run.add(reviewer.id, "revisions_to_review", revision, "waiting", revision.author_id)
            run.add(revision.approver_id.id, "revisions_to_approve", revision, "waiting", revision.author_id)

    @api.model
    def _qms_digest_ladder(self, run, kind, model_name, owner_domain):
        """The rows of a model on the supervision ladder (qms.supervision.mixin): the owner's items due soon,
        overdue or supervised; the overdue items of the departments a head heads (the head the overdue step
        tells); the supervised items of the departments a head heads and of those below them (the levels the
        supervision step tells). `owner_domain` finds the items the users own (as ``_qms_ladder_owner``)."""
        Model = self.env[model_name].sudo()
        domain = Domain.AND([
            Domain(Model._escalation_open_domain()), Domain("date_deadline", "!=", False),
            Domain("date_deadline", "<=", run.horizon()) | Domain("is_supervised", "=", True),
            Domain(owner_domain) | Domain("department_id", "in", run.heads.departments_of(run.user_ids)),
        ])
        for record in Model.search(domain):
            owner = record._qms_ladder_owner()
            if record.is_supervised:
                run.add(owner.id, kind, record, "supervised", owner)
                for head_id in run.heads.heads_above.get(record.department_id.id, ()):
                    run.add(head_id, kind, record, "supervised", owner)
                continue
            # overdue from the deadline on, as soon as the ladder's overdue step has said so (it falls on the day)
            status = "overdue" if record.escalation_level >= 2 else \
                run.status(record.date_deadline, record._escalation_company())
            run.add(owner.id, kind, record, status, owner)
            if status == "overdue":
                run.add(run.heads.head.get(record.department_id.id), kind, record, "overdue", owner)

    # ------------------------------------------------------------------ the e-mails

    @api.model
    def _qms_digest_queue(self, users, run):
        """One e-mail per user of `users` with rows, in the user's language, queued in one batch."""
        with_rows = run.users_with_rows()
        values = []
        for lang, lang_users in users.filtered(lambda user: user.id in with_rows).grouped(
                lambda user: user.lang or "en_US").items():
            digest = self.with_context(lang=lang)
            kinds = digest._qms_digest_kinds()
            # the records of the language's e-mails, read together in the language (names, departments)
            ids_by_model = defaultdict(set)
            for user in lang_users:
                for rows in run.rows[user.id].values():
                    for record in rows:
                        ids_by_model[record._name].add(record.id)
            records = {}
            for model, ids in ids_by_model.items():
                records.update({(model, record.id): record for record in digest.env[model].sudo().browse(sorted(ids))})
            for user in lang_users:
                values.append(digest._qms_digest_mail_values(user, run.rows[user.id], kinds, run.today, records))
        if values:
            self.env["mail.mail"].sudo().create(values)

    @api.model
    def _qms_digest_mail_values(self, user, rows_by_kind, kinds, today, records):
        """The e-mail of one user, in this env's language: a table per kind, the most urgent rows first."""
        base_url = self.get_base_url()
        labels = self._qms_digest_status_labels()
        sections = []
        counts = dict.fromkeys(STATUSES, 0)
        for kind, kind_label in kinds:
            rows = rows_by_kind.get(kind)
            if not rows:
                continue
            ordered = sorted(
                ((records[record._name, record.id], status, responsible)
                 for record, (status, responsible) in rows.items()),
                key=lambda row: (STATUSES.index(row[1]), self._qms_digest_deadline(row[0]) or today, row[0].id))
            for _record, status, _responsible in ordered:
                counts[status] += 1
            sections.append({
                "label": kind_label, "count": len(ordered), "more": max(len(ordered) - ROWS_PER_KIND, 0),
                "lines": [self._qms_digest_line(record, status, responsible, labels, base_url)
                          for record, status, responsible in ordered[:ROWS_PER_KIND]],
            })
        date_label = format_date(self.env, today)
        total = sum(counts.values())
        texts = {
            "greeting": self.env._("Dear %s,", user.name),
            "intro": self.env._("Here is what needs your attention on %s:", date_label),
            "summary": self.env._(
                "%(overdue)s overdue, %(soon)s due soon, %(supervised)s supervised, %(waiting)s waiting for you.",
                overdue=counts["overdue"], soon=counts["soon"], supervised=counts["supervised"],
                waiting=counts["waiting"]),
            "item": self.env._("Item"), "department": self.env._("Department"), "deadline": self.env._("Deadline"),
            "status": self.env._("Status"), "responsible": self.env._("Responsible"),
            "footer": self.env._("You receive this digest on the days something is due, overdue or waiting for you."),
            "opt_out": self.env._("Turn it off in your preferences (Daily QMS digest)."),
        }
        body = self.env["ir.qweb"]._render("gov_qms_docs.qms_digest_mail", {
            "sections": sections, "texts": texts,
            "more_label": lambda count: self.env._("... and %s more: open the list in the QMS to see them all.", count),
            "preferences_url": f"{base_url}/odoo/action-base.action_res_users_my",
        })
        company = user.company_id
        return {
            "subject": self.env._("Your QMS work for %(date)s: %(count)s item(s) need your attention",
                                  date=date_label, count=total),
            "body_html": body, "recipient_ids": [(4, user.partner_id.id)],
            "email_from": company.email_formatted or self.env.user.email_formatted,
            "author_id": company.partner_id.id, "auto_delete": True, "message_type": "user_notification",
        }

    @api.model
    def _qms_digest_status_labels(self):
        return {
            "supervised": self.env._("Supervised (挂牌督办)"),
            "overdue": self.env._("Overdue"),
            "soon": self.env._("Due soon"),
            "waiting": self.env._("Waiting for you"),
        }

    @api.model
    def _qms_digest_deadline(self, record):
        for field in ("date_deadline", "date_due"):
            if field in record._fields:
                return record[field]
        return False

    @api.model
    def _qms_digest_line(self, record, status, responsible, labels, base_url):
        deadline = self._qms_digest_deadline(record)
        department = record.department_id if "department_id" in record._fields else None
        return {
            "name": record.display_name, "status": status, "status_label": labels[status],
            "url": f"{base_url}/mail/view?{urlencode({'model': record._name, 'res_id': record.id})}",
            "deadline": format_date(self.env, deadline) if deadline else "",
            "department": department.name if department else "",
            "responsible": responsible.name if responsible else "",
            "color": {"supervised": "#a61b1b", "overdue": "#c0392b", "soon": "#9a6700"}.get(status, "#444444"),
        }
