"""Turn any source file into a `Document`: detect the kind by content, then call its extractor.

Extractors live one per input kind (`extract/text.py`, `extract/pdf.py`, `extract/html.py`,
`extract/docx.py`, `extract/ocr.py`); each is `extract_<kind>(data: bytes, file: str) -> Document`
and raises `InputError` (never anything else) on input it cannot read.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import zipfile
from io import BytesIO
from pathlib import Path

from xxgk.document import Document, report_copies, too_many_reports
from xxgk.errors import InputError, MissingExtraError, XxgkError, os_reason
from xxgk.extract.text import utf16_without_bom
from xxgk.i18n import _

MAX_BYTES = int(os.environ.get("XXGK_MAX_BYTES", 100 * 1024 * 1024))

# kind -> (module, function, optional extra that provides its dependencies)
EXTRACTORS: dict[str, tuple[str, str, str | None]] = {
    "text": ("xxgk.extract.text", "extract_text", None),
    "pdf": ("xxgk.extract.pdf", "extract_pdf", "pdf"),
    "html": ("xxgk.extract.html", "extract_html", "html"),
    "docx": ("xxgk.extract.docx", "extract_docx", "docx"),
    "doc": ("xxgk.extract.legacy", "extract_legacy", "docx"),
    "image": ("xxgk.extract.ocr", "extract_image", "ocr"),
}

_HTML_MARKERS = (b"<!doctype html", b"<html", b"<body", b"<table", b"<div", b"<meta", b"<p>", b"<p ")


def detect_kind(data: bytes) -> str:
    """The input kind from the bytes themselves; file extensions lie."""
    head = data[:2048]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")):
        return "image"
    if head.startswith(b"{\\rtf"):
        return "doc"
    lowered = head.lower()
    if lowered.lstrip().startswith(b"<?xml") and b"<?mso-application progid=\"word.document\"?>" in lowered:
        return "doc"  # Word 2003 XML (a web page saved from Word also names Word.Document, as HTML)
    if b"mime-version:" in lowered and b"multipart/related" in lowered:
        return "html"  # a single-file web archive (.mht)
    for enc_probe in (lowered, _utf16_ascii(head).lower()):
        if any(m in enc_probe for m in _HTML_MARKERS):
            return "html"
    return "text"


def _utf16_ascii(head: bytes) -> bytes:
    """The ASCII of UTF-16 text (with or without a byte-order mark), to look for HTML tags in."""
    encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else utf16_without_bom(head)
    if encoding is None:
        return b""
    return head[: len(head) // 2 * 2].decode(encoding, errors="ignore").encode("ascii", errors="ignore")


def read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError(name, _("no such file"))
    if p.is_dir():
        raise InputError(name, _("is a folder, not a file"))
    size = p.stat().st_size
    if size == 0:
        raise InputError(name, _("empty file (0 bytes)"))
    if size > MAX_BYTES:
        raise InputError(name, _("{size:.0f} MB is larger than the {limit:.0f} MB limit for one report "
                                 "(set XXGK_MAX_BYTES to raise it)").format(size=size / 1e6, limit=MAX_BYTES / 1e6))
    try:
        return p.read_bytes()
    except OSError as e:
        raise InputError(name, _("cannot be read: {why}").format(why=os_reason(e))) from e


def extract_bytes(data: bytes, file: str = "", kind: str | None = None) -> Document:
    if not data:
        raise InputError(file, _("empty file (0 bytes)"))
    kind = kind or detect_kind(data)
    if kind == "zip":
        raise InputError(file, _("a zip archive that is not a Word document (unpack it and read the files inside)"))
    module_name, func_name, extra = EXTRACTORS[kind]
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        if extra is None:
            raise
        raise MissingExtraError(file, _("reading {kind} ({error})").format(kind=kind.upper(), error=e), extra) from e
    try:
        doc: Document = getattr(module, func_name)(data, file)
    except XxgkError:
        raise
    except RecursionError as e:
        raise InputError(file, _("{kind} structure nested too deeply to read").format(kind=kind.upper())) from e
    except MemoryError as e:
        raise InputError(file, _("{kind} needs more memory than is available (a decompression bomb?)").format(
            kind=kind.upper())) from e
    except Exception as e:  # an extractor library's own failure on malformed input
        raise InputError(file, _("malformed {kind}: {error}").format(
            kind=kind.upper(), error=f"{type(e).__name__}: {e}")) from e
    if kind != "text":  # text was checked before its blocks were built
        many = too_many_reports(report_copies(doc.lines()))
        if many:
            raise InputError(file, many)
    doc.file = file
    doc.sha256 = hashlib.sha256(data).hexdigest()
    return doc


def extract(path: str | Path, kind: str | None = None) -> Document:
    """Read a file into a Document. Raises InputError naming the file and the reason."""
    data = read_bytes(path)
    doc = extract_bytes(data, str(path), kind)
    doc.file = Path(path).name
    return doc
