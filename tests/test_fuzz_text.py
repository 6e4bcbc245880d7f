"""Fuzz: whatever bytes arrive, `xxgk.read_bytes` returns a Report or raises XxgkError, nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import DATA

import xxgk

SEEDS = [p.read_bytes() for p in sorted((DATA / "corpus").glob("*.txt"))] + [
    p.read_bytes() for p in sorted((DATA / "pypdf").glob("*.txt"))]


def _survives(data: bytes) -> None:
    try:
        report = xxgk.read_bytes(data, "fuzz.txt", kind="text")
    except xxgk.XxgkError:
        return
    report.to_json()  # the result must also serialise


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    _survives(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=40),
       st.integers(0, 10**6), st.integers(0, 10**6))
def test_mutated_reports(seed: bytes, flips: list[tuple[int, int]], cut_a: int, cut_b: int) -> None:
    data = bytearray(seed)
    for pos, byte in flips:
        data[pos % len(data)] = byte
    a, b = sorted((cut_a % len(data), cut_b % len(data)))
    _survives(bytes(data[:a] + data[b:]))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("一二三四五六、总体情况主动公开申请行政复议诉讼（）()0123456789 \t\n—-/件万元.")),
               max_size=3000))
def test_report_shaped_text(text: str) -> None:
    _survives(text.encode("utf-8"))
