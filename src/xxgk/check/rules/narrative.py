"""Narrative vs table: counts stated in the text must agree with the tables."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace

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
    # Table 二 stated in the text: the number directly after an explicit verb of making or deciding.
    Claim("制发规范性文件", re.compile(r"制发(?:行政)?规范性文件[^\d。；，,]{0,4}?" + _NUM),
          (("active.normative_documents.issued",),)),
    Claim("制发规章", re.compile(r"(?:制发|制定)(?:政府)?规章[^\d。；，,]{0,4}?" + _NUM),
          (("active.regulations.issued",),)),
    Claim("行政许可决定", re.compile(r"(?:作出|办理|办结|实施)行政许可(?:决定|事项|申请)?[^\d。；，,]{0,4}?" + _NUM),
          (("active.licensing.decisions",),)),
    Claim("行政处罚决定", re.compile(r"(?:作出|办理|实施)行政处罚(?:决定|案件)?[^\d。；，,]{0,4}?" + _NUM),
          (("active.penalty.decisions",),)),
    Claim("未发生行政复议", re.compile(r"(?:未|没有)(?:发生|收到|出现|涉及|产生)[^。；\d]{0,20}?行政复议"),
          (_REVIEW,), zero=True),
    Claim("未发生行政诉讼", re.compile(r"(?:未|没有)(?:发生|收到|出现|涉及|产生)[^。；\d]{0,20}?行政诉讼"),
          (_LITIGATION,), zero=True),
)


# What a claim's pattern cannot match without, derived from the patterns: a count (_NUM, a number
# with its unit, which every pattern holding it requires) or, for the "none" claims, the negation
# they open with.
_COUNT = re.compile(_NUM)
_NEGATION = "(?:未|没有)"
_NEGATED = re.compile(_NEGATION)
# The unit of a count (after a digit) or a negation: where _COUNT or _NEGATED matches.
_UNITS = "件条个份宗起次"
_COUNT_OR_NEGATION = re.compile(f"[{_UNITS}未没](?:(?<=\\d[{_UNITS}])|(?<=未)|(?<=没)(?=有))")
assert _NUM.endswith(f"(?:{'|'.join(_UNITS)})") and _NEGATION == "(?:未|没有)"  # what it is derived from
# The claims whose pattern can match a sentence, in their order, by (has a count, has a negation).
_POSSIBLE = {(counted, negated): tuple(c for c in CLAIMS
                                      if (counted or _NUM not in c.pattern.pattern)
                                      and (negated or not c.pattern.pattern.startswith(_NEGATION)))
             for counted in (False, True) for negated in (False, True)}

# Words that put a count on a part of the body rather than the whole: 其中 (of which), 代表 (on
# behalf of: 区政府办代表区政府受理…), 本级 (the government's own office, not its departments).
_PART = re.compile(r"其中|代表|本级|本部门")
# In a people's government's report, a count whose subject is one of its offices or departments
# (区政府办受理…, 市政务服务管理办公室收到…) covers that office, not the whole report's table.
_OFFICE_SUBJECT = re.compile(r"(?:政府办公室|政府办|办公室|[局委办](?:共|全年|累计)?)$")


def part_of_body(report: Report, before: str) -> bool:
    """Whether the words before a stated count attribute it to a part of the body."""
    clause = re.split(r"[，,：:]", before)[-1] if before else ""
    if _PART.search(before[-30:]):
        return True
    agency = report.meta.agency or ""
    return agency.endswith("人民政府") and bool(_OFFICE_SUBJECT.search(clause.strip()))


def _narrative_lines(text: str) -> str:
    """Section text without table rows (tab-separated, or ending in three or more bare numbers)."""
    keep = []
    for line in text.split("\n"):
        if "\t" in line:
            continue
        if line.rstrip()[-1:].isdigit():  # (a line ending in a number: its last words are read)
            last = line.rsplit(None, 3)  # the last three words (and the rest): scanned from the end
            if len(last) >= 3 and all(w.isdigit() for w in last[-3:]):
                continue
        keep.append(line)
    return squash("".join(keep))


def _sentences(text: str) -> Iterator[str]:
    """The sentences of a narrative text that can state a count: those holding a number with its
    unit or a negation (every claim's pattern needs one), found in one pass over the text by a
    regex that opens with a character class (the engine then skips to where one can match)."""
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]  # each sentence ends at one mark
    starts = [0] + [e + 1 for e in ends]
    ends.append(len(text))
    at = {bisect_right(starts, m.start()) - 1 for m in _COUNT_OR_NEGATION.finditer(text)}
    return (text[starts[i]:ends[i]] for i in sorted(at))


@rule("narrative-vs-table", "warning", N_("A count stated in the text disagrees with the tables"),
      message=N_("The text says {claim} {stated}, the table says {table} ({labels})"),
      messages={"zero": N_("The text says {claim}, the table says {table} ({labels})"),
                "scope": N_("The text says {claim} {stated} for a part of the body (“{subject}”), the table says "
                            "{table} for the whole report ({labels}): check that text and table count the same "
                            "bodies")},
      what=N_("Counts the text states — 全年共收到政府信息公开申请21件, 未收到政府信息公开申请, 办结N件, "
              "N件结转下年度, 行政复议N件, 行政诉讼N件 — must equal the corresponding table cells (received may "
              "include those carried over from last year; any one alternative matching is enough). Only the "
              "number that directly follows the phrase is read, so other numbers in the same sentence (dates, "
              "other kinds of cases) are not compared. Counts of table 二 stated with an explicit verb "
              "(制发规范性文件N件, 作出行政许可决定N件, 作出行政处罚N件) are compared too. A count the text attributes "
              "to a part of the body (其中…, 区政府办代表区政府受理…, 本级…, or an office as the subject in a "
              "government's report) is not held against the whole table: when it differs, the finding is a "
              "note (info) asking whether text and table count the same bodies."),
      why=N_("Readers quote the text, compilers read the tables: when they disagree, one of them is wrong and "
             "the report says two different things."),
      example=N_("The text says 全年共受理政府信息公开申请17件, table 三 says 一、本年新收政府信息公开申请数量 · "
                 "总计 is 95."))
def narrative_vs_table(report: Report) -> Iterator[Finding]:
    seen: set[tuple[str, int]] = set()
    for section in report.sections:
        for sentence in _sentences(_narrative_lines(section.text)):
            counted = _COUNT.search(sentence) is not None
            negated = _NEGATED.search(sentence) is not None
            for claim in _POSSIBLE[counted, negated]:
                if claim.needs and claim.needs not in sentence:
                    continue
                for m in claim.pattern.finditer(sentence):
                    if claim.forbid and claim.forbid.search(m.group(0)):
                        continue
                    stated = 0 if claim.zero else int(m.group(1))
                    before = sentence[:m.start()]
                    part = before if part_of_body(report, before) else None
                    finding = _compare(report, claim, stated, sentence, section.loc, part)
                    key = (claim.alternatives[0][0], stated)
                    if finding and key not in seen:
                        seen.add(key)
                        yield finding


def _compare(report: Report, claim: Claim, stated: int, sentence: str, loc: str | None,
             part: str | None = None) -> Finding | None:
    sums = []
    for cells in claim.alternatives:
        values = [report.value(p) for p in cells]
        if any(v is None for v in values):
            return None
        sums.append(sum(values))  # type: ignore[arg-type]
    if stated in sums:
        return None
    cells = list(claim.alternatives[0])
    labels = "、".join(cell_name(report.template, p) for p in cells)
    table = " / ".join(dict.fromkeys(str(s) for s in sums))
    if part is not None and not claim.zero:
        subject = re.split(r"[，,：:]", part)[-1].strip() or part[-12:]
        finding = get("narrative-vs-table").finding(cells, loc, excerpt=sentence[:120], variant="scope",
                                                    claim=claim.name, stated=stated, table=table, labels=labels,
                                                    subject=subject[-20:])
        return replace(finding, severity="info")
    return get("narrative-vs-table").finding(
        cells, loc, excerpt=sentence[:120], variant="zero" if claim.zero else "",
        claim=claim.name, stated=stated, table=" / ".join(dict.fromkeys(str(s) for s in sums)),
        labels="、".join(cell_name(report.template, p) for p in cells))
