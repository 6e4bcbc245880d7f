from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def corpus_source(case: dict) -> Path:
    """The text source of a ground-truth case: the corpus text dump, or the pypdf text of a PDF."""
    name = case["file"]
    if name.endswith(".pdf"):
        return DATA / "pypdf" / (name[:-4] + ".txt")
    return DATA / "corpus" / name


@pytest.fixture(scope="session")
def cases() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((DATA / "expected").glob("*.json"))]
