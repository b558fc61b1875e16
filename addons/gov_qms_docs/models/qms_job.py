"""Scheduled jobs that work through items in committed batches.

A job handles its items in batches. Each batch locks its rows, carries out the step and records it on
the item (a status, ``escalation_level``) in one transaction; as a scheduled job, that transaction is
then committed with Odoo's cron progress (``ir.cron._commit_progress``). A job that dies in a batch
therefore leaves the earlier batches done, and its next run finds only what is left: nothing is done
twice. When the job's time is up, it stops and reports what remains; Odoo then runs it again at once.

Called outside a scheduled job (a button, a test, the shell), the same code runs every batch in the
caller's transaction and commits nothing: the caller decides.
"""

from psycopg2.errors import SerializationFailure

from odoo.tools import SQL


def in_scheduled_job(env):
    """Whether `env` runs a scheduled job that reports its progress (Odoo 19's ir.cron progress)."""
    return bool(env.context.get("ir_cron_progress_id"))


def commit_batch(env, processed, remaining):
    """A batch is done: as a scheduled job, commit it with the progress and return the time left (seconds,
    0 when the job must stop and let Odoo run it again); otherwise commit nothing and go on."""
    if not in_scheduled_job(env):
        return float("inf")
    return env["ir.cron"]._commit_progress(processed, remaining=max(remaining, 0))


def batches(records, size):
    """`records` in slices of `size`."""
    for start in range(0, len(records), size):
        yield records[start:start + size]


def lock_rows(records):
    """Lock the rows of `records` for this transaction and return those locked, read afresh.

    Rows another transaction holds are skipped (SKIP LOCKED): a concurrent run or a user's workflow step
    is handling them. Rows that another transaction changed and committed after this one began cannot be
    locked either (PostgreSQL's repeatable read refuses it with a serialization failure): they are skipped
    as well, one savepoint each, rather than failing the whole batch. The next run takes what was skipped.
    """
    ids = [record_id for record_id in records._ids if record_id]
    if not ids:
        return records.browse()
    records.flush_recordset()

    def lock(some_ids):
        return [row[0] for row in records.env.execute_query(SQL(
            "SELECT id FROM %s WHERE id IN %s FOR NO KEY UPDATE SKIP LOCKED",
            SQL.identifier(records._table), tuple(some_ids)))]

    cr = records.env.cr
    try:
        with cr.savepoint(flush=False):
            locked_ids = lock(ids)
    except SerializationFailure:
        locked_ids = []
        for record_id in ids:
            try:
                with cr.savepoint(flush=False):
                    locked_ids += lock([record_id])
            except SerializationFailure:
                continue
    kept = set(locked_ids)
    locked = records.browse([record_id for record_id in ids if record_id in kept])  # in the given order
    locked.invalidate_recordset()
    return locked
