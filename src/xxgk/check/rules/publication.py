"""When a report was published, against the deadline of 《政府信息公开条例》第四十九条."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from xxgk.check.registry import get, rule
from xxgk.i18n import N_, term
from xxgk.report import Finding, Report

# Where meta.published came from (meta.provenance["published"]), and how far it can be trusted
# as the day the report went public.
#  - a date the publishing site states (the page's 发布时间, its PubDate meta tag, the collected
#    article's date): that is the publication;
#  - the date printed under the report (落款): the day it was signed; it went public that day or
#    later, so a late printed date proves lateness, an early one does not prove punctuality;
#  - the PDF's creation date: the file was made then; weakest.
CERTAIN_SOURCES = ("web", "page", "html-meta", "collect")
PRINTED_SOURCES = ("text", "signature")
WEAK_SOURCES = ("pdf-created", "file")
CERTAINTY = {
    "certain": term("the publishing site's date"),
    "printed": term("the date printed under the report"),
    "weak": term("the file's creation date, a weak indication"),
}
KINDS = {"government": term("a people's government's own report"), "department": term("a department's report")}

_GOVERNMENT = re.compile(r"人民政府$")
_DEPARTMENT_NAME = re.compile(r"(?:局|委员会|委|办公室|办公厅|办|厅|署|中心|院|所|站|队|处|街道办事处|管理处)$")


@dataclass(frozen=True)
class Deadline:
    kind: str  # "government", "department" or "unknown"
    day: date


def body_kind(report: Report) -> str:
    """'government' for a people's government's own report, 'department' for a department's
    (or a sub-district office's), 'unknown' when the name and level do not tell (development
    zones' committees, bodies without a name)."""
    agency = (report.meta.agency or "").strip()
    level = report.meta.level
    if agency and _GOVERNMENT.search(agency) and level in ("province", "city", "county", "township", None):
        return "government"
    if level == "department" or (agency and _DEPARTMENT_NAME.search(agency)):
        return "department"
    return "unknown"


def deadline(report: Report) -> Deadline | None:
    """Departments publish by 1月31日 of the following year, a local government's own report is
    due by 3月31日 (条例第四十九条、第五十条). Unknown kind: the departments' date."""
    if report.meta.year is None:
        return None
    kind = body_kind(report)
    following = report.meta.year + 1
    return Deadline(kind, date(following, 3, 31) if kind == "government" else date(following, 1, 31))


def certainty(source: str | None) -> str:
    source = (source or "").split(" ")[0]
    if source in CERTAIN_SOURCES:
        return "certain"
    if source in WEAK_SOURCES:
        return "weak"
    return "printed"


def _parse(day: str | None) -> date | None:
    if not day:
        return None
    try:
        return date.fromisoformat(day[:10])
    except ValueError:
        return None


@rule("late-publication", "warning", N_("Published after the deadline of 条例第四十九条"),
      message=N_("published on {published} ({source}), {days} day(s) after the deadline {deadline} for {kind}"),
      messages={"unknown_kind": N_("published on {published} ({source}); whether the body is a department "
                                   "(deadline {deadline}) or a government (deadline {government_deadline}) "
                                   "cannot be told from its name, so this is only a note")},
      what=N_("The day the report went public, against the deadline of the Regulations on Government "
              "Information Disclosure (条例第四十九条): 1月31日 of the following year for the departments of "
              "governments at county level and above, 3月31日 for a local people's government's own report. "
              "The date comes from the publishing page (its 发布时间 or PubDate meta tag), else the date "
              "printed under the report, else the PDF's creation date; the message says which. A body "
              "whose kind (department or government) cannot be told from its name gets a note (info), "
              "not a warning."),
      why=N_("Publishing on time is a legal duty and one of the first things supervising offices and "
             "third-party evaluations score. A late date printed under the report proves lateness; an "
             "early printed date does not prove the report went online on time."),
      example=N_("淮安市洪泽区交通运输局2024年政府信息公开工作年度报告, 发布时间 2025-02-15: a department, "
                 "deadline 2025-01-31, 15 days late."))
def late_publication(report: Report) -> Iterator[Finding]:
    r = get("late-publication")
    published = _parse(report.meta.published)
    due = deadline(report)
    if published is None or due is None or published <= due.day:
        return
    source = report.meta.provenance.get("published")
    params = {"published": published.isoformat(), "source": CERTAINTY[certainty(source)],
              "deadline": due.day.isoformat(), "days": (published - due.day).days}
    if due.kind == "unknown":
        finding = r.finding(variant="unknown_kind",
                            government_deadline=date(report.meta.year + 1, 3, 31).isoformat(),  # type: ignore[operator]
                            **params)
        yield replace(finding, severity="info")
        return
    yield r.finding(kind=KINDS[due.kind], **params)
