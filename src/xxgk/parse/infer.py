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

from collections.abc import Sequence

from xxgk.i18n import _
from xxgk.report import Cell
from xxgk.template import Equation


def infer(cells: dict[str, Cell], equations: Sequence[Equation]) -> list[str]:
    """Infer in place; returns the paths that were filled."""
    usable = [eq for eq in equations if all(map(cells.__contains__, eq.cells))]
    terms_of = [(eq, [(p, 1) for p in eq.lhs] + [(p, -1) for p in eq.rhs]) for eq in usable]
    originals: dict[str, Cell] = {}
    words: tuple[str, str, str] | None = None
    changed = True
    while changed:
        changed = False
        open_eqs = []  # a relation with every term known stays so (values are only ever set here)
        for eq, terms in terms_of:
            # every path of a usable equation has a cell; a term is known when its value is set
            unknown = [(p, s) for p, s in terms if cells[p].value is None]
            if not unknown:
                continue
            open_eqs.append((eq, terms))
            known = [cells[p].value for p, _ in terms if cells[p].value is not None]
            if any(isinstance(v, float) and not float(v).is_integer() for v in known):
                continue
            residual = -sum(int(cells[p].value) * s for p, s in terms if cells[p].value is not None)  # type: ignore[arg-type]
            if len(unknown) == 1:
                path, sign = unknown[0]
                value = residual * sign
                if value >= 0:
                    originals.setdefault(path, cells[path])
                    words = words or _words()
                    cells[path] = _inferred(cells[path], value, eq, words)
                    changed = True
            elif len({s for _, s in unknown}) == 1 and residual == 0:
                words = words or _words()
                for path, _ in unknown:
                    originals.setdefault(path, cells[path])
                    cells[path] = _inferred(cells[path], 0, eq, words)
                changed = True
        terms_of = open_eqs
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


def _withdraw_inconsistent(cells: dict[str, Cell], equations: Sequence[Equation], originals: dict[str, Cell]) -> None:
    while originals:  # without an inferred value there is nothing to withdraw
        bad: set[str] = set()
        for eq in equations:
            paths = eq.cells  # lhs + rhs
            values = [cells[p].value for p in paths]
            if None in values:  # numbers never equal None
                continue
            n = len(eq.lhs)
            if sum(values[:n]) != sum(values[n:]):  # type: ignore[arg-type]
                bad.update(p for p in paths if p in originals)
        if not bad:
            return
        for path in bad:
            cells[path] = originals.pop(path)
