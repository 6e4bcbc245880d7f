"""Fill unknown cells only where the arithmetic fixes them uniquely.

Every relation of the template is an equation sum(lhs) = sum(rhs) over non-negative integers.
Constraint propagation to a fixpoint, with two deductions:

- one unknown in an equation: it equals the difference (kept only if a non-negative integer);
- several unknowns all on the same side, and the known terms already balance: every one of
  them is 0 (non-negative parts summing to 0). This is how a column whose total is 0 forces
  its unprinted parts to 0.

Values fixed this way are marked `inferred`. If an inferred value then breaks another relation
(the printed numbers are inconsistent), every inference touching that relation is withdrawn:
an inconsistent table never gets numbers it did not print.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from xxgk.i18n import _
from xxgk.report import Cell
from xxgk.template import Equation

_Prepared = tuple[Equation, tuple[str, ...], tuple[int, ...], Callable[[dict[str, Cell]], Any]]
_PREPARED: dict[int, tuple[Sequence[Equation], list[_Prepared]]] = {}


def _prepared(equations: Sequence[Equation]) -> list[_Prepared]:
    """(equation, its paths lhs + rhs, their signs, a getter of their cells) for each equation,
    built once per tuple of equations (a template's; the entry keeps it alive, so its id stays
    its own). A list is prepared each time."""
    if not isinstance(equations, tuple):
        return [_prepare(eq) for eq in equations]
    found = _PREPARED.get(id(equations))
    if found is None or found[0] is not equations:
        if len(_PREPARED) >= 64:  # equations made on the fly (tests): keep the cache bounded
            _PREPARED.clear()
        found = _PREPARED[id(equations)] = (equations, [_prepare(eq) for eq in equations])
    return found[1]


def _prepare(eq: Equation) -> _Prepared:
    paths = eq.cells
    getter = itemgetter(*paths)
    return eq, paths, (1,) * len(eq.lhs) + (-1,) * len(eq.rhs), (lambda c: (getter(c),)) if len(paths) == 1 else getter


def infer(cells: dict[str, Cell], equations: Sequence[Equation]) -> list[str]:
    """Infer in place; returns the paths that were filled."""
    usable = [x for x in _prepared(equations) if all(map(cells.__contains__, x[1]))]
    originals: dict[str, Cell] = {}
    words: tuple[str, str, str] | None = None
    todo = usable
    # the paths whose value is unknown, kept up to date below: a relation is closed when it has
    # none of them (one set operation, in C)
    unknowns = {p for p, c in cells.items() if c.value is None}
    changed = True
    while changed:
        changed = False
        open_eqs = []  # a relation with every term known stays so (values are only ever set here)
        for item in todo:
            eq, paths, signs, getter = item
            if unknowns.isdisjoint(paths):
                continue
            values = [c.value for c in getter(cells)]
            open_eqs.append(item)
            unknown = [(p, s) for p, s, v in zip(paths, signs, values, strict=True) if v is None]
            if any(isinstance(v, float) and not float(v).is_integer() for v in values if v is not None):
                continue
            residual = -sum(int(v) * s for v, s in zip(values, signs, strict=True) if v is not None)
            if len(unknown) == 1:
                path, sign = unknown[0]
                value = residual * sign
                if value >= 0:
                    originals.setdefault(path, cells[path])
                    words = words or _words()
                    cells[path] = _inferred(cells[path], value, eq, words)
                    unknowns.discard(path)
                    changed = True
            elif len({s for _, s in unknown}) == 1 and residual == 0:
                words = words or _words()
                for path, _ in unknown:
                    originals.setdefault(path, cells[path])
                    cells[path] = _inferred(cells[path], 0, eq, words)
                    unknowns.discard(path)
                changed = True
        todo = open_eqs
    _withdraw_inconsistent(cells, usable, originals)
    return [p for p in cells if p in originals]


def _words() -> tuple[str, str, str]:
    """The words of an inference note in the current language, looked up once per inference."""
    return _("printed blank"), _("not printed"), _("{printed}; fixed by the arithmetic ({code}: {relation})")


def _inferred(old: Cell, value: int, eq: Equation, words: tuple[str, str, str]) -> Cell:
    blank, not_printed, fixed = words
    printed = blank if old.status == "blank" else not_printed
    note = fixed.format(printed=printed, code=eq.code, relation=eq.description)
    if old.note:
        note = f"{old.note}; {note}"
    return Cell(value, "inferred", old.loc, old.raw, note)


def _withdraw_inconsistent(cells: dict[str, Cell], equations: list[_Prepared], originals: dict[str, Cell]) -> None:
    while originals:  # without an inferred value there is nothing to withdraw
        bad: set[str] = set()
        unknowns = {p for p, c in cells.items() if c.value is None}
        for eq, paths, _signs, getter in equations:
            if not unknowns.isdisjoint(paths):  # numbers never equal None
                continue
            values = [c.value for c in getter(cells)]
            n = len(eq.lhs)
            if sum(values[:n]) != sum(values[n:]):  # type: ignore[arg-type]
                bad.update(p for p in paths if p in originals)
        if not bad:
            return
        for path in bad:
            cells[path] = originals.pop(path)
