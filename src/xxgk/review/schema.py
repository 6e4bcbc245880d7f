"""The workbench's tables, declared with the store's schema (xxgk.store.review_schema)."""

from xxgk.store.review_schema import (
    TABLES,
    corrections,
    decisions,
    ensure_tables,
    expected,
    login_failures,
    round_reports,
    rounds,
    sessions,
    states,
    tokens,
    trail,
    upload_files,
    uploads,
    users,
)

__all__ = ["TABLES", "corrections", "decisions", "ensure_tables", "expected", "login_failures", "round_reports",
           "rounds", "sessions", "states", "tokens", "trail", "upload_files", "uploads", "users"]
