"""The template's arithmetic, evaluated on synthetic truth: which relations break, what they fix.

Both functions read the equations declared in `xxgk.template` (never their own copy), so the
generator's idea of "consistent" and "fixed uniquely" is the template's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from xxgk.template import Equation, Template

Number = int | float


def broken(template: Template, values: Mapping[str, Number | None]) -> list[Equation]:
    """Equations whose cells are all known and whose two sides differ."""
    out = []
    for eq in template.equations:
        cells = [values.get(p) for p in eq.cells]
        if any(v is None for v in cells):
            continue
        lhs = sum(values[p] for p in eq.lhs)  # type: ignore[misc]
        rhs = sum(values[p] for p in eq.rhs)  # type: ignore[misc]
        if lhs != rhs:
            out.append(eq)
    return out


def infer(equations: Iterable[Equation], values: Mapping[str, Number | None]) -> dict[str, Number | None]:
    """Fill unknown (None) cells that the equations fix uniquely; leave the others None.

    Two moves, repeated until nothing changes: an equation with a single unknown solves it; an
    equation whose unknowns all sit on one side and must sum to 0 forces each of them to 0, since
    every cell in an equation is a non-negative count (FORMAT.md: "a column whose total is 0
    forces every non-negative part to 0"). This is the notion of "fixed by the arithmetic" the
    truth records; an unknown these moves cannot fix stays None (to be reported, not guessed).
    """
    vals: dict[str, Number | None] = dict(values)
    eqs = [eq for eq in equations if all(p in vals for p in eq.cells)]
    changed = True
    while changed:
        changed = False
        for eq in eqs:
            unk_l = [p for p in eq.lhs if vals[p] is None]
            unk_r = [p for p in eq.rhs if vals[p] is None]
            if not unk_l and not unk_r:
                continue
            # sum(unk_r) - sum(unk_l) = known_lhs - known_rhs
            residual = (sum(vals[p] for p in eq.lhs if vals[p] is not None)  # type: ignore[misc]
                        - sum(vals[p] for p in eq.rhs if vals[p] is not None))  # type: ignore[misc]
            if len(unk_l) + len(unk_r) == 1:
                if unk_r:
                    vals[unk_r[0]] = residual
                else:
                    vals[unk_l[0]] = -residual
                changed = True
            elif (not unk_l and residual == 0) or (not unk_r and residual == 0):
                for p in unk_l + unk_r:
                    vals[p] = 0
                changed = True
    return vals


def blank_zero(equations: Iterable[Equation], filled: Mapping[str, Number | None], blanks: Iterable[str],
               marked: bool) -> dict[str, Number | None]:
    """The report's blank convention (FORMAT.md "Cell values", issue 13): when every blank the
    arithmetic fixed is 0, and there is evidence (a blank fixed to 0, or a whole row or group of
    several cells printed as a mark),
    the blanks it could not fix are 0 too — except where a 0 would break a relation whose cells
    are all known. Mirrors xxgk.parse.blanks for the truth."""
    vals: dict[str, Number | None] = dict(filled)
    blanks = list(blanks)
    unknown = [p for p in blanks if vals.get(p) is None]
    fixed = [p for p in blanks if vals.get(p) is not None]
    rows: dict[str, list[str]] = {}
    for p in vals:
        rows.setdefault(p.rsplit(".", 1)[0], []).append(p)
    blank_set = set(blanks)
    marked_row = marked and any(len(ps) >= 2 and all(p in blank_set for p in ps) for ps in rows.values())
    if not unknown or any(vals[p] != 0 for p in fixed) or not (fixed or marked_row):
        return vals
    for p in unknown:
        vals[p] = 0
    eqs = [eq for eq in equations if all(p in vals for p in eq.cells)]
    taken = set(unknown)
    for eq in eqs:
        if any(vals[p] is None for p in eq.cells):
            continue
        if sum(vals[p] for p in eq.lhs) != sum(vals[p] for p in eq.rhs):  # type: ignore[misc]
            for p in eq.cells:
                if p in taken and vals[p] == 0:
                    vals[p] = None
    if any(vals[p] == 0 for p in unknown):
        vals = infer(eqs, vals)
    return vals
