"""Indicators per body and year, rankings within a region and level, year-over-year change, and
the side-by-side comparison of one body's reports.

An indicator is None with a reason when its denominator is 0 or any input is unknown: a rate
over unknown numbers is not a rate. Inputs are the template's total cells; parts are never
summed to stand in for an unknown total (that would be a guess the parser did not make).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from xxgk.i18n import N_, _
from xxgk.report import Number, Report
from xxgk.vocabulary import cell_name, level_name

# key -> (short name, what it is), in display order; message ids, shown through indicator_name/_doc.
INDICATORS: dict[str, tuple[str, str]] = {
    "received": (N_("applications received"), N_("new applications received this year (total)")),
    "disclosure_rate": (N_("disclosure rate"), N_("(granted + partially granted) ÷ total processed")),
    "refusal_rate": (N_("refusal rate"), N_("sum of the not-disclosed rows ÷ total processed")),
    "review_correction_rate": (N_("review correction rate"),
                               N_("administrative reviews corrected ÷ (reviews total − pending)")),
    "litigation_correction_rate": (N_("litigation correction rate"),
                                   N_("lawsuits corrected ÷ (lawsuits total − pending), both kinds of lawsuit")),
}
RATES = ("disclosure_rate", "refusal_rate", "review_correction_rate", "litigation_correction_rate")


@dataclass(frozen=True)
class Indicator:
    key: str
    value: float | int | None
    reason: str | None = None  # why value is None
    numerator: Number | None = None
    denominator: Number | None = None
    inferred: bool = False  # an input was inferred by the parser rather than read

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "reason": self.reason, "numerator": self.numerator,
                "denominator": self.denominator, "inferred": self.inferred}


def indicator_name(key: str) -> str:
    """The indicator's short name in the current language (公开率 …)."""
    return _(INDICATORS[key][0])


def indicator_doc(key: str) -> str:
    """How the indicator is computed, in the current language."""
    return _(INDICATORS[key][1])


def _unknown_reason(report: Report, paths: Sequence[str]) -> str:
    names = []
    for p in paths:
        try:
            names.append(cell_name(report.template, p))
        except (KeyError, StopIteration):
            names.append(p)
    return _("unknown: {cells}").format(cells="；".join(names))


class _Unknown(Exception):
    def __init__(self, paths: list[str]) -> None:
        self.paths = paths


def _get(report: Report, paths: Sequence[str]) -> tuple[Number, bool]:
    """Sum of the cells at `paths`; raises _Unknown naming every cell that is not known."""
    unknown = [p for p in paths if report.value(p) is None]
    if unknown:
        raise _Unknown(unknown)
    inferred = any(report.cells[p].status == "inferred" for p in paths)
    return sum(report.value(p) for p in paths), inferred  # type: ignore[misc]


def _ratio(key: str, report: Report, num: Sequence[str], den: Sequence[str],
           minus: Sequence[str] = ()) -> Indicator:
    try:
        n, inf_n = _get(report, num)
        d, inf_d = _get(report, den)
        m, inf_m = _get(report, minus) if minus else (0, False)
    except _Unknown as e:
        return Indicator(key, None, _unknown_reason(report, e.paths))
    denominator = d - m
    inferred = inf_n or inf_d or inf_m
    if denominator == 0:
        what = _("denominator is 0: nothing concluded") if minus else _("denominator is 0: nothing processed")
        return Indicator(key, None, what, n, denominator, inferred)
    if denominator < 0:
        return Indicator(key, None, _("denominator is negative ({n}): the table is inconsistent").format(
            n=denominator), n, denominator, inferred)
    return Indicator(key, n / denominator, None, n, denominator, inferred)


def compute(report: Report) -> dict[str, Indicator]:
    """The indicators of one report, keyed as INDICATORS."""
    t = report.template
    app = t.table("applications")
    denied = [f"applications.{r.key}.total" for r in app.rows if r.key.startswith("denied_")]
    out: dict[str, Indicator] = {}
    try:
        v, inf = _get(report, ["applications.new_received.total"])
        out["received"] = Indicator("received", v, None, inferred=inf)
    except _Unknown as e:
        out["received"] = Indicator("received", None, _unknown_reason(report, e.paths))
    total = ["applications.total_processed.total"]
    granted = ["applications.granted.total", "applications.partially_granted.total"]
    out["disclosure_rate"] = _ratio("disclosure_rate", report, granted, total)
    out["refusal_rate"] = _ratio("refusal_rate", report, denied, total)
    out["review_correction_rate"] = _ratio("review_correction_rate", report, ["appeals.review.corrected"],
                                           ["appeals.review.total"], ["appeals.review.pending"])
    lit = ("litigation_direct", "litigation_after_review")
    out["litigation_correction_rate"] = _ratio(
        "litigation_correction_rate", report, [f"appeals.{g}.corrected" for g in lit],
        [f"appeals.{g}.total" for g in lit], [f"appeals.{g}.pending" for g in lit])
    return out


@dataclass(frozen=True)
class Rank:
    rank: int  # 1 = highest value
    of: int  # bodies ranked in the group (those with a value)
    group: str  # "region · level · year" (codes: the level key)
    region: str = ""
    level: str = ""
    year: int | None = None

    def describe(self) -> str:
        """What the rank is against, for people: 第 1/3（淮安市 · 县级 · 2024年，共 3 个机关）."""
        return _("#{rank}/{of} (among {of} bodies of {region} · {level} · {year})").format(
            rank=self.rank, of=self.of, region=self.region, level=level_name(self.level), year=self.year)


@dataclass(frozen=True)
class Change:
    previous: Number | float | None
    delta: float | None  # value − previous (for rates: a difference of fractions, ×100 = points)
    previous_year: int


@dataclass
class IndicatorRow:
    body: str | None
    region: str | None
    level: str | None
    year: int | None
    template: str | None
    file: str
    report: str  # sha256 of the source
    values: dict[str, Indicator]
    ranks: dict[str, Rank | None] = field(default_factory=dict)
    changes: dict[str, Change | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ind: dict[str, Any] = {}
        for k, v in self.values.items():
            d = v.to_dict()
            r = self.ranks.get(k)
            d["rank"] = None if r is None else {"rank": r.rank, "of": r.of, "group": r.group}
            c = self.changes.get(k)
            d["change"] = None if c is None else {"previous": c.previous, "delta": c.delta,
                                                  "previous_year": c.previous_year}
            ind[k] = d
        return {"body": self.body, "region": self.region, "level": self.level, "year": self.year,
                "template": self.template, "file": self.file, "report": self.report, "indicators": ind}

    def flat(self) -> dict[str, Any]:
        """One flat record (CSV): per indicator its value, reason, rank, rank_of and change."""
        rec: dict[str, Any] = {"body": self.body, "region": self.region, "level": self.level,
                               "year": self.year, "template": self.template, "file": self.file}
        for k, v in self.values.items():
            r = self.ranks.get(k)
            c = self.changes.get(k)
            rec[k] = v.value
            rec[f"{k}_reason"] = v.reason
            rec[f"{k}_rank"] = r.rank if r else None
            rec[f"{k}_rank_of"] = r.of if r else None
            rec[f"{k}_change"] = c.delta if c else None
        return rec


def _name_key(name: str | None) -> str | None:
    return "".join(name.split()) if name else None


def indicator_table(reports: Iterable[Report], history: Iterable[Report] = ()) -> list[IndicatorRow]:
    """Indicators for every report, ranked within (year, region, level), with the change from the
    same body's report of the year before (looked up in `reports` and `history`).

    Bodies whose region or level is unknown are not ranked (ranking them together would compare
    strangers). Ties share a rank (1, 2, 2, 4).
    """
    reps = sorted(reports, key=lambda r: (r.meta.year or 0, r.meta.region or "", r.meta.level or "",
                                          r.meta.agency or "", r.source.file))
    rows = [IndicatorRow(r.meta.agency, r.meta.region, r.meta.level, r.meta.year, r.meta.template,
                         r.source.file, r.source.sha256, compute(r)) for r in reps]
    # ranks
    groups: dict[tuple[Any, ...], list[IndicatorRow]] = {}
    for row in rows:
        if row.region and row.level and row.year is not None:
            groups.setdefault((row.year, row.region, row.level), []).append(row)
    for row in rows:
        row.ranks = dict.fromkeys(INDICATORS)
    for (year, region, level), members in groups.items():
        label = f"{region} · {level} · {year}"
        for key in INDICATORS:
            vals = [m.values[key].value for m in members if m.values[key].value is not None]
            for m in members:
                v = m.values[key].value
                if v is not None:
                    m.ranks[key] = Rank(1 + sum(1 for x in vals if x > v), len(vals), label, region, level, year)
    # year-over-year
    by_body: dict[tuple[str, int], dict[str, Indicator]] = {}
    for r in [*history, *reps]:
        k = _name_key(r.meta.agency)
        if k and r.meta.year is not None:
            by_body.setdefault((k, r.meta.year), compute(r))
    for row in rows:
        k = _name_key(row.body)
        prev = by_body.get((k, row.year - 1)) if k and row.year is not None else None
        row.changes = {}
        for key in INDICATORS:
            if prev is None:
                row.changes[key] = None
                continue
            p, v = prev[key].value, row.values[key].value
            row.changes[key] = Change(p, None if p is None or v is None else v - p, row.year - 1)  # type: ignore[operator]
    return rows


def format_indicator(key: str, value: float | int | None) -> str:
    if value is None:
        return "—"
    if key in RATES:
        return f"{100 * value:.1f}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def format_change(key: str, change: Change | None) -> str:
    if change is None or change.delta is None:
        return ""
    d = change.delta
    if key in RATES:
        return f"{'+' if d >= 0 else ''}{100 * d:.1f}pt"
    return f"{'+' if d >= 0 else ''}{d:g}"
