"""Indicators, rankings, year-over-year change and the side-by-side comparison."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from xxgk.corpus.compare import compare_reports
from xxgk.corpus.indicators import compute, format_change, format_indicator, indicator_table
from xxgk.i18n import use_lang
from xxgk.report import Cell, Report

DATA = Path(__file__).parent / "data" / "reports"


def load(name: str) -> Report:
    return Report.from_dict(json.loads((DATA / f"{name}.json").read_text(encoding="utf-8")))


def test_rates_from_the_table() -> None:
    r = load("hongze-district-2024")
    ind = compute(r)
    v = r.value
    assert ind["received"].value == 95
    total = v("applications.total_processed.total")
    assert ind["disclosure_rate"].value == pytest.approx(
        (v("applications.granted.total") + v("applications.partially_granted.total")) / total)
    keys = ("denied_state_secret", "denied_law_prohibited", "denied_three_safeties", "denied_third_party",
            "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_inquiry")
    denied = sum(v(f"applications.{k}.total") for k in keys)
    assert ind["refusal_rate"].value == pytest.approx(denied / total) and denied == 3
    assert ind["review_correction_rate"].value == pytest.approx(
        v("appeals.review.corrected") / (v("appeals.review.total") - v("appeals.review.pending")))
    lit = ("litigation_direct", "litigation_after_review")
    assert ind["litigation_correction_rate"].denominator == sum(
        v(f"appeals.{g}.total") - v(f"appeals.{g}.pending") for g in lit)


def test_none_with_reason_on_zero_or_unknown_denominator() -> None:
    r = load("001_59945f3aceea766a")  # received nothing
    ind = compute(r)
    assert ind["received"].value == 0
    assert ind["disclosure_rate"].value is None and "分母为 0" in ind["disclosure_rate"].reason
    with use_lang("en"):
        assert "denominator is 0" in compute(r)["disclosure_rate"].reason
    r.cells["applications.total_processed.total"] = Cell(None, "missing")
    r.cells["applications.new_received.total"] = Cell(None, "blank", raw="/")
    ind = compute(r)
    assert ind["disclosure_rate"].value is None
    # the unknown cell is named by its template labels, never by its key
    assert ind["disclosure_rate"].reason == "未知：（七）总计 · 总计"
    assert ind["received"].value is None and ind["received"].reason == "未知：一、本年新收政府信息公开申请数量 · 总计"


def test_inferred_input_is_flagged() -> None:
    ind = compute(load("000_11a4c8c6b3698673"))
    assert ind["received"].inferred is False
    r = load("000_11a4c8c6b3698673")
    r.cells["applications.total_processed.total"] = Cell(4, "inferred")
    r.cells["applications.granted.total"] = Cell(2, "read")
    assert compute(r)["disclosure_rate"].value == 0.5 and compute(r)["disclosure_rate"].inferred


def test_rankings_within_region_and_level_and_yoy() -> None:
    a = load("hongze-district-2024")
    b = copy.deepcopy(a)
    b.meta.agency, b.source.file, b.source.sha256 = "淮安市淮阴区人民政府", "huaiyin.pdf", "b" * 64
    b.cells["applications.new_received.total"] = Cell(200, "read")
    c = copy.deepcopy(a)
    c.meta.agency, c.source.file, c.source.sha256 = "淮安市清江浦区人民政府", "qjp.pdf", "c" * 64
    c.cells["applications.new_received.total"] = Cell(95, "read")
    city = load("huaian-city-2024")  # another level: ranked alone
    nowhere = load("003_ea5d5e0013680a8d")  # no region: not ranked
    last = copy.deepcopy(a)
    last.meta.year = 2023
    last.cells["applications.new_received.total"] = Cell(80, "read")
    rows = indicator_table([a, b, c, city, nowhere], history=[last])
    by = {r.body: r for r in rows}
    assert by["淮安市淮阴区人民政府"].ranks["received"].rank == 1
    assert by["淮安市洪泽区人民政府"].ranks["received"].rank == 2  # a tie shares the rank
    assert by["淮安市清江浦区人民政府"].ranks["received"].rank == 2
    assert by["淮安市洪泽区人民政府"].ranks["received"].of == 3
    assert by["淮安市人民政府"].ranks["received"].of == 1
    assert by["区科工局"].ranks["received"] is None
    change = by["淮安市洪泽区人民政府"].changes["received"]
    assert change.previous == 80 and change.delta == 15 and change.previous_year == 2023
    assert by["淮安市淮阴区人民政府"].changes["received"] is None
    assert format_change("received", change) == "+15"
    flat = by["淮安市洪泽区人民政府"].flat()
    assert flat["received"] == 95 and flat["received_rank"] == 2 and flat["received_change"] == 15
    as_json = json.loads(json.dumps(by["淮安市洪泽区人民政府"].to_dict()))
    assert as_json["indicators"]["received"]["rank"]["of"] == 3


def test_format() -> None:
    assert format_indicator("disclosure_rate", 0.6213) == "62.1%"
    assert format_indicator("received", 95) == "95"
    assert format_indicator("refusal_rate", None) == "—"


def test_compare_lists_changed_cells_and_indicators() -> None:
    a = load("hongze-district-2024")
    prev = copy.deepcopy(a)
    prev.meta.year = 2023
    prev.cells["applications.granted.total"] = Cell(40, "read")
    prev.cells["active.fees.amount"] = Cell(None, "blank", raw="—")
    comp = compare_reports([a, prev])
    assert comp.years == [2023, 2024]
    changed = {c.path: c for c in comp.changed}
    assert set(changed) == {"applications.granted.total", "active.fees.amount"}
    assert changed["applications.granted.total"].values == [40, a.value("applications.granted.total")]
    assert changed["applications.granted.total"].label == "（一）予以公开 · 总计"
    assert comp.unchanged == len(a.cells) - 2
    assert comp.indicators[0]["disclosure_rate"].value != comp.indicators[1]["disclosure_rate"].value
    d = comp.to_dict()
    assert d["body"] == "淮安市洪泽区人民政府" and len(d["indicators"]["received"]) == 2
    assert not any(f.code == "year-carry-over" for f in comp.findings)


def test_compare_reports_cross_year_findings() -> None:
    a = load("hongze-district-2024")
    prev = copy.deepcopy(a)
    prev.meta.year = 2023
    prev.source.sha256 = "0" * 64
    carried = a.value("applications.carried_over.natural_person")
    prev.cells["applications.carried_forward.natural_person"] = Cell(carried + 5, "read")
    comp = compare_reports([prev, a])
    hits = [f for f in comp.findings if f.code == "year-carry-over"]
    assert hits and "applications.carried_over.natural_person" in hits[0].cells


def test_compare_across_templates_marks_cells_absent_from_a_template() -> None:
    old = load("002_dd09eda2b8fcd8ea")
    new = load("003_ea5d5e0013680a8d")
    comp = compare_reports([new, old])
    changed = {c.path: c for c in comp.changed}
    assert changed["active.regulations.made"].statuses == ["read", None]
    assert changed["active.regulations.issued"].statuses == [None, "read"]
