"""The checks reviewers and evaluators make: publication date, copies between bodies, boilerplate
section 五, fee units, revised reports, bodies that did not report. Each rule is triggered, and
near misses must stay silent."""

from __future__ import annotations

import copy
import dataclasses
import random
from pathlib import Path

import pytest

import xxgk
from xxgk.check.corpus import body_findings
from xxgk.check.peers import peer_findings
from xxgk.check.registry import get
from xxgk.check.similarity import Text, clean, near_copies
from xxgk.i18n import use_lang
from xxgk.report import Report, SectionText

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def huaian() -> Report:
    return xxgk.read_bytes((DATA / "corpus" / "..").joinpath("pypdf", "huaian-city-2024.txt").read_bytes(),
                           "huaian-city-2024.txt")


def fresh(report: Report, **meta: object) -> Report:
    r = copy.deepcopy(report)
    for k, v in meta.items():
        setattr(r.meta, k, v)
    return r


def run(code: str, report: Report) -> list:
    return list(get(code).func(report))


# ---------------------------------------------------------------- late-publication


def test_late_department_by_page_date(huaian: Report) -> None:
    r = fresh(huaian, agency="淮安市交通运输局", level="department", published="2025-02-15")
    r.meta.provenance["published"] = "web"
    [f] = run("late-publication", r)
    assert f.severity == "warning" and f.params["days"] == 15 and f.params["deadline"] == "2025-01-31"
    assert "发布" in f.message and "2025-01-31" in f.message
    with use_lang("en"):
        assert "publishing site's date" in f.message and "department" in f.message


def test_government_has_until_march(huaian: Report) -> None:
    on_time = fresh(huaian, published="2025-03-31")
    on_time.meta.provenance["published"] = "text"
    assert run("late-publication", on_time) == []
    late = fresh(huaian, published="2025-04-02")
    late.meta.provenance["published"] = "text"
    [f] = run("late-publication", late)
    assert f.params["days"] == 2 and f.params["deadline"] == "2025-03-31"


def test_department_on_the_deadline_is_on_time(huaian: Report) -> None:
    r = fresh(huaian, agency="淮安市教育局", level="department", published="2025-01-31")
    assert run("late-publication", r) == []


def test_unknown_kind_is_only_a_note(huaian: Report) -> None:
    r = fresh(huaian, agency="淮安经济技术开发区", level="development_zone", published="2025-02-20")
    r.meta.provenance["published"] = "pdf-created"
    [f] = run("late-publication", r)
    assert f.severity == "info" and f.variant == "unknown_kind"
    with use_lang("en"):
        assert "weak indication" in f.message


def test_no_date_no_finding(huaian: Report) -> None:
    assert run("late-publication", fresh(huaian, published=None)) == []


# ---------------------------------------------------------------- section5-boilerplate


def with_section5(report: Report, text: str) -> Report:
    r = copy.deepcopy(report)
    r.sections = [s for s in r.sections if s.no != 5] + [SectionText(5, "五、存在的主要问题及改进情况", text, "p5")]
    r.sections.sort(key=lambda s: s.no)
    return r


@pytest.mark.parametrize("text", ["无。", "暂无", "五、存在的主要问题及改进情况\n无"])
def test_section5_none(huaian: Report, text: str) -> None:
    [f] = run("section5-boilerplate", with_section5(huaian, text))
    assert f.variant == "none"


def test_section5_too_short(huaian: Report) -> None:
    [f] = run("section5-boilerplate", with_section5(huaian, "信息公开工作仍有不足，下一步将加强。"))
    assert f.variant == "" and f.params["chars"] < f.params["minimum"]


def test_section5_problems_without_improvement(huaian: Report) -> None:
    text = ("政策解读质量仍需提升，个别单位政策解读内容简单、形式单一；政务公开队伍人员配备不足、兼职多、"
            "流动性过快，业务水平参差不齐，对复杂申请件的研判能力不足，答复文书规范性有待提升。")
    [f] = run("section5-boilerplate", with_section5(huaian, text))
    assert f.variant == "no_improvement"


def test_section5_genuine_is_silent(huaian: Report) -> None:
    assert run("section5-boilerplate", huaian) == []


# ---------------------------------------------------------------- fee-unit


def with_fee(report: Report, value: float, raw: str | None = None, level: str = "county") -> Report:
    r = fresh(report, level=level)
    cell = r.cells["active.fees.amount"]
    r.cells["active.fees.amount"] = dataclasses.replace(cell, value=value, status="read", raw=raw)
    return r


def test_fee_in_yuan(huaian: Report) -> None:
    [f] = run("fee-unit", with_fee(huaian, 2_510_000))
    assert f.cells == ["active.fees.amount"] and "行政事业性收费" in f.message and "active." not in f.message


def test_fee_plausible_and_converted_are_silent(huaian: Report) -> None:
    assert run("fee-unit", with_fee(huaian, 4321.5)) == []
    assert run("fee-unit", with_fee(huaian, 25.1, raw="251000元")) == []  # printed in 元, converted: plausible


def test_fee_too_many_decimals(huaian: Report) -> None:
    [f] = run("fee-unit", with_fee(huaian, 12.345678, raw="12.345678"))
    assert f.variant == "decimals" and f.params["decimals"] == 6


# ---------------------------------------------------------------- report-revised


def test_revised_version_lists_cells_and_sections(huaian: Report) -> None:
    second = copy.deepcopy(huaian)
    second.source.sha256 = "f" * 64
    second.source.file = "huaian-city-2024-v2.txt"
    path = "applications.new_received.natural_person"
    second.cells[path] = dataclasses.replace(second.cells[path], value=(second.value(path) or 0) + 2)
    second.sections = [SectionText(s.no, s.title, s.text + ("另行修改了若干表述。" * 20 if s.no == 5 else ""), s.loc)
                       for s in second.sections]
    pairs = body_findings([huaian, second], select=["report-revised"])
    [(_owner, f)] = pairs
    assert path in f.cells and "五" in f.params["sections"]
    assert "一、本年新收政府信息公开申请数量 · 自然人" in f.message


def test_same_report_twice_is_not_revised(huaian: Report) -> None:
    twin = copy.deepcopy(huaian)
    twin.source.sha256 = "e" * 64
    twin.source.kind = "html"
    assert body_findings([huaian, twin], select=["report-revised"]) == []


# ---------------------------------------------------------------- copied-from-other-body

SECTION5 = ("对照上级新要求和公众新期待，我局政务公开工作还存在一些不足：政策解读形式较为单一，图解、视频等"
            "解读产品偏少；依申请公开答复文书的规范性仍需提升，个别答复说理不够充分。下一步，我局将丰富政策解读"
            "形式，开发更多可读、可视的解读产品，并加强答复文书的审核把关，定期开展业务培训。")


def body(report: Report, name: str, s5: str, sha: str) -> Report:
    r = with_section5(report, s5)
    r.meta.agency = name
    r.source.sha256 = sha
    r.source.file = f"{name}.txt"
    return r


def test_copied_between_bodies(huaian: Report) -> None:
    a = body(huaian, "某县司法局", SECTION5, "a" * 64)
    b = body(huaian, "某县审计局", SECTION5.replace("我局", "本局").replace("2024", "2023"), "b" * 64)
    c = body(huaian, "某县民政局", "本年度民政系统信息公开存在的问题主要是基层站点更新不及时，养老服务信息分散在多个平台。"
             "改进措施：明年起建立乡镇站点周报制度，把养老服务信息集中到一个专栏，并由专人每月核对一次。", "c" * 64)
    found = [(rep.meta.agency, f) for rep, f in peer_findings([a, b, c], select=["copied-from-other-body"])]
    names = sorted(n for n, f in found if f.params["section"] == "五")
    assert names == sorted(["某县审计局", "某县司法局"])
    assert all(f.params["similarity"] >= 0.85 for _, f in found)


def test_same_body_and_template_phrases_are_not_copies(huaian: Report) -> None:
    a = body(huaian, "某县司法局", SECTION5, "a" * 64)
    again = body(huaian, "某县司法局", SECTION5, "d" * 64)
    assert peer_findings([a, again], select=["copied-from-other-body"]) == []
    stock = ("根据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国"
             "政府信息公开工作年度报告格式〉的通知》要求编制本报告。本报告中所列数据的统计期限自2024年1月1日起至2024年"
             "12月31日止。")
    assert len(clean(stock)) < 60
    x = Text(1, "x", 5, stock)
    y = Text(2, "y", 5, stock)
    assert near_copies([x, y]) == []


def test_copies_scale_without_pairs_of_everything() -> None:
    texts = [Text(i, i, 5, "".join(chr(0x4E00 + random.Random(i).randrange(20000)) for _ in range(1))
                  + "".join(chr(0x4E00 + n) for n in random.Random(i).sample(range(20000), 150)))
             for i in range(300)]
    texts.append(Text(999, 999, 5, texts[17].text))
    matches = near_copies(texts)
    assert [(c.text.ref, [o.ref for o, _ in c.others]) for c in matches] == [(17, [999]), (999, [17])]


# ---------------------------------------------------------------- missing-subordinate


def test_missing_expected_and_last_years(huaian: Report) -> None:
    this = fresh(huaian, agency="淮安市人民政府")
    last = fresh(huaian, agency="淮安市教育局", year=2023)
    last.source.file = "jy-2023.txt"
    found = peer_findings([this], previous=[last], expected=["淮安市人民政府", "淮安市 公安局"],
                          select=["missing-subordinate"])
    messages = sorted(f.message for _, f in found)
    assert all(owner is None for owner, _ in found)
    assert any("公安局" in m and "2024" in m for m in messages)
    assert any("淮安市教育局" in m and "2023" in m for m in messages)


def test_other_regions_are_not_expected(huaian: Report) -> None:
    this = fresh(huaian)
    elsewhere = fresh(huaian, agency="栾川县教育局", region="河南省洛阳市栾川县", level="department", year=2023)
    assert peer_findings([this], previous=[elsewhere], select=["missing-subordinate"]) == []


# ---------------------------------------------------------------- narrative-vs-table: scope and table 二

HUAIAN_TEXT = (DATA / "pypdf" / "huaian-city-2024.txt").read_text(encoding="utf-8")


def narrative(text: str) -> list:
    return [f for f in xxgk.parse_text(text, "t.txt").findings if f.code == "narrative-vs-table"]


def test_count_of_an_office_is_a_question_of_scope() -> None:
    [f] = [f for f in xxgk.read(DATA / "pdf" / "hongze-district-2024.pdf").findings if f.code == "narrative-vs-table"]
    assert f.severity == "info" and f.variant == "scope" and f.params["stated"] == 17
    assert "区政府办" in f.message


def test_count_of_the_whole_body_is_compared() -> None:
    text = HUAIAN_TEXT.replace("一、总体情况\n", "一、总体情况\n全年共受理政府信息公开申请 17 件。\n", 1)
    found = narrative(text)
    assert [f.severity for f in found if f.params.get("stated") == 17] == ["warning"]


def test_table_two_counts_in_the_text(huaian: Report) -> None:
    issued = huaian.value("active.normative_documents.issued")
    wrong = HUAIAN_TEXT.replace("一、总体情况\n", f"一、总体情况\n全年制发规范性文件 {issued + 5} 件。\n", 1)
    [f] = [f for f in narrative(wrong) if f.cells == ["active.normative_documents.issued"]]
    assert f.params["stated"] == issued + 5 and "行政规范性文件" in f.message
    right = HUAIAN_TEXT.replace("一、总体情况\n", f"一、总体情况\n全年制发规范性文件 {issued} 件。\n", 1)
    assert [f for f in narrative(right) if f.cells == ["active.normative_documents.issued"]] == []


def test_section_one_and_six_copied_from_last_year() -> None:
    from conftest_db import make_report

    work = ("本年度我局围绕法治政府建设要求，完善主动公开目录，规范依申请公开办理流程，建立了政府信息管理台账，"
            "推进政务公开专区标准化建设，并将政务公开纳入年度绩效考核，开展了两次专项督查。")
    y1 = make_report("淮安市洪泽区司法局", 2023, file="2023.txt")
    y2 = make_report("淮安市洪泽区司法局", 2024, file="2024.txt")
    for rep, year in ((y1, 2023), (y2, 2024)):
        rep.sections = [SectionText(s.no, s.title, f"{year}年，" + work if s.no == 1 else s.text, s.loc)
                        for s in rep.sections]
    found = [f for _, f in body_findings([y1, y2], select=["year-section5-copied"])]
    assert [f.params["section"] for f in found] == ["一、总体情况"]


def test_audit_lists_bodies_missing_from_the_expected_list(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from xxgk.cli import app

    expect = tmp_path / "expect.txt"
    expect.write_text("# 本轮应报机关\n淮安市人民政府\n淮安市洪泽区人民政府\n淮安市清江浦区人民政府\n", encoding="utf-8")
    out = tmp_path / "audit.html"
    result = CliRunner().invoke(app, ["audit", str(DATA / "pdf"), "-o", str(out), "--expect", str(expect),
                                      "--no-progress"])
    assert result.exit_code in (0, 1), result.output
    page = out.read_text(encoding="utf-8")
    assert "关于整批报告" in page and "淮安市清江浦区人民政府：在应报名单上，但没有2024年度报告" in page
    assert "淮安市洪泽区人民政府：在应报名单上" not in page


# ---------------------------------------------------------------- outline-numbering

SUBHEADS = ("（一）主动公开情况\n全年主动公开信息若干条。\n（二）依申请公开情况\n全年收到申请若干件。\n"
            "{third}政府信息管理情况\n管理规范。\n")


def outline_findings(third: str) -> list:
    text = HUAIAN_TEXT.replace("一、总体情况\n", "一、总体情况\n" + SUBHEADS.format(third=third), 1)
    return [f for f in xxgk.parse_text(text, "t.txt").findings if f.code == "outline-numbering"]


@pytest.mark.parametrize(("third", "variant", "expected"), [
    ("（四）", "", "（三）"), ("（二）", "repeated", None), ("3.", "mixed", "（三）"), ("三、", "promoted", None)])
def test_outline_numbering(third: str, variant: str, expected: str | None) -> None:
    [f] = outline_findings(third)
    assert f.variant == variant and f.params.get("expected") == expected
    assert third in f.message


def test_outline_in_sequence_is_silent() -> None:
    assert outline_findings("（三）") == []
    for sample in sorted((DATA / "corpus").glob("*.txt")):
        assert [f for f in xxgk.read(sample).findings if f.code == "outline-numbering"] == [], sample.name


# ---------------------------------------------------------------- where the publication date comes from


def test_page_pubdate_is_the_publication_date(tmp_path: Path) -> None:
    page = (DATA / "html" / "huaian-2024.html").read_text(encoding="utf-8")
    page = page.replace("<head>", '<head><meta name="PubDate" content="2025-04-10 09:30">', 1)
    assert 'name="PubDate"' in page
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    r = xxgk.read(path)
    assert (r.meta.published, r.meta.provenance["published"]) == ("2025-04-10", "html-meta")
    [f] = [f for f in r.findings if f.code == "late-publication"]
    assert f.params["days"] == 10 and f.params["source"] == "the publishing site's date"


def test_pdf_creation_date_is_the_weakest_hint() -> None:
    r = xxgk.read(DATA / "pdf" / "huaian-city-2024.pdf")
    assert (r.meta.published, r.meta.provenance["published"]) == ("2025-02-25", "pdf-created")
    assert [f for f in r.findings if f.code == "late-publication"] == []  # a government: by 3月31日
