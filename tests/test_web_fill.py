"""填报: writing a report in the workbench (TestClient against SQLite and PostgreSQL): drafts
opened, typed, checked live by every rule, saved with each cell's status, reopened, downloaded
through the writer's lint; and the security of these routes."""

from __future__ import annotations

import re

import pytest

import xxgk
from conftest_db import BACKENDS, fresh_url
from test_web_api import IMG, SCRIPT, app_client, login
from xxgk.template import APPLICANT_COLUMNS, TEMPLATES
from xxgk.writer.drafts import get_draft
from xxgk.writer.pdf import soffice

COLS = [c.key for c in APPLICANT_COLUMNS]
TOTAL = "applications.new_received.total"
HX = {"hx-request": "true"}


@pytest.fixture(params=BACKENDS)
def rita(request, tmp_path):
    with app_client(request.param, tmp_path, "rita") as c:
        yield c


@pytest.fixture
def lite(tmp_path):
    with app_client("sqlite", tmp_path) as c:
        yield c


def open_draft(c, body: str = "某某区人民政府", year: str = "2025") -> str:
    r = c.post("/fill", data={"csrf": c.csrf, "body": body, "year": year}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def hx_post(c, url: str, data: dict[str, str]):
    return c.post(url, data=data, headers={**HX, "x-csrf-token": c.csrf})


def mark(html: str, path: str) -> str:
    """The class of a cell's mark in a page or an htmx answer."""
    m = re.search(r'<span class="mark ([^"]*)" id="m-' + re.escape(path.replace(".", "-")) + '"', html)
    assert m, path
    return m.group(1).strip()


def row(key: str, values: list[str]) -> dict[str, str]:
    return {f"c:applications.{key}.{c}": v for c, v in zip(COLS, values, strict=True)}


def complete(template: str = "2021") -> dict[str, str]:
    """Every cell typed (all 0, which adds up) and the six sections written."""
    data = {f"c:{p}": "0" for p in TEMPLATES[template].cell_paths()}
    data.update({
        "s:1": "2025年，本区坚持主动公开、依申请公开，加强政府信息管理、政府信息公开平台建设和监督保障。",
        "s:5": "存在的主要问题是公开内容不够全面。改进措施：加强培训。",
        "s:6": "本年度未收取信息处理费。",
    })
    return data


def test_a_draft_typed_checked_live_saved_and_reopened(rita):
    c = rita
    url = open_draft(c)
    assert re.fullmatch(r"/fill/\d+", url)
    page = c.get(url).text
    # The tables laid out like the official form: every row and column label of the template.
    tpl = TEMPLATES["2021"]
    for table in tpl.tables:
        for r in table.rows:
            assert r.label.split("/")[-1] in page, r.label
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in page
    assert page.count('name="c:') == len(tpl.cell_paths())
    assert 'hx-post="' + url + '"' in page and 'name="csrf"' in page

    # A total that breaks its row: the finding comes back at once, next to the cells, in Chinese.
    r = hx_post(c, url, row("new_received", ["5", "0", "0", "0", "0", "0", "7"]))
    assert r.status_code == 200
    assert 'data-code="T3-applicants"' in r.text and "总计 应等于" in r.text
    assert "一、本年新收政府信息公开申请数量" in r.text and "applications.new_received" not in r.text.split(
        'data-cells')[0]
    assert mark(r.text, TOTAL) == "sev-error" and 'hx-swap-oob="true"' in r.text
    # Mended: the finding goes.
    r = hx_post(c, url, {f"c:{TOTAL}": "5"})
    assert 'data-code="T3-applicants"' not in r.text and mark(r.text, TOTAL) == ""

    # A blank cell is not zero: empty, a dash and 0 are three different things, kept in the store.
    r = hx_post(c, url, {"c:appeals.review.total": "—", "c:appeals.review.upheld": "", "c:appeals.review.other": "0",
                         "c:applications.granted.total": "abc", "s:5": "本年度存在的问题：公开不够及时。"})
    assert mark(r.text, "applications.granted.total") == "sev-error" and "“abc”不是数字" in r.text
    draft = get_draft(c.app.state.store.engine, int(url.rsplit("/", 1)[1]))
    cells = draft.cells
    assert (cells["appeals.review.total"].value, cells["appeals.review.total"].status) == (None, "blank")
    assert (cells["appeals.review.upheld"].value, cells["appeals.review.upheld"].status) == (None, "missing")
    assert (cells["appeals.review.other"].value, cells["appeals.review.other"].status) == (0, "read")
    assert (cells["applications.granted.total"].status, cells["applications.granted.total"].raw) == ("missing", "abc")
    assert draft.texts[5] == "本年度存在的问题：公开不够及时。" and draft.revision == 3

    # Reopened: what was typed is shown again, and the same body and year open the same draft.
    page = c.get(url).text
    assert 'value="—"' in page and 'value="abc"' in page and "本年度存在的问题：公开不够及时。" in page
    assert open_draft(c) == url
    listing = c.get("/fill").text
    assert f'href="{url}"' in listing and "某某区人民政府" in listing


def test_without_htmx_the_form_posts_and_comes_back(rita):
    c = rita
    url = open_draft(c, "某某县人民政府", "2020")
    assert "2019" in c.get(url).text  # 2020 is on the 2019 template
    r = c.post(url, data={"csrf": c.csrf, "c:appeals.review.total": "3"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == url
    assert 'value="3"' in c.get(url).text


def test_a_draft_downloads_through_the_writers_lint(lite, tmp_path):
    c = lite
    c.csrf = login(c, "rita")
    url = open_draft(c)
    hx_post(c, url, complete())
    docx = c.get(url + "/report.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK", docx.text[:300]
    assert "filename*=UTF-8''" in docx.headers["content-disposition"]
    back = xxgk.read_bytes(docx.content, "back.docx")
    assert back.meta.agency == "某某区人民政府" and back.meta.year == 2025
    assert all(back.cells[p].value == 0 and back.cells[p].status == "read" for p in TEMPLATES["2021"].cell_paths()
               if TEMPLATES["2021"].column_of(p).kind == "count")
    html = c.get(url + "/report.html")
    assert html.status_code == 200 and "<table" in html.text

    # An error stops the download; the errors are listed by their cells' labels; --force-like link.
    hx_post(c, url, row("new_received", ["5", "0", "0", "0", "0", "0", "7"]))
    stopped = c.get(url + "/report.docx")
    assert stopped.status_code == 422 and "T3-applicants" in stopped.text and "一、本年新收政府信息公开申请数量" in stopped.text
    forced = c.get(url + "/report.docx?force=true")
    assert forced.status_code == 200 and forced.content[:2] == b"PK"
    assert c.get(url + "/report.exe").status_code == 404

    # Viewers read and download, never write.
    c.csrf = login(c, "vic")
    assert c.get(url).status_code == 200 and 'hx-post="' not in c.get(url).text
    assert c.get(url + "/report.docx?force=true").status_code == 200


def test_pdf_without_libreoffice_says_so(lite, tmp_path, monkeypatch):
    c = lite
    c.csrf = login(c, "rita")
    url = open_draft(c)
    hx_post(c, url, complete())
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # LibreOffice really absent from this process's PATH
    r = c.get(url + "/report.pdf")
    assert r.status_code == 503 and "LibreOffice" in r.text


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_download(lite):
    c = lite
    c.csrf = login(c, "rita")
    url = open_draft(c)
    hx_post(c, url, complete())
    r = c.get(url + "/report.pdf")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    assert xxgk.read_bytes(r.content, "back.pdf").meta.agency == "某某区人民政府"


def test_security_of_the_fill_routes(lite):
    c = lite
    # No session: pages redirect to the login, writes are refused, htmx is told where to sign in.
    assert c.get("/fill", follow_redirects=False).headers["location"].startswith("/login")
    assert c.get("/fill/1/report.docx", follow_redirects=False).status_code == 303
    assert c.post("/fill", data={"body": "x", "year": "2025"}, follow_redirects=False).status_code == 401
    r = c.post("/fill/1", data={"c:appeals.review.total": "1"}, headers=HX, follow_redirects=False)
    assert r.status_code == 401 and r.headers["hx-redirect"].startswith("/login")

    c.csrf = login(c, "rita")
    url = open_draft(c, f"某区{SCRIPT}{IMG}")
    # CSRF: the form's token or the header, nothing else.
    assert c.post("/fill", data={"body": "x", "year": "2025"}).status_code == 403
    assert c.post(url, data={"c:appeals.review.total": "1", "csrf": "forged"}).status_code == 403
    assert c.post(url, data={"c:appeals.review.total": "1"}, headers=HX).status_code == 403
    # Report text is escaped everywhere: the body, the cells, the sections, the findings.
    r = hx_post(c, url, {"c:appeals.review.total": IMG, "s:1": SCRIPT + IMG})
    for html in (r.text, c.get(url).text, c.get("/fill").text):
        for raw in ("<script>alert", "<img src=x", '"><img'):
            assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in c.get(url).text
    # Bad requests: a year out of range, no body, a draft that does not exist.
    r = c.post("/fill", data={"csrf": c.csrf, "body": "某区", "year": "1999"})
    assert r.status_code == 422 and 'id="fill-error"' in r.text and "年度须在" in r.text
    assert c.post("/fill", data={"csrf": c.csrf, "body": " ", "year": "2025"}).status_code == 422
    assert c.get("/fill/999").status_code == 404
    assert hx_post(c, "/fill/999", {"c:appeals.review.total": "1"}).status_code == 404

    # Viewers: 403 on every write.
    c.csrf = login(c, "vic")
    assert c.post("/fill", data={"csrf": c.csrf, "body": "某区", "year": "2025"}).status_code == 403
    assert hx_post(c, url, {"c:appeals.review.total": "1"}).status_code == 403
    assert c.get("/fill").status_code == 200 and 'id="fill-new"' not in c.get("/fill").text


def test_english(lite):
    c = lite
    c.csrf = login(c, "rita")
    url = open_draft(c)
    page = c.get(url + "?lang=en").text
    assert "Findings" in page and "Download DOCX" in page
    r = hx_post(c, url, row("new_received", ["5", "0", "0", "0", "0", "0", "7"]))
    assert "must equal" in r.text


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_version_3_store_gets_the_draft_tables(backend, tmp_path):
    """Schema version 5 (drafts, round columns, collection runs) is added to a store of version 3."""
    import sqlalchemy as sa

    from xxgk.store import Store, workbench_schema
    from xxgk.store import schema as store_schema
    from xxgk.store.migrations import LATEST, current_version
    from xxgk.writer.drafts import open_draft as open_in

    with fresh_url(backend, tmp_path) as url:
        with Store.open(url) as s, s.engine.begin() as conn:
            for table in reversed(workbench_schema.TABLES):
                table.drop(conn)
            conn.execute(sa.delete(store_schema.schema_version).where(store_schema.schema_version.c.version > 3))
        with Store.open(url) as s:
            with s.engine.connect() as conn:
                assert current_version(conn) == LATEST >= 5
                assert all(sa.inspect(conn).has_table(tb.name) for tb in workbench_schema.TABLES)
            assert open_in(s.engine, "某区", 2025, "ada").template == "2021"


def test_last_years_report_in_the_store_is_compared(lite):
    """The body's report of the year before, in the store: 上年结转 must equal its 结转下年度."""
    from conftest_db import make_report

    c = lite
    c.app.state.store.add(make_report(agency="某某区人民政府", year=2024,
                                      values={"applications.carried_forward.natural_person": 4}))
    c.csrf = login(c, "rita")
    url = open_draft(c)
    assert 'id="fill-last"' in c.get(url).text
    r = hx_post(c, url, {"c:applications.carried_over.natural_person": "3"})
    assert 'data-code="year-carry-over"' in r.text and "2024" in r.text
    assert mark(r.text, "applications.carried_over.natural_person") == "sev-error"
    r = hx_post(c, url, {"c:applications.carried_over.natural_person": "4"})
    assert 'data-code="year-carry-over"' not in r.text
    other = open_draft(c, "某某县人民政府")
    assert 'id="fill-last"' not in c.get(other).text


def test_a_value_the_arithmetic_fixes_is_shown_beside_its_empty_cell(lite):
    c = lite
    c.csrf = login(c, "rita")
    url = open_draft(c)
    r = hx_post(c, url, {"c:appeals.review.total": "0"})  # a total of 0: every part is 0
    assert mark(r.text, "appeals.review.upheld") == "inferred" and ">=0</span>" in r.text
    assert get_draft(c.app.state.store.engine, int(url.rsplit("/", 1)[1])).cells[
        "appeals.review.upheld"].status == "missing"  # the draft keeps what was typed: nothing


def test_the_fill_in_form_offline_and_back(lite):
    """The draft's XLSX form (xxgk form) downloads; filled in offline, it is uploaded back into the draft."""
    import io

    import openpyxl

    from xxgk.writer.form import MAP_SHEET

    c = lite
    c.csrf = login(c, "rita")
    url = open_draft(c)
    got = c.get(url + "/form.xlsx")
    assert got.status_code == 200 and got.content[:2] == b"PK"
    wb = openpyxl.load_workbook(io.BytesIO(got.content))
    where = {str(r[0]): (r[1], r[2]) for r in wb[MAP_SHEET].iter_rows(values_only=True) if r and r[0] and r[2]}
    for path, value in (("appeals.review.upheld", 2), ("appeals.review.corrected", "—"), ("section.5", "问题：不够及时。")):
        sheet, cell = where[path]
        wb[sheet][cell] = value
    buf = io.BytesIO()
    wb.save(buf)
    r = c.post(url + "/form", files={"form": ("填报表.xlsx", buf.getvalue(), "application/octet-stream")},
               data={"csrf": c.csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    draft = get_draft(c.app.state.store.engine, int(url.rsplit("/", 1)[1]))
    assert (draft.cells["appeals.review.upheld"].value, draft.cells["appeals.review.upheld"].status) == (2, "read")
    assert draft.cells["appeals.review.corrected"].status == "blank"
    assert draft.cells["appeals.review.other"].status == "missing" and draft.texts[5] == "问题：不够及时。"
    # Not a form, or a form of another year: one clear message, the draft untouched.
    bad = c.post(url + "/form", files={"form": ("x.xlsx", b"not a workbook", "application/octet-stream")},
                 data={"csrf": c.csrf})
    assert bad.status_code == 422 and "x.xlsx" in bad.text
    other = c.get(open_draft(c, "某某区人民政府", "2020") + "/form.xlsx").content
    r = c.post(url + "/form", files={"form": ("2020.xlsx", other, "application/octet-stream")}, data={"csrf": c.csrf})
    assert r.status_code == 422 and "2020" in r.text
    assert get_draft(c.app.state.store.engine, int(url.rsplit("/", 1)[1])).cells["appeals.review.upheld"].value == 2
    c.csrf = login(c, "vic")
    r = c.post(url + "/form", files={"form": ("f.xlsx", buf.getvalue(), "application/octet-stream")},
               data={"csrf": c.csrf})
    assert r.status_code == 403
