"""Meta rules: title and body, statistics period."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.check.registry import get, rule
from xxgk.report import Finding, Report


@rule("no-title", "warning", "No title line naming the body and the year")
def no_title(report: Report) -> Iterator[Finding]:
    """A report opens with a title such as 淮安市人民政府2024年政府信息公开工作年度报告. Without it
    the body (机关) and the year must be guessed from the text or the file name; the finding says
    where the year came from."""
    r = get("no-title")
    m = report.meta
    if not m.title:
        where = m.provenance.get("year", "nowhere")
        yield r.text_finding(f"no title (标题) line: body unknown, year {m.year} taken from the {where}")
    elif not m.agency:
        yield r.text_finding(f"the title does not name the body (机关): {m.title}", excerpt=m.title)


@rule("period-mismatch", "warning", "The stated statistics period is not the report's year")
def period_mismatch(report: Report) -> Iterator[Finding]:
    """The statistics period (统计期限) of an annual report is 1 January to 31 December of the report
    year. A stated period that covers another span or another year usually means the text was
    copied from an earlier report."""
    r = get("period-mismatch")
    m = report.meta
    if not m.period or m.year is None or m.provenance.get("period", "").startswith("default"):
        return
    want = (f"{m.year}-01-01", f"{m.year}-12-31")
    if tuple(m.period) != want:
        yield r.text_finding(f"statistics period {m.period[0]} – {m.period[1]} does not match the report year {m.year}")
