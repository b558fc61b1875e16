"""Build and validate the manifest.xml of a certification evidence pack (lxml: runs inside Odoo).

The layout (namespace ``urn:gov-qms:evidence-pack:1``, schema ``data/evidence_pack_manifest.xsd``)::

    <evidencePack xmlns="urn:gov-qms:evidence-pack:1" version="1">
      <name>Certification evidence 2026</name>
      <company>Example District Government</company>
      <scope>
        <departments>                            (wholeOrganisation="true" and no child: all of them)
          <department code="FIN">Finance Bureau</department>
        </departments>
        <period from="2026-01-01" to="2026-12-31"/>
        <clauses><clause code="7.5">Documented information</clause></clauses>
      </scope>
      <builder login="qms.office">Li Wei</builder>
      <built>2026-11-30T02:00:00Z</built>
      <software>gov_qms_audit 19.0.1.3.0</software>
      <files count="1">
        <file path="audits/AUD-2026-003.pdf" size="48213" sha256="..." sourceModel="qms.audit"
              sourceId="12" sourceName="AUD-2026-003"/>
      </files>
    </evidencePack>

``tools/evidence_pack.py`` reads it back with the standard library only (``read_manifest``, ``verify``).
"""

import functools
import re
from datetime import date, datetime, timezone
from pathlib import Path

from lxml import etree

from .evidence_pack import MANIFEST_NS, MANIFEST_VERSION

XSD_PATH = Path(__file__).resolve().parent.parent / "data" / "evidence_pack_manifest.xsd"
REQUIRED_META = ("name", "company", "date_from", "date_to", "built_at", "software")

# Characters XML 1.0 cannot carry (a record name pasted with a control character).
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


@functools.cache
def _schema():
    """The XSD, parsed once per process."""
    return etree.XMLSchema(etree.parse(str(XSD_PATH), parser=_parser()))


def _text(value):
    return _NOT_XML_RE.sub("\ufffd", str(value))


def _iso_date(value, key):
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value:
        return value
    raise ValueError(f"manifest: {key} must be a date, not {value!r}")


def _utc(value):
    if isinstance(value, datetime):
        if value.tzinfo:  # naive datetimes are UTC, as Odoo stores them
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str) and value:
        return value
    raise ValueError(f"manifest: built_at must be a UTC datetime, not {value!r}")


def _pairs(items, key):
    """[(code, name)] from dicts {"code", "name"}, (code, name) pairs or bare codes."""
    pairs = []
    for item in items or ():
        if isinstance(item, dict):
            pairs.append((item.get("code") or None, item.get("name") or None))
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            pairs.append((item[0] or None, item[1] or None))
        elif isinstance(item, str):
            pairs.append((item, None))
        else:
            raise ValueError(f"manifest: {key} holds {item!r}: use dicts with code and name")
    return pairs


def build_manifest(entries, meta):
    """manifest.xml (UTF-8 bytes) for the files ``entries`` (``PackWriter.entries``: dicts with path,
    size, sha256 and source) and the pack's ``meta``, validated against the XSD (ValueError if not).

    ``meta``: name, company (text); departments (dicts with code and name; empty: the whole
    organisation); date_from, date_to (dates or ISO strings); clauses (dicts with code and name, or codes);
    builder (dict with name and login; or builder_name and builder_login); built_at (datetime, naive =
    UTC, or an ISO string ending in Z); software (e.g. "gov_qms_audit 19.0.1.3.0").
    """
    builder = meta.get("builder") or {"name": meta.get("builder_name"), "login": meta.get("builder_login")}
    if not isinstance(builder, dict):
        builder = {"name": builder}
    missing = [key for key in REQUIRED_META if not meta.get(key)]
    if not (builder.get("name") or builder.get("login")):
        missing.append("builder")
    if missing:
        raise ValueError(f"manifest: the pack's {', '.join(missing)} missing")
    ns = f"{{{MANIFEST_NS}}}"
    root = etree.Element(f"{ns}evidencePack", nsmap={None: MANIFEST_NS}, version=MANIFEST_VERSION)
    etree.SubElement(root, f"{ns}name").text = _text(meta["name"])
    etree.SubElement(root, f"{ns}company").text = _text(meta["company"])

    scope = etree.SubElement(root, f"{ns}scope")
    departments = etree.SubElement(scope, f"{ns}departments")
    department_pairs = _pairs(meta.get("departments"), "departments")
    if not department_pairs:
        departments.set("wholeOrganisation", "true")
    for code, name in department_pairs:
        element = etree.SubElement(departments, f"{ns}department")
        element.text = _text(name or code or "")
        if code:
            element.set("code", _text(code))
    etree.SubElement(scope, f"{ns}period", {"from": _iso_date(meta["date_from"], "date_from"),
                                             "to": _iso_date(meta["date_to"], "date_to")})
    clauses = etree.SubElement(scope, f"{ns}clauses")
    for code, name in _pairs(meta.get("clauses"), "clauses"):
        element = etree.SubElement(clauses, f"{ns}clause", code=_text(code or ""))
        if name:
            element.text = _text(name)

    element = etree.SubElement(root, f"{ns}builder")
    element.text = _text(builder.get("name") or builder.get("login") or "")
    if builder.get("login"):
        element.set("login", _text(builder["login"]))
    etree.SubElement(root, f"{ns}built").text = _utc(meta["built_at"])
    etree.SubElement(root, f"{ns}software").text = _text(meta["software"])

    files = etree.SubElement(root, f"{ns}files", count=str(len(entries)))
    for entry in entries:
        element = etree.SubElement(files, f"{ns}file", path=_text(entry["path"]), size=str(int(entry["size"])),
                                   sha256=_text(entry["sha256"]))
        source = entry.get("source") or {}
        if source.get("model"):
            element.set("sourceModel", _text(source["model"]))
        if source.get("id"):
            element.set("sourceId", str(int(source["id"])))
        if source.get("name"):
            element.set("sourceName", _text(source["name"]))

    xml_bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate_manifest(xml_bytes)
    return xml_bytes


def validate_manifest(xml_bytes):
    """Raise ValueError with the parser's or the XSD's message unless ``xml_bytes`` is a valid manifest."""
    try:
        document = etree.fromstring(xml_bytes, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ValueError(f"manifest.xml is not well-formed XML: {exc}") from None
    try:
        _schema().assertValid(document)
    except etree.DocumentInvalid as exc:
        errors = "; ".join(f"line {error.line}: {error.message}" for error in list(exc.error_log)[:5])
        raise ValueError(f"manifest.xml does not follow {XSD_PATH.name}: {errors or exc}") from None
