"""Writing: batches of parsed reports and failures, each batch one transaction.

Writers take turns (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock, see database.py),
so two ingests into one database never interleave inside a batch. Every change to a body's
reports marks the body (`needs_check`) and bumps its `revision` in the same transaction: the
corpus check (corpus_state.py) settles a body only if its revision did not move meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from xxgk.identity import BodyIdentity, identify
from xxgk.report import Report
from xxgk.store import schema as t
from xxgk.store.database import Base, among, parser_version
from xxgk.store.records import (
    CELL_COLUMNS,
    FINDING_COLUMNS,
    SECTION_COLUMNS,
    Failed,
    Known,
    Parsed,
    Rows,
    WriteResult,
    chunks,
)


def now() -> datetime:
    return datetime.now(UTC)


class Writing(Base):
    def lookup(self, sha256s: Iterable[str], version: str | None = None) -> dict[str, Known]:
        """What is already stored for these content hashes; hashes not returned are new."""
        version = version or parser_version()
        out: dict[str, Known] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(sha256s))):
                for sha, rid, pv in conn.execute(
                    sa.select(t.sources.c.sha256, t.reports.c.id, t.reports.c.parser_version)
                    .join(t.reports, t.reports.c.source_id == t.sources.c.id)
                    .where(among(conn, t.sources.c.sha256, chunk))
                ):
                    out[sha] = Known("current" if pv == version else "stale", rid)
                for sha, reason in conn.execute(
                    sa.select(t.failures.c.sha256, t.failures.c.reason).where(
                        among(conn, t.failures.c.sha256, chunk), t.failures.c.parser_version == version
                    )
                ):
                    out.setdefault(sha, Known("failed", None, reason))
        return out

    def add(self, report: Report, *, name: str | None = None, size: int | None = None,
            body: BodyIdentity | None = None) -> int:
        """Store one parsed report (identity computed when not given); returns its id.

        For scripts and tests; the ingest writes through `write()` in batches.
        """
        region_code = body.region_code if body else None
        if body is None:
            ident = identify(report)
            body, region_code = ident.body, ident.region_code
        item = Parsed(name or report.source.file, report.source.sha256, size or 0, report, body, region_code)
        return self.write([item]).report_ids[0]

    def write(self, items: Sequence[Parsed | Failed], version: str | None = None) -> WriteResult:
        """Store a batch in ONE transaction: new sources, re-parses (old parse replaced) and failures.

        A source already stored with the same parser version is left alone (same bytes: no-op).
        The batch is written set-wise — a handful of statements per batch, not per report —
        because per-row round trips made the writer, not the parser, the bottleneck of ingest.
        """
        version = version or parser_version()
        res = WriteResult()
        stamp = now()
        failed = [i for i in items if isinstance(i, Failed)]
        parsed: dict[str, Parsed] = {}
        for i in items:
            if isinstance(i, Parsed):
                parsed.setdefault(i.sha256, i)  # the same bytes twice in a batch: the first name wins
        with self._write() as conn, conn.begin():
            self._lock_writers(conn)
            existing = self._existing(conn, sorted(parsed))
            todo: list[Parsed] = []
            stale_reports: list[int] = []
            touched_bodies: set[int] = set()
            touched_years: set[int] = set()
            for sha in sorted(parsed):
                old = existing.get(sha)
                if old is not None and old.report_id is not None and old.parser_version == version:
                    res.report_ids.append(old.report_id)  # same bytes, same parser: a no-op
                    continue
                if old is not None and old.report_id is not None:
                    stale_reports.append(old.report_id)
                    if old.body_id is not None:
                        touched_bodies.add(old.body_id)  # it may lose its only report or a finding
                    if old.year is not None:
                        touched_years.add(old.year)
                    res.reparsed += 1
                else:
                    res.added += 1
                todo.append(parsed[sha])
                year = parsed[sha].prepared().report["year"]
                if year is not None:
                    touched_years.add(year)
            # Re-parses: the old parse goes in this same transaction, before the new one lands.
            self._delete_reports(conn, stale_reports)
            source_id = self._source_ids(conn, todo, existing, stamp)
            body_id = self._body_ids(conn, [p.body for p in todo if p.body is not None])
            touched_bodies.update(body_id.values())
            self._mark_bodies(conn, sorted(touched_bodies))
            self._mark_years(conn, touched_years)
            # Parsed now, or failed again: any failure recorded earlier under these names is history.
            for chunk in chunks(sorted({p.name for p in todo} | {f.name for f in failed})):
                conn.execute(sa.delete(t.failures).where(among(conn, t.failures.c.file, chunk)))
            if todo:
                heads = [
                    self._report_row(p, source_id[p.sha256], body_id.get(p.body.key) if p.body else None, version,
                                     stamp)
                    for p in todo
                ]
                ids = self._insert_with_ids(conn, t.reports, heads)
                self._insert_children(conn, list(zip(ids, (p.prepared() for p in todo), strict=True)))
                self._insert_rows(conn, t.signatures, ("report_id", "data"),
                                  [(rid, p.prepared().signature) for rid, p in zip(ids, todo, strict=True)
                                   if p.prepared().signature is not None])
                res.report_ids.extend(ids)
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
                            "seen": stamp,
                        }
                        for f in last.values()
                    ],
                )
                res.failed = len(failed)
        return res

    @staticmethod
    def _existing(conn: sa.Connection, shas: Sequence[str]) -> dict[str, Any]:
        """Stored sources among these hashes, with their current report (if any)."""
        out: dict[str, Any] = {}
        for chunk in chunks(shas):
            for row in conn.execute(
                sa.select(
                    t.sources.c.id,
                    t.sources.c.sha256,
                    t.reports.c.id.label("report_id"),
                    t.reports.c.parser_version,
                    t.reports.c.body_id,
                    t.reports.c.year,
                )
                .outerjoin(t.reports, t.reports.c.source_id == t.sources.c.id)
                .where(among(conn, t.sources.c.sha256, chunk))
            ):
                out[row.sha256] = row
        return out

    def _source_ids(self, conn: sa.Connection, todo: Sequence[Parsed], existing: dict[str, Any],
                    stamp: datetime) -> dict[str, int]:
        new = [p for p in todo if existing.get(p.sha256) is None]
        ids = {sha: row.id for sha, row in existing.items()}
        rows = [{"sha256": p.sha256, "name": p.name, "kind": p.prepared().kind, "size": p.size, "first_seen": stamp}
                for p in new]
        ids.update(zip((p.sha256 for p in new), self._insert_with_ids(conn, t.sources, rows), strict=True))
        return ids

    def _insert_with_ids(self, conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert rows (dicts of the same keys) and return their new ids, in order.

        PostgreSQL: the ids are drawn from the table's sequence in one statement and the rows go
        by COPY — an INSERT ... RETURNING of 200 reports is one statement of 4,000 parameters,
        and psycopg's parsing of its placeholders cost the writer more than the insert itself.
        SQLite: INSERT ... RETURNING through sqlite3's executemany."""
        if not rows:
            return []
        if self.dialect != "postgresql":
            return list(conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True),
                                     list(rows)).scalars())
        ids = list(conn.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": len(rows)},
        ).scalars())
        keys = list(rows[0])
        self._insert_rows(conn, table, ("id", *keys), [(i, *(r[k] for k in keys)) for i, r in zip(ids, rows,
                                                                                                   strict=True)])
        return ids

    @staticmethod
    def _report_row(p: Parsed, source_id: int, body_id: int | None, version: str, stamp: datetime) -> dict[str, Any]:
        head = dict(p.prepared().report)
        head["file"] = head["file"] or p.name
        head.update(source_id=source_id, body_id=body_id, parser_version=version, created=stamp)
        return head

    @staticmethod
    def _body_ids(conn: sa.Connection, bodies: Sequence[BodyIdentity]) -> dict[str, int]:
        """Ids of these bodies by key, creating the missing ones."""
        b = t.bodies
        wanted = {x.key: x for x in bodies}
        ids: dict[str, int] = {}
        for chunk in chunks(sorted(wanted)):
            ids.update(conn.execute(sa.select(b.c.key, b.c.id).where(among(conn, b.c.key, chunk))).all())
        missing = [wanted[k] for k in sorted(wanted) if k not in ids]
        if missing:
            conn.execute(
                b.insert(),
                [{"key": x.key, "name": x.name, "region": x.region, "region_code": x.region_code, "level": x.level,
                  "needs_check": True, "revision": 0} for x in missing],
            )
            for chunk in chunks([x.key for x in missing]):
                ids.update(conn.execute(sa.select(b.c.key, b.c.id).where(among(conn, b.c.key, chunk))).all())
        return ids

    @staticmethod
    def _mark_bodies(conn: sa.Connection, body_ids: Sequence[int]) -> None:
        """These bodies' reports changed: their cross-year findings must be computed again."""
        b = t.bodies
        for chunk in chunks(body_ids):
            conn.execute(b.update().where(among(conn, b.c.id, chunk)).values(needs_check=True,
                                                                            revision=b.c.revision + 1))

    @staticmethod
    def _mark_years(conn: sa.Connection, years: Iterable[int]) -> None:
        """Reports of these years were added or removed: the peers pass of each year, and of the
        year after (missing-subordinate compares a year with the one before), must run again."""
        y = t.peer_years
        wanted = sorted(set(years) | {x + 1 for x in years})
        if not wanted:
            return
        have = set(conn.execute(sa.select(y.c.year).where(y.c.year.in_(wanted))).scalars())
        if have:
            conn.execute(y.update().where(y.c.year.in_(sorted(have))).values(needs_check=True,
                                                                             revision=y.c.revision + 1))
        missing = [x for x in wanted if x not in have]
        if missing:
            conn.execute(y.insert(), [{"year": x, "needs_check": True, "revision": 1} for x in missing])

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
        conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join(['?'] * len(cols))})", list(rows)
        )

    def _copy_lines(self, conn: sa.Connection, table: sa.Table, columns: Sequence[str],
                    texts: Sequence[tuple[int, bytes]]) -> None:
        """PostgreSQL: rows already in COPY's text format (`records.copy_text`: every column but
        the first, the report's id, which only the writer knows), each report's lines given
        their id in one replace and the batch sent in one COPY."""
        if not texts:
            return
        assert self.dialect == "postgresql"
        cols = [table.c[c].name for c in columns]
        raw = conn.connection.driver_connection
        utf8 = raw.info.encoding == "utf-8"
        parts = []
        for rid, text in texts:
            prefix = b"%d\t" % rid
            parts.append(prefix + text.replace(b"\n", b"\n" + prefix) + b"\n")
        data = b"".join(parts)
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
            copy.write(data if utf8 else data.decode())  # another client encoding: psycopg encodes for it

    def _insert_children(self, conn: sa.Connection, reports: Sequence[tuple[int, Rows]]) -> None:
        self._insert_rows(conn, t.cells, CELL_COLUMNS, [(rid, *c) for rid, rows in reports for c in rows.cells])
        self._copy_lines(conn, t.cells, CELL_COLUMNS, [(rid, rows.cells_copy) for rid, rows in reports
                                                       if rows.cells_copy])
        self._insert_rows(
            conn, t.sections, SECTION_COLUMNS, [(rid, *x) for rid, rows in reports for x in rows.sections]
        )
        self._insert_rows(
            conn, t.findings, FINDING_COLUMNS, [(rid, "report", *f) for rid, rows in reports for f in rows.findings]
        )

    @staticmethod
    def _delete_reports(conn: sa.Connection, report_ids: Sequence[int]) -> None:
        # Explicit, not ON DELETE CASCADE: the same statements on every backend and pragma.
        for chunk in chunks(list(report_ids)):
            for tb in (t.findings, t.cells, t.sections, t.signatures):
                conn.execute(sa.delete(tb).where(tb.c.report_id.in_(chunk)))
            conn.execute(sa.delete(t.reports).where(t.reports.c.id.in_(chunk)))
