"""The outline of a report: every heading with its level, ordinal and text, built once per report.

Real reports number their headings in a fixed hierarchy — 第一部分 › 一、 › （一） › 1. › (1) —
and reuse the words of the template's section titles in their sub-heads: section 一 often
opens with the sub-heads （一）主动公开政府信息情况 and （二）依申请公开政府信息情况, each on a
line of its own. A section is therefore a heading of the report's *section style* (the
numbering style whose headings carry the section titles with their own ordinals: 二、主动公开…
is heading two), never a sub-head of a deeper style. A table of contents (目录: the titles
listed one a line, without page numbers, before the text) is recognised and skipped.

The outline is plain data (`Outline.to_dict()`), kept on the Report for the structure rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from xxgk.parse.lines import Line
from xxgk.template import SECTIONS, Section
from xxgk.text import normalize, squash

Style = Literal["part", "cjk", "paren_cjk", "arabic", "paren_arabic", "bare"]
Kind = Literal["section", "heading", "toc"]
# Numbering styles from the outermost to the innermost; "bare" (an unnumbered template title)
# sits with the section style wherever that is.
STYLE_ORDER: tuple[Style, ...] = ("part", "cjk", "paren_cjk", "arabic", "paren_arabic")
STYLE_LABEL: dict[Style, str] = {"part": "第一部分", "cjk": "一、", "paren_cjk": "（一）", "arabic": "1.",
                                 "paren_arabic": "(1)", "bare": ""}

_CN = "一二三四五六七八九十"
_PART = re.compile(rf"^第([{_CN}]{{1,3}})(?:部分|章)[、.,，:：]?")
_CJK = re.compile(rf"^([{_CN}]{{1,3}})([、.,，:：]?)")
_PAREN_CJK = re.compile(rf"^[(（]([{_CN}]{{1,3}})[)）][、.,，:：]?")
_ARABIC = re.compile(r"^(\d{1,2})[.、,，:：](?!\d)")
_PAREN_ARABIC = re.compile(r"^[(（](\d{1,2})[)）][、.,，:：]?")
_PATTERNS: tuple[tuple[Style, re.Pattern[str]], ...] = (
    ("part", _PART), ("cjk", _CJK), ("paren_cjk", _PAREN_CJK), ("arabic", _ARABIC),
    ("paren_arabic", _PAREN_ARABIC),
)
_HEAD_START = frozenset("第(（" + _CN)
_DECORATION = re.compile(r"[*#＊【】\[\]]")
# A heading is a title, not a sentence: a clause mark after the numeral means a paragraph that
# opens with its sub-head ("（一）主动公开情况。2024年…"), even when OCR turned "。" into "·".
_CLAUSE = re.compile(r"[，,；;。·]")
_MAX_HEADING = 34
_TOC_WORD = re.compile(r"^目录$")
_SECTION_PATTERNS = [(s, re.compile(s.match)) for s in SECTIONS]
# A template section title printed word for word without its numeral (总体情况): the first
# section of that title, by its normalised words.
_BARE_TITLES: dict[str, Section] = {normalize(s.title[2:]): s for s in reversed(SECTIONS)}
_BARE_FIRST = frozenset(t[0] for t in _BARE_TITLES)


def _ordinal(numeral: str) -> int | None:
    if numeral.isdigit():
        return int(numeral)
    if numeral == "十":
        return 10
    if len(numeral) == 1:
        return _CN.index(numeral) + 1 if numeral in _CN else None
    if numeral.startswith("十"):
        return 10 + _CN.index(numeral[1]) + 1
    if numeral.endswith("十"):
        return (_CN.index(numeral[0]) + 1) * 10
    if len(numeral) == 3 and numeral[1] == "十":
        return (_CN.index(numeral[0]) + 1) * 10 + _CN.index(numeral[2]) + 1
    return None


@dataclass
class Heading:
    line: int  # index of the line in the document's lines
    loc: str
    style: Style
    ordinal: int | None
    text: str  # as printed, stripped
    title: str  # the words after the numeral, normalised
    section: int | None = None  # the template section whose title the words match
    level: int = 0
    kind: Kind = "heading"

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "loc": self.loc, "level": self.level, "style": STYLE_LABEL[self.style],
                "ordinal": self.ordinal, "text": self.text, "section": self.section, "kind": self.kind}


@dataclass
class SectionSpan:
    section: Section
    start: int  # index of the heading line
    end: int  # index one past the last line of the section
    heading: str

    @property
    def no(self) -> int:
        return self.section.no


@dataclass
class Outline:
    headings: list[Heading] = field(default_factory=list)
    section_style: Style | None = None
    toc: tuple[int, int] | None = None  # line range [start, end) of a table of contents
    spans: list[SectionSpan] = field(default_factory=list)
    # Where each table was read (line range, and what decided it) and how it was laid out.
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (Report.outline)::

            {"section_style": "一、" | "（一）" | "第一部分" | "1." | "(1)" | "" (unnumbered) | None,
             "toc": [first line, end line) of a 目录 block | None,
             "headings": [{"line": index into the document's lines, "loc": "p2:L14",
                           "level": 1 for the section style (0 outer, 2, 3… inner),
                           "style": as section_style, "ordinal": 2 (二 / (2) / 2.) | None,
                           "text": "二、主动公开政府信息情况" as printed,
                           "section": the template section its words match | None,
                           "kind": "section" | "heading" | "toc"}, …],
             "tables": {"active" | "applications" | "appeals":
                        {"start": line, "end": line, "by": "section" | "table header" | "after the
                         previous table", "orientation": "row" | "vertical" (table 四),
                         "extra_columns": {"label": "小计", "position": 6, "grid_col": 9 | None,
                                           "by": "header" | "arithmetic"} (table 三)}}}
        """
        return {
            "section_style": STYLE_LABEL[self.section_style] if self.section_style else None,
            "toc": list(self.toc) if self.toc else None,
            "headings": [h.to_dict() for h in self.headings],
            "tables": {k: dict(v) for k, v in sorted(self.tables.items())},
        }

    def sections(self) -> list[Heading]:
        return [h for h in self.headings if h.kind == "section"]


def _section_of(title: str) -> Section | None:
    for section, pattern in _SECTION_PATTERNS:
        if pattern.search(title):
            return section
    return None


def heading_of(line: Line) -> Heading | None:
    """The heading a line prints, or None: short, not a sentence, no values, numbered (or a
    template section title word for word)."""
    # Cheapest tests first (all of them are pure): table rows end in values, running text is a
    # sentence; only the other lines are normalised (a blank line normalises to nothing).
    if line.trailing_values().has_values or line.is_narrative:
        return None
    # A line opening with a CJK ideograph (after whitespace) opens its normalised text with it:
    # NFKC keeps such an ideograph, composes nothing with it, and no whitespace normalises to
    # anything else. When it neither starts a numbering nor a template title, no heading.
    first = line.raw.lstrip()[:1]
    if "\u4e00" <= first <= "\u9fff" and first not in _HEAD_START and first not in _BARE_FIRST:
        return None
    text = _DECORATION.sub("", line.norm)  # the same as normalize(raw): whitespace goes anyway
    if not text or len(text) > _MAX_HEADING:
        return None
    raw = line.raw.strip()
    # every numbering pattern opens with 第, a bracket, a Chinese numeral or a digit (\d: isdecimal)
    numbered = text[0] in _HEAD_START or text[0].isdecimal()
    for style, pattern in _PATTERNS if numbered else ():
        m = pattern.match(text)
        if m:
            title = text[m.end():]
            if not title or _CLAUSE.search(title):
                return None
            section = _section_of(title)
            if style == "cjk" and not m.group(2) and section is None:
                return None  # 一是…, 二〇二四年…: a numeral without its mark opens only a section title
            return Heading(line.index, str(line.loc), style, _ordinal(m.group(1)), raw, title,
                           section.no if section else None)
    exact = _BARE_TITLES.get(text)
    if exact is not None:
        return Heading(line.index, str(line.loc), "bare", None, raw, text, exact.no)
    return None


def _toc_run(lines: Sequence[Line], heads: list[Heading]) -> tuple[int, int] | None:
    """A table of contents: section titles listed one a line (nothing between them but other
    headings) that are printed again, as the real headings, further down."""
    runs: list[list[Heading]] = []
    current: list[Heading] = []
    prev = -2
    for h in heads:
        gap = [ln for ln in lines[prev + 1:h.line] if ln.raw.strip()] if prev >= 0 else [None]
        # a title listed again is the text's own heading, right after the contents
        again = h.section is not None and any(x.section == h.section for x in current)
        if current and not gap and not again:
            current.append(h)
        else:
            if current:
                runs.append(current)
            current = [h]
        prev = h.line
    if current:
        runs.append(current)
    for run in runs:
        numbers = [h.section for h in run if h.section is not None]
        if len(set(numbers)) < 3:
            continue
        end = run[-1].line + 1
        later = {h.section for h in heads if h.line >= end and h.section is not None}
        if len(set(numbers) & later) >= 3:
            start = run[0].line
            # the word 目录 just above belongs to the table of contents too
            above = next((i for i in range(start - 1, max(-1, start - 3), -1) if lines[i].raw.strip()), None)
            if above is not None and _TOC_WORD.match(squash(lines[above].raw).replace("　", "")):
                start = above
            return start, end
    return None


def _section_style(heads: list[Heading]) -> Style | None:
    """The numbering style of the sections: the one whose headings carry the most section
    titles under their own ordinal (二、主动公开…); sub-heads (（一）主动公开…) carry them under
    another ordinal. Ties go to the outermost style."""
    best: tuple[int, int, int] | None = None
    chosen: Style | None = None
    # Unnumbered template titles (总体情况 …) compete too: a report that numbers only its
    # sub-heads must not have them taken for its sections. Numbered styles win ties.
    for rank, style in enumerate((*STYLE_ORDER, "bare")):
        matched = {h.section for h in heads if h.style == style and h.section is not None}
        if not matched:
            continue
        consistent = {h.section for h in heads if h.style == style and h.section is not None
                      and (h.ordinal == h.section or style == "bare")}
        key = (len(consistent), len(matched), -rank)
        if best is None or key > best:
            best, chosen = key, style
    return chosen


def build_outline(lines: Sequence[Line]) -> Outline:
    heads = [h for h in (heading_of(ln) for ln in lines) if h is not None]
    outline = Outline(heads)
    outline.toc = _toc_run(lines, heads)
    if outline.toc:
        for h in heads:
            if outline.toc[0] <= h.line < outline.toc[1]:
                h.kind = "toc"
    body = [h for h in heads if h.kind != "toc"]
    style = _section_style(body)
    outline.section_style = style
    present = [s for s in STYLE_ORDER if any(h.style == s for h in body)]
    base = present.index(style) if style in present else 0
    for h in body:
        if h.style == "bare":
            h.level = 1
        else:
            h.level = present.index(h.style) - base + 1 + (style == "bare")
    seen: set[int] = set()
    # Sections are headings of the section style or of an outer one (第一部分 beside 二、…);
    # a heading of an inner style is a sub-head, whatever its words.
    if style == "bare":
        outer: set[Style] = set()
    else:
        outer = set(STYLE_ORDER[:STYLE_ORDER.index(style) + 1]) if style else set(STYLE_ORDER)
    styled = {h.section for h in body if h.style in outer and h.section is not None}
    for h in body:
        if h.section is None or h.section in seen:
            continue
        if h.style in outer or (h.style == "bare" and h.section not in styled):
            # 三、本年度办理结果 or 四、结转下年度继续办理 inside table 三 never get here: their
            # words are not a section title.
            h.kind = "section"
            seen.add(h.section)
    found = outline.sections()
    for i, h in enumerate(found):
        end = found[i + 1].line if i + 1 < len(found) else len(lines)
        section = next(s for s in SECTIONS if s.no == h.section)
        outline.spans.append(SectionSpan(section, h.line, end, h.text))
    return outline
