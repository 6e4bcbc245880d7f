"""汇总: sum a set of reports (e.g. every department of a city for one year) into one set of
template tables.

A compiled figure states its own reliability: for every cell, how many reports contributed a
known value (read or inferred) and how many did not (blank or missing). A cell with any unknown
contributor is `incomplete` (its value is the sum of what is known, a lower bound for counts),
one with no known contributor is `unknown` (value None) — never a silent 0. Only reports of one
template and one year are summed together: rows differ between templates and a sum over years
means nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from xxgk.check.peers import peer_findings
from xxgk.corpus.selection import Filters, select
from xxgk.errors import UsageError
from xxgk.i18n import _
from xxgk.report import Finding, Number, Report
from xxgk.template import TEMPLATES, Template
from xxgk.vocabulary import row_name

if TYPE_CHECKING:
    from xxgk.store import Store

SCHEMA = "xxgk.compilation/1"
CompiledStatus = Literal["complete", "incomplete", "unknown"]


class CompileError(UsageError, ValueError):
    """The chosen reports cannot be summed as one set (mixed templates or years, none at all)."""

    def __init__(self, message: str, mixed_templates: bool = False) -> None:
        super().__init__(message)
        self.mixed_templates = mixed_templates


@dataclass
class CompiledCell:
    path: str
    value: Number | None
    status: CompiledStatus
    read: int = 0
    inferred: int = 0
    blank: int = 0
    missing: int = 0
    # Bodies whose value for this cell is unknown: the reviewer's list of whom to ask.
    unknown_bodies: list[str] = field(default_factory=list)

    @property
    def known(self) -> int:
        return self.read + self.inferred

    @property
    def unknown(self) -> int:
        return self.blank + self.missing

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "status": self.status, "read": self.read, "inferred": self.inferred,
                "blank": self.blank, "missing": self.missing, "unknown_bodies": list(self.unknown_bodies)}


@dataclass
class BodyEntry:
    body: str
    file: str
    year: int | None
    # Codes of the error-level findings the report carries (a compiled figure inherits them).
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"body": self.body, "file": self.file, "year": self.year, "errors": list(self.errors)}


@dataclass
class MissingBody:
    body: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"body": self.body, "reason": self.reason}


@dataclass
class Duplicate:
    body: str
    file: str
    kept: str

    def to_dict(self) -> dict[str, Any]:
        return {"body": self.body, "file": self.file, "kept": self.kept}


@dataclass
class EquationCheck:
    code: str
    description: str
    lhs: Number | None
    rhs: Number | None
    # "holds", "breaks", or "unchecked" when a term is incomplete or unknown.
    result: Literal["holds", "breaks", "unchecked"]
    cells: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "description": self.description, "lhs": self.lhs, "rhs": self.rhs,
                "result": self.result, "cells": list(self.cells)}


@dataclass
class Compilation:
    template: str
    year: int | None
    cells: dict[str, CompiledCell]
    included: list[BodyEntry]
    missing: list[MissingBody] = field(default_factory=list)
    unexpected: list[BodyEntry] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    checks: list[EquationCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def tmpl(self) -> Template:
        return TEMPLATES[self.template]

    @property
    def carrying_errors(self) -> list[BodyEntry]:
        return [b for b in self.included if b.errors]

    @property
    def complete(self) -> bool:
        return all(c.status == "complete" for c in self.cells.values())

    def value(self, path: str) -> Number | None:
        c = self.cells.get(path)
        return c.value if c else None

    def counts(self) -> dict[str, int]:
        out = {"complete": 0, "incomplete": 0, "unknown": 0}
        for c in self.cells.values():
            out[c.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        tables: dict[str, dict[str, dict[str, Number | None]]] = {}
        for path, c in self.cells.items():
            t, r, k = path.split(".")
            tables.setdefault(t, {}).setdefault(r, {})[k] = c.value
        return {
            "schema": SCHEMA,
            "template": self.template,
            "year": self.year,
            "filters": dict(sorted(self.filters.items())),
            "bodies": {
                "included": [b.to_dict() for b in self.included],
                "missing": [m.to_dict() for m in self.missing],
                "unexpected": [b.to_dict() for b in self.unexpected],
                "duplicates": [d.to_dict() for d in self.duplicates],
                "carrying_errors": [b.to_dict() for b in self.carrying_errors],
            },
            "summary": {"reports": len(self.included), **self.counts(),
                        "equations_breaking": sum(1 for c in self.checks if c.result == "breaks")},
            "active": tables.get("active", {}),
            "applications": tables.get("applications", {}),
            "appeals": tables.get("appeals", {}),
            "cells": {p: c.to_dict() for p, c in self.cells.items()},
            "checks": [c.to_dict() for c in self.checks],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"


def body_of(report: Report) -> str:
    """The body's name, or the file name in brackets when the parser found no name."""
    return report.meta.agency or _("(body not identified: {file})").format(file=report.source.file)


def normalize_name(name: str) -> str:
    """Names compared as printed but without whitespace (lists typed by hand carry stray spaces)."""
    return "".join(name.split())


def _sum(values: Sequence[Number]) -> Number:
    if all(isinstance(v, int) for v in values):
        return sum(values)  # type: ignore[arg-type]
    # Decimal keeps 万元 amounts exact as printed (0.1 + 0.2 is 0.3, not 0.30000000000000004).
    return float(sum((Decimal(str(v)) for v in values), Decimal(0)))


def _dedupe(reports: Sequence[Report]) -> tuple[list[Report], list[Duplicate]]:
    ordered = sorted(reports, key=lambda r: (body_of(r), r.source.file, r.source.sha256))
    kept: dict[str, Report] = {}
    dups: list[Duplicate] = []
    for r in ordered:
        key = normalize_name(body_of(r))
        if key in kept and r.meta.agency:
            dups.append(Duplicate(body_of(r), r.source.file, kept[key].source.file))
            continue
        kept.setdefault(key, r)
    return list(kept.values()), dups


def _missing_reason(finding: Finding) -> str:
    if finding.variant == "last_year":
        return _("reported for {previous}, no report for {year}").format(
            previous=finding.params["previous_year"], year=finding.params["year"])
    return _("on the expected list, no report")


def compile_reports(
    reports: Iterable[Report],
    *,
    expected: Iterable[str] | None = None,
    previous: Iterable[Report] | None = None,
    filters: dict[str, Any] | None = None,
) -> Compilation:
    """Sum `reports` (one template, one year) into one set of template tables.

    expected: names of the bodies that should have reported (an --expect list); those absent are
    listed as missing and reports from bodies not on the list as unexpected.
    previous: the same selection for the year before; bodies that reported then but not now are
    listed as missing too.
    A body with two reports in the set is counted once (the first by file name); the other is
    listed under duplicates.
    """
    reps = list(reports)
    if not reps:
        raise CompileError(_("no reports match the selection: nothing to compile"))
    templates = sorted({r.meta.template or "?" for r in reps})
    if len(templates) > 1:
        per = ", ".join(f"{t}: {sum(1 for r in reps if (r.meta.template or '?') == t)}" for t in templates)
        raise CompileError(_("the selection mixes templates ({per}); their rows differ and cannot be summed "
                             "into one table: narrow the selection or compile per template").format(per=per),
                           mixed_templates=True)
    if templates[0] not in TEMPLATES:
        raise CompileError(_("{n} report(s) have no detected template; cannot lay them out").format(n=len(reps)))
    years = sorted({r.meta.year for r in reps}, key=lambda y: -1 if y is None else y)
    if len(years) > 1:
        shown = ", ".join(_("unknown") if y is None else str(y) for y in years)
        raise CompileError(_("the selection spans several years ({years}); "
                             "a compilation is for one year: choose --year").format(years=shown))
    template = TEMPLATES[templates[0]]
    kept, dups = _dedupe(reps)

    cells: dict[str, CompiledCell] = {}
    for path in template.cell_paths():
        counts = {"read": 0, "inferred": 0, "blank": 0, "missing": 0}
        known: list[Number] = []
        unknown_bodies: list[str] = []
        for r in kept:
            cell = r.cells.get(path)
            if cell is not None and cell.value is not None:
                counts["inferred" if cell.status == "inferred" else "read"] += 1
                known.append(cell.value)
            else:
                counts["blank" if cell is not None and cell.status == "blank" else "missing"] += 1
                unknown_bodies.append(body_of(r))
        status: CompiledStatus = "complete" if not unknown_bodies else ("incomplete" if known else "unknown")
        cells[path] = CompiledCell(path, _sum(known) if known else None, status,
                                   unknown_bodies=unknown_bodies,
                                   **counts)

    included = [BodyEntry(body_of(r), r.source.file, r.meta.year,
                          sorted({f.code for f in r.findings if f.severity == "error"})) for r in kept]
    unexpected: list[BodyEntry] = []
    if expected is not None:
        wanted = {normalize_name(n) for n in expected if n.strip()}
        unexpected = [b for b in included if normalize_name(b.body) not in wanted]
    # Bodies on the expected list, or present the year before, without a report: the
    # missing-subordinate rule, so the audit, the compile and the workbench say the same.
    missing = [MissingBody(f.params["body"], _missing_reason(f))
               for _, f in peer_findings(kept, previous=list(previous or ()),
                                         expected=list(expected) if expected is not None else None,
                                         select=["missing-subordinate"])]

    notes = _notes(kept, template)
    comp = Compilation(template.id, years[0], cells, included, missing, unexpected, dups,
                       _checks(template, cells), notes, dict(filters or {}))
    return comp


def compile_by_template(reports: Iterable[Report], **kwargs: Any) -> list[Compilation]:
    """One compilation per template present in `reports` (newest template first)."""
    groups: dict[str, list[Report]] = {}
    for r in reports:
        groups.setdefault(r.meta.template or "?", []).append(r)
    return [compile_reports(groups[t], **kwargs) for t in sorted(groups, reverse=True)]


def _notes(reports: Sequence[Report], template: Template) -> list[str]:
    """What the reviewer must know that the table cannot show."""
    notes: list[str] = []
    declared = set(template.cell_paths())
    foreign: dict[tuple[str, str], list[str]] = {}
    for r in reports:
        for table, row in sorted({tuple(p.split(".")[:2]) for p in r.cells if p not in declared}):
            foreign.setdefault((table, row), []).append(body_of(r))
    for (table, row), bodies in sorted(foreign.items()):
        notes.append(_("{n} report(s) print the row {row}, which template {template} does not have; "
                       "its numbers are not in the compiled table: {bodies}").format(
            n=len(bodies), row=_row_label(template, table, row), template=template.id, bodies="、".join(bodies)))
    return notes


def compile_store(store: Store, filters: Filters, *, expected: Iterable[str] | None = None,
                  per_template: bool = False) -> list[Compilation]:
    """`xxgk compile`: the stored reports matching `filters` (its year is required) compiled into one
    set of tables — or one per template with per_template — with the bodies that reported the
    year before as the reference for missing ones. Raises CompileError."""
    if filters.year is None:
        raise CompileError(_("a compilation is for one year: choose --year"))
    reports = select(store, filters)
    previous = select(store, filters, year=filters.year - 1, template=None) or None
    given = filters.given()
    if per_template:
        return compile_by_template(reports, expected=expected, previous=previous, filters=given)
    return [compile_reports(reports, expected=expected, previous=previous, filters=given)]


def _row_label(template: Template, table: str, row: str) -> str:
    """A row by its template labels; a row no template declares keeps its key (nothing better to show)."""
    try:
        return row_name(template, table, row)
    except (KeyError, StopIteration):
        return row


def _checks(template: Template, cells: dict[str, CompiledCell]) -> list[EquationCheck]:
    """The template's arithmetic over the compiled numbers. An equation with an incomplete or
    unknown term is not checked (a partial sum proves nothing)."""
    out: list[EquationCheck] = []
    for eq in template.equations:
        terms = [cells.get(p) for p in eq.cells]
        if any(t is None or t.status != "complete" for t in terms):
            out.append(EquationCheck(eq.code, eq.description, None, None, "unchecked", list(eq.cells)))
            continue
        lhs = _sum([cells[p].value for p in eq.lhs])  # type: ignore[misc]
        rhs = _sum([cells[p].value for p in eq.rhs])  # type: ignore[misc]
        out.append(EquationCheck(eq.code, eq.description, lhs, rhs, "holds" if lhs == rhs else "breaks",
                                 list(eq.cells)))
    return out


def read_expect_file(path: str | Path) -> list[str]:
    """Body names, one a line; blank lines and lines starting with # are skipped."""
    text = Path(path).read_text(encoding="utf-8-sig")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
