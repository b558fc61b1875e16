#!/usr/bin/env python3
"""Write and verify a gov_qms certification evidence pack.

A pack is a ZIP archive. Its last member, ``manifest.xml`` (namespace ``urn:gov-qms:evidence-pack:1``),
lists every other member with its size in bytes, its SHA-256 and the record it comes from, and the
pack's scope, builder, build time and software.

This file uses Python's standard library only, so that whoever receives a pack (the certification
body) can check it without Odoo::

    python3 evidence_pack.py pack.zip [--manifest-sha256 HEX]

Exit status 0 and ``verified N files`` when every member matches the manifest; 1 and one line per
difference (``changed: PATH``, ``missing: PATH``, ``added: PATH``, ``manifest: ...``) otherwise; 2 when
the command is used wrongly or the file cannot be read. ``--manifest-sha256`` checks manifest.xml itself
against the SHA-256 published with the pack (posted on the pack in gov_qms), so that a pack whose files
and manifest were both replaced is caught too.

Inside Odoo the model ``qms.evidence.pack`` imports it as
``odoo.addons.gov_qms_audit.tools.evidence_pack``; importing it has no side effect. Everything is read
and written in chunks: a pack is never held in memory.
"""

import argparse
import hashlib
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from datetime import datetime, timezone
from typing import NamedTuple

MANIFEST_NS = "urn:gov-qms:evidence-pack:1"
MANIFEST_VERSION = "1"
MANIFEST_PATH = "manifest.xml"
CHUNK_SIZE = 1024 * 1024

_SHA256_RE = re.compile(r"[0-9a-fA-F]{64}\Z")
_UNSAFE_NAME_RE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                     *(f"LPT{n}" for n in range(1, 10))}
# Errors zipfile and zlib raise on a damaged or forged archive.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
               NotImplementedError, RuntimeError)


def _q(tag):
    return f"{{{MANIFEST_NS}}}{tag}"


class ManifestError(ValueError):
    """manifest.xml is missing, unreadable or not an evidence pack manifest."""


class VerifyResult(NamedTuple):
    """The outcome of :func:`verify`: ``ok`` when there is no difference; ``files`` is the number of
    files the manifest lists (0 when it cannot be read); ``differences`` one line each."""

    ok: bool
    files: int
    differences: list


# --------------------------------------------------------------------------- paths


def check_path(path):
    """Return ``path`` when it is a safe member name for a pack, else raise ValueError.

    Safe: a non-empty relative POSIX path (``documents/QP-FIN-003.pdf``) without backslash, drive letter,
    control character, or empty, ``.`` or ``..`` segment, so that it extracts inside the target folder on
    any system.
    """
    if not isinstance(path, str) or not path:
        raise ValueError(f"invalid path in the pack: {path!r}")
    if "\\" in path:
        raise ValueError(f"unsafe path {path!r}: backslash (use '/')")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        raise ValueError(f"unsafe path {path!r}: absolute")
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        raise ValueError(f"unsafe path {path!r}: control character")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise ValueError(f"unsafe path {path!r}: empty, '.' or '..' segment")
    return path


def safe_name(text, default="file", max_length=120):
    """A file or folder name made from free text (a record's name): characters that are not allowed in
    a file name on some system become ``_``; Windows device names and leading dots are defused; the
    extension is kept when the name is shortened."""
    name = _UNSAFE_NAME_RE.sub("_", unicodedata.normalize("NFC", str(text or ""))).strip(" .")
    name = re.sub(r"\s+", " ", name) or default
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        name = f"_{name}"
    if len(name) > max_length:
        stem, dot, suffix = name.rpartition(".")
        if dot and 0 < len(suffix) <= 10 and stem:
            name = f"{stem[:max_length - len(suffix) - 1].rstrip(' .')}.{suffix}"
        else:
            name = name[:max_length].rstrip(" .")
    return name


def _collision_key(path):
    # Two names that differ only by case or Unicode normalisation are one file on Windows and macOS.
    return unicodedata.normalize("NFC", path).casefold()


def _check_source(source):
    if source is None:
        return None
    if not isinstance(source, dict) or not set(source) <= {"model", "id", "name"}:
        raise ValueError(f"source must be a dict with the keys model, id, name (or None), not {source!r}")
    record_id = source.get("id")
    if record_id is not None and (isinstance(record_id, bool) or not isinstance(record_id, int)):
        raise ValueError(f"source id must be an integer, not {record_id!r}")
    return {"model": source.get("model") or None, "id": record_id,
            "name": None if source.get("name") in (None, False) else str(source["name"])}


# --------------------------------------------------------------------------- hashing


def _hash_stream(fileobj):
    digest = hashlib.sha256()
    while chunk := fileobj.read(CHUNK_SIZE):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_of(path_or_fileobj):
    """SHA-256 (hex) of a file on disk or of a binary file object, read in chunks. A seekable file
    object is hashed from its start (e.g. the temporary file a pack was just written to)."""
    if hasattr(path_or_fileobj, "read"):
        if path_or_fileobj.seekable():
            path_or_fileobj.seek(0)
        return _hash_stream(path_or_fileobj)
    with open(path_or_fileobj, "rb") as fileobj:
        return _hash_stream(fileobj)


# --------------------------------------------------------------------------- writing


class PackWriter:
    """Stream a pack into ``target`` (a path, or a binary file object left open) one member at a time.

    ::

        with PackWriter(tmp) as writer:
            writer.add_file("documents/QP-FIN-003.pdf", "/filestore/ab/abcdef", source={...})
            manifest_sha256 = writer.close(build_manifest(writer.entries, meta))
        zip_sha256 = sha256_of(tmp)

    ``entries`` lists what was written: dicts with path, size, sha256 and source (a dict with model, id,
    name, or None). ``close`` writes manifest.xml last; leaving the ``with`` block without closing (an
    error) finishes the ZIP without a manifest, which :func:`verify` reports. After an error in the
    middle of an ``add_*`` the writer refuses to go on: the ZIP would hold a member the manifest cannot
    describe.
    """

    def __init__(self, target, date_time=None, compresslevel=None):
        when = date_time or datetime.now(timezone.utc)
        if isinstance(when, datetime):
            if when.tzinfo:
                when = when.astimezone(timezone.utc)
            when = when.timetuple()[:6]
        self._date_time = tuple(when)
        self._compresslevel = compresslevel
        self._zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True,
                                    compresslevel=compresslevel)
        self.entries = []
        self.manifest_sha256 = None
        self._files = {_collision_key(MANIFEST_PATH): MANIFEST_PATH}
        self._folders = {}
        self._state = "open"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if self._state != "closed":
            self.abort()

    # ----------------------------------------------------------------- public

    def add_bytes(self, path, data, source=None):
        """Add a member from bytes already in memory (a rendered PDF, an XLSX)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"add_bytes({path!r}) needs bytes, not {type(data).__name__}")
        data = memoryview(data).cast("B")
        return self._write(path, source, (data[i:i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE)),
                           len(data))

    def add_file(self, path, filesystem_path, source=None):
        """Add a member from a file on disk (an attachment in the filestore), read in chunks."""
        self._check_member(path, source)
        with open(filesystem_path, "rb") as fileobj:  # opened first: a missing file leaves the pack intact
            return self._write(path, source, iter(lambda: fileobj.read(CHUNK_SIZE), b""),
                               self._remaining_size(fileobj))

    def add_stream(self, path, fileobj, source=None):
        """Add a member from a binary file object, read in chunks from its current position."""
        return self._write(path, source, self._chunks(path, fileobj), self._remaining_size(fileobj))

    def unique_path(self, path):
        """``path``, or ``stem (2).ext``, ``stem (3).ext``... when the pack already holds that name."""
        folder, slash, name = path.rpartition("/")
        stem, dot, suffix = name.rpartition(".")
        if not dot or not stem:
            stem, dot, suffix = name, "", ""
        candidate, number = path, 1
        while _collision_key(candidate) in self._files or _collision_key(candidate) in self._folders:
            number += 1
            candidate = f"{folder}{slash}{stem} ({number}){dot}{suffix}"
        return candidate

    def close(self, manifest_bytes):
        """Write ``manifest_bytes`` as manifest.xml, the last member, after checking that it lists exactly
        the members written with their sizes and SHA-256; finish the ZIP; return the manifest's SHA-256."""
        self._check_open()
        if not isinstance(manifest_bytes, (bytes, bytearray)):
            raise TypeError(f"the manifest must be bytes, not {type(manifest_bytes).__name__}")
        manifest_bytes = bytes(manifest_bytes)
        try:
            parser = _new_parser()
            _feed(parser, manifest_bytes, b"")
            listed, _meta = _interpret(parser.close())
        except (ET.ParseError, ManifestError) as exc:
            raise ValueError(f"the manifest cannot be read back: {exc}") from None
        written = {(e["path"], e["size"], e["sha256"]) for e in self.entries}
        described = {(e["path"], e["size"], e["sha256"]) for e in listed}
        if written != described:
            wrong = sorted(path for path, _size, _sha in written ^ described)
            raise ValueError(f"the manifest does not describe the files written: {', '.join(wrong[:10])}")
        info = self._zip_info(MANIFEST_PATH)
        self._zip.writestr(info, manifest_bytes)
        self._zip.close()
        self._state = "closed"
        self.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        return self.manifest_sha256

    def abort(self):
        """Finish the ZIP without a manifest (after an error); the caller discards the file."""
        if self._state != "closed":
            self._state = "closed"
            self._zip.close()

    # ----------------------------------------------------------------- internals

    def _check_open(self):
        if self._state == "closed":
            raise RuntimeError("the evidence pack is already closed")
        if self._state == "broken":
            raise RuntimeError("the evidence pack is incomplete after an error while a file was written; "
                               "build it again")

    def _check_member(self, path, source):
        self._check_open()
        check_path(path)
        key = _collision_key(path)
        if key in self._files:
            other = self._files[key]
            raise ValueError(f"{path!r} is already in the pack" if other == path else
                             f"{path!r} and {other!r} would be the same file once extracted")
        if key in self._folders:
            raise ValueError(f"{path!r} is already a folder of the pack")
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if _collision_key(folder) in self._files:
                raise ValueError(f"{folder!r} is a file of the pack: it cannot hold {path!r}")
        return _check_source(source)

    def _zip_info(self, path):
        info = zipfile.ZipInfo(path, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        if self._compresslevel is not None:
            info._compresslevel = self._compresslevel  # as ZipFile.writestr does (a property from 3.13 on)
        info.external_attr = 0o644 << 16  # -rw-r--r-- once extracted
        return info

    @staticmethod
    def _remaining_size(fileobj):
        try:
            if not fileobj.seekable():
                return None
            position = fileobj.tell()
            end = fileobj.seek(0, 2)
            fileobj.seek(position)
        except (AttributeError, OSError, ValueError):
            return None
        return end - position

    @staticmethod
    def _chunks(path, fileobj):
        while chunk := fileobj.read(CHUNK_SIZE):
            if not isinstance(chunk, (bytes, bytearray)):
                raise TypeError(f"add_stream({path!r}) needs a binary file object")
            yield chunk

    def _write(self, path, source, chunks, size_hint):
        source = self._check_member(path, source)
        info = self._zip_info(path)
        if size_hint is not None:
            info.file_size = size_hint  # lets zipfile choose ZIP64 only for members that need it
        digest = hashlib.sha256()
        size = 0
        self._state = "broken"  # until the member is completely written
        with self._zip.open(info, "w", force_zip64=size_hint is None) as member:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                member.write(chunk)
        self._state = "open"
        key = _collision_key(path)
        self._files[key] = path
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            self._folders.setdefault(_collision_key(folder), folder)
        entry = {"path": path, "size": size, "sha256": digest.hexdigest(), "source": source}
        self.entries.append(entry)
        return entry


# --------------------------------------------------------------------------- reading the manifest


def _new_parser():
    return ET.XMLParser(target=ET.TreeBuilder())


def _feed(parser, chunk, tail):
    """Feed one chunk; refuse a DOCTYPE (entity expansion); return the tail kept to see across chunks."""
    window = tail + chunk
    if b"<!DOCTYPE" in window:
        raise ManifestError("manifest.xml declares a DOCTYPE, which a manifest never has")
    parser.feed(chunk)
    return window[-8:]


def _text(element, tag):
    child = element.find(_q(tag)) if element is not None else None
    return child.text if child is not None else None


def _interpret(root):
    """(entries, meta) from the parsed manifest; ManifestError when it is not a valid one."""
    if root.tag != _q("evidencePack"):
        raise ManifestError(f"manifest.xml is not an evidence pack manifest (root element {root.tag})")
    if root.get("version") != MANIFEST_VERSION:
        raise ManifestError(f"manifest.xml has version {root.get('version')!r}, this verifier reads "
                            f"version {MANIFEST_VERSION}")
    files = root.find(_q("files"))
    if files is None:
        raise ManifestError("manifest.xml has no files element")
    entries, paths = [], set()
    for number, element in enumerate(files.iter(_q("file")), start=1):
        path, size, sha256 = element.get("path"), element.get("size"), element.get("sha256")
        if not path or not size or not size.isdigit() or not sha256 or not _SHA256_RE.match(sha256):
            raise ManifestError(f"file element {number} has no valid path, size and sha256")
        if path in paths:
            raise ManifestError(f"manifest.xml lists {path} twice")
        paths.add(path)
        source = None
        if element.get("sourceModel") or element.get("sourceId") or element.get("sourceName"):
            record_id = element.get("sourceId")
            source = {"model": element.get("sourceModel"),
                      "id": int(record_id) if record_id and record_id.isdigit() else record_id,
                      "name": element.get("sourceName")}
        entries.append({"path": path, "size": int(size), "sha256": sha256.lower(), "source": source})
    if files.get("count") is not None and files.get("count") != str(len(entries)):
        raise ManifestError(f"manifest.xml says {files.get('count')} files but lists {len(entries)}")
    scope = root.find(_q("scope"))
    departments = scope.find(_q("departments")) if scope is not None else None
    period = scope.find(_q("period")) if scope is not None else None
    clauses = scope.find(_q("clauses")) if scope is not None else None
    builder = root.find(_q("builder"))
    meta = {
        "version": root.get("version"),
        "name": _text(root, "name"),
        "company": _text(root, "company"),
        "departments": [{"code": d.get("code"), "name": d.text} for d in departments.iter(_q("department"))]
        if departments is not None else [],
        "whole_organisation": departments is not None and departments.get("wholeOrganisation") == "true",
        "date_from": period.get("from") if period is not None else None,
        "date_to": period.get("to") if period is not None else None,
        "clauses": [{"code": c.get("code"), "name": c.text} for c in clauses.iter(_q("clause"))]
        if clauses is not None else [],
        "builder": {"name": builder.text, "login": builder.get("login")} if builder is not None else None,
        "built_at": _text(root, "built"),
        "software": _text(root, "software"),
    }
    return entries, meta


def _load_manifest(archive):
    """(entries, meta, sha256 of manifest.xml, number of manifest.xml members) of an open ZipFile."""
    members = [info for info in archive.infolist() if info.filename == MANIFEST_PATH]
    if not members:
        raise ManifestError("manifest.xml is missing")
    digest, parser, tail = hashlib.sha256(), _new_parser(), b""
    try:
        with archive.open(members[-1]) as manifest:  # the last one: what an extraction leaves on disk
            while chunk := manifest.read(CHUNK_SIZE):
                digest.update(chunk)
                tail = _feed(parser, chunk, tail)
        root = parser.close()
    except ET.ParseError as exc:
        raise ManifestError(f"manifest.xml is not well-formed XML ({exc})") from None
    except _ZIP_ERRORS as exc:
        raise ManifestError(f"manifest.xml cannot be read ({exc})") from None
    entries, meta = _interpret(root)
    return entries, meta, digest.hexdigest(), len(members)


def read_manifest(pack):
    """(entries, meta) of a pack: an open ``zipfile.ZipFile``, a path or a binary file object.

    ``entries``: dicts with path, size, sha256 and source (dict with model, id, name, or None), in the
    manifest's order. ``meta``: version, name, company, departments (list of dicts code, name),
    whole_organisation, date_from, date_to (ISO dates), clauses (list of dicts code, name), builder (dict
    name, login), built_at (UTC, ISO 8601), software. Raises ManifestError (a ValueError).
    """
    if isinstance(pack, zipfile.ZipFile):
        return _load_manifest(pack)[:2]
    with zipfile.ZipFile(pack) as archive:
        return _load_manifest(archive)[:2]


# --------------------------------------------------------------------------- verifying


def _normalise_sha256(value):
    if value is None or value == "":
        return None
    value = value.strip()
    if not _SHA256_RE.match(value):
        raise ValueError(f"not a SHA-256 (64 hexadecimal digits): {value!r}")
    return value.lower()


def _check_member(archive, info, entry):
    """None when the member's bytes match the manifest entry, else the difference."""
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK_SIZE):
                size += len(chunk)
                if size > entry["size"]:
                    return f"changed: {info.filename}"  # larger than listed: no need to read the rest
                digest.update(chunk)
    except _ZIP_ERRORS as exc:
        return f"changed: {info.filename} (cannot be read: {exc})"
    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
        return f"changed: {info.filename}"
    return None


def verify(zip_path, manifest_sha256=None):
    """Re-read every member of the pack at ``zip_path`` (a path or a binary file object) against its
    manifest. Returns ``VerifyResult(ok, files, differences)``; the differences are, in this order:

    - ``manifest: ...``: manifest.xml missing, unreadable, not a manifest, or (when ``manifest_sha256``
      is given) not the expected one; ``not a ZIP archive: ...`` for a file that is no ZIP at all;
    - ``changed: PATH`` (bytes or size differ, or the member cannot be decompressed), ``added: PATH``
      (in the ZIP, not in the manifest), in the ZIP's order;
    - ``missing: PATH`` (in the manifest, not in the ZIP), in the manifest's order.

    Raises OSError when the file cannot be opened, ValueError for a malformed ``manifest_sha256``.
    """
    expected = _normalise_sha256(manifest_sha256)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as exc:
        return VerifyResult(False, 0, [f"not a ZIP archive: {exc}"])
    except OSError as exc:
        if hasattr(zip_path, "read"):  # a file object that cannot seek where the ZIP says: damaged
            return VerifyResult(False, 0, [f"not a ZIP archive: {exc}"])
        raise
    differences = []
    with archive:
        try:
            entries, _meta, actual, copies = _load_manifest(archive)
        except ManifestError as exc:
            return VerifyResult(False, 0, [f"manifest: {exc}"])
        if copies > 1:
            differences.append(f"manifest: manifest.xml appears {copies} times in the ZIP")
        if expected and actual != expected:
            differences.append(f"manifest: manifest.xml has the SHA-256 {actual}, expected {expected}")
        listed = {entry["path"]: entry for entry in entries}
        seen = set()
        for info in archive.infolist():
            if info.filename == MANIFEST_PATH:
                continue
            entry = listed.get(info.filename)
            if entry is None:
                differences.append(f"added: {info.filename}")
            elif info.filename in seen:
                differences.append(f"added: {info.filename} (a second copy)")
            else:
                seen.add(info.filename)
                problem = _check_member(archive, info, entry)
                if problem:
                    differences.append(problem)
        differences += [f"missing: {entry['path']}" for entry in entries if entry["path"] not in seen]
    return VerifyResult(not differences, len(entries), differences)


# --------------------------------------------------------------------------- command line


def main(argv=None):
    """Command line: exit 0 ("verified N files"), 1 (the differences), 2 (usage, unreadable file)."""
    parser = argparse.ArgumentParser(
        prog="evidence_pack.py",
        description="Verify a gov_qms certification evidence pack: every file of the ZIP against the size "
                    "and SHA-256 listed in its manifest.xml. Needs only Python's standard library.",
        epilog="Exit status: 0 verified, 1 differences found, 2 usage error or unreadable file.")
    parser.add_argument("pack", help="the evidence pack (ZIP file)")
    parser.add_argument("--manifest-sha256", metavar="HEX",
                        help="the SHA-256 of manifest.xml published with the pack: also check the manifest "
                             "itself")
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):  # a file name the console cannot show must not stop the check
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        expected = _normalise_sha256(args.manifest_sha256)
    except ValueError as exc:
        parser.error(f"--manifest-sha256: {exc}")
    try:
        result = verify(args.pack, expected)
    except OSError as exc:
        sys.stderr.write(f"error: cannot read {args.pack}: {exc.strerror or exc}\n")
        return 2
    if result.ok:
        sys.stdout.write(f"verified {result.files} files\n")
        return 0
    for difference in result.differences:
        sys.stdout.write(f"{difference}\n")
    sys.stdout.write(f"{args.pack}: {len(result.differences)} difference(s) with its manifest\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
