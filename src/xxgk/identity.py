"""Who wrote a report, where, at what level: the body, its region (with the official
administrative-division code) and its level — and the key that links one body across years.

Sources, in order of trust: the body's name (from the title: the parser's `meta.agency`), the
text (the name printed in full in the text, a 《…年度报告》 citation, the places the opening
of the report mentions), and last the file name. Every value says where it came from
(`meta.provenance`); nothing is guessed silently: a place name that several regions share
(鼓楼区: Nanjing, Fuzhou, Xuzhou, Kaifeng) is resolved only when the text names the parent,
and otherwise left unknown with the reason in the provenance.

Region names and codes come from `cpca`'s bundled table of the GB/T 2260 administrative
divisions (province, city and county level, 6-digit codes), matched with pyahocorasick: never
from a list written here.

Levels (`meta.level`):

- `province`, `city`, `county` — a people's government (人民政府) at that level (a
  county-level city or a city district is `county`);
- `township` — a township or town government, or a sub-district office (乡/镇/街道);
- `development_zone` — the administrative committee (管委会) of a development zone, high-tech
  zone or industrial park;
- `department` — any other body: a government's department, office or bureau (局, 委, 办, 厅…).

`region` is the most specific region known to contain the body, so a district bureau whose
report names only its city gets the city's code; the provenance says how it was found.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath
from typing import Any

from xxgk.errors import XxgkError
from xxgk.report import Report
from xxgk.text import nfkc, squash

# Bump when a change here changes what identify() returns: stored parses are then redone.
IDENTITY_REVISION = 2

LEVELS = ("province", "city", "county", "township", "development_zone", "department")
_RANK_LEVEL = {0: "province", 1: "city", 2: "county"}

# Names in the division table that are placeholders, not places (municipal districts etc.).
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

_ZONE = re.compile(
    r"开发区|高新区|高新技术产业|工业园区?|产业园区?|园区|经济技术|保税区|综合(实验|试验)区|"
    r"新区管|试验区|示范区|合作区|管委会|管理委员会"
)
_TOWNSHIP = re.compile(r"(乡|镇|街道)(人民政府|政府|办事处)$|街道办事处$|街道$")
_GOVERNMENT = re.compile(r"人民政府$|^(.*[省市区县旗])政府$")
_GOVERNMENT_WORDS = re.compile(r"(人民)?政府$")
_GOVERNMENT_RANK = re.compile(r"(自治区|省|自治州|盟|自治县|自治旗|县|旗|区)$")
_RANK_OF_WORD = {"省": 0, "自治区": 0, "自治州": 1, "盟": 1, "县": 2, "自治县": 2, "旗": 2, "自治旗": 2, "区": 2}
_CENTRAL = re.compile(r"^(国务院|国家|中华人民共和国|中国)|(部|总局|总署)$")
_REPORT_CITATION = re.compile(r"《([^《》]{2,40}?)(?:19|20)\d{2}\s*年度?政府信息公开工作年度报告》")
_BARE_PREFIX = re.compile(r"^[省市区县旗镇乡]")
# Words that vary between years of the same body's title and do not change who it is.
_NAME_VARIANTS = (("管理委员会", "管委会"), ("办公厅", "办公厅"), ("(", ""), (")", ""))
_PUNCT = re.compile(r"[\s\"'“”‘’《》〈〉()（）【】\[\]·・,，.。:：;；、\-—－_]+")


# ---------------------------------------------------------------- the division table (cpca)


@dataclass(frozen=True)
class Place:
    code: str  # 6-digit GB/T 2260 code: 320000 province, 320800 city, 320813 county
    rank: int  # 0 province, 1 city, 2 county

    @property
    def name(self) -> str:
        """Full name from the province down: 江苏省淮安市洪泽区."""
        parts = []
        for prefix_len in range(0, self.rank + 1):
            code = (self.code[: 2 * (prefix_len + 1)]).ljust(6, "0")
            n = _names().get(code)
            if n and n not in _PLACEHOLDERS and (not parts or parts[-1] != n):
                parts.append(n)
        return "".join(parts)

    def contains(self, other: Place) -> bool:
        return other.code.startswith(self.code[: 2 * (self.rank + 1)])


@cache
def _table() -> tuple[dict[str, str], Any]:
    """The division table and an Aho-Corasick automaton over its names and their short forms.

    The data is cpca's (its bundled `resources/adcodes.csv`, GB/T 2260 at province, city and
    county level). It is read from the installed package's folder rather than through
    `import cpca`, which needs `pkg_resources` (gone from current setuptools) and pandas; the
    short forms follow cpca's rule: 江苏省 -> 江苏, 南京市 -> 南京, 宁夏回族自治区 -> 宁夏 (区 and
    县 are kept: too many county names would otherwise become common words).
    """
    import ahocorasick

    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise XxgkError("telling regions needs the division table of the cpca package: pip install cpca")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    names: dict[str, str] = {}
    words: dict[str, list[Place]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"][:6], row["name"]
            names[code] = name
            if name in _PLACEHOLDERS:
                continue  # 市辖区, 重庆's 县...: table rows, not place names
            rank = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
            short = _SHORT.get(name) or _STOP.sub("", name)
            for word in {name, short}:
                if len(word) >= 2:
                    words.setdefault(word, []).append(Place(code, rank))
    automaton = ahocorasick.Automaton()
    for word, places in words.items():
        automaton.add_word(word, (word, tuple(places)))
    automaton.make_automaton()
    return names, automaton


def _names() -> dict[str, str]:
    return _table()[0]


_SHORT = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "新疆维吾尔自治区": "新疆",
    "宁夏回族自治区": "宁夏",
}
_STOP = re.compile(r"([省市]|特别行政区|自治区)$")
_NATION = Place("100000", 0)  # GB/T 2260's code for the country as a whole: central bodies


@dataclass(frozen=True)
class PlaceMatch:
    """The region a run of place names designates, where it was printed, and any ambiguity."""

    place: Place | None
    start: int
    end: int  # exclusive
    ambiguous: tuple[Place, ...] = ()


@dataclass(frozen=True)
class _Name:
    """One place name found in a text: where, and every place it can mean."""

    start: int
    end: int  # exclusive
    places: tuple[Place, ...]


def _runs(text: str) -> list[list[_Name]]:
    """Place names (leftmost-longest, non-overlapping), grouped into runs printed back to back
    (淮安市洪泽区)."""
    runs: list[list[_Name]] = []
    for last, (word, places) in _table()[1].iter_long(text):
        name = _Name(last - len(word) + 1, last + 1, places)
        if runs and name.start == runs[-1][-1].end:
            runs[-1].append(name)
        else:
            runs.append([name])
    return runs


def _resolve(run: Sequence[_Name], context: Sequence[Place] = ()) -> PlaceMatch:
    """The place a run designates: each name read under the previous one (cpca's rule), and a
    name several places share resolved by the context (places named elsewhere) or not at all."""
    parent: Place | None = None
    for i, name in enumerate(run):
        candidates = list(name.places)
        if parent is not None:
            under = [c for c in candidates if parent.contains(c) and c.rank > parent.rank]
            if not under:  # a name that does not belong under the previous one ends the run
                return PlaceMatch(parent, run[0].start, run[i - 1].end)
            candidates = under
        if len(candidates) > 1:
            narrowed = [c for c in candidates if any(p.contains(c) and p.rank < c.rank for p in context)]
            if len(narrowed) == 1:
                candidates = narrowed
            else:
                return PlaceMatch(parent, run[0].start, name.end, tuple(candidates))
        parent = candidates[0]
    return PlaceMatch(parent, run[0].start, run[-1].end)


def find_place(name: str, context: Sequence[Place] = ()) -> PlaceMatch | None:
    """The region named in a body's name (the first run of place names in it), or None."""
    runs = _runs(name)
    if not runs:
        return None
    return _resolve(runs[0], context)


def mentioned_places(text: str) -> list[Place]:
    """Every place the text names unambiguously, in order."""
    out = []
    for run in _runs(text):
        pm = _resolve(run)
        if pm.place is not None and not pm.ambiguous:
            out.append(pm.place)
    return out


# A region is read from the places a text mentions only when it dominates them: at least this
# share of the mentions at its rank and below, and at least MIN_MENTIONS of them. A passing
# mention (赴杭州学习, a company named 兴化…) then cannot move a report to another province.
DOMINANCE = 2 / 3
MIN_MENTIONS = 2


def dominant_place(places: Sequence[Place]) -> Place | None:
    """The deepest region the mentions concentrate on (province, then city, then county)."""
    chosen: Place | None = None
    for rank in (0, 1, 2):
        pool = [p for p in places if p.rank >= rank and (chosen is None or chosen.contains(p))]
        if len(pool) < MIN_MENTIONS:
            break
        votes: dict[str, int] = {}
        for p in pool:
            code = p.code[: 2 * (rank + 1)].ljust(6, "0")
            votes[code] = votes.get(code, 0) + 1
        code, n = max(sorted(votes.items()), key=lambda kv: kv[1])
        if n < MIN_MENTIONS or n < DOMINANCE * len(pool) or code not in _names() or _names()[code] in _PLACEHOLDERS:
            break
        chosen = Place(code, rank)
    return chosen


# ---------------------------------------------------------------- names, levels, keys


def clean_name(name: str) -> str:
    """NFKC, no whitespace or punctuation: the name as compared."""
    t = nfkc(name)
    return _PUNCT.sub("", t)


def core_name(name: str, match: PlaceMatch | None) -> str:
    """The name without its region prefix and with stable spellings: what stays the same for
    one body across years (淮安市洪泽区人民政府 -> 人民政府 under 320813)."""
    t = clean_name(name)
    if match is not None and match.place is not None and match.start == 0:
        t = t[match.end :]
    for a, b in _NAME_VARIANTS:
        t = t.replace(a, b)
    return t


def body_key(region_code: str, core: str) -> str:
    return f"{region_code}:{core}"


def classify_level(agency: str, place: Place | None) -> str | None:
    """The level of a body from its name and region (see the module doc); None for a people's
    government whose region is unknown (its level is the region's)."""
    name = clean_name(agency)
    if _TOWNSHIP.search(name):
        return "township"
    if _ZONE.search(name):
        return "development_zone"
    if _GOVERNMENT.search(name):
        if place is not None:
            return _RANK_LEVEL[place.rank]
        # The region is unknown (a 鼓楼区 of four cities, a renamed 郫都区), but the name's last
        # place word still tells the rank, except 市 (a city or a county-level city).
        rank = _GOVERNMENT_RANK.search(_GOVERNMENT_WORDS.sub("", name))
        return _RANK_LEVEL[_RANK_OF_WORD[rank.group(1)]] if rank else None
    return "department"


# ---------------------------------------------------------------- identify


@dataclass(frozen=True)
class BodyIdentity:
    """Who wrote a report, as the store links it across years (`body_key`: region code +
    normalised name; the one key the store, compile, stats and compare group reports by)."""

    key: str
    name: str
    region: str | None
    region_code: str | None
    level: str | None


@dataclass(frozen=True)
class Identity:
    agency: str | None
    region: str | None
    region_code: str | None
    level: str | None
    year: int | None
    body: BodyIdentity | None
    provenance: dict[str, str]


def _full_text(report: Report) -> str:
    return "\n".join([report.meta.title or "", *(s.text for s in report.sections)])


def _agency_from_text(report: Report) -> str | None:
    m = _REPORT_CITATION.search(clean_name_keep_brackets(_full_text(report)))
    return m.group(1) if m else None


def clean_name_keep_brackets(text: str) -> str:
    return squash(text)  # NFKC without whitespace, the fast way (whole report texts come here)


def _agency_from_filename(file: str) -> str | None:
    from xxgk.parse.meta import agency_from_title

    stem = PurePath(file).stem
    if not re.search(r"[\u4e00-\u9fff]{2}", stem):
        return None
    agency = agency_from_title(clean_name_keep_brackets(stem))
    return agency if agency and re.search(r"[\u4e00-\u9fff]{2}", agency) else None


def _fuller_name(core: str, text: str) -> str | None:
    """The body's name printed in the text with a region in front of it (栾川县先进制造业开发区
    for a title that says 先进制造业开发区), or None."""
    if len(core) < 2:
        return None
    flat = clean_name_keep_brackets(text)
    found: dict[str, int] = {}
    for m in re.finditer(re.escape(core), flat):
        before = flat[max(0, m.start() - 16) : m.start()]
        for run in reversed(_runs(before)):
            if run[-1].end == len(before):  # the place names end right where the name starts
                start = run[0].start
                found[before[start:] + core] = found.get(before[start:] + core, 0) + 1
                break
    if not found:
        return None
    best = max(found.values())
    leaders = [n for n, c in found.items() if c == best]
    return leaders[0] if len(leaders) == 1 else None


def identify(report: Report, file: str | None = None) -> Identity:
    """Body, region, level and year of a report (reads the report, changes nothing)."""
    meta = report.meta
    prov: dict[str, str] = {}
    file = file or report.source.file or ""

    # Who: the parser's name from the title, else a 《…年度报告》 the text cites, else the file name.
    agency, agency_src = meta.agency, (meta.provenance.get("agency", "title") if meta.agency else None)
    if not agency:
        agency = _agency_from_text(report)
        agency_src = "text (report title cited in the text)" if agency else None
    if not agency:
        agency = _agency_from_filename(file)
        agency_src = "filename" if agency else None
    if agency and not meta.agency:
        prov["agency"] = agency_src or "text"

    # Where: the region printed in the name; when the name lacks it (先进制造业开发区) or has only
    # a bare 区/县 (区科工局), the full name as the text prints it; then the file name; then the
    # places the opening of the report names, when they all lie on one line. Only a region
    # printed with the name itself lets the body be linked across years.
    text = _full_text(report)
    mentions: list[list[Place]] = []

    def context() -> list[Place]:
        # Every place the text names: needed only to settle a shared name or as the last
        # resort, so it is computed only then (it is most of identify()'s cost).
        if not mentions:
            mentions.append(mentioned_places(text))
        return mentions[0]

    def locate(name: str) -> PlaceMatch | None:
        m = find_place(name)
        return find_place(name, context()) if m is not None and m.ambiguous else m

    named = clean_name(agency) if agency else None
    match = locate(named) if named else None
    place = match.place if match else None
    region_src = f"agency name ({agency_src})" if place else None
    linkable = place is not None
    if named and (place is None or _BARE_PREFIX.match(named[match.end :] if match and place else named)):
        rest = named[match.end :] if match and place and match.start == 0 else named
        fuller = _fuller_name(_BARE_PREFIX.sub("", rest), text)
        if fuller:
            m2 = locate(fuller)
            if m2 is not None and m2.place is not None and (place is None or place.contains(m2.place)):
                named, match, place = fuller, m2, m2.place
                region_src, linkable = f"text (full name printed: {fuller})", True
    if place is None and file:
        m3 = locate(clean_name(PurePath(file).stem))
        if m3 is not None and m3.place is not None:
            place, region_src = m3.place, "filename"
            # The file name links the body only when it also gave the body's name.
            linkable = agency_src == "filename"
            if linkable:
                named, match = clean_name(PurePath(file).stem), m3
        elif m3 is not None and m3.ambiguous and not (match and match.ambiguous):
            match = m3
    if place is None and match is not None and match.ambiguous:
        names = "、".join(sorted({p.name for p in match.ambiguous}))
        prov["region"] = f"unknown: {names} share the name and the text names none of their parents"
    elif place is None:
        line = dominant_place(context())
        if line is not None:
            place, region_src = line, "text (the places the report mentions most)"
        elif named and _CENTRAL.search(named):
            place, region_src, linkable = _NATION, "agency name (a central body)", True
    if place is not None:
        prov["region"] = region_src or "text"

    region = None if place is None else ("中华人民共和国" if place is _NATION else place.name)
    level = None
    if agency:
        level = classify_level(agency, place if place is not None and place is not _NATION else None)
        if level:
            prov["level"] = ("agency name and region" if level in _RANK_LEVEL.values() and place is not None
                             else "agency name")

    body = None
    if agency and named and place is not None and linkable:
        core = _BARE_PREFIX.sub("", core_name(named, match)) if level == "department" else core_name(named, match)
        body = BodyIdentity(body_key(place.code, core or named), agency, region, place.code, level)
    return Identity(agency, region, None if place is None else place.code, level, meta.year, body, prov)


def report_body_key(report: Report) -> str | None:
    """The key linking a report's body across years (region code + normalised name): the one
    key by which the store, the cross-year rules, compile, stats and compare group reports.
    None when the body cannot be told for sure (such a report is compared with nothing)."""
    body = identify(report).body
    return body.key if body is not None else None


def apply(report: Report, identity: Identity | None = None) -> Identity:
    """Fill the report's meta from its identity: agency (when the parser found none), region,
    level; with their provenance. Returns the identity (computed when not given)."""
    ident = identity or identify(report)
    meta = report.meta
    if meta.agency is None and ident.agency is not None:
        meta.agency = ident.agency
    meta.region = ident.region
    meta.level = ident.level
    for key in ("agency", "region", "level"):
        if key in ident.provenance:
            meta.provenance[key] = ident.provenance[key]
        elif key != "agency":
            meta.provenance.pop(key, None)
    return ident
