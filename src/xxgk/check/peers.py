"""Run the "peers" rules: the reports of one year across bodies (copies, bodies that did not report)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from xxgk.check.registry import selected
from xxgk.check.rules.peers import COPY_MIN_CHARS, COPY_SECTIONS, PeerFinding, Peers, agency_key
from xxgk.check.similarity import (
    COPY_SIMILARITY,
    MAX_CANDIDATES,
    MIN_CHARS,
    NUM_PERM,
    Cleaned,
    Prepared,
    clean,
    lsh_params,
    minhash_values,
)
from xxgk.report import Report, SectionText


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


# ---------------------------------------------------------------- the store's peers pass
#
# The store runs the peer rules for one year at a time after every ingest (xxgk.store.peer_state).
# Hashing every section of a year of 100,000 reports again at each small ingest would cost
# minutes, so each report's sections are hashed ONCE, where it is parsed (`section_signature`),
# and a pass finds from the stored signatures alone which reports can be part of a copy
# (`copy_candidates`: they share an LSH band with another body's section), reads only those
# reports' sections and keeps the ones in a pair the exact similarity confirms; the rules then
# run over the whole year with only these reports' sections loaded. What they find is what they
# find over the complete reports: copied-from-other-body only ever confirms pairs that share a
# band, and every such pair is among the candidates. (One bound differs: the rule compares a
# text with at most 500 band-mates, in input order; a band shared by more is kept whole here,
# and the order among fewer reports can choose other ones — a template paragraph shared by
# hundreds of bodies, which are copies anyway.)

_SIG_DTYPE = "<u4"  # datasketch's hash values are below 2**32: four bytes each, little-endian
# The first byte of every signature. Bump it when `clean`, the shingles, the MinHash or the copy
# rule's sections and thresholds change: signatures of another revision are made again by the
# store's next pass, and their reports compared again as new ones.
SIGNATURE_REVISION = 1


def section_signature(report: Report) -> bytes:
    """The MinHash of each section that copied-from-other-body compares (sections 一, 五, 六 whose
    cleaned text is long enough), packed after SIGNATURE_REVISION: per section, one byte for its
    number, then NUM_PERM 32-bit hash values, in the report's order. Needs the extra
    `similarity` (numpy): ImportError without it."""
    return bytes([SIGNATURE_REVISION]) + b"".join(
        bytes([s.no]) + minhash_values(c).astype(_SIG_DTYPE).tobytes() for s, c in _compared(report.sections))


def _compared(sections: Iterable[SectionText]) -> list[tuple[SectionText, str]]:
    """The sections the copy rule compares, with their cleaned texts, in order."""
    out = []
    for s in sections:
        if s.no in COPY_SECTIONS:
            c = clean(s.text)
            if len(c) >= max(COPY_MIN_CHARS[s.no], MIN_CHARS):
                out.append((s, c))
    return out


def unpack_signature(data: bytes) -> list[tuple[int, bytes]] | None:
    """(section number, NUM_PERM hash values as bytes) of a packed signature; None when it is of
    another revision (or damaged): to be made again."""
    width = 1 + 4 * NUM_PERM
    if not data or data[0] != SIGNATURE_REVISION or (len(data) - 1) % width:
        return None
    return [(data[i], data[i + 1:i + width]) for i in range(1, len(data), width)]


def compared_sections(sections: Sequence[SectionText], signature: bytes) -> list[tuple[SectionText, Cleaned]]:
    """The sections the copy rule compares, each with its cleaned text carrying the MinHash of
    the stored signature — or no MinHash when the signature does not match the sections."""
    import numpy as np

    compared = _compared(sections)
    entries = unpack_signature(signature) or []
    matched = [no for no, _ in entries] == [s.no for s, _ in compared]
    out = []
    for k, (s, c) in enumerate(compared):
        cleaned = Cleaned(c)
        if matched:
            cleaned.hashvalues = np.frombuffer(entries[k][1], dtype=_SIG_DTYPE)
        out.append((s, cleaned))
    return out


def signed_text(compared: Sequence[tuple[SectionText, Cleaned]], k: int) -> Cleaned | None:
    """The cleaned text of the k-th section of a signature; None when unknown (no match)."""
    if k >= len(compared) or compared[k][1].hashvalues is None:
        return None
    return compared[k][1]


def prepared_sections(sections: Sequence[SectionText], compared: Sequence[tuple[SectionText, Cleaned]]
                      ) -> list[SectionText]:
    """The sections with the compared ones' texts `Prepared` (cleaned already, MinHash known), so
    the copy rule neither cleans them again nor hashes them."""
    known = {id(s): c for s, c in compared}
    out = []
    for s in sections:
        c = known.get(id(s))
        if c is None:
            out.append(s)
            continue
        text = Prepared(s.text)
        text.cleaned = c
        out.append(SectionText(s.no, s.title, text, s.loc))
    return out


def _bands() -> list[tuple[int, int]]:
    """The hash-value ranges (bands) of the rule's LSH index (band i is hash values
    i*r .. (i+1)*r), so a band shared here is a candidate there."""
    bands, rows = lsh_params()
    return [(i * rows, (i + 1) * rows) for i in range(bands)]


Key = tuple[Hashable, int]  # (report ref, index of the section in its signature)


@dataclass
class Candidates:
    """What a year's signatures say about copies, before any text is read: the groups of sections
    of two or more bodies that share an LSH band (every pair of different bodies in a group is a
    pair the rule would compare), and the reports in a band shared by more sections than the rule
    compares (MAX_CANDIDATES), kept whole.

    The groups are kept, not their pairs: a template paragraph shared by hundreds of bodies makes
    tens of thousands of pairs per band, and building them cost more than the rest of the pass."""

    groups: list[tuple[list[Key], list[Hashable]]] = field(default_factory=list)  # (sections, their bodies)
    crowded: set[Hashable] = field(default_factory=set)
    # Only the pairs with a section of one of these reports count (None: every pair).
    only: frozenset[Hashable] | None = None

    @property
    def refs(self) -> set[Hashable]:
        """The reports in a candidate pair, and the crowded ones."""
        out = set(self.crowded)
        for keys, bodies in self.groups:
            if self.only is None:  # a group holds two bodies at least: every member has a pair
                out.update(key[0] for key in keys)
                continue
            new = {body for key, body in zip(keys, bodies, strict=True) if key[0] in self.only}
            if not new:
                continue
            out.update(key[0] for key, body in zip(keys, bodies, strict=True)
                       if key[0] in self.only or new - {body})
        return out

    def involving(self, refs: set[Hashable]) -> Candidates:
        """The pairs with at least one section of these reports (and the crowded reports)."""
        only = frozenset(refs) if self.only is None else self.only & frozenset(refs)
        return Candidates(self.groups, self.crowded, only)

    def confirmed(self, cleaned: Callable[[Key], str | None]) -> set[Hashable]:
        """The reports in a pair the rule confirms (the same exact similarity and threshold), and
        the crowded ones. `cleaned(key)`: the section's cleaned text, None if unknown (kept).

        The set of every pair's confirmed ends, found without visiting every pair: in each group,
        only a section whose report is not in the set yet looks for a partner that confirms (it
        and the partner join), so pairs whose two reports are in already cost nothing, and a pair
        that fails is compared once whatever the bands it shares."""
        from rapidfuzz import fuzz

        out = set(self.crowded)
        failed: set[tuple[Key, Key]] = set()
        only = self.only
        for keys, bodies in self.groups:
            waiting = [i for i, key in enumerate(keys) if key[0] not in out]
            for i in waiting:
                a = keys[i]
                if a[0] in out:
                    continue
                for j, b in enumerate(keys):
                    if bodies[j] == bodies[i] or (only is not None and a[0] not in only and b[0] not in only):
                        continue
                    pair = (a, b) if i < j else (b, a)
                    if pair in failed:
                        continue
                    x, y = cleaned(a), cleaned(b)
                    if x is None or y is None or round(fuzz.ratio(x, y) / 100, 4) >= COPY_SIMILARITY:
                        out.update((a[0], b[0]))
                        break
                    failed.add(pair)
        return out


def copy_candidates(signed: Iterable[tuple[Hashable, Hashable, bytes]]) -> Candidates:
    """(ref, body, packed signature) of a year's reports in; the candidate groups out. Vectorised
    over all sections with numpy: no MinHash is computed and no text read."""
    import numpy as np

    by_part: dict[int, tuple[list[Key], list[Hashable], list[bytes]]] = {}
    for ref, body, data in signed:
        for k, (no, values) in enumerate(unpack_signature(data) or ()):
            keys, bodies, rows = by_part.setdefault(no, ([], [], []))
            keys.append((ref, k))
            bodies.append(body)
            rows.append(values)
    out = Candidates()
    for keys, bodies, rows in by_part.values():
        if len(rows) < 2:
            continue
        sig = np.frombuffer(b"".join(rows), dtype=_SIG_DTYPE).reshape(len(rows), NUM_PERM)
        seen: set[tuple[int, ...]] = set()  # a group shared by several bands is one group
        for start, end in _bands():
            band = np.ascontiguousarray(sig[:, start:end]).view(np.dtype((np.void, 4 * (end - start)))).ravel()
            _, inverse, counts = np.unique(band, return_inverse=True, return_counts=True)
            buckets: dict[int, list[int]] = {}
            for i in np.flatnonzero(counts[inverse] > 1).tolist():
                buckets.setdefault(int(inverse[i]), []).append(i)
            for members in buckets.values():
                if len({bodies[i] for i in members}) < 2:
                    continue
                if len(members) > MAX_CANDIDATES:
                    out.crowded.update(keys[i][0] for i in members)
                    continue
                if tuple(members) not in seen:
                    seen.add(tuple(members))
                    out.groups.append(([keys[i] for i in members], [bodies[i] for i in members]))
    return out


def year_findings(reports: Sequence[Report], previous: Sequence[Report] = (),
                  select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> list[PeerFinding]:
    """The peer findings of ONE year's reports (`previous`: the year before), each attached to a
    report, as the store keeps them: a body that did not report (missing-subordinate, a finding
    about the set) goes with that body's report of the year before, the last thing the store
    holds of it. Findings about the set that name no stored report (an expected list's) are left out."""
    name_of = Peers(0, ()).name_of
    out: list[PeerFinding] = []
    for owner, finding in peer_findings(reports, previous=previous, select=select, ignore=ignore):
        if owner is None:
            named = [r for r in previous if name_of(r) == finding.params.get("body")]
            if not named:
                continue
            owner = min(named, key=lambda r: (name_of(r), r.source.file, r.source.sha256))
        out.append((owner, finding))
    return out
