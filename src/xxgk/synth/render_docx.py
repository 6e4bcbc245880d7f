"""DOCX renderings: the report as a Word document on the official forms, merged cells and all.

python-docx builds the document; merged cells become real ``w:gridSpan`` / ``w:vMerge`` cells,
the way the forms are drawn in Word (table 三: 三、本年度办理结果 spanning the result rows, the
（三）–（六） blocks spanning theirs; table 四: the two-level 行政复议 / 行政诉讼 header). Styles:

- ``official``: one paragraph per cell, fonts as the notice prescribes (仿宋 body, 黑体 headings);
- ``breaks``: labels broken with manual line breaks and numbers split over runs, as hand-edited
  documents have them.

The zip is written with fixed timestamps and core properties, so the same seed gives the same
bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from xxgk.synth.layout import (
    APPEAL_COLS,
    APPLICANT_GROUP,
    BALANCE_NOTE,
    INFO_HEADER,
    LITIGATION_GROUP,
    ORG_GROUP,
    RESULTS_GROUP,
    Rendered,
    active_blocks,
    appeal_groups,
    applicant_headers,
    application_rows,
    application_values,
    cell_text,
    knob_stream,
    vertical_appeals,
    vertical_style,
    zero_marks,
)
from xxgk.synth.render_text import _Knobs
from xxgk.synth.truth import SyntheticReport
from xxgk.zipbytes import normalize_zip

DOCX_STYLES = ("official", "breaks")


def _docx():
    try:
        import docx
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError("rendering DOCX needs python-docx: pip install 'xxgk[synth]'") from e
    return docx



class _Builder:
    def __init__(self, report: SyntheticReport, k: _Knobs, style: str) -> None:
        docx = _docx()
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        self.report, self.k, self.rng = report, k, k.rng
        self.breaks = style == "breaks"
        self.marks = zero_marks(report, "docx") if report.patterns else {}
        self.Pt, self.Cm, self.qn, self.center = Pt, Cm, qn, WD_ALIGN_PARAGRAPH.CENTER
        self.doc = docx.Document()
        section = self.doc.sections[0]  # A4 with the margins of 党政机关公文格式 (GB/T 9704)
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        normal = self.doc.styles["Normal"]
        normal.font.name = "仿宋"
        normal.font.size = Pt(14)
        normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
        props = self.doc.core_properties
        published = dt.datetime.fromisoformat(report.published)
        props.author = report.body.office
        props.title = report.title or ""
        props.created = props.modified = published
        props.last_modified_by = report.body.office
        props.revision = 1

    # ------------------------------------------------------------ text

    def paragraph(self, text: str, *, heading: bool = False, title: bool = False) -> None:
        p = self.doc.add_paragraph()
        run = p.add_run(text)
        if title:
            p.alignment = self.center
            run.bold = True
            run.font.size = self.Pt(20)
            self._font(run, "方正小标宋简体")
        elif heading:
            self._font(run, "黑体")
        else:
            p.paragraph_format.first_line_indent = self.Pt(28)

    def _font(self, run: object, name: str) -> None:
        run.font.name = name  # type: ignore[attr-defined]
        run._element.get_or_add_rPr().get_or_add_rFonts().set(self.qn("w:eastAsia"), name)  # type: ignore[attr-defined]

    # ------------------------------------------------------------ tables

    def table(self, rows: int, cols: int, widths: list[float]):
        t = self.doc.add_table(rows=rows, cols=cols)
        t.style = "Table Grid"
        t.autofit = False
        # Widths go both on the grid (LibreOffice lays out by w:gridCol) and on every cell
        # (Word reads w:tcW), or the label columns come out as narrow as the number columns.
        for grid_col, width in zip(t._tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = self.Cm(width)
        for column, width in zip(t.columns, widths, strict=True):
            for cell in column.cells:
                cell.width = self.Cm(width)
        return t

    def put(self, table, r: int, c: int, text: str, *, rs: int = 1, cs: int = 1, label: bool = False) -> None:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        p = cell.paragraphs[0]
        p.alignment = self.center
        if label and self.breaks and len(text) >= 6 and self.rng.random() < 0.6:
            cut = self.rng.randint(2, len(text) - 2)
            first = p.add_run(text[:cut])
            first.add_break()
            p.add_run(text[cut:])
        elif not label and self.breaks and len(text) >= 3:
            p.add_run(text[:1])  # a number split over two runs, as edits leave it
            p.add_run(text[1:])
        else:
            p.add_run(text)
        for run in p.runs:
            run.font.size = self.Pt(10.5)

    def value(self, path: str) -> str:
        return cell_text(self.report, path, aligned=True, blank=self.marks) or ""

    def active(self) -> None:
        blocks = active_blocks(self.report)
        n_rows = sum(2 + len(b.rows) for b in blocks)
        t = self.table(n_rows, 4, [3.6, 4.0, 4.0, 4.0])
        r = 0
        for block in blocks:
            self.put(t, r, 0, block.heading, cs=4, label=True)
            n = len(block.columns)
            self.put(t, r + 1, 0, INFO_HEADER)
            for i, (_, label) in enumerate(block.columns):
                self.put(t, r + 1, 1 + i, label, cs=(4 - n) if i == n - 1 else 1, label=True)
            r += 2
            for key, label, _ in block.rows:
                self.put(t, r, 0, label, label=True)
                for i, c in enumerate(self.report.row_columns("active", key)):
                    self.put(t, r, 1 + i, self.value(f"active.{key}.{c}"), cs=(4 - n) if i == n - 1 else 1)
                r += 1

    def applications(self) -> None:
        printed = application_rows(self.report)
        heads = applicant_headers(self.report)
        n = len(heads)
        t = self.table(3 + len(printed), 3 + n, [1.3, 1.5, 4.5 - 1.2 * (n - 7)] + [1.2] * n)
        self.put(t, 0, 0, BALANCE_NOTE, rs=3, cs=3)
        self.put(t, 0, 3, APPLICANT_GROUP, cs=n)
        self.put(t, 1, 3, heads[0][1], rs=2, label=True)
        self.put(t, 1, 4, ORG_GROUP, cs=n - 2)
        self.put(t, 1, 2 + n, heads[-1][1], rs=2)
        for i, (_, label) in enumerate(heads[1:-1]):
            self.put(t, 2, 4 + i, label, label=True)
        group_rows = [i for i, (*_, g) in enumerate(printed) if g]
        blocks: dict[str, list[int]] = {}
        for i, (_, _, block, _) in enumerate(printed):
            if block:
                blocks.setdefault(block, []).append(i)
        if group_rows:
            self.put(t, 3 + group_rows[0], 0, RESULTS_GROUP, rs=len(group_rows), label=True)
        for block, idx in blocks.items():
            self.put(t, 3 + idx[0], 1, block, rs=len(idx), label=True)
        for i, (key, label, block, in_group) in enumerate(printed):
            r = 3 + i
            if not in_group:
                self.put(t, r, 0, label, cs=3, label=True)
            elif block:
                self.put(t, r, 2, label, label=True)
            else:
                self.put(t, r, 1, label, cs=2, label=True)
            for j, v in enumerate(application_values(self.report, key, True, self.marks)):
                self.put(t, r, 3 + j, v or "")

    def vertical(self) -> None:
        """Table 四 one cell a row (pattern `vertical-appeals`), group labels merged down."""
        style = vertical_style(self.report, "docx")
        rows = vertical_appeals(self.report, style, True, self.marks)
        width = max(len(r) for r in rows)
        merged = {"three": 1, "four": 2}.get(style, 0)
        widths = {2: [6.0, 4.0], 3: [4.0, 4.0, 3.0], 4: [3.0, 4.0, 4.0, 3.0]}[width]
        t = self.table(len(rows), width, widths)
        for i, r in enumerate(rows):
            if len(r) == 1:
                self.put(t, i, 0, r[0], cs=width, label=True)
                continue
            for j, text in enumerate(r):
                if j < merged:
                    if not text:
                        continue
                    span = 1
                    while i + span < len(rows) and not rows[i + span][j]:
                        span += 1
                    self.put(t, i, j, text, rs=span, label=True)
                else:
                    self.put(t, i, j, text, label=j == 0 or (i == 0 and style == "transposed"))

    def appeals(self) -> None:
        if "vertical-appeals" in self.report.patterns:
            self.vertical()
            return
        groups = appeal_groups(self.report)
        labels = [label for _, label in APPEAL_COLS]
        t = self.table(4, 15, [1.04] * 15)
        self.put(t, 0, 0, groups[0][1], cs=5)
        self.put(t, 0, 5, LITIGATION_GROUP, cs=10)
        for i, label in enumerate(labels):
            self.put(t, 1, i, label, rs=2, label=True)
        self.put(t, 1, 5, groups[1][2], cs=5)
        self.put(t, 1, 10, groups[2][2], cs=5)
        for i, label in enumerate(labels * 2):
            self.put(t, 2, 5 + i, label, label=True)
        i = 0
        for key, _, _ in groups:
            for c, _ in APPEAL_COLS:
                self.put(t, 3, i, self.value(f"appeals.{key}.{c}"))
                i += 1

    def build(self) -> bytes:
        report = self.report
        if report.title and "head-title" not in report.patterns:
            name = report.body.name
            if self.k.flip("title_two_lines", 0.5):
                self.paragraph(name, title=True)
                self.paragraph(report.title[len(name):], title=True)
            else:
                self.paragraph(report.title, title=True)
        for p in report.preamble:
            self.paragraph(p)
        tables = {2: self.active, 3: self.applications, 4: self.appeals}
        for s in report.sections:
            self.paragraph(s.title, heading=True)
            for p in s.paragraphs:
                self.paragraph(p)
            if s.no in tables:
                tables[s.no]()
        buf = io.BytesIO()
        self.doc.save(buf)
        return normalize_zip(buf.getvalue())


def render_docx(report: SyntheticReport, style: str | None = None) -> Rendered:
    """Render `report` as a .docx (bytes) in `style` (drawn from the seed when None)."""
    style = style or random.Random(f"xxgk.synth:{report.seed}:render:docx").choice(DOCX_STYLES)
    if style not in DOCX_STYLES:
        raise ValueError(f"unknown DOCX style {style!r} (one of {', '.join(DOCX_STYLES)})")
    k = _Knobs(knob_stream(report, "docx", style))
    data = _Builder(report, k, style).build()
    marks = zero_marks(report, "docx") if report.patterns else {}
    return Rendered(data, "docx", style, ".docx", aligned=True, blank=frozenset(marks), marked=any(marks.values()),
                    knobs=tuple(k.on))
