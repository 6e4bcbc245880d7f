"""The real reports of the corpus, parsed from text, against their hand-checked ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import DATA, corpus_source

import xxgk
from xxgk.i18n import use_lang

CASES = sorted((DATA / "expected").glob("*.json"))


def _load(path: Path) -> tuple[dict, xxgk.Report]:
    case = json.loads(path.read_text(encoding="utf-8"))
    return case, xxgk.read(corpus_source(case))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_expected_cell(path: Path) -> None:
    case, report = _load(path)
    wrong = []
    for table in ("active", "applications", "appeals"):
        for row, cols in case[table].items():
            for col, want in cols.items():
                got = report.value(f"{table}.{row}.{col}")
                if got != want:
                    wrong.append(f"{table}.{row}.{col}: {got!r} != {want!r}")
    assert wrong == []


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_meta(path: Path) -> None:
    case, report = _load(path)
    meta = case["meta"]
    assert report.meta.year == meta["year"]
    assert report.meta.template == meta["template"]
    if meta.get("agency_contains"):
        assert meta["agency_contains"] in (report.meta.agency or "")
    if meta.get("period"):
        assert list(report.meta.period or ()) == meta["period"]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_must_find(path: Path) -> None:
    case, report = _load(path)
    for want in case.get("must_find") or []:
        if want.get("cells"):
            assert any(set(f.cells) & set(want["cells"]) and f.code == want["rule"] for f in report.findings), want
        else:
            assert any(f.code == want["rule"] for f in report.findings), want


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_no_error_without_reason(path: Path) -> None:
    case, report = _load(path)
    if not case.get("must_find") and not case.get("arithmetic_breaks"):
        assert [f for f in report.findings if f.severity == "error"] == []


def test_statuses_of_rows_printed_without_numbers() -> None:
    report = xxgk.read(DATA / "corpus" / "000_11a4c8c6b3698673.txt")
    for row in ("granted", "partially_granted", "denied_state_secret"):
        for col in ("natural_person", "total"):
            cell = report.cells[f"applications.{row}.{col}"]
            assert (cell.status, cell.value) == ("inferred", 0)
    assert report.cells["applications.denied_law_prohibited.total"].status == "read"
    codes = {f.code for f in report.findings}
    assert {"missing-cells", "section1-heads", "no-fee-statement"} <= codes


def test_row_that_lost_a_number_is_not_shifted() -> None:
    with use_lang("en"):  # the parser's notes are written in the reader's language
        report = xxgk.read(DATA / "corpus" / "004_665c97d63233bba3.txt")
    cells = [report.cells[f"applications.unable_not_held.{c}"] for c in ("natural_person", "other_org", "total")]
    assert all(c.status == "inferred" and "6 values" in (c.note or "") for c in cells)
    assert report.cells["active.licensing.decisions"].value == 114
    assert report.cells["active.licensing.decisions"].raw == "114 件"


def test_outdated_row_is_kept_under_its_own_key() -> None:
    report = xxgk.read(DATA / "pypdf" / "hongze-district-2024.txt")
    data = report.to_dict()
    assert data["applications"]["other_handling"]["total"] == 0
    # The 2019 row is the sum of the three 2021 rows: printed 0, it forces them to 0.
    assert data["applications"]["other_no_correction"]["total"] == 0
    assert data["cells"]["applications.other_no_correction.total"]["status"] == "inferred"
    assert any(f.code == "outdated-template-row" for f in report.findings)
    assert not any(f.code in ("unresolved-cells", "missing-cells") for f in report.findings)


def test_no_title_year_from_text() -> None:
    report = xxgk.read(DATA / "corpus" / "002_dd09eda2b8fcd8ea.txt")
    assert report.meta.title is None and report.meta.year == 2020
    assert report.meta.provenance["year"] == "text"
    assert any(f.code == "no-title" for f in report.findings)


def test_json_is_deterministic_and_follows_the_contract() -> None:
    path = DATA / "pypdf" / "huaian-city-2024.txt"
    a, b = xxgk.read(path).to_json(), xxgk.read(path).to_json()
    assert a == b
    data = json.loads(a)
    assert data["schema"] == "xxgk.report/1"
    assert len(data["cells"]) == 10 + 25 * 7 + 15  # table 二 (2021): 2 rows x 3 + 4 rows x 1
    assert data["cells"]["applications.granted.total"]["status"] == "read"
    assert data["cells"]["applications.granted.total"]["loc"].startswith("p")
    assert data["active"]["fees"]["amount"] == 96171.6
    assert data["meta"]["period"] == ["2024-01-01", "2024-12-31"]
