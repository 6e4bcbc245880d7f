"""The six sections (一、总体情况 … 六、其他需要报告的事项): the top-level headings of the outline."""

from __future__ import annotations

from xxgk.parse.lines import Line
from xxgk.parse.outline import SectionSpan, build_outline

__all__ = ["SectionSpan", "find_sections"]


def find_sections(lines: list[Line]) -> list[SectionSpan]:
    """Section headings in document order; each section number is taken at its first occurrence,
    sub-heads and a table of contents never open one (see xxgk.parse.outline)."""
    return build_outline(lines).spans
