"""The shape of a template declaration: plain frozen dataclasses, no behaviour beyond lookups.

A template (FORMAT.md) is declared once as data in `declarations.py`; the parser's label
matcher, the checker's arithmetic, the JSON output, the store and the renderers all read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

ValueKind = Literal["count", "signed", "money"]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ValueKind = "count"
    # Regexes over the normalised label text (see xxgk.text.normalize) that identify this column.
    match: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    columns: tuple[Column, ...]
    # Regexes over normalised label text; any of them identifies the row.
    match: tuple[str, ...]
    # Printed heading the row sits under (e.g. 第二十条第（一）项, （三）不予公开).
    block: str = ""
    # A row whose label is also a group heading elsewhere (（六）其他处理): it only counts when it is
    # the last label before the numbers, never when a more specific label follows it.
    heading_like: bool = False

    @cached_property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.match)

    @cached_property
    def _columns_by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    def column(self, key: str) -> Column:
        try:
            return self._columns_by_key[key]
        except KeyError:
            raise KeyError(f"{self.key} has no column {key!r}") from None


@dataclass(frozen=True)
class Table:
    key: Literal["active", "applications", "appeals"]
    section: int
    title: str
    rows: tuple[Row, ...]
    # "rows": one printed line per row; "flat": all cells printed on one line in row-major
    # order (Table 四 prints its 15 numbers as a single row).
    layout: Literal["rows", "flat"] = "rows"

    @property
    def numeral(self) -> str:
        """The numeral of the table's section, its short name in text: 三 for table 三."""
        return self.title.split("、", 1)[0]

    @cached_property
    def _rows_by_key(self) -> dict[str, Row]:
        return {r.key: r for r in self.rows}

    def row(self, key: str) -> Row:
        try:
            return self._rows_by_key[key]
        except KeyError:
            raise KeyError(f"{self.key} has no row {key!r}") from None

    def has_row(self, key: str) -> bool:
        return key in self._rows_by_key

    def cell_paths(self) -> list[str]:
        return [f"{self.key}.{r.key}.{c.key}" for r in self.rows for c in r.columns]


@dataclass(frozen=True)
class Equation:
    """sum(lhs) == sum(rhs), one concrete arithmetic relation over cell paths."""

    code: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    description: str

    @property
    def cells(self) -> tuple[str, ...]:
        return self.lhs + self.rhs


@dataclass(frozen=True)
class Section:
    no: int
    title: str
    # Regex over the normalised heading text (numeral prefix already checked by the parser).
    match: str
    # Heads the section must cover: (name, regex) pairs.
    required_heads: tuple[tuple[str, str], ...] = ()

    @property
    def numeral(self) -> str:
        """一 … 六, as printed before the title."""
        return self.title.split("、", 1)[0]

    @property
    def name(self) -> str:
        """The title without its numeral: 总体情况."""
        return self.title.split("、", 1)[-1]


@dataclass(frozen=True)
class Template:
    id: str
    notice: str
    first_year: int
    tables: tuple[Table, ...]
    equations: tuple[Equation, ...]
    # Regexes over normalised text; each hit is a vote for this template.
    signatures: tuple[str, ...] = ()
    # Rows of the *other* template that a report on this one may print by mistake; kept under
    # their own key and reported as outdated (FORMAT.md: a 2023 report printing the 2019 （六）).
    foreign_rows: tuple[Row, ...] = field(default_factory=tuple)
    # The template's own rows that the foreign rows stand in for, and the arithmetic that holds
    # when a report prints the foreign rows instead of them.
    replaced_by_foreign: tuple[str, ...] = ()
    foreign_equations: tuple[Equation, ...] = ()

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    def cell_paths(self) -> list[str]:
        return [p for t in self.tables for p in t.cell_paths()]

    def row_of(self, path: str) -> Row:
        t, r, _ = path.split(".")
        table = self.table(t)
        return table.row(r) if table.has_row(r) else next(x for x in self.foreign_rows if x.key == r)

    def label(self, path: str) -> str:
        """Human label of a cell path, verbatim from the template: "（一）予以公开 / 自然人"."""
        row = self.row_of(path)
        col = row.column(path.split(".")[2])
        return f"{row.label} / {col.label}"

    def column_of(self, path: str) -> Column:
        t, r, c = path.split(".")
        table = self.table(t)
        row = table.row(r) if table.has_row(r) else next(x for x in self.foreign_rows if x.key == r)
        return row.column(c)
