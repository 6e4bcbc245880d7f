"""Word documents (.docx, WordprocessingML) -> `Document`.

We read `word/document.xml` straight from the zip with lxml rather than through python-docx:

* the zip directory is checked *before* anything is decompressed (total size, per-member
  compression ratio, encryption flag), so a zip bomb or a truncated upload is refused with a
  reason instead of eating memory — python-docx opens the package itself, with no such limits;
* merged cells need the raw `w:gridSpan` / `w:vMerge` / `w:gridBefore` markup anyway (python-
  docx's `table.cell(r, c)` hands back the same merged cell at every slot it covers, which we
  would have to undo), and the grid is then placed by `xxgk.extract.grid`, shared with HTML;
* text python-docx's `paragraph.text` leaves out is kept: content controls (`w:sdt`), smart
  tags, inserted revisions, fields' results; deleted revisions are left out, as Word shows them.

Blocks come in body order. Locations: `Location(line=n)` where n is the 1-based index of the
body-level paragraph or table (empty paragraphs count, so n is stable for a given file).
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO

from lxml import etree

from xxgk.document import Document, Location, Paragraph, Table
from xxgk.errors import InputError
from xxgk.extract.grid import SpanCell, build_table, clean_text
from xxgk.i18n import _

# A real report's .docx is well under 10 MB unpacked; these limits only stop hostile archives.
MAX_UNPACKED = 200 * 1024 * 1024  # all members together, as the zip directory declares them
MAX_PART = 100 * 1024 * 1024  # the one XML part we actually read
MAX_RATIO = 100  # Word's XML compresses ~5-20:1; 100:1 on a member over 1 MB is padding
MAX_MEMBERS = 10_000

_W_NS = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # "Strict" OOXML
}
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_R_NS = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
}
_OFFICE_DOC_REL = ("/officeDocument",)
# Containers whose children belong to the parent's flow (content controls, custom XML, smart
# tags, inserted revisions, hyperlinks, fields).
_TRANSPARENT = {"sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo", "hyperlink",
                "fldSimple", "dir", "bdo"}
# Subtrees that are not shown text: deleted/moved-away revisions, properties, field codes.
_SKIP = {"del", "moveFrom", "pPr", "rPr", "tblPr", "trPr", "tcPr", "sdtPr", "sdtEndPr",
         "instrText", "delText", "delInstrText", "customXmlPr", "footnoteReference",
         "endnoteReference", "commentReference"}


def _wname(el: etree._Element) -> str:
    """Local name of a WordprocessingML element, or "" for anything else."""
    if not isinstance(el.tag, str):
        return ""
    q = etree.QName(el)
    return q.localname if q.namespace in _W_NS else ""


def _wattr(el: etree._Element | None, name: str) -> str | None:
    if el is None:
        return None
    for ns in _W_NS:
        v = el.get(f"{{{ns}}}{name}")
        if v is not None:
            return v
    return None


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    for c in el:
        if _wname(c) == name:
            return c
    return None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# ---------------------------------------------------------------------------------------------
# The package


def open_package(data: bytes, file: str) -> zipfile.ZipFile:
    """Open the zip and refuse bombs and damage from its directory, before decompressing."""
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise InputError(file, _("not a readable Word document: the zip container is damaged "
                                 "or truncated ({error})").format(error=e)) from e
    if len(infos) > MAX_MEMBERS:
        raise InputError(file, _("zip holds {n} files; a Word document has a few dozen "
                                 "(not a report)").format(n=len(infos)))
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise InputError(file, _("Word document would unpack to {size:.0f} MB, over the "
                                 "{limit:.0f} MB limit (a zip bomb?)").format(
                                     size=total / 1e6, limit=MAX_UNPACKED / 1e6))
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise InputError(file, _("{name} is compressed {ratio}:1, far beyond any real document "
                                     "(a zip bomb?)").format(
                                         name=i.filename, ratio=i.file_size // max(i.compress_size, 1)))
    return zf


def read_part(zf: zipfile.ZipFile, name: str, file: str, limit: int = MAX_PART) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError as e:
        raise InputError(file, _("Word document lacks its part {name}").format(name=name)) from e
    if info.flag_bits & 0x1:
        raise InputError(file, _("Word document is encrypted (password-protected); save an unprotected copy"))
    if info.file_size > limit:
        raise InputError(file, _("{name} is {size:.0f} MB, over the {limit:.0f} MB limit").format(
                                   name=name, size=info.file_size / 1e6, limit=limit / 1e6))
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
            ValueError) as e:
        raise InputError(file, _("Word document is damaged or truncated: cannot unpack {name} ({error})").format(
                                   name=name, error=e)) from e
    if len(data) > limit:
        raise InputError(file, _("{name} unpacks past the {limit:.0f} MB limit (a zip bomb?)").format(
                                   name=name, limit=limit / 1e6))
    return data


_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                              remove_comments=True, remove_pis=True)


def parse_xml(data: bytes, name: str, file: str) -> etree._Element:
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as e:
        raise InputError(file, _("Word document is damaged: {name} is not well-formed XML ({error})").format(
                                   name=name, error=e)) from e
    if root is None:
        raise InputError(file, _("Word document is damaged: {name} is empty").format(name=name))
    return root


def _relationships(zf: zipfile.ZipFile, rels_name: str, file: str) -> list[tuple[str, str, str]]:
    """(id, type, target) of a .rels part; [] when the part is absent."""
    if rels_name not in zf.namelist():
        return []
    root = parse_xml(read_part(zf, rels_name, file), rels_name, file)
    return [(r.get("Id") or "", r.get("Type") or "", r.get("Target") or "") for r in root
            if isinstance(r.tag, str) and etree.QName(r).localname == "Relationship"]


def main_part(zf: zipfile.ZipFile, file: str) -> str:
    """The main document part, as the package's root relationships name it."""
    names = set(zf.namelist())
    for _id, rtype, target in _relationships(zf, "_rels/.rels", file):
        if rtype.endswith(_OFFICE_DOC_REL):
            name = posixpath.normpath(target.lstrip("/"))
            if name in names:
                return name
    if "word/document.xml" in names:
        return "word/document.xml"
    raise InputError(file, _("a zip file without a Word document part (word/document.xml): not a .docx"))


# ---------------------------------------------------------------------------------------------
# Text of paragraphs


class _ParaText:
    """Collects a paragraph's visible text, split at line breaks; text boxes kept aside."""

    def __init__(self) -> None:
        self.lines: list[list[str]] = [[]]
        self.boxes: list[etree._Element] = []  # w:txbxContent met inside the paragraph

    def walk(self, el: etree._Element) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            q = etree.QName(child)
            if q.namespace == _MC_NS:
                if q.localname == "AlternateContent":
                    # Choice and Fallback hold the same content twice: read the first Choice only
                    choice = next((c for c in child if etree.QName(c).localname == "Choice"), None)
                    if choice is not None:
                        self.walk(choice)
                continue
            name = q.localname if q.namespace in _W_NS else ""
            if name in _SKIP:
                continue
            if name == "t":
                self.lines[-1].append(child.text or "")
            elif name in ("tab", "ptab"):
                self.lines[-1].append(" ")
            elif name in ("br", "cr"):
                self.lines.append([])
            elif name == "noBreakHyphen":
                self.lines[-1].append("-")
            elif name == "txbxContent":
                self.boxes.append(child)
            else:
                self.walk(child)  # runs, transparent containers, drawings holding text boxes

    def texts(self) -> list[str]:
        return [t for t in (clean_text("".join(parts)) for parts in self.lines) if t]


def paragraph_texts(p: etree._Element) -> tuple[list[str], list[etree._Element]]:
    collector = _ParaText()
    collector.walk(p)
    return collector.texts(), collector.boxes


# ---------------------------------------------------------------------------------------------
# Body walk


def _flow(el: etree._Element) -> Iterator[etree._Element]:
    """The paragraphs and tables of a container, content controls and custom XML unwrapped."""
    for child in el:
        name = _wname(child)
        if name in ("p", "tbl", "altChunk"):
            yield child
        elif name in ("sdt", "sdtContent", "customXml"):
            yield from _flow(child)
        elif isinstance(child.tag, str) and etree.QName(child).namespace == _MC_NS and \
                etree.QName(child).localname == "AlternateContent":
            choice = next((c for c in child if etree.QName(c).localname == "Choice"), None)
            if choice is not None:
                yield from _flow(choice)


def _rows(tbl: etree._Element) -> Iterator[etree._Element]:
    for child in tbl:
        name = _wname(child)
        if name == "tr":
            yield child
        elif name in ("sdt", "sdtContent", "customXml"):
            yield from _rows(child)


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    for child in tr:
        name = _wname(child)
        if name == "tc":
            yield child
        elif name in ("sdt", "sdtContent", "customXml"):
            yield from _cells(child)


class _Reader:
    def __init__(self, file: str, zf: zipfile.ZipFile, part: str) -> None:
        self.file = file
        self.zf = zf
        self.part = part
        self.blocks: list[Paragraph | Table] = []
        self.warnings: list[str] = []
        self.images = 0
        self.index = 0
        self._rels: dict[str, str] | None = None

    def body(self, body: etree._Element) -> None:
        for el in _flow(body):
            self.index += 1
            self.block(el, Location(line=self.index))

    def block(self, el: etree._Element, loc: Location) -> None:
        name = _wname(el)
        if name == "p":
            texts, boxes = paragraph_texts(el)
            self.images += sum(1 for d in el.iter() if isinstance(d.tag, str) and
                               etree.QName(d).localname in ("drawing", "pict"))
            self.blocks.extend(Paragraph(t, loc) for t in texts)
            for box in boxes:  # a text box's paragraphs read after the paragraph anchoring it
                for inner in _flow(box):
                    self.block(inner, loc)
        elif name == "tbl":
            self.table(el, loc)
        elif name == "altChunk":
            self.alt_chunk(el, loc)

    def table(self, tbl: etree._Element, loc: Location) -> None:
        rows = list(_rows(tbl))
        tcs = [tc for tr in rows for tc in _cells(tr)]
        if len(tcs) == 1:  # a one-cell frame around content: read it as flowing text
            for inner in _flow(tcs[0]):
                self.block(inner, loc)
            return
        span_rows: list[list[SpanCell]] = []
        # start column -> the cell a following w:vMerge="continue" extends downwards
        open_: dict[int, SpanCell] = {}
        for tr in rows:
            col = max(0, _int(_wattr(_child(_child(tr, "trPr"), "gridBefore"), "val"), 0))
            row_cells: list[SpanCell] = []
            next_open: dict[int, SpanCell] = {}
            for tc in _cells(tr):
                pr = _child(tc, "tcPr")
                span = max(1, _int(_wattr(_child(pr, "gridSpan"), "val"), 1))
                vmerge_el = _child(pr, "vMerge")
                vmerge = None if vmerge_el is None else (_wattr(vmerge_el, "val") or "continue")
                hmerge_el = _child(pr, "hMerge")
                hmerge = None if hmerge_el is None else (_wattr(hmerge_el, "val") or "continue")
                text = self.cell_text(tc)
                owner = open_.get(col)
                if vmerge == "continue" and owner is not None and owner.colspan == span:
                    owner.rowspan += 1
                    if text:  # Word hides a merged-away cell's text; keep it rather than lose it
                        owner.text = f"{owner.text} {text}".strip()
                    next_open[col] = owner
                elif hmerge == "continue" and row_cells and \
                        (row_cells[-1].col or 0) + row_cells[-1].colspan == col:
                    prev = row_cells[-1]  # legacy horizontal merge (Word 2003 and older)
                    prev.colspan += span
                    if text:
                        prev.text = f"{prev.text} {text}".strip()
                else:
                    cell = SpanCell(text, 1, span, loc, col=col)
                    row_cells.append(cell)
                    if vmerge is not None:
                        next_open[col] = cell
                col += span
            open_ = next_open
            span_rows.append(row_cells)
        if any(span_rows):
            self.blocks.append(build_table(span_rows, loc, self.file))

    def cell_text(self, tc: etree._Element) -> str:
        """A cell's paragraphs joined into one string (nested tables' text included)."""
        lines: list[str] = []
        for el in tc.iter():
            if _wname(el) == "p" and not any(_wname(a) == "p" for a in el.iterancestors()):
                texts, boxes = paragraph_texts(el)
                lines.extend(texts)
                for box in boxes:
                    lines.extend(t for p in box.iter() if _wname(p) == "p" for t in paragraph_texts(p)[0])
        return clean_text("\n".join(lines))

    def alt_chunk(self, el: etree._Element, loc: Location) -> None:
        """An embedded HTML chunk (some CMS 'export to Word' write the whole report this way)."""
        rid = next((el.get(f"{{{ns}}}id") for ns in _R_NS if el.get(f"{{{ns}}}id")), None)
        target = self.relationships().get(rid or "")
        if target is None or not target.lower().endswith((".htm", ".html", ".xhtml", ".mht", ".txt")):
            self.warnings.append(_("block {line}: an embedded alternative-format chunk ({target}) was not read").format(
                line=loc.line, target=target or "?"))
            return
        from xxgk.extract.html import extract_html  # imported late: only such documents need it

        data = read_part(self.zf, target, self.file)
        try:
            inner = extract_html(data, self.file)
        except InputError:
            return
        for b in inner.blocks:
            b.loc = loc
            if isinstance(b, Table):
                for c in b.cells:
                    c.loc = loc
            self.blocks.append(b)

    def relationships(self) -> dict[str, str]:
        if self._rels is None:
            folder, name = posixpath.split(self.part)
            rels = posixpath.join(folder, "_rels", name + ".rels")
            self._rels = {rid: posixpath.normpath(posixpath.join(folder, target))
                          for rid, _t, target in _relationships(self.zf, rels, self.file)}
        return self._rels


_CORE = {"title": "docx:title", "creator": "docx:author"}


def core_properties(zf: zipfile.ZipFile, file: str) -> dict[str, str]:
    """Title and author from docProps/core.xml (what Word's File › Properties shows); {} when the
    part is absent or damaged — it is never needed to read the report."""
    name = "docProps/core.xml"
    if name not in zf.namelist():
        return {}
    try:
        root = parse_xml(read_part(zf, name, file, limit=1024 * 1024), name, file)
    except InputError:
        return {}
    out: dict[str, str] = {}
    for el in root:
        if not isinstance(el.tag, str):
            continue
        key = _CORE.get(etree.QName(el).localname)
        text = " ".join((el.text or "").split())
        if key and text:
            out[key] = text
    return dict(sorted(out.items()))


def extract_docx(data: bytes, file: str = "") -> Document:
    zf = open_package(data, file)
    part = main_part(zf, file)
    root = parse_xml(read_part(zf, part, file), part, file)
    body = _child(root, "body") if _wname(root) == "document" else None
    if body is None:
        raise InputError(file, _("{part} is not a WordprocessingML document (no w:document/w:body)").format(part=part))
    reader = _Reader(file, zf, part)
    reader.body(body)
    has_text = any(isinstance(b, Paragraph) or any(c.text for c in b.cells) for b in reader.blocks)
    if not has_text:
        if reader.images:
            raise InputError(file, _("Word document holds {n} picture(s) and no text: the report was pasted in "
                                     "as images (a scan); OCR it instead").format(n=reader.images))
        raise InputError(file, _("Word document has no text"))
    return Document(reader.blocks, kind="docx", file=file, warnings=reader.warnings,
                    properties=core_properties(zf, file))
