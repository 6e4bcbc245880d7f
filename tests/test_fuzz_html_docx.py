"""Fuzz the web-page and Word extractors: whatever bytes arrive, the result is a Document (or a
Report) or an `XxgkError`, never another exception; tables built from any spans are true grids."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xxgk
from xxgk.document import Document, Table
from xxgk.errors import XxgkError
from xxgk.extract import extract_bytes

DATA = Path(__file__).parent / "data"
HTML_SEEDS = [p.read_bytes() for p in sorted((DATA / "html").glob("*.html"))]
DOCX_SEED = (DATA / "docx" / "huaian-2024.docx").read_bytes()
with zipfile.ZipFile(io.BytesIO(DOCX_SEED)) as _z:
    DOCX_XML = _z.read("word/document.xml")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def extracts_or_refuses(data: bytes, kind: str) -> Document | None:
    try:
        doc = extract_bytes(data, f"fuzz.{kind}", kind=kind)
    except XxgkError:
        return None
    for t in doc.tables():
        assert_true_grid(t)
    return doc


def parses_or_refuses(data: bytes, kind: str) -> None:
    try:
        report = xxgk.read_bytes(data, f"fuzz.{kind}", kind=kind)
    except XxgkError:
        return
    report.to_json()


def assert_true_grid(table: Table) -> None:
    seen: set[tuple[int, int]] = set()
    n_rows = table.n_rows
    for c in table.cells:
        assert c.rowspan >= 1 and c.colspan >= 1 and c.row >= 0 and c.col >= 0
        assert c.row + c.rowspan <= n_rows
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                assert (r, k) not in seen, f"slot ({r}, {k}) covered twice"
                seen.add((r, k))


def mutate(seed: bytes, flips: list[tuple[int, int]], cut_a: int, cut_b: int) -> bytes:
    data = bytearray(seed)
    for pos, byte in flips:
        data[pos % len(data)] = byte
    a, b = sorted((cut_a % len(data), cut_b % len(data)))
    return bytes(data[:a] + data[b:])


MUTATION = (st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=30),
            st.integers(0, 10**6), st.integers(0, 10**6))


# ---------------------------------------------------------------------------------------------- HTML


@FUZZ
@given(st.binary(max_size=4096))
def test_html_random_bytes(data: bytes) -> None:
    extracts_or_refuses(data, "html")


@FUZZ
@given(st.sampled_from(HTML_SEEDS), *MUTATION)
def test_html_mutated_pages(seed: bytes, flips: list[tuple[int, int]], cut_a: int, cut_b: int) -> None:
    parses_or_refuses(mutate(seed, flips, cut_a, cut_b), "html")


TAGS = ["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<td rowspan='3'>", "<td colspan='0'>",
        "<th colspan=99999>", "<td rowspan=-2>", "<p>", "</p>", "<br>", "<div>", "</div>", "&nbsp;",
        "<a href='x.pdf'>", "</a>", "<script>", "<!--", "-->", "<meta charset='gbk'>", "<caption>", "<tbody>",
        "一、总体情况", "三、本年度办理结果", "自然人", "12", "件", "\x00", "<iframe src=a>",
        "<h1>年度报告</h1>", "<frameset>"]


@FUZZ
@given(st.lists(st.sampled_from(TAGS), max_size=120))
def test_html_tag_soup(parts: list[str]) -> None:
    extracts_or_refuses("".join(parts).encode("utf-8"), "html")


@st.composite
def span_rows(draw: st.DrawFn) -> list[list[tuple[int, int]]]:
    n_rows = draw(st.integers(1, 8))
    return [draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=0, max_size=7))
            for _ in range(n_rows)]


@FUZZ
@given(span_rows())
def test_html_any_spans_give_a_true_grid(rows: list[list[tuple[int, int]]]) -> None:
    n = 0
    trs = []
    for row in rows:
        tds = []
        for rowspan, colspan in row:
            tds.append(f"<td rowspan='{rowspan}' colspan='{colspan}'>c{n}</td>")
            n += 1
        trs.append("<tr>" + "".join(tds) + "</tr>")
    page = f"<html><body><p>一、总体情况</p><table>{''.join(trs)}</table></body></html>"
    doc = extracts_or_refuses(page.encode(), "html")
    assert doc is not None
    tables = list(doc.tables())
    if n < 2:
        return  # a table of 0 or 1 cells is page layout, read as text
    (t,) = tables
    assert t.aligned
    # every cell once, and cells of one row keep their source order left to right
    assert sorted(int(c.text[1:]) for c in t.cells) == list(range(n))
    for row in t.rows():
        numbers = [int(c.text[1:]) for c in row]
        assert numbers == sorted(numbers)


# ---------------------------------------------------------------------------------------------- DOCX


def rezip(document_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(DOCX_SEED)) as src, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            main = info.filename == "word/document.xml"
            out.writestr(info.filename, document_xml if main else src.read(info))
    return buf.getvalue()


@FUZZ
@given(st.binary(max_size=4096))
def test_docx_random_bytes(data: bytes) -> None:
    extracts_or_refuses(data, "docx")


@FUZZ
@given(st.binary(max_size=2048))
def test_docx_random_zip_members(member: bytes) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", member)
        z.writestr("_rels/.rels", member[::-1])
    extracts_or_refuses(buf.getvalue(), "docx")


@FUZZ
@given(*MUTATION)
def test_docx_mutated_package(flips: list[tuple[int, int]], cut_a: int, cut_b: int) -> None:
    extracts_or_refuses(mutate(DOCX_SEED, flips, cut_a, cut_b), "docx")


@FUZZ
@given(*MUTATION)
def test_docx_mutated_document_xml(flips: list[tuple[int, int]], cut_a: int, cut_b: int) -> None:
    parses_or_refuses(rezip(mutate(DOCX_XML, flips, cut_a, cut_b)), "docx")


MERGE = st.sampled_from(["", '<w:vMerge w:val="restart"/>', "<w:vMerge/>", '<w:hMerge w:val="restart"/>',
                         "<w:hMerge/>", '<w:vMerge w:val="bogus"/>'])


@st.composite
def word_rows(draw: st.DrawFn) -> list[tuple[int, list[tuple[int, str]]]]:
    return [(draw(st.integers(0, 3)),
             draw(st.lists(st.tuples(st.integers(-1, 4), MERGE), max_size=6)))
            for _ in range(draw(st.integers(1, 8)))]


@FUZZ
@given(word_rows())
def test_docx_any_merges_give_a_true_grid(rows: list[tuple[int, list[tuple[int, str]]]]) -> None:
    trs = []
    n = 0
    for before, cells in rows:
        tcs = []
        for grid_span, merge in cells:
            tcs.append(f'<w:tc><w:tcPr><w:gridSpan w:val="{grid_span}"/>{merge}</w:tcPr>'
                       f"<w:p><w:r><w:t>c{n}</w:t></w:r></w:p></w:tc>")
            n += 1
        trs.append(f'<w:tr><w:trPr><w:gridBefore w:val="{before}"/></w:trPr>{"".join(tcs)}</w:tr>')
    xml = (f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p>'
           f'<w:tbl>{"".join(trs)}</w:tbl></w:body></w:document>').encode()
    doc = extracts_or_refuses(rezip(xml), "docx")
    assert doc is not None
    seen = sorted(int(part[1:]) for t in doc.tables() for c in t.cells for part in c.text.split())
    if n > 1:
        # merged-away cells hand their text to the cell they continue: no text is lost or doubled
        assert seen == list(range(n))
