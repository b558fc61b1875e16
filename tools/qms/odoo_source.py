"""Where Odoo 19.0 comes from: an importable ``odoo``, ``ODOO_SRC``, or Odoo's source archive.

The archive is Odoo's official 19.0 source archive unless ``QMS_ODOO_ARCHIVE`` names another one
(a local path, or an http(s)/file URL: an agency's mirror, or a file carried into an air-gapped
network). Nothing half-done is ever used:

- a download goes to ``<name>.part`` and is renamed to ``<name>`` only once complete (its length
  checked against Content-Length); an interrupted download is resumed with an HTTP Range request;
- the archive is extracted into a temporary folder next to the target, checked (one top folder with
  ``setup.py``, ``requirements.txt`` and ``odoo/release.py`` of version 19.0), and only then renamed
  to ``var/odoo-src`` in one step; a leftover temporary folder from an interrupted run is removed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

from .common import ODOO_SERIES, VAR, QmsError, say, sha256

DEFAULT_ARCHIVE_URL = "https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz"
STAGING_PREFIX = ".odoo-src-staging-"
CHUNK = 1 << 20


def archive_source():
    """The archive to use: QMS_ODOO_ARCHIVE (path or URL) or Odoo's official 19.0 archive."""
    return os.environ.get("QMS_ODOO_ARCHIVE") or DEFAULT_ARCHIVE_URL


def series_of_release_file(release_py):
    match = re.search(r"^version_info\s*=\s*\((\d+),\s*(\d+)", Path(release_py).read_text(), re.M)
    return (int(match.group(1)), int(match.group(2))) if match else None


def importable_odoo(python=sys.executable):
    """(series, package dir) of an `odoo` importable by `python`, or None."""
    probe = ("import json, odoo.release as r; "
             "print(json.dumps([r.version_info[:2], list(__import__('odoo').__path__)]))")
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True,
                            cwd=tempfile.gettempdir(), check=False)
    if result.returncode:
        return None
    series, paths = json.loads(result.stdout.strip().splitlines()[-1])
    return tuple(series) if all(isinstance(s, int) for s in series) else None, paths[0]


def check_source_tree(src, origin, required=("requirements.txt",)):
    """`src` if it is an Odoo 19.0 source tree; a clear error otherwise."""
    src = Path(src)
    release = src / "odoo" / "release.py"
    if not release.exists():
        raise QmsError(f"{origin} ({src}) is not an Odoo source tree: {release} is missing")
    series = series_of_release_file(release)
    if series != ODOO_SERIES:
        found = ".".join(map(str, series)) if series else "an unknown version"
        raise QmsError(f"{origin} ({src}) holds Odoo {found}; gov_qms needs Odoo 19.0")
    missing = [name for name in required if not (src / name).exists()]
    if missing:
        raise QmsError(f"{origin} ({src}) is not a complete Odoo source tree: {', '.join(missing)} missing")
    return src


# --------------------------------------------------------------------------- download

def _is_url(source):
    return urllib.parse.urlsplit(str(source)).scheme in ("http", "https", "file", "ftp")


def fetch_archive(source, downloads):
    """A complete local copy of the archive `source` (path or URL); downloads resume after an interruption."""
    if not _is_url(source):
        path = Path(source).expanduser()
        if not path.is_file():
            raise QmsError(f"QMS_ODOO_ARCHIVE names {path}, which is not a file")
        return path
    name = Path(urllib.parse.urlsplit(source).path).name or "odoo.tar.gz"
    downloads.mkdir(parents=True, exist_ok=True)
    final = downloads / f"{sha256(source)[:12]}-{name}"
    if final.exists():
        return final
    part = final.with_name(final.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(source, headers={"User-Agent": "gov_qms-setup"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
        say(f"resuming the download of {source} at {offset // CHUNK} MiB")
    else:
        say(f"downloading {source}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status = getattr(response, "status", 200)
            if offset and status != 206:  # the server ignored the range: start again
                offset = 0
            length = response.headers.get("Content-Length")
            expected = offset + int(length) if length and length.isdigit() else None
            with part.open("ab" if offset else "wb") as out:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # nothing left to fetch: the .part is complete
            part.rename(final)
            return final
        raise QmsError(f"could not download {source}: {exc}")
    except (OSError, ValueError) as exc:  # includes http.client.IncompleteRead and timeouts
        raise QmsError(f"the download of {source} was interrupted ({exc}); "
                       f"run the command again to resume it ({part} is kept)")
    size = part.stat().st_size
    if expected is not None and size != expected:
        raise QmsError(f"the download of {source} stopped at {size} of {expected} bytes; "
                       f"run the command again to resume it ({part} is kept)")
    part.rename(final)
    return final


# --------------------------------------------------------------------------- extraction

def _extract_all(tar, destination):
    if hasattr(tarfile, "data_filter"):  # Python 3.12, and 3.8-3.11 security releases
        tar.extractall(destination, filter="data")
        return
    for member in tar.getmembers():  # refuse absolute paths, "..", links out of the tree
        target = (destination / member.name).resolve()
        if not str(target).startswith(str(destination.resolve())) or member.issym() or member.islnk():
            raise tarfile.TarError(f"unsafe member {member.name}")
    tar.extractall(destination)


def extract_archive(archive, target, origin):
    """Extract the Odoo archive into `target` atomically; raise a clear QmsError if it is not Odoo 19.0."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(STAGING_PREFIX + "*"):  # an extraction that was interrupted
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target.parent))
    try:
        say(f"extracting {archive}")
        try:
            with tarfile.open(archive) as tar:
                _extract_all(tar, staging)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise QmsError(f"{origin} ({archive}) is not a readable Odoo source archive "
                           f"(corrupt or incomplete: {exc}); download it again") from exc
        tops = list(staging.iterdir())
        if len(tops) != 1 or not tops[0].is_dir():
            raise QmsError(f"{origin} ({archive}) is not laid out like Odoo's source archive "
                           "(one top folder odoo-19.0...)")
        check_source_tree(tops[0], origin, required=("setup.py", "requirements.txt"))
        tops[0].rename(target)  # atomic on one file system: the tree appears complete or not at all
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def odoo_from_archive(var=VAR, source=None):
    """var/odoo-src, extracted from the archive (QMS_ODOO_ARCHIVE or Odoo's official one) if needed."""
    target = Path(var) / "odoo-src"
    if (target / "odoo" / "release.py").exists():
        return check_source_tree(target, "the extracted Odoo source")
    source = source or archive_source()
    origin = "QMS_ODOO_ARCHIVE" if os.environ.get("QMS_ODOO_ARCHIVE") else "Odoo's 19.0 archive"
    try:
        archive = fetch_archive(source, Path(var) / "downloads")
    except QmsError as exc:
        raise QmsError(
            f"Odoo 19.0 was not found and its source archive could not be fetched: {exc}\n"
            "    Do one of these, then run the command again:\n"
            "    - install Odoo 19.0 into this python3: pip install -e /path/to/odoo-19.0\n"
            "    - or point to an Odoo 19.0 source tree: export ODOO_SRC=/path/to/odoo-19.0\n"
            "    - or download Odoo's 19.0 source archive elsewhere and name it:\n"
            "      export QMS_ODOO_ARCHIVE=/path/to/odoo_19.0.latest.tar.gz\n"
            f"    - or allow this machine to download {source}") from exc
    try:
        return extract_archive(archive, target, origin)
    except QmsError:
        if _is_url(source) and Path(archive).is_relative_to(Path(var) / "downloads"):
            Path(archive).unlink(missing_ok=True)  # a bad download is fetched afresh next time
        raise


def locate_odoo(var=VAR):
    """(source tree to put on PYTHONPATH or None, description).

    Order: an importable odoo 19.0, then $ODOO_SRC, then the archive (see the module's docstring).
    """
    found = importable_odoo()
    if found and found[0] == ODOO_SERIES:
        return None, f"Odoo 19.0 installed in {sys.executable} ({found[1]})"
    if found:
        say(f"ignoring the importable Odoo {'.'.join(map(str, found[0] or ('?',)))} at {found[1]}: "
            "gov_qms needs 19.0")
    if os.environ.get("ODOO_SRC"):
        src = check_source_tree(Path(os.environ["ODOO_SRC"]).expanduser().resolve(), "ODOO_SRC")
        return src, f"Odoo 19.0 source from ODOO_SRC ({src})"
    src = odoo_from_archive(var)
    return src, f"Odoo 19.0 source extracted to {src}"
