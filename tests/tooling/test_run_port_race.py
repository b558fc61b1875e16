"""`./qms run` picks its HTTP port right before serving, not before creating the database, and a
server that takes the port meanwhile does not make it die ("Address already in use"): it serves on
another port. Real Odoo servers (no database needed), a plain socket as the other server."""

import configparser
import http.client
import os
import signal
import socket
import sys
import threading
import time
from argparse import Namespace

import pytest

from tools.qms import serve
from tools.qms.cluster import Cluster
from tools.qms.odoo import OdooEnv
from tools.qms.ports import free_port, process_listens_on
from tools.qms.system import find_pg_bindir

FIRST_PORT = 8310  # this test's range: 8310-8319


def squat(port):
    """Another server listening on `port` (bound without SO_REUSEADDR: Odoo cannot take it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", port))
    sock.listen(1)
    return sock


class FakeCluster:
    """For serve() alone: Odoo without a database never connects."""

    def __init__(self, folder):
        self.socket_dir, self.port = folder, 5432


def odoo_answers(port, timeout=90):
    """Odoo (unlike the squatter, which never answers) sends an HTTP response; None when it gives none in time
    (a loaded machine: the first request loads the registry)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/web/health")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


@pytest.fixture
def env(tmp_path):
    return OdooEnv(None, sys.executable, FakeCluster(tmp_path), "Odoo for the port test", var=tmp_path)


@pytest.mark.skipif(not find_pg_bindir(), reason="PostgreSQL server programs missing")
def test_server_started_during_database_creation(scratch, monkeypatch):
    """The whole `run` command on a throwaway cluster; creating the database starts another server."""
    cluster = Cluster(var=scratch / "var", base=scratch / "pg", port=7432 + os.getpid() % 1000)
    env = OdooEnv(None, sys.executable, cluster, "Odoo for the port test", var=scratch)
    monkeypatch.setenv("QMS_DB", "qms_port_race")
    preferred = free_port(FIRST_PORT)
    squatters = []

    def create_database(env, config, db, **_kwargs):  # minutes in real life: another server starts meanwhile
        env.cluster.psql('CREATE DATABASE :"db";', db=db)
        squatters.append(squat(preferred))

    monkeypatch.setattr(serve.OdooEnv, "prepare", classmethod(lambda cls, needs: env))
    monkeypatch.setattr(serve, "prepare_database", create_database)
    monkeypatch.setattr(serve, "demo_logins", lambda cluster, db: ["admin"])
    seen = {}

    def watch_and_stop():
        # whatever happens here, the server is stopped at the end: run must never be left serving for ever
        pidfile = env.var / "run" / "odoo.pid"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not pidfile.exists():
            time.sleep(0.2)
        pid = int(pidfile.read_text() or 0) if pidfile.exists() else 0
        try:
            config = configparser.ConfigParser()
            config.read(env.var / "odoo.conf")
            port = config.getint("options", "http_port")
            while pid and time.monotonic() < deadline and not process_listens_on(pid, port):
                time.sleep(0.2)
            seen.update(port=port, listens=pid and process_listens_on(pid, port), status=odoo_answers(port))
        finally:
            if pid:
                os.kill(pid, signal.SIGTERM)

    watcher = threading.Thread(target=watch_and_stop, daemon=True)
    watcher.start()
    try:
        args = Namespace(port=preferred, update=False, lang="zh_CN", keep_db_server=False)
        assert serve.cmd_run(args) == 0
    finally:
        for sock in squatters:
            sock.close()
    watcher.join(5)
    assert not env.cluster.is_running(), "run stopped the cluster it started"
    assert squatters, "the database step ran before the port was chosen"
    # Odoo serves on another port (its answer is an error page: the database is empty here)
    assert seen["port"] != preferred and seen["listens"] and seen["status"] in (200, 500), seen


def test_port_taken_between_check_and_bind(env, monkeypatch):
    """The narrowest race: free when checked, taken before Odoo binds. Odoo exits; run tries the next port."""
    squatters, offered = [], []

    def racing_free_port(preferred):
        port = free_port(preferred)
        offered.append(port)
        if len(offered) == 1:
            squatters.append(squat(port))
        return port

    monkeypatch.setattr(serve, "free_port", racing_free_port)
    server = None
    try:
        server, port = serve.serve(env, lambda port: env.write_config("race.conf", None, port, max_cron_threads=0),
                                   free_port(FIRST_PORT))
        assert port == offered[-1] != offered[0]
        assert process_listens_on(server.pid, port) and odoo_answers(port) == 200
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        for sock in squatters:
            sock.close()
