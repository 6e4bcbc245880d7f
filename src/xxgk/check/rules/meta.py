"""Meta rules: title and body, statistics period."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.check.registry import get, rule
from xxgk.i18n import N_
from xxgk.report import Finding, Report

# Where the year came from when there is no title (Meta.provenance["year"]), as message variants.
_YEAR_SOURCES = {"period": "year-period", "text": "year-text", "filename": "year-filename"}


@rule("no-title", "warning", N_("No title line naming the body and the year"),
      message=N_("No title line: neither the body nor the year is known"),
      messages={
          "year-period": N_("No title line: the body is unknown, the year {year} is taken from the statistics "
                            "period"),
          "year-text": N_("No title line: the body is unknown, the year {year} is taken from the text"),
          "year-filename": N_("No title line: the body is unknown, the year {year} is taken from the file name"),
          "year-other": N_("No title line: the body is unknown, the year {year} is taken from elsewhere"),
          "no-body": N_("The title does not name the body: {title}"),
      },
      what=N_("A report opens with a title such as 淮安市人民政府2024年政府信息公开工作年度报告. Without it the body "
              "and the year must be guessed from the text or the file name; the finding says where the year "
              "came from."),
      why=N_("The body and the year identify a report: they decide whom it is compared with, and which "
             "template and rules apply to it."),
      example=N_("A web page whose report starts directly with 一、总体情况."))
def no_title(report: Report) -> Iterator[Finding]:
    r = get("no-title")
    m = report.meta
    if not m.title:
        if m.year is None:
            yield r.finding()
        else:
            variant = _YEAR_SOURCES.get(m.provenance.get("year", ""), "year-other")
            yield r.finding(variant=variant, year=m.year)
    elif not m.agency:
        yield r.finding(excerpt=m.title, variant="no-body", title=m.title)


@rule("period-mismatch", "warning", N_("The stated statistics period is not the report's year"),
      message=N_("The statistics period {start} – {end} is not the report year {year}"),
      what=N_("The statistics period (统计期限) of an annual report is 1 January to 31 December of the report "
              "year. The period the report states must be that one."),
      why=N_("A stated period that covers another span or another year usually means the text was copied "
             "from an earlier report, and its figures may be too."),
      example=N_("A 2024 report stating 本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止."))
def period_mismatch(report: Report) -> Iterator[Finding]:
    r = get("period-mismatch")
    m = report.meta
    if not m.period or m.year is None or m.provenance.get("period", "").startswith("default"):
        return
    want = (f"{m.year}-01-01", f"{m.year}-12-31")
    if tuple(m.period) != want:
        yield r.finding(start=m.period[0], end=m.period[1], year=m.year)
