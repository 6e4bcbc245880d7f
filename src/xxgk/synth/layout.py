"""What every renderer shares: the printed structure of the three tables, number formatting, the
label variants real reports print, and the `Rendered` result.

Rows, columns and labels come from `xxgk.template`; only print furniture that the template does
not declare (the header groups 申请人情况 / 法人或其他组织, the 三、本年度办理结果 group, the
balance note, 信息内容) is spelled here.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from xxgk.synth.truth import CellTruth, SyntheticReport, tolerated_by
from xxgk.template import APPEAL_COLUMNS, APPLICANT_COLUMNS
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
    # Human-readable knobs the renderer drew (for bug reports: "seed 17, style tsv, knobs …").
    knobs: tuple[str, ...] = field(default_factory=tuple)

    def expected(self, report: SyntheticReport) -> dict[str, CellTruth]:
        return report.expected(aligned=self.aligned, blank=self.blank)

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
    table = report.tpl.table("active")
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


def cell_text(report: SyntheticReport, path: str, aligned: bool, blank: Iterable[str] = ()) -> str | None:
    """The printed text of a cell: its number, "" for an empty cell, None when not printed at all."""
    if path not in report.values:
        return None
    if path in report.gaps:
        return "" if aligned else None
    if path in blank:
        return ""
    return fmt_number(report.values[path])


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
