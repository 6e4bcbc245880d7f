"""Columns the template does not have: table 三's 小计 (subtotal of the five 法人或其他组织 columns).

Many offices print a 小计 column between 其他 and 总计, so every row carries 8 numbers for the
template's 7. The column is found by its header where one is printed (in a grid, by its grid
column), and otherwise by the arithmetic: a value equal to the sum of the five 法人或其他组织
columns, at the same place on (nearly) every row that has one number too many. It is removed
before the values are placed — it never shifts them — and checked: a subtotal that does not
add up is reported with the row's unmatched values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xxgk.parse.lines import Line, Token
from xxgk.template import APPLICANT_PARTS, Table
from xxgk.text import normalize

_SUBTOTAL = "小计"
_ORG = slice(1, len(APPLICANT_PARTS))  # 商业企业 … 其他 among the template's columns


def _num(tok: Token) -> float | None:
    if tok.kind == "number":
        return float(tok.value)  # type: ignore[arg-type]
    if tok.kind in ("blank", "empty"):
        return 0.0
    return None


def _adds_up(sub: Token, rest: Sequence[Token]) -> bool | None:
    """Whether `sub` is the sum of the five 法人 values among `rest` (None: not decidable)."""
    total = _num(sub)
    parts = [_num(t) for t in rest[_ORG]]
    if total is None or any(p is None for p in parts):
        return None
    return abs(total - sum(parts)) < 1e-9  # type: ignore[arg-type]


@dataclass
class ExtraColumns:
    position: int | None  # index among a row's printed values (n + 1 of them)
    col: int | None  # grid column, when an aligned header names it
    by: str  # "header" or "arithmetic"
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    short_rows: set[int] = field(default_factory=set)  # lines that printed one number too few

    def describe(self) -> dict[str, Any]:
        return {"label": _SUBTOTAL, "position": self.position, "grid_col": self.col, "by": self.by}

    def strip(self, tokens: list[Token], n: int, line: Line, label: str) -> list[Token]:
        """The row's value tokens without the subtotal (unchanged when it is not there)."""
        if self.col is not None and line.aligned:
            at = next((i for i, t in enumerate(tokens) if t.col == self.col), None)
            if at is None:
                return tokens
            rest = tokens[:at] + tokens[at + 1:]
            self._check(tokens[at], rest, n, line, label)
            return rest
        values = [t for t in tokens if t.kind != "empty"]
        if len(values) == n and not line.aligned:
            # the table prints its 小计 on every row: a row of 7 lost one of its 8 numbers, and
            # which one cannot be told
            self.short_rows.add(line.index)
            return tokens
        if len(values) != n + 1 or self.position is None:
            return tokens
        sub = values[self.position]
        rest = values[:self.position] + values[self.position + 1:]
        if self.by == "arithmetic" and _adds_up(sub, rest) is False:
            return tokens  # not this row's subtotal: the row keeps its values (and its problem)
        self._check(sub, rest, n, line, label)
        return rest

    def _check(self, sub: Token, rest: list[Token], n: int, line: Line, label: str) -> None:
        self.rows += 1
        if len(rest) == n and _adds_up(sub, rest) is False:
            self.mismatches.append({"table": "applications", "label": f"{label} {_SUBTOTAL}", "loc": str(line.loc),
                                    "values": [sub.text]})


def _header_col(lines: Sequence[Line]) -> tuple[bool, int | None]:
    for line in lines:
        if line.is_narrative or line.trailing_values().has_values:
            continue
        for tok in line.tokens:
            if _SUBTOTAL in normalize(tok.text):
                return True, tok.col if line.aligned else None
    return False, None


def find_extra_columns(lines: Sequence[Line], table: Table) -> ExtraColumns | None:
    """The 小计 column of table 三, if the table prints one."""
    if table.key != "applications":
        return None
    n = len(table.rows[0].columns)
    header, col = _header_col(lines)
    if header and col is not None:
        return ExtraColumns(None, col, "header")
    support: Counter[int] = Counter()
    rows = 0
    for line in lines:
        if not line.in_table and line.is_narrative:
            continue
        values = [t for t in line.trailing_values().tokens if t.kind != "empty"]
        if len(values) != n + 1:
            continue
        rows += 1
        for k in range(1, n + 1):
            if _adds_up(values[k], values[:k] + values[k + 1:]):
                support[k] += 1
    default = n - 1  # between 其他 and 总计, where the forms print it
    if not support:
        return ExtraColumns(default, None, "header") if header else None
    best = max(support, key=lambda k: (support[k], k == default, -k))
    if header or (rows >= 2 and support[best] >= 0.8 * rows) or (rows == 1 and support[best] == 1 and best == default):
        return ExtraColumns(best, None, "header" if header else "arithmetic")
    return None
