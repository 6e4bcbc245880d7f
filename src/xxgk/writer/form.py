"""`xxgk form`: the XLSX workbook an agency fills in, laid out like the official form.

- one sheet per table (二 主动公开, 三 依申请, 四 复议诉讼), labels verbatim from the template and
  merged as the form merges them; labels and formulas are locked (sheet protection without a
  password: it prevents slips, not decisions);
- input cells validated: whole numbers ≥ 0 for counts, any whole number for 本年增/减, and money
  in 万元, ≥ 0 with at most 4 decimals;
- every 总计 is a formula (the sum of its parts), so totals cannot be mistyped;
- a check sheet lists every relation of the template's declaration (`Template.equations`), with
  both sides computed and the result turning red (conditional formatting) when one breaks;
- prefilled from last year's report when given: 上年结转 = last year's 结转下年度继续办理 per
  column, with last year's 现行有效件数 beside this year's and the cross-year relations checked;
- a hidden sheet maps every cell of the template to its place, so `read_form` reads it back.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xxgk.export.layout import Grid, short_name
from xxgk.export.xlsx import BORDER, new_workbook, save_workbook
from xxgk.i18n import _
from xxgk.report import Report
from xxgk.template import SECTIONS, Template, template_for_year
from xxgk.writer.layout import fmt_number, form_grids

SCHEMA = "xxgk.form/1"
MAP_SHEET = "_xxgk"
TOP = 3  # first grid row on a table sheet (row 1: title, row 2: hint)

INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
FORMULA_FILL = PatternFill("solid", fgColor="E7E6E6")
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
PREFILL_FILL = PatternFill("solid", fgColor="DDEBF7")
RED = PatternFill("solid", fgColor="FFC7CE")
YELLOW = PatternFill("solid", fgColor="FFEB9C")
GREEN = PatternFill("solid", fgColor="C6EFCE")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
UNLOCKED = Protection(locked=False)
_WIDTHS = {"active": [22, 16, 16, 16, 20], "applications": [7, 9, 40] + [11] * 7, "appeals": [10] * 15}


@dataclass(frozen=True)
class Placed:
    sheet: str
    row: int
    col: int

    @property
    def ref(self) -> str:
        return f"'{self.sheet}'!${get_column_letter(self.col)}${self.row}"

    @property
    def coordinate(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"


def _formula_parts(template: Template) -> dict[str, tuple[str, ...]]:
    """The 总计 cells and the parts each is the sum of, from the template's own relations: the
    applicants' 总计 column, the （七）总计 row, and each appeal group's 总计."""
    out: dict[str, tuple[str, ...]] = {}
    for eq in template.equations:
        if eq.code in ("T3-applicants", "T4-groups", "T3-results") and len(eq.lhs) == 1:
            out.setdefault(eq.lhs[0], eq.rhs)  # （七）总计 / 总计 appears twice: the row sum wins
    return out


def _print_setup(ws: Worksheet) -> None:
    """Landscape, one page wide: the tables print as on the form."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _sum(refs: list[str]) -> str:
    return f"SUM({','.join(refs)})"


class _Builder:
    def __init__(self, year: int, body: str | None, last: Report | None) -> None:
        self.year, self.body, self.last = year, body, last
        self.template = template_for_year(year)
        self.wb = new_workbook()
        self.places: dict[str, Placed] = {}
        self.formulas = _formula_parts(self.template)
        self.kinds = {p: self.template.column_of(p).kind for p in self.template.cell_paths()}

    # ------------------------------------------------------------ sheets

    def cover(self) -> None:
        ws = self.wb.create_sheet(_("cover"))
        self.cover_name = ws.title
        ws.column_dimensions["A"].width = 22
        ws.column_dimensions["B"].width = 60
        ws["A1"] = _("{year} annual report on government information disclosure: fill-in form").format(year=self.year)
        ws["A1"].font = Font(bold=True, size=14)
        rows = [
            (_("Body (机关名称)"), self.body or ""),
            (_("Year"), self.year),
            (_("Template"), f"{self.template.id}（{self.template.notice}）"),
        ]
        for i, (label, value) in enumerate(rows):
            ws.cell(3 + i, 1, label).font = Font(bold=True)
            c = ws.cell(3 + i, 2, value)
            c.border = BORDER
        ws["B3"].fill = INPUT_FILL
        ws["B3"].protection = UNLOCKED
        self.body_cell = Placed(ws.title, 3, 2)
        if self.last is not None:
            ws.cell(6, 1, _("Last year's report")).font = Font(bold=True)
            ws.cell(6, 2, self.last.source.file or self.last.meta.title or "")
        hints = [
            _("Fill in the yellow cells of the sheets 二, 三 and 四; grey cells are totals computed by formulas."),
            _("The sheet {check} lists every relation of the template; a red result must be corrected.").format(
                check=_("checks")),
            _("Write the text of the six sections in the sheet {text}, or give a text file to xxgk render.").format(
                text=_("text")),
            _("Then: xxgk render this-file.xlsx -o report.docx (or .pdf, .html)."),
        ]
        if self.last is not None:
            hints.insert(1, _("Blue cells were filled in from last year's report: check them."))
        for i, h in enumerate(hints):
            ws.cell(8 + i, 1, h)
        self.status_row = 8 + len(hints) + 1
        ws.protection.sheet = True

    def table_sheet(self, grid: Grid) -> Worksheet:
        key = grid.table.key
        ws = self.wb.create_sheet(short_name(key))
        ws.cell(1, 1, grid.table.title).font = Font(bold=True, size=13)
        ws.cell(2, 1, _("Yellow: fill in. Grey: computed. Labels are locked."))
        for g in grid.cells:
            r, c = TOP + g.row, 1 + g.col
            cell = ws.cell(r, c)
            for rr in range(r, r + g.rowspan):
                for cc in range(c, c + g.colspan):
                    ws.cell(rr, cc).border = BORDER
            if g.rowspan > 1 or g.colspan > 1:
                ws.merge_cells(start_row=r, start_column=c, end_row=r + g.rowspan - 1, end_column=c + g.colspan - 1)
            cell.alignment = CENTER
            if g.kind == "value" and g.path:
                self.places[g.path] = Placed(ws.title, r, c)
            else:
                cell.value = g.text or None
                if g.kind in ("head", "block"):
                    cell.fill = HEAD_FILL
                    cell.font = Font(bold=g.kind == "block")
        widths = _WIDTHS[key]
        for i, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(1 + i)].width = w
        # Spreadsheets do not grow a row for wrapped text they did not lay out themselves: give
        # rows with long labels the lines they need (a CJK character is about two width units).
        for g in grid.cells:
            if g.rowspan == 1 and g.text:
                lines = math.ceil(2.1 * len(g.text) / sum(widths[g.col:g.col + g.colspan]))
                dim = ws.row_dimensions[TOP + g.row]
                dim.height = max(dim.height or 15.0, 15.0 * lines)
        _print_setup(ws)
        ws.freeze_panes = ws.cell(TOP, 1)
        ws.protection.sheet = True
        return ws

    def values(self) -> None:
        """Inputs (validated, unlocked), formulas (locked) and the prefill, in every value cell."""
        sheets: dict[str, Worksheet] = {ws.title: ws for ws in self.wb.worksheets}
        inputs: dict[tuple[str, str], list[str]] = {}  # (sheet, kind) -> coordinates
        prefill = self.prefill()
        for path, at in self.places.items():
            ws = sheets[at.sheet]
            cell = ws.cell(at.row, at.col)
            if path in self.formulas:
                # Empty while none of its parts is filled in: a total of nothing is not a 0.
                parts = ",".join(self.places[p].coordinate for p in self.formulas[path])
                cell.value = f'=IF(COUNT({parts})=0,"",SUM({parts}))'
                cell.fill = FORMULA_FILL
                continue
            cell.protection = UNLOCKED
            cell.fill = INPUT_FILL
            kind = self.kinds.get(path, "count")
            if kind == "money":
                cell.number_format = "0.0000"
            inputs.setdefault((at.sheet, kind), []).append(at.coordinate)
            if path in prefill:
                cell.value = prefill[path]
                cell.fill = PREFILL_FILL
        for (sheet, kind), coords in inputs.items():
            ws = sheets[sheet]
            if kind == "money":  # a custom formula is relative to its cell: one rule per cell
                for ref in coords:
                    ws.add_data_validation(DataValidation(
                        type="custom", formula1=f"AND(ISNUMBER({ref}),{ref}>=0,ROUND({ref},4)={ref})",
                        sqref=ref, allow_blank=True, showErrorMessage=True, errorTitle=_("Not an amount"),
                        error=_("Enter an amount in 万元, 0 or more, with at most 4 decimals.")))
            elif kind == "signed":
                ws.add_data_validation(DataValidation(
                    type="whole", operator="between", formula1="-1000000000", formula2="1000000000",
                    sqref=" ".join(coords), allow_blank=True, showErrorMessage=True,
                    errorTitle=_("Not a whole number"), error=_("Enter a whole number (negative for a decrease).")))
            else:
                ws.add_data_validation(DataValidation(
                    type="whole", operator="greaterThanOrEqual", formula1="0", sqref=" ".join(coords),
                    allow_blank=True, showErrorMessage=True, errorTitle=_("Not a count"),
                    error=_("Enter a whole number, 0 or more.")))

    def prefill(self) -> dict[str, int | float]:
        """上年结转 from last year's 结转下年度继续办理, column by column."""
        if self.last is None:
            return {}
        out: dict[str, int | float] = {}
        for path in self.places:
            t, r, c = path.split(".")
            if t == "applications" and r == "carried_over" and path not in self.formulas:
                v = self.last.value(f"applications.carried_forward.{c}")
                if v is not None:
                    out[path] = v
        return out

    def in_force_beside(self) -> None:
        """Last year's 现行有效件数 in a column beside this year's (2021 template, both years)."""
        if self.last is None:
            return
        rows = [p for p in self.places if p.endswith(".in_force")]
        if not rows:
            return
        at0 = self.places[rows[0]]
        ws = self.wb[at0.sheet]
        col = at0.col + 1
        head = ws.cell(at0.row - 1, col, _("last year's {label} (reference)").format(label="现行有效件数"))
        head.alignment, head.fill, head.border = CENTER, PREFILL_FILL, BORDER
        for path in rows:
            at = self.places[path]
            c = ws.cell(at.row, col, self.last.value(path))
            c.fill, c.border, c.alignment = PREFILL_FILL, BORDER, CENTER
            self.places_extra[f"last.{path}"] = Placed(ws.title, at.row, col)

    def text_sheet(self) -> None:
        ws = self.wb.create_sheet(_("text"))
        self.text_places: dict[int, Placed] = {}
        ws.column_dimensions["A"].width = 34
        ws.column_dimensions["B"].width = 100
        ws.cell(1, 1, _("Section")).font = Font(bold=True)
        ws.cell(1, 2, _("Text (one paragraph per line; leave empty for a skeleton to complete)")).font = Font(bold=True)
        for i, s in enumerate(SECTIONS):
            ws.cell(2 + i, 1, s.title).alignment = CENTER
            c = ws.cell(2 + i, 2)
            c.alignment = Alignment(wrap_text=True, vertical="top")
            c.fill, c.protection, c.border = INPUT_FILL, UNLOCKED, BORDER
            ws.row_dimensions[2 + i].height = 120
            self.text_places[s.no] = Placed(ws.title, 2 + i, 2)
        ws.protection.sheet = True

    # ------------------------------------------------------------ checks

    def _inputs(self, path: str) -> list[str]:
        """The input cells a value depends on: itself, or the parts of a 总计 formula."""
        if path in self.formulas:
            return [q for p in self.formulas[path] for q in self._inputs(p)]
        return [path]

    def _filled(self, paths: tuple[str, ...] | list[str]) -> list[str]:
        seen = dict.fromkeys(q for p in paths for q in self._inputs(p))
        return [self.places[q].ref for q in seen]

    def relations(self) -> list[tuple[str, str, list[str], list[str], list[str], bool]]:
        """(code, description, left refs, right refs, input cells, exact) of every relation checked."""
        out = []
        for eq in self.template.equations:
            out.append((eq.code, eq.description, [self.places[p].ref for p in eq.lhs],
                        [self.places[p].ref for p in eq.rhs], self._filled(eq.cells), True))
        if self.last is not None:
            out += self._cross_year()
        return out

    def _cross_year(self) -> list[tuple[str, str, list[str], list[str], list[str], bool]]:
        """This year's 上年结转 against last year's 结转下年度 (constants from last year's report),
        and 现行有效件数 against last year's plus 制发 minus 废止 (a reference, not a rule)."""
        out = []
        last = self.last
        assert last is not None
        for path, at in self.places.items():
            t, r, c = path.split(".")
            if t == "applications" and r == "carried_over":
                v = last.value(f"applications.carried_forward.{c}")
                if v is None:
                    continue
                label = self.template.column_of(path).label
                out.append(("year-carryover", f"{label}：上年结转 = 上年报告的结转下年度继续办理（{fmt_number(v)}）",
                            [at.ref], [fmt_number(v)], self._filled([path]), True))
            if t == "active" and c == "in_force":
                v = last.value(path)
                issued, repealed = f"active.{r}.issued", f"active.{r}.repealed"
                if v is None or issued not in self.places or repealed not in self.places:
                    continue
                row = self.template.row_of(path).label
                out.append(("year-in-force",
                            f"{row}：现行有效件数 ≈ 上年现行有效件数（{fmt_number(v)}）+ 本年制发 − 本年废止",
                            [at.ref], [fmt_number(v), self.places[issued].ref, f"-{self.places[repealed].ref}"],
                            self._filled([path, issued, repealed]), False))
        return out

    def check_sheet(self) -> None:
        ws = self.wb.create_sheet(_("checks"))
        self.check_name = ws.title
        ok, broken, incomplete, review = _("holds"), _("broken"), _("not filled in"), _("please check")
        heads = [_("No."), _("Rule"), _("Relation"), _("Left side"), _("Right side"), _("Result")]
        for i, h in enumerate(heads):
            c = ws.cell(1, 1 + i, h)
            c.font, c.fill, c.border = Font(bold=True), HEAD_FILL, BORDER
        for i, w in enumerate((6, 16, 70, 12, 12, 12)):
            ws.column_dimensions[get_column_letter(1 + i)].width = w
        rels = self.relations()
        for n, (code, text, lhs, rhs, cells, exact) in enumerate(rels, start=1):
            r = 1 + n
            ws.cell(r, 1, n)
            ws.cell(r, 2, code)
            ws.cell(r, 3, text)
            ws.cell(r, 4, "=" + _sum(lhs))
            ws.cell(r, 5, "=" + _sum(rhs))
            miss = broken if exact else review
            ws.cell(r, 6, f'=IF(COUNT({",".join(cells)})<{len(cells)},"{incomplete}",'
                          f'IF(ABS(D{r}-E{r})<0.00005,"{ok}","{miss}"))')
            for col in range(1, 7):
                ws.cell(r, col).border = BORDER
        last = 1 + len(rels)
        area = f"F2:F{last}"
        ws.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{broken}"'], fill=RED,
                                                       font=Font(bold=True, color="9C0006")))
        ws.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{review}"'], fill=YELLOW))
        ws.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{ok}"'], fill=GREEN))
        ws.freeze_panes = "A2"
        _print_setup(ws)
        ws.protection.sheet = True
        # The cover shows how many relations are broken, red when any is.
        cover = self.wb[self.cover_name]
        r = self.status_row
        cover.cell(r, 1, _("Relations broken")).font = Font(bold=True)
        cover.cell(r, 2, f"=COUNTIF('{ws.title}'!{area},\"{broken}\")").border = BORDER
        cover.cell(r + 1, 1, _("Relations not filled in")).font = Font(bold=True)
        cover.cell(r + 1, 2, f"=COUNTIF('{ws.title}'!{area},\"{incomplete}\")").border = BORDER
        cover.conditional_formatting.add(f"B{r}", CellIsRule(operator="greaterThan", formula=["0"], fill=RED))
        cover.conditional_formatting.add(f"B{r}", CellIsRule(operator="equal", formula=["0"], fill=GREEN))
        self.status_cells = (Placed(cover.title, r, 2), Placed(cover.title, r + 1, 2))

    # ------------------------------------------------------------ map

    def map_sheet(self) -> None:
        ws = self.wb.create_sheet(MAP_SHEET)
        ws.sheet_state = "hidden"
        rows: list[tuple[str, str, str]] = [(SCHEMA, "", ""), ("template", self.template.id, ""),
                                             ("year", str(self.year), ""),
                                             ("body", self.body_cell.sheet, self.body_cell.coordinate)]
        rows += [(f"section.{no}", at.sheet, at.coordinate) for no, at in self.text_places.items()]
        rows += [(path, at.sheet, at.coordinate) for path, at in self.places.items()]
        rows += [(key, at.sheet, at.coordinate) for key, at in self.places_extra.items()]
        for row in rows:
            ws.append(list(row))
        ws.protection.sheet = True

    def build(self) -> bytes:
        self.places_extra: dict[str, Placed] = {}
        self.cover()
        for grid in form_grids(self.template):
            self.table_sheet(grid)
        self.values()
        self.in_force_beside()
        self.text_sheet()
        self.check_sheet()
        self.map_sheet()
        buf = io.BytesIO()
        save_workbook(self.wb, buf)
        return buf.getvalue()


def fill_in_form(year: int, body: str | None = None, last: Report | None = None) -> bytes:
    """The fill-in workbook for `year` (template chosen by the year), as XLSX bytes; prefilled from
    `last`, last year's report of the same body, when given (its body name too, unless `body`)."""
    if body is None and last is not None:
        body = last.meta.agency
    return _Builder(year, body, last).build()


def write_form(target: str | Path, year: int, body: str | None = None, last: Report | None = None) -> None:
    Path(target).write_bytes(fill_in_form(year, body, last))
