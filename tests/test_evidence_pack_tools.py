"""The file-level machinery of the certification evidence pack (gov_qms_audit/tools): the ZIP is streamed,
the manifest follows its XSD, and the standard-library verifier (also a command line, run here as the
certification body would: ``python3 -I -S``, no site packages) catches every file changed, missing or
added and a tampered manifest. No database needed."""

import ast
import hashlib
import io
import os
import random
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from odoo.addons.gov_qms_audit.tools import evidence_pack
from odoo.addons.gov_qms_audit.tools.evidence_pack import PackWriter, read_manifest, sha256_of, verify
from odoo.addons.gov_qms_audit.tools.evidence_pack_manifest import build_manifest, validate_manifest

SCRIPT = Path(evidence_pack.__file__).resolve()
MB = 1024 * 1024

META = {
    "name": "Certification evidence 2026 – Finance",
    "company": "Example District Government",
    "departments": [{"code": "FIN", "name": "Finance Bureau"}, {"code": None, "name": "财务科"}],
    "date_from": date(2026, 1, 1),
    "date_to": date(2026, 12, 31),
    "clauses": [{"code": "7.5", "name": "Documented information"}, "9.2"],
    "builder": {"name": "Li Wei", "login": "qms.office"},
    "built_at": datetime(2026, 11, 30, 2, 0, 0),
    "software": "gov_qms_audit 19.0.1.3.0",
}
AUDIT = {"model": "qms.audit", "id": 12, "name": "AUD-2026-003"}


def write_pack(target, tmp_path):
    """A pack of three files, one written each way; returns (manifest SHA-256, {path: bytes})."""
    on_disk = tmp_path / "attachment.bin"
    on_disk.write_bytes(os.urandom(3 * MB + 17))  # more than one chunk
    contents = {
        "index.html": b"<html><body>clause map</body></html>",
        "documents/QP-FIN-003 质量手册.pdf": on_disk.read_bytes(),
        "audits/AUD-2026-003/report.pdf": b"%PDF-1.4 report" * 1000,
    }
    with PackWriter(target) as writer:
        writer.add_bytes("index.html", contents["index.html"])
        writer.add_file("documents/QP-FIN-003 质量手册.pdf", on_disk,
                        source={"model": "qms.document", "id": 3, "name": "QP-FIN-003"})
        writer.add_stream("audits/AUD-2026-003/report.pdf", io.BytesIO(contents["audits/AUD-2026-003/report.pdf"]),
                          source=AUDIT)
        manifest_sha256 = writer.close(build_manifest(writer.entries, META))
    return manifest_sha256, contents


@pytest.fixture
def pack(tmp_path):
    path = tmp_path / "pack.zip"
    manifest_sha256, contents = write_pack(path, tmp_path)
    return path, manifest_sha256, contents


def rebuild(source, target, replace=None, drop=(), add=None):
    """Copy a ZIP member by member, as someone tampering with a pack would: replace, drop or add members."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in drop:
                continue
            new.writestr(info, (replace or {}).get(info.filename, old.read(info)))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


def run_cli(*args):
    """The verifier as the certification body runs it: isolated, without site packages."""
    return subprocess.run([sys.executable, "-I", "-S", str(SCRIPT), *map(str, args)], capture_output=True,
                          text=True, check=False, cwd=SCRIPT.parent.parent, timeout=120)


# --------------------------------------------------------------------------- writing


def test_pack_written_from_bytes_file_and_stream(pack):
    path, manifest_sha256, contents = pack
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names == [*contents, "manifest.xml"], "manifest.xml is the last member"
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())
        for name, data in contents.items():
            assert archive.read(name) == data
        manifest = archive.read("manifest.xml")
    assert manifest_sha256 == hashlib.sha256(manifest).hexdigest()
    validate_manifest(manifest)

    entries, meta = read_manifest(path)
    assert [(e["path"], e["size"], e["sha256"]) for e in entries] == [
        (name, len(data), hashlib.sha256(data).hexdigest()) for name, data in contents.items()]
    assert [e["source"] for e in entries] == [None, {"model": "qms.document", "id": 3, "name": "QP-FIN-003"}, AUDIT]
    assert meta["name"] == META["name"]
    assert meta["company"] == "Example District Government"
    assert meta["departments"] == [{"code": "FIN", "name": "Finance Bureau"}, {"code": None, "name": "财务科"}]
    assert not meta["whole_organisation"]
    assert (meta["date_from"], meta["date_to"]) == ("2026-01-01", "2026-12-31")
    assert meta["clauses"] == [{"code": "7.5", "name": "Documented information"}, {"code": "9.2", "name": None}]
    assert meta["builder"] == {"name": "Li Wei", "login": "qms.office"}
    assert meta["built_at"] == "2026-11-30T02:00:00Z"
    assert meta["software"] == "gov_qms_audit 19.0.1.3.0"

    assert verify(path) == (True, 3, [])
    assert verify(path, manifest_sha256.upper()) == (True, 3, [])
    with path.open("rb") as fileobj:
        assert verify(fileobj, manifest_sha256).ok
        assert sha256_of(fileobj) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sha256_of(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_pack_written_to_a_file_object(tmp_path):
    """The model streams into a temporary file: the writer leaves it open, sha256_of hashes it from the
    start whatever its position."""
    with (tmp_path / "pack.zip").open("w+b") as fileobj:
        manifest_sha256, _contents = write_pack(fileobj, tmp_path)
        assert not fileobj.closed
        assert sha256_of(fileobj) == hashlib.sha256((tmp_path / "pack.zip").read_bytes()).hexdigest()
        assert verify(fileobj, manifest_sha256) == (True, 3, [])


def test_manifest_follows_the_xsd(pack):
    path, _sha, _contents = pack
    with zipfile.ZipFile(path) as archive:
        manifest = archive.read("manifest.xml")
    assert b'xmlns="urn:gov-qms:evidence-pack:1"' in manifest
    assert b'sourceModel="qms.audit" sourceId="12" sourceName="AUD-2026-003"' in manifest
    for wrong, message in [
        (manifest.replace(b'version="1"', b'version="2"'), "version"),
        (manifest.replace(b"<company>Example District Government</company>", b""), "company"),
        (manifest.replace(b'sha256="', b'sha256="x', 1), "sha256"),
        (manifest.replace(b'path="index.html"', b'path="/index.html"'), "path"),
        (manifest.replace(b"2026-11-30T02:00:00Z", b"2026-11-30T10:00:00+08:00"), "built"),
        (manifest.replace(b'path="audits/AUD-2026-003/report.pdf"', b'path="index.html"'), "onePathOnce"),
        (manifest[:-40], "well-formed"),
    ]:
        with pytest.raises(ValueError, match=message):
            validate_manifest(wrong)


def test_manifest_of_the_whole_organisation_and_bad_meta():
    entry = {"path": "index.html", "size": 1, "sha256": "0" * 64, "source": {"model": "qms.audit", "id": 1,
                                                                             "name": "bad \x0b name"}}
    manifest = build_manifest([entry], dict(META, departments=[], built_at="2026-11-30T02:00:00Z"))
    assert b'<departments wholeOrganisation="true"/>' in manifest
    assert "bad \ufffd name".encode() in manifest, "a character XML cannot carry is replaced"
    with pytest.raises(ValueError, match="company"):
        build_manifest([entry], dict(META, company=""))
    with pytest.raises(ValueError, match="builder"):
        build_manifest([entry], dict(META, builder=None))
    flat = {key: value for key, value in META.items() if key != "builder"}
    manifest = build_manifest([entry], dict(flat, builder_name="Li Wei", builder_login="qms.office",
                                            departments=[("", "Finance Bureau")], date_from="2026-01-01",
                                            built_at="2026-11-30T02:00:00.123456Z"))
    assert b'<builder login="qms.office">Li Wei</builder>' in manifest
    assert b"<department>Finance Bureau</department>" in manifest
    with pytest.raises(ValueError, match="sha256"):
        build_manifest([dict(entry, sha256="not a hash")], META)


@pytest.mark.parametrize("path", [
    "/etc/passwd", "../outside.pdf", "documents/../../outside.pdf", "documents\\x.pdf", "C:/x.pdf",
    "documents//x.pdf", "documents/./x.pdf", "documents/", "", "bad\nname.pdf", "manifest.xml", "MANIFEST.XML",
])
def test_unsafe_or_reserved_paths_refused(tmp_path, path):
    with PackWriter(tmp_path / "pack.zip") as writer:
        with pytest.raises(ValueError):
            writer.add_bytes(path, b"x")
        writer.add_bytes("index.html", b"x")  # the writer goes on after a refused path
        writer.close(build_manifest(writer.entries, META))
    assert verify(tmp_path / "pack.zip") == (True, 1, [])


def test_duplicate_paths_refused(tmp_path):
    with PackWriter(tmp_path / "pack.zip") as writer:
        writer.add_bytes("documents/QP-FIN-003.pdf", b"x")
        with pytest.raises(ValueError, match="already in the pack"):
            writer.add_bytes("documents/QP-FIN-003.pdf", b"y")
        with pytest.raises(ValueError, match="same file once extracted"):
            writer.add_bytes("Documents/qp-fin-003.PDF", b"y")
        with pytest.raises(ValueError, match="already a folder"):
            writer.add_bytes("documents", b"y")
        with pytest.raises(ValueError, match="is a file of the pack"):
            writer.add_bytes("documents/QP-FIN-003.pdf/inside.txt", b"y")
        assert writer.unique_path("documents/QP-FIN-003.pdf") == "documents/QP-FIN-003 (2).pdf"
        assert writer.unique_path("documents/other.pdf") == "documents/other.pdf"
        with pytest.raises(ValueError, match="source"):
            writer.add_bytes("x.pdf", b"y", source={"model": "qms.audit", "res_id": 1})
        assert [e["path"] for e in writer.entries] == ["documents/QP-FIN-003.pdf"]


def test_safe_name():
    assert evidence_pack.safe_name("QP-FIN/003: Rev. 2?") == "QP-FIN_003_ Rev. 2_"
    assert evidence_pack.safe_name("..\\..\\secret") == "_.._secret"
    assert evidence_pack.safe_name("CON.pdf") == "_CON.pdf"
    assert evidence_pack.safe_name("  ") == "file"
    assert evidence_pack.safe_name("质量手册.pdf") == "质量手册.pdf"
    long_name = evidence_pack.safe_name("x" * 300 + ".pdf")
    assert len(long_name) == 120 and long_name.endswith(".pdf")
    for name in ("QP-FIN/003: Rev. 2?", "..\\..\\secret", "a\x00b"):
        evidence_pack.check_path(f"documents/{evidence_pack.safe_name(name)}")


def test_close_refuses_a_manifest_that_does_not_describe_the_files(tmp_path):
    with PackWriter(tmp_path / "pack.zip") as writer:
        writer.add_bytes("index.html", b"x")
        stale = build_manifest([{"path": "index.html", "size": 2, "sha256": "0" * 64}], META)
        with pytest.raises(ValueError, match="does not describe the files written: index.html"):
            writer.close(stale)
        writer.close(build_manifest(writer.entries, META))


def test_an_error_while_writing_leaves_no_pack_that_verifies(tmp_path):
    class Failing(io.RawIOBase):
        calls = 0

        def readable(self):
            return True

        def read(self, size=-1):
            self.calls += 1
            if self.calls > 2:
                raise OSError("the disk went away")
            return b"x" * 1000

    with PackWriter(tmp_path / "pack.zip") as writer:
        with pytest.raises(FileNotFoundError):  # opened before the member starts: the pack goes on
            writer.add_file("documents/missing.pdf", tmp_path / "missing.pdf")
        writer.add_bytes("index.html", b"x")
        with pytest.raises(OSError, match="disk went away"):
            writer.add_stream("documents/broken.pdf", Failing())
        with pytest.raises(RuntimeError, match="build it again"):
            writer.add_bytes("other.html", b"x")
        with pytest.raises(RuntimeError, match="build it again"):
            writer.close(build_manifest(writer.entries, META))
    assert verify(tmp_path / "pack.zip") == (False, 0, ["manifest: manifest.xml is missing"])


# --------------------------------------------------------------------------- verifying


def test_verify_catches_a_changed_file(pack, tmp_path):
    path, manifest_sha256, contents = pack
    name = "audits/AUD-2026-003/report.pdf"
    same_size = contents[name][:-1] + b"!"
    result = verify(rebuild(path, tmp_path / "changed.zip", replace={name: same_size}), manifest_sha256)
    assert result == (False, 3, [f"changed: {name}"])
    result = verify(rebuild(path, tmp_path / "longer.zip", replace={"index.html": contents["index.html"] + b" "}))
    assert result == (False, 3, ["changed: index.html"])


def test_verify_catches_a_missing_file(pack, tmp_path):
    path, manifest_sha256, _contents = pack
    result = verify(rebuild(path, tmp_path / "missing.zip", drop={"index.html"}), manifest_sha256)
    assert result == (False, 3, ["missing: index.html"])


def test_verify_catches_an_added_file(pack, tmp_path):
    path, manifest_sha256, _contents = pack
    result = verify(rebuild(path, tmp_path / "added.zip", add={"documents/forged.pdf": b"%PDF forged"}),
                    manifest_sha256)
    assert result == (False, 3, ["added: documents/forged.pdf"])
    with pytest.warns(UserWarning, match="Duplicate name"):
        twice = rebuild(path, tmp_path / "twice.zip", add={"index.html": b"<html>other</html>"})
    result = verify(twice)
    assert result == (False, 3, ["added: index.html (a second copy)"])


def test_verify_catches_an_edited_manifest(pack, tmp_path):
    """Whoever changes a file and its line in the manifest passes the file check: only the published
    SHA-256 of manifest.xml catches it."""
    path, manifest_sha256, contents = pack
    forged = b"<html><body>a better clause map</body></html>"
    with zipfile.ZipFile(path) as archive:
        manifest = archive.read("manifest.xml")
    old_line = (f'path="index.html" size="{len(contents["index.html"])}" '
                f'sha256="{hashlib.sha256(contents["index.html"]).hexdigest()}"').encode()
    assert old_line in manifest
    edited = manifest.replace(old_line, f'path="index.html" size="{len(forged)}" '
                                        f'sha256="{hashlib.sha256(forged).hexdigest()}"'.encode())
    tampered = rebuild(path, tmp_path / "tampered.zip", replace={"index.html": forged, "manifest.xml": edited})
    assert verify(tampered) == (True, 3, [])
    edited_sha256 = hashlib.sha256(edited).hexdigest()
    assert verify(tampered, manifest_sha256) == (
        False, 3, [f"manifest: manifest.xml has the SHA-256 {edited_sha256}, expected {manifest_sha256}"])


def test_verify_catches_a_removed_or_broken_manifest(pack, tmp_path):
    path, manifest_sha256, _contents = pack
    removed = rebuild(path, tmp_path / "removed.zip", drop={"manifest.xml"})
    assert verify(removed) == (False, 0, ["manifest: manifest.xml is missing"])
    assert verify(removed, manifest_sha256) == (False, 0, ["manifest: manifest.xml is missing"])
    for data, message in [
        (b"<evidencePack", "not well-formed XML"),
        (b"<pack/>", "not an evidence pack manifest"),
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "DOCTYPE"),
    ]:
        result = verify(rebuild(path, tmp_path / "broken.zip", replace={"manifest.xml": data}))
        assert not result.ok and len(result.differences) == 1
        assert result.differences[0].startswith("manifest: ") and message in result.differences[0]


def test_verify_a_file_that_is_not_a_zip(tmp_path, pack):
    not_zip = tmp_path / "pack.zip.pdf"
    not_zip.write_bytes(b"%PDF-1.4 this is not a pack")
    result = verify(not_zip)
    assert not result.ok and result.files == 0
    assert result.differences[0].startswith("not a ZIP archive")
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(pack[0].read_bytes()[:-100])
    assert verify(truncated).differences[0].startswith("not a ZIP archive")
    with pytest.raises(FileNotFoundError):
        verify(tmp_path / "nowhere.zip")
    with pytest.raises(ValueError, match="SHA-256"):
        verify(pack[0], "abc")


def test_verify_never_raises_on_damaged_bytes(pack):
    """Bytes flipped anywhere: a difference or (in bytes the check does not cover, such as a timestamp)
    no difference, never a traceback."""
    data = pack[0].read_bytes()
    rng = random.Random(11)
    outcomes = set()
    for _attempt in range(60):
        damaged = bytearray(data)
        for _flip in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
        outcomes.add(verify(io.BytesIO(bytes(damaged)), pack[1]).ok)
    assert False in outcomes


# --------------------------------------------------------------------------- command line


def test_verifier_needs_only_the_standard_library():
    tree = ast.parse(SCRIPT.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
    assert not any(isinstance(node, ast.ImportFrom) and node.level for node in ast.walk(tree))


def test_command_line_verifies_a_pack(pack):
    path, manifest_sha256, _contents = pack
    result = run_cli(path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "verified 3 files\n", "")
    result = run_cli(path, "--manifest-sha256", manifest_sha256)
    assert (result.returncode, result.stdout) == (0, "verified 3 files\n")


def test_command_line_lists_the_differences(pack, tmp_path):
    path, manifest_sha256, _contents = pack
    tampered = rebuild(path, tmp_path / "tampered.zip", drop={"index.html"},
                       replace={"documents/QP-FIN-003 质量手册.pdf": b"forged"},
                       add={"documents/forged.pdf": b"%PDF forged"})
    result = run_cli(tampered, "--manifest-sha256", manifest_sha256)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "changed: documents/QP-FIN-003 质量手册.pdf",
        "added: documents/forged.pdf",
        "missing: index.html",
        f"{tampered}: 3 difference(s) with its manifest",
    ]
    result = run_cli(path, "--manifest-sha256", "0" * 64)
    assert result.returncode == 1
    assert result.stdout.startswith(f"manifest: manifest.xml has the SHA-256 {manifest_sha256}, expected ")
    not_zip = tmp_path / "not.zip"
    not_zip.write_bytes(b"hello")
    result = run_cli(not_zip)
    assert result.returncode == 1 and result.stdout.startswith("not a ZIP archive"), result.stdout
    assert "Traceback" not in result.stderr


def test_command_line_usage_errors_exit_2(pack, tmp_path):
    path, _sha, _contents = pack
    for args in [(), (path, "--manifest-sha256", "not-a-hash"), (path, "--unknown"), (tmp_path / "nowhere.zip",),
                 (tmp_path,)]:
        result = run_cli(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr
    assert "cannot read" in run_cli(tmp_path / "nowhere.zip").stderr


# --------------------------------------------------------------------------- memory


MEMORY_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
import evidence_pack
source, target = sys.argv[2], sys.argv[3]
def peak_kib():
    # The high-water mark of this process's resident memory (getrusage's ru_maxrss would include the
    # parent's memory, inherited across fork and exec).
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
before = peak_kib()
with evidence_pack.PackWriter(target) as writer:
    writer.add_file("documents/big.bin", source)
    size = writer.entries[0]["size"]
    writer.close(b'<evidencePack xmlns="urn:gov-qms:evidence-pack:1" version="1"><files count="1"><file path='
                 b'"documents/big.bin" size="%d" sha256="%s"/></files></evidencePack>'
                 % (size, writer.entries[0]["sha256"].encode()))
written = peak_kib()
result = evidence_pack.verify(target)
assert result.ok, result
verified = peak_kib()
with open(source, "rb") as fileobj:
    whole = fileobj.read()  # the control: what holding the file in memory costs
print(before, written, verified, peak_kib())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from Linux's /proc")
def test_a_50_mb_file_is_streamed(tmp_path):
    """Writing and verifying a 50 MB file grows the process's peak memory by far less than the file."""
    source = tmp_path / "big.bin"
    with source.open("wb") as fileobj:
        for _chunk in range(50):
            fileobj.write(os.urandom(MB))  # incompressible, like a scanned PDF
    result = subprocess.run([sys.executable, "-I", "-S", "-c", MEMORY_PROBE, str(SCRIPT.parent), str(source),
                             str(tmp_path / "pack.zip")], capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    before, written, verified, control = (int(value) / 1024 for value in result.stdout.split())
    print(f"peak RSS {before:.1f} MB before; growth for a 50 MB file: writing {written - before:.1f} MB, "
          f"verifying {verified - before:.1f} MB; reading it whole (control) {control - before:.1f} MB")
    assert control - before > 45, "the measure sees a file held in memory"
    assert written - before < 20
    assert verified - before < 20
    assert (tmp_path / "pack.zip").stat().st_size > 50 * MB
