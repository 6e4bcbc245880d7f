"""Plain-text reports: TSV-ish dumps (cells separated by tabs) and PDF-to-text output.

Lines with tabs become rows of an unaligned `Table` (tab positions drift, so the parser never
places a value by position alone); other lines become `Paragraph`s. Form feeds start a new
page; running page footers such as "- 4 -" are dropped.
"""

from __future__ import annotations

import codecs
import re

from xxgk.document import Document, Location, Paragraph, Table, TableCell, report_copies, too_many_reports
from xxgk.errors import InputError
from xxgk.i18n import _

_PAGE_FOOTER = re.compile(
    r"^\s*[-—–－]\s*\d{1,3}\s*[-—–－]\s*$|^\s*第\s*\d{1,3}\s*页(\s*共\s*\d+\s*页)?\s*$")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when the bytes are UTF-16 text written without a byte-order mark
    (Windows tools do that), else None. Such text is full of NUL bytes — the high byte of every
    ASCII digit, tab and newline — mostly at odd offsets (little-endian) or mostly at even ones
    (big-endian), which binary data rarely is; it must then decode cleanly into printable text."""
    sample = data[: 1 << 16]
    sample = sample[: len(sample) // 2 * 2]
    if sample.count(0) < 8:  # even + odd below: most files have no NUL at all, and count() is fast
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    # Characters U+xx00 put a NUL on the other side too (the ideographic space U+3000 is common
    # in reports), hence a ratio; the decoding below is the real test.
    if even + odd < 8 or min(even, odd) * 3 > max(even, odd):
        return None
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError:
        return None
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\t\n\r\f")
    return encoding if printable >= 0.97 * len(text) else None


def decode(data: bytes, file: str) -> str:
    """Bytes to text: BOMs first, UTF-16 without one, then UTF-8, then GB18030 (a superset of
    GBK), line by line when a file mixes the two, so one stray line never garbles the whole report."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as e:
                raise InputError(file, _("starts with a {encoding} byte-order mark but is not valid "
                                         "{encoding}: {reason}").format(encoding=encoding, reason=e.reason)) from e
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as e:
            raise InputError(file, _("{encoding} text (without a byte-order mark) that is not valid further on: "
                                     "{reason} at byte {at}").format(
                                       encoding=utf16, reason=e.reason, at=e.start)) from e
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    lines = []
    bad = 0
    for raw in data.split(b"\n"):
        for encoding in ("utf-8", "gb18030"):
            try:
                lines.append(raw.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            bad += 1
            lines.append(raw.decode("utf-8", errors="replace"))
    if bad > max(3, len(lines) // 10):
        raise InputError(file, _("not readable as UTF-8, GB18030/GBK or UTF-16 text "
                                 "({bad} of {n} lines undecodable)").format(bad=bad, n=len(lines)))
    return "\n".join(lines)


def looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(sample):
        return False  # UTF-16 text is full of NUL and low bytes by design
    if b"\x00" in sample:
        return True
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return control > len(sample) // 20


def extract_text(data: bytes, file: str = "") -> Document:
    if looks_binary(data):
        raise InputError(file, _("binary data, not a text, PDF, HTML or Word report"))
    text = decode(data, file)
    # Before building blocks: a file holding a report thousands of times over is refused in
    # the time it takes to scan its lines, not read as one giant report.
    many = too_many_reports(report_copies(text.split("\n")))
    if many:
        raise InputError(file, many)
    return document_from_text(text, file=file)


def document_from_text(text: str, file: str = "", kind: str = "text") -> Document:
    blocks: list[Paragraph | Table] = []
    table_rows: list[tuple[int, int, list[str]]] = []
    page = 1 if "\f" in text else None

    def flush_table() -> None:
        if not table_rows:
            return
        cells = []
        for r, (pg, ln, row) in enumerate(table_rows):
            loc = Location(pg, ln)  # one (immutable) location for the cells of a printed line
            cells += [TableCell(cell.strip(), r, c, 1, 1, loc) for c, cell in enumerate(row)]
        first_page, first_line, _rows = table_rows[0]
        blocks.append(Table(cells, Location(first_page, first_line), aligned=False))
        table_rows.clear()

    for n, raw_line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        # A form feed ends the line as well as the page: pdftotext/pypdf join pages with a bare \f.
        for k, raw in enumerate(raw_line.split("\f")) if page is not None and "\f" in raw_line else ((0, raw_line),):
            if k:
                page = (page or 1) + 1
            line = raw.rstrip()
            if not line or _PAGE_FOOTER.match(line):  # (stripped on the right: blank when empty)
                continue
            if "\t" in line:
                table_rows.append((page, n, line.split("\t")))  # type: ignore[arg-type]
                continue
            if table_rows:
                flush_table()
            blocks.append(Paragraph(line.lstrip(), Location(page, n)))
    flush_table()
    return Document(blocks, kind=kind, file=file, pages=page)  # type: ignore[arg-type]
