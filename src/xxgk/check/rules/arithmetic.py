"""The arithmetic every report must satisfy (FORMAT.md), one rule per family of relations."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.check.registry import get, rule
from xxgk.report import Finding, Report


def _broken(report: Report, code: str) -> Iterator[Finding]:
    """Findings for every relation of family `code` whose cells are all known and do not add up."""
    r = get(code)
    for eq in report.equations():
        if eq.code != code:
            continue
        values = [report.value(p) for p in eq.cells]
        if any(v is None for v in values):
            continue
        lhs = sum(report.value(p) for p in eq.lhs)  # type: ignore[misc]
        rhs = sum(report.value(p) for p in eq.rhs)  # type: ignore[misc]
        if lhs == rhs:
            continue
        shown_l = " + ".join(str(report.value(p)) for p in eq.lhs)
        shown_r = " + ".join(str(report.value(p)) for p in eq.rhs)
        inferred = [p for p in eq.cells if report.cells[p].status == "inferred"]
        extra = f" (inferred cells involved: {len(inferred)})" if inferred else ""
        loc = next((report.cells[p].loc for p in eq.lhs if report.cells[p].loc), None)
        yield r.text_finding(f"{eq.description} 不成立：{shown_l} = {lhs} ≠ {shown_r} = {rhs}{extra}",
                        list(eq.cells), loc)


@rule("T3-balance", "error", "Table 三 per column: 本年新收 + 上年结转 must equal 办理结果总计 + 结转下年度")
def t3_balance(report: Report) -> Iterator[Finding]:
    """The note printed under table 三 (第一项加第二项之和，等于第三项加第四项之和): in every
    applicant column, the applications received this year plus those carried over from last
    year must equal the applications processed plus those carried forward to next year. A break
    means a count was mistyped or an application was lost between years."""
    return _broken(report, "T3-balance")


@rule("T3-results", "error", "Table 三 per column: （七）总计 must equal the sum of every result row")
def t3_results(report: Report) -> Iterator[Finding]:
    """In every applicant column, （七）总计 must equal the sum of the result rows （一） to （六）
    (each sub-item of （三）, （四）, （五） and （六） counted once; the template has no subtotal
    rows). A break usually means a result row was left out of the total or the total was typed
    by hand."""
    return _broken(report, "T3-results")


@rule("T3-applicants", "error", "Table 三 per row: 总计 must equal the sum of the six applicant columns")
def t3_applicants(report: Report) -> Iterator[Finding]:
    """In every row of table 三, the 总计 column must equal 自然人 + 商业企业 + 科研机构 +
    社会公益组织 + 法律服务机构 + 其他. A break points at a mistyped cell in that row."""
    return _broken(report, "T3-applicants")


@rule("T4-groups", "error", "Table 四 per group: 总计 must equal 维持 + 纠正 + 其他结果 + 尚未审结")
def t4_groups(report: Report) -> Iterator[Finding]:
    """For 行政复议, for 行政诉讼 未经复议直接起诉 and for 复议后起诉, 总计 must equal 结果维持 +
    结果纠正 + 其他结果 + 尚未审结. A break points at a mistyped cell of that group."""
    return _broken(report, "T4-groups")
