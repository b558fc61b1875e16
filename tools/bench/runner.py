"""Measuring one operation: time, SQL queries and peak memory, in a transaction rolled back afterwards.

Peak memory is the process's resident-set high-water mark (VmHWM) during the operation, reset just before it
(``echo 5 > /proc/self/clear_refs``, after a garbage collection and a malloc_trim). Each database has its
own worker process (see worker.py), so the figure is what one Odoo worker with that database's registry
holds at its peak, the registry and caches included; programs the operation starts (wkhtmltopdf) are not
counted. Where /proc/self/clear_refs cannot be written the figure is the process's peak so far.
"""

import contextlib
import ctypes
import gc
import statistics
import time

from odoo import SUPERUSER_ID, api, sql_db

from . import operations


def _malloc_trim():
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _status_kb(key):
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def reset_peak():
    gc.collect()
    _malloc_trim()
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass
    return _status_kb("VmRSS") / 1024


def measure(env, function):
    """Run `function` (then flush what it left unwritten) and return (its result, the measure)."""
    rss_before = reset_peak()
    queries = sql_db.sql_counter
    start = time.perf_counter()
    result = function()
    env.flush_all()
    elapsed = time.perf_counter() - start
    return result, {"ms": elapsed * 1000, "queries": sql_db.sql_counter - queries,
                    "peak_rss_mb": _status_kb("VmHWM") / 1024, "rss_before_mb": rss_before}


@contextlib.contextmanager
def registry_transaction(registry):
    """A new transaction as the superuser, rolled back at the end whatever happens."""
    cr = registry.cursor()
    try:
        yield api.Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.rollback()
        cr.close()


def savepoint_transaction(env):
    """The same inside a test's transaction: a savepoint rolled back at the end."""
    @contextlib.contextmanager
    def transaction():
        savepoint = env.cr.savepoint()
        try:
            yield env(user=SUPERUSER_ID, su=True)
        finally:
            savepoint.close(rollback=True)
            env.invalidate_all(flush=False)
    return transaction


def run_operation(transaction, facts, key, side):
    """One round of operation `key` on `side` ('ours', 'oca' or 'floor'): a dict of the measure, or
    {'skipped': why}. An operation whose floor needs its own result (the evidence pack: zipping the files of
    the pack just built) measures the floor in the same transaction, as the result's 'floor'."""
    operation = operations.BY_KEY[key]
    with transaction() as env:
        prepare = {"ours": operation.ours, "oca": operation.oca, "floor": operation.floor}[side]
        try:
            function = prepare(env, facts)
        except operations.Skip as exc:
            return {"skipped": str(exc)}
        built, result = measure(env, function)
        if side == "ours" and operation.floor_label == "zip":
            function, cleanup = operation.floor(env, facts, built)
            try:
                result["floor"] = measure(env, function)[1]
            finally:
                cleanup()
        return result


def summarise(rounds):
    """Median time and queries of the rounds, the highest peak memory."""
    done = [r for r in rounds if "ms" in r]
    if not done:
        return None
    return {"ms": statistics.median(r["ms"] for r in done),
            "queries": round(statistics.median(r["queries"] for r in done)),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in done),
            "rss_before_mb": min(r["rss_before_mb"] for r in done)}
