"""Cross-year rules over one body's reports, run directly, through check_corpus and in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

import xxgk
from conftest_db import BACKENDS, DATA, fresh_url, make_report
from xxgk.check.registry import load_rules, selected
from xxgk.check.rules.cross_report import SECTION5_SIMILARITY, body_findings, check_corpus
from xxgk.check.similarity import similarity
from xxgk.report import Cell
from xxgk.store import Store

HZ = "淮安市洪泽区人民政府"
PROBLEMS = (
    "一是政务公开工作机制还不够健全，部分单位对政务公开工作重视程度不够；二是信息发布质量有待提高，"
    "解读回应还不够及时。下一步，我们将健全工作机制，加强业务培训，提升发布质量。"
)


def _codes(found) -> list[tuple[int | None, str, tuple[str, ...]]]:
    return [(rep.meta.year, f.code, tuple(f.cells)) for rep, f in found]


def test_carry_over_per_column() -> None:
    y1 = make_report(
        HZ, 2022, values={"applications.carried_forward.total": 5, "applications.carried_forward.natural_person": 5}
    )
    y2 = make_report(
        HZ, 2023, values={"applications.carried_over.total": 3, "applications.carried_over.natural_person": 5}
    )
    found = body_findings([y2, y1], select=["year-carry-over"])  # any order in, sorted by year
    assert _codes(found) == [(2023, "year-carry-over", ("applications.carried_over.total",))]
    rep, f = found[0]
    assert rep is y2 and f.severity == "error" and "3" in f.message and "5" in f.message


def test_carry_over_needs_consecutive_years_and_known_cells() -> None:
    y1 = make_report(HZ, 2021, values={"applications.carried_forward.total": 5})
    y3 = make_report(HZ, 2023, values={"applications.carried_over.total": 3})
    assert body_findings([y1, y3], select=["year-carry-over"]) == []  # 2022 is missing: no pair
    y2 = make_report(HZ, 2022, values={"applications.carried_over.total": None})
    assert body_findings([y1, y2], select=["year-carry-over"]) == []  # blank is not compared, nor zero-filled


def test_in_force_stock_flow() -> None:
    prev = make_report(HZ, 2022, values={"active.normative_documents.in_force": 10})
    ok = make_report(
        HZ,
        2023,
        values={
            "active.normative_documents.in_force": 11,
            "active.normative_documents.issued": 2,
            "active.normative_documents.repealed": 1,
        },
    )
    assert body_findings([prev, ok], select=["year-in-force"]) == []
    off = make_report(
        HZ,
        2023,
        values={
            "active.normative_documents.in_force": 30,
            "active.normative_documents.issued": 2,
            "active.normative_documents.repealed": 1,
        },
    )
    found = body_findings([prev, off], select=["year-in-force"])
    assert _codes(found) == [
        (
            2023,
            "year-in-force",
            (
                "active.normative_documents.in_force",
                "active.normative_documents.issued",
                "active.normative_documents.repealed",
            ),
        )
    ]
    assert found[0][1].severity == "warning" and "11" in found[0][1].message
    # The 2019 template has no stock column: nothing to compare.
    old = make_report(HZ, 2020, template="2019")
    new = make_report(HZ, 2021, values={"active.normative_documents.in_force": 30})
    assert body_findings([old, new], select=["year-in-force"]) == []


def test_section5_copied() -> None:
    y1 = make_report(HZ, 2022, section5="2022年" + PROBLEMS)
    copied = make_report(HZ, 2023, section5="2023年，" + PROBLEMS)
    found = body_findings([y1, copied], select=["year-section5-copied"])
    assert _codes(found) == [(2023, "year-section5-copied", ())]
    assert found[0][1].excerpt and found[0][1].excerpt.startswith("2023年")
    rewritten = make_report(
        HZ,
        2023,
        section5="2023年存在的问题主要是：网站栏目更新不及时，个别栏目长期空白；"
        "依申请公开答复文书格式不统一。改进措施：建立栏目巡查制度，统一答复模板。",
    )
    assert similarity(y1.section(5).text, rewritten.section(5).text) < SECTION5_SIMILARITY  # type: ignore[union-attr]
    assert body_findings([y1, rewritten], select=["year-section5-copied"]) == []
    short = [make_report(HZ, y, section5="无。") for y in (2022, 2023)]
    assert body_findings(short, select=["year-section5-copied"]) == []


def test_order_of_magnitude_jump() -> None:
    y1 = make_report(
        HZ,
        2022,
        values={"active.licensing.decisions": 948, "applications.new_received.total": 5, "active.penalty.decisions": 0},
    )
    y2 = make_report(
        HZ,
        2023,
        values={
            "active.licensing.decisions": 9487,
            "applications.new_received.total": 60,
            "active.penalty.decisions": 700,
        },
    )
    found = body_findings([y1, y2], select=["year-jump"])
    # 948 -> 9487 is flagged; 5 -> 60 is small; 0 -> 700 starts an activity.
    assert _codes(found) == [(2023, "year-jump", ("active.licensing.decisions",))]


def test_check_corpus_groups_by_body() -> None:
    a1 = make_report(HZ, 2022, values={"applications.carried_forward.total": 4})
    a2 = make_report("江苏省淮安市洪泽区人民政府", 2023, values={"applications.carried_over.total": 1})
    b1 = make_report("淮安市人民政府", 2022, values={"applications.carried_forward.total": 1})
    b2 = make_report("淮安市人民政府", 2023, values={"applications.carried_over.total": 1})
    nobody = make_report(None, 2023, values={"applications.carried_over.total": 9})
    found = check_corpus([b2, a2, nobody, a1, b1], select=["year-carry-over"])
    assert [(rep.meta.agency, f.code) for rep, f in found] == [("江苏省淮安市洪泽区人民政府", "year-carry-over")]


def test_rules_are_registered_with_docs() -> None:
    load_rules()
    codes = [r.code for r in selected(scope="corpus")]
    assert {"year-carry-over", "year-in-force", "year-section5-copied", "year-jump"} <= set(codes)
    for r in selected(["year-"], scope="corpus"):
        assert r.scope == "corpus" and len(r.doc) > 200 and r.family == "cross_report"
    assert [r.code for r in selected(scope="report") if r.code.startswith("year-")] == []


def test_a_real_report_copied_into_the_next_year() -> None:
    """The real 科工局 report re-dated a year later: its section 五 is the same text."""
    data = (DATA / "store" / "kaifeng-keigong-2022.txt").read_bytes()
    y2022 = xxgk.read_bytes(data, "2022.txt")
    y2023 = xxgk.read_bytes(data.replace("2022年".encode(), "2023年".encode()), "2023.txt")
    assert (y2022.meta.year, y2023.meta.year) == (2022, 2023)
    codes = {f.code for _, f in body_findings([y2022, y2023])}
    assert "year-section5-copied" in codes


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path):
    with fresh_url(request.param, tmp_path) as url:
        s = Store.open(url)
        yield s
        s.close()


def test_findings_stored_and_replaced(store: Store) -> None:
    from xxgk.identity import apply

    y1 = make_report(HZ, 2022, values={"applications.carried_forward.total": 5})
    y2 = make_report(HZ, 2023, values={"applications.carried_over.total": 3})
    for r in (y1, y2):
        apply(r)
        store.add(r)
    assert store.recheck_bodies() == 1
    stored = store.findings(scope="corpus")
    assert [(f.year, f.code, f.cells) for f in stored] == [
        (2023, "year-carry-over", ("applications.carried_over.total",))
    ]
    assert store.bodies_to_check() == []
    # Corpus findings are kept apart from the report's own findings.
    assert store.report(y2.source.sha256).findings == []
    # The 2023 report re-parsed with the carry-over fixed: the finding goes.
    fixed = make_report(HZ, 2023, values={"applications.carried_over.total": 5})
    fixed.source = y2.source
    fixed.cells["applications.carried_over.total"] = Cell(5, "read", "p4")
    apply(fixed)
    from xxgk.identity import identify
    from xxgk.store import Parsed

    ident = identify(fixed)
    store.write([Parsed("x", fixed.source.sha256, 1, fixed, ident.body, ident.region_code)], version="later")
    assert store.bodies_to_check() != []
    store.recheck_bodies()
    assert store.findings(scope="corpus") == []
