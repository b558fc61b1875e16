"""``./qms lint``: ruff and pylint-odoo. Needs only the venv's tools: no PostgreSQL, Chromium nor Odoo."""

import subprocess

from .bootstrap import child_env, ensure_venv
from .common import ADDONS, REQUIREMENTS, ROOT, say

LINT_TARGETS = ("addons", "tests", "tools", "qms")


def cmd_lint(_args):
    python = ensure_venv(None, (REQUIREMENTS,))
    targets = [str(ROOT / t) for t in LINT_TARGETS if (ROOT / t).exists()]
    ruff = subprocess.run([str(python.parent / "ruff"), "check", *targets], cwd=ROOT, check=False).returncode
    modules = [str(p) for p in sorted(ADDONS.glob("gov_qms_*")) if (p / "__manifest__.py").exists()]
    pylint = subprocess.run([str(python), "-m", "pylint", f"--rcfile={ROOT / '.pylintrc'}", *modules],
                            env=child_env(), cwd=ROOT, check=False).returncode
    say(f"lint: ruff {'clean' if not ruff else 'FAILED'}, pylint-odoo {'clean' if not pylint else 'FAILED'}")
    return 1 if ruff or pylint else 0
