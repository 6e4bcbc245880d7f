"""The arithmetic every report must satisfy, one rule per family of relations.

The relations themselves are template data (`Template.equations`); a finding names the cells
of a broken relation by their template labels and carries the printed numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any

from xxgk.check.registry import get, rule
from xxgk.i18n import N_
from xxgk.report import Finding, Report
from xxgk.template import Equation
from xxgk.vocabulary import row_name


def _terms(report: Report, eq: Equation) -> tuple[str, list[str], list[str]]:
    """(what the relation is about, labels of the lhs terms, labels of the rhs terms).

    A relation runs down one applicant column (its subject is the column, its terms rows) or
    along one row (its subject is the row, its terms columns)."""
    t = report.template
    cols = {p.rsplit(".", 1)[1] for p in eq.cells}
    if len(cols) == 1:
        subject = t.column_of(eq.cells[0]).label
        name = [row_name(t, *p.split(".")[:2]) for p in eq.lhs], [row_name(t, *p.split(".")[:2]) for p in eq.rhs]
    else:
        subject = row_name(t, *eq.cells[0].split(".")[:2])
        name = [t.column_of(p).label for p in eq.lhs], [t.column_of(p).label for p in eq.rhs]
    return subject, *name


_Family = list[tuple[Equation, Callable[[dict[str, Any]], tuple[Any, ...]], int]]
_FAMILIES: dict[int, tuple[tuple[Equation, ...], dict[str, _Family]]] = {}


def _families(equations: tuple[Equation, ...]) -> dict[str, _Family]:
    """The relations of a template by family, each with a getter of its cells (lhs + rhs) and the
    number of lhs terms: built once per template (the entry keeps the tuple alive, so its id
    stays its own)."""
    found = _FAMILIES.get(id(equations))
    if found is None or found[0] is not equations:
        if len(_FAMILIES) >= 64:  # templates made on the fly (tests): keep the cache bounded
            _FAMILIES.clear()
        families: dict[str, _Family] = {}
        for eq in equations:
            getter = itemgetter(*eq.cells)
            if len(eq.cells) == 1:  # itemgetter of one item gives the item, not a tuple
                getter = (lambda g: lambda cells: (g(cells),))(getter)
            families.setdefault(eq.code, []).append((eq, getter, len(eq.lhs)))
        found = _FAMILIES[id(equations)] = (equations, families)
    return found[1]


def _broken(report: Report, code: str) -> Iterator[Finding]:
    """Findings for every relation of family `code` whose cells are all known and do not add up."""
    r = get(code)
    cells = report.cells
    for eq, getter, n in _families(report.equations()).get(code, ()):
        try:
            values = [c.value for c in getter(cells)]
        except KeyError:  # a cell the report does not have: unknown, like a None value
            continue
        if None in values:  # numbers never equal None
            continue
        lhs = sum(values[:n])
        rhs = sum(values[n:])
        if lhs == rhs:
            continue
        subject, lhs_labels, rhs_labels = _terms(report, eq)
        inferred = sum(report.cells[p].status == "inferred" for p in eq.cells)
        params = {
            "subject": subject,
            "total": " + ".join(lhs_labels),
            "lhs_labels": " + ".join(lhs_labels),
            "rhs_labels": " + ".join(rhs_labels),
            "lhs_values": " + ".join(str(report.value(p)) for p in eq.lhs),
            "rhs_values": " + ".join(str(report.value(p)) for p in eq.rhs),
            "lhs": lhs,
            "rhs": rhs,
            "relation": eq.description,
            "inferred": inferred,
        }
        loc = next((report.cells[p].loc for p in eq.lhs if report.cells[p].loc), None)
        yield r.finding(list(eq.cells), loc, variant="inferred" if inferred else "", **params)


_BALANCE = N_("{subject}: {lhs_labels} must equal {rhs_labels}, but {lhs_values} = {lhs} ≠ {rhs_values} = {rhs}")


@rule("T3-balance", "error",
      N_("Table 三 per column: received this year + carried over must equal processed + carried forward"),
      message=_BALANCE,
      messages={"inferred": N_("{subject}: {lhs_labels} must equal {rhs_labels}, but {lhs_values} = {lhs} ≠ "
                               "{rhs_values} = {rhs} ({inferred} of these cells inferred from the arithmetic)")},
      what=N_("The note printed under table 三 (第一项加第二项之和，等于第三项加第四项之和): in every applicant "
              "column, the applications received this year plus those carried over from last year must equal "
              "the applications processed (（七）总计) plus those carried forward to next year."),
      why=N_("Every application is either processed this year or carried forward. A break means a count was "
             "mistyped, or an application was lost or counted twice between the rows."),
      example=N_("自然人: 本年新收 90 + 上年结转 5 = 95, but （七）总计 92 + 结转下年度 2 = 94."))
def t3_balance(report: Report) -> Iterator[Finding]:
    return _broken(report, "T3-balance")


@rule("T3-results", "error", N_("Table 三 per column: （七）总计 must equal the sum of the result rows"),
      message=N_("{subject}: {total} must equal the sum of the results, but {lhs} ≠ {rhs_values} = {rhs}"),
      messages={"inferred": N_("{subject}: {total} must equal the sum of the results, but {lhs} ≠ {rhs_values} = "
                               "{rhs} ({inferred} of these cells inferred from the arithmetic)")},
      what=N_("In every applicant column, （七）总计 must equal the sum of the result rows （一） to （六）, each "
              "sub-item of （三）, （四）, （五） and （六） counted once (the template has no subtotal rows)."),
      why=N_("The total is the number of applications answered this year. A break usually means a result row "
             "was left out of the total, or the total was typed by hand."),
      example=N_("总计 column: （七）总计 is 95 but the result rows add up to 93."))
def t3_results(report: Report) -> Iterator[Finding]:
    return _broken(report, "T3-results")


_ROW_SUM = N_("{subject}: {total} must equal {rhs_labels}, but {lhs} ≠ {rhs_values} = {rhs}")
_ROW_SUM_INFERRED = N_("{subject}: {total} must equal {rhs_labels}, but {lhs} ≠ {rhs_values} = {rhs} "
                       "({inferred} of these cells inferred from the arithmetic)")


@rule("T3-applicants", "error", N_("Table 三 per row: 总计 must equal the sum of the six applicant columns"),
      message=_ROW_SUM, messages={"inferred": _ROW_SUM_INFERRED},
      what=N_("In every row of table 三, the 总计 column must equal 自然人 + 商业企业 + 科研机构 + 社会公益组织 + "
              "法律服务机构 + 其他."),
      why=N_("The total of a row is what indicators and compilations read first. A break points at a mistyped "
             "cell in that row."),
      example=N_("（一）予以公开: 总计 is 30 but the six applicant columns add up to 29 + 0 + 0 + 0 + 0 + 0 = 29."))
def t3_applicants(report: Report) -> Iterator[Finding]:
    return _broken(report, "T3-applicants")


@rule("T4-groups", "error", N_("Table 四 per group: 总计 must equal 维持 + 纠正 + 其他结果 + 尚未审结"),
      message=_ROW_SUM, messages={"inferred": _ROW_SUM_INFERRED},
      what=N_("For 行政复议, for 行政诉讼 未经复议直接起诉 and for 复议后起诉, 总计 must equal 结果维持 + 结果纠正 + "
              "其他结果 + 尚未审结."),
      why=N_("Every review or lawsuit either has a result or is still pending. A break points at a mistyped "
             "cell of that group (table 四 is printed as one long row, easy to shift by one)."),
      example=N_("行政复议: 总计 is 12 but 5 + 3 + 1 + 2 = 11."))
def t4_groups(report: Report) -> Iterator[Finding]:
    return _broken(report, "T4-groups")
