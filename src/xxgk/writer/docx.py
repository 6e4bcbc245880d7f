"""The report as a Word document on the official form: title, the six section headings, prose,
and the three tables with the form's merged cells and verbatim labels.

Page and type follow 党政机关公文格式 (GB/T 9704): A4, margins 3.7/3.5/2.8/2.6 cm, title in
方正小标宋简体 二号, headings in 黑体 三号, body in 仿宋_GB2312 三号 at a fixed 28-point line,
page numbers "- 1 -" centred in the footer. python-docx builds everything it has an API for;
the PAGE field and East Asian font names are the only raw WordprocessingML (python-docx has no
API for either). The zip is written with fixed timestamps and core properties: the same report
gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from xxgk.errors import MissingExtraError
from xxgk.export.layout import Grid
from xxgk.i18n import _
from xxgk.writer.draft import Draft
from xxgk.writer.layout import cell_text
from xxgk.zipbytes import normalize_zip


@dataclass(frozen=True)
class Fonts:
    """Font names by role. The document names the official fonts; a PDF made here uses the
    installed fallbacks (`xxgk.writer.fonts.installed`) so that LibreOffice does not guess."""

    title: str = "方正小标宋简体"
    heading: str = "黑体"
    body: str = "仿宋_GB2312"
    number: str = "宋体"  # page numbers: 4号半角宋体 (GB/T 9704)


OFFICIAL = Fonts()
# Column widths (cm) of the three tables on a 15.6 cm text width.
# Number columns are wide enough for six digits at the table's type size, so that no number is
# ever broken over two lines.
_WIDTHS = {"active": [3.6, 4.0, 4.0, 4.0], "applications": [0.9, 1.3, 4.0] + [1.34] * 7,
           "appeals": [1.04] * 15}
_TYPE_SIZE = {"active": 10.5, "applications": 10, "appeals": 9}
_TITLE_LINE = 19  # characters of 二号 type on the 15.6 cm line
_CELL_MARGIN = 57  # twentieths of a point (1 mm) left and right in each cell


def _docx() -> Any:
    try:
        import docx
    except ImportError as e:
        raise MissingExtraError("DOCX", _("writing Word documents"), "writer") from e
    return docx



class _Writer:
    def __init__(self, draft: Draft, fonts: Fonts) -> None:
        docx = _docx()
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt
        from docx.table import _Cell

        self.draft, self.fonts = draft, fonts
        self.Pt, self.Cm, self.qn, self.OxmlElement, self._Cell = Pt, Cm, qn, OxmlElement, _Cell
        self.align, self.exact = WD_ALIGN_PARAGRAPH, WD_LINE_SPACING.EXACTLY
        self.doc = docx.Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        section.footer_distance = Cm(2.5)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(16)
        self._font(normal.element.get_or_add_rPr(), fonts.body)
        m = draft.report.meta
        props = self.doc.core_properties
        stamp = dt.datetime(m.year + 1, 1, 1) if m.year else dt.datetime(2000, 1, 1)
        props.author = props.last_modified_by = m.agency or ""
        props.title = draft.title
        props.created = props.modified = stamp
        props.revision = 1
        props.comments = "xxgk"

    # ---------------------------------------------------------------- text

    def _font(self, rpr: Any, name: str) -> None:
        """Set a font for Latin and East Asian text (python-docx sets only the Latin name)."""
        fonts = rpr.get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(self.qn(attr), name)

    def _run(self, paragraph: Any, text: str, font: str, size: float, bold: bool = False) -> Any:
        run = paragraph.add_run(text)
        run.font.size = self.Pt(size)
        run.bold = bold or None
        self._font(run._element.get_or_add_rPr(), font)
        return run

    def _paragraph(self, text: str, font: str, size: float, *, center: bool = False, indent: bool = True,
                   line: float = 28) -> Any:
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = self.exact, self.Pt(line)
        fmt.space_before = fmt.space_after = self.Pt(0)
        if center:
            p.alignment = self.align.CENTER
        elif indent:
            fmt.first_line_indent = self.Pt(2 * size)
        self._run(p, text, font, size)
        return p

    def title(self) -> None:
        """The title in 二号 小标宋, centred; a title longer than a line breaks after the body's
        name (淮安市人民政府 / 2025年政府信息公开工作年度报告), as such titles are set."""
        title, agency = self.draft.title, self.draft.report.meta.agency or ""
        lines = [title]
        if len(title) > _TITLE_LINE and agency and title.startswith(agency) and len(agency) < len(title):
            lines = [agency, title[len(agency):]]
        for line in lines:
            self._paragraph(line, self.fonts.title, 22, center=True, line=36)
        self._paragraph("", self.fonts.body, 16)

    def footer(self) -> None:
        """"- 1 -": the page number as a PAGE field between two dashes, centred."""
        p = self.doc.sections[0].footer.paragraphs[0]
        p.alignment = self.align.CENTER
        self._run(p, "- ", self.fonts.number, 14)
        run = self._run(p, "", self.fonts.number, 14)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                el = self.OxmlElement("w:fldChar")
                el.set(self.qn("w:fldCharType"), kind)
            elif text == "1":
                el = self.OxmlElement("w:t")
                el.text = text
            else:
                el = self.OxmlElement("w:instrText")
                el.set(self.qn("xml:space"), "preserve")
                el.text = text
            run._element.append(el)
        self._run(p, " -", self.fonts.number, 14)

    # ---------------------------------------------------------------- tables

    def table(self, grid: Grid) -> None:
        key = grid.table.key
        widths, size = _WIDTHS[key], _TYPE_SIZE[key]
        t = self.doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
        t.style = "Table Grid"
        t.autofit = False
        t.alignment = 1  # centred on the page
        self._cell_margins(t)
        # Widths go on the grid (LibreOffice lays out by w:gridCol) and on every cell (Word reads w:tcW).
        for grid_col, width in zip(t._tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = self.Cm(width)
        # The cells, taken once before merging: `table.cell(r, c)` re-walks the whole table on each
        # call (quadratic). Merged areas never overlap, so no cell taken here is used after a merge
        # removed it.
        slots = [[self._Cell(tc, t) for tc in tr.tc_lst] for tr in t._tbl.tr_lst]
        for row in slots:
            for cell, width in zip(row, widths, strict=True):
                cell.width = self.Cm(width)
        # A row never breaks across pages, and the header lines stay with the first row of numbers:
        # a table cut between its header and its first row is hard to read, on paper and by machine.
        first_values = min(g.row for g in grid.cells if g.kind == "value")
        for i, tr in enumerate(t._tbl.tr_lst):
            tr.get_or_add_trPr().append(self.OxmlElement("w:cantSplit"))
            if i < first_values:
                for cell in slots[i]:
                    for p in cell.paragraphs:
                        p.paragraph_format.keep_with_next = True
        for g in grid.cells:
            cell = slots[g.row][g.col]
            if g.rowspan > 1 or g.colspan > 1:
                cell = cell.merge(slots[g.row + g.rowspan - 1][g.col + g.colspan - 1])
            text = cell_text(self.draft.report, g.path) if g.kind == "value" and g.path else g.text
            p = cell.paragraphs[0]
            p.alignment = self.align.CENTER
            p.paragraph_format.space_before = p.paragraph_format.space_after = self.Pt(0)
            if text:
                self._run(p, text, self.fonts.body, size, bold=g.kind == "block")
        self._paragraph("", self.fonts.body, 16)

    def _cell_margins(self, table: Any) -> None:
        """Narrow left/right cell margins (python-docx has no API for w:tblCellMar)."""
        margins = self.OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            el = self.OxmlElement(f"w:{side}")
            el.set(self.qn("w:w"), str(_CELL_MARGIN))
            el.set(self.qn("w:type"), "dxa")
            margins.append(el)
        table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")

    # ---------------------------------------------------------------- document

    def build(self) -> bytes:
        self.title()
        for text in self.draft.preamble:
            self._paragraph(text, self.fonts.body, 16)
        for s in self.draft.sections:
            heading = self._paragraph(s.section.title, self.fonts.heading, 16)
            heading.paragraph_format.keep_with_next = True
            for text in s.paragraphs:
                self._paragraph(text, self.fonts.body, 16)
            if s.grid is not None:
                self.table(s.grid)
        self.footer()
        buf = io.BytesIO()
        self.doc.save(buf)
        return normalize_zip(buf.getvalue())


def render_docx(draft: Draft, fonts: Fonts = OFFICIAL) -> bytes:
    """The draft as .docx bytes, fonts named as given (the official ones by default)."""
    return _Writer(draft, fonts).build()
