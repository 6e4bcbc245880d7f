"""Narrative vs table: counts stated in the text must agree with the tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from xxgk.check.registry import get, rule
from xxgk.i18n import N_
from xxgk.report import Finding, Report
from xxgk.text import squash
from xxgk.vocabulary import cell_name

_SENTENCE_END = re.compile(r"[。；;！!？?]")
_NUM = r"(\d+)(?:件|条|个|份|宗|起|次)"
_NOT_APPLICATION = re.compile(r"复议|诉讼|投诉|信访|许可|举报|咨询")


@dataclass(frozen=True)
class Claim:
    """A pattern that states a count, and the table cells whose sum it must equal (any one of
    the alternatives: some bodies count carried-over applications in "received")."""

    name: str
    pattern: re.Pattern[str]
    alternatives: tuple[tuple[str, ...], ...]
    zero: bool = False
    needs: str = ""  # the sentence must mention this
    forbid: re.Pattern[str] | None = None  # the matched text must not contain this


_NEW = ("applications.new_received.total",)
_NEW_PLUS = ("applications.new_received.total", "applications.carried_over.total")
_REVIEW = ("appeals.review.total",)
_LITIGATION = ("appeals.litigation_direct.total", "appeals.litigation_after_review.total")

CLAIMS: tuple[Claim, ...] = (
    Claim("未收到申请", re.compile(r"(?:未|没有)(?:收到|受理|接到|接收|产生|发生)[^。；，,\d]{0,12}?申请"),
          (_NEW,), zero=True, forbid=_NOT_APPLICATION),
    Claim("收到申请", re.compile(r"(?:收到|受理|接收|接到|新收)[^\d。；，,]{0,16}?申请[^\d。；，,]{0,6}?" + _NUM),
          (_NEW, _NEW_PLUS), forbid=_NOT_APPLICATION),
    Claim("收到申请", re.compile(r"(?:收到|受理|接收|接到|新收)[^\d。；，,]{0,8}?" + _NUM + r"[^。；，,\d]{0,12}?申请"),
          (_NEW, _NEW_PLUS), forbid=_NOT_APPLICATION),
    Claim("办结申请", re.compile(r"(?:办结|答复|办理完毕)[^\d。；，,]{0,6}?" + _NUM),
          (("applications.total_processed.total",),), needs="申请", forbid=_NOT_APPLICATION),
    Claim("结转下年", re.compile(_NUM + r"[^。；，,\d]{0,8}?(?:结转|顺延|转入)(?:至|到)?下一?年"),
          (("applications.carried_forward.total",),), needs="申请"),
    Claim("上年结转", re.compile(r"上一?年度?结转[^\d。；，,]{0,8}?" + _NUM),
          (("applications.carried_over.total",),), needs="申请"),
    Claim("行政复议", re.compile(r"行政复议(?:案件|申请)?[^\d。；，,、]{0,6}?" + _NUM), (_REVIEW,)),
    Claim("行政诉讼", re.compile(r"行政诉讼(?:案件)?[^\d。；，,、]{0,6}?" + _NUM), (_LITIGATION,)),
    Claim("未发生行政复议", re.compile(r"(?:未|没有)(?:发生|收到|出现|涉及|产生)[^。；\d]{0,20}?行政复议"),
          (_REVIEW,), zero=True),
    Claim("未发生行政诉讼", re.compile(r"(?:未|没有)(?:发生|收到|出现|涉及|产生)[^。；\d]{0,20}?行政诉讼"),
          (_LITIGATION,), zero=True),
)


def _narrative_lines(text: str) -> str:
    """Section text without table rows (tab-separated, or ending in three or more bare numbers)."""
    keep = []
    for line in text.split("\n"):
        words = line.split()
        if "\t" in line or (len(words) >= 3 and all(w.isdigit() for w in words[-3:])):
            continue
        keep.append(line)
    return squash("".join(keep))


@rule("narrative-vs-table", "warning", N_("A count stated in the text disagrees with the tables"),
      message=N_("The text says {claim} {stated}, the table says {table} ({labels})"),
      messages={"zero": N_("The text says {claim}, the table says {table} ({labels})")},
      what=N_("Counts the text states — 全年共收到政府信息公开申请21件, 未收到政府信息公开申请, 办结N件, "
              "N件结转下年度, 行政复议N件, 行政诉讼N件 — must equal the corresponding table cells (received may "
              "include those carried over from last year; any one alternative matching is enough). Only the "
              "number that directly follows the phrase is read, so other numbers in the same sentence (dates, "
              "other kinds of cases) are not compared."),
      why=N_("Readers quote the text, compilers read the tables: when they disagree, one of them is wrong and "
             "the report says two different things."),
      example=N_("The text says 全年共受理政府信息公开申请17件, table 三 says 一、本年新收政府信息公开申请数量 · "
                 "总计 is 95."))
def narrative_vs_table(report: Report) -> Iterator[Finding]:
    seen: set[tuple[str, int]] = set()
    for section in report.sections:
        for sentence in _SENTENCE_END.split(_narrative_lines(section.text)):
            for claim in CLAIMS:
                if claim.needs and claim.needs not in sentence:
                    continue
                for m in claim.pattern.finditer(sentence):
                    if claim.forbid and claim.forbid.search(m.group(0)):
                        continue
                    stated = 0 if claim.zero else int(m.group(1))
                    finding = _compare(report, claim, stated, sentence, section.loc)
                    key = (claim.alternatives[0][0], stated)
                    if finding and key not in seen:
                        seen.add(key)
                        yield finding


def _compare(report: Report, claim: Claim, stated: int, sentence: str, loc: str | None) -> Finding | None:
    sums = []
    for cells in claim.alternatives:
        values = [report.value(p) for p in cells]
        if any(v is None for v in values):
            return None
        sums.append(sum(values))  # type: ignore[arg-type]
    if stated in sums:
        return None
    cells = list(claim.alternatives[0])
    return get("narrative-vs-table").finding(
        cells, loc, excerpt=sentence[:120], variant="zero" if claim.zero else "",
        claim=claim.name, stated=stated, table=" / ".join(dict.fromkeys(str(s) for s in sums)),
        labels="、".join(cell_name(report.template, p) for p in cells))
