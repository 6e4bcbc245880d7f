"""Exports: pandas long/wide, CSV, XLSX laid out like the template, Parquet, JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import zipfile
from pathlib import Path

import pytest

from xxgk.export import csv_long, csv_wide, export, json_text, to_dataframe, write_parquet
from xxgk.export.layout import table_grid
from xxgk.report import Report
from xxgk.template import TEMPLATE_2019, TEMPLATE_2021

DATA = Path(__file__).parent / "data" / "reports"


def load(*names: str) -> list[Report]:
    files = [DATA / f"{n}.json" for n in names] if names else sorted(DATA.glob("*.json"))
    return [Report.from_dict(json.loads(f.read_text(encoding="utf-8"))) for f in files]


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    return load()


def test_long_dataframe_one_row_per_cell_unknown_is_na(reports: list[Report]) -> None:
    df = to_dataframe(reports)
    assert len(df) == sum(len(r.cells) for r in reports)
    assert {"report", "body", "year", "table", "row", "col", "value", "status", "location"} <= set(df.columns)
    huaian = df[(df.body == "淮安市人民政府") & (df.table == "applications") & (df.row == "new_received")
                & (df.col == "total")]
    assert huaian.value.tolist() == [3119]
    missing = df[df.status == "missing"]
    assert len(missing) > 0 and missing.value.isna().all()  # unknown is never 0
    assert not df[df.status == "read"].value.isna().any()


def test_wide_dataframe_one_row_per_report(reports: list[Report]) -> None:
    df = to_dataframe(reports, "wide")
    assert len(df) == len(reports)
    assert "applications.total_processed.total" in df.columns
    # the 2019 report has no 2021-only cell, and the 2021 reports no 2019-only cell
    old = df[df.template == "2019"].iloc[0]
    assert old["active.regulations.made"] == 0 and _isna(old["active.regulations.issued"])
    hz = df[df.body == "淮安市洪泽区人民政府"].iloc[0]
    assert hz["applications.other_handling.total"] == 0  # a row outside the template is kept
    assert _isna(df[df.body == "淮安市人民政府"].iloc[0]["applications.other_handling.total"])
    assert _isna(hz["applications.other_other.total"]) and hz["cells_unknown"] == 21
    with pytest.raises(ValueError):
        to_dataframe(reports, "tall")  # type: ignore[arg-type]


def _isna(v: object) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def test_csv_long_keeps_unknown_empty_and_counts_integral(reports: list[Report]) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_long(reports))))
    by = {(r["file"], r["table"], r["row"], r["col"]): r for r in rows}
    assert by[("huaian-city-2024.pdf", "applications", "new_received", "total")]["value"] == "3119"
    cell = by[("004_665c97d63233bba3.txt", "applications", "unable_not_held", "research")]
    assert cell["value"] == "" and cell["status"] == "missing"
    blank = by[("003_ea5d5e0013680a8d.txt", "active", "fees", "amount")]
    assert blank["value"] == "" and blank["status"] == "blank" and blank["raw"] == "—"
    inferred = by[("000_11a4c8c6b3698673.txt", "applications", "granted", "total")]
    assert inferred["value"] == "0" and inferred["status"] == "inferred"


def test_csv_is_deterministic_whatever_the_input_order(reports: list[Report]) -> None:
    shuffled = reports[:]
    random.Random(7).shuffle(shuffled)
    assert csv_long(shuffled) == csv_long(reports)
    assert csv_wide(shuffled) == csv_wide(reports)
    assert json_text(shuffled) == json_text(reports)


def test_csv_wide_header_and_rows(reports: list[Report]) -> None:
    rows = list(csv.reader(io.StringIO(csv_wide(reports))))
    header = rows[0]
    assert header[:7] == ["report", "file", "body", "region", "level", "year", "template"]
    assert header.index("applications.new_received.total") < header.index("active.regulations.made")
    assert len(rows) == 1 + len(reports)


def test_json_round_trips(reports: list[Report]) -> None:
    data = json.loads(json_text(reports))
    assert len(data) == len(reports)
    for d in data:
        assert Report.from_dict(d).to_dict() == d


def test_parquet_nulls_and_determinism(reports: list[Report], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    write_parquet(reports, a)
    write_parquet(list(reversed(reports)), b)
    assert a.read_bytes() == b.read_bytes()
    t = pq.read_table(a).to_pylist()
    assert len(t) == sum(len(r.cells) for r in reports)
    miss = [r for r in t if r["status"] == "missing"]
    assert miss and all(r["value"] is None for r in miss)
    fees = [r for r in t if r["file"] == "huaian-city-2024.pdf" and r["row"] == "new_received"
            and r["col"] == "total"]
    assert fees[0]["value"] == 3119.0 and fees[0]["year"] == 2024


def _find(ws, text: str) -> list[tuple[int, int]]:
    return [(c.row, c.column) for row in ws.iter_rows() for c in row if c.value == text]


def test_xlsx_laid_out_like_the_template(reports: list[Report], tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "all.xlsx"
    assert export(reports, "xlsx", out) == len(reports)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["二 主动公开", "三 依申请", "四 复议诉讼", "问题", "来源"]
    ws = wb["三 依申请"]
    # every verbatim row label of both templates is printed, once per report of that template
    n2021 = sum(1 for r in reports if r.meta.template == "2021")
    for row in TEMPLATE_2021.table("applications").rows:
        if row.key.startswith("other_"):
            assert len(_find(ws, row.label)) == n2021, row.label
    other_handling = TEMPLATE_2019.table("applications").row("other_handling").label
    # the 2019 report prints that row, and so does 洪泽区's 2024 report: shown after its table
    assert len(_find(ws, other_handling + "（模板外）")) == 1
    one_line = [r for r, c in _find(ws, other_handling)
                if any(m.min_row == m.max_row == r and m.min_col == c for m in ws.merged_cells.ranges)]
    assert len(one_line) == 1
    # the huaian block: find its heading, then the new_received row, then the total column
    top = next(c.row for r in ws.iter_rows() for c in r
               if isinstance(c.value, str) and c.value.startswith("淮安市人民政府"))
    label = TEMPLATE_2021.table("applications").row("new_received").label
    r = min(rr for rr, _ in _find(ws, label) if rr > top)
    header_total = [c for rr, c in _find(ws, "总计") if rr == top + 1]
    assert ws.cell(r, header_total[0]).value == 3119
    # status colours: 004's missing cell is filled orange, a read cell is not filled
    heading = next(c for row in ws.iter_rows() for c in row
                   if isinstance(c.value, str) and c.value.startswith("石嘴山高新技术产业开发区管理委员会"))
    label = TEMPLATE_2021.table("applications").row("unable_not_held").label
    r = min(rr for rr, _ in _find(ws, label) if rr > heading.row)
    col = next(c for rr, c in _find(ws, "科研机构") if rr == heading.row + 1)
    assert ws.cell(r, col).value is None
    assert ws.cell(r, col).fill.fgColor.rgb.endswith("F8CBAD")
    assert ws.cell(r, col - 1).fill.fgColor.rgb.endswith("DDEBF7")  # the row's other cells: inferred
    assert ws.cell(r, col - 1).value == 0
    assert ws.cell(r - 1, col).fill.fill_type is None  # a read cell is left plain
    # table 四: group headers merged over their five columns, 15 numbers on one line
    ws4 = wb["四 复议诉讼"]
    assert _find(ws4, "行政复议") and _find(ws4, "未经复议直接起诉") and _find(ws4, "复议后起诉")
    grid = table_grid(TEMPLATE_2021.table("appeals"))
    assert grid.n_cols == 15
    assert any(str(m).startswith("A") for m in ws4.merged_cells.ranges)
    # findings and sources
    fs = wb["问题"]
    assert [c.value for c in fs[1]][:6] == ["文件", "机关", "年度", "规则", "级别", "说明"]
    assert {fs.cell(i, 5).value for i in range(2, fs.max_row + 1)} <= {"错误", "警告", "提示"}
    assert fs.max_row - 1 == sum(len(r.findings) for r in reports)
    codes = {fs.cell(i, 4).value for i in range(2, fs.max_row + 1)}
    assert "outdated-template-row" in codes
    src = wb["来源"]
    assert src.max_row - 1 == len(reports)


def test_xlsx_is_byte_identical(reports: list[Report], tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    export(reports, "xlsx", a)
    export(list(reversed(reports)), "xlsx", b)
    assert a.read_bytes() == b.read_bytes()
    # no clock inside: two saves a second apart would otherwise differ (zip entry times and
    # docProps/core.xml, which openpyxl stamps with "now")
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core and f"{dt.date.today().year}-" not in core


def test_unknown_format(reports: list[Report], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export(reports, "ods", tmp_path / "x.ods")
