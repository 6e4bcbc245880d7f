"""The row index of xxgk.parse.tables answers exactly what running every row's regexes answers."""

from __future__ import annotations

import random

from xxgk.parse.tables import _required_literal, _RowIndex
from xxgk.template import TEMPLATES
from xxgk.template.model import Column, Row


def _brute(rows: list[Row], label: str) -> tuple[tuple[int, Row], ...]:
    hits = []
    for row in rows:
        starts = [m.start() for p in row.patterns for m in p.finditer(label)]
        if starts:
            hits.append((max(starts), row))
    return tuple(sorted(hits, key=lambda h: h[0]))


def _tables() -> list[list[Row]]:
    out = []
    for t in TEMPLATES.values():
        for table in t.tables:
            out += [list(table.rows), [*table.rows, *t.foreign_rows]]
    return out


def test_required_literal() -> None:
    assert _required_literal(r"新收.{0,6}申请") == "新收"
    assert _required_literal(r"(^|\D)3[.]其他$") == "其他"
    assert _required_literal(r"^\(?七\)?总计") == "总计"
    assert _required_literal(r"\(七\)总计") == "(七)总计"
    assert _required_literal(r"上一?年度?结转") == "结转"
    assert _required_literal(r"a{2,3}bc") == "bc"
    assert _required_literal(r"^[一二]$") == ""


def test_index_matches_every_row_regex() -> None:
    rng = random.Random(3)
    tables = _tables()
    words = [r.label for rows in tables for r in rows] + ["(七)总计", "总计", "3.其他", "其他", "上年结转下年度"]
    labels = list(words)
    for _ in range(300):
        labels.append("".join(rng.choice(words)[rng.randrange(4):][:rng.randint(1, 12)]
                              for _ in range(rng.randint(1, 4))))
    for rows in tables:
        index = _RowIndex(rows)
        for label in labels:
            assert index.matches(label) == _brute(rows, label), label


def test_overlapping_and_irregular_patterns() -> None:
    cols = (Column("total", "总计"),)
    rows = [Row("a", "a", cols, ("abab",)), Row("b", "b", cols, ("ba|ab",)), Row("c", "c", cols, ("b+a",)),
            Row("d", "d", cols, ("[ab]",)), Row("e", "e", cols, ("(?i)AB",))]
    index = _RowIndex(rows)
    for label in ["abababa", "bab", "aab", "AB", "xx", "ba" * 5, "babab"]:
        assert index.matches(label) == _brute(rows, label), label
