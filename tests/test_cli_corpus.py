"""`xxgk export | compile | stats | compare | audit` end to end, on a real SQLite store."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xxgk.cli import app
from xxgk.report import Cell, Report
from xxgk.store import Store

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def load(name: str) -> Report:
    return Report.from_dict(json.loads((DATA / "reports" / f"{name}.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Seven real reports, plus 洪泽区's 2023 report (its 2024 one with other numbers) and a
    2019-template report dated 2022 (to mix templates)."""
    path = tmp_path_factory.mktemp("db") / "x.sqlite"
    store = Store.open(path)
    for f in sorted((DATA / "reports").glob("*.json")):
        store.add(Report.from_dict(json.loads(f.read_text(encoding="utf-8"))))
    prev = load("hongze-district-2024")
    prev.meta.year, prev.meta.period = 2023, ("2023-01-01", "2023-12-31")
    prev.source.file, prev.source.sha256 = "hongze-district-2023.pdf", "1" * 64
    prev.cells["applications.new_received.total"] = Cell(80, "read")
    carried = prev.value("applications.carried_over.natural_person")
    prev.cells["applications.carried_forward.natural_person"] = Cell(carried + 3, "read")
    store.add(prev)
    old = load("002_dd09eda2b8fcd8ea")
    old.meta.year, old.meta.agency = 2022, "某县档案局"
    old.source.file, old.source.sha256 = "archive-2022.txt", "2" * 64
    store.add(old)
    store.close()
    return str(path)


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


def test_export_csv_to_stdout_with_filters(db: str) -> None:
    code, out, _ = run("export", "--db", db, "--format", "csv", "--year", "2024")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["year"] for r in rows} == {"2024"}
    assert {r["body"] for r in rows} == {"淮安市人民政府", "淮安市洪泽区人民政府"}
    code, out, _ = run("export", "--db", db, "-f", "csv-wide", "--agency", "洪泽")
    assert code == 0 and len(list(csv.reader(io.StringIO(out)))) == 1 + 2


def test_export_files(db: str, tmp_path: Path) -> None:
    for fmt, name in (("xlsx", "a.xlsx"), ("parquet", "a.parquet"), ("json", "a.json")):
        code, _, err = run("export", "--db", db, "-f", fmt, "-o", str(tmp_path / name))
        assert code == 0 and "已将 9 份报告写入" in err
    assert len(json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))) == 9
    code, _, err = run("export", "--db", db, "-f", "parquet")
    assert code == 2 and "请用 -o 指定文件" in err
    code, _, err = run("export", "--db", db, "-f", "csv", "--year", "1999")
    assert code == 2 and "数据库中没有符合条件的报告" in err


def test_missing_database_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("stats", "--db", str(tmp_path / "none.sqlite"))
    assert code == 2 and "处没有数据库" in err and err.count("\n") == 1
    assert not (tmp_path / "none.sqlite").exists()


def test_compile_json_and_xlsx(db: str, tmp_path: Path) -> None:
    expect = tmp_path / "expect.txt"
    expect.write_text("淮安市人民政府\n淮安市洪泽区人民政府\n淮安市淮阴区人民政府\n", encoding="utf-8")
    out = tmp_path / "c.json"
    code, _, err = run("compile", "--db", db, "--year", "2024", "--region", "淮安", "--expect", str(expect),
                       "-o", str(out))
    assert code == 0, err
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["applications"]["new_received"]["total"] == 3119 + 95
    assert [m["body"] for m in d["bodies"]["missing"]] == ["淮安市淮阴区人民政府"]
    assert d["cells"]["applications.other_other.total"]["status"] == "incomplete"
    code, _, _ = run("compile", "--db", db, "--year", "2024", "-o", str(tmp_path / "c.xlsx"))
    assert code == 0 and (tmp_path / "c.xlsx").stat().st_size > 5000
    code, text, _ = run("compile", "--db", db, "--year", "2024")
    assert code == 0 and "2 个机关" in text and "不完整" in text and "（六）其他处理" in text


def test_compile_previous_year_body_missing(db: str) -> None:
    code, out, _ = run("compile", "--db", db, "--year", "2024", "--agency", "洪泽", "-o", "-")
    assert code == 0
    assert json.loads(out)["bodies"]["missing"] == []  # 洪泽区 reported both years
    code, out, _ = run("compile", "--db", db, "--year", "2024", "--agency", "淮安市人民政府", "-o", "-")
    assert code == 0 and json.loads(out)["bodies"]["missing"] == []


def test_compile_refuses_mixed_templates_unless_per_template(db: str, tmp_path: Path) -> None:
    code, _, err = run("compile", "--db", db, "--year", "2022")
    assert code == 2 and "混用了不同模板" in err and "--per-template" in err
    code, _, err = run("compile", "--db", db, "--year", "2022", "--per-template",
                       "-o", str(tmp_path / "m.json"))
    assert code == 0, err
    a = json.loads((tmp_path / "m-2021.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "m-2019.json").read_text(encoding="utf-8"))
    assert a["template"] == "2021" and len(a["bodies"]["included"]) == 3
    assert b["template"] == "2019" and [x["body"] for x in b["bodies"]["included"]] == ["某县档案局"]
    code, _, err = run("compile", "--db", db, "--year", "2024", "-o", str(tmp_path / "x.csv"))
    assert code == 2 and ".xlsx 或 .json" in err


def test_stats_formats(db: str) -> None:
    code, out, _ = run("stats", "--db", db, "--year", "2024", "--format", "json")
    assert code == 0
    rows = {r["body"]: r for r in json.loads(out)}
    hz = rows["淮安市洪泽区人民政府"]["indicators"]
    assert hz["received"]["value"] == 95
    assert hz["received"]["change"] == {"previous": 80, "delta": 15, "previous_year": 2023}
    code, out, _ = run("stats", "--db", db, "--format", "csv", "--year", "2023")
    recs = {r["body"]: r for r in csv.DictReader(io.StringIO(out))}
    assert code == 0 and recs["淮安市洪泽区人民政府"]["received"] == "80"
    assert recs["淮安市洪泽区人民政府"]["disclosure_rate_reason"] == ""
    assert recs["青铜峡工业园区管委会"]["disclosure_rate_reason"] == "分母为 0：没有办理的申请"
    code, out, _ = run("stats", "--db", db, "--year", "2022")
    assert code == 0 and "栾川县先进制造业开发区" in out and "—" in out


def test_compare_two_years(db: str) -> None:
    code, out, err = run("compare", "淮安市洪泽区人民政府", "--years", "2023", "2024", "--db", db)
    assert code == 0, err
    assert "一、本年新收政府信息公开申请数量 · 总计" in out and "80" in out and "95" in out
    assert "year-carry-over" in out  # 2023 carried forward 3 more than 2024 carried over
    code, out, _ = run("compare", "洪泽", "--years", "2023,2024", "--db", db, "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["years"] == [2023, 2024]
    assert any(c["cell"] == "applications.new_received.total" for c in d["changed"])
    code, _, err = run("compare", "淮安", "--db", db)
    assert code == 2 and "匹配多个机关" in err
    code, _, err = run("compare", "洪泽", "--years", "2019", "2024", "--db", db)
    assert code == 2 and "没有 2019 年的报告" in err


HAVE_INGEST = importlib.util.find_spec("xxgk.corpus.ingest") is not None
needs_ingest = pytest.mark.skipif(not HAVE_INGEST, reason="xxgk.corpus.ingest is not available")


@needs_ingest
def test_audit_files_clean_flawed_and_unreadable(tmp_path: Path) -> None:
    clean = DATA / "corpus" / "001_59945f3aceea766a.txt"
    html = tmp_path / "clean.html"
    code, out, err = run("audit", str(clean), "-o", str(html))
    assert code == 0, out + err
    page = html.read_text(encoding="utf-8")
    assert "1 份报告" in page and "青铜峡工业园区管委会" in page and "xxgk 审核" in out
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    code, out, err = run("audit", str(clean), str(empty), "-o", str(html),
                         "--db", str(tmp_path / "a.sqlite"))
    assert code == 2
    assert "empty.pdf" in html.read_text(encoding="utf-8") and "empty.pdf" in err
    code, _, err = run("audit", str(tmp_path / "nope.pdf"), "-o", str(html))
    assert code == 2 and "文件或文件夹不存在" in err


@needs_ingest
def test_audit_bundled_samples_exit_code_follows_errors(tmp_path: Path) -> None:
    html = tmp_path / "samples.html"
    code, out, err = run("audit", "-o", str(html))
    page = html.read_text(encoding="utf-8")
    assert "7 份报告" in page and "淮安市人民政府" in page
    errors = page.count('<tr class="finding sev-error"')
    assert code == (1 if errors else 0), out + err
