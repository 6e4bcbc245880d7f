"""The workbench's pages through a signed-in browser session (TestClient): rounds, uploads with
progress, filters, expected bodies, downloads, compile, users and tokens, htmx fragments."""

from __future__ import annotations

import io
import re
import time

import pytest
from openpyxl import load_workbook

from conftest_db import BACKENDS, fresh_url
from test_web_api import SAMPLES, app_client, login, make_app
from xxgk.corpus.ingest import ingest
from xxgk.review import open_store
from xxgk.review.opinion import soffice


@pytest.fixture(params=BACKENDS)
def admin(request, tmp_path):
    with app_client(request.param, tmp_path, "ada") as c:
        yield c


def wait_upload(c, uid: int, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        p = c.get(f"/api/uploads/{uid}").json()
        if p["state"] == "done":
            return p
        time.sleep(0.2)
    raise AssertionError("upload not finished")


def upload_samples(c, round_id: int) -> dict:
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream"))
             for p in sorted(SAMPLES.glob("00*.txt"))] + [("files", ("README.md", b"# not a report", "text/plain"))]
    r = c.post("/uploads", files=files, data={"csrf": c.csrf, "round": str(round_id)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    uid = int(r.headers["location"].rsplit("/", 1)[1])
    page = c.get(f"/uploads/{uid}")
    assert page.status_code == 200 and 'id="progress"' in page.text
    return wait_upload(c, uid)


def test_a_round_from_opening_to_downloads(admin):
    c = admin
    r = c.post("/rounds", data={"csrf": c.csrf, "name": "测试轮次", "year": ""}, follow_redirects=False)
    assert r.status_code == 303
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    p = upload_samples(c, rid)
    assert p["total"] == 6 and p["done"] == 5 and p["failed"] == 1
    done = c.get(f"/uploads/{p['id']}/progress").text
    assert "已完成" in done and "hx-trigger" not in done  # finished: the polling stops
    assert "README.md" in done

    page = c.get(f"/rounds/{rid}").text
    assert page.count('href="/reports/') == 5 and "README.md" in page  # the failure listed with its reason
    assert "青铜峡工业园区管委会" in page
    assert c.get(f"/rounds/{rid}?q=青铜峡").text.count('href="/reports/') == 1
    assert c.get(f"/rounds/{rid}?state=approved").text.count('href="/reports/') == 0
    assert c.get(f"/rounds/{rid}?level=department").text.count('href="/reports/') == 1
    by_year = c.get(f"/rounds/{rid}?sort=year&desc=true").text
    years = re.findall(r"<td>(20\d\d)</td>", by_year)
    assert years == sorted(years, reverse=True)

    c.post(f"/rounds/{rid}/expected", data={"csrf": c.csrf, "names": "青铜峡工业园区管委会\n某某局"})
    page = c.get(f"/rounds/{rid}").text
    assert "某某局" in page.split("应报未报机关")[1].split("</ul>")[0]

    xlsx = c.get(f"/rounds/{rid}/summary.xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.worksheets[0].max_row == 6 and wb.worksheets[1]["A2"].value == "某某局"
    comp = c.get(f"/rounds/{rid}/compile")
    assert comp.status_code == 200  # several years: the reason is shown, not a crash
    assert "年度" in comp.text or "year" in comp.text
    assert c.get(f"/rounds/{rid}/indicators.csv").status_code == 200
    assert c.get(f"/rounds/{rid}/compile.json").status_code == 200
    assert c.get(f"/rounds/{rid}/compile.csv").status_code == 200
    assert c.get("/audit").text.count("<tr>") >= 4
    assert c.get(f"/audit.csv?subject=round:{rid}").text.count("\n") >= 3


def test_take_stored_reports_into_a_round(admin, tmp_path):
    c = admin
    store = c.app.state.store
    ingest([str(SAMPLES / "001_59945f3aceea766a.txt")], store, workers=0)  # as the CLI does
    rid = c.post("/api/rounds", json={"name": "2023"}, headers={"x-csrf-token": c.csrf}).json()["id"]
    c.post(f"/rounds/{rid}/add-stored", data={"csrf": c.csrf, "year": "2023"})
    page = c.get(f"/rounds/{rid}").text
    assert "青铜峡工业园区管委会" in page
    sha = re.search(r'href="/reports/([0-9a-f]{64})"', page).group(1)
    review = c.get(f"/reports/{sha}").text
    assert 'class="doc"' in review and "data-loc=" in review  # the text source, line by line
    assert c.get(f"/reports/{sha}/source").content == (SAMPLES / "001_59945f3aceea766a.txt").read_bytes()
    assert c.get(f"/reports/{sha}/pages/1.png").status_code == 404  # not a PDF

    moved = tmp_path / "moved.txt"  # a report whose file is gone since it was ingested
    moved.write_bytes((SAMPLES / "003_ea5d5e0013680a8d.txt").read_bytes())
    ingest([str(moved)], store, workers=0)
    moved.unlink()
    c.post(f"/rounds/{rid}/add-stored", data={"csrf": c.csrf, "agency": "区科工局"})
    sha = re.search(r'href="/reports/([0-9a-f]{64})">区科工局', c.get(f"/rounds/{rid}").text).group(1)
    review = c.get(f"/reports/{sha}")
    assert review.status_code == 200 and "提交的文件已不在服务器上" in review.text
    assert c.get(f"/reports/{sha}/source").status_code == 404


def test_htmx_actions_return_the_review_panel(admin):
    c = admin
    rid = c.post("/api/rounds", json={"name": "R"}, headers={"x-csrf-token": c.csrf}).json()["id"]
    upload_samples(c, rid)
    sha = re.search(r'href="/reports/([0-9a-f]{64})"', c.get(f"/rounds/{rid}?q=开发区").text).group(1)
    page = c.get(f"/reports/{sha}").text
    key = re.search(r'data-key="([0-9a-f-]+)"', page).group(1)
    hx = {"hx-request": "true", "x-csrf-token": c.csrf}
    r = c.post(f"/reports/{sha}/decision", data={"key": key, "decision": "confirm", "comment": "请整改"}, headers=hx)
    assert r.status_code == 200 and r.text.startswith('<section class="panel review" id="review">')
    assert "请整改" in r.text
    bad = c.post(f"/reports/{sha}/correction", data={"path": "applications.granted.total", "value": "abc",
                                                     "reason": "x"}, headers=hx)
    assert bad.status_code == 422 and 'id="action-error"' in bad.text
    ok = c.post(f"/reports/{sha}/state", data={"state": "rework", "comment": "退回"}, headers=hx)
    assert 'id="state">需整改<' in ok.text
    doc = c.get(f"/reports/{sha}/opinion.docx")
    assert doc.status_code == 200 and doc.content[:2] == b"PK"
    assert "filename*=UTF-8''" in doc.headers["content-disposition"]


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_opinion_as_pdf(admin):
    c = admin
    rid = c.post("/api/rounds", json={"name": "R"}, headers={"x-csrf-token": c.csrf}).json()["id"]
    upload_samples(c, rid)
    sha = re.search(r'href="/reports/([0-9a-f]{64})"', c.get(f"/rounds/{rid}").text).group(1)
    pdf = c.get(f"/reports/{sha}/opinion.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_users_and_tokens_pages(admin):
    c = admin
    assert c.post("/users", data={"csrf": c.csrf, "name": "newbie", "role": "viewer", "password": "newbie-pass"},
                  follow_redirects=False).status_code == 303
    page = c.post("/users/newbie/token", data={"csrf": c.csrf}).text
    token = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert c.get("/api/rounds", headers={"authorization": f"Bearer {token}"}).status_code == 200
    assert token not in c.get("/users").text  # shown once
    c.post(f"/tokens/{token[:12]}/revoke", data={"csrf": c.csrf})
    assert c.get("/api/rounds", headers={"authorization": f"Bearer {token}"}).status_code == 401
    assert c.post("/users/ada/remove", data={"csrf": c.csrf}).status_code == 422  # not oneself
    c.post("/users/newbie/remove", data={"csrf": c.csrf})
    assert "newbie" not in c.get("/users").text.split("<h2>")[0]
    assert open_store(c.app.state.settings.db).engine  # the store stays usable


def test_error_pages_are_pages(admin):
    r = admin.get("/rounds/999")
    assert r.status_code == 404 and "<!doctype html>" in r.text and "没有审核轮次 999" in r.text
    assert admin.get("/no/such/page").status_code == 404
    assert admin.get("/api/rounds/999").json()["detail"] == "没有审核轮次 999"


def test_upload_needs_a_file(admin):
    r = admin.post("/uploads", data={"csrf": admin.csrf}, files={"files": ("", b"", "application/octet-stream")})
    assert r.status_code == 422


@pytest.mark.parametrize("name", ["hongze-district-2024.pdf", "huaian-city-2024.pdf"])
def test_cells_are_placed_on_their_pdf_page(name):
    import xxgk
    from xxgk.extract import extract
    from xxgk.web.source import cell_boxes, page_of

    path = SAMPLES / name
    report, doc = xxgk.read(path), extract(path)
    boxes = cell_boxes(doc, report)
    read = [p for p, c in report.cells.items() if c.status == "read"]
    assert len(boxes) >= 0.9 * len(read)
    assert len({(pg, box) for pg, box in boxes.values()}) == len(boxes)  # one printed cell per cell
    printed = {(c.loc.page, c.loc.box): c.text for t in doc.tables() for c in t.cells if c.loc and c.loc.box}
    for path_, (pg, box) in boxes.items():
        cell = report.cells[path_]
        assert pg == page_of(cell.loc)
        assert printed[(pg, box)].replace(",", "").strip().startswith(str(cell.value).split(".")[0])


def test_one_bodys_years_side_by_side(admin, tmp_path):
    from conftest_db import write_synth_corpus

    c = admin
    files = write_synth_corpus(tmp_path / "synth", 1, years=(2023, 2024))
    ingest([str(f) for f in files], c.app.state.store, workers=0)
    latest = max(c.app.state.store.entries(), key=lambda e: e.year)
    page = c.get(f"/reports/{latest.sha256}/years").text
    table = page.split('id="years"')[1].split("</table>")[0]
    assert ">2023</a>" in table and ">2024</a>" in table
    assert table.count('<tr class="indicator">') == 5  # each indicator, year by year


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: the scans are rendered by it")
def test_scans_are_shown_as_they_are(tmp_path):
    from test_web_api import token, wait_report
    from xxgk.synth import generate
    from xxgk.synth.render_scan import render_scan

    report = generate(7, year=2024)
    png, pdf = render_scan(report, "png"), render_scan(report, "pdf")
    with make_app(f"sqlite:///{tmp_path / 'scans.sqlite'}", tmp_path) as c:
        h = token(c, "rita")
        ids = {}
        for name, rendered in (("shot.png", png), ("scan.pdf", pdf)):
            r = c.post("/api/reports", files={"file": (name, rendered.data, "application/octet-stream")}, headers=h)
            ids[name] = r.json()["id"]
        for rid in ids.values():
            assert wait_report(c, rid, h, seconds=600)["state"] == "done"
        page = c.get(f"/reports/{ids['shot.png']}", headers=h).text
        assert 'id="source-image"' in page
        image = c.get(f"/reports/{ids['shot.png']}/image", headers=h)
        assert image.headers["content-type"] == "image/png" and image.content == png.data
        page = c.get(f"/reports/{ids['scan.pdf']}", headers=h).text
        assert 'id="page-img"' in page and '<script type="application/json" id="boxes">{}</script>' in page
        assert c.get(f"/reports/{ids['scan.pdf']}/pages/1.png", headers=h).content.startswith(b"\x89PNG")


@pytest.mark.slow  # a few seconds: Argon2 sign-ins on two apps
@pytest.mark.parametrize("backend", BACKENDS)
def test_review_page_kept_per_state_and_fresh_in_every_worker(backend, tmp_path):
    """A review page is rendered once per state of its report and served again; a change made
    through another worker process (here: a second app on the same database) shows at once, the
    cross-year findings recomputed from the corrected year; each reader gets their own name and
    CSRF token in it."""
    from fastapi.testclient import TestClient

    from test_web_review import _two_years
    from xxgk.web import Settings, create_app

    with fresh_url(backend, tmp_path) as url, make_app(url, tmp_path) as one:
        other = TestClient(create_app(Settings(db=url, files_dir=tmp_path / "files", workers=0, run_uploads=False)))
        with other:
            prev, this = _two_years(one.app.state.store)
            one.csrf = login(one, "ada")
            other.csrf = login(other, "rita")
            page = one.get(f"/reports/{this}").text
            assert page.count('data-code="year-carry-over"') == 1 and one.get(f"/reports/{this}").text == page  # served again
            assert f'value="{one.csrf}"' in page and "ada ·" in page and other.csrf not in page
            zipped = one.get(f"/reports/{this}")  # httpx asks for gzip and unpacks it, as browsers do
            assert zipped.headers["content-encoding"] == "gzip" and "accept-encoding" in zipped.headers["vary"].lower()
            plain = one.get(f"/reports/{this}", headers={"accept-encoding": "identity"})
            assert "content-encoding" not in plain.headers and plain.text == zipped.text == page
            theirs = other.get(f"/reports/{this}").text
            assert f'value="{other.csrf}"' in theirs and "rita ·" in theirs and one.csrf not in theirs
            r = other.post(f"/api/reports/{prev}/corrections", headers={"x-csrf-token": other.csrf},
                           json={"cell": "applications.carried_forward.total", "value": 3, "reason": "上年笔误"})
            assert r.status_code == 200, r.text
            assert 'data-code="year-carry-over"' not in one.get(f"/reports/{this}").text
            years = one.get(f"/reports/{this}/years").text  # side by side, as corrected
            assert "year-carry-over" not in years and 'corrected" title="已更正">3<' in years
            one.post(f"/reports/{this}/state", data={"csrf": one.csrf, "state": "rework", "comment": "退回"})
            assert 'id="state">需整改<' in other.get(f"/reports/{this}").text
            viewer = TestClient(one.app)
            viewer.csrf = login(viewer, "vic")
            seen = viewer.get(f"/reports/{this}").text
            assert "vic ·" in seen and 'id="correction-form"' not in seen and "ada ·" not in seen


def test_a_changed_page_is_rendered_once_for_the_readers_asking_at_once():
    """Readers who ask for a page whose report just changed wait for its one rendering (for a
    stand-in reader) and each get it with their own name and CSRF token, compressed for them
    when they take gzip and then kept."""
    import gzip
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from xxgk.review.users import User
    from xxgk.web.pagecache import PageCache
    from xxgk.web.security import Principal

    cache = PageCache()
    calls = []

    def render(stand_in: Principal) -> str:
        calls.append(stand_in)
        time.sleep(0.05)
        return f"<p>{stand_in.user.name} {stand_in.csrf}</p>"

    readers = [Principal(User(i, f"r{i}<", "reviewer", datetime.now(UTC)), "session", f"t{i}") for i in range(8)]
    key = ("db", "a" * 64, "stamp", "zh")
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda who: cache.page(key, who, False, render), readers))
    assert len(calls) == 1 and calls[0].user.name not in {r.user.name for r in readers}
    assert bodies == [f"<p>r{i}&lt; t{i}</p>".encode() for i in range(8)]
    assert cache.kept(key, readers[3], False) == bodies[3]
    assert cache.kept(key, readers[3], True) is None  # not yet compressed for this reader
    packed = cache.page(key, readers[3], True, render)
    assert gzip.decompress(packed) == bodies[3] and cache.kept(key, readers[3], True) == packed
    assert len(calls) == 1
    assert cache.kept(("db", "a" * 64, "another stamp", "zh"), readers[3], False) is None
