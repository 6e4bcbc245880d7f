"""Small fake government sites on 127.0.0.1 for the collect tests (no test here, only the sites).

`Site` is a threaded http.server with a route table and a request log (time, method, path):
static files with ETag/Last-Modified answering conditional GETs with 304, and handlers for the
awkward cases (a 503 that recovers, a slow answer, a redirect, a paging proxy, a pause the
kill test waits on). `families(site)` builds the three CMS families from the real reports in
tests/data.
"""

from __future__ import annotations

import hashlib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

DATA = Path(__file__).parent / "data"
LAST_MODIFIED = formatdate(1737331200, usegmt=True)  # 2025-01-20, fixed: the same answers every run


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[str, str, dict[str, str], bytes], Answer]  # (method, path?query, headers, body)


class Site:
    def __init__(self, tls: tuple[str, str] | None = None) -> None:
        """`tls`: (certificate, key) files: serve HTTPS with that certificate."""
        self.routes: dict[str, Handler] = {}
        self.log: list[tuple[float, str, str, int]] = []  # (monotonic time, method, path?query, status)
        self.lock = threading.Lock()
        site = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, method: str) -> None:
                arrived = time.monotonic()
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                answer = site.answer(method, self.path, headers, body)
                with site.lock:
                    site.log.append((arrived, method, self.path, answer.status))
                try:
                    self.send_response(answer.status)
                    for k, v in answer.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    if method != "HEAD":
                        self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that hung up (the timeout and kill tests do): not the site's business

        self.server = Server(("127.0.0.1", 0), H)
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def root(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.root + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        handler = self.routes.get(path) or self.routes.get(urlsplit(path).path)
        if handler is None:
            return Answer(404, b"<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"})
        return handler(method, path, headers, body)

    # ------------------------------------------------------------------ routes

    def file(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8",
             extra: dict[str, str] | None = None) -> None:
        """A static file with validators; a matching conditional GET gets a 304."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

        def serve(method: str, _path: str, headers: dict[str, str], _body: bytes) -> Answer:
            if headers.get("if-none-match") == etag or (
                    "if-none-match" not in headers and headers.get("if-modified-since") == LAST_MODIFIED):
                return Answer(304, b"", {"ETag": etag, "Last-Modified": LAST_MODIFIED})
            h = {"Content-Type": content_type, "ETag": etag, "Last-Modified": LAST_MODIFIED, **(extra or {})}
            return Answer(200, body, h)

        self.routes[path] = serve

    def handler(self, path: str, fn: Handler) -> None:
        self.routes[path] = fn

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.routes[path] = lambda *_: Answer(status, b"", {"Location": to})

    def flaky(self, path: str, failures: int, then: Handler) -> list[int]:
        """`failures` answers 503 (with Retry-After: 0), then the real thing. Returns a counter."""
        count = [0]

        def serve(method: str, p: str, headers: dict[str, str], body: bytes) -> Answer:
            count[0] += 1
            if count[0] <= failures:
                return Answer(503, b"busy", {"Retry-After": "0", "Content-Type": "text/plain"})
            return then(method, p, headers, body)

        self.routes[path] = serve
        return count

    def slow(self, path: str, seconds: float) -> None:
        def serve(*_: object) -> Answer:
            time.sleep(seconds)
            return Answer(200, b"<html>late</html>", {"Content-Type": "text/html"})

        self.routes[path] = serve

    def requests(self, path: str | None = None) -> list[tuple[float, str, str, int]]:
        with self.lock:
            return [r for r in self.log if path is None or r[2] == path]


def page(title: str, body: str, charset: str = "utf-8", head: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}">{head}<title>{title}</title></head>'
            f"<body><div class='nav'><a href='/'>首页</a> <a href='/zwgk/'>政务公开</a></div>{body}</body></html>")


def list_items(items: list[tuple[str, str, str]]) -> str:
    return "<ul class='list'>" + "".join(
        f"<li><a href='{href}' target='_blank'>{title}</a><span class='date'>{date}</span></li>"
        for href, title, date in items) + "</ul>"


def with_attachment(html: bytes, href: str, text: str) -> bytes:
    """A real report page with an attachment link added at the end of its body."""
    link = f"<div class='fj'>附件：<a href='{href}'>{text}</a></div></body>".encode()
    return html.replace(b"</body>", link, 1)


# ---------------------------------------------------------------- the three CMS families

HUAIAN_HTML = (DATA / "html" / "huaian-2024.html").read_bytes()
HUAIAN_PDF = (DATA / "pdf" / "huaian-city-2024.pdf").read_bytes()
HONGZE_PDF = (DATA / "pdf" / "hongze-district-2024.pdf").read_bytes()
PARK_GBK = (DATA / "html" / "park-2020-gbk.html").read_bytes()
KFQ_HTML = (DATA / "html" / "kfq-2022-nbsp.html").read_bytes()
HONGZE_NAME = "淮安市洪泽区2024年政府信息公开工作年度报告.pdf"


def static_family(site: Site, prefix: str = "/trs") -> str:
    """TRS-style column: index.html + index_1.html + index_2.html written by createPageHTML,
    GBK pages, relative links; one article a GBK report, one whose meta charset lies."""
    gbk = "gb2312"
    script = "<script>var countPage = 3;//共多少页\ncreatePageHTML(countPage, {cur}, \"index\", \"html\");</script>"
    pages = [
        [("./202501/t20250120_1.html", "淮安市人民政府2024年政府信息公开工作年度报告", "2025-01-20"),
         ("./202501/t20250118_9.html", "关于做好2024年政府信息公开工作年度报告编制工作的通知", "2025-01-18")],
        [("../trs/202101/t20210125_2.html", "工业园区2020年政府信息公开工作年度报告", "2021-01-25")],
        [("/trs/201901/t20190120_3.html", "工业园区2018年政府信息公开工作年度报告", "2019-01-20")],
    ]
    for i, items in enumerate(pages):
        name = "index.html" if i == 0 else f"index_{i}.html"
        html = page("政府信息公开年度报告", list_items(items) + script.format(cur=i), charset=gbk)
        site.file(f"{prefix}/{name}", html.encode("gb18030"), "text/html")
    # A lying charset: the page says UTF-8 and is GBK; the server says nothing.
    lying = HUAIAN_HTML.decode("utf-8").encode("gb18030")
    assert b'charset="utf-8"' in lying
    site.file(f"{prefix}/202501/t20250120_1.html", lying, "text/html")
    site.file(f"{prefix}/202501/t20250118_9.html", page("通知", "<p>各单位：请做好年报编制。</p>").encode())
    site.file(f"{prefix}/202101/t20210125_2.html", PARK_GBK, "text/html; charset=gbk")
    site.file(f"{prefix}/201901/t20190120_3.html", page("2018", "<p>旧报告</p>").encode())
    return site.url(f"{prefix}/index.html")


def datastore_family(site: Site, prefix: str = "/hanweb") -> str:
    """Hanweb jpage column: the first records in a <script type="text/xml"> datastore, the rest
    from the paging proxy by POST; protocol-relative links; attachments behind a download
    script named by RFC 5987 filename*; a redirect; a 404 attachment."""
    proxy = f"{prefix}/module/web/jpage/dataproxy.jsp"
    host = f"//127.0.0.1:{site.port}"
    records = [
        (f"{host}{prefix}/art/2025/1/21/art_1_1.html", "淮安市洪泽区2024年政府信息公开工作年度报告", "2025-01-21"),
        (f"{prefix}/art/2023/1/16/art_1_2.html", "先进制造业开发区2022年政府信息公开工作年度报告", "2023-01-16"),
        (f"{prefix}/art/2025/1/22/art_1_3.html", "2024年度政府信息公开工作年报（淮安市人民政府）", "2025-01-22"),
    ]

    def record(href: str, title: str, date: str) -> str:
        return (f"<record><![CDATA[<li><a href=\"{href}\" title=\"{title}\" target=\"_blank\">{title[:10]}…</a>"
                f"<span>{date}</span></li>]]></record>")

    datastore = (
        '<script type="text/xml"><datastore>'
        f'<nextgroup><![CDATA[<a href="{proxy}?page=1&appid=1&webid=1&path=/&columnid=77&unitid=88'
        '&webname=%E6%B5%8B%E8%AF%95&permissiontype=0"></a>]]></nextgroup>'
        f"<recordset>{record(*records[0])}</recordset></datastore></script>"
        "<script>$(document).ready(function(){$('#88').jpage({dataStore: dataStore, perPage: 1, groupSize: 1, "
        f"totalRecord: {len(records)}, proxyUrl: '{proxy}'}});}});</script>"
    )
    site.file(f"{prefix}/col/col77/index.html", page("年报", f"<div id='88'>{datastore}</div>").encode())

    def serve_proxy(method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        q = parse_qs(urlsplit(path).query)
        form = parse_qs(body.decode())
        if method != "POST" or form.get("columnid") != ["77"]:
            return Answer(400, b"bad proxy request")
        start, end = int(q["startrecord"][0]), int(q["endrecord"][0])
        rows = "".join(record(*r) for r in records[start - 1:end])
        xml = f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(records)}</totalrecord>' \
              f"<recordset>{rows}</recordset></datastore>"
        return Answer(200, xml.encode(), {"Content-Type": "text/xml;charset=UTF-8"})

    site.handler(proxy, serve_proxy)
    # Article 1: a short text pointing to its PDF behind a download script (RFC 5987 name).
    download = f"{prefix}/module/download/downfile.jsp?classid=0&filename=2501211234567.pdf"
    art1 = page("洪泽区年报", "<h1>淮安市洪泽区2024年政府信息公开工作年度报告</h1>"
                "<div class='info'>发布时间：2025-01-21 09:30 来源：区政府办</div><p>详见附件。</p>"
                f"<p>附件：<a href='{download}'>淮安市洪泽区2024年年报.pdf</a></p>",
                head='<meta name="ColumnName" content="政府信息公开年报">')
    site.file(f"{prefix}/art/2025/1/21/art_1_1.html", art1.encode())
    site.file(download, HONGZE_PDF, "application/octet-stream",
              {"Content-Disposition": "attachment; filename=\"report.pdf\"; "
                                      f"filename*=UTF-8''{quote(HONGZE_NAME)}"})
    # Article 2: the report is the page; its attachment is missing (404).
    site.file(f"{prefix}/art/2023/1/16/art_1_2.html", KFQ_HTML)
    # Article 3: moved; the old address redirects.
    site.redirect(f"{prefix}/art/2025/1/22/art_1_3.html", f"{prefix}/art/2025/1/22/moved.html")
    site.file(f"{prefix}/art/2025/1/22/moved.html", with_attachment(HUAIAN_HTML, "/hanweb/files/huaian.pdf",
                                                                     "淮安市2024年年报.pdf"))
    site.file(f"{prefix}/files/huaian.pdf", HUAIAN_PDF, "application/pdf")
    return site.url(f"{prefix}/col/col77/index.html")


def links_family(site: Site, prefix: str = "/plain", *, flaky: int = 2, slow: float = 2.0) -> tuple[str, list[int]]:
    """Plain list pages joined by 下一页; the first answers 503 `flaky` times; one article is
    slower than the timeout; one is under a path robots.txt forbids; one is a PDF linked directly."""
    first = page("年报", list_items([
        (f"{prefix}/slow.html", "某县2024年政府信息公开工作年度报告", "2025-01-30"),
        (f"{prefix}/private/secret.html", "某局2024年政府信息公开工作年度报告", "2025-01-29"),
    ]) + f"<div class='page'><a href='{prefix}/list_2.html'>下一页</a></div>")
    second = page("年报", list_items([
        (f"{prefix}/files/hz.pdf", "淮安市洪泽区2024年政府信息公开工作年度报告", "2025-01-21"),
    ]) + f"<div class='page'><a href='{prefix}/list.html'>上一页</a></div>")
    site.file(f"{prefix}/list_2.html", second.encode())
    site.file(f"{prefix}/_first.html", first.encode())
    counter = site.flaky(f"{prefix}/list.html", flaky, site.routes.pop(f"{prefix}/_first.html"))
    site.slow(f"{prefix}/slow.html", slow)
    site.file(f"{prefix}/private/secret.html", HUAIAN_HTML)
    site.file(f"{prefix}/files/hz.pdf", HONGZE_PDF, "application/pdf")
    site.file("/robots.txt", f"User-agent: *\nDisallow: {prefix}/private/\n".encode(), "text/plain")
    return site.url(f"{prefix}/list.html"), counter
