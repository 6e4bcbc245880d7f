"""Document -> Report, independent of the input kind.

Find the six sections, decide the template from the printed labels, match rows, place values
with a status and location, infer what the arithmetic fixes, and read the meta.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from xxgk.document import Document
from xxgk.errors import InputError
from xxgk.parse.infer import infer
from xxgk.parse.lines import Line, document_lines
from xxgk.parse.meta import read_meta
from xxgk.parse.sections import SectionSpan, find_sections
from xxgk.parse.tables import TableResult, parse_flat_table, parse_row_table
from xxgk.report import Cell, Meta, Report, SectionText, Source
from xxgk.template import TEMPLATES, Template, template_for_year
from xxgk.text import normalize

PARSER_REVISION = 5  # bump whenever the same input may parse differently


def detect_template(lines: Sequence[Line], spans: Sequence[SectionSpan], year: int | None) -> tuple[Template, str]:
    """The template whose signature labels the tables print most; the year breaks ties."""
    region = [ln for s in spans if s.no in (2, 3) for ln in lines[s.start:s.end]] or list(lines)
    text = normalize("".join(ln.raw for ln in region if not ln.is_narrative))
    votes = {tid: sum(1 for sig in t.signatures if re.search(sig, text)) for tid, t in TEMPLATES.items()}
    best = max(votes.values())
    leaders = [tid for tid, v in votes.items() if v == best]
    if best > 0 and len(leaders) == 1:
        return TEMPLATES[leaders[0]], "labels"
    return template_for_year(year), "year (labels undecided)"


def _region(lines: Sequence[Line], spans: Sequence[SectionSpan], section: int, after: int | None) -> Sequence[Line]:
    """Lines of a table's section; without a heading, the stretch after the previous table up
    to the next heading that follows it."""
    for s in spans:
        if s.no == section:
            return lines[s.start + 1:s.end]
    start = (after + 1) if after is not None else 0
    later = [s.start for s in spans if s.start >= start and s.no > section]
    return lines[start:min(later, default=len(lines))]


def _assemble_cells(template: Template, results: dict[str, TableResult]) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for table in template.tables:
        res = results[table.key]
        for row in table.rows:
            for col in row.columns:
                path = f"{table.key}.{row.key}.{col.key}"
                if path in res.cells:
                    cells[path] = res.cells[path]
                elif row.key in res.labelled_empty:
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
    spans = find_sections(lines)
    first = min((s.start for s in spans), default=None)
    meta: Meta = read_meta(lines, first, doc.file)
    template, how = detect_template(lines, spans, meta.year)
    meta.template = template.id
    meta.provenance["template"] = how

    results: dict[str, TableResult] = {}
    active = template.table("active")
    results["active"] = parse_row_table(_region(lines, spans, 2, None), active)
    applications = template.table("applications")
    results["applications"] = parse_row_table(
        _region(lines, spans, 3, results["active"].last_line), applications, template.foreign_rows)
    appeals = template.table("appeals")
    results["appeals"] = parse_flat_table(_region(lines, spans, 4, results["applications"].last_line), appeals)

    read_any = any(c.status != "missing" for r in results.values() for c in r.cells.values())
    if not spans and not read_any:
        raise InputError(doc.file, "not a government information disclosure annual report: "
                                   "none of the six section headings and no table row of the template were found")

    cells = _assemble_cells(template, results)
    report = Report(
        source=Source(doc.file, doc.sha256, doc.kind, doc.pages, list(doc.warnings)),
        meta=meta,
        sections=_section_texts(lines, spans),
        cells=cells,
        unmatched=[u for r in results.values() for u in r.unmatched],
    )
    infer(report.cells, report.equations())
    return report
