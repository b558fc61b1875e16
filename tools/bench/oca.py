"""OCA's management-system addons from PyPI, installed for the benchmark only.

``pip download --no-deps`` of each ``odoo-addon-*`` wheel of the 19.0 series, starting from
mgmtsystem_nonconformity, mgmtsystem_action and mgmtsystem_audit and following their ``odoo-addon-*``
requirements (never ``odoo`` itself), then ``pip install --no-deps --target var/bench/oca``: an addons folder
(``var/bench/oca/odoo/addons``) that only the bench databases put on their addons path.
"""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOTS = ("odoo-addon-mgmtsystem-nonconformity", "odoo-addon-mgmtsystem-action", "odoo-addon-mgmtsystem-audit")
MODULES = ("mgmtsystem_nonconformity", "mgmtsystem_action", "mgmtsystem_audit")
SERIES = "19.0"


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_requirements(wheel):
    """The odoo-addon-* distributions a wheel requires (its METADATA's Requires-Dist)."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode()
    names = []
    for line in text.splitlines():
        if line.startswith("Requires-Dist:"):
            name = re.split(r"[\s<>=!~;(\[]", line.split(":", 1)[1].strip(), maxsplit=1)[0]
            if normalise(name).startswith("odoo-addon-"):
                names.append(normalise(name))
    return names


def find_wheel(folder, distribution):
    stem = normalise(distribution).replace("-", "_")
    for wheel in sorted(folder.glob("*.whl")):
        if normalise(wheel.name.split("-")[0]).replace("-", "_") == stem:
            return wheel
    return None


def pip(*args, logfile):
    """Run pip quietly; its output goes to `logfile`, shown when it fails."""
    with open(logfile, "a", encoding="utf-8") as output:
        result = subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check"], stdout=output,
                                stderr=subprocess.STDOUT, check=False)
    if result.returncode:
        raise RuntimeError(f"pip {args[0]} failed (exit {result.returncode}): see {logfile}")


def ensure_oca_addons(var_bench, log=print):
    """The addons folder holding OCA's modules, downloaded and installed on first use."""
    target = var_bench / "oca"
    addons = target / "odoo" / "addons"
    if all((addons / module / "__manifest__.py").exists() for module in MODULES):
        return addons
    wheels = var_bench / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    todo, seen, found = list(ROOTS), set(), []
    while todo:
        distribution = todo.pop()
        if distribution in seen:
            continue
        seen.add(distribution)
        wheel = find_wheel(wheels, distribution)
        if wheel is None:
            log(f"downloading {distribution} {SERIES}.* from PyPI")
            pip("download", "--no-deps", "--only-binary=:all:", "-d", str(wheels), f"{distribution}=={SERIES}.*",
                logfile=var_bench / "pip.log")
            wheel = find_wheel(wheels, distribution)
            if wheel is None:
                raise RuntimeError(f"pip downloaded no wheel for {distribution}")
        found.append(wheel)
        todo += wheel_requirements(wheel)
    log(f"installing {len(found)} OCA addons into {target}")
    pip("install", "--no-deps", "--upgrade", "--target", str(target), *map(str, found), logfile=var_bench / "pip.log")
    return addons


if __name__ == "__main__":
    print(ensure_oca_addons(Path(sys.argv[1])))
