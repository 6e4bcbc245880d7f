"""Match printed lines to template rows and place their values into cells.

The matcher is tolerant of how labels are printed (split over lines, spaced out, abbreviated)
and strict about numbers: a row's values are placed only when their count fits the row's
columns. A row that lost a number gets `missing` cells, never shifted values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xxgk.i18n import _
from xxgk.parse.columns import ExtraColumns, find_extra_columns
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
    # How the table was printed (xxgk.parse.columns): extra columns, orientation.
    layout: dict[str, Any] = field(default_factory=dict)


_META = set(".^$*+?{}[]\\|()")


def _branches(pattern: str) -> list[str]:
    """The top-level alternatives of a regex (split on | outside groups, classes and escapes)."""
    out, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 1
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


def _required_literal(branch: str) -> str:
    """The longest literal text every match of `branch` contains ("" when none is known): a run of
    plain characters (or escaped punctuation) at the top level of the branch. Groups, classes,
    anchors and character escapes end a run; a character made optional or repeatable by the
    quantifier after it is not part of it."""
    runs: list[str] = []
    run: list[str] = []
    i = 0
    while i < len(branch):
        ch = branch[i]
        if ch == "\\" and i + 1 < len(branch) and not branch[i + 1].isalnum():
            char, i = branch[i + 1], i + 2  # an escaped punctuation mark is itself
        elif ch in _META:
            runs.append("".join(run))
            run = []
            if ch == "\\":
                i += 2  # \d, \D, \b…: a class or an anchor
            elif ch in "([":
                i = _skip_group(branch, i)
            elif ch == "{":
                i = branch.find("}", i) + 1 or len(branch)  # a counted repeat: {0,6}
            else:
                i += 1
            continue
        else:
            char, i = ch, i + 1
        if i < len(branch) and branch[i] in "?*+{":
            runs.append("".join(run))  # the quantifier applies to this character only
            run = []
            continue
        run.append(char)
    runs.append("".join(run))
    return max(runs, key=len)


def _skip_group(pattern: str, i: int) -> int:
    """The index after the group or class opening at pattern[i]."""
    depth, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
            if not in_class and depth == 0:
                return i + 1
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _overlap(a: str, b: str) -> bool:
    """Whether an occurrence of `b` can start inside an occurrence of `a` (after its start)."""
    return any(a[d:d + len(b)] == b[:len(a) - d] for d in range(1, len(a)))


def _plain_literals(row: Row) -> tuple[str, ...] | None:
    """The literals of a row whose patterns are alternatives of plain text none of whose
    occurrences can overlap another's: the start of the last match of its patterns is then the
    last start of any of these literals. None for any other row."""
    literals: list[str] = []
    for pattern in row.match:
        branches = _branches(pattern)
        if any(not b or any(ch in _META for ch in b) for b in branches):
            return None
        if any(_overlap(a, b) for a in branches for b in branches):
            return None  # finditer would skip an overlapping occurrence
        literals += branches
    return tuple(literals)


class _RowIndex:
    """The rows of one table with a cheap necessary test per row, derived once from the
    declarations: a row can match a label only when the label contains a literal that every
    match of one of its patterns' alternatives contains. One regex finds those literals in a
    label; a row whose patterns are plain text is placed by them, the other rows found run
    their own regexes (a row with an alternative without such a literal is always tried)."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = tuple(rows)
        self.always: list[int] = []
        self.plain: set[int] = set()
        rows_by_literal: dict[str, set[int]] = {}
        for i, row in enumerate(self.rows):
            if _FLAGGED.search("".join(row.match)):
                self.always.append(i)  # inline flags change what a literal matches
                continue
            plain = _plain_literals(row)
            literals = plain or [_required_literal(b) for p in row.match for b in _branches(p)]
            if not all(literals):
                self.always.append(i)
                continue
            if plain:
                self.plain.add(i)
            for x in literals:
                rows_by_literal.setdefault(x, set()).add(i)
        # The finder reports, at a position, the longest literal found there: the rows of the
        # shorter ones starting there are the rows of that one too, as (plain rows, other rows).
        # (A plain alternation of literals: the regex engine skips to where one can start.)
        self.rows_of: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        for x in rows_by_literal:
            found = sorted(set().union(*(s for y, s in rows_by_literal.items() if x.startswith(y))))
            self.rows_of[x] = (tuple(i for i in found if i in self.plain),
                               tuple(i for i in found if i not in self.plain))
        alternatives = sorted(rows_by_literal, key=lambda x: (-len(x), x))
        self.finder = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def matches(self, label: str) -> tuple[tuple[int, Row], ...]:
        best: dict[int, int] = {}
        tried = set(self.always)
        if self.finder is not None:
            search, rows_of = self.finder.search, self.rows_of
            m = search(label)
            while m is not None:  # every position where a literal starts, overlapping ones too
                at = m.start()
                plain, others = rows_of[m.group()]
                for i in plain:
                    best[i] = at  # positions only grow: the last one is the largest
                if others:
                    tried.update(others)
                m = search(label, at + 1)
        for i in tried:
            last = -1
            for pattern in self.rows[i].patterns:
                for m in pattern.finditer(label):
                    last = max(last, m.start())
            if last >= 0:
                best[i] = last
        # by position, rows in their order at the same position
        rows = self.rows
        return tuple((at, rows[i]) for at, i in sorted(zip(best.values(), best.keys(), strict=True)))


_FLAGGED = re.compile(r"\(\?[aiLmsux]")


_INDEXES: dict[tuple[int, ...], _RowIndex] = {}


def _row_index(rows: Sequence[Row]) -> _RowIndex:
    """The index of a list of template rows, built once (it keeps the rows alive, so their ids
    stay theirs)."""
    key = tuple(id(r) for r in rows)
    found = _INDEXES.get(key)
    if found is None:
        if len(_INDEXES) >= 64:  # tables made on the fly (tests): keep the cache bounded
            _INDEXES.clear()
        found = _INDEXES[key] = _RowIndex(rows)
    return found


_REMEMBERED_LABEL = 200  # a longer label (text pending over many lines) is matched, not kept


class _Rows:
    """The rows one table is matched against while one report is read: the same label is asked
    about several times (its own line, the label pending above, the lookahead)."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self.index = _row_index(rows)
        self.seen: dict[str, tuple[tuple[int, Row], ...]] = {}

    def matches(self, label: str) -> tuple[tuple[int, Row], ...]:
        """(position of the last occurrence, row) for every row whose pattern occurs in label,
        by position (rows in their order at the same position)."""
        hits = self.seen.get(label)
        if hits is None:
            hits = self.index.matches(label)
            if len(label) <= _REMEMBERED_LABEL:
                self.seen[label] = hits
        return hits


def _pick(label: str, rows: _Rows, taken: set[str]) -> tuple[Row | None, list[Row]]:
    """The row the numbers belong to (the last label printed before them) and the rows whose
    labels were printed before it without numbers of their own."""
    hits = [(pos, row) for pos, row in rows.matches(label) if row.key not in taken]
    if not hits:
        return None, []
    chosen_pos, chosen = hits[-1]
    # A heading-like row (（六）其他处理) followed by a more specific label is only a heading.
    earlier = [row for pos, row in hits[:-1] if pos < chosen_pos and not row.heading_like]
    return chosen, earlier


def cell_from_token(tok: Token, column: Column) -> Cell:
    return _cell(tok, column, str(tok.loc) if tok.loc else None)


def _cell(tok: Token, column: Column, loc: str | None) -> Cell:
    """cell_from_token with the token's location already written out."""
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


_NO_LOC = "?no location written yet"
_PATHS: dict[tuple[str, int], tuple[Row, tuple[tuple[str, Column], ...]]] = {}


def _paths(table_key: str, row: Row) -> tuple[tuple[str, Column], ...]:
    """(cell path, column) of a template row, in column order, built once per row."""
    found = _PATHS.get((table_key, id(row)))
    if found is None or found[0] is not row:
        if len(_PATHS) >= 1024:  # rows made on the fly (tests): keep the cache bounded
            _PATHS.clear()
        found = _PATHS[(table_key, id(row))] = (row, tuple((f"{table_key}.{row.key}.{c.key}", c)
                                                           for c in row.columns))
    return found[1]


def _trim_empties(tokens: list[Token], n: int, leading: bool) -> list[Token]:
    """Drop empty cells from one end (then the other) until n remain: extra grid columns."""
    out = list(tokens)
    for side in ((0, -1) if leading else (-1, 0)):
        while len(out) > n and out[side].kind == "empty":
            out.pop(side)
    return out


def _fitting(tokens: list[Token], n: int, aligned: bool) -> list[Token] | None:
    """The first way of reading the value slots that gives n values: all of them; in an aligned
    table, without the empty cells at the start (then at the end) beyond n; without any empty
    cell. None when none does. Each is built only when the ones before it do not fit."""
    if len(tokens) == n:
        return tokens
    if aligned:
        for leading in (True, False):
            trimmed = _trim_empties(tokens, n, leading=leading)
            if len(trimmed) == n:
                return trimmed
    values = [t for t in tokens if t.kind != "empty"]
    return values if len(values) == n else None


def place_values(row: Row, tokens: list[Token], table_key: str, line: Line,
                 extra: ExtraColumns | None = None) -> tuple[dict[str, Cell], str | None]:
    """Cells of `row` from the value tokens of one line; (cells, problem) where problem says why
    the values could not be placed. `extra` removes a column the template does not have (小计)."""
    n = len(row.columns)
    if extra is not None:
        tokens = extra.strip(tokens, n, line, row.label)
        if line.index in extra.short_rows:
            note = _("row printed {n} values for {n} columns and the {label} column; which column lost its "
                     "value cannot be told").format(n=n, label=extra.describe()["label"])
            return {f"{table_key}.{row.key}.{col.key}": Cell(None, "missing", str(line.loc), None, note)
                    for col in row.columns}, f"printed {n} values for {n + 1} columns"
    option = _fitting(tokens, n, line.aligned)
    if option is not None:
        # the cells of a printed line mostly share one Location: written out when it changes
        where: object = _NO_LOC
        loc: str | None = None
        cells = {}
        for (path, col), tok in zip(_paths(table_key, row), option, strict=True):
            if tok.loc is not where:
                where = tok.loc
                loc = str(where) if where else None
            if tok.kind == "number" and tok.confidence is None and col.kind != "money":
                # _cell's answer for a number read exactly, without the call
                text = tok.text
                cells[path] = Cell(tok.value, "read", loc, text if text != str(tok.value) else None)
            else:
                cells[path] = _cell(tok, col, loc)
        return cells, None
    printed = " ".join(t.text or "␣" for t in tokens if t.kind != "empty")
    problem = _("printed {count} values ({printed}) for {n} columns").format(
        count=sum(t.kind != "empty" for t in tokens), printed=printed, n=n)
    note = _("row {problem}; which column lost its value cannot be told").format(problem=problem)
    return {f"{table_key}.{row.key}.{col.key}": Cell(None, "missing", str(line.loc), None, note)
            for col in row.columns}, problem


def parse_row_table(lines: Sequence[Line], table: Table, foreign: Sequence[Row] = ()) -> TableResult:
    """Rows printed one per line (tables 二 and 三)."""
    result = TableResult()
    rows = _Rows(list(table.rows) + list(foreign))
    foreign_keys = {r.key for r in foreign}
    taken: set[str] = set()
    pending = ""
    consumed: set[int] = set()
    placed_badly: dict[str, Line] = {}  # rows whose values did not fit: a later exact line may claim them
    extra = find_extra_columns(lines, table)
    if extra is not None:
        result.layout["extra_columns"] = extra.describe()
    for i, line in enumerate(lines):
        if i in consumed:
            continue
        if not line.in_table and line.is_narrative:
            pending = ""  # running text ends whatever label was being assembled
            continue
        run = line.trailing_values()
        blank_row = line.aligned and run.all_empty and _pick(line.label, rows, taken)[0] is not None
        if not run.has_values and not blank_row:
            pending += line.label
            continue
        label = pending + line.label
        # The numbers belong to the label on their own line when it names a row; rows named only
        # in the lines above (without numbers of their own) were printed empty.
        open_rows = taken - placed_badly.keys() if placed_badly else taken  # (read, never changed, below)
        own = _pick(line.label, rows, open_rows)[0] if line.label else None
        if own is not None:
            chosen = own
            earlier = [r for _, r in rows.matches(pending)
                       if r.key not in taken and r.key != own.key and not r.heading_like]
        else:
            chosen, earlier = _pick(label, rows, open_rows)
        if chosen is None:
            # Numbers printed before (the rest of) their label: a label wrapped below its numbers,
            # or cut by a page break ("5.要求 0 0 …" | next page "行政机关确认或重新出具已获取信息").
            chosen, earlier, used = _lookahead(lines, i, rows, open_rows, line.label)
            consumed.update(used)
        elif chosen.heading_like and i + 1 < len(lines) and not lines[i + 1].trailing_values().has_values:
            # "（六）其他处理 1.申请人无正当理由逾期 9 0 …" | "不补正、行政机关不再处理…": a label
            # wrapped below its numbers (a PDF grid cuts a wrapped cell into two rows); the rest
            # of it names the row, the heading only opens the block.
            specific, more, used = _lookahead(lines, i, rows, open_rows, line.label)
            if specific is not None and specific.block == chosen.label:  # a row of that block
                chosen, earlier = specific, more
                consumed.update(used)
        pending = ""
        if chosen is None:
            if label:
                result.unmatched.append(_unmatched(table.key, label, line, run.tokens))
            continue
        result.labelled_empty.update(r.key for r in earlier)
        cells, problem = place_values(chosen, run.tokens, table.key, line, extra)
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
    if extra is not None:
        result.unmatched.extend(extra.mismatches)
    return result


def _unmatched(table: str, label: str, line: Line, tokens: list[Token]) -> dict[str, Any]:
    return {"table": table, "label": label, "loc": str(line.loc),
            "values": [t.text for t in tokens if t.kind != "empty"]}


def _lookahead(lines: Sequence[Line], i: int, rows: _Rows, taken: set[str],
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


# ---------------------------------------------------------------- table 四 in any orientation

_GROUPS = (("litigation_after_review", re.compile(r"复议后起诉|复议后")),
           ("litigation_direct", re.compile(r"直接起诉|未经复议")),
           ("review", re.compile(r"行政复议")))
_LITIGATION = re.compile(r"行政诉讼")
_APPEAL_COLS = (("upheld", re.compile(r"维持")), ("corrected", re.compile(r"纠正")),
                ("other", re.compile(r"其他")), ("pending", re.compile(r"未审结|审结")),
                ("total", re.compile(r"总计|合计")))


def _group_of(label: str) -> str | None:
    for key, pattern in _GROUPS:
        if pattern.search(label):
            return key
    return None


def _column_of(label: str) -> str | None:
    hits = [key for key, pattern in _APPEAL_COLS if pattern.search(label)]
    return hits[0] if len(hits) == 1 else None


def parse_vertical_appeals(lines: Sequence[Line], table: Table) -> TableResult:
    """Table 四 printed one cell a row (行政复议 · 结果维持 · 0), in two-, three- or four-column
    styles, or transposed (结果维持 · 0 · 0 · 0 under 行政复议 | 直接起诉 | 复议后起诉): each value
    is placed by the labels of its own line and the group heading above it, never by its rank."""
    result = TableResult()
    groups = [r.key for r in table.rows]
    group: str | None = None
    for line in lines:
        if not line.in_table and line.is_narrative:
            continue
        run = line.trailing_values()
        label = line.label
        named = _group_of(label)
        if named is not None:
            group = named
        elif _LITIGATION.search(label):
            group = None  # 行政诉讼: which kind follows on the next label
        values = run.tokens if line.aligned else [t for t in run.tokens if t.kind != "empty"]
        if line.aligned:
            values = _trim_empties(values, 3 if len(values) >= 3 and _column_of(label) and named is None else 1,
                                   leading=False)
        if not values:
            continue
        col = _column_of(label.replace("其他结果", "其他")) if label else None
        if col is None:
            continue
        if len(values) == 1 and group is not None:
            targets = [group]
        elif len(values) == len(groups) and named is None:
            targets = groups
        else:
            continue
        for g, tok in zip(targets, values, strict=True):
            path = f"{table.key}.{g}.{col}"
            if path not in result.cells:
                result.cells[path] = cell_from_token(tok, table.row(g).column(col))
        result.last_line = line.index
    if result.cells:
        result.layout["orientation"] = "vertical"
    return result


def parse_appeals(lines: Sequence[Line], table: Table) -> TableResult:
    """Table 四 as one row of 15 numbers, or read label by label when printed vertically."""
    vertical = parse_vertical_appeals(lines, table)
    if len(vertical.cells) == len(table.cell_paths()):
        return vertical
    flat = parse_flat_table(lines, table)
    flat_read = sum(c.status != "missing" for c in flat.cells.values())
    if len(vertical.cells) >= 10 and flat_read < len(vertical.cells):
        for row in table.rows:  # the cells its labels did not give stay unknown, with a reason
            for col in row.columns:
                vertical.cells.setdefault(f"{table.key}.{row.key}.{col.key}",
                                          Cell(None, "missing", None, None, _("label printed without a value")))
        return vertical
    flat.layout["orientation"] = "row"
    return flat
