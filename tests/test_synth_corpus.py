"""Cross-report defects injected into a synthetic region are found, and a clean region raises none."""

from __future__ import annotations

import pytest

import xxgk
from xxgk.check.across import check_across
from xxgk.synth import render_text
from xxgk.synth.corpus import CORPUS_DEFECTS, region, region_with

ACROSS = {"copied-from-other-body", "report-revised", "missing-subordinate"}


def found(reg) -> set[tuple[str, str | None]]:
    reports = [xxgk.read_bytes(render_text(s, style="clean").data, f) for f, s in reg.reports]
    about = check_across(reports, expected=reg.bodies)
    got = {(f.code, f"{r.meta.agency} {r.meta.year}") for r in reports for f in r.findings if f.code in ACROSS}
    return got | {(f.code, None) for f in about}


@pytest.mark.parametrize("seed", range(3))
def test_clean_region_raises_nothing_across(seed: int) -> None:
    assert found(region(seed)) == set()


@pytest.mark.parametrize("defect", CORPUS_DEFECTS)
@pytest.mark.parametrize("seed", range(2))
def test_defect_across_is_found(defect: str, seed: int) -> None:
    reg = region_with(seed + 10, defect)
    assert found(reg) == set(reg.expected)
