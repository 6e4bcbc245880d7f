"""Printing patterns of real offices, beyond the template: each a way a real report is laid out
that a reader must cope with (issue 13). A pattern changes how the report is printed, never what
is true; renderers honour the ones that apply to their channel.

Patterns are drawn only on request (`generate(seed, patterns=…)`), so reports drawn without them
are byte for byte what they were before patterns existed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from xxgk.synth.names import Body
from xxgk.synth.narrative import SectionSpec

# Channels: "text" (all text styles), "html", "docx" (and the PDF made from it).
ALL = ("text", "html", "docx")


@dataclass(frozen=True)
class Pattern:
    name: str
    summary: str
    channels: tuple[str, ...] = ALL
    needs_2021: bool = False


PATTERNS: dict[str, Pattern] = {p.name: p for p in (
    Pattern("subheads", "section 一 opens its parts with sub-heads on lines of their own "
                        "(（一）主动公开政府信息情况 …), in the words of sections 二 and 三"),
    Pattern("toc", "a table of contents (目录) without page numbers before section 一"),
    Pattern("subtotal", "table 三 prints a 小计 column (the five 法人或其他组织 columns) before 总计"),
    Pattern("vertical-appeals", "table 四 printed one cell a row, in two-, three- or four-column styles "
                                "or transposed"),
    Pattern("dash-zero", "every 0 printed as a mark: —, -, / or 无 (one per report)"),
    Pattern("dash-rows", "an all-zero 上年结转 row printed as “—” and an all-zero litigation group as “/”"),
    Pattern("blank-zero", "every 0 printed as an empty cell (tables that keep their grid)",
            channels=("html", "docx")),
    Pattern("signature", "the report closes with its signature (落款): the body and the date; the "
                         "text names the body only as 区政府/我局 after 在区委、区政府的正确领导下"),
    Pattern("head-title", "the article prints no title; the page's <title> (with the site's name) and "
                          "its ArticleTitle meta, or the Word file's properties, name the report",
            channels=("html", "docx")),
    Pattern("old-active", "a 2021+ report still printing the 2019 table 二", needs_2021=True),
)}


def check_patterns(patterns: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(patterns)
    unknown = sorted(chosen - PATTERNS.keys())
    if unknown:
        raise ValueError(f"unknown pattern {unknown[0]!r} (one of {', '.join(PATTERNS)})")
    if {"dash-zero", "blank-zero"} <= chosen:
        raise ValueError("dash-zero and blank-zero are two conventions for the same zeros: choose one")
    return chosen


# Sub-heads of section 一 in the words offices use: the first two are the titles of sections 二
# and 三 themselves, which is what makes them a trap for a reader.
SUBHEADS = {"主动公开": "主动公开政府信息情况", "依申请": "依申请公开政府信息情况", "信息管理": "政府信息管理情况",
            "平台建设": "政府信息公开平台建设情况", "监督保障": "监督保障情况"}
_LED = ("在区委、区政府的正确领导下", "在县委、县政府的坚强领导下", "在市委、市政府的正确领导下",
        "在上级部门的正确领导下")
_SUB = re.compile(r"^（([一二三四五])）([^。]{2,14})。")


def _subheads(paragraphs: tuple[str, ...], rng: random.Random) -> tuple[str, ...]:
    # as printed in the corpus: （一）…, (一) … with ASCII parentheses, or in bold markers
    style = rng.choice(("full", "full", "ascii", "bold"))
    out: list[str] = []
    for p in paragraphs:
        m = _SUB.match(p)
        head = next((v for k, v in SUBHEADS.items() if m and k in m.group(2)), None)
        if m is None or head is None:
            out.append(p)
            continue
        line = {"full": f"（{m.group(1)}）{head}", "ascii": f"({m.group(1)}) {head}",
                "bold": f"**（{m.group(1)}）{head}**"}[style]
        out += [line, p[m.end():]]
    return tuple(out)


def text_patterns(patterns: frozenset[str], rng: random.Random, *, body: Body, year: int, published: str,
                  preamble: tuple[str, ...], sections: tuple[SectionSpec, ...]
                  ) -> tuple[tuple[str, ...], tuple[SectionSpec, ...]]:
    """The texts as an office with these patterns prints them."""
    secs = list(sections)
    pre = list(preamble)
    for i, s in enumerate(secs):
        paras = s.paragraphs
        if s.no == 1 and "subheads" in patterns:
            paras = _subheads(paras, rng)
        if s.no == 1 and "signature" in patterns and paras:
            # The narrative names the body only as 区政府 / 我局, after the party committee's lead.
            first = re.sub(r"^(\d{4}年)，(?:在上级的指导下，)?[^，。]{2,40}?(?=坚持|认真|紧紧)",
                           lambda m: f"{m.group(1)}，{rng.choice(_LED)}，{body.short}", paras[0], count=1)
            paras = (first, *paras[1:])
        secs[i] = replace(s, paragraphs=paras)
    if "signature" in patterns and secs:
        y, m, d = (int(x) for x in published.split("-"))
        last = secs[-1]
        date = f"{y}年{m}月{d}日"
        sign = (body.name, date) if rng.random() < 0.7 else (f"{body.name}　　{date}",)
        secs[-1] = replace(last, paragraphs=(*last.paragraphs, *sign))
    if "toc" in patterns:
        pre += ["目录", *(s.title for s in secs)]
    return tuple(pre), tuple(secs)
