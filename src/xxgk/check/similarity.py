"""How alike two report texts are, and which of many texts are near copies of each other.

Used by the copy rules (`year-section-copied` over one body's years, `copied-from-other-body`
across the bodies of one year). Two texts are compared after removing what every report
shares by law or by template, so that only the body's own words count:

- whitespace, punctuation, digits (a copy with its year and counts changed is still a copy);
- titles of laws and documents in 《…》 (every report quotes the same 条例);
- the template's own phrases (section titles, the five heads of section 一, the stock sentences
  about the statistics period and where the report can be read).

Many texts: each is cut into overlapping 5-character shingles, summarised by a MinHash (128
permutations), and candidate pairs come from locality-sensitive hashing (datasketch's MinHash
and MinHashLSH at Jaccard 0.5, reproduced bit for bit with numpy: `minhash_values`,
`LSHIndex`), so 100,000 reports need no n² comparison. Every candidate is then
confirmed by an exact similarity — rapidfuzz's normalised Indel ratio of the cleaned texts,
0..1, the share of characters both texts have in the same order — against the threshold.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

from xxgk.template import SECTIONS
from xxgk.text import nfkc

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
    # The 信息处理费 statement section 六 must carry is the same few words in every report.
    r"[^。]{0,20}信息处理费[^。]*。?",
))
_HEADINGS = tuple(s.title.split("、", 1)[-1] for s in SECTIONS) + tuple(
    name for name, _ in SECTIONS[0].required_heads)


class Cleaned(str):
    """A cleaned text (`clean`'s result) that may carry its MinHash hash values, computed before:
    `minhash_matrix` uses them instead of hashing the text again."""

    hashvalues: Any = None


class Prepared(str):
    """A text whose `clean` result is already known: `clean` returns it without working again.

    The store keeps each report's section signatures (xxgk.check.peers.section_signature); its
    pass over a year hands the copy rule the sections as Prepared texts, so a report stored once
    is not hashed again by every later ingest. The rule itself reads them as plain strings."""

    cleaned: Cleaned


def prepared(text: str) -> Prepared:
    """`text` with its cleaned form computed now, once (see Prepared)."""
    out = Prepared(text)
    out.cleaned = Cleaned(clean(text))
    return out


def clean(text: str) -> str:
    """The body's own words: template phrases, quoted titles, digits and punctuation removed."""
    if isinstance(text, Prepared):
        return text.cleaned
    t = nfkc(text)  # unicodedata's NFKC, without its slow path for full-width punctuation
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


_MAX_HASH = (1 << 32) - 1


def shingle_hashes(cleaned: str, k: int = SHINGLE) -> np.ndarray:
    """32-bit hashes of the text's distinct k-character shingles (a polynomial hash over code
    points, vectorised: hashing shingle by shingle in Python costs 10× more)."""
    import numpy as np  # extra `similarity`; not needed to read a report

    points = np.frombuffer(cleaned.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = max(1, len(points) - k + 1)
    h = np.zeros(width, dtype=np.uint64)
    for j in range(min(k, len(points))):
        h = (h * np.uint64(1_000_003) + points[j:j + width]) & np.uint64(_MAX_HASH)
    return np.unique(h)


# MurmurHash3's 32-bit finalizer (shifts and multipliers): datasketch's "affine32" scheme mixes
# every input hash with it before its permutations.
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> np.ndarray:
    """The permutation parameters (a row of a, a row of b) datasketch 2's MinHash draws for its
    default scheme ("affine32") and seed 1: a odd, both 32-bit, from numpy's RandomState(1) in
    its order. Drawn here, once per process: importing datasketch costs a second (it brings
    scipy), which every worker of an ingest would pay before reading its first file. A test
    checks them against datasketch's own."""
    import numpy as np

    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


def minhash_values(cleaned: str, num_perm: int = NUM_PERM) -> np.ndarray:
    """The MinHash hash values of a text's shingles, bit for bit what datasketch's
    `MinHash(num_perm, hashfunc=identity).update_batch(shingle_hashes(text))` gives ("affine32":
    each shingle hash mixed by MurmurHash3's finalizer, then h -> a*h + b mod 2**32 per
    permutation, the minimum kept), as one numpy expression over all shingles and permutations
    instead of a Python call per shingle and a MinHash object per text."""
    import numpy as np

    h = shingle_hashes(cleaned).astype(np.uint32)
    s1, m1, s2, m2, s3 = _FMIX32
    h ^= h >> np.uint32(s1)
    h *= np.uint32(m1)
    h ^= h >> np.uint32(s2)
    h *= np.uint32(m2)
    h ^= h >> np.uint32(s3)
    a, b = _permutations(num_perm)
    return (h[:, None] * a + b).min(axis=0)  # uint32: the wrap-around is the modulo


def minhash_matrix(cleaned: Sequence[str], num_perm: int = NUM_PERM) -> np.ndarray:
    """The texts' MinHash values, a row each; a text that carries them (`Cleaned.hashvalues`,
    from a stored signature) is not hashed again."""
    import numpy as np

    rows = []
    for text in cleaned:
        known = getattr(text, "hashvalues", None)
        rows.append(known if known is not None and len(known) == num_perm else minhash_values(text, num_perm))
    return np.array(rows, dtype=np.uint32).reshape(len(rows), num_perm)


class LSHIndex:
    """Which rows of a MinHash matrix share a band with a given row: the candidates datasketch's
    MinHashLSH (with `lsh_params()`) returns from `query` once every row is inserted — band i is
    hash values i*r .. (i+1)*r, equal bytes share a bucket — built with numpy in one pass over
    each band instead of a dictionary insert per row and band."""

    def __init__(self, values: np.ndarray) -> None:
        import numpy as np

        bands, rows = lsh_params()
        self.bands: list[tuple[np.ndarray, dict[int, list[int]]]] = []
        n = len(values)
        for i in range(bands):
            band = np.ascontiguousarray(values[:, i * rows:(i + 1) * rows])
            _, inverse, counts = np.unique(band.view(np.dtype((np.void, band.dtype.itemsize * rows))).ravel(),
                                           return_inverse=True, return_counts=True)
            inverse = inverse.reshape(n)
            shared: dict[int, list[int]] = {}
            for row in np.flatnonzero(counts[inverse] > 1).tolist():  # ascending: members in row order
                shared.setdefault(int(inverse[row]), []).append(row)
            self.bands.append((inverse, shared))

    def query(self, row: int) -> list[int]:
        """The rows sharing a band with `row` (itself included), in row order."""
        out = {row}
        for inverse, shared in self.bands:
            members = shared.get(int(inverse[row]))
            if members is not None:
                out.update(members)
        return sorted(out)


@dataclass(frozen=True)
class Text:
    """One text to compare: `ref` names its report, `group` its body (texts of one group are
    never compared with each other), `part` what it is (a section number)."""

    ref: Hashable
    group: Hashable
    part: int
    text: str


@dataclass(frozen=True)
class Copies:
    """The texts of other groups that one text nearly copies: the most similar first (at most
    `shown` of them), and how many there are in all."""

    text: Text
    others: tuple[tuple[Text, float], ...]
    count: int


# A text whose LSH bucket holds more candidates than this is compared with the first ones only
# (in input order): a template paragraph shared by thousands of reports would otherwise cost
# millions of comparisons. Exact duplicates never count against it (they are grouped first).
MAX_CANDIDATES = 500


def near_copies(texts: Iterable[Text], threshold: float = COPY_SIMILARITY, min_chars: int = MIN_CHARS,
                shown: int = 3) -> list[Copies]:
    """For every text that nearly copies texts of other `group`s (same `part`, cleaned texts at
    least `threshold` alike): which, and how many. Deterministic: in input order."""
    by_part: dict[int, list[tuple[int, Text, str]]] = {}
    for n, t in enumerate(texts):
        c = clean(t.text)
        if len(c) >= min_chars:
            by_part.setdefault(t.part, []).append((n, t, c))
    found: list[tuple[int, Copies]] = []
    for part in sorted(by_part):  # one part at a time: its hashes and index are freed before the next
        found.extend(_copies_within(by_part.pop(part), threshold, shown))
    return [c for _, c in sorted(found, key=lambda x: x[0])]


# datasketch's MinHashLSH optimum (bands, rows per band) for (threshold, num_perm), known for the
# values this module uses: computing it integrates numerically with scipy (a second of imports
# in every process). A test checks it against datasketch; other values are computed by it.
_KNOWN_LSH_PARAMS = {(0.5, 128): (25, 5)}


@lru_cache(maxsize=1)
def lsh_params() -> tuple[int, int]:
    """(bands, rows per band) of the LSH index: datasketch's own optimum for CANDIDATE_JACCARD and
    NUM_PERM."""
    known = _KNOWN_LSH_PARAMS.get((CANDIDATE_JACCARD, NUM_PERM))
    if known is not None:
        return known
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def _copies_within(items: list[tuple[int, Text, str]], threshold: float, shown: int) -> list[tuple[int, Copies]]:
    from rapidfuzz import fuzz

    # Identical cleaned texts are one representative: copies of copies cost nothing more.
    reps: dict[str, list[int]] = {}
    for i, (_, _, c) in enumerate(items):
        reps.setdefault(c, []).append(i)
    keys = list(reps)
    lsh = LSHIndex(minhash_matrix(keys))
    # Representative pairs confirmed by the exact similarity.
    linked: dict[int, list[tuple[int, float]]] = {k: [(k, 1.0)] for k in range(len(keys))}
    for k in range(len(keys)):
        for j in lsh.query(k)[:MAX_CANDIDATES]:
            if j <= k:
                continue
            score = round(fuzz.ratio(keys[k], keys[j]) / 100, 4)
            if score >= threshold:
                linked[k].append((j, score))
                linked[j].append((k, score))
    del lsh
    out: list[tuple[int, Copies]] = []
    rep_of = {i: k for k, key in enumerate(keys) for i in reps[key]}
    for i, (n, t, _) in enumerate(items):
        if len(linked[rep_of[i]]) == 1 and len(reps[keys[rep_of[i]]]) == 1:
            continue  # no copy, no twin
        matches = [(items[m][1], score, m) for k, score in linked[rep_of[i]] for m in reps[keys[k]]
                   if m != i and items[m][1].group != t.group]
        if not matches:
            continue
        matches.sort(key=lambda x: (-x[1], x[2]))
        groups = {x[0].group for x in matches}
        out.append((n, Copies(t, tuple((x[0], x[1]) for x in matches[:shown]), len(groups))))
    return out


def sections_of(ref: Hashable, group: Hashable, sections: Sequence[tuple[int, str]],
                parts: Sequence[int] = (1, 5, 6)) -> list[Text]:
    """The texts of one report to compare: its sections numbered in `parts`."""
    return [Text(ref, group, no, text) for no, text in sections if no in parts]
