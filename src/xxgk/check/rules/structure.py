"""Structure rules: the six sections, the template, rows the template does not have."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.check.registry import get, rule
from xxgk.i18n import N_
from xxgk.report import Finding, Report
from xxgk.template import LATEST, SECTIONS, TEMPLATES, template_for_year
from xxgk.vocabulary import row_name

_NUMERALS = {s.no: s.numeral for s in SECTIONS}


@rule("missing-section", "error", N_("One of the six required sections is absent"),
      message=N_("Section {numeral} is missing: no heading like {title}"),
      what=N_("The template requires six sections, in order: 一、总体情况; 二、主动公开政府信息情况; "
              "三、收到和处理政府信息公开申请情况; 四、政府信息公开行政复议、行政诉讼情况; "
              "五、存在的主要问题及改进情况; 六、其他需要报告的事项. A section whose heading cannot be found "
              "is reported, naming it (a heading worded far from the template counts as absent)."),
      why=N_("Each section answers a question the regulations ask; a report without one leaves it unanswered, "
             "and its tables or text cannot be read where they belong."),
      example=N_("A report that ends after section 五, with no 六、其他需要报告的事项."))
def missing_section(report: Report) -> Iterator[Finding]:
    r = get("missing-section")
    present = {s.no for s in report.sections}
    for s in SECTIONS:
        if s.no not in present:
            yield r.finding(numeral=s.numeral, title=s.title, no=s.no)


@rule("section-order", "warning", N_("Sections printed out of the template's order"),
      message=N_("Sections printed in the order {order}, not {expected}"),
      what=N_("The six sections must follow the template's order, 一 to 六."),
      why=N_("Reordered sections make a report hard to compare with others, and usually mean a section was "
             "pasted in the wrong place."),
      example=N_("Section 六 printed before section 五."))
def section_order(report: Report) -> Iterator[Finding]:
    r = get("section-order")
    order = [s.no for s in report.sections]
    if order != sorted(order):
        yield r.finding(loc=report.sections[0].loc, order=" ".join(_NUMERALS[n] for n in order),
                        expected=" ".join(_NUMERALS[n] for n in sorted(order)))


@rule("template-undetermined", "warning", N_("The printed labels do not tell which template the report uses"),
      message=N_("The table labels do not tell the template: the {template} template is assumed from the year "
                 "{year}"),
      messages={"no-year": N_("The table labels do not tell the template, nor is the year known: the {template} "
                              "template is assumed")},
      what=N_("xxgk decides between the 2019 and 2021 templates from labels only one of them prints (本年制发件数 "
              "or 本年新制作数量, the three （六） rows, 政府集中采购…). When the labels are missing or contradict "
              "each other, the template is taken from the report's year and this finding says so."),
      why=N_("The two templates have different rows in tables 二 and 三: read on the wrong one, values land in "
             "the wrong cells. The table values should be reviewed by hand."),
      example=N_("A 2022 report whose table 二 is missing and whose table 三 prints no （六） rows."))
def template_undetermined(report: Report) -> Iterator[Finding]:
    r = get("template-undetermined")
    how = report.meta.provenance.get("template", "")
    if how.startswith("year"):
        year = report.meta.year
        template = report.meta.template or template_for_year(year).id
        yield r.finding(variant="" if year is not None else "no-year", template=template, year=year)


@rule("outdated-template", "error", N_("A 2021-or-later report on the superseded 2019 template"),
      message=N_("A {year} report printed on the {template} template ({notice}); use the template of {latest}"),
      what=N_("Reports for 2021 onward must use the template of 国办公开办函〔2021〕30号. A report for 2021 or later "
              "that prints the 2019 tables (本年新制作数量, 上一年项目数量, 政府集中采购, the single （六）其他处理 "
              "row) is outdated."),
      why=N_("Its figures are not comparable with its peers': table 二 counts other things, and table 三 lacks "
             "the rows the 2021 template added."),
      example=N_("A 2022 report whose table 二 prints 本年新制作数量 and 对外公开总数量."))
def outdated_template(report: Report) -> Iterator[Finding]:
    r = get("outdated-template")
    y = report.meta.year
    if y is not None and report.meta.template == "2019" and y >= LATEST.first_year:
        yield r.finding(year=y, template="2019", notice=TEMPLATES["2019"].notice, latest=LATEST.notice)


@rule("early-template", "info", N_("A 2019–2020 report already on the 2021 template"),
      message=N_("A {year} report already on the {template} template (adopted early)"),
      what=N_("A report for 2019 or 2020 printed on the 2021 template adopted it early."),
      why=N_("That is allowed, but its table 二 and its （六） rows differ from its peers of the same year: "
             "compare them with care."),
      example=N_("A 2020 report whose table 二 prints 本年制发件数 and 现行有效件数."))
def early_template(report: Report) -> Iterator[Finding]:
    r = get("early-template")
    y = report.meta.year
    if y is not None and report.meta.template == LATEST.id and y < LATEST.first_year:
        yield r.finding(year=y, template=LATEST.id)


@rule("outdated-template-row", "warning", N_("A row of the other template printed in the table"),
      message=N_("The row {row} belongs to the {other} template, not to the {template} template of this report"),
      # A whole table printed on the other template (the 2019 table 二 in a 2021 report).
      messages={"table": N_("Table {table} is printed on the {other} template, not on the {template} template of "
                            "this report")},
      what=N_("A report on the 2021 template that still prints the 2019 single row （六）其他处理 instead of its "
              "three sub-rows (逾期不补正 / 逾期未缴费 / 其他), or the reverse. The printed row is kept as it is and "
              "the arithmetic is checked with it; the template rows it stands in for stay unknown."),
      why=N_("The rows it stands in for cannot be told apart, so indicators built on them are unknown for this "
             "report."),
      example=N_("A 2024 report printing （六）其他处理 181 5 0 0 1 0 187 on one row."))
def outdated_template_row(report: Report) -> Iterator[Finding]:
    r = get("outdated-template-row")
    for key in report.foreign_rows():
        cells = [p for p in report.cells if p.startswith(f"applications.{key}.")]
        other = next(t for t in TEMPLATES.values() if t.table("applications").has_row(key))
        yield r.finding(cells, report.cells[cells[0]].loc, row=row_name(report.template, "applications", key),
                        other=other.id, template=report.template.id)


@rule("unmatched-row", "warning", N_("A printed row with numbers that matches no row of the template"),
      message=N_("Table {table}: the row {label} with the values {values} matches no row of the template"),
      messages={"no-label": N_("Table {table}: the values {values} could not be laid out on the template's cells")},
      what=N_("A line inside a table that carries numbers but whose label matches no row of the template, or a "
              "table whose values could not be laid out. Its numbers are not used; the finding quotes the label "
              "and the numbers so that a reviewer can place them by hand."),
      why=N_("Numbers the reader did not place are numbers missing from the report's figures; a label far from "
             "the template also makes the report hard to compare."),
      example=N_("A row 6.属于其他情形 0 0 0 0 0 0 0 under （三）不予公开."))
def unmatched_row(report: Report) -> Iterator[Finding]:
    r = get("unmatched-row")
    for u in report.unmatched:
        label = (u.get("label") or "")[:60]
        values = " ".join(u.get("values") or [])
        table = report.template.table(u["table"]).numeral
        yield r.finding(loc=u.get("loc"), excerpt=u.get("label") or None, variant="" if label else "no-label",
                        table=table, label=label, values=values)


@rule("extraction-warning", "warning", N_("The extractor could not read part of the source with confidence"),
      message=N_("While reading the source: {warning}"),
      what=N_("Something the extractor noticed but could not fix: a text line OCR read with low confidence, a "
              "page without a text layer among text pages, a web page whose tables may be pictures."),
      why=N_("The text concerned may be wrong or missing; look at the source at that place before trusting the "
             "figures."),
      example=N_("A web page whose report body holds three images and no statistics table."))
def extraction_warning(report: Report) -> Iterator[Finding]:
    r = get("extraction-warning")
    for warning in report.source.warnings:
        yield r.finding(warning=warning)
