"""Column list pages of the common government CMS families: which links are annual reports, and
which further list pages to read.

Three families, read from the same page (a site may mix them):

- **Static pagination** (TRS WCM and its clones): `index.html`, `index_1.html`, … written by a
  script call `createPageHTML(count, current, "index", "html")` (some versions put a container
  id first and the record count last). The page count is a number or a variable set earlier.
- **A datastore** (Hanweb/大汉 jpage): the first records sit in `<script type="text/xml">
  <datastore>…<recordset><record><![CDATA[<li><a …>…</a></li>]]></record>…`; the rest come
  from a paging proxy named in `<nextgroup>` (`/module/web/jpage/dataproxy.jsp?…`), asked by
  POST with `startrecord`/`endrecord`/`perpage` in the query and the nextgroup's parameters
  as the form, answering the same datastore XML.
- **Plain links** with a 下一页 (next page) link.

An annual report is a link whose text names a 政府信息公开 (or 政务公开) 年度报告/年报 with a year,
and is not a notice about reports (关于…的通知, 解读, 图解…).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from xxgk.collect.pages import Link, base_url, links, parse_html, squash

# ---------------------------------------------------------------- which links are reports

_REPORT = re.compile(r"(?:信息公开|政务公开).{0,12}(?:年度报告|年报|工作报告)")
_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*年?")
# Titles that name an annual report but are about one: notices, readings, graphics, Q&A.
_NOT_REPORT = re.compile(r"关于|通知|解读|图解|问答|一图|读懂|培训|部署|编制|报送|通报|评估|检查|考核|目录")
_DATE = re.compile(r"(20\d{2})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")


_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_CN_YEAR = re.compile(r"[二][〇零○][〇零○一二三四五六七八九]{2}(?=\s*年)")


def normalise(text: str) -> str:
    """Full-width digits and punctuation made plain (NFKC), years in Chinese numerals
    (二〇二三年) made digits, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "")
    return squash(_CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text))


def report_year(title: str) -> int | None:
    """The year an annual-report title names, or None when the title is not one."""
    flat = normalise(title).replace(" ", "")
    if not _REPORT.search(flat) or _NOT_REPORT.search(flat):
        return None
    years = [int(y) for y in _YEAR.findall(flat) if 2000 <= int(y) <= 2100]
    return years[0] if years else None


def find_date(text: str) -> str | None:
    """The first date written in a text, as YYYY-MM-DD."""
    m = _DATE.search(normalise(text))
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


@dataclass(frozen=True)
class Entry:
    """A report found in a column: its article (or document) URL and what the list says of it."""

    url: str
    title: str
    year: int
    list_date: str | None  # the date printed beside the link, YYYY-MM-DD


@dataclass(frozen=True)
class Request:
    """A further list page to read: a plain GET, or a POST to a datastore's paging proxy."""

    url: str
    method: str = "GET"
    data: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return self.url if self.method == "GET" else f"{self.url} {urlencode(self.data)}"


@dataclass
class ListPage:
    entries: list[Entry] = field(default_factory=list)
    more: list[Request] = field(default_factory=list)  # further list pages, in order
    family: str = "links"  # "static", "datastore", "links"


def entries_of(found: list[Link]) -> list[Entry]:
    out: dict[str, Entry] = {}
    for link in found:
        year = report_year(link.text)
        if year is None or link.url in out:
            continue
        out[link.url] = Entry(link.url, link.text, year, find_date(link.context.replace(link.text, " ")))
    return list(out.values())


# ---------------------------------------------------------------- static pagination

_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_ARGS = re.compile(r"""\s*("[^"]*"|'[^']*'|[^,]+)\s*(?:,|$)""")


def _value(token: str, script: str) -> int | None:
    """A createPageHTML argument as a number: a literal, or a variable assigned earlier."""
    if token.isdigit():
        return int(token)
    m = re.search(rf"\b{re.escape(token)}\s*=\s*[\"']?(\d+)", script)
    return int(m.group(1)) if m else None


def static_pages(script: str, page_url: str) -> list[Request] | None:
    """The other pages of a static pagination written by createPageHTML(…), or None."""
    m = _CREATE_PAGE.search(script)
    if not m:
        return None
    args = [a.strip() for a in _ARGS.findall(m.group(1))]
    quoted = [a[1:-1] for a in args if a[:1] in "\"'"]
    bare = [a for a in args if a[:1] not in "\"'"]
    # (count, current, name, ext) or, in later versions, (id, count, current, name, ext, records).
    if len(quoted) >= 3:
        quoted = quoted[1:]
    if len(quoted) < 2 or not bare:
        return None
    count = _value(bare[0], script)
    if count is None:
        return None
    name, ext = quoted[0], quoted[1]
    return [Request(urljoin(page_url, f"{name}_{i}.{ext}")) for i in range(1, count)]


# ---------------------------------------------------------------- datastore (jpage)

_DATASTORE = re.compile(r"<datastore\b.*?</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</nextgroup>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.I)
_GROUP = re.compile(r"groupSize\s*[:=]\s*['\"]?(\d+)", re.I)
_PROXY = re.compile(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)['\"]", re.I)


@dataclass
class Datastore:
    records: list[Link]
    total: int | None
    proxy: Request | None  # the paging proxy with its form parameters (no start/end yet)
    per_page: int
    group: int  # records asked per proxy request


def datastore(text: str, page_url: str) -> Datastore | None:
    """The datastore embedded in a list page (or a proxy's answer), or None."""
    m = _DATASTORE.search(text)
    if not m:
        return None
    body = m.group(0)
    records: list[Link] = []
    for rm in _RECORD.finditer(body):
        fragment = rm.group(1) if rm.group(1) is not None else rm.group(2)
        records.extend(links(parse_html(fragment), page_url))
    total_m = _TOTAL.search(body) or _TOTAL.search(text)
    total = int(total_m.group(1) or total_m.group(2)) if total_m else None
    per_page = int(pm.group(1)) if (pm := _PER_PAGE.search(text)) else 15
    group = per_page * (int(gm.group(1)) if (gm := _GROUP.search(text)) else 3)
    proxy = None
    ng = _NEXTGROUP.search(body)
    href = None
    if ng:
        fragment = ng.group(1) if ng.group(1) is not None else ng.group(2)
        hm = re.search(r"""href\s*=\s*["']([^"']+)["']""", fragment)
        href = hm.group(1).replace("&amp;", "&") if hm else None
    if href is None and (px := _PROXY.search(text)):
        href = px.group(1)
    if href:
        url = urljoin(page_url, href)
        parts = urlsplit(url)
        params = tuple((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k not in ("startrecord", "endrecord", "perpage"))
        proxy = Request(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), "POST", params)
    return Datastore(records, total, proxy, per_page, group)


def proxy_requests(store: Datastore, have: int, max_requests: int) -> list[Request]:
    """The proxy requests that fetch the records after the first `have` (when the total is known)."""
    if store.proxy is None or store.total is None:
        return []
    out = []
    start = have + 1
    while start <= store.total and len(out) < max_requests:
        end = min(store.total, start + store.group - 1)
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": store.per_page})
        out.append(Request(f"{store.proxy.url}?{query}", "POST", store.proxy.data))
        start = end + 1
    return out


# ---------------------------------------------------------------- plain links

_NEXT = re.compile(r"^(?:下一页|下页|后一页|next|›|>|»)$", re.I)


def next_link(found: list[Link], page_url: str) -> Request | None:
    for link in found:
        if _NEXT.match(link.text) and link.url != page_url:
            return Request(link.url)
    return None


# ---------------------------------------------------------------- one list page


def read_list_page(text: str, page_url: str, *, first: bool, max_requests: int = 1000) -> ListPage:
    """Entries and further list pages of one list page (or datastore proxy answer).

    `first`: the column's first page, where a static pagination's page count and a datastore's
    proxy are read; later pages only add their entries (and a plain next link).
    """
    root = parse_html(text)
    base = base_url(root, page_url)
    anchors = list(links(root, page_url))
    page = ListPage()
    store = datastore(text, base)
    if store is not None:
        page.family = "datastore"
        anchors = store.records + anchors  # the records carry their dates; the raw parse does not
        if first:
            page.more.extend(proxy_requests(store, len(store.records), max_requests))
    scripts = "\n".join(s.text or "" for s in root.iter("script") if isinstance(s.tag, str))
    static = static_pages(scripts, base) if store is None else None
    if static is not None:
        page.family = "static"
        if first:
            page.more.extend(static)
    elif store is None:
        nxt = next_link(anchors, page_url)
        if nxt is not None:
            page.more.append(nxt)
    page.entries = entries_of(anchors)
    return page
