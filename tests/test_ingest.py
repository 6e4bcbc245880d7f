"""Ingest: inputs of every shape, dedup by hash, failures recorded, re-parse, engines, and a real
kill -9 half-way followed by a re-run that ends identical to a clean run."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

import xxgk.corpus.ingest as ing
from conftest_db import BACKENDS, DATA, fresh_url, one_county_region, write_region, write_synth_corpus
from xxgk.corpus.ingest import ingest
from xxgk.corpus.workers import BoundedPool, TaskOutOfMemory, TaskTimeout, WorkerDied
from xxgk.i18n import use_lang
from xxgk.store import Store
from xxgk.synth.corpus import region_with


@pytest.fixture(autouse=True)
def _english():
    """These tests read the reasons' English wording; the workers are told the language."""
    with use_lang("en"):
        yield

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path):
    with fresh_url(request.param, tmp_path) as url:
        s = Store.open(url)
        yield s
        s.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 bodies x 3 years of synthetic text reports, plus one real report."""
    root = tmp_path_factory.mktemp("corpus")
    write_synth_corpus(root / "synth", 4)
    shutil.copy(DATA / "store" / "kaifeng-keigong-2022.txt", root / "real.txt")
    return root


def _copy(corpus: Path, dest: Path) -> Path:
    shutil.copytree(corpus, dest)
    return dest


# ---------------------------------------------------------------- inputs


def test_folder_then_again_is_a_no_op(store: Store, corpus: Path, tmp_path: Path) -> None:
    root = _copy(corpus, tmp_path / "in")
    (root / "README.md").write_text("not a report")  # a folder walk skips it
    (root / ".hidden.txt").write_text("hidden")  # hidden: not even counted
    first = ingest([root], store, workers=0)
    assert (first.added, first.unchanged, first.failed, first.skipped) == (13, 0, [], 1)
    dump = list(store.dump())
    again = ingest([root], store, workers=0)
    assert (again.added, again.unchanged, again.reparsed, again.failed) == (0, 13, 0, [])
    assert list(store.dump()) == dump
    assert store.counts()["reports"] == 13


def test_globs_files_duplicates_and_missing(store: Store, corpus: Path, tmp_path: Path) -> None:
    root = _copy(corpus, tmp_path / "in")
    shutil.copy(root / "real.txt", root / "real-copy.txt")  # same bytes, another name
    s = ingest(
        [
            str(root / "synth" / "*-2021.txt"),
            root / "real.txt",
            root / "real-copy.txt",
            tmp_path / "nope.txt",
            str(tmp_path / "*.pdf"),
        ],
        store,
        workers=0,
    )
    assert s.added == 5 and s.unchanged == 1
    assert sorted(s.failed) == [
        (str(tmp_path / "*.pdf"), "no file matches this pattern"),
        (str(tmp_path / "nope.txt"), "no such file or folder"),
    ]
    recursive = ingest([str(root / "**" / "*.txt")], store, workers=0)
    assert recursive.added == 8 and recursive.unchanged == 6


def test_bad_files_are_recorded_and_the_batch_goes_on(store: Store, corpus: Path, tmp_path: Path) -> None:
    root = _copy(corpus, tmp_path / "in")
    (root / "empty.txt").write_bytes(b"")
    (root / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    (root / "noise.txt").write_bytes(os.urandom(3000))
    (root / "shopping.txt").write_text("牛奶 2 瓶\n面包 1 个\n", encoding="utf-8")
    s = ingest([root], store, workers=2)
    assert s.added == 13
    reasons = dict(s.failed)
    assert set(reasons) == {str(root / n) for n in ("empty.txt", "truncated.pdf", "noise.txt", "shopping.txt")}
    assert reasons[str(root / "empty.txt")] == "empty file (0 bytes)"
    assert all(r for r in reasons.values())
    assert dict(store.failures()) == reasons
    # A known failure is not parsed again, but still reported.
    again = ingest([root], store, workers=0)
    assert dict(again.failed) == reasons and again.added == 0


def test_zip_archives(store: Store, corpus: Path, tmp_path: Path) -> None:
    archive = tmp_path / "reports.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted((corpus / "synth").glob("*-2022.txt")):
            z.write(p, f"2022/{p.name}")
        z.write(corpus / "real.txt", "real.txt")
        z.writestr("__MACOSX/._real.txt", b"resource fork")
        z.writestr("../../etc/x.txt", b"zip slip")  # a name that leads out of the archive
        inner = tmp_path / "inner.zip"
        with zipfile.ZipFile(inner, "w") as zi:
            zi.writestr("x.txt", "x")
        z.write(inner, "nested/inner.zip")
    s = ingest([archive], store, workers=0)
    assert s.added == 5
    assert s.failed == [
        (f"{archive}!../../etc/x.txt", "a member whose path leads out of the archive (absolute or with ..): not read"),
        (f"{archive}!nested/inner.zip", "an archive inside an archive (unpack it first)"),
    ]
    files = sorted(e.file for e in store.entries())
    assert "reports.zip!real.txt" in files and "reports.zip!2022/b0000-2022.txt" in files
    # The same reports loose: same bytes, nothing new.
    loose = ingest([corpus / "real.txt"], store, workers=0)
    assert loose.unchanged == 1 and loose.added == 0


def test_zip_bombs_are_refused(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ratio = tmp_path / "ratio.zip"
    with zipfile.ZipFile(ratio, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", b"0" * (3 << 20))  # 3 MB of one byte: ~1000:1
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(5):
            z.writestr(f"{i}.txt", b"x")
    total = tmp_path / "total.zip"
    with zipfile.ZipFile(total, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", os.urandom(6000))
        z.writestr("b.txt", os.urandom(6000))
    monkeypatch.setattr(ing, "ZIP_MAX_MEMBERS", 4)
    s = ingest([ratio, many], store, workers=0)
    reasons = dict(s.failed)
    assert re.fullmatch(r"compression ratio \d+:1 \(a zip bomb\?\)", reasons[f"{ratio}!zeros.txt"])
    assert "more than 4" in reasons[str(many)]
    # Declared sizes within limits, but the archive unpacks to more than allowed in total.
    monkeypatch.setattr(ing, "ZIP_MAX_TOTAL", 10_000)
    t = ingest([total], store, workers=0)
    assert t.failed and "a zip bomb" in t.failed[0][1]
    assert store.counts()["reports"] == 0


def test_newer_parser_reparses(store: Store, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ingest([corpus / "synth"], store, workers=0)
    before = {e.sha256: e.id for e in store.entries()}
    monkeypatch.setattr(ing, "parser_version", lambda: "99.0+p99.i99")
    again = ingest([corpus / "synth"], store, workers=0)
    assert (again.added, again.unchanged, again.reparsed) == (0, 0, first.added)
    after = store.entries()
    assert {e.sha256 for e in after} == set(before) and all(e.parser_version == "99.0+p99.i99" for e in after)
    assert store.counts()["sources"] == first.added and store.counts()["reports"] == first.added
    assert store.bodies_to_check() == []


def test_process_pool_gives_the_same_store_as_serial(corpus: Path, tmp_path: Path) -> None:
    dumps = []
    for workers in (0, 2):
        with Store.open(tmp_path / f"w{workers}.sqlite") as s:
            ingest([corpus], s, workers=workers)
            dumps.append(list(s.dump()))
    assert dumps[0] == dumps[1]
    # Cross-year findings were written: 4 bodies x 3 years of synthetic reports.
    assert any(line.startswith('["corpus-finding"') for line in dumps[0])


def test_dask_local_cluster(corpus: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with Store.open(tmp_path / "serial.sqlite") as s:
        ingest([corpus], s, workers=0)
        expected = list(s.dump())
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Store.open(tmp_path / "dask.sqlite") as s,
    ):
        summary = ingest([corpus], s, engine="dask", scheduler=cluster.scheduler_address)
        assert summary.added == 13 and not summary.failed
        assert list(s.dump()) == expected


def test_unreachable_dask_scheduler_is_one_clear_error(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    from xxgk.errors import XxgkError

    monkeypatch.setenv("XXGK_DASK_TIMEOUT", "2s")
    with Store.open(tmp_path / "x.sqlite") as s, pytest.raises(XxgkError, match="cannot reach the Dask scheduler"):
        ingest([corpus], s, engine="dask", scheduler="tcp://127.0.0.1:9")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_dead_worker_is_replaced_and_the_others_go_on() -> None:
    """A worker killed mid-task (a crash in a native library): that task fails with the reason,
    a fresh worker takes its place and the pool goes on."""
    with ing.process_pool(1) as pool:
        victim = pool.submit(_die)
        with pytest.raises(WorkerDied):
            victim.result(timeout=60)
        assert pool.submit(len, b"abc").result(timeout=60) == 3
        assert pool.replaced == 1


def test_a_task_over_its_timeout_is_stopped_and_its_worker_replaced() -> None:
    with BoundedPool(1, timeout=0.5, memory=None) as pool:
        slow = pool.submit(time.sleep, 30)
        after = pool.submit(len, b"abcd")  # queued behind the slow one, on the same single worker
        with pytest.raises(TaskTimeout, match=r"longer than 0\.5 s"):
            slow.result(timeout=60)
        assert after.result(timeout=60) == 4
        assert pool.replaced == 1
        assert pool.submit_bounded(None, len, b"ab").result(timeout=60) == 2


def test_each_task_of_a_worker_has_its_own_timeout() -> None:
    """Tasks queued on one worker are timed from their own start (the task before coming back),
    not from when they were sent: two tasks of 0.8 s each under a 1.5 s bound both finish."""
    with BoundedPool(1, timeout=1.5, memory=None) as pool:
        first, second = pool.submit(time.sleep, 0.8), pool.submit(time.sleep, 0.8)
        assert first.result(timeout=60) is None and second.result(timeout=60) is None
        assert pool.replaced == 0
        slow = pool.submit(time.sleep, 30)
        with pytest.raises(TaskTimeout):
            slow.result(timeout=60)


def test_a_task_over_the_memory_cap_is_stopped_and_its_worker_replaced() -> None:
    import operator

    cap = 400 << 20
    with BoundedPool(1, timeout=None, memory=cap) as pool:
        baseline = pool.submit(rss_of_self).result(timeout=60)
        assert baseline < cap
        # 3 GB of real bytes: far more than the cap, less than what the machine would refuse.
        big = pool.submit(operator.mul, b"x", 3 << 30)
        with pytest.raises(TaskOutOfMemory) as e:
            big.result(timeout=120)
        assert e.value.seen > cap
        assert pool.submit(len, b"abc").result(timeout=60) == 3


def rss_of_self() -> int:
    from xxgk.corpus.workers import rss

    got = rss(os.getpid())
    assert got is not None
    return got


def _pdf_of_many_pages(path: Path, copies: int) -> None:
    """A real PDF many pages long: the bundled sample's pages, copied `copies` times."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(DATA / "pdf" / "hongze-district-2024.pdf"))
    out = pdfium.PdfDocument.new()
    for _ in range(copies):
        out.import_pages(src)
    out.save(str(path))
    out.close()
    src.close()


@pytest.mark.slow
def test_a_file_over_the_timeout_is_a_failure_and_the_batch_goes_on(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "in"
    texts = _copy(corpus / "synth", root)
    _pdf_of_many_pages(root / "long.pdf", 150)  # 1,200 pages: seconds of work, not 0.5
    with Store.open(tmp_path / "t.sqlite") as store:
        s = ingest([root], store, workers=1, timeout=0.5)
        reasons = dict(s.failed)
        assert list(reasons) == [str(root / "long.pdf")]
        assert "longer than the 0.5 s limit" in reasons[str(root / "long.pdf")]
        assert s.added == len(list(texts.glob("*.txt")))  # every other file, after the replaced worker
        assert dict(store.failures())[str(root / "long.pdf")] == reasons[str(root / "long.pdf")]


# ---------------------------------------------------------------- kill -9 half-way

CHILD = textwrap.dedent("""
    import sys, time
    from xxgk.store import Store
    from xxgk.store.store import Store as S
    import xxgk.corpus.ingest as ing

    where = sys.argv[3]
    orig_write, orig_children = S.write, S._insert_children
    n = [0]

    def write(self, items, version=None):
        res = orig_write(self, items, version)
        n[0] += 1
        print(f"committed {n[0]}", flush=True)
        time.sleep(0.2)
        return res

    def children(self, conn, reports):
        orig_children(self, conn, reports)
        if where == "inside" and n[0] >= 2:
            print("inside a transaction", flush=True)
            time.sleep(60)

    if __name__ == "__main__":  # worker processes import this script too (forkserver)
        S.write, S._insert_children = write, children
        s = Store.open(sys.argv[1])
        ing.ingest([sys.argv[2]], s, workers=1, batch=5)
        print("finished", flush=True)
""")


@pytest.mark.parametrize("where", ["between", "inside"])
def test_kill_9_half_way_then_rerun_equals_a_clean_run(corpus: Path, tmp_path: Path, where: str) -> None:
    root = _copy(corpus, tmp_path / "in")
    (root / "broken.pdf").write_bytes(b"%PDF-1.4\n%%EOF")  # a bad file in the middle, too
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    db = tmp_path / "killed.sqlite"
    env = {**os.environ, "XXGK_LANG": "en", "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    child = subprocess.Popen(
        [sys.executable, str(script), str(db), str(root), where],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    assert child.stdout is not None
    wanted = "inside a transaction" if where == "inside" else "committed 2"
    try:
        for line in child.stdout:
            assert line.strip() != "finished", "the child finished before it could be killed"
            if line.strip() == wanted:
                break
        os.killpg(child.pid, signal.SIGKILL)  # the ingest and its worker processes, no clean-up
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    with Store.open(db) as s:
        stored = s.counts()["reports"]
        assert 0 < stored < 13  # killed half-way: some batches landed, not all
        assert s.bodies_to_check()  # the cross-year checks had not run yet
        resumed = ingest([root], s, workers=2)
        assert resumed.added == 13 - stored and resumed.unchanged == stored
        after_kill = list(s.dump())
    with Store.open(tmp_path / "clean.sqlite") as s:
        ingest([root], s, workers=2)
        clean = list(s.dump())
    assert after_kill == clean


# ---------------------------------------------------------------- the command


def test_cli_ingest(corpus: Path, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from xxgk.cli import app
    from xxgk.i18n import set_lang

    db = tmp_path / "cli.sqlite"
    runner = CliRunner(env={"COLUMNS": "200"})  # no wrapping of the summary lines
    ok = runner.invoke(app, ["ingest", str(corpus), "--db", str(db), "--workers", "0", "--json"])
    assert ok.exit_code == 0, ok.output
    summary = json.loads(ok.stdout)
    assert summary["added"] == 13 and summary["failed"] == [] and summary["database"].endswith("cli.sqlite")
    try:  # --lang sets the process's language: put it back for the tests that follow
        bad = runner.invoke(app, ["--lang", "en", "ingest", str(corpus), str(tmp_path / "missing.pdf"), "--db", str(db),
                                  "-j", "0"])
        assert bad.exit_code == 2
        assert "missing.pdf: no such file or folder" in bad.stdout and "unchanged" in bad.stdout
        usage = runner.invoke(app, ["--lang", "en", "ingest", str(corpus), "--db", str(db), "--scheduler", "tcp://x:1"])
        assert usage.exit_code == 2 and "--scheduler needs --engine dask" in usage.output
    finally:
        set_lang(None)


def test_a_missing_extra_is_retried_next_run(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PDF read on a machine without the PDF extra fails, but is not skipped as a known
    failure once the extra is there."""
    import xxgk.extract as extract

    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 100 + b"\n%%EOF\n")
    monkeypatch.setitem(extract.EXTRACTORS, "pdf", ("xxgk.no_such_module", "extract_pdf", "pdf"))
    first = ingest([pdf], store, workers=0)
    assert "pip install 'xxgk[" in first.failed[0][1]
    monkeypatch.undo()
    second = ingest([pdf], store, workers=0)
    assert second.failed and "pip install 'xxgk[" not in second.failed[0][1]  # parsed again, for real
    # A real failure is final: known, reported, not parsed again.
    monkeypatch.setattr(ing, "parse_one", lambda *a: pytest.fail("a known failure was parsed again"))
    third = ingest([pdf], store, workers=0)
    assert third.failed == second.failed


# ---------------------------------------------------------------- no orphans


def _alive(pids: list[int]) -> list[int]:
    import psutil

    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_workers_exit_when_the_ingest_dies(corpus: Path, tmp_path: Path, sig: signal.Signals) -> None:
    """`xxgk ingest` killed (no clean-up at all with kill -9): its forkserver, workers and
    resource tracker go too, instead of living on as orphans."""
    import psutil

    root = _copy(corpus / "synth", tmp_path / "in")
    _pdf_of_many_pages(root / "long.pdf", 60)  # keeps a worker busy while the test looks
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    cmd = [sys.executable, "-m", "xxgk", "ingest", str(root), "--db", str(tmp_path / "k.sqlite"), "-j", "2",
           "--no-progress"]
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    family: list[int] = []
    try:
        for _ in range(600):  # until both workers are up (bounded: at most 60 s)
            kids = psutil.Process(child.pid).children(recursive=True)
            grandkids = [p for p in kids if p.ppid() != child.pid]
            if len(grandkids) >= 2:
                family = [p.pid for p in kids]
                break
            assert child.poll() is None, "the ingest ended before it could be killed"
            time.sleep(0.1)
        assert family, "the workers never started"
        os.kill(child.pid, sig)
        child.wait(timeout=60)
        for _ in range(300):  # bounded: 30 s for the kernel to tell them and for them to exit
            if not _alive(family):
                break
            time.sleep(0.1)
        assert _alive(family) == []
    finally:
        for pid in _alive(family):
            os.kill(pid, signal.SIGKILL)
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


# ---------------------------------------------------------------- two ingests at once


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_two_concurrent_ingests_give_the_findings_of_a_sequential_run(backend: str, tmp_path: Path) -> None:
    """Two `xxgk ingest` runs into one store at the same time, each with some years of the same
    bodies: the store ends with exactly what one run after the other gives, cross-year and
    cross-body findings and bodies included."""
    files = write_synth_corpus(tmp_path / "all", 12, years=(2020, 2021, 2022, 2023))
    # Cross-body work for both runs: a section copied between two bodies, a department missing.
    files += sorted(write_region(region_with(3, "copied-section"), tmp_path / "all").glob("*-202[34].txt"))
    files += sorted(write_region(one_county_region(5), tmp_path / "all").glob("淮安市洪泽区*.txt"))
    halves = [tmp_path / "a", tmp_path / "b"]
    for h in halves:
        h.mkdir()
    for i, f in enumerate(sorted(set(files))):  # years interleaved: every body has reports in both halves
        year = int(f.stem.rsplit("-", 1)[1])
        shutil.copy(f, halves[(year + i) % 2 if f.name.startswith("淮安") else year % 2] / f.name)
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}

    def run(url: str, folder: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "xxgk", "ingest", str(folder), "--db", url, "-j", "1",
                                 "--no-progress", "--json"], env=env, stdout=subprocess.DEVNULL)

    (tmp_path / "c").mkdir()
    (tmp_path / "s").mkdir()
    with fresh_url(backend, tmp_path / "c") as together, fresh_url(backend, tmp_path / "s") as apart:
        Store.open(together).close()  # created once, so the two runs race on data, not on DDL
        procs = [run(together, h) for h in halves]
        assert [p.wait(timeout=600) for p in procs] == [0, 0]
        for h in halves:
            assert run(apart, h).wait(timeout=600) == 0
        with Store.open(together) as a, Store.open(apart) as b:
            assert a.bodies_to_check() == [] and a.years_to_check() == []
            assert a.counts()["findings"] == b.counts()["findings"]
            assert list(a.dump()) == list(b.dump())
            assert any(sf.scope == "corpus" for sf in b.findings(scope="corpus"))
            across = {sf.code for sf in a.findings(scope="corpus")}
            assert {"copied-from-other-body", "missing-subordinate"} <= across


def _fail_to_start() -> None:
    raise SystemExit(3)  # what an import error in the worker does


def test_workers_that_cannot_start_fail_the_tasks_instead_of_hanging() -> None:
    with BoundedPool(1, timeout=None, memory=None, initializer=_fail_to_start) as pool:
        fut = pool.submit(len, b"abc")
        with pytest.raises(WorkerDied):
            fut.result(timeout=120)
        with pytest.raises(WorkerDied):
            pool.submit(len, b"x").result(timeout=60)  # at once: no new worker is tried
