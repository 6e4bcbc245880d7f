"""What a printed word is (xxgk.parse.lines.classify): the shortcuts give classify's full answer."""

from __future__ import annotations

import pytest

from xxgk.parse.lines import classify


@pytest.mark.parametrize(("word", "kind", "value", "unit"), [
    ("15", "number", 15, None),
    ("１５", "number", 15, None),
    ("15件", "number", 15, "件"),
    ("1,234万元", "number", 1234, "万元"),
    ("0.5", "number", 0.5, None),
    ("", "empty", None, None),
    ("　", "empty", None, None),
    ("—", "blank", None, None),
    ("无", "blank", None, None),
    ("1O3", "garbled", None, None),
    ("2024年，全区共收到申请15件", "label", None, None),  # a Chinese word no value holds
    ("1.属于国家秘密", "label", None, None),
    ("（一）", "label", None, None),
    ("3.", "label", None, None),
])
def test_classify(word: str, kind: str, value: float | None, unit: str | None) -> None:
    tok = classify(word)
    assert (tok.kind, tok.value, tok.unit) == (kind, value, unit)
    assert type(tok.value) is type(value)
