"""Round trips through text: generate a report, render it as a text file (every quirk style and
encoding), read it back with xxgk, and compare with the truth.

(i) clean reports read back exactly (every cell after inference, statuses, year, template,
agency); (ii) every injected defect is reported, naming a relevant cell; (iii) clean reports get
no finding of severity error or warning. A failure names the seed, style, encoding and the
renderer's knobs: `render_text(generate(seed), style, encoding)` rebuilds the exact file.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import xxgk
from xxgk.synth import DEFECTS, ENCODINGS, STYLES, applicable, generate, render_text
from xxgk.synth.score import score

pytestmark = pytest.mark.skipif(not hasattr(xxgk, "read_bytes"), reason="the xxgk reader API is not built yet")

seeds = st.integers(min_value=0, max_value=2**31)
templates = st.sampled_from([None, "2019", "2021"])


def _read(rendered):
    return xxgk.read_bytes(rendered.data, f"synthetic{rendered.suffix}")


# ---------------------------------------------------------------- (i) + (iii) clean reports


@settings(max_examples=400, deadline=None)
@given(seed=seeds, template=templates, style=st.sampled_from(STYLES), encoding=st.sampled_from(ENCODINGS))
def test_clean_reports_read_back_exactly(seed, template, style, encoding):
    report = generate(seed, template=template)
    rendered = render_text(report, style, encoding)
    s = score(report, rendered, _read(rendered))
    where = f"seed={seed} style={style} encoding={encoding} knobs={rendered.knobs}"
    assert not s.wrong, f"{where}: {s.wrong[:5]}"
    assert not s.status, f"{where}: {s.status[:5]}"
    assert not s.meta, f"{where}: {s.meta}"
    assert not s.unexpected, f"{where}: {[(f.code, f.message) for f in s.unexpected]}"  # (iii)


# ---------------------------------------------------------------- (ii) defects


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(seed=seeds, kind=st.sampled_from(sorted(DEFECTS)), style=st.sampled_from(["tsv", "clean", "pypdf"]),
       encoding=st.sampled_from(ENCODINGS))
def test_injected_defects_are_reported(seed, kind, style, encoding):
    base = generate(seed, year=2023 if DEFECTS[kind].needs_2021 else None)
    assume(applicable(base, kind) is None)
    report = generate(seed, year=base.year, defects=[kind])
    rendered = render_text(report, style, encoding)
    s = score(report, rendered, _read(rendered))
    where = f"seed={seed} defect={kind} style={style} knobs={rendered.knobs}"
    assert not s.missed, f"{where}: not reported: {[(e.code, e.cells[:3]) for e in s.missed]}"
    assert not s.unflagged, f"{where}: silently wrong: {s.unflagged[:5]}"
    assert not s.wrong, f"{where}: {s.wrong[:5]}"
    assert not s.meta, f"{where}: {s.meta}"


def test_every_defect_kind_round_trips_once_per_style():
    """A fixed sweep, so a defect kind cannot hide behind hypothesis' sampling."""
    for kind in sorted(DEFECTS):
        for style in STYLES:
            for seed in range(12):
                report = generate(seed, defects=[kind])
                rendered = render_text(report, style, "utf-8")
                s = score(report, rendered, _read(rendered))
                assert not s.missed, f"seed={seed} {kind} {style}: {[e.code for e in s.missed]}"
                assert not s.unflagged, f"seed={seed} {kind} {style}: {s.unflagged}"
