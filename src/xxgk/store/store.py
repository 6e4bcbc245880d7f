"""The store: parsed reports in SQLite (default) or PostgreSQL, read back as `Report` objects.

Everything goes through SQLAlchemy Core. Writes come from one writer at a time (the ingest's
writer, or `Store.add` in a script): each batch is one transaction, so a crash loses at most
the batch in flight and never leaves half a report behind.

Reading back gives the exact `Report` that was stored (`store.report(id).to_dict()` equals the
parsed report's), so everything downstream (exports, compile, compare, the web app) reads
`Report` objects and never the tables themselves.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from xxgk.report import Cell, Finding, Meta, Report, SectionText, Source
from xxgk.store import schema as t
from xxgk.store.migrations import StoreError, migrate

DEFAULT_FILE = "xxgk.sqlite"
# Rows per IN (...) list: well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
_CHUNK = 500


def parser_version() -> str:
    """What produced a stored parse: the package version, the parser's and identity's revisions.

    A stored report whose parser_version differs is re-parsed by the next ingest of its source.
    """
    from xxgk import __version__
    from xxgk.identity import IDENTITY_REVISION
    from xxgk.parse import PARSER_REVISION

    return f"{__version__}+p{PARSER_REVISION}.i{IDENTITY_REVISION}"


def database_url(url: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL from what a user types: None, a path, sqlite:///..., postgresql://..."""
    if url is None:
        return f"sqlite:///{Path.cwd() / DEFAULT_FILE}"
    text = os.fspath(url)
    if text.startswith(("postgresql://", "postgres://")):
        # psycopg 3 is the one PostgreSQL driver xxgk depends on; say so in the URL.
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


# ---------------------------------------------------------------- records


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
    code: str
    severity: str
    message: str
    cells: tuple[str, ...]
    loc: str | None
    excerpt: str | None

    @property
    def finding(self) -> Finding:
        return Finding(
            self.code,
            self.severity,
            self.message,
            list(self.cells),
            self.loc,  # type: ignore[arg-type]
            self.excerpt,
        )


@dataclass(frozen=True)
class BodyIdentity:
    """Who wrote a report, as the store links it (built by `xxgk.identity.identify`)."""

    key: str
    name: str
    region: str | None
    region_code: str | None
    level: str | None


@dataclass
class Parsed:
    """A source that parsed: what the ingest's writer stores."""

    name: str
    sha256: str
    size: int
    report: Report
    body: BodyIdentity | None  # None: the body could not be told for sure; the report stays unlinked
    region_code: str | None = None


@dataclass
class Failed:
    """A source that could not be read, with the reason (sha256 None when not even its bytes were)."""

    name: str
    reason: str
    sha256: str | None = None


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


def _now() -> datetime:
    return datetime.now(UTC)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def _install_sqlite_pragmas(engine: sa.Engine) -> None:
    """Real transactions for SQLite (pysqlite otherwise autocommits DDL and begins lazily).

    WAL lets readers (the web app, exports) run while the ingest writes; synchronous=NORMAL
    in WAL mode is durable against a killed process (only a power loss can drop the last
    commits); foreign keys are off by default in SQLite and on here.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # A writer takes the write lock up front, so it never fails half-way on a lock upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("xxgk_write") else "BEGIN")


# ---------------------------------------------------------------- the store


class Store:
    """Reports, findings and failures in one database. Open with `Store.open(url)`."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.version = migrate(engine)

    # -------------------------------------------------------------- open / close

    @classmethod
    def open(cls, url: str | os.PathLike[str] | None = None) -> Store:
        """Open (creating and migrating as needed) a store.

        `None` is the SQLite file `xxgk.sqlite` in the current folder; a bare path or
        `sqlite:///path` is a SQLite file; `postgresql://user:pass@host/db` uses psycopg 3.
        """
        full = database_url(url)
        if full.startswith("sqlite"):
            db = sa.engine.make_url(full).database
            if db and db != ":memory:":
                parent = Path(db).parent
                if not parent.is_dir():
                    raise StoreError(f"cannot create the database {db}: folder {parent} does not exist")
            engine = sa.create_engine(full)
            _install_sqlite_pragmas(engine)
        else:
            engine = sa.create_engine(full, pool_pre_ping=True)
        try:
            return cls(engine)
        except sa.exc.OperationalError as e:
            engine.dispose()
            raise StoreError(
                f"cannot open the database {engine.url.render_as_string(hide_password=True)}: {e.orig or e}"
            ) from e
        except BaseException:
            engine.dispose()
            raise

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _write(self) -> sa.Connection:
        return self.engine.connect().execution_options(xxgk_write=True)

    def _ordered(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        # Code-point order on both backends (PostgreSQL's default collation is locale-dependent).
        return column.collate("C") if self.dialect == "postgresql" else column

    # -------------------------------------------------------------- reading

    def _report_query(
        self,
        *,
        year: int | Iterable[int] | None = None,
        agency: str | None = None,
        region: str | None = None,
        level: str | None = None,
        template: str | None = None,
        body: int | None = None,
    ) -> sa.Select[Any]:
        r, s = t.reports, t.sources
        q = sa.select(r, s.c.sha256, s.c.name.label("source_name"), s.c.kind).join(s, s.c.id == r.c.source_id)
        if year is not None:
            years = [year] if isinstance(year, int) else list(year)
            q = q.where(r.c.year.in_(years))
        if agency:
            q = q.where(r.c.agency.contains(agency, autoescape=True))
        if region:
            if region.isdigit():
                # 320800 (a city) selects the city and everything under it: 3208xx.
                prefix = region.rstrip("0") if len(region) == 6 else region
                q = q.where(r.c.region_code.startswith(prefix[: max(2, len(prefix) + len(prefix) % 2)]))
            else:
                q = q.where(r.c.region.contains(region, autoescape=True))
        if level:
            q = q.where(r.c.level == level)
        if template:
            q = q.where(r.c.template == template)
        if body is not None:
            q = q.where(r.c.body_id == body)
        return q.order_by(sa.nulls_last(r.c.year.asc()), self._ordered(s.c.name), s.c.sha256)

    def entries(
        self,
        year: int | Iterable[int] | None = None,
        agency: str | None = None,
        region: str | None = None,
        level: str | None = None,
        template: str | None = None,
        body: int | None = None,
    ) -> list[ReportEntry]:
        """The catalogue (no cells): same filters and order as `reports()`."""
        q = self._report_query(
            year=year, agency=agency, region=region, level=level, template=template, body=body
        )
        with self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(q).mappings()]

    def reports(
        self,
        year: int | Iterable[int] | None = None,
        agency: str | None = None,
        region: str | None = None,
        level: str | None = None,
        template: str | None = None,
        body: int | None = None,
    ) -> Iterator[Report]:
        """The current parse of every source, filtered, as `Report`s.

        Order: year (unknown last), then source path, then sha256 — the same on every backend
        and whatever the order of ingestion. `agency` and a `region` name match substrings; a
        digit `region` is an administrative code and selects everything under it (320800: the
        city and its districts). Reports are built in chunks, so memory stays flat whatever the
        store's size.
        """
        for chunk in _chunks(self.entries(year, agency, region, level, template, body), _CHUNK):
            yield from self._build([e.id for e in chunk])

    def report(self, report_id: int | str) -> Report:
        """One report by its id, or by its source's sha256 (a stable id across databases)."""
        with self.engine.connect() as conn:
            if isinstance(report_id, str):
                rid = conn.execute(
                    sa.select(t.reports.c.id)
                    .join(t.sources, t.sources.c.id == t.reports.c.source_id)
                    .where(t.sources.c.sha256 == report_id)
                ).scalar_one_or_none()
            else:
                rid = conn.execute(
                    sa.select(t.reports.c.id).where(t.reports.c.id == report_id)
                ).scalar_one_or_none()
        if rid is None:
            raise KeyError(f"no report {report_id!r} in {self.url}")
        return self._build([rid])[0]

    def report_id(self, sha256: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(t.reports.c.id)
                .join(t.sources, t.sources.c.id == t.reports.c.source_id)
                .where(t.sources.c.sha256 == sha256)
            ).scalar_one_or_none()

    def _build(self, ids: Sequence[int]) -> list[Report]:
        """Reports for these ids (in this order) from the long-form tables."""
        if not ids:
            return []
        r, s = t.reports, t.sources
        with self.engine.connect() as conn:
            heads = {
                row.id: row
                for row in conn.execute(
                    sa.select(r, s.c.sha256, s.c.kind).join(s, s.c.id == r.c.source_id).where(r.c.id.in_(ids))
                )
            }
            cells: dict[int, dict[str, Cell]] = {i: {} for i in ids}
            for c in conn.execute(
                sa.select(t.cells)
                .where(t.cells.c.report_id.in_(ids))
                .order_by(t.cells.c.report_id, t.cells.c.seq)
            ):
                value: int | float | None = c.value
                if value is not None:
                    value = int(value) if c.is_int else float(value)
                cells[c.report_id][f"{c.table_key}.{c.row_key}.{c.col_key}"] = Cell(
                    value, c.status, c.location, c.raw, c.note
                )  # type: ignore[arg-type]
            sections: dict[int, list[SectionText]] = {i: [] for i in ids}
            for x in conn.execute(
                sa.select(t.sections)
                .where(t.sections.c.report_id.in_(ids))
                .order_by(t.sections.c.report_id, t.sections.c.seq)
            ):
                sections[x.report_id].append(SectionText(x.no, x.title, x.text, x.location))
            found: dict[int, list[Finding]] = {i: [] for i in ids}
            # Report-rule findings in their parse order; corpus findings are kept apart (see findings()).
            for f in conn.execute(
                sa.select(t.findings)
                .where(t.findings.c.report_id.in_(ids), t.findings.c.scope == "report")
                .order_by(t.findings.c.report_id, t.findings.c.seq)
            ):
                found[f.report_id].append(
                    Finding(f.code, f.severity, f.message, json.loads(f.cells), f.location, f.excerpt)
                )
        out = []
        for i in ids:
            h = heads[i]
            meta = Meta(
                h.title,
                h.agency,
                h.region,
                h.level,
                h.year,
                h.template,
                (h.period_start, h.period_end) if h.period_start is not None else None,
                h.published,
                json.loads(h.provenance),
            )
            out.append(
                Report(
                    Source(h.file, h.sha256, h.kind or "", h.pages),
                    meta,
                    sections[i],
                    cells[i],
                    found[i],
                    json.loads(h.unmatched),
                )
            )
        return out

    def bodies(self) -> list[Body]:
        """Every body with at least one report, by region code then name."""
        b, r = t.bodies, t.reports
        with self.engine.connect() as conn:
            years: dict[int, set[int]] = {}
            for body_id, year in conn.execute(
                sa.select(r.c.body_id, r.c.year).where(r.c.body_id.is_not(None))
            ):
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
        with self.engine.connect() as conn:
            return [
                (f, why)
                for f, why in conn.execute(
                    sa.select(t.failures.c.file, t.failures.c.reason).order_by(
                        self._ordered(t.failures.c.file)
                    )
                )
            ]

    def findings(
        self,
        report_id: int | None = None,
        code: str | None = None,
        severity: str | None = None,
        scope: str | None = None,
        year: int | None = None,
        body: int | None = None,
    ) -> list[StoredFinding]:
        """Stored findings, filtered; `code` matches a code or a code prefix (like `--select`)."""
        f, r = t.findings, t.reports
        q = sa.select(f, r.c.file, r.c.agency, r.c.year).join(r, r.c.id == f.c.report_id)
        if report_id is not None:
            q = q.where(f.c.report_id == report_id)
        if code:
            q = q.where(f.c.code.startswith(code, autoescape=True))
        if severity:
            q = q.where(f.c.severity == severity)
        if scope:
            q = q.where(f.c.scope == scope)
        if year is not None:
            q = q.where(r.c.year == year)
        if body is not None:
            q = q.where(r.c.body_id == body)
        q = q.order_by(f.c.report_id, f.c.scope.desc(), f.c.seq)
        with self.engine.connect() as conn:
            return [
                StoredFinding(
                    x.report_id,
                    x.file,
                    x.agency,
                    x.year,
                    x.scope,
                    x.code,
                    x.severity,
                    x.message,
                    tuple(json.loads(x.cells)),
                    x.location,
                    x.excerpt,
                )
                for x in conn.execute(q)
            ]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                tb.name: conn.execute(sa.select(sa.func.count()).select_from(tb)).scalar_one()
                for tb in (t.sources, t.reports, t.bodies, t.cells, t.sections, t.findings, t.failures)
            }

    # -------------------------------------------------------------- writing

    def lookup(self, sha256s: Iterable[str], version: str | None = None) -> dict[str, Known]:
        """What is already stored for these content hashes; hashes not returned are new."""
        version = version or parser_version()
        out: dict[str, Known] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(sha256s)), _CHUNK):
                for sha, rid, pv in conn.execute(
                    sa.select(t.sources.c.sha256, t.reports.c.id, t.reports.c.parser_version)
                    .join(t.reports, t.reports.c.source_id == t.sources.c.id)
                    .where(t.sources.c.sha256.in_(chunk))
                ):
                    out[sha] = Known("current" if pv == version else "stale", rid)
                for sha, reason in conn.execute(
                    sa.select(t.failures.c.sha256, t.failures.c.reason).where(
                        t.failures.c.sha256.in_(chunk), t.failures.c.parser_version == version
                    )
                ):
                    out.setdefault(sha, Known("failed", None, reason))
        return out

    def add(
        self,
        report: Report,
        *,
        name: str | None = None,
        size: int | None = None,
        body: BodyIdentity | None = None,
    ) -> int:
        """Store one parsed report (identity computed when not given); returns its id.

        For scripts and tests; the ingest writes through `write()` in batches.
        """
        region_code = body.region_code if body else None
        if body is None:
            from xxgk.identity import identify

            ident = identify(report)
            body, region_code = ident.body, ident.region_code
        item = Parsed(name or report.source.file, report.source.sha256, size or 0, report, body, region_code)
        res = self.write([item])
        return res.report_ids[0]

    def write(self, items: Sequence[Parsed | Failed], version: str | None = None) -> WriteResult:
        """Store a batch in ONE transaction: new sources, re-parses (old parse replaced) and failures.

        A source already stored with the same parser version is left alone (same bytes: no-op).
        """
        version = version or parser_version()
        res = WriteResult()
        now = _now()
        with self._write() as conn, conn.begin():
            for item in items:
                if isinstance(item, Failed):
                    self._write_failure(conn, item, version, now)
                    res.failed += 1
                    continue
                rid, state = self._write_report(conn, item, version, now)
                if state == "added":
                    res.added += 1
                elif state == "reparsed":
                    res.reparsed += 1
                res.report_ids.append(rid)
        return res

    def _write_failure(self, conn: sa.Connection, item: Failed, version: str, now: datetime) -> None:
        conn.execute(sa.delete(t.failures).where(t.failures.c.file == item.name))
        conn.execute(
            t.failures.insert().values(
                file=item.name, sha256=item.sha256, reason=item.reason, parser_version=version, seen=now
            )
        )

    def _body_id(self, conn: sa.Connection, body: BodyIdentity | None) -> int | None:
        if body is None:
            return None
        b = t.bodies
        bid = conn.execute(sa.select(b.c.id).where(b.c.key == body.key)).scalar_one_or_none()
        if bid is None:
            bid = conn.execute(
                b.insert()
                .values(
                    key=body.key,
                    name=body.name,
                    region=body.region,
                    region_code=body.region_code,
                    level=body.level,
                    needs_check=True,
                )
                .returning(b.c.id)
            ).scalar_one()
        else:
            conn.execute(b.update().where(b.c.id == bid).values(needs_check=True))
        return bid

    def _write_report(
        self, conn: sa.Connection, item: Parsed, version: str, now: datetime
    ) -> tuple[int, str]:
        rep = item.report
        src = conn.execute(
            sa.select(t.sources.c.id).where(t.sources.c.sha256 == item.sha256)
        ).scalar_one_or_none()
        state = "added"
        if src is None:
            src = conn.execute(
                t.sources.insert()
                .values(
                    sha256=item.sha256,
                    name=item.name,
                    kind=rep.source.kind or None,
                    size=item.size,
                    first_seen=now,
                )
                .returning(t.sources.c.id)
            ).scalar_one()
        else:
            old = conn.execute(
                sa.select(t.reports.c.id, t.reports.c.parser_version, t.reports.c.body_id).where(
                    t.reports.c.source_id == src
                )
            ).one_or_none()
            if old is not None:
                if old.parser_version == version:
                    return old.id, "unchanged"
                # Re-parse: the old parse goes in this same transaction. Its body may lose its
                # only report or its cross-year findings, so it is re-checked too.
                self._delete_report(conn, old.id)
                if old.body_id is not None:
                    conn.execute(
                        t.bodies.update().where(t.bodies.c.id == old.body_id).values(needs_check=True)
                    )
                state = "reparsed"
        # The bytes parsed now: any failure recorded under this name is history.
        conn.execute(sa.delete(t.failures).where(t.failures.c.file == item.name))
        body_id = self._body_id(conn, item.body)
        m = rep.meta
        rid = conn.execute(
            t.reports.insert()
            .values(
                source_id=src,
                body_id=body_id,
                file=rep.source.file or item.name,
                pages=rep.source.pages,
                title=m.title,
                agency=m.agency,
                region=m.region,
                region_code=item.region_code,
                level=m.level,
                year=m.year,
                template=m.template,
                period_start=m.period[0] if m.period else None,
                period_end=m.period[1] if m.period else None,
                published=m.published,
                provenance=_json(dict(sorted(m.provenance.items()))),
                unmatched=_json(rep.unmatched),
                parser_version=version,
                created=now,
            )
            .returning(t.reports.c.id)
        ).scalar_one()
        cell_rows = []
        for seq, (path, cell) in enumerate(rep.cells.items()):
            table_key, row_key, col_key = path.split(".")
            v = cell.value
            cell_rows.append(
                {
                    "report_id": rid,
                    "table_key": table_key,
                    "row_key": row_key,
                    "col_key": col_key,
                    "seq": seq,
                    "value": None if v is None else float(v),
                    "is_int": isinstance(v, int) and not isinstance(v, bool),
                    "status": cell.status,
                    "location": cell.loc,
                    "raw": cell.raw,
                    "note": cell.note,
                }
            )
        if cell_rows:
            conn.execute(t.cells.insert(), cell_rows)
        if rep.sections:
            conn.execute(
                t.sections.insert(),
                [
                    {
                        "report_id": rid,
                        "seq": seq,
                        "no": s.no,
                        "title": s.title,
                        "text": s.text,
                        "location": s.loc,
                    }
                    for seq, s in enumerate(rep.sections)
                ],
            )
        self._insert_findings(conn, rid, "report", rep.findings)
        return rid, state

    def _insert_findings(
        self, conn: sa.Connection, report_id: int, scope: str, found: Sequence[Finding]
    ) -> None:
        if found:
            conn.execute(
                t.findings.insert(),
                [
                    {
                        "report_id": report_id,
                        "scope": scope,
                        "seq": seq,
                        "code": f.code,
                        "severity": f.severity,
                        "message": f.message,
                        "cells": _json(list(f.cells)),
                        "location": f.loc,
                        "excerpt": f.excerpt,
                    }
                    for seq, f in enumerate(found)
                ],
            )

    def _delete_report(self, conn: sa.Connection, report_id: int) -> None:
        # Explicit, not ON DELETE CASCADE: the same statements on every backend and pragma.
        for tb in (t.findings, t.cells, t.sections):
            conn.execute(sa.delete(tb).where(tb.c.report_id == report_id))
        conn.execute(sa.delete(t.reports).where(t.reports.c.id == report_id))

    # -------------------------------------------------------------- corpus (cross-year) findings

    def bodies_to_check(self) -> list[int]:
        """Bodies whose reports changed since their cross-year rules last ran."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(t.bodies.c.id).where(t.bodies.c.needs_check).order_by(t.bodies.c.id)
                ).scalars()
            )

    def recheck_bodies(self, body_ids: Iterable[int] | None = None) -> int:
        """Run the corpus rules over each body's reports and replace its corpus findings.

        Each body is one transaction that also clears its `needs_check` mark and settles its
        display name, region and level on those of its latest report (so they do not depend on
        the order files were ingested in). A body left with no report is deleted. Returns the
        number of corpus findings written.
        """
        from xxgk.check.rules.cross_report import corpus_findings

        ids = self.bodies_to_check() if body_ids is None else list(body_ids)
        written = 0
        for bid in ids:
            entries = self.entries(body=bid)
            # One report: no pair to compare, and nothing to load.
            reports = list(self._build([e.id for e in entries])) if len(entries) > 1 else []
            found = corpus_findings(reports) if reports else []
            by_report: dict[int, list[Finding]] = {}
            index = {id(rep): e.id for rep, e in zip(reports, entries, strict=False)}  # reports: [] or one per entry
            for rep, finding in found:
                by_report.setdefault(index[id(rep)], []).append(finding)
            with self._write() as conn, conn.begin():
                ids_of_body = [e.id for e in entries]
                for chunk in _chunks(ids_of_body, _CHUNK):
                    conn.execute(
                        sa.delete(t.findings).where(
                            t.findings.c.report_id.in_(chunk), t.findings.c.scope == "corpus"
                        )
                    )
                for rid in sorted(by_report):
                    self._insert_findings(conn, rid, "corpus", by_report[rid])
                    written += len(by_report[rid])
                if not entries:
                    conn.execute(sa.delete(t.bodies).where(t.bodies.c.id == bid))
                    continue
                latest = max(entries, key=lambda e: (e.year or 0, e.sha256))
                conn.execute(
                    t.bodies.update()
                    .where(t.bodies.c.id == bid)
                    .values(
                        name=latest.agency or latest.title or latest.file,
                        region=latest.region,
                        region_code=latest.region_code,
                        level=latest.level,
                        needs_check=False,
                    )
                )
        return written

    # -------------------------------------------------------------- canonical dump

    def dump(self) -> Iterator[str]:
        """The store's content as deterministic lines, free of ids and timestamps.

        Two stores holding the same reports dump identically whatever the order, number of
        runs or crashes that built them: this is what the crash and benchmark tests compare.
        """
        sha_of = {}
        with self.engine.connect() as conn:
            for rid, sha in conn.execute(
                sa.select(t.reports.c.id, t.sources.c.sha256).join(
                    t.sources, t.sources.c.id == t.reports.c.source_id
                )
            ):
                sha_of[rid] = sha
            for sha, name, kind, size in conn.execute(
                sa.select(t.sources.c.sha256, t.sources.c.name, t.sources.c.kind, t.sources.c.size).order_by(
                    t.sources.c.sha256
                )
            ):
                yield _json(["source", sha, name, kind, size])
            body_key = dict(conn.execute(sa.select(t.bodies.c.id, t.bodies.c.key)).all())
            for b in conn.execute(sa.select(t.bodies).order_by(t.bodies.c.key)):
                yield _json(["body", b.key, b.name, b.region, b.region_code, b.level, bool(b.needs_check)])
            for f in conn.execute(sa.select(t.failures).order_by(t.failures.c.file)):
                yield _json(["failure", f.file, f.sha256, f.reason, f.parser_version])
            heads = conn.execute(sa.select(t.reports)).all()
        for h in sorted(heads, key=lambda h: sha_of[h.id]):
            yield _json(["report", sha_of[h.id], body_key.get(h.body_id), h.region_code, h.parser_version])
            rep = self._build([h.id])[0]
            yield _json(rep.to_dict())
            for sf in self.findings(report_id=h.id, scope="corpus"):
                yield _json(["corpus-finding", sha_of[h.id], sf.finding.to_dict()])


def _entry(row: Any) -> ReportEntry:
    return ReportEntry(
        row["id"],
        row["sha256"],
        row["source_name"],
        row["file"],
        row["kind"],
        row["body_id"],
        row["title"],
        row["agency"],
        row["region"],
        row["region_code"],
        row["level"],
        row["year"],
        row["template"],
        row["parser_version"],
    )


def _chunks(seq: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]
