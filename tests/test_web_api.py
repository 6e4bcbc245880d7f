"""The workbench over HTTP (FastAPI's TestClient): the JSON API against SQLite and PostgreSQL,
and its security: authentication on every route, CSRF, roles, escaping, paths, limits, login rate."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conftest_db import BACKENDS, fresh_url
from test_web_review import ingest_reason
from xxgk.review import open_store, users
from xxgk.web import Settings, create_app

SAMPLES = Path(__file__).parents[1] / "src" / "xxgk" / "samples"
HONGZE = SAMPLES / "hongze-district-2024.pdf"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
CELL = "applications.granted.total"


def make_app(url: str, tmp: Path, **kw) -> TestClient:
    store = open_store(url)
    for name, role in (("ada", "admin"), ("rita", "reviewer"), ("vic", "viewer")):
        users.add_user(store.engine, name, role, f"{name}-password")
    store.close()
    settings = Settings(db=url, files_dir=tmp / "files", workers=0, **kw)
    return TestClient(create_app(settings))


@contextmanager
def app_client(backend: str, tmp: Path, user: str | None = None) -> Iterator[TestClient]:
    """A workbench on a fresh database of `backend` with ada/rita/vic; signed in as `user` when
    given (its CSRF token in `c.csrf`). The one set-up every web test file starts from."""
    with fresh_url(backend, tmp) as url, make_app(url, tmp) as c:
        if user is not None:
            c.csrf = login(c, user)
        yield c


@pytest.fixture(params=BACKENDS)
def client(request, tmp_path):
    with app_client(request.param, tmp_path) as c:
        yield c


@pytest.fixture
def lite(tmp_path):
    with app_client("sqlite", tmp_path) as c:
        yield c


def token(c: TestClient, name: str) -> dict[str, str]:
    return {"authorization": "Bearer " + users.create_token(c.app.state.store.engine, name)}


def post_login(c: TestClient, name: str, password: str):
    """The login form as a browser sends it: with the token of the form it was shown."""
    form = c.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    return c.post("/login", data={"name": name, "password": password, "csrf": csrf}, follow_redirects=False)


def login(c: TestClient, name: str) -> str:
    """Sign in (the client keeps the cookie); returns the session's CSRF token."""
    r = post_login(c, name, f"{name}-password")
    assert r.status_code == 303, r.text
    page = c.get("/")
    m = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert m, page.text[:500]
    return m.group(1)


def wait_report(c: TestClient, rid: str, headers: dict[str, str], seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r = c.get(f"/api/reports/{rid}", headers=headers)
        if r.status_code == 200:
            return r.json()
        assert r.status_code == 202 and r.json() == {"id": rid, "state": "pending"}
        time.sleep(0.2)
    raise AssertionError(f"report {rid} still pending after {seconds} s")


def test_api_report_review_and_compile(client):
    admin, reviewer, viewer = token(client, "ada"), token(client, "rita"), token(client, "vic")
    rnd = client.post("/api/rounds", json={"name": "淮安市2024年度年报审核", "year": 2024}, headers=admin)
    assert rnd.status_code == 201
    round_id = rnd.json()["id"]
    with HONGZE.open("rb") as fh:
        r = client.post("/api/reports", files={"file": ("hongze.pdf", fh, "application/pdf")},
                        data={"round": str(round_id)}, headers=reviewer)
    assert r.status_code == 202, r.text
    rid = r.json()["id"]
    assert re.fullmatch(r"[0-9a-f]{64}", rid)
    body = wait_report(client, rid, viewer)
    assert body["schema"] == "xxgk.report/1" and body["state"] == "done"
    assert body["meta"]["agency"] == "淮安市洪泽区人民政府"
    assert body["review"]["state"]["state"] == "pending" and body["review"]["corrections"] == []

    findings = client.get(f"/api/reports/{rid}/findings", headers=viewer).json()
    assert findings and all(f["decision"] is None for f in findings)
    first = findings[0]
    d = client.post(f"/api/findings/{first['id']}/decision", json={"decision": "dismiss", "comment": "口径不同"},
                    headers=reviewer)
    assert d.status_code == 200 and d.json()["decision"]["decision"] == "dismiss"
    assert client.post(f"/api/findings/{first['id']}/decision", json={"decision": "perhaps"},
                       headers=reviewer).status_code == 422
    assert client.post(f"/api/findings/{rid}.0000000000000000/decision", json={"decision": "confirm"},
                       headers=reviewer).status_code == 404

    c = client.post(f"/api/reports/{rid}/corrections", json={"cell": CELL, "value": 51, "reason": "原表漏计"},
                    headers=reviewer)
    assert c.status_code == 200, c.text
    codes = {f["code"] for f in c.json()["findings"]}
    assert "T3-applicants" in codes and "T3-applicants" not in {f["code"] for f in findings}
    body = client.get(f"/api/reports/{rid}", headers=viewer).json()
    assert body["applications"]["granted"]["total"] == 50  # what was read
    assert body["review"]["corrected"] == {CELL: 51}
    assert body["review"]["corrections"][0]["reason"] == "原表漏计"
    s = client.post(f"/api/reports/{rid}/state", json={"state": "rework", "comment": "退回"}, headers=reviewer)
    assert s.status_code == 200 and s.json()["state"] == "rework"

    comp = client.get(f"/api/rounds/{round_id}/compile", headers=viewer)
    assert comp.status_code == 200
    out = comp.json()
    assert out["compilations"][0]["applications"]["granted"]["total"] == 51
    assert out["corrected"][CELL][0]["read"] == 50
    ov = client.get(f"/api/rounds/{round_id}", headers=viewer).json()
    assert [r["state"] for r in ov["reports"]] == ["rework"] and ov["reports"][0]["corrections"] == 1
    trail = client.get(f"/api/audit?subject={rid}", headers=viewer).json()
    assert [e["action"] for e in trail] == ["state", "correction", "decision"]

    bad = client.post("/api/reports", files={"file": ("notes.txt", "会议纪要，不是年报。".encode(), "text/plain")},
                      headers=reviewer)
    assert bad.status_code == 202
    failed = wait_report(client, bad.json()["id"], viewer)
    assert failed["state"] == "failed" and failed["reason"] == ingest_reason("会议纪要，不是年报。".encode(), "notes.txt")
    empty = client.post("/api/reports", files={"file": ("empty.txt", b"", "text/plain")}, headers=reviewer)
    assert empty.status_code == 422 and empty.json()["failed"][0]["reason"] == empty.json()["detail"]
    assert client.get("/api/reports/" + "0" * 64, headers=viewer).status_code == 404


def test_openapi_describes_the_api(lite):
    spec = lite.get("/api/openapi.json", headers=token(lite, "vic")).json()
    for path in ("/api/reports", "/api/reports/{report_id}", "/api/reports/{report_id}/findings",
                 "/api/findings/{finding_id}/decision", "/api/reports/{report_id}/corrections",
                 "/api/rounds/{round_id}/compile"):
        assert path in spec["paths"]
    docs = lite.get("/api/docs", headers=token(lite, "vic"))
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text


def _fill(path: str) -> str:
    return (path.replace("{report_id}", "a" * 64).replace("{sha256}", "a" * 64).replace("{finding_id}", "a" * 64 + ".x")
            .replace("{round_id}", "1").replace("{upload_id}", "1").replace("{number}", "1").replace("{name}", "ada")
            .replace("{prefix}", "xxgk_abcdefg"))


def _routes(routes) -> list:
    """Every route, through the included routers (FastAPI keeps them nested)."""
    out = []
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            out += _routes(inner.routes)  # their paths carry the prefix already
        else:
            out.append((getattr(r, "path", ""), r))
    return out


def test_every_route_needs_a_session_or_token(lite):
    open_routes = {"/login"}
    checked = 0
    for path, route in _routes(lite.app.routes):
        if not isinstance(route, APIRoute) and path not in ("/api/docs", "/api/openapi.json"):
            continue
        if path in open_routes or path.startswith(("/static", "/vendor")):  # static files
            continue
        for method in getattr(route, "methods", None) or {"GET"}:
            if method == "HEAD":
                continue
            r = lite.request(method, _fill(path), follow_redirects=False)
            if path.startswith("/api"):
                assert r.status_code == 401, (method, path, r.status_code)
            elif method == "GET":
                assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, path)
            else:
                assert r.status_code == 401, (method, path, r.status_code)
            checked += 1
    assert checked >= 35
    assert lite.get("/login").status_code == 200
    assert lite.get("/static/workbench.css").status_code == 200
    bad = {"authorization": "Bearer xxgk_not-a-token"}
    assert lite.get("/api/rounds", headers=bad).status_code == 401


def test_session_cookie_is_httponly_samesite(lite):
    r = post_login(lite, "ada", "ada-password")
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("xxgk_session=")).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie  # plain http here
    assert "script-src 'self'" in lite.get("/").headers["content-security-policy"]
    lite.post("/logout", data={"csrf": login(lite, "ada")})
    assert lite.get("/", follow_redirects=False).status_code == 303


def test_csrf_is_required_on_every_form(lite):
    admin = token(lite, "ada")
    rid = lite.post("/api/rounds", json={"name": "R"}, headers=admin).json()["id"]
    csrf = login(lite, "rita")
    assert lite.post(f"/rounds/{rid}/expected", data={"names": "x"}).status_code == 403  # and a reviewer anyway
    sha = "a" * 64
    for form in ({"state": "approved"}, {"state": "approved", "csrf": "forged"}):
        r = lite.post(f"/reports/{sha}/state", data=form, follow_redirects=False)
        assert r.status_code == 403, r.text
    r = lite.post(f"/reports/{sha}/state", data={"state": "approved", "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 404  # through the CSRF check, to the (absent) report
    r = lite.post("/uploads", files={"files": ("a.txt", b"x", "text/plain")}, follow_redirects=False)
    assert r.status_code == 403
    r = lite.post("/api/reports/" + sha + "/state", json={"state": "approved"})  # session, no header
    assert r.status_code == 403
    r = lite.post("/api/reports/" + sha + "/state", json={"state": "approved"}, headers={"x-csrf-token": csrf})
    assert r.status_code == 404


def test_viewers_read_reviewers_decide_admins_manage(lite):
    viewer, reviewer = token(lite, "vic"), token(lite, "rita")
    assert lite.get("/api/rounds", headers=viewer).status_code == 200
    assert lite.post("/api/rounds", json={"name": "R"}, headers=reviewer).status_code == 403
    assert lite.post("/api/reports", files={"file": ("a.txt", b"x", "text/plain")}, headers=viewer).status_code == 403
    sha = "a" * 64
    assert lite.post(f"/api/reports/{sha}/state", json={"state": "approved"}, headers=viewer).status_code == 403
    assert lite.post(f"/api/findings/{sha}.k/decision", json={"decision": "confirm"}, headers=viewer).status_code == 403
    assert lite.post(f"/api/reports/{sha}/corrections", json={"cell": CELL, "value": 1, "reason": "r"},
                     headers=viewer).status_code == 403
    csrf = login(lite, "vic")
    r = lite.post(f"/reports/{sha}/decision", data={"csrf": csrf, "key": "k", "decision": "confirm"},
                  follow_redirects=False)
    assert r.status_code == 403
    assert lite.get("/users", follow_redirects=False).status_code == 403
    assert lite.post("/users", data={"csrf": csrf, "name": "eve", "role": "admin", "password": "x" * 10}
                     ).status_code == 403


def test_report_text_is_escaped_on_every_page(lite):
    admin, reviewer = token(lite, "ada"), token(lite, "rita")
    rid = lite.post("/api/rounds", json={"name": f"轮次{SCRIPT}{IMG}", "year": 2022}, headers=admin).json()["id"]
    text = (SAMPLES / "000_11a4c8c6b3698673.txt").read_text(encoding="utf-8")
    text = text.replace("先进制造业开发区2022年政府信息公开工作年度报告",
                        f"先进制造业开发区{SCRIPT}{IMG}2022年政府信息公开工作年度报告", 1)
    text = text.replace("一、总体情况", f"一、总体情况\n{SCRIPT}{IMG}", 1)
    name = f"{IMG}{SCRIPT}.txt"
    r = lite.post("/api/reports", files={"file": (name, text.encode(), "text/plain")}, data={"round": str(rid)},
                  headers=reviewer)
    sha = r.json()["id"]
    body = wait_report(lite, sha, reviewer)
    assert SCRIPT in (body["meta"]["title"] or "") + body["sections"][0]["text"]
    f = lite.get(f"/api/reports/{sha}/findings", headers=reviewer).json()[0]
    lite.post(f"/api/findings/{f['id']}/decision", json={"decision": "confirm", "comment": SCRIPT + IMG},
              headers=reviewer)
    lite.post(f"/api/reports/{sha}/corrections", json={"cell": CELL, "value": 1, "reason": SCRIPT + IMG},
              headers=reviewer)
    lite.post(f"/api/reports/{sha}/state", json={"state": "rework", "comment": IMG + SCRIPT}, headers=reviewer)
    login(lite, "ada")
    pages = ["/", f"/rounds/{rid}", f"/reports/{sha}", f"/reports/{sha}/years", f"/rounds/{rid}/compile",
             "/audit", f"/audit?subject={sha}", "/uploads/1", "/uploads/1/progress", "/users"]
    for url in pages:
        html = lite.get(url).text
        assert lite.get(url).status_code == 200, url
        for raw in ("<script>alert", "<img src=x", '"><img'):
            assert raw not in html, (url, raw)
    review = lite.get(f"/reports/{sha}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in review and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in review
    assert "&lt;script&gt;" in lite.get(f"/rounds/{rid}").text


def test_paths_with_dot_dot_are_not_found(lite):
    login(lite, "ada")
    for url in ("/reports/..%2F..%2F..%2Fetc%2Fpasswd/source", "/reports/%2e%2e%2f%2e%2e%2fetc%2fpasswd/source",
                "/static/..%2Fapp.py", "/static/%2e%2e/app.py", "/reports/" + "a" * 64 + "/source",
                "/reports/..%2F" + "a" * 61 + "/pages/1.png", "/vendor/..%2F..%2Fapp.py"):
        assert lite.get(url).status_code == 404, url


def test_uploads_over_the_limit_are_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'small.sqlite'}"
    with make_app(url, tmp_path, max_request_bytes=1 << 20, max_file_bytes=256 << 10) as c:
        big = {"file": ("big.txt", b"x" * (2 << 20), "text/plain")}
        assert c.post("/api/reports", files=big, headers=token(c, "rita")).status_code == 413
        mid = {"file": ("mid.txt", b"x" * (512 << 10), "text/plain")}
        assert c.post("/api/reports", files=mid, headers=token(c, "rita")).status_code == 413
        assert not list((tmp_path / "files" / "uploads").rglob("*.txt"))  # nothing kept of it


def test_login_form_has_its_own_csrf_token(lite):
    r = lite.post("/login", data={"name": "ada", "password": "ada-password"}, follow_redirects=False)
    assert r.status_code == 403
    lite.get("/login")  # the cookie alone is not enough: the form's copy must match
    r = lite.post("/login", data={"name": "ada", "password": "ada-password", "csrf": "forged"},
                  follow_redirects=False)
    assert r.status_code == 403 and "xxgk_session" not in r.headers.get("set-cookie", "")


def test_login_rate_limit_holds(lite):
    for _ in range(5):
        assert post_login(lite, "ada", "wrong password").status_code == 401
    r = post_login(lite, "ada", "ada-password")
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # another user name from the same address is held too
    assert post_login(lite, "vic", "vic-password").status_code == 429


@pytest.mark.slow  # a few seconds: Argon2 sign-ins on two apps
@pytest.mark.parametrize("backend", BACKENDS)
def test_login_rate_limit_holds_across_worker_processes(backend, tmp_path):
    """Two apps on one database stand for two worker processes of `xxgk serve --workers 2`: the
    failures counted by one hold the other (the counter is in the database, not in a process)."""
    with fresh_url(backend, tmp_path) as url, make_app(url, tmp_path) as one:
        two = TestClient(create_app(Settings(db=url, files_dir=tmp_path / "files", workers=0, run_uploads=False)))
        with two:
            for i in range(5):
                assert post_login(one if i % 2 else two, "ada", "wrong password").status_code == 401
            for c in (one, two):
                r = post_login(c, "ada", "ada-password")
                assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= 300
            # the window passes (the failures made older than it): a right password signs in again
            with one.app.state.store.engine.begin() as conn:
                from datetime import timedelta

                from xxgk.review import schema as rs

                conn.execute(rs.login_failures.update().values(at=rs.login_failures.c.at - timedelta(seconds=301)))
            assert post_login(two, "ada", "ada-password").status_code == 303


def test_pages_speak_chinese_by_default_and_english_on_request(lite):
    assert "登录" in lite.get("/login").text
    r = lite.get("/login?lang=en")
    assert "Sign in" in r.text and "xxgk_lang=en" in r.headers["set-cookie"]
    assert "Sign in" in lite.get("/login").text  # remembered


def test_cli_users_and_tokens(tmp_path):
    from xxgk.cli import app
    from xxgk.cli.serve import is_loopback

    db = str(tmp_path / "cli.sqlite")
    run = CliRunner().invoke
    r = run(app, ["user", "add", "ada", "--role", "admin", "--password-stdin", "--db", db], input="long password\n")
    assert r.exit_code == 0, r.output
    assert run(app, ["user", "add", "ada", "--role", "admin", "--password-stdin", "--db", db],
               input="long password\n").exit_code == 2
    assert run(app, ["user", "add", "bob", "--role", "boss", "--password-stdin", "--db", db],
               input="long password\n").exit_code == 2
    assert run(app, ["user", "add", "bob", "--db", db]).exit_code == 2  # no password on the command line
    r = run(app, ["token", "create", "ada", "--db", db])
    assert r.exit_code == 0 and re.fullmatch(r"xxgk_[\w-]{43}\n", r.stdout)
    store = open_store(db)
    assert users.token_user(store.engine, r.stdout.strip()).name == "ada"
    assert run(app, ["token", "revoke", r.stdout.strip()[:12], "--db", db]).exit_code == 0
    assert users.token_user(store.engine, r.stdout.strip()) is None
    assert run(app, ["user", "passwd", "ada", "--password-stdin", "--db", db], input="another password\n"
               ).exit_code == 0
    assert users.authenticate(store.engine, "ada", "another password")
    assert "ada" in run(app, ["user", "list", "--db", db]).stdout
    assert run(app, ["user", "remove", "ada", "--db", db]).exit_code == 0
    assert run(app, ["user", "remove", "ada", "--db", db]).exit_code == 2
    store.close()
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2")


def wait_until_serving(url: str, seconds: float = 90) -> None:
    """Until `xxgk serve` at url answers its login page (it may still be starting)."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)


@pytest.mark.slow
def test_serve_warns_when_bound_beyond_this_machine_without_https(tmp_path):
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1] / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "xxgk", "serve", "--db", str(tmp_path / "w.sqlite"),
                             "--host", "0.0.0.0", "--port", str(port), "-j", "0"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "审核工作台" in line:  # started: the warnings come before
                break
        text = "".join(lines)
        assert "0.0.0.0" in text and "HTTPS" in text and "警告" in text and "warning" not in text
        assert "还没有用户" in text
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_cookies_are_secure_over_https(tmp_path):
    with make_app(f"sqlite:///{tmp_path / 's.sqlite'}", tmp_path) as c:
        c.base_url = "https://testserver"
        r = post_login(c, "ada", "ada-password")
        assert r.status_code == 303
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("xxgk_session=")).lower()
        assert "secure" in cookie and "httponly" in cookie
        assert "max-age=31536000" in c.get("/").headers["strict-transport-security"]


def test_api_takes_a_zip_of_reports(lite, tmp_path):
    from test_web_review import samples_zip

    reviewer = token(lite, "rita")
    z = samples_zip(tmp_path)
    r = lite.post("/api/reports", files={"file": ("samples.zip", z.read_bytes(), "application/zip")},
                  headers=reviewer)
    assert r.status_code == 202
    ids = r.json()["ids"]
    assert len(ids) == 8 and r.json()["id"] == ids[0]
    states = [wait_report(lite, i, reviewer)["state"] for i in ids]
    assert states.count("done") == 7 and states.count("failed") == 1  # the README inside is not a report
    progress = lite.get(f"/api/uploads/{r.json()['upload']}", headers=reviewer).json()
    assert progress["state"] == "done" and progress["done"] == 7 and progress["failed"] == 1


@pytest.mark.slow
def test_serve_with_several_workers(tmp_path):
    """`xxgk serve --workers 2`: uvicorn's worker processes share sessions, the login limit and the
    upload queue through the database; an upload is read once, by the niced reader."""
    import os
    import socket
    import subprocess
    import sys

    import httpx

    db = str(tmp_path / "w.sqlite")
    store = open_store(db)
    users.add_user(store.engine, "ada", "admin", "ada-password")
    bearer = {"authorization": "Bearer " + users.create_token(store.engine, "ada")}
    store.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1] / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "xxgk", "serve", "--db", db, "--port", str(port), "--workers", "2",
                             "-j", "1"], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url)

        def attempt(password: str) -> int:
            with httpx.Client(base_url=url) as c:  # a new connection each time: either worker answers
                form = c.get("/login").text
                csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
                return c.post("/login", data={"name": "ada", "password": password, "csrf": csrf}).status_code

        assert [attempt("wrong password") for _ in range(5)] == [401] * 5
        assert [attempt("ada-password") for _ in range(4)] == [429] * 4
        body = (SAMPLES / "000_11a4c8c6b3698673.txt").read_bytes()
        r = httpx.post(url + "/api/reports", headers=bearer, files={"file": ("a.txt", body, "text/plain")})
        assert r.status_code == 202, r.text
        rid, upload = r.json()["id"], r.json()["upload"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and httpx.get(f"{url}/api/uploads/{upload}", headers=bearer
                                                        ).json()["state"] != "done":
            time.sleep(0.3)
        assert httpx.get(f"{url}/api/reports/{rid}", headers=bearer).json()["state"] == "done"
        page = httpx.get(f"{url}/reports/{rid}", headers=bearer)
        assert page.status_code == 200 and 'id="findings"' in page.text
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def _two_apps(url: str, tmp: Path) -> tuple[TestClient, TestClient]:
    """Two apps on one database: two worker processes of `xxgk serve --workers 2` as far as the
    database goes (no reader is kept in a process between requests, so nothing else is shared)."""
    one = make_app(url, tmp)
    two = TestClient(create_app(Settings(db=url, files_dir=tmp / "files", workers=0, run_uploads=False)))
    return one, two


def _share_session(source: TestClient, target: TestClient) -> None:
    """The browser's session cookie, sent to the other process too."""
    sid = next(c.value for c in source.cookies.jar if c.name == "xxgk_session")
    target.cookies.clear()
    target.cookies.set("xxgk_session", sid)


def _a_report(c: TestClient) -> str:
    from xxgk.corpus.ingest import ingest

    store = c.app.state.store
    ingest([str(SAMPLES / "000_11a4c8c6b3698673.txt")], store, workers=0)
    return next(e.sha256 for e in store.entries())


@pytest.mark.parametrize("backend", BACKENDS)
def test_sign_out_and_revocation_hold_at_once_in_every_process(backend, tmp_path):
    """The review page reads its reader from the database on every request, in every process:
    a sign-out through one process, a token revoked from the command line, a new password or a
    removed user are refused by the other at the very next request, after pages were served."""
    with fresh_url(backend, tmp_path) as url:
        one, two = _two_apps(url, tmp_path)
        with one, two:
            sha = _a_report(one)
            page = f"/reports/{sha}"
            csrf = login(one, "rita")
            _share_session(one, two)
            for c in (one, two, one, two):
                r = c.get(page, follow_redirects=False)
                assert r.status_code == 200 and f'value="{csrf}"' in r.text
            assert one.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
            r = two.get(page, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login")
            assert two.get("/api/rounds").status_code == 401

            engine = one.app.state.store.engine
            bearer = {"authorization": "Bearer " + users.create_token(engine, "vic")}
            one.cookies.clear()
            two.cookies.clear()
            for c in (one, two, one, two):
                assert c.get(page, headers=bearer).status_code == 200
            users.revoke_token(engine, "vic")  # `xxgk token revoke vic`, from a third process
            for c in (two, one):
                assert c.get(page, headers=bearer, follow_redirects=False).status_code == 303
                assert c.get(f"/api/reports/{sha}", headers=bearer).status_code == 401

            login(two, "ada")
            _share_session(two, one)
            assert one.get(page).status_code == 200 and two.get(page).status_code == 200
            users.set_password(engine, "ada", "a new password")  # ends her sessions
            assert one.get(page, follow_redirects=False).status_code == 303
            users.add_user(engine, "eve", "viewer", "eve-password")
            one.cookies.clear()
            login(one, "eve")
            _share_session(one, two)
            assert two.get(page).status_code == 200
            users.remove_user(engine, "eve")
            assert two.get(page, follow_redirects=False).status_code == 303
            assert one.get(page, follow_redirects=False).status_code == 303


def test_review_page_paths(lite):
    """The review page (matched before every other route) answers its own path only: a sign-in
    first, then 404 for an id that is not 64 hex digits or not stored, and its sub-pages are
    other routes."""
    sha = _a_report(lite)
    r = lite.get(f"/reports/{sha}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/reports/{sha}"
    assert lite.get(f"/reports/{sha}%0A", follow_redirects=False).status_code == 303
    login(lite, "vic")
    assert lite.get(f"/reports/{sha}").status_code == 200
    for bad in (sha.upper(), sha + "%0A", sha[:-1], "0" * 64, sha + "0"):
        assert lite.get(f"/reports/{bad}").status_code == 404, bad
    assert lite.get(f"/reports/{sha}/years").status_code == 200
    assert lite.get(f"/reports/{sha}/", follow_redirects=False).status_code in (307, 404)


@pytest.mark.slow  # two `xxgk serve` processes
def test_sign_out_holds_at_once_across_server_processes(tmp_path):
    """Two real server processes on one SQLite file: a session signed out through one and a
    token revoked from the command line are refused by the other at its very next request."""
    import os
    import socket
    import subprocess
    import sys

    import httpx

    db = str(tmp_path / "w.sqlite")
    store = open_store(db)
    users.add_user(store.engine, "rita", "reviewer", "rita-password")
    token = users.create_token(store.engine, "rita")
    from xxgk.corpus.ingest import ingest

    ingest([str(SAMPLES / "000_11a4c8c6b3698673.txt")], store, workers=0)
    sha = next(e.sha256 for e in store.entries())
    store.close()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1] / "src"))
    procs, urls = [], []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        procs.append(subprocess.Popen([sys.executable, "-m", "xxgk", "serve", "--db", db, "--port", str(port),
                                       "-j", "0"], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            wait_until_serving(url)
        a, b = (httpx.Client(base_url=u, timeout=60) for u in urls)
        with a, b:
            form = a.get("/login").text
            login_csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
            r = a.post("/login", data={"name": "rita", "password": "rita-password", "csrf": login_csrf})
            assert r.status_code in (200, 303)
            cookie = {"cookie": "xxgk_session=" + a.cookies["xxgk_session"]}
            csrf = re.search(r'name="csrf" value="([^"]+)"', a.get(f"/reports/{sha}").text).group(1)
            for c in (a, b, a, b):
                assert c.get(f"/reports/{sha}", headers=cookie).status_code == 200
            assert a.post("/logout", data={"csrf": csrf}, headers=cookie).status_code in (200, 303)
            r = b.get(f"/reports/{sha}", headers=cookie)
            assert r.status_code == 303 and r.headers["location"].startswith("/login")
            bearer = {"authorization": "Bearer " + token}
            for c in (a, b, a, b):
                assert c.get(f"/reports/{sha}", headers=bearer).status_code == 200
            store = open_store(db)
            users.revoke_token(store.engine, token)
            store.close()
            for c in (b, a):
                assert c.get(f"/reports/{sha}", headers=bearer).status_code == 303
                assert c.get("/api/rounds", headers=bearer).status_code == 401
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=60)
