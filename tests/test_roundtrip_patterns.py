"""Round trips of the printing patterns real offices use (issue 13): sub-heads in the words of
sections 二 and 三, a 目录 without page numbers, a 小计 column, table 四 printed vertically, zeros
as dashes or blanks, the body only in the signature, the title only in the page head or the
file's properties, the 2019 table 二 in a 2021 report. Every pattern, alone and mixed, in every
channel it applies to, on both templates: every cell and the meta read back, nothing reported
that the truth does not explain, defects still found.

A failure names the seed, patterns and style: the renderer rebuilds the exact file from them.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import xxgk
from xxgk.synth import DEFECTS, HTML_STYLES, PATTERNS, STYLES, applicable, generate, render_html, render_text
from xxgk.synth.score import score

seeds = st.integers(min_value=0, max_value=2**31)
TEXT_PATTERNS = sorted(p for p, d in PATTERNS.items() if "text" in d.channels)
MARKUP_PATTERNS = sorted(PATTERNS)
# Two conventions for the same zeros cannot be mixed.
_EXCLUSIVE = {"dash-zero", "blank-zero"}


def _mix(draw_from: list[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.sets(st.sampled_from(draw_from), min_size=1, max_size=4).filter(
        lambda s: not s >= _EXCLUSIVE).map(frozenset)


def _read(rendered):
    return xxgk.read_bytes(rendered.data, f"synthetic{rendered.suffix}")


def _assert_exact(report, rendered, where: str) -> None:
    s = score(report, rendered, _read(rendered))
    assert not s.wrong, f"{where}: {s.wrong[:5]}"
    assert not s.status, f"{where}: {s.status[:5]}"
    assert not s.meta, f"{where}: {s.meta}"
    assert not s.missed, f"{where}: not reported: {[(e.code, e.cells[:3]) for e in s.missed]}"
    assert not s.unexpected, f"{where}: {[(f.code, f.message) for f in s.unexpected]}"


def _draw(seed: int, patterns: frozenset[str], template: str | None) -> object:
    year = 2023 if "old-active" in patterns else None
    tpl = "2021" if "old-active" in patterns else template
    return generate(seed, template=tpl, year=year, patterns=patterns)


@settings(max_examples=150, deadline=None)
@given(seed=seeds, patterns=_mix(TEXT_PATTERNS), style=st.sampled_from(STYLES),
       template=st.sampled_from((None, "2019", "2021")))
def test_text_patterns_read_back_exactly(seed, patterns, style, template):
    report = _draw(seed, patterns, template)
    rendered = render_text(report, style)
    _assert_exact(report, rendered, f"seed={seed} patterns={sorted(patterns)} style={style} knobs={rendered.knobs}")


@settings(max_examples=100, deadline=None)
@given(seed=seeds, patterns=_mix(MARKUP_PATTERNS), style=st.sampled_from(HTML_STYLES),
       template=st.sampled_from((None, "2019", "2021")))
def test_html_patterns_read_back_exactly(seed, patterns, style, template):
    report = _draw(seed, patterns, template)
    rendered = render_html(report, style)
    _assert_exact(report, rendered, f"seed={seed} patterns={sorted(patterns)} style={style}")


@settings(max_examples=25, deadline=None)
@given(seed=seeds, patterns=_mix(MARKUP_PATTERNS))
def test_docx_patterns_read_back_exactly(seed, patterns):
    pytest.importorskip("docx")
    from xxgk.synth.render_docx import render_docx

    report = _draw(seed, patterns, None)
    rendered = render_docx(report)
    _assert_exact(report, rendered, f"seed={seed} patterns={sorted(patterns)} style={rendered.style}")


@settings(max_examples=80, deadline=None)
@given(seed=seeds, pattern=st.sampled_from(TEXT_PATTERNS), kind=st.sampled_from(sorted(DEFECTS)),
       style=st.sampled_from(STYLES))
def test_defects_are_found_under_every_pattern(seed, pattern, kind, style):
    year = 2023 if DEFECTS[kind].needs_2021 or pattern == "old-active" else None
    template = DEFECTS[kind].template or ("2021" if pattern == "old-active" else None)
    assume(applicable(generate(seed, template=template, year=year, patterns=[pattern]), kind) is None)
    report = generate(seed, template=template, year=year, defects=[kind], patterns=[pattern])
    rendered = render_text(report, style)
    s = score(report, rendered, _read(rendered))
    where = f"seed={seed} pattern={pattern} defect={kind} style={style}"
    assert not s.missed, f"{where}: not reported: {[(e.code, e.cells[:3]) for e in s.missed]}"
    assert not s.unflagged, f"{where}: silently wrong: {s.unflagged[:5]}"


@pytest.mark.slow
def test_pdf_patterns_read_back_exactly():
    from xxgk.synth.render_pdf import render_pdf_many, soffice

    if soffice() is None:
        pytest.skip("needs LibreOffice")
    # every pattern that survives a PDF (the file's properties are not read from PDFs), both templates
    patterns = [p for p in sorted(PATTERNS) if p != "head-title"]
    reports = [_draw(100 + i, frozenset({p}), ("2019", "2021")[i % 2]) for i, p in enumerate(patterns)]
    reports.append(_draw(7, frozenset({"subheads", "toc", "subtotal", "vertical-appeals", "dash-rows"}), "2021"))
    for report, rendered in zip(reports, render_pdf_many(reports), strict=True):
        _assert_exact(report, rendered, f"seed={report.seed} patterns={sorted(report.patterns)}")


def test_patterns_leave_reports_without_them_unchanged():
    # the generator's old layouts are kept: a report drawn without patterns renders as it did
    plain = generate(11)
    assert plain.patterns == frozenset()
    assert render_text(plain, "tsv").data == render_text(generate(11, patterns=()), "tsv").data
    with pytest.raises(ValueError):
        generate(1, patterns=["no-such-pattern"])
    with pytest.raises(ValueError):
        generate(1, patterns=["dash-zero", "blank-zero"])
