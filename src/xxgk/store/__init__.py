"""The store: sources, reports, cells (long form), sections, findings and failures in SQLite or
PostgreSQL. `Store.open(url)` opens (creating and migrating) one; see `store.py`."""

from xxgk.store.database import database_url, parser_version
from xxgk.store.migrations import LATEST as SCHEMA_VERSION
from xxgk.store.migrations import StoreError
from xxgk.store.records import (
    Body,
    BodyIdentity,
    Failed,
    Known,
    Parsed,
    ReportEntry,
    ReportFilter,
    StoredFinding,
    WriteResult,
    prepare,
)
from xxgk.store.store import Store

__all__ = [
    "SCHEMA_VERSION",
    "Body",
    "BodyIdentity",
    "Failed",
    "Known",
    "Parsed",
    "ReportEntry",
    "ReportFilter",
    "Store",
    "StoreError",
    "StoredFinding",
    "WriteResult",
    "database_url",
    "parser_version",
    "prepare",
]
