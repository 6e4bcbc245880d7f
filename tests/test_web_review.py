"""The review library under the workbench (xxgk.review), against SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook

from conftest_db import BACKENDS, fresh_url
from xxgk.review import (
    NotFound,
    ReviewError,
    correct,
    decide,
    open_store,
    review_report,
    rounds,
    set_state,
    summary,
    trail,
    uploads,
    users,
)
from xxgk.review import schema as rs
from xxgk.review.opinion import opinion_docx, opinion_pdf, soffice
from xxgk.store import Failed

SAMPLES = Path(__file__).parents[1] / "src" / "xxgk" / "samples"
HONGZE = "淮安市洪泽区人民政府"
CELL = "applications.granted.total"


def samples_zip(folder: Path) -> Path:
    z = folder / "samples.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted(SAMPLES.iterdir()):
            zf.write(p, p.name)
    return z


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with fresh_url(request.param, tmp_path) as url:
        s = open_store(url)
        try:
            yield s
        finally:
            s.close()


@pytest.fixture
def loaded(store, tmp_path):
    """A round holding the bundled samples, uploaded as a zip next to an empty file."""
    users.add_user(store.engine, "ada", "admin", "correct horse")
    rnd = rounds.create_round(store.engine, "淮安市2024年度年报审核", 2024, "ada")
    uid, folder = uploads.new_upload(store.engine, tmp_path / "files", rnd.id, "ada")
    z = samples_zip(folder)
    empty = folder / "empty.txt"
    empty.write_bytes(b"")
    uploads.register(store.engine, uid, [("samples.zip", z), ("empty.txt", empty)], "ada")
    assert uploads.progress(store, uid).state == "queued"
    assert uploads.run_queue(store, workers=0) == 1
    return store, rnd, uid


def ingest_reason(data: bytes, name: str) -> str:
    """What the ingest itself says of these bytes (in the language of the run)."""
    from xxgk.corpus.ingest import parse_one

    failed = parse_one(name, name, data, "0" * 64)
    assert isinstance(failed, Failed)
    return failed.reason


def load_reason(path: Path) -> str:
    """What the ingest says of a file it cannot even load (an empty one)."""
    from xxgk.corpus.ingest import discover, load

    failed = next(item for item in load(discover([str(path)])) if item is not None)
    assert isinstance(failed, Failed)
    return failed.reason


def sha_of(store, agency: str) -> str:
    return next(e.sha256 for e in store.entries() if e.agency == agency)


def test_users_passwords_tokens_sessions(store):
    e = store.engine
    users.add_user(e, "ada", "admin", "correct horse")
    users.add_user(e, "vic", "viewer", "battery staple")
    with pytest.raises(ReviewError):
        users.add_user(e, "ada", "viewer", "another one")
    with pytest.raises(ReviewError):
        users.add_user(e, "bob", "boss", "password!")
    with pytest.raises(ReviewError):
        users.add_user(e, "bob", "viewer", "short")
    with e.connect() as conn:
        stored = conn.execute(sa.select(rs.users.c.password_hash).where(rs.users.c.name == "ada")).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert users.authenticate(e, "ada", "correct horse").role == "admin"
    assert users.authenticate(e, "ada", "wrong horse") is None
    assert users.authenticate(e, "nobody", "correct horse") is None
    vic = users.get_user(e, "vic")
    assert vic.can("viewer") and not vic.can("reviewer")

    token = users.create_token(e, "vic")
    assert token.startswith("xxgk_")
    with e.connect() as conn:
        assert token not in json.dumps([list(r) for r in conn.execute(sa.select(rs.tokens)).all()], default=str)
    assert users.token_user(e, token).name == "vic"
    assert users.token_user(e, token + "x") is None
    assert users.revoke_token(e, token[:12]) == 1
    assert users.token_user(e, token) is None

    sid, csrf = users.open_session(e, vic)
    assert users.session_user(e, sid) == (vic, csrf)
    users.set_password(e, "vic", "a new password")  # ends the sessions
    assert users.session_user(e, sid) is None
    assert users.authenticate(e, "vic", "a new password")
    users.remove_user(e, "vic")
    with pytest.raises(NotFound):
        users.get_user(e, "vic")
    actions = [x.action for x in trail.entries(e)]
    assert {"user.add", "token.create", "token.revoke", "user.passwd", "user.remove"} <= set(actions)


def test_upload_round_overview_and_failures(loaded, tmp_path):
    store, rnd, uid = loaded
    p = uploads.progress(store, uid)
    assert p.finished and p.total == 9 and p.count("done") == 7 and p.count("failed") == 2
    reasons = {f.name: f.reason for f in p.files if f.state == "failed"}
    # The reason the ingest itself gives when it reads the file (as `xxgk ingest` records it).
    assert reasons["empty.txt"] == load_reason(tmp_path / "files" / "uploads" / str(uid) / "empty.txt")
    assert reasons["samples.zip!README.md"] == ingest_reason((SAMPLES / "README.md").read_bytes(), "README.md")
    ov = rounds.overview(store, rnd.id)
    assert len(ov.rows) == 7 and ov.counts()["pending"] == 7
    assert sum(ov.by_code.values()) == sum(r.errors + r.warnings + r.infos for r in ov.rows) > 0
    assert dict(ov.failures) == reasons
    rounds.set_expected(store.engine, rnd.id, ["# 2024", HONGZE, "淮安市淮阴区人民政府", ""], "ada")
    ov = rounds.overview(store, rnd.id)
    assert ov.expected == [HONGZE, "淮安市淮阴区人民政府"] and ov.missing == ["淮安市淮阴区人民政府"]
    # the same bytes again: nothing new, the report stays once in the round
    uid2, folder = uploads.new_upload(store.engine, tmp_path / "files", rnd.id, "ada")
    again = folder / "hongze.pdf"
    again.write_bytes((SAMPLES / "hongze-district-2024.pdf").read_bytes())
    uploads.register(store.engine, uid2, [("hongze.pdf", again)], "ada")
    uploads.run_queue(store, workers=0)
    assert uploads.progress(store, uid2).count("done") == 1
    assert len(rounds.overview(store, rnd.id).rows) == 7


def test_correction_is_its_own_record_and_rules_run_again(loaded):
    store, rnd, _ = loaded
    sha = sha_of(store, HONGZE)
    before = review_report(store, sha)
    assert before.report.cells[CELL].value == 50 and not before.corrections
    assert "T3-applicants" not in {f.finding.code for f in before.findings}

    after = correct(store, sha, CELL, "999", "typed by the reviewer to test", "ada")
    assert after.corrected.cells[CELL].value == 999
    assert after.report.cells[CELL].value == 50  # what was read stays
    assert store.report(sha).cells[CELL].value == 50  # and so does the store
    codes = {f.finding.code for f in after.findings}
    assert {"T3-applicants", "T3-results"} <= codes
    target = next(f for f in after.findings if f.finding.code == "T3-applicants")
    decide(store, sha, target.key, "confirm", "总计与各类申请人之和不符", "ada")
    again = review_report(store, sha)
    assert again.finding(target.key).decision.decision == "confirm"

    with pytest.raises(ReviewError):
        correct(store, sha, CELL, "12.5", "counts are whole", "ada")
    with pytest.raises(ReviewError):
        correct(store, sha, CELL, "-3", "counts are not negative", "ada")
    with pytest.raises(ReviewError):
        correct(store, sha, CELL, "7", "", "ada")
    with pytest.raises(ReviewError):
        correct(store, sha, "applications.nonsense.total", "7", "no such cell", "ada")

    row = next(r for r in rounds.overview(store, rnd.id).rows if r.sha256 == sha)
    assert row.errors == after.count("error") >= 2 and row.corrections == 1  # counts of the corrected report

    reverted = correct(store, sha, CELL, None, "back to what was printed", "ada")
    assert not reverted.corrections and reverted.corrected.cells[CELL].value == 50
    assert "T3-applicants" not in {f.finding.code for f in reverted.findings}
    assert len(reverted.history) == 2
    log = trail.entries(store.engine, sha)
    assert [x.action for x in log][:3] == ["correction.revert", "decision", "correction"]
    first = log[-1]
    assert first.user == "ada" and first.before["read"] == 50 and first.after["corrected"] == 999
    csv_text = trail.export_csv(log)
    assert csv_text.splitlines()[0] == "id,at,user,action,subject,before,after" and "correction" in csv_text
    assert len(json.loads(trail.export_json(log))) == 3


def test_state_decisions_and_unknowns(loaded):
    store, rnd, _ = loaded
    sha = sha_of(store, HONGZE)
    rr = review_report(store, sha)
    f = rr.findings[0]
    decide(store, sha, f.key, "dismiss", "文字表述与表格口径不同", "ada")
    with pytest.raises(ReviewError):
        decide(store, sha, f.key, "maybe", "", "ada")
    with pytest.raises(NotFound):
        decide(store, sha, "0000000000000000", "confirm", "", "ada")
    with pytest.raises(NotFound):
        review_report(store, "../" + sha)
    with pytest.raises(ReviewError):
        set_state(store, sha, "done", "", "ada")
    set_state(store, sha, "approved", "同意发布", "ada")
    ov = rounds.overview(store, rnd.id)
    row = next(r for r in ov.rows if r.sha256 == sha)
    assert row.state.state == "approved" and row.dismissed == 1 and ov.counts()["approved"] == 1


def test_opinion_summary_and_compile_use_corrections(loaded):
    store, rnd, _ = loaded
    sha = sha_of(store, HONGZE)
    rr = correct(store, sha, CELL, "51", "原表漏计一件", "ada")
    target = next(f for f in rr.findings if f.finding.code == "T3-applicants")
    decide(store, sha, target.key, "confirm", "请核对予以公开总计", "ada")
    set_state(store, sha, "rework", "退回整改", "ada")
    rr = review_report(store, sha)

    data = opinion_docx(rr)
    # Reproducible: no member carries the clock (python-docx would stamp it).
    assert {m.date_time for m in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {(1980, 1, 1, 0, 0, 0)}
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for tb in doc.tables for row in tb.rows for c in row.cells)
    assert "请核对予以公开总计" in text and "T3-applicants" in text and "原表漏计一件" in text
    assert HONGZE in text and "（一）予以公开" in text

    wb = load_workbook(io.BytesIO(summary.summary_xlsx(store, rnd.id)))
    ws = wb.worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    mine = next(r for r in rows if r[0] == HONGZE)
    assert mine[9] == 1 and mine[11] == 1 and "T3-applicants" in mine[12]
    assert len(rows) == 7

    rc = summary.compile_round(store, rnd.id)
    assert rc.error is None and len(rc.compilations) == 1
    comp = rc.compilations[0]
    huaian = store.report(sha_of(store, "淮安市人民政府"))
    assert comp.value(CELL) == 51 + huaian.cells[CELL].value
    assert rc.corrected[CELL][0]["read"] == 50 and rc.corrected[CELL][0]["corrected"] == 51
    rows = list(csv.reader(io.StringIO(summary.compilation_csv(rc))))
    granted = next(r for r in rows if r[2] == CELL)
    assert granted[4] == str(comp.value(CELL)) and granted[8] == "1" and granted[3].startswith("（一）予以公开")
    wb = load_workbook(io.BytesIO(summary.compilation_xlsx(rc)))
    assert any(c.value == "原表漏计一件" for c in wb.worksheets[-1]["F"])


@pytest.mark.slow
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_opinion_pdf(loaded):
    store, _rnd, _ = loaded
    pdf = opinion_pdf(review_report(store, sha_of(store, HONGZE)))
    assert pdf.startswith(b"%PDF")


def test_reviewers_acting_at_once(loaded):
    from concurrent.futures import ThreadPoolExecutor

    store, _rnd, _ = loaded
    sha = sha_of(store, HONGZE)
    key = review_report(store, sha).findings[0].key

    def act(i: int) -> str:
        decide(store, sha, key, "confirm" if i % 2 else "dismiss", f"第{i}位", f"r{i}")
        set_state(store, sha, "rework", f"第{i}位", f"r{i}")
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(act, range(8))) == ["ok"] * 8
    final = review_report(store, sha)
    assert final.finding(key).decision.user in {f"r{i}" for i in range(8)}
    assert [e.action for e in trail.entries(store.engine, sha)].count("decision") == 8


def _two_years(store):
    """One body's 2022 and 2023 reports whose carry-over disagrees (5 carried forward, 3 carried over),
    stored and cross-checked as the ingest does."""
    from conftest_db import make_report
    from xxgk.identity import apply

    y1 = make_report(HONGZE, 2022, values={"applications.carried_forward.total": 5})
    y2 = make_report(HONGZE, 2023, values={"applications.carried_over.total": 3})
    for r in (y1, y2):
        apply(r)
        store.add(r)
    store.recheck_bodies()
    return y1.source.sha256, y2.source.sha256


def _year_findings(store, sha: str) -> list[tuple[str, tuple[str, ...], str]]:
    return [(f.finding.code, tuple(f.finding.cells), f.finding.message) for f in review_report(store, sha).findings
            if f.scope == "corpus"]


def test_corrections_recompute_the_cross_year_findings(store):
    prev, this = _two_years(store)
    carry = ("applications.carried_over.total",)
    before = _year_findings(store, this)
    assert [(code, cells) for code, cells, _m in before] == [("year-carry-over", carry)]
    key = next(f.key for f in review_report(store, this).findings if f.scope == "corpus")
    decide(store, this, key, "confirm", "请核对", "ada")
    # Last year's figure corrected to this year's: the comparison holds, the finding goes.
    correct(store, prev, "applications.carried_forward.total", "3", "上年报告笔误", "ada")
    assert _year_findings(store, this) == []
    # This year's figure corrected too: the pair differs again, with the corrected values in the message.
    correct(store, this, CELL.replace("granted", "carried_over"), "4", "复核", "ada")
    again = _year_findings(store, this)
    assert [(code, cells) for code, cells, _m in again] == [("year-carry-over", carry)]
    assert "4" in again[0][2] and "3" in again[0][2]
    # Both withdrawn: the findings are those the ingest stored, and the decision is still on its finding.
    correct(store, prev, "applications.carried_forward.total", None, "撤回", "ada")
    correct(store, this, "applications.carried_over.total", None, "撤回", "ada")
    assert _year_findings(store, this) == before
    assert review_report(store, this).finding(key).decision.decision == "confirm"
    # The stored findings are the ingest's, from the values as read: the correction is its own record.
    assert [f.code for f in store.findings(scope="corpus")] == ["year-carry-over"]


def _queued(store, tmp_path, name: str) -> int:
    uid, folder = uploads.new_upload(store.engine, tmp_path / "files", None, "ada")
    f = folder / name
    f.write_bytes((SAMPLES / "000_11a4c8c6b3698673.txt").read_bytes() + f"\n（{name}）\n".encode())
    uploads.register(store.engine, uid, [(name, f)], "ada")
    return uid


def test_uploads_are_claimed_once_and_taken_up_after_a_crash(store, tmp_path):
    users.add_user(store.engine, "ada", "admin", "correct horse")
    first = _queued(store, tmp_path, "a.txt")
    # Two readers (two server processes) ask at once: the upload goes to one of them.
    assert uploads.claim(store.engine, "one") == [first]
    assert uploads.claim(store.engine, "two") == []
    assert uploads.run_queue(store, workers=0, who="two") == 0  # not two's to read
    assert uploads.renew(store.engine, [first], "two") == 0 and uploads.renew(store.engine, [first], "one") == 1
    # "one" dies with it claimed: once its lease lapses, another reader takes it up and reads it.
    with store.engine.begin() as conn:
        conn.execute(rs.uploads.update().values(lease_until=datetime.now(UTC) - timedelta(seconds=1)))
    assert uploads.run_queue(store, workers=0, who="two") == 1
    p = uploads.progress(store, first)
    assert p.finished and p.count("done") == 1
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(rs.uploads).where(rs.uploads.c.id == first)).one()
    assert row.claimed_by is None and row.lease_until is None
    # A lease that has not lapsed is respected; a late reader cannot settle what it lost.
    second = _queued(store, tmp_path, "b.txt")
    assert uploads.claim(store.engine, "one", lease=0.0) == [second]  # lapses at once
    assert uploads.claim(store.engine, "two") == [second]
    assert uploads.claim(store.engine, "three") == []
    assert uploads.run_queue(store, workers=0, who="two") == 0  # claimed, nothing new to claim
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(rs.uploads.c.claimed_by).where(rs.uploads.c.id == second)).scalar() == "two"


@pytest.mark.slow  # a few seconds: a reader process is started
def test_upload_reader_runs_at_lower_priority_in_its_own_process(store, tmp_path):
    import os

    users.add_user(store.engine, "ada", "admin", "correct horse")
    uid = _queued(store, tmp_path, "c.txt")
    runner = uploads.Runner(store, workers=1, url=store.engine.url.render_as_string(hide_password=False)).start()
    try:
        deadline = time.monotonic() + 120
        while not uploads.progress(store, uid).finished and time.monotonic() < deadline:
            time.sleep(0.2)
        assert uploads.progress(store, uid).count("done") == 1
        pid = runner.process.pid
        assert pid != os.getpid()
        # niceness stops at 19: a test run itself under `nice` sees the reader capped there
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + uploads.NICE)
    finally:
        runner.stop()
    assert not runner.process.is_alive()


def test_a_version_3_store_is_upgraded_for_several_processes(tmp_path):
    from xxgk.store.migrations import LATEST, MIGRATIONS, current_version, migrate

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'v3.sqlite'}")
    migrate(engine, MIGRATIONS[:3])
    with engine.begin() as conn:  # as the version 3 of the previous xxgk made it
        conn.execute(sa.text("DROP TABLE review_login_failures"))
        conn.execute(sa.text("ALTER TABLE review_uploads DROP COLUMN claimed_by"))
        conn.execute(sa.text("ALTER TABLE review_uploads DROP COLUMN lease_until"))
    engine.dispose()
    s = open_store(f"sqlite:///{tmp_path / 'v3.sqlite'}")
    try:
        with s.engine.connect() as conn:
            assert current_version(conn) == LATEST >= 4
            cols = {c["name"] for c in sa.inspect(conn).get_columns("review_uploads")}
            assert {"claimed_by", "lease_until"} <= cols
            assert sa.inspect(conn).has_table("review_login_failures")
        users.login_failed(s.engine, ["ip:1"], 300)
        assert users.login_wait(s.engine, ["ip:1"], 1, 300) > 0
    finally:
        s.close()


def test_per_request_lookups_read_what_sqlalchemy_reads(store):
    """The queries of every page view (the reader, the report's stamp) run straight on the DBAPI
    cursor (`review.db.Lookup`): the same rows as SQLAlchemy's own execution of the same
    statement, datetimes and all, with a parameter used several times put in the compiler's
    order; None when there is no row; a session or token that ends is seen at once."""
    from xxgk.review.db import Lookup
    from xxgk.review.reports import _STAMP, review_stamp, stamp_on

    e = store.engine
    prev, this = _two_years(store)
    ada = users.add_user(e, "ada", "admin", "correct horse")
    sid, csrf = users.open_session(e, ada)
    token = users.create_token(e, "ada")
    correct(store, prev, "applications.carried_forward.total", "3", "上年报告笔误", "ada")
    with e.connect() as conn:
        for sha in (prev, this):
            fast = _STAMP.first(conn, sha=sha)
            slow = conn.execute(_STAMP.stmt, {"sha": sha}).first()
            assert tuple(fast) == tuple(slow) and fast[0] is not None
        assert _STAMP.first(conn, sha="0" * 64) is None
        both = stamp_on(conn, this)
        assert both == review_stamp(store, this) and both.body_corrections is not None
        # a statement with a datetime column and one parameter used twice
        s = rs.sessions
        stmt = (sa.select(s.c.csrf, s.c.expires, s.c.created)
                .where((s.c.token_hash == sa.bindparam("h")) | (s.c.csrf == sa.bindparam("h"))))
        digest = users._digest(sid)
        fast = Lookup(stmt).first(conn, h=digest)
        slow = conn.execute(stmt, {"h": digest}).first()
        assert tuple(fast) == tuple(slow) and fast.csrf == csrf and isinstance(fast.expires, datetime)
        assert users.session_user_on(conn, sid) == (ada, csrf)
        assert users.token_user_on(conn, token) == ada
    users.close_session(e, sid)
    users.revoke_token(e, token)
    with e.connect() as conn:
        assert users.session_user_on(conn, sid) is None and users.token_user_on(conn, token) is None
    # an expired session is refused
    sid2, _csrf2 = users.open_session(e, ada)
    with e.begin() as conn:
        conn.execute(rs.sessions.update().values(expires=datetime.now(UTC) - timedelta(seconds=1)))
    assert users.session_user(e, sid2) is None
