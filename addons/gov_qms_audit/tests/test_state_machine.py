"""Random walks through the QMS workflows (issue 9, "Trustworthy records").

A hypothesis state machine drives random transitions and edits on nonconformities, their analysis
lines, actions and effectiveness checks, on documents and revisions and on audits, each as a random
user or as the person who should act ("proper"), while the clock moves forward and the daily jobs
run. The rule `advance` walks a record along its normal path (several steps at once) so that the walks
reach closed, reopened and re-closed nonconformities, effective revisions and final audit reports; the
others poke at them: create (blank titles, deadlines before detection), triage, containment, analysis and
its 5 Whys / fishbone lines, actions (evidence or none, done, extensions asked with good and bad dates,
approved or refused, cancelled, handed over, moved to another nonconformity), effectiveness checks
(with or without evidence, effective or not, checker changed), closure, cancellation, reopening,
deadline resets, evidence files attached, overwritten, moved or deleted, plain writes of the workflow's
fields, deletions; revisions written, submitted, approved, rejected, withdrawn, edited, their author or
approver changed, acknowledged; audits planned, notified, checklist generated and answered, reported,
report approved and reopened, findings added, edited or deleted, closed, cancelled, moved.

Every call either succeeds or is refused with a UserError, ValidationError or AccessError that says
why (a non-empty message); any other exception fails the test. A plain write of a field the workflow
owns (status, deadline, closure, escalation, supervision, author) is always refused, and an action's
owner never hands their own action to someone else.

After every step, read afresh as the superuser, over the records the walk created:

- a document has at most one effective revision, and it is the document's current one;
- a closed nonconformity has all its actions done, verified or cancelled, a closing date and who
  closed it (someone who did none of the work), and either the check of its last round effective
  (full CAPA) or its correction and proof (correction only); a nonconformity that is not closed has
  no closing date and no closer;
- nothing closed or cancelled changes while it stays so (fields, 5 Whys and fishbone lines, actions,
  checks, evidence files and their content); approved revisions never change; the findings,
  checklist and conclusions of a final audit report do not change while it is final;
- an approved revision was approved by someone who neither wrote nor reviewed it;
- the escalation ladder never goes past its last step, never goes back unless the deadline moved,
  and no step of a nonconformity's or action's ladder is carried out twice for the same deadline;
- no nonconformity is due before it was found, and no action before its nonconformity was found;
- a final report belongs to a reported or closed audit, and a closed audit has a final report;
  a finding raises at most one nonconformity, and only once an auditor confirmed its statement;
- every status is a value of its selection.

Each hypothesis example starts from the fixture (a savepoint rolled back at its end) on Monday
30 November 2026; `derandomize` makes the walks the same on every run.
"""

import base64
import logging
import re
from collections import Counter
from datetime import date, timedelta

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from odoo.addons.gov_qms_docs.tests.common import TODAY
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import QmsAuditCase

_logger = logging.getLogger(__name__)

REFUSED = (UserError, ValidationError, AccessError)
START = date.fromisoformat(TODAY[:10])
USERS = ("clerk", "other_clerk", "section_head", "other_head", "bureau_head", "qms_manager", "auditor", "author",
         "approver", "reviewer", "controller")
# who acts: the person who should take the step, or anybody
WHO = st.one_of(st.just("proper"), st.sampled_from(USERS))
VARIANT = st.integers(0, 5)  # which variant of an operation (blank reason, bad date, ...): see each operation
PICK = st.integers(0, 7)  # which of the walk's records of a model (in order of creation, modulo their number)
ACTION_OWNERS = ("clerk", "section_head", "other_clerk", "author")
DEPARTMENTS = ("section", "finance", "bureau")
# hypothesis draws the first operation of a list more often than the others: a cheap one that must be refused
NC_OPS = ("protected", "triage_capa", "triage_correction", "containment", "start_analysis", "root_cause", "why",
          "cause", "edit_lines", "plan", "attach", "tamper_evidence", "check", "close", "cancel", "reopen",
          "reset_deadline", "edit", "unlink", "check_claim", "check_protected",
          "create_closed")
ACTION_OPS = ("protected", "evidence", "done", "request_extension", "approve_extension", "refuse_extension",
              "cancel", "reassign", "reset_deadline", "edit", "unlink", "move")
REVISION_OPS = ("protected", "submit", "approve", "reject", "withdraw", "edit", "set_author", "set_approver",
                "set_reviewer", "acknowledge", "unlink", "other_author")
AUDIT_OPS = ("protected", "generate", "notify", "start", "answer", "conclusions", "raise", "confirm", "report",
             "approve_report", "close", "cancel", "reopen_report", "edit_finding", "unlink_finding", "move",
             "add_finding")
PROTECTED = {
    "qms.nonconformity": ("state", "date_deadline", "closed_by_id", "is_supervised", "escalation_level",
                          "date_closed"),
    "qms.action": ("state", "date_deadline", "is_supervised", "escalation_level", "date_done", "extension_state"),
    "qms.effectiveness.check": ("state", "date_checked"),
    "qms.document.revision": ("state", "author_id", "date_approved"),
    "qms.audit": ("state", "report_state", "escalation_level", "date_notified"),
}
STATUS_FIELDS = {
    "qms.nonconformity": ("state", "path", "severity"),
    "qms.action": ("state", "extension_state"),
    "qms.effectiveness.check": ("state",),
    "qms.document": ("state",),
    "qms.document.revision": ("state",),
    "qms.document.acknowledgement": ("state",),
    "qms.audit": ("state", "report_state"),
}
LADDER_MODELS = ("qms.nonconformity", "qms.action", "qms.document", "qms.document.acknowledgement", "qms.audit")
TRACKED = (*STATUS_FIELDS, "qms.audit.finding", "qms.nonconformity.why", "qms.nonconformity.cause")
LADDER_MESSAGES = {  # the notes of the supervision ladder, each naming the deadline it is about
    "reminder": re.compile(r"Reminder: due on (\d{4}-\d{2}-\d{2})"),
    "overdue": re.compile(r"Overdue since (\d{4}-\d{2}-\d{2}): the head of"),
    "supervised": re.compile(r"Now a supervised item: overdue since (\d{4}-\d{2}-\d{2})"),
}
PROOF = base64.b64encode(b"%PDF-1.4 signed checklist")
REFUSAL = object()  # what `attempt` returns when the call was refused


class QmsWorkflowMachine(RuleBasedStateMachine):
    """See the module's docstring. `case` is the running test (a QmsAuditCase), set by the test."""

    case = None
    tally = Counter()  # (operation, "done" | "refused") over the whole run, to show what the walks reached

    def __init__(self):
        super().__init__()
        self.env = self.case.env
        self.env.flush_all()
        self.env.invalidate_all()
        self.savepoint = self.env.cr.savepoint()  # rolled back in teardown: each example starts from the fixture
        self.freezer = freeze_time(TODAY, tick=True)
        self.clock = self.freezer.start()
        self.today = START
        self.since = {model: self.env[model].sudo().with_context(active_test=False).search(
            [], order="id desc", limit=1).id or 0 for model in TRACKED}
        self.ladder = {}  # (model, id) -> (escalation_level, date_deadline) after the last step
        self.epochs = {}  # (model, id) -> Counter {deadline: how many times it became the deadline}
        self.moved = set()  # (model, id) whose deadline a workflow step set during this step
        self.frozen = {}  # (model, id) -> (lock, snapshot) of a closed / approved / final record
        self.count = Counter()  # records created by the walk, per model (the creating rules stop at a few)
        # hypothesis favours the simplest rule (the jobs): a few other steps between two runs of the jobs
        self.steps_since_jobs = 0

    def teardown(self):
        self.freezer.stop()
        self.savepoint.close(rollback=True)
        self.env.invalidate_all()

    # ------------------------------------------------------------------ helpers

    def attempt(self, operation, func):
        """One user action: it succeeds, or it is refused with a message and leaves nothing behind."""
        try:
            with self.env.cr.savepoint():
                result = func()
                self.env.flush_all()
        except REFUSED as error:
            message = error.args[0] if error.args else None
            assert isinstance(message, str) and message.strip(), (
                f"{operation}: refused with a {type(error).__name__} that says nothing: {error!r}")
            self.tally[operation, "refused"] += 1
            return REFUSAL
        self.tally[operation, "done"] += 1
        return result

    def refused(self, operation, func):
        """A call that must be refused, whoever makes it."""
        result = self.attempt(operation, func)
        assert result is REFUSAL, f"{operation} was accepted: the workflow owns this field"

    def user(self, name, proper=None):
        if name == "proper":
            return proper or self.case.qms_manager
        return getattr(self.case, name)

    def created_one(self, record):
        if record is not REFUSAL:
            self.count[record._name] += 1

    def pick(self, model, index):
        """The index-th record of `model` the walk created (modulo their number), as the superuser; or None."""
        records = self.created(model)
        return records[index % len(records)] if records else None

    def has(self, model):
        return bool(self.env[model].sudo().with_context(active_test=False).search_count(
            [("id", ">", self.since[model])], limit=1))

    def day(self, offset, base=None):
        return (base or self.today) + timedelta(days=offset)

    def move_clock(self, days):
        self.today += timedelta(days=days)
        self.clock.move_to(f"{self.today} {TODAY[11:]}")

    @staticmethod
    def head(record):
        return record.department_id._qms_head_user()

    def decider(self, action):
        """Who decides an extension: the department head, or the QMS office when the head owns the action."""
        head = self.head(action)
        return head if head != action.owner_id else self.case.qms_manager

    def closer(self, nc):
        """Who may approve the closure: a head (or the QMS office) who did none of the work."""
        doers = nc.containment_by_id | nc.action_ids.owner_id
        for user in (self.head(nc), nc.department_id._qms_parent_head_user(), self.case.qms_manager):
            if user and user not in doers:
                return user
        return self.case.qms_manager

    def attach(self, record, user, name="proof.pdf"):
        attachment = self.env["ir.attachment"].with_user(user).create(
            {"name": name, "datas": PROOF, "res_model": record._name, "res_id": record.id})
        record.with_user(user).write({"evidence_attachment_ids": [(4, attachment.id)]})
        return attachment

    def protected_value(self, record, name, variant):
        field = record._fields[name]
        if field.type == "selection":
            keys = [key for key, _label in field._description_selection(self.env)]
            return keys[variant % len(keys)]
        if field.type == "date":
            return self.day(variant + 1)
        if field.type == "datetime":
            return f"{self.day(variant + 1)} 02:00:00"
        if field.type == "many2one":
            return self.user(USERS[variant]).id
        if field.type == "boolean":
            return bool(variant % 2)
        return variant

    def write_protected(self, record, user, variant):
        names = PROTECTED[record._name]
        name = names[variant % len(names)]
        value = self.protected_value(record, name, variant)
        self.refused(f"{record._name} write {name}", lambda: record.with_user(user).write({name: value}))

    # ------------------------------------------------------------------ nonconformities

    @initialize(department=st.sampled_from(DEPARTMENTS), severity=st.sampled_from(("minor", "major")),
                detected=st.integers(-20, 0))
    def first_nc(self, department, severity, detected):
        self.create_nc("proper", department, "Licence issued without the site inspection record", severity,
                       "internal_audit", detected, None)

    @precondition(lambda self: self.count["qms.nonconformity"] < 5)
    @rule(user=WHO, department=st.sampled_from(DEPARTMENTS),
          title=st.sampled_from(("Licence issued without the site inspection record", "", "   ",
                                 "Fee table of 2024 still at counter 2")),
          severity=st.sampled_from(("minor", "major")),
          source=st.sampled_from(("internal_audit", "complaint", "self_reported")),
          detected=st.integers(-30, 0), deadline=st.one_of(st.none(), st.integers(-5, 30)))
    def create_nc(self, user, department, title, severity, source, detected, deadline):
        vals = {"title": title, "department_id": getattr(self.case, department).id, "severity": severity,
                "source": source, "date_detected": self.day(detected)}
        if deadline is not None:
            vals["date_deadline"] = self.day(detected + deadline)
        actor = self.user(user, self.case.auditor)
        nc = self.attempt("nc create", lambda: self.env["qms.nonconformity"].with_user(actor).create(vals))
        self.created_one(nc)

    @precondition(lambda self: self.count["qms.action"] < 8)
    @rule(nc=PICK, user=WHO, owner=st.sampled_from(ACTION_OWNERS + ("qms_manager",)),
          kind=st.sampled_from(("corrective", "preventive", "correction", "improvement")), due=st.integers(-3, 30))
    def add_action(self, nc, user, owner, kind, due):
        nc = self.pick("qms.nonconformity", nc)
        if not nc:
            return
        action = self.attempt("action create", lambda: self.env["qms.action"].with_user(
            self.user(user, self.head(nc))).create({
                "nonconformity_id": nc.id, "name": "Add the inspection record to the checklist", "action_type": kind,
                "owner_id": self.user(owner).id, "date_deadline": self.day(due, nc.date_detected)}))
        self.created_one(action)

    @precondition(lambda self: self.has("qms.nonconformity"))
    @rule(nc=PICK, user=WHO, operation=st.sampled_from(NC_OPS), variant=VARIANT)
    def nc_step(self, nc, user, operation, variant):
        nc = self.pick("qms.nonconformity", nc)
        if nc:
            getattr(self, f"_nc_{operation}")(nc, user, variant)

    def _nc_create_closed(self, nc, user, variant):
        """A nonconformity created already closed, supervised or escalated: always refused."""
        name = ("state", "closed_by_id", "date_closed", "is_supervised", "escalation_level", "path")[variant]
        vals = {"title": "Born closed", "department_id": nc.department_id.id, "date_detected": self.today,
                name: self.protected_value(nc, name, variant)}
        self.refused(f"qms.nonconformity create with {name}", lambda: self.env["qms.nonconformity"].with_user(
            self.user(user, self.case.auditor)).create(vals))

    def _nc_triage_capa(self, nc, user, variant):
        self.attempt("nc triage capa", nc.with_user(self.user(user, self.head(nc))).action_triage_capa)

    def _nc_triage_correction(self, nc, user, variant):
        self.attempt("nc triage correction", nc.with_user(self.user(user, self.head(nc))).action_triage_correction)

    def _nc_containment(self, nc, user, variant):
        by = self.user(("clerk", "section_head", "other_clerk")[variant % 3])
        text = "" if variant == 0 else "Licences of the week re-checked on site"
        self.attempt("nc containment", lambda: nc.with_user(self.user(user, self.head(nc))).write(
            {"containment_description": text, "containment_by_id": by.id, "containment_date": self.today}))

    def _nc_start_analysis(self, nc, user, variant):
        self.attempt("nc start analysis", nc.with_user(self.user(user, self.head(nc))).action_start_analysis)

    def _nc_root_cause(self, nc, user, variant):
        text = "  " if variant == 0 else "The checklist does not ask for the site inspection record."
        self.attempt("nc root cause", lambda: nc.with_user(self.user(user, self.head(nc))).write({"root_cause": text}))

    def _nc_why(self, nc, user, variant):
        actor = self.user(user, self.head(nc))
        self.attempt("nc why line", lambda: self.env["qms.nonconformity.why"].with_user(actor).create(
            {"nonconformity_id": nc.id, "question": "Why was the record missing?", "answer": "Nobody asked for it"}))

    def _nc_cause(self, nc, user, variant):
        actor = self.user(user, self.head(nc))
        self.attempt("nc fishbone line", lambda: self.env["qms.nonconformity.cause"].with_user(actor).create(
            {"nonconformity_id": nc.id, "category": "procedure", "description": "No step in the checklist",
             "is_root": bool(variant % 2)}))

    def _nc_edit_lines(self, nc, user, variant):
        lines = nc.why_ids[:1] or nc.cause_ids[:1]
        if not lines:
            return
        line = lines.with_user(self.user(user, self.head(nc)))
        if variant % 2:
            self.attempt("nc line delete", line.unlink)
        else:
            text = {"answer": "rewritten"} if line._name == "qms.nonconformity.why" else {"description": "rewritten"}
            self.attempt("nc line edit", lambda: line.write(text))

    def _nc_plan(self, nc, user, variant):
        self.attempt("nc plan actions", nc.with_user(self.user(user, self.head(nc))).action_plan_actions)

    def _nc_attach(self, nc, user, variant):
        self.attempt("nc attach evidence", lambda: self.attach(nc, self.user(user, self.head(nc))))

    def _nc_tamper_evidence(self, nc, user, variant):
        files = nc.evidence_attachment_ids | self.env["ir.attachment"].sudo().search(
            [("res_model", "=", nc._name), ("res_id", "=", nc.id)])
        if not files:
            return
        attachment = files.sorted("id")[:1].with_user(self.user(user, self.head(nc)))
        if variant in (1, 3):
            self.attempt("nc evidence delete", attachment.unlink)
        elif variant == 5:
            self.attempt("nc evidence move", lambda: attachment.write(
                {"res_model": "res.partner", "res_id": attachment.env.user.partner_id.id}))
        else:
            self.attempt("nc evidence overwrite", lambda: attachment.write(
                {"datas": base64.b64encode(b"%PDF-1.4 another text")}))

    def _nc_check(self, nc, user, variant):
        check = nc.check_ids.filtered(lambda c: c.state == "pending")[:1] or nc.check_ids[-1:]
        if not check:
            return
        actor = self.user(user, check.checker_id)
        if variant not in (3, 5):
            self.attempt("check evidence", lambda: check.with_user(actor).write(
                {"evidence_note": "20 licences of December sampled: all have the record"}))
        if variant <= 3:
            self.attempt("check effective", check.with_user(actor).action_effective)
        else:
            self.attempt("check not effective", check.with_user(actor).action_not_effective)

    def _nc_check_claim(self, nc, user, variant):
        """Someone names themselves (or another) the checker of a pending check, then records it."""
        check = nc.check_ids.filtered(lambda c: c.state == "pending")[:1]
        if not check:
            return
        actor = self.user(user, check.checker_id)
        checker = actor if variant < 3 else self.user(ACTION_OWNERS[variant % len(ACTION_OWNERS)])
        if self.attempt("check name checker", lambda: check.with_user(actor).write(
                {"checker_id": checker.id, "evidence_note": "Sampled 5 licences"})) is not REFUSAL:
            self.attempt("check effective", check.with_user(actor).action_effective)

    def _nc_check_protected(self, nc, user, variant):
        check = nc.check_ids[-1:]
        if check:
            self.write_protected(check, self.user(user, check.checker_id), variant)

    def _nc_close(self, nc, user, variant):
        self.attempt("nc close", nc.with_user(self.user(user, self.closer(nc))).action_close)

    def _nc_cancel(self, nc, user, variant):
        reason = "" if variant == 0 else "Raised twice for the same case"
        self.attempt("nc cancel", lambda: nc.with_user(self.user(user, self.head(nc)))._action_cancel(reason))

    def _nc_reopen(self, nc, user, variant):
        reason = "" if variant == 0 else "The same licence error came back"
        self.attempt("nc reopen", lambda: nc.with_user(self.user(user))._action_reopen(reason))

    def _reset_deadline(self, record, user, variant):
        detected = record.date_detected if record._name == "qms.nonconformity" \
            else record.nonconformity_id.date_detected or self.today
        value = {0: "next Friday", 1: str(self.day(10)), 2: self.day(3), 3: detected - timedelta(days=1),
                 4: self.day(20), 5: self.day(15)}[variant]
        reason = "" if variant == 4 else "Agreed with the bureau: the law changes in January"
        result = self.attempt(f"{record._name} reset deadline",
                              lambda: record.with_user(self.user(user))._qms_reset_deadline(value, reason))
        if result is not REFUSAL:
            self.moved.add((record._name, record.id))

    def _nc_reset_deadline(self, nc, user, variant):
        self._reset_deadline(nc, user, variant)

    def _nc_edit(self, nc, user, variant):
        latest_due = max(nc.action_ids.mapped("date_deadline"), default=self.today)
        vals = {
            0: {"title": "   "},
            1: {"title": "Counter sign missing"},
            2: {"date_detected": latest_due + timedelta(days=1)},  # after its actions' due dates
            3: {"date_detected": (nc.date_deadline or self.today) + timedelta(days=1)},  # after its own deadline
            4: {"severity": "major" if nc.severity == "minor" else "minor"},
            5: {"description": "<p>Seen at counter 2 on Monday.</p>"},
        }[variant]
        self.attempt(f"nc edit {next(iter(vals))}", lambda: nc.with_user(self.user(user, self.head(nc))).write(vals))

    def _nc_protected(self, nc, user, variant):
        self.write_protected(nc, self.user(user, self.head(nc)), variant)

    def _nc_unlink(self, nc, user, variant):
        self.attempt("nc delete", nc.with_user(self.user(user, self.head(nc))).unlink)

    @rule(kind=st.sampled_from(("nc", "revision", "audit")), pick=PICK, steps=st.integers(1, 8), choice=VARIANT)
    def advance(self, kind, pick, steps, choice):
        """Walk one of the walk's nonconformities, revisions or audits along its normal path, up to `steps`
        steps taken by the people who should take them (see nc_advance, revision_advance, audit_advance)."""
        getattr(self, f"{kind}_advance")(pick, steps, choice)

    def nc_advance(self, nc, steps, choice):
        """Walk a nonconformity along its loop, `steps` natural steps by the people who should take them.
        choice 0 (which hypothesis draws most): the plain full loop; 1: correction only (minor); 2, 4: ask for
        more time (4: and wait for the jobs); 4, 5: the first check finds the actions not effective (a second
        round follows); 3: the QMS office reopens it as soon as it is closed, 4: later."""
        nc = self.pick("qms.nonconformity", nc)
        for _step in range(steps if nc else 0):
            state = nc.exists().state
            if not state:
                break
            self._advance_nc(nc, choice)
            if nc.exists().state == state:
                break  # refused, or waiting (an extension): the next walk goes on

    def _advance_nc(self, nc, choice):
        case = self.case
        head = self.head(nc)
        as_head = nc.with_user(head)
        state = nc.state
        if state == "new":
            correction = choice == 1 and nc.severity == "minor"
            self.attempt("advance nc triage",
                         as_head.action_triage_correction if correction else as_head.action_triage_capa)
        elif state == "triaged" and nc.path == "correction":
            self.attempt("advance nc correct", lambda: as_head.write({
                "containment_description": "Licence re-issued with the record", "containment_by_id": case.clerk.id,
                "containment_date": self.today}))
            if not nc.evidence_attachment_ids:
                self.attempt("advance nc attach proof", lambda: self.attach(nc, head))
            self.attempt("advance nc close", nc.with_user(self.closer(nc)).action_close)
        elif state in ("triaged", "reopened"):
            if nc.severity == "major" and not (nc.containment_description or "").strip():
                self.attempt("advance nc containment", lambda: as_head.write({
                    "containment_description": "Licences of the week re-checked on site",
                    "containment_by_id": case.clerk.id, "containment_date": self.today}))
            self.attempt("advance nc start analysis", as_head.action_start_analysis)
        elif state == "analysis":
            self.attempt("advance nc root cause", lambda: as_head.write(
                {"root_cause": "The checklist does not ask for the site inspection record."}))
            if not nc._qms_round_actions().filtered(lambda a: a.action_type in ("corrective", "preventive")):
                owner = self.user(ACTION_OWNERS[choice % len(ACTION_OWNERS)])
                self.created_one(self.attempt("advance nc add action", lambda: self.env["qms.action"].with_user(
                    head).create({
                        "nonconformity_id": nc.id, "name": "Add the inspection record to the checklist",
                        "action_type": "corrective", "owner_id": owner.id,
                        "date_deadline": max(self.today, nc.date_detected) + timedelta(days=10 + choice)})))
            self.attempt("advance nc plan", as_head.action_plan_actions)
        elif state == "action":
            for action in nc._qms_round_actions().filtered(lambda a: a.state == "open"):
                as_owner = action.with_user(action.owner_id)
                if choice in (2, 4) and action.extension_state == "none":
                    self.attempt("advance action request extension", lambda a=as_owner: a._action_request_extension(
                        a.date_deadline + timedelta(days=7), "Waiting for the new fee regulation"))
                    if self.attempt("advance action approve extension", action.with_user(
                            self.decider(action)).action_approve_extension) is not REFUSAL:
                        self.moved.add((action._name, action.id))
                    if choice == 4:
                        continue  # the action runs on its new due date for a while
                self.attempt("advance action evidence", lambda a=as_owner: a.write(
                    {"evidence_note": "Checklist v2 in use since Monday"}))
                self.attempt("advance action done", as_owner.action_done)
        elif state == "verification":
            check = nc.check_ids.filtered(lambda c: c.state == "pending")[:1]
            if check:
                as_checker = check.with_user(check.checker_id or case.qms_manager)
                self.attempt("advance check evidence", lambda: as_checker.write(
                    {"evidence_note": "20 licences sampled: all have the record"}))
                if choice in (4, 5) and nc.current_round == 1:
                    self.attempt("advance check not effective", as_checker.action_not_effective)
                    return
                self.attempt("advance check effective", as_checker.action_effective)
            if self.attempt("advance nc close", nc.with_user(self.closer(nc)).action_close) is not REFUSAL \
                    and choice == 3:
                self.attempt("advance nc reopen", lambda: nc.with_user(case.qms_manager)._action_reopen(
                    "The same licence error came back"))
        elif state == "closed" and choice in (3, 4):
            self.attempt("advance nc reopen", lambda: nc.with_user(case.qms_manager)._action_reopen(
                "The same licence error came back"))

    # ------------------------------------------------------------------ actions

    @precondition(lambda self: self.has("qms.action"))
    @rule(action=PICK, user=WHO, operation=st.sampled_from(ACTION_OPS), variant=VARIANT)
    def action_step(self, action, user, operation, variant):
        action = self.pick("qms.action", action)
        if action:
            getattr(self, f"_action_{operation}")(action, user, variant)

    def _action_evidence(self, action, user, variant):
        text = "" if variant == 0 else "Checklist v2 in use since Monday"
        self.attempt("action evidence", lambda: action.with_user(self.user(user, action.owner_id)).write(
            {"evidence_note": text}))

    def _action_done(self, action, user, variant):
        self.attempt("action done", action.with_user(self.user(user, action.owner_id)).action_done)

    def _action_request_extension(self, action, user, variant):
        due = action.date_deadline
        value = {0: str(due + timedelta(days=7)), 1: due + timedelta(days=10), 2: "31/12/2026",
                 3: due - timedelta(days=1), 4: None, 5: due + timedelta(days=3)}[variant]
        reason = "" if variant == 5 else "Waiting for the new fee regulation"
        self.attempt("action request extension", lambda: action.with_user(
            self.user(user, action.owner_id))._action_request_extension(value, reason))

    def _action_approve_extension(self, action, user, variant):
        if self.attempt("action approve extension", action.with_user(
                self.user(user, self.decider(action))).action_approve_extension) is not REFUSAL:
            self.moved.add((action._name, action.id))

    def _action_refuse_extension(self, action, user, variant):
        reason = "" if variant == 0 else "The regulation is already published"
        self.attempt("action refuse extension", lambda: action.with_user(
            self.user(user, self.decider(action)))._action_refuse_extension(reason))

    def _action_cancel(self, action, user, variant):
        reason = "" if variant == 0 else "Covered by another action"
        self.attempt("action cancel", lambda: action.with_user(self.user(user, self.head(action)))._action_cancel(
            reason))

    def _action_reassign(self, action, user, variant):
        owner = action.owner_id
        actor = self.user(user, owner)
        new_owner = self.user(("clerk", "other_clerk", "section_head")[variant % 3])
        result = self.attempt("action reassign", lambda: action.with_user(actor).write({"owner_id": new_owner.id}))
        assert result is REFUSAL or new_owner == owner or actor != owner or actor.has_group(
            "gov_qms_docs.group_qms_manager"), f"{owner.name} handed their own action {action.name} to {new_owner.name}"

    def _action_move(self, action, user, variant):
        """The action moved to another nonconformity of the walk (a closed one, say)."""
        nc = self.pick("qms.nonconformity", variant)
        self.attempt("action move", lambda: action.with_user(self.user(user, self.head(action))).write(
            {"nonconformity_id": nc.id}))

    def _action_reset_deadline(self, action, user, variant):
        self._reset_deadline(action, user, variant)

    def _action_edit(self, action, user, variant):
        vals = {"name": "   "} if variant == 0 else {"description": "Also train the counter staff"}
        self.attempt("action edit", lambda: action.with_user(self.user(user, action.owner_id)).write(vals))

    def _action_protected(self, action, user, variant):
        self.write_protected(action, self.user(user, action.owner_id), variant)

    def _action_unlink(self, action, user, variant):
        self.attempt("action delete", action.with_user(self.user(user, self.head(action))).unlink)

    # ------------------------------------------------------------------ the daily jobs

    @precondition(lambda self: self.steps_since_jobs >= 3)
    @rule(days=st.integers(0, 12))
    def run_daily_jobs(self, days):
        """The clock moves on `days` days (0: the jobs run twice the same day); every daily job runs."""
        self.move_clock(days)
        for model in LADDER_MODELS:
            self.env[model]._cron_escalate()
        self.env["qms.document.revision"]._cron_take_effect()
        self.env.flush_all()
        self.tally["daily jobs", "done"] += 1
        self.steps_since_jobs = -1  # the invariant check after this step counts it

    # ------------------------------------------------------------------ documents

    @initialize(owner=st.sampled_from(("author", "clerk")))
    def first_document(self, owner):
        self.create_document(owner, "bureau", True)

    @precondition(lambda self: self.count["qms.document"] < 3)
    @rule(owner=st.sampled_from(("author", "approver", "reviewer", "clerk")),
          department=st.sampled_from(DEPARTMENTS), readers=st.booleans())
    def create_document(self, owner, department, readers):
        vals = {"owner_id": self.user(owner).id, "department_id": getattr(self.case, department).id}
        if readers:
            vals["distribution_department_ids"] = [(6, 0, self.case.section.ids)]
        document = self.attempt("document create", lambda: self.case.make_document(**vals))
        self.created_one(document)

    @precondition(lambda self: self.count["qms.document.revision"] < 6)
    @rule(document=PICK, user=WHO, approver=st.one_of(st.just("approver"), st.sampled_from(USERS)),
          reviewer=st.one_of(st.none(), st.just("reviewer"), st.sampled_from(USERS)),
          effective=st.one_of(st.none(), st.integers(0, 15)))
    def create_revision(self, document, user, approver, reviewer, effective):
        document = self.pick("qms.document", document)
        vals = {"approver_id": self.user(approver).id, "change_summary": "Fee table of 2026",
                "reviewer_ids": [(6, 0, self.user(reviewer).ids if reviewer else [])]}
        if effective is not None:
            vals["effective_date"] = self.day(effective)
        revision = self.attempt("revision create", lambda: self.case.make_revision(
            document, user=self.user(user, document.owner_id), **vals))
        self.created_one(revision)

    @precondition(lambda self: self.has("qms.document.revision"))
    @rule(revision=PICK, user=WHO, operation=st.sampled_from(REVISION_OPS), variant=VARIANT)
    def revision_step(self, revision, user, operation, variant):
        revision = self.pick("qms.document.revision", revision)
        if not revision:
            return
        author, approver = revision.author_id, revision.approver_id
        if operation == "submit":
            self.attempt("revision submit", revision.with_user(self.user(user, author)).action_submit)
        elif operation == "approve":
            self.attempt("revision approve", revision.with_user(self.user(user, approver)).action_approve)
        elif operation == "reject":
            reason = "" if variant == 0 else "Step 3 contradicts the fee regulation"
            self.attempt("revision reject", lambda: revision.with_user(self.user(user, approver))._action_reject(
                reason))
        elif operation == "withdraw":
            self.attempt("revision withdraw", revision.with_user(self.user(user, author)).action_reset_to_draft)
        elif operation == "edit":
            self.attempt("revision edit", lambda: revision.with_user(self.user(user, author)).write(
                {"body": f"<p>Step 1: receive the application (v{variant}).</p>"}))
        elif operation == "other_author":
            other = self.user(USERS[variant])
            actor = self.user(user, author)
            result = self.attempt("revision create for another author", lambda: self.case.make_revision(
                revision.document_id, user=actor, author_id=other.id, approver_id=self.case.controller.id))
            assert result is REFUSAL or result.author_id == actor, (
                f"{actor.name} created a revision in the name of {result.author_id.name}")
        elif operation == "set_author":
            other = self.user(USERS[variant])
            self.refused("qms.document.revision write author_id",
                         lambda: revision.with_user(self.user(user, author)).write({"author_id": other.id}))
        elif operation == "set_approver":
            new = (author, self.case.approver, self.case.reviewer, self.case.controller)[variant % 4]
            self.attempt("revision set approver", lambda: revision.with_user(self.user(user, author)).write(
                {"approver_id": new.id}))
        elif operation == "set_reviewer":
            new = (author, self.case.approver, self.case.reviewer, self.case.controller)[variant % 4]
            self.attempt("revision set reviewer", lambda: revision.with_user(self.user(user, author)).write(
                {"reviewer_ids": [(6, 0, new.ids)]}))
        elif operation == "acknowledge":
            pending = self.created("qms.document.acknowledgement").filtered(lambda a: a.state == "pending")
            ack = (pending & revision.ack_ids)[:1] or pending[:1]
            if ack:
                reader = ack.with_user(self.user(user, ack.user_id))
                if variant:  # most attempts open the revision first (the confirmation needs it); variant 0 does not
                    self.attempt("open to read", reader.action_open_revision)
                self.attempt("acknowledge", reader.action_acknowledge)
        elif operation == "protected":
            self.write_protected(revision, self.user(user, author), variant)
        else:
            self.attempt("revision delete", revision.with_user(self.user(user, author)).unlink)

    def revision_advance(self, revision, steps, choice):
        """Walk a revision along its normal path, `steps` steps: submitted by its author, approved by its
        approver (choice 5: rejected, with the reason), then read and acknowledged by its readers."""
        revision = self.pick("qms.document.revision", revision)
        previous = None
        for _step in range(steps if revision else 0):
            state = revision.exists().state
            if not state or state == previous:
                break
            previous = state
            author, approver = revision.author_id, revision.approver_id
            if revision.state == "draft":
                if self.attempt("advance revision submit", revision.with_user(author).action_submit) is not REFUSAL \
                        and choice != 5:
                    self.attempt("advance revision approve", revision.with_user(approver).action_approve)
            elif revision.state == "in_review" and choice == 5:
                self.attempt("advance revision reject", lambda a=approver: revision.with_user(a)._action_reject(
                    "Step 3 contradicts the fee regulation"))
            elif revision.state == "in_review":
                self.attempt("advance revision approve", revision.with_user(approver).action_approve)
            elif revision.state == "effective":
                for ack in revision.ack_ids.filtered(lambda a: a.state == "pending")[:2]:
                    self.attempt("advance open to read", ack.with_user(ack.user_id).action_open_revision)
                    self.attempt("advance acknowledge", ack.with_user(ack.user_id).action_acknowledge)

    # ------------------------------------------------------------------ audits

    @initialize(start=st.integers(1, 30), length=st.integers(0, 2))
    def first_audit(self, start, length):
        self.create_audit(start, length)

    @precondition(lambda self: self.count["qms.audit"] < 3)
    @rule(start=st.integers(1, 30), length=st.integers(0, 2))
    def create_audit(self, start, length):
        audit = self.attempt("audit create", lambda: self.case.make_audit(
            date_start=self.day(start), date_end=self.day(start + length)))
        self.created_one(audit)

    @precondition(lambda self: self.has("qms.audit"))
    @rule(audit=PICK, user=WHO, operation=st.sampled_from(AUDIT_OPS), variant=VARIANT)
    def audit_step(self, audit, user, operation, variant):
        """One step on an audit; the nonconformities and actions it raises join the walk."""
        audit = self.pick("qms.audit", audit)
        if audit:
            self._audit_operation(audit, user, operation, variant)

    def _audit_operation(self, audit, user, operation, variant):
        case = self.case
        lead, manager = audit.lead_auditor_id.user_id, case.qms_manager
        simple = {"generate": ("action_generate_checklist", lead), "notify": ("action_notify", manager),
                  "start": ("action_start", manager), "raise": ("action_raise_findings", lead),
                  "report": ("action_report", lead), "approve_report": ("action_approve_report", lead),
                  "close": ("action_close", manager)}
        if operation in simple:
            method, proper = simple[operation]
            self.attempt(f"audit {operation}", getattr(audit.with_user(self.user(user, proper)), method))
        elif operation == "answer":
            results = {0: ["conforming"], 1: ["minor", "conforming"], 2: ["major", "ofi", "conforming"],
                       3: ["minor", False], 4: ["observation", "conforming"], 5: ["ofi", "conforming"]}[variant]
            lines = audit.line_ids.with_user(self.user(user, lead))

            def answer():
                for index, line in enumerate(lines):
                    line.write({"result": results[min(index, len(results) - 1)],
                                "evidence": "Counter 2 uses the fee table of 2024"})
            self.attempt("audit answer checklist", answer)
        elif operation == "conclusions":
            self.attempt("audit conclusions", lambda: audit.with_user(self.user(user, lead)).write(
                {"conclusions": "<p>Document control works, with one fee table out of date.</p>"}))
        elif operation == "cancel":
            reason = "" if variant == 0 else "The section is being merged"
            self.attempt("audit cancel", lambda: audit.with_user(self.user(user, manager))._action_cancel(reason))
        elif operation == "reopen_report":
            reason = "" if variant == 0 else "A diverging opinion was left out"
            self.attempt("audit reopen report", lambda: audit.with_user(self.user(user, manager))._action_reopen_report(
                reason))
        elif operation == "confirm":
            drafts = audit.finding_ids.filtered(lambda finding: finding.state == "draft")
            if drafts:
                self.attempt("finding confirm", drafts.with_user(self.user(user, lead)).action_confirm_statement)
        elif operation in ("edit_finding", "unlink_finding"):
            finding = audit.finding_ids[:1]
            if finding and operation == "edit_finding":
                self.attempt("finding edit", lambda: finding.with_user(self.user(user, lead)).write(
                    {"statement": "Rewritten after the report", "classification": "observation"}))
            elif finding:
                self.attempt("finding delete", finding.with_user(self.user(user, manager)).unlink)
        elif operation == "add_finding":
            Finding = self.env["qms.audit.finding"].with_user(self.user(user, lead))
            self.attempt("finding create", lambda: Finding.create({
                "audit_id": audit.id, "department_id": audit.department_ids[:1].id, "classification": "minor",
                "criterion": "ISO 9001 7.5.3", "evidence": "Fee table of 2024 at counter 2",
                "statement": "An obsolete fee table is in use"}))
        elif operation == "move":
            self.attempt("audit move", lambda: audit.with_user(self.user(user, manager)).write(
                {"date_start": self.day(variant + 1), "date_end": self.day(variant + 2)}))
        else:
            self.write_protected(audit, self.user(user, manager), variant)

    def audit_advance(self, audit, steps, choice):
        """Run an audit along its normal path, `steps` steps; `choice` picks the checklist answers
        (see `answer`) and 4 reopens a final report."""
        audit = self.pick("qms.audit", audit)
        previous = None
        for _step in range(steps if audit else 0):
            status = (audit.state, audit.report_state)
            if status == previous:
                break  # refused: the next walk tries again
            previous = status
            if audit.state in ("planned", "notified"):
                self._audit_operation(audit, "proper", "generate", choice)
                self._audit_operation(audit, "proper", "start", choice)
            elif audit.state == "in_progress":
                self._audit_operation(audit, "proper", "answer", choice)
                self._audit_operation(audit, "proper", "conclusions", choice)
                self._audit_operation(audit, "proper", "raise", choice)
                self._audit_operation(audit, "proper", "confirm", choice)
                self._audit_operation(audit, "proper", "report", choice)
            elif audit.state == "reported" and audit.report_state == "draft":
                self._audit_operation(audit, "proper", "approve_report", choice)
            elif audit.state == "reported" and choice == 4:
                self._audit_operation(audit, "proper", "reopen_report", choice)
            elif audit.state == "reported":
                self._audit_operation(audit, "proper", "close", choice)

    # ------------------------------------------------------------------ invariants

    def created(self, model):
        """The records of `model` this walk created (and still exist), as the superuser."""
        return self.env[model].sudo().with_context(active_test=False).search(
            [("id", ">", self.since[model])], order="id")

    @invariant()
    def records_stay_trustworthy(self):
        self.env.invalidate_all()  # read what the database holds, not what a cache remembers
        self._check_selections()
        self._check_documents()
        self._check_nonconformities()
        self._check_ladders()
        self._check_audits()
        self._check_frozen()
        self.moved = set()
        self.steps_since_jobs += 1

    def _check_selections(self):
        for model, names in STATUS_FIELDS.items():
            records = self.created(model)
            for name in names:
                field = records._fields[name]
                allowed = {key for key, _label in field._description_selection(self.env)}
                if not field.required:
                    allowed.add(False)
                wrong = set(records.mapped(name)) - allowed
                assert not wrong, f"{model}.{name} holds {wrong}, not a value of its selection"

    def _check_documents(self):
        Revision = self.env["qms.document.revision"].sudo()
        doubles = Revision._read_group([("state", "=", "effective")], ["document_id"], ["__count"],
                                       having=[("__count", ">", 1)])
        assert not doubles, f"several effective revisions: {[(doc.display_name, n) for doc, n in doubles]}"
        for document in self.created("qms.document"):
            effective = document.revision_ids.filtered(lambda r: r.state == "effective")
            assert document.current_revision_id == effective, (
                f"{document.display_name}: current revision {document.current_revision_id.name} but effective "
                f"{effective.mapped('name')}")
        for revision in self.created("qms.document.revision").filtered(
                lambda r: r.state in ("approved", "effective", "superseded", "obsolete")):
            assert revision.approver_id and revision.approver_id != revision.author_id, (
                f"{revision.display_name} approved by its own author {revision.author_id.name}")
            assert revision.approver_id not in revision.reviewer_ids, (
                f"{revision.display_name} approved by one of its reviewers {revision.approver_id.name}")

    def _check_nonconformities(self):
        for nc in self.created("qms.nonconformity"):
            where = f"{nc.name} ({nc.state}, {nc.path or 'no path'})"
            if nc.date_deadline:
                assert nc.date_deadline >= nc.date_detected, (
                    f"{where} is due on {nc.date_deadline}, before it was found on {nc.date_detected}")
            for action in nc.action_ids:
                assert action.date_deadline >= nc.date_detected, (
                    f"action {action.name} of {where} is due on {action.date_deadline}, before the nonconformity "
                    f"was found on {nc.date_detected}")
                if action.state in ("done", "verified"):
                    assert action.date_done and ((action.evidence_note or "").strip()
                                                 or action.evidence_attachment_ids), (
                        f"action {action.name} of {where} is {action.state} without its date or evidence")
            for check in nc.check_ids.filtered(lambda c: c.state != "pending"):
                owners = nc.action_ids.filtered(lambda a, c=check: a.round == c.round).owner_id
                assert check.date_checked and check.checker_id not in owners, (
                    f"{check.display_name} of {where} recorded {check.state} by {check.checker_id.name or 'nobody'} "
                    f"on {check.date_checked}, who owns actions of that round")
            if nc.state != "closed":
                assert not nc.closed_by_id and not nc.date_closed, f"{where} has a closure but is not closed"
                continue
            assert nc.closed_by_id and nc.date_closed, f"{where} is closed without who closed it and when"
            open_actions = nc.action_ids.filtered(lambda a: a.state not in ("done", "verified", "cancelled"))
            assert not open_actions, f"{where} is closed with open actions {open_actions.mapped('name')}"
            doers = nc.containment_by_id | nc.action_ids.owner_id
            assert nc.closed_by_id not in doers, f"{where} was closed by {nc.closed_by_id.name}, who did the work"
            if nc.path == "capa":
                checks = nc.check_ids.filtered(lambda c, n=nc: c.round == n.current_round)
                assert checks and all(c.state == "effective" for c in checks), (
                    f"{where} is closed but the check of round {nc.current_round} is "
                    f"{checks.mapped('state') or 'missing'}")
            else:
                assert (nc.containment_description or "").strip() and nc.evidence_attachment_ids, (
                    f"{where} is closed without its correction and proof")

    def _check_ladders(self):
        ladder_keys = set()
        for model in LADDER_MODELS:
            for record in self.created(model):
                key = (model, record.id)
                ladder_keys.add(key)
                level, deadline = record.escalation_level, record.date_deadline
                steps = len(record._escalation_steps(record._escalation_company()))
                assert 0 <= level <= steps, f"{record.display_name} ({model}) at escalation step {level} of {steps}"
                previous = self.ladder.get(key)
                if previous:
                    if level < previous[0]:
                        assert deadline != previous[1] or key in self.moved, (
                            f"{record.display_name} ({model}) went back from escalation step {previous[0]} to {level} "
                            f"with the same deadline {deadline}")
                    if level > previous[0]:
                        self.tally["escalation step", "done"] += level - previous[0]
                if previous is None or deadline != previous[1] or key in self.moved:
                    self.epochs.setdefault(key, Counter())[deadline] += 1
                self.ladder[key] = (level, deadline)
        for key in set(self.ladder) - ladder_keys:  # deleted
            del self.ladder[key]
        # no step of the supervision ladder twice for the same deadline
        for model in ("qms.nonconformity", "qms.action"):
            ids = [record_id for name, record_id in ladder_keys if name == model]
            if not ids:
                continue
            messages = self.env["mail.message"].sudo().search_read(
                [("model", "=", model), ("res_id", "in", ids), "|", ("body", "ilike", "due on"),
                 ("body", "ilike", "overdue since")], ["res_id", "body"])
            seen = Counter()
            for message in messages:
                for kind, pattern in LADDER_MESSAGES.items():
                    for deadline in pattern.findall(str(message["body"])):
                        seen[message["res_id"], kind, deadline] += 1
            for (record_id, kind, deadline), count in seen.items():
                allowed = self.epochs.get((model, record_id), Counter())[date.fromisoformat(deadline)]
                assert count <= allowed, (
                    f"{model} {self.env[model].sudo().browse(record_id).display_name}: the {kind} step for the "
                    f"deadline {deadline} was carried out {count} times")

    def _check_audits(self):
        for audit in self.created("qms.audit"):
            if audit.report_state == "final":
                assert audit.state in ("reported", "closed"), f"{audit.name} has a final report but is {audit.state}"
            if audit.state == "closed":
                assert audit.report_state == "final", f"{audit.name} is closed without a final report"
        raised = self.env["qms.nonconformity"].sudo()._read_group(
            [("origin_model", "=", "qms.audit.finding"), ("origin_id", "in", self.created("qms.audit.finding").ids)],
            ["origin_id"], ["__count"], having=[("__count", ">", 1)])
        assert not raised, f"findings raised more than once: {raised}"
        unconfirmed = self.created("qms.audit.finding").filtered(
            lambda finding: finding.state != "confirmed" and (finding.nonconformity_id or finding.action_id))
        assert not unconfirmed, f"findings raised without a confirmed statement: {unconfirmed.ids}"

    def _nc_snapshot(self, nc):
        files = nc.evidence_attachment_ids | self.env["ir.attachment"].sudo().search(
            [("res_model", "=", nc._name), ("res_id", "=", nc.id)])
        return {
            **nc.read(["title", "description", "severity", "source", "department_id", "owner_id", "date_detected",
                       "date_deadline", "root_cause", "containment_description", "containment_by_id",
                       "containment_date", "closed_by_id", "date_closed", "closed_on_time", "days_to_close",
                       "path", "current_round"])[0],
            "why": nc.why_ids.mapped(lambda w: (w.id, w.question, w.answer)),
            "causes": nc.cause_ids.mapped(lambda c: (c.id, c.category, c.description, c.is_root)),
            "actions": nc.action_ids.mapped(lambda a: (a.id, a.state, a.owner_id.id, a.date_deadline, a.evidence_note)),
            "checks": nc.check_ids.mapped(lambda c: (c.id, c.state, c.evidence_note)),
            "files": sorted(files.mapped(lambda f: (f.id, f.checksum))),
        }

    @staticmethod
    def _revision_snapshot(revision):
        return {**revision.read(["body", "author_id", "approver_id", "reviewer_ids", "effective_date",
                                 "date_approved", "document_id", "name"])[0]}

    @staticmethod
    def _report_snapshot(audit):
        return {
            **audit.read(["conclusions", "department_ids", "lead_auditor_id", "team_ids"])[0],
            "findings": audit.finding_ids.mapped(
                lambda f: (f.id, f.classification, f.criterion, f.evidence, f.statement)),
            "lines": audit.line_ids.mapped(lambda line: (line.id, line.result, line.evidence, line.question)),
        }

    def _check_frozen(self):
        """Nothing closed changes while it stays closed (nor an approved revision, nor a final report)."""
        current = {}
        for nc in self.created("qms.nonconformity").filtered(lambda n: n.state in ("closed", "cancelled")):
            # a reopening (counted) unlocks it: closed again later, it is another closure
            current[nc._name, nc.id] = ((nc.state, nc.reopen_count), nc, self._nc_snapshot)
        for revision in self.created("qms.document.revision").filtered(
                lambda r: r.state in ("approved", "effective", "superseded", "obsolete")):
            current[revision._name, revision.id] = ("approved", revision, self._revision_snapshot)
        for audit in self.created("qms.audit").filtered(lambda a: a.report_state == "final"):
            current[audit._name, audit.id] = ("final", audit, self._report_snapshot)
        frozen = {}
        for key, (lock, record, snapshot) in current.items():
            now = snapshot(record)
            before = self.frozen.get(key)
            if before and before[0] == lock:
                changed = {name: (before[1][name], now[name]) for name in now if now[name] != before[1][name]}
                assert not changed, f"{record.display_name} changed while {lock}: {changed}"
            frozen[key] = (lock, now)
        self.frozen = frozen


# what the walks must reach (any of each group), else they prove little
REACHED = (
    ("nc close", "advance nc close"),
    ("check effective", "advance check effective"),
    ("nc reopen", "advance nc reopen", "check not effective", "advance check not effective"),  # a new round
    ("action approve extension", "advance action approve extension"),
    ("revision approve", "advance revision approve"),
    ("acknowledge", "advance acknowledge"),
    ("audit approve_report",),
    ("escalation step",),
)

SETTINGS = settings(
    max_examples=40,
    stateful_step_count=40,
    derandomize=True,  # the same walks on every run: CI is reproducible
    database=None,
    deadline=None,
    print_blob=False,
    # no "explain" phase: it replays the failing walk once per step, minutes for a note the steps already say
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@tagged("post_install", "-at_install")
class TestStateMachine(QmsAuditCase):
    """Random walks through every workflow keep the records trustworthy (see the module's docstring)."""

    def test_random_walks_keep_records_trustworthy(self):
        # the demo data's ladders run to their end first, so that each walk's jobs handle only its own records
        with freeze_time("2028-01-03 02:00:00"):
            for model in LADDER_MODELS:
                self.env[model]._cron_escalate()
        self.env.flush_all()
        QmsWorkflowMachine.case = self
        QmsWorkflowMachine.tally = Counter()
        try:
            run_state_machine_as_test(QmsWorkflowMachine, settings=SETTINGS)
        finally:
            QmsWorkflowMachine.case = None
        tally = QmsWorkflowMachine.tally
        summary = ", ".join(f"{operation} {outcome} {count}" for (operation, outcome), count in sorted(tally.items()))
        _logger.info("state machine: %s", summary)
        # the walks are only worth something if they reach the far ends of the workflows
        for operations in REACHED:
            self.assertTrue(any(tally[operation, "done"] for operation in operations),
                            f"the random walks never reached {' / '.join(operations)}: {summary}")
