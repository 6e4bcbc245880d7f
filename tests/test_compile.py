"""汇总: sums, per-cell reliability, bodies included / missing / carrying errors, refusals."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest

from xxgk.corpus.compile import CompileError, compile_by_template, compile_reports, read_expect_file
from xxgk.export.compilation import write_compilation_xlsx
from xxgk.i18n import use_lang
from xxgk.report import Cell, Finding, Report

DATA = Path(__file__).parent / "data" / "reports"


def load(name: str) -> Report:
    return Report.from_dict(json.loads((DATA / f"{name}.json").read_text(encoding="utf-8")))


@pytest.fixture()
def city() -> list[Report]:
    return [load("huaian-city-2024"), load("hongze-district-2024")]


def test_sums_complete_cells(city: list[Report]) -> None:
    comp = compile_reports(city)
    cell = comp.cells["applications.new_received.total"]
    assert cell.value == 3119 + 95 and cell.status == "complete" and cell.read == 2 and cell.unknown == 0
    assert comp.value("appeals.review.total") == city[0].value("appeals.review.total") + city[1].value(
        "appeals.review.total")
    assert [b.body for b in comp.included] == ["淮安市人民政府", "淮安市洪泽区人民政府"]


def test_unknown_contributor_makes_the_cell_incomplete_never_a_silent_sum(city: list[Report]) -> None:
    comp = compile_reports(city)
    # 洪泽区 printed the 2019 （六）其他处理 row: its three 2021 rows are missing
    cell = comp.cells["applications.other_other.total"]
    assert cell.status == "incomplete" and cell.read == 1 and cell.missing == 1
    assert cell.unknown_bodies == ["淮安市洪泽区人民政府"]
    assert cell.value == city[0].value("applications.other_other.total")  # the known part only
    # the note names the row by its template label, never by its key
    assert any("（六）其他处理" in n and "淮安市洪泽区人民政府" in n and "other_handling" not in n for n in comp.notes)
    # the equations over an incomplete cell are not checked, the others hold
    results = {c.result for c in comp.checks if "applications.other_other.total" in c.cells}
    assert results == {"unchecked"}
    assert any(c.result == "holds" for c in comp.checks)
    assert not comp.complete


def test_all_unknown_is_unknown_not_zero(city: list[Report]) -> None:
    for r in city:
        r.cells["appeals.review.upheld"] = Cell(None, "blank", raw="—")
    cell = compile_reports(city).cells["appeals.review.upheld"]
    assert cell.value is None and cell.status == "unknown" and cell.blank == 2


def test_inferred_counts_as_known_and_is_counted() -> None:
    reps = [load("000_11a4c8c6b3698673"), load("004_665c97d63233bba3"), load("003_ea5d5e0013680a8d")]
    comp = compile_reports(reps)
    cell = comp.cells["applications.granted.total"]
    assert cell.status == "complete" and cell.inferred == 1 and cell.read == 2
    fees = comp.cells["active.fees.amount"]  # 区科工局 printed "—"
    assert fees.status == "incomplete" and fees.blank == 1 and fees.unknown_bodies == ["区科工局"]


def test_money_is_summed_exactly(city: list[Report]) -> None:
    city[0].cells["active.fees.amount"] = Cell(0.1, "read")
    city[1].cells["active.fees.amount"] = Cell(0.2, "read")
    assert compile_reports(city).value("active.fees.amount") == 0.3


def test_refuses_mixed_templates_and_years(city: list[Report]) -> None:
    old = load("002_dd09eda2b8fcd8ea")
    with use_lang("en"), pytest.raises(CompileError, match="mixes templates") as mixed:
        compile_reports([*city, old])
    assert mixed.value.mixed_templates
    with use_lang("en"), pytest.raises(CompileError, match="several years"):
        compile_reports([*city, load("001_59945f3aceea766a")])
    with pytest.raises(CompileError, match="无可汇总"):
        compile_reports([])
    per = compile_by_template([load("000_11a4c8c6b3698673"), load("003_ea5d5e0013680a8d"),
                               copy.deepcopy(old)])
    assert [c.template for c in per] == ["2021", "2019"]


def test_missing_expected_previous_and_errors(city: list[Report], tmp_path: Path) -> None:
    city[1].findings.append(Finding.of_text("T3-balance", "error", "does not balance",
                                    ["applications.total_processed.total"]))
    prev = copy.deepcopy(city)
    gone = copy.deepcopy(city[1])
    gone.meta.agency = "淮安市淮阴区人民政府"
    prev.append(gone)
    for p in prev:
        p.meta.year = 2023
    expect = tmp_path / "expect.txt"
    expect.write_text("# 淮安市 2024\n淮安市人民政府\n淮安市 洪泽区人民政府\n淮安市清江浦区人民政府\n\n",
                      encoding="utf-8")
    with use_lang("en"):
        comp = compile_reports(city, expected=read_expect_file(expect), previous=prev)
    assert [(m.body, m.reason) for m in comp.missing] == [
        ("淮安市清江浦区人民政府", "on the expected list, no report"),
        ("淮安市淮阴区人民政府", "reported for 2023, no report for 2024"),
    ]
    comp = compile_reports(city, expected=read_expect_file(expect), previous=prev)
    assert [m.reason for m in comp.missing] == ["在应报名单中，但没有报告", "有 2023 年报告，没有 2024 年报告"]
    assert comp.unexpected == []
    assert [(b.body, b.errors) for b in comp.carrying_errors] == [("淮安市洪泽区人民政府", ["T3-balance"])]


def test_duplicate_body_counted_once(city: list[Report]) -> None:
    dup = copy.deepcopy(city[0])
    dup.source.file = "zz-copy.html"
    comp = compile_reports([*city, dup])
    assert comp.value("applications.new_received.total") == 3119 + 95
    assert [(d.file, d.kept) for d in comp.duplicates] == [("zz-copy.html", "huaian-city-2024.pdf")]


def test_json_and_xlsx(city: list[Report]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    comp = compile_reports(city, filters={"year": 2024, "region": "淮安"})
    d = json.loads(comp.to_json())
    assert d["schema"] == "xxgk.compilation/1" and d["applications"]["new_received"]["total"] == 3214
    assert d["cells"]["applications.other_other.total"]["status"] == "incomplete"
    assert d["summary"]["reports"] == 2 and d["filters"] == {"region": "淮安", "year": 2024}
    a, b = io.BytesIO(), io.BytesIO()
    write_compilation_xlsx(comp, a)
    write_compilation_xlsx(compile_reports(list(reversed(city)), filters={"year": 2024, "region": "淮安"}), b)
    assert a.getvalue() == b.getvalue()  # deterministic, whatever the input order
    wb = openpyxl.load_workbook(io.BytesIO(a.getvalue()))
    assert wb.sheetnames[:3] == ["二 主动公开", "三 依申请", "四 复议诉讼"] and "机关" in wb.sheetnames
    ws = wb["三 依申请"]
    values = [c for row in ws.iter_rows() for c in row if c.value == 3214]
    assert len(values) == 1
    yellow = [c for row in ws.iter_rows() for c in row
              if c.fill.fill_type == "solid" and c.fill.fgColor.rgb.endswith("FFE699")]
    assert len(yellow) == 21 + 1  # the other_* cells, and the legend swatch
    bodies = wb["机关"]
    names = [bodies.cell(i, 1).value for i in range(2, bodies.max_row + 1)]
    assert names == ["淮安市人民政府", "淮安市洪泽区人民政府"]
