"""Web pages (a report published as a government-site article) -> `Document`.

Three steps:

1. **Decode.** A byte-order mark wins; then strict UTF-8 (non-ASCII text that is valid UTF-8 is
   practically never meant as anything else, and many CMS migrations left pages that declare
   gb2312 but are UTF-8); then the declared `<meta charset>` / http-equiv charset when it is a
   multi-byte CJK encoding; then GB18030 (a superset of GBK and GB2312); then any other
   declared encoding; last the line-by-line fallback of `xxgk.extract.text.decode`.
2. **Find the report inside the site chrome.** Government article pages wrap the report in
   navigation, breadcrumbs, metadata boxes, related links, share buttons and footers. Generic
   boilerplate removers (readability, trafilatura) drop or flatten tables and lose source
   positions, so we use the report's own landmarks instead: the container is the lowest common
   ancestor of the section headings (一、总体情况 … 六、其他需要报告的事项) and the statistics
   tables; the title (…年度报告) is pulled in when it sits just outside. Pages without those
   landmarks fall back to a readability-style score (the element whose children hold the most
   non-link prose).
3. **Emit blocks in reading order.** Paragraphs (headings too) split at block elements and
   `<br>`; data tables become aligned `Table`s with spans placed on a true grid
   (`xxgk.extract.grid`). Layout tables (a table holding other tables or long prose) are read
   as flowing content. Cell text is kept verbatim apart from whitespace: `&nbsp;` cells are
   empty strings, "251000元" keeps its unit — the parser decides what they mean.

Locations are source lines (`Location(line=...)`, from lxml's `sourceline`), cheap and enough to
open the page source at the right place.

lxml (libxml2's HTML parser) is used because it is fast, tolerant of the broken markup these
sites serve, and reports source lines; it is also what the Word extractor uses for XML.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from xxgk.document import Document, Location, Paragraph, Table
from xxgk.errors import InputError
from xxgk.extract.grid import MAX_ROWSPAN, SpanCell, build_table, clean_text
from xxgk.extract.text import decode as decode_text
from xxgk.i18n import _

# ---------------------------------------------------------------------------------------------
# 1. Decoding

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
# Labels a Chinese page may use for the GB family; all are decoded as GB18030, their superset.
_GB_LABELS = {"gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "gb_2312-80", "gb_2312",
              "csgb2312", "chinese", "euc-cn", "euccn", "gb18030", "iso-ir-58"}
_MULTIBYTE = {"gb18030", "big5", "big5hkscs", "cp950", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949"}


def declared_encoding(data: bytes) -> str | None:
    """The Python codec named by the page's own declaration in its first 4 KB, if any."""
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not m:
        return None
    return _codec(m.group(1).decode("ascii", "ignore"))


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


_MHT_HEAD = re.compile(rb"^\s*(?:[\w-]+:[^\n]*\n)*?(?:MIME-Version|Content-Type)\s*:", re.I)


def unwrap_mht(data: bytes, file: str = "") -> tuple[bytes, str | None] | None:
    """The page inside a "web archive, single file" (.mht/.mhtml), with its MIME charset; None
    when `data` is not a MIME archive. Browsers and Word save reports this way."""
    head = data[:4096]
    if not (_MHT_HEAD.match(head) and b"multipart/related" in head.lower()):
        return None
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() in ("text/html", "application/xhtml+xml"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                return payload, part.get_content_charset()
    raise InputError(file, _("web archive (.mht) without an HTML page inside"))


def decode_html(data: bytes, file: str = "", charset: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Raises InputError when no encoding makes sense of the bytes.
    `charset` is one stated outside the page (an .mht part header): tried like a declaration."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise InputError(file, _("web page starts with a {encoding} byte-order mark but is not valid "
                                         "{encoding}: {reason}").format(encoding=enc, reason=e.reason)) from e
    declared = _codec(charset) if charset else declared_encoding(data)
    candidates = ["utf-8"]
    if declared in _MULTIBYTE:
        candidates.append(declared)
    candidates.append("gb18030")
    if declared and declared not in candidates and not declared.startswith("utf-16"):
        candidates.append(declared)
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    return decode_text(data, file), "mixed"


# ---------------------------------------------------------------------------------------------
# 2. Parsing and finding the report

# Content a reader never sees, or that never holds report text.
_DROP = {"script", "style", "noscript", "template", "iframe", "frame", "object", "embed", "svg",
         "math", "canvas", "select", "option", "button", "input", "textarea", "audio", "video",
         "map", "head", "link", "meta"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
          "blockquote", "pre", "section", "article", "main", "header", "footer", "nav", "aside",
          "center", "address", "form", "fieldset", "legend", "figure", "figcaption", "hr", "body",
          "html", "table", "tr", "td", "th", "tbody", "thead", "tfoot", "caption", "details",
          "summary", "menu"}
# Containers that are dropped when they are mostly links: menus, related-article lists,
# "上一篇/下一篇", font-size and share bars. Single paragraphs are never dropped for links.
_LINK_LIST = {"div", "ul", "ol", "dl", "nav", "header", "footer", "aside", "section", "table",
              "menu", "center", "form"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CENTERED_STYLE = re.compile(r"text-align\s*:\s*center", re.I)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# A heading or centred line this short is one title wrapped by <br> (…政府信息公开<br>工作年度报告),
# not several paragraphs.
_MAX_WRAPPED_TITLE = 80
# Below this much non-link text, a page without report landmarks that links a PDF/Word file is
# an announcement of that file, not the report.
_MIN_PROSE = 300

_SECTION_HEADING = re.compile(
    r"^[一二三四五六][、.．]?(总体情况|主动公开政府信息情况|收到和处理政府信息公开申请情况|"
    r"政府信息公开行政复议|(政府信息公开工作)?存在的主要问题|其他需要报告的事项)")
_REPORT_TABLE = re.compile(r"本年新收|自然人|第二十条|结果维持|信息内容")
_TITLE = re.compile(r"信息公开.{0,10}年度?报告|年度报告")
_ATTACHMENT = re.compile(r"\.(pdf|docx?|wps|ofd|xlsx?|rtf)(\?|#|$)", re.I)
_WS_RUN = re.compile(r"\s+")


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _squash(text: str) -> str:
    return _WS_RUN.sub("", unicodedata.normalize("NFKC", text))


@dataclass
class _Stats:
    """Non-space character counts of an element's whole subtree."""

    chars: int = 0
    link: int = 0


def _nonspace(s: str | None) -> int:
    return 0 if not s else len(s) - sum(1 for ch in s if ch.isspace())


def _compute_stats(root: etree._Element) -> dict[etree._Element, _Stats]:
    elements = list(root.iter())
    stats: dict[etree._Element, _Stats] = {}
    for el in reversed(elements):  # children before parents
        st = _Stats(chars=_nonspace(el.text))
        for child in el:
            cs = stats.get(child)
            if cs is not None:
                st.chars += cs.chars
                st.link += cs.link
            st.chars += _nonspace(child.tail)
        if _tag(el) == "a" and el.get("href") is not None:
            st.link = st.chars
        stats[el] = st
    return stats


def _link_dense(st: _Stats) -> bool:
    return st.chars > 0 and st.link * 2 >= st.chars


def _clean_tree(root: etree._Element) -> None:
    """Remove what a reader never sees (scripts, styles, hidden elements, form controls)."""
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            doomed.append(el)  # comments / processing instructions lxml kept
            continue
        tag = _tag(el)
        if tag in _DROP or el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""):
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        # keep the tail text: it belongs to the parent, not to the removed element
        if el.tail and el.tail.strip():
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)


def _ancestors(el: etree._Element) -> list[etree._Element]:
    chain = [el]
    parent = el.getparent()
    while parent is not None:
        chain.append(parent)
        parent = parent.getparent()
    chain.reverse()
    return chain


def _common_ancestor(els: list[etree._Element]) -> etree._Element:
    chains = [_ancestors(e) for e in els]
    common = chains[0][0]
    for level in zip(*chains, strict=False):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    return common


def _inside_link(el: etree._Element) -> bool:
    return any(_tag(a) == "a" for a in el.iterancestors())


@dataclass
class _Landmarks:
    headings: list[etree._Element] = field(default_factory=list)
    tables: list[etree._Element] = field(default_factory=list)
    titles: list[etree._Element] = field(default_factory=list)


def _find_landmarks(root: etree._Element, stats: dict[etree._Element, _Stats]) -> _Landmarks:
    found = _Landmarks()
    for el in root.iter():
        tag = _tag(el)
        st = stats.get(el)
        if not tag or st is None or st.chars == 0:
            continue
        if tag == "table":
            if not el.findall(".//table") and _REPORT_TABLE.search(_squash("".join(el.itertext()))):
                found.tables.append(el)
            continue
        if st.chars > 120 or _link_dense(st) or tag == "a" or _inside_link(el):
            continue
        text = _squash("".join(el.itertext()))
        # the deepest element carrying the whole heading: none of its children carries it alone
        if _SECTION_HEADING.match(text) and not any(
            _SECTION_HEADING.match(_squash("".join(c.itertext()))) for c in el
        ):
            found.headings.append(el)
        elif _TITLE.search(text) and len(text) <= 100 and not any(
            _TITLE.search(_squash("".join(c.itertext()))) for c in el
        ):
            found.titles.append(el)
    return found


_PROSE_TAGS = {"p", "td", "pre", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section",
               "article", "font", "span", "blockquote"}


def _readability_container(root: etree._Element, stats: dict[etree._Element, _Stats]) -> etree._Element:
    """Fallback without report landmarks: the element whose children carry the most prose.

    The readability scheme: every paragraph-ish element with at least 25 characters of its own
    (non-link) text scores its parent fully and its grandparent half; a candidate's score is
    scaled down by its link density. Long Chinese prose has many ，and 。, which count extra.
    """
    scores: dict[etree._Element, float] = {}
    for el in root.iter():
        if _tag(el) not in _PROSE_TAGS:
            continue
        own = (el.text or "") + "".join((c.tail or "") for c in el)
        n = _nonspace(own)
        if n < 25:
            continue
        score = 1 + own.count("，") + own.count("。") + min(n / 100, 3)
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    best, best_score = root, 0.0
    for el, score in scores.items():
        st = stats[el]
        scaled = score * (1 - (st.link / st.chars if st.chars else 0))
        if scaled > best_score:
            best, best_score = el, scaled
    return best


def _choose_container(root: etree._Element, stats: dict[etree._Element, _Stats],
                      marks: _Landmarks) -> tuple[etree._Element, etree._Element | None]:
    """(container, title element to prepend, if the title sits outside the container)."""
    anchors = marks.headings + marks.tables
    if len(anchors) >= 2:
        container = _common_ancestor(anchors)
    elif anchors:
        # one landmark: the nearest ancestor that holds substantially more text than the landmark
        container = anchors[0]
        own = stats[container].chars
        while container.getparent() is not None and stats[container].chars < max(2 * own, own + 200):
            container = container.getparent()
    else:
        container = _readability_container(root, stats)
    if _tag(container) in {"tr", "tbody", "thead", "tfoot"}:
        container = next((a for a in container.iterancestors() if _tag(a) == "table"), container)

    # The title is usually an <h1> a little above the body container. Climb to include it when
    # that adds little other text (a date line, a metadata box); otherwise prepend it alone.
    inside = set(container.iter())
    titles_before = [t for t in marks.titles if t not in inside and _precedes(t, container)]
    if not titles_before or any(t in inside for t in marks.titles):
        return container, None
    title = titles_before[-1]
    base = stats[container].chars
    budget = min(1000, max(300, base // 5))
    candidate = container
    while candidate.getparent() is not None:
        candidate = candidate.getparent()
        extra = stats[candidate].chars - stats[candidate].link - (base - stats[container].link)
        if extra > budget:
            break
        if any(a is candidate for a in title.iterancestors()):
            return candidate, None
    return container, title


def _precedes(a: etree._Element, b: etree._Element) -> bool:
    """Whether `a` starts before `b` in document order (lxml has no direct comparison)."""
    line_a, line_b = a.sourceline or 0, b.sourceline or 0
    if line_a != line_b:
        return line_a < line_b
    for el in b.getroottree().iter():
        if el is a:
            return True
        if el is b:
            return False
    return False


# ---------------------------------------------------------------------------------------------
# 3. Emitting blocks


def _span(value: str | None, zero_means: int) -> int:
    """HTML's rules for parsing a non-negative integer: leading digits, else the default 1."""
    if value is None:
        return 1
    m = re.match(r"\s*\+?(\d{1,7})", value)
    if not m:
        return 1
    n = int(m.group(1))
    return zero_means if n == 0 else n


def _own_rows(table: etree._Element) -> Iterator[etree._Element]:
    """The table's own rows (not those of tables nested in its cells), in source order."""
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            yield child
        elif tag in {"tbody", "thead", "tfoot"}:
            yield from (r for r in child if _tag(r) == "tr")


def _cells(row: etree._Element) -> Iterator[etree._Element]:
    return (c for c in row if _tag(c) in {"td", "th"})


def _cell_text(cell: etree._Element) -> str:
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        block = _tag(el) in _BLOCK or _tag(el) == "br"
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    if cell.text:
        parts.append(cell.text)
    for child in cell:
        if isinstance(child.tag, str):
            walk(child)
        if child.tail:
            parts.append(child.tail)
    return clean_text("".join(parts))


def _is_layout_table(table: etree._Element, stats: dict[etree._Element, _Stats]) -> bool:
    """A table used for page layout, not data: it nests tables, has a single cell, or a cell
    holds long prose (a report's statistics cells hold at most a label)."""
    if table.find(".//table") is not None:
        return True
    cells = [c for r in _own_rows(table) for c in _cells(r)]
    if len(cells) <= 1:
        return True
    return any(stats[c].chars > 300 for c in cells if c in stats)


class _Emitter:
    def __init__(self, file: str, stats: dict[etree._Element, _Stats]) -> None:
        self.file = file
        self.stats = stats
        self.blocks: list[Paragraph | Table] = []
        self._buf: list[str] = []
        self._line: int | None = None
        self._wrapped_title = 0  # >0 while inside a short heading: <br> wraps, it does not split

    def text(self, s: str | None, line: int | None) -> None:
        if not s:
            return
        if self._line is None and s.strip():
            self._line = line
        self._buf.append(s)

    def flush(self) -> None:
        text = clean_text("".join(self._buf))
        if text:
            self.blocks.append(Paragraph(text, Location(line=self._line)))
        self._buf.clear()
        self._line = None

    def walk(self, el: etree._Element, top: bool = False) -> None:
        tag = _tag(el)
        if not tag:
            return
        st = self.stats.get(el)
        if not top and tag in _LINK_LIST and st is not None and _link_dense(st):
            return  # a menu, related-links list, share or prev/next bar
        if tag == "table" and not _is_layout_table(el, self.stats):
            self.flush()
            self.table(el)
            return
        if tag == "br":
            if self._wrapped_title:
                self.text("\n", el.sourceline)
            else:
                self.flush()
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        title = block and st is not None and st.chars <= _MAX_WRAPPED_TITLE and (
            tag in _HEADINGS or (el.get("align") or "").lower() == "center"
            or bool(_CENTERED_STYLE.search(el.get("style") or "")))
        self._wrapped_title += title
        self.text(el.text, el.sourceline)
        for child in el:
            self.walk(child)
            self.text(child.tail, child.sourceline)
        self._wrapped_title -= title
        if block:
            self.flush()

    def table(self, el: etree._Element) -> None:
        for cap in el:
            if _tag(cap) == "caption":
                text = _cell_text(cap)
                if text:
                    self.blocks.append(Paragraph(text, Location(line=cap.sourceline)))
        rows = [
            [SpanCell(_cell_text(c), _span(c.get("rowspan"), MAX_ROWSPAN), _span(c.get("colspan"), 1),
                      Location(line=c.sourceline)) for c in _cells(r)]
            for r in _own_rows(el)
        ]
        if any(rows):
            self.blocks.append(build_table(rows, Location(line=el.sourceline), self.file))


def _has_text(blocks: Iterable[Paragraph | Table]) -> bool:
    for b in blocks:
        if isinstance(b, Paragraph) and b.text:
            return True
        if isinstance(b, Table) and any(c.text for c in b.cells):
            return True
    return False


def _attachments(root: etree._Element) -> list[str]:
    return sorted({a.get("href") or "" for a in root.iter("a") if _ATTACHMENT.search(a.get("href") or "")})


def _why_empty(root: etree._Element) -> str:
    """A useful reason for a page without text: where the report probably is instead."""
    frames = [f.get("src") for f in root.iter("frame", "iframe", "embed", "object") if f.get("src")]
    frames += [f.get("data") for f in root.iter("object") if f.get("data")]
    attachments = _attachments(root)
    if attachments:
        shown = ", ".join(sorted(set(attachments))[:3])
        return _("web page has no report text; it links attachment(s) {files} — read those instead").format(
            files=shown)
    if frames:
        shown = ", ".join(sorted(set(frames))[:3])
        return _("web page has no text of its own; it shows {pages} in a frame — save that page instead").format(
            pages=shown)
    return _("web page has no text (empty, or filled in by JavaScript; save the page as the browser shows it)")


# Portals append the site's name to the page title: "…年度报告_平潭综合实验区", "… - 某市人民政府",
# "… | 某局". The last such separator with a title before it is the one.
_SITE_SUFFIX = re.compile(r"\s*(?:_|-|\||｜|—)\s*[^_|｜]*$")
_ARTICLE_META = {"articletitle": "html:ArticleTitle", "contentsource": "html:ContentSource",
                 # the publication time the national guideline for government websites requires
                 "pubdate": "html:PubDate", "firstpublishedtime": "html:PubDate", "publishdate": "html:PubDate"}


def _meta_tags(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or "").strip().lower()
        if name in _ARTICLE_META and (el.get("content") or "").strip():
            out.setdefault(_ARTICLE_META[name], clean_text(el.get("content") or ""))
    return out


def strip_site_name(title: str) -> str:
    """The page title without the site name portals append after `_`, `-` or `|`."""
    out = title.strip()
    while True:
        m = _SITE_SUFFIX.search(out)
        if not m or not _TITLE.search(out[:m.start()]):
            return out
        out = out[:m.start()].rstrip()


def page_properties(meta: dict[str, str], page_title: str) -> dict[str, str]:
    props = dict(meta)
    if page_title:
        props["html:title"] = strip_site_name(page_title)
    return dict(sorted(props.items()))


def extract_html(data: bytes, file: str = "") -> Document:
    archived = unwrap_mht(data, file)
    if archived is not None:
        data, charset = archived
        text, encoding = decode_html(data, file, charset)
    else:
        text, encoding = decode_html(data, file)
    # NUL is not a character of any page; libxml2 would stop at it.
    body = text.replace("\x00", "").encode("utf-8")
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                              no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise InputError(file, _("not readable as a web page: {error}").format(error=e)) from e
    if root is None:
        raise InputError(file, _("web page has no content"))
    title_el = next(iter(root.iter("title")), None)
    page_title = clean_text("".join(title_el.itertext())) if title_el is not None else ""
    root_meta = _meta_tags(root)
    why_empty = _why_empty(root)  # before cleaning: frames and objects are removed by it
    attachments = _attachments(root)

    _clean_tree(root)
    stats = _compute_stats(root)
    marks = _find_landmarks(root, stats)
    container, title = _choose_container(root, stats, marks)
    prose = stats[container].chars - stats[container].link
    if attachments and not (marks.headings or marks.tables) and prose < _MIN_PROSE:
        # an article page that only announces the report and links it as a file
        raise InputError(file, why_empty)

    emitter = _Emitter(file, stats)
    if title is not None:
        emitter.text("".join(title.itertext()), title.sourceline)
        emitter.flush()
    emitter.walk(container, top=True)
    emitter.flush()
    blocks = emitter.blocks
    if not _has_text(blocks):
        raise InputError(file, why_empty)
    # A page whose article prints no title still names itself in <title> and its meta tags; the
    # parser takes them from there (with their provenance) when the text has no title line.
    properties = page_properties(root_meta, page_title)
    warnings = [] if encoding in ("utf-8", "utf-8-sig", "utf-16", "gb18030") else [
        _("decoded as {encoding}").format(encoding=encoding) if encoding != "mixed" else
        _("mixed UTF-8 and GB18030 lines; some characters may be wrong")]
    images = sum(1 for _img in container.iter("img"))
    if images and not marks.tables:
        # sites often paste the statistics tables in as pictures; say so rather than let the
        # parser report every cell as missing without a reason
        warnings.append(_("the report body holds {n} image(s) and no statistics table: "
                          "the tables may be pictures (OCR them)").format(n=images))
    return Document(blocks, kind="html", file=file, warnings=warnings, properties=properties)
