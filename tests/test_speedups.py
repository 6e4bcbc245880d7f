"""The C loops of the PDF reader (xxgk/extract/_speedups.c) against their pure-Python twins:
every bulk PDFium call, the line-band pass and the whole reading of real and turned PDFs give
the same results both ways; the C module is built where a C compiler is; bad buffers are an
error, never a crash. Also the exact shortcuts of the same change (grid lines, text angles,
glyphs made on demand) against the plain code they replace."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import sysconfig
from collections import Counter
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.extract import pdfium_calls as calls
from xxgk.extract import speedups
from xxgk.extract.layout import GlyphRun, PageContent, Units, _line_bands, _line_bands_python, _on_lines, build_document
from xxgk.extract.pdf import UNITS, _quarter_turns, _read_pages, extract_pdf
from xxgk.synth.pdf_variants import rotated, sideways, without_rulings

DATA = Path(__file__).parent / "data" / "pdf"
PDFS = sorted(DATA.glob("*.pdf"))

needs_c = pytest.mark.skipif(not speedups.available(), reason="the C loops were not built (no C compiler at install)")


def _compiler_at_hand() -> bool:
    include = Path(sysconfig.get_paths()["include"]) / "Python.h"
    return include.exists() and any(shutil.which(cc) for cc in ("cc", "gcc", "clang"))


def test_the_c_loops_are_built_where_a_compiler_is() -> None:
    """setup.py builds them at install (optional: an install without a compiler goes on with
    the Python loops). Where a compiler and Python's headers are at hand, a missing module means
    the package was installed before this change: `pip install -e .` again."""
    if not _compiler_at_hand():
        pytest.skip("no C compiler or Python headers here: the Python loops run")
    assert speedups.available()


def test_pure_python_is_chosen_by_the_environment() -> None:
    code = "from xxgk.extract import speedups; print(speedups.native() is None)"
    env = dict(os.environ, XXGK_PURE_PYTHON="1", PYTHONPATH=str(Path(speedups.__file__).parents[2]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "True"


def test_use_native_switches_and_restores() -> None:
    before = speedups.native()
    with speedups.use_native(False):
        assert speedups.native() is None
    assert speedups.native() is before


# ---------------------------------------------------------------- the bulk PDFium calls, both ways


def _both(fn):  # type: ignore[no-untyped-def]
    with speedups.use_native(True):
        fast = fn()
    with speedups.use_native(False):
        slow = fn()
    return fast, slow


def _same(a: object, b: object) -> bool:
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)) and np.asarray(a).dtype == np.asarray(b).dtype


def _variants(path: Path) -> list[tuple[str, bytes]]:
    data = path.read_bytes()
    return [(path.stem, data), (f"{path.stem}-rot90", rotated(data, 90)), (f"{path.stem}-sideways", sideways(data)),
            (f"{path.stem}-unruled", without_rulings(data))]


@needs_c
@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_every_bulk_call_gives_the_same_both_ways(path: Path) -> None:
    for name, data in _variants(path):
        pdf = pdfium.PdfDocument(data)
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                textpage = page.get_textpage()
                tp = textpage.raw
                every = np.arange(pdfium_c.FPDFText_CountChars(tp))
                for what, fn in [
                    ("generated", lambda: calls.char_ints(calls.IS_GENERATED, tp, every)),  # noqa: B023
                    ("unmapped", lambda: calls.char_ints(calls.HAS_UNICODE_MAP_ERROR, tp, every)),  # noqa: B023
                    ("angles", lambda: calls.char_angles(tp, every)),  # noqa: B023
                    ("loose", lambda: calls.loose_boxes(tp, every)),  # noqa: B023
                    ("ink", lambda: calls.ink_boxes(tp, every)),  # noqa: B023
                    ("objects", lambda: calls.page_objects(page.raw)[1]),  # noqa: B023
                ]:
                    fast, slow = _both(fn)
                    assert _same(fast, slow), f"{name} page {i + 1}: {what}"
                objects, kinds = calls.page_objects(page.raw)
                with speedups.use_native(False):
                    assert np.array_equal(calls.page_objects(page.raw)[0].addresses, objects.addresses)
                paths = objects.take(np.flatnonzero(kinds == pdfium_c.FPDF_PAGEOBJ_PATH))
                for what, fn in [("bounds", paths.bounds), ("draw modes", paths.draw_modes),
                                 ("stroke", lambda: paths.visible(stroke=True)),  # noqa: B023
                                 ("fill", lambda: paths.visible(stroke=False))]:  # noqa: B023
                    fast, slow = _both(fn)
                    assert _same(fast, slow), f"{name} page {i + 1}: {what}"
                textpage.close()
                page.close()
        finally:
            pdf.close()


@needs_c
@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_a_pdf_reads_the_same_without_the_c_loops(path: Path) -> None:
    """The whole Document (every block, text, span and box), upright, turned, sideways and unruled."""
    for name, data in _variants(path):
        fast, slow = _both(lambda: repr(extract_pdf(data, name)))  # noqa: B023
        assert fast == slow, name


@needs_c
def test_the_c_loops_are_in_use_by_default() -> None:
    assert speedups.native() is not None or os.environ.get("XXGK_PURE_PYTHON")


# ---------------------------------------------------------------- the line-band pass


@needs_c
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0, 60, allow_nan=False), st.floats(0.5, 30)), max_size=120))
def test_line_bands_in_c_equal_the_python_loop(glyphs: list[tuple[int, float, float]]) -> None:
    glyphs.sort(key=lambda g: (g[0], g[1] + g[2] / 2))  # as _read_run gives them: by group, then centre
    group = np.array([g[0] for g in glyphs], dtype=np.intp)
    top = np.array([g[1] for g in glyphs], dtype=np.float64)
    bottom = top + np.array([g[2] for g in glyphs], dtype=np.float64)
    with speedups.use_native(True):
        fast = _line_bands(group, top, bottom)
    slow = _line_bands_python(group, top, bottom)
    for a, b in zip(fast, slow, strict=True):
        assert a.tolist() == b.tolist()


@needs_c
@pytest.mark.parametrize("bad", ["short output", "read-only output", "wrong item size"])
def test_the_c_loops_refuse_bad_buffers(bad: str) -> None:
    """A wrong buffer is a Python exception, never memory written out of bounds."""
    with speedups.use_native(True):
        c = speedups.native()
    assert c is not None
    n = 10
    group, top, bottom = np.zeros(n, dtype=np.int64), np.zeros(n), np.ones(n)
    outs = [np.empty(n, dtype=np.int64), np.empty(n), np.empty(n), np.empty(n, dtype=np.int64)]
    if bad == "short output":
        outs[1] = np.empty(n - 1)
    elif bad == "read-only output":
        outs[0].flags.writeable = False
    else:
        outs[3] = np.empty(n, dtype=np.int32)
    with pytest.raises((ValueError, BufferError, TypeError)):
        c.line_bands(group, top, bottom, *outs)
    with pytest.raises(ValueError):
        c.records(0, 0, np.zeros(3, dtype=np.int64), np.empty(3, dtype=np.int32), np.empty(2, dtype=np.float32), 1, 16)


# ---------------------------------------------------------------- exact shortcuts against the plain code


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 500, allow_nan=False), min_size=1, max_size=12, unique=True),
       st.lists(st.tuples(st.floats(-10, 510, allow_nan=False), st.floats(0, 500), st.floats(0, 500)), max_size=40),
       st.sampled_from([0.5, 2.0, 5.0]))
def test_rulings_on_each_grid_line_as_the_plain_scan(lines: list[float], rulings: list, snap: float) -> None:
    lines.sort()
    want = [[(a, b) for at, a, b in rulings if abs(at - line) <= snap] for line in lines]
    assert _on_lines(rulings, lines, snap) == want


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.just(-1.0), st.floats(0, 6.25, width=32), st.sampled_from(
    [0.0, math.pi / 2, math.pi, 3 * math.pi / 2, math.pi / 4, 3 * math.pi / 4])), max_size=60))
def test_text_angles_are_counted_as_one_at_a_time(angles: list[float]) -> None:
    values = np.array(angles, dtype=np.float32)
    want: Counter[int] = Counter()
    for angle in values.tolist():
        if angle >= 0:
            want[round(math.degrees(angle) / 90) % 4 * 90] += 1
    got = _quarter_turns(values)
    assert got == want and list(got) == list(want)  # the same ways, counts and first-seen order
    assert got.most_common(1) == want.most_common(1)


def test_a_glyph_run_is_a_sequence_made_on_demand() -> None:
    codes = np.array([ord(c) for c in "本年 12"], dtype=np.int64)
    x0 = np.arange(len(codes), dtype=np.float64) * 10
    run = GlyphRun.of(codes, x0, np.zeros(len(codes)), x0 + 9, np.full(len(codes), 10.0), np.full(len(codes), 10.0),
                      codes == 32)
    assert run._glyphs is None and len(run) == 5 and run  # length and truth without making glyphs
    assert run._glyphs is None
    assert [g.text for g in run] == list("本年 12")
    assert run[1].text == "年" and [g.text for g in run[3:]] == ["1", "2"] and run[2].space
    assert run == list(run) and list(run) == run


def test_reading_a_text_page_makes_no_glyph_objects() -> None:
    """The cells and lines of a page read in array passes carry their text, boxes and ems:
    the page's glyphs are never made one by one (the cost this change removed)."""
    data = PDFS[0].read_bytes()
    pdf = pdfium.PdfDocument(data)
    try:
        pages: list[PageContent] = _read_pages(pdf, data, "")
    finally:
        pdf.close()
    doc = build_document(pages, kind="pdf", file="x.pdf", units=UNITS)
    assert doc.tables() and all(type(p.glyphs) is GlyphRun and p.glyphs._glyphs is None for p in pages)
    assert Units() == UNITS


# ---------------------------------------------------------------- pages read in one batch


def _layout_view(layout) -> tuple:  # type: ignore[no-untyped-def]
    """What a layout says: every cell's text and glyphs, every outside line's text, box, em and glyphs."""
    from xxgk.extract.layout import cell_text, group_lines, line_box, line_em, line_text

    grids, per_grid, outside = layout
    lines = group_lines(outside)
    return ([g.cells for g in grids], [[(cell_text(c), list(c)) for c in g] for g in per_grid], list(outside),
            [(line_text(x), line_box(x), line_em(x), list(x)) for x in lines])


@pytest.mark.parametrize("native", [True, False], ids=["c-loops", "python-loops"])
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_pages_read_together_read_as_each_alone(native: bool, data: st.DataObject) -> None:
    """build_document assigns the glyphs of all its pages in one batch of array passes: each
    page's cells and lines must be what that page gives read alone, pages overlapping in
    coordinates included (their groups never mix)."""
    from xxgk.extract.layout import Segment, _page_layouts, page_layout

    pages = []
    for number in range(1, data.draw(st.integers(1, 4)) + 1):
        n = data.draw(st.integers(0, 60))
        text = data.draw(st.lists(st.sampled_from("一二三、（）1234567890. "), min_size=n, max_size=n))
        coord = st.floats(0, 100, allow_nan=False)
        x0 = np.array(data.draw(st.lists(coord, min_size=n, max_size=n)), dtype=np.float64)
        top = np.array(data.draw(st.lists(coord, min_size=n, max_size=n)), dtype=np.float64)
        height = np.array(data.draw(st.lists(st.sampled_from([6.0, 10.0, 10.5, 20.0]), min_size=n, max_size=n)))
        codes = np.array([ord(c) for c in text], dtype=np.int64)
        run = GlyphRun.of(codes, x0, top, x0 + 8, top + height, height, codes == 32)
        cuts = sorted({0.0, 100.0, *data.draw(st.lists(st.sampled_from([20.0, 40.0, 60.0, 80.0]), max_size=3))})
        ruled = data.draw(st.booleans())
        segments = ([Segment(0.0, y, 100.0, y) for y in cuts] + [Segment(x, 0.0, x, 100.0) for x in cuts]) if ruled else []
        pages.append(PageContent(number, 100.0, 100.0, run, segments))
    with speedups.use_native(native):
        together = _page_layouts(pages, Units())
        alone = [page_layout(p, Units()) for p in pages]
    assert [_layout_view(x) for x in together] == [_layout_view(x) for x in alone]
