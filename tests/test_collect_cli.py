"""`xxgk collect` on the command line, and a run killed with SIGKILL then resumed: the store ends
exactly as after an uninterrupted run (sites served by the test on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from test_collect_site import Answer, Site, datastore_family, static_family
from xxgk.cli import app
from xxgk.collect.state import State
from xxgk.store import Store

SRC = Path(__file__).resolve().parents[1] / "src"
FAST = ["--rate", "0", "--timeout", "5", "--retries", "1", "-j", "0", "--no-progress"]


@pytest.fixture()
def site():
    s = Site()
    yield s
    s.close()


def test_cli_collects_a_list_of_columns_and_summarises_in_chinese(site, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XXGK_LANG", raising=False)
    bodies = tmp_path / "bodies.csv"
    bodies.write_text(f"机关,栏目\n淮安市人民政府,{static_family(site)}\n淮安市洪泽区,{datastore_family(site)}\n",
                      encoding="utf-8-sig")
    result = CliRunner().invoke(app, ["collect", "--list", str(bodies), "--db", "db.sqlite", *FAST])
    assert result.exit_code == 2, result.output  # some pages failed: listed, the rest collected
    out = result.output
    assert "栏目" in out and "发现报告" in out and "入库报告" in out
    assert "文章中没有年度报告" in out  # the 2018 article, in Chinese
    assert "HTTP 404 错误" in out  # the missing attachment
    with Store.open(tmp_path / "db.sqlite") as store:
        assert len(store.entries()) == 5
        with store.engine.connect() as conn:
            bodies_of = dict(conn.exec_driver_sql("SELECT url, body FROM collect_columns").all())
    assert sorted(bodies_of.values()) == ["淮安市人民政府", "淮安市洪泽区"]


def test_cli_json_summary_in_english(site, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XXGK_LANG", "en")
    result = CliRunner().invoke(app, ["collect", static_family(site), "--db", "db.sqlite", "--json", *FAST])
    summary = json.loads(result.stdout)
    assert (summary["found"], summary["new"], summary["reports_added"]) == (3, 2, 2)
    assert [f["reason"] for f in summary["failed"]] == ["the article has no report: neither its text nor an attachment"]


def test_cli_usage_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XXGK_LANG", raising=False)
    result = CliRunner().invoke(app, ["collect", "--db", "db.sqlite"])
    assert result.exit_code == 2 and "请给出栏目" in result.output
    bad = tmp_path / "empty.csv"
    bad.write_text("机关,栏目\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["collect", "--list", str(bad), "--db", "db.sqlite"])
    assert result.exit_code == 2 and "empty.csv" in result.output and "清单中没有栏目网址" in result.output
    assert "Traceback" not in result.output


def _collect(urls: list[str], cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC), "XXGK_LANG": "en"}
    return subprocess.Popen([sys.executable, "-m", "xxgk", "collect", *urls, "--db", "db.sqlite", "--json", *FAST],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _dump(db: Path) -> list[str]:
    with Store.open(db) as store:
        return list(store.dump()) + list(State(store.engine).dump())


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_store(site, tmp_path):
    urls = [static_family(site), datastore_family(site)]
    # A gate in the middle: the second column's second article waits until the test has killed the run.
    gated = "/hanweb/art/2023/1/16/art_1_2.html"
    real = site.routes[gated]
    arrived, release = threading.Event(), threading.Event()

    def gate(*args: object) -> Answer:
        if not release.is_set():
            arrived.set()
            release.wait(60)
        return real(*args)

    site.handler(gated, gate)
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    killed.mkdir()
    whole.mkdir()

    proc = _collect(urls, killed)
    try:
        assert arrived.wait(120), proc.stderr.read().decode() if proc.poll() is not None else "no request"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        release.set()
    assert proc.returncode == -signal.SIGKILL
    with Store.open(killed / "db.sqlite") as store:
        with store.engine.connect() as conn:
            done = conn.exec_driver_sql("SELECT count(*) FROM collect_articles WHERE state = 'done'").scalar_one()
        assert done >= 2 and store.entries() == []  # killed after some articles, before the ingest
    before = len(site.requests())

    resumed = _collect(urls, killed)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 2, err.decode()  # the 2018 article and the 404 attachment
    summary = json.loads(out)
    assert summary["unchanged"] == done  # finished articles were not asked again
    again = [r[2] for r in site.requests()[before:]]
    assert "/trs/202501/t20250120_1.html" not in again and "/trs/202101/t20210125_2.html" not in again

    uninterrupted = _collect(urls, whole)
    uninterrupted.communicate(timeout=300)
    assert _dump(killed / "db.sqlite") == _dump(whole / "db.sqlite")
