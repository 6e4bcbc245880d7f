"""One body, one year, two different reports: the report was revised (or replaced) after publication."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from xxgk.check.registry import get, rule
from xxgk.i18n import N_
from xxgk.report import Finding, Report
from xxgk.revisions import differences
from xxgk.vocabulary import cell_name

# How many changed cells the message spells out; the finding's cells list all of them.
SHOWN = 5
NUMERALS = "一二三四五六"


def _label(path: str, *versions: Report) -> str:
    for version in versions:
        try:
            return cell_name(version.template, path)
        except (KeyError, StopIteration):
            continue
    return path


def _shown(value: object) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


@rule("report-revised", "warning", N_("Two different versions of one body's report for the same year"),
      scope="corpus",
      message=N_("another version of this {year} report ({other}) differs in {n_cells} cell(s){cells_shown} "
                 "and in section(s) {sections}"),
      messages={"cells_only": N_("another version of this {year} report ({other}) differs in {n_cells} "
                                 "cell(s): {cells_shown}"),
                "sections_only": N_("another version of this {year} report ({other}) has the same tables but "
                                    "different text in section(s) {sections}")},
      what=N_("Two reports of the same body for the same year, from different files whose contents differ: "
              "the report was revised or replaced after publication, or two different drafts were published. "
              "Both versions stay in the store with their sources; the finding lists the cells whose values "
              "differ (before → after) and the sections whose texts differ. The same report published twice "
              "(a PDF and a web page of one text) is not a revision and is not reported."),
      why=N_("A report changed silently after publication undermines what the public read and what the "
             "region compiled; reviewers must know which version counts."),
      example=N_("两份 2024 年报告：表三 一、本年新收 · 自然人 50 → 52，第五部分文字不同."))
def report_revised(reports: Sequence[Report]) -> Iterator[Finding]:
    r = get("report-revised")
    this = reports[-1]
    if this.meta.year is None:
        return
    for other in reports[:-1]:
        if other.meta.year != this.meta.year or other.source.sha256 == this.source.sha256:
            continue
        diff = differences(other, this)
        if not diff:
            continue
        changed = [c.path for c in diff.cells]
        shown = "；".join(f"{_label(c.path, this, other)} "
                         f"{_shown(c.before)} → {_shown(c.after)}" for c in diff.cells[:SHOWN])
        if len(diff.cells) > SHOWN:
            shown += " …"
        sections = "、".join(NUMERALS[s.no - 1] for s in diff.sections)
        common = {"year": this.meta.year, "other": other.source.file, "n_cells": len(diff.cells)}
        loc = this.cells[changed[0]].loc if changed and changed[0] in this.cells else None
        if diff.cells and diff.sections:
            yield r.finding(cells=changed, loc=loc, cells_shown=f"（{shown}）", sections=sections, **common)
        elif diff.cells:
            yield r.finding(cells=changed, loc=loc, variant="cells_only", cells_shown=shown, **common)
        else:
            yield r.finding(variant="sections_only", sections=sections, **common)
