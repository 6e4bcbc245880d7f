"""`xxgk stats` as a library call: the indicators of the selected stored reports, ranked, with
the change from the year before, and their CSV and JSON forms."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xxgk.corpus.indicators import IndicatorRow, indicator_table
from xxgk.corpus.selection import Filters, select
from xxgk.errors import UsageError
from xxgk.i18n import _

if TYPE_CHECKING:
    from xxgk.store import Store


@dataclass
class Stats:
    rows: list[IndicatorRow]

    def to_json(self) -> str:
        return json.dumps([r.to_dict() for r in self.rows], ensure_ascii=False, indent=1) + "\n"

    def to_csv(self) -> str:
        """One row per report; columns are keys (body, year, disclosure_rate, …_reason, …_rank)."""
        recs = [r.flat() for r in self.rows]
        buf = io.StringIO()
        if not recs:
            return ""
        w = csv.DictWriter(buf, fieldnames=list(recs[0]), lineterminator="\n")
        w.writeheader()
        for rec in recs:
            w.writerow({k: "" if v is None else v for k, v in rec.items()})
        return buf.getvalue()


def stats(store: Store, filters: Filters | None = None) -> Stats:
    """Indicators of every stored report matching `filters`; the year before each selected year
    is read too, for the year-over-year change. Raises UsageError when nothing matches."""
    reports = select(store, filters)
    if not reports:
        raise UsageError(_("no stored report matches the filters"))
    years = sorted({r.meta.year for r in reports if r.meta.year is not None})
    history = select(store, filters, year=[y - 1 for y in years]) if years else []
    return Stats(indicator_table(reports, history))
