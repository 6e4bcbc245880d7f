"""Connecting: the URL a user types, the engine (SQLite made transactional), and the base every
part of the store builds on (its engine, write connections, the writers' lock)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from xxgk import __version__
from xxgk.identity import IDENTITY_REVISION
from xxgk.parse import PARSER_REVISION

DEFAULT_FILE = "xxgk.sqlite"
# Arbitrary constant: the PostgreSQL advisory lock every write transaction takes, so writers
# take turns as they do on SQLite (BEGIN IMMEDIATE). Two ingests into one database then never
# insert the same new body or source at once, and a corpus check's compare-and-set
# (corpus_state.py) sees every write either entirely before or entirely after it.
PG_WRITE_LOCK = 0x7867_6B02


def parser_version() -> str:
    """What produced a stored parse: the package version, the parser's and identity's revisions.

    A stored report whose parser_version differs is re-parsed by the next ingest of its source.
    """
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
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # A writer takes the write lock up front, so it never fails half-way on a lock upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("xxgk_write") else "BEGIN")


def among(conn: sa.Connection, column: sa.ColumnElement[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """`column IN values`. On PostgreSQL `column = ANY(array)`: one parameter, so the statement's
    text is the same whatever the number of values and psycopg parses its placeholders once (an
    IN list of 500 hashes is a new statement to parse every time)."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


def row_or_raise(engine: sa.Engine, stmt: sa.Select[Any], error: Exception) -> sa.Row[Any]:
    """The first row `stmt` selects, or `error` raised when there is none (a user, round or draft
    looked up by its key)."""
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        raise error
    return row


def make_engine(full_url: str) -> sa.Engine:
    if full_url.startswith("sqlite"):
        engine = sa.create_engine(full_url)
        _install_sqlite_pragmas(engine)
        return engine
    return sa.create_engine(full_url, pool_pre_ping=True)


class Base:
    """The engine, and how the parts of the store open connections."""

    engine: sa.Engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _write(self) -> sa.Connection:
        """A connection whose transactions write: SQLite's BEGIN IMMEDIATE (see the pragmas)."""
        return self.engine.connect().execution_options(xxgk_write=True)

    def _lock_writers(self, conn: sa.Connection) -> None:
        """Inside a write transaction: wait for the other writers (PostgreSQL; SQLite did at BEGIN)."""
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})

    def _ordered(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        # Code-point order on both backends (PostgreSQL's default collation is locale-dependent).
        return column.collate("C") if self.dialect == "postgresql" else column
