"""The PDF text-layer extractor and the shared layout geometry, on the two real corpus PDFs
(tests/data/pdf/) and on PDFs the tests build themselves."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk.document import Document, Paragraph, Table
from xxgk.errors import InputError
from xxgk.extract import extract_bytes
from xxgk.extract import pdf as pdf_mod
from xxgk.extract.layout import Glyph, Segment, Units, cell_text, find_grids, group_lines, line_text
from xxgk.extract.pdf import extract_pdf
from xxgk.i18n import use_lang
from xxgk.synth.pdf_variants import rotated, sideways, without_rulings


@pytest.fixture(autouse=True)
def _english():
    """These tests read the reasons' English wording (the Chinese one is tested in test_i18n.py)."""
    with use_lang("en"):
        yield

DATA = Path(__file__).parent / "data"
PDFS = {name: DATA / "pdf" / f"{name}.pdf" for name in ("huaian-city-2024", "hongze-district-2024")}
APPLICANT_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
APPEAL_COLS = ("upheld", "corrected", "other", "pending", "total")
NUMBER = re.compile(r"^\d+(\.\d+)?$")


@pytest.fixture(scope="module", params=sorted(PDFS))
def case(request: pytest.FixtureRequest) -> tuple[str, bytes, Document, dict]:
    name = request.param
    data = PDFS[name].read_bytes()
    truth = json.loads((DATA / "expected" / f"{name}.json").read_text(encoding="utf-8"))
    return name, data, extract_pdf(data, f"{name}.pdf"), truth


def numeric_rows(doc: Document) -> list[list[str]]:
    """Every table row's numbers, in order (the label cells dropped)."""
    out = []
    for t in doc.tables():
        for row in t.rows():
            nums = [c.text for c in row if NUMBER.match(c.text)]
            if nums:
                out.append(nums)
    return out


def row_with(doc: Document, label: str) -> list[str]:
    for t in doc.tables():
        for row in t.rows():
            if any(label in c.text for c in row):
                return [c.text for c in row]
    raise AssertionError(f"no table row carries {label!r}")


def fmt(v: float | int) -> str:
    return str(v)


# ---------------------------------------------------------------- the corpus PDFs


def test_state_secret_row_carries_its_seven_numbers() -> None:
    doc = extract_pdf(PDFS["huaian-city-2024"].read_bytes(), "huaian-city-2024.pdf")
    row = row_with(doc, "1.属于国家秘密")
    assert " ".join(row[-7:]) == "2 0 0 0 0 0 2"


def test_every_applications_row_of_the_truth_is_a_table_row(case: tuple) -> None:
    _, _, doc, truth = case
    rows = numeric_rows(doc)
    want = [[fmt(cols[c]) for c in APPLICANT_COLS] for cols in truth["applications"].values()]
    # the rows appear in the document in template order, each with all seven numbers
    seven = [r for r in rows if len(r) == 7]
    assert seven == want


def test_appeals_row_has_fifteen_numbers(case: tuple) -> None:
    _, _, doc, truth = case
    want = [fmt(truth["appeals"][g][c]) for g in ("review", "litigation_direct", "litigation_after_review")
            for c in APPEAL_COLS]
    assert want in numeric_rows(doc)


def test_active_table_values(case: tuple) -> None:
    _, _, doc, truth = case
    flat = [n for r in numeric_rows(doc) for n in r]
    for row in truth["active"].values():
        for v in row.values():
            assert fmt(v) in flat


def test_table_cut_by_page_break_is_one_table(case: tuple) -> None:
    _, _, doc, _ = case
    apps = [t for t in doc.tables() if "本年新收" in "".join(c.text for c in t.cells)]
    assert len(apps) == 1
    text = "".join(c.text for c in apps[0].cells)
    assert "四、结转下年度继续办理" in text and "（七）总计" in text
    pages = {c.loc.page for c in apps[0].cells}
    assert len(pages) == 2, "the table runs over two pages and its cells say so"
    # the group label printed vertically, one character per line, reads as one label
    assert any(c.text == "三、本年度办理结果" and c.rowspan > 10 for c in apps[0].cells)
    # the group label cut by the page break ("（四）无" | "法提供" in the Huaian report) is one cell
    assert any(c.text == "（四）无法提供" and c.rowspan == 3 for c in apps[0].cells)


def test_wrapped_row_label_is_one_cell() -> None:
    doc = extract_pdf(PDFS["huaian-city-2024"].read_bytes(), "huaian-city-2024.pdf")
    row = row_with(doc, "逾期不补正")
    assert row[:2] == ["（六）其他处理", "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]
    assert row[-7:] == ["67", "3", "0", "0", "1", "0", "71"]


def test_header_fragments_are_joined() -> None:
    doc = extract_pdf(PDFS["huaian-city-2024"].read_bytes(), "huaian-city-2024.pdf")
    header = row_with(doc, "科研机构")
    assert header == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def test_footers_dropped_and_pages_located(case: tuple) -> None:
    _, _, doc, _ = case
    assert doc.pages == {"huaian-city-2024": 6, "hongze-district-2024": 5}[case[0]]
    for p in doc.paragraphs():
        assert not re.fullmatch(r"-\s*\d+\s*-", p.text), p
        assert p.loc.page is not None and 1 <= p.loc.page <= doc.pages
        assert p.loc.box is not None
    for t in doc.tables():
        assert all(c.loc is not None and c.loc.page is not None and c.loc.box for c in t.cells)
        assert all(c.confidence is None for c in t.cells), "a text layer is read exactly"
    assert doc.kind == "pdf" and not doc.warnings


def test_paragraph_text_in_reading_order(case: tuple) -> None:
    _, _, doc, _ = case
    text = "\n".join(p.text for p in doc.paragraphs())
    titles = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
              "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "2024年" in text


def test_deterministic(case: tuple) -> None:
    name, data, doc, _ = case
    again = extract_pdf(data, f"{name}.pdf")
    assert again.blocks == doc.blocks


def test_dispatch_by_content_sets_hash() -> None:
    data = PDFS["hongze-district-2024"].read_bytes()
    doc = extract_bytes(data, "report.bin")
    assert doc.kind == "pdf" and len(doc.sha256) == 64 and doc.file == "report.bin"


# ---------------------------------------------------------------- rotation


def _table_texts(doc: Document) -> list[list[str]]:
    return [[c.text for c in row] for t in doc.tables() for row in t.rows()]


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_page_rotated_for_display(angle: int) -> None:
    data = PDFS["hongze-district-2024"].read_bytes()
    turned = rotated(data, angle)
    assert _table_texts(extract_pdf(turned, "r.pdf")) == _table_texts(extract_pdf(data, "o.pdf"))


def test_content_drawn_sideways() -> None:
    """A landscape scan-like page whose text is drawn rotated by the content matrix (no /Rotate)."""
    data = PDFS["hongze-district-2024"].read_bytes()
    got = extract_pdf(sideways(data), "s.pdf")
    assert _table_texts(got) == _table_texts(extract_pdf(data, "o.pdf"))


# ---------------------------------------------------------------- bad input


def test_encrypted_pdf_is_refused() -> None:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(PDFS["hongze-district-2024"].read_bytes()))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(InputError, match="encrypted PDF") as e:
        extract_pdf(out.getvalue(), "locked.pdf")
    assert e.value.file == "locked.pdf"


def test_owner_password_only_opens() -> None:
    """Permissions-only encryption (empty user password) is what most government PDFs carry."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(PDFS["hongze-district-2024"].read_bytes()))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    doc = extract_pdf(out.getvalue(), "restricted.pdf")
    assert row_with(doc, "1.属于国家秘密")[-7:] == ["0"] * 7


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.999])
def test_truncated_pdf_is_refused(keep: float) -> None:
    data = PDFS["huaian-city-2024"].read_bytes()
    with pytest.raises(InputError, match="truncated PDF"):
        extract_pdf(data[: int(len(data) * keep)], "cut.pdf")


def test_a_web_page_after_the_end_of_a_whole_pdf_is_ignored_with_a_warning() -> None:
    """What some CMSs serve: a complete PDF, then their own HTML (here 8.7 KB of it)."""
    data = PDFS["huaian-city-2024"].read_bytes()
    page = (b"<!DOCTYPE html><html><head><script>var t=1;</script></head><body>" + b"<div>x</div>" * 700
            + b"</body></html>")
    assert len(page) > 8192
    doc = extract_pdf(data + page, "served.pdf")
    clean = extract_pdf(data, "clean.pdf")
    assert [b.text for b in doc.blocks if hasattr(b, "text")] == [b.text for b in clean.blocks if hasattr(b, "text")]
    assert any(f"{len(page)} bytes of a web page after the end of the PDF" in w for w in doc.warnings)
    # An update cut short after a first %%EOF is still a truncated file, not a warning.
    with pytest.raises(InputError, match="truncated PDF"):
        extract_pdf(data + b"\n12 0 obj\n<< /Type /Page >>\nendobj\nxref\n0 1\n", "updated.pdf")


def test_garbage_with_pdf_header_is_refused() -> None:
    with pytest.raises(InputError, match="malformed PDF"):
        extract_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", "junk.pdf")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=0, max_size=3000))
def test_arbitrary_bytes_never_escape_as_other_errors(blob: bytes) -> None:
    try:
        doc = extract_pdf(b"%PDF-1.4\n" + blob + b"\n%%EOF", "fuzz.pdf")
    except InputError as e:
        assert e.file == "fuzz.pdf" and e.reason
        return
    assert isinstance(doc, Document)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=240_000), st.binary(min_size=1, max_size=64))
def test_corrupted_real_pdf_reads_or_fails_cleanly(offset: int, junk: bytes) -> None:
    data = bytearray(PDFS["hongze-district-2024"].read_bytes())
    offset = min(offset, len(data) - 1)
    data[offset:offset + len(junk)] = junk
    try:
        doc = extract_pdf(bytes(data), "damaged.pdf")
    except InputError:
        return
    assert isinstance(doc, Document)


def _image_only_pdf() -> bytes:
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(PDFS["hongze-district-2024"].read_bytes())[2]
    image = page.render(scale=100 / 72).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=100)
    return out.getvalue()


def test_scanned_pdf_without_ocr_extra_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # the OCR extra is installed in the test environment; this is the answer users without it get
    monkeypatch.setattr(pdf_mod, "ocr_available", lambda: False)
    with pytest.raises(InputError) as e:
        extract_pdf(_image_only_pdf(), "scan.pdf")
    assert e.value.reason == "scanned PDF (no text layer): install the OCR extra: pip install 'xxgk[ocr]'"


# ---------------------------------------------------------------- layout geometry


def _g(text: str, x0: float, top: float, x1: float | None = None, size: float = 10.0) -> Glyph:
    return Glyph(text, x0, top, x1 if x1 is not None else x0 + size, top + size, size)


def test_thin_letter_spacing_keeps_one_number_and_columns_stay_apart() -> None:
    # "3119" printed with 2-point letter-spacing, then two more columns 30 points apart
    digits = [_g(ch, 100 + i * 7.5, 50, 100 + i * 7.5 + 5.5) for i, ch in enumerate("3119")]
    line = [*digits, _g("0", 160, 50, 165.5), _g("7", 200, 50, 205.5)]
    assert line_text(line) == "3119 0 7"


def test_spaced_out_cjk_heading_is_one_word_but_label_and_number_are_two() -> None:
    line = [_g("商", 0, 0), _g("业", 15, 0), _g("企", 30, 0), _g("业", 45, 0), _g("3", 90, 0, 95.5)]
    assert line_text(line) == "商业企业 3"


def test_vertical_label_one_character_per_line_joins() -> None:
    glyphs = [_g(ch, 20, 100 + 14 * i) for i, ch in enumerate("三、本年度办理结果")]
    assert len(group_lines(glyphs)) == 9
    assert cell_text(glyphs) == "三、本年度办理结果"


def test_small_punctuation_stays_on_its_line() -> None:
    # "、" and "." have short boxes low in the line: they must not start a line of their own
    glyphs = [_g("1", 0, 0), Glyph(".", 10, 7, 12, 9, 10), _g("属", 13, 0), _g("于", 23, 0)]
    assert [line_text(line) for line in group_lines(glyphs)] == ["1.属于"]


def _rulings_for(xs: list[float], ys: list[float], merged: set[tuple[int, int, str]]) -> list[Segment]:
    """Rulings of a grid; `merged` names unit borders left undrawn: (row, col, 'r'|'b')."""
    segs = []
    for r in range(len(ys) - 1):
        for c in range(len(xs) - 1):
            if c == 0:
                segs.append(Segment(xs[0], ys[r], xs[0], ys[r + 1]))
            if r == 0:
                segs.append(Segment(xs[c], ys[0], xs[c + 1], ys[0]))
            if (r, c, "r") not in merged or c == len(xs) - 2:
                segs.append(Segment(xs[c + 1], ys[r], xs[c + 1], ys[r + 1]))
            if (r, c, "b") not in merged or r == len(ys) - 2:
                segs.append(Segment(xs[c], ys[r + 1], xs[c + 1], ys[r + 1]))
    return segs


def test_grid_with_spans() -> None:
    xs, ys = [0.0, 50, 100, 150], [0.0, 20, 40, 60]
    # a cell spanning the first column's three rows, and one spanning two columns in row 0
    merged = {(0, 0, "b"), (1, 0, "b"), (0, 1, "r")}
    (grid,) = find_grids(_rulings_for(xs, ys, merged), Units())
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in grid.cells}
    assert spans == {(0, 0): (3, 1), (0, 1): (1, 2), (1, 1): (1, 1), (1, 2): (1, 1), (2, 1): (1, 1), (2, 2): (1, 1)}
    assert grid.cell_at(10, 55) == grid.cell_at(10, 5)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.integers(2, 6), st.data())
def test_grid_recovers_any_rectangular_cells(n_rows: int, n_cols: int, data: st.DataObject) -> None:
    xs = [0.0]
    for _ in range(n_cols):
        xs.append(xs[-1] + data.draw(st.integers(12, 80)))
    ys = [0.0]
    for _ in range(n_rows):
        ys.append(ys[-1] + data.draw(st.integers(12, 40)))
    # merge whole rows of units pairwise horizontally to keep every cell a rectangle
    merge_right = data.draw(st.sets(st.integers(0, n_cols - 2), max_size=n_cols - 2))
    merged = {(r, c, "r") for r in range(n_rows) for c in merge_right}
    # drawn pieces may be split and jittered by half a point, as real PDFs are
    segs = []
    for s in _rulings_for(xs, ys, merged):
        jitter = data.draw(st.sampled_from([-0.5, 0.0, 0.5]))
        segs.append(Segment(s.x0 + jitter, s.y0, s.x1 + jitter, s.y1) if s.x0 == s.x1
                    else Segment(s.x0, s.y0 + jitter, s.x1, s.y1 + jitter))
    (grid,) = find_grids(segs, Units())
    bounds = [x for i, x in enumerate(xs) if i - 1 not in merge_right or i == len(xs) - 1]
    assert len(grid.cells) == n_rows * (len(bounds) - 1)
    assert all(c.rowspan == 1 for c in grid.cells)
    for c in grid.cells:
        x0, top, x1, bottom = c.box
        assert abs(x0 - bounds[c.col]) <= 1 and abs(x1 - bounds[c.col + c.colspan]) <= 1
        assert abs(top - ys[c.row]) <= 1 and abs(bottom - ys[c.row + 1]) <= 1


def test_a_frame_round_a_paragraph_is_not_a_table() -> None:
    box = [Segment(0, 0, 100, 0), Segment(0, 50, 100, 50), Segment(0, 0, 0, 50), Segment(100, 0, 100, 50)]
    assert find_grids(box, Units()) == []


def test_separate_tables_on_one_page_are_separate_grids_in_reading_order() -> None:
    """Rulings group by touching: two tables (one below the other, one beside it) and a stray
    underline give two grids, top to bottom, and the underline is no table."""
    lower = _rulings_for([0.0, 50, 100], [200.0, 220, 240], set())
    upper = _rulings_for([0.0, 40, 80, 120], [0.0, 20, 40], set())
    underline = [Segment(300, 100, 400, 100)]
    grids = find_grids([*lower, *underline, *upper], Units())
    assert [(len(g.xs), len(g.ys), g.ys[0]) for g in grids] == [(4, 3, 0.0), (3, 3, 200.0)]
    assert [len(g.cells) for g in grids] == [6, 4]


def test_glyphs_land_in_the_cell_of_their_centre_including_spanning_cells() -> None:
    from xxgk.extract.layout import assign

    xs, ys = [0.0, 50, 100, 150], [0.0, 20, 40, 60]
    (grid,) = find_grids(_rulings_for(xs, ys, {(0, 0, "b"), (1, 0, "b"), (0, 1, "r")}), Units())
    inside_span = _g("合", 20, 45)  # lower part of the first column's three-row cell
    wide = _g("计", 110, 5)  # right half of the two-column cell of row 0
    plain = _g("7", 120, 45)
    outside = _g("注", 20, 80)
    (per_cell,), rest = assign([inside_span, wide, plain, outside], [grid])
    where = {g.text: (grid.cells[k].row, grid.cells[k].col) for k, cell in enumerate(per_cell) for g in cell}
    assert where == {"合": (0, 0), "计": (0, 1), "7": (2, 2)}
    assert rest == [outside]


def test_median_is_numpys() -> None:
    import numpy as np

    for values in ([3.0], [2.0, 1.0], [5.0, 1.0, 4.0, 2.0], [0.1, 0.7, 0.2, 0.9, 0.3, 0.35]):
        assert pdf_mod._median(values) == float(np.median(values))


def test_character_classes_beyond_the_basic_plane() -> None:
    """Lookup tables cover the Basic Multilingual Plane; rarer code points (CJK extension B
    ideographs in names of places) are asked of Python itself: 0x1FFFF is no PDFium non-character."""
    import numpy as np

    codes = np.array([ord("一"), ord(" "), 0x20000, ord("\u3000"), ord("\n"), 0x1FFFF, 0xFFFF], dtype=np.int64)
    assert pdf_mod._classes(codes, pdf_mod._IS_SPACE, str.isspace).tolist() == [False, True, False, True, True,
                                                                                 False, False]
    never = pdf_mod._never
    assert pdf_mod._classes(codes, pdf_mod._IS_SKIPPED, never).tolist() == [False, False, False, False, True,
                                                                            False, True]


def test_page_text_from_one_call_is_pdfiums_text(case: tuple) -> None:
    """The text counted for repeated reports comes from the same buffer as the characters; it is
    PDFium's own text of the page."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    _, data, _, _ = case
    pdf = pdfium.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            textpage = pdf[i].get_textpage()
            _, text = pdf_mod._codes(textpage.raw, pdfium_c.FPDFText_CountChars(textpage.raw))
            assert text == textpage.get_text_range()
    finally:
        pdf.close()


def test_text_layer_warnings_for_mixed_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """A report whose table page is a scan, read without the OCR extra: the text pages are
    read and the document says which pages were skipped."""
    monkeypatch.setattr(pdf_mod, "ocr_available", lambda: False)
    text_pdf = pypdf.PdfReader(PDFS["hongze-district-2024"])
    scan_pdf = pypdf.PdfReader(io.BytesIO(_image_only_pdf()))
    writer = pypdf.PdfWriter()
    writer.add_page(text_pdf.pages[0])
    writer.add_page(scan_pdf.pages[0])
    out = io.BytesIO()
    writer.write(out)
    doc = extract_pdf(out.getvalue(), "mixed.pdf")
    assert any("pages 2 have no text layer" in w for w in doc.warnings)
    assert any(isinstance(b, Paragraph) and "淮安市洪泽区人民政府" in b.text for b in doc.blocks)
    assert not any(isinstance(b, Table) for b in doc.blocks)


# ---------------------------------------------------------------- end to end, through the parser


def test_every_cell_of_the_truth_through_xxgk_read(case: tuple) -> None:
    import xxgk

    name, _, _, truth = case
    got = xxgk.read(PDFS[name]).to_dict()
    wrong = [f"{t}.{r}.{c}: {got[t].get(r, {}).get(c)!r} != {v!r}"
             for t in ("active", "applications", "appeals")
             for r, cols in truth[t].items() for c, v in cols.items()
             if got[t].get(r, {}).get(c) != v]
    assert wrong == []
    assert got["meta"]["year"] == truth["meta"]["year"]
    assert got["meta"]["template"] == truth["meta"]["template"]
    assert truth["meta"]["agency_contains"] in got["meta"]["agency"]
    # every read cell says on which page it was printed
    locs = [c["loc"] for c in got["cells"].values() if c["status"] == "read"]
    assert locs and all(re.match(r"p\d+", loc) for loc in locs)


def test_unruled_tables_read_as_lines_and_parse_fully(case: tuple) -> None:
    """Without rulings there is no grid: each visual line is "label numbers…" in reading order
    (the Paragraph contract), and the parser still places every value of the truth."""
    from xxgk.api import parse_document

    name, data, _, truth = case
    doc = extract_pdf(without_rulings(data), f"{name}-unruled.pdf")
    assert not list(doc.tables())
    lines = [p.text for p in doc.paragraphs()]
    if name == "huaian-city-2024":
        assert "1.属于国家秘密 2 0 0 0 0 0 2" in lines
        assert "72 64 178 37 351 13 4 8 1 26 12 1 1 6 20" in lines
    got = parse_document(doc, check=False).to_dict()
    wrong = [f"{t}.{r}.{c}" for t in ("active", "applications", "appeals")
             for r, cols in truth[t].items() for c, v in cols.items() if got[t].get(r, {}).get(c) != v]
    assert wrong == []


def test_title_in_large_type_over_two_lines_is_one_paragraph(case: tuple) -> None:
    name, _, doc, _ = case
    first = next(doc.paragraphs())
    agency = {"huaian-city-2024": "淮安市人民政府", "hongze-district-2024": "淮安市洪泽区人民政府"}[name]
    assert first.text == f"{agency}2024年政府信息公开工作年度报告"
    # body text in ordinary type stays one paragraph per printed line
    assert next(p for p in doc.paragraphs() if p.text.startswith("本报告由")).text.endswith(("政府", "和"))


# ---------------------------------------------------------------- the array path equals the glyph-by-glyph path

_LETTERS = "一二三四五六七八九十〇、，。（）1234567890.abcXYZ "


@pytest.mark.parametrize("native", [True, False], ids=["c-loops", "python-loops"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_glyph_run_reads_as_its_plain_list(native: bool, data: st.DataObject) -> None:
    """The PDF reader's GlyphRun (arrays) goes through `assign` in array passes (its line bands
    in C when built, else in Python); the same glyphs as a plain list go glyph by glyph through
    group_lines and line_text: every cell's text, every line and its text, and the glyphs
    outside the grids must be the same, on crowded pages (glyphs of every height, overlapping
    lines, spaces, cells of any size)."""
    import numpy as np

    from xxgk.extract import speedups
    from xxgk.extract.layout import GlyphRun, assign, line_box, line_em, min_confidence

    with speedups.use_native(native):
        n = data.draw(st.integers(0, 120))
        coord = st.floats(0, 200, allow_nan=False, allow_infinity=False)
        chars = data.draw(st.lists(st.sampled_from(_LETTERS), min_size=n, max_size=n))
        x0 = np.array(data.draw(st.lists(coord, min_size=n, max_size=n)), dtype=np.float64)
        top = np.array(data.draw(st.lists(coord, min_size=n, max_size=n)), dtype=np.float64)
        width = np.array(data.draw(st.lists(st.floats(0.5, 15), min_size=n, max_size=n)), dtype=np.float64)
        height = np.array(data.draw(st.lists(st.sampled_from([2.0, 6.0, 9.5, 10.0, 10.5, 14.0, 30.0]),
                                             min_size=n, max_size=n)), dtype=np.float64)
        codes = np.array([ord(c) for c in chars], dtype=np.int64)
        space = codes == 32
        run = GlyphRun.of(codes, x0, top, x0 + width, top + height, np.maximum(height, 1.0), space)
        plain = list(run)
        lines = sorted({0.0, 200.0, *data.draw(st.lists(st.sampled_from([25.0, 50.0, 80.0, 120.0, 160.0]), max_size=4))})
        grids = find_grids(_rulings_for(lines, lines, set()), Units()) if data.draw(st.booleans()) else []
        got_cells, got_out = assign(run, grids)
        want_cells, want_out = assign(plain, grids)
        assert [[cell_text(c) for c in g] for g in got_cells] == [[cell_text(c) for c in g] for g in want_cells]
        assert [[list(c) for c in g] for g in got_cells] == [[list(c) for c in g] for g in want_cells]
        assert list(got_out) == list(want_out)
        got_lines, want_lines = group_lines(got_out), group_lines(want_out)
        assert [list(line) for line in got_lines] == [list(line) for line in want_lines]
        assert [line_text(line) for line in got_lines] == [line_text(line) for line in want_lines]
        assert all(min_confidence(line) is None for line in got_lines)
        assert [line_box(line) for line in got_lines] == [line_box(list(line)) for line in want_lines]
        assert [line_em(line) for line in got_lines] == [line_em(list(line)) for line in want_lines]
