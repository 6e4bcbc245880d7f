"""The narrative of the six sections: from the author's Markdown/text file, from a report's
sections, or a skeleton with the heads the template requires, marked for the author to fill in.

A section's text read back from a document also holds the lines of the table printed in it (a
table row is a line of tab-separated cells); `narrative()` keeps only the prose, so re-rendering
a report never prints its table twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from xxgk.errors import InputError, os_reason
from xxgk.i18n import _
from xxgk.report import Report
from xxgk.template import APPEAL_COLUMNS, APPLICANT_COLUMNS, SECTIONS, TEMPLATES
from xxgk.text import normalize
from xxgk.writer.layout import APPLICANT_GROUP, BALANCE_NOTE, INFO_HEADER, ORG_GROUP, RESULTS_GROUP

# The mark of text the author still has to write. The document is a Chinese official document
# whatever the interface language, so the skeleton is written in Chinese.
PLACEHOLDER = "【待填写】"

_HEADING = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*(?P<num>[一二三四五六])\s*[、.．]\s*(?P<rest>.+?)(?:\*\*)?\s*$")
_NUMERALS = "一二三四五六"


@dataclass
class Narrative:
    """The text of each section (1–6), one paragraph per line, and which ones are still skeleton."""

    texts: dict[int, str]
    skeleton: list[int] = field(default_factory=list)

    def paragraphs(self, no: int) -> list[str]:
        return [p.strip() for p in self.texts.get(no, "").split("\n") if p.strip()]


def skeleton_text(no: int) -> str:
    """A section's skeleton: the heads it must cover, each marked for the author."""
    section = SECTIONS[no - 1]
    if no == 1:
        heads = [f"（{_NUMERALS[i]}）{name}。{PLACEHOLDER}" for i, (name, _) in enumerate(section.required_heads)]
        return "\n".join([f"{PLACEHOLDER}（本年度政府信息公开工作总体情况）", *heads])
    if no == 6:
        return "\n".join([
            f"（一）信息处理费收取情况。依据《政府信息公开信息处理费管理办法》，本年度收取信息处理费{PLACEHOLDER}元。",
            f"（二）年度政务公开工作要点落实情况。{PLACEHOLDER}",
        ])
    if no == 5:
        return f"{PLACEHOLDER}（存在的主要问题及改进情况）"
    return ""  # sections 二–四: their table says it; prose is optional


def skeleton() -> Narrative:
    return Narrative({s.no: skeleton_text(s.no) for s in SECTIONS}, [s.no for s in SECTIONS])


def _table_words() -> list[str]:
    """Every label a table prints (template rows, columns, blocks and the forms' furniture),
    longest first, normalised."""
    words: set[str] = {INFO_HEADER, APPLICANT_GROUP, ORG_GROUP, BALANCE_NOTE, RESULTS_GROUP}
    for t in TEMPLATES.values():
        for table in t.tables:
            for row in (*table.rows, *t.foreign_rows):
                words.update({row.block, *row.label.split("/")})
                words.update(c.label for c in row.columns)
    words.update(c.label for c in (*APPLICANT_COLUMNS, *APPEAL_COLUMNS))
    return sorted({normalize(w) for w in words if w}, key=len, reverse=True)


_WORDS: list[str] = []
_LEFTOVER = re.compile(r"^[\d.,，、()（）\[\]/:：%\-—－+]*$")


def is_table_line(line: str) -> bool:
    """A line of a table read back as text: tab-separated cells, or only labels and numbers."""
    if "\t" in line:
        return True
    if not _WORDS:
        _WORDS.extend(_table_words())
    text = normalize(line)
    if not text or len(text) > 80:
        return False
    if len(text) >= 4 and any(text in w for w in _WORDS):
        return True  # a label broken over two lines inside its cell: the second part
    for w in _WORDS:
        text = text.replace(w, "")
    return bool(_LEFTOVER.match(text))


_SENTENCE_END = tuple("。！？；：」”）)》")
_PARA_START = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+[.、．]"
                         r"|[一二三四五六七八九十]是)")


def _reflow(lines: list[str]) -> list[str]:
    """Join the lines a PDF or scan broke inside a paragraph: a line that does not end a sentence
    continues on the next one unless that one opens a numbered item."""
    out: list[str] = []
    for line in lines:
        if out and not out[-1].endswith(_SENTENCE_END) and not _PARA_START.match(line):
            out[-1] += line
        else:
            out.append(line)
    return out


def narrative(report: Report) -> Narrative:
    """The prose of the report's sections (table lines removed); sections it lacks are skeleton."""
    texts: dict[int, str] = {}
    for s in report.sections:
        lines = [ln.strip() for ln in s.text.split("\n") if ln.strip() and not is_table_line(ln)]
        if report.source.kind in ("pdf", "scan", "image"):
            lines = _reflow(lines)
        texts[s.no] = "\n".join(lines)
    missing = [s.no for s in SECTIONS if s.no not in texts]
    for no in missing:
        texts[no] = skeleton_text(no)
    return Narrative(texts, missing)


def parse_markdown(text: str, file: str = "") -> Narrative:
    """Sections from a Markdown or plain-text file whose headings are the six section titles
    (`一、总体情况`, `## 二、主动公开政府信息情况`…). Text before the first heading is ignored;
    sections the file lacks are skeleton. Raises InputError when no heading is found."""
    texts: dict[int, list[str]] = {}
    current: int | None = None
    for raw in text.splitlines():
        m = _HEADING.match(raw)
        if m and len(normalize(m["rest"])) <= 30:
            no = _NUMERALS.index(m["num"]) + 1
            if re.search(SECTIONS[no - 1].match, normalize(m["rest"])) and no not in texts:
                current = no
                texts[no] = []
                continue
        if current is not None:
            line = raw.strip()
            if line:
                texts[current].append(line)
    if not texts:
        raise InputError(file or "text", _("none of the six section headings (一、总体情况 … 六、其他需要报告的事项) "
                                          "was found"))
    missing = [s.no for s in SECTIONS if s.no not in texts]
    out = {no: "\n".join(lines) for no, lines in texts.items()}
    for no in missing:
        out[no] = skeleton_text(no)
    return Narrative(out, missing)


def read_markdown(path: str | Path) -> Narrative:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(str(path), os_reason(e)) from e
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return parse_markdown(data.decode(encoding), str(path))
        except UnicodeDecodeError:
            continue
    raise InputError(str(path), _("not a text file in UTF-8 or GB18030"))


def placeholders(n: Narrative) -> list[int]:
    """Sections whose text still holds the skeleton's mark."""
    return [no for no, text in sorted(n.texts.items()) if PLACEHOLDER in text]
