"""Match printed lines to template rows and place their values into cells.

The matcher is tolerant of how labels are printed (split over lines, spaced out, abbreviated)
and strict about numbers: a row's values are placed only when their count fits the row's
columns. A row that lost a number gets `missing` cells, never shifted values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xxgk.i18n import _
from xxgk.parse.lines import LOW_CONFIDENCE, Line, Token
from xxgk.report import Cell
from xxgk.template import Column, Row, Table

_LOOKAHEAD = 3


@dataclass
class TableResult:
    cells: dict[str, Cell] = field(default_factory=dict)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    # Row keys whose label was seen without any numbers (printed, but empty).
    labelled_empty: set[str] = field(default_factory=set)
    foreign_rows: list[str] = field(default_factory=list)
    last_line: int | None = None


def _matches(label: str, rows: Sequence[Row]) -> list[tuple[int, Row]]:
    """(position of the last occurrence, row) for every row whose pattern occurs in label."""
    hits: list[tuple[int, Row]] = []
    for row in rows:
        best = -1
        for pattern in row.patterns:
            for m in pattern.finditer(label):
                best = max(best, m.start())
        if best >= 0:
            hits.append((best, row))
    return sorted(hits, key=lambda h: h[0])


def _pick(label: str, rows: Sequence[Row], taken: set[str]) -> tuple[Row | None, list[Row]]:
    """The row the numbers belong to (the last label printed before them) and the rows whose
    labels were printed before it without numbers of their own."""
    hits = [(pos, row) for pos, row in _matches(label, rows) if row.key not in taken]
    if not hits:
        return None, []
    chosen_pos, chosen = hits[-1]
    # A heading-like row (（六）其他处理) followed by a more specific label is only a heading.
    earlier = [row for pos, row in hits[:-1] if pos < chosen_pos and not row.heading_like]
    return chosen, earlier


def cell_from_token(tok: Token, column: Column) -> Cell:
    loc = str(tok.loc) if tok.loc else None
    if tok.kind == "number":
        value = tok.value
        assert value is not None
        if tok.confidence is not None and tok.confidence < LOW_CONFIDENCE:
            return Cell(None, "missing", loc, tok.text,
                        _("OCR read “{text}” with confidence {confidence:.2f}; not trusted").format(
                            text=tok.text, confidence=tok.confidence))
        note = None
        if column.kind == "money" and tok.unit in ("元", "亿元"):
            factor = 0.0001 if tok.unit == "元" else 10000
            value = round(float(value) * factor, 6)
            value = int(value) if float(value).is_integer() else value
            note = _("printed in {unit}, converted to 万元").format(unit=tok.unit)
        raw = tok.text if tok.text != str(tok.value) else None
        return Cell(value, "read", loc, raw, note)
    if tok.kind in ("blank", "empty"):
        return Cell(None, "blank", loc, tok.text)
    return Cell(None, "missing", loc, tok.text, _("unreadable value"))


def _trim_empties(tokens: list[Token], n: int, leading: bool) -> list[Token]:
    """Drop empty cells from one end (then the other) until n remain: extra grid columns."""
    out = list(tokens)
    for side in ((0, -1) if leading else (-1, 0)):
        while len(out) > n and out[side].kind == "empty":
            out.pop(side)
    return out


def place_values(row: Row, tokens: list[Token], table_key: str, line: Line) -> tuple[dict[str, Cell], str | None]:
    """Cells of `row` from the value tokens of one line; (cells, problem) where problem says why
    the values could not be placed."""
    n = len(row.columns)
    options = [tokens, [t for t in tokens if t.kind != "empty"]]
    if line.aligned:
        options[1:1] = [_trim_empties(tokens, n, leading=True), _trim_empties(tokens, n, leading=False)]
    for option in options:
        if len(option) == n:
            return {f"{table_key}.{row.key}.{col.key}": cell_from_token(tok, col)
                    for col, tok in zip(row.columns, option, strict=True)}, None
    printed = " ".join(t.text or "␣" for t in tokens if t.kind != "empty")
    problem = _("printed {count} values ({printed}) for {n} columns").format(
        count=sum(t.kind != "empty" for t in tokens), printed=printed, n=n)
    note = _("row {problem}; which column lost its value cannot be told").format(problem=problem)
    return {f"{table_key}.{row.key}.{col.key}": Cell(None, "missing", str(line.loc), None, note)
            for col in row.columns}, problem


def parse_row_table(lines: Sequence[Line], table: Table, foreign: Sequence[Row] = ()) -> TableResult:
    """Rows printed one per line (tables 二 and 三)."""
    result = TableResult()
    rows = list(table.rows) + list(foreign)
    foreign_keys = {r.key for r in foreign}
    taken: set[str] = set()
    pending = ""
    consumed: set[int] = set()
    placed_badly: dict[str, Line] = {}  # rows whose values did not fit: a later exact line may claim them
    for i, line in enumerate(lines):
        if i in consumed:
            continue
        if line.is_narrative and not line.in_table:
            pending = ""  # running text ends whatever label was being assembled
            continue
        run = line.trailing_values()
        blank_row = run.all_empty and line.aligned and _pick(line.label, rows, taken)[0] is not None
        if not run.has_values and not blank_row:
            pending += line.label
            continue
        label = pending + line.label
        # The numbers belong to the label on their own line when it names a row; rows named only
        # in the lines above (without numbers of their own) were printed empty.
        open_rows = taken - placed_badly.keys()
        own = _pick(line.label, rows, open_rows)[0] if line.label else None
        if own is not None:
            chosen = own
            earlier = [r for _, r in _matches(pending, rows)
                       if r.key not in taken and r.key != own.key and not r.heading_like]
        else:
            chosen, earlier = _pick(label, rows, open_rows)
        if chosen is None:
            # Numbers printed before (the rest of) their label: a label wrapped below its numbers,
            # or cut by a page break ("5.要求 0 0 …" | next page "行政机关确认或重新出具已获取信息").
            chosen, earlier, used = _lookahead(lines, i, rows, open_rows, line.label)
            consumed.update(used)
        pending = ""
        if chosen is None:
            if label:
                result.unmatched.append(_unmatched(table.key, label, line, run.tokens))
            continue
        result.labelled_empty.update(r.key for r in earlier)
        cells, problem = place_values(chosen, run.tokens, table.key, line)
        if chosen.key in placed_badly:
            if problem:  # no better than the first line: keep that one, report this one
                result.unmatched.append(_unmatched(table.key, label, line, run.tokens))
                continue
            first = placed_badly.pop(chosen.key)
            first_run = first.trailing_values().tokens
            result.unmatched.append(_unmatched(table.key, first.label, first, first_run))
        elif problem:
            placed_badly[chosen.key] = line
        taken.add(chosen.key)
        result.cells.update(cells)
        result.last_line = line.index
        if chosen.key in foreign_keys:
            result.foreign_rows.append(chosen.key)
    return result


def _unmatched(table: str, label: str, line: Line, tokens: list[Token]) -> dict[str, Any]:
    return {"table": table, "label": label, "loc": str(line.loc),
            "values": [t.text for t in tokens if t.kind != "empty"]}


def _lookahead(lines: Sequence[Line], i: int, rows: Sequence[Row], taken: set[str],
               head: str = "") -> tuple[Row | None, list[Row], set[int]]:
    """Numbers printed before their (wrapped) label: try the label lines that follow."""
    label = head
    used: set[int] = set()
    for j in range(i + 1, min(i + 1 + _LOOKAHEAD, len(lines))):
        nxt = lines[j]
        if nxt.trailing_values().has_values or nxt.is_narrative:
            break
        label += nxt.label
        used.add(j)
        chosen, earlier = _pick(label, rows, taken)
        if chosen is not None:
            return chosen, earlier, used
    return None, [], set()


def _flat_candidates(lines: Sequence[Line]) -> list[tuple[Line, list[Token]]]:
    out = []
    for line in lines:
        run = line.trailing_values()
        blank_row = line.aligned and run.all_empty and len(run.tokens) >= 5  # zeros printed as &nbsp;
        if (not run.has_values and not blank_row) or line.is_narrative:
            continue
        values = run.tokens if line.aligned else [t for t in run.tokens if t.kind != "empty"]
        if len(line.label) > 12 and len(values) < 5:
            continue  # a wrapped narrative line that happens to end with a number
        out.append((line, values))
    return out


def _take(candidates: list[tuple[Line, list[Token]]], n: int) -> tuple[list[Token], list[Line]]:
    tokens: list[Token] = []
    used: list[Line] = []
    for line, values in candidates:
        tokens.extend(values)
        used.append(line)
        if len(tokens) >= n:
            break
    if used and all(ln.aligned for ln in used) and len(tokens) > n:
        tokens = _trim_empties(tokens, n, leading=True)
    return tokens, used


def parse_flat_table(lines: Sequence[Line], table: Table) -> TableResult:
    """Table 四: every cell in one printed row (or a few rows) of numbers, in row-major order.

    A stray row of dashes (an extraction artefact above the header) is skipped only when the
    numeric rows alone fill the table exactly.
    """
    result = TableResult()
    slots = [(row, col) for row in table.rows for col in row.columns]
    candidates = _flat_candidates(lines)
    if not candidates:
        return result
    numeric = [(ln, v) for ln, v in candidates if any(t.kind == "number" for t in v)]
    tokens, used = _take(candidates, len(slots))
    if len(tokens) != len(slots) and numeric:
        tokens2, used2 = _take(numeric, len(slots))
        if len(tokens2) == len(slots):
            tokens, used = tokens2, used2
    result.last_line = used[-1].index
    if len(tokens) == len(slots):
        for (row, col), tok in zip(slots, tokens, strict=True):
            result.cells[f"{table.key}.{row.key}.{col.key}"] = cell_from_token(tok, col)
        return result
    printed = " ".join(t.text or "␣" for t in tokens)
    note = _("table printed {count} values ({printed}) for {n} cells; which cells lost their values cannot be "
             "told").format(count=len(tokens), printed=printed, n=len(slots))
    for row, col in slots:
        result.cells[f"{table.key}.{row.key}.{col.key}"] = Cell(None, "missing", str(used[0].loc), None, note)
    result.unmatched.append({"table": table.key, "label": "", "loc": str(used[0].loc),
                             "values": [t.text for t in tokens]})
    return result
