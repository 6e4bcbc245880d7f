"""The numbering of the report's headings: one system per level, ordinals in sequence."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from xxgk.check.registry import get, rule
from xxgk.i18n import N_
from xxgk.report import Finding, Report

_CN = "一二三四五六七八九十"


def numeral(style: str, ordinal: int) -> str:
    """How a heading of `style` (the outline's style label) with `ordinal` is numbered: （三）, 3., 三、."""
    cn = _CN[ordinal - 1] if 1 <= ordinal <= 10 else str(ordinal)
    return {"一、": f"{cn}、", "（一）": f"（{cn}）", "第一部分": f"第{cn}部分", "1.": f"{ordinal}.",
            "(1)": f"({ordinal})"}.get(style, str(ordinal))


@dataclass
class _Node:
    heading: dict[str, Any]
    children: list[_Node]


def _in_table(line: int, tables: dict[str, dict[str, Any]]) -> bool:
    """Whether a line lies in a table's region (a table not found has no region)."""
    return any(t.get("start") is not None and t.get("end") is not None and t["start"] <= line < t["end"]
               for t in tables.values())


def _tree(outline: dict[str, Any]) -> list[_Node]:
    """The headings outside the tables and the 目录, nested by level."""
    tables = outline.get("tables") or {}
    roots: list[_Node] = []
    stack: list[_Node] = []
    for h in outline.get("headings") or []:
        if h["kind"] == "toc" or _in_table(h["line"], tables) or h["ordinal"] is None:
            continue
        node = _Node(h, [])
        while stack and stack[-1].heading["level"] >= h["level"]:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


@rule("outline-numbering", "warning", N_("Headings numbered out of sequence or in mixed systems"),
      message=N_("“{heading}” follows {previous}: {expected} was expected"),
      messages={
          "repeated": N_("“{heading}” repeats the number of the heading before it ({previous})"),
          "mixed": N_("“{heading}” continues the numbering of {previous} in another system: {expected} was "
                      "expected"),
          "promoted": N_("“{heading}” is numbered like a section (一、…六、) but is not one of the six sections: "
                         "a sub-item promoted to the top level"),
      },
      what=N_("The report's headings, read from its outline (一、 › （一） › 1. › (1), tables and the 目录 left "
              "out): under one heading, the sub-heads of one level must use one numbering system and count "
              "1, 2, 3… without a gap or a repeat. The rule reports a skipped number （一）（二）（四）, a repeated "
              "one, a sub-head that continues its siblings' count in another system (（一）（二） then 3.), and a "
              "heading numbered like the six sections (一、…六、) that is not one of them."),
      why=N_("A broken outline is what readers and evaluators notice first; it usually means a paragraph was "
             "deleted or pasted from another report without renumbering."),
      example=N_("一、总体情况 （一）主动公开 （二）依申请公开 （四）平台建设: （三） was expected."))
def outline_numbering(report: Report) -> Iterator[Finding]:
    r = get("outline-numbering")
    outline = report.outline
    if not outline:
        return
    section_style = outline.get("section_style")
    roots = _tree(outline)
    for h in (n.heading for n in roots):
        if h["kind"] == "heading" and h["level"] == 1 and section_style and h["style"] == section_style:
            yield r.finding(loc=h["loc"], excerpt=h["text"], variant="promoted", heading=h["text"])
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        yield from _children(r, node)
        stack.extend(reversed(node.children))


def _children(r: Any, parent: _Node) -> Iterator[Finding]:
    """Findings for the numbering of one heading's sub-heads."""
    last: dict[str, Any] | None = None
    for node in parent.children:
        h = node.heading
        if last is None:
            if (parent.heading["kind"] == "heading" and h["ordinal"] == parent.heading["ordinal"] + 1
                    and h["style"] != parent.heading["style"]):
                # The next number in a deeper system right under the last heading: （二） then 3.
                yield r.finding(loc=h["loc"], excerpt=h["text"], variant="mixed", heading=h["text"],
                                previous=parent.heading["text"],
                                expected=numeral(parent.heading["style"], h["ordinal"]))
                return
            if h["ordinal"] != 1:
                yield r.finding(loc=h["loc"], excerpt=h["text"], heading=h["text"], previous=parent.heading["text"],
                                expected=numeral(h["style"], 1))
        elif h["style"] == last["style"]:
            if h["ordinal"] == last["ordinal"]:
                yield r.finding(loc=h["loc"], excerpt=h["text"], variant="repeated", heading=h["text"],
                                previous=last["text"])
            elif h["ordinal"] != last["ordinal"] + 1:
                yield r.finding(loc=h["loc"], excerpt=h["text"], heading=h["text"], previous=last["text"],
                                expected=numeral(h["style"], last["ordinal"] + 1))
        last = h
