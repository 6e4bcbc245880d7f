"""The review of a round of reports (the library under `xxgk serve`): users and tokens, rounds,
review states, finding decisions, cell corrections re-checked by the rules, the audit trail,
the 审核意见 (DOCX/PDF), the round summary (XLSX) and the round's 汇总 from corrected values.

Nothing here imports a web framework: the web app and the CLI call these functions.

    from xxgk.review import open_store
    store = open_store("xxgk.sqlite")         # the store, with the review tables
    rr = review_report(store, sha256)         # the report, its corrections, findings, state
"""

from __future__ import annotations

import os

from xxgk.review.db import NotFound, ReviewError
from xxgk.review.reports import (
    DECISIONS,
    STATES,
    ReviewedReport,
    ReviewFinding,
    correct,
    decide,
    review_report,
    set_state,
)
from xxgk.review.schema import ensure_tables
from xxgk.store import Store


def open_store(url: str | os.PathLike[str] | None = None) -> Store:
    """Open (creating or upgrading) the store and create the review tables it lacks."""
    store = Store.open(url)
    ensure_tables(store.engine)
    return store


__all__ = [
    "DECISIONS",
    "STATES",
    "NotFound",
    "ReviewError",
    "ReviewFinding",
    "ReviewedReport",
    "correct",
    "decide",
    "ensure_tables",
    "open_store",
    "review_report",
    "set_state",
]
