"""Shared page geometry: rebuild text lines and table grids from positioned glyphs and rulings.

Both the PDF text-layer extractor (glyphs and vector rulings from the PDF) and the OCR path
(recognised text boxes and rulings found in the raster) feed this module, so a table reads the
same whichever way it arrived. Coordinates are in a "reading frame": x grows rightwards, y grows
downwards, text runs left to right. Units are the caller's (PDF points, or pixels); every
tolerance is given in those units by the caller through `Units`.

Nothing here knows about reports: it only answers "which glyphs form a line", "which rulings
form a grid", "which glyph sits in which grid cell".
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from xxgk.document import Document, Location, Paragraph, Table, TableCell
from xxgk.extract import speedups
from xxgk.i18n import _

# ---------------------------------------------------------------- primitives


@dataclass(frozen=True)
class Units:
    """Tolerances in the caller's units. `snap`: rulings closer than this are the same line;
    `min_cell`: grid rows/columns thinner than this are line-thickness artefacts."""

    snap: float = 2.0
    min_cell: float = 4.0


@dataclass(slots=True)
class Glyph:
    """A positioned piece of text: one character from a PDF, or one recognised character/word
    from OCR. `size` is the em (font size or line height) used to judge gaps."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    confidence: float | None = None
    # True for a space the producer reported (a real space glyph); it never prints by itself,
    # it only lets two latin words keep their separation.
    space: bool = False

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Segment:
    """A straight ruling, horizontal (y0 == y1) or vertical (x0 == x1), with x0<=x1, y0<=y1."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.y1 - self.y0)


def segment(x0: float, y0: float, x1: float, y1: float, snap: float) -> Segment | None:
    """A ruling from two end points, or None when it is neither horizontal nor vertical or is a dot."""
    if abs(y1 - y0) <= snap and abs(x1 - x0) > snap:
        y = (y0 + y1) / 2
        return Segment(min(x0, x1), y, max(x0, x1), y)
    if abs(x1 - x0) <= snap and abs(y1 - y0) > snap:
        x = (x0 + x1) / 2
        return Segment(x, min(y0, y1), x, max(y0, y1))
    return None


def rect_rulings(x0: float, top: float, x1: float, bottom: float, thin: float) -> list[Segment]:
    """A filled rectangle thinner than `thin` is a drawn line (Word and WPS draw borders so)."""
    w, h = x1 - x0, bottom - top
    if h <= thin < w:
        y = (top + bottom) / 2
        return [Segment(x0, y, x1, y)]
    if w <= thin < h:
        x = (x0 + x1) / 2
        return [Segment(x, top, x, bottom)]
    return []


# ---------------------------------------------------------------- text lines

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’、，。；：？！…—（）《》【】]")


@functools.cache
def is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


def group_lines(glyphs: Iterable[Glyph]) -> list[list[Glyph]]:
    """Cluster glyphs into visual lines (top to bottom), each sorted left to right.

    A glyph joins a line when its vertical centre falls inside the line's band; the band is
    the running extent of the line's glyphs, so a small "、" or "一" (whose boxes are short)
    still lands on the line of its neighbours. (Called once per table cell and once per page's
    prose: the loop keeps to local names and flat lists, no object per glyph.)"""
    if type(glyphs) is _ReadLines:
        return list(glyphs.lines)
    glyphs = list(glyphs)
    if len(glyphs) == 1:  # a cell holding one number: nothing to group
        return [] if glyphs[0].space else [glyphs]
    # top to bottom by centre, then left to right; the stable sort keeps the input order of ties
    ink = sorted((g for g in glyphs if not g.space), key=_centre_left)
    line_of, tops, bottoms, _groups = _bands([0] * len(ink), [g.top for g in ink], [g.bottom for g in ink])
    lines: list[list[Glyph]] = [[] for _ in tops]
    for g, i in zip(ink, line_of, strict=True):
        lines[i].append(g)
    if len(ink) < len(glyphs):
        bands = list(zip(tops, bottoms, strict=True))
        for sp in glyphs:  # spaces only matter between two glyphs of a line they sit on
            if sp.space:
                cy = (sp.top + sp.bottom) / 2
                for i, (top, bottom) in enumerate(bands):
                    if top <= cy <= bottom:
                        lines[i].append(sp)
                        break
    for line in lines:
        if len(line) > 1:
            line.sort(key=_left_top)
    if len(lines) < 2:
        return lines
    order = sorted(range(len(lines)), key=lambda i: (tops[i] + bottoms[i]) / 2)
    return [lines[i] for i in order]


def _centre_left(g: Glyph) -> tuple[float, float]:
    return ((g.top + g.bottom) / 2, g.x0)


_left_top = operator.attrgetter("x0", "top")  # (x0, top), in C


def line_box(line: Sequence[Glyph]) -> tuple[float, float, float, float]:
    """The box of a line's ink (its glyphs but spaces): x0, top, x1, bottom."""
    if type(line) is _ReadLine:
        return line.box
    ink = [g for g in line if not g.space]
    return (min(g.x0 for g in ink), min(g.top for g in ink), max(g.x1 for g in ink), max(g.bottom for g in ink))


def line_em(line: Sequence[Glyph]) -> float:
    """A line's type size: the median em of its ink glyphs (the upper middle of an even count)."""
    if type(line) is _ReadLine:
        return line.em
    ordered = sorted(g.size for g in line if not g.space)
    return ordered[len(ordered) // 2] if ordered else 0.0


def line_text(line: Sequence[Glyph], gap_ratio: float = 0.6, cjk_gap_ratio: float = 1.2) -> str:
    """The text of one visual line. Spaces come from geometry, not from the producer's own
    spacing: a gap wider than `gap_ratio` em separates words (so "1 0 11" in three columns stays
    three numbers while digits printed with thin letter-spacing stay one number); between two
    CJK characters only a gap wider than `cjk_gap_ratio` em counts (spaced-out headings like
    "商 业 企 业" are one word). A space glyph from the producer separates two latin words."""
    if type(line) is _ReadLine and gap_ratio == 0.6 and cjk_gap_ratio == 1.2:
        return line.text
    out: list[str] = []
    started = False
    prev_size = prev_x1 = 0.0
    prev_cjk = False
    pending_space = False
    cjk = is_cjk
    for g in line:
        if g.space:
            pending_space = started
            continue
        text = g.text
        if not text:
            continue  # ink the recogniser could not read: it only lowers the confidence
        first_cjk = cjk(text[0])
        size = g.size
        if started:
            em = prev_size if prev_size < size else size
            if em < 1e-6:
                em = 1e-6
            if g.x0 - prev_x1 > (cjk_gap_ratio if prev_cjk and first_cjk else gap_ratio) * em or (
                    pending_space and not (prev_cjk or first_cjk)):
                out.append(" ")
        out.append(text)
        started = True
        prev_size, prev_x1 = size, g.x1
        prev_cjk = cjk(text[-1]) if len(text) > 1 else first_cjk
        pending_space = False
    return "".join(out).strip()


def join_wrapped(parts: Sequence[str]) -> str:
    """Lines of one table cell as one string: a label wrapped over lines, or printed one
    character per line, reads as one label; latin/digit runs on two lines keep a space."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and not (is_cjk(out[-1]) or is_cjk(p[0])):
            out += " "
        out += p
    return out


_SPACED_THOUSANDS = re.compile(r"^\d{1,3}(?: \d{3})+(?:\.\d+)?$")


def cell_text(glyphs: Sequence[Glyph]) -> str:
    if type(glyphs) is _ReadCell:
        return glyphs.text
    if not glyphs:
        return ""
    if len(glyphs) == 1:  # most cells of a report hold one digit
        text = "" if glyphs[0].space else glyphs[0].text.strip()
    else:
        text = join_wrapped([line_text(line) for line in group_lines(glyphs)])
    if _SPACED_THOUSANDS.match(text):
        # one ruled cell holds one value: "3 119" is a number printed with a thin group space
        text = text.replace(" ", "")
    return text


def min_confidence(glyphs: Iterable[Glyph]) -> float | None:
    """The weakest recognition in a set: one doubtful digit makes the whole number doubtful."""
    if type(glyphs) in _READ:  # glyphs of a text layer: read exactly
        return None
    confs = [g.confidence for g in glyphs if g.confidence is not None and not g.space]
    return min(confs) if confs else None


# ---------------------------------------------------------------- grids from rulings


@dataclass(slots=True)
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass
class Grid:
    xs: list[float]  # column boundaries, left to right
    ys: list[float]  # row boundaries, top to bottom
    cells: list[GridCell]
    # the cell covering each grid unit (row-major: row * columns + column)
    _unit_cell: list[int] = field(default_factory=list, repr=False)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    def cell_at(self, x: float, y: float) -> int | None:
        """Index of the cell containing the point, or None outside the grid."""
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]):
            return None
        c = min(max(bisect.bisect_right(self.xs, x) - 1, 0), len(self.xs) - 2)
        r = min(max(bisect.bisect_right(self.ys, y) - 1, 0), len(self.ys) - 2)
        return self._unit_cell[r * (len(self.xs) - 1) + c]


def _cluster(values: Iterable[float], snap: float) -> list[float]:
    """Sorted values merged when closer than `snap` (each cluster becomes its mean)."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= snap:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _nearest(xs: Sequence[float], x: float) -> int:
    """Index of the value of sorted `xs` nearest to `x` (the first of two equally near)."""
    i = bisect.bisect_left(xs, x)
    if i == 0:
        return 0
    if i == len(xs):
        return len(xs) - 1
    return i if xs[i] - x < x - xs[i - 1] else i - 1


def merge_collinear(segments: Iterable[Segment], snap: float) -> list[Segment]:
    """Join pieces of the same ruling (Word draws one border per cell edge)."""
    hs = sorted((s for s in segments if s.horizontal), key=lambda s: (round(s.y0 / snap), s.x0))
    vs = sorted((s for s in segments if not s.horizontal), key=lambda s: (round(s.x0 / snap), s.y0))
    out: list[Segment] = []
    for group, horiz in ((hs, True), (vs, False)):
        # cluster by the fixed coordinate first so near-equal rulings merge
        by_line: dict[float, list[Segment]] = {}
        fixed = _cluster([s.y0 if horiz else s.x0 for s in group], snap)
        for s in group:
            f = fixed[_nearest(fixed, s.y0 if horiz else s.x0)]
            by_line.setdefault(f, []).append(s)
        for f, segs in sorted(by_line.items()):
            spans = sorted((s.x0, s.x1) if horiz else (s.y0, s.y1) for s in segs)
            cur_a, cur_b = spans[0]
            for a, b in spans[1:]:
                if a <= cur_b + snap:
                    cur_b = max(cur_b, b)
                else:
                    out.append(Segment(cur_a, f, cur_b, f) if horiz else Segment(f, cur_a, f, cur_b))
                    cur_a, cur_b = a, b
            out.append(Segment(cur_a, f, cur_b, f) if horiz else Segment(f, cur_a, f, cur_b))
    return out


class _DSU:
    def __init__(self, n: int) -> None:
        self.p = list(range(n))

    def find(self, a: int) -> int:
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def _covered(intervals: list[tuple[float, float]], a: float, b: float, snap: float) -> bool:
    """Whether [a, b] is mostly covered by the intervals (a drawn boundary between two units)."""
    need = b - a
    got = 0.0
    for lo, hi in intervals:
        lo2, hi2 = lo - snap, hi + snap
        if lo2 < a:
            lo2 = a
        if hi2 > b:
            hi2 = b
        if hi2 > lo2:
            got += hi2 - lo2
    return got >= 0.6 * need


def find_grids(segments: Iterable[Segment], units: Units) -> list[Grid]:
    """Tables from rulings: connected rulings form one table; their distinct positions give the
    grid; a missing ruling between two neighbouring grid units merges them into one spanning
    cell. Frames with a single cell (a box drawn around a paragraph) are not tables."""
    segs = merge_collinear(segments, units.snap)
    if not segs:
        return []
    hs = [s for s in segs if s.horizontal]
    vs = [s for s in segs if not s.horizontal]
    comps: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for k, label in enumerate(_touching_groups(hs, vs, units.snap)):
        group = comps.setdefault(label, ([], []))
        if k < len(hs):
            group[0].append(hs[k])
        else:
            group[1].append(vs[k - len(hs)])
    grids = []
    for comp_h, comp_v in comps.values():
        if len(comp_h) < 2 or len(comp_v) < 2:
            continue
        grid = _grid_of(comp_h, comp_v, units)
        if grid is not None and len(grid.cells) >= 2:
            grids.append(grid)
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    return grids


def _touching_groups(hs: list[Segment], vs: list[Segment], snap: float) -> list[int]:
    """The connected group of each ruling (horizontals first, then verticals), named by the
    lowest index in it: a horizontal and a vertical ruling touch when each reaches the other
    (within `snap`). All pairs are tested at once, and the lowest index is spread along the
    touching pairs until nothing changes (a table's rulings are a few steps apart)."""
    n_h = len(hs)
    if not hs or not vs:
        return list(range(n_h + len(vs)))
    h = np.array([(s.x0, s.x1, s.y0) for s in hs], dtype=np.float64)
    v = np.array([(s.x0, s.y0, s.y1) for s in vs], dtype=np.float64)
    touch = ((h[:, 0:1] - snap <= v[:, 0]) & (v[:, 0] <= h[:, 1:2] + snap)
             & (v[:, 1] - snap <= h[:, 2:3]) & (h[:, 2:3] <= v[:, 2] + snap))
    none = n_h + len(vs)
    label_h = np.arange(n_h)
    label_v = np.where(touch.any(axis=0), none, np.arange(n_h, none))
    while True:
        new_v = np.minimum(label_v, np.where(touch, label_h[:, None], none).min(axis=0))
        new_h = np.minimum(label_h, np.where(touch, new_v[None, :], none).min(axis=1))
        if (new_h == label_h).all() and (new_v == label_v).all():
            break
        label_h, label_v = new_h, new_v
    return [*label_h.tolist(), *label_v.tolist()]


def _thin_out(values: list[float], min_gap: float) -> list[float]:
    out: list[float] = []
    for v in values:
        if out and v - out[-1] < min_gap:
            continue
        out.append(v)
    return out


def _open_spans(intervals: list[tuple[float, float]], edges: list[float], snap: float) -> list[int]:
    """The spans between consecutive `edges` that the rulings (`intervals`) of one line leave
    mostly undrawn (`_covered`); a single ruling drawn across all of them, the usual case, is
    answered without looking at each span."""
    if len(intervals) == 1:
        lo, hi = intervals[0]
        if lo - snap <= edges[0] and hi + snap >= edges[-1]:
            return []
    return [i for i in range(len(edges) - 1) if not _covered(intervals, edges[i], edges[i + 1], snap)]


def _on_lines(rulings: list[tuple[float, float, float]], lines: list[float],
              snap: float) -> list[list[tuple[float, float]]]:
    """For each of the sorted grid `lines`, the extents (a, b) of the rulings (at, a, b) lying
    on it (|at - line| <= snap), in the rulings' order: one pass over the rulings, each looked
    up among the few lines near it, instead of one pass over all of them per line."""
    on: list[list[tuple[float, float]]] = [[] for _ in lines]
    for at, a, b in rulings:
        for i in range(bisect.bisect_left(lines, at - 2 * snap), bisect.bisect_right(lines, at + 2 * snap)):
            if abs(at - lines[i]) <= snap:
                on[i].append((a, b))
    return on


def _grid_of(hs: list[Segment], vs: list[Segment], units: Units) -> Grid | None:
    ys = _thin_out(_cluster([h.y0 for h in hs], units.snap), units.min_cell)
    xs = _thin_out(_cluster([v.x0 for v in vs], units.snap), units.min_cell)
    # the outer frame: rulings may stop short of the extreme lines; clamp to the extent drawn
    x_lo, x_hi = min(h.x0 for h in hs), max(h.x1 for h in hs)
    y_lo, y_hi = min(v.y0 for v in vs), max(v.y1 for v in vs)
    xs = [x for x in xs if x_lo - units.snap <= x <= x_hi + units.snap]
    ys = [y for y in ys if y_lo - units.snap <= y <= y_hi + units.snap]
    if len(xs) < 2 or len(ys) < 2:
        return None
    n_r, n_c = len(ys) - 1, len(xs) - 1

    snap = units.snap
    # a missing ruling between two neighbouring grid units merges them into one cell
    pairs: list[tuple[int, int]] = []
    on_x = _on_lines([(v.x0, v.y0, v.y1) for v in vs], xs, snap)
    for c in range(1, n_c):  # the vertical line between columns c - 1 and c, row by row
        for r in _open_spans(on_x[c], ys, snap):
            pairs.append((r * n_c + c - 1, r * n_c + c))
    on_y = _on_lines([(h.y0, h.x0, h.x1) for h in hs], ys, snap)
    for r in range(1, n_r):  # the horizontal line between rows r - 1 and r, column by column
        for c in _open_spans(on_y[r], xs, snap):
            pairs.append(((r - 1) * n_c + c, r * n_c + c))
    n_units = n_r * n_c
    if not pairs:  # every unit a cell of its own
        cells = [GridCell(r, c, 1, 1, (xs[c], ys[r], xs[c + 1], ys[r + 1])) for r in range(n_r) for c in range(n_c)]
        return Grid(xs, ys, cells, list(range(n_units)))
    dsu = _DSU(n_units)
    for a, b in pairs:
        dsu.union(a, b)
    # the units of each cell, in row-major order of their first unit (most cells are one unit:
    # only the units of a pair can be in a larger one)
    paired = {u for pair in pairs for u in pair}
    members: dict[int, list[int]] = {}
    find = dsu.find
    for u in range(n_units):
        if u in paired:
            members.setdefault(find(u), []).append(u)
        else:
            members[u] = [u]  # its own root: no pair joined it to another
    spans = []
    for units_of in members.values():
        if len(units_of) == 1:
            r, c = divmod(units_of[0], n_c)
            spans.append((r, c, r, c, units_of))
        else:
            rows = [u // n_c for u in units_of]
            cols = [u % n_c for u in units_of]
            spans.append((min(rows), min(cols), max(rows), max(cols), units_of))
    spans.sort(key=operator.itemgetter(0, 1))
    cells: list[GridCell] = []
    unit_cell = [0] * n_units
    for idx, (r0, c0, r1, c1, units_of) in enumerate(spans):
        # a merged region that is not a rectangle (rare: a ruling drawn half-way) is read as
        # its bounding rectangle
        cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])))
        for u in units_of:
            unit_cell[u] = idx
    return Grid(xs, ys, cells, unit_cell)


_EXTENT = operator.attrgetter("x0", "x1", "top", "bottom")


def assign(glyphs: Iterable[Glyph], grids: Sequence[Grid]) -> tuple[list[list[list[Glyph]]], list[Glyph]]:
    """Glyphs per grid cell (by the glyph's centre), and the glyphs outside every grid.

    All glyphs at once per grid (numpy): a page holds thousands of glyphs and a few grids."""
    if type(glyphs) is GlyphRun:
        return _assign_run(glyphs, grids)
    glyphs = list(glyphs)
    per_grid: list[list[list[Glyph]]] = [[[] for _ in g.cells] for g in grids]
    if not grids:
        return per_grid, glyphs
    n = len(glyphs)
    box = np.fromiter(itertools.chain.from_iterable(map(_EXTENT, glyphs)), dtype=np.float64, count=4 * n).reshape(n, 4)
    cx, cy = (box[:, 0] + box[:, 1]) / 2, (box[:, 2] + box[:, 3]) / 2
    free = np.ones(n, dtype=bool)
    for gi, grid in enumerate(grids):
        xs, ys = np.asarray(grid.xs), np.asarray(grid.ys)
        inside = free & (cx >= xs[0]) & (cx <= xs[-1]) & (cy >= ys[0]) & (cy <= ys[-1])
        idx = np.flatnonzero(inside)
        cols = np.clip(np.searchsorted(xs, cx[idx], side="right") - 1, 0, len(xs) - 2)
        rows = np.clip(np.searchsorted(ys, cy[idx], side="right") - 1, 0, len(ys) - 2)
        # every grid unit belongs to one cell
        cell_of = np.asarray(grid._unit_cell)[rows * (len(xs) - 1) + cols]
        cells = per_grid[gi]
        for k, ci in zip(idx.tolist(), cell_of.tolist(), strict=True):
            cells[ci].append(glyphs[k])
        free[idx] = False
    outside = [glyphs[k] for k in np.flatnonzero(free).tolist()]
    return per_grid, outside


# ---------------------------------------------------------------- a page's glyphs as arrays


class GlyphRun(Sequence[Glyph]):
    """A page's glyphs (a sequence of `Glyph`, in the producer's order) held in arrays, as the
    PDF reader gets them from PDFium. `assign` places, groups into lines and reads every glyph
    of the page in a few array passes (`_read_run`) instead of glyph by glyph through
    `group_lines` and `line_text`, with the same result; any other list of glyphs (OCR's, or
    one built from this run) takes the general path. The `Glyph` objects themselves are made
    only when something asks for them (a text page read through `_read_run` never does: its
    cells and lines carry their text, boxes and ems already). A run is read-only."""

    __slots__ = ("_glyphs", "bottom", "codes", "size", "space", "top", "x0", "x1")

    x0: np.ndarray
    top: np.ndarray
    x1: np.ndarray
    bottom: np.ndarray
    size: np.ndarray
    space: np.ndarray  # bool
    codes: np.ndarray  # the code point of each glyph's one character (32 for a space)
    _glyphs: list[Glyph] | None

    @classmethod
    def of(cls, codes: np.ndarray, x0: np.ndarray, top: np.ndarray, x1: np.ndarray, bottom: np.ndarray,
           size: np.ndarray, space: np.ndarray) -> GlyphRun:
        run = cls()
        run.x0, run.top, run.x1, run.bottom, run.size, run.space, run.codes = x0, top, x1, bottom, size, space, codes
        run._glyphs = None
        return run

    def glyphs(self) -> list[Glyph]:
        if self._glyphs is None:
            self._glyphs = list(map(Glyph, map(chr, self.codes.tolist()), self.x0.tolist(), self.top.tolist(),
                                    self.x1.tolist(), self.bottom.tolist(), self.size.tolist(),
                                    itertools.repeat(None), self.space.tolist()))
        return self._glyphs

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        return self.glyphs()[i]

    def __iter__(self) -> Iterator[Glyph]:
        return iter(self.glyphs())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"GlyphRun({self.glyphs()!r})"


class _RunPart(Sequence[Glyph]):
    """Some glyphs of a run, by their places in it, made only when asked for."""

    __slots__ = ("at", "run")

    def __init__(self, run: GlyphRun, at: list[int]) -> None:
        self.run, self.at = run, at

    def __len__(self) -> int:
        return len(self.at)

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        glyphs = self.run.glyphs()
        return [glyphs[k] for k in self.at[i]] if isinstance(i, slice) else glyphs[self.at[i]]

    def __iter__(self) -> Iterator[Glyph]:
        return map(self.run.glyphs().__getitem__, self.at)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


class _ReadLine(_RunPart):
    """One visual line of a run's glyphs (in reading order) with its `line_text`, `line_box`
    and `line_em` already made."""

    __slots__ = ("box", "em", "text")

    def __init__(self, run: GlyphRun, at: list[int], text: str, box: tuple[float, float, float, float],
                 em: float) -> None:
        self.run, self.at, self.text, self.box, self.em = run, at, text, box, em


class _ReadCell(_RunPart):
    """A grid cell's glyphs of a run (in the run's order) with its `cell_text` already made."""

    __slots__ = ("text",)
    text: str


class _ReadLines(_RunPart):
    """A run's glyphs outside every grid (in the run's order) with their `group_lines` already made."""

    __slots__ = ("lines",)
    lines: list[_ReadLine]

    def ink_sizes(self) -> list[float]:
        """The size of each glyph that is not a space (in the run's order)."""
        at = np.asarray(self.at, dtype=np.intp)
        return self.run.size[at][~self.run.space[at]].tolist()


# Character classes of the Basic Multilingual Plane (is_cjk matches nothing beyond it).
_IS_CJK = np.fromiter((bool(_CJK.match(chr(c))) for c in range(0x10000)), dtype=bool, count=0x10000)


def _line_bands(group: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> tuple[np.ndarray, ...]:
    """The line of each glyph, and each line's band (top, bottom) and group; the glyphs come
    sorted by group, centre and left edge. Each joins one of the three most recent lines of its
    group whose band holds its middle (and that it overlaps enough, or is small beside), the
    band growing to hold it; else it starts a line. The bands grow as they go, so this is a
    loop, in C when built (xxgk.extract.speedups), else `_line_bands_python`."""
    n = len(group)
    c = speedups.native()
    if c is None:
        return _line_bands_python(group, top, bottom)
    line_of, line_group = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    tops, bottoms = np.empty(n, dtype=np.float64), np.empty(n, dtype=np.float64)
    lines = c.line_bands(np.ascontiguousarray(group, dtype=np.int64), np.ascontiguousarray(top, dtype=np.float64),
                         np.ascontiguousarray(bottom, dtype=np.float64), line_of, tops, bottoms, line_group)
    return line_of.astype(np.intp), tops[:lines], bottoms[:lines], line_group[:lines].astype(np.intp)


def _line_bands_python(group: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> tuple[np.ndarray, ...]:
    line_of, tops, bottoms, line_group = _bands(group.tolist(), top.tolist(), bottom.tolist())
    return (np.asarray(line_of, dtype=np.intp), np.asarray(tops, dtype=np.float64),
            np.asarray(bottoms, dtype=np.float64), np.asarray(line_group, dtype=np.intp))


def _bands(group: list[int], top: list[float], bottom: list[float]) -> tuple[list[int], list[float], list[float],
                                                                              list[int]]:
    """The band pass in Python (`_line_bands`; `group_lines` of a plain glyph list is one group):
    each glyph, in the order given, joins the most recent of the three latest lines of its
    group whose band holds its middle, and that it overlaps enough or is much shorter than (a
    "." or "、" drawn low), the band growing to hold it; else it starts a line. The line of each
    glyph, each line's band and group."""
    tops: list[float] = []  # the band of each line, lines numbered across groups
    bottoms: list[float] = []
    line_group: list[int] = []
    line_of: list[int] = []
    first = 0  # the first line of the current group
    current = -1
    for g, top_g, bottom_g in zip(group, top, bottom, strict=True):
        if g != current:
            current, first = g, len(tops)
        mid = (top_g + bottom_g) / 2
        i = len(tops) - 1
        stop = i - 3 if i - 3 > first - 1 else first - 1  # the three most recent lines of the group
        while i > stop:
            band_top, band_bottom = tops[i], bottoms[i]
            if band_top <= mid <= band_bottom and (top_g <= (band_top + band_bottom) / 2 <= bottom_g
                                                   or bottom_g - top_g < 0.6 * (band_bottom - band_top)):
                line_of.append(i)
                if top_g < band_top:
                    tops[i] = top_g
                if bottom_g > band_bottom:
                    bottoms[i] = bottom_g
                break
            i -= 1
        else:
            line_of.append(len(tops))
            tops.append(top_g)
            bottoms.append(bottom_g)
            line_group.append(g)
    return line_of, tops, bottoms, line_group


def _read_run(run: GlyphRun, group: np.ndarray,
              prose: np.ndarray) -> tuple[list[list[str]], dict[int, list[_ReadLine]]]:
    """`group_lines` then `line_text` of every group of the run's glyphs at once (`group`: each
    glyph's group number; `prose[g]`: group g is a page's glyphs outside every table, the
    others are table cells): the text of each line of each group in order, and the lines of
    each prose group (with their glyphs, boxes and ems; a table cell needs only its text).

    The same steps as `group_lines`, in arrays: ink glyphs sorted by group, centre and left
    edge (a stable sort, as `sorted` is); one pass that puts each on one of the three most
    recent lines of its group whose band holds it (the bands grow as they go, so this pass
    stays a loop, over plain floats); spaces onto the first line of their group whose band
    holds their centre; each line sorted left to right and the lines top to bottom; then the
    spaces `line_text` puts between glyphs, decided for all neighbours at once."""
    top, bottom, x0 = run.top, run.bottom, run.x0
    cy = (top + bottom) / 2
    ink_at = np.flatnonzero(~run.space)
    ink = ink_at[np.lexsort((x0[ink_at], cy[ink_at], group[ink_at]))]
    line_of, band_top, band_bottom, groups_of = _line_bands(group[ink], top[ink], bottom[ink])
    tops, bottoms, line_group = band_top.tolist(), band_bottom.tolist(), groups_of.tolist()
    members = ink
    lines = line_of
    spaces = np.flatnonzero(run.space)
    if len(spaces) and tops:
        # a space joins the first line of its group (in the order lines were started) whose band holds it
        group_lines_at: dict[int, range] = {}
        start = 0
        for k in range(1, len(line_group) + 1):
            if k == len(line_group) or line_group[k] != line_group[start]:
                group_lines_at[line_group[start]] = range(start, k)
                start = k
        placed, on = [], []
        for s, g, mid in zip(spaces.tolist(), group[spaces].tolist(), cy[spaces].tolist(), strict=True):
            for i in group_lines_at.get(g, ()):
                if tops[i] <= mid <= bottoms[i]:
                    placed.append(s)
                    on.append(i)
                    break
        members = np.concatenate([ink, np.asarray(placed, dtype=np.intp)])
        lines = np.concatenate([lines, np.asarray(on, dtype=np.intp)])
    # each line left to right by (x0, top), ties in the order the glyphs joined it
    order = np.lexsort((np.arange(len(members)), top[members], x0[members], lines))
    members, lines = members[order], lines[order]
    texts = _line_texts(run, members, lines, len(tops))
    # each group's lines top to bottom by the middle of their band, ties in the order started
    ranked = np.lexsort((np.arange(len(tops)), (band_top + band_bottom) / 2, groups_of)).tolist()
    bounds = np.searchsorted(lines, np.arange(len(tops) + 1)).tolist()
    per_group: list[list[str]] = [[] for _ in range(len(prose))]
    is_prose = prose[groups_of] if len(groups_of) else np.zeros(0, dtype=bool)
    prose_lines = []
    for i, of_prose in zip(ranked, is_prose[ranked].tolist(), strict=True):
        if of_prose:
            prose_lines.append(i)
        else:
            per_group[line_group[i]].append(texts[i])
    lines_of: dict[int, list[_ReadLine]] = {}
    if not prose_lines:
        return per_group, lines_of
    # boxes and ems of the prose lines only (a table cell needs its text alone), numbered 0.. in
    # line order among themselves
    member_list = members.tolist()
    renumber = np.cumsum(is_prose) - 1
    of_prose = is_prose[lines]
    boxes, ems = _line_extents(run, members[of_prose], renumber[lines[of_prose]], int(renumber[-1]) + 1)
    at = renumber.tolist()
    for i in prose_lines:
        lines_of.setdefault(line_group[i], []).append(
            _ReadLine(run, member_list[bounds[i]:bounds[i + 1]], texts[i], boxes[at[i]], ems[at[i]]))
    return per_group, lines_of


def _line_extents(run: GlyphRun, members: np.ndarray, lines: np.ndarray,
                  n_lines: int) -> tuple[list[tuple[float, float, float, float]], list[float]]:
    """`line_box` and `line_em` of every line at once (every line has an ink glyph: spaces
    only join lines that ink started)."""
    if not n_lines:
        return [], []
    ink = ~run.space[members]
    glyph, line = members[ink], lines[ink]
    starts = np.searchsorted(line, np.arange(n_lines))
    least, most = np.minimum.reduceat, np.maximum.reduceat
    boxes = zip(least(run.x0[glyph], starts).tolist(), least(run.top[glyph], starts).tolist(),
                most(run.x1[glyph], starts).tolist(), most(run.bottom[glyph], starts).tolist(), strict=True)
    sizes = run.size[glyph][np.lexsort((run.size[glyph], line))]
    counts = np.diff(starts, append=len(line))
    return list(boxes), sizes[starts + counts // 2].tolist()


def _line_texts(run: GlyphRun, members: np.ndarray, lines: np.ndarray, n_lines: int) -> list[str]:
    """`line_text` of every line at once: `members` are the glyphs of the lines in reading
    order, line after line (`lines`: the line of each)."""
    if not n_lines:
        return []
    is_space = run.space[members]
    spaces_so_far = np.cumsum(is_space)
    ink = np.flatnonzero(~is_space)
    glyph = members[ink]
    line = lines[ink]
    codes = run.codes[glyph]
    cjk = _IS_CJK[codes & 0xFFFF] & (codes <= 0xFFFF)
    size, left, right = run.size[glyph], run.x0[glyph], run.x1[glyph]
    gap = np.zeros(len(ink), dtype=bool)
    if len(ink) > 1:
        same = line[1:] == line[:-1]
        em = np.maximum(np.minimum(size[:-1], size[1:]), 1e-6)
        ratio = np.where(cjk[:-1] & cjk[1:], 1.2, 0.6)
        # a producer's space between two latin glyphs of the line separates them too
        spaced = spaces_so_far[ink[1:]] > spaces_so_far[ink[:-1]]
        gap[1:] = same & ((left[1:] - right[:-1] > ratio * em) | (spaced & ~(cjk[:-1] | cjk[1:])))
    ends = np.ones(len(ink), dtype=bool)
    ends[:-1] = line[1:] != line[:-1]
    out = np.empty((len(ink), 3), dtype=np.int64)
    out[:, 0] = np.where(gap, 32, -1)
    out[:, 1] = codes
    out[:, 2] = np.where(ends, 10, -1)
    flat = out.ravel()
    text = flat[flat >= 0].astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    return [t.strip() for t in text.split("\n")[:-1]]


def _assign_run(run: GlyphRun, grids: Sequence[Grid]) -> tuple[list[list[list[Glyph]]], list[Glyph]]:
    """`assign` of a run: the cells' glyph lists carry their `cell_text`, the outside list its
    `group_lines` (with each line's `line_text`), all made in one pass over the page."""
    return _assign_runs([(run, grids)])[0]


# Pages read in one batch of array passes (a batch's arrays are the pages' glyphs together).
_BATCH_PAGES = 64
_Assigned = tuple[list[list[list[Glyph]]], list[Glyph]]


def _assign_runs(pages: Sequence[tuple[GlyphRun, Sequence[Grid]]]) -> list[_Assigned]:
    """`_assign_run` of several pages at once: their glyphs in one run, each page's table cells
    and its outside glyphs groups of their own, so every array pass is made once for all of
    them (a page's passes cost as much in fixed overhead as in work)."""
    out: list[_Assigned] = []
    for start in range(0, len(pages), _BATCH_PAGES):
        out.extend(_assign_batch(pages[start:start + _BATCH_PAGES]))
    return out


def _assign_batch(pages: Sequence[tuple[GlyphRun, Sequence[Grid]]]) -> list[_Assigned]:
    runs = [r for r, _ in pages]
    run = runs[0] if len(runs) == 1 else GlyphRun.of(*(np.concatenate([getattr(r, a) for r in runs]) for a in (
        "codes", "x0", "top", "x1", "bottom", "size", "space")))
    cx, cy = (run.x0 + run.x1) / 2, (run.top + run.bottom) / 2
    group = np.empty(len(run), dtype=np.intp)
    # the groups of each page: its grids' cells, then its glyphs outside them
    cell_offsets: list[list[int]] = []
    outside_of: list[int] = []
    first_glyph = 0
    n_groups = 0
    for page_run, grids in pages:
        offsets = [n_groups + k for k in (0, *itertools.accumulate(len(g.cells) for g in grids))]
        cell_offsets.append(offsets)
        outside_of.append(offsets[-1])
        n_groups = offsets[-1] + 1
        end = first_glyph + len(page_run)
        group[first_glyph:end] = offsets[-1]
        free = np.ones(end - first_glyph, dtype=bool)
        pcx, pcy = cx[first_glyph:end], cy[first_glyph:end]
        for gi, grid in enumerate(grids):
            xs, ys = np.asarray(grid.xs), np.asarray(grid.ys)
            idx = np.flatnonzero(free & (pcx >= xs[0]) & (pcx <= xs[-1]) & (pcy >= ys[0]) & (pcy <= ys[-1]))
            cols = np.clip(np.searchsorted(xs, pcx[idx], side="right") - 1, 0, len(xs) - 2)
            rows = np.clip(np.searchsorted(ys, pcy[idx], side="right") - 1, 0, len(ys) - 2)
            group[first_glyph + idx] = offsets[gi] + np.asarray(grid._unit_cell)[rows * (len(xs) - 1) + cols]
            free[idx] = False
        first_glyph = end
    prose = np.zeros(n_groups, dtype=bool)
    prose[outside_of] = True
    texts_of, lines_of = _read_run(run, group, prose)
    # each group's glyphs in the run's order
    by_group = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[by_group], np.arange(n_groups + 1)).tolist()
    member_list = by_group.tolist()
    out = []
    for (_page_run, grids), offsets, outside_group in zip(pages, cell_offsets, outside_of, strict=True):
        per_grid: list[list[list[Glyph]]] = []
        for gi in range(len(grids)):
            cells: list[list[Glyph]] = []
            for c in range(offsets[gi], offsets[gi + 1]):
                cell = _ReadCell(run, member_list[bounds[c]:bounds[c + 1]])
                texts = texts_of[c]
                # a line's text is stripped already: one line is its own join_wrapped
                text = texts[0] if len(texts) == 1 else join_wrapped(texts)
                cell.text = text.replace(" ", "") if " " in text and _SPACED_THOUSANDS.match(text) else text
                cells.append(cell)
            per_grid.append(cells)
        outside = _ReadLines(run, member_list[bounds[outside_group]:bounds[outside_group + 1]])
        outside.lines = lines_of.get(outside_group, [])
        out.append((per_grid, outside))
    return out


_READ = (_ReadLine, _ReadCell, _ReadLines)


# ---------------------------------------------------------------- pages -> Document

# Recognition confidence below this is reported in Document.warnings for text outside tables
# (table cells carry their own confidence).
LOW_CONFIDENCE = 0.9


@dataclass
class PageContent:
    """Everything one page offers, already in the reading frame and in PDF points."""

    number: int  # 1-based
    width: float
    height: float
    glyphs: list[Glyph]
    segments: list[Segment]
    # boxes of the pictures drawn on the page (a table pasted as an image is one)
    pictures: list[tuple[float, float, float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # whether a raster of the page as displayed has this page's orientation (its text is not
    # drawn turned against the page's /Rotate), so OCR boxes and text-layer boxes can be mixed
    raster_aligned: bool = True
    # Confidence of a table cell with no glyph: None when the text layer is exact, else the
    # OCR path's certainty that an ink-free cell is really blank.
    blank_confidence: float | None = None


@dataclass
class _Placed:
    page: int
    top: float
    bottom: float
    block: Paragraph | Table
    xs: list[float] | None = None  # column boundaries when the block is a ruled table
    margin: bool = False  # printed in the top or bottom margin of its page
    confidence: float | None = None  # weakest recognised character of an OCR'd text line


def _rounded(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (round(box[0], 1), round(box[1], 1), round(box[2], 1), round(box[3], 1))


_HEADING_RATIO = 1.2  # type this much larger than the body text is a title or heading


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


_Layout = tuple[list[Grid], list[list[list[Glyph]]], list[Glyph]]


def page_layout(page: PageContent, units: Units) -> _Layout:
    """The page's grids, the glyphs of each grid cell, and the glyphs outside every grid."""
    grids = find_grids(page.segments, units)
    per_grid, outside = assign(page.glyphs, grids)
    return grids, per_grid, outside


def _page_layouts(pages: Sequence[PageContent], units: Units) -> list[_Layout]:
    """`page_layout` of every page; the pages whose glyphs came as runs (a PDF's text layer)
    are assigned together, in one batch of array passes."""
    grids = [find_grids(p.segments, units) for p in pages]
    runs = [k for k, p in enumerate(pages) if type(p.glyphs) is GlyphRun]
    assigned = dict(zip(runs, _assign_runs([(pages[k].glyphs, grids[k]) for k in runs]), strict=True))  # type: ignore[misc]
    return [(grids[k], *(assigned[k] if k in assigned else assign(p.glyphs, grids[k]))) for k, p in enumerate(pages)]


def page_blocks(page: PageContent, layout: _Layout, body_em: float | None = None) -> list[_Placed]:
    """One page as tables (from its rulings) and paragraph lines, top to bottom. `body_em`
    is the document's usual type size outside tables: lines set much larger are titles, and a
    title wrapped over two lines becomes one paragraph."""
    grids, per_grid, outside = layout
    placed: list[_Placed] = []
    for grid, cell_glyphs in zip(grids, per_grid, strict=True):
        if not any(cell_glyphs):
            continue  # rulings with nothing inside: decoration, not a table
        # every cell's box lies on the grid's lines (`_grid_of`): each line is rounded once
        xs, ys = [round(x, 1) for x in grid.xs], [round(y, 1) for y in grid.ys]
        cells = [
            TableCell(cell_text(gl), gc.row, gc.col, gc.rowspan, gc.colspan,
                      loc=Location(page.number, box=(xs[gc.col], ys[gc.row], xs[gc.col + gc.colspan],
                                                     ys[gc.row + gc.rowspan])),
                      confidence=min_confidence(gl) if gl else page.blank_confidence)
            for gc, gl in zip(grid.cells, cell_glyphs, strict=True)
        ]
        top, bottom = grid.box[1], grid.box[3]
        table = Table(cells, Location(page.number, box=_rounded(grid.box)), aligned=True)
        placed.append(_Placed(page.number, top, bottom, table, xs=list(grid.xs)))
    heading: _Placed | None = None  # the last line, when it was set in a heading's large type
    for n, line in enumerate(group_lines(outside), start=1):
        text = line_text(line)
        if not text:
            continue
        box = line_box(line)  # a line of a GlyphRun has them from the page's array pass
        em = line_em(line)
        large = body_em is not None and em >= _HEADING_RATIO * body_em
        if large and heading is not None and 0 <= box[1] - heading.bottom < 0.8 * em:
            # a title wrapped over two lines in large type is one title
            hb = heading.block.loc.box or box
            joined = (min(hb[0], box[0]), hb[1], max(hb[2], box[2]), box[3])
            heading.block.text = join_wrapped([heading.block.text, text])  # type: ignore[union-attr]
            heading.block.loc = Location(page.number, heading.block.loc.line, _rounded(joined))
            heading.bottom = box[3]
            heading.confidence = _weaker(heading.confidence, min_confidence(line))
            heading.block.confidence = heading.confidence  # type: ignore[union-attr]
            continue
        margin = box[1] < 0.1 * page.height or box[3] > 0.9 * page.height
        confidence = min_confidence(line)
        para = Paragraph(text, Location(page.number, n, _rounded(box)), confidence=confidence)
        placed.append(_Placed(page.number, box[1], box[3], para, margin=margin, confidence=confidence))
        heading = placed[-1] if large else None
    placed.sort(key=lambda p: (p.top, p.block.loc.box[0] if p.block.loc.box else 0.0))
    return placed


def _weaker(a: float | None, b: float | None) -> float | None:
    """The less sure of two confidences (None: read exactly)."""
    return b if a is None else a if b is None else min(a, b)


_PAGE_NUMBER = re.compile(
    r"^[-—–－~～_\s]*\d{1,4}[-—–－~～_\s]*$"  # - 4 -, —4—, 4
    r"|^第\s*\d{1,4}\s*页(\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$"  # 第4页 共6页
    r"|^\d{1,4}\s*/\s*\d{1,4}$"  # 4/6
    r"|^(?i:page)\s*\d{1,4}(\s*(?i:of)\s*\d{1,4})?$"
)


def _drop_furniture(pages: list[list[_Placed]]) -> list[list[_Placed]]:
    """Page numbers and running headers/footers printed in the margins are not content."""
    def key(p: _Placed) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", p.block.text)) if isinstance(p.block, Paragraph) else ""

    seen: Counter[str] = Counter()
    for page in pages:
        for k in {key(p) for p in page if p.margin and isinstance(p.block, Paragraph)}:
            seen[k] += 1
    repeated = {k for k, n in seen.items() if k and n >= 2 and n >= 0.5 * len(pages)}
    out = []
    for page in pages:
        kept = []
        for p in page:
            if p.margin and isinstance(p.block, Paragraph) and (
                    _PAGE_NUMBER.match(p.block.text.strip()) or key(p) in repeated):
                continue
            kept.append(p)
        out.append(kept)
    return out





def _rows_by_start(table: Table) -> dict[int, list[TableCell]]:
    """The table's cells by the grid row they start in (Table.rows() without its sorting, which
    a join asks of a few leading rows only)."""
    rows: dict[int, list[TableCell]] = {}
    for c in table.cells:
        rows.setdefault(c.row, []).append(c)
    return rows


def _row_text(cells: list[TableCell]) -> tuple[tuple[int, int, str], ...]:
    """A row as it reads, left to right: each cell's column, span and text."""
    return tuple((c.col, c.colspan, c.text) for c in sorted(cells, key=_COL))


_COL = operator.attrgetter("col")


_A_NUMBER = re.compile(r"^[\d.,，．]+$")


def _numberless(table: Table) -> bool:
    """A table without a single number: a header (or a table of words)."""
    return not any(_A_NUMBER.match(c.text.strip()) for c in table.cells if c.text.strip())


def _join_tables(a: _Placed, b: _Placed, units: Units) -> _Placed | None:
    """`b` (top of the next page) continues `a` (bottom of this page) when their columns line
    up. Returns the joined table, or None when they are different tables."""
    assert isinstance(a.block, Table) and isinstance(b.block, Table) and a.xs and b.xs
    tol = 3 * units.snap
    if abs(a.xs[0] - b.xs[0]) > tol or abs(a.xs[-1] - b.xs[-1]) > tol:
        return None
    shared = sum(1 for x in b.xs if any(abs(x - y) <= tol for y in a.xs))
    if shared < 0.6 * len(b.xs):
        return None
    if _numberless(a.block) and not all(any(abs(x - y) <= tol for y in b.xs) for x in a.xs):
        # A header alone at the foot of a page heads the rows that follow only if every
        # column it draws is drawn by them: two tables as wide as the text block share their
        # outer edges, and a three-column table then shares two thirds of a header's rulings.
        return None
    xs = _cluster([*a.xs, *b.xs], tol)

    column_at: dict[float, int] = {}  # cells' edges lie on few distinct lines: each looked up once

    def column(x: float) -> int:
        c = column_at.get(x)
        if c is None:
            c = column_at[x] = _nearest(xs, x)
        return c

    def remap(cells: Iterable[TableCell], row_shift: int) -> list[TableCell]:
        out = []
        for c in cells:
            box = c.loc.box if c.loc and c.loc.box else None
            if box is None:
                return []
            c0, c1 = column(box[0]), column(box[2])
            out.append(TableCell(c.text, c.row + row_shift, c0, c.rowspan, max(1, c1 - c0),
                                 c.loc, c.confidence))
        return out

    top_cells = remap(a.block.cells, 0)
    n_top = a.block.n_rows
    # a header row repeated on the new page is dropped: it is not data
    rows_a, rows_b = _rows_by_start(a.block), _rows_by_start(b.block)
    skip = 0
    while (row := _row_text(rows_b.get(skip, []))) and row == _row_text(rows_a.get(skip, [])):
        skip += 1
    bottom_cells = remap([c for c in b.block.cells if c.row >= skip], n_top - skip)
    if not top_cells or not bottom_cells:
        return None
    # A label cell cut by the page break (the group label "（四）无" | "法提供") is one cell:
    # the same columns on both sides, touching the break, spanning several rows on one side.
    last = {(c.col, c.colspan): c for c in top_cells if c.row + c.rowspan == n_top}
    joined: list[TableCell] = []
    for c in bottom_cells:
        p = last.get((c.col, c.colspan)) if c.row == n_top else None
        if p is not None and (p.rowspan > 1 or c.rowspan > 1):
            p.text = join_wrapped([p.text, c.text])
            p.rowspan += c.rowspan
            if c.confidence is not None:
                p.confidence = c.confidence if p.confidence is None else min(p.confidence, c.confidence)
            continue
        joined.append(c)
    table = Table(top_cells + joined, a.block.loc, aligned=True)
    return _Placed(a.page, a.top, b.bottom, table, xs=xs)


def _join_across_pages(pages: list[list[_Placed]], units: Units) -> list[_Placed]:
    out: list[_Placed] = []
    for page in pages:
        for i, p in enumerate(page):
            if (i == 0 and out and isinstance(p.block, Table) and isinstance(out[-1].block, Table)
                    and out[-1].page < p.page):
                joined = _join_tables(out[-1], p, units)
                if joined is not None:
                    out[-1] = joined
                    continue
            out.append(p)
    return out


def build_document(pages: Sequence[PageContent], kind: str, file: str, units: Units) -> Document:
    """Pages to a Document: per-page blocks, page furniture dropped, tables cut by a page
    break joined back together."""
    layouts = _page_layouts(pages, units)
    # the usual type size of the prose (table text is often smaller); OCR glyphs are words and
    # lines whose height is no font size, so scans get no title joining
    sizes = [size for _, _, outside in layouts for size in _prose_sizes(outside)]
    body_em = _median(sizes) if sizes else None
    per_page = [page_blocks(p, layout, body_em) for p, layout in zip(pages, layouts, strict=True)]
    placed = _join_across_pages(_drop_furniture(per_page), units)
    return Document([p.block for p in placed], kind=kind, file=file, pages=len(pages),  # type: ignore[arg-type]
                    warnings=_doubtful_lines(placed))


def _prose_sizes(outside: Sequence[Glyph]) -> list[float]:
    """The sizes of the glyphs outside every table that set type (not spaces, not OCR's)."""
    if type(outside) is _ReadLines:
        return outside.ink_sizes()
    return [g.size for g in outside if not g.space and g.confidence is None]


def _doubtful_lines(placed: list) -> list[str]:
    """One warning per page naming its OCR text lines with a character below LOW_CONFIDENCE,
    weakest quoted first. Paragraph has no confidence field (table cells carry their own), so
    this is where a reader learns which sentences to check; a line each would bury the
    report's real findings under dozens of them on every scan."""
    by_page: dict[int | None, list[tuple[float, Paragraph]]] = {}
    for p in placed:
        if isinstance(p.block, Paragraph) and p.confidence is not None and p.confidence < LOW_CONFIDENCE:
            by_page.setdefault(p.block.loc.page, []).append((p.confidence, p.block))
    warnings = []
    for page, lines in by_page.items():
        weakest = sorted(lines, key=lambda x: x[0])[:3]
        quoted = "; ".join(f"L{b.loc.line} {b.text[:24]!r} ({c:.2f})" for c, b in weakest)
        where = ", ".join(f"L{b.loc.line}" for _, b in lines)
        warnings.append(_("p{page}: {n} text line(s) read by OCR with a character below {limit:.2f} confidence "
                          "({where}); weakest: {quoted}").format(page=page, n=len(lines), limit=LOW_CONFIDENCE,
                                                                 where=where, quoted=quoted))
    return warnings
