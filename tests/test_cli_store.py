"""The store commands in process on the bundled samples: ingest, export, compile, stats, compare
and audit, in text and JSON, in Chinese and English; every value a user can mistype gives one
line and exit 2, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import xxgk
from xxgk.cli import app
from xxgk.i18n import set_lang
from xxgk.store import Store

SAMPLES = Path(xxgk.__file__).parent / "samples"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    yield
    set_lang(None)


def run(*args: str | Path) -> tuple[int, str, str]:
    r = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("store") / "samples.sqlite"
    code, out, err = run("ingest", SAMPLES, "--db", path, "-j", "0", "--json", "--no-progress")
    assert code == 0, out + err
    summary = json.loads(out)
    assert summary["added"] == 7 and summary["skipped"] == 1  # README.md
    return str(path)


def test_ingest_text_summary_in_both_languages(db: str) -> None:
    code, out, _ = run("ingest", SAMPLES, "--db", db, "-j", "0", "--no-progress")
    assert code == 0 and "未变" in out and "新增" in out
    code, out, _ = run("--lang", "en", "ingest", SAMPLES, "--db", db, "-j", "0", "--no-progress")
    assert code == 0 and "unchanged" in out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ingest_summary_fits_an_80_column_terminal(db: str, lang: str) -> None:
    """Found cut once: at 80 columns the headers read 跨年度问… / 跨机关问…; a narrow terminal now
    gets one line per count, each label whole."""
    from xxgk.cli.common import out as console

    wide = console.width
    console.width = 80
    try:
        code, out, _ = run("--lang", lang, "ingest", SAMPLES, "--db", db, "-j", "0", "--no-progress")
    finally:
        console.width = wide
    labels = {"zh": ("未变", "跨年度问题", "跨机关问题", "文件/秒"),
              "en": ("unchanged", "cross-year findings", "cross-body findings", "files/s")}[lang]
    assert code == 0 and "…" not in out and max(map(len, out.splitlines())) <= 80
    assert all(label in out for label in labels)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_export_stats_compile_compare_on_the_samples(db: str, lang: str, tmp_path: Path) -> None:
    g = ["--lang", lang]
    code, out, _ = run(*g, "export", "--db", db, "-f", "json")
    assert code == 0 and len(json.loads(out)) == 7
    code, _, err = run(*g, "export", "--db", db, "-f", "xlsx", "-o", tmp_path / "all.xlsx")
    assert code == 0 and (tmp_path / "all.xlsx").stat().st_size > 0, err
    code, out, _ = run(*g, "stats", "--db", db)
    assert code == 0 and ("公开率" in out) == (lang == "zh") and ("disclosure rate" in out) == (lang == "en")
    # every rank says what it ranks against
    assert ("排名范围" in out) == (lang == "zh") and ("ranked within" in out) == (lang == "en")
    code, out, _ = run(*g, "stats", "--db", db, "-f", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 7
    code, out, _ = run(*g, "compile", "--db", db, "--year", "2024", "--template", "2021")
    assert code == 0 and ("汇总" in out) == (lang == "zh") and ("Compilation" in out) == (lang == "en")
    code, out, _ = run(*g, "compile", "--db", db, "--year", "2024", "--template", "2021", "-o", "-")
    assert code == 0 and json.loads(out)["year"] == 2024
    code, out, err = run(*g, "compare", "淮安市人民政府", "--db", db)
    assert code == 2 and err.count("\n") == 1  # one year stored: nothing to compare, said in one line
    code, out, _ = run(*g, "compare", "--db", db, "-f", "json", "淮安市洪泽区人民政府")
    assert code == 2


def test_audit_of_the_samples_in_both_languages(tmp_path: Path) -> None:
    html = tmp_path / "zh.html"
    code, out, err = run("audit", "-o", html, "--no-progress")
    assert code in (0, 1), out + err
    page = html.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "7 份报告" in page and "问题清单" in page
    # every indicator card says what its rank is against, or why there is none
    assert "同级同年" in page or "未排名" in page
    body = page.split('<script id="chart-data"', 1)[0]  # the vendored ECharts has English words of its own
    assert "Summary" not in body and "Findings" not in body
    html_en = tmp_path / "en.html"
    code, out, err = run("--lang", "en", "audit", "-o", html_en, "--no-progress")
    page = html_en.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "7 report(s)" in page and "Findings" in page and "问题清单" not in page
    assert "audit written to" in out


def test_audit_takes_a_shell_glob_with_readme(tmp_path: Path) -> None:
    code, out, err = run("audit", *sorted(SAMPLES.glob("*.txt")), SAMPLES / "README.md", "-o", tmp_path / "a.html",
                         "--no-progress")
    assert code in (0, 1), out + err
    assert "读取报告 5 份，无法读取 0 份" in out


BAD = [
    ("stats", "--year", "99999999999999999999"),
    ("export", "-f", "csv", "--year", "99999999999999999999"),
    ("compile", "--year", "99999999999999999999"),
    ("export", "-f", "csv", "--agency", "淮" * 20_000),
    ("stats", "--agency", "a" * 20_000),
    ("compare", "洪" * 20_000),
    ("compare", "淮安市人民政府", "--years", "99999999999999999999"),
    ("stats", "--level", "galaxy"),
    ("export", "-f", "csv", "--template", "1999"),
]


@pytest.mark.parametrize("args", BAD, ids=lambda a: " ".join(x[:12] for x in a))
def test_bad_values_give_one_line_and_exit_2(db: str, args: tuple[str, ...]) -> None:
    code, out, err = run(*args, "--db", db)
    assert code == 2 and err.count("\n") == 1 and err.startswith("错误"), (out, err)


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database\n" * 100, encoding="utf-8")
    for args in (("stats",), ("export", "-f", "csv"), ("compile", "--year", "2024"), ("compare", "x"),
                 ("audit", "--stored"), ("ingest", str(SAMPLES / "001_59945f3aceea766a.txt"), "-j", "0")):
        code, out, err = run(*args, "--db", junk)
        assert code == 2 and err.count("\n") == 1 and str(junk) in err, (args, out, err)


def test_ingest_counts_the_cross_body_findings(tmp_path: Path) -> None:
    """A region where one body copied another's section: the ingest's table counts it, a second
    ingest of the same files neither re-runs nor doubles it, and the store holds it in Chinese."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from conftest_db import write_region
    from xxgk.synth.corpus import region_with

    folder = write_region(region_with(3, "copied-section"), tmp_path / "region")
    path = tmp_path / "region.sqlite"
    code, out, err = run("ingest", folder, "--db", path, "-j", "0", "--no-progress")
    assert code == 0 and "跨机关问题" in out, out + err
    code, out, _ = run("ingest", folder, "--db", path, "-j", "0", "--json", "--no-progress")
    assert code == 0 and json.loads(out)["peer_findings"] == 0, out  # nothing changed: no pass, nothing doubled
    with Store.open(f"sqlite:///{path}") as store:
        copies = store.findings(code="copied-from-other-body")
    assert len(copies) == 2 and "相似度" in copies[0].message  # both reports of the pair, in Chinese
    # … and `xxgk findings` shows them: a table in Chinese, JSON and CSV for programs
    code, out, _ = run("findings", "--db", path, "--code", "copied-")
    assert code == 0 and out.count("copied-from-other-body") == 2 and "相似度" in out and "警告" in out, out
    code, out, _ = run("findings", "--db", path, "--code", "copied-from-other-body", "-f", "json")
    rows = json.loads(out)
    assert code == 0 and [r["scope"] for r in rows] == ["corpus", "corpus"] and rows[0]["code"] == copies[0].code
    code, out, _ = run("--lang", "en", "findings", "--db", path, "--severity", "warning", "-f", "csv")
    assert code == 0 and out.splitlines()[0] == "file,agency,year,scope,code,severity,message,loc"
    assert "copied-from-other-body" in out and "identical to section" in out
    code, out, err = run("findings", "--db", path, "--severity", "grave")
    assert code == 2 and err.count("\n") == 1 and "--severity grave" in err
