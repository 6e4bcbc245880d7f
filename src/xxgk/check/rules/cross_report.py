"""Cross-year rules: one body's reports compared year on year (scope "corpus").

A corpus rule takes the reports of ONE body sorted by year and judges the LAST of them against
the report of the year before (`previous()`); its findings belong to that last report. The
runner (`check_corpus`, and the store after every ingest) calls each rule once per report with
the body's reports up to and including it, so every year is judged against the one before.
Reports whose year is unknown are never compared. Two reports of the same body for the same
year (say a PDF and a web page of it) are each compared with the year before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from xxgk.check.registry import get, rule, selected
from xxgk.check.similarity import clean
from xxgk.check.similarity import similarity as text_similarity
from xxgk.i18n import N_
from xxgk.report import Finding, Report
from xxgk.template import APPLICANT_COLUMNS, IN_FORCE_STOCK, LATEST, SECTIONS
from xxgk.vocabulary import cell_name, row_name

# Section 五 counts as copied when its text, whitespace and punctuation aside, is at least this
# similar to last year's (rapidfuzz's normalised Indel similarity, 0..1: the share of characters
# the two texts have in common, in order). Real reports that rewrite their problems score well
# under 0.7; a copy with the year changed scores above 0.95.
SECTION5_SIMILARITY = 0.9
# Shorter sections (无, 暂无) are too short to call copied: every "none" looks alike.
SECTION5_MIN_CHARS = 40
# An order-of-magnitude jump: one year's value at least JUMP_FACTOR times the other's, and the
# larger at least JUMP_MIN (so 3 -> 40 applications, a real change at small numbers, is not flagged).
JUMP_FACTOR = 10
JUMP_MIN = 100



def previous(reports: Sequence[Report]) -> list[Report]:
    """The body's report(s) for the year just before the last report's year."""
    last = reports[-1]
    if last.meta.year is None:
        return []
    return [r for r in reports[:-1] if r.meta.year == last.meta.year - 1]


def _prev(r: Report) -> dict[str, object]:
    """The parameters that name last year's report in a message."""
    return {"prev_year": r.meta.year, "prev_file": r.source.file}


def _row(table: str, row: str) -> str:
    return row_name(LATEST, table, row)


@rule("year-carry-over", "error", N_("上年结转 differs from last year's 结转下年度继续办理"), scope="corpus",
      message=N_("{column}: this year's {carried_over} is {value}, but the {prev_year} report ({prev_file}) has "
                 "{carried_forward} {prev_value}"),
      what=N_("Applications a body carries forward at the end of one year (结转下年度继续办理) are the applications "
              "it carries over at the start of the next (上年结转政府信息公开申请数量): in every applicant column, "
              "this year's 上年结转 must equal last year's 结转下年度. Both cells must be known; a cell that is "
              "blank or missing is not compared."),
      why=N_("A difference means one of the two reports mistyped a count, or applications were lost or "
             "invented between the years."),
      example=N_("The 2023 report carries over 3 applications from natural persons, the 2022 report carried "
                 "forward 5."))
def carry_over(reports: Sequence[Report]) -> Iterator[Finding]:
    r = get("year-carry-over")
    this = reports[-1]
    for prev in previous(reports):
        for col in APPLICANT_COLUMNS:
            here = f"applications.carried_over.{col.key}"
            there = f"applications.carried_forward.{col.key}"
            a, b = this.value(here), prev.value(there)
            if a is None or b is None or a == b:
                continue
            yield r.finding([here], this.cells[here].loc, column=col.label,
                            carried_over=_row("applications", "carried_over"),
                            carried_forward=_row("applications", "carried_forward"),
                            value=a, prev_value=b, **_prev(prev))


@rule("year-in-force", "warning", N_("现行有效件数 does not follow from last year's plus 制发 minus 废止"),
      scope="corpus",
      message=N_("{row}: {in_force} is {value}, but last year's {before} (the {prev_year} report, {prev_file}) "
                 "+ {issued} {plus} − {repealed} {minus} = {expected}"),
      what=N_("On the 2021 template, table 二 counts the rules (规章) and normative documents (行政规范性文件) in "
              "force at the end of the year. This year's 现行有效件数 should equal last year's, plus the documents "
              "issued this year (本年制发件数), minus those repealed this year (本年废止件数). Compared only when "
              "both years use the 2021 template and all four numbers are known."),
      why=N_("Stock and flow must agree. Documents that expire on their own without being repealed make small "
             "gaps legitimate, so this is a warning; a large gap usually means one year counted something else."),
      example=N_("行政规范性文件: 现行有效 10 in 2022, 2 issued and 1 repealed in 2023, but 15 in force in 2023."))
def in_force_stock(reports: Sequence[Report]) -> Iterator[Finding]:
    r = get("year-in-force")
    this = reports[-1]
    if this.meta.template != LATEST.id:
        return
    stock, added, removed = IN_FORCE_STOCK
    rows = [row for row in LATEST.table("active").rows if stock in row.columns]
    for prev in previous(reports):
        if prev.meta.template != LATEST.id:
            continue
        for row in rows:
            now, issued, repealed = (f"active.{row.key}.{c.key}" for c in (stock, added, removed))
            vals = [this.value(now), this.value(issued), this.value(repealed), prev.value(now)]
            if any(v is None for v in vals):
                continue
            value, plus, minus, before = vals
            expected = before + plus - minus  # type: ignore[operator]
            if value != expected:
                yield r.finding([now, issued, repealed], this.cells[now].loc, row=row.label,
                                in_force=stock.label, issued=added.label, repealed=removed.label,
                                value=value, before=before, plus=plus, minus=minus, expected=expected,
                                **_prev(prev))


# Sections compared with last year's: 一 (the year's work), 五 (problems and improvements), 六.
COPY_CHECKED_SECTIONS = (1, 5, 6)


@rule("year-section5-copied", "warning", N_("Section 一, 五 or 六 copied from last year"),
      scope="corpus",
      message=N_("{section} is {similarity:.0%} the same as in the {prev_year} report ({prev_file}); the "
                 "threshold is {threshold:.0%}"),
      what=N_("Sections 一 (the year's work), 五 (problems and improvements) and 六 (other matters) must describe "
              "this year. A section is reported when its text is nearly the same as last year's: a similarity of "
              "at least 0.9 (rapidfuzz's normalised Indel ratio, the share of characters both texts have in "
              "order) after removing what every report shares — quoted laws in 《》, the template's headings and "
              "stock sentences, digits, whitespace and punctuation — over at least 40 characters. The code keeps "
              "its first name (it began with section 五 only)."),
      why=N_("A copied section 五 reports last year's problems again as if new, and says nothing of whether "
             "the improvements promised last year were made; a copied section 一 or 六 reports last year's work."),
      example=N_("The 2024 section 五 is last year's with 2023 changed to 2024: similarity 98%."))
def section5_copied(reports: Sequence[Report]) -> Iterator[Finding]:
    r = get("year-section5-copied")
    this = reports[-1]
    for no in COPY_CHECKED_SECTIONS:
        here = this.section(no)
        if here is None or len(clean(here.text)) < SECTION5_MIN_CHARS:
            continue
        for prev in previous(reports):
            there = prev.section(no)
            if there is None or len(clean(there.text)) < SECTION5_MIN_CHARS:
                continue
            score = text_similarity(here.text, there.text)
            if score >= SECTION5_SIMILARITY:
                yield r.finding([], here.loc, here.text[:80], section=SECTIONS[no - 1].title,
                                similarity=round(score, 4), threshold=SECTION5_SIMILARITY, **_prev(prev))


@rule("year-jump", "warning", N_("A number ten times larger or smaller than last year's (a likely typo)"),
      scope="corpus",
      message=N_("{cell}: up from {prev_value} in the {prev_year} report ({prev_file}) to {value}, {factor} times "
                 "as much: probably a typo"),
      messages={"down": N_("{cell}: down from {prev_value} in the {prev_year} report ({prev_file}) to {value}, "
                           "{factor} times less: probably a typo")},
      what=N_("A cell whose value is at least ten times last year's value of the same cell, or a tenth of it, "
              "when the larger of the two is at least 100. Zeros are not compared (starting or stopping an "
              "activity is not a typo), nor cells whose value is unknown in either year."),
      why=N_("A body's activity changes from year to year, but rarely tenfold: one of the two values was most "
             "likely mistyped (a digit added or dropped, a total typed into a part, 元 written for 万元)."),
      example=N_("行政处罚 · 本年处理决定数量: 120 in 2023, 1250 in 2024."))
def magnitude_jump(reports: Sequence[Report]) -> Iterator[Finding]:
    r = get("year-jump")
    this = reports[-1]
    for prev in previous(reports):
        for path, cell in this.cells.items():
            a, b = cell.value, prev.value(path)
            if a is None or b is None or a <= 0 or b <= 0:
                continue
            hi, lo = max(a, b), min(a, b)
            if hi >= JUMP_MIN and hi >= JUMP_FACTOR * lo:
                yield r.finding([path], cell.loc, variant="" if a > b else "down",
                                cell=cell_name(this.template, path), value=a, prev_value=b,
                                factor=round(hi / lo), **_prev(prev))


# ---------------------------------------------------------------- running the rules


def _year_order(reports: Iterable[Report]) -> list[Report]:
    return sorted(
        (r for r in reports if r.meta.year is not None), key=lambda r: (r.meta.year, r.source.sha256)
    )


def body_findings(
    reports: Sequence[Report], select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> list[tuple[Report, Finding]]:
    """Corpus findings over the reports of ONE body: (the report it belongs to, finding)."""
    rules = selected(select, ignore, scope="corpus")
    ordered = _year_order(reports)
    out: list[tuple[Report, Finding]] = []
    for i, rep in enumerate(ordered):
        if i == 0:
            continue
        for r in rules:
            out.extend((rep, f) for f in r.func(ordered[: i + 1]))
    return out


# The store calls this with one body's reports at a time.
corpus_findings = body_findings


def check_corpus(
    reports: Iterable[Report], select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> list[tuple[Report, Finding]]:
    """Cross-year findings over any collection of reports: grouped by body (xxgk.identity's
    key: region code + normalised name), each body's years compared in order. Reports whose
    body cannot be told for sure are left out. Returns (report, finding) pairs, by body then year."""
    from xxgk.identity import identify

    groups: dict[str, list[Report]] = {}
    for rep in reports:
        ident = identify(rep)
        if ident.body is not None:
            groups.setdefault(ident.body.key, []).append(rep)
    out: list[tuple[Report, Finding]] = []
    for key in sorted(groups):
        out.extend(body_findings(groups[key], select, ignore))
    return out
