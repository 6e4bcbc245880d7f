"""What every renderer shares: the printed structure of the three tables, number formatting, the
label variants real reports print, and the `Rendered` result.

Rows, columns and labels come from `xxgk.template`; only print furniture that the template does
not declare (the header groups 申请人情况 / 法人或其他组织, the 三、本年度办理结果 group, the
balance note, 信息内容) is spelled here.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from xxgk.synth.truth import CellTruth, SyntheticReport, tolerated_by
from xxgk.template import APPEAL_COLUMNS, APPLICANT_COLUMNS, APPLICANT_PARTS
from xxgk.template.declarations import RESULT_ROWS_2019, RESULT_ROWS_2021

Number = int | float

# Print furniture of the official forms (not rows or columns, so not in the template).
INFO_HEADER = "信息内容"
APPLICANT_GROUP = "申请人情况"
ORG_GROUP = "法人或其他组织"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_GROUP = "三、本年度办理结果"
REVIEW_GROUP = "行政复议"
LITIGATION_GROUP = "行政诉讼"


@dataclass(frozen=True)
class Rendered:
    """One rendering of a synthetic report: the bytes, and how to read the truth for them."""

    data: bytes
    kind: str  # text | html | docx | pdf | scan | png
    style: str
    suffix: str  # file name extension, with the dot
    encoding: str | None = None
    # The channel keeps cell positions (HTML/DOCX/PDF tables): a lost number is an empty cell.
    aligned: bool = False
    # Cells printed empty on purpose (blank-means-zero pages): the arithmetic decides their value.
    blank: frozenset[str] = frozenset()
    # Those blanks are printed as a mark (—, -, /, 无) rather than left empty.
    marked: bool = False
    # Human-readable knobs the renderer drew (for bug reports: "seed 17, style tsv, knobs …").
    knobs: tuple[str, ...] = field(default_factory=tuple)

    def expected(self, report: SyntheticReport) -> dict[str, CellTruth]:
        return report.expected(aligned=self.aligned, blank=self.blank, marked=self.marked)

    def tolerated(self, report: SyntheticReport) -> frozenset[str]:
        """Codes a correct checker may raise on this rendering besides the expected ones. A
        scan always carries `extraction-warning` (it was read by OCR, and which lines were
        doubtful): a finding about the reading, not a false alarm about the report."""
        ocr = frozenset({"extraction-warning"}) if self.kind in ("scan", "image") else frozenset()
        return report.tolerated | tolerated_by(self.expected(report)) | ocr


def knob_stream(report: SyntheticReport, channel: str, style: str) -> random.Random:
    return random.Random(f"xxgk.synth:{report.seed}:render:{channel}:{style}")


def fmt_number(value: Number) -> str:
    """As reports print numbers: ints plainly, money with up to 4 decimals and no trailing zeros."""
    if isinstance(value, float):
        if value == int(value):
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


# ---------------------------------------------------------------- logical tables


@dataclass(frozen=True)
class Block:
    """A run of rows printed under one heading with one column header (table 二), or the whole
    of table 三 / 四."""

    heading: str
    columns: tuple[tuple[str, str], ...]  # (key, label)
    rows: tuple[tuple[str, str, str], ...]  # (row key, label, sub-block heading such as （三）不予公开)


def active_blocks(report: SyntheticReport) -> list[Block]:
    out: list[Block] = []
    table = report.printed_table("active")
    for key in report.printed_rows("active"):
        row = table.row(key)
        cols = tuple((c.key, c.label) for c in row.columns)
        if out and out[-1].heading == row.block and out[-1].columns == cols:
            prev = out[-1]
            out[-1] = Block(prev.heading, prev.columns, (*prev.rows, (key, row.label, "")))
        else:
            out.append(Block(row.block, cols, ((key, row.label, ""),)))
    return out


def application_rows(report: SyntheticReport) -> list[tuple[str, str, str, bool]]:
    """(row key, label, block heading, in the 三、本年度办理结果 group) in printed order."""
    table = report.tpl.table("applications")
    results = set(RESULT_ROWS_2021) | set(RESULT_ROWS_2019) | {"total_processed"}
    out = []
    for key in report.printed_rows("applications"):
        row = (table.row(key) if table.has_row(key)
               else next(r for r in report.tpl.foreign_rows if r.key == key))
        out.append((key, row.label, row.block, key in results))
    return out


def appeal_groups(report: SyntheticReport) -> list[tuple[str, str, str]]:
    """(row key, group label, sub label): 行政复议 / 行政诉讼 + 未经复议直接起诉 / 复议后起诉."""
    out = []
    for row in report.tpl.table("appeals").rows:
        group, _, sub = row.label.partition("/")
        out.append((row.key, group, sub))
    return out


APPLICANTS = tuple((c.key, c.label) for c in APPLICANT_COLUMNS)
APPEAL_COLS = tuple((c.key, c.label) for c in APPEAL_COLUMNS)


def cell_text(report: SyntheticReport, path: str, aligned: bool, blank: Iterable[str] | Mapping[str, str] = ()
              ) -> str | None:
    """The printed text of a cell: its number, "" for an empty cell, None when not printed at all;
    `blank` maps cells printed as a mark (—, /…) to it, or lists cells printed empty."""
    if path not in report.values:
        return None
    if path in report.gaps:
        return "" if aligned else None
    if path in blank:
        return blank[path] if isinstance(blank, Mapping) else ""
    return fmt_number(report.values[path])


# ---------------------------------------------------------------- zero conventions (patterns)

# Rules that compare printed cells: their cells must stay printed for the fault to be decidable.
VALUE_RULES = {"T3-balance", "T3-results", "T3-applicants", "T4-groups", "negative-count", "narrative-vs-table"}
MARKS = ("—", "-", "/", "无")


def kept_printed(report: SyntheticReport) -> set[str]:
    """Cells of a relation the report breaks, or that its text misstates, keep their printed 0:
    a blank there would leave the fault undecidable (the arithmetic could fill it)."""
    keep = {c for e in report.expectations if e.code in VALUE_RULES for c in e.cells}
    if "applications.new_received.total" in keep:
        # "received" may count last year's carried-over applications (the rule accepts either
        # reading), so both totals must be known for a misstatement to be certain.
        keep.add("applications.carried_over.total")
    return keep


def zero_marks(report: SyntheticReport, channel: str) -> dict[str, str]:
    """Cells printed as a mark or left empty instead of 0, by the report's patterns."""
    rng = random.Random(f"xxgk.synth:{report.seed}:zeros")
    keep = kept_printed(report)
    zeros = sorted(p for p, v in report.values.items()
                   if v == 0 and p not in report.gaps and p not in keep and not p.startswith("active."))
    if "blank-zero" in report.patterns and channel in ("html", "docx"):
        return dict.fromkeys(zeros, "")
    if "dash-zero" in report.patterns:
        mark = rng.choice(MARKS)
        return dict.fromkeys(zeros, mark)
    out: dict[str, str] = {}
    if "dash-rows" in report.patterns:
        zero = set(zeros)
        row = [f"applications.carried_over.{c.key}" for c in APPLICANT_COLUMNS]
        if all(p in zero for p in row):
            out.update(dict.fromkeys(row, "—"))
        for group in ("litigation_direct", "litigation_after_review"):
            cells = [f"appeals.{group}.{c.key}" for c in APPEAL_COLUMNS]
            if all(p in zero for p in cells):
                out.update(dict.fromkeys(cells, "/"))
                break
    return out


def subtotal_text(report: SyntheticReport, row: str, marks: Mapping[str, str]) -> str:
    """The 小计 an office prints for a row of table 三: the sum of its five 法人 columns."""
    paths = [f"applications.{row}.{c}" for c in APPLICANT_PARTS[1:]]
    total = sum(report.values.get(p, 0) for p in paths)
    if total == 0 and paths[0] in marks:
        return marks[paths[0]]
    return fmt_number(total)


def application_values(report: SyntheticReport, row: str, aligned: bool, marks: Mapping[str, str]
                       ) -> list[str | None]:
    """A row of table 三 as printed: 7 values, or 8 with the 小计 before 总计 (pattern `subtotal`)."""
    vals = [cell_text(report, f"applications.{row}.{c}", aligned, marks)
            for c in report.row_columns("applications", row)]
    if "subtotal" in report.patterns:
        vals.insert(len(vals) - 1, subtotal_text(report, row, marks))
    return vals


def applicant_headers(report: SyntheticReport) -> tuple[tuple[str, str], ...]:
    """(key, label) of table 三's printed columns, 小计 included when printed."""
    if "subtotal" not in report.patterns:
        return APPLICANTS
    return (*APPLICANTS[:6], ("subtotal", SUBTOTAL), APPLICANTS[6])


SUBTOTAL = "小计"
VERTICAL_STYLES = ("two", "three", "four", "transposed")


def vertical_style(report: SyntheticReport, channel: str) -> str:
    return random.Random(f"xxgk.synth:{report.seed}:vertical:{channel}").choice(VERTICAL_STYLES)


def vertical_appeals(report: SyntheticReport, style: str, aligned: bool, marks: Mapping[str, str]
                     ) -> list[list[str]]:
    """Table 四 printed one cell a row: rows of cells (a renderer joins or grids them).

    two: a group heading row, then 结果维持 · 0; three: 行政复议 · 结果维持 · 0; four: 行政诉讼 ·
    未经复议直接起诉 · 结果维持 · 0; transposed: 结果维持 · review · direct · after. A group label
    is printed on its group's first row only (a merged cell).
    """
    groups = appeal_groups(report)
    names = {key: (group if not sub else f"{group}（{sub}）") for key, group, sub in groups}

    def val(key: str, col: str) -> str:
        return cell_text(report, f"appeals.{key}.{col}", aligned, marks) or ""

    rows: list[list[str]] = []
    if style == "transposed":
        rows.append(["项目", *(names[k] for k, _, _ in groups)])
        for col, label in APPEAL_COLS:
            rows.append([label, *(val(k, col) for k, _, _ in groups)])
        return rows
    for key, group, sub in groups:
        for i, (col, label) in enumerate(APPEAL_COLS):
            if style == "two":
                if i == 0:
                    rows.append([names[key]])
                rows.append([label, val(key, col)])
            elif style == "three":
                rows.append([names[key] if i == 0 else "", label, val(key, col)])
            else:
                first = group if i == 0 and (key == "review" or key == groups[1][0]) else ""
                rows.append([first, (sub or group) if i == 0 else "", label, val(key, col)])
    return rows


# ---------------------------------------------------------------- label variants

_PAREN = re.compile(r"^（([一二三四五六七八九十]+)）")
_NUMBERED = re.compile(r"^(\d)\.")

# Misspellings and abbreviations seen in real reports (FORMAT.md "Label variants"); each still
# matches its row's declared regex (tests/test_synth.py checks that).
ROW_TYPOS: dict[str, tuple[str, ...]] = {
    "denied_law_prohibited": ("2.其他法律法规禁止公开", "2.其他法律行政止公开"),
    "partially_granted": ("（二）部分公开(区分处理的,只计这一情形,不计其他情形)", "（二）部分公开"),
    "rejected_excessive": ("4.无正当理由大量反复 申请",),
    "rejected_confirmation": ("5.要求行政机关确认或重 新出具已获取信息",),
}
COLUMN_TYPOS: dict[str, tuple[str, ...]] = {
    "social_welfare": ("社会组织",),
}


def spaced(text: str, rng: random.Random, p: float = 1.0) -> str:
    """`结 果 维 持`: spaces between characters, as some extractions print labels."""
    return "".join(ch + (" " if rng.random() < p and i < len(text) - 1 else "") for i, ch in enumerate(text))


def paren_style(label: str, ascii_parens: bool) -> str:
    """（一）予以公开 ↔ (一) 予以公开."""
    if not ascii_parens:
        return label
    return _PAREN.sub(lambda m: f"({m.group(1)}) ", label)


def number_style(label: str, style: str) -> str:
    """1.属于国家秘密 ↔ 1. 属于… / 1、属于… / 1．属于…"""
    repl = {".": r"\1.", ". ": r"\1. ", "、": r"\1、", "．": r"\1．"}[style]
    return _NUMBERED.sub(repl, label)


def row_label(key: str, label: str, rng: random.Random, *, typo_rate: float, ascii_parens: bool,
              numbers: str) -> str:
    if key in ROW_TYPOS and rng.random() < typo_rate:
        label = rng.choice(ROW_TYPOS[key])
    return number_style(paren_style(label, ascii_parens), numbers)
