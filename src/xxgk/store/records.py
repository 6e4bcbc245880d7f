"""What the store hands out and takes in: plain records, the report filter, and a report as rows.

Nothing here touches a database; `reading`, `writing` and `corpus_state` do.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from xxgk.check.peers import section_signature
from xxgk.i18n import use_lang
from xxgk.identity import BodyIdentity
from xxgk.report import Finding, Report
from xxgk.store import schema as t

# Rows per IN (...) list: well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
CHUNK = 500
# The language of the `findings.message` column, kept for people who query the tables with SQL;
# xxgk itself rebuilds findings from `params` and renders them in the reader's language.
MESSAGE_LANG = "zh"

__all__ = ["BodyIdentity"]  # re-exported: the store's callers name it from here


@dataclass(frozen=True)
class Body:
    """One reporting body (机关), linked across years by region code + normalised name."""

    id: int
    key: str
    name: str
    region: str | None
    region_code: str | None
    level: str | None
    years: tuple[int, ...]


@dataclass(frozen=True)
class ReportEntry:
    """A report's catalogue row: everything but cells, sections and findings."""

    id: int
    sha256: str
    source: str  # path the source was first ingested from
    file: str  # Report.source.file
    kind: str | None
    body_id: int | None
    title: str | None
    agency: str | None
    region: str | None
    region_code: str | None
    level: str | None
    year: int | None
    template: str | None
    parser_version: str


@dataclass(frozen=True)
class StoredFinding:
    """A finding as stored, with the report it belongs to."""

    report_id: int
    file: str
    agency: str | None
    year: int | None
    scope: str  # "report" or "corpus"
    finding: Finding

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def severity(self) -> str:
        return self.finding.severity

    @property
    def message(self) -> str:
        """Rendered in the current language (not the stored Chinese text)."""
        return self.finding.message

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(self.finding.cells)

    @property
    def loc(self) -> str | None:
        return self.finding.loc

    @property
    def excerpt(self) -> str | None:
        return self.finding.excerpt


@dataclass(frozen=True)
class ReportFilter:
    """Which reports: every criterion left None matches all. One object for every query of the
    store that selects reports (the catalogue, the reports, their findings).

    `agency` and a `region` name match substrings; a digit `region` is an administrative code
    and selects everything under it (320800: the city and its districts).
    """

    year: int | tuple[int, ...] | None = None
    agency: str | None = None
    region: str | None = None
    level: str | None = None
    template: str | None = None
    body: int | None = None

    @classmethod
    def of(cls, where: ReportFilter | None = None, **criteria: Any) -> ReportFilter:
        """A filter from an optional filter plus keyword criteria (those given override it)."""
        year = criteria.get("year")
        if year is not None and not isinstance(year, int):
            criteria["year"] = tuple(year)
        base = where or cls()
        return base if not criteria else cls(**{**base.__dict__, **criteria})

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        r = t.reports
        out: list[sa.ColumnElement[bool]] = []
        if self.year is not None:
            out.append(r.c.year.in_([self.year] if isinstance(self.year, int) else list(self.year)))
        if self.agency:
            out.append(r.c.agency.contains(self.agency, autoescape=True))
        if self.region:
            if self.region.isdigit():
                # 320800 (a city) selects the city and everything under it: 3208xx.
                prefix = self.region.rstrip("0") if len(self.region) == 6 else self.region
                out.append(r.c.region_code.startswith(prefix[: max(2, len(prefix) + len(prefix) % 2)]))
            else:
                out.append(r.c.region.contains(self.region, autoescape=True))
        if self.level:
            out.append(r.c.level == self.level)
        if self.template:
            out.append(r.c.template == self.template)
        if self.body is not None:
            out.append(r.c.body_id == self.body)
        return out


@dataclass
class Parsed:
    """A source that parsed: what the ingest's writer stores."""

    name: str
    sha256: str
    size: int
    report: Report | None  # None once `rows` hold it (see prepare())
    body: BodyIdentity | None  # None: the body could not be told for sure; the report stays unlinked
    region_code: str | None = None
    rows: Rows | None = None

    def prepared(self) -> Rows:
        if self.rows is None:
            assert self.report is not None
            self.rows = prepare(self.report, self.region_code)
        return self.rows


@dataclass
class Rows:
    """A report as the rows the store writes, without the ids only the writer knows.

    Built where the report is parsed (a worker), so the single writer only adds ids and hands
    the rows to the driver: building ~200 cell rows a report is work better done in parallel.
    """

    kind: str | None
    report: dict[str, Any]
    cells: list[tuple[Any, ...]]  # CELL_COLUMNS without report_id
    sections: list[tuple[Any, ...]]  # SECTION_COLUMNS without report_id
    findings: list[tuple[Any, ...]]  # FINDING_COLUMNS without report_id and scope
    # The sections' MinHash signature (xxgk.check.peers.section_signature); None when it could
    # not be computed here (no `similarity` extra): the year's peers pass tries again.
    signature: bytes | None = None
    # For PostgreSQL (`prepare(..., copy=True)`): the cells as lines of COPY's text format,
    # CELL_COLUMNS without report_id, and `cells` empty. One bytes object crosses from the
    # worker and goes to COPY as it is, where 200 tuples a report cost the writer (pickle, then
    # psycopg's per-row formatting) more than all its other work together.
    cells_copy: bytes | None = None


CELL_COLUMNS = ("report_id", "table_key", "row_key", "col_key", "seq", "value", "is_int", "status", "location",
                "raw", "note")
SECTION_COLUMNS = ("report_id", "seq", "no", "title", "text", "location")
FINDING_COLUMNS = ("report_id", "scope", "seq", "code", "severity", "message", "params", "variant", "cells",
                   "location", "excerpt")


def finding_rows(findings: Iterable[Finding]) -> list[tuple[Any, ...]]:
    """FINDING_COLUMNS without report_id and scope. The parameters are what xxgk reads back;
    the message is rendered once, in Chinese, for SQL users."""
    with use_lang(MESSAGE_LANG):
        return [
            (seq, f.code, f.severity, f.message, to_json(f.params), f.variant, to_json(list(f.cells)), f.loc,
             f.excerpt)
            for seq, f in enumerate(findings)
        ]


def finding_of_row(code: str, severity: str, params: str, variant: str, cells: str, loc: str | None,
                   excerpt: str | None) -> Finding:
    return Finding(code, severity, json.loads(params), json.loads(cells), loc, excerpt, variant)  # type: ignore[arg-type]


def prepare(rep: Report, region_code: str | None, copy: bool = False) -> Rows:
    """The report as rows; `copy`: its cells as COPY text (see Rows.cells_copy) when it can be."""
    m = rep.meta
    head = {
        "file": rep.source.file,
        "pages": rep.source.pages,
        "title": m.title,
        "agency": m.agency,
        "region": m.region,
        "region_code": region_code,
        "level": m.level,
        "year": m.year,
        "template": m.template,
        "period_start": m.period[0] if m.period else None,
        "period_end": m.period[1] if m.period else None,
        "published": m.published,
        "provenance": to_json(dict(sorted(m.provenance.items()))),
        "unmatched": to_json(rep.unmatched),
    }
    sections = [(seq, s.no, s.title, s.text, s.loc) for seq, s in enumerate(rep.sections)]
    cells_copy = copy_text(rep) if copy else None
    return Rows(rep.source.kind or None, head, [] if cells_copy is not None else cells(rep), sections,
                finding_rows(rep.findings), signature_of(rep), cells_copy)


def cells(rep: Report) -> list[tuple[Any, ...]]:
    """The report's cells as CELL_COLUMNS without report_id."""
    out = []
    for seq, (path, cell) in enumerate(rep.cells.items()):
        # Interned: the same few keys in every report, so pickling the rows to the writer refers
        # back to one copy instead of sending (and unpickling) 200 reports' worth of strings.
        table_key, row_key, col_key = map(sys.intern, path.split("."))
        v = cell.value
        is_int = isinstance(v, int) and not isinstance(v, bool)
        value = None if v is None else float(v)
        out.append((table_key, row_key, col_key, seq, value, is_int, sys.intern(cell.status), cell.loc, cell.raw,
                    cell.note))
    return out


# COPY's text format: fields are joined with placeholders no report holds (ASCII separators),
# the text is escaped once as a whole, then the placeholders become tab, newline and \N. A report
# holding a placeholder character after all (counted, not assumed) is sent as tuples instead.
_SEP, _EOL, _NULL = "\x1c", "\x1e", "\x1f"
# What COPY's text format escapes, as psycopg does (backslash first).
_COPY_ESCAPES = (("\\", "\\\\"), ("\b", "\\b"), ("\t", "\\t"), ("\n", "\\n"), ("\v", "\\v"),
                 ("\f", "\\f"), ("\r", "\\r"))


def copy_text(rep: Report) -> bytes | None:
    """The report's cells (`cells()`) as COPY text lines without their report_id, UTF-8; None
    when a text holds a character the format or the placeholders cannot carry."""
    lines = []
    nulls = 0
    sep, null = _SEP, _NULL
    for seq, (path, cell) in enumerate(rep.cells.items()):
        v, loc, raw, note = cell.value, cell.loc, cell.raw, cell.note
        nulls += (v is None) + (loc is None) + (raw is None) + (note is None)
        # float() then str(): what psycopg sends for the tuple's float (its repr, which PostgreSQL
        # reads back to the same double). The path's two dots separate its three keys.
        lines.append(f"{path.replace('.', sep)}{sep}{seq}{sep}{null if v is None else float(v)}{sep}"
                     f"{'t' if isinstance(v, int) and not isinstance(v, bool) else 'f'}{sep}{cell.status}{sep}"
                     f"{null if loc is None else loc}{sep}{null if raw is None else raw}{sep}"
                     f"{null if note is None else note}")
    if not lines:
        return b""
    text = _EOL.join(lines)
    fields = len(CELL_COLUMNS) - 1
    if (text.count(_SEP) != len(lines) * (fields - 1) or text.count(_EOL) != len(lines) - 1
            or text.count(_NULL) != nulls or "\x00" in text):
        return None
    for char, escaped in _COPY_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    try:
        return text.replace(_SEP, "\t").replace(_EOL, "\n").replace(_NULL, "\\N").encode()
    except UnicodeEncodeError:  # a lone surrogate: the writer's driver says what is wrong, as before
        return None


def signature_of(rep: Report) -> bytes | None:
    try:
        return section_signature(rep)
    except ImportError:  # the extra `similarity` is not installed
        return None


@dataclass
class Failed:
    """A source that could not be read, with the reason (sha256 None when not even its bytes were)."""

    name: str
    reason: str
    sha256: str | None = None
    # False when the cause is outside the file (an optional extra not installed): the failure
    # is recorded, but the next ingest tries the same bytes again instead of skipping them.
    final: bool = True


@dataclass
class Known:
    """What the store already has for one content hash (see `Store.lookup`)."""

    state: str  # "current" | "stale" (parsed by another parser version) | "failed" (this version)
    report_id: int | None = None
    reason: str | None = None


@dataclass
class WriteResult:
    added: int = 0
    reparsed: int = 0
    failed: int = 0
    report_ids: list[int] = field(default_factory=list)


@dataclass
class BodyCheck:
    """Cross-year findings computed for some bodies, waiting for the writer (see corpus_state).

    `revisions` are the bodies' revisions read BEFORE their reports: the writer settles a body
    only if its revision is still the same, i.e. no report of it changed since it was read.
    """

    revisions: dict[int, int]
    report_ids: dict[int, list[int]] = field(default_factory=dict)  # body -> its reports' ids
    # body -> (report, its findings as `finding_rows`)
    findings: dict[int, list[tuple[int, list[tuple[Any, ...]]]]] = field(default_factory=dict)
    settled: dict[int, dict[str, Any]] = field(default_factory=dict)  # body -> its row, from its latest report
    empty: list[int] = field(default_factory=list)  # bodies left without a report

    @property
    def body_ids(self) -> list[int]:
        return sorted(self.revisions)


@dataclass
class YearCheck:
    """The peer findings computed for one year, waiting for the writer (see peer_state).

    `revision` is the year's revision read BEFORE its reports: the writer settles the year only
    if it is still the same. `report_ids` are the reports of the year and the year before, whose
    findings of this year's pass are replaced; `signatures` those the pass had to compute."""

    year: int
    revision: int | None
    report_ids: list[int] = field(default_factory=list)
    findings: list[tuple[int, list[tuple[Any, ...]]]] = field(default_factory=list)  # (report, its finding_rows)
    signatures: dict[int, bytes] = field(default_factory=dict)
    compared: list[int] = field(default_factory=list)  # reports the copy rule compared for the first time


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def chunks(seq: Sequence[Any], n: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]
