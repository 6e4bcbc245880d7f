"""Structure rules: the six sections, the template, rows the template does not have."""

from __future__ import annotations

from collections.abc import Iterator

from xxgk.check.registry import get, rule
from xxgk.report import Finding, Report
from xxgk.template import SECTIONS, TEMPLATES


@rule("missing-section", "error", "One of the six required sections is absent")
def missing_section(report: Report) -> Iterator[Finding]:
    """The template requires six sections, in order: 一、总体情况; 二、主动公开政府信息情况;
    三、收到和处理政府信息公开申请情况; 四、政府信息公开行政复议、行政诉讼情况;
    五、存在的主要问题及改进情况; 六、其他需要报告的事项. A section whose heading cannot be found
    is reported, naming it (a heading worded far from the template counts as absent)."""
    r = get("missing-section")
    present = {s.no for s in report.sections}
    for s in SECTIONS:
        if s.no not in present:
            yield r.text_finding(f"第{'一二三四五六'[s.no - 1]}部分 {s.title} (section {s.no}) not found")


@rule("section-order", "warning", "Sections printed out of the template's order")
def section_order(report: Report) -> Iterator[Finding]:
    """The six sections must follow the template's order 一 to 六. Reordered sections make a
    report hard to compare with others and usually mean a section was pasted in the wrong place."""
    r = get("section-order")
    order = [s.no for s in report.sections]
    if order != sorted(order):
        printed = " ".join("一二三四五六"[n - 1] for n in order)
        yield r.text_finding(f"sections printed in the order {printed}", loc=report.sections[0].loc)


@rule("template-undetermined", "warning", "The printed labels do not tell which template the report uses")
def template_undetermined(report: Report) -> Iterator[Finding]:
    """xxgk decides between the 2019 and 2021 templates from labels only one of them prints (本年制发件数
    vs 本年新制作数量, the three （六） rows, 政府集中采购...). When the labels are missing or
    contradict each other, the template is taken from the report's year and this finding says so:
    the table values should then be reviewed by hand."""
    r = get("template-undetermined")
    how = report.meta.provenance.get("template", "")
    if how.startswith("year"):
        yield r.text_finding(f"template {report.meta.template} assumed from the year {report.meta.year}: "
                        "the table labels do not decide it")


@rule("outdated-template", "error", "A 2021-or-later report on the superseded 2019 template")
def outdated_template(report: Report) -> Iterator[Finding]:
    """Reports for 2021 onward must use the template of 国办公开办函〔2021〕30号. A report for 2021
    or later that prints the 2019 tables (本年新制作数量, 上一年项目数量, 政府集中采购, the single
    （六）其他处理 row) is outdated and its figures are not comparable with its peers."""
    r = get("outdated-template")
    y = report.meta.year
    if y is not None and report.meta.template == "2019" and y >= TEMPLATES["2021"].first_year:
        yield r.text_finding(f"{y} report printed on the 2019 template ({TEMPLATES['2019'].notice}); "
                        f"use {TEMPLATES['2021'].notice}")


@rule("early-template", "info", "A 2019–2020 report already on the 2021 template")
def early_template(report: Report) -> Iterator[Finding]:
    """A report for 2019 or 2020 printed on the 2021 template adopted it early. That is allowed,
    but its table 二 and the （六） rows differ from its peers of the same year."""
    r = get("early-template")
    y = report.meta.year
    if y is not None and report.meta.template == "2021" and y < TEMPLATES["2021"].first_year:
        yield r.text_finding(f"{y} report on the 2021 template (early adopter)")


@rule("outdated-template-row", "warning", "A row of the other template printed in the table")
def outdated_template_row(report: Report) -> Iterator[Finding]:
    """A report on the 2021 template that still prints the 2019 single row （六）其他处理 instead of
    its three sub-rows (逾期不补正 / 逾期未缴费 / 其他), or the reverse. The printed row is kept under
    its own key (e.g. `applications.other_handling`) and the arithmetic is checked with it; the
    template rows it stands in for stay unknown."""
    r = get("outdated-template-row")
    for key in report.foreign_rows():
        row = report.template.row_of(f"applications.{key}.total")
        cells = [p for p in report.cells if p.startswith(f"applications.{key}.")]
        other = next(t for t in TEMPLATES.values() if t.table("applications").has_row(key))
        yield r.text_finding(f"row {row.label} belongs to the {other.id} template, not the {report.template.id} "
                        f"template of this report (outdated template row)", cells, report.cells[cells[0]].loc)
    old = report.foreign_active()
    if old:  # table 二 printed on the other template (a 2021 report with the 2019 table 二)
        cells = [p for p in report.cells if p.startswith("active.")]
        loc = next((report.cells[p].loc for p in cells if report.cells[p].loc), None)
        yield r.text_finding(f"table 二 is printed on the {old} template, not the {report.meta.template} "
                             f"template of this report (outdated template rows)", cells, loc)


@rule("unmatched-row", "warning", "A printed row with numbers that matches no row of the template")
def unmatched_row(report: Report) -> Iterator[Finding]:
    """A line inside a table that carries numbers but whose label matches no row of the template,
    or a table whose values could not be laid out. Its numbers are not used; the finding quotes
    the label and the numbers so a reviewer can place them by hand."""
    r = get("unmatched-row")
    for u in report.unmatched:
        label = u.get("label") or "(no label)"
        yield r.text_finding(f"table {u['table']}: row {label[:60]} with values {' '.join(u['values'])} matches no "
                        "template row", loc=u.get("loc"), excerpt=label)


@rule("extraction-warning", "warning", "The extractor could not read part of the source with confidence")
def extraction_warning(report: Report) -> Iterator[Finding]:
    """Something the extractor noticed but could not fix: a text line OCR read with low
    confidence, a page without a text layer among text pages, a web page whose tables may be
    pictures. The text concerned may be wrong or missing; look at the source at that place."""
    r = get("extraction-warning")
    for warning in report.source.warnings:
        yield r.text_finding(warning)
