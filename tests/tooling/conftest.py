"""Tooling tests: ./qms's package (tools/qms), the packaging and the production procedures.

Plain pytest tests, collected by `./qms test` with the rest (tests/ is in pytest's testpaths); none
needs Chromium, and each takes seconds. The repository root is on sys.path (tests/ is a package),
so `tools.qms` imports as it does for ./qms."""

import shutil
import tempfile
from pathlib import Path

import pytest


@pytest.fixture
def scratch():
    """A folder the cluster's system user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="qms-tooling-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
