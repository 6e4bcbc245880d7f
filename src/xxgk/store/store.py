"""The store: parsed reports in SQLite (default) or PostgreSQL, read back as `Report` objects.

Everything goes through SQLAlchemy Core. Writes come from one writer at a time (the ingest's
writer, or `Store.add` in a script): each batch is one transaction, so a crash loses at most
the batch in flight and never leaves half a report behind.

Reading back gives the exact `Report` that was stored (`store.report(id).to_dict()` equals the
parsed report's), so everything downstream (exports, compile, compare, the web app) reads
`Report` objects and never the tables themselves.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from xxgk.report import Cell, Finding, Meta, Report, SectionText, Source
from xxgk.store import schema as t
from xxgk.store.migrations import StoreError, current_version, migrate

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
        return Finding.of_text(
            self.code,
            self.severity,  # type: ignore[arg-type]
            self.message,
            list(self.cells),
            self.loc,
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
    cells: list[tuple[Any, ...]]  # _CELL_COLUMNS without report_id
    sections: list[tuple[Any, ...]]  # seq, no, title, text, location
    findings: list[tuple[Any, ...]]  # _FINDING_COLUMNS without report_id and scope


def prepare(rep: Report, region_code: str | None) -> Rows:
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
        "provenance": _json(dict(sorted(m.provenance.items()))),
        "unmatched": _json(rep.unmatched),
    }
    cells = []
    for seq, (path, cell) in enumerate(rep.cells.items()):
        table_key, row_key, col_key = path.split(".")
        v = cell.value
        cells.append(
            (
                table_key,
                row_key,
                col_key,
                seq,
                None if v is None else float(v),
                isinstance(v, int) and not isinstance(v, bool),
                cell.status,
                cell.loc,
                cell.raw,
                cell.note,
            )
        )
    sections = [(seq, s.no, s.title, s.text, s.loc) for seq, s in enumerate(rep.sections)]
    findings = [
        (seq, f.code, f.severity, f.message, _json(list(f.cells)), f.loc, f.excerpt)
        for seq, f in enumerate(rep.findings)
    ]
    return Rows(rep.source.kind or None, head, cells, sections, findings)


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
class BodyCheck:
    """Cross-year findings computed for some bodies, waiting for the writer (see recheck_bodies)."""

    body_ids: list[int]
    report_ids: list[int]  # every report of these bodies: their corpus findings are replaced
    findings: list[tuple[int, list[Finding]]] = field(default_factory=list)
    settled: list[dict[str, Any]] = field(default_factory=list)  # bodies' rows, from their latest report
    empty: list[int] = field(default_factory=list)  # bodies left without a report


_READERS: dict[str, Store] = {}


def check_bodies_at(url: str, body_ids: Sequence[int]) -> BodyCheck:
    """`Store.check_bodies` in a worker process: one read-only handle per database and process."""
    store = _READERS.get(url)
    if store is None:
        store = _READERS[url] = Store(_engine(url), upgrade=False)
    return store.check_bodies(body_ids)


@dataclass
class WriteResult:
    added: int = 0
    reparsed: int = 0
    failed: int = 0
    report_ids: list[int] = field(default_factory=list)


_CELL_COLUMNS = (
    "report_id",
    "table_key",
    "row_key",
    "col_key",
    "seq",
    "value",
    "is_int",
    "status",
    "location",
    "raw",
    "note",
)
_FINDING_COLUMNS = (
    "report_id",
    "scope",
    "seq",
    "code",
    "severity",
    "message",
    "cells",
    "location",
    "excerpt",
)


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


def _engine(full_url: str) -> sa.Engine:
    if full_url.startswith("sqlite"):
        engine = sa.create_engine(full_url)
        _install_sqlite_pragmas(engine)
        return engine
    return sa.create_engine(full_url, pool_pre_ping=True)


# ---------------------------------------------------------------- the store


class Store:
    """Reports, findings and failures in one database. Open with `Store.open(url)`."""

    def __init__(self, engine: sa.Engine, *, upgrade: bool = True) -> None:
        self.engine = engine
        if upgrade:
            self.version = migrate(engine)
        else:  # a worker's read-only handle on a store its writer already opened
            with engine.connect() as conn:
                self.version = current_version(conn) or 0

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
        engine = _engine(full)
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
        q = self._report_query(year=year, agency=agency, region=region, level=level, template=template, body=body)
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
        q = self._report_query(year=year, agency=agency, region=region, level=level, template=template, body=body)
        with self.engine.connect() as conn:
            # Streamed (a server-side cursor on PostgreSQL): not even the ids are all held at once.
            result = conn.execution_options(yield_per=_CHUNK).execute(q.with_only_columns(t.reports.c.id))
            for part in result.partitions():
                yield from self._build([row[0] for row in part])

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
                rid = conn.execute(sa.select(t.reports.c.id).where(t.reports.c.id == report_id)).scalar_one_or_none()
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

    def _build(self, ids: Sequence[int], for_rules: bool = False) -> list[Report]:
        """Reports for these ids (in this order) from the long-form tables.

        Children are read with plain driver SQL: ~200 cells a report, and SQLAlchemy's per-row
        result processing cost several times what the database did.
        """
        out: list[Report] = []
        for chunk in _chunks(list(ids), _CHUNK):
            out.extend(self._build_chunk(chunk, for_rules))
        return out

    def _build_chunk(self, ids: Sequence[int], for_rules: bool = False) -> list[Report]:
        # for_rules: only what the cross-year rules read (cells and section 五, no report
        # findings): a partial Report, never handed out of the store.
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
            for rid, tk, rk, ck, value, is_int, status, loc, raw, note in conn.exec_driver_sql(
                "SELECT report_id, table_key, row_key, col_key, value, is_int, status, location, raw, note "
                f"FROM cells "
                f"WHERE report_id IN ({marks}) ORDER BY report_id, seq",
                params,
            ):
                if value is not None:
                    value = int(value) if is_int else float(value)
                cells[rid][f"{tk}.{rk}.{ck}"] = Cell(value, status, loc, raw, note)
            for rid, no, title, text, loc in conn.exec_driver_sql(
                f"SELECT report_id, no, title, text, location FROM sections WHERE report_id IN ({marks}) "
                + ("AND no = 5 " if for_rules else "")
                + "ORDER BY report_id, seq",
                params,
            ):
                sections[rid].append(SectionText(no, title, text, loc))
            # Report-rule findings in their parse order; corpus findings are kept apart (see findings()).
            if not for_rules:
                for rid, code, severity, message, fcells, loc, excerpt in conn.exec_driver_sql(
                    "SELECT report_id, code, severity, message, cells, location, excerpt FROM findings "
                    f"WHERE report_id IN ({marks}) AND scope = 'report' ORDER BY report_id, seq",
                    params,
                ):
                    found[rid].append(Finding.of_text(code, severity, message, json.loads(fcells), loc, excerpt))
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
        with self.engine.connect() as conn:
            return [
                (f, why)
                for f, why in conn.execute(
                    sa.select(t.failures.c.file, t.failures.c.reason).order_by(self._ordered(t.failures.c.file))
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
        """Stored findings, filtered; `code` matches a code or a code prefix (like `--select`).
        Order: report id, then the report's own findings before the cross-year ones."""
        f, r = t.findings, t.reports
        where: list[sa.ColumnElement[bool]] = []
        if report_id is not None:
            where.append(f.c.report_id == report_id)
        if code:
            where.append(f.c.code.startswith(code, autoescape=True))
        if severity:
            where.append(f.c.severity == severity)
        if scope:
            where.append(f.c.scope == scope)
        if year is not None:
            where.append(r.c.year == year)
        if body is not None:
            where.append(r.c.body_id == body)
        return self._query_findings(*where)

    def _query_findings(self, *where: sa.ColumnElement[bool]) -> list[StoredFinding]:
        f, r = t.findings, t.reports
        q = (
            sa.select(f, r.c.file, r.c.agency, r.c.year)
            .join(r, r.c.id == f.c.report_id)
            .where(*where)
            .order_by(f.c.report_id, f.c.scope.desc(), f.c.seq)
        )
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
        The batch is written set-wise — a handful of statements per batch, not per report —
        because per-row round trips made the writer, not the parser, the bottleneck of ingest.
        """
        version = version or parser_version()
        res = WriteResult()
        now = _now()
        failed = [i for i in items if isinstance(i, Failed)]
        parsed: dict[str, Parsed] = {}
        for i in items:
            if isinstance(i, Parsed):
                parsed.setdefault(i.sha256, i)  # the same bytes twice in a batch: the first name wins
        with self._write() as conn, conn.begin():
            shas = sorted(parsed)
            existing: dict[str, Any] = {}
            for chunk in _chunks(shas, _CHUNK):
                for row in conn.execute(
                    sa.select(
                        t.sources.c.id,
                        t.sources.c.sha256,
                        t.reports.c.id.label("report_id"),
                        t.reports.c.parser_version,
                        t.reports.c.body_id,
                    )
                    .outerjoin(t.reports, t.reports.c.source_id == t.sources.c.id)
                    .where(t.sources.c.sha256.in_(chunk))
                ):
                    existing[row.sha256] = row
            todo: list[Parsed] = []
            stale_reports: list[int] = []
            touched_bodies: set[int] = set()
            for sha in shas:
                old = existing.get(sha)
                if old is not None and old.report_id is not None and old.parser_version == version:
                    res.report_ids.append(old.report_id)  # same bytes, same parser: a no-op
                    continue
                if old is not None and old.report_id is not None:
                    stale_reports.append(old.report_id)
                    if old.body_id is not None:
                        touched_bodies.add(old.body_id)  # it may lose its only report or a finding
                    res.reparsed += 1
                else:
                    res.added += 1
                todo.append(parsed[sha])
            # Re-parses: the old parse goes in this same transaction, before the new one lands.
            self._delete_reports(conn, stale_reports)
            new_sources = [p for p in todo if existing.get(p.sha256) is None]
            if new_sources:
                conn.execute(
                    t.sources.insert(),
                    [
                        {
                            "sha256": p.sha256,
                            "name": p.name,
                            "kind": p.prepared().kind,
                            "size": p.size,
                            "first_seen": now,
                        }
                        for p in new_sources
                    ],
                )
            source_id = {sha: row.id for sha, row in existing.items()}
            for chunk in _chunks([p.sha256 for p in new_sources], _CHUNK):
                source_id.update(
                    (sha, sid)
                    for sid, sha in conn.execute(
                        sa.select(t.sources.c.id, t.sources.c.sha256).where(t.sources.c.sha256.in_(chunk))
                    )
                )
            body_id = self._body_ids(conn, [p.body for p in todo if p.body is not None])
            touched_bodies.update(body_id.values())
            for chunk in _chunks(sorted(touched_bodies), _CHUNK):
                conn.execute(t.bodies.update().where(t.bodies.c.id.in_(chunk)).values(needs_check=True))
            # Parsed now, or failed again: any failure recorded earlier under these names is history.
            names = sorted({p.name for p in todo} | {f.name for f in failed})
            for chunk in _chunks(names, _CHUNK):
                conn.execute(sa.delete(t.failures).where(t.failures.c.file.in_(chunk)))
            if todo:
                rows = (
                    conn.execute(
                        t.reports.insert().returning(t.reports.c.id, sort_by_parameter_order=True),
                        [
                            self._report_row(
                                p,
                                source_id[p.sha256],
                                body_id.get(p.body.key) if p.body else None,
                                version,
                                now,
                            )
                            for p in todo
                        ],
                    )
                    .scalars()
                    .all()
                )
                self._insert_children(conn, list(zip(rows, (p.prepared() for p in todo), strict=True)))
                res.report_ids.extend(rows)
            if failed:
                last = {f.name: f for f in failed}  # one record per name: the latest reason
                conn.execute(
                    t.failures.insert(),
                    [
                        {
                            "file": f.name,
                            "sha256": f.sha256,
                            "reason": f.reason,
                            # A failure that is not final is recorded under no parser version,
                            # so lookup() never reports it as known and the bytes are retried.
                            "parser_version": version if f.final else "",
                            "seen": now,
                        }
                        for f in last.values()
                    ],
                )
                res.failed = len(failed)
        return res

    @staticmethod
    def _report_row(p: Parsed, source_id: int, body_id: int | None, version: str, now: datetime) -> dict[str, Any]:
        head = dict(p.prepared().report)
        head["file"] = head["file"] or p.name
        head.update(source_id=source_id, body_id=body_id, parser_version=version, created=now)
        return head

    def _body_ids(self, conn: sa.Connection, bodies: Sequence[BodyIdentity]) -> dict[str, int]:
        """Ids of these bodies by key, creating the missing ones."""
        b = t.bodies
        wanted = {x.key: x for x in bodies}
        ids: dict[str, int] = {}
        for chunk in _chunks(sorted(wanted), _CHUNK):
            ids.update(conn.execute(sa.select(b.c.key, b.c.id).where(b.c.key.in_(chunk))).all())
        missing = [wanted[k] for k in sorted(wanted) if k not in ids]
        if missing:
            conn.execute(
                b.insert(),
                [
                    {
                        "key": x.key,
                        "name": x.name,
                        "region": x.region,
                        "region_code": x.region_code,
                        "level": x.level,
                        "needs_check": True,
                    }
                    for x in missing
                ],
            )
            for chunk in _chunks([x.key for x in missing], _CHUNK):
                ids.update(conn.execute(sa.select(b.c.key, b.c.id).where(b.c.key.in_(chunk))).all())
        return ids

    def _insert_rows(
        self, conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Bulk rows straight through the driver: cells are ~200 rows per report, and building
        them as SQLAlchemy parameter dicts cost more than the database itself. PostgreSQL gets
        COPY (psycopg's), several times faster than even a pipelined executemany; SQLite gets
        sqlite3's executemany. Both run inside the caller's transaction."""
        if not rows:
            return
        cols = [table.c[c].name for c in columns]  # names from schema.py, never retyped
        if self.dialect == "postgresql":
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        mark = "?"
        conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})",
            list(rows),
        )

    def _insert_children(self, conn: sa.Connection, reports: Sequence[tuple[int, Rows]]) -> None:
        self._insert_rows(conn, t.cells, _CELL_COLUMNS, [(rid, *c) for rid, rows in reports for c in rows.cells])
        self._insert_rows(
            conn,
            t.sections,
            ("report_id", "seq", "no", "title", "text", "location"),
            [(rid, *x) for rid, rows in reports for x in rows.sections],
        )
        self._insert_rows(
            conn, t.findings, _FINDING_COLUMNS, [(rid, "report", *f) for rid, rows in reports for f in rows.findings]
        )

    def _insert_findings(self, conn: sa.Connection, groups: Sequence[tuple[int, str, Sequence[Finding]]]) -> None:
        rows = [
            (rid, scope, seq, f.code, f.severity, f.message, _json(list(f.cells)), f.loc, f.excerpt)
            for rid, scope, found in groups
            for seq, f in enumerate(found)
        ]
        self._insert_rows(conn, t.findings, _FINDING_COLUMNS, rows)

    def _delete_reports(self, conn: sa.Connection, report_ids: Sequence[int]) -> None:
        # Explicit, not ON DELETE CASCADE: the same statements on every backend and pragma.
        for chunk in _chunks(list(report_ids), _CHUNK):
            for tb in (t.findings, t.cells, t.sections):
                conn.execute(sa.delete(tb).where(tb.c.report_id.in_(chunk)))
            conn.execute(sa.delete(t.reports).where(t.reports.c.id.in_(chunk)))

    # -------------------------------------------------------------- corpus (cross-year) findings

    def bodies_to_check(self) -> list[int]:
        """Bodies whose reports changed since their cross-year rules last ran."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(sa.select(t.bodies.c.id).where(t.bodies.c.needs_check).order_by(t.bodies.c.id)).scalars()
            )

    def recheck_bodies(
        self,
        body_ids: Iterable[int] | None = None,
        group: int = 50,
        executor: cf.Executor | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Run the corpus rules over each body's reports and replace its corpus findings.

        Bodies are done `group` at a time. Reading a group and running the rules is read-only
        work (`check_bodies`), done here or, given an `executor` (the ingest's worker pool), in
        parallel by worker processes that open the same database; writing a group's result
        (`settle_bodies`) is one transaction, here, by the single writer. Returns the number
        of corpus findings written.
        """
        ids = self.bodies_to_check() if body_ids is None else sorted(set(body_ids))
        groups = [list(g) for g in _chunks(ids, group)]
        written = 0
        if executor is None:
            for g in groups:
                written += self.settle_bodies(self.check_bodies(g))
                if on_progress:
                    on_progress(len(g))
            return written
        url = self.engine.url.render_as_string(hide_password=False)
        futures = [executor.submit(check_bodies_at, url, g) for g in groups]
        for fut in cf.as_completed(futures):
            result = fut.result()
            written += self.settle_bodies(result)
            if on_progress:
                on_progress(len(result.body_ids))
        return written

    def check_bodies(self, body_ids: Sequence[int]) -> BodyCheck:
        """Corpus findings for these bodies, and what each body's row should say (read-only)."""
        from xxgk.check.rules.cross_report import corpus_findings

        entries: dict[int, list[ReportEntry]] = {b: [] for b in body_ids}
        with self.engine.connect() as conn:
            for row in conn.execute(self._report_query().where(t.reports.c.body_id.in_(list(body_ids)))).mappings():
                entries[row["body_id"]].append(_entry(row))
        # A body with one report has no pair to compare: nothing to load for it.
        load = [e.id for es in entries.values() if len(es) > 1 for e in es]
        built = dict(zip(load, self._build(load, for_rules=True), strict=True))
        check = BodyCheck(list(body_ids), [e.id for es in entries.values() for e in es])
        for b, es in entries.items():
            if not es:
                check.empty.append(b)
                continue
            # The body's name, region and level are those of its latest report, so they do not
            # depend on the order files were ingested in.
            latest = max(es, key=lambda e: (e.year or 0, e.sha256))
            check.settled.append(
                {
                    "b_id": b,
                    "name": latest.agency or latest.title or latest.file,
                    "region": latest.region,
                    "region_code": latest.region_code,
                    "level": latest.level,
                    "needs_check": False,
                }
            )
            if len(es) < 2:
                continue
            reports = [built[e.id] for e in es]
            rid_of = {id(rep): e.id for rep, e in zip(reports, es, strict=True)}
            per: dict[int, list[Finding]] = {}
            for rep, finding in corpus_findings(reports):
                per.setdefault(rid_of[id(rep)], []).append(finding)
            check.findings.extend((rid, per[rid]) for rid in sorted(per))
        return check

    def settle_bodies(self, check: BodyCheck) -> int:
        """Write a `check_bodies` result in one transaction: the bodies' corpus findings replaced,
        their rows settled and their `needs_check` mark cleared, bodies left without a report deleted."""
        with self._write() as conn, conn.begin():
            for chunk in _chunks(check.report_ids, _CHUNK):
                conn.execute(
                    sa.delete(t.findings).where(t.findings.c.report_id.in_(chunk), t.findings.c.scope == "corpus")
                )
            self._insert_rows(
                conn,
                t.findings,
                _FINDING_COLUMNS,
                [
                    (rid, "corpus", seq, f.code, f.severity, f.message, _json(list(f.cells)), f.loc, f.excerpt)
                    for rid, found in check.findings
                    for seq, f in enumerate(found)
                ],
            )
            if check.empty:
                conn.execute(sa.delete(t.bodies).where(t.bodies.c.id.in_(check.empty)))
            if check.settled:
                conn.execute(t.bodies.update().where(t.bodies.c.id == sa.bindparam("b_id")), check.settled)
        return sum(len(f) for _, f in check.findings)

    # -------------------------------------------------------------- canonical dump

    def dump(self) -> Iterator[str]:
        """The store's content as deterministic lines, free of ids and timestamps.

        Two stores holding the same reports dump identically whatever the order, number of
        runs or crashes that built them: this is what the crash and benchmark tests compare.
        """
        s, b, f, r = t.sources, t.bodies, t.failures, t.reports
        with self.engine.connect() as conn:
            for sha, name, kind, size in conn.execute(
                sa.select(s.c.sha256, s.c.name, s.c.kind, s.c.size).order_by(s.c.sha256)
            ):
                yield _json(["source", sha, name, kind, size])
            body_key = dict(conn.execute(sa.select(b.c.id, b.c.key)).all())
            for x in conn.execute(sa.select(b).order_by(self._ordered(b.c.key))):
                yield _json(["body", x.key, x.name, x.region, x.region_code, x.level, bool(x.needs_check)])
            for x in conn.execute(sa.select(f).order_by(self._ordered(f.c.file))):
                yield _json(["failure", x.file, x.sha256, x.reason, x.parser_version])
            heads = conn.execute(
                sa.select(r.c.id, s.c.sha256, r.c.body_id, r.c.region_code, r.c.parser_version)
                .join(s, s.c.id == r.c.source_id)
                .order_by(s.c.sha256)
            ).all()
        for chunk in _chunks(heads, 200):
            ids = [h.id for h in chunk]
            corpus: dict[int, list[str]] = {i: [] for i in ids}
            for sf in self._findings_of(ids, "corpus"):
                corpus[sf.report_id].append(_json(sf.finding.to_dict()))
            for h, rep in zip(chunk, self._build(ids), strict=True):
                yield _json(["report", h.sha256, body_key.get(h.body_id), h.region_code, h.parser_version])
                yield _json(rep.to_dict())
                for line in corpus[h.id]:
                    yield f'["corpus-finding","{h.sha256}",{line}]'

    def _findings_of(self, report_ids: Sequence[int], scope: str) -> list[StoredFinding]:
        out: list[StoredFinding] = []
        for chunk in _chunks(list(report_ids), _CHUNK):
            out.extend(self._query_findings(t.findings.c.report_id.in_(chunk), t.findings.c.scope == scope))
        return out


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
