"""Find the six section headings (一、总体情况 … 六、其他需要报告的事项) among the lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from xxgk.parse.lines import Line
from xxgk.template import SECTIONS, Section
from xxgk.text import normalize

_NUMERAL = re.compile(r"^(?:第[一二三四五六]部分|[(（]?[一二三四五六七八][)）]?)[、.,，:：]?")
_DECORATION = re.compile(r"[*#＊【】\[\]]")
_CLAUSE = re.compile(r"[，,；;。·]")
_HEADING_STARTS = set("一二三四五六七八(（第*#【") | {s.title[2] for s in SECTIONS}
_SECTION_PATTERNS = [(s, re.compile(s.match)) for s in SECTIONS]


@dataclass
class SectionSpan:
    section: Section
    start: int  # index of the heading line
    end: int  # index one past the last line of the section
    heading: str

    @property
    def no(self) -> int:
        return self.section.no


def _heading_of(line: Line) -> Section | None:
    if line.raw.lstrip()[:1] not in _HEADING_STARTS:
        return None
    text = _DECORATION.sub("", normalize(line.raw))
    if len(text) > 34 or line.is_narrative or line.trailing_values().has_values:
        return None
    if not _NUMERAL.match(text):
        # An unnumbered heading counts only when it is a template title word for word.
        return next((s for s in SECTIONS if text == normalize(s.title[2:])), None)
    body = _NUMERAL.sub("", text, count=1)
    if _CLAUSE.search(body):
        # "（一）主动公开方面。坚持以公开为常态，…": the first line of a paragraph that opens
        # with a subheading, even when OCR has turned its "。" into "·"; no title has a clause.
        return None
    for section, pattern in _SECTION_PATTERNS:
        if pattern.search(body):
            return section
    return None


def find_sections(lines: list[Line]) -> list[SectionSpan]:
    """Headings in document order; each section number is taken at its first occurrence."""
    found: list[tuple[int, Section, str]] = []
    seen: set[int] = set()
    for line in lines:
        section = _heading_of(line)
        if section is None or section.no in seen:
            continue
        # 三、本年度办理结果 or 四、结转下年度继续办理 inside table 三 never reach here: their text
        # does not match a section title. A table row that does (rare) comes after its own section.
        seen.add(section.no)
        found.append((line.index, section, line.raw.strip()))
    spans: list[SectionSpan] = []
    for i, (start, section, heading) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(lines)
        spans.append(SectionSpan(section, start, end, heading))
    return spans
