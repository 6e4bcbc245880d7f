"""End-to-end tests of the `xxgk` command (a real subprocess, as users run it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA

CLEAN = DATA / "corpus" / "001_59945f3aceea766a.txt"
FLAWED = DATA / "corpus" / "000_11a4c8c6b3698673.txt"


def xxgk(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xxgk", *map(str, args)], capture_output=True, text=True,
                          timeout=120, env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"})


def test_parse_json_contract() -> None:
    p = xxgk("parse", "--json", FLAWED)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["schema"] == "xxgk.report/1"
    assert data["meta"]["year"] == 2022 and data["meta"]["template"] == "2021"
    assert data["cells"]["applications.granted.total"]["status"] == "inferred"
    assert any(f["code"] == "missing-cells" for f in data["findings"])


def test_parse_json_is_byte_identical() -> None:
    assert xxgk("parse", "--json", FLAWED).stdout == xxgk("parse", "--json", FLAWED).stdout


def test_parse_text_shows_chinese_labels() -> None:
    p = xxgk("parse", FLAWED)
    assert p.returncode == 0
    assert "予以公开" in p.stdout and "missing-cells" in p.stdout


def test_check_exit_codes(tmp_path: Path) -> None:
    assert xxgk("check", CLEAN).returncode == 0
    broken = tmp_path / "broken.txt"
    text = CLEAN.read_text(encoding="utf-8")
    broken.write_text(text.replace("(七) 总计\t0\t0", "(七) 总计\t3\t0", 1), encoding="utf-8")
    p = xxgk("check", broken)
    assert p.returncode == 1, p.stdout
    assert "T3-balance" in p.stdout and "T3-results" in p.stdout
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    p = xxgk("check", CLEAN, empty)
    assert p.returncode == 2 and "empty.txt" in p.stderr and "empty file" in p.stderr


def test_check_json_select_ignore() -> None:
    p = xxgk("check", FLAWED, "--format", "json", "--select", "missing-cells,section1")
    data = json.loads(p.stdout)
    assert {f["code"] for f in data[0]["findings"]} == {"missing-cells", "section1-heads"}
    p = xxgk("check", FLAWED, "--format", "json", "--ignore", "missing-cells")
    assert "missing-cells" not in {f["code"] for f in json.loads(p.stdout)[0]["findings"]}
    assert xxgk("check", FLAWED, "--select", "no-such-rule").returncode == 2


def test_check_csv() -> None:
    p = xxgk("check", FLAWED, "--format", "csv")
    lines = p.stdout.splitlines()
    assert lines[0] == "file,code,severity,message,cells,loc" and len(lines) > 3


def test_rules_list_and_doc() -> None:
    p = xxgk("rules", "--json")
    codes = {r["code"] for r in json.loads(p.stdout)}
    assert {"T3-balance", "T3-results", "T3-applicants", "T4-groups", "narrative-vs-table"} <= codes
    p = xxgk("rules", "T3-balance")
    assert p.returncode == 0 and "第一项加第二项之和" in p.stdout
    assert xxgk("rules", "nope").returncode == 2


def test_help_teaches() -> None:
    p = xxgk("--help")
    assert p.returncode == 0 and "parse" in p.stdout and "check" in p.stdout
