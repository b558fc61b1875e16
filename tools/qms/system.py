"""The system packages (Debian names) each command needs: checked per command, installed when we may."""

import os
import shutil
import subprocess
from pathlib import Path

from .common import QmsError, say

CHROME_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BUILD_HEADERS = {"libldap2-dev": "/usr/include/ldap.h", "libsasl2-dev": "/usr/include/sasl/sasl.h",
                 "libpq-dev": "/usr/include/postgresql/libpq-fe.h"}


def find_pg_bindir():
    candidates = []
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        candidates.append(Path(pg_ctl).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                         reverse=True)
    for bindir in candidates:
        if all((bindir / tool).exists() for tool in ("initdb", "pg_ctl", "postgres", "psql")):
            return bindir
    return None


def find_chrome():
    return next((shutil.which(name) for name in CHROME_NAMES if shutil.which(name)), None)


def has_cjk_font():
    if not shutil.which("fc-list"):
        return False
    result = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(result.stdout.strip())


def _unless(present, *packages):
    return lambda: [] if present() else list(packages)


# need -> the Debian packages missing for it
CHECKS = {
    "postgresql": _unless(lambda: find_pg_bindir() is not None, "postgresql"),
    "wkhtmltopdf": _unless(lambda: shutil.which("wkhtmltopdf") is not None, "wkhtmltopdf"),
    "chromium": _unless(lambda: find_chrome() is not None, "chromium"),
    "cjk-font": _unless(has_cjk_font, "fontconfig", "fonts-noto-cjk"),
    "gettext": _unless(lambda: shutil.which("msgmerge") is not None, "gettext"),
    "git": _unless(lambda: shutil.which("git") is not None, "git"),
    # headers and compiler to build Odoo's requirements from a source tree
    "odoo-build": lambda: [pkg for pkg, header in BUILD_HEADERS.items() if not Path(header).exists()]
    + ([] if shutil.which("gcc") else ["build-essential"]),
}


def missing_packages(needs):
    """Debian packages missing for `needs` (keys of CHECKS), in a stable order, without duplicates."""
    missing = []
    for need in needs:
        missing += [pkg for pkg in CHECKS[need]() if pkg not in missing]
    return missing


def ensure_system_packages(needs):
    """Check what `needs` asks for; install it when we may (root + apt), else say how."""
    missing = missing_packages(needs)
    if not missing:
        return
    command = "apt-get install -y " + " ".join(missing)
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing system packages: {' '.join(missing)}")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        if subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=env, check=False).returncode:
            raise QmsError(f"could not install system packages; run as root: {command}")
        return
    raise QmsError(f"missing system packages: {', '.join(missing)}.\n"
                   f"    Install them with: sudo {command}")
