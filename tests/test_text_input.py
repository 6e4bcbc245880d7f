"""Text input: encodings, bad files, truncation, non-reports. Nothing but InputError escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import DATA

import xxgk
from xxgk.extract import detect_kind
from xxgk.i18n import use_lang
from xxgk.parse.lines import classify


@pytest.fixture(autouse=True)
def _english():
    """These tests read the reasons' English wording (the Chinese one is tested in test_i18n.py)."""
    with use_lang("en"):
        yield

SAMPLE = (DATA / "corpus" / "001_59945f3aceea766a.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    report = xxgk.read(path)
    assert report.meta.agency == "青铜峡工业园区管委会"
    assert report.value("applications.total_processed.total") == 0


def test_mixed_encodings_line_by_line(tmp_path: Path) -> None:
    lines = SAMPLE.split("\n")
    data = b"\n".join(line.encode("gb18030" if i % 2 else "utf-8") for i, line in enumerate(lines))
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    report = xxgk.read(path)
    assert report.meta.year == 2023
    assert report.value("appeals.review.total") == 0


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"),
    (bytes(range(256)) * 64, "binary"),
    ("这是一份会议纪要。\n今天天气很好。\n".encode(), "not a government information disclosure annual report"),
])
def test_bad_input_is_one_clear_error(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(xxgk.InputError) as e:
        xxgk.read(path)
    assert reason in str(e.value) and "bad.txt" in str(e.value)


def test_giant_file(tmp_path: Path) -> None:
    path = tmp_path / "giant.txt"
    with path.open("wb") as f:  # sparse: 200 MB on paper, nothing on disk
        f.truncate(200 * 1024 * 1024)
    with pytest.raises(xxgk.InputError, match="larger than"):
        xxgk.read(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(xxgk.InputError, match="no such file"):
        xxgk.read(tmp_path / "nope.txt")
    with pytest.raises(xxgk.InputError, match="folder"):
        xxgk.read(tmp_path)


def test_truncated_report_gives_findings_not_a_crash(tmp_path: Path) -> None:
    full = (DATA / "pypdf" / "huaian-city-2024.txt").read_text(encoding="utf-8")
    path = tmp_path / "cut.txt"
    path.write_text(full[: full.index("5.属于三类内部事务信息")], encoding="utf-8")
    report = xxgk.read(path)
    codes = {f.code for f in report.findings}
    assert {"missing-section", "unresolved-cells"} <= codes
    assert report.value("applications.denied_third_party.total") == 6  # printed before the cut
    assert report.value("applications.denied_internal_affairs.total") is None  # never silently 0
    assert report.cells["applications.denied_internal_affairs.total"].status == "missing"


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("114 件", "number", 114), ("3,985,758", "number", 3985758), ("96171.6", "number", 96171.6),
    ("-5", "number", -5), ("０", "number", 0), ("—", "blank", None), ("/", "blank", None), ("无", "blank", None),
    ("", "empty", None), ("1O3", "garbled", None), ("（七）总计", "label", None), ("1.", "label", None),
])
def test_token_classes(text: str, kind: str, value: object) -> None:
    tok = classify(text)
    assert (tok.kind, tok.value) == (kind, value)


def test_kind_detection_by_content() -> None:
    assert detect_kind(b"%PDF-1.7\n...") == "pdf"
    assert detect_kind(b"<!DOCTYPE html><html>") == "html"
    assert detect_kind("一、总体情况".encode()) == "text"
    assert detect_kind(b"\x89PNG\r\n\x1a\n....") == "image"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text_not_binary(encoding: str) -> None:
    from xxgk.extract.text import looks_binary, utf16_without_bom

    data = SAMPLE.encode(encoding)  # no byte-order mark: what some Windows tools write
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    assert utf16_without_bom(data) == encoding and not looks_binary(data)
    assert detect_kind(data) == "text"
    html = "<html><body><p>政府信息公开工作年度报告</p></body></html>".encode(encoding)
    assert detect_kind(html) == "html"
    # Binary data with NULs is still binary, and a NUL-free text is not UTF-16.
    assert utf16_without_bom(bytes(range(256)) * 64) is None
    assert utf16_without_bom(SAMPLE.encode("utf-8")) is None


def test_a_file_holding_the_report_many_times_over_is_refused(tmp_path: Path) -> None:
    """Not read as one report (with every count summed or overwritten): refused, saying why."""
    path = tmp_path / "many.txt"
    path.write_text(SAMPLE * 50, encoding="utf-8")
    with pytest.raises(xxgk.InputError, match="holds 50 reports one after another"):
        xxgk.read(path)


def test_a_pdf_holding_several_reports_is_refused(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(DATA / "pdf" / "hongze-district-2024.pdf"))
    out = pdfium.PdfDocument.new()
    for _ in range(3):
        out.import_pages(src)
    out.save(str(tmp_path / "three.pdf"))
    with pytest.raises(xxgk.InputError, match="holds 3 reports"):
        xxgk.read(tmp_path / "three.pdf")


def test_a_table_of_contents_is_not_another_report() -> None:
    from xxgk.document import report_copies

    toc = ["目录", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
           "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    body = SAMPLE.splitlines()
    assert report_copies(body) == 1
    assert report_copies([*toc, "", *body]) == 1
    assert report_copies(body + body) == 2
    assert report_copies(["no headings here"]) == 0
