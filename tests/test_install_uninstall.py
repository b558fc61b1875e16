"""Each addon installs and uninstalls cleanly in a fresh database, alone (with its
dependencies) and all three together, and a database of the previous version upgrades to this one.
Runs real Odoo processes on the project's cluster."""

import ast
import io
import os
import re
import subprocess
import sys
import tarfile
import uuid
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

from odoo.tools import config

SCENARIOS = {
    "docs alone": ["gov_qms_docs"],
    "capa with its dependencies": ["gov_qms_capa"],
    "audit with its dependencies": ["gov_qms_audit"],
    "all three": ["gov_qms_docs", "gov_qms_capa", "gov_qms_audit"],
}
OURS = ("gov_qms_docs", "gov_qms_capa", "gov_qms_audit")


def connect(dbname):
    connection = psycopg2.connect(dbname=dbname, host=config["db_host"], port=config["db_port"],
                                  user=config["db_user"])
    connection.autocommit = True
    return closing(connection)


def odoo(*args, config_file=None):
    """Run Odoo on the test configuration; fail with its log when it reports an error."""
    server_options = [] if args[0] == "module" else ["--log-level=warn"]
    result = subprocess.run([sys.executable, "-m", "odoo", *args, "-c", config_file or os.environ["QMS_ODOO_CONFIG"],
                             *server_options], capture_output=True, text=True, check=False)
    errors = [line for line in (result.stdout + result.stderr).splitlines() if " ERROR " in line or
              " CRITICAL " in line or "Traceback" in line]
    assert result.returncode == 0 and not errors, "\n".join(errors) or result.stderr[-3000:]


@pytest.fixture(scope="module")
def template_db():
    """Odoo's own modules installed once; every scenario starts from a copy of it."""
    if "QMS_ODOO_CONFIG" not in os.environ:
        pytest.skip("run through ./qms test, which provides the Odoo configuration")
    name = f"qms_tpl_{uuid.uuid4().hex[:8]}"
    odoo("-d", name, "-i", "mail,hr", "--stop-after-init")
    yield name
    with connect("postgres") as connection:
        connection.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("modules", list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_install_then_uninstall_cleanly(template_db, modules):
    name = f"qms_inst_{uuid.uuid4().hex[:8]}"
    with connect("postgres") as connection:
        connection.cursor().execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    try:
        odoo("-d", name, "-i", ",".join(modules), "--stop-after-init")
        with connect(name) as connection:
            cr = connection.cursor()
            cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed' AND name LIKE 'gov_qms_%'")
            installed = {row[0] for row in cr.fetchall()}
            expected = set(OURS[: max(OURS.index(module) for module in modules) + 1])
            assert installed == expected
        odoo("module", "uninstall", "-d", name, *sorted(installed))
        with connect(name) as connection:
            cr = connection.cursor()
            cr.execute("SELECT name, state FROM ir_module_module WHERE name LIKE 'gov_qms_%'")
            assert {state for _name, state in cr.fetchall()} == {"uninstalled"}
            cr.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'qms\\_%'")
            assert cr.fetchall() == [], "every table of the addons is dropped"
            cr.execute("SELECT model FROM ir_model WHERE model LIKE 'qms.%'")
            assert cr.fetchall() == [], "no model is left behind"
            cr.execute("SELECT column_name FROM information_schema.columns WHERE column_name LIKE 'qms\\_%'")
            assert cr.fetchall() == [], "fields added to Odoo's models are removed"
    finally:
        with connect("postgres") as connection:
            connection.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


ROOT = Path(__file__).resolve().parents[1]
# The last commit before 19.0.1.1.0 (docs, capa) / 19.0.1.2.0 (audit) changed every record rule.
PREVIOUS_RELEASE = "ca629b3"


def test_upgrade_from_the_previous_release(template_db, tmp_path):
    """The previous release's database upgrades: its record rules (noupdate data) are replaced by this
    version's, none baking ids, exactly as many as the addons declare."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", PREVIOUS_RELEASE, "addons"],
                             capture_output=True, check=False)
    if archive.returncode:
        pytest.skip(f"commit {PREVIOUS_RELEASE} is not in this clone: {archive.stderr.decode()[:200]}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp_path, filter="data")
    current = Path(os.environ["QMS_ODOO_CONFIG"]).read_text()
    previous_config = tmp_path / "previous.conf"
    previous_config.write_text(current.replace(str(ROOT / "addons"), str(tmp_path / "addons")))
    name = f"qms_upg_{uuid.uuid4().hex[:8]}"
    with connect("postgres") as connection:
        connection.cursor().execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    try:
        odoo("-d", name, "-i", ",".join(OURS), "--stop-after-init", config_file=str(previous_config))
        with connect(name) as connection:
            cr = connection.cursor()
            cr.execute("SELECT count(*) FROM ir_rule WHERE domain_force LIKE '%%qms_managed_department_ids%%'")
            assert cr.fetchone()[0] > 0, "the previous release had rules baking the departments' ids"
        odoo("-d", name, "-u", ",".join(OURS), "--stop-after-init")
        declared = {module: len(re.findall(r'model="ir\.rule"', "".join(
            path.read_text() for path in (ROOT / "addons" / module / "security").glob("*.xml")))) for module in OURS}
        with connect(name) as connection:
            cr = connection.cursor()
            manifest = ast.literal_eval((ROOT / "addons" / "gov_qms_audit" / "__manifest__.py").read_text())
            cr.execute("SELECT latest_version FROM ir_module_module WHERE name = 'gov_qms_audit'")
            assert cr.fetchone()[0] == manifest["version"]
            cr.execute("""SELECT count(*) FROM ir_rule r JOIN ir_model_data d ON d.res_id = r.id AND d.model = 'ir.rule'
                           WHERE d.module LIKE 'gov_qms_%%' AND r.domain_force LIKE '%%.ids%%'""")
            assert cr.fetchone()[0] == 0, "no rule bakes ids after the upgrade"
            cr.execute("""SELECT d.module, count(*) FROM ir_model_data d JOIN ir_rule r ON r.id = d.res_id
                           WHERE d.model = 'ir.rule' AND d.module LIKE 'gov_qms_%%' GROUP BY d.module""")
            assert dict(cr.fetchall()) == declared
    finally:
        with connect("postgres") as connection:
            connection.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
