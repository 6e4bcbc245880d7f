"""A filled-in `xxgk form` workbook back into a `Report`.

Every value cell is found through the hidden map sheet the form carries. A number typed in is
`read` (located as "sheet!cell"); an empty input is `missing` (never a silent 0), unless the
template's arithmetic fixes it, then `inferred` as in any report; a 总计 still holding its
formula is the sum of its parts, the value the sheet shows. Text where a number belongs is bad
input: one error naming the cell by its template labels.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

from xxgk.errors import InputError
from xxgk.i18n import _
from xxgk.parse.infer import infer
from xxgk.report import Cell, Meta, Number, Report, SectionText, Source
from xxgk.template import SECTIONS, TEMPLATES, Template
from xxgk.vocabulary import cell_name
from xxgk.writer.draft import TITLE_SUFFIX
from xxgk.writer.form import MAP_SHEET, SCHEMA

_DASHES = {"-", "—", "－", "/", "／", "无", "——"}
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def is_form(data: bytes) -> bool:
    """An XLSX workbook written by `xxgk form` (it carries the map sheet)."""
    if not data.startswith(b"PK"):
        return False
    try:
        wb = _load(data, "")
    except InputError:
        return False
    return MAP_SHEET in wb.sheetnames


def _load(data: bytes, file: str) -> Any:
    try:
        from openpyxl import load_workbook
    except ImportError as e:  # pragma: no cover - the writer extra brings it
        from xxgk.errors import MissingExtraError
        raise MissingExtraError(file, _("reading a filled-in form"), "writer") from e
    try:
        return load_workbook(io.BytesIO(data))
    except Exception as e:  # openpyxl raises many kinds for a damaged or foreign file
        raise InputError(file, _("not a readable XLSX workbook ({error})").format(error=type(e).__name__)) from e


def _number(value: Any, where: str, label: str, file: str, kind: str) -> tuple[Number | None, str | None]:
    """(value, raw) of a typed-in cell; raises InputError for text that is not a number."""
    if isinstance(value, bool):
        raise InputError(file, _("{cell} ({label}): {value!r} is not a number").format(cell=where, label=label,
                                                                                       value=value))
    if isinstance(value, int | float):
        number: Number = value
    else:
        text = str(value).strip().replace(",", "")
        if text in _DASHES:
            return None, text
        if not _NUMBER.match(text):
            raise InputError(file, _("{cell} ({label}): {value!r} is not a number").format(
                cell=where, label=label, value=str(value)))
        number = float(text) if "." in text else int(text)
    if kind != "money" and isinstance(number, float):
        if number != int(number):
            raise InputError(file, _("{cell} ({label}): {value} is not a whole number").format(
                cell=where, label=label, value=value))
        number = int(number)
    if kind == "money" and round(number, 4) != number:
        raise InputError(file, _("{cell} ({label}): {value} has more than 4 decimals (万元)").format(
            cell=where, label=label, value=value))
    return number, None


def read_form(data: bytes, file: str = "form.xlsx") -> Report:
    """The report a filled-in form holds; InputError names the file (and the cell) when it cannot."""
    try:
        return _read(data, file)
    except (KeyError, ValueError, TypeError, IndexError) as e:  # a map sheet edited by hand
        raise InputError(file, _("the form's map sheet is damaged ({error})").format(error=e)) from e


def _read(data: bytes, file: str) -> Report:
    wb = _load(data, file)
    if MAP_SHEET not in wb.sheetnames:
        raise InputError(file, _("not a form written by xxgk form (its map sheet is missing)"))
    rows = [r for r in wb[MAP_SHEET].iter_rows(values_only=True) if r and r[0]]
    if not rows or rows[0][0] != SCHEMA:
        raise InputError(file, _("not a form written by xxgk form (its map sheet is missing)"))
    head = {str(r[0]): r for r in rows}
    template: Template = TEMPLATES[str(head["template"][1])]
    year = int(str(head["year"][1]))

    def at(key: str) -> tuple[Any, str]:
        _k, sheet, coordinate = head[key][:3]
        return wb[sheet][coordinate].value, f"{sheet}!{coordinate}"

    body_value, _loc = at("body")
    body = str(body_value).strip() if body_value not in (None, "") else None
    cells: dict[str, Cell] = {}
    formulas: dict[str, str] = {}
    for path in template.cell_paths():
        value, where = at(path)
        label = cell_name(template, path)
        if isinstance(value, str) and value.startswith("="):
            formulas[path] = value
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            cells[path] = Cell(None, "missing", where, None, "not filled in")
            continue
        number, raw = _number(value, where, label, file, template.column_of(path).kind)
        cells[path] = Cell(number, "read" if number is not None else "blank", where, raw)
    _formulas(template, cells, formulas, at)
    infer(cells, template.equations)
    sections = []
    for s in SECTIONS:
        key = f"section.{s.no}"
        if key not in head:
            continue
        text, where = at(key)
        if text is not None and str(text).strip():
            lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
            sections.append(SectionText(s.no, s.title, "\n".join(lines), where))
    meta = Meta(title=f"{body or ''}{year}年{TITLE_SUFFIX}", agency=body, year=year, template=template.id,
                period=(f"{year}-01-01", f"{year}-12-31"),
                provenance={"title": "form", "agency": "form", "year": "form", "template": "form"})
    source = Source(Path(file).name, hashlib.sha256(data).hexdigest(), "xlsx")
    return Report(source, meta, sections, {p: cells[p] for p in template.cell_paths()})


def _formulas(template: Template, cells: dict[str, Cell], formulas: dict[str, str], at: Any) -> None:
    """A 总计 that still holds its formula shows the sum of its parts (when all are known)."""
    parts: dict[str, tuple[str, ...]] = {}
    for eq in template.equations:
        if eq.lhs[0] in formulas and eq.code in ("T3-applicants", "T4-groups", "T3-results"):
            parts.setdefault(eq.lhs[0], eq.rhs)
    pending = dict(formulas)
    while pending:
        progressed = False
        for path in list(pending):
            deps = parts.get(path, ())
            if any(d in pending for d in deps):
                continue
            values = [cells[d].value for d in deps]
            _v, where = at(path)
            if deps and all(v is not None for v in values):
                total = sum(values)  # type: ignore[arg-type]
                cells[path] = Cell(total, "read", where, None, "formula: sum of its parts")
            else:
                cells[path] = Cell(None, "missing", where, None, "formula: parts not filled in")
            del pending[path]
            progressed = True
        if not progressed:  # a cycle cannot come from the form; treat what is left as unknown
            for path in pending:
                cells[path] = Cell(None, "missing", at(path)[1], None, "formula")
            break
