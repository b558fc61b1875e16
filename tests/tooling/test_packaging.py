"""Each addon builds an OCA-style wheel (whool) whose name, version and dependencies come from its
manifest; installed into a throwaway virtual environment next to Odoo, Odoo loads the addons from
it. README.rst is rendered from the readme/ fragments and is valid reStructuredText; every addon has
an icon and a real author."""

import ast
import email.parser
import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tools.qms import build
from tools.qms.common import ADDONS, MODULES, REQUIREMENTS, ROOT

PLACEHOLDERS = ("example.com", "example.org", "example.invalid", "yourcompany", "change_me", "todo")


def manifest(module):
    return ast.literal_eval((ADDONS / module / "__manifest__.py").read_text())


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    pytest.importorskip("whool", reason="whool (requirements.txt) builds the wheels")
    return build.build_wheels(sys.executable, tmp_path_factory.mktemp("dist"))


def wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode()), archive.namelist()


def test_wheels_named_versioned_and_depending_as_the_manifests_say(wheels):
    assert [w.name for w in wheels] == [f"odoo_addon_{m}-{manifest(m)['version']}-py3-none-any.whl" for m in MODULES]
    for module, wheel in zip(MODULES, wheels, strict=True):
        meta, names = wheel_metadata(wheel)
        info = manifest(module)
        assert meta["Name"].replace("_", "-") == f"odoo-addon-{module.replace('_', '-')}"
        assert meta["Version"] == info["version"]
        requires = meta.get_all("Requires-Dist")
        assert "odoo==19.0.*" in requires
        ours = {d for d in info["depends"] if d.startswith("gov_qms_")}
        assert {r.split("==")[0] for r in requires if r.startswith("odoo-addon-")} == {f"odoo-addon-{d}" for d in ours}
        for python_dep in info.get("external_dependencies", {}).get("python", []):
            assert python_dep in requires
        assert meta["Author"] == info["author"]
        assert f"odoo/addons/{module}/__manifest__.py" in names
        assert f"odoo/addons/{module}/static/description/icon.png" in names
        assert "Python package: ``odoo-addon-" in meta.get_payload(), "the description is the README"


def test_odoo_loads_the_addons_from_the_installed_wheels(wheels, tmp_path):
    target = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(target)
    python = target / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", "--disable-pip-version-check", *map(str, wheels)], check=True)
    probe = (
        "import json, odoo\n"
        "from odoo.tools import config\n"
        "config.parse_config([])\n"
        "from odoo.modules import module\n"
        "module.initialize_sys_path()\n"
        "print(json.dumps({m: [module.get_module_path(m), module.get_manifest(m).get('version')]"
        f" for m in {list(MODULES)!r}}}))\n"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    for module in MODULES:
        path, version = found[module]
        assert path == str(site / "odoo" / "addons" / module), f"{module} comes from {path}"
        assert version == manifest(module)["version"]


def test_readmes_rendered_from_fragments():
    stale = build.write_readmes(check=True)
    assert not stale, f"{stale} differ from readme/*.md: edit the fragments, then run ./qms build"
    for module in MODULES:
        for fragment in ("DESCRIPTION.md", "USAGE.md", "CONFIGURE.md", "CONTRIBUTORS.md"):
            assert (ADDONS / module / "readme" / fragment).read_text().strip()


def test_readmes_are_valid_restructuredtext():
    docutils_core = pytest.importorskip("docutils.core")
    for module in MODULES:
        text = (ADDONS / module / "README.rst").read_text()
        docutils_core.publish_doctree(text, settings_overrides={"halt_level": 2, "report_level": 2})


def test_markdown_subset():
    rst = build.markdown_to_rst("A `code_x` and **b**\nwrapped [link](https://odoo.com).\n\n- one\n  two\n- three\n\n"
                                "## Part\n\nEnd.")
    assert rst == ("A ``code_x`` and **b** wrapped `link <https://odoo.com>`__.\n\n* one two\n* three\n\n"
                   "Part\n~~~~\n\nEnd.\n")


def test_manifests_icons_and_pyprojects():
    for module in MODULES:
        info = manifest(module)
        assert info["author"] == "gov_qms contributors"
        values = " ".join(str(info.get(key, "")) for key in ("author", "website")).lower()
        assert not any(placeholder in values for placeholder in PLACEHOLDERS), values
        icon = ADDONS / module / "static" / "description" / "icon.png"
        assert icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        pyproject = (ADDONS / module / "pyproject.toml").read_text()
        assert 'build-backend = "whool.buildapi"' in pyproject


def test_pre_commit_pins_the_linters_of_qms_lint():
    pins = dict(line.split("==") for line in REQUIREMENTS.read_text().splitlines() if "==" in line
                and not line.startswith("#"))
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    for tool in ("ruff", "pylint-odoo"):
        assert f"{tool}=={pins[tool].strip()}" in config, f"{tool} is not pinned as in requirements.txt"
