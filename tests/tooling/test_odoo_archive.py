"""Odoo's source archive (QMS_ODOO_ARCHIVE or the official one): extracted, its version checked, an
18.0 or a corrupt archive refused with a clear message, an interrupted download resumed, and never a
half-extracted tree used. Small archives laid out like Odoo's official one stand in for it."""

import http.server
import io
import os
import tarfile
import threading
from pathlib import Path

import pytest

from tools.qms import odoo_source
from tools.qms.common import QmsError


def make_archive(path, version=(19, 0), top="odoo-19.0.post20261130", files=None):
    """A .tar.gz like Odoo's: one top folder with setup.py, requirements.txt and odoo/release.py."""
    files = files if files is not None else {
        "setup.py": "from setuptools import setup\nsetup(name='odoo')\n",
        "requirements.txt": "psycopg2\n",
        "odoo/__init__.py": "",
        "odoo/release.py": f"version_info = ({version[0]}, {version[1]}, 0, 'final', 0, '')\n",
        # padding so that an interrupted download has something to interrupt
        "odoo/addons/base/data.bin": os.urandom(200_000).hex(),
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_archive_extracted_and_checked(tmp_path, monkeypatch):
    archive = make_archive(tmp_path / "odoo_19.0.latest.tar.gz")
    monkeypatch.setenv("QMS_ODOO_ARCHIVE", str(archive))
    var = tmp_path / "var"
    src = odoo_source.odoo_from_archive(var)
    assert src == var / "odoo-src"
    assert odoo_source.series_of_release_file(src / "odoo" / "release.py") == (19, 0)
    assert (src / "setup.py").exists() and (src / "requirements.txt").exists()
    assert not list(var.glob(odoo_source.STAGING_PREFIX + "*")), "the staging folder is removed"
    # a second call reuses the tree without reading the archive
    archive.unlink()
    assert odoo_source.odoo_from_archive(var) == src


def test_odoo_18_refused(tmp_path, monkeypatch):
    archive = make_archive(tmp_path / "odoo_18.0.tar.gz", version=(18, 0), top="odoo-18.0.post20250101")
    monkeypatch.setenv("QMS_ODOO_ARCHIVE", str(archive))
    with pytest.raises(QmsError, match=r"holds Odoo 18\.0; gov_qms needs Odoo 19\.0"):
        odoo_source.odoo_from_archive(tmp_path / "var")
    assert not (tmp_path / "var" / "odoo-src").exists()
    assert not list((tmp_path / "var").glob(odoo_source.STAGING_PREFIX + "*"))


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_corrupt_archive_refused(tmp_path, monkeypatch, damage):
    archive = make_archive(tmp_path / "odoo.tar.gz")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"this is not a tar file" * 100)
    monkeypatch.setenv("QMS_ODOO_ARCHIVE", str(archive))
    with pytest.raises(QmsError, match="is not a readable Odoo source archive .corrupt or incomplete"):
        odoo_source.odoo_from_archive(tmp_path / "var")
    assert not (tmp_path / "var" / "odoo-src").exists()


def test_not_laid_out_like_odoo(tmp_path, monkeypatch):
    archive = make_archive(tmp_path / "odoo.tar.gz", files={"odoo/release.py": "version_info = (19, 0)\n"})
    monkeypatch.setenv("QMS_ODOO_ARCHIVE", str(archive))
    with pytest.raises(QmsError, match="setup.py, requirements.txt missing"):
        odoo_source.odoo_from_archive(tmp_path / "var")


def test_missing_archive_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("QMS_ODOO_ARCHIVE", str(tmp_path / "nowhere.tar.gz"))
    with pytest.raises(QmsError) as error:
        odoo_source.odoo_from_archive(tmp_path / "var")
    message = str(error.value)
    assert "not a file" in message and "ODOO_SRC" in message and "QMS_ODOO_ARCHIVE" in message


def test_half_extracted_tree_never_used(tmp_path, monkeypatch):
    """An extraction interrupted earlier leaves only a staging folder: it is removed, never used."""
    var = tmp_path / "var"
    leftover = var / f"{odoo_source.STAGING_PREFIX}killed"
    (leftover / "odoo-19.0" / "odoo").mkdir(parents=True)
    (leftover / "odoo-19.0" / "odoo" / "release.py").write_text("version_info = (19, 0)\n")
    archive = make_archive(tmp_path / "odoo.tar.gz")
    monkeypatch.setenv("QMS_ODOO_ARCHIVE", str(archive))
    src = odoo_source.odoo_from_archive(var)
    assert (src / "odoo" / "addons" / "base" / "data.bin").exists()
    assert not leftover.exists()


class _Server:
    """A local HTTP server for one file, honouring Range; the first response can be cut short."""

    def __init__(self, payload, cut_first_at=None):
        self.payload, self.cut = payload, cut_first_at
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.headers.get("Range"))
                start = 0
                if self.headers.get("Range"):
                    start = int(self.headers["Range"].split("=")[1].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(payload) - 1}/{len(payload)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(payload) - start))
                self.end_headers()
                body = payload[start:]
                if outer.cut is not None:
                    body, outer.cut = body[: outer.cut], None  # the connection drops mid-way
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/19.0/odoo_19.0.latest.tar.gz"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_interrupted_download_resumes(tmp_path, monkeypatch):
    payload = make_archive(tmp_path / "odoo.tar.gz").read_bytes()
    server = _Server(payload, cut_first_at=len(payload) // 3)
    try:
        monkeypatch.setenv("QMS_ODOO_ARCHIVE", server.url)
        var = tmp_path / "var"
        with pytest.raises(QmsError, match="run the command again to resume it"):
            odoo_source.odoo_from_archive(var)
        assert not (var / "odoo-src").exists(), "nothing extracted from a partial download"
        (part,) = (var / "downloads").glob("*.part")
        assert part.stat().st_size == len(payload) // 3
        src = odoo_source.odoo_from_archive(var)  # the next run resumes
        assert server.requests == [None, f"bytes={len(payload) // 3}-"]
        assert (src / "odoo" / "release.py").exists()
        (archive,) = (var / "downloads").iterdir()
        assert archive.read_bytes() == payload, "the resumed download is byte for byte the archive"
    finally:
        server.close()


def test_default_source_is_the_official_archive(monkeypatch):
    monkeypatch.delenv("QMS_ODOO_ARCHIVE", raising=False)
    assert odoo_source.archive_source() == odoo_source.DEFAULT_ARCHIVE_URL
    assert odoo_source.DEFAULT_ARCHIVE_URL.startswith("https://nightly.odoo.com/19.0/")
    monkeypatch.setenv("QMS_ODOO_ARCHIVE", "/srv/mirror/odoo_19.0.latest.tar.gz")
    assert odoo_source.archive_source() == "/srv/mirror/odoo_19.0.latest.tar.gz"


def test_odoo_src_checked(tmp_path):
    with pytest.raises(QmsError, match="is not an Odoo source tree"):
        odoo_source.check_source_tree(tmp_path, "ODOO_SRC")
    (tmp_path / "odoo").mkdir()
    (tmp_path / "odoo" / "release.py").write_text("version_info = (18, 0, 0, 'final', 0, '')\n")
    with pytest.raises(QmsError, match="holds Odoo 18.0"):
        odoo_source.check_source_tree(tmp_path, "ODOO_SRC")
    (tmp_path / "odoo" / "release.py").write_text("version_info = (19, 0, 0, 'final', 0, '')\n")
    (tmp_path / "requirements.txt").write_text("")
    assert odoo_source.check_source_tree(Path(tmp_path), "ODOO_SRC") == tmp_path
