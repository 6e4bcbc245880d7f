"""The store: sources, reports, cells (long form), sections, findings and failures in SQLite or
PostgreSQL. `Store.open(url)` opens (creating and migrating) one; see `store.py`."""

from xxgk.store.migrations import LATEST as SCHEMA_VERSION
from xxgk.store.migrations import StoreError
from xxgk.store.store import (
    Body,
    BodyIdentity,
    Failed,
    Known,
    Parsed,
    ReportEntry,
    Store,
    StoredFinding,
    WriteResult,
    database_url,
    parser_version,
)

__all__ = [
    "SCHEMA_VERSION",
    "Body",
    "BodyIdentity",
    "Failed",
    "Known",
    "Parsed",
    "ReportEntry",
    "Store",
    "StoreError",
    "StoredFinding",
    "WriteResult",
    "database_url",
    "parser_version",
]
