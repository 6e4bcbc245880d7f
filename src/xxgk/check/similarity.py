"""How alike two report texts are, and which of many texts are near copies of each other.

Used by the copy rules (`year-section-copied` over one body's years, `copied-from-other-body`
across the bodies of one year). Two texts are compared after removing what every report
shares by law or by template, so that only the body's own words count:

- whitespace, punctuation, digits (a copy with its year and counts changed is still a copy);
- titles of laws and documents in 《…》 (every report quotes the same 条例);
- the template's own phrases (section titles, the five heads of section 一, the stock sentences
  about the statistics period and where the report can be read).

Many texts: each is cut into overlapping 5-character shingles, summarised by a MinHash (128
permutations), and candidate pairs come from locality-sensitive hashing (datasketch's
MinHashLSH at Jaccard 0.5), so 100,000 reports need no n² comparison. Every candidate is then
confirmed by an exact similarity — rapidfuzz's normalised Indel ratio of the cleaned texts,
0..1, the share of characters both texts have in the same order — against the threshold.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from xxgk.template import SECTIONS

SHINGLE = 5
NUM_PERM = 128
# LSH finds pairs whose shingle sets overlap at least about this much (Jaccard); copies with a
# few sentences changed stay well above it, independent texts on the same subject stay below.
CANDIDATE_JACCARD = 0.5
# Confirmed copy: exact similarity of the cleaned texts at least this (0..1).
COPY_SIMILARITY = 0.85
# Cleaned texts shorter than this are never called copies: every "无" or "暂无" looks alike.
MIN_CHARS = 60

_QUOTED = re.compile(r"《[^》]{0,60}》")
_NOISE = re.compile(r"[\s\W_\d]+", re.UNICODE)
# Sentences every report carries by template (the statistics period, where to read the report,
# whom to ask), and the template's own headings.
_TEMPLATE_PHRASES = tuple(re.compile(p) for p in (
    r"本(?:年度)?报告[^。]{0,60}?(?:统计期限|统计时限|数据统计)[^。]*。?",
    r"本(?:年度)?报告[^。]{0,40}?(?:电子版|查阅|下载)[^。]*。?",
    r"(?:如对本(?:年度)?报告有任何疑问|如有疑问)[^。]*。?",
    r"本报告由[^。]{0,60}编制[^。]*。?",
))
_HEADINGS = tuple(s.title.split("、", 1)[-1] for s in SECTIONS) + tuple(
    name for name, _ in SECTIONS[0].required_heads)


def clean(text: str) -> str:
    """The body's own words: template phrases, quoted titles, digits and punctuation removed."""
    t = unicodedata.normalize("NFKC", text)
    t = _QUOTED.sub("", t)
    for pattern in _TEMPLATE_PHRASES:
        t = pattern.sub("", t)
    for heading in _HEADINGS:
        t = t.replace(heading, "")
    return _NOISE.sub("", t)


def similarity(a: str, b: str) -> float:
    """Exact similarity of two texts after `clean`, 0..1 (rapidfuzz normalised Indel ratio)."""
    from rapidfuzz import fuzz

    return fuzz.ratio(clean(a), clean(b)) / 100


def shingles(cleaned: str, k: int = SHINGLE) -> set[bytes]:
    return {cleaned[i:i + k].encode("utf-8") for i in range(max(1, len(cleaned) - k + 1))}


@dataclass(frozen=True)
class Text:
    """One text to compare: `ref` names its report, `group` its body (texts of one group are
    never compared with each other), `part` what it is (a section number)."""

    ref: Hashable
    group: Hashable
    part: int
    text: str


@dataclass(frozen=True)
class Match:
    a: Text
    b: Text
    similarity: float


def near_copies(texts: Iterable[Text], threshold: float = COPY_SIMILARITY,
                min_chars: int = MIN_CHARS) -> list[Match]:
    """Pairs of texts of the same `part` and different `group`s whose cleaned texts are at least
    `threshold` alike. Deterministic: pairs ordered by their position in the input."""
    from datasketch import MinHash, MinHashLSH
    from rapidfuzz import fuzz

    items: list[tuple[Text, str]] = []
    for t in texts:
        c = clean(t.text)
        if len(c) >= min_chars:
            items.append((t, c))
    if len(items) < 2:
        return []
    lsh: dict[int, MinHashLSH] = {}
    hashes = MinHash.bulk([list(shingles(c)) for _, c in items], num_perm=NUM_PERM)
    for i, ((t, _), mh) in enumerate(zip(items, hashes, strict=True)):
        index = lsh.setdefault(t.part, MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM))
        index.insert(i, mh)
    matches: list[Match] = []
    for i, ((t, c), mh) in enumerate(zip(items, hashes, strict=True)):
        for j in sorted(lsh[t.part].query(mh)):
            if j <= i:
                continue
            u, cu = items[j]
            if u.group == t.group:
                continue
            score = fuzz.ratio(c, cu) / 100
            if score >= threshold:
                matches.append(Match(t, u, round(score, 4)))
    return matches


def sections_of(ref: Hashable, group: Hashable, sections: Sequence[tuple[int, str]],
                parts: Sequence[int] = (1, 5, 6)) -> list[Text]:
    """The texts of one report to compare: its sections numbered in `parts`."""
    return [Text(ref, group, no, text) for no, text in sections if no in parts]
