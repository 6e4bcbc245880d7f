"""Inference fills a cell only with the value the arithmetic forces: never a wrong number."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.parse.infer import infer
from xxgk.report import Cell
from xxgk.template import APPLICANT_PARTS, TEMPLATE_2021

T = TEMPLATE_2021
RESULT_ROWS = [r.key for r in T.table("applications").rows[2:-2]]


@st.composite
def consistent_tables(draw: st.DrawFn) -> dict[str, int]:
    """Random table 三 and 四 values with every relation holding."""
    v: dict[str, int] = {}
    small = st.integers(0, 40)
    for c in APPLICANT_PARTS:
        for r in RESULT_ROWS:
            v[f"applications.{r}.{c}"] = draw(st.one_of(st.just(0), small))
        processed = sum(v[f"applications.{r}.{c}"] for r in RESULT_ROWS)
        v[f"applications.total_processed.{c}"] = processed
        forward = draw(small)
        v[f"applications.carried_forward.{c}"] = forward
        over = draw(st.integers(0, processed + forward))
        v[f"applications.carried_over.{c}"] = over
        v[f"applications.new_received.{c}"] = processed + forward - over
    for row in T.table("applications").rows:
        v[f"applications.{row.key}.total"] = sum(v[f"applications.{row.key}.{c}"] for c in APPLICANT_PARTS)
    for g in ("review", "litigation_direct", "litigation_after_review"):
        parts = [draw(small) for _ in range(4)]
        for c, x in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            v[f"appeals.{g}.{c}"] = x
        v[f"appeals.{g}.total"] = sum(parts)
    return v


@settings(max_examples=200, deadline=None)
@given(consistent_tables(), st.data())
def test_inferred_values_are_the_true_ones(truth: dict[str, int], data: st.DataObject) -> None:
    hidden = data.draw(st.sets(st.sampled_from(sorted(truth)), max_size=60))
    cells = {p: Cell(None, "missing") if p in hidden else Cell(v, "read") for p, v in truth.items()}
    filled = infer(cells, T.equations)
    for p in filled:
        assert cells[p].status == "inferred"
        assert cells[p].value == truth[p], p
    for p in hidden - set(filled):
        assert cells[p].value is None and cells[p].status == "missing"


def test_zero_total_forces_zero_parts() -> None:
    cells = {p: Cell(0, "read") for p in T.cell_paths() if p.startswith(("applications.", "appeals."))}
    for c in (*APPLICANT_PARTS, "total"):
        cells[f"applications.granted.{c}"] = Cell(None, "missing")
    infer(cells, T.equations)
    assert all(cells[f"applications.granted.{c}"].value == 0 for c in (*APPLICANT_PARTS, "total"))


def test_underdetermined_stays_unknown() -> None:
    cells = {p: Cell(0, "read") for p in T.cell_paths() if p.startswith(("applications.", "appeals."))}
    cells["appeals.review.upheld"] = Cell(None, "missing")
    cells["appeals.review.corrected"] = Cell(None, "missing")
    cells["appeals.review.total"] = Cell(3, "read")
    infer(cells, T.equations)
    assert cells["appeals.review.upheld"].value is None and cells["appeals.review.corrected"].value is None


def test_inconsistent_table_gets_no_inference() -> None:
    cells = {p: Cell(0, "read") for p in T.cell_paths() if p.startswith(("applications.", "appeals."))}
    # natural_person column: printed total 5 but every part printed 0 except one missing cell,
    # while the row total of that cell's row says 0: inferring 5 would break T3-applicants.
    cells["applications.total_processed.natural_person"] = Cell(5, "read")
    cells["applications.new_received.natural_person"] = Cell(5, "read")
    cells["applications.granted.natural_person"] = Cell(None, "missing")
    infer(cells, T.equations)
    assert cells["applications.granted.natural_person"].value is None
