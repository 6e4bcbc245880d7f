"""The OCR path: scanned pages made here by rasterising the corpus PDFs (tests/data/pdf/)."""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra is not installed")

import pypdfium2 as pdfium
from PIL import Image

import xxgk
from xxgk.document import Document, Table
from xxgk.errors import InputError
from xxgk.extract import extract_bytes
from xxgk.extract.ocr import extract_image
from xxgk.extract.pdf import extract_pdf
from xxgk.i18n import use_lang

DATA = Path(__file__).parent / "data"
HUAIAN = DATA / "pdf" / "huaian-city-2024.pdf"
HONGZE = DATA / "pdf" / "hongze-district-2024.pdf"
DPI = 150


def render(path: Path, page: int, dpi: int = DPI) -> Image.Image:
    return pdfium.PdfDocument(path.read_bytes())[page - 1].render(scale=dpi / 72).to_pil().convert("RGB")


def png(image: Image.Image, dpi: int = DPI) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def row_cells(doc: Document, label: str):
    for t in doc.tables():
        for row in t.rows():
            if any(label in c.text for c in row):
                return row
    raise AssertionError(f"no table row carries {label!r}")


@pytest.fixture(scope="module")
def page4_image() -> Image.Image:
    return render(HUAIAN, 4)


@pytest.fixture(scope="module")
def page4(page4_image: Image.Image) -> Document:
    return extract_image(png(page4_image), "huaian-p4.png")


def test_scanned_page_recovers_a_table_row(page4: Document) -> None:
    row = row_cells(page4, "1.属于国家秘密")
    numbers = row[-7:]
    assert [c.text for c in numbers] == ["2", "0", "0", "0", "0", "0", "2"]
    for c in numbers:
        assert c.confidence is not None and c.confidence >= 0.8, c
        assert c.loc is not None and c.loc.page == 1 and c.loc.box is not None
    assert page4.kind == "image"


def test_scanned_page_cells_match_the_text_layer(page4: Document) -> None:
    """Every number the text layer prints on that page, OCR reads at the same grid position."""
    reference = extract_pdf(HUAIAN.read_bytes(), "huaian.pdf")
    ref_rows = {tuple(c.text for c in row[-7:]) for t in reference.tables() for row in t.rows()}
    got_rows = [tuple(c.text for c in row[-7:]) for t in page4.tables() for row in t.rows()]
    numeric = [r for r in got_rows if len(r) == 7 and all(x.isdigit() for x in r)]
    assert len(numeric) >= 13  # 一、二、（一）…（四）1 are on page 4
    assert all(r in ref_rows for r in numeric)


def test_isolated_zero_in_a_wide_cell_is_read(page4: Document) -> None:
    # whole-page text detection misses a lone "0" in a wide cell; reading by grid cell must not
    row = row_cells(page4, "二、上年结转")
    assert [c.text for c in row[-7:]] == ["34", "0", "0", "0", "0", "0", "34"]


def test_a_smudged_digit_is_not_trusted(page4_image: Image.Image, page4: Document) -> None:
    """Scratch out most of one digit: whatever the engine reads there, it must not come back as
    a confident clean number."""
    target = row_cells(page4, "1.属于国家秘密")[-7]
    x0, top, x1, bottom = (v * DPI / 72 for v in target.loc.box)
    img = np.array(page4_image)
    cy, cx = int((top + bottom) / 2), int((x0 + x1) / 2)
    rng = np.random.default_rng(7)
    patch = img[cy - 9:cy + 9, cx - 9:cx + 9]
    patch[:] = rng.integers(0, 256, patch.shape[:2], dtype=np.uint8)[..., None]
    doc = extract_image(png(Image.fromarray(img)), "smudged.png")
    cell = row_cells(doc, "1.属于国家秘密")[-7]
    assert not (cell.text.isdigit() and cell.confidence is not None and cell.confidence >= 0.8), cell


def test_blank_cells_of_an_ocr_table_carry_confidence(page4: Document) -> None:
    table = next(t for t in page4.tables() if any("本年新收" in c.text for c in t.cells))
    assert all(c.confidence is not None for c in table.cells)


def test_scanned_pdf_goes_through_ocr_and_parses_every_cell() -> None:
    """The whole Hongze report as an image-only PDF (what a scanner produces): every cell of the
    hand-checked truth comes back through OCR, the parser and the checker."""
    pdf = pdfium.PdfDocument(HONGZE.read_bytes())
    images = [pdf[i].render(scale=DPI / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=DPI, save_all=True, append_images=images[1:])
    report = xxgk.read_bytes(out.getvalue(), "hongze-scan.pdf")
    got = report.to_dict()
    truth = json.loads((DATA / "expected" / "hongze-district-2024.json").read_text(encoding="utf-8"))
    wrong = [f"{t}.{r}.{c}: {got[t].get(r, {}).get(c)!r} != {v!r}"
             for t in ("active", "applications", "appeals")
             for r, cols in truth[t].items() for c, v in cols.items()
             if got[t].get(r, {}).get(c) != v]
    assert wrong == []
    assert got["source"]["kind"] == "scan" and got["source"]["pages"] == 5
    assert got["meta"]["year"] == 2024 and "洪泽区" in got["meta"]["agency"]
    assert got["cells"]["applications.granted.total"]["loc"].startswith("p3")


def test_rotated_scan_pdf_page_is_read_upright() -> None:
    """A scanner that stored the page sideways and set /Rotate to show it upright."""
    image = render(HUAIAN, 5).rotate(90, expand=True)  # stored turned anticlockwise
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=DPI)
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    writer = pypdf.PdfWriter()
    writer.add_page(reader.pages[0])
    writer.pages[0].rotate(90)  # shown turned back clockwise
    fixed = io.BytesIO()
    writer.write(fixed)
    doc = extract_pdf(fixed.getvalue(), "sideways-scan.pdf")
    row = row_cells(doc, "3.补正后申请内容仍不明确")
    assert [c.text for c in row[-7:]] == ["1", "0", "0", "0", "0", "0", "1"]


def test_blank_page_gives_an_empty_document() -> None:
    doc = extract_image(png(Image.new("RGB", (1240, 1754), "white")), "blank.png")
    assert doc.blocks == [] and doc.pages == 1


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
    b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4,
])
def test_unreadable_image_is_refused(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XXGK_LANG", raising=False)
    with pytest.raises(InputError, match="不是可读取的图像") as e:  # Chinese by default
        extract_bytes(data, "photo.png")
    assert e.value.file == "photo.png"
    with use_lang("en"), pytest.raises(InputError, match="not a readable image"):
        extract_bytes(data, "photo.png")


def test_truncated_png_is_refused(page4_image: Image.Image) -> None:
    data = png(page4_image.resize((400, 566)))
    with pytest.raises(InputError):
        extract_image(data[: len(data) // 2], "cut.png")


def test_only_tables_carry_cells(page4: Document) -> None:
    assert any(isinstance(b, Table) for b in page4.blocks)
    assert all(isinstance(c.text, str) for t in page4.tables() for c in t.cells)


def test_table_pasted_as_a_picture_into_a_text_page() -> None:
    """A text page with the 行政复议/诉讼 table pasted in as a screenshot: the prose comes from the
    text layer, the table from OCR of the picture, in reading order."""
    import pypdf

    reference = extract_pdf(HONGZE.read_bytes(), "hongze.pdf")
    appeals = next(t for t in reference.tables() if any("复议后起诉" in c.text for c in t.cells))
    x0, top, x1, bottom = appeals.loc.box
    k = DPI / 72
    shot = render(HONGZE, appeals.loc.page).crop((int(x0 * k) - 4, int(top * k) - 4, int(x1 * k) + 4, int(bottom * k) + 4))
    pic = io.BytesIO()
    shot.save(pic, format="PDF", resolution=DPI)
    picture_page = pypdf.PdfReader(io.BytesIO(pic.getvalue())).pages[0]
    writer = pypdf.PdfWriter()
    writer.add_page(pypdf.PdfReader(HONGZE).pages[4])  # page 5: four paragraphs at the top
    writer.pages[0].merge_transformed_page(picture_page, pypdf.Transformation().translate(tx=x0, ty=120))
    out = io.BytesIO()
    writer.write(out)

    doc = extract_pdf(out.getvalue(), "pasted.pdf")
    assert any("图片已用 OCR 识别" in w for w in doc.warnings)  # Chinese by default
    (table,) = list(doc.tables())
    numbers = [c.text for row in table.rows() for c in row if c.text.isdigit()]
    assert numbers == ["1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3"]
    assert all(c.confidence is not None for c in table.cells)
    paragraphs = [b for b in doc.blocks if not isinstance(b, Table)]
    assert any("六、其他需要报告的事项" in p.text for p in paragraphs)
    # the picture sits below the prose: the table comes last
    assert doc.blocks[-1] is table


# ---------------------------------------------------------------- scanner faults


def dusty(image: Image.Image, seed: int, grain: float = 9.0, specks: float = 0.0004) -> Image.Image:
    """Scanner grain (Gaussian noise) and dust (single dark pixels), as the generator makes them."""
    rng = np.random.default_rng(seed)
    a = np.asarray(image.convert("L"), dtype=np.int16)
    a = a + rng.normal(0, grain, a.shape).astype(np.int16)
    n = int(a.size * specks)
    a[rng.integers(0, a.shape[0], n), rng.integers(0, a.shape[1], n)] = rng.integers(0, 90, n)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L").convert("RGB")


@pytest.mark.parametrize("angle", [-2.0, -0.7, 0.4, 1.3])
def test_skew_angle_finds_the_turn_that_levels_the_page(page4_image: Image.Image, angle: float) -> None:
    import cv2

    from xxgk.extract.ocr import skew_angle

    turned = np.asarray(page4_image.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255))
    ink = cv2.threshold(turned, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    assert skew_angle(ink) == pytest.approx(-angle, abs=0.1)


def test_level_page_is_not_turned(page4_image: Image.Image) -> None:
    import cv2

    from xxgk.extract.ocr import skew_angle

    ink = cv2.threshold(np.asarray(page4_image.convert("L")), 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    assert skew_angle(ink) == 0.0
    assert skew_angle(np.zeros((200, 300), np.uint8)) == 0.0  # a blank page


def test_page_fed_askew_reads_the_same_cells(page4_image: Image.Image, page4: Document) -> None:
    """A degree of tilt moves a ruling 20 px across the table; without levelling, rows split."""
    turned = page4_image.rotate(1.0, resample=Image.Resampling.BICUBIC, fillcolor="white")
    doc = extract_image(png(turned), "askew.png")
    for label in ("1.属于国家秘密", "二、上年结转", "8.属于行政查询事项"):
        assert [c.text for c in row_cells(doc, label)[-7:]] == [c.text for c in row_cells(page4, label)[-7:]]


def test_dust_and_grain_do_not_reach_the_numbers(page4_image: Image.Image) -> None:
    """Grain costs the recogniser confidence and a speck beside a "0" reads as "0."; both are
    cleaned before recognition. The decimal point of 96171.6 is not dust: it sits between digits."""
    doc = extract_image(png(dusty(page4_image, seed=3)), "dusty.png")
    assert [c.text for c in row_cells(doc, "二、上年结转")[-7:]] == ["34", "0", "0", "0", "0", "0", "34"]
    assert [c.text for c in row_cells(doc, "1.属于国家秘密")[-7:]] == ["2", "0", "0", "0", "0", "0", "2"]
    assert row_cells(doc, "行政事业性收费")[-1].text == "96171.6"


def test_specks_are_told_from_decimal_points() -> None:
    from xxgk.extract.ocr import _isolated_specks

    ink = np.zeros((40, 90), np.uint8)
    ink[10:25, 5:15] = 255  # a digit
    ink[10:25, 21:31] = 255  # another digit
    ink[24, 18] = 255  # a decimal point between them
    ink[24, 34] = 255  # a speck just right of the second digit, nothing beyond it
    ink[3, 70] = 255  # a speck on blank paper
    ink[30:32, 60] = 255  # two pixels, as small
    specks = _isolated_specks(ink, 150 / 72)
    assert not specks[24, 18]
    assert specks[24, 34] and specks[3, 70] and specks[30, 60] and specks[31, 60]
    assert not specks[10:25, 5:31].any()  # the digits themselves


def test_faint_strokes_survive_the_cleaning() -> None:
    """Paper goes white, ink stays, and a light stroke that Otsu's threshold missed is kept."""
    import cv2

    from xxgk.extract.ocr import _binarised, _clean_background

    rng = np.random.default_rng(1)
    page = np.clip(235 + rng.normal(0, 6, (60, 200)), 0, 255).astype(np.uint8)
    page[20:30, 20:80] = 20  # ink
    page[45, 120:180] = 170  # a faint hairline, lighter than the threshold
    rgb = cv2.cvtColor(page, cv2.COLOR_GRAY2RGB)
    clean = _clean_background(rgb, _binarised(rgb))
    assert (clean[20:30, 20:80] == 20).all()
    assert (clean[45, 120:180] == 170).all()
    assert (clean[5:15, 100:200] == 255).all()  # grain on blank paper is gone


def test_one_line_row_between_full_width_rows_keeps_its_columns() -> None:
    """A row like 规范性文件 | 0 | 0 | 20 between two full-width rows: its column rules are no
    taller than a character. They join the horizontal rules at both ends; a stroke does not."""
    from xxgk.extract.ocr import _rulings

    ink = np.zeros((1754, 1240), np.uint8)
    for y in (200, 228, 256):
        ink[y:y + 2, 150:1080] = 255  # horizontal rules
    ink[200:258, 150:152] = 255  # the table's outer border
    ink[200:258, 1078:1080] = 255
    for x in (360, 600, 840):
        ink[228:258, x:x + 2] = 255  # the one-line row's column rules
    ink[231:254, 480:482] = 255  # a tall stroke of a character inside the row, clear of the rules
    _, _, segments = _rulings(ink)
    columns = sorted(round(s.x0) for s in segments if s.x0 == s.x1)
    assert columns == [151, 361, 601, 841, 1079]


def test_page_slices_cut_a_long_screenshot_between_pages() -> None:
    from xxgk.extract.ocr import page_slices

    page = np.full((1754, 1240, 3), 255, np.uint8)
    page[150:1600:40, 150:1100] = 0  # lines of "text" down the page, margins above and below
    assert page_slices(page) == [(0, 1754)]
    three = np.concatenate([page, page, page])
    cuts = page_slices(three)
    assert [(a, b) for a, b in cuts] == [(0, cuts[0][1]), (cuts[0][1], cuts[1][1]), (cuts[1][1], 3 * 1754)]
    for _, bottom in cuts[:-1]:
        assert not (three[bottom - 3:bottom + 3] < 128).any()  # cut on blank paper
        assert abs(bottom % 1754) < 160 or abs(bottom % 1754 - 1754) < 160  # in the margins


def test_long_screenshot_reads_like_its_pages(page4: Document) -> None:
    """Two pages posted as one tall PNG: read in page-sized slices, not shrunk to fit."""
    tall = Image.new("RGB", (1240, 2 * 1754), "white")
    tall.paste(render(HUAIAN, 3), (0, 0))
    tall.paste(render(HUAIAN, 4), (0, 1754))
    doc = extract_image(png(tall), "screenshot.png")
    assert doc.pages == 2
    for label in ("1.属于国家秘密", "二、上年结转"):
        assert [c.text for c in row_cells(doc, label)[-7:]] == [c.text for c in row_cells(page4, label)[-7:]]


def test_a_dpi_tag_the_pixels_do_not_bear_out_is_ignored(page4_image: Image.Image, page4: Document) -> None:
    """A 150-dpi picture still tagged 400 dpi (shrunk for the web, tag kept): believing the tag
    made a "1" look like dust and 3001 came back as a confident 300."""
    out = io.BytesIO()
    page4_image.save(out, format="PNG", dpi=(400, 400))
    doc = extract_image(out.getvalue(), "retagged.png")
    for label in ("一、本年新收", "二、上年结转", "1.属于国家秘密"):
        assert [c.text for c in row_cells(doc, label)[-7:]] == [c.text for c in row_cells(page4, label)[-7:]]


def test_page_slices_never_leave_a_sliver_and_cut_tables_on_a_ruling() -> None:
    from xxgk.extract.ocr import page_slices

    grid = np.full((900, 440, 3), 255, np.uint8)
    grid[:898:12, :] = 0  # a ruled table taller than two pages' worth of its width, no blank band
    grid[:898, ::50] = 0
    grid[897, :] = 0
    slices = page_slices(grid)
    assert slices[0][0] == 0 and slices[-1][1] == 900
    assert all(b - a > 100 for a, b in slices)
    for (_, bottom), (top, _) in itertools.pairwise(slices):
        assert top < bottom  # the ruling at the cut belongs to both slices
        assert (grid[top:bottom, :, 0] == 0).all()  # and the overlap is that ruling, nothing else
    extract_image(png(Image.fromarray(grid)), "grid.png")  # reads without an error


def test_a_red_seal_over_a_table_invents_no_columns(page4_image: Image.Image, page4: Document) -> None:
    """The arcs of a seal's ring are long and straight enough to pass for rulings."""
    import cv2

    img = np.asarray(page4_image).copy()
    seal = np.zeros(img.shape[:2], np.uint8)
    cv2.circle(seal, (1000, 900), 118, 255, 6)
    red = np.array([215, 35, 40], np.float32)
    stamped = np.where((seal > 0)[..., None], img.astype(np.float32) * red / 255.0, img).astype(np.uint8)
    doc = extract_image(png(Image.fromarray(stamped)), "sealed.png")
    shape = [len(row) for t in doc.tables() for row in t.rows()]
    assert shape == [len(row) for t in page4.tables() for row in t.rows()]
