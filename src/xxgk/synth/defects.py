"""Defects real reports have, injected into a synthetic report with the findings they must produce.

Each kind changes the truth (printed numbers, gaps, rows, texts) and records `Expectation`s: the
rule code a correct checker must raise and, where it is about cells, the cells a finding should
name. Arithmetic expectations are not asserted by hand: they are computed by evaluating the
template's declared equations on the changed values (`arith.broken`), so a change that breaks
two families expects both. Each arithmetic kind is built to break its own family only where the
numbers allow it (e.g. T3-applicants moves a count between two rows of one column, so column sums
still hold).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from xxgk.synth import arith
from xxgk.synth.narrative import HEADS
from xxgk.synth.truth import Expectation, SyntheticReport
from xxgk.template import APPEAL_PARTS, APPLICANT_PARTS
from xxgk.template.declarations import RESULT_ROWS_2019, RESULT_ROWS_2021

Apply = Callable[[SyntheticReport, random.Random], SyntheticReport]


@dataclass(frozen=True)
class DefectKind:
    name: str
    code: str  # the rule code it must produce
    summary: str
    apply: Apply
    # "values" (printed numbers), "gaps" (numbers or rows not printed), "text".
    group: str
    needs_2021: bool = False  # only a defect for reports of 2021 onward
    template: str | None = None  # only on this template
    conflicts: tuple[str, ...] = ()


def _result_rows(report: SyntheticReport) -> tuple[str, ...]:
    return RESULT_ROWS_2021 if report.template == "2021" else RESULT_ROWS_2019


def _with_arithmetic(report: SyntheticReport, vals: dict[str, int | float], kind: str) -> SyntheticReport:
    by_code: dict[str, set[str]] = {}
    for eq in arith.broken(report.tpl, vals):
        by_code.setdefault(eq.code, set()).update(eq.cells)
    if not by_code:  # a defect that changed nothing would be a test that cannot fail
        raise AssertionError(f"{kind} on seed {report.seed} broke no relation")
    exps = tuple(Expectation(code, tuple(sorted(cells)), why=f"{kind}: printed numbers break {code}")
                 for code, cells in sorted(by_code.items()))
    return report.evolve(values=vals, defects=(*report.defects, kind),
                         expectations=report.expectations + exps)


def _bump(rng: random.Random, value: int) -> int:
    """A wrong but plausible difference: add, or take away when there is something to take."""
    d = rng.randint(1, max(1, min(9, value // 4 + 1)))
    return -d if value >= d and rng.random() < 0.4 else d


# ---------------------------------------------------------------- arithmetic families

def _t3_balance(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    # Rows the narrative never states, so only the balance breaks (and no narrative-vs-table).
    vals = dict(report.values)
    row = rng.choice(("carried_forward", "carried_over"))
    col = rng.choice(APPLICANT_PARTS)
    d = _bump(rng, int(vals[f"applications.{row}.{col}"]))
    vals[f"applications.{row}.{col}"] += d
    vals[f"applications.{row}.total"] += d  # the row still adds up: only the columns break
    return _with_arithmetic(report, vals, "T3-balance")


def _t3_results(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    vals = dict(report.values)
    row = rng.choice(_result_rows(report))
    col = rng.choice(APPLICANT_PARTS)
    d = _bump(rng, int(vals[f"applications.{row}.{col}"]))
    vals[f"applications.{row}.{col}"] += d
    vals[f"applications.{row}.total"] += d
    return _with_arithmetic(report, vals, "T3-results")


def _t3_applicants(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    vals = dict(report.values)
    rows = _result_rows(report)
    donors = [(r, c) for r in rows for c in APPLICANT_PARTS if vals[f"applications.{r}.{c}"] > 0]
    if donors:
        # Move counts between two rows of one column: column sums hold, both rows' totals break.
        r2, c = rng.choice(donors)
        r1 = rng.choice([r for r in rows if r != r2])
        d = rng.randint(1, int(vals[f"applications.{r2}.{c}"]))
        vals[f"applications.{r1}.{c}"] += d
        vals[f"applications.{r2}.{c}"] -= d
    else:  # an all-zero table: only a misprinted total can break a row (T3-results follows)
        vals["applications.granted.total"] += rng.randint(1, 5)
    return _with_arithmetic(report, vals, "T3-applicants")


def _t4_groups(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    # A part, not the total: the narrative states totals and must stay consistent.
    vals = dict(report.values)
    group = rng.choice([r.key for r in report.tpl.table("appeals").rows])
    col = rng.choice(APPEAL_PARTS)
    vals[f"appeals.{group}.{col}"] += _bump(rng, int(vals[f"appeals.{group}.{col}"]))
    return _with_arithmetic(report, vals, "T4-groups")


def _negative(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    vals = dict(report.values)
    rows = _result_rows(report)
    donors = [(r, c) for r in rows for c in APPLICANT_PARTS if vals[f"applications.{r}.{c}"] > 0]
    rng.shuffle(donors)
    for r2, c2 in donors:
        # A 2×2 swap keeps every row and column sum: the negative number is the only fault.
        options = [(r1, c1) for r1 in rows for c1 in APPLICANT_PARTS
                   if r1 != r2 and c1 != c2 and vals[f"applications.{r1}.{c1}"] == 0]
        if options:
            r1, c1 = rng.choice(options)
            d = rng.randint(1, int(vals[f"applications.{r2}.{c2}"]))
            vals[f"applications.{r1}.{c1}"] -= d
            vals[f"applications.{r1}.{c2}"] += d
            vals[f"applications.{r2}.{c1}"] += d
            vals[f"applications.{r2}.{c2}"] -= d
            cell = f"applications.{r1}.{c1}"
            break
    else:  # nothing to swap with: a negative count in 二 (no arithmetic there)
        counts = [p for p in vals if p.startswith("active.") and report.column_of(p).kind == "count"]
        cell = rng.choice(sorted(counts))
        vals[cell] = -rng.randint(1, 20)
    exp = Expectation("negative-count", (cell,), why=f"{cell} printed as {vals[cell]}")
    return report.evolve(values=vals, defects=(*report.defects, "negative-count"),
                         expectations=(*report.expectations, exp))


# ---------------------------------------------------------------- numbers or rows not printed

def _row_cells(report: SyntheticReport, row: str) -> tuple[str, ...]:
    return tuple(f"applications.{row}.{c}" for c in report.row_columns("applications", row))


def _lost_number(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    row = rng.choice(report.printed_rows("applications"))
    cells = _row_cells(report, row)
    gap = rng.choice(cells)
    exp = Expectation("missing-cells", cells, also=("blank-cells",),
                      why=f"row {row} prints 6 of its 7 numbers")
    return report.evolve(gaps=report.gaps | {gap}, defects=(*report.defects, "lost-number"),
                         expectations=(*report.expectations, exp))


def _empty_row(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    rows = report.printed_rows("applications")
    results = [r for r in rows if r in _result_rows(report)]
    start = rng.randrange(len(results))
    chosen = [results[start]]
    # Real dumps lose runs of rows (corpus 000: three rows), fixable when they are all zero.
    vals = report.values
    while (len(chosen) < 3 and start + len(chosen) < len(results) and rng.random() < 0.4
           and all(vals[p] == 0 for r in (*chosen, results[start + len(chosen)])
                   for p in _row_cells(report, r))):
        chosen.append(results[start + len(chosen)])
    cells = tuple(p for r in chosen for p in _row_cells(report, r))
    exp = Expectation("missing-cells", cells, also=("blank-cells",),
                      why=f"rows {', '.join(chosen)} print no number")
    return report.evolve(gaps=report.gaps | set(cells), defects=(*report.defects, "empty-row"),
                         expectations=(*report.expectations, exp))


def _outdated_row(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    foreign = next(r for r in report.tpl.foreign_rows if r.key == "other_handling")
    replaced = [r.key for r in report.tpl.table("applications").rows if r.block == "（六）其他处理"]
    vals = {p: v for p, v in report.values.items() if p.split(".")[1] not in replaced}
    for c in foreign.columns:
        vals[f"applications.other_handling.{c.key}"] = sum(
            report.values[f"applications.{r}.{c.key}"] for r in replaced)
    cells = tuple(f"applications.other_handling.{c.key}" for c in foreign.columns)
    exp = Expectation("outdated-template-row", cells,
                      why=f"{report.year} report prints the 2019 （六）其他处理 row")
    return report.evolve(values=vals, defects=(*report.defects, "outdated-row"),
                         expectations=(*report.expectations, exp))


# ---------------------------------------------------------------- text

def _text(report: SyntheticReport, kind: str, exp: Expectation, tolerated: frozenset[str] = frozenset(),
          **changes: object) -> SyntheticReport:
    return report.evolve(text=replace(report.text, **changes), defects=(*report.defects, kind),
                         expectations=(*report.expectations, exp),
                         tolerated=report.tolerated | tolerated)


def _missing_section(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    drop = rng.choice([n for n in (5, 6) if n in report.text.order])
    # Without section 六 a 2021+ report cannot state its 信息处理费 either.
    tolerated = frozenset({"no-fee-statement"}) if drop == 6 else frozenset()
    return _text(report, "missing-section", Expectation("missing-section", why=f"section {drop} not printed"),
                 tolerated, order=tuple(n for n in report.text.order if n != drop))


def _section_order(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    order = list(report.text.order)
    i, j = order.index(5), order.index(6)
    order[i], order[j] = order[j], order[i]
    return _text(report, "section-order", Expectation("section-order", why="section 六 printed before 五"),
                 order=tuple(order))


def _no_title(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    return _text(report, "no-title", Expectation("no-title", why="no title line"), has_title=False)


def _no_fee(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    return _text(report, "no-fee-statement",
                 Expectation("no-fee-statement", why="section 六 never mentions 信息处理费"),
                 fee_statement=False)


def _heads(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    dropped = set(rng.sample(HEADS, rng.randint(1, 3)))
    heads = tuple(h for h in report.text.heads if h not in dropped)
    return _text(report, "section1-heads",
                 Expectation("section1-heads", why=f"section 一 lacks {'、'.join(sorted(dropped))}"),
                 heads=heads)


def _narrative(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    stated = dict(report.text.stated)
    if rng.random() < 0.6:
        key, cell = "new_received", "applications.new_received.total"
    else:
        key, cell = "review", "appeals.review.total"
    true = int(report.values[cell])
    if true == 0:
        stated[key] = rng.randint(1, 30)
    elif key == "new_received" and rng.random() < 0.25:
        stated[key] = 0  # says 未收到政府信息公开申请 while the table counts some
    else:
        stated[key] = true + _bump(rng, true)
        if stated[key] == 0:  # "no appeals at all" would hide the number the rule compares
            stated[key] = true + 1
    if key == "new_received":
        # Some bodies count last year's carried-over applications as received: a text stating
        # 新收 + 上年结转 is not a contradiction, so never state that sum by mistake.
        with_carried = true + int(report.values["applications.carried_over.total"])
        while stated[key] in (true, with_carried) and stated[key] != 0:
            stated[key] += 1
    exp = Expectation("narrative-vs-table", (cell,), why=f"text states {key} {stated[key]}, table {true}")
    return _text(report, "narrative-count", exp, stated=stated)


def _period(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    return _text(report, "period-mismatch",
                 Expectation("period-mismatch", why=f"period of {report.year - 1} in a {report.year} report"),
                 period_year=report.year - 1)


# ---------------------------------------------------------------- what reviewers check (issue 14)

def _late_date(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    """The report signed (落款) after its deadline: 3月31日 for a people's government, 1月31日 else."""
    government = report.body.name.endswith("人民政府") and report.body.level not in ("department", "zone")
    month, day = (rng.randint(4, 6), rng.randint(1, 28)) if government else (rng.randint(2, 3), rng.randint(2, 28))
    late = f"{report.year + 1}-{month:02d}-{day:02d}"
    return report.evolve(published=late, patterns=report.patterns | {"signature"},
                         defects=(*report.defects, "late-date"),
                         expectations=(*report.expectations,
                                       Expectation("late-publication", why=f"signed {late}")))


def _boilerplate_five(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    text = rng.choice((("无。",), ("暂无。",), ("本年度无。",)))
    return _text(report, "boilerplate-5", Expectation("section5-boilerplate", why=f"section 五 says {text[0]}"),
                 section5=text)


def _fee_in_yuan(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    """行政事业性收费 written in 元 into the 万元 column: ten thousand times too large."""
    vals = dict(report.values)
    cell = "active.fees.amount"
    amount = rng.randint(2500, 9000)  # 万元 a large body collects; printed in 元
    vals[cell] = amount * 10_000
    return report.evolve(values=vals, defects=(*report.defects, "fee-in-yuan"),
                         expectations=(*report.expectations,
                                       Expectation("fee-unit", (cell,), why=f"{amount} 万元 printed in 元")))


def _broken_outline(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    """Section 一's sub-heads, on lines of their own, skip a number: （一）（二）（四）."""
    evolved = _text(report, "broken-outline", Expectation("outline-numbering", why="a sub-head number skipped"),
                    skip_head_number=True)
    return evolved.evolve(patterns=evolved.patterns | {"subheads"})


DEFECTS: dict[str, DefectKind] = {d.name: d for d in (
    DefectKind("T3-balance", "T3-balance", "a 上年结转/结转下年度 count misprinted", _t3_balance, "values"),
    DefectKind("T3-results", "T3-results", "a result row misprinted in one column", _t3_results, "values"),
    DefectKind("T3-applicants", "T3-applicants", "counts moved between two result rows", _t3_applicants,
               "values"),
    DefectKind("T4-groups", "T4-groups", "an appeal result misprinted", _t4_groups, "values"),
    DefectKind("negative-count", "negative-count", "a count printed negative", _negative, "values"),
    DefectKind("lost-number", "missing-cells", "a row of 三 prints 6 of its 7 numbers", _lost_number, "gaps"),
    DefectKind("empty-row", "missing-cells", "rows of 三 print no number at all", _empty_row, "gaps"),
    DefectKind("outdated-row", "outdated-template-row", "a 2021+ report prints the 2019 （六）其他处理 row",
               _outdated_row, "gaps", needs_2021=True, template="2021"),
    DefectKind("missing-section", "missing-section", "section 五 or 六 not printed", _missing_section, "text",
               conflicts=("section-order",)),
    DefectKind("section-order", "section-order", "section 六 printed before 五", _section_order, "text",
               conflicts=("missing-section",)),
    DefectKind("no-title", "no-title", "no title line", _no_title, "text", conflicts=("period-mismatch",)),
    DefectKind("no-fee-statement", "no-fee-statement", "section 六 says nothing about 信息处理费", _no_fee,
               "text",
               needs_2021=True),
    DefectKind("section1-heads", "section1-heads", "section 一 lacks some of the five heads", _heads, "text",
               needs_2021=True),
    DefectKind("narrative-count", "narrative-vs-table", "a count stated in the text disagrees with the table",
               _narrative, "text"),
    DefectKind("period-mismatch", "period-mismatch", "statistics period of the previous year", _period,
               "text",
               conflicts=("no-title",)),
    DefectKind("late-date", "late-publication", "signed after the deadline of 条例第四十九条", _late_date, "text"),
    DefectKind("boilerplate-5", "section5-boilerplate", "section 五 says only 无", _boilerplate_five, "text",
               conflicts=("missing-section", "section-order")),
    DefectKind("fee-in-yuan", "fee-unit", "行政事业性收费 in 元 printed in the 万元 column", _fee_in_yuan, "values",
               needs_2021=True, template="2021"),
    DefectKind("broken-outline", "outline-numbering", "section 一's sub-heads skip a number", _broken_outline,
               "text", conflicts=("section1-heads",)),
)}


def applicable(report: SyntheticReport, kind: str) -> str | None:
    """None when `kind` can be injected into `report`, else why not."""
    d = DEFECTS.get(kind)
    if d is None:
        return f"unknown defect {kind!r} (one of {', '.join(DEFECTS)})"
    if kind in report.defects:
        return f"{kind} already injected"
    if d.needs_2021 and report.year < 2021:
        return f"{kind} is a defect only for reports of 2021 onward (this one is {report.year})"
    if d.template and report.template != d.template:
        return f"{kind} needs the {d.template} template"
    if kind == "fee-in-yuan" and "old-active" in report.patterns:
        return f"{kind} needs the 2021 table 二 (the 2019 one prints no fee amount)"
    if kind == "outdated-row" and "old-active" in report.patterns:
        # the 2019 table 二 and the 2019 （六） row together are the 2019 template, not a defect of a row
        return f"{kind} with the 2019 table 二 would make the whole report a 2019 one"
    clash = [k for k in report.defects if k in d.conflicts]
    if clash:
        return f"{kind} conflicts with {clash[0]}"
    if d.group != "text" and any(DEFECTS[k].group != "text" for k in report.defects):
        # Inference over gaps assumes the printed arithmetic holds; one table defect at a time.
        return f"{kind} cannot be combined with another table defect ({', '.join(report.defects)})"
    return None


def inject(report: SyntheticReport, kind: str, rng: random.Random) -> SyntheticReport:
    """`report` with defect `kind` injected; ValueError when it does not apply to this report."""
    why = applicable(report, kind)
    if why:
        raise ValueError(f"seed {report.seed}: {why}")
    return DEFECTS[kind].apply(report, rng)
