"""行政事业性收费 (table 二) amounts in the wrong unit or with more decimals than the template allows."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from xxgk.check.registry import get, rule
from xxgk.i18n import N_
from xxgk.report import Finding, Report
from xxgk.vocabulary import LEVEL_NAMES, cell_name

FEE_CELL = "active.fees.amount"
# The template prints 万元; four decimals reach 1 元, finer is not money.
MAX_DECIMALS = 4
# The largest 行政事业性收费 in 万元 a body of each level plausibly collects in a year. An amount
# written in 元 into the 万元 column is 10,000 times too large and lands far above these.
# Chosen well above what real reports print (a county's departments: 0–5,000 万元; a city
# government's consolidated report: up to a few 100,000 万元) so that a true amount is never
# called wrong; an amount in 元 of a few thousand yuan stays below and is missed (see the doc).
PLAUSIBLE_MAX = {
    "township": 5_000,
    "department": 200_000,
    "development_zone": 200_000,
    "county": 500_000,
    "city": 2_000_000,
    "province": 20_000_000,
}


def decimals(raw: str | None, value: float | int) -> int:
    text = (raw or "").replace(",", "").replace("，", "").strip()
    digits = "".join(ch for ch in text if ch.isdigit() or ch in ".-")
    try:
        number = Decimal(digits) if digits else Decimal(str(value))
    except InvalidOperation:
        number = Decimal(str(value))
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@rule("fee-unit", "warning", N_("A 行政事业性收费 amount in 元 printed in the 万元 column, or too many decimals"),
      message=N_("{cell} = {value} 万元 is implausibly large for a body at {level} level (more than {limit} "
                 "万元); it looks like an amount in 元"),
      messages={"decimals": N_("{cell} = {raw} has {decimals} decimals; the template's 万元 allows at most {limit}")},
      what=N_("Table 二's 行政事业性收费 is printed in 万元 (ten thousand yuan). The rule reports an amount larger "
              "than any body of its level plausibly collects in a year (5,000 万元 for a township, 200,000 for "
              "a department or development zone, 500,000 for a county, 2,000,000 for a city) — the sign of "
              "an amount in 元 typed into the 万元 column — and an amount with more than four decimals (finer "
              "than one yuan). A year-on-year jump of the same cell is reported by year-jump."),
      why=N_("An amount in 元 read as 万元 inflates the region's compiled figures ten-thousandfold; "
             "a reader of the table cannot tell."),
      example=N_("行政事业性收费 本年收费金额（单位：万元） 2,510,000 in a county bureau's report: 251 亿元 "
                 "is implausible; 2,510,000 元 = 251 万元 was meant."))
def fee_unit(report: Report) -> Iterator[Finding]:
    r = get("fee-unit")
    cell = report.cells.get(FEE_CELL)
    if cell is None or cell.value is None or report.meta.template != "2021":
        return
    name = cell_name(report.template, FEE_CELL)
    places = decimals(cell.raw, cell.value)
    if places > MAX_DECIMALS:
        yield r.finding(cells=[FEE_CELL], loc=cell.loc, variant="decimals", cell=name,
                        raw=cell.raw or str(cell.value), decimals=places, limit=MAX_DECIMALS)
    limit = PLAUSIBLE_MAX.get(report.meta.level or "")
    # Also when the parser converted a printed "…元" to 万元: the amount is implausible all the same.
    if limit is not None and cell.value > limit:
        yield r.finding(cells=[FEE_CELL], loc=cell.loc, cell=name, value=cell.value,
                        level=LEVEL_NAMES[report.meta.level or ""], limit=limit)
