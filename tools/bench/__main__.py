"""``python -m tools.bench --odoo-config CONF [--scale small|city] [--rounds N] [--json FILE] [--no-oca] [--rebuild]
[--only op1,op2]``: the benchmark of gov_qms side by side with OCA's management-system addons.

Builds (or reuses) ``qms_bench_<scale>`` and ``oca_bench_<scale>`` in the cluster of CONF, then runs each
operation in both, alternating which goes first, N rounds, each round in its own transaction rolled back,
and prints the median time, the SQL queries, the ratios and the targets. See the README, "Benchmark".
"""

import argparse
import sys
import time
from datetime import date

from . import databases, operations, report
from .databases import ROOT, VAR_BENCH
from .runner import summarise
from .scales import SCALES
from .worker import Worker, WorkerError


def log(message):
    print(f"bench: {message}", flush=True)


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--odoo-config", required=True, help="an Odoo configuration naming the PostgreSQL cluster")
    parser.add_argument("--scale", choices=[name for name in SCALES if name != "tiny"], default="small")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", metavar="FILE", help="also write the results as a JSON list")
    parser.add_argument("--no-oca", action="store_true", help="only our addons (no OCA database)")
    parser.add_argument("--rebuild", action="store_true", help="build the bench databases again")
    parser.add_argument("--only", help="comma-separated operations: " + ",".join(operations.BY_KEY))
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.only:
        unknown = set(args.only.split(",")) - set(operations.BY_KEY)
        if unknown:
            parser.error(f"unknown operation(s): {', '.join(sorted(unknown))}; known: {', '.join(operations.BY_KEY)}")
    return args


def usable(marker, scale):
    return bool(marker) and marker.get("scale") == scale and marker.get("version") == databases.VERSION


def prepare_databases(args, values, config_path):
    """Start a worker per database, building the databases whose marker is missing or stale."""
    scale, today = args.scale, date.today().isoformat()
    qms_db, oca_db = f"qms_bench_{scale}", f"oca_bench_{scale}"
    plan_path = VAR_BENCH / f"plan-{scale}.pickle"
    qms_marker = databases.marker(values, qms_db)
    oca_marker = None if args.no_oca else databases.marker(values, oca_db)
    rebuild_qms = args.rebuild or not usable(qms_marker, scale)
    rebuild_oca = not args.no_oca and (rebuild_qms or not usable(oca_marker, scale)
                                       or oca_marker.get("built_on") != qms_marker.get("built_on"))
    if rebuild_oca and not rebuild_qms and not plan_path.exists():
        log(f"{plan_path.name} is missing: both databases are built again from one plan")
        rebuild_qms = True
    workers, facts, timings = {}, {}, {}
    digest = databases.addons_digest()
    sides = [("ours", qms_db, databases.QMS_MODULES, rebuild_qms)]
    if not args.no_oca:
        sides.append(("oca", oca_db, ("mgmtsystem_nonconformity", "mgmtsystem_action", "mgmtsystem_audit"),
                      rebuild_oca))
    for side, dbname, modules, rebuild in sides:
        if rebuild:
            started = time.perf_counter()
            databases.drop(values, dbname)
            databases.install(config_path, dbname, modules, log)
            installed = time.perf_counter() - started
            workers[side] = Worker(config_path, dbname, side)
            log(f"generating the {scale} data set in {dbname}")
            started = time.perf_counter()
            result = workers[side].call("generate", scale, str(plan_path), today)
            timings[side] = (installed, time.perf_counter() - started)
            log(f"{dbname}: installed in {installed:.0f} s, data generated in {timings[side][1]:.0f} s")
            if result["problems"]:
                log(f"{dbname}: {len(result['problems'])} difference(s) between the loaded data and the ORM:")
                for problem in result["problems"][:30]:
                    log(f"  {problem}")
            facts[side] = result["facts"]
            databases.vacuum_analyze(values, dbname)
            databases.update_marker(values, dbname, built_on=today, addons=digest if side == "ours" else None)
            # a fresh worker for the measures: the generator's memory is not the operations'
            workers[side].stop()
            workers[side] = Worker(config_path, dbname, side)
        else:
            kept = qms_marker if side == "ours" else oca_marker
            if side == "ours" and kept.get("addons") != digest:
                # the addons changed since the data was loaded: upgraded as a server would be
                databases.install(config_path, dbname, modules, log, update=True)
                databases.update_marker(values, dbname, addons=digest)
            workers[side] = Worker(config_path, dbname, side)
            facts[side] = kept["facts"]
            log(f"{dbname}: reusing the {scale} data set built on {kept.get('built_on')}")
    if facts["ours"]["today"] != today:
        log(f"{qms_db}: built on {facts['ours']['today']}: the daily jobs of the days since are run first")
        facts["ours"] = workers["ours"].call("catch_up", today)
    if "oca" in facts:
        facts["oca"] = {**facts["oca"], "today": today}
    return workers, facts, timings


def run_rounds(args, workers, facts):
    keys = args.only.split(",") if args.only else list(operations.BY_KEY)
    results = {key: {"ours": [], "oca": [], "floor": []} for key in keys}
    notes = []
    for number in range(args.rounds):
        log(f"round {number + 1} of {args.rounds}")
        for key in keys:
            operation = operations.BY_KEY[key]
            sides = ["ours"] + (["oca"] if operation.oca and "oca" in workers else [])
            if number % 2:
                sides.reverse()  # A/B, then B/A
            for side in sides:
                try:
                    result = workers[side].call("run", key, side, facts[side])
                except WorkerError as exc:
                    log(f"{key} failed on {side}: {exc}")
                    notes.append(f"{operation.label}: failed on {side} (see the log above)")
                    continue
                if "skipped" in result:
                    if number == 0:
                        notes.append(f"{operation.label}: skipped, {result['skipped']}")
                    continue
                if "floor" in result:
                    results[key]["floor"].append(result.pop("floor"))
                results[key][side].append(result)
                log(f"  {key} {side}: {result['ms']:,.1f} ms, {result['queries']:,} queries, "
                    f"peak {result['peak_rss_mb']:,.0f} MB")
            if operation.floor and operation.floor_label != "zip" and results[key]["ours"]:
                results[key]["floor"].append(workers["ours"].call("run", key, "floor", facts["ours"]))
    rows, marks, by_key = [], [], {}
    for key in keys:
        operation = operations.BY_KEY[key]
        ours = summarise(results[key]["ours"])
        if ours is None:
            continue
        row = report.make_row(operation, ours, summarise(results[key]["oca"]), summarise(results[key]["floor"]))
        rows.append(row)
        by_key[key] = row
    for row in rows:
        marks.append(report.check_targets(report.operation_of(row), row, by_key))
    return rows, marks, notes


def main(argv=None):
    args = parse(argv)
    started = time.perf_counter()
    paths = [ROOT / "addons"]
    if not args.no_oca:
        from .oca import ensure_oca_addons

        paths.append(ensure_oca_addons(VAR_BENCH, log=log))
    config_path, values = databases.write_config(args.odoo_config, paths)
    workers = {}
    try:
        workers, facts, timings = prepare_databases(args, values, config_path)
        rows, marks, notes = run_rounds(args, workers, facts)
    finally:
        for worker in workers.values():
            worker.stop()
    ours = facts["ours"]
    notes = [*notes,
             f"scale {args.scale}, {args.rounds} round(s), medians; peak MB: the worker's resident-set high-water mark",
             f"the department head is {ours['head_login']}; the overdue actions are {ours['overdue_login']}'s "
             f"({ours.get('overdue_count', '?')}); this year's programme has {ours.get('programme_audits', '?')} "
             f"audits"]
    for side, (installed, generated) in timings.items():
        notes.append(f"{side}: install {installed:.0f} s, data generation {generated:.0f} s")
    print()
    print(report.table(rows, marks, notes))
    missed = sum(1 for row_marks in marks for _text, passed in row_marks if not passed)
    print(f"\n{len(rows)} operations, {sum(len(m) for m in marks) - missed} targets met, {missed} missed "
          f"({(time.perf_counter() - started) / 60:.1f} min)")
    if args.json:
        report.write_json(args.json, rows)
        log(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
