"""The message catalogue is complete and compiled, the generated docs are current, and what a
person reads of the rules and their findings is Chinese by default and English on request."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from tests.conftest import DATA

import xxgk
from xxgk.check.registry import load_rules
from xxgk.i18n import current_lang, placeholders, use_lang
from xxgk.report import Report
from xxgk.template import TEMPLATES

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "src" / "xxgk" / "samples").iterdir() if p.suffix in (".txt", ".pdf"))
_WORD = re.compile(r"[A-Za-z]{3,}")
# ASCII words a Chinese text may carry: the parts of rule codes, and names that have no translation.
CODE_WORDS = {w for code in load_rules() for w in _WORD.findall(code)}
NAMES = {"OCR", "JSON", "xxgk", "null", "rapidfuzz", "Indel", "MinHash", "LSH", "PubDate", "PDF", "info", "expect"}
KEYS = sorted({p for t in TEMPLATES.values() for p in t.cell_paths()}
              | {f"applications.{r.key}.{c.key}" for t in TEMPLATES.values() for r in t.foreign_rows
                 for c in r.columns}, key=len, reverse=True)


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_script_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def english_words(text: str, allowed: set[str] = CODE_WORDS) -> list[str]:
    return [w for w in _WORD.findall(text) if w not in allowed]


# ---------------------------------------------------------------- the catalogue


@pytest.fixture(scope="module")
def i18n_script() -> ModuleType:
    return _script("i18n")


def test_every_message_is_translated(i18n_script: ModuleType) -> None:
    assert i18n_script.untranslated() == []


def test_placeholders_match(i18n_script: ModuleType) -> None:
    bad = [m.id for m in i18n_script.load() if m.id and placeholders(m.id) != placeholders(m.string)]
    assert bad == []


def test_catalogue_holds_every_message_of_the_code(i18n_script: ModuleType) -> None:
    in_code = {m.id for m in i18n_script.extract() if m.id}
    in_po = {m.id for m in i18n_script.load() if m.id}
    assert sorted(in_code - in_po) == [], "run python scripts/i18n.py update and translate"


def test_compiled_catalogue_is_current(i18n_script: ModuleType) -> None:
    assert i18n_script.MO.read_bytes() == i18n_script.compile_mo(), "run python scripts/i18n.py compile"


def test_untranslated_entries_are_caught(i18n_script: ModuleType) -> None:
    """The check above can fail: an entry without msgstr is reported."""
    catalog = i18n_script.load()
    catalog.add("A message nobody translated {n}")
    assert "A message nobody translated {n}" in i18n_script.untranslated(catalog)


# ---------------------------------------------------------------- generated docs


def test_rules_md_is_current() -> None:
    rules_md = _script("rules_md")
    assert rules_md.stale() == [], "run python scripts/rules_md.py"


def test_rules_md_documents_every_rule_in_both_languages() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for code, r in load_rules().items():
        assert f'id="zh-{code.lower()}"' in text and f'id="en-{code.lower()}"' in text
        with use_lang("zh"):
            assert r.what in text and r.why in text and r.example in text
        with use_lang("en"):
            assert r.what in text and r.why in text and r.example in text


# ---------------------------------------------------------------- rules and findings in the reader's language


def test_chinese_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XXGK_LANG", raising=False)
    assert current_lang() == "zh"
    for r in load_rules().values():
        for text in (r.summary, r.doc):
            assert re.search(r"[\u4e00-\u9fff]", text) and english_words(text, CODE_WORDS | NAMES) == [], text
        assert r.doc.startswith("检查什么")


def test_english_on_request() -> None:
    with use_lang("en"):
        for r in load_rules().values():
            assert _WORD.search(r.summary) and r.doc.startswith("What it checks"), r.code


@pytest.fixture(scope="module")
def samples() -> list[Report]:
    return [xxgk.read(p) for p in SAMPLES]


def test_sample_findings_read_in_chinese(samples: list[Report]) -> None:
    messages = 0
    with use_lang("zh"):
        for report in samples:
            for f in report.findings:
                text = f.message
                messages += 1
                assert english_words(text) == [], (report.source.file, f.code, text)
                assert [k for k in KEYS if k in text] == [], (report.source.file, f.code, text)
    assert messages >= 5


def test_sample_findings_in_english_on_request(samples: list[Report]) -> None:
    for report in samples:
        for f in report.findings:
            with use_lang("en"):
                en = f.message
            with use_lang("zh"):
                zh = f.message
            assert en != zh and _WORD.search(en), (f.code, en)
            assert [k for k in KEYS if k in en] == [], (f.code, en)


def test_english_words_are_caught() -> None:
    """The sample check can fail: an English message, or a raw key, is found."""
    assert english_words("section 1 does not cover the heads") != []
    assert english_words("T3-balance：自然人栏不平衡") == []
    assert any(k in "（七）总计 applications.total_processed.total" for k in KEYS)


def test_rule_json_is_chinese_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `xxgk rules --json` prints: codes as they are, every text in the reader's language."""
    monkeypatch.delenv("XXGK_LANG", raising=False)
    for code, r in load_rules().items():
        d = r.to_dict()
        assert d["code"] == code and d["severity"] in ("error", "warning", "info")
        for key in ("summary", "what", "why", "example", *(f"messages.{v}" for v in d["messages"])):
            text = d["messages"][key.split(".", 1)[1]] if key.startswith("messages.") else d[key]
            assert re.search(r"[\u4e00-\u9fff]", text), (code, key)
            assert english_words(re.sub(r"\{[^}]*\}", "", text), CODE_WORDS | NAMES) == [], (code, key, text)
        with use_lang("en"):
            assert _WORD.search(r.to_dict()["what"])


@pytest.mark.parametrize(("name", "data", "chinese"), [
    ("gone.pdf", None, "文件不存在"),
    ("cut.docx", "half of a real .docx", "Word 文档"),
    ("page.html", b"<html><body><a href='/files/nb.pdf'>2024\xe5\xb9\xb4\xe6\x8a\xa5\xe5\x91\x8a</a></body></html>",
     "没有报告正文"),
])
def test_reasons_for_unreadable_files_are_chinese_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             name: str, data: bytes | str | None,
                                                             chinese: str) -> None:
    monkeypatch.delenv("XXGK_LANG", raising=False)
    path = tmp_path / name
    if isinstance(data, str):
        whole = (DATA / "docx" / "huaian-2024.docx").read_bytes()
        data = whole[: len(whole) // 2]
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(xxgk.InputError) as caught:
        xxgk.read(path)
    assert chinese in caught.value.reason and not re.search(r"[A-Za-z]{6,}", caught.value.reason.replace("PDF", ""))
    with use_lang("en"), pytest.raises(xxgk.InputError) as english:
        xxgk.read(path)
    assert re.search(r"\b(no such file|Word document|attachment)", english.value.reason)


def _untranslated_notes(source: str) -> list[int]:
    """Lines where a reader's note or warning (`notes`, `warnings`) is appended as a literal or
    an f-string: text a person reads that never went through the catalogue."""
    import ast

    lines = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("notes", "warnings")
                and node.args and isinstance(node.args[0], ast.JoinedStr | ast.Constant)):
            lines.append(node.lineno)
    return lines


def test_every_readers_note_goes_through_the_catalogue() -> None:
    """A turned or askew scan, or a PDF page whose fonts map no Unicode, was reported in English
    whatever the reader's language: each reader's notes and warnings are catalogue messages."""
    assert _untranslated_notes('notes.append(f"p{n}: the page was turned")') == [1]  # the check can fail
    assert _untranslated_notes('notes.append(_("p{n}: turned").format(n=1))') == []
    found = {str(p.relative_to(ROOT)): lines for p in sorted((ROOT / "src" / "xxgk").rglob("*.py"))
             if (lines := _untranslated_notes(p.read_text(encoding="utf-8")))}
    assert found == {}
