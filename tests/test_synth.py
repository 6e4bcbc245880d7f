"""The synthetic report generator on its own: realistic, consistent, deterministic truth; defects
that really are defects; renderings that print what the truth says."""

from __future__ import annotations

import html.parser
import io
import json
import re
import zipfile
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.synth import (
    DEFECTS,
    ENCODINGS,
    HTML_STYLES,
    PATTERNS,
    STYLES,
    applicable,
    arith,
    generate,
    render_html,
    render_text,
    text_of,
)
from xxgk.synth.layout import COLUMN_TYPOS, ROW_TYPOS, number_style, paren_style
from xxgk.synth.names import LEVELS, make_body
from xxgk.synth.narrative import HEADS
from xxgk.template import APPLICANT_COLUMNS, SECTIONS, TEMPLATE_2021, TEMPLATES, Equation
from xxgk.text import normalize

seeds = st.integers(min_value=0, max_value=2**31)
templates = st.sampled_from([None, "2019", "2021"])


def _count_paths(report):
    return [p for p in report.tpl.cell_paths() if report.tpl.column_of(p).kind == "count"]


# ---------------------------------------------------------------- truth


@settings(max_examples=150, deadline=None)
@given(seed=seeds, template=templates)
def test_clean_truth_is_complete_and_consistent(seed, template):
    report = generate(seed, template=template)
    tpl = TEMPLATES[report.template]
    assert set(tpl.cell_paths()) == set(report.values)  # every cell of the template, nothing else
    assert arith.broken(tpl, report.values) == []  # every FORMAT.md relation holds
    for path in tpl.cell_paths():
        kind = tpl.column_of(path).kind
        v = report.values[path]
        if kind == "money":
            assert isinstance(v, float) and v >= 0 and round(v, 4) == v
        elif kind == "count":
            assert isinstance(v, int) and v >= 0, path
        else:
            assert isinstance(v, int)  # 本年增/减 may be negative
    assert report.expected_codes == []
    assert all(c.printed == "read" for c in report.expected().values())
    assert report.applications == {r: {c: report.values[f"applications.{r}.{c}"] for c in cols}
                                   for r, cols in report.applications.items()}


@settings(max_examples=60, deadline=None)
@given(seed=seeds)
def test_template_follows_the_year(seed):
    report = generate(seed)
    assert 2019 <= report.year <= 2025
    assert report.template == ("2019" if report.year < 2021 else "2021")
    assert report.meta["title"] == f"{report.body.name}{report.year}年政府信息公开工作年度报告"
    assert report.published.startswith(str(report.year + 1))


def test_template_year_mismatches_expect_their_rule():
    assert generate(1, template="2019", year=2023).expected_codes == ["outdated-template"]
    assert generate(1, template="2021", year=2020).expected_codes == ["early-template"]


def test_values_are_skewed_like_real_reports():
    reports = [generate(s) for s in range(400)]
    cells = [v for r in reports for p, v in r.values.items() if p.startswith("applications.")]
    assert sum(v == 0 for v in cells) / len(cells) > 0.6  # most cells are zero
    no_applications = sum(r.values["applications.new_received.total"] == 0 for r in reports)
    assert 0.1 < no_applications / len(reports) < 0.6
    people = sum(r.values["applications.new_received.natural_person"] for r in reports)
    total = sum(r.values["applications.new_received.total"] for r in reports)
    assert people / total > 0.6  # applications mostly from 自然人
    assert Counter(r.template for r in reports).keys() == {"2019", "2021"}
    assert set(Counter(r.body.level for r in reports)) == set(LEVELS)
    changes = [v for r in reports for p, v in r.values.items() if p.endswith(".change")]
    assert any(v < 0 for v in changes) and any(v > 0 for v in changes)
    fees = [r.values["active.fees.amount"] for r in reports if r.template == "2021"]
    assert any(v != int(v) for v in fees)  # money as decimals


def test_bodies_span_the_levels_with_real_places():
    import random

    names = {make_body(random.Random(i), level).name for i in range(30) for level in LEVELS}
    assert any(n.endswith("省人民政府") for n in names)
    assert any(n.endswith("管委会") or n.endswith("管理委员会") for n in names)
    assert any(n.endswith("镇人民政府") or n.endswith("办事处") for n in names)
    assert any(re.search(r"(局|委员会|办公室)$", n) for n in names)
    counties = {make_body(random.Random(i), "county").name for i in range(100)}
    assert any(re.fullmatch(r"..+市..+[区县]人民政府", n) for n in counties)  # 淮安市洪泽区人民政府
    assert any(re.fullmatch(r"[^市]+[区县]人民政府", n) for n in counties)  # 栾川县人民政府


def test_same_seed_same_everything():
    a, b = generate(42, defects=["T3-balance", "no-title"]), generate(42, defects=["T3-balance", "no-title"])
    assert json.dumps(a.to_dict(), ensure_ascii=False) == json.dumps(b.to_dict(), ensure_ascii=False)
    for style in STYLES:
        for encoding in ENCODINGS:
            assert render_text(a, style, encoding).data == render_text(b, style, encoding).data
    for style in HTML_STYLES:
        assert render_html(a, style).data == render_html(b, style).data
    assert generate(43).to_dict() != a.to_dict()


def test_to_dict_speaks_the_format_vocabulary():
    d = generate(5).to_dict()
    json.dumps(d)
    assert {"meta", "active", "applications", "appeals", "sections", "defects", "expected_codes"} <= set(d)
    assert set(d["meta"]) >= {"title", "agency", "region", "year", "template", "period"}
    assert [s["no"] for s in d["sections"]] == [1, 2, 3, 4, 5, 6]
    assert set(d["applications"]["granted"]) == {c.key for c in APPLICANT_COLUMNS}


# ---------------------------------------------------------------- inference


def test_infer_solves_single_unknowns_and_forces_zeros():
    eq = Equation("T", ("a",), ("b", "c", "d"), "")
    assert arith.infer([eq], {"a": 5, "b": 2, "c": None, "d": 3}) == {"a": 5, "b": 2, "c": 0, "d": 3}
    assert arith.infer([eq], {"a": 5, "b": None, "c": None, "d": 3})["b"] is None  # two unknowns: not fixed
    assert arith.infer([eq], {"a": 3, "b": None, "c": None, "d": 3}) == {"a": 3, "b": 0, "c": 0, "d": 3}
    assert arith.infer([eq], {"a": None, "b": 1, "c": 1, "d": 1})["a"] == 3


def test_gaps_are_fixed_by_the_arithmetic_when_it_can():
    for seed in range(40):
        report = generate(seed, defects=["lost-number"])
        for aligned in (False, True):
            truth = report.expected(aligned=aligned)
            (gap,) = report.gaps
            assert truth[gap].printed == ("blank" if aligned else "missing")
            assert truth[gap].value == report.values[gap]  # one row unknown: its columns fix it
        row = gap.rsplit(".", 1)[0]
        assert all(c.printed == "missing" for p, c in report.expected().items() if p.startswith(row + "."))


# ---------------------------------------------------------------- defects


@pytest.mark.parametrize("kind", sorted(DEFECTS))
def test_every_defect_expects_its_rule(kind):
    made = 0
    for seed in range(30):
        try:
            report = generate(seed, defects=[kind])
        except ValueError:
            continue
        made += 1
        assert DEFECTS[kind].code in report.expected_codes
        assert report.defects == (kind,)
        assert report.to_dict() != generate(seed, year=report.year, template=report.template).to_dict()
    assert made >= 20


@pytest.mark.parametrize("kind", ["T3-balance", "T3-results", "T3-applicants", "T4-groups"])
def test_arithmetic_defects_break_their_own_family(kind):
    for seed in range(60):
        report = generate(seed, defects=[kind])
        broken = {eq.code for eq in arith.broken(report.tpl, report.values)}
        assert kind in broken
        assert broken == {e.code for e in report.expectations}
        exp = next(e for e in report.expectations if e.code == kind)
        assert exp.cells and set(exp.cells) <= set(report.values)
        if kind != "T3-applicants":
            assert broken == {kind}
    # counts moved between rows keep the column sums: only rows break, unless the table is all 0
    only_rows = sum({eq.code for eq in arith.broken(r.tpl, r.values)} == {"T3-applicants"}
                    for r in (generate(s, defects=["T3-applicants"]) for s in range(60)))
    assert only_rows > 30


def test_negative_count_keeps_the_arithmetic():
    for seed in range(40):
        report = generate(seed, defects=["negative-count"])
        (exp,) = report.expectations
        assert report.values[exp.cells[0]] < 0
        assert arith.broken(report.tpl, report.values) == []


def test_text_defects_change_the_text():
    def section(report, no):
        return next((s for s in report.sections if s.no == no), None)

    for seed in range(25):
        assert generate(seed, defects=["no-title"]).title is None
        r = generate(seed, defects=["no-fee-statement"])
        assert r.year >= 2021 and "信息处理费" not in "".join(section(r, 6).paragraphs)
        r = generate(seed, defects=["missing-section"])
        assert len(r.sections) == 5 and {s.no for s in r.sections} < {1, 2, 3, 4, 5, 6}
        r = generate(seed, defects=["section-order"])
        assert [s.no for s in r.sections] == [1, 2, 3, 4, 6, 5]
        r = generate(seed, defects=["period-mismatch"])
        assert r.period == (f"{r.year - 1}-01-01", f"{r.year - 1}-12-31")
        r = generate(seed, defects=["outdated-row"])
        assert "applications.other_handling.total" in r.values
        assert "applications.other_other.total" not in r.values
        assert r.printed_rows("applications")[-3:] == ["other_handling", "total_processed", "carried_forward"]


def _heads_present(report) -> set[str]:
    text = normalize("".join(next(s for s in report.sections if s.no == 1).paragraphs))
    return {name for name, rx in SECTIONS[0].required_heads if re.search(rx, text)}


def test_section_one_covers_the_five_heads_and_the_defect_removes_some():
    for seed in range(60):
        assert _heads_present(generate(seed)) == set(HEADS)
        r = generate(seed, defects=["section1-heads"])
        assert _heads_present(r) == set(r.text.heads) < set(HEADS)


def test_fee_statement_for_2021_on():
    for seed in range(60):
        r = generate(seed)
        six = "".join(next(s for s in r.sections if s.no == 6).paragraphs)
        if r.year >= 2021:
            assert "信息处理费" in six


_RECEIVED = re.compile(r"收到政府信息公开申请(\d+)件")
_REVIEW = re.compile(r"行政复议(\d+)件")


def test_narrative_states_the_table_counts_unless_told_otherwise():
    for seed in range(80):
        r = generate(seed)
        text = "".join(p for s in r.sections for p in s.paragraphs)
        received = r.values["applications.new_received.total"]
        stated = _RECEIVED.findall(text)
        if received == 0:
            assert "未收到政府信息公开申请" in text and not stated
        else:
            assert stated and {int(n) for n in stated} == {received}
        assert {int(n) for n in _REVIEW.findall(text)} <= {r.values["appeals.review.total"]}
        wrong = generate(seed, defects=["narrative-count"])
        text = "".join(p for s in wrong.sections for p in s.paragraphs)
        (exp,) = wrong.expectations
        table = wrong.values[exp.cells[0]]
        says = ([int(n) for n in _RECEIVED.findall(text)] or [0]) if "new_received" in exp.cells[0] \
            else [int(n) for n in _REVIEW.findall(text)]
        assert says and table not in says


def test_defects_refuse_what_does_not_apply():
    assert applicable(generate(3, year=2020), "no-fee-statement")
    with pytest.raises(ValueError, match="2021 onward"):
        generate(3, year=2020, defects=["no-fee-statement"])
    with pytest.raises(ValueError, match="another table defect"):
        generate(3, defects=["T3-balance", "lost-number"])
    with pytest.raises(ValueError, match="unknown defect"):
        generate(3, defects=["no-such-thing"])
    assert generate(3, defects=["no-fee-statement"]).year >= 2021  # the year is drawn to fit


# ---------------------------------------------------------------- label variants


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_label_variants_still_match_their_declared_rows(template):
    tpl = TEMPLATES[template]
    for row in tpl.table("applications").rows:
        variants = {row.label, *ROW_TYPOS.get(row.key, ())}
        variants |= {number_style(paren_style(v, a), n) for v in variants for a in (False, True)
                     for n in (".", ". ", "、", "．")}
        for v in variants:
            assert any(p.search(normalize(v)) for p in row.patterns), (row.key, v)
    for col in APPLICANT_COLUMNS:
        for v in (col.label, *COLUMN_TYPOS.get(col.key, ())):
            assert any(re.search(m, normalize(v)) for m in col.match), (col.key, v)


# ---------------------------------------------------------------- renderings


@settings(max_examples=40, deadline=None)
@given(seed=seeds, style=st.sampled_from(STYLES), encoding=st.sampled_from(ENCODINGS))
def test_text_renderings_print_every_number(seed, style, encoding):
    report = generate(seed)
    rendered = render_text(report, style, encoding)
    text = text_of(rendered)
    if encoding == "utf-16":
        assert rendered.data.startswith(b"\xff\xfe")
    elif encoding == "utf-8-sig":
        assert rendered.data.startswith(b"\xef\xbb\xbf")
    assert report.body.name in text
    for s in report.sections:
        assert s.title in text
    numbers = Counter(re.findall(r"(?<![\d.])-?\d+(?:\.\d+)?(?![\d.])", text))
    for path, v in report.values.items():
        assert numbers[str(v) if not isinstance(v, float) or v != int(v) else str(int(v))] > 0, path


def test_text_styles_have_their_quirks():
    texts = {style: [text_of(render_text(generate(s), style, "utf-8")) for s in range(40)] for style in STYLES}
    assert all("\t" in t for t in texts["tsv"] + texts["clean"])
    assert any(re.search(r"\d 件", t) for t in texts["tsv"])  # units glued to numbers
    assert any("本 年 度" in t for t in texts["tsv"])  # spaced-out group labels
    assert any("社会组织" in t for t in texts["tsv"])
    assert all("\f" in t and re.search(r"^- \d+ -$", t, re.M) for t in texts["pypdf"])
    assert any(re.search(r"^本\n年\n度", t, re.M) for t in texts["pypdf"])  # vertical group label
    assert not any("\t" in t for t in texts["pypdf"])


class _Tables(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables = 0
        self.spans: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables += 1
        for name, _ in attrs:
            if name in ("rowspan", "colspan"):
                self.spans[name] += 1


@pytest.mark.parametrize("style", HTML_STYLES)
def test_html_pages(style):
    report = generate(11)
    rendered = render_html(report, style)
    page = rendered.data.decode("gbk" if style == "gbk" else "utf-8")
    parser = _Tables()
    parser.feed(page)
    assert parser.tables == 3 and parser.spans["rowspan"] >= 5 and parser.spans["colspan"] >= 10
    if style == "gbk":
        assert 'charset=gbk' in page
    if style == "blank_zero":
        assert rendered.blank and all(report.values[p] == 0 for p in rendered.blank)
        assert page.count("&nbsp;") >= len(rendered.blank)
    if style == "portal":
        assert "ICP备" in page and "当前位置" in page
    if style == "br_cells":
        assert "<br>" in page


def test_html_money_in_yuan():
    for seed in range(60):
        report = generate(seed, template="2021")
        amount = report.values["active.fees.amount"]
        if amount and amount != int(amount):
            page = render_html(report, "yuan").data.decode()
            assert f">{round(amount * 10000)}元<" in page
            return
    pytest.fail("no report with a decimal fee amount")


def test_docx_has_merged_cells():
    pytest.importorskip("docx")
    from xxgk.synth.render_docx import render_docx

    report = generate(11)
    a, b = render_docx(report, "official"), render_docx(generate(11), "official")
    assert a.data == b.data
    xml = zipfile.ZipFile(io.BytesIO(a.data)).read("word/document.xml").decode()
    assert xml.count("<w:tbl>") == 3
    assert "w:gridSpan" in xml and "w:vMerge" in xml
    for s in report.sections:
        assert s.title in xml
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(a.data)).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_template_2021_has_the_rows_the_generator_prints():
    report = generate(2, template="2021")
    assert report.printed_rows("applications") == [r.key for r in TEMPLATE_2021.table("applications").rows]


def test_inject_returns_a_new_report_and_leaves_the_original():
    import random

    from xxgk.synth import inject

    clean = generate(9)
    before = json.dumps(clean.to_dict(), ensure_ascii=False)
    broken = inject(clean, "T4-groups", random.Random(1))
    assert json.dumps(clean.to_dict(), ensure_ascii=False) == before
    assert broken.expected_codes == ["T4-groups"] and broken.defects == ("T4-groups",)
    assert inject(clean, "T4-groups", random.Random(1)).to_dict() == broken.to_dict()


# ---------------------------------------------------------------- printing patterns (issue 13)


def test_truth_does_not_import_defects() -> None:
    import ast
    import inspect

    import xxgk.synth.truth as truth

    tree = ast.parse(inspect.getsource(truth))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and m.endswith("defects") for m in imported)
    assert not any(m and m.endswith("generate") for m in imported)


def test_subheads_use_the_words_of_sections_two_and_three() -> None:
    from xxgk.template import SECTIONS

    report = generate(5, patterns=["subheads"])
    heads = [p for p in report.sections[0].paragraphs if len(p) < 20]
    assert len(heads) >= 2
    by_no = {s.no: re.compile(s.match) for s in SECTIONS}
    assert any(by_no[2].search(h) for h in heads) and any(by_no[3].search(h) for h in heads)


def test_patterns_change_the_printing_not_the_truth() -> None:
    for pattern in PATTERNS:
        if pattern == "old-active":
            continue
        plain, patterned = generate(21, year=2023), generate(21, year=2023, patterns=[pattern])
        assert plain.values == patterned.values, pattern
        assert plain.expectations == patterned.expectations, pattern


def test_old_active_prints_the_2019_table_two_in_a_2021_report() -> None:
    report = generate(3, patterns=["old-active"])
    assert report.template == "2021" and report.year >= 2021
    assert "active.regulations.made" in report.values
    assert "outdated-template-row" in report.expected_codes


def test_dash_zero_prints_every_zero_as_one_mark() -> None:
    report = generate(8, patterns=["dash-zero"])
    text = text_of(render_text(report, "clean"))
    marks = [m for m in ("—", "无", "/") if f"\t{m}" in text]
    assert len(marks) <= 1
