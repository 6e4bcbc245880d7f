"""Flatten a Document into printed lines of tokens: label text, numbers, blanks.

Every input kind ends up here: a Paragraph is one line whose tokens are split on whitespace
(PDF-to-text prints "label 1 0 0 3"); a table row is one line whose tokens are its cells.
Values are read from the *trailing run* of a line (numbers and blanks after the last label
token), which is where every template prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from typing import Literal

from xxgk.document import Document, Location, Paragraph, Table, TableCell
from xxgk.text import nfkc, normalize

TokenKind = Literal["label", "number", "blank", "empty", "garbled"]

_UNITS = r"(?:件|个|条|项|次|人|宗|份|起|家|万元|元|亿元)"
_NUMBER = re.compile(
    rf"^(?P<num>[-+−]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)\s*(?P<unit>{_UNITS})?$"
)
_UNIT_ONLY = re.compile(rf"^{_UNITS}$")
# What reports print for "nothing here": dashes, slashes, 无, 空.
_BLANK = re.compile(r"^(?:[-—–－_/／\\]+|无|空|/)$")
_ANY_DIGIT = re.compile(r"[0-9０-９]")
# A Chinese character that no value holds (not a unit of _UNITS, not 无 or 空 of _BLANK): NFKC
# keeps it, so neither a number, nor a blank mark, nor a garbled value (no Chinese) can match.
_VALUE_CHARS = "".join(sorted({ch for ch in _UNITS + _BLANK.pattern if "\u4e00" <= ch <= "\u9fff"}))
# (a CJK character, then a look back at it: a regex opening with a class is searched fast)
_WORDY = re.compile(f"[\u4e00-\u9fff](?<![{_VALUE_CHARS}])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")
_BRACKET = re.compile(r"[()（）]")
_ORDINAL = re.compile(r"^\d+[.、]$")  # 1. / 2、: a list number, not a value
# Sentence punctuation: a line containing it is narrative, never a table row label.
_SENTENCE = re.compile(r"[。；;]")
LOW_CONFIDENCE = 0.80


@dataclass(slots=True)
class Token:
    text: str
    kind: TokenKind
    value: int | float | None = None
    unit: str | None = None
    col: int | None = None  # grid column when the line comes from an aligned table
    loc: Location | None = None
    confidence: float | None = None


@dataclass(slots=True)
class Line:
    tokens: list[Token]
    loc: Location
    aligned: bool = False
    in_table: bool = False
    raw: str = ""
    index: int = 0
    _label: str | None = field(default=None, repr=False)
    _run: TrailingRun | None = field(default=None, repr=False)
    _narrative: bool | None = field(default=None, repr=False)
    _norm: str | None = field(default=None, repr=False)

    @property
    def norm(self) -> str:
        """The whole line normalised (xxgk.text.normalize of `raw`), computed once: the outline,
        the table regions and the template votes all read it."""
        if self._norm is None:
            self._norm = normalize(self.raw)
        return self._norm

    @property
    def label(self) -> str:
        """Normalised text of the label tokens (everything that is not a trailing value)."""
        if self._label is None:
            values = self.trailing_values()
            head = self.tokens[: len(self.tokens) - values.consumed] if values.consumed else self.tokens
            self._label = normalize("".join([t.text for t in head if t.kind != "empty"]))
        return self._label

    @property
    def is_narrative(self) -> bool:
        """Running text, not a table row: a sentence, a very long line, or (outside a table) a
        wrapped line of prose that happens to end in one or two numbers ("…申请15件，办结 15")."""
        if self._narrative is None:
            self._narrative = (bool(_SENTENCE.search(self.raw))
                               or (len(self.raw) > 80 and len(self.norm) > 80)
                               or (not self.in_table and _is_wrapped_prose(self)))
        return self._narrative

    def trailing_values(self) -> TrailingRun:
        if self._run is None:
            self._run = trailing_run(self.tokens, self.aligned)
        return self._run


@dataclass(slots=True)
class TrailingRun:
    tokens: list[Token]  # value slots in print order: number, blank, empty or garbled
    consumed: int  # how many tokens at the end of the line the run covers (incl. trailing empties)
    _has: bool | None = field(default=None, repr=False, compare=False)

    @property
    def has_values(self) -> bool:
        if self._has is None:  # asked of every line several times; tokens never change kind
            self._has = any(t.kind in ("number", "blank", "garbled") for t in self.tokens)
        return self._has

    @property
    def all_empty(self) -> bool:
        """Value slots that are all empty cells: a row of blanks in an aligned table."""
        return bool(self.tokens) and all(t.kind == "empty" for t in self.tokens)


def _is_wrapped_prose(line: Line) -> bool:
    run = line.trailing_values().tokens
    if len(run) > 2 and run[0].kind != "empty" and run[1].kind != "empty" and run[2].kind != "empty":
        return False  # three values at least (the common table row), without counting them all
    values = [t for t in run if t.kind != "empty"]
    if not values or len(values) > 2:
        return False
    label = line.label
    # Row labels with a comma are long (（二）部分公开（区分处理的，只计这一情形…）) and carry 7 values.
    return "," in label or bool(_PROSE_COUNT.search(label))


# A count in prose: a unit right after a digit (searched from the unit: see _WORDY).
_PROSE_UNITS = "件个条项次人宗份起家"
_PROSE_COUNT = re.compile(f"[{_PROSE_UNITS}](?<=\\d[{_PROSE_UNITS}])")


def classify(text: str, col: int | None = None, loc: Location | None = None,
             confidence: float | None = None) -> Token:
    raw = text.strip()
    if raw.isdigit() and raw.isascii():  # the common case, kept fast
        return Token(raw, "number", int(raw), None, col, loc, confidence)
    if raw and not _ANY_DIGIT.search(raw) and not _BLANK.match(raw):
        return Token(raw, "label", None, None, col, loc, confidence)
    if _WORDY.search(raw):  # what follows would find a label too, after normalising
        return Token(raw, "label", None, None, col, loc, confidence)
    t = nfkc(raw)
    t = t.replace(" ", "").replace("\u3000", "")
    if not t:
        return Token(raw, "empty", None, None, col, loc, confidence)
    m = _NUMBER.match(t)
    if m:
        num = m.group("num").replace(",", "").replace("−", "-")
        try:
            d = Decimal(num)
        except InvalidOperation:
            return Token(raw, "garbled", None, None, col, loc, confidence)
        value: int | float = int(d) if d == d.to_integral_value() and "." not in num else float(d)
        return Token(raw, "number", value, m.group("unit"), col, loc, confidence)
    if _BLANK.match(t):
        return Token(raw, "blank", None, None, col, loc, confidence)
    if (len(t) <= 10 and any(ch.isdigit() for ch in t) and not _CJK.search(t)
            and not _BRACKET.search(t) and not _ORDINAL.match(t)):
        # e.g. "1O3", "12?" from OCR or a bad extraction: a value slot whose value is unknown.
        return Token(raw, "garbled", None, None, col, loc, confidence)
    return Token(raw, "label", None, None, col, loc, confidence)


def split_words(text: str, loc: Location) -> list[Token]:
    """Tokens of a free text line: whitespace separates numbers; a unit after a number joins it;
    label words next to each other are one label token (words joined by a space)."""
    tokens: list[Token] = []
    labels: list[str] = []  # label words not yet made a token
    any_digit, blank = _ANY_DIGIT.search, _BLANK.match
    for word in text.split():  # words have no whitespace around them: classify's strip is a no-op
        if word.isdigit() and word.isascii():  # classify's answers for a plain number and a
            tok = Token(word, "number", int(word), None, None, loc)  # plain label, without the call
        elif not any_digit(word) and not blank(word):
            if not labels and tokens and tokens[-1].kind == "number" and tokens[-1].unit is None \
                    and _UNIT_ONLY.match(word):
                tokens[-1].unit = word  # the unit of the number before it
                tokens[-1].text += word
            else:
                labels.append(word)
            continue
        else:
            tok = classify(word, loc=loc)
            if tok.kind == "label":  # a label token is its text and the line's location
                labels.append(word)
                continue
        if labels:
            tokens.append(Token(" ".join(labels), "label", None, None, None, loc))
            labels = []
        tokens.append(tok)
    if labels:
        tokens.append(Token(" ".join(labels), "label", None, None, None, loc))
    return tokens


def cell_tokens(text: str, col: int | None, loc: Location | None, confidence: float | None) -> list[Token]:
    """A table cell is one token, unless it holds several numbers ("0 0 0") or a label and numbers."""
    tok = classify(text, col, loc, confidence)
    if tok.kind != "label" or not _DIGIT.search(text) or len(text.split()) < 2:
        return [tok]
    parts = split_words(text, loc or Location())
    for p in parts:
        p.col, p.confidence = col, confidence
    return parts


_VALUE_SLOTS = frozenset(("number", "blank", "empty", "garbled"))


def trailing_run(tokens: list[Token], aligned: bool) -> TrailingRun:
    """The value slots at the end of a line.

    Walk back from the end over numbers, blanks, garbled values and empty cells; stop at the
    first label. In a text dump empty cells at either end of the run are layout (TSV rows end
    with tabs) and are dropped; in an aligned table an empty cell is a real printed blank at a
    known column, so they are kept and `place_values` decides which ones are the row's.
    """
    end = len(tokens)
    if not aligned:
        while end > 0 and tokens[end - 1].kind == "empty":
            end -= 1
    start = end
    has = False  # TrailingRun.has_values, known on the way
    while start > 0:
        kind = tokens[start - 1].kind
        if kind not in _VALUE_SLOTS:
            break
        if kind != "empty":
            has = True
        start -= 1
    first = start
    if not aligned:
        while first < end and tokens[first].kind == "empty":
            first += 1
    run = tokens[first:end]
    return TrailingRun(run, len(tokens) - start if run else len(tokens) - end, has)


def document_lines(doc: Document) -> list[Line]:
    lines: list[Line] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            lines.append(Line(split_words(block.text, block.loc), block.loc, False, False, block.text))
        elif isinstance(block, Table):
            lines.extend(_table_lines(block))
    for i, line in enumerate(lines):
        line.index = i
    return lines


_COL = attrgetter("col")


def _rows(table: Table) -> list[list[TableCell]]:
    """The table's non-empty rows as Table.rows() gives them (cells grouped by the grid row they
    start in, left to right), without its pass for the row count and with a key written in C."""
    by_row: dict[int, list[TableCell]] = {}
    for c in table.cells:
        row = by_row.get(c.row)
        if row is None:
            by_row[c.row] = [c]
        else:
            row.append(c)
    out = [by_row[r] for r in sorted(by_row)]
    for row in out:
        row.sort(key=_COL)
    return out


def _table_lines(table: Table) -> list[Line]:
    out: list[Line] = []
    table_loc, aligned = table.loc, table.aligned
    for row in _rows(table):
        tokens: list[Token] = []
        for cell in row:
            raw = cell.text.strip()
            # most cells are plain digits, empty or a label without digits: cell_tokens' answers,
            # without the calls
            if raw.isdigit() and raw.isascii():
                tokens.append(Token(raw, "number", int(raw), None, cell.col, cell.loc or table_loc, cell.confidence))
            elif not raw:
                tokens.append(Token(raw, "empty", None, None, cell.col, cell.loc or table_loc, cell.confidence))
            elif not _DIGIT.search(raw) and not _BLANK.match(raw):
                tokens.append(Token(raw, "label", None, None, cell.col, cell.loc or table_loc, cell.confidence))
            else:
                tokens.extend(cell_tokens(cell.text, cell.col, cell.loc or table_loc, cell.confidence))
        loc = next((c.loc for c in row if c.loc), None) or table_loc
        raw = "\t".join([c.text for c in row])
        out.append(Line(tokens, loc, aligned, True, raw))
    return out
