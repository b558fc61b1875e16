"""The project's own PostgreSQL cluster: unix socket only, trust authentication, data under var/.

Creating a ``Cluster`` has no side effect: folders, the cluster's system user (when run as root)
and the cluster itself are made by ``start()`` only, so ``./qms stop`` creates nothing.

Several ``./qms`` commands may use the cluster at once (a ``run`` while ``test`` runs in another
terminal). Each registers itself for as long as it uses the cluster (``Cluster.use``): one file per
command in ``var/run/pg-users/``, held under an exclusive ``flock`` by the command's process, so a
registration whose process died is recognised (its lock is free) and removed. A command stops the
cluster at its end only if it started it and no other command is registered; otherwise the cluster
stays up for the others.

SQL identifiers and literals are never formatted into SQL text: ``psql`` receives them as variables
(``-v name=value``) and quotes them itself (``:"name"`` as an identifier, ``:'name'`` as a literal),
since ``./qms`` runs with the system's python, where psycopg2 may be missing.
"""

import contextlib
import fcntl
import json
import os
import pwd
import re
import subprocess
import tempfile
import time
from pathlib import Path

from .common import DB_USER, ROOT, VAR, QmsError, pg_port, say, sha256
from .system import find_pg_bindir

DB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")  # Odoo's rule for database names


def check_db_name(name):
    if not DB_NAME.match(name or ""):
        raise QmsError(f"{name!r} is not a valid database name (letters, digits, '_', '.', '-')")
    return name


class ClusterUsers:
    """Register of the commands using the cluster: one flock-held file per command."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self._handles = {}

    @contextlib.contextmanager
    def lock(self):
        """Serialises 'register and start' against 'unregister and stop'."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def register(self, command):
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{command}-{os.getpid()}-{sha256(time.time(), id(self))[:8]}"
        handle = path.open("w")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write(json.dumps({"command": command, "pid": os.getpid(), "since": time.time()}))
        handle.flush()
        self._handles[path.name] = handle
        return path.name

    def unregister(self, name):
        handle = self._handles.pop(name, None)
        (self.folder / name).unlink(missing_ok=True)
        if handle:
            handle.close()

    def live(self, exclude=()):
        """[(name, info)] of the registrations whose process still holds its lock; stale ones are removed."""
        users = []
        if not self.folder.is_dir():
            return users
        for path in sorted(self.folder.iterdir()):
            if path.name.startswith(".") or path.name in exclude:
                continue
            if path.name in self._handles:
                users.append((path.name, {"command": path.name.split("-")[0], "pid": os.getpid()}))
                continue
            try:
                with path.open("r+") as probe:
                    try:
                        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        try:
                            info = json.loads(probe.read() or "{}")
                        except ValueError:
                            info = {}
                        users.append((path.name, info))
                        continue
                path.unlink(missing_ok=True)  # its process is gone
            except FileNotFoundError:
                continue
        return users


def describe(users):
    return ", ".join(f"./qms {info.get('command', '?')} (pid {info.get('pid', '?')})" for _name, info in users)


class Cluster:
    """The private cluster. `var` holds it (and the register); `base` forces its folder (tests)."""

    def __init__(self, var=VAR, port=None, base=None):
        self.var = Path(var)
        self.port = port or pg_port()
        self._base = Path(base) if base else None
        self.users = ClusterUsers(self.var / "run" / "pg-users")

    # ---------------------------------------------------------------- where things are (no side effects)

    @property
    def bindir(self):
        bindir = find_pg_bindir()
        if not bindir:
            raise QmsError("PostgreSQL's server programs (initdb, pg_ctl) are missing: apt-get install postgresql")
        return bindir

    @property
    def os_user(self):
        """PostgreSQL refuses to run as root: then the cluster runs as `postgres` or `qmspg` (if they exist)."""
        if os.geteuid() != 0:
            return None
        for name in ("postgres", "qmspg"):
            with contextlib.suppress(KeyError):
                return pwd.getpwnam(name)
        return None

    @property
    def fallback_base(self):
        # The clone lives where the cluster user cannot go (e.g. under /root).
        return Path("/var/tmp") / f"qms-postgresql-{sha256(self.var.resolve())[:12]}"

    @property
    def base(self):
        if self._base:
            return self._base
        if not (self.var / "postgresql" / "data").exists() and (self.fallback_base / "data").exists():
            return self.fallback_base
        return self.var / "postgresql"

    @property
    def data(self):
        return self.base / "data"

    @property
    def log(self):
        return self.base / "postgresql.log"

    @property
    def socket_dir(self):
        socket_dir = self.base / "run"
        if len(str(socket_dir / f".s.PGSQL.{self.port}")) > 100:  # unix socket paths are short
            socket_dir = Path(tempfile.gettempdir()) / f"qms-pg-{sha256(self.base.resolve())[:12]}"
        return socket_dir

    # ---------------------------------------------------------------- set-up (only from start())

    def _ensure_os_user(self):
        if os.geteuid() == 0 and not self.os_user:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "qmspg"],
                           check=True)
        return self.os_user

    def _own(self, path):
        user = self.os_user
        if user:
            os.chown(path, user.pw_uid, user.pw_gid)

    def _demote(self):
        user = self.os_user
        if user:
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)

    def _can_reach(self, path):
        if not self.os_user:
            return True
        probe = ["test", "-w", str(path), "-a", "-x", str(path)]
        return subprocess.run(probe, preexec_fn=self._demote, check=False).returncode == 0

    def _prepare_folders(self):
        self._ensure_os_user()
        if not self._base and not (self.base / "data").exists():
            base = self.var / "postgresql"
            base.mkdir(parents=True, exist_ok=True)
            self._own(base)
            if not self._can_reach(base):
                self.fallback_base.mkdir(mode=0o700, exist_ok=True)
                self._own(self.fallback_base)
                self._base = self.fallback_base
        self.base.mkdir(parents=True, exist_ok=True)
        self._own(self.base)
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        self._own(self.socket_dir)

    # ---------------------------------------------------------------- server

    def _run(self, tool, *args, capture=False, check=True, input=None):
        env = dict(os.environ, LC_ALL="C.UTF-8")
        if self.os_user:
            env["HOME"] = str(self.base)
        cwd = self.base if self.base.is_dir() else ROOT
        return subprocess.run([str(self.bindir / tool), *args], preexec_fn=self._demote, env=env, cwd=cwd,
                              capture_output=capture, text=True, check=check, input=input)

    def is_running(self):
        if not (self.data / "PG_VERSION").exists() or not find_pg_bindir():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data), capture=True, check=False).returncode == 0

    def start(self):
        """Start the cluster if needed; True when this call started it."""
        if self.is_running():
            return False
        self._prepare_folders()
        if not (self.data / "PG_VERSION").exists():
            say(f"creating the PostgreSQL cluster in {self.data}")
            self._run("initdb", "-D", str(self.data), "-U", DB_USER, "-A", "trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-instructions", capture=True)
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write("\n# gov_qms private developer cluster: unix socket only, speed over durability\n"
                           "listen_addresses = ''\nunix_socket_permissions = 0700\n"
                           "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                           "shared_buffers = 256MB\nmax_connections = 100\n")
        options = f"-k {self.socket_dir} -p {self.port} -c listen_addresses=''"
        result = self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                           "-o", options, capture=True, check=False)
        if result.returncode:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise QmsError(f"PostgreSQL did not start:\n{result.stdout}{result.stderr}\n{tail}")
        return True

    def stop(self):
        if self.is_running():
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", capture=True, check=False)

    @contextlib.contextmanager
    def use(self, command, keep=False):
        """Use the cluster for the block: started if needed, stopped after only if we started it and
        no other command uses it (nor `keep`). Yields True when this command started it."""
        with self.users.lock():
            name = self.users.register(command)
            try:
                started = self.start()
            except BaseException:
                self.users.unregister(name)
                raise
        try:
            yield started
        finally:
            with self.users.lock():
                self.users.unregister(name)
                if started and not keep:
                    others = self.users.live()
                    if others:
                        say(f"PostgreSQL left running: used by {describe(others)}")
                    else:
                        self.stop()
                        say("stopped PostgreSQL")

    # ---------------------------------------------------------------- SQL

    def psql(self, sql, dbname="postgres", **variables):
        """Run `sql` (read from stdin, so psql interpolates :'var' and :"var"); return the unaligned output."""
        args = ["-h", str(self.socket_dir), "-p", str(self.port), "-U", DB_USER, "-d", dbname,
                "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"]
        for key, value in variables.items():
            if "\n" in str(value) or "\0" in str(value):
                raise QmsError(f"invalid value for {key}: {value!r}")
            args += ["-v", f"{key}={value}"]
        result = self._run("psql", *args, "-f", "-", capture=True, check=False, input=sql)
        if result.returncode:
            raise QmsError(f"PostgreSQL refused: {result.stderr.strip() or result.stdout.strip()}")
        return result.stdout.strip()

    def database_exists(self, name):
        return self.psql("SELECT 1 FROM pg_database WHERE datname = :'name';", name=check_db_name(name)) == "1"

    def drop_database(self, name):
        self.psql('DROP DATABASE IF EXISTS :"name" WITH (FORCE);', name=check_db_name(name))
