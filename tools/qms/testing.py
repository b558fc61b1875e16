"""``./qms test``: a fresh database, pytest (junit XML) and Odoo's browser tours (JSON results)."""

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

from .common import MODULES, ROOT, UI_TEST_TAG, VAR, QmsError, say, test_db_name
from .odoo import OdooEnv
from .ports import free_port


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def add(self, passed=0, failed=0, skipped=0):
        self.passed += passed
        self.failed += failed
        self.skipped += skipped

    def line(self):
        return f"{self.passed} passed, {self.failed} failed" + (f", {self.skipped} skipped" if self.skipped else "")


def pytest_counts(junit):
    """(passed, failed, skipped) from pytest's junit XML, or None if it wrote none."""
    if not junit.exists():
        return None
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed, skipped


def odoo_runner_counts(results_file, db):
    """(passed, failed, problems) from the JSON written by tools.qms.odoo_tests.

    A skipped browser test counts as failed (no Chromium must not look like success)."""
    try:
        outcome = json.loads(results_file.read_text())
    except (OSError, ValueError):
        return 0, 1, [f"Odoo's test runner wrote no results ({results_file})"]
    report = outcome.get("databases", {}).get(db)
    if report is None:
        return 0, 1, [f"Odoo's test runner did not load the database {db} (exit code {outcome.get('exit_code')})"]
    problems = [f"failed: {test}" for test in outcome.get("failed", [])]
    problems += [f"error: {test}" for test in outcome.get("errored", [])]
    problems += [f"browser test skipped: {test} ({reason})" for test, reason in outcome.get("skipped", [])]
    bad = report["failures"] + report["errors"] + report["skipped"]
    return max(report["tests_run"] - bad, 0), bad, problems


def cmd_test(args):
    tours = not args.pytest_args
    needs = ["postgresql", "wkhtmltopdf", "cjk-font", *(["chromium"] if tours else [])]
    env = OdooEnv.prepare(needs)
    say(env.description)
    db = test_db_name()
    tally = Tally()
    results = VAR / "test-results" / db  # one folder per database: parallel runs do not collide
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir(parents=True)
    with env.cluster.use("test"):
        try:
            env.cluster.drop_database(db)
            config = env.write_config(f"test-{db}.conf", db, free_port(8169), max_cron_threads=0,
                                      log_level="info", log_handler=":INFO")
            say(f"installing {', '.join(MODULES)} with demo data into a fresh database {db}")
            try:
                env.install(config, db, results / "install.log")
            except QmsError as exc:
                print(exc, flush=True)
                tally.add(failed=1)
                print(tally.line())
                return 1

            say("running the tests (pytest with pytest-odoo)")
            junit = results / "pytest.xml"
            pytest_cmd = [str(env.python), "-m", "pytest", f"--odoo-config={config}", f"--odoo-database={db}",
                          "--odoo-log-level=warn", f"--junitxml={junit}", "-p", "no:cacheprovider",
                          *args.pytest_args]
            exit_code = subprocess.run(pytest_cmd, env=env.child_env(QMS_ODOO_CONFIG=config), cwd=ROOT,
                                       check=False).returncode
            counts = pytest_counts(junit) or (0, 0, 0)
            if exit_code not in (0, 1, 5) and not counts[1]:
                say(f"pytest stopped abnormally (exit code {exit_code})")
                counts = (counts[0], 1, counts[2])
            tally.add(*counts)

            if tours:
                say(f"running the browser tours (Odoo's test runner, tag {UI_TEST_TAG}, Chromium)")
                ui_json = results / "ui-tests.json"
                command = [str(env.python), "-m", "tools.qms.odoo_tests", str(ui_json),
                           *env.odoo_args(config, "-d", db, "--test-enable", f"--test-tags={UI_TEST_TAG}",
                                          "--stop-after-init", logfile=results / "ui-tests.log")]
                subprocess.run(command, env=env.child_env(), cwd=ROOT, check=False)
                passed, failed, problems = odoo_runner_counts(ui_json, db)
                for problem in problems:
                    print(problem)
                if problems:
                    say(f"Odoo's log of the browser tests: {results / 'ui-tests.log'}")
                tally.add(passed=passed, failed=failed)
        finally:
            if not args.keep:
                env.cluster.drop_database(db)
    print(tally.line(), flush=True)
    return 1 if tally.failed else 0
