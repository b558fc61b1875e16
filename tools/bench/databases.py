"""The bench databases in the shared cluster: configuration, existence, installation, the marker."""

import configparser
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
VAR_BENCH = ROOT / "var" / "bench"
QMS_MODULES = ("gov_qms_docs", "gov_qms_capa", "gov_qms_audit")
MARKER = "qms_bench.marker"  # ir.config_parameter: scale, generator version, facts, day built
VERSION = 1  # of the generator: a database built by another version is built again
KEEP = ("db_host", "db_port", "db_user", "db_password", "data_dir", "admin_passwd", "db_sslmode")


def write_config(source, addons_paths, name="bench-run.conf"):
    """A configuration for the bench: the cluster and filestore of `source`, our addons and OCA's."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(source)
    options = dict(parser["options"]) if parser.has_section("options") else {}
    values = {key: options[key] for key in KEEP if options.get(key) not in (None, "", "False")}
    values.update({"addons_path": ",".join(str(path) for path in addons_paths), "max_cron_threads": "0",
                   "list_db": "False", "log_level": "warn", "http_enable": "False"})
    VAR_BENCH.mkdir(parents=True, exist_ok=True)
    path = VAR_BENCH / name
    with path.open("w", encoding="utf-8") as target:
        target.write("[options]\n" + "".join(f"{key} = {value}\n" for key, value in values.items()))
    return path, values


def connect(values, dbname="postgres"):
    params = {"dbname": dbname, "user": values.get("db_user") or None,
              "host": values.get("db_host") or None, "port": values.get("db_port") or None,
              "password": values.get("db_password") or None}
    connection = psycopg2.connect(**{key: value for key, value in params.items() if value})
    connection.autocommit = True
    return connection


def vacuum_analyze(values, dbname):
    """After a bulk load, what autovacuum does on a live database before long: statistics for the planner and the
    visibility map for index-only scans (both databases alike)."""
    connection = connect(values, dbname)
    try:
        with connection.cursor() as cr:
            cr.execute("VACUUM ANALYZE")
    finally:
        connection.close()


def exists(values, dbname):
    with connect(values) as connection, connection.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
        return bool(cr.fetchone())


def drop(values, dbname):
    connection = connect(values)
    try:
        with connection.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,))
            cr.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
    finally:
        connection.close()
    filestore = Path(values.get("data_dir") or Path.home() / ".local/share/Odoo") / "filestore" / dbname
    if filestore.is_dir():
        subprocess.run(["rm", "-rf", str(filestore)], check=False)


def marker(values, dbname):
    """The bench marker of `dbname` (None when absent or the database is not a bench one)."""
    if not exists(values, dbname):
        return None
    connection = connect(values, dbname)
    try:
        with connection.cursor() as cr:
            cr.execute("SELECT to_regclass('ir_config_parameter')")
            if not cr.fetchone()[0]:
                return None
            cr.execute("SELECT value FROM ir_config_parameter WHERE key = 'qms_bench.marker'")
            row = cr.fetchone()
            return json.loads(row[0]) if row else None
    finally:
        connection.close()


def addons_digest():
    """A digest of our addons' code and data: a reused database is updated (``-u``) when it changed."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "addons").rglob("*")):
        if path.suffix in (".py", ".xml", ".csv") and path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def update_marker(values, dbname, **changes):
    connection = connect(values, dbname)
    try:
        with connection.cursor() as cr:
            cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (MARKER,))
            value = json.loads(cr.fetchone()[0])
            value.update(changes)
            cr.execute("UPDATE ir_config_parameter SET value = %s WHERE key = %s", (json.dumps(value), MARKER))
    finally:
        connection.close()


def install(config, dbname, modules, log, update=False):
    """Create `dbname` with `modules` installed, without demo data (Odoo's command line, a child process); with
    `update`, upgrade them in the existing database instead."""
    logfile = VAR_BENCH / f"{dbname}-{'update' if update else 'install'}.log"
    log(f"{'updating' if update else 'installing'} {', '.join(modules)} {'in' if update else 'into'} {dbname} "
        f"(log: {logfile.relative_to(ROOT)})")
    with logfile.open("w", encoding="utf-8") as output:
        result = subprocess.run([sys.executable, "-m", "odoo", "-c", str(config), "-d", dbname,
                                 "-u" if update else "-i", ",".join(modules), "--stop-after-init",
                                 "--log-level=warn"],
                                stdout=output, stderr=subprocess.STDOUT, check=False, cwd=ROOT)
    text = logfile.read_text(encoding="utf-8", errors="replace")
    if result.returncode or "Traceback" in text or " CRITICAL " in text:
        raise RuntimeError(f"{'updating' if update else 'installing'} {dbname} failed: see {logfile}")
    if " ERROR " in text:
        log(f"{dbname}: the installation logged errors, see {logfile}")
