"""Small helpers shared by the review modules: write transactions, the clock, JSON, errors."""

from __future__ import annotations

import json
import threading
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from xxgk.errors import XxgkError


class ReviewError(XxgkError):
    """A review action that cannot be done as asked (bad value, unknown name, wrong state)."""


class NotFound(ReviewError):
    """The user, round, report, finding or file asked for does not exist."""


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; they were written in UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One write transaction. `xxgk_write` makes the store's SQLite engine BEGIN IMMEDIATE, so a
    write never fails half-way on a lock upgrade while the ingest writes (PostgreSQL ignores it)."""
    with engine.connect().execution_options(xxgk_write=True) as conn, conn.begin():
        yield conn


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def insert_new(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, leaving alone those whose key is there already (two writers adding the same)."""
    if rows:
        conn.execute(_insert(conn, table).on_conflict_do_nothing(), rows)


def upsert(conn: sa.Connection, table: sa.Table, values: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Insert a row, or update the row with the same key: one statement, so two reviewers acting on
    the same finding at once both succeed (the later wins) instead of one failing on the key."""
    stmt = _insert(conn, table).values(**values)
    conn.execute(stmt.on_conflict_do_update(index_elements=list(keys),
                                            set_={k: v for k, v in values.items() if k not in keys}))


class Lookup:
    """A SELECT of one row run straight on the connection's DBAPI cursor, compiled once per
    dialect: for the two queries of every page view (who is asking, the report's stamp).

    SQLAlchemy's execution around an already compiled statement (events, the autobegun
    transaction, the result's metadata) costs ~40 µs, three times what SQLite takes to run the
    query (measured for the review page: 142 µs for both through SQLAlchemy, 30 µs here). The
    statement, its parameters' order and its columns' types are SQLAlchemy's own: the SQL text
    and the parameter order come from its compiler, each column's value goes through its type's
    result processor (SQLite's stored datetimes become datetimes), and the connection is checked
    out from and returned to its pool as usual (its transaction, if the driver opened one, is
    rolled back on return). Parameters must be plain strings or numbers (no bind processing).
    On SQLite (autocommit) the SELECT is its own read transaction."""

    def __init__(self, stmt: sa.Select[Any]) -> None:
        self.stmt = stmt
        self.fields = namedtuple("Row", list(stmt.selected_columns.keys()), rename=True)  # type: ignore[misc]
        self._compiled: dict[str, tuple[str, Any, list[Callable[[Any], Any] | None]]] = {}
        self._lock = threading.Lock()

    def _for(self, dialect: sa.Dialect) -> tuple[str, Any, list[Callable[[Any], Any] | None]]:
        got = self._compiled.get(dialect.name)
        if got is None:
            with self._lock:
                compiled = self.stmt.compile(dialect=dialect)
                processors = [col.type.dialect_impl(dialect).result_processor(dialect, None)
                              for col in self.stmt.selected_columns]
                got = (str(compiled), compiled, processors)
                self._compiled[dialect.name] = got
        return got

    def first(self, conn: sa.Connection, **params: str | int) -> Any:
        """The first row (fields by name and position), or None."""
        sql, compiled, processors = self._for(conn.dialect)
        values = compiled.construct_params(params)
        if compiled.positiontup is not None:
            values = tuple(values[name] for name in compiled.positiontup)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, values)
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        return self.fields(*[v if f is None or v is None else f(v) for f, v in zip(processors, row, strict=True)])
