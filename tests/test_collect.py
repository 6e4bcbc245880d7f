"""xxgk collect: the parts (list pages, article metadata, file names, charsets) and whole runs
against fake government sites served by the tests on 127.0.0.1 (see test_collect_site.py)."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest_db import BACKENDS, fresh_url
from test_collect_site import (
    HONGZE_NAME,
    HUAIAN_HTML,
    Site,
    datastore_family,
    links_family,
    page,
    static_family,
    with_attachment,
)
from xxgk.collect import Options, apply, collect, publication, publications, published_dates
from xxgk.collect.article import filename, is_document_link, looks_like_report, read_article
from xxgk.collect.fetch import Fetcher, FetchError
from xxgk.collect.listing import datastore, find_date, read_list_page, report_year, static_pages
from xxgk.collect.pages import decode
from xxgk.collect.state import State
from xxgk.i18n import use_lang
from xxgk.store import Store

FAST = {"rate": 0.0, "timeout": 0.5, "retries": 2, "backoff": 0.01}


@pytest.fixture()
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # downloads go to ./collected, as given to the ingest
    return tmp_path


def run(site_urls, db: Path, **options):
    with Store.open(db) as store:
        summary = collect(site_urls, store, Options(**{**FAST, **options}))
        dump = list(store.dump()) + list(State(store.engine).dump())
    return summary, dump


# ---------------------------------------------------------------- the parts


@pytest.mark.parametrize(("title", "year"), [
    ("淮安市人民政府2024年政府信息公开工作年度报告", 2024),
    ("2023年度政府信息公开工作年报", 2023),
    ("XX区政务公开2022年年度报告", 2022),
    ("关于做好2024年政府信息公开工作年度报告编制工作的通知", None),
    ("图解：2024年政府信息公开工作年度报告", None),
    ("2024年法治政府建设年度报告", None),
    ("政府信息公开工作年度报告", None),  # no year: cannot be placed
    ("某县二〇二三年政府信息公开工作年度报告", 2023),
    ("某县２０２２年度政府信息公开年报", 2022),  # full-width digits
])
def test_report_titles(title, year):
    assert report_year(title) == year


def test_static_pagination_of_both_createpagehtml_versions():
    url = "http://a.gov.cn/col/ndbg/index.html"
    pages = static_pages('var countPage = 3;\ncreatePageHTML(countPage, 0, "index", "html");', url)
    assert [p.url for p in pages] == ["http://a.gov.cn/col/ndbg/index_1.html", "http://a.gov.cn/col/ndbg/index_2.html"]
    pages = static_pages("createPageHTML('page_div', 2, 1, 'index', 'shtml', 25);", url)
    assert [p.url for p in pages] == ["http://a.gov.cn/col/ndbg/index_1.shtml"]
    assert static_pages("createPageHTML(1, 0, 'index', 'html');", url) == []
    assert static_pages("var x = 1;", url) is None


def test_datastore_records_and_paging_proxy():
    text = ('<div><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?'
            'page=1&appid=1&webid=2&path=/&columnid=9&unitid=3&permissiontype=0"></a>]]></nextgroup><recordset>'
            '<record><![CDATA[<li><a href="/art/2024/1/5/art_9_1.html" title="某市2023年政府信息公开工作年度报告">'
            '某市2023年…</a><span>2024-01-05</span></li>]]></record></recordset></datastore></script>'
            "<script>$('#3').jpage({perPage: 15, groupSize: 3, totalRecord: 100});</script></div>")
    store = datastore(text, "http://b.gov.cn/col/col9/index.html")
    assert store is not None and store.total == 100 and store.group == 45
    page = read_list_page(text, "http://b.gov.cn/col/col9/index.html", first=True)
    assert page.family == "datastore"
    assert [(e.url, e.title, e.year, e.list_date) for e in page.entries] == [
        ("http://b.gov.cn/art/2024/1/5/art_9_1.html", "某市2023年政府信息公开工作年度报告", 2023, "2024-01-05")]
    starts = [r.url.split("?")[1] for r in page.more]
    assert starts == ["startrecord=2&endrecord=46&perpage=15", "startrecord=47&endrecord=91&perpage=15",
                      "startrecord=92&endrecord=100&perpage=15"]
    assert all(r.method == "POST" and ("columnid", "9") in r.data for r in page.more)


def test_plain_links_relative_and_protocol_relative():
    text = ("<base href='http://c.gov.cn/xxgk/'><ul>"
            "<li><a href='nb/2024.html'>某县2024年政府信息公开工作年度报告</a> 2025-01-31</li>"
            "<li><a href='//d.gov.cn/nb/2023.html'>某县2023年政府信息公开工作年度报告</a> 2024/1/30</li>"
            "<li><a href='javascript:void(0)'>某县2022年政府信息公开工作年度报告</a></li></ul>"
            "<a href='list_2.html'>下一页</a>")
    page = read_list_page(text, "http://c.gov.cn/other/list.html", first=True)
    assert [(e.url, e.list_date) for e in page.entries] == [
        ("http://c.gov.cn/xxgk/nb/2024.html", "2025-01-31"), ("http://d.gov.cn/nb/2023.html", "2024-01-30")]
    assert [r.url for r in page.more] == ["http://c.gov.cn/xxgk/list_2.html"]


def test_article_meta_tags_win_over_the_visible_line():
    text = ('<html><head><meta name="ArticleTitle" content="某市2024年政府信息公开工作年度报告">'
            '<meta name="PubDate" content="2025-01-20 10:05"><meta name="ContentSource" content="某市政府办公室">'
            '<meta name="ColumnName" content="政府信息公开年报"></head><body><div>发布时间：2025-02-01</div>'
            "<p>详见附件</p><a href='/u/1.pdf'>附件1</a><a href='/u/list.xls'>表</a></body></html>")
    art = read_article(text, "http://e.gov.cn/art/1.html")
    m = art.meta
    assert (m.title, m.published, m.published_at, m.source, m.column) == (
        "某市2024年政府信息公开工作年度报告", "2025-01-20", "2025-01-20 10:05", "某市政府办公室", "政府信息公开年报")
    assert set(m.provenance.values()) == {"meta"}
    assert [a.url for a in art.attachments] == ["http://e.gov.cn/u/1.pdf"]
    assert not art.body_is_report


def test_article_other_publication_meta_names():
    text = '<html><head><meta name="firstpublishedtime" content="2024-01-20-10:30:00"></head><body></body></html>'
    meta = read_article(text, "http://e.gov.cn/art/2.html").meta
    assert (meta.published, meta.published_at, meta.provenance["published"]) == (
        "2024-01-20", "2024-01-20 10:30:00", "meta")


def test_article_visible_line_when_no_meta_tags():
    art = read_article(HUAIAN_HTML.decode("utf-8").replace('<meta name="ArticleTitle"', '<meta name="x"'),
                       "http://f.gov.cn/a.html")
    assert (art.meta.published, art.meta.source) == ("2025-01-20", "市政府办公室")
    assert art.meta.provenance == {"published": "page", "source": "page", "title": "page"}
    assert art.meta.title == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert art.body_is_report


def test_document_links():
    assert is_document_link("http://g.gov.cn/module/download/downfile.jsp?classid=0&filename=a.pdf", "附件")
    assert is_document_link("http://g.gov.cn/attach/get?id=3", "2024年报.docx")
    assert not is_document_link("http://g.gov.cn/art/2024.html", "2024年报")
    assert not looks_like_report("详见附件")


def test_attachment_names():
    cd = "attachment; filename=\"x.pdf\"; filename*=UTF-8''%E5%B9%B4%E6%8A%A5%202024.pdf"
    assert filename(cd, "http://h.gov.cn/down.jsp") == "年报 2024.pdf"
    assert find_date("发布时间：２０２４年１月５日") == "2024-01-05"
    gbk_raw = "年报.pdf".encode("gbk").decode("latin-1")  # what an HTTP client makes of raw GBK bytes
    assert filename(f'attachment; filename="{gbk_raw}"', "http://h.gov.cn/d") == "年报.pdf"
    assert filename(None, "http://h.gov.cn/files/%E5%B9%B4%E6%8A%A5.pdf") == "年报.pdf"
    assert filename('attachment; filename="../../etc/passwd"', "http://h.gov.cn/d") == "passwd"


def test_charsets_gbk_utf8_and_a_lying_meta():
    text = "<html><head><meta charset='utf-8'></head><body>淮安市人民政府</body></html>"
    assert "淮安市人民政府" in decode(text.encode("gbk"))  # says UTF-8, is GBK
    said_gbk = text.replace("utf-8", "gb2312")
    assert "淮安市人民政府" in decode(said_gbk.encode("utf-8"))  # says GB2312, is UTF-8
    bare = "<html><body>淮安市人民政府</body></html>"
    assert "淮安市人民政府" in decode(bare.encode("gbk"), "gbk")  # only the HTTP header says
    assert "淮安市人民政府" in decode(bare.encode("gbk"), "utf-8")  # and the header lies


# ---------------------------------------------------------------- the fetcher


def test_fetcher_retries_a_503_then_succeeds(site):
    count = site.flaky("/busy", 2, lambda *_: __import__("test_collect_site").Answer(200, b"ok"))
    with Fetcher(rate=0, retries=2, backoff=0.01) as f:
        assert f.get(site.url("/busy")).content == b"ok"
    assert count[0] == 3
    assert [r[3] for r in site.requests("/busy")] == [503, 503, 200]


def test_fetcher_gives_up_on_a_slow_answer_with_the_reason(site):
    site.slow("/slow", 1.5)
    with Fetcher(rate=0, timeout=0.3, retries=1, backoff=0.01) as f, pytest.raises(FetchError) as e:
        f.get(site.url("/slow"))
    with use_lang("en"):
        assert e.value.reason == "no answer within 0.3 s (2 attempts)"
    with use_lang("zh"):
        assert "0.3" in e.value.reason and "秒" in e.value.reason


def test_fetcher_follows_redirects_and_asks_conditionally(site):
    site.file("/new.html", b"<html>new</html>")
    site.redirect("/old.html", "/new.html", 301)
    with Fetcher(rate=0) as f:
        got = f.get(site.url("/old.html"))
        assert (got.final_url, got.status, got.redirects) == (site.url("/new.html"), 200, [site.url("/old.html")])
        again = f.get(site.url("/old.html"), etag=got.etag, last_modified=got.last_modified)
    assert again.not_modified and again.content == b""
    assert [r[3] for r in site.requests("/new.html")] == [200, 304]


def test_fetcher_obeys_robots_txt(site):
    site.file("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    site.file("/private/a.html", b"secret")
    site.file("/public/a.html", b"fine")
    with Fetcher(rate=0) as f:
        assert f.get(site.url("/public/a.html")).content == b"fine"
        with pytest.raises(FetchError) as e:
            f.get(site.url("/private/a.html"))
    assert "robots.txt" in e.value.reason
    assert site.requests("/private/a.html") == []  # never asked


def test_fetcher_honours_the_rate_per_host(site):
    """Behaviour, not speed: the server's log shows at least `rate` between two requests."""
    for i in range(5):
        site.file(f"/p{i}.html", b"x")
    with Fetcher(rate=0.25) as f:
        for i in range(5):
            f.get(site.url(f"/p{i}.html"))
    times = [r[0] for r in site.requests() if r[2].startswith("/p")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 4 and min(gaps) >= 0.2, gaps  # generous: 0.25 s asked, clocks differ a little


# ---------------------------------------------------------------- whole runs, one family each


def test_static_family_gbk_and_a_lying_charset(site, workdir):
    url = static_family(site)
    summary, _ = run([url], workdir / "db.sqlite")
    with Store.open(workdir / "db.sqlite") as store:
        entries = {e.agency: e for e in store.entries()}
        assert set(entries) == {"淮安市人民政府", "工业园区"}  # the notice is not a report; 2018 has none
        huaian = store.report(entries["淮安市人民政府"].sha256)
        assert huaian.meta.title == "淮安市人民政府2024年政府信息公开工作年度报告"  # the lying page read right
        pub = publication(store, huaian.source.sha256)
        assert pub is not None and pub.title == "淮安市人民政府2024年政府信息公开工作年度报告"
        assert (pub.published, pub.published_from, pub.content_source) == ("2025-01-20", "page", "市政府办公室")
        park = store.report(entries["工业园区"].sha256)
        assert park.meta.published == "2021-01-25" and park.meta.provenance["published"] == "web"
        assert publication(store, park.source.sha256).published_from == "list"
    assert summary.pages == 3 and summary.found == 3  # 3 list pages; the notice is not counted
    assert [r[2] for r in site.requests() if "index" in r[2]] == ["/trs/index.html", "/trs/index_1.html",
                                                                 "/trs/index_2.html"]
    with use_lang("en"):
        assert [f.reason for f in summary.failed] == ["the article has no report: neither its text nor an attachment"]


def test_datastore_family_proxy_rfc5987_redirect_404_and_html_plus_pdf(site, workdir):
    url = datastore_family(site)
    summary, _ = run([url], workdir / "db.sqlite")
    posts = [r for r in site.requests() if r[1] == "POST"]
    assert len(posts) == 2 and all(r[3] == 200 for r in posts)
    with Store.open(workdir / "db.sqlite") as store:
        reports = {r.meta.agency: r for r in store.reports()}
        assert set(reports) == {"淮安市洪泽区人民政府", "先进制造业开发区", "淮安市人民政府"}
        hongze = reports["淮安市洪泽区人民政府"]
        assert hongze.source.file == HONGZE_NAME  # the RFC 5987 name
        pub = publication(store, hongze.source.sha256)
        assert (pub.published, pub.published_at, pub.published_from) == ("2025-01-21", "2025-01-21 09:30", "page")
        assert pub.column_name == "政府信息公开年报" and pub.content_type == "application/octet-stream"
        assert [(s.role, s.use) for s in pub.sources] == [("body", "not-report"), ("attachment", "report")]
        # One report, two sources: the article's text and its PDF are the same report, stored once.
        huaian = reports["淮安市人民政府"]
        assert huaian.source.kind == "pdf"
        pub = publication(store, huaian.source.sha256)
        assert pub.article_url == site.url("/hanweb/art/2025/1/22/art_1_3.html")
        assert [(s.role, s.use, s.final_url) for s in pub.sources] == [
            ("body", "same-report", site.url("/hanweb/art/2025/1/22/moved.html")),  # the redirect's end
            ("attachment", "report", site.url("/hanweb/files/huaian.pdf"))]
        body_sha = pub.sources[0].sha256
        assert store.report_id(body_sha) is None  # the copy is a source of the report, not a second report
        assert publication(store, body_sha).sources == pub.sources
        assert len(store.entries()) == 3
    with use_lang("en"):
        reasons = {f.url: f.reason for f in summary.failed}
    assert reasons == {site.url("/files/kfq2022.pdf"): "HTTP 404"}  # the article's body is still stored


def test_links_family_503_robots_slow_and_a_direct_document(site, workdir):
    url, count = links_family(site)
    summary, _ = run([url], workdir / "db.sqlite")
    assert count[0] == 3  # two 503s, then the page
    with use_lang("en"):
        reasons = {f.url: f.reason for f in summary.failed}
    assert reasons == {
        site.url("/plain/slow.html"): "no answer within 0.5 s (3 attempts)",
        site.url("/plain/private/secret.html"): "robots.txt forbids robots to read this address",
    }
    assert site.requests("/plain/private/secret.html") == []
    with Store.open(workdir / "db.sqlite") as store:
        (entry,) = store.entries()
        report = store.report(entry.sha256)
        assert report.meta.published == "2025-01-21" and report.meta.provenance["published"] == "web"
        assert publication(store, entry.sha256).published_from == "list"
    assert (summary.found, summary.new, summary.unchanged) == (3, 1, 0)


def test_rerun_downloads_nothing_and_changes_nothing(site, workdir):
    urls = [static_family(site), datastore_family(site)]
    first, dump1 = run(urls, workdir / "db.sqlite")
    n = len(site.requests())
    second, dump2 = run(urls, workdir / "db.sqlite")
    again = site.requests()[n:]
    assert dump2 == dump1
    assert second.files == 0 and second.reports_added == 0 and second.new == 0
    assert second.unchanged == first.new
    gets = [r for r in again if r[1] == "GET" and r[2] != "/robots.txt"]
    # List pages answer 304; finished articles are not asked again; the failed ones are, conditionally.
    assert {r[3] for r in gets if "index" in r[2] or "col77" in r[2]} == {304}
    assert not [r for r in gets if r[3] == 200]
    # Only the missing attachment is asked again (its article is not finished); no file twice.
    assert [r[2:] for r in again if r[2].endswith(".pdf") or "downfile" in r[2]] == [("/files/kfq2022.pdf", 404)]


def test_since_and_max_pages(site, workdir):
    url = static_family(site)
    summary, _ = run([url], workdir / "db.sqlite", since=2024, max_pages=2)
    assert summary.pages == 2
    with Store.open(workdir / "db.sqlite") as store:
        assert [e.agency for e in store.entries()] == ["淮安市人民政府"]
    with use_lang("en"):
        assert "stopped after 2 list pages (--max-pages)" in [f.reason for f in summary.failed]


def test_one_dead_site_does_not_stop_the_run(site, workdir):
    url = static_family(site)
    summary, _ = run(["http://127.0.0.1:9/nothing/index.html", "ftp://x/y", url], workdir / "db.sqlite")
    assert summary.reports_added == 2
    with use_lang("en"):
        reasons = [f.reason for f in summary.failed]
    assert any(r.startswith("robots.txt could not be read") for r in reasons)
    assert "not a web address (http or https)" in reasons


def test_apply_sets_a_missing_publication_date_only(site, workdir):
    url = static_family(site)
    run([url], workdir / "db.sqlite")
    with Store.open(workdir / "db.sqlite") as store:
        pubs = publications(store)
        sha = next(s for s, p in pubs.items() if p.title and "工业园区" in p.title)
        report = store.report(sha)
        report.meta.published, report.meta.provenance = None, {}
        assert apply(report, pubs[sha]) and report.meta.published == "2021-01-25"
        report.meta.published = "2021-01-20"
        assert not apply(report, pubs[sha]) and report.meta.published == "2021-01-20"
        assert json.loads(json.dumps(pubs[sha].to_dict()))["sha256"] == sha
        dates = published_dates(store)
        assert dates[sha] == "2021-01-25" and set(dates) == {s for s, p in pubs.items() if p.published}
    assert os.path.isdir(workdir / "collected")


@pytest.mark.parametrize("backend", BACKENDS)
def test_both_backends_hold_the_same_collection(site, workdir, backend):
    """The collector's tables live in the store's database: SQLite and PostgreSQL alike."""
    url = datastore_family(site)
    with fresh_url(backend, workdir) as db, Store.open(db) as store:
        collect([url], store, Options(**FAST))
        again = collect([url], store, Options(**FAST))
        dump = list(State(store.engine).dump())
        pub = publication(store, store.entries()[0].sha256)
    assert again.files == 0 and pub is not None
    with Store.open(workdir / "other.sqlite") as other:
        collect([url], other, Options(**FAST))
        assert list(State(other.engine).dump()) == dump


def test_fetcher_honours_crawl_delay_and_the_size_limit(site):
    site.file("/robots.txt", b"User-agent: *\nCrawl-delay: 1\n", "text/plain")
    site.file("/a.html", b"a")
    site.file("/big.pdf", b"%PDF" + b"0" * 5000, "application/pdf")
    with Fetcher(rate=0, max_bytes=1000) as f:
        f.get(site.url("/a.html"))
        with pytest.raises(FetchError) as e:
            f.get(site.url("/big.pdf"))
    assert e.value.message == "larger than the {mb} MB limit for one report"
    times = [r[0] for r in site.requests()]
    assert len(times) == 3 and min(b - a for a, b in itertools.pairwise(times)) >= 0.9


def test_refresh_asks_again_and_takes_a_changed_article(site, workdir):
    url = static_family(site)
    run([url], workdir / "db.sqlite")
    with Store.open(workdir / "db.sqlite") as store:
        before = {e.agency: e.sha256 for e in store.entries()}
    # The site republishes the 2020 report with its publication line (new bytes, new ETag).
    old = site.routes["/trs/202101/t20210125_2.html"]
    body = old("GET", "", {}, b"").body.replace(b"</body>", "<p>发布日期：2021-01-26</p></body>".encode())
    site.file("/trs/202101/t20210125_2.html", body, "text/html; charset=gbk")
    n = len(site.requests())
    summary, _ = run([url], workdir / "db.sqlite")
    assert summary.new == 0 and summary.files == 0  # without --refresh a finished article is not asked again
    assert "/trs/202101/t20210125_2.html" not in [r[2] for r in site.requests()[n:]]
    summary, _ = run([url], workdir / "db.sqlite", refresh=True)
    assert (summary.new, summary.unchanged, summary.files) == (1, 1, 1)
    with Store.open(workdir / "db.sqlite") as store:
        new = {e.sha256 for e in store.entries()} - set(before.values())
        assert len(new) == 1
        pub = publication(store, new.pop())
        # The replaced file is no longer what the site publishes; the store keeps its report (see docs).
        assert publication(store, before["工业园区"]) is None
        assert publication(store, before["淮安市人民政府"]) is not None
    assert (pub.published, pub.published_from) == ("2021-01-26", "page")


@pytest.mark.slow
def test_sites_are_read_at_once_each_at_its_own_rate(workdir):
    """Two sites in parallel threads: their requests interleave, and each site's own requests
    stay `rate` apart (the server logs say so; no timing of the run is asserted)."""
    a, b = Site(), Site()
    try:
        summary, _ = run([static_family(a), static_family(b)], workdir / "db.sqlite", rate=0.3, parallel=2)
        ta, tb = [r[0] for r in a.requests()], [r[0] for r in b.requests()]
    finally:
        a.close()
        b.close()
    assert summary.reports_added == 2  # the same files on both sites: stored once
    for times in (ta, tb):
        assert min(y - x for x, y in itertools.pairwise(times)) >= 0.25
    assert any(ta[0] < t < ta[-1] for t in tb)  # interleaved: read at the same time


def test_progress_events_and_a_stop_from_another_thread(site, workdir):
    """The workbench's view of a run: events with live counts, and a stop that ends the run after
    the article in hand; the next run collects the rest."""
    url = static_family(site)
    stop = threading.Event()
    events = []

    def on_event(event):
        events.append((event.kind, event.summary.new))
        if event.kind == "article":
            stop.set()

    with Store.open(workdir / "db.sqlite") as store:
        first = collect([url], store, Options(**FAST, stop=stop), progress=on_event)
        assert (first.found, first.new) == (3, 1) and len(store.entries()) == 1
        second = collect([url], store, Options(**FAST))
        assert (second.new, second.unchanged) == (1, 1) and len(store.entries()) == 2
    assert events[0] == ("column", 0) and events[1] == ("article", 0) and ("ingest", 1) in events


def test_publication_of_a_store_never_collected_into(workdir):
    with Store.open(workdir / "db.sqlite") as store:
        assert publication(store, "0" * 64) is None and publications(store) == {}
        with store.engine.connect() as conn:
            assert "collect_sources" not in sa.inspect(conn).get_table_names()  # a reader creates nothing


def test_an_unreadable_attachment_is_named_by_its_address(site, workdir):
    listing = page("年报", "<ul><li><a href='/a.html'>某县2024年政府信息公开工作年度报告</a></li></ul>")
    site.file("/list.html", listing.encode())
    site.file("/a.html", with_attachment(page("某县", "<p>详见附件</p>").encode(), "/bad.pdf", "年报.pdf"))
    site.file("/bad.pdf", b"%PDF-1.4\nthis is not a PDF at all", "application/pdf")
    summary, _ = run([site.url("/list.html")], workdir / "db.sqlite")
    with use_lang("en"):
        (failure,) = summary.failed
        assert failure.url == site.url("/bad.pdf") and failure.reason.startswith("not readable as a report: ")
    for f in (workdir / "collected").rglob("*.pdf"):
        f.unlink()
    summary, _ = run([site.url("/list.html")], workdir / "db.sqlite")
    with use_lang("en"):
        (failure,) = summary.failed
        assert failure.url == site.url("/bad.pdf") and failure.reason.startswith("the downloaded file collected/")


def test_a_self_signed_https_site_needs_insecure(workdir):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: no certificate to serve HTTPS with")
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    site = Site(tls=(str(cert), str(key)))
    try:
        url = static_family(site)
        assert url.startswith("https://")
        refused, _ = run([url], workdir / "a.sqlite", retries=0)
        accepted, _ = run([url], workdir / "b.sqlite", verify=False)
    finally:
        site.close()
    with use_lang("en"):
        assert any("CERTIFICATE_VERIFY_FAILED" in f.reason for f in refused.failed)
    assert refused.reports_added == 0 and accepted.reports_added == 2
