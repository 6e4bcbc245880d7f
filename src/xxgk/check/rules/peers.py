"""Rules over the reports of one year across bodies (scope "peers"): copies between bodies, and
bodies that did not report. Run by xxgk.check.peers.peer_findings."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field

from xxgk.check.registry import get, rule
from xxgk.check.similarity import COPY_SIMILARITY, clean, near_copies, sections_of
from xxgk.i18n import N_
from xxgk.report import Finding, Report

NUMERALS = "一二三四五六"
COPY_SECTIONS = (1, 5, 6)
# Cleaned texts shorter than this (characters) are not compared: short stock paragraphs (section
# 六's 要点落实 sentence) are alike in every report without being copied.
COPY_MIN_CHARS = {1: 100, 5: 60, 6: 100}


def agency_key(report: Report) -> Hashable:
    """A body by its name (whitespace and brackets aside); the file when the name is unknown."""
    name = (report.meta.agency or "").strip()
    return "".join(ch for ch in name if not ch.isspace()) or ("file", report.source.file)


@dataclass
class Peers:
    """The reports of one year, with what the peer rules need around them."""

    year: int
    reports: Sequence[Report]
    previous: Sequence[Report] = ()           # the reports of the year before
    expected: Sequence[str] | None = None     # bodies that must report (an --expect list, a round's list)
    body_of: Callable[[Report], Hashable] = agency_key
    name_of: Callable[[Report], str] = field(default=lambda r: r.meta.agency or r.source.file)


PeerFinding = tuple[Report | None, Finding]


@rule("copied-from-other-body", "warning", N_("Section 一, 五 or 六 nearly identical to another body's report"),
      scope="peers",
      message=N_("section {section} is {similarity:.0%} identical to section {section} of {other}'s {year} report "
                 "({other_file}); threshold {threshold:.0%}"),
      messages={"many": N_("section {section} is {similarity:.0%} identical to section {section} of {other}'s {year} "
                           "report ({other_file}) and nearly identical to {more} other bodies' reports; threshold "
                           "{threshold:.0%}")},
      what=N_("Sections 一 (总体情况), 五 (problems and improvements) and 六 (other matters) of reports of the same "
              "year by different bodies are compared after removing what every report shares — quoted laws "
              "in 《》, the template's headings and stock sentences, digits and punctuation. Candidate pairs "
              "come from MinHash/LSH over 5-character shingles (so 100,000 reports need no pairwise "
              "comparison) and are confirmed when the exact similarity (rapidfuzz's normalised Indel ratio) "
              "is at least 85 %; texts under 100 characters (60 for section 五) are not compared. Both reports get "
              "the finding."),
      why=N_("Content copied between bodies (内容雷同) is a standing criticism of supervising offices and "
             "third-party evaluations: a body that copies a neighbour's work summary or problems did not "
             "report its own year."),
      example=N_("某县司法局 and 某县审计局 2024: section 五 97 % identical — one copied the other's problems."))
def copied_from_other_body(peers: Peers) -> Iterator[PeerFinding]:
    r = get("copied-from-other-body")
    by_ref = {i: rep for i, rep in enumerate(peers.reports)}
    texts = [t for i, rep in by_ref.items()
             for t in sections_of(i, peers.body_of(rep), [(s.no, s.text) for s in rep.sections], COPY_SECTIONS)
             if len(clean(t.text)) >= COPY_MIN_CHARS[t.part]]
    for copies in near_copies(texts, COPY_SIMILARITY):
        mine = copies.text
        theirs, score = copies.others[0]
        rep, other = by_ref[mine.ref], by_ref[theirs.ref]  # type: ignore[index]
        section = rep.section(mine.part)
        params = {"section": NUMERALS[mine.part - 1], "similarity": score, "other": peers.name_of(other),
                  "other_file": other.source.file, "year": peers.year, "threshold": COPY_SIMILARITY}
        if copies.count > 1:
            params["more"] = copies.count - 1
        yield rep, r.finding(loc=section.loc if section else None, excerpt=section.text[:80] if section else None,
                             variant="many" if copies.count > 1 else "", **params)


@rule("missing-subordinate", "warning", N_("A body expected to report this year has no report"),
      scope="peers",
      message=N_("{body}: on the expected list, no report for {year}"),
      messages={"last_year": N_("{body}: reported for {previous_year}, no report for {year}")},
      what=N_("Bodies that should have reported for the year but have none in the set: every body on the "
              "expected list (an --expect file, or a review round's list of bodies), and every body that "
              "reported for the year before, where this year's set holds reports of the same region and level "
              "(a set of one county's departments says nothing of another county's). "
              "The finding belongs to the set (the compilation, the round), not to a report."),
      why=N_("A supervising office answers for all the bodies under it: a department that never published "
             "is a failure to publish, and a 汇总 without it is incomplete."),
      example=N_("淮安市洪泽区教育体育局 reported for 2023 but has no 2024 report."))
def missing_subordinate(peers: Peers) -> Iterator[PeerFinding]:
    r = get("missing-subordinate")
    present = {peers.body_of(rep) for rep in peers.reports}
    present_names = {_name_key(peers.name_of(rep)) for rep in peers.reports}
    listed: set[str] = set()
    for name in peers.expected or ():
        key = _name_key(name)
        if not key or key in listed:
            continue
        listed.add(key)
        if key not in present_names:
            yield None, r.finding(body=name.strip(), year=peers.year)
    # Last year's bodies are expected again only where this year's set covers their region and
    # level: a set of one county's departments says nothing of another county's.
    covered = {_scope(rep) for rep in peers.reports}
    seen: set[Hashable] = set()
    for rep in sorted(peers.previous, key=lambda x: (peers.name_of(x), x.source.file)):
        body = peers.body_of(rep)
        name = peers.name_of(rep)
        if body in present or body in seen or _name_key(name) in listed | present_names:
            continue
        if _scope(rep) not in covered:
            continue
        seen.add(body)
        yield None, r.finding(variant="last_year", body=name, year=peers.year, previous_year=peers.year - 1)


def _scope(report: Report) -> tuple[str | None, str | None]:
    return report.meta.region, report.meta.level


def _name_key(name: str) -> str:
    return "".join(ch for ch in name if not ch.isspace() and ch not in "()（）")
