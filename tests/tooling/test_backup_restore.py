"""The backup and restore procedure of the README ("Backup and restore"), on the private cluster:
a copy of the test database is dumped (pg_dump -Fc) with its filestore (tar), dropped, restored,
and its records and attachments are checked intact, also through Odoo's ORM. The copy is this test's
own database, created and dropped here; nothing else is touched.

Needs the database that `./qms test` installs (QMS_ODOO_CONFIG names its configuration)."""

import configparser
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tools.qms.common import ROOT
from tools.qms.system import find_pg_bindir

pytestmark = pytest.mark.skipif(not os.environ.get("QMS_ODOO_CONFIG") or not find_pg_bindir(),
                                reason="needs ./qms test's database (QMS_ODOO_CONFIG) and PostgreSQL")


@pytest.fixture(scope="module")
def odoo_config():
    parser = configparser.ConfigParser()
    parser.read(os.environ["QMS_ODOO_CONFIG"])
    return dict(parser["options"]), Path(os.environ["QMS_ODOO_CONFIG"])


def pg(tool, options, *args, **kwargs):
    command = [str(find_pg_bindir() / tool), "-h", options["db_host"], "-p", options["db_port"], "-U",
               options["db_user"], *args]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout


def sql(options, db, query):
    return pg("psql", options, "-d", db, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-",
              input=query).strip()


def fingerprint(options, db):
    """Row counts of every gov_qms table and of users and attachments, and the stored files' checksums."""
    tables = sql(options, db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
                              "(tablename LIKE 'qms\\_%' OR tablename IN ('res_users', 'ir_attachment', "
                              "'mail_message')) ORDER BY 1;").split()
    counts = {t: int(sql(options, db, f'SELECT count(*) FROM "{t}";')) for t in tables}  # names from pg_tables
    files = sql(options, db, "SELECT id || ' ' || store_fname || ' ' || checksum FROM ir_attachment "
                             "WHERE store_fname IS NOT NULL ORDER BY id;").splitlines()
    return counts, [line.split() for line in files]


def test_dump_drop_restore_keeps_records_and_attachments(odoo_config):
    options, config_file = odoo_config
    source = options["db_name"]
    own = f"{source[:30]}_backup_{uuid.uuid4().hex[:8]}"
    filestore = Path(options["data_dir"]) / "filestore"
    work = Path(options["data_dir"]).parent / "backup-test" / own
    work.mkdir(parents=True)
    timings = {}
    try:
        # this test's own database: a copy of the suite's (pg_dump reads a consistent snapshot)
        start = time.monotonic()
        pg("pg_dump", options, "-Fc", "-f", str(work / "source.dump"), source)
        pg("createdb", options, own)
        pg("pg_restore", options, "--no-owner", "-j", "2", "-d", own, str(work / "source.dump"))
        if (filestore / source).exists():
            shutil.copytree(filestore / source, filestore / own)
        timings["copy"] = time.monotonic() - start
        before = fingerprint(options, own)
        assert before[0]["qms_document"] and before[0]["qms_nonconformity"] and before[1], "demo data expected"

        # the README's procedure: dump the database and archive its filestore ...
        start = time.monotonic()
        pg("pg_dump", options, "-Fc", "-f", str(work / f"{own}.dump"), own)
        subprocess.run(["tar", "-C", str(filestore), "-czf", str(work / f"{own}-filestore.tgz"), own], check=True)
        timings["backup"] = time.monotonic() - start
        # ... lose both ...
        pg("dropdb", options, own)
        shutil.rmtree(filestore / own)
        assert own not in sql(options, "postgres", "SELECT datname FROM pg_database;").split()
        # ... and restore them
        start = time.monotonic()
        pg("createdb", options, own)
        pg("pg_restore", options, "--no-owner", "-j", "2", "-d", own, str(work / f"{own}.dump"))
        subprocess.run(["tar", "-C", str(filestore), "-xzf", str(work / f"{own}-filestore.tgz")], check=True)
        timings["restore"] = time.monotonic() - start

        after = fingerprint(options, own)
        assert after == before
        for _id, store_fname, checksum in after[1]:
            data = (filestore / own / store_fname).read_bytes()
            assert hashlib.sha1(data).hexdigest() == checksum, store_fname

        # Odoo opens the restored database and reads its records and files
        probe = (
            "import json\n"
            "att = env['ir.attachment'].search([('store_fname', '!=', False), ('res_model', 'like', 'qms.')],"
            " limit=5) or env['ir.attachment'].search([('store_fname', '!=', False)], limit=5)\n"
            "print('QMS-PROBE', json.dumps({'documents': env['qms.document'].search_count([]),"
            " 'ncs': env['qms.nonconformity'].search_count([]), 'files': [len(a.raw) == a.file_size for a in att]}))\n"
        )
        result = subprocess.run([sys.executable, "-m", "odoo", "shell", "-c", str(config_file), "-d", own, "--no-http",
                                 "--log-level=warn"], input=probe, capture_output=True, text=True, cwd=ROOT,
                                check=False)
        line = next((x for x in result.stdout.splitlines() if x.startswith("QMS-PROBE ")), None)
        assert line, result.stdout[-2000:] + result.stderr[-2000:]
        seen = json.loads(line.split(" ", 1)[1])
        assert seen["documents"] == before[0]["qms_document"]
        assert seen["ncs"] == before[0]["qms_nonconformity"]
        assert seen["files"] and all(seen["files"])
        print(f"backup/restore timings (s): {json.dumps({k: round(v, 1) for k, v in timings.items()})}")
    finally:
        subprocess.run([str(find_pg_bindir() / "psql"), "-h", options["db_host"], "-p", options["db_port"], "-U",
                        options["db_user"], "-d", "postgres", "-X", "-q", "-v", f"db={own}", "-f", "-"],
                       input='DROP DATABASE IF EXISTS :"db" WITH (FORCE);', text=True, capture_output=True,
                       check=False)
        shutil.rmtree(filestore / own, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
