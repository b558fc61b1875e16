"""Odoo for a command: located, in the venv, with configuration files on the private cluster."""

import re
import secrets
import subprocess
from pathlib import Path

from .bootstrap import child_env, ensure_venv
from .cluster import Cluster
from .common import ADDONS, DB_USER, MODULES, REQUIREMENTS, ROOT, VAR, QmsError
from .odoo_source import locate_odoo
from .system import ensure_system_packages


class OdooEnv:
    """Odoo located, the venv ready, the cluster known (not started): what the Odoo commands share."""

    def __init__(self, odoo_src, python, cluster, description, var=VAR):
        self.odoo_src = odoo_src
        self.python = python
        self.cluster = cluster
        self.description = description
        self.var = Path(var)

    @classmethod
    def prepare(cls, needs=("postgresql",), requirements=(REQUIREMENTS,)):
        """Check the system packages in `needs`, locate Odoo, ensure the venv; start nothing."""
        ensure_system_packages(needs)
        odoo_src, description = locate_odoo()
        if odoo_src:
            ensure_system_packages(["odoo-build"])
        python = ensure_venv(odoo_src, requirements)
        for folder in ("log", "data", "run"):
            (VAR / folder).mkdir(parents=True, exist_ok=True)
        return cls(odoo_src, python, Cluster(), description)

    def child_env(self, **extra):
        return child_env(self.odoo_src, **extra)

    def admin_password(self):
        secret = self.var / "admin_passwd"
        if not secret.exists():
            secret.write_text(secrets.token_urlsafe(24))
            secret.chmod(0o600)
        return secret.read_text().strip()

    def config_options(self, db, http_port, **extra):
        return {
            "addons_path": str(ADDONS),
            "data_dir": str(self.var / "data"),
            "db_host": str(self.cluster.socket_dir),
            "db_port": str(self.cluster.port),
            "db_user": DB_USER,
            **({"db_name": db, "dbfilter": f"^{re.escape(db)}$"} if db else {}),
            "list_db": "False",
            "admin_passwd": self.admin_password(),
            "http_interface": "127.0.0.1",
            "http_port": str(http_port),
            "max_cron_threads": "1",
            **{key: str(value) for key, value in extra.items()},
        }

    def write_config(self, name, db, http_port, **extra):
        path = self.var / name
        options = self.config_options(db, http_port, **extra)
        path.write_text("[options]\n" + "".join(f"{k} = {v}\n" for k, v in options.items()))
        return path

    @staticmethod
    def odoo_args(config, *args, subcommand=(), logfile=None):
        """Arguments of Odoo's command line (after `python -m odoo`)."""
        return [*subcommand, "-c", str(config), *args, *(["--logfile", str(logfile)] if logfile else [])]

    def odoo_command(self, config, *args, subcommand=(), logfile=None):
        return [str(self.python), "-m", "odoo", *self.odoo_args(config, *args, subcommand=subcommand, logfile=logfile)]

    def odoo(self, config, *args, subcommand=(), logfile=None, check=True, **kwargs):
        command = self.odoo_command(config, *args, subcommand=subcommand, logfile=logfile)
        return subprocess.run(command, env=self.child_env(), cwd=ROOT, check=check, **kwargs)

    def install(self, config, db, logfile, demo=True, languages=()):
        """Create `db` with the three addons (and their demo data, and `languages` loaded);
        raise with the errors if it fails."""
        logfile.unlink(missing_ok=True)
        extra = [*(["--with-demo"] if demo else []), *([f"--load-language={','.join(languages)}"] if languages else [])]
        result = self.odoo(config, "-d", db, "-i", ",".join(MODULES), *extra, "--stop-after-init",
                           logfile=logfile, check=False)
        problems = install_problems(logfile)
        if result.returncode or problems:
            raise QmsError(f"installing {', '.join(MODULES)} into {db} failed "
                           f"(full log: {logfile}):\n" + "\n".join(problems[-30:]))

    def set_users_language(self, config, db, lang):
        """Set the language of the administrator and of every demo user (the ORM, in an Odoo shell)."""
        script = (
            "users = env['res.users'].with_context(active_test=False).search("
            "[('id', '!=', env.ref('base.public_user').id), ('login', '!=', '__system__')])\n"
            f"users.write({{'lang': {lang!r}}})\n"
            "env.cr.commit()\n"
            "print('qms-language-set', len(users))\n"
        )
        result = self.odoo(config, "-d", db, "--no-http", "--log-level=warn", subcommand=("shell",),
                           input=script, capture_output=True, text=True, check=False)
        if result.returncode or "qms-language-set" not in result.stdout:
            raise QmsError(f"could not set the users' language to {lang}:\n"
                           f"{result.stdout[-2000:]}{result.stderr[-2000:]}")


LOG_LINE = re.compile(r"^\S+ \S+ \d+ (?P<level>[A-Z]+) \S+ (?P<logger>\S+): (?P<message>.*)$")


def install_problems(logfile):
    """Errors (with their last traceback), and warnings about our addons, logged while installing.

    Odoo reports an installation only in its log (no machine-readable result): read by level and logger."""
    if not logfile.exists():
        return ["no log was written"]
    lines = logfile.read_text(errors="replace").splitlines()
    problems = []
    for line in lines:
        match = LOG_LINE.match(line)
        if not match or match["level"] not in ("WARNING", "ERROR", "CRITICAL"):
            continue
        ours = "gov_qms" in match["logger"] or re.search(r"\bgov_qms|\bqms\.", match["message"])
        if match["level"] != "WARNING" or ours:
            problems.append(line)
    tracebacks = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
    if problems and tracebacks:
        problems += lines[tracebacks[-1]:][-25:]
    return problems
