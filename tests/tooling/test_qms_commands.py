"""./qms's commands each check only what they need, parse machine-readable results, and pass
`bench` arguments through. The thin entry point and the package import without side effects."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.qms import bench, cli, lint, odoo_source, serve, system, testing
from tools.qms.common import ROOT, QmsError
from tools.qms.odoo import OdooEnv


def forbid(*_args, **_kwargs):
    raise AssertionError("lint must not need this")


def test_lint_needs_neither_postgresql_chromium_nor_odoo(monkeypatch):
    monkeypatch.setattr(system, "find_pg_bindir", forbid)
    monkeypatch.setattr(system, "find_chrome", forbid)
    monkeypatch.setattr(system, "ensure_system_packages", forbid)
    monkeypatch.setattr(odoo_source, "locate_odoo", forbid)
    monkeypatch.setattr(odoo_source, "fetch_archive", forbid)
    monkeypatch.setattr(OdooEnv, "prepare", forbid)
    asked, commands = [], []
    monkeypatch.setattr(lint, "ensure_venv", lambda odoo_src, requirements: asked.append((odoo_src, requirements))
                        or Path(sys.executable))
    monkeypatch.setattr(lint.subprocess, "run", lambda command, **kw: commands.append(command)
                        or subprocess.CompletedProcess(command, 0))
    assert lint.cmd_lint(None) == 0
    assert asked == [(None, (ROOT / "requirements.txt",))], "only the project's tools, not Odoo's requirements"
    assert commands[0][1:3] == ["check", str(ROOT / "addons")] and str(ROOT / "tools") in commands[0]
    assert commands[1][1:3] == ["-m", "pylint"]


def test_packages_needed_per_command(monkeypatch):
    monkeypatch.setattr(system, "find_pg_bindir", lambda: None)
    monkeypatch.setattr(system, "find_chrome", lambda: None)
    monkeypatch.setattr(system.shutil, "which", lambda name: None)
    monkeypatch.setattr(system, "has_cjk_font", lambda: True)
    assert system.missing_packages(["postgresql", "wkhtmltopdf"]) == ["postgresql", "wkhtmltopdf"]
    assert "chromium" not in system.missing_packages(["postgresql", "wkhtmltopdf", "cjk-font"])
    assert system.missing_packages(["chromium"]) == ["chromium"]
    monkeypatch.setattr(system.os, "geteuid", lambda: 1000)
    with pytest.raises(QmsError, match="sudo apt-get install -y postgresql"):
        system.ensure_system_packages(["postgresql"])


def test_bench_arguments_pass_through(monkeypatch, tmp_path):
    args = cli.parse(["bench", "--scale", "2", "--json", "out.json", "--rounds", "3"])
    assert args.func is bench.cmd_bench and args.bench_args == ["--scale", "2", "--json", "out.json", "--rounds", "3"]

    class Cluster:
        socket_dir, port, uses = tmp_path, 5432, []

        def use(self, command, keep=False):
            self.uses.append(command)
            from contextlib import nullcontext

            return nullcontext(False)

    env = OdooEnv(None, Path(sys.executable), Cluster(), "test", var=tmp_path)
    monkeypatch.setattr(OdooEnv, "prepare", classmethod(lambda cls, needs: env))
    monkeypatch.setattr(bench, "bench_available", lambda: True)
    ran = []
    monkeypatch.setattr(bench.subprocess, "run", lambda command, **kw: ran.append((command, kw))
                        or subprocess.CompletedProcess(command, 3))
    assert bench.cmd_bench(args) == 3, "the benchmark's exit code is returned"
    (command, kwargs), = ran
    assert command[:5] == [sys.executable, "-m", "tools.bench", "--odoo-config", str(tmp_path / "bench.conf")]
    assert command[5:] == ["--scale", "2", "--json", "out.json", "--rounds", "3"]
    assert kwargs["cwd"] == ROOT and Cluster.uses == ["bench"]
    config = (tmp_path / "bench.conf").read_text()
    assert f"addons_path = {ROOT / 'addons'}\n" in config and f"db_host = {tmp_path}\n" in config
    assert "db_name" not in config, "the benchmark chooses its databases"


def test_old_command_lines_still_parse():
    assert cli.parse(["test", "--keep", "addons/x/tests/test_a.py", "-k", "head"]).pytest_args == [
        "addons/x/tests/test_a.py", "-k", "head"]
    run = cli.parse(["run", "--port", "8070", "--update", "--keep-db-server"])
    assert (run.port, run.update, run.keep_db_server, run.lang) == (8070, True, True, "zh_CN")
    assert cli.parse(["run", "--lang", "en_US"]).lang == "en_US"
    for command in ("lint", "shell", "i18n", "stop", "build"):
        assert cli.parse([command]).command == command


def test_junit_and_odoo_results(tmp_path):
    junit = tmp_path / "pytest.xml"
    junit.write_text('<testsuites><testsuite tests="10" failures="1" errors="1" skipped="2"/></testsuites>')
    assert testing.pytest_counts(junit) == (6, 2, 2)
    results = tmp_path / "ui.json"
    results.write_text(json.dumps({
        "databases": {"qms_test": {"tests_run": 5, "failures": 1, "errors": 0, "skipped": 1}},
        "failed": ["gov_qms_docs.tests.test_ui_tour.TestTour.test_reader"], "errored": [],
        "skipped": [["gov_qms_audit.tests.test_ui.TestUi.test_checklist", "Chrome not found"]], "exit_code": 1}))
    passed, failed, problems = testing.odoo_runner_counts(results, "qms_test")
    assert (passed, failed) == (3, 2), "a skipped browser test counts as failed"
    assert problems == ["failed: gov_qms_docs.tests.test_ui_tour.TestTour.test_reader",
                        "browser test skipped: gov_qms_audit.tests.test_ui.TestUi.test_checklist (Chrome not found)"]
    assert testing.odoo_runner_counts(tmp_path / "missing.json", "qms_test")[1] == 1
    tally = testing.Tally()
    tally.add(3, 0, 1)
    assert tally.line() == "3 passed, 0 failed, 1 skipped"


def test_entry_point_is_thin_and_imports_without_side_effects(tmp_path):
    script = (ROOT / "qms").read_text()
    assert len(script.splitlines()) < 30 and "from tools.qms.cli import main" in script
    probe = ("import sys, subprocess, os; sys.path.insert(0, sys.argv[1]);"
             "subprocess.run = subprocess.Popen = os.chown = lambda *a, **k: (_ for _ in ()).throw(SystemExit(9));"
             "import tools.qms.cli as c; c.build_parser(); from tools.qms.cluster import Cluster; Cluster();"
             "print('clean')")
    result = subprocess.run([sys.executable, "-c", probe, str(ROOT)], capture_output=True, text=True, cwd=tmp_path,
                            check=False)
    assert result.stdout.strip() == "clean", result.stderr
    help_text = subprocess.run([sys.executable, str(ROOT / "qms"), "--help"], capture_output=True, text=True,
                               check=True).stdout
    for command in ("run", "test", "lint", "build", "bench", "shell", "i18n", "stop"):
        assert f"./qms {command}" in help_text


@pytest.mark.parametrize(("lang", "loaded"), [("zh_CN", ("zh_CN", "en_US")), ("en_US", ())])
def test_run_creates_the_database_in_chinese_unless_asked(lang, loaded, tmp_path):
    calls = []

    class Cluster:
        def database_exists(self, name):
            return False

    class Env:
        cluster, var = Cluster(), tmp_path

        def install(self, config, db, logfile, demo=True, languages=()):
            calls.append(("install", db, tuple(languages)))

        def set_users_language(self, config, db, lang):
            calls.append(("language", db, lang))

    serve.prepare_database(Env(), tmp_path / "odoo.conf", "qms", lang=lang)
    assert calls == [("install", "qms", loaded)] + ([("language", "qms", lang)] if loaded else [])
