"""`xxgk parse | check | rules` in process (Typer's CliRunner), on every bundled sample, in text
and JSON, in Chinese (the default) and English; bad input gives one line and exit 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import DATA
from typer.testing import CliRunner

import xxgk
from xxgk.cli import app
from xxgk.i18n import set_lang

SAMPLES = Path(xxgk.__file__).parent / "samples"
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".txt", ".pdf"))
CLEAN = DATA / "corpus" / "001_59945f3aceea766a.txt"
FLAWED = DATA / "corpus" / "000_11a4c8c6b3698673.txt"
LANGS = (["--lang", "zh"], [], ["--lang", "en"])
runner = CliRunner()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    yield
    set_lang(None)  # --lang sets the process's language: leave the next test the default


def run(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})})
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


def test_the_samples_are_there() -> None:
    assert len(SAMPLE_FILES) == 7 and (SAMPLES / "README.md").exists()


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_parse_and_check_every_sample_text_and_json_zh_and_en(sample: Path) -> None:
    for lang in (["--lang", "zh"], ["--lang", "en"]):
        code, out, err = run(*lang, "parse", sample)
        assert code in (0, 1), err
        assert "予以公开" in out and "（三）不予公开 · 1.属于国家秘密" in out  # table 三 with its groups
        assert ("统计期间" in out) == (lang[1] == "zh") and ("statistics period" in out) == (lang[1] == "en")
        code, out, err = run(*lang, "parse", "--json", sample)
        assert code in (0, 1), err
        data = json.loads(out)
        assert data["schema"] == "xxgk.report/1" and data["source"]["file"] == sample.name
        code, out, err = run(*lang, "check", sample)
        assert code in (0, 1), err
        summary = out.strip().splitlines()[-1]
        if lang[1] == "zh":
            assert summary.startswith("读取报告 1 份，无法读取 0 份")
            assert not re.search(r"\b(error|warning|info|report|unreadable)\b", summary)
        else:
            assert summary.startswith("1 report(s) read, 0 unreadable")
        code, out, err = run(*lang, "check", "--format", "json", sample)
        assert code in (0, 1), err
        (entry,) = json.loads(out)
        assert code == (1 if any(f["severity"] == "error" for f in entry["findings"]) else 0)
        for f in entry["findings"]:
            assert {"code", "severity", "message", "cells"} <= f.keys()


def test_parse_hongze_pdf_text_view_shows_the_foreign_row() -> None:
    """The README's first example crashed with KeyError 'active.other_handling.natural_person'."""
    code, out, err = run("parse", SAMPLES / "hongze-district-2024.pdf")
    assert code in (0, 1), err
    assert "（六）其他处理 · 3.其他" in out and "（六）其他处理 · 2.申请人逾期未按收费通知要求缴纳费用" in out
    assert "（五）不予处理 · 1.信访举报投诉类申请" in out
    # long labels wrap onto the next line; nothing is cut short
    flat = re.sub(r"[│\s]+", "", out)
    assert "（六）其他处理·1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in flat


def test_lang_from_the_environment() -> None:
    code, out, _ = run("check", CLEAN, env={"XXGK_LANG": "en"})
    assert code == 0 and "1 report(s) read" in out
    code, out, _ = run("check", CLEAN)
    assert "读取报告 1 份" in out
    code, _, err = run("--lang", "fr", "check", CLEAN)
    assert code == 2 and err.count("\n") == 1


def test_check_reads_a_folder_a_glob_and_a_zip(tmp_path: Path) -> None:
    code, out, err = run("check", SAMPLES)
    assert code in (0, 1) and "读取报告 7 份，无法读取 0 份" in out, err
    # a shell's samples/* names README.md too: skipped as in a folder walk, not an error
    code, out, err = run("check", *sorted(SAMPLES.iterdir()))
    assert code in (0, 1) and "读取报告 7 份，无法读取 0 份" in out and "README.md" in err
    code, out, err = run("check", str(SAMPLES / "*.txt"))
    assert code in (0, 1) and "读取报告 5 份" in out, err
    archive = tmp_path / "reports.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(CLEAN, "a/clean.txt")
        z.write(FLAWED, "b/flawed.txt")
    code, out, err = run("check", "--format", "json", archive)
    assert code in (0, 1), err
    assert [e["file"] for e in json.loads(out)] == ["reports.zip!a/clean.txt", "reports.zip!b/flawed.txt"]
    code, out, err = run("parse", "--json", archive)
    assert code in (0, 1) and len(json.loads(out)) == 2


def test_check_exit_codes(tmp_path: Path) -> None:
    assert run("check", CLEAN)[0] == 0
    broken = tmp_path / "broken.txt"
    text = CLEAN.read_text(encoding="utf-8")
    broken.write_text(text.replace("(七) 总计\t0\t0", "(七) 总计\t3\t0", 1), encoding="utf-8")
    code, out, _ = run("check", broken)
    assert code == 1 and "T3-balance" in out and "T3-results" in out
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = run("check", CLEAN, empty)
    assert code == 2 and "empty.txt" in err and "空文件（0 字节）" in err and "读取报告 1 份，无法读取 1 份" in out
    code, _, err = run("check", tmp_path / "nope.pdf")
    assert code == 2 and "nope.pdf" in err and err.count("\n") == 1


def test_check_select_ignore_and_formats() -> None:
    code, out, _ = run("check", FLAWED, "--format", "json", "--select", "missing-cells,section1")
    assert {f["code"] for f in json.loads(out)[0]["findings"]} == {"missing-cells", "section1-heads"}
    code, out, _ = run("check", FLAWED, "--format", "json", "--ignore", "missing-cells")
    assert "missing-cells" not in {f["code"] for f in json.loads(out)[0]["findings"]}
    code, _, err = run("check", FLAWED, "--select", "no-such-rule")
    assert code == 2 and err.count("\n") == 1
    code, out, _ = run("check", FLAWED, "--format", "csv")
    lines = out.splitlines()
    assert lines[0] == "file,code,severity,message,cells,loc" and len(lines) > 3


def test_text_view_names_cells_and_places_for_people() -> None:
    _code, out, _ = run("check", FLAWED)
    finding_lines = [ln for ln in out.splitlines() if "missing-cells" in ln]
    assert finding_lines and finding_lines[0].startswith("警告")
    # the cells and locations of the text view are template labels and 第…行, not keys or L57
    tail = out.split("missing-cells", 1)[1].split("\n\n", 1)[0]
    assert "第" in tail and "行" in tail
    assert not re.search(r"（[^）]*\b[a-z_]+\.[a-z_]+\.[a-z_]+", out)


def test_report_text_and_file_names_are_never_markup(tmp_path: Path) -> None:
    text = CLEAN.read_text(encoding="utf-8")
    titled = tmp_path / "titled.txt"
    titled.write_text("[/]某县[bold]档案局[/]2023年政府信息公开工作年度报告\n" + text, encoding="utf-8")
    odd = tmp_path / "[red]x.txt"
    odd.write_text(text, encoding="utf-8")
    for args in (("parse", titled), ("check", titled), ("parse", odd), ("check", odd)):
        code, _out, err = run(*args)
        assert code in (0, 1), err
    assert "[/]某县[bold]档案局[/]" in run("parse", titled)[1]
    assert "[red]x.txt" in run("check", odd)[1] and "[red]x.txt" in run("parse", odd)[1]
    empty = tmp_path / "[red]empty.txt"
    empty.write_bytes(b"")
    code, _, err = run("check", empty)
    assert code == 2 and "[red]empty.txt" in err


def test_rules_list_and_doc_in_both_languages() -> None:
    code, out, _ = run("rules", "--json")
    rules = {r["code"]: r for r in json.loads(out)}
    assert {"T3-balance", "T3-results", "T3-applicants", "T4-groups", "narrative-vs-table"} <= set(rules)
    assert all(r["summary"] and r["doc"] for r in rules.values())
    code, out, _ = run("rules", "T3-balance")
    assert code == 0 and "T3-balance" in out and "错误" in out
    code, out, _ = run("--lang", "en", "rules", "T3-balance")
    assert code == 0 and "(error)" in out
    code, out, _ = run("rules")
    assert code == 0 and "检查什么" in out
    code, _, err = run("rules", "nope")
    assert code == 2 and err.count("\n") == 1


def test_help_teaches_and_shows_no_bool() -> None:
    for args in ([], ["parse"], ["check"], ["audit"], ["ingest"], ["export"], ["stats"], ["compile"], ["compare"]):
        code, out, _ = run(*args, "--help")
        assert code == 0 and "<bool>" not in out, args
    out = run("--help")[1]
    assert "docs/format.md" in out and "docs/rules.md" in out and "--lang" in out and "FORMAT.md" not in out


def test_python_dash_m_runs_the_same_app() -> None:
    p = subprocess.run([sys.executable, "-m", "xxgk", "--lang", "en", "check", CLEAN], capture_output=True,
                       text=True, timeout=120, env={"COLUMNS": "160", "PATH": "/usr/bin:/bin",
                                                    "PYTHONPATH": str(Path(xxgk.__file__).parent.parent)})
    assert p.returncode == 0 and "1 report(s) read" in p.stdout


def test_findings_writers_of_the_library() -> None:
    from xxgk.corpus.findings import findings_csv, findings_json, findings_text, worst
    from xxgk.corpus.inputs import read_paths
    from xxgk.i18n import use_lang

    result = read_paths([FLAWED, CLEAN])
    assert [r.source.file for r in result.reports] == [FLAWED.name, CLEAN.name] and result.failures == []
    text = findings_text(result.reports)
    assert "警告 missing-cells " in text and "未发现问题" in text and "applications." not in text
    assert re.search(r"\n警告 [a-z0-9-]+ 第\d+行 ", text)  # locations as people write them
    with use_lang("en"):
        english = findings_text(result.reports)
    assert "warning missing-cells " in english and re.search(r"\nwarning [a-z0-9-]+ line \d+ ", english)
    data = json.loads(findings_json(result.reports))
    assert data[0]["file"] == FLAWED.name and data[1]["findings"] == []
    assert findings_csv(result.reports).splitlines()[0] == "file,code,severity,message,cells,loc"
    assert worst(f for r in result.reports for f in r.findings) == "warning"


def test_read_runs_the_rules_once_with_the_selection() -> None:
    report = xxgk.read(FLAWED, select=["missing-cells"])
    assert {f.code for f in report.findings} == {"missing-cells"}
    unchecked = xxgk.read(FLAWED, check=False)
    assert unchecked.findings == [] and xxgk.check(unchecked) == xxgk.read(FLAWED).findings


def test_progress_bar_is_driven_by_the_callback() -> None:
    from xxgk.cli.common import progress_bar

    bar, on_progress = progress_bar()
    bar.start()
    for i in range(1, 4):
        on_progress(i, 3, f"[red]{i}.txt")
    bar.stop()
    (task,) = bar.tasks
    assert task.completed == 3 and task.total == 3 and task.fields["file"] == "[red]3.txt"


def test_parse_json_is_byte_identical_and_language_free_in_its_keys() -> None:
    a, b = run("parse", "--json", FLAWED)[1], run("parse", "--json", FLAWED)[1]
    assert a == b
    en = json.loads(run("--lang", "en", "parse", "--json", FLAWED)[1])
    zh = json.loads(a)
    assert en.keys() == zh.keys() and {k: c["status"] for k, c in en["cells"].items()} == {
        k: c["status"] for k, c in zh["cells"].items()}
    assert [f["code"] for f in en["findings"]] == [f["code"] for f in zh["findings"]]


def test_lang_en_before_the_command_gives_english_help() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "XXGK_LANG"}
    en = subprocess.run([sys.executable, "-m", "xxgk", "--lang", "en", "check", "--help"], capture_output=True,
                        text=True, env=env, timeout=120)
    zh = subprocess.run([sys.executable, "-m", "xxgk", "check", "--help"], capture_output=True, text=True,
                        env=env, timeout=120)
    assert "Check reports" in en.stdout and "检查报告" in zh.stdout
    bad = subprocess.run([sys.executable, "-m", "xxgk", "--lang", "fr", "check", "x"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def _commands(group: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    for name, cmd in sorted(getattr(group, "commands", {}).items()):
        yield (*prefix, name), cmd
        yield from _commands(cmd, (*prefix, name))


def test_every_command_and_option_explains_itself_in_chinese() -> None:
    """Found missing once (form, render): every command's help and every option's help is Chinese
    by default, not the English message id."""
    import typer

    cjk = re.compile(r"[\u4e00-\u9fff]")
    group = typer.main.get_command(app)
    untranslated = []
    for path, cmd in _commands(group):
        texts = [("", getattr(cmd, "help", None) or ""), ("short", getattr(cmd, "short_help", None) or "")]
        texts += [(p.name, getattr(p, "help", None) or "") for p in getattr(cmd, "params", [])]
        untranslated += [(" ".join(path), what, text[:60]) for what, text in texts if text and not cjk.search(text)]
    assert untranslated == []


@pytest.mark.parametrize(("args", "words"), [
    (["parse", "--bogus"], "xxgk parse：没有选项 --bogus（帮助：xxgk parse --help）"),
    (["check", "--selct", "x"], "是不是要用 --help, --select？"),
    (["ingest", "-j", "abc", "x"], "--workers/-j 的值应为 <整数> [x>=0]"),
    (["stats", "--format", "xx"], "--format/-f 的值应为 <text|csv|json>"),
    (["nosuch"], "没有命令 'nosuch'"),
    (["rules", "a", "b"], "多出了参数：b"),
    (["ingest", "--timeout"], "--timeout 后面需要一个值"),
    (["ingest"], "缺少 paths"),
])
def test_usage_errors_are_one_line_in_chinese(args: list[str], words: str) -> None:
    """Found English and framed once: Typer's own usage errors (an unknown option, a value that is
    not a number, a missing argument) were a usage line, a hint and a panel in English words."""
    code, out, err = run(*args)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith("错误 ") and words in err and "Usage" not in err and "Error" not in err


def test_usage_errors_in_english_on_request() -> None:
    code, _, err = run("--lang", "en", "ingest", "-j", "abc", "x")
    assert code == 2 and err == "error xxgk ingest: --workers/-j takes <integer> [x>=0] (help: xxgk ingest --help)\n"
    code, _, err = run("--lang", "en", "parse", "--bogus")
    assert code == 2 and err == "error xxgk parse: no such option: --bogus (help: xxgk parse --help)\n"


def test_help_frames_are_in_the_readers_language() -> None:
    """Typer's own words around the help (Usage:, Options, Show this message and exit., [default: …],
    the type labels) follow --lang like the help texts themselves."""
    code, out, _ = run("ingest", "--help")
    assert code == 0
    for words in ("用法：", "─ 参数 ─", "─ 选项 ─", "显示本帮助并退出。", "[必填]", "[默认：60.0]", "<整数>", "<文本>",
                  "[环境变量：XXGK_DB]"):
        assert words in out, words
    for english in ("Usage:", "Options", "Arguments", "Show this message", "default:", "required", "<str>", "<int"):
        assert english not in out, english
    code, out, _ = run("--lang", "en", "ingest", "--help")
    assert code == 0
    for words in ("Usage:", "─ Arguments ─", "─ Options ─", "Show this message and exit.", "[required]",
                  "[default: 60.0]", "<integer>", "<string>"):
        assert words in out, words


def test_what_the_system_says_of_a_file_is_in_the_readers_language(tmp_path: Path) -> None:
    """Found English once: the C library's words ("No such file or directory") reached the reader
    through e.strerror in render, export, the writer's inputs and collect."""
    import errno

    from xxgk.errors import os_reason
    from xxgk.i18n import use_lang

    code, _, err = run("render", tmp_path / "nope.json", "-o", tmp_path / "x.docx")
    assert code == 2 and err == f"错误 {tmp_path / 'nope.json'}: 文件或文件夹不存在\n"
    code, _, err = run("render", FLAWED, "-o", tmp_path / "x.docx", "--text", tmp_path)
    assert code == 2 and "这是一个文件夹" in err
    code, _, err = run("--lang", "en", "render", tmp_path / "nope.json", "-o", tmp_path / "x.docx")
    assert code == 2 and err.endswith(": no such file or folder\n")
    with use_lang("zh"):
        assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == "没有权限"
    with use_lang("en"):
        assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "the disk is full"
    assert os_reason(OSError(errno.EIO, "Input/output error")) == "Input/output error"  # not known: its own words
