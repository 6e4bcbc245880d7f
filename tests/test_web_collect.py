"""采集: an admin gives a round its columns and collects them from the browser (TestClient, against
fake government sites on 127.0.0.1 — never the internet — and SQLite / PostgreSQL): progress by
htmx polling, the result (found, fetched, failed with reasons, skipped by robots.txt), the reports
in the round; the library's runs (interrupted, refused); the security of these routes."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from conftest_db import BACKENDS
from test_collect_site import Answer, Site, links_family, static_family
from test_web_api import IMG, SCRIPT, app_client, login
from xxgk.collect import Column
from xxgk.collect import rounds as lib
from xxgk.collect.columns import parse_columns
from xxgk.review import open_store
from xxgk.review.rounds import create_round
from xxgk.store import workbench_schema as t


@pytest.fixture()
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture(params=BACKENDS)
def ada(request, tmp_path):
    with app_client(request.param, tmp_path, "ada") as c:
        yield c


@pytest.fixture
def lite(tmp_path):
    with app_client("sqlite", tmp_path) as c:
        yield c


def new_round(c, name: str = "淮安市2024年度年报审核", year: str = "") -> int:
    r = c.post("/rounds", data={"csrf": c.csrf, "name": name, "year": year}, follow_redirects=False)
    assert r.status_code == 303
    return int(r.headers["location"].rsplit("/", 1)[1])


def wait_run(c, run_id: int, seconds: float = 180) -> str:
    """Poll the progress fragment as htmx does, until the run is over; returns the last fragment."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r = c.get(f"/collect/runs/{run_id}/progress", headers={"hx-request": "true"})
        assert r.status_code == 200
        state = re.search(r'data-state="(\w+)"', r.text).group(1)
        if state not in ("queued", "running"):
            return r.text
        assert 'hx-trigger="every 1s"' in r.text  # still polling
        time.sleep(0.3)
    raise AssertionError(f"collection {run_id} not finished after {seconds} s")


def count(html: str, name: str) -> int:
    return int(re.search(r'id="count-' + name + r'">(\d+)<', html).group(1))


@pytest.mark.slow
def test_an_admin_collects_a_round_from_the_browser(ada, site):
    c = ada
    static = static_family(site)
    plain, _ = links_family(site, flaky=1, slow=0.0)
    rid = new_round(c)
    r = c.post(f"/rounds/{rid}/collect/columns", data={"csrf": c.csrf, "columns": f"{static} 淮安市人民政府\n{plain}"},
               follow_redirects=False)
    assert r.status_code == 303
    page = c.get(f"/rounds/{rid}/collect").text
    assert static in page and plain in page and "淮安市人民政府" in page
    assert page.count("<code>http") == 2

    r = c.post(f"/rounds/{rid}/collect/start", data={"csrf": c.csrf, "since": "2020", "rate": "0", "max_pages": "10"},
               follow_redirects=False)
    assert r.status_code == 303
    run_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert 'id="collect-progress"' in c.get(f"/collect/runs/{run_id}").text
    done = wait_run(c, run_id)
    assert 'data-state="done"' in done and "hx-trigger" not in done  # finished: the polling stops
    # Found: 2 of the static column (2018 left out by since), 3 of the plain one; the notice is none.
    assert count(done, "found") == 5 and count(done, "files") >= 4
    assert count(done, "robots") == 1 and "robots.txt 禁止" in done.split('id="collect-robots"')[1]
    assert count(done, "failed") == 1 and "没有年度报告" in done.split('id="collect-failures"')[1]
    assert count(done, "added") == 3
    # The reports are in the round.
    rnd = c.get(f"/rounds/{rid}").text
    for agency in ("淮安市人民政府", "工业园区", "淮安市洪泽区人民政府"):
        assert agency in rnd, agency
    assert rnd.count('href="/reports/') == 3
    listing = c.get(f"/rounds/{rid}/collect").text
    assert f'href="/collect/runs/{run_id}"' in listing and "已完成" in listing
    assert "已完成" in c.get("/collect").text

    # Again: nothing new, nothing added twice; only the failed article is asked again (a site
    # without validators answers it anew).
    r = c.post(f"/rounds/{rid}/collect/start", data={"csrf": c.csrf, "since": "2020", "rate": "0"},
               follow_redirects=False)
    again = wait_run(c, int(r.headers["location"].rsplit("/", 1)[1]))
    assert count(again, "new") == 0 and count(again, "added") == 0
    assert count(again, "files") <= count(again, "failed") == 1


def test_columns_pasted_or_as_csv():
    cols = parse_columns("https://a.gov.cn/col/1/index.html  某市 人民政府\n\n//b.gov.cn/list.html\n")
    assert [(c.url, c.body) for c in cols] == [("https://a.gov.cn/col/1/index.html", "某市 人民政府"),
                                               ("https://b.gov.cn/list.html", None)]
    cols = parse_columns("机关,栏目\n某县,https://c.gov.cn/x.html\n")
    assert [(c.url, c.body) for c in cols] == [("https://c.gov.cn/x.html", "某县")]


def test_runs_refused_interrupted_and_stopped(tmp_path, site):
    store = open_store(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    try:
        rid = create_round(store.engine, "R", 2024, "ada").id
        with pytest.raises(lib.CollectError, match="尚无栏目"):
            lib.start(store.engine, rid, "ada")
        with pytest.raises(lib.CollectError, match="不是网址"):
            lib.add_columns(store.engine, rid, [Column("ftp://x.gov.cn/a.html")], "ada")
        # A site slow enough to stop the run in the middle of it.
        column = slow_column(site, seconds=0.4)
        assert lib.add_columns(store.engine, rid, parse_columns(column), "ada") == 1
        assert lib.add_columns(store.engine, rid, parse_columns(site.url("/list.html") + " 某局"), "ada") == 0
        assert lib.round_columns(store.engine, rid)[0].body == "某局"
        run_id = lib.start(store.engine, rid, "ada", rate=0)
        with pytest.raises(lib.CollectError, match="正在进行"):
            lib.start(store.engine, rid, "ada")
        # A run whose server went away (no sign of life for long) is interrupted, and may be started again.
        old = datetime.now(UTC) - lib.STALE - timedelta(seconds=5)
        with store.engine.begin() as conn:
            conn.execute(sa.update(t.round_runs).where(t.round_runs.c.id == run_id).values(updated=old))
        assert lib.get_run(store.engine, run_id).state == "interrupted"
        run_id = lib.start(store.engine, rid, "ada", rate=0)
        assert [r.state for r in lib.runs_of(store.engine, rid)] == ["queued", "stopped"]

        stop = threading.Event()
        timer = threading.Timer(0.6, stop.set)
        timer.start()
        run = lib.execute(store, run_id, tmp_path / "out", stop=stop, workers=0, timeout=5, retries=0)
        timer.cancel()
        assert run.state == "stopped" and run.count("found") == 4 and run.finished is not None
        assert len(run.failures()) < 4  # stopped before the last article (each has no report)
    finally:
        store.close()


def test_security_of_the_collect_routes(lite, site):
    c = lite
    assert c.get("/collect", follow_redirects=False).headers["location"].startswith("/login")
    assert c.get("/rounds/1/collect", follow_redirects=False).status_code == 303
    assert c.post("/rounds/1/collect/start", data={}, follow_redirects=False).status_code == 401

    c.csrf = login(c, "ada")
    rid = new_round(c, f"轮次{SCRIPT}")
    url = site.url("/list.html") + '?q="><img/src=x>'
    # CSRF on every form.
    assert c.post(f"/rounds/{rid}/collect/columns", data={"columns": url}).status_code == 403
    assert c.post(f"/rounds/{rid}/collect/columns", data={"columns": url, "csrf": "forged"}).status_code == 403
    r = c.post(f"/rounds/{rid}/collect/columns", data={"columns": f"{url} 某局{SCRIPT}{IMG}", "csrf": c.csrf})
    assert r.status_code == 200  # after the redirect
    # Text from people and sites is escaped.
    for page in (f"/rounds/{rid}/collect", "/collect"):
        html = c.get(page).text
        for raw in ("<script>alert", "<img src=x", '"><img'):
            assert raw not in html, (page, raw)
    assert "某局&lt;script&gt;" in c.get(f"/rounds/{rid}/collect").text
    # Bad input: one clear message, no run started.
    r = c.post(f"/rounds/{rid}/collect/columns", data={"columns": "没有网址", "csrf": c.csrf})
    assert r.status_code == 422 and 'id="collect-error"' in r.text
    r = c.post(f"/rounds/{rid}/collect/start", data={"rate": "fast", "csrf": c.csrf})
    assert r.status_code == 422 and "不是数字" in r.text
    for bad in ({"rate": "nan"}, {"rate": "-1"}, {"max_pages": "0"}):
        r = c.post(f"/rounds/{rid}/collect/start", data={**bad, "csrf": c.csrf})
        assert r.status_code == 422 and "请求间隔" in r.text, bad
    assert c.get("/collect/runs/999").status_code == 404
    assert c.get("/rounds/999/collect").status_code == 404

    # Reviewers and viewers watch; only admins add, remove, start and stop.
    for name in ("rita", "vic"):
        c.csrf = login(c, name)
        assert c.get(f"/rounds/{rid}/collect").status_code == 200
        assert 'id="collect-start"' not in c.get(f"/rounds/{rid}/collect").text
        assert c.post(f"/rounds/{rid}/collect/columns", data={"columns": url, "csrf": c.csrf}).status_code == 403
        assert c.post(f"/rounds/{rid}/collect/columns/remove", data={"url": url, "csrf": c.csrf}).status_code == 403
        assert c.post(f"/rounds/{rid}/collect/start", data={"csrf": c.csrf}).status_code == 403
        assert c.post("/collect/runs/1/stop", data={"csrf": c.csrf}).status_code == 403

    c.csrf = login(c, "ada")
    r = c.post(f"/rounds/{rid}/collect/columns/remove", data={"url": url, "csrf": c.csrf}, follow_redirects=False)
    assert r.status_code == 303 and url not in c.get(f"/rounds/{rid}/collect").text
    r = c.post(f"/rounds/{rid}/collect/start", data={"csrf": c.csrf})
    assert r.status_code == 422 and "尚无栏目" in r.text
    assert "Start a collection" in c.get(f"/rounds/{rid}/collect?lang=en").text  # English on request


def slow_column(site: Site, n: int = 4, seconds: float = 0.5) -> str:
    site.file("/list.html", ("<html><body><ul>" + "".join(
        f"<li><a href='/a{i}.html'>某局{2020 + i}年政府信息公开工作年度报告</a></li>" for i in range(n))
        + "</ul></body></html>").encode())
    for i in range(n):
        site.handler(f"/a{i}.html", lambda *_: (time.sleep(seconds), Answer(200, b"<html>x</html>",
                                                                              {"Content-Type": "text/html"}))[1])
    return site.url("/list.html")


def test_an_admin_stops_a_collection(lite, site):
    c = lite
    c.csrf = login(c, "ada")
    rid = new_round(c)
    c.post(f"/rounds/{rid}/collect/columns", data={"csrf": c.csrf, "columns": slow_column(site)})
    r = c.post(f"/rounds/{rid}/collect/start", data={"csrf": c.csrf, "rate": "0"}, follow_redirects=False)
    run_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert 'id="collect-stop"' in c.get(f"/collect/runs/{run_id}").text
    r = c.post(f"/rounds/{rid}/collect/start", data={"csrf": c.csrf, "rate": "0"})
    assert r.status_code == 422 and "正在进行" in r.text  # one run of a round at a time
    assert c.post(f"/collect/runs/{run_id}/stop", data={"csrf": c.csrf}, follow_redirects=False).status_code == 303
    done = wait_run(c, run_id, 60)
    assert 'data-state="stopped"' in done and 'id="collect-stop"' not in done
    assert count(done, "failed") < 4
