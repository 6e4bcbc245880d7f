"""The README documents every command and every rule, and starts with the two commands."""

from __future__ import annotations

from pathlib import Path

from xxgk.check.registry import load_rules
from xxgk.cli import app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_starts_with_the_two_commands() -> None:
    head = README.split("\n## ", 1)[0]
    assert "bash scripts/demo.sh" in head and "bash scripts/test.sh" in head


def test_every_rule_is_documented() -> None:
    missing = [code for code in load_rules() if f"`{code}`" not in README]
    assert missing == []


def test_every_command_is_documented() -> None:
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert len(names) >= 9
    assert [n for n in names if f"xxgk {n}" not in README] == []


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test.sh" in ci


def test_links_the_docs_and_tells_the_language_switch() -> None:
    assert "docs/format.md" in README and "docs/rules.md" in README and "FORMAT.md" not in README
    assert "--lang en" in README and "XXGK_LANG=en" in README


def test_names_the_library_call_behind_every_command() -> None:
    table = README.split("| command | library call | returns |", 1)[1].split("\n\n", 1)[0]
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    core = [n for n in names if n in ("parse", "check", "rules", "ingest", "export", "compile", "stats", "compare",
                                      "audit")]
    assert len(core) == 9 and [n for n in core if f"| `xxgk {n}` |" not in table] == []
