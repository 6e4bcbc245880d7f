"""What a rendered report says, before it is laid out as DOCX or HTML: title, preamble, the six
sections with their prose, and the three tables of the official form in sections 二, 三, 四."""

from __future__ import annotations

from dataclasses import dataclass

from xxgk.export.layout import Grid
from xxgk.report import Report
from xxgk.template import SECTIONS, Section
from xxgk.writer.layout import form_grids
from xxgk.writer.sections import Narrative, narrative

TITLE_SUFFIX = "政府信息公开工作年度报告"


@dataclass(frozen=True)
class DraftSection:
    section: Section
    paragraphs: tuple[str, ...]
    grid: Grid | None


@dataclass(frozen=True)
class Draft:
    report: Report
    title: str
    preamble: tuple[str, ...]
    sections: tuple[DraftSection, ...]
    skeleton: tuple[int, ...]  # sections written from the skeleton


def title_of(report: Report) -> str:
    """The report's own title, or the usual one built from its body and year."""
    m = report.meta
    if m.title:
        return m.title
    year = f"{m.year}年" if m.year else ""
    return f"{m.agency or ''}{year}{TITLE_SUFFIX}"


def preamble_of(report: Report, text: Narrative) -> tuple[str, ...]:
    """The customary opening: what the report follows and its statistics period. Left out when the
    author's text already states the period."""
    m = report.meta
    if m.year is None or any("统计期限" in t for t in text.texts.values()):
        return ()
    notice = report.template.notice
    return (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开"
            f"工作年度报告格式》（{notice}）要求编制。本报告中所列数据的统计期限自{m.year}年1月1日起至"
            f"{m.year}年12月31日止。",)


def build(report: Report, text: Narrative | None = None) -> Draft:
    text = text if text is not None else narrative(report)
    grids = dict(zip((2, 3, 4), form_grids(report.template, report), strict=True))
    sections = tuple(DraftSection(s, tuple(text.paragraphs(s.no)), grids.get(s.no)) for s in SECTIONS)
    return Draft(report, title_of(report), preamble_of(report, text), sections, tuple(text.skeleton))
