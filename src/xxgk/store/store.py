"""The store: parsed reports in SQLite (default) or PostgreSQL, read back as `Report` objects.

Everything goes through SQLAlchemy Core. The store is split by concern:

- `records.py` — what goes in and comes out (entries, findings, bodies, the report filter);
- `reading.py` — reports, catalogue, findings and a canonical dump;
- `writing.py` — batches of reports and failures, each batch one transaction;
- `corpus_state.py` — which bodies need their cross-year rules run, and running them safely
  while other writers write;
- `peer_state.py` — the same for the cross-body rules, one year at a time;
- `database.py` — URLs, engines and the writers' lock; `schema.py` / `migrations.py` — the tables.

Reading back gives the exact `Report` that was stored (`store.report(id).to_dict()` equals the
parsed report's), so everything downstream (exports, compile, compare, the web app) reads
`Report` objects and never the tables themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from xxgk.store.corpus_state import CorpusState
from xxgk.store.database import database_url, make_engine
from xxgk.store.migrations import StoreError, current_version, migrate
from xxgk.store.peer_state import PeerState


class Store(CorpusState, PeerState):
    """Reports, findings and failures in one database. Open with `Store.open(url)`."""

    def __init__(self, engine: sa.Engine, *, upgrade: bool = True) -> None:
        self.engine = engine
        if upgrade:
            self.version = migrate(engine)
        else:  # a worker's read-only handle on a store its writer already opened
            with engine.connect() as conn:
                self.version = current_version(conn) or 0

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
        engine = make_engine(full)
        try:
            return cls(engine)
        except (sa.exc.OperationalError, sa.exc.DatabaseError) as e:
            engine.dispose()
            raise StoreError(
                f"cannot open the database {engine.url.render_as_string(hide_password=True)}: {e.orig or e}"
            ) from e
        except BaseException:
            engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
