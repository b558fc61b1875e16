"""The private cluster shared by several ./qms commands: `run`'s exit does not stop a cluster that a
`test` uses; a command stops only a cluster it started; a command that died does not keep the cluster
up; `stop` and constructors create nothing. Runs a throwaway cluster (initdb in a temporary folder,
its own socket), never the project's."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tools.qms import serve
from tools.qms.cluster import Cluster, ClusterUsers, check_db_name
from tools.qms.common import ROOT, QmsError
from tools.qms.system import find_pg_bindir

needs_postgresql = pytest.mark.skipif(not find_pg_bindir(), reason="PostgreSQL server programs missing")


@pytest.fixture(scope="module")
def pg_scratch():
    """One throwaway cluster folder for the module (initdb once), reachable by the cluster's user."""
    folder = Path(tempfile.mkdtemp(prefix="qms-tooling-pg-"))
    folder.chmod(0o755)
    yield folder
    stray = Cluster(var=folder / "var", base=folder / "pg", port=6432 + os.getpid() % 1000)
    if stray.is_running():
        stray.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def cluster_factory(pg_scratch):
    """Cluster objects on the module's cluster, as several commands see it; stopped after each test."""
    clusters = []

    def make():
        cluster = Cluster(var=pg_scratch / "var", base=pg_scratch / "pg", port=6432 + os.getpid() % 1000)
        clusters.append(cluster)
        return cluster

    yield make
    if clusters and clusters[0].is_running():
        clusters[0].stop()


def test_nothing_created_by_constructors_and_stop(scratch, monkeypatch):
    var = scratch / "var"
    cluster = Cluster(var=var)
    assert (cluster.base, cluster.socket_dir, cluster.is_running()) == (var / "postgresql", var / "postgresql" / "run",
                                                                         False)
    assert cluster.users.live() == []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail(f"stop started a process: {a}"))
    assert serve.cmd_stop(None, var=var) == 0
    assert not var.exists(), "./qms stop created nothing"


def test_database_names_checked():
    assert check_db_name("qms_test-2.a") == "qms_test-2.a"
    for bad in ['x"; DROP DATABASE qms; --', "", "a b", "-x", "é"]:
        with pytest.raises(QmsError):
            check_db_name(bad)


def _hold_registration(folder, command):
    """A child process that registers `command` and waits (as a running ./qms test would)."""
    code = ("import sys, time; sys.path.insert(0, sys.argv[1]);"
            "from tools.qms.cluster import ClusterUsers;"
            "users = ClusterUsers(sys.argv[2]); users.register(sys.argv[3]);"
            "print('ready', flush=True); time.sleep(120)")
    child = subprocess.Popen([sys.executable, "-c", code, str(ROOT), str(folder), command], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout.readline().strip() == "ready"
    return child


def test_register_of_users(scratch):
    users = ClusterUsers(scratch / "users")
    mine = users.register("run")
    child = _hold_registration(scratch / "users", "test")
    try:
        live = users.live(exclude=(mine,))
        assert [info["command"] for _name, info in live] == ["test"]
        assert live[0][1]["pid"] == child.pid
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert users.live(exclude=(mine,)) == [], "a killed command's registration is stale and removed"
    assert [p.name for p in (scratch / "users").iterdir()] == [mine], "only our own registration is left"
    users.unregister(mine)
    assert users.live() == []


@needs_postgresql
def test_run_exit_keeps_a_cluster_a_test_uses(cluster_factory):
    run_side, test_side = cluster_factory(), cluster_factory()
    with run_side.use("run") as started_by_run:
        assert started_by_run and run_side.is_running()
        test_use = test_side.use("test")
        assert test_use.__enter__() is False, "the test found the cluster running"
        assert test_side.psql("SELECT 41 + 1;") == "42"
    # run started the cluster, but a test is using it: it stays up
    assert test_side.is_running()
    assert test_side.psql("SELECT 'still serving the test';") == "still serving the test"
    test_use.__exit__(None, None, None)
    assert test_side.is_running(), "the test did not start the cluster: it does not stop it either"
    test_side.stop()


@needs_postgresql
def test_starter_stops_when_nobody_else_uses_it(cluster_factory):
    first = cluster_factory()
    child = None
    with first.use("test") as started:
        assert started
        child = _hold_registration(first.users.folder, "run")
        child.send_signal(signal.SIGKILL)  # that command dies without unregistering
        child.wait()
    assert not first.is_running(), "a dead command's registration does not keep the cluster up"
    with first.use("run", keep=True) as started:
        assert started
    assert first.is_running(), "--keep-db-server leaves it up"
    first.stop()


@needs_postgresql
def test_quoting_of_identifiers_and_literals(cluster_factory):
    cluster = cluster_factory()
    with cluster.use("test"):
        assert cluster.psql("""SELECT :'text', :"ident"::text FROM (SELECT 1 AS "we""ird") t;""", text="it's",
                            ident='we"ird') == "it's|1"
        assert cluster.database_exists("postgres") and not cluster.database_exists("no_such_db")
        with pytest.raises(QmsError, match="not a valid database name"):
            cluster.drop_database('qms"; DROP DATABASE postgres; --')
        start = time.monotonic()
        cluster.drop_database("no_such_db")
        assert time.monotonic() - start < 10
