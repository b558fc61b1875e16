"""Registers as PDF, written page by page with Python alone (no browser engine, no wkhtmltopdf run).

A register is a title, a few lines about it, and a table whose header repeats on every page: the master
list of documents, the register of nonconformities, the clause -> evidence index of an evidence pack. The
writer streams each page to a binary file as soon as it is full, so that a register of any length takes
the memory of one page and of the characters it uses.

Text is embedded as real text: two TrueType fonts (Bitstream Vera Sans, shipped with reportlab, for Latin
script; Droid Sans Fallback, shipped in ``fonts/``, for Chinese), each as a subset of the characters used
with its Unicode map, so that what is copied or searched is what is shown (文, never a look-alike radical).

::

    with open(path, "wb") as target:
        pdf = RegisterPdf(target, "Register of nonconformities", ["Printed on 2026-11-30"])
        pdf.table([("Code", 1), ("Title", 3)], rows)   # rows: iterable of tuples of str (or lists of
        pdf.close()                                    # (text, link) pieces, one per line)

Widths are relative: the columns share the width of the page in proportion.
"""

import os
import threading
import zlib
from urllib.parse import quote

from reportlab import __file__ as _reportlab_file
from reportlab.pdfbase.ttfonts import TTFontFile

FONT_DIR = os.path.join(os.path.dirname(__file__), "fonts")
LATIN_FONT = os.path.join(os.path.dirname(_reportlab_file), "fonts", "Vera.ttf")
CJK_FONT = os.path.join(FONT_DIR, "DroidSansFallback.ttf")

A4_LANDSCAPE = (841.89, 595.28)
A4_PORTRAIT = (595.28, 841.89)
MARGIN = 36.0
PAD = 2.5
MAX_LINES = 40  # of one cell on one page (the XLSX register holds the whole text)

HEADER_FILL = (0.851, 0.882, 0.949)  # #D9E1F2, as the XLSX registers
GAP_COLOUR = (0.753, 0.0, 0.0)  # #C00000

_faces = {}
_faces_lock = threading.Lock()


def _face(path):
    """The parsed TrueType font at `path`, read once per process (about 0.3 s for the Chinese font)."""
    with _faces_lock:
        face = _faces.get(path)
        if face is None:
            face = _faces[path] = TTFontFile(path, charInfo=1)
        return face


def _pdf_string(text):
    """A PDF text string (UTF-16 with its byte order mark), for the document's information."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class _EmbeddedFont:
    """One font of one PDF: the characters used get their codes (CIDs) in the order they first appear;
    ``embed`` writes the subset with their widths and their Unicode values."""

    def __init__(self, face, resource):
        self.face = face
        self.resource = resource
        self.codes = {}  # character -> its CID, in hexadecimal
        self.order = []  # characters, CID 1 first

    def encode(self, text):
        codes = self.codes
        try:
            return "".join([codes[char] for char in text])
        except KeyError:
            for char in text:
                if char not in codes:
                    self.order.append(char)
                    codes[char] = f"{len(self.order):04X}"
            return "".join([codes[char] for char in text])

    def embed(self, writer, ref):
        face = self.face
        codes = [ord(char) for char in self.order]
        # the glyph numbers in the subset, as TTFontFile.makeSubset assigns them (CID n is codes[n - 1])
        glyphs, gid_of = {0: 0}, [0]
        for code in codes:
            original = face.charToGlyph.get(code, 0)
            if original not in glyphs:
                glyphs[original] = len(glyphs)
            gid_of.append(glyphs[original])
        program = face.makeSubset(codes)
        tag = "".join(chr(65 + (sum(codes) // 26 ** index) % 26) for index in range(6))
        name = f"{tag}+{face.name.decode('latin-1') if isinstance(face.name, bytes) else face.name}"
        file_ref = writer.add_stream(program, {"Length1": len(program)})
        gid_ref = writer.add_stream(b"".join(gid.to_bytes(2, "big") for gid in gid_of))
        descriptor = writer.add_object(
            f"<< /Type /FontDescriptor /FontName /{name} /Flags 4 "
            f"/FontBBox [{' '.join(str(round(value)) for value in face.bbox)}] /ItalicAngle {face.italicAngle} "
            f"/Ascent {round(face.ascent)} /Descent {round(face.descent)} /CapHeight {round(face.capHeight)} "
            f"/StemV {face.stemV} /MissingWidth {round(face.defaultWidth)} /FontFile2 {file_ref} 0 R >>")
        widths = " ".join(str(round(face.charWidths.get(code, face.defaultWidth))) for code in codes)
        cid_font = writer.add_object(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} "
            f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /DW {round(face.defaultWidth)} /W [1 [{widths}]] "
            f"/CIDToGIDMap {gid_ref} 0 R >>")
        to_unicode = writer.add_stream(self._to_unicode().encode())
        writer.set_object(ref, f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
                               f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>")

    def _to_unicode(self):
        lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
                 "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
                 "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
                 "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
        pairs = [(index, char) for index, char in enumerate(self.order, start=1)]
        for start in range(0, len(pairs), 100):
            block = pairs[start:start + 100]
            lines.append(f"{len(block)} beginbfchar")
            lines += [f"<{cid:04X}> <{char.encode('utf-16-be').hex().upper()}>" for cid, char in block]
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines)


class _Writer:
    """The PDF objects, written to the file as they come; the cross-reference table at the end."""

    def __init__(self, target):
        self.target = target
        self.offsets = {}
        self.next_ref = 1
        self.position = 0
        self._raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _raw(self, data):
        self.target.write(data)
        self.position += len(data)

    def reserve(self):
        ref = self.next_ref
        self.next_ref += 1
        return ref

    def set_object(self, ref, body):
        self.offsets[ref] = self.position
        self._raw(f"{ref} 0 obj\n".encode() + (body.encode() if isinstance(body, str) else body) + b"\nendobj\n")
        return ref

    def add_object(self, body):
        return self.set_object(self.reserve(), body)

    def add_stream(self, data, extra=None, compress=True):
        if compress:
            data = zlib.compress(data, 6)
        entries = "".join(f" /{key} {value}" for key, value in (extra or {}).items())
        head = f"<< /Length {len(data)}{' /Filter /FlateDecode' if compress else ''}{entries} >>\nstream\n"
        return self.add_object(head.encode() + data + b"\nendstream")

    def finish(self, root, info):
        xref = self.position
        count = self.next_ref
        lines = [f"xref\n0 {count}\n", "0000000000 65535 f \n"]
        lines += [f"{self.offsets[ref]:010d} 00000 n \n" for ref in range(1, count)]
        lines.append(f"trailer\n<< /Size {count} /Root {root} 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n")
        self._raw("".join(lines).encode())


class RegisterPdf:
    """A register as a PDF streamed into ``target`` (a binary file object): see the module's docstring."""

    def __init__(self, target, title, lines=(), page_size=A4_LANDSCAPE, footer=None):
        self.writer = _Writer(target)
        self.catalog_ref = self.writer.reserve()
        self.pages_ref = self.writer.reserve()
        self.fonts = [_EmbeddedFont(_face(LATIN_FONT), "F1"), _EmbeddedFont(_face(CJK_FONT), "F2")]
        self.font_refs = [self.writer.reserve(), self.writer.reserve()]
        self._latin = set(self.fonts[0].face.charToGlyph)
        self._cjk = set(self.fonts[1].face.charToGlyph)
        self._font_of = {}
        self._width_of = {}
        self._widest = max(max(font.face.charWidths.values(), default=1000) for font in self.fonts) / 1000.0
        self._table = None
        self.title = title
        self.footer = footer or title
        self.width, self.height = page_size
        self.page_refs = []
        self.ops = []
        self.annotations = []
        self.y = None
        self._new_page()
        self.text_line(title, 14, bold=True)
        self.y -= 4
        for line in lines:
            self.text_line(line, 9)
        self.y -= 6

    # ----------------------------------------------------------------- text

    def _font(self, char):
        font = self._font_of.get(char)
        if font is None:
            code = ord(char)
            font = self._font_of[char] = 0 if code in self._latin or code not in self._cjk else 1
        return font

    def _char_width(self, char):
        width = self._width_of.get(char)
        if width is None:
            face = self.fonts[self._font(char)].face
            width = self._width_of[char] = face.charWidths.get(ord(char), face.defaultWidth) / 1000.0
        return width

    def text_width(self, text, size):
        widths = self._width_of
        try:
            return sum([widths[char] for char in text]) * size
        except KeyError:
            return sum([self._char_width(char) for char in text]) * size

    def _runs(self, text):
        """(font index, text) for each run of characters drawn with the same font."""
        if text.isascii():
            return [(0, text)]
        runs = []
        for char in text:
            font = self._font(char)
            if runs and runs[-1][0] == font:
                runs[-1][1].append(char)
            else:
                runs.append((font, [char]))
        return [(font, "".join(chars)) for font, chars in runs]

    def _draw_text(self, x, y, text, size, bold=False, colour=None):
        if not text:
            return
        ops = self.ops
        ops.append("BT")
        if colour:
            ops.append("{:.3f} {:.3f} {:.3f} rg".format(*colour))
        if bold:  # the fonts have no bold face: the glyphs are stroked as well as filled
            ops.append(f"2 Tr {size / 30:.2f} w")
        ops.append(f"{x:.2f} {y:.2f} Td")
        for font, run in self._runs(text):
            ops.append(f"/{self.fonts[font].resource} {size} Tf <{self.fonts[font].encode(run)}> Tj")
        ops.append("ET")
        if colour or bold:
            ops.append("0 g 0 Tr 0.5 w")

    def wrap(self, text, width, size):
        """The lines of `text` in `width` points: broken at spaces, or anywhere in Chinese text and in words too
        long for the line."""
        lines = []
        for paragraph in str(text).replace("\r\n", "\n").replace("\t", " ").split("\n"):
            if self.text_width(paragraph, size) <= width:
                lines.append(paragraph)
                continue
            line, line_width = "", 0.0
            for word in _words(paragraph):
                word_width = self.text_width(word, size)
                if line and line_width + word_width <= width:
                    line, line_width = line + word, line_width + word_width
                    continue
                if line:
                    lines.append(line.rstrip())
                word = word.lstrip(" ") if line else word
                line, line_width = "", 0.0
                for char in word:
                    char_width = self._char_width(char) * size
                    if line and line_width + char_width > width:
                        lines.append(line)
                        line, line_width = "", 0.0
                    line, line_width = line + char, line_width + char_width
            lines.append(line.rstrip())
        return lines

    # ----------------------------------------------------------------- pages

    def _new_page(self):
        if self.y is not None:
            self._end_page()
        self.y = self.height - MARGIN

    def _end_page(self):
        number = len(self.page_refs) + 1
        footer = f"{self.footer} - {number}"
        self._draw_text(MARGIN, MARGIN / 2, footer, 7, colour=(0.4, 0.4, 0.4))
        content = self.writer.add_stream("\n".join(self.ops).encode())
        annots = ""
        if self.annotations:
            refs = [self.writer.add_object(
                f"<< /Type /Annot /Subtype /Link /Rect [{x0:.2f} {y0:.2f} {x1:.2f} {y1:.2f}] /Border [0 0 0] "
                f"/A << /S /URI /URI ({_pdf_literal(uri)}) >> >>") for x0, y0, x1, y1, uri in self.annotations]
            annots = f" /Annots [{' '.join(f'{ref} 0 R' for ref in refs)}]"
        page = self.writer.add_object(
            f"<< /Type /Page /Parent {self.pages_ref} 0 R /MediaBox [0 0 {self.width:.2f} {self.height:.2f}] "
            f"/Resources << /Font << /F1 {self.font_refs[0]} 0 R /F2 {self.font_refs[1]} 0 R >> >> "
            f"/Contents {content} 0 R{annots} >>")
        self.page_refs.append(page)
        self.ops = []
        self.annotations = []

    def _room(self, height):
        return self.y - height >= MARGIN

    def text_line(self, text, size, bold=False, colour=None):
        """A line (wrapped when longer than the page) at the current position."""
        for line in self.wrap(text, self.width - 2 * MARGIN, size):
            if not self._room(size * 1.3):
                self._new_page()
            self.y -= size * 1.25
            self._draw_text(MARGIN, self.y, line, size, bold=bold, colour=colour)

    # ----------------------------------------------------------------- tables

    def table(self, columns, rows, size=7.5, heading=None):
        """Draw a table: ``columns`` are (label, relative width) pairs; each row is a tuple of cells, a cell
        being a text, or a list of pieces, each (text, link or None, colour or None) on its own line."""
        self.begin_table(columns, size=size, heading=heading)
        for row in rows:
            self.row(row)

    def begin_table(self, columns, size=7.5, heading=None):
        """Start a table (its header drawn, and drawn again at the top of each page); then ``row`` each row."""
        if heading:
            self.y -= 4
            self.text_line(heading, 11, bold=True)
            self.y -= 2
        total = sum(width for _label, width in columns) or 1
        widths = [(self.width - 2 * MARGIN) * width / total for _label, width in columns]
        leading = size * 1.25
        header = [self.wrap(label, width - 2 * PAD, size)
                  for (label, _width), width in zip(columns, widths, strict=True)]
        header_height = max(len(lines) for lines in header) * leading + 2 * PAD
        self._table = (widths, size, leading, header, header_height)
        if not self._room(header_height + leading + 2 * PAD):
            self._new_page()
        self._draw_row(header, widths, header_height, size, leading, fill=HEADER_FILL, bold=True)

    def row(self, row):
        widths, size, leading, header, header_height = self._table
        cells = [self._cell_lines(cell, width - 2 * PAD, size) for cell, width in zip(row, widths, strict=True)]
        height = min(max((len(lines) for lines in cells), default=1), MAX_LINES) * leading + 2 * PAD
        if not self._room(height):
            self._new_page()
            self._draw_row(header, widths, header_height, size, leading, fill=HEADER_FILL, bold=True)
        self._draw_row(cells, widths, height, size, leading)

    def _cell_lines(self, cell, width, size):
        """The lines of a cell: (text, link, colour) each."""
        if cell is None or cell is False:
            return [("", None, None)]
        if not isinstance(cell, list):
            if "\n" not in cell and (len(cell) * self._widest * size <= width or self.text_width(cell, size) <= width):
                return [(cell, None, None)]  # one line
            cell = [(cell, None, None)]
        pieces = cell
        lines = []
        for text, link, colour in pieces:
            lines += [(line, link, colour) for line in self.wrap(text, width, size)]
        return lines[:MAX_LINES] or [("", None, None)]

    def _draw_row(self, cells, widths, height, size, leading, fill=None, bold=False):
        top = self.y
        bottom = top - height
        x = MARGIN
        ops = self.ops
        if fill:
            ops.append("{:.3f} {:.3f} {:.3f} rg {:.2f} {:.2f} {:.2f} {:.2f} re f 0 g".format(
                *fill, MARGIN, bottom, sum(widths), height))
        ops.append("0.5 w 0.33 G")
        ops += [f"{left:.2f} {bottom:.2f} {width:.2f} {height:.2f} re S"
                for left, width in zip(_lefts(MARGIN, widths), widths, strict=True)]
        ops.append("0 G")
        for lines, width in zip(cells, widths, strict=True):
            baseline = top - PAD - size
            for line in lines[:MAX_LINES]:
                text, link, colour = line if isinstance(line, tuple) else (line, None, None)
                self._draw_text(x + PAD, baseline, text, size, bold=bold, colour=colour)
                if link and text:
                    self.annotations.append((x + PAD, baseline - 2, x + PAD + self.text_width(text, size),
                                             baseline + size, link))
                baseline -= leading
            x += width
        self.y = bottom

    # ----------------------------------------------------------------- the end

    def close(self):
        """Write the last page, the fonts and the document's structure."""
        self._end_page()
        writer = self.writer
        for font, ref in zip(self.fonts, self.font_refs, strict=True):
            font.embed(writer, ref)
        kids = " ".join(f"{ref} 0 R" for ref in self.page_refs)
        writer.set_object(self.pages_ref, f"<< /Type /Pages /Kids [{kids}] /Count {len(self.page_refs)} >>")
        writer.set_object(self.catalog_ref, f"<< /Type /Catalog /Pages {self.pages_ref} 0 R >>")
        info = writer.add_object(f"<< /Title {_pdf_string(self.title)} /Producer (gov_qms) >>")
        writer.finish(self.catalog_ref, info)
        return len(self.page_refs)


def _lefts(start, widths):
    lefts = []
    for width in widths:
        lefts.append(start)
        start += width
    return lefts


def _words(text):
    """The words of a line, each with the spaces after it; every Chinese character is a word of its own."""
    words, word = [], ""
    for char in text:
        if char == " ":
            word += char
            continue
        if word.endswith(" ") or (word and ("\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\uffef"
                                            or "\u2e80" <= word[-1] <= "\u9fff")):
            words.append(word)
            word = ""
        word += char
    if word:
        words.append(word)
    return words


def _pdf_literal(text):
    """A PDF literal string of ASCII text (a link to a file of the pack: its path, percent-encoded)."""
    safe = quote(text, safe="/._-()")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
