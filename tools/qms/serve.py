"""``./qms run``, ``./qms shell`` and ``./qms stop``.

``run`` creates the database first (minutes on first use) and only then picks its HTTP port, right
before starting Odoo; if another server takes that port before Odoo binds it, Odoo exits at once
and ``run`` starts it again on the next free port (it never dies of "Address already in use").
"""

import os
import signal
import subprocess
import time

from .cluster import Cluster, describe
from .common import MODULES, ROOT, VAR, QmsError, run_db_name, say
from .odoo import OdooEnv
from .ports import free_port, port_in_use, wait_until_listening

RUN_NEEDS = ("postgresql", "wkhtmltopdf", "cjk-font")
DEFAULT_LANG = "zh_CN"


def serve(env, write_config, preferred_port, odoo_args=(), attempts=5, timeout=120):
    """Start Odoo on the first free port from `preferred_port`; (Popen, port) once it listens.

    `write_config(port)` returns the configuration file for that port. When the port is taken between
    our check and Odoo's bind (another server started meanwhile), Odoo exits: try the next port."""
    port = preferred_port
    for _attempt in range(attempts):
        port = free_port(port)
        config = write_config(port)
        server = subprocess.Popen(env.odoo_command(config, *odoo_args), env=env.child_env(), cwd=ROOT)
        if wait_until_listening(server, port, timeout=timeout):
            return server, port
        code = server.wait()
        if not port_in_use(port):
            raise QmsError(f"Odoo stopped while starting (exit code {code}); see its messages above")
        say(f"port {port} was taken by another server meanwhile; starting Odoo on another port")
        port += 1
    raise QmsError(f"Odoo could not bind a port after {attempts} attempts (ports taken meanwhile)")


def demo_logins(cluster, db):
    """Logins of the demo users (their password is their login), admin first."""
    return cluster.psql("SELECT login FROM res_users WHERE active AND (login = 'admin' OR login LIKE 'qms.%') "
                        "ORDER BY login != 'admin', login;", dbname=db).split()


def prepare_database(env, config, db, update=False, lang=DEFAULT_LANG):
    """Create the run database on first use (zh_CN loaded and given to the users unless lang is en_US)."""
    if not env.cluster.database_exists(db):
        # `lang` first: Odoo makes the first language loaded the database's default; English stays
        # active so that a user can switch to it under Preferences
        languages = () if lang == "en_US" else (lang, "en_US")
        say(f"creating the database {db} with the gov_qms addons and demo data"
            f"{f', language {lang}' if languages else ''} (a few minutes)")
        env.install(config, db, env.var / "log" / "install.log", languages=languages)
        if languages:
            env.set_users_language(config, db, lang)
            say(f"the administrator and the demo users use {lang} (./qms run --lang en_US keeps English "
                "for a new database)")
    elif update:
        say(f"updating the gov_qms addons in {db}")
        env.odoo(config, "-d", db, "-u", ",".join(MODULES), "--stop-after-init")
    else:
        say(f"reusing the database {db}")


def cmd_run(args):
    env = OdooEnv.prepare(RUN_NEEDS)
    say(env.description)
    db = run_db_name()
    pidfile = env.var / "run" / "odoo.pid"
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    with env.cluster.use("run", keep=args.keep_db_server):
        prepare_database(env, env.write_config("odoo.conf", db, args.port), db, update=args.update, lang=args.lang)
        logins = demo_logins(env.cluster, db)
        server, port = serve(env, lambda port: env.write_config("odoo.conf", db, port), args.port,
                             odoo_args=("-d", db))
        pidfile.write_text(str(server.pid))
        print(f"\n  gov_qms is serving on http://127.0.0.1:{port}/web/login\n"
              "  demo logins (password = login, admin's password is admin):\n"
              + "".join(f"    {login}\n" for login in logins)
              + "  stop with Ctrl-C or ./qms stop\n", flush=True)
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        finally:
            pidfile.unlink(missing_ok=True)
            say("stopped Odoo")
    return 0


def cmd_shell(_args):
    env = OdooEnv.prepare(["postgresql"])
    db = run_db_name()
    with env.cluster.use("shell"):
        if not env.cluster.database_exists(db):
            raise QmsError(f"the database {db} does not exist yet: run ./qms run once first")
        config = env.write_config("shell.conf", db, 8069)
        env.odoo(config, "-d", db, "--no-http", subcommand=("shell",), check=False)
    return 0


def _stop_process(pid, timeout=30):
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(timeout * 2):
            os.kill(pid, 0)
            time.sleep(0.5)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def cmd_stop(_args, var=VAR):
    """Stop the server of `./qms run`, then the cluster unless another ./qms command uses it. Creates nothing."""
    pidfile = var / "run" / "odoo.pid"
    if pidfile.exists():
        _stop_process(int(pidfile.read_text()))
        pidfile.unlink(missing_ok=True)
    cluster = Cluster(var=var)
    for _ in range(20):  # let `run` finish (and unregister) after its server
        if not any(info.get("command") == "run" for _name, info in cluster.users.live()):
            break
        time.sleep(0.5)
    if cluster.is_running():
        others = cluster.users.live()
        if others:
            say(f"PostgreSQL left running: used by {describe(others)}")
            return 0
        cluster.stop()
    say("stopped")
    return 0
