"""The canonical model of one annual report, and its JSON form (FORMAT.md, schema xxgk.report/1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from operator import methodcaller
from typing import Any, Literal

from xxgk.i18n import render
from xxgk.template import TEMPLATES, Equation, Template

Status = Literal["read", "blank", "missing", "inferred"]
Severity = Literal["error", "warning", "info"]
SCHEMA = "xxgk.report/1"
Number = int | float
# meta.provenance key naming the template table 二 is printed on when it is not the report's (a
# 2021 report still printing the 2019 table 二: its cells keep the 2019 keys).
ACTIVE_TEMPLATE = "template.active"


@cache
def _mixed(template: str, active: str) -> Template:
    """The report's template with the other template's table 二."""
    base = TEMPLATES[template]
    tables = tuple(TEMPLATES[active].table("active") if t.key == "active" else t for t in base.tables)
    return replace(base, tables=tables)


_KNOWN: dict[int, tuple[Template, frozenset[str], dict[str, tuple[str, ...]]]] = {}


def _known_paths(template: Template) -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Every cell path of a template and of its foreign rows, and the paths of each row of its
    table 三 (foreign rows too): built once per template (the entry keeps it alive, so its id
    stays its own)."""
    found = _KNOWN.get(id(template))
    if found is None or found[0] is not template:
        if len(_KNOWN) >= 64:  # templates made on the fly (tests): keep the cache bounded
            _KNOWN.clear()
        rows = [*template.table("applications").rows, *template.foreign_rows]
        by_row = {r.key: tuple(f"applications.{r.key}.{c.key}" for c in r.columns) for r in rows}
        known = frozenset(template.cell_paths()).union(*by_row.values())
        found = _KNOWN[id(template)] = (template, known, by_row)
    return found[1], found[2]


@dataclass
class Cell:
    """One table cell: its best value and why we believe it."""

    value: Number | None
    status: Status
    loc: str | None = None
    raw: str | None = None  # what was printed, when it is not simply the number
    note: str | None = None  # how the value was placed or inferred

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"status": self.status, "loc": self.loc}
        if self.raw is not None:
            d["raw"] = self.raw
        if self.note:
            d["note"] = self.note
        return d


@dataclass
class SectionText:
    no: int
    title: str
    text: str
    loc: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"no": self.no, "title": self.title, "text": self.text, "loc": self.loc}


# Message templates of the rules, by (code, variant): filled in by xxgk.check.registry as rules
# register, read when a finding's message is rendered. A hook loads the rules on first use.
FINDING_MESSAGES: dict[tuple[str, str], str] = {}
_load_messages: list[Callable[[], object]] = []


@dataclass
class Finding:
    """A problem found by a rule: structured parameters, rendered into a message in the reader's language."""

    code: str
    severity: Severity
    # The values the message names: printed and expected numbers, template labels, counts…
    params: dict[str, Any] = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)
    loc: str | None = None
    # The sentence or label the finding is about, when it is about text.
    excerpt: str | None = None
    # Which of the rule's message templates ("" is the rule's main message; "text": params["text"]
    # is the message itself, for findings made outside the rules).
    variant: str = ""

    @classmethod
    def of_text(cls, code: str, severity: Severity, text: str, cells: list[str] | None = None,
                loc: str | None = None, excerpt: str | None = None) -> Finding:
        """A finding whose message is already written (tests, findings from outside the rules)."""
        return cls(code, severity, {"text": text}, list(cells or []), loc, excerpt, "text")

    @property
    def message(self) -> str:
        """The message in the current language (xxgk.i18n), rendered from the rule's template."""
        if self.variant == "text":
            return str(self.params.get("text", ""))
        key = (self.code, self.variant)
        if key not in FINDING_MESSAGES:
            for load in _load_messages:
                load()
        template = FINDING_MESSAGES.get(key)
        if template is None:
            return str(self.params.get("text", self.code))
        return render(template, self.params)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code, "severity": self.severity, "message": self.message,
                             "params": dict(self.params), "cells": list(self.cells), "loc": self.loc}
        if self.variant:
            d["variant"] = self.variant
        if self.excerpt:
            d["excerpt"] = self.excerpt
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        params = d.get("params")
        variant = d.get("variant") or ""
        if params is None:  # written before findings carried parameters: keep its message as it was
            params, variant = {"text": d.get("message", "")}, "text"
        return cls(d["code"], d["severity"], dict(params), list(d.get("cells") or []), d.get("loc"),
                   d.get("excerpt"), variant)


@dataclass
class Source:
    file: str
    sha256: str
    kind: str
    pages: int | None = None
    # What the extractor noticed but could not fix (a doubtful OCR line, a page without text).
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"file": self.file, "sha256": self.sha256, "kind": self.kind, "pages": self.pages}
        if self.warnings:
            d["warnings"] = list(self.warnings)
        return d


@dataclass
class Meta:
    title: str | None = None
    agency: str | None = None
    region: str | None = None
    level: str | None = None
    year: int | None = None
    template: str | None = None
    period: tuple[str, str] | None = None
    published: str | None = None
    # Where each meta value came from: "title", "text", "filename", "default", "labels"...
    provenance: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title, "agency": self.agency, "region": self.region, "level": self.level,
            "year": self.year, "template": self.template,
            "period": list(self.period) if self.period else None, "published": self.published,
            "provenance": dict(sorted(self.provenance.items())),
        }


@dataclass
class Report:
    source: Source
    meta: Meta
    sections: list[SectionText]
    # Every cell of the detected template, keyed "table.row.col", in template order; rows the
    # report prints but the template lacks (e.g. other_handling in a 2021 report) follow.
    cells: dict[str, Cell]
    findings: list[Finding] = field(default_factory=list)
    # Labels of rows the parser could not match, with their numbers (shown to reviewers).
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    # The report's outline (xxgk.parse.outline.Outline.to_dict(), plain JSON-able data): headings
    # with level, ordinal and text, the table of contents skipped, where each table was read and
    # how it was laid out. Set by the parser for the rules; not part of the JSON contract (yet)
    # nor of the store, so a report read back from either has None.
    outline: dict[str, Any] | None = None

    @property
    def template(self) -> Template:
        """The template of the report; its table 二 is the one the report printed (see
        ACTIVE_TEMPLATE), so that every cell path resolves to its printed labels."""
        tid = self.meta.template or "2021"
        active = self.meta.provenance.get(ACTIVE_TEMPLATE)
        return _mixed(tid, active) if active and active != tid and active in TEMPLATES else TEMPLATES[tid]

    def foreign_active(self) -> str | None:
        """The other template's id when table 二 is printed on it (2019 rows in a 2021 report)."""
        active = self.meta.provenance.get(ACTIVE_TEMPLATE)
        return active if active and active != self.meta.template else None

    def foreign_rows(self) -> list[str]:
        """Rows of the other template the report printed (e.g. other_handling in a 2021 report)."""
        return [r.key for r in self.template.foreign_rows if f"applications.{r.key}.total" in self.cells]

    def replaced_rows(self) -> list[str]:
        """The template's own rows a printed foreign row stands in for (none of them printed)."""
        t = self.template
        if not self.foreign_rows():
            return []
        cells = self.cells
        known, by_row = _known_paths(t)
        if cells.keys() <= known:  # (the parser's cells): a row's cells are its columns' paths
            paths: list[str] = [p for r in t.replaced_by_foreign for p in by_row.get(r, ()) if p in cells]
        else:  # the cells whose path is applications.<replaced row>[.…]: found by prefix, in C
            rows = {f"applications.{r}" for r in t.replaced_by_foreign}
            paths = [*filter(methodcaller("startswith", tuple(f"{r}." for r in rows)), cells), *(rows & cells.keys())]
        printed = any(cells[p].loc is not None for p in paths)
        return [] if printed else list(t.replaced_by_foreign)

    def equations(self) -> tuple[Equation, ...]:
        """The arithmetic the printed rows must obey."""
        return self.template.foreign_equations if self.replaced_rows() else self.template.equations

    def value(self, path: str) -> Number | None:
        cell = self.cells.get(path)
        return cell.value if cell else None

    def section(self, no: int) -> SectionText | None:
        return next((s for s in self.sections if s.no == no), None)

    def table(self, key: str) -> dict[str, dict[str, Number | None]]:
        out: dict[str, dict[str, Number | None]] = {}
        for path, cell in self.cells.items():
            t, r, c = path.split(".")
            if t == key:
                out.setdefault(r, {})[c] = cell.value
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "source": self.source.to_dict(),
            "meta": self.meta.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "active": self.table("active"),
            "applications": self.table("applications"),
            "appeals": self.table("appeals"),
            "cells": {p: c.to_dict() for p, c in self.cells.items()},
            "unmatched": self.unmatched,
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self, indent: int | None = 1) -> str:
        """Deterministic JSON: same input, byte-identical output."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        """Rebuild a Report from its JSON form (for the store and cross-report rules)."""
        m = d.get("meta") or {}
        meta = Meta(m.get("title"), m.get("agency"), m.get("region"), m.get("level"), m.get("year"),
                    m.get("template"), tuple(m["period"]) if m.get("period") else None,  # type: ignore[arg-type]
                    m.get("published"), dict(m.get("provenance") or {}))
        cells: dict[str, Cell] = {}
        for path, info in (d.get("cells") or {}).items():
            t, r, c = path.split(".")
            value = ((d.get(t) or {}).get(r) or {}).get(c)
            cells[path] = Cell(value, info["status"], info.get("loc"), info.get("raw"), info.get("note"))
        s = d.get("source") or {}
        return cls(
            Source(s.get("file", ""), s.get("sha256", ""), s.get("kind", ""), s.get("pages"),
                   list(s.get("warnings") or [])),
            meta,
            [SectionText(x["no"], x["title"], x["text"], x.get("loc")) for x in d.get("sections") or []],
            cells,
            [Finding.from_dict(f) for f in d.get("findings") or []],
            list(d.get("unmatched") or []),
        )
