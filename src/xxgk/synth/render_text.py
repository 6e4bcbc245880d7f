"""Plain-text renderings in the quirk styles of real text dumps (shared/corpus/*.txt and the pypdf
text of the corpus PDFs).

Styles:
- ``tsv``: a Word/WPS-to-text dump: tables as tab-separated rows with empty cells and trailing
  tabs, group labels spaced out or split over lines (``三、 本 年 度 办 理 结 果``,
  ``（三）不`` … ``予公开``), label variants (社会组织, 其他法律法规禁止公开, ``3、其他``), units glued
  to numbers (``114 件``), a header missing a column label, rows drifting one cell left;
- ``pypdf``: PDF text extraction: one row per line with space-separated numbers, wrapped row labels
  whose numbers sit on the last line (or a line of their own), vertical group labels one
  character a line, fragmented headers, paragraphs hard-wrapped, ``- N -`` page markers and form
  feeds (sometimes glued to the line before, as pypdf does);
- ``clean``: full-grid tab-separated tables with the template's labels, no quirks.

Each style draws its knobs from the report's seed, so a (seed, style, encoding) triple is one
fixed byte string. Encodings: utf-8, utf-8-sig, gb18030, utf-16 (little-endian, with BOM).
"""

from __future__ import annotations

import codecs
import random
import re
from collections.abc import Callable

from xxgk.synth.layout import (
    APPEAL_COLS,
    APPLICANT_GROUP,
    APPLICANTS,
    BALANCE_NOTE,
    COLUMN_TYPOS,
    INFO_HEADER,
    LITIGATION_GROUP,
    ORG_GROUP,
    RESULTS_GROUP,
    Rendered,
    active_blocks,
    appeal_groups,
    applicant_headers,
    application_rows,
    application_values,
    cell_text,
    knob_stream,
    paren_style,
    row_label,
    spaced,
    vertical_appeals,
    vertical_style,
    zero_marks,
)
from xxgk.synth.truth import SyntheticReport

STYLES = ("tsv", "pypdf", "clean")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")
_ENCODING_WEIGHTS = (6, 1, 3, 2)

_DIGITS = re.compile(r"(?<=[^\x00-\x7f])(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)(?=[^\x00-\x7f])")


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


_CJK_PUNCT = "，。；、：？！）》〕」”’（《〔「“‘【】"


def space_digits(text: str) -> str:
    """`2024 年` / `共 3119 件`: PDF text layers put spaces between CJK characters and Latin digits
    (not next to CJK punctuation: `（国令第 711 号）`)."""
    other = rf"[^\x00-\x7f\s{_CJK_PUNCT}]"
    out = re.sub(rf"(?<={other})(?=\d)", " ", text)
    return re.sub(rf"(?<=\d)(?={other})", " ", out)


class _Knobs:
    """Random style choices, remembered for bug reports."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.on: list[str] = []

    def flip(self, name: str, p: float) -> bool:
        hit = self.rng.random() < p
        if hit:
            self.on.append(name)
        return hit

    def pick(self, name: str, options: tuple[str, ...]) -> str:
        choice = self.rng.choice(options)
        self.on.append(f"{name}={choice}")
        return choice


# ============================================================================ shared skeleton


def _document(report: SyntheticReport, tables: dict[int, list[str]], title_lines: list[str],
              para: Callable[[str, int], list[str]], blank_between: bool) -> list[str]:
    """Title, preamble, sections in printed order with each table after its section's text."""
    lines: list[str] = []
    sep = [""] if blank_between else []
    if blank_between:
        lines += ["", ""]
    if report.title:
        lines += title_lines + sep
    for p in report.preamble:
        lines += para(p, 0) + sep
    for s in report.sections:
        lines += [s.title, *sep]
        for p in s.paragraphs:
            lines += para(p, s.no) + sep
        if s.no in tables:
            lines += tables[s.no] + sep
    return lines


def _values(report: SyntheticReport, table: str, row: str, aligned: bool = False) -> list[str | None]:
    marks = zero_marks(report, "text") if report.patterns else {}
    if table == "applications":
        return application_values(report, row, aligned, marks)
    return [cell_text(report, f"{table}.{row}.{c}", aligned, marks) for c in report.row_columns(table, row)]


def _vertical(report: SyntheticReport, sep: str) -> list[str]:
    """Table 四 one cell a row (pattern `vertical-appeals`)."""
    marks = zero_marks(report, "text")
    rows = vertical_appeals(report, vertical_style(report, "text"), False, marks)
    return [sep.join(r).rstrip() if sep == " " else sep.join(r) for r in rows]


# ============================================================================ tsv


def _tsv(report: SyntheticReport, k: _Knobs) -> str:
    rng = k.rng
    ascii_parens = k.flip("ascii_parens", 0.5)
    numbers = k.pick("numbering", (".", ".", ". ", "、"))
    typo = 0.35 if k.flip("typos", 0.5) else 0.0
    trailing = k.flip("trailing_tabs", 0.5)
    lead_empty = k.flip("lead_empty", 0.4)
    drift = 0.25 if k.flip("drift", 0.3) else 0.0
    units = k.flip("glued_units", 0.25)
    digit_space = k.flip("digit_space", 0.3)

    def row(cells: list[str], width: int) -> str:
        if trailing and len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        return "\t".join(cells)

    def nums(vals: list[str | None], glue: bool = False) -> list[str]:
        out = []
        for v in vals:
            if v is None:
                if rng.random() < 0.5:
                    out.append("")  # a lost number sometimes leaves its empty cell behind
                continue
            glued = glue and v not in ("0", "") and "." not in v and rng.random() < 0.5
            out.append(f"{v} 件" if glued else v)
        return out

    tables: dict[int, list[str]] = {}

    # 二: one block per 第二十条 item, padded to 4 cells as Word tables dump.
    lines: list[str] = []
    for block in active_blocks(report):
        lines.append(row([block.heading], 4))
        fee_label = "本年收费金额（单位：万元，保留4位小数）" if rng.random() < 0.4 else None
        labels = [fee_label if fee_label and key == "amount" and report.template == "2021" else label
                  for key, label in block.columns]
        lines.append(row([INFO_HEADER, *labels], 4))
        for key, label, _ in block.rows:
            lines.append(row([label, *nums(_values(report, "active", key), units)], 4))
    tables[2] = lines

    # 三
    width = 9 + lead_empty + ("subtotal" in report.patterns)
    col_labels = [label for _, label in applicant_headers(report)]
    if k.flip("social_org", 0.3):
        col_labels[3] = COLUMN_TYPOS["social_welfare"][0]
    if k.flip("spaced_columns", 0.25):
        col_labels = [spaced(c, rng) for c in col_labels]
    org_labels = col_labels[1:-1]
    if k.flip("header_lacks_label", 0.2):
        org_labels = org_labels[:-1]  # corpus 002: 其他 never printed, rows still carry 7 numbers
    pad = [""] * lead_empty
    note = BALANCE_NOTE if rng.random() < 0.5 else BALANCE_NOTE.replace("（", "(").replace("）", ")")
    lines = [
        row([note, *pad, APPLICANT_GROUP], width),
        row(["", *pad, col_labels[0], ORG_GROUP, *[""] * (len(col_labels) - 4), col_labels[-1]], width),
        row(["", *pad, "", *org_labels], width),
    ]
    group = RESULTS_GROUP
    if k.flip("spaced_group", 0.3):
        group = group[:2] + " " + spaced(group[2:], rng)
    split_block = k.flip("split_block", 0.3)
    inline_block = k.flip("inline_block", 0.4)
    split_numeral = k.flip("split_numeral", 0.15)
    seen_group = False
    seen_blocks: set[str] = set()
    tail: str | None = None
    for key, label, block, in_group in application_rows(report):
        lab = row_label(key, label, rng, typo_rate=typo, ascii_parens=ascii_parens, numbers=numbers)
        values = nums(_values(report, "applications", key))
        lead: list[str]
        if in_group and not seen_group:
            lead = [group]
            seen_group = True
        elif in_group or (key == "carried_forward" and rng.random() < 0.5):
            lead = [""]
        else:
            lead = []
        cells: list[str]
        if tail is not None:
            # Corpus 000/004: the rest of a split block label opens the next row, after a blank line.
            lines.append("")
            cells = [tail, lab]
            tail = None
        elif block and block not in seen_blocks:
            seen_blocks.add(block)
            bl = paren_style(block, ascii_parens)
            if split_block:
                m = re.match(r"[（(][一二三四五六七]+[）)]\s*", bl)
                cut = (m.end() if m else 0) + 1
                cells = [*lead, f"{bl[:cut]} {lab}"]
                tail = bl[cut:]
                split_block = False  # once per report, as in the dumps
            elif inline_block:
                cells = [*lead, f"{bl} {lab}"]
            else:
                cells = [*lead, bl, lab]
        elif block:
            cells = [*lead, lab] if inline_block else [*lead, "", lab]
        elif split_numeral and lab[:2] in ("一、", "二、"):
            cells = [*lead, lab[:2], lab[2:]]
        else:
            cells = [*lead, lab]
        if drift and cells[0] == "" and rng.random() < drift:
            cells = cells[1:]  # rows drift one cell left (corpus 001, 004)
        if lead_empty and rng.random() < 0.7:
            cells.append("")
        lines.append(row([*cells, *values], width))
    if k.flip("filled_down", 0.12):
        # An Excel export of the form: merged group and block labels repeated on every row.
        lines = lines[:3] + _grid_rows(report, filled=True)
    tables[3] = lines

    # 四
    tables[4] = _vertical(report, "\t") if "vertical-appeals" in report.patterns else _tsv_appeals(report, k)

    def para(p: str, no: int) -> list[str]:
        return [re.sub(r"(\d+)(?=年)", r" \1 ", p) if digit_space else p]

    title = report.title or ""
    if digit_space and title:
        title = title.replace(report.body.name, report.body.name + " ").replace("年政府", " 年政府")
    text = "\n".join(_document(report, tables, [title], para, blank_between=True))
    return text + "\n"


def _tsv_appeals(report: SyntheticReport, k: _Knobs) -> list[str]:
    rng = k.rng
    groups = appeal_groups(report)
    labels = [label for _, label in APPEAL_COLS]
    values = [v or "" for key, _, _ in groups for v in _values(report, "appeals", key)]
    style = k.pick("appeals_header", ("plain", "spaced", "split"))
    direct, after = groups[1][2], groups[2][2]
    if style == "split":
        heads = [label[0] for label in labels[:4]] + [labels[4]]
        tails = [spaced(label[1:], rng) for label in labels[:4]]
        full = [spaced(label, rng) for label in labels]
        return [
            "\t".join([groups[0][1], "", "", "", "", LITIGATION_GROUP]),
            "\t".join([*heads, direct, after]),
            "",
            "\t".join([*tails, "", *full, *full]),
            "\t".join(values),
        ]
    if style == "spaced":
        labels = [f"{label[:2]} {label[2:]}" if len(label) == 4 else label for label in labels]
    return [
        "\t".join([groups[0][1], "", "", "", "", LITIGATION_GROUP] + [""] * 9),
        "\t".join([*labels, direct, "", "", "", "", after, "", "", "", ""]),
        "\t".join(["", "", "", "", "", *labels, *labels]),
        "\t".join(values),
    ]


# ============================================================================ pypdf


_NO_LINE_START = set("，。；、：？！）》〕」”’")


def _wrap(text: str, width: int) -> list[str]:
    """Hard-wrap like a typeset page: never inside a run of digits, never a closing mark first."""
    lines: list[str] = []
    cur = ""
    i = 0
    while i < len(text):
        m = re.match(r"[0-9.]+", text[i:])
        token = m.group(0) if m else text[i]
        if len(cur) + len(token) > width and cur and token[0] not in _NO_LINE_START:
            lines.append(cur.strip())
            cur = ""
        cur += token
        i += len(token)
    if cur.strip() or not lines:
        lines.append(cur.strip())
    return lines


def _chunks(label: str, rng: random.Random) -> list[str]:
    """A header label as a narrow table cell prints it: two or three characters a line."""
    size = rng.choice((2, 2, 3))
    parts = [label[i:i + size] for i in range(0, len(label), size)]
    return [spaced(p, rng, 0.5) for p in parts]


def _pypdf(report: SyntheticReport, k: _Knobs) -> str:
    rng = k.rng
    width = rng.randint(28, 36)
    ascii_parens = k.flip("ascii_parens", 0.1)
    numbers = k.pick("numbering", (".", ".", "、"))
    typo = 0.3 if k.flip("typos", 0.4) else 0.0
    label_width = rng.randint(15, 22)
    item_gap = k.flip("item_gap", 0.5)  # 第二十条 第（一）项

    def data_line(label: str, vals: list[str | None]) -> list[str]:
        printed = " ".join(v for v in vals if v is not None)
        parts = _wrap(label, label_width) if len(label) > label_width + 2 else [label]
        if len(parts) >= 3 and rng.random() < 0.4:
            return [*parts, printed] if printed else parts  # numbers on a line of their own
        parts[-1] = f"{parts[-1]} {printed}".rstrip()
        return parts

    tables: dict[int, list[str]] = {}
    lines: list[str] = []
    for block in active_blocks(report):
        heading = block.heading.replace("条第", "条 第") if item_gap else block.heading
        lines.append(heading)
        lines.append(" ".join([INFO_HEADER, *(label for _, label in block.columns)]))
        for key, label, _ in block.rows:
            lines += data_line(label, _values(report, "active", key))
    tables[2] = lines

    note = BALANCE_NOTE
    cut = rng.randint(18, 24)
    lines = [note[:cut], note[cut:], APPLICANT_GROUP, APPLICANTS[0][1], ORG_GROUP]
    org = [label for _, label in applicant_headers(report)[1:-1]]
    if k.flip("glued_total", 0.4):
        first = _chunks(org[0], rng)
        lines += ["总计" + first[0], *first[1:]]  # huaian: 总计商 业 企
    else:
        lines += ["总计", *_chunks(org[0], rng)]
    for label in org[1:]:
        lines += _chunks(label, rng)
    vertical = k.pick("results_group", ("vertical", "vertical_split", "line"))
    block_style = k.pick("blocks", ("own_line", "split", "inline", "interleaved", "mixed"))
    seen_group = False
    seen_blocks: set[str] = set()
    tail: str | None = None
    for key, label, block, in_group in application_rows(report):
        lab = row_label(key, label, rng, typo_rate=typo, ascii_parens=ascii_parens, numbers=numbers)
        vals = _values(report, "applications", key)
        if in_group and not seen_group:
            seen_group = True
            if vertical == "vertical":
                lines += ["三、", *RESULTS_GROUP[2:]]
            elif vertical == "vertical_split":
                lines += list(RESULTS_GROUP)
            else:
                lines.append(RESULTS_GROUP)
        prefix = ""
        if tail is not None:
            prefix, tail = tail + " ", None
        elif block and block not in seen_blocks:
            seen_blocks.add(block)
            bl = paren_style(block, ascii_parens)
            style = block_style
            if style == "mixed":
                style = rng.choice(("own_line", "split", "inline", "interleaved"))
            if style == "own_line":
                lines.append(bl)
            elif style == "split":
                lines += [bl[:4], bl[4:]]
            elif style == "inline":
                prefix = bl + " "
            else:  # huaian: （四）无 1.本机关… / 法提供 2.没有现成…
                prefix, tail = bl[:4] + " ", bl[4:]
        lines += data_line(prefix + lab, vals)
    tables[3] = lines

    groups = appeal_groups(report)
    labels = [label for _, label in APPEAL_COLS]
    lines = [f"{groups[0][1]} {LITIGATION_GROUP}"]
    for label in labels:
        lines += _chunks(label, rng) if label != "总计" else [spaced(label, rng, 0.5)]
    lines.append(f"{groups[1][2]} {groups[2][2]}")
    for _ in range(2):
        for label in labels:
            lines += _chunks(label, rng) if label != "总计" else [spaced(label, rng, 0.5)]
    lines.append(" ".join(v or "" for key, _, _ in groups for v in _values(report, "appeals", key)))
    tables[4] = _vertical(report, " ") if "vertical-appeals" in report.patterns else lines

    def para(p: str, no: int) -> list[str]:
        lines = _wrap(space_digits(p), width)
        # Text right above a table (sections 二–四) wrapped so that a line ends in a number looks
        # like a table row; say so, so that readers' results can be told apart by it.
        if no in (2, 3, 4) and any(re.search(r"\d$", ln) for ln in lines) and "number_ends_text_line" not in k.on:
            k.on.append("number_ends_text_line")
        return lines

    title = []
    if report.title:
        name = report.body.name
        rest = space_digits(report.title[len(name):])
        title = [name, rest] if k.flip("title_two_lines", 0.7) else [f"{name} {rest}"]
    body = _document(report, tables, title, para, blank_between=False)

    per_page = rng.randint(34, 46)
    pages = [body[i:i + per_page] for i in range(0, len(body), per_page)]
    marker_top = k.flip("marker_top", 0.7)
    glued = k.flip("glued_page_break", 0.25)
    out = []
    for n, page in enumerate(pages, start=1):
        text = "\n".join(page)
        out.append(f"- {n} -\n{text}" if marker_top else f"{text}\n- {n} -")
    # pdftotext ends each page with a newline before the form feed; pypdf pages joined by a bare
    # form feed glue the next page's first line onto the last one ("一流- 2 -").
    return ("\f" if glued else "\n\f").join(out) + "\n"


# ============================================================================ clean


def _clean(report: SyntheticReport, k: _Knobs) -> str:
    tables: dict[int, list[str]] = {}
    lines: list[str] = []
    for block in active_blocks(report):
        lines.append(block.heading + "\t" * len(block.columns))
        lines.append("\t".join([INFO_HEADER, *(label for _, label in block.columns)]))
        for key, label, _ in block.rows:
            lines.append("\t".join([label, *(v or "" for v in _values(report, "active", key))]))
    tables[2] = lines

    # Merged cells print once, on their first row (as Word dumps them); a filled-down grid, as an
    # Excel export gives, is the tsv style's `filled_down` knob.
    lines = ["\t".join(["", "", "", *(label for _, label in applicant_headers(report))])]
    lines += _grid_rows(report, filled=False)
    tables[3] = lines

    groups = appeal_groups(report)
    labels = [label for _, label in APPEAL_COLS]
    lines = ["\t".join(g + ("/" + s if s else "") for _, g, s in groups for _ in labels),
             "\t".join(labels * 3),
             "\t".join(v or "" for key, _, _ in groups for v in _values(report, "appeals", key))]
    tables[4] = _vertical(report, "\t") if "vertical-appeals" in report.patterns else lines
    title = [report.title] if report.title else []
    return "\n".join(_document(report, tables, title, lambda p, no: [p], blank_between=True)) + "\n"


def _grid_rows(report: SyntheticReport, filled: bool) -> list[str]:
    lines = []
    last_group = last_block = ""
    for key, label, block, in_group in application_rows(report):
        group = RESULTS_GROUP if in_group else ""
        vals = [v for v in _values(report, "applications", key) if v is not None]
        shown_group = group if filled or group != last_group else ""
        shown_block = block if filled or block != last_block else ""
        last_group, last_block = group, block
        lines.append("\t".join([shown_group, shown_block, label, *vals]))
    return lines


_RENDERERS = {"tsv": _tsv, "pypdf": _pypdf, "clean": _clean}


def render_text(report: SyntheticReport, style: str | None = None, encoding: str | None = None) -> Rendered:
    """Render `report` as a text file in `style` (drawn from the seed when None) and `encoding`."""
    pick = random.Random(f"xxgk.synth:{report.seed}:render:text")
    style = style or pick.choice(STYLES)
    encoding = encoding or pick.choices(ENCODINGS, _ENCODING_WEIGHTS)[0]
    if style not in _RENDERERS:
        raise ValueError(f"unknown text style {style!r} (one of {', '.join(STYLES)})")
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r} (one of {', '.join(ENCODINGS)})")
    k = _Knobs(knob_stream(report, "text", style))
    text = _RENDERERS[style](report, k)
    if style != "pypdf" and k.flip("crlf", 0.2):
        text = text.replace("\n", "\r\n")
    marks = zero_marks(report, "text") if report.patterns else {}
    return Rendered(encode(text, encoding), "text", style, ".txt", encoding=encoding, aligned=False,
                    blank=frozenset(marks), marked=any(marks.values()), knobs=tuple(k.on))


def text_of(rendered: Rendered) -> str:
    """The text of a text rendering (decoded back, line endings kept)."""
    data = rendered.data
    if rendered.encoding == "utf-16":
        return data[2:].decode("utf-16-le")
    return data.decode(rendered.encoding or "utf-8")
