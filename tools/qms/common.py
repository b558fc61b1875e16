"""Paths, settings and messages shared by every command."""

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
VENV = ROOT / ".venv"
ADDONS = ROOT / "addons"
MODULES = ("gov_qms_docs", "gov_qms_capa", "gov_qms_audit")
ODOO_SERIES = (19, 0)
UI_TEST_TAG = "qms_ui"
DB_USER = "odoo"
REQUIREMENTS = ROOT / "requirements.txt"
CONSTRAINTS = ROOT / "constraints.txt"


class QmsError(Exception):
    """A problem the user can fix; printed without a traceback."""


def say(message):
    print(f"qms: {message}", flush=True)


def sha256(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
    return digest.hexdigest()


def run_db_name():
    return os.environ.get("QMS_DB", "qms")


def test_db_name():
    return os.environ.get("QMS_TEST_DB", "qms_test")


def pg_port():
    return int(os.environ.get("QMS_PG_PORT", "5432"))
