"""Legacy Word (.doc / .wps / RTF) through LibreOffice headless.

The .doc and .rtf fixtures are the 淮安 2024 report saved by LibreOffice; converting them back
must give the same grid and the same hand-checked values as the .docx. Tests that run the
conversion are skipped when LibreOffice is not installed (CI installs libreoffice-writer).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import xxgk
from xxgk.document import Table, TableCell
from xxgk.errors import InputError
from xxgk.extract import detect_kind, extract, extract_bytes
from xxgk.extract.legacy import INSTALL_HINT, OLE_MAGIC, extract_legacy, find_soffice
from xxgk.i18n import use_lang
from xxgk.template import TEMPLATE_2021


@pytest.fixture(autouse=True)
def _english():
    """These tests read the reasons' English wording (the Chinese one is tested in test_i18n.py)."""
    with use_lang("en"):
        yield

DATA = Path(__file__).parent / "data"
DOCX = DATA / "docx"
APPLICANT_KEYS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org",
                  "total"]
needs_libreoffice = pytest.mark.skipif(
    find_soffice() is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer")


def at(table: Table, row: int, col: int) -> TableCell:
    found = [c for c in table.cells if (c.row, c.col) == (row, col)]
    assert len(found) == 1, f"no single cell starts at ({row}, {col})"
    return found[0]


def ole(*streams: str, size: int = 4096) -> bytes:
    """Bytes that look like an OLE compound file naming these streams (enough for the format
    check, not a valid container)."""
    body = b"".join(s.encode("utf-16-le") + b"\0\0" for s in streams)
    return OLE_MAGIC + bytes(range(256)) * (size // 256) + body


@needs_libreoffice
@pytest.mark.parametrize("name", ["huaian-2024.doc", "huaian-2024.rtf"])
def test_legacy_formats_convert_to_the_same_grid(name: str) -> None:
    data = (DOCX / name).read_bytes()
    assert detect_kind(data) == "doc"
    doc = extract(DOCX / name)
    assert doc.kind == "docx" and doc.warnings[0].startswith("converted from")
    expected = json.loads((DATA / "html" / "huaian-2024.truth.json").read_text(encoding="utf-8"))
    t2, t3, t4 = doc.tables()
    assert (at(t3, 5, 0).text, at(t3, 5, 0).rowspan) == ("三、本年度办理结果", 22)
    assert (at(t3, 7, 1).text, at(t3, 7, 1).rowspan) == ("（三）不予公开", 8)
    for i, key in enumerate(r.key for r in TEMPLATE_2021.table("applications").rows):
        printed = [at(t3, 3 + i, 3 + j).text for j in range(7)]
        assert printed == [str(expected["applications"][key][c]) for c in APPLICANT_KEYS], key
    assert at(t2, 13, 1).text == "96171.6"
    assert at(t4, 3, 4).text == "351"
    texts = [p.text for p in doc.paragraphs()]
    assert texts[:2] == ["淮安市人民政府", "2024年政府信息公开工作年度报告"]
    assert "六、其他需要报告的事项" in texts


@needs_libreoffice
def test_damaged_word_file_is_refused_not_read_as_text() -> None:
    with pytest.raises(InputError) as e:
        extract_bytes(ole("WordDocument", "1Table"), "broken.doc")
    assert e.value.file == "broken.doc"
    assert "LibreOffice could not read it" in e.value.reason


@needs_libreoffice
def test_conversion_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_SOFFICE_TIMEOUT", "0.001")
    with pytest.raises(InputError) as e:
        extract_bytes((DOCX / "huaian-2024.doc").read_bytes(), "slow.doc")
    assert "did not finish" in e.value.reason


def test_without_libreoffice_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_SOFFICE", "/nonexistent/soffice")
    with pytest.raises(InputError) as e:
        extract_bytes((DOCX / "huaian-2024.doc").read_bytes(), "old.doc")
    assert e.value.file == "old.doc" and e.value.reason == INSTALL_HINT


@pytest.mark.parametrize("data, reason", [
    (ole("Workbook"), "not a Word document"),
    (ole("EncryptedInfo", "EncryptedPackage"), "password-protected"),
    (b"just some text that is not a Word file", "not a legacy Word document"),
])
def test_files_that_are_not_legacy_word(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as e:
        extract_legacy(data, "x.doc")
    assert reason in e.value.reason


@needs_libreoffice
def test_no_profile_or_temp_files_are_left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    extract_bytes((DOCX / "huaian-2024.rtf").read_bytes(), "r.rtf")
    assert os.listdir(tmp_path) == []


@needs_libreoffice
def test_end_to_end_doc() -> None:
    report = xxgk.read(DOCX / "huaian-2024.doc").to_dict()
    expected = json.loads((DATA / "html" / "huaian-2024.truth.json").read_text(encoding="utf-8"))
    assert report["meta"]["year"] == 2024 and report["meta"]["template"] == "2021"
    for table in ("active", "applications", "appeals"):
        for row, cols in expected[table].items():
            for col, value in cols.items():
                assert report[table][row][col] == value, f"{table}.{row}.{col}"
