"""Versioned schema: an ordered list of migration steps, recorded in the `schema_version` table.

Why not alembic: the store is an embedded database that a library call or a CLI command opens,
on a user's laptop as often as on a server. Migrations must run by themselves inside
`Store.open()`, on SQLite and PostgreSQL alike, with no `alembic.ini`, no script directory and
no separate command to remember. A short ordered list of steps, each a function over one
SQLAlchemy connection, applied in one transaction together with its `schema_version` row, gives
exactly that with no extra dependency; both SQLite and PostgreSQL run DDL transactionally, so a
migration interrupted half-way leaves the database at the previous version.

A new database is created from `schema.metadata` (the current declarations) and stamped with
every version at once, as alembic's own "create_all, then stamp head" recipe does. An existing
database runs the steps above its recorded version. Version 1 is the first released schema;
version 2 gives findings their parameters and bodies their revision; version 3 adds the
workbench's tables, version 4 what several server processes share (upload claims, login
failures), version 5 the report drafts (填报) and round collections (采集), version 6 the peers
pass's years, signatures and findings.peer_year.

To change the schema: edit `schema.py`, then append a `Migration(N + 1, ...)` whose `apply`
makes the same change to a database at version N (with `sa.DDL`/`op`-style statements, never
`metadata.create_all`, which would describe the *current* schema, not version N + 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from xxgk.errors import XxgkError
from xxgk.store import review_schema, schema, workbench_schema


class StoreError(XxgkError):
    """The database cannot be used: not an xxgk store, or a newer schema than this xxgk knows."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sa.Connection], None]


def _baseline(conn: sa.Connection) -> None:
    """Version 1 is the baseline: only ever created whole, never reached by a step."""
    raise StoreError("schema version 1 is created by create_all, not migrated to")


def _v2_params_and_revision(conn: sa.Connection) -> None:
    """Findings keep their parameters and template variant (rendered in the reader's language
    when read); findings stored before keep their text as the message itself (variant "text").
    Bodies get the revision the corpus check compares and sets."""
    conn.execute(sa.text("ALTER TABLE findings ADD COLUMN params TEXT NOT NULL DEFAULT '{}'"))
    conn.execute(sa.text("ALTER TABLE findings ADD COLUMN variant VARCHAR(32) NOT NULL DEFAULT ''"))
    # JSON built by the database from the stored message, so the step is one statement whatever
    # the number of findings; the same SQL on SQLite (json_object) and PostgreSQL (json_build_object).
    pg = conn.dialect.name == "postgresql"
    build = "json_build_object('text', message)::text" if pg else "json_object('text', message)"
    conn.execute(sa.text(f"UPDATE findings SET params = {build}, variant = 'text'"))
    conn.execute(sa.text("ALTER TABLE bodies ADD COLUMN revision INTEGER NOT NULL DEFAULT 0"))


def _v3_review_tables(conn: sa.Connection) -> None:
    # checkfirst: a database `xxgk serve` opened before this step already has them.
    schema.metadata.create_all(conn, tables=list(review_schema.TABLES), checkfirst=True)


def _v4_shared_serving(conn: sa.Connection) -> None:
    """Several server processes: the upload queue's claims and the login limit's failures."""
    ts = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    # Step 3 creates the review tables as declared now: a store that went through it with this
    # xxgk has the columns already.
    have = {c["name"] for c in sa.inspect(conn).get_columns("review_uploads")}
    if "claimed_by" not in have:
        conn.execute(sa.text("ALTER TABLE review_uploads ADD COLUMN claimed_by VARCHAR(64)"))
    if "lease_until" not in have:
        conn.execute(sa.text(f"ALTER TABLE review_uploads ADD COLUMN lease_until {ts}"))
    schema.metadata.create_all(conn, tables=[review_schema.login_failures], checkfirst=True)


def _v5_drafts_and_round_collections(conn: sa.Connection) -> None:
    schema.metadata.create_all(conn, tables=list(workbench_schema.TABLES), checkfirst=True)


def _v6_peers(conn: sa.Connection) -> None:
    """The cross-body rules during ingest: findings say which year's peers pass wrote them, years
    get the mark and revision bodies have, reports their sections' MinHash signatures. Every
    year already stored is marked, so the next ingest (or recheck) runs their passes; the
    signatures of reports stored before are computed by those passes."""
    # Idempotent like step 4: a store that skipped a step's stamp (only) must not fail here.
    inspector = sa.inspect(conn)
    if "peer_year" not in {c["name"] for c in inspector.get_columns("findings")}:
        conn.execute(sa.text("ALTER TABLE findings ADD COLUMN peer_year INTEGER"))
    blob = "BYTEA" if conn.dialect.name == "postgresql" else "BLOB"
    if not inspector.has_table("peer_years"):
        conn.execute(sa.text("CREATE TABLE peer_years (year INTEGER NOT NULL PRIMARY KEY, "
                             "needs_check BOOLEAN NOT NULL, revision INTEGER NOT NULL)"))
    if not inspector.has_table("signatures"):
        conn.execute(sa.text(f"CREATE TABLE signatures (report_id INTEGER NOT NULL PRIMARY KEY, data {blob} NOT NULL, "
                             "compared BOOLEAN NOT NULL DEFAULT false)"))
    years = sorted({y for (y,) in conn.execute(sa.text("SELECT DISTINCT year FROM reports WHERE year IS NOT NULL"))})
    present = set(conn.execute(sa.text("SELECT year FROM peer_years")).scalars())
    marked = sorted((set(years) | {y + 1 for y in years}) - present)
    if marked:
        conn.execute(schema.peer_years.insert(), [{"year": y, "needs_check": True, "revision": 1} for y in marked])


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema: sources, bodies, reports, cells, sections, findings, failures", _baseline),
    Migration(2, "findings.params (JSON) and findings.variant; bodies.revision for concurrent corpus checks",
              _v2_params_and_revision),
    Migration(3, "the workbench's tables: users, tokens, sessions, rounds, review states, decisions, corrections, "
                 "audit trail, uploads", _v3_review_tables),
    Migration(4, "workbench served by several processes: upload claims (review_uploads.claimed_by, lease_until) "
                 "and the login failures (review_login_failures)", _v4_shared_serving),
    Migration(5, "the workbench's report drafts (填报), round columns and collection runs (采集)",
              _v5_drafts_and_round_collections),
    Migration(6, "cross-body rules in the store: findings.peer_year, peer_years (mark and revision per year), "
                 "signatures (sections' MinHash per report)", _v6_peers),
)
LATEST = MIGRATIONS[-1].version

# Arbitrary constant: the PostgreSQL advisory lock that serialises concurrent `Store.open()`s.
_PG_LOCK = 0x7867_6B01


def _now() -> datetime:
    return datetime.now(UTC)


def current_version(conn: sa.Connection) -> int | None:
    """The schema version recorded in the database; None for a database without xxgk tables."""
    if not sa.inspect(conn).has_table("schema_version"):
        return None
    return conn.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar_one_or_none()


def migrate(engine: sa.Engine, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Create or upgrade the schema; returns the version now in force.

    Runs in one write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), so
    two processes opening the same new database at once do not both create it.
    """
    latest = migrations[-1].version
    with engine.connect() as conn:
        conn = conn.execution_options(xxgk_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
            version = current_version(conn)
            if version is None:
                foreign = [t for t in schema.metadata.tables if sa.inspect(conn).has_table(t)]
                if foreign:
                    raise StoreError(
                        f"the database has tables named like xxgk's ({', '.join(sorted(foreign))}) "
                        "but no schema_version table: not an xxgk store"
                    )
                schema.metadata.create_all(conn)
                conn.execute(
                    schema.schema_version.insert(),
                    [{"version": m.version, "description": m.description, "applied": _now()} for m in migrations],
                )
                return latest
            if version > latest:
                raise StoreError(
                    f"the database has schema version {version}, newer than this xxgk supports ({latest}); upgrade xxgk"
                )
            for m in migrations:
                if m.version > version:
                    m.apply(conn)
                    conn.execute(
                        schema.schema_version.insert(),
                        {"version": m.version, "description": m.description, "applied": _now()},
                    )
            return latest
