"""Reading a fetched web page: its text in the right encoding, its tree, its links as absolute URLs.

Decoding is the HTML extractor's (`xxgk.extract.html.decode_html`): valid UTF-8 wins over a
declaration (CMS migrations left many pages that say gb2312 and are UTF-8), then the declared
CJK charset, then GB18030 (GBK's superset). The HTTP header's charset is tried like the page's
own declaration, and like it may lie.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree, html

from xxgk.extract.html import decode_html

_SPACE = re.compile(r"\s+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def decode(content: bytes, header_charset: str | None = None, name: str = "") -> str:
    """The page's text. The page's own declaration counts first; the HTTP header's charset is
    used only when the page declares none."""
    text, _ = decode_html(content, name, header_charset if header_charset and not _declares(content) else None)
    return text


def _declares(content: bytes) -> bool:
    head = content[:4096].lower()
    return b"charset" in head or b"encoding=" in head


def squash(text: str | None) -> str:
    """Whitespace (including full-width and no-break spaces) collapsed to single spaces."""
    return _SPACE.sub(" ", (text or "").replace("\u3000", " ").replace("\xa0", " ")).strip()


def parse_html(text: str) -> etree._Element:
    """A forgiving tree of a page (or of a fragment, wrapped in a document)."""
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        text = "<html></html>"
    parser = html.HTMLParser(encoding="utf-8", remove_comments=True)
    return html.document_fromstring(text.encode("utf-8"), parser=parser)


def base_url(root: etree._Element, page_url: str) -> str:
    """The URL relative links are resolved against: the page's <base href>, else the page's own."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return urljoin(page_url, href)
    return page_url


def absolute(base: str, href: str | None) -> str | None:
    """An absolute http(s) URL for a link (relative and protocol-relative ones resolved), without
    its #fragment; None for javascript:, mailto: and empty links."""
    href = (href or "").strip().replace("\\", "/")
    if not href or href.startswith("#"):
        return None
    url, _ = urldefrag(urljoin(base, href))
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return url


@dataclass(frozen=True)
class Link:
    url: str
    text: str  # the anchor's visible text, or its title attribute when that is longer
    context: str  # the text of the list item or table row that holds the link (dates live there)


def links(root: etree._Element, page_url: str) -> Iterator[Link]:
    """Every <a href> of the tree, as absolute URLs with their text and surroundings."""
    base = base_url(root, page_url)
    for a in root.iter("a"):
        url = absolute(base, a.get("href"))
        if url is None:
            continue
        text = squash(a.text_content())
        title = squash(a.get("title"))
        if len(title) > len(text):
            text = title
        yield Link(url, text, _context(a))


def _context(a: etree._Element) -> str:
    """The text of the nearest list item, table row or paragraph around a link."""
    el = a.getparent()
    for _ in range(4):
        if el is None:
            break
        if el.tag in ("li", "tr", "p", "dd", "dt") or (el.tag == "div" and len(squash(el.text_content())) < 300):
            return squash(el.text_content())
        el = el.getparent()
    return squash(a.text_content())
