"""Reading the store back: the catalogue, `Report`s (exactly as they were stored), bodies,
failures, findings, and a canonical dump for comparing two stores."""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from xxgk.check.rules.cross_report import COPY_CHECKED_SECTIONS
from xxgk.check.similarity import prepared
from xxgk.report import Cell, Finding, Meta, Report, SectionText, Source
from xxgk.store import schema as t
from xxgk.store.database import Base
from xxgk.store.records import (
    CHUNK,
    Body,
    ReportEntry,
    ReportFilter,
    StoredFinding,
    chunks,
    finding_of_row,
    to_json,
)


class Reading(Base):
    def _report_query(self, where: ReportFilter) -> sa.Select[Any]:
        r, s = t.reports, t.sources
        q = sa.select(r, s.c.sha256, s.c.name.label("source_name"), s.c.kind).join(s, s.c.id == r.c.source_id)
        return q.where(*where.conditions()).order_by(
            sa.nulls_last(r.c.year.asc()), self._ordered(s.c.name), s.c.sha256
        )

    def entries(self, where: ReportFilter | None = None, **criteria: Any) -> list[ReportEntry]:
        """The catalogue (no cells): same filter (a `ReportFilter` or its fields) and order as `reports()`."""
        q = self._report_query(ReportFilter.of(where, **criteria))
        with self.engine.connect() as conn:
            return [entry_of_row(row) for row in conn.execute(q).mappings()]

    def reports(self, where: ReportFilter | None = None, **criteria: Any) -> Iterator[Report]:
        """The current parse of every source, filtered (a `ReportFilter` or its fields), as `Report`s.

        Order: year (unknown last), then source path, then sha256 — the same on every backend
        and whatever the order of ingestion. Reports are built in chunks, so memory stays flat
        whatever the store's size.
        """
        q = self._report_query(ReportFilter.of(where, **criteria))
        with self.engine.connect() as conn:
            # Streamed (a server-side cursor on PostgreSQL): not even the ids are all held at once.
            result = conn.execution_options(yield_per=CHUNK).execute(q.with_only_columns(t.reports.c.id))
            for part in result.partitions():
                yield from self._build([row[0] for row in part])

    def report_id(self, sha256: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(t.reports.c.id)
                .join(t.sources, t.sources.c.id == t.reports.c.source_id)
                .where(t.sources.c.sha256 == sha256)
            ).scalar_one_or_none()

    def report(self, report_id: int | str) -> Report:
        """One report by its id, or by its source's sha256 (a stable id across databases)."""
        if isinstance(report_id, str):
            rid = self.report_id(report_id)
        else:
            with self.engine.connect() as conn:
                rid = conn.execute(sa.select(t.reports.c.id).where(t.reports.c.id == report_id)).scalar_one_or_none()
        if rid is None:
            raise KeyError(f"no report {report_id!r} in {self.url}")
        return self._build([rid])[0]

    def _build(self, ids: Sequence[int], for_rules: bool = False) -> list[Report]:
        """Reports for these ids (in this order) from the long-form tables.

        Children are read with plain driver SQL: ~200 cells a report, and SQLAlchemy's per-row
        result processing cost several times what the database did. With `for_rules`, only
        what the cross-year rules read (cells and the sections they compare, no findings): a partial Report,
        never handed out of the store.
        """
        out: list[Report] = []
        with gc_paused():
            for chunk in chunks(list(ids)):
                out.extend(self._build_chunk(chunk, for_rules))
        return out

    def _build_chunk(self, ids: Sequence[int], for_rules: bool) -> list[Report]:
        if not ids:
            return []
        r, s = t.reports, t.sources
        marks = ", ".join(["?" if self.dialect == "sqlite" else "%s"] * len(ids))
        params = tuple(ids)
        cells: dict[int, dict[str, Cell]] = {i: {} for i in ids}
        sections: dict[int, list[SectionText]] = {i: [] for i in ids}
        found: dict[int, list[Finding]] = {i: [] for i in ids}
        with self.engine.connect() as conn:
            heads = {
                row.id: row
                for row in conn.execute(
                    sa.select(r, s.c.sha256, s.c.kind).join(s, s.c.id == r.c.source_id).where(r.c.id.in_(ids))
                )
            }
            for rid, tk, rk, ck, value, is_int, status, loc, raw, note in _fetch(
                conn,
                "SELECT report_id, table_key, row_key, col_key, value, is_int, status, location, raw, note "
                f"FROM cells WHERE report_id IN ({marks}) ORDER BY report_id, seq",
                params,
            ):
                if value is not None:
                    value = int(value) if is_int else float(value)
                cells[rid][f"{tk}.{rk}.{ck}"] = Cell(value, status, loc, raw, note)
            for rid, no, title, text, loc in _fetch(
                conn,
                f"SELECT report_id, no, title, text, location FROM sections WHERE report_id IN ({marks}) "
                + (f"AND no IN ({', '.join(map(str, COPY_CHECKED_SECTIONS))}) " if for_rules else "")
                + "ORDER BY report_id, seq",
                params,
            ):
                # For the rules: cleaned once here, not at each of the copy rule's comparisons.
                sections[rid].append(SectionText(no, title, prepared(text) if for_rules else text, loc))
            # Report-rule findings in their parse order; corpus findings are kept apart (see findings()).
            if not for_rules:
                for rid, *row in _fetch(
                    conn,
                    "SELECT report_id, code, severity, params, variant, cells, location, excerpt FROM findings "
                    f"WHERE report_id IN ({marks}) AND scope = 'report' ORDER BY report_id, seq",
                    params,
                ):
                    found[rid].append(finding_of_row(*row))
        out = []
        for i in ids:
            h = heads[i]
            period = (h.period_start, h.period_end) if h.period_start is not None else None
            meta = Meta(h.title, h.agency, h.region, h.level, h.year, h.template, period, h.published,
                        json.loads(h.provenance))
            source = Source(h.file, h.sha256, h.kind or "", h.pages)
            out.append(Report(source, meta, sections[i], cells[i], found[i], json.loads(h.unmatched)))
        return out

    def bodies(self) -> list[Body]:
        """Every body with at least one report, by region code then name."""
        b, r = t.bodies, t.reports
        with self.engine.connect() as conn:
            years: dict[int, set[int]] = {}
            for body_id, year in conn.execute(sa.select(r.c.body_id, r.c.year).where(r.c.body_id.is_not(None))):
                years.setdefault(body_id, set())
                if year is not None:
                    years[body_id].add(year)
            rows = conn.execute(
                sa.select(b).order_by(sa.nulls_last(b.c.region_code.asc()), self._ordered(b.c.name), b.c.key)
            ).all()
        return [
            Body(x.id, x.key, x.name, x.region, x.region_code, x.level, tuple(sorted(years[x.id])))
            for x in rows
            if x.id in years
        ]

    def failures(self) -> list[tuple[str, str]]:
        """(file, reason) for every source that could not be read, by file name."""
        f = t.failures
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(f.c.file, f.c.reason).order_by(self._ordered(f.c.file)))
            return [(x, why) for x, why in rows]

    def findings(
        self,
        where: ReportFilter | None = None,
        *,
        report_id: int | None = None,
        code: str | None = None,
        severity: str | None = None,
        scope: str | None = None,
        **criteria: Any,
    ) -> list[StoredFinding]:
        """Stored findings of the reports a filter selects (a `ReportFilter` or its fields);
        `code` matches a code or a code prefix (like `--select`).
        Order: report id, then the report's own findings, the cross-year ones, the cross-body ones."""
        f = t.findings
        conditions = ReportFilter.of(where, **criteria).conditions()
        if report_id is not None:
            conditions.append(f.c.report_id == report_id)
        if code:
            conditions.append(f.c.code.startswith(code, autoescape=True))
        if severity:
            conditions.append(f.c.severity == severity)
        if scope:
            conditions.append(f.c.scope == scope)
        return self._query_findings(*conditions)

    def _query_findings(self, *where: sa.ColumnElement[bool]) -> list[StoredFinding]:
        f, r = t.findings, t.reports
        q = (
            sa.select(f, r.c.file, r.c.agency, r.c.year)
            .join(r, r.c.id == f.c.report_id)
            .where(*where)
            # Cross-year findings (peer_year NULL) before cross-body ones, each pass's in its order.
            .order_by(f.c.report_id, f.c.scope.desc(), sa.nulls_first(f.c.peer_year.asc()), f.c.seq)
        )
        with self.engine.connect() as conn:
            return [
                StoredFinding(
                    x.report_id, x.file, x.agency, x.year, x.scope,
                    finding_of_row(x.code, x.severity, x.params, x.variant, x.cells, x.location, x.excerpt),
                )
                for x in conn.execute(q)
            ]

    def _findings_of(self, report_ids: Sequence[int], scope: str) -> list[StoredFinding]:
        out: list[StoredFinding] = []
        for chunk in chunks(list(report_ids)):
            out.extend(self._query_findings(t.findings.c.report_id.in_(chunk), t.findings.c.scope == scope))
        return out

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                tb.name: conn.execute(sa.select(sa.func.count()).select_from(tb)).scalar_one()
                for tb in (t.sources, t.reports, t.bodies, t.cells, t.sections, t.findings, t.failures)
            }

    def dump(self) -> Iterator[str]:
        """The store's content as deterministic lines, free of ids, timestamps and revisions.

        Two stores holding the same reports dump identically whatever the order, number of
        runs, concurrency or crashes that built them: this is what the crash, concurrency and
        benchmark tests compare.
        """
        s, b, f, r = t.sources, t.bodies, t.failures, t.reports
        with self.engine.connect() as conn:
            for sha, name, kind, size in conn.execute(
                sa.select(s.c.sha256, s.c.name, s.c.kind, s.c.size).order_by(s.c.sha256)
            ):
                yield to_json(["source", sha, name, kind, size])
            body_key = dict(conn.execute(sa.select(b.c.id, b.c.key)).all())
            for x in conn.execute(sa.select(b).order_by(self._ordered(b.c.key))):
                yield to_json(["body", x.key, x.name, x.region, x.region_code, x.level, bool(x.needs_check)])
            for x in conn.execute(sa.select(f).order_by(self._ordered(f.c.file))):
                yield to_json(["failure", x.file, x.sha256, x.reason, x.parser_version])
            heads = conn.execute(
                sa.select(r.c.id, s.c.sha256, r.c.body_id, r.c.region_code, r.c.parser_version)
                .join(s, s.c.id == r.c.source_id)
                .order_by(s.c.sha256)
            ).all()
        for chunk in chunks(heads, 200):
            ids = [h.id for h in chunk]
            corpus: dict[int, list[str]] = {i: [] for i in ids}
            for sf in self._findings_of(ids, "corpus"):
                corpus[sf.report_id].append(to_json(sf.finding.to_dict()))
            for h, rep in zip(chunk, self._build(ids), strict=True):
                yield to_json(["report", h.sha256, body_key.get(h.body_id), h.region_code, h.parser_version])
                yield to_json(rep.to_dict())
                for line in corpus[h.id]:
                    yield f'["corpus-finding","{h.sha256}",{line}]'


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while many objects that live on are made (a chunk of reports
    is 100,000 cells): each collection would walk all of them again, and did cost 40 % of the
    time it takes to build reports. Nothing built here makes a cycle, so nothing waits for it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _fetch(conn: sa.Connection, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """All rows of a query, straight from the driver's cursor: ~200 cells a report, and even
    SQLAlchemy's driver-level result cost more per row than the database did."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def entry_of_row(row: Any) -> ReportEntry:
    return ReportEntry(
        row["id"], row["sha256"], row["source_name"], row["file"], row["kind"], row["body_id"], row["title"],
        row["agency"], row["region"], row["region_code"], row["level"], row["year"], row["template"],
        row["parser_version"],
    )
