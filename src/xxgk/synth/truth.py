"""A synthetic report's truth: what it prints, what a correct reader must get out of it, and which
findings a correct checker must raise.

`generate(seed)` draws a body, a year, every cell of the template and the texts; all randomness
comes from `random.Random` streams derived from the seed, so the same seed gives the same report
(and, through the renderers, the same bytes). The truth is kept as data renderers can print from:

- `values`: the true number of every cell the report prints, keyed "table.row.col" (rows the
  report does not print at all are absent; a row printed from the other template, e.g. the 2019
  （六）其他处理 in a 2021 report, is present under its own key);
- `gaps`: cells whose number the report fails to print (a row that lost a number, a row with no
  numbers): text renderers leave them out, aligned renderers (HTML, DOCX, PDF) print an empty cell;
- `text`: what the narrative says (`TextSpec`), the wording itself following from the seed.

`expected(...)` turns that into what a reader should return after inference: value and printed
status for every cell of the template, computed with the template's own equations (`arith.infer`).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

from xxgk.synth import arith, narrative
from xxgk.synth.names import Body
from xxgk.synth.narrative import SectionSpec, TextSpec
from xxgk.synth.patterns import text_patterns
from xxgk.template import TEMPLATES, Column, Equation, Table, Template

Number = int | float
PrintedStatus = Literal["read", "blank", "missing"]
SCHEMA = "xxgk.synth/1"


def stream(seed: int, purpose: str) -> random.Random:
    """An independent random stream per purpose: changing one part never reshuffles another."""
    return random.Random(f"xxgk.synth:{seed}:{purpose}")


@dataclass(frozen=True)
class Expectation:
    """A finding the checker must raise: its code, and the cells it should name (any one of them)."""

    code: str
    cells: tuple[str, ...] = ()
    # Other codes that satisfy this expectation equally (e.g. blank-cells where an aligned
    # channel prints a lost number as an empty cell).
    also: tuple[str, ...] = ()
    why: str = ""

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.code, *self.also)


@dataclass(frozen=True)
class CellTruth:
    value: Number | None
    printed: PrintedStatus  # how the report shows it: a number, an empty cell, or not at all


@dataclass(frozen=True)
class SyntheticReport:
    seed: int
    template: str  # the template the report is printed on
    year: int
    body: Body
    published: str
    values: Mapping[str, Number]
    gaps: frozenset[str] = frozenset()
    text: TextSpec = field(default_factory=TextSpec)
    defects: tuple[str, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    # Codes a checker may raise on this report without being wrong (side effects of a defect).
    tolerated: frozenset[str] = frozenset()
    # How this office prints its report, beyond the template (xxgk.synth.patterns.PATTERNS):
    # sub-heads, a table of contents, a 小计 column, table 四 printed vertically, zeros as dashes…
    patterns: frozenset[str] = frozenset()

    # ------------------------------------------------------------------ structure

    @property
    def tpl(self) -> Template:
        return TEMPLATES[self.template]

    @property
    def title(self) -> str | None:
        return f"{self.body.name}{self.year}年政府信息公开工作年度报告" if self.text.has_title else None

    @property
    def period(self) -> tuple[str, str] | None:
        y = self.text.period_year
        return None if y is None else (f"{y}-01-01", f"{y}-12-31")

    @property
    def active_template(self) -> Template:
        """The template table 二 is printed on: the report's, or the 2019 one when an office still
        prints the old table 二 in a 2021+ report (pattern `old-active`)."""
        return TEMPLATES["2019"] if "old-active" in self.patterns else self.tpl

    def printed_table(self, table: str) -> Table:
        return self.active_template.table(table) if table == "active" else self.tpl.table(table)

    def column_of(self, path: str) -> Column:
        t, r, c = path.split(".")
        table = self.printed_table(t)
        row = table.row(r) if table.has_row(r) else next(x for x in self.tpl.foreign_rows if x.key == r)
        return row.column(c)

    def printed_rows(self, table: str) -> list[str]:
        """Row keys in printed order: the template's, with a foreign row where it replaced its own."""
        rows = [r.key for r in self.printed_table(table).rows]
        printed = {p.split(".")[1] for p in self.values if p.startswith(table + ".")}
        foreign = [r.key for r in self.tpl.foreign_rows if r.key in printed]
        # A foreign row stands where the template rows it replaces would be.
        out: list[str] = []
        for r in rows:
            if r in printed:
                out.append(r)
            elif foreign:
                out.extend(foreign)
                foreign = []
        return out + foreign

    def row_columns(self, table: str, row: str) -> list[str]:
        t = self.printed_table(table)
        r = t.row(row) if t.has_row(row) else next(x for x in self.tpl.foreign_rows if x.key == row)
        return [c.key for c in r.columns]

    def cell_paths(self) -> list[str]:
        """Every template cell, then cells of printed foreign rows."""
        paths = self.tpl.cell_paths()
        seen = set(paths)
        return paths + [p for p in self.values if p not in seen]

    # ------------------------------------------------------------------ truth

    def expected(self, aligned: bool = False, blank: Iterable[str] = (), marked: bool = False) -> dict[str, CellTruth]:
        """What a correct reader returns for every cell, after inference.

        `aligned`: the channel keeps cell positions (HTML, DOCX, PDF tables), so a lost number
        is an empty cell in place; in text dumps a row that lost a number cannot say which, so all
        its cells are unknown. `blank`: cells the rendering printed empty (blank-means-zero),
        `marked`: printed as a dash, a slash or 无 rather than left empty. Where every blank the
        arithmetic fixes is 0, the others are 0 too (the report's convention, `arith.blank_zero`).
        """
        blank = set(blank)
        known: dict[str, Number | None] = {}
        printed: dict[str, PrintedStatus] = {}
        lost_rows = {p.rsplit(".", 1)[0] for p in self.gaps}
        for p in self.cell_paths():
            if p not in self.values:
                known[p], printed[p] = None, "missing"
            elif p in self.gaps or p in blank:
                known[p], printed[p] = None, "blank" if aligned or p in blank else "missing"
            elif not aligned and p.rsplit(".", 1)[0] in lost_rows:
                known[p], printed[p] = None, "missing"
            else:
                known[p], printed[p] = self.values[p], "read"
        equations = self.tpl.equations + self._foreign_equations()
        filled = arith.infer(equations, known)
        blanks = [p for p in self.cell_paths() if printed[p] == "blank"]
        filled = arith.blank_zero(equations, filled, blanks, marked)
        return {p: CellTruth(filled[p], printed[p]) for p in self.cell_paths()}

    def _foreign_equations(self) -> tuple[Equation, ...]:
        """Relations a printed foreign row brings: the 2019 （六）其他处理 row is the sum of the
        2021 （六） rows it stands for, so it can take their place in T3-results."""
        table = self.tpl.table("applications")
        out: list[Equation] = []
        for row in self.tpl.foreign_rows:
            if f"applications.{row.key}.total" not in self.values or row.key != "other_handling":
                continue
            replaced = [r.key for r in table.rows if r.block == "（六）其他处理"]
            for c in row.columns:
                own = f"applications.{row.key}.{c.key}"
                parts = tuple(f"applications.{r}.{c.key}" for r in replaced)
                out.append(Equation("foreign-row", (own,), parts, f"{row.label} = sum of the rows it replaces"))
                for eq in self.tpl.equations:
                    if set(parts) <= set(eq.rhs):
                        rhs = (*(p for p in eq.rhs if p not in parts), own)
                        out.append(Equation(eq.code, eq.lhs, rhs, eq.description))
        return tuple(out)

    @cached_property
    def _default(self) -> dict[str, CellTruth]:
        return self.expected()

    def table(self, key: str,
              truth: Mapping[str, CellTruth] | None = None) -> dict[str, dict[str, Number | None]]:
        out: dict[str, dict[str, Number | None]] = {}
        for p, cell in (truth or self._default).items():
            t, r, c = p.split(".")
            if t == key:
                out.setdefault(r, {})[c] = cell.value
        return out

    @property
    def active(self) -> dict[str, dict[str, Number | None]]:
        return self.table("active")

    @property
    def applications(self) -> dict[str, dict[str, Number | None]]:
        return self.table("applications")

    @property
    def appeals(self) -> dict[str, dict[str, Number | None]]:
        return self.table("appeals")

    @property
    def meta(self) -> dict[str, Any]:
        return {"title": self.title, "agency": self.body.name, "region": self.body.region,
                "level": self.body.level, "year": self.year, "template": self.template,
                "period": list(self.period) if self.period else None, "published": self.published}

    @property
    def expected_codes(self) -> list[str]:
        return sorted({e.code for e in self.expectations})

    # ------------------------------------------------------------------ texts

    @cached_property
    def _texts(self) -> tuple[tuple[str, ...], tuple[SectionSpec, ...]]:
        apps = self.table("applications", self.expected())
        doc_col = "issued" if self.active_template.id == "2021" else "made"
        docs = int(self.values.get(f"active.normative_documents.{doc_col}", 0))
        texts = narrative.build(stream(self.seed, "texts"), body=self.body, year=self.year,
                               template=self.template,
                               spec=self.text, apps=apps, appeals=self.appeals, docs=docs)
        if not self.patterns:
            return texts
        return text_patterns(self.patterns, stream(self.seed, "patterns:text"), body=self.body, year=self.year,
                             published=self.published, preamble=texts[0], sections=texts[1])

    @property
    def preamble(self) -> tuple[str, ...]:
        return self._texts[0]

    @property
    def sections(self) -> tuple[SectionSpec, ...]:
        """Sections in printed order (tables belong to sections 二, 三, 四)."""
        return self._texts[1]

    def to_dict(self) -> dict[str, Any]:
        """The truth in the FORMAT.md vocabulary, plus what the generator injected and expects."""
        return {
            "schema": SCHEMA,
            "seed": self.seed,
            "meta": self.meta,
            "sections": [{"no": s.no, "title": s.title, "text": "\n".join(s.paragraphs)}
                         for s in self.sections],
            "active": self.active,
            "applications": self.applications,
            "appeals": self.appeals,
            "cells": {p: {"printed": c.printed} for p, c in self._default.items()},
            "defects": list(self.defects),
            "expected_codes": self.expected_codes,
            "expectations": [{"code": e.code, "cells": list(e.cells), "also": list(e.also), "why": e.why}
                             for e in self.expectations],
            "tolerated": sorted(self.tolerated),
            "patterns": sorted(self.patterns),
        }

    def evolve(self, **changes: Any) -> SyntheticReport:
        """A copy with some fields changed (cached texts and truth are recomputed)."""
        return replace(self, **changes)


def tolerated_by(truth: Mapping[str, CellTruth]) -> frozenset[str]:
    """Findings that describe the printing honestly rather than a fault of the report: cells not
    printed (missing-cells), printed empty (blank-cells), or left unknown by the arithmetic
    (unresolved-cells, e.g. a blank-means-zero page with no applications at all)."""
    out = set()
    if any(c.printed == "missing" for c in truth.values()):
        out.add("missing-cells")
    if any(c.printed == "blank" for c in truth.values()):
        out.add("blank-cells")
    if any(c.value is None for c in truth.values()):
        out.add("unresolved-cells")
    return frozenset(out)
