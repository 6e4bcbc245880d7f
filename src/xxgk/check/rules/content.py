"""Content rules over the narrative sections."""

from __future__ import annotations

import re
from collections.abc import Iterator

from xxgk.check.registry import get, rule
from xxgk.i18n import N_
from xxgk.report import Finding, Report
from xxgk.template import FEE_STATEMENT, SECTIONS, TEMPLATES
from xxgk.text import squash


@rule("section1-heads", "warning", N_("Section 一 does not cover the five required heads"),
      message=N_("{section} does not mention: {heads}"),
      what=N_("Under the 2021 notice, 一、总体情况 summarises the year's work under five heads: 主动公开, "
              "依申请公开, 政府信息管理, 政府信息公开平台建设 and 监督保障. The finding lists the heads the section "
              "never mentions. Reports for years before 2021 are not held to it."),
      why=N_("The five heads are what a reviewer compares across bodies; a summary that skips one hides a "
             "whole area of the year's work."),
      example=N_("A 2023 report whose 一、总体情况 is one paragraph about meetings and never mentions 平台建设 "
                 "or 监督保障."))
def section1_heads(report: Report) -> Iterator[Finding]:
    r = get("section1-heads")
    s1 = report.section(1)
    if s1 is None or report.meta.year is None or report.meta.year < TEMPLATES["2021"].first_year:
        return
    text = squash(s1.text)
    lacking = [name for name, pattern in SECTIONS[0].required_heads if not re.search(pattern, text)]
    if lacking:
        yield r.finding(loc=s1.loc, section=SECTIONS[0].title, heads="、".join(lacking))


@rule("no-fee-statement", "warning", N_("Section 六 says nothing about 信息处理费 (2021 onward)"),
      message=N_("{section} says nothing about 信息处理费"),
      what=N_("From 2021 (国办函〔2020〕109号), bodies state in section 六 the 信息处理费 they charged for "
              "applications, even when none. 行政事业性收费 in table 二 is a different thing and does not count."),
      why=N_("Applicants and reviewers need to know whether fees were charged. Reported as a warning: common "
             "practice, not confirmed as a hard rule of the template text."),
      example=N_("六、其他需要报告的事项 reads only “无”."))
def no_fee_statement(report: Report) -> Iterator[Finding]:
    r = get("no-fee-statement")
    if report.meta.year is None or report.meta.year < TEMPLATES["2021"].first_year:
        return
    s6 = report.section(6)
    if s6 is None:
        return  # missing-section reports it
    if not re.search(FEE_STATEMENT, squash(s6.text)):
        yield r.finding(loc=s6.loc, excerpt=s6.text[:80] or None, section=SECTIONS[5].title)
