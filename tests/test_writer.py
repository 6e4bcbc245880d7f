"""The writer's pieces: the fill-in form (layout, locks, validation, formulas, check sheet,
prefill, reading it back), the narrative (Markdown sections, skeleton), the lint that stops a
document with errors, and the `xxgk form` / `xxgk render` commands."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries
from tests.test_writer_roundtrip import report_of
from typer.testing import CliRunner

import xxgk
from xxgk.cli import app
from xxgk.errors import InputError
from xxgk.export.layout import short_name
from xxgk.i18n import _, use_lang
from xxgk.report import Cell, Report
from xxgk.synth import generate
from xxgk.template import SECTIONS, TEMPLATE_2019, TEMPLATE_2021
from xxgk.writer import LintError, fill_in_form, load_report, parse_markdown, read_form, render, skeleton
from xxgk.writer.form import MAP_SHEET
from xxgk.writer.layout import form_grids
from xxgk.writer.sections import PLACEHOLDER, is_table_line, narrative

SAMPLES = Path(xxgk.__file__).parent / "samples"
runner = CliRunner()


def _map(wb) -> dict[str, tuple[str, str]]:
    """Where each cell sits: path -> (sheet, coordinate), from the form's map sheet."""
    return {str(r[0]): (r[1], r[2]) for r in wb[MAP_SHEET].iter_rows(values_only=True) if r and r[0] and r[2]}


def _fill(data: bytes, values: dict[str, object]) -> bytes:
    """Type values into a form the way a person would (openpyxl writes what Excel would store)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    where = _map(wb)
    for path, value in values.items():
        sheet, coordinate = where[path]
        wb[sheet][coordinate] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _inputs(data: bytes) -> set[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    where = _map(wb)
    return {p for p, (s, c) in where.items() if p.count(".") == 2 and not p.startswith("last.")
            and not str(wb[s][c].value or "").startswith("=")}


# ---------------------------------------------------------------- the form


@pytest.mark.parametrize(("year", "template"), [(2020, TEMPLATE_2019), (2025, TEMPLATE_2021)])
def test_form_is_laid_out_like_the_official_form(year, template):
    data = fill_in_form(year, body="某某县人民政府")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    where = _map(wb)
    assert set(template.cell_paths()) <= set(where)
    for grid in form_grids(template):
        ws = wb[where[f"{grid.table.key}.{grid.table.rows[0].key}.{grid.table.rows[0].columns[0].key}"][0]]
        texts = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
        for row in grid.table.rows:  # labels verbatim, from the template declaration
            assert {row.label.split("/")[-1], *(c.label for c in row.columns)} <= texts, row.key
        merged = {str(m) for m in ws.merged_cells.ranges}
        spans = [g for g in grid.cells if g.rowspan > 1 or g.colspan > 1]
        assert len(merged) == len(spans)
        assert ws.protection.sheet  # labels locked
        for g in grid.cells:
            cell = ws.cell(3 + g.row, 1 + g.col)
            if g.kind != "value":
                assert cell.protection.locked
    # 总计 cells are formulas; every other cell is an unlocked input
    formulas = {p for p, (s, c) in where.items() if str(wb[s][c].value or "").startswith("=")}
    assert "applications.new_received.total" in formulas and "appeals.review.total" in formulas
    assert "applications.total_processed.natural_person" in formulas
    for p in template.cell_paths():
        sheet, coordinate = where[p]
        if p not in formulas:
            assert not wb[sheet][coordinate].protection.locked, p
    assert wb[where["body"][0]][where["body"][1]].value == "某某县人民政府"


def test_form_validates_counts_and_money():
    wb = openpyxl.load_workbook(io.BytesIO(fill_in_form(2025)))
    where = _map(wb)
    sheet, money = where["active.fees.amount"]
    rules = wb[sheet].data_validations.dataValidation
    custom = [r for r in rules if r.type == "custom"]
    assert len(custom) == 1 and str(custom[0].sqref) == money and "ROUND" in custom[0].formula1
    counts = [r for ws in wb.worksheets for r in ws.data_validations.dataValidation if r.type == "whole"]
    assert all(r.operator == "greaterThanOrEqual" and r.formula1 == "0" for r in counts)
    covered = set()
    for ws in wb.worksheets:
        for r in ws.data_validations.dataValidation:
            for rng in r.sqref.ranges:
                c1, r1, c2, r2 = range_boundaries(rng.coord)
                covered |= {(ws.title, f"{get_column_letter(c)}{row}")
                            for c in range(c1, c2 + 1) for row in range(r1, r2 + 1)}
    inputs = _inputs(fill_in_form(2025))
    assert {where[p] for p in inputs} <= covered  # every input cell is validated
    # 2019: 本年增/减 may be negative
    wb19 = openpyxl.load_workbook(io.BytesIO(fill_in_form(2020)))
    signed = [r for ws in wb19.worksheets for r in ws.data_validations.dataValidation if r.operator == "between"]
    assert signed and signed[0].formula1.startswith("-")


def test_check_sheet_lists_every_relation_of_the_template():
    wb = openpyxl.load_workbook(io.BytesIO(fill_in_form(2025)))
    checks = next(ws for ws in wb.worksheets if ws.conditional_formatting and ws.title != wb.worksheets[0].title)
    rows = list(checks.iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == [eq.description for eq in TEMPLATE_2021.equations]
    assert all(str(r[5]).startswith("=IF(COUNT(") for r in rows)


def test_form_bytes_are_reproducible():
    assert fill_in_form(2025, "某局") == fill_in_form(2025, "某局")


def _filled_from(seed: int, year: int) -> tuple[Report, bytes]:
    """A form filled with a generated report's numbers (its totals left to the formulas)."""
    s = generate(seed, year=year)
    data = fill_in_form(year, s.body.name)
    inputs = _inputs(data)
    values = {p: v for p, v in s.values.items() if p in inputs}
    return report_of_values(s), _fill(data, values)


def report_of_values(s) -> Report:
    return Report.from_dict({"schema": "xxgk.report/1", "meta": {"year": s.year, "template": s.template},
                             "cells": {p: {"status": "read"} for p in s.values},
                             **{t: s.table(t) for t in ("active", "applications", "appeals")}})


@pytest.mark.parametrize(("seed", "year"), [(1, 2020), (2, 2023), (3, 2025)])
def test_filled_form_reads_back_and_renders(seed, year):
    truth, data = _filled_from(seed, year)
    report = read_form(data, "填报表.xlsx")
    assert report.meta.year == year and report.meta.template == truth.meta.template
    for path, cell in truth.cells.items():
        got = report.cells[path]
        assert (got.value, got.status) == (cell.value, "read"), path
    assert report.cells["applications.new_received.total"].note == "formula: sum of its parts"
    rendered = render(report, "docx")  # a consistent report passes the lint
    assert rendered.placeholders == [1, 5, 6]  # no text given: the skeleton, marked for the author


def test_form_text_sheet_becomes_the_sections():
    data = fill_in_form(2025, "某局")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheet, coordinate = _map(wb)["section.5"]
    wb[sheet][coordinate] = "存在的问题。\n改进的措施。"
    buf = io.BytesIO()
    wb.save(buf)
    report = read_form(buf.getvalue())
    assert [(s.no, s.text) for s in report.sections] == [(5, "存在的问题。\n改进的措施。")]


def test_empty_inputs_are_missing_never_zero():
    report = read_form(fill_in_form(2025, "某局"))
    assert all(c.value is None and c.status == "missing" for c in report.cells.values())


def test_form_refuses_text_and_long_decimals_naming_the_cell():
    data = fill_in_form(2025, "某局")
    with use_lang("zh"), pytest.raises(InputError, match=r"予以公开.*自然人.*十二"):
        read_form(_fill(data, {"applications.granted.natural_person": "十二"}), "f.xlsx")
    with use_lang("en"), pytest.raises(InputError, match="more than 4 decimals"):
        read_form(_fill(data, {"active.fees.amount": 1.23456}), "f.xlsx")
    with use_lang("en"), pytest.raises(InputError, match="not a whole number"):
        read_form(_fill(data, {"applications.granted.natural_person": 2.5}), "f.xlsx")
    report = read_form(_fill(data, {"active.fees.amount": 1.2345, "applications.granted.commercial": "—"}))
    assert report.cells["active.fees.amount"].value == 1.2345
    assert report.cells["applications.granted.commercial"].status == "blank"


def test_form_is_prefilled_from_last_year():
    last = report_of(5, "2021")
    last.meta.year = 2024
    wb = openpyxl.load_workbook(io.BytesIO(fill_in_form(2025, None, last)))
    where = _map(wb)
    assert wb[where["body"][0]][where["body"][1]].value == last.meta.agency
    for col in ("natural_person", "commercial", "other_org"):
        sheet, coordinate = where[f"applications.carried_over.{col}"]
        assert wb[sheet][coordinate].value == last.value(f"applications.carried_forward.{col}")
    for row in ("regulations", "normative_documents"):
        sheet, coordinate = where[f"last.active.{row}.in_force"]
        assert wb[sheet][coordinate].value == last.value(f"active.{row}.in_force")
    checks = next(ws for ws in wb.worksheets if ws.conditional_formatting and ws.title != wb.worksheets[0].title)
    codes = [r[1] for r in checks.iter_rows(min_row=2, values_only=True)]
    assert codes.count("year-carryover") == 7 and codes.count("year-in-force") == 2


def test_not_a_form_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    path = tmp_path / "other.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match=r"other\.xlsx"):
        load_report(path)


# ---------------------------------------------------------------- narrative


def test_markdown_sections():
    text = "# 某局2025年政府信息公开工作年度报告\n\n## 一、总体情况\n\n第一段。\n\n（一）主动公开。内容。\n" \
           "二、主动公开政府信息情况\n说明。\n**六、其他需要报告的事项**\n本年度未收取信息处理费。\n"
    n = parse_markdown(text)
    assert n.texts[1] == "第一段。\n（一）主动公开。内容。"
    assert n.texts[2] == "说明。" and n.texts[6] == "本年度未收取信息处理费。"
    assert n.skeleton == [3, 4, 5] and PLACEHOLDER in n.texts[5]
    with pytest.raises(InputError):
        parse_markdown("no headings here")


def test_skeleton_has_the_required_heads():
    n = skeleton()
    for name, _pattern in SECTIONS[0].required_heads:
        assert name in n.texts[1]
    assert "信息处理费" in n.texts[6]
    x = report_of(4, "2021")
    r = render(x, "html", skeleton())
    codes = {f.code for f in r.lint.findings}
    assert "section1-heads" not in codes and "no-fee-statement" not in codes
    assert r.placeholders == [1, 5, 6]


def test_table_lines_are_not_narrative():
    assert is_table_line("行政许可\t9487")
    assert is_table_line("第二十条第（一）项")
    assert is_table_line("新出具已获取信息")  # the second line of a label broken in its cell
    assert is_table_line("(三) 不予公开 1.属于国家秘密")
    assert not is_table_line("本年度共收到政府信息公开申请21件。")
    assert not is_table_line("无")


def test_narrative_of_a_parsed_report_drops_its_tables():
    report = xxgk.read(SAMPLES / "001_59945f3aceea766a.txt")
    n = narrative(report)
    assert "\t" not in "".join(n.texts.values())
    assert "本年新收" not in n.texts[3]


# ---------------------------------------------------------------- lint


def _broken() -> Report:
    x = report_of(6, "2021")
    cell = x.cells["applications.new_received.natural_person"]
    x.cells["applications.new_received.natural_person"] = Cell((cell.value or 0) + 5, "read")
    return x


def test_lint_stops_a_document_with_errors():
    with use_lang("zh"), pytest.raises(LintError) as e:
        render(_broken(), "docx")
    text = str(e.value)
    assert "T3-balance" in text and "错误" in text and "自然人" in text
    with use_lang("en"):
        lines = e.value.result.lines()
    assert any("error" in line for line in lines)
    forced = render(_broken(), "docx", force=True)
    assert forced.lint.errors and forced.data.startswith(b"PK")


# ---------------------------------------------------------------- CLI


def test_cli_form_and_render(tmp_path):
    form = tmp_path / "填报表.xlsx"
    res = runner.invoke(app, ["form", "--year", "2024", "--body", "某某区人民政府", "-o", str(form)])
    assert res.exit_code == 0, res.output
    s = generate(8, year=2024)
    inputs = _inputs(form.read_bytes())
    values = {p: v for p, v in s.values.items() if p in inputs}
    form.write_bytes(_fill(form.read_bytes(), values))
    md = tmp_path / "正文.md"
    md.write_text("一、总体情况\n（一）主动公开。（二）依申请公开。（三）政府信息管理。（四）政府信息公开平台建设。"
                  "（五）监督保障。\n五、存在的主要问题及改进情况\n问题。\n六、其他需要报告的事项\n"
                  "本年度未收取信息处理费。\n", encoding="utf-8")
    for suffix in (".docx", ".html"):
        out = tmp_path / f"report{suffix}"
        res = runner.invoke(app, ["render", str(form), "--text", str(md), "-o", str(out)])
        assert res.exit_code == 0, res.output
        back = xxgk.read(out)
        assert back.meta.agency == "某某区人民政府" and back.meta.year == 2024
        assert back.cells["applications.new_received.total"].value == s.values["applications.new_received.total"]


def test_cli_render_json_and_exit_codes(tmp_path):
    x = _broken()
    src = tmp_path / "report.json"
    src.write_text(x.to_json(), encoding="utf-8")
    out = tmp_path / "out.docx"
    res = runner.invoke(app, ["render", str(src), "-o", str(out)])
    assert res.exit_code == 1 and not out.exists()
    assert "T3-balance" in res.output and "--force" in res.output
    res = runner.invoke(app, ["render", str(src), "--force", "-o", str(out)])
    assert res.exit_code == 1 and out.exists()
    res = runner.invoke(app, ["render", str(src), "-o", str(tmp_path / "out.txt")])
    assert res.exit_code == 2 and ".docx" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    res = runner.invoke(app, ["render", str(bad), "-o", str(out)])
    assert res.exit_code == 2 and "bad.json" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["form", "--year", "2025", "--from", str(src), "--db", "x.sqlite", "-o", str(out)])
    assert res.exit_code == 2


def test_cli_render_any_report_file(tmp_path):
    out = tmp_path / "huaian.html"
    res = runner.invoke(app, ["render", str(SAMPLES / "001_59945f3aceea766a.txt"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads(xxgk.read(out).to_json())["applications"] == \
        json.loads(xxgk.read(SAMPLES / "001_59945f3aceea766a.txt").to_json())["applications"]


def test_pdf_without_libreoffice_names_the_package(tmp_path, monkeypatch):
    src = tmp_path / "report.json"
    src.write_text(report_of(2, "2021").to_json(), encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where soffice is not to be found
    res = runner.invoke(app, ["render", str(src), "-o", str(tmp_path / "r.pdf")])
    assert res.exit_code == 2
    assert "libreoffice-writer" in res.output


def test_cli_form_from_a_store(tmp_path):
    from xxgk.corpus.ingest import ingest
    from xxgk.store import Store

    db = tmp_path / "x.sqlite"
    with Store.open(str(db)) as store:
        ingest([str(SAMPLES / "001_59945f3aceea766a.txt")], store, workers=0)
    out = tmp_path / "f.xlsx"
    res = runner.invoke(app, ["form", "--year", "2024", "--body", "青铜峡工业园区管委会", "--db", str(db), "-o", str(out)])
    assert res.exit_code == 0, res.output
    last = xxgk.read(SAMPLES / "001_59945f3aceea766a.txt")
    wb = openpyxl.load_workbook(out)
    sheet, coordinate = _map(wb)["applications.carried_over.natural_person"]
    assert wb[sheet][coordinate].value == last.value("applications.carried_forward.natural_person")
    res = runner.invoke(app, ["form", "--year", "2024", "--body", "没有这个机关", "--db", str(db), "-o", str(out)])
    assert res.exit_code == 2


# ---------------------------------------------------------------- LibreOffice


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice with Calc "
                    "(apt-get install libreoffice-calc-nogui)")
def test_form_recalculates_in_libreoffice(tmp_path):
    """Fill the form with openpyxl, let LibreOffice recalculate it headless, read its results."""
    from xxgk.writer.pdf import convert

    s = generate(9, year=2025)
    data = fill_in_form(2025, s.body.name)
    inputs = _inputs(data)
    values = {p: v for p, v in s.values.items() if p in inputs}
    values["appeals.review.upheld"] += 1  # its 总计 follows (a formula)
    values["applications.carried_forward.natural_person"] += 1  # breaks the balance of 自然人 and 总计
    values["active.fees.amount"] = 12.3456
    wb = openpyxl.load_workbook(io.BytesIO(_fill(data, values)))
    where = _map(wb)
    # The money rule's formula, evaluated by LibreOffice on an allowed and a refused amount.
    sheet, coordinate = where["active.fees.amount"]
    ws = wb[sheet]
    rule = next(r for r in ws.data_validations.dataValidation if r.type == "custom").formula1
    ws["H1"] = 1.23456
    ws["H2"] = "=" + rule
    ws["H3"] = "=" + rule.replace(coordinate, "H1")
    src = tmp_path / "filled.xlsx"
    wb.save(src)
    with tempfile.TemporaryDirectory() as out:
        result = convert([src], "xlsx", Path(out), recalculate=True)[0]
        calc = openpyxl.load_workbook(result, data_only=True)
        kept = openpyxl.load_workbook(result)
    for path in ("applications.new_received.total", "applications.total_processed.total",
                 "applications.total_processed.natural_person", "appeals.litigation_direct.total"):
        sheet, coordinate = where[path]
        assert calc[sheet][coordinate].value == s.values[path], path
    sheet, coordinate = where["appeals.review.total"]
    assert calc[sheet][coordinate].value == s.values["appeals.review.total"] + 1
    results = [r for ws in calc.worksheets for r in ws.iter_rows(min_row=2, values_only=True)
               if ws.title not in (MAP_SHEET,) and r and r[1] in ("T3-balance", "T4-groups", "T3-results",
                                                                   "T3-applicants")]
    broken = [r for r in results if r[5] != _("holds")]
    assert len(results) == len(TEMPLATE_2021.equations)
    assert [(r[1], r[2].split("：")[0]) for r in broken] == [("T3-balance", "自然人"), ("T3-balance", "总计")]
    cover = calc.worksheets[0]
    assert 2 in [c.value for row in cover.iter_rows() for c in row]  # relations broken: 2
    assert calc[sheet].title and calc[where["active.fees.amount"][0]]["H2"].value is True
    assert calc[where["active.fees.amount"][0]]["H3"].value is False
    # LibreOffice understood and kept every validation and the conditional formatting
    for name in (short_name(k) for k in ("active", "applications", "appeals")):
        assert len(kept[name].data_validations.dataValidation) == len(wb[name].data_validations.dataValidation)
    checks = [ws for ws in kept.worksheets if ws.conditional_formatting and ws.title != kept.worksheets[0].title]
    assert checks


# ---------------------------------------------------------------- document layout


def test_docx_is_on_the_official_form():
    import docx
    from docx.oxml.ns import qn

    x = report_of(12, "2021")
    data = render(x, "docx").data
    doc = docx.Document(io.BytesIO(data))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.top_margin.cm, 1) == 3.7 and round(section.left_margin.cm, 1) == 2.8
    texts = [p.text for p in doc.paragraphs]
    for s in SECTIONS:
        assert s.title in texts
    fonts = {r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs for r in p.runs}
    assert {"方正小标宋简体", "黑体", "仿宋_GB2312"} <= fonts
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "w:fldChar" in footer and footer.count("- ") + footer.count(" -") >= 2
    assert len(doc.tables) == 3
    for table, grid in zip(doc.tables, form_grids(TEMPLATE_2021), strict=True):
        xml = table._tbl.xml
        spans = sum(1 for g in grid.cells if g.colspan > 1)
        rows = sum(g.rowspan - 1 for g in grid.cells if g.rowspan > 1)
        assert xml.count("<w:gridSpan ") >= spans
        assert xml.count('<w:vMerge/>') + xml.count('w:vMerge w:val="continue"') >= rows


def test_html_is_one_semantic_self_contained_file():
    x = report_of(12, "2019")
    page = render(x, "html").data.decode("utf-8")
    assert "<article>" in page and page.count("<h2>") == 6 and page.count("<table") == 3
    assert " src=" not in page and "<link" not in page and "<script" not in page
    grids = form_grids(TEMPLATE_2019)
    assert page.count("rowspan=") == sum(1 for g in grids for c in g.cells if c.rowspan > 1)
    assert page.count("colspan=") == sum(1 for g in grids for c in g.cells if c.colspan > 1)


def test_pdf_fonts_are_installed_fallbacks_of_the_right_kind():
    from xxgk.writer.fonts import FALLBACKS, families, installed

    chosen = installed()
    have = families()
    for role, names in FALLBACKS.items():
        name = getattr(chosen, role)
        assert name in names
        if have and any(n in have for n in names):
            assert name in have, role
