"""Run the "peers" rules: the reports of one year across bodies (copies, bodies that did not report)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence

from xxgk.check.registry import selected
from xxgk.check.rules.peers import PeerFinding, Peers, agency_key
from xxgk.report import Report


def peer_findings(
    reports: Iterable[Report],
    *,
    previous: Iterable[Report] = (),
    expected: Sequence[str] | None = None,
    body_of: Callable[[Report], Hashable] = agency_key,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> list[PeerFinding]:
    """Findings of the peer rules over `reports`, year by year: (report or None, finding).

    previous: reports of earlier years (the year before each year of `reports` is used by
    missing-subordinate); expected: the bodies that must report each year.
    """
    rules = selected(select, ignore, scope="peers")
    by_year: dict[int, list[Report]] = {}
    for rep in reports:
        if rep.meta.year is not None:
            by_year.setdefault(rep.meta.year, []).append(rep)
    earlier: dict[int, list[Report]] = {}
    for rep in [*previous, *(r for reps in by_year.values() for r in reps)]:
        if rep.meta.year is not None:
            earlier.setdefault(rep.meta.year, []).append(rep)
    out: list[PeerFinding] = []
    for year in sorted(by_year):
        ordered = sorted(by_year[year], key=lambda r: (r.source.file, r.source.sha256))
        peers = Peers(year, ordered, earlier.get(year - 1, []), expected, body_of)
        for r in rules:
            out.extend(r.func(peers))
    return out
