"""The project's virtual environment (.venv): sees the system site-packages (so an installed Odoo)
and holds the project's pinned tools (requirements.txt) and, when Odoo comes from a source tree,
Odoo's own requirements. Each command asks only for the requirement files it needs; a stamp
records the files already installed, so a second command with nothing changed installs nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

from .common import CONSTRAINTS, REQUIREMENTS, VAR, VENV, QmsError, say, sha256

STAMP = ".qms-stamp.json"


def venv_python(venv=VENV):
    return Path(venv) / "bin" / "python"


def _wanted(requirements):
    return {str(Path(r).resolve()): sha256(Path(r).read_bytes(), CONSTRAINTS.read_bytes()) for r in requirements}


def _installed(venv):
    try:
        stamp = json.loads((Path(venv) / STAMP).read_text())
    except (OSError, ValueError):
        return {}
    return stamp.get("files", {}) if stamp.get("python") == sys.version else {}


def ensure_venv(odoo_src=None, requirements=(REQUIREMENTS,), venv=VENV):
    """The venv's python, with `requirements` (and Odoo's requirements.txt for a source tree) installed."""
    requirements = [Path(r) for r in requirements]
    if odoo_src:
        requirements.append(Path(odoo_src) / "requirements.txt")
    python = venv_python(venv)
    installed = _installed(venv)
    wanted = _wanted(requirements)
    if python.exists() and all(installed.get(name) == digest for name, digest in wanted.items()):
        return python
    if not python.exists():
        say(f"creating the virtual environment {venv}")
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    say("installing Python requirements into the virtual environment")
    command = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", str(CONSTRAINTS)]
    for req in requirements:
        command += ["-r", str(req)]
    VAR.mkdir(exist_ok=True)
    log = VAR / "pip.log"
    with log.open("w") as out:
        failed = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    if failed:
        raise QmsError(f"pip could not install the requirements:\n{log.read_text()[-3000:]}")
    stamp = Path(venv) / STAMP
    tmp = stamp.with_suffix(f".{os.getpid()}")
    tmp.write_text(json.dumps({"python": sys.version, "files": {**installed, **wanted}}, indent=1))
    tmp.replace(stamp)
    return python


def child_env(odoo_src=None, venv=VENV, **extra):
    """Environment for a process of the venv: its bin/ first on PATH, an Odoo source tree on PYTHONPATH."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(venv) / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    if odoo_src:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(odoo_src), env.get("PYTHONPATH")]))
    env.update({key: str(value) for key, value in extra.items()})
    return env
