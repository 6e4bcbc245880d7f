"""Document -> Report, independent of the input kind.

Find the six sections, decide the template from the printed labels, match rows, place values
with a status and location, infer what the arithmetic fixes, and read the meta.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from xxgk.document import Document
from xxgk.errors import InputError
from xxgk.i18n import _
from xxgk.parse.blanks import apply_blank_convention
from xxgk.parse.infer import infer
from xxgk.parse.lines import Line, document_lines
from xxgk.parse.meta import read_meta
from xxgk.parse.outline import Outline, SectionSpan, build_outline
from xxgk.parse.tables import TableResult, parse_appeals, parse_row_table
from xxgk.report import ACTIVE_TEMPLATE, Cell, Meta, Report, SectionText, Source
from xxgk.template import TEMPLATES, Template, template_for_year
from xxgk.text import normalize

PARSER_REVISION = 6  # bump whenever the same input may parse differently


@cache
def _table_signatures(tid: str, table: str) -> tuple[re.Pattern[str], ...]:
    """The signature labels of template `tid` that belong to one of its tables (二 or 三),
    derived once from the declarations."""
    template = TEMPLATES[tid]
    labels = normalize("".join(r.label + "".join(c.label for c in r.columns) for r in template.table(table).rows))
    return tuple(re.compile(sig) for sig in template.signatures if re.search(sig, labels))


def _leader(text: str, table: str) -> str | None:
    votes = {tid: sum(1 for sig in _table_signatures(tid, table) if sig.search(text))
             for tid in TEMPLATES}
    best = max(votes.values())
    leaders = [tid for tid, v in votes.items() if v == best]
    return leaders[0] if best > 0 and len(leaders) == 1 else None


def _labels_text(lines: Sequence[Line]) -> str:
    return normalize("".join(ln.raw for ln in lines if not ln.is_narrative))


def detect_template(regions: dict[str, Sequence[Line]], year: int | None) -> tuple[Template, str, Template]:
    """(template of the report, how it was decided, template table 二 is printed on).

    Each table votes with the labels only its template prints (table 二: 本年制发件数 vs 本年新制作
    数量…; table 三: the three （六） rows). When they disagree — a 2021 report still printing the
    2019 table 二 — the year decides, and the other table is read on its own template.
    """
    active = _leader(_labels_text(regions["active"]), "active")
    apps = _leader(_labels_text(regions["applications"]), "applications")
    by_year = template_for_year(year).id if year is not None else None
    if active and apps and active != apps:
        chosen = by_year or apps
        return TEMPLATES[chosen], "labels (table 三) and year", TEMPLATES[active]
    leader = active or apps
    if leader:
        return TEMPLATES[leader], "labels", TEMPLATES[leader]
    both = _leader(_labels_text([*regions["active"], *regions["applications"]]), "active")
    if both is None:
        tpl = template_for_year(year)
        return tpl, "year (labels undecided)", tpl
    return TEMPLATES[both], "labels", TEMPLATES[both]


# What a table prints in its own header, whatever section it stands in (二: 第二十条第（一）项;
# 三: the applicant columns; 四: the two kinds of litigation).
_ANCHORS = {
    "active": re.compile(r"第二十条|第\(一\)项"),
    "applications": re.compile(r"本年新收|自然人|申请人情况"),
    "appeals": re.compile(r"直接起诉|复议后起诉|未经复议|行政复议"),
}


def _anchor(lines: Sequence[Line], key: str, start: int) -> int | None:
    pattern = _ANCHORS[key]
    for ln in lines[start:]:
        if not ln.is_narrative and pattern.search(ln.norm):
            return ln.index
    return None


def _region(lines: Sequence[Line], spans: Sequence[SectionSpan], key: str, section: int,
            after: int | None) -> tuple[Sequence[Line], str]:
    """Lines of a table's section. When the section does not print the table's own header but
    another stretch does, the header decides (a section heading lost or misread); without
    either, the stretch after the previous table up to the next heading that follows it."""
    span = next((s for s in spans if s.no == section), None)
    start = (after + 1) if after is not None else 0
    if span is not None:
        region = lines[span.start + 1:span.end]
        if _anchor(region, key, 0) is not None:
            return region, "section"
    at = _anchor(lines, key, start)
    if at is not None:
        later = [s.start for s in spans if s.start > at]
        return lines[at:min(later, default=len(lines))], "table header"
    if span is not None:
        return lines[span.start + 1:span.end], "section"
    later = [s.start for s in spans if s.start >= start and s.no > section]
    return lines[start:min(later, default=len(lines))], "after the previous table"


_PATHS: dict[int, tuple[Template, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]]] = {}


def _template_paths(template: Template) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """(table key, ((cell path, row key), …)) of a template in its order, built once per template
    (the entry keeps the template alive, so its id stays its own)."""
    found = _PATHS.get(id(template))
    if found is None or found[0] is not template:
        if len(_PATHS) >= 64:  # templates made on the fly (tests): keep the cache bounded
            _PATHS.clear()
        paths = tuple((table.key, tuple((f"{table.key}.{row.key}.{col.key}", row.key)
                                        for row in table.rows for col in row.columns))
                      for table in template.tables)
        found = _PATHS[id(template)] = (template, paths)
    return found[1]


def _assemble_cells(template: Template, results: dict[str, TableResult]) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for key, paths in _template_paths(template):
        res = results[key]
        printed, empty = res.cells, res.labelled_empty
        for path, row in paths:
            cell = printed.get(path)
            if cell is not None:
                cells[path] = cell
            elif row in empty:
                cells[path] = Cell(None, "missing", None, None, "label printed without numbers")
            else:
                cells[path] = Cell(None, "missing", None, None, "row not printed")
    for path, cell in results["applications"].cells.items():
        cells.setdefault(path, cell)
    return cells


def _section_texts(lines: Sequence[Line], spans: Sequence[SectionSpan]) -> list[SectionText]:
    out = []
    for s in sorted(spans, key=lambda s: s.start):
        body = "\n".join(ln.raw.strip() for ln in lines[s.start + 1:s.end])
        out.append(SectionText(s.no, s.heading, body, str(lines[s.start].loc)))
    return out


def parse_document(doc: Document) -> Report:
    """Parse without checking. Raises InputError when the document is not an annual report."""
    lines = document_lines(doc)
    outline = build_outline(lines)
    spans = outline.spans
    first = min((s.start for s in spans), default=None)
    meta: Meta = read_meta(lines, first, doc)
    draft = {key: _region(lines, spans, key, no, None)[0] for key, no in (("active", 2), ("applications", 3))}
    template, how, active_tpl = detect_template(draft, meta.year)
    meta.template = template.id
    meta.provenance["template"] = how
    if active_tpl.id != template.id:
        meta.provenance[ACTIVE_TEMPLATE] = active_tpl.id

    results: dict[str, TableResult] = {}
    region, by = _region(lines, spans, "active", 2, None)
    results["active"] = parse_row_table(region, active_tpl.table("active"))
    _note_region(outline, "active", region, by)
    region, by = _region(lines, spans, "applications", 3, results["active"].last_line)
    results["applications"] = parse_row_table(region, template.table("applications"), template.foreign_rows)
    _note_region(outline, "applications", region, by)
    region, by = _region(lines, spans, "appeals", 4, results["applications"].last_line)
    results["appeals"] = parse_appeals(region, template.table("appeals"))
    _note_region(outline, "appeals", region, by)
    for key, res in results.items():
        outline.tables[key].update(res.layout)

    read_any = any(c.status != "missing" for r in results.values() for c in r.cells.values())
    if not spans and not read_any:
        raise InputError(doc.file, _("not a government information disclosure annual report: "
                                     "none of the six section headings and no table row of the template were found"))

    report = Report(
        source=Source(doc.file, doc.sha256, doc.kind, doc.pages, list(doc.warnings)),
        meta=meta,
        sections=_section_texts(lines, spans),
        cells={},
        unmatched=[u for r in results.values() for u in r.unmatched],
        outline=outline.to_dict(),
    )
    report.cells = _assemble_cells(report.template, results)
    infer(report.cells, report.equations())
    apply_blank_convention(report.cells, report.equations())
    return report


def _note_region(outline: Outline, key: str, region: Sequence[Line], by: str) -> None:
    if region:
        outline.tables[key] = {"start": region[0].index, "end": region[-1].index + 1, "by": by}
    else:
        outline.tables[key] = {"start": None, "end": None, "by": by}
