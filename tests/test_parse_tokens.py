"""What a printed word is (xxgk.parse.lines.classify): the shortcuts give classify's full answer."""

from __future__ import annotations

import random

import pytest

from xxgk.document import Document, Location, Table, TableCell
from xxgk.parse.lines import _UNIT_ONLY, Token, cell_tokens, classify, document_lines, split_words


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


def _split_words_by_classify(text: str, loc: Location) -> list[Token]:
    """split_words as first written: classify every word, a unit joins the number before it,
    consecutive labels are joined by a space."""
    tokens: list[Token] = []
    for word in text.split():
        tok = classify(word, loc=loc)
        if tokens and tokens[-1].kind == "number" and tokens[-1].unit is None and _UNIT_ONLY.match(word):
            tokens[-1].unit = word
            tokens[-1].text += word
            continue
        tokens.append(tok)
    out: list[Token] = []
    for tok in tokens:
        if out and tok.kind == "label" and out[-1].kind == "label":
            out[-1].text += " " + tok.text
        else:
            out.append(tok)
    return out


def test_split_words_is_classify_word_by_word() -> None:
    rng = random.Random(7)
    words = ["12", "0", "１２", "1,234", "3.5", "-2", "件", "万元", "—", "/", "无", "1O3", "12?", "(一)", "1.",
             "予以公开", "自然人", "申请15件", "共", "2024年", "O", "一", "，", "（三）不予公开", "12件"]
    loc = Location(1, 2)
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 9)))
        assert split_words(text, loc) == _split_words_by_classify(text, loc), text


def test_table_cells_tokenised_like_cell_tokens() -> None:
    texts = ["12", "", " ", "自然人", "予以公开 12", "٣", "自然人٣ 4", "—", "无", "1O3", "１５", " 7 ", "(一) 3 4",
             "社会 公益 组织", "/"]
    loc = Location(3, 4)
    cells = [TableCell(t, 0, i, 1, 1, loc, 0.9 if i % 2 else None) for i, t in enumerate(texts)]
    line = document_lines(Document([Table(cells, loc, aligned=True)], kind="text"))[0]
    expected = [tok for c in cells for tok in cell_tokens(c.text, c.col, c.loc, c.confidence)]
    assert line.tokens == expected
