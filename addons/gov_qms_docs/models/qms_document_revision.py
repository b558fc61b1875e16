from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .qms_document import FIRST_LABEL, parse_label
from .qms_job import batches, commit_batch, lock_rows

PUBLISHED_STATES = ("effective", "superseded", "obsolete")


class QmsDocumentRevision(models.Model):
    """One revision of a controlled document: draft, in review, approved, effective, superseded.

    Submitting is an explicit step; from approval on the revision is read-only for everyone.
    At most one revision of a document is effective: taking effect supersedes the previous
    one in the same transaction (and a unique index guards it).
    """

    _name = "qms.document.revision"
    _description = "Document Revision"
    _inherit = ["mail.thread", "mail.activity.mixin", "qms.locked.mixin", "qms.notification.mixin",
                "qms.department.scope.mixin"]
    _order = "document_id, id desc"
    _check_company_auto = True

    # in review, the text and the people reviewing and approving it stay as submitted: the author withdraws
    # it from review to change anything
    _locked_states = ("in_review", "approved", "effective", "superseded", "obsolete")
    _qms_job_batch_size = 100  # revisions per committed batch of the job (_cron_take_effect)
    # the author is whoever creates the revision (`create` sets it); the label follows the document's scheme
    _qms_create_fields = frozenset({"author_id", "name"})
    _qms_gate_depends = ("author_id", "approver_id", "reviewer_ids", "reviewed_by_ids", "document_id",
                         "ack_ids.state", "ack_ids.date_opened")

    document_id = fields.Many2one("qms.document", required=True, index=True, ondelete="restrict",
                                  check_company=True)
    name = fields.Char(string="Revision", required=True, copy=False, tracking=True, readonly=True,
                       default=lambda self: self._default_name(),
                       help="Edition and amendment (A/0, A/1, ... B/0), given by the system: each revision is the next "
                            "amendment of the edition; a new edition starts again at 0.")
    new_edition = fields.Boolean(
        copy=False, help="The document is rewritten (换版): this revision starts the next edition (B/0 after A/3) "
                         "instead of being the next amendment (A/4).")
    code = fields.Char(related="document_id.code")
    document_name = fields.Char(related="document_id.name", string="Title")
    tier = fields.Selection(related="document_id.tier", store=True)
    company_id = fields.Many2one(related="document_id.company_id", store=True, index=True)
    department_id = fields.Many2one(related="document_id.department_id", store=True, index=True)
    state = fields.Selection(
        [("draft", "Draft"), ("in_review", "In Review"), ("approved", "Approved"), ("effective", "Effective"),
         ("superseded", "Superseded"), ("obsolete", "Obsolete")],
        default="draft", required=True, readonly=True, copy=False, tracking=True, index=True,
    )
    body = fields.Html(sanitize=True)
    file = fields.Binary(attachment=True, help="Signed PDF or the DOCX of the document.")
    file_name = fields.Char()
    change_summary = fields.Text(help="What changed and why.")
    author_id = fields.Many2one("res.users", required=True, index=True, tracking=True, readonly=True,
                                default=lambda self: self.env.user,
                                help="Who created the revision; it never changes, so that nobody approves their own "
                                     "text.")
    reviewer_ids = fields.Many2many("res.users", string="Reviewers")
    reviewed_by_ids = fields.Many2many(
        "res.users", "qms_document_revision_reviewed_rel", "revision_id", "user_id", readonly=True, copy=False,
        help="The reviewers who recorded their review of this round (Reviewed, No Objection).")
    approver_id = fields.Many2one("res.users", index=True, tracking=True)
    date_submitted = fields.Datetime(readonly=True, copy=False)
    date_approved = fields.Datetime(string="Approved On", readonly=True, copy=False)
    effective_date = fields.Date(tracking=True, copy=False,
                                 help="When the revision takes effect; empty means on approval.")
    date_superseded = fields.Date(string="Superseded On", readonly=True, copy=False)
    rejection_reason = fields.Text(readonly=True, copy=False)
    is_obsolete = fields.Boolean(compute="_compute_is_obsolete",
                                 help="Superseded or withdrawn: kept for the record, never to be used.")
    ack_ids = fields.One2many("qms.document.acknowledgement", "revision_id", string="Acknowledgements")
    ack_pending_count = fields.Integer(compute="_compute_ack_counts")
    ack_done_count = fields.Integer(compute="_compute_ack_counts")
    # honest buttons (qms.gate.mixin): each is computed by the gate of its step, `_check_<step>`
    can_submit = fields.Boolean(compute="_compute_qms_can")
    can_review = fields.Boolean(compute="_compute_qms_can")
    can_approve = fields.Boolean(compute="_compute_qms_can")
    can_reject = fields.Boolean(compute="_compute_qms_can")
    can_reset_to_draft = fields.Boolean(compute="_compute_qms_can")
    can_acknowledge = fields.Boolean(compute="_compute_qms_can")

    _one_effective_per_document = models.UniqueIndex(
        "(document_id) WHERE state = 'effective'",
        "A document can have only one effective revision at a time.")
    _name_per_document_uniq = models.Constraint(
        "UNIQUE(document_id, name)", "This revision label is already used for this document.")

    def _default_name(self):
        document = self.env["qms.document"].browse(self.env.context.get("default_document_id"))
        return document._qms_next_revision_label() if document else FIRST_LABEL

    @api.onchange("new_edition", "document_id")
    def _onchange_new_edition(self):
        """Show the label the draft will have (the server gives it: see `create` and `write`)."""
        if self.state == "draft" and self.document_id:
            self.name = self.document_id._qms_next_revision_label(self.new_edition, exclude=self._origin)

    @api.depends("state")
    def _compute_is_obsolete(self):
        for revision in self:
            revision.is_obsolete = revision.state in ("superseded", "obsolete")

    def _compute_ack_counts(self):
        counts = {
            (revision, state): count for revision, state, count in self.env["qms.document.acknowledgement"]._read_group(
                [("revision_id", "in", self.ids)], ["revision_id", "state"], ["__count"])
        }
        for revision in self:
            revision.ack_pending_count = counts.get((revision, "pending"), 0)
            revision.ack_done_count = counts.get((revision, "acknowledged"), 0)

    @api.depends("document_id.code", "name")
    def _compute_display_name(self):
        for revision in self:
            revision.display_name = self.env._("%(code)s rev. %(revision)s", code=revision.document_id.code or "",
                                      revision=revision.name or "")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self.env.su:  # segregation of duties starts here: the author is the creator
                if vals.get("author_id") and vals["author_id"] != self.env.user.id:
                    raise UserError(self.env._(
                        "The author of a revision is the person who creates it; it cannot be someone else."))
                vals["author_id"] = self.env.user.id
            if vals.get("document_id") and (not vals.get("name") or not self.env.su):
                # the label is the system's, whatever a client sends (the form sends the one it showed)
                document = self.env["qms.document"].browse(vals["document_id"])
                vals["name"] = document._qms_next_revision_label(vals.get("new_edition"))
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if "new_edition" in vals and not self._qms_in_transition():
            # a draft switched to (or from) a new edition takes the label of its place in the scheme
            for revision in self.filtered(lambda r: r.state == "draft"):
                label = revision.document_id._qms_next_revision_label(revision.new_edition, exclude=revision)
                if label != revision.name:
                    revision._qms_write_workflow({"name": label})
        return result

    @api.constrains("name")
    def _check_label(self):
        for revision in self:
            if not parse_label(revision.name):
                raise ValidationError(self.env._(
                    "%(label)s is not a revision label: revisions are labelled by edition and amendment, "
                    "A/0, A/1, ... then B/0 for a new edition.", label=revision.name))

    @api.constrains("author_id", "approver_id", "reviewer_ids")
    def _check_approver_is_not_author(self):
        for revision in self:
            if revision.approver_id and revision.approver_id == revision.author_id:
                raise ValidationError(self.env._(
                    "%(user)s wrote revision %(revision)s and so cannot approve it: choose another approver.",
                    user=revision.author_id.name, revision=revision.display_name))
            if revision.approver_id and revision.approver_id in revision.reviewer_ids:
                raise ValidationError(self.env._(
                    "%(user)s reviews revision %(revision)s and so cannot also approve it: the approval is a second, "
                    "independent look. Choose another approver or reviewer.",
                    user=revision.approver_id.name, revision=revision.display_name))
            if revision.author_id in revision.reviewer_ids:
                raise ValidationError(self.env._(
                    "%(user)s wrote revision %(revision)s and so cannot review it.",
                    user=revision.author_id.name, revision=revision.display_name))

    @api.constrains("effective_date", "date_approved")
    def _check_effective_after_approval(self):
        for revision in self:
            if revision.effective_date and revision.date_approved and \
                    revision.effective_date < fields.Date.context_today(revision, revision.date_approved):
                raise ValidationError(self.env._(
                    "Revision %(revision)s cannot take effect on %(effective)s, before it is approved "
                    "(%(approved)s). Choose an effective date on or after the approval.",
                    revision=revision.display_name, effective=revision.effective_date,
                    approved=fields.Date.context_today(revision, revision.date_approved)))

    # ------------------------------------------------------------------ lifecycle

    def _check_submit(self):
        """Draft, and the author or whoever manages the document (its owner, the head of its department, a
        document controller)."""
        self._qms_check_state("draft")
        if not self.env.su:
            self.filtered(lambda revision: revision.author_id != self.env.user).document_id._qms_check_can_manage()

    def action_submit(self):
        """Draft -> in review: the reviewers and the approver get a to-do."""
        self._check_submit()
        for revision in self:
            if not revision.body and not revision.file:
                raise UserError(self.env._("Revision %s has no content: write the text or attach the file.",
                                  revision.display_name))
            if not revision.approver_id:
                raise UserError(self.env._(
                    "Choose who approves revision %s before submitting it.", revision.display_name))
            if revision.document_id.revision_ids.filtered(lambda r: r.state in PUBLISHED_STATES) \
                    and not (revision.change_summary or "").strip():
                raise UserError(self.env._("Summarise what changes in revision %s and why.", revision.display_name))
        self._qms_set_state("in_review", date_submitted=self._qms_timestamp(), rejection_reason=False,
                            reviewed_by_ids=[Command.clear()])
        self._qms_schedule_activities(
            {revision: revision.reviewer_ids for revision in self}, lambda env: env._("Review the revision"))
        self._qms_schedule_activities(
            {revision: revision.approver_id for revision in self}, lambda env: env._("Approve or reject the revision"))
        return True

    def _check_review(self):
        """In review, and one of its reviewers who has not recorded their review yet."""
        self._qms_check_state("in_review")
        for revision in self:
            if self.env.user not in revision.reviewer_ids - revision.reviewed_by_ids:
                raise UserError(self.env._(
                    "Only the reviewers of revision %s who have not reviewed it yet can record a review.",
                    revision.display_name))

    def action_review(self):
        """A reviewer has read the revision and has no objection (an objection is a rejection, with its reason).

        The review is recorded (Reviewed By, the chatter) and closes the reviewer's own to-do, and only theirs."""
        self._check_review()
        user = self.env.user
        for revision in self:
            revision._qms_write_workflow({"reviewed_by_ids": [Command.link(user.id)]})
            revision.message_post(body=revision._qms_note_env()._("Reviewed by %s: no objection.", user.name))
        self.activity_ids.filtered(lambda activity: activity.user_id == user).with_context(
            lang=self._qms_company_lang()).action_feedback(
            feedback=self._qms_note_env()._("Reviewed: no objection"))
        return True

    def _check_approve(self):
        """In review, and its approver."""
        self._qms_check_state("in_review")
        for revision in self:
            if revision.approver_id != self.env.user:
                raise UserError(self.env._("Only %(approver)s can approve revision %(revision)s.",
                                  approver=revision.approver_id.name, revision=revision.display_name))

    def action_approve(self):
        """In review -> approved (only by the approver); takes effect now if its date has come.

        The approver may approve before every reviewer has reviewed: the approval is the decision. The reviews
        not given are not pretended: the reviewers' to-dos are withdrawn (not marked done) and the chatter names
        who did not review before the approval."""
        self._check_approve()
        now = self._qms_timestamp()
        today = fields.Date.context_today(self)
        for revision in self:
            revision._qms_set_state("approved", date_approved=now, effective_date=revision.effective_date or today)
        # only the approver's own to-do is done
        self.activity_ids.filtered(lambda activity: activity.user_id == self.env.user).with_context(
            lang=self._qms_company_lang()).action_feedback(
            feedback=self._qms_note_env()._("Approved"))
        for revision in self:
            not_reviewed = revision.reviewer_ids - revision.reviewed_by_ids
            if not_reviewed:
                revision.activity_ids.filtered(lambda activity, users=not_reviewed: activity.user_id in users).unlink()
                revision._qms_log(lambda env, not_reviewed=not_reviewed: env._(
                    "Approved by %(approver)s before the review of %(reviewers)s: their review is not recorded and "
                    "their to-do is withdrawn.", approver=self.env.user.name,
                    reviewers=", ".join(not_reviewed.mapped("name"))))
        # Taking effect updates the document and the readers' requests: a consequence of the
        # approval just authorised, not a right of the approver's own.
        self.filtered(lambda r: r.effective_date <= today).sudo()._qms_take_effect()
        return True

    def _qms_review_as_reviewers(self):
        """Record the review of each reviewer as that reviewer (demo data, imports of an existing register)."""
        for revision in self:
            for reviewer in revision.reviewer_ids - revision.reviewed_by_ids:
                revision.with_user(reviewer).action_review()
        return True

    def _qms_approve_as_approver(self):
        """Approve each revision as its own approver (demo data, imports of an existing register)."""
        for revision in self:
            revision.with_user(revision.approver_id).action_approve()
        return True

    def _check_reject(self):
        """In review, and its approver, one of its reviewers or a document controller."""
        self._qms_check_state("in_review")
        user = self.env.user
        for revision in self:
            if user not in revision.approver_id | revision.reviewer_ids and \
                    not user.has_group("gov_qms_docs.group_qms_document_controller"):
                raise UserError(self.env._("Only the reviewers and the approver can reject revision %s.",
                                  revision.display_name))

    def _action_reject(self, reason):
        """In review -> back to draft, with the reason, for the author to rework."""
        self._check_reject()
        if not (reason or "").strip():
            raise UserError(self.env._(
                "Please give the reason for the rejection: the author needs it to rework the text."))
        user = self.env.user
        self._qms_set_state("draft", rejection_reason=reason)
        self.activity_ids.filtered(lambda activity: activity.user_id == user).with_context(
            lang=self._qms_company_lang()).action_feedback(
            feedback=self._qms_note_env()._("Rejected: %s", reason))
        self.activity_ids.unlink()  # the others' to-dos lapse with the review round: the text goes back to its author
        for revision in self:
            revision.message_post(body=revision._qms_note_env()._("Rejected: %s", reason))
        self._qms_schedule_activities({revision: revision.author_id for revision in self},
                                      lambda env: env._("Rework the rejected revision"), note=reason)
        return True

    def _check_reset_to_draft(self):
        """In review, and its author or a document controller."""
        self._qms_check_state("in_review")
        for revision in self:
            if self.env.user != revision.author_id and \
                    not self.env.user.has_group("gov_qms_docs.group_qms_document_controller"):
                raise UserError(self.env._("Only the author of revision %s can withdraw it from review.",
                                           revision.display_name))

    def action_reset_to_draft(self):
        """Withdraw a revision from review (author's change of mind)."""
        self._check_reset_to_draft()
        self._qms_set_state("draft")
        self.activity_ids.unlink()
        return True

    def _qms_take_effect(self):
        """Approved -> effective; the previous effective revision is superseded in the same transaction."""
        for revision in self.sorted(lambda r: (r.effective_date, r.id)):
            revision._qms_check_state("approved")
            document = revision.document_id
            previous = document.revision_ids.filtered(lambda r: r.state == "effective")
            previous._qms_set_state("superseded", date_superseded=revision.effective_date)
            previous.flush_recordset(["state"])  # the unique index sees the old one leave first
            previous.ack_ids.filtered(lambda a: a.state == "pending")._qms_cancel()
            revision._qms_set_state("effective")
            document.write({
                "last_review_date": revision.effective_date,
                "date_deadline": document._qms_next_review_date(revision.effective_date),
            })
            document.message_post(body=document._qms_note_env()._(
                "Revision %(revision)s is effective from %(date)s.", revision=revision.name,
                date=revision.effective_date))
            revision._qms_request_acknowledgements()
        return True

    @api.model
    def _cron_take_effect(self, today=None):
        """Approved revisions whose effective date has come take effect (catches up missed days).

        In order of effective date, in batches of `_qms_job_batch_size` that a scheduled job commits one
        by one (see qms_job): a revision's new status is recorded in the same transaction as the
        superseding of the previous one, the document's message and the readers' requests. A revision
        that another transaction holds is left for the next run, and so are the later revisions of its
        document, so that the revisions of a document still take effect in order.
        """
        today = today or fields.Date.context_today(self)
        domain = [("state", "=", "approved"), ("effective_date", "<=", today)]
        due = self.search(domain, order="effective_date, id")
        left = len(due)
        held = set()  # documents with a revision left for the next run
        for batch in batches(due, self._qms_job_batch_size):
            locked = lock_rows(batch)
            held.update((batch - locked).document_id.ids)
            locked = locked.filtered_domain(domain).filtered(lambda r, held=held: r.document_id.id not in held)
            locked._qms_take_effect()
            left -= len(batch)
            if not commit_batch(self.env, len(batch), left):
                break  # time is up: Odoo runs the job again for the rest
        return True

    def _qms_readers(self):
        """Users who must read this revision: the distribution list, departments included."""
        self.ensure_one()
        document = self.document_id
        departments = self.env["hr.department"].sudo().search(
            [("id", "child_of", document.distribution_department_ids.ids)]) \
            if document.distribution_department_ids else self.env["hr.department"]
        employees = self.env["hr.employee"].sudo().search([("department_id", "in", departments.ids)]) \
            if departments else self.env["hr.employee"]
        users = document.distribution_user_ids | employees.user_id
        return users.filtered(lambda u: u.active and not u.share)

    def _qms_request_acknowledgements(self):
        """One read-and-understood request (and to-do) per reader of the new revision."""
        Ack = self.env["qms.document.acknowledgement"].sudo()
        vals_list = []
        for revision in self:
            company = revision.company_id
            deadline = Ack._qms_add_working_days(revision.effective_date, company.qms_ack_reminder_days, company)
            vals_list += [
                {"revision_id": revision.id, "user_id": user.id, "date_deadline": deadline,
                 "department_id": user.employee_id.department_id.id}
                for user in revision._qms_readers()
            ]
        acks = Ack.create(vals_list)
        acks._qms_schedule_activities(
            {ack: ack.user_id for ack in acks}, lambda env: env._("Read and acknowledge"),
            note=lambda env: env._("A new revision of a document you use has taken effect."),
            act_type_xmlid="gov_qms_docs.mail_activity_type_acknowledge")
        return acks

    def action_open_acknowledgements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("gov_qms_docs.qms_document_acknowledgement_action")
        action["domain"] = [("revision_id", "=", self.id)]
        return action

    def action_open_reject_wizard(self):
        self._qms_gate("reject")
        return self.env["qms.reason.wizard"]._qms_open(self, "_action_reject", self.env._("Reject Revision"))

    # ------------------------------------------------------------------ reading (read-and-understood)

    def _qms_my_pending_acks(self):
        """The current user's requests to read these revisions that are still open."""
        return self.env["qms.document.acknowledgement"].search([
            ("revision_id", "in", self.ids), ("user_id", "=", self.env.uid), ("state", "=", "pending")])

    def _check_acknowledge(self):
        """The current user was asked to read the revision, opened it and has not confirmed yet."""
        acks = self._qms_my_pending_acks()
        if len(acks) != len(self):
            raise UserError(self.env._("You have no request to read %s.", (self - acks.revision_id)[:1].display_name))
        acks._check_acknowledge()

    def action_acknowledge(self):
        """The reader confirms, from the revision they opened, that they have read and understood it."""
        self._check_acknowledge()
        return self._qms_my_pending_acks().action_acknowledge()

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(revision.state != "draft" for revision in self):
            raise UserError(self.env._(
                "Only draft revisions can be deleted; the others are part of the document's history."))
