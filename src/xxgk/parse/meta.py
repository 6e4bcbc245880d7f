"""Meta: title, body (机关), year, statistics period, publication date — each with its provenance.

A value read from a line recognised by OCR (a scanned page) carries, beside its provenance
(`meta.provenance["title"] == "text"`), the confidence of the lines it was read from and a
status: `meta.provenance["title.confidence"] == "0.97"`, `meta.provenance["title.status"]`
`"read"`, or `"doubtful"` when a character of those lines is below `LOW_CONFIDENCE` (the
threshold under which an OCR digit of a table is not trusted either). A doubtful value is kept
(a person checks it against the page) but never presented as sure. Values read exactly (text
layers, web pages, Word files) carry no such keys.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date

from xxgk.document import Document
from xxgk.parse.lines import LOW_CONFIDENCE, Line
from xxgk.report import Meta
from xxgk.text import squash

_TITLE = re.compile(r"政府信息公开.{0,6}(年度)?(工作)?(年度)?报告")
_YEAR_IN_TITLE = re.compile(r"(?P<year>(19|20)\d{2})\s*年度?")
_YEAR_MENTION = re.compile(r"(?<![\d〔\[(（])((?:19|20)\d{2})\s*年(?!\d{1,2}月\d{1,2}日(?:印发|发布))")
_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_PERIOD = re.compile(_DATE + r"\s*(?:起)?\s*(?:至|到|—|-|~|－)\s*" + _DATE)
# 《…年度报告格式》, （以下简称…）: a wrapped line of the preamble citing the template, not a title.
_QUOTED = re.compile(r"[《》]|以下简称|格式")
_AGENCY_SUFFIX = (r"(?:人民政府|政府|管理委员会|管委会|委员会|办公室|办公厅|局|委|办|厅|署|中心|院|镇|乡"
                  r"|街道办事处|街道)")
_AGENCY_IN_TEXT = (
    # 2023年，（在…下，）XX区人民政府坚持…: the first sentence of section 一 names the body itself.
    re.compile(r"^(?:19|20)\d{2}年度?[,，](?:[^,，。]{0,14}[,，])?(.{2,30}?" + _AGENCY_SUFFIX
               + r")(?=坚持|认真|深入|全面|紧紧|紧扣|围绕|以|按照|严格|始终|进一步|持续|扎实)"),
    # 本报告由XX区人民政府办公室根据…编制: the office that wrote it, usually the body's own.
    re.compile(r"本报告(?:是)?由(.{2,30}?" + _AGENCY_SUFFIX + r")(?:根据|依据|按照|依照|编制|负责)"),
)
_OFFICE = re.compile(r"(?:党政)?办公室$|办公厅$|党政办$")
_BREADCRUMB = ("当前位置", "您的位置", "首页>", "首页»")
_PUBLISHED = re.compile(r"^" + _DATE + r"$")


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def find_title(lines: Sequence[Line], first_section: int | None) -> tuple[str | None, int | None]:
    """The title line (joined with the body name printed on the line above, if split)."""
    title, used = _title_lines(lines, first_section)
    return title, (used[0] if used else None)


def _title_lines(lines: Sequence[Line], first_section: int | None) -> tuple[str | None, list[int]]:
    """The title and the indexes of the lines it was read from."""
    limit = first_section if first_section is not None else min(len(lines), 12)
    for i in range(min(limit, 30)):
        text = lines[i].raw.strip()
        flat = arabic_years(squash(text))
        if (not _TITLE.search(flat) and i + 1 < limit and _wrapped_title(lines[i], lines[i + 1])
                and not flat.startswith(_BREADCRUMB) and not _QUOTED.search(flat)):
            return flat + arabic_years(squash(lines[i + 1].raw)), [i, i + 1]
        if (not _TITLE.search(flat) or len(flat) > 60 or lines[i].is_narrative or flat.startswith(_BREADCRUMB)
                or _QUOTED.search(flat)):
            continue
        head = flat[: _TITLE.search(flat).start()]  # type: ignore[union-attr]
        body_part = _YEAR_IN_TITLE.sub("", head)
        if not body_part and i > 0:
            prev = squash(lines[i - 1].raw)
            if 2 <= len(prev) <= 40 and not lines[i - 1].is_narrative and not _TITLE.search(prev):
                return prev + flat, [i - 1, i]
        return flat, [i]
    return None, []


def _wrapped_title(line: Line, following: Line) -> bool:
    """A title wrapped over two lines (…政府信息公开工作 | 年度报告): neither line a title on
    its own, the two together one, and short. A text layer prints a title in large type, which
    the extractor joins; a scan's lines carry no type size, so the join is made here."""
    first, second = arabic_years(squash(line.raw)), arabic_years(squash(following.raw))
    if not first or not second or line.is_narrative or following.is_narrative or len(first + second) > 60:
        return False
    m = _TITLE.search(first + second)
    return m is not None and m.start() < len(first) < m.end() and not _TITLE.search(second)


def agency_from_title(title: str) -> str | None:
    """The body named in the title: before the year (淮安市人民政府2024年…), or after it when the
    title starts with the year (2024年淮安市人民政府…)."""
    m = _TITLE.search(title)
    head = title[: m.start()] if m else title
    y = _YEAR_IN_TITLE.search(head)
    agency = head[: y.start()] if y else head
    if y and not agency.strip():
        agency = head[y.end():]
    agency = agency.strip(" ：:-—()（）《》\"“”")
    agency = re.sub(r"(关于|的)$", "", agency)
    return agency or None


_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")


def arabic_years(text: str) -> str:
    """二〇二三年 -> 2023年: some titles print the year in Chinese numerals."""
    return re.sub(r"[二][〇零○一二三四五六七八九]{3}(?=年)", lambda m: m.group(0).translate(_CN_DIGITS), text)


# A body's name is a name: no clause marks, not a pronoun-like 区政府 / 我局 / 本机关.
_NOT_A_NAME = re.compile(r"[，,。、；;：:“”\"（）()《》]|领导下|指导下|^在")
_GENERIC = re.compile(r"^(?:区|县|市|省|镇|乡|我|本|该)(?:人民)?(?:政府|局|委|办|厅|机关|中心|院)$")


def plausible_agency(name: str | None) -> bool:
    """A string that can be a body's name (not a phrase of the narrative)."""
    return (bool(name) and 3 <= len(name) <= 40 and not _NOT_A_NAME.search(name)  # type: ignore[arg-type]
            and not _GENERIC.match(name) and bool(re.search(_AGENCY_SUFFIX + "$", name)))  # type: ignore[arg-type]


def agency_from_text(lines: Sequence[Line]) -> str | None:
    """Without a title, the body as the preamble or the first sentence of section 一 names it
    (never a phrase of the narrative such as 在区委、区政府的正确领导下,区政府)."""
    return _agency_in_text(lines)[0]


def _agency_in_text(lines: Sequence[Line]) -> tuple[str | None, list[int]]:
    """The body named in the text and the index of the line naming it."""
    texts = [squash(line.raw) for line in lines[:60]]
    for pattern in _AGENCY_IN_TEXT:
        for i, flat in enumerate(texts):
            m = pattern.search(flat)
            if m:
                name = m.group(1)
                body = _OFFICE.sub("", name)
                chosen = body if re.search(_AGENCY_SUFFIX + "$", body) else name
                if plausible_agency(chosen):
                    return chosen, [i]
    return None, []


_SIGNED = re.compile(r"^(?P<name>.{0,40}?)" + _DATE + r"$")


def find_signature(lines: Sequence[Line]) -> tuple[str | None, str | None, str | None]:
    """(body, date, location) of the signature (落款) closing the report: the body's name on its
    own line (or before the date on the same line), then the date."""
    name, when, loc, _, _ = _signature(lines)
    return name, when, loc


def _signature(lines: Sequence[Line]) -> tuple[str | None, str | None, str | None, list[Line], list[Line]]:
    """find_signature, with the lines the body's name and the date were read from."""
    tail = [ln for ln in lines[-10:] if ln.raw.strip()][-6:]
    for i in range(len(tail) - 1, -1, -1):
        m, dated = _dated(_SIGNED, tail, i)
        if not m:
            continue
        when = _iso(*m.group(2, 3, 4))
        own = m.group("name")
        above = tail[i - 1] if i > 0 and not own and not tail[i - 1].is_narrative else None
        name = own or (squash(above.raw) if above is not None else "")
        loc = str(above.loc if above is not None else tail[i].loc)
        named_on = [above] if above is not None else [tail[i]]
        return (name if plausible_agency(name) else None), when, loc, named_on, dated
    return None, None, None, [], []


# The end of a date a narrow page wrapped onto a line of its own ("…2024 年 3 月 7" / "日").
_DATE_END = re.compile(r"^(?:\d{0,2}\s*月)?\s*\d{0,2}\s*日$")


def _dated(pattern: re.Pattern[str], tail: Sequence[Line], i: int) -> tuple[re.Match[str] | None, list[Line]]:
    """`pattern` on line i, or on line i and the next when the next only ends a date it began."""
    m = pattern.match(squash(tail[i].raw))
    if m:
        return m, [tail[i]]
    if i + 1 < len(tail) and _DATE_END.match(squash(tail[i + 1].raw)):
        m = pattern.match(squash(tail[i].raw) + squash(tail[i + 1].raw))
        if m:
            return m, [tail[i], tail[i + 1]]
    return None, []


def title_from_properties(props: dict[str, str]) -> tuple[str | None, str | None]:
    """The title a web page or a Word file states outside its text: (title, where)."""
    for key in ("html:ArticleTitle", "html:title", "docx:title"):
        value = squash(props.get(key, ""))
        if value and _TITLE.search(arabic_years(value)) and len(value) <= 80:
            return arabic_years(value), key
    return None, None


def year_from_title(title: str) -> int | None:
    y = _YEAR_IN_TITLE.search(title)
    return int(y.group("year")) if y else None


_PLANNED_YEAR = re.compile(r"(20\d{2})年(?:[^。；\d]{0,8})(?:将|计划|拟|打算|要)")


def year_from_text(text: str) -> int | None:
    """The year the text talks about most (report years are 2019 onward)."""
    flat = squash(text)
    counts = Counter(int(y) for y in _YEAR_MENTION.findall(flat) if 2019 <= int(y) <= 2100)
    # A year the text plans for (2025年我们将…, 2025年计划…) is next year's, not the report's.
    counts.subtract(int(y) for y in _PLANNED_YEAR.findall(flat) if int(y) in counts)
    counts = Counter({y: c for y, c in counts.items() if c > 0})
    if not counts:
        return None
    best = max(counts.values())
    return max(y for y, c in counts.items() if c == best)


def find_period(text: str) -> tuple[str, str] | None:
    flat = squash(text)
    for m in _PERIOD.finditer(flat):
        start = _iso(*m.group(1, 2, 3))
        end = _iso(*m.group(4, 5, 6))
        window = flat[max(0, m.start() - 30): m.start()]
        if start and end and ("统计" in window or "期限" in window or "期间" in window or "数据" in window):
            return start, end
    return None


def find_published(lines: Sequence[Line]) -> str | None:
    return _published(lines)[0]


def _published(lines: Sequence[Line]) -> tuple[str | None, list[Line]]:
    tail = list(lines[-4:])
    for i in range(len(tail) - 1, -1, -1):
        m, dated = _dated(_PUBLISHED, tail, i)
        if m:
            return _iso(*m.group(1, 2, 3)), dated
    return None, []


class _Recognised:
    """The OCR confidence of the document's lines, to be carried to the meta values read from
    them. Empty (and free) for a document read exactly."""

    def __init__(self, doc: Document) -> None:
        self.by_loc = {(p.loc.page, p.loc.line): p.confidence for p in doc.paragraphs() if p.confidence is not None}

    def of(self, lines: Sequence[Line]) -> float | None:
        """The least sure of the lines (None when none of them was recognised)."""
        confs = [c for ln in lines if (c := self.by_loc.get((ln.loc.page, ln.loc.line))) is not None]
        return min(confs) if confs else None

    def mark(self, meta: Meta, key: str, lines: Sequence[Line]) -> None:
        """meta.provenance "<key>.confidence" and "<key>.status" for a value read from `lines`."""
        if not self.by_loc:
            return
        conf = self.of(lines)
        if conf is None:
            return
        meta.provenance[f"{key}.confidence"] = f"{conf:.2f}"
        meta.provenance[f"{key}.status"] = "read" if conf >= LOW_CONFIDENCE else "doubtful"


def _mentioning(lines: Sequence[Line], needle: str) -> list[Line]:
    return [ln for ln in lines if needle in squash(ln.raw)]


def read_meta(lines: Sequence[Line], first_section: int | None, doc: Document) -> Meta:
    meta = Meta()
    ocr = _Recognised(doc)
    title, used = _title_lines(lines, first_section)
    title_lines = [lines[i] for i in used]
    where: str | None = "text" if title else None
    if not title:
        title, where = title_from_properties(doc.properties)
    text = "\n".join(line.raw for line in lines)
    if title:
        meta.title = title
        meta.provenance["title"] = where or "text"
        ocr.mark(meta, "title", title_lines)
        meta.agency = agency_from_title(title)
        if meta.agency:
            meta.provenance["agency"] = "title" if where == "text" else f"title ({where})"
            ocr.mark(meta, "agency", title_lines)
        meta.year = year_from_title(title)
        if meta.year:
            meta.provenance["year"] = "title" if where == "text" else f"title ({where})"
            ocr.mark(meta, "year", title_lines)
    signer, signed, _, signer_lines, signed_lines = _signature(lines)
    if meta.agency is None and signer:
        meta.agency = signer
        meta.provenance["agency"] = "signature"
        ocr.mark(meta, "agency", signer_lines)
    source = squash(doc.properties.get("html:ContentSource", ""))
    if meta.agency is None and plausible_agency(source):
        meta.agency = source
        meta.provenance["agency"] = "html:ContentSource"
    if meta.agency is None:
        meta.agency, named = _agency_in_text(lines)
        if meta.agency:
            meta.provenance["agency"] = "text"
            ocr.mark(meta, "agency", [lines[i] for i in named])
    period = find_period(text)
    period_lines = ([ln for ln in lines if _PERIOD.search(squash(ln.raw))]  # wrapped: the lines naming its year
                    or _mentioning(lines, period[0][:4] + "年")) if period else []
    if meta.year is None and period:
        meta.year = int(period[0][:4])
        meta.provenance["year"] = "period"
        ocr.mark(meta, "year", period_lines)
    if meta.year is None:
        # the date under the signature is the next year's (published in January–March): not a mention
        tail = {ln.index for ln in lines[-10:] if _SIGNED.match(squash(ln.raw))}
        meta.year = year_from_text("\n".join(ln.raw for ln in lines if ln.index not in tail))
        if meta.year:
            meta.provenance["year"] = "text"
            # counted over many mentions: as sure as its best-read mention
            mentions = [ln for ln in _mentioning(lines, f"{meta.year}年") if ln.index not in tail]
            best = max((c for ln in mentions if (c := ocr.of([ln])) is not None), default=None)
            ocr.mark(meta, "year", [ln for ln in mentions if ocr.of([ln]) == best])
    if meta.year is None:
        m = re.search(r"(?<!\d)(20\d{2})(?!\d)", doc.file)
        if m:
            meta.year = int(m.group(1))
            meta.provenance["year"] = "filename"
    if period:
        meta.period = period
        meta.provenance["period"] = "text"
        ocr.mark(meta, "period", period_lines)
    elif meta.year:
        meta.period = (f"{meta.year}-01-01", f"{meta.year}-12-31")
        meta.provenance["period"] = "default (calendar year; the report states no period)"
    # When the report went public, strongest evidence first: the publishing page's own date, the
    # date printed at the end (a signing date: publication is that day or later), the PDF's
    # creation date (the weakest). meta.provenance says which; late-publication weighs it.
    page_date = iso_date(doc.properties.get("html:PubDate", ""))
    printed, printed_lines = _published(lines)
    if page_date:
        meta.published, meta.provenance["published"] = page_date, "html-meta"
    elif printed:
        meta.published, meta.provenance["published"] = printed, "text"
        ocr.mark(meta, "published", printed_lines)
    elif signed:
        meta.published, meta.provenance["published"] = signed, "signature"
        ocr.mark(meta, "published", signed_lines)
    elif doc.properties.get("pdf:created"):
        meta.published, meta.provenance["published"] = doc.properties["pdf:created"], "pdf-created"
    return meta


_ANY_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def iso_date(text: str) -> str | None:
    """2025-01-20 10:00 / 2025年1月20日 / 2025/01/20 → 2025-01-20; None when there is no date."""
    m = _ANY_DATE.search(text or "")
    return _iso(*m.group(1, 2, 3)) if m else None
