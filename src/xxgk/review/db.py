"""Small helpers shared by the review modules: write transactions, the clock, JSON, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
