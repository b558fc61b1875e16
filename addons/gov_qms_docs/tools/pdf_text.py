"""Make Chinese text in PDFs extract and search as the characters it shows.

CJK fonts such as Noto Sans CJK draw a Kangxi radical (U+2F00-U+2FDF), a CJK radical supplement
character (U+2E80-U+2EFF) or a compatibility ideograph (U+F900-U+FAFF) with the very glyph of the
unified ideograph (文 U+6587 and ⽂ U+2F42 share one glyph). wkhtmltopdf's PDF writer maps each
glyph back to the first code point of the font's table, so "文件" is copied and searched as
"⽂件". The fix rewrites the fonts' ToUnicode maps: every such code point becomes its
compatibility equivalent (NFKC), which is the unified ideograph the reader sees.
"""
import io
import logging
import re
import unicodedata

from odoo.tools.pdf import PdfFileReader, PdfFileWriter

_logger = logging.getLogger(__name__)

_HEX = re.compile(rb"<([0-9A-Fa-f]{4,})>")
_ALIASES = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF))


def _is_alias(char):
    code = ord(char)
    return any(low <= code <= high for low, high in _ALIASES)


def _unalias(match):
    digits = match.group(1)
    if len(digits) % 4:
        return match.group(0)
    text = bytes.fromhex(digits.decode()).decode("utf-16-be", "surrogatepass")
    fixed = "".join(unicodedata.normalize("NFKC", char) if _is_alias(char) else char for char in text)
    if fixed == text:
        return match.group(0)
    return b"<" + fixed.encode("utf-16-be", "surrogatepass").hex().upper().encode() + b">"


def unalias_cjk_text(pdf):
    """Return ``pdf`` (bytes) with radical look-alikes in its text maps replaced; unchanged when none."""
    if b"/ToUnicode" not in pdf:
        return pdf
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        done, changed = set(), False
        for page in reader.pages:
            fonts = page.get("/Resources", {})
            fonts = fonts.get_object().get("/Font") if fonts else None
            for font in (fonts.get_object().values() if fonts else ()):
                stream = font.get_object().get("/ToUnicode")
                stream = stream.get_object() if stream is not None else None
                if stream is None or id(stream) in done:
                    continue
                done.add(id(stream))
                data = stream.get_data()
                fixed = _HEX.sub(_unalias, data)
                if fixed != data:
                    stream.set_data(fixed)
                    changed = True
        if not changed:
            return pdf
        writer = PdfFileWriter()
        writer.append_pages_from_reader(reader)
        if reader.metadata:
            writer.add_metadata({key: str(value) for key, value in reader.metadata.items()})
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Exception:  # a PDF we cannot rewrite is still a good PDF: keep it as rendered
        _logger.warning("Could not rewrite the text maps of a PDF; kept as rendered", exc_info=True)
        return pdf
