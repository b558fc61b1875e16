"""Scheduled jobs commit per batch and resume; a workflow step taken twice at once is taken once.

`TestJobsCommitPerBatch` runs the jobs as Odoo's scheduler does (``ir.cron._process_job``: the
server action called with the job's progress in its context, in its own transaction, again while
work remains). The registry is in test mode: the job's commits are savepoints of the test's
transaction, so that what a batch committed survives the crash of a later one, and the test still
leaves nothing behind.

`TestTwoSessionsAtOnce` opens real, separate database connections, one per user session, on the
committed demo municipality, commits for real, and removes what it created afterwards.
"""
# pylint: disable=invalid-commit
# (the sessions below are separate connections that must commit, as two users' requests do)

from contextlib import contextmanager
from datetime import date, timedelta
from unittest.mock import patch
from uuid import uuid4

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.addons.gov_qms_docs.models.qms_locked_mixin import TRANSITION
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import TransactionCase, freeze_time, tagged
from odoo.tests.test_cursor import TestCursor
from odoo.tools import SQL, mute_logger

from .common import QmsCapaCase


class WorkerKilled(Exception):
    """The worker running a job dies in the middle of a batch (simulated)."""


# The ladder of an action: (note in its chatter, to-do) of each rung.
LADDER = [("Reminder: due on", "Deadline approaching"), ("Overdue since", "Overdue item"),
          ("Now a supervised item", "Supervised item (挂牌督办)")]
# step 3 recorded, the note of each rung, the owner's to-do; the heads are told by their daily digest, not by a
# to-do per item (issue 13: the level above gets one digest, not one to-do or e-mail per item)
DONE = (3, 1, 1, 1, 0, 1, 0)
UNTOUCHED = (0, 0, 0, 0, 0, 0, 0)


@tagged("post_install", "-at_install")
class TestJobsCommitPerBatch(QmsCapaCase):
    """Seven actions due Friday 2026-11-20 and run on Monday 30th: each has its three rungs due
    (reminder, overdue, supervised). The other open actions of the database have climbed their
    ladder already, so that the job's batches hold these seven only."""

    def setUp(self):
        super().setUp()
        self.nc = self.make_nc()
        self.actions = self.to_action_stage(self.nc) | self.overdue_actions(6)
        self.only_these_are_due(self.actions)

    def overdue_actions(self, count):
        owners = [self.clerk, self.author, self.reviewer, self.approver]
        return self.Action.create([
            {"nonconformity_id": self.nc.id, "name": f"Late action {i}", "owner_id": owners[i % 4].id,
             "date_deadline": "2026-11-20"} for i in range(count)])

    def only_these_are_due(self, actions):
        """The other open actions climbed their ladder already: the job's batches hold `actions` only."""
        others = self.Action.search([("id", "not in", actions.ids), ("state", "=", "open"),
                                     ("escalation_level", "<", 3)])
        others.with_context(qms_transition=TRANSITION).write({"escalation_level": 3})
        self.env.flush_all()

    def ladder(self, actions):
        """Per action: the step recorded, then the notes and to-dos of each rung."""
        self.env.invalidate_all()
        rows = []
        for action in actions:
            row = [action.escalation_level]
            for note, todo in LADDER:
                row.append(len(action.message_ids.filtered(lambda m, note=note: note in (m.body or ""))))
                row.append(len(action.activity_ids.filtered(lambda a, todo=todo: a.summary == todo)))
            rows.append(tuple(row))
        return rows

    def run_as_scheduler(self, cron, day):
        """One run of the job as Odoo's scheduler makes it, on `day`."""
        self.env.flush_all()
        job = {**cron.read(load=None)[0], "done": 0, "remaining": 0, "timed_out_counter": 0}
        with freeze_time(day), self.enter_registry_test_mode(), self.registry.cursor() as cron_cr:
            self.registry["ir.cron"]._process_job(cron_cr, job)
        self.env.invalidate_all()

    def progress(self, cron):
        return [(p.done, p.remaining) for p in
                self.env["ir.cron.progress"].search([("cron_id", "=", cron.id)], order="id")]

    @contextmanager
    def killed_in(self, model, method, victim):
        """The worker dies when `method` runs on a batch that holds `victim`: mid-batch, after the
        batch's earlier steps (or records) have already written their messages and to-dos."""
        Model = self.registry[model]
        original = getattr(Model, method)

        def die_on_victim(records, *args, **kwargs):
            if victim.id in records.ids:
                raise WorkerKilled(f"worker killed in {method}")
            return original(records, *args, **kwargs)

        with patch.object(Model, method, die_on_victim), mute_logger("odoo.addons.base.models.ir_cron"):
            yield

    def batch_size(self, model, size):
        return patch.object(self.registry[model], "_qms_job_batch_size", size)

    # ------------------------------------------------------------------ escalation

    def test_a_job_killed_in_a_batch_resumes_without_repeating_a_step(self):
        cron = self.env.ref("gov_qms_capa.ir_cron_qms_action_escalation")
        with self.batch_size("qms.action", 3), self.killed_in("qms.action", "_qms_ladder_overdue", self.actions[4]):
            self.run_as_scheduler(cron, "2026-11-30")
        self.assertEqual(self.ladder(self.actions), [DONE] * 3 + [UNTOUCHED] * 4,
                         "the first batch is committed; the second died after its reminders, which are undone "
                         "with it; the third was never reached")
        self.assertEqual(self.progress(cron)[0], (3, 4), "the first batch reported its progress")
        self.assertEqual(cron.failure_count, 1, "the scheduler saw the job fail")

        with self.batch_size("qms.action", 3):
            self.run_as_scheduler(cron, "2026-11-30")
        self.assertEqual(self.ladder(self.actions), [DONE] * 7, "the next run did the rest, and only the rest")
        self.assertEqual(self.progress(cron)[-1], (4, 0))
        self.assertEqual(cron.failure_count, 0)

        self.run_as_scheduler(cron, "2026-12-01")
        self.assertEqual(self.ladder(self.actions), [DONE] * 7, "a later run finds nothing left to do")

    def test_a_job_out_of_time_stops_after_a_batch_and_is_run_again_for_the_rest(self):
        cron = self.env.ref("gov_qms_capa.ir_cron_qms_action_escalation")
        IrCron = self.registry["ir.cron"]
        commit_progress = IrCron._commit_progress

        def out_of_time(cron_model, processed=0, **kwargs):
            commit_progress(cron_model, processed, **kwargs)
            return 0.0  # no time left for another batch in this call

        with self.batch_size("qms.action", 2), patch.object(IrCron, "_commit_progress", out_of_time):
            self.run_as_scheduler(cron, "2026-11-30")
        self.assertEqual(self.progress(cron), [(2, 5), (2, 3), (2, 1), (1, 0)],
                         "one batch per call; the scheduler calls the job again while work remains")
        self.assertEqual(self.ladder(self.actions), [DONE] * 7)

    def test_called_from_code_the_job_commits_nothing(self):
        """A button, a test or the shell: every batch runs in the caller's transaction (a test cursor refuses
        commits, so reaching the end proves that nothing was committed)."""
        with self.batch_size("qms.action", 2), freeze_time("2026-11-30"):
            self.Action._cron_escalate()
        self.assertEqual(self.ladder(self.actions), [DONE] * 7)

    def job_queries(self, count, size, scheduled=False):
        actions = self.overdue_actions(count)
        self.only_these_are_due(actions)
        self.env.invalidate_all()
        cron = self.env.ref("gov_qms_capa.ir_cron_qms_action_escalation")
        with self.batch_size("qms.action", size):
            before = self.cr.sql_log_count
            if scheduled:
                self.run_as_scheduler(cron, "2026-11-30")
            else:
                with freeze_time("2026-11-30"):
                    self.Action._cron_escalate()
                self.env.flush_all()
            queries = self.cr.sql_log_count - before
        self.assertEqual(self.ladder(actions), [DONE] * count)
        return queries

    def test_queries_per_batch(self):
        """A batch costs the same whatever its size (no query per record); each further batch adds about as
        much again, and a scheduled run adds its commit (after which the caches are read again)."""
        self.job_queries(4, 4)  # warm the caches
        self.job_queries(4, 4, scheduled=True)
        one_batch = self.job_queries(4, 4)
        self.assertEqual(self.job_queries(20, 20), one_batch, "no query per record")
        two_batches, three_batches = self.job_queries(20, 10), self.job_queries(30, 10)
        self.assertLessEqual(three_batches - two_batches, two_batches - one_batch)
        self.assertLessEqual(two_batches - one_batch, 40)
        scheduled = self.job_queries(4, 4, scheduled=True)
        self.assertEqual(self.job_queries(20, 20, scheduled=True), scheduled, "no query per record")
        two_scheduled = self.job_queries(20, 10, scheduled=True)
        three_scheduled = self.job_queries(30, 10, scheduled=True)
        self.assertLessEqual(three_scheduled - two_scheduled, two_scheduled - scheduled)
        self.assertLessEqual(two_scheduled - scheduled, 90)
        self.only_these_are_due(self.overdue_actions(10))
        self.env.invalidate_all()
        # 26 to 28 measured with the caches' warmth (55 when each step posted its own notes and the heads had to-dos)
        with self.batch_size("qms.action", 10), freeze_time("2026-11-30"), self.assertQueryCount(30):
            self.Action._cron_escalate()  # one batch of ten actions, three rungs each

    # ------------------------------------------------------------------ revisions taking effect

    def test_revisions_take_effect_in_committed_batches(self):
        cron = self.env.ref("gov_qms_docs.ir_cron_qms_revision_take_effect")
        Revision = self.env["qms.document.revision"]
        documents = self.env["qms.document"]
        for i in range(5):
            document = self.make_document(name=f"Licensing procedure {i}",
                                          distribution_user_ids=[Command.set(self.clerk.ids)])
            self.make_effective(document, effective_date="2026-12-07", approved_on="2026-11-30")
            documents |= document
        domain = [("state", "=", "approved"), ("effective_date", "<=", "2026-12-07")]
        due = Revision.search(domain, order="effective_date, id")
        self.assertGreaterEqual(len(due), 5)
        size = 2
        victim = due[size + 1]  # the second revision of the second batch

        def effects(revision):
            document = revision.document_id
            acks = revision.ack_ids
            return (revision.state, len(document.message_ids.filtered(lambda m: "is effective from" in (m.body or ""))),
                    len(acks), len(acks.activity_ids))

        with self.batch_size("qms.document.revision", size), \
                self.killed_in("qms.document.revision", "_qms_request_acknowledgements", victim):
            self.run_as_scheduler(cron, "2026-12-07")
        self.env.invalidate_all()
        self.assertEqual(set(due[:size].mapped("state")), {"effective"}, "the first batch is committed")
        self.assertEqual(set(due[size:].mapped("state")), {"approved"},
                         "the second batch died after its first revision took effect, which is undone with it")
        mine = due.filtered(lambda revision: revision.document_id in documents)
        for revision in mine:
            expected = ("effective", 1, 1, 1) if revision in due[:size] else ("approved", 0, 0, 0)
            self.assertEqual(effects(revision), expected)

        with self.batch_size("qms.document.revision", size):
            self.run_as_scheduler(cron, "2026-12-07")
        self.env.invalidate_all()
        self.assertEqual(set(due.mapped("state")), {"effective"})
        for revision in mine:
            self.assertEqual(effects(revision), ("effective", 1, 1, 1), "one message, one request, one to-do")

    # ------------------------------------------------------------------ monthly scorecards

    def test_scorecards_are_committed_company_by_company(self):
        cron = self.env.ref("gov_qms_capa.ir_cron_qms_department_score")
        self.company.sequence = 1
        second = self.env["res.company"].create({"name": "Second City", "sequence": 1000})
        self.env["hr.department"].create({"name": "Second City Office", "qms_code": "SCO", "company_id": second.id})
        companies = self.env["res.company"].search([("active", "=", True)])
        victim = companies[-1]
        self.assertEqual(victim, second)
        november = date(2026, 11, 1)
        Score = self.env["qms.department.score"]
        original = self.registry["qms.department.score"]._qms_compute_month
        computed, dying = [], [victim]

        def compute_or_die(model, month, company=None):
            computed.append(company)
            if company in dying:
                raise WorkerKilled("worker killed while scoring")
            return original(model, month, company)

        def scores(company):
            self.env.invalidate_all()
            return Score.search([("company_id", "=", company.id), ("month", "=", november)])

        with patch.object(self.registry["qms.department.score"], "_qms_compute_month", compute_or_die), \
                mute_logger("odoo.addons.base.models.ir_cron"):
            self.run_as_scheduler(cron, "2026-12-02")
            self.assertEqual(computed, [*(companies - victim), victim, victim],
                             "the scheduler called the job again after the crash: only the company left was tried")
            done = {company: scores(company) for company in companies - victim}
            self.assertTrue(all(done.values()), "the companies before the crash are committed")
            self.assertFalse(scores(victim))
            deductions = {company: len(company_scores.deduction_ids) for company, company_scores in done.items()}

            computed.clear()
            dying.clear()
            self.run_as_scheduler(cron, "2026-12-02")
            self.assertEqual(computed, [victim], "the next run did the company left, and only it")
            self.assertTrue(scores(victim))
            for company, company_scores in done.items():
                self.assertEqual(scores(company), company_scores)
                self.assertEqual(len(scores(company).deduction_ids), deductions[company], "no deduction twice")

            computed.clear()
            self.run_as_scheduler(cron, "2026-12-03")
            self.assertEqual(computed, list(companies), "the next day, every draft month is computed again")


@tagged("post_install", "-at_install")
class TestTwoSessionsAtOnce(TransactionCase):
    """Two users act on the same record at the same moment, each in their own session (a separate
    database connection and transaction, as two browser tabs would).

    Either the first has not finished when the second clicks: the second is told at once that the
    record is being processed. Or the first finished after the second's transaction began: the second's
    lock meets PostgreSQL's serialization failure, Odoo's RPC layer retries (``retrying``), and the retry
    says plainly that the step is no longer possible. Either way the step is taken once: one status
    change, one message, one to-do, one escalation step, one number.

    The data is the demo municipality's, committed; what a test creates is deleted afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.head = ref("gov_qms_docs.user_head_lic")  # head of the Licensing Section
        cls.manager = ref("gov_qms_docs.user_manager")  # the QMS office
        cls.controller = ref("gov_qms_docs.user_controller")
        cls.staff = ref("gov_qms_docs.user_staff_lic")
        cls.reader = ref("gov_qms_docs.user_staff_ins")
        cls.department = ref("gov_qms_docs.dept_lic")

    def setUp(self):
        super().setUp()
        self.created = {}
        self.addCleanup(self.purge)  # runs after the sessions are closed (cleanups run last first)

    # ------------------------------------------------------------------ sessions

    def session(self, user=None):
        """A new session of `user` (default: the superuser, as the scheduler) on its own connection."""
        cr = self.registry.cursor()
        self.assertNotIsInstance(cr, TestCursor, "a real, separate connection")
        cr.execute("SET lock_timeout = '10s'")  # a session waiting for a lock fails the test instead of hanging it
        cr.commit()
        self.addCleanup(self.close_session, cr)
        return api.Environment(cr, user.id if user else SUPERUSER_ID, {})

    @staticmethod
    def close_session(cr):
        if not cr.closed:
            cr.rollback()
            cr.execute("RESET lock_timeout")
            cr.commit()
            cr.close()

    def track(self, records):
        self.created.setdefault(records._name, set()).update(records.ids)
        return records

    def purge(self):
        """Delete what the test committed, with what came with it (messages, to-dos, followers, files)."""
        ids = {model: set(record_ids) for model, record_ids in self.created.items()}
        with self.registry.cursor() as cr:
            def children(table, column, parents):
                if not parents:
                    return set()
                cr.execute(SQL("SELECT id FROM %s WHERE %s IN %s", SQL.identifier(table), SQL.identifier(column),
                               tuple(parents)))
                return {row[0] for row in cr.fetchall()}

            ids.setdefault("qms.document.revision", set()).update(
                children("qms_document_revision", "document_id", ids.get("qms.document")))
            ids.setdefault("qms.document.acknowledgement", set()).update(
                children("qms_document_acknowledgement", "revision_id", ids.get("qms.document.revision")))
            for model in ("qms.document.acknowledgement", "qms.nonconformity", "qms.document.revision",
                          "qms.document", "ir.attachment"):
                record_ids = tuple(ids.get(model, ()))
                if not record_ids:
                    continue
                for table, model_column, id_column in [("mail_activity", "res_model", "res_id"),
                                                       ("mail_message", "model", "res_id"),
                                                       ("mail_followers", "res_model", "res_id"),
                                                       ("ir_attachment", "res_model", "res_id")]:
                    cr.execute(SQL("DELETE FROM %s WHERE %s = %s AND %s IN %s", SQL.identifier(table),
                                   SQL.identifier(model_column), model, SQL.identifier(id_column), record_ids))
                cr.execute(SQL("DELETE FROM %s WHERE id IN %s", SQL.identifier(self.registry[model]._table),
                               record_ids))

    # ------------------------------------------------------------------ the two orders of events

    def assert_second_is_told_busy(self, record, first, second, step):
        """`first` takes the step and has not committed when `second` takes it too."""
        env_a, env_b = self.session(first), self.session(second)
        step(record.with_env(env_a))
        env_a.flush_all()
        with self.assertRaisesRegex(UserError, "is being processed by someone else right now: reload the page"):
            retrying(lambda: step(record.with_env(env_b)), env_b)
        env_b.cr.rollback()
        env_a.cr.commit()

    def assert_second_is_told_too_late(self, record, first, second, step, state, second_step=None):
        """`second`'s transaction began (its page was read) before `first` took the step and committed; then
        `second` takes the step too (or `second_step`, another step from the same status)."""
        env_a, env_b = self.session(first), self.session(second)
        record.with_env(env_b).mapped("state")  # the second session's transaction begins
        step(record.with_env(env_a))
        env_a.cr.commit()
        attempts = []

        def second_attempt():
            attempts.append(True)
            return (second_step or step)(record.with_env(env_b))

        with patch("odoo.service.model.time.sleep"), \
                self.assertRaisesRegex(UserError, f"is {state}: this step is not possible now"):
            retrying(second_attempt, env_b)
        self.assertEqual(len(attempts), 2, "the first attempt met the concurrent update and was retried")
        env_b.cr.rollback()

    def read_back(self, record):
        """`record` as a new session sees it (what was committed)."""
        return record.with_env(self.session())

    def tracked_changes(self, record, field, value):
        """How many messages of `record` tracked `field` changing to `value` (the chatter's line per step)."""
        env = self.session()
        return env["mail.tracking.value"].search_count([
            ("mail_message_id.model", "=", record._name), ("mail_message_id.res_id", "=", record.id),
            ("field_id.name", "=", field), ("new_value_char", "=", value)])

    # ------------------------------------------------------------------ data

    def make_closable_nc(self, env):
        """A nonconformity of the Licensing Section, corrected with proof: ready for its head to close."""
        nc = self.track(env["qms.nonconformity"].create({
            "title": "Licence issued without the site inspection record", "department_id": self.department.id,
            "source": "self_reported", "severity": "minor"}))
        nc.with_user(self.head).action_triage_correction()
        proof = self.track(env["ir.attachment"].create({
            "name": "inspection-record.pdf", "type": "url", "url": "https://city.example/inspection-record.pdf",
            "res_model": nc._name, "res_id": nc.id}))
        nc.write({"containment_description": "Site inspection done and recorded.", "containment_by_id": self.staff.id,
                  "containment_date": nc.date_detected, "evidence_attachment_ids": [Command.link(proof.id)]})
        return nc

    def make_document(self, env, **values):
        return self.track(env["qms.document"].create({
            "name": "Handling of licence applications", "code": f"QP-T{uuid4().hex[:8].upper()}",
            "tier": "procedure", "department_id": self.department.id, "owner_id": self.staff.id, **values}))

    def make_revision_in_review(self, env, document):
        revision = env["qms.document.revision"].with_user(self.staff).create({
            "document_id": document.id, "body": "<p>Check the site inspection record first.</p>",
            "approver_id": self.head.id, "change_summary": "Site inspection record checked first."})
        revision.action_submit()
        return self.track(revision.sudo())

    # ------------------------------------------------------------------ the cases

    def test_two_closers_of_one_nonconformity(self):
        setup = self.session()
        busy, late = self.make_closable_nc(setup), self.make_closable_nc(setup)
        setup.cr.commit()

        def close(nc):
            return nc.action_close()

        self.assert_second_is_told_busy(busy, self.head, self.manager, close)
        self.assert_second_is_told_too_late(late, self.head, self.manager, close, "Closed")
        for nc in (busy, late):
            nc = self.read_back(nc)
            self.assertEqual((nc.state, nc.closed_by_id), ("closed", self.head), "the first closer's closure stands")
            self.assertEqual(self.tracked_changes(nc, "state", "Closed"), 1, "closed once")

    def test_two_approvals_of_one_revision(self):
        setup = self.session()
        busy, late, rejected = (self.make_revision_in_review(setup, self.make_document(setup)) for _i in range(3))
        setup.cr.commit()

        def approve(revision):
            return revision.action_approve()

        # the approver in two tabs
        self.assert_second_is_told_busy(busy, self.head, self.head, approve)
        self.assert_second_is_told_too_late(late, self.head, self.head, approve, "Effective")
        # the approver approves while the document controller rejects
        self.assert_second_is_told_too_late(rejected, self.head, self.controller, approve, "Effective",
                                            second_step=lambda revision: revision._action_reject("Not clear enough"))
        for revision in (busy, late, rejected):
            revision = self.read_back(revision)
            self.assertEqual(revision.state, "effective")
            self.assertEqual(len(revision.document_id.message_ids.filtered(
                lambda m: "is effective from" in (m.body or ""))), 1, "it took effect once")
            self.assertFalse(revision.message_ids.filtered(lambda m: "Rejected" in (m.body or "")))
            self.assertEqual(self.tracked_changes(revision, "state", "Effective"), 1, "approved once")

    def test_two_acknowledgements_of_one_request(self):
        setup = self.session()
        acks = setup["qms.document.acknowledgement"]
        for _i in range(2):
            document = self.make_document(setup, distribution_user_ids=[Command.set(self.reader.ids)])
            revision = self.make_revision_in_review(setup, document)
            revision.with_user(self.head).action_approve()
            acks |= self.track(revision.ack_ids)
        self.assertEqual(len(acks), 2, "one request to the reader per revision")
        for ack in acks:
            ack.with_user(self.reader).action_open_revision()  # read before confirming
        setup.cr.commit()
        busy, late = acks

        def acknowledge(ack):
            return ack.action_acknowledge()

        self.assert_second_is_told_busy(busy, self.reader, self.reader, acknowledge)
        self.assert_second_is_told_too_late(late, self.reader, self.reader, acknowledge, "Read and Understood")
        for ack in (busy, late):
            ack = self.read_back(ack)
            self.assertEqual(ack.state, "acknowledged")
            self.assertFalse(ack.activity_ids, "the to-do is done")
            self.assertEqual(len(ack.message_ids.filtered(lambda m: "Read and understood" in (m.body or ""))), 1,
                             "marked done once")

    def test_two_escalation_runs_at_once(self):
        setup = self.session()
        deadline = date(2026, 1, 5)  # a Monday; the runs below are months later: every rung is due
        today = deadline + timedelta(days=90)
        ncs = self.track(setup["qms.nonconformity"].create([{
            "title": f"Complaint not answered in time ({i})", "department_id": self.department.id,
            "source": "complaint", "severity": "minor", "date_detected": deadline - timedelta(days=3),
            "date_deadline": deadline} for i in range(4)]))
        setup.cr.commit()
        together, one_after_the_other = ncs[:2], ncs[2:]
        NC = self.registry["qms.nonconformity"]
        domain = NC._qms_escalation_domain
        current = [together]  # the runs below see these nonconformities only, not the demo's

        def run(env):
            return env["qms.nonconformity"]._cron_escalate(today=today)

        with patch.object(NC, "_qms_escalation_domain", lambda model: [*domain(model), ("id", "in", current[0].ids)]):
            # 1. two runs at the same moment: the second finds every row taken and skips it
            first, second = self.session(), self.session()
            run(first)
            first.flush_all()
            run(second)
            second.cr.commit()
            # meanwhile the head cannot take a step on an item the job holds
            head = self.session(self.head)
            with self.assertRaisesRegex(UserError, "is being processed by someone else right now"):
                retrying(lambda: together[0].with_env(head).action_triage_capa(), head)
            head.cr.rollback()
            first.cr.commit()
            # 2. a run whose transaction began before the other one finished: the rows changed since are skipped
            current[0] = one_after_the_other
            late, early = self.session(), self.session()
            one_after_the_other.with_env(late).mapped("escalation_level")  # the late run's transaction begins
            run(early)
            early.cr.commit()
            run(late)
            late.cr.commit()

        check = self.session()
        for nc in ncs.with_env(check):
            self.assertEqual(nc.escalation_level, 3)
            # the owner's to-do once; the heads are told by their daily digest, not by a to-do per item
            for note, todo, todos in [("Reminder: due on", "Deadline approaching", 1),
                                      ("Overdue since", "Overdue item", 0),
                                      ("Now a supervised item", "Supervised item (挂牌督办)", 0)]:
                self.assertEqual(len(nc.message_ids.filtered(lambda m, note=note: note in (m.body or ""))), 1,
                                 f"{nc.display_name}: {note!r} once")
                self.assertEqual(len(nc.activity_ids.filtered(lambda a, todo=todo: a.summary == todo)), todos,
                                 f"{nc.display_name}: {todo!r} {todos} time(s)")

    def test_two_nonconformities_raised_at_once_get_two_numbers(self):
        env_a, env_b = self.session(self.staff), self.session(self.head)
        values = {"title": "Queue ticket printer out of paper", "department_id": self.department.id,
                  "source": "self_reported", "date_detected": fields.Date.today()}
        first = self.track(env_a["qms.nonconformity"].create(dict(values)))
        second = self.track(env_b["qms.nonconformity"].create(dict(values)))
        env_a.flush_all()
        env_b.flush_all()
        self.assertNotEqual(first.name, second.name)
        env_a.cr.commit()
        env_b.cr.commit()
        self.assertEqual(len({self.read_back(first).name, self.read_back(second).name}), 2)
