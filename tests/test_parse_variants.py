"""Layouts and wordings beyond the corpus: titles, headings, units, blanks."""

from __future__ import annotations

import pytest
from tests.conftest import DATA

import xxgk
from xxgk.parse.meta import agency_from_title, arabic_years, year_from_title

HUAIAN = (DATA / "pypdf" / "huaian-city-2024.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("title", "agency", "year"), [
    ("淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府", 2024),
    ("2024年淮安市人民政府政府信息公开工作年度报告", "淮安市人民政府", 2024),
    ("淮安市财政局关于2023年度政府信息公开工作年度报告", "淮安市财政局", 2023),
    ("青铜峡工业园区管委会 2023 年政府信息公开工作年度报告", "青铜峡工业园区管委会", 2023),
    (arabic_years("某某镇人民政府二〇二二年政府信息公开工作年度报告"), "某某镇人民政府", 2022),
])
def test_titles(title: str, agency: str, year: int) -> None:
    flat = title.replace(" ", "")
    assert agency_from_title(flat) == agency
    assert year_from_title(flat) == year


def test_headings_in_other_numbering_styles() -> None:
    text = (HUAIAN.replace("一、总体情况", "第一部分 总体情况")
            .replace("二、主动公开政府信息情况", "**二、主动公开政府信息情况**")
            .replace("五、存在的主要问题及改进情况", "存在的主要问题及改进情况"))
    report = xxgk.parse_text(text)
    assert [s.no for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert report.value("active.regulations.in_force") == 11


def test_money_in_yuan_is_converted_and_noted() -> None:
    report = xxgk.parse_text(HUAIAN.replace("行政事业性收费 96171.6", "行政事业性收费 961716000元"))
    cell = report.cells["active.fees.amount"]
    assert cell.value == 96171.6 and "万元" in (cell.note or "")


def test_dash_blanks_are_recorded_and_inferred_when_fixed() -> None:
    report = xxgk.parse_text(HUAIAN.replace("3.要求提供公开出版物 0 0 0 0 0 0 0", "3.要求提供公开出版物 — — — — — — —"))
    cell = report.cells["applications.rejected_publication.total"]
    assert cell.status == "inferred" and cell.value == 0 and cell.raw == "—"
    assert any(f.code == "blank-cells" for f in report.findings)


def test_numbers_printed_before_their_wrapped_label() -> None:
    old = "2.重复申请 25 0 0 0 0 0 25"
    assert old in HUAIAN
    report = xxgk.parse_text(HUAIAN.replace(old, "25 0 0 0 0 0 25\n2.重复申请"))
    assert report.value("applications.rejected_duplicate.natural_person") == 25
    assert report.cells["applications.rejected_duplicate.natural_person"].status == "read"


def test_thousands_separators_and_full_width_digits() -> None:
    report = xxgk.parse_text(HUAIAN.replace("行政处罚 3985758", "行政处罚 3,985,758").replace("规章 1 0 11", "规章 １ ０ １１"))
    assert report.value("active.penalty.decisions") == 3985758
    assert report.value("active.regulations.in_force") == 11
