"""An article page: its metadata, whether its body is the report itself, and its attachments.

Metadata comes first from the meta tags the national guideline for government websites
(《政府网站发展指引》, 国办发〔2017〕47号) requires on every article: `ArticleTitle`, `PubDate`,
`ContentSource`, `ColumnName`; else from the visible 发布时间/发布日期 and 来源 line; else the
title from <h1> or <title>. Each value says where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, unquote, urlsplit

from lxml import etree

from xxgk.collect.listing import find_date, report_year
from xxgk.collect.pages import base_url, links, parse_html, squash
from xxgk.template import SECTIONS

# Files an article attaches that may hold the report (what xxgk reads; spreadsheets do not).
DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".rtf", ".zip", ".txt")
_SUFFIX_IN_TEXT = re.compile(r"\.(pdf|docx?|wps|rtf|zip)\b", re.I)
_DOWNLOAD_PATH = re.compile(r"download|downfile|attach|fujian|getfile", re.I)

_PUBLISHED_LINE = re.compile(
    r"(?:发布时间|发布日期|发文日期|成文日期|公开日期|更新时间|日期|时间)\s*[:：]\s*"
    r"(20\d{2}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
)
_SOURCE_LINE = re.compile(r"(?:信息来源|文章来源|来源)\s*[:：]\s*([^\s|｜:：]{2,40})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_TITLE_TAIL = re.compile(r"\s*[_|｜\-—]+\s*[^_|｜\-—]*$")


@dataclass
class ArticleMeta:
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    published_at: str | None = None  # as precise as the page says: "YYYY-MM-DD HH:MM[:SS]" or the date
    source: str | None = None  # ContentSource / 来源: the publishing office
    column: str | None = None  # ColumnName
    # Where each value came from: "meta" (the guideline's meta tags), "page" (the visible line or
    # heading), "list" (the column list beside the link).
    provenance: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Attachment:
    url: str
    text: str


@dataclass
class Article:
    meta: ArticleMeta
    attachments: list[Attachment]
    body_is_report: bool


def _meta_tags(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        content = squash(m.get("content"))
        if name and content and name not in out:
            out[name] = content
    return out


def _when(text: str) -> tuple[str, str] | None:
    """(date, date with time when given) from a written date-time."""
    date = find_date(text)
    if date is None:
        return None
    t = _TIME.search(text.strip())
    if t and find_date(text[: t.start()]) == date:
        h, mi, sec = int(t.group(1)), int(t.group(2)), t.group(3)
        if h < 24 and mi < 60:
            return date, f"{date} {h:02d}:{mi:02d}" + (f":{int(sec):02d}" if sec else "")
    return date, date


_BLOCKS = frozenset({"div", "p", "li", "ul", "ol", "tr", "td", "th", "table", "br", "h1", "h2", "h3", "h4",
                     "h5", "h6", "dd", "dt", "dl", "section", "article", "header", "footer", "span", "font"})


def block_text(root: etree._Element) -> str:
    """The visible text with a line break around every block (and span: CMS templates put each
    metadata item in its own span), so a value read after a label stops where its box ends."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "head", "title"):
            if el.tail:
                parts.append(el.tail)
            return
        block = el.tag in _BLOCKS
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if block:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(root)
    return "\n".join(squash(line) for line in "".join(parts).splitlines() if line.strip())


def read_meta(root: etree._Element) -> ArticleMeta:
    meta = ArticleMeta()
    tags = _meta_tags(root)
    text = block_text(root)
    if tags.get("articletitle"):
        meta.title, meta.provenance["title"] = tags["articletitle"], "meta"
    # PubDate is the guideline's; other CMSs name it otherwise.
    when = next((w for name in ("pubdate", "firstpublishedtime", "publishdate", "article:published_time")
                 if (w := _when(tags.get(name, "")))), None)
    if when:
        meta.published, meta.published_at = when
        meta.provenance["published"] = "meta"
    if tags.get("contentsource"):
        meta.source, meta.provenance["source"] = tags["contentsource"], "meta"
    if tags.get("columnname"):
        meta.column, meta.provenance["column"] = tags["columnname"], "meta"
    if meta.published is None and (m := _PUBLISHED_LINE.search(text)):
        when = _when(m.group(1))
        if when:
            meta.published, meta.published_at = when
            meta.provenance["published"] = "page"
    if meta.source is None and (m := _SOURCE_LINE.search(text)):
        meta.source, meta.provenance["source"] = m.group(1), "page"
    if meta.title is None:
        # A heading that names a report; a site name in <title> is no article title.
        headings = [squash(h.text_content()) for tag in ("h1", "h2", "h3") for h in root.iter(tag)]
        headings += [_TITLE_TAIL.sub("", squash(t.text_content())) for t in root.iter("title")]
        heading = next((h for h in headings if report_year(h) is not None), None)
        if heading:
            meta.title, meta.provenance["title"] = heading, "page"
    return meta


def is_document_link(url: str, text: str) -> bool:
    """A link to a file that may hold a report (by its path, its query or its text)."""
    parts = urlsplit(url)
    path = unquote(parts.path).lower()
    if path.endswith(DOCUMENT_SUFFIXES):
        return True
    query_values = " ".join(v for _, v in parse_qsl(parts.query))
    if _SUFFIX_IN_TEXT.search(query_values) and _DOWNLOAD_PATH.search(path + parts.query):
        return True
    return bool(_SUFFIX_IN_TEXT.search(text)) and bool(_DOWNLOAD_PATH.search(path + parts.query))


def looks_like_report(text: str) -> bool:
    """Whether a page's text carries the report itself: most of the six section headings of the
    template (a page that only says 详见附件 names none)."""
    flat = squash(text).replace(" ", "")
    return sum(1 for s in SECTIONS if re.search(s.match, flat)) >= 4


def read_article(text: str, page_url: str) -> Article:
    root = parse_html(text)
    meta = read_meta(root)
    seen: dict[str, Attachment] = {}
    for link in links(root, base_url(root, page_url)):
        if link.url not in seen and link.url != page_url and is_document_link(link.url, link.text):
            seen[link.url] = Attachment(link.url, link.text)
    body = squash(root.text_content())
    return Article(meta, list(seen.values()), looks_like_report(body))


# ---------------------------------------------------------------- attachment names


def filename(content_disposition: str | None, url: str, link_text: str = "") -> str:
    """A file name for a downloaded attachment: Content-Disposition (RFC 6266; RFC 5987
    `filename*=UTF-8''…` preferred over `filename=`, raw UTF-8 or GBK bytes in the latter
    repaired), else the link's text when it names a file, else the URL's last segment."""
    name = _disposition_name(content_disposition) if content_disposition else None
    if not name and _SUFFIX_IN_TEXT.search(link_text or ""):
        name = link_text
    if not name:
        name = unquote(PurePosixPath(urlsplit(url).path).name)
    return safe_name(name) or "download"


def _disposition_name(header: str) -> str | None:
    # RFC 6266: filename* (RFC 5987: charset'language'percent-encoded) wins over filename.
    m = re.search(r"filename\*\s*=\s*\"?([^\";]+)", header, re.I)
    if m:
        charset, _, rest = m.group(1).strip().partition("'")
        _lang, _, encoded = rest.partition("'")
        try:
            name = unquote(encoded, encoding=charset.strip() or "utf-8", errors="strict")
        except (LookupError, UnicodeDecodeError):
            name = ""
        if name:
            return name
    m = re.search(r"""filename\s*=\s*(?:"([^"]*)"|([^;]+))""", header, re.I)
    if not m:
        return None
    name = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    if not name:
        return None
    return _repair(unquote(name) if re.search(r"%[0-9A-Fa-f]{2}", name) else name)


def _repair(name: str) -> str:
    """Servers send UTF-8 or GBK bytes in filename="…"; HTTP clients read them as Latin-1."""
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return name  # already real characters
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return name


_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')


def safe_name(name: str) -> str:
    """A file name safe on every file system: no folders, no control or reserved characters."""
    name = _UNSAFE.sub("_", PurePosixPath(name.replace("\\", "/")).name).strip(" .")
    if len(name.encode("utf-8")) > 200:  # most file systems stop at 255 bytes
        stem, dot, ext = name.rpartition(".")
        keep = stem if dot else name
        while len((keep + dot + ext).encode("utf-8")) > 200:
            keep = keep[:-1]
        name = keep + dot + ext if dot else keep
    return name
