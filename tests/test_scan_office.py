"""Scans as offices make them: grey JPEG pages, turned, askew, stamped, tables over page breaks.

Real text-layer reports (tests/data/pdf/) are rasterised here and must read to the same cells
as their text layer; the generator's office-like scans (xxgk.synth.render_scan) are checked
for what each distortion does to the pages; the page-level steps are tested on their own.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra is not installed")

import cv2
import pypdfium2 as pdfium
from PIL import Image

import xxgk
from xxgk.extract.layout import Glyph, PageContent, Segment, build_document
from xxgk.extract.ocr import (
    UNITS,
    _binarised,
    continued_tables,
    is_sideways,
    is_upside_down,
    lift_seals,
    skew_angle,
    without_seals,
)

DATA = Path(__file__).parent / "data"
PDFS = sorted((DATA / "pdf").glob("*.pdf"))
DPI = 150


def grey_jpeg_scan(path: Path, quality: int = 50, dpi: int = DPI) -> bytes:
    """The PDF printed and scanned: every page a grey JPEG at `dpi`, no text layer."""
    pdf = pdfium.PdfDocument(path.read_bytes())
    pages = [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(pdf))]
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=dpi, save_all=True, append_images=pages[1:], quality=quality)
    return out.getvalue()


def cells(report: xxgk.Report) -> dict[str, object]:
    return {path: cell.value for path, cell in report.cells.items()}


@pytest.mark.slow
@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_text_layer_pdf_scanned_as_grey_jpeg_reads_to_the_same_cells(path: Path) -> None:
    """The issue's closing test: a real report rasterised at 150 dpi as a grey JPEG reads to the
    same cells as its text layer, every one of them."""
    text_layer = xxgk.read_bytes(path.read_bytes(), path.name)
    scanned = xxgk.read_bytes(grey_jpeg_scan(path), path.stem + "-scan.pdf")
    assert scanned.source.kind == "scan"
    want, got = cells(text_layer), cells(scanned)
    assert sorted(got) == sorted(want)
    differ = {p: (got[p], want[p]) for p in want if got[p] != want[p]}
    assert differ == {}
    assert scanned.meta.year == text_layer.meta.year
    assert any("OCR 识别的标题" in w for w in scanned.source.warnings)


# ---------------------------------------------------------------- page-level steps


@pytest.fixture(scope="module")
def page_image() -> np.ndarray:
    """Page 4 of the Huaian report (a table page), as a 150-dpi RGB raster."""
    pdf = pdfium.PdfDocument((DATA / "pdf" / "huaian-city-2024.pdf").read_bytes())
    return np.ascontiguousarray(pdf[3].render(scale=DPI / 72, rev_byteorder=True).to_numpy()[:, :, :3])


@pytest.fixture(scope="module")
def prose_image() -> np.ndarray:
    """Page 2 of the Hongze report (prose), as a 150-dpi RGB raster."""
    pdf = pdfium.PdfDocument((DATA / "pdf" / "hongze-district-2024.pdf").read_bytes())
    return np.ascontiguousarray(pdf[1].render(scale=DPI / 72, rev_byteorder=True).to_numpy()[:, :, :3])


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
@pytest.mark.parametrize("which", ["page_image", "prose_image"])
def test_orientation_of_a_page_stored_turned(request: pytest.FixtureRequest, which: str, turn: int) -> None:
    """A sheet scanned sideways or upside down, stored as it came: how it lies is found from
    the page itself (text lines and table rulings for sideways, the line classifier for
    upside down)."""
    image = np.ascontiguousarray(np.rot90(request.getfixturevalue(which), turn // 90))
    ink = _binarised(image)
    sideways = is_sideways(ink)
    assert sideways == (turn in (90, 270))
    if sideways:
        image, ink = np.ascontiguousarray(np.rot90(image)), np.ascontiguousarray(np.rot90(ink))
    assert is_upside_down(image, ink) == (turn in (90, 180))


@pytest.mark.parametrize("angle", [-9.0, -4.5, 6.0])
def test_skew_far_beyond_a_degree_is_found(page_image: np.ndarray, angle: float) -> None:
    turned = np.asarray(Image.fromarray(page_image).convert("L").rotate(angle, resample=Image.Resampling.BICUBIC,
                                                                         fillcolor=255))
    ink = cv2.threshold(turned, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    assert skew_angle(ink) == pytest.approx(-angle, abs=0.15)


def test_a_red_seal_is_lifted_and_the_text_under_it_stays() -> None:
    page = np.full((300, 300, 3), 245, np.uint8)
    page[140:160, 40:260] = 20  # a black stroke of text
    seal = np.zeros((300, 300), np.uint8)
    cv2.circle(seal, (150, 150), 100, 255, 8)
    cv2.line(seal, (60, 100), (240, 100), 255, 5)  # one of the seal's characters
    red = np.array([205, 30, 45], np.float32) / 255
    stamped = np.where((seal > 0)[..., None], page * red, page).astype(np.uint8)
    clean = without_seals(stamped)
    ink = _binarised(clean)
    assert ink[145:155, 60:240].all()  # the text under the ring is still ink
    ring = (seal > 0) & ~np.pad(np.ones((20, 220), bool), ((140, 140), (40, 40)))
    assert not ink[ring].any()  # the seal is paper
    grey = np.full((50, 50, 3), 200, np.uint8)
    assert without_seals(grey) is grey  # a grey scan is left as it is


def test_a_seal_stroke_jpeg_washed_of_its_red_is_lifted_too() -> None:
    """JPEG keeps colour at half resolution: a thin stroke of the seal's characters keeps its
    dark grey but barely any red (160,117,131, far from any pixel redder than _RED). Inside the
    seal's disc it is seal ink all the same; grey print there stays."""
    page = np.full((300, 300, 3), 245, np.uint8)
    page[200:215, 120:180] = 20  # text inside the ring
    seal = np.zeros((300, 300), np.uint8)
    cv2.circle(seal, (150, 150), 120, 255, 6)
    red = np.array([205, 30, 45], np.float32) / 255
    stamped = np.where((seal > 0)[..., None], page * red, page).astype(np.uint8)
    stamped[100:118, 148:150] = (160, 117, 131)  # a washed stroke, 30 px inside the ring
    clean = without_seals(stamped)
    ink = _binarised(clean)
    assert not ink[100:118, 148:150].any()
    assert ink[203:212, 125:175].all()
    assert not lift_seals(np.full((50, 50, 3), 200, np.uint8))[1]


def test_a_header_alone_at_the_foot_of_a_page_is_read_with_its_rows() -> None:
    """Word leaves a table's header at the foot of a page and its rows on the next: its header
    cells (spanning the header's rows) must not swallow the first row's numbers."""
    xs = [50.0, 200.0, 300.0, 400.0]

    def grid(top: float, rows: int, height: float = 20.0) -> list[Segment]:
        bottom = top + rows * height
        segs = [Segment(xs[0], top + i * height, xs[-1], top + i * height) for i in range(rows + 1)]
        return segs + [Segment(x, top, x, bottom) for x in xs]

    def glyph(text: str, x: float, y: float) -> Glyph:
        return Glyph(text, x, y, x + 8 * len(text), y + 10, 10, confidence=0.99)

    header = PageContent(1, 595, 842, [glyph("信息内容", 60, 765), glyph("自然人", 210, 765), glyph("总计", 310, 765),
                                       glyph("二、本节", 60, 700)], grid(760, 1))
    rows = PageContent(2, 595, 842, [glyph("一、本年新收", 60, 65), glyph("3", 210, 65), glyph("3", 310, 65),
                                     glyph("二、上年结转", 60, 85), glyph("1", 210, 85), glyph("1", 310, 85)],
                       [Segment(s.x0 + 4, s.y0, s.x1 + 4, s.y1) for s in grid(60, 2)])  # levelled 4 pt apart
    pages = continued_tables([header, rows])
    doc = build_document(pages, kind="scan", file="split.pdf", units=UNITS)
    (table,) = list(doc.tables())
    assert [[c.text for c in row] for row in table.rows()] == [
        ["信息内容", "自然人", "总计"], ["一、本年新收", "3", "3"], ["二、上年结转", "1", "1"]]
    assert any("foot of p1" in note for note in pages[1].notes)


# ---------------------------------------------------------------- the generator


@pytest.mark.slow
def test_generator_distortions_do_what_they_say() -> None:
    from xxgk.synth import sample
    from xxgk.synth.render_pdf import render_pdf_many, soffice
    from xxgk.synth.render_scan import scan_of

    if soffice() is None:
        pytest.skip("LibreOffice is not installed")
    report = sample(3, 0.0)
    (pdf,) = render_pdf_many([report])
    n_pages = len(pdfium.PdfDocument(pdf.data))

    def pages(distortion: str) -> list[Image.Image]:
        scan = scan_of(report, pdf, "pdf", distortion)
        assert scan_of(report, pdf, "pdf", distortion).data == scan.data  # same seed, same pixels
        doc = pdfium.PdfDocument(scan.data)
        assert all(not doc[i].get_textpage().get_text_range().strip() for i in range(len(doc)))  # no text layer
        return [doc[i].render(scale=1.0).to_pil() for i in range(len(doc))]

    office = pages("office")
    assert len(office) == n_pages
    assert all(np.ptp(np.asarray(p.convert("RGB")).astype(int)[..., :3], axis=2).max() <= 12 for p in office)  # grey
    turned = pages("turned")
    assert any(p.width > p.height for p in turned)  # a page stored sideways
    assert len(pages("page-break")) == n_pages + 1
    assert len(pages("repeated-header")) == n_pages + 1
    sealed = [np.asarray(p.convert("RGB")).astype(int) for p in pages("seal")]
    assert any(((a[..., 0] - np.maximum(a[..., 1], a[..., 2])) > 60).sum() > 500 for a in sealed)  # red ink
    import pypdf

    def pixels(distortion: str) -> int:
        reader = pypdf.PdfReader(io.BytesIO(scan_of(report, pdf, "pdf", distortion).data))
        return reader.pages[0].images[0].image.width

    assert pixels("office") == pytest.approx(1240, abs=2)  # A4 at 150 dpi
    assert pixels("dpi200") == pytest.approx(1654, abs=2)  # the same sheet at 200 dpi


# ---------------------------------------------------------------- reading cells


def _digit(text: str, shift: float = 0.0, blur: float = 0.7) -> np.ndarray:
    """A printed number as a scanner shows it: grey, blurred, at 150 dpi (about 17 px high)."""
    from PIL import ImageDraw, ImageFilter, ImageFont

    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 22)
    except OSError:
        pytest.skip("no TrueType font to draw digits with")
    image = Image.new("L", (80, 30), 255)
    ImageDraw.Draw(image).text((6 + shift, 2), text, font=font, fill=20)
    grey = np.asarray(image.filter(ImageFilter.GaussianBlur(blur)))
    rows, cols = np.flatnonzero((grey < 150).any(axis=1)), np.flatnonzero((grey < 150).any(axis=0))
    pad = 4  # as the cell crops are cut: the ink and a quarter of its height around it
    cut = grey[rows[0] - pad:rows[-1] + 1 + pad, cols[0] - pad:cols[-1] + 1 + pad]
    return np.ascontiguousarray(np.dstack([cut] * 3))


def test_cells_printed_alike_are_told_from_other_numbers() -> None:
    """One print of "0" read once for a hundred cells must never stand for a "6", "8" or "9";
    numbers of several digits (where one differing digit is a small share) are never merged."""
    from xxgk.extract.ocr import _ink_shape, _same_print

    zero = _ink_shape(_digit("0"))
    assert zero is not None
    assert _same_print(zero, _ink_shape(_digit("0", shift=0.5, blur=0.8)))
    for other in "123456789":
        assert not _same_print(zero, _ink_shape(_digit(other, blur=0.8))), other
    assert _ink_shape(_digit("16")) is None  # read on its own
    assert _ink_shape(_digit("1234")) is None


def test_alike_cells_read_once_give_every_cell_its_reading() -> None:
    from xxgk.extract.ocr import _recognise, _recognise_alike

    images = [_digit("0"), _digit("0", shift=0.5), _digit("3"), _digit("0", blur=0.8)]
    alone = [True] * len(images)
    once = _recognise_alike(images, alone)
    each = _recognise(images, alone)
    assert [r[0] for r in once] == [r[0] for r in each] == ["0", "0", "3", "0"]


def test_a_number_with_dust_beside_it_is_the_number() -> None:
    from xxgk.extract.ocr import _bare_number

    reading = ("0.", 0.9, [2, [], [], [], [0.97, 0.62]])
    assert _bare_number("0.", reading, 0.62) == ("0", pytest.approx(0.97))
    assert _bare_number("96171.6", ("96171.6", 0.9, [7, [], [], [], [0.9] * 7]), 0.9) == ("96171.6", 0.9)
    assert _bare_number("7.属于", ("7.属于", 0.9, [4, [], [], [], [0.9] * 4]), 0.9)[0] == "7.属于"
    # dust before a minus sign: the change of the year keeps its sign and its own confidence
    assert _bare_number(".-1", (".-1", 0.7, [3, [], [], [], [0.37, 0.95, 0.98]]), 0.37) == ("-1", pytest.approx(0.95))


def test_a_cell_read_as_a_letter_is_decoded_over_digits() -> None:
    """"O" in a number cell is a doubtful 0 (the arithmetic may confirm it), not a label that
    breaks its row."""
    from xxgk.extract.ocr import _as_digits

    charset = ["blank", *"0123456789.O", " "]
    t = len(charset)
    pred = np.zeros((4, t), np.float32)
    pred[:, 0] = 1.0
    pred[1, 0], pred[1, charset.index("O")], pred[1, charset.index("0")] = 0.1, 0.55, 0.3
    text, _, info = _as_digits(pred, charset, ("O", 0.55, [4, [], [], [], [0.55]]))
    assert text == "0" and info[4] == [pytest.approx(0.3)]


def test_dust_far_beside_a_cell_does_not_stretch_its_crop() -> None:
    from xxgk.extract.ocr import _inked_columns

    band = np.zeros((20, 200), np.uint8)
    band[3:18, 150:162] = 255  # a "0" at the right of its cell
    band[16:18, 10:12] = 255  # a speck at the left
    cols = _inked_columns(band, 20.0)
    assert cols[0] == 150 and cols[-1] == 161
    band[2:18, 40:54] = 255  # a character at the left: the line runs from it
    assert _inked_columns(band, 20.0)[0] == 40


def test_rulings_broken_under_a_seal_are_joined_and_only_there() -> None:
    from xxgk.extract.ocr import bridged_under_seal

    sealed = np.zeros((400, 400), np.uint8)
    sealed[100:300, 100:300] = 255  # where the seal was
    h_mask, v_mask = np.zeros_like(sealed), np.zeros_like(sealed)
    pieces = [Segment(200, 20, 200, 150), Segment(200, 230, 200, 380),  # a column rule cut by the seal
              Segment(50, 20, 50, 60), Segment(50, 120, 50, 380)]  # a rule the form itself interrupts
    joined = bridged_under_seal(pieces, sealed, h_mask, v_mask)
    assert Segment(200, 20, 200, 380) in joined
    assert Segment(50, 20, 50, 60) in joined and Segment(50, 120, 50, 380) in joined
    assert v_mask[150:230, 199:202].any(axis=1).all()


def test_a_ruling_lifted_with_the_seal_reaches_the_next_crossing_ruling() -> None:
    """A seal over a table's last column takes the ends of the row rules with it: a rule that
    ends in the open under the seal is carried on to the next column rule; one that ends on a
    column rule is carried on only where the paper beyond still shows a trace of it."""
    from xxgk.extract.ocr import bridged_under_seal

    sealed = np.zeros((300, 400), np.uint8)
    sealed[50:250, 200:400] = 255
    ink = np.zeros_like(sealed)
    frame = [Segment(20, 20, 20, 280), Segment(250, 20, 250, 280), Segment(380, 20, 380, 280),
             Segment(20, 20, 380, 20), Segment(20, 280, 380, 280)]
    open_end = Segment(20, 100, 260, 100)  # ends in the open, under the seal
    at_rule = Segment(20, 200, 250, 200)  # ends on the column rule at 250, under the seal
    out = bridged_under_seal([*frame, open_end, at_rule], sealed, np.zeros_like(sealed), np.zeros_like(sealed), ink)
    assert Segment(20, 100, 380, 100) in out
    assert at_rule in out  # blank paper beyond: a merged cell of the form, left alone
    ink[199:202, 250:380:3] = 255  # the ruling's broken trace beyond the column rule
    out = bridged_under_seal([*frame, open_end, at_rule], sealed, np.zeros_like(sealed), np.zeros_like(sealed), ink)
    assert Segment(20, 200, 380, 200) in out
    outside = Segment(20, 30, 120, 30)  # ends in the open away from the seal: not touched
    assert outside in bridged_under_seal([*frame, outside], sealed, np.zeros_like(sealed), np.zeros_like(sealed), ink)


def test_a_doubtful_print_takes_the_reading_of_the_same_print_read_surely() -> None:
    from xxgk.extract.ocr import _doubtful_matched

    images = [_digit("0"), _digit("0", shift=0.5), _digit("6", blur=0.8)]
    sure, weak = ("0", 0.97, [2, [], [], [], [0.97]]), ("0", 0.6, [2, [], [], [], [0.6]])
    out = _doubtful_matched(images, [True] * 3, {0: sure, 1: weak, 2: ("0", 0.6, [2, [], [], [], [0.6]])})
    assert out[1] == sure  # the same print as the sure "0"
    assert out[2][1] == 0.6  # a "6" read doubtfully as "0" stays doubtful


def test_a_decimal_point_is_as_sure_as_the_point_like_marks_together() -> None:
    """A blurred "." splits its probability between ".", "," and "·": the number's point is
    sure although no one mark is."""
    from xxgk.extract.ocr import _as_digits, _point_sure

    charset = ["blank", *"0123456789.,·O", " "]
    pred = np.zeros((8, len(charset)), np.float32)
    pred[:, 0] = 1.0
    for t, ch in ((1, "1"), (5, "3"), (7, "7")):
        pred[t, 0], pred[t, charset.index(ch)] = 0.0, 0.99
    pred[3, 0], pred[3, charset.index(",")], pred[3, charset.index(".")], pred[3, charset.index("·")] = 0, .6, .02, .37
    confs = _point_sure(pred, charset, ("1.37", 0.7, [8, [], [], [], [0.99, 0.02, 0.99, 0.99]]))[2][4]
    assert confs[1] == pytest.approx(0.99)
    text, _, info = _as_digits(pred, charset, ("1,37", 0.7, [8, [], [], [], [0.99, 0.6, 0.99, 0.99]]))
    assert text == "1.37" and info[4][1] == pytest.approx(0.99)


def test_a_character_dropped_from_a_line_makes_its_neighbours_doubtful() -> None:
    from xxgk.extract.ocr import _unread_next_to

    words = [(100.0, 130.0), (130.0, 160.0), (160.0, 190.0)]
    assert _unread_next_to(95, 195, words, 40) == set()  # the detector's margin only
    assert _unread_next_to(60, 195, words, 40) == {0}  # "浈江" read "江": the first is doubtful
    assert _unread_next_to(95, 195, [(100.0, 130.0), (165.0, 195.0)], 40) == {0, 1}


def test_a_cell_with_two_numbers_is_doubtful() -> None:
    """A statistics cell holds one number: a seal's stroke beside its "0", read as a "1",
    makes "0 1", and which one is the number is not known."""
    from xxgk.extract.ocr import _Crop, _recognise_crops

    crops = [_Crop(_digit("0"), (10, 10, 22, 28), cell=1), _Crop(_digit("1"), (30, 10, 40, 28), cell=1),
             _Crop(_digit("3"), (110, 10, 122, 28), cell=2)]
    glyphs = _recognise_crops(crops)
    assert [g.text for g in glyphs] == ["0", "1", "3"]
    assert glyphs[0].confidence < 0.8 and glyphs[1].confidence < 0.8  # the parser will not trust them
    assert glyphs[2].confidence >= 0.8


def test_a_minus_sign_the_recogniser_drops_makes_the_number_doubtful() -> None:
    from xxgk.extract.ocr import _dash_before

    assert _dash_before(_digit("-2"))
    assert not _dash_before(_digit("2")) and not _dash_before(_digit("12")) and not _dash_before(_digit("0"))


def test_a_number_with_a_minus_sign_is_never_taken_for_the_same_print_without_it() -> None:
    """A blurred minus is faint and small: cut to its ink, "-1" looked like "1" and took the
    reading of the page's "1"s (found on a generated scan, JPEG 40, blur 0.86)."""
    from xxgk.extract.ocr import _ink_shape

    one = np.full((25, 27, 3), 255, np.uint8)
    one[4:20, 16:19] = 60  # the "1"
    minus_one = one.copy()
    minus_one[13:15, 4:10] = 115  # a faint, blurred minus sign
    assert _ink_shape(one) is not None
    assert _ink_shape(minus_one) is None


def _prose(lines: list[str], size: int = 22, leading: int = 14) -> np.ndarray:
    """Lines of CJK prose as ink (255 on 0), the way a band of a scanned page is cut."""
    from PIL import ImageDraw, ImageFont

    fonts = [f for f in ("NotoSansCJK-Regular.ttc", "wqy-zenhei.ttc", "DroidSansFallbackFull.ttf")
             if _font_exists(f)]
    if not fonts:
        pytest.skip("no CJK font to draw prose with")
    font = ImageFont.truetype(fonts[0], size)
    image = Image.new("L", (900, 20 + len(lines) * (size + leading)), 0)
    for k, line in enumerate(lines):
        ImageDraw.Draw(image).text((20, 10 + k * (size + leading)), line, font=font, fill=255)
    return np.where(np.asarray(image) > 96, 255, 0).astype(np.uint8)


def _font_exists(name: str) -> bool:
    from PIL import ImageFont

    try:
        ImageFont.truetype(name, 10)
    except OSError:
        return False
    return True


def test_prose_lines_are_found_by_the_ink_profile() -> None:
    """Every line of a paragraph is found (the detector dropped one now and then), a line of
    二 and 三 is one line, not three, a wide gap parts two pieces of a line, and a band of
    dust has no line at all."""
    from xxgk.extract.ocr import _text_lines

    ink = _prose(["本报告中所列数据的统计期限自2021年1月1日起", "二三二三二三", "联系电话                      2022年1月15日"])
    lines = _text_lines(ink)
    assert lines is not None
    tops = sorted({t for _x0, t, _x1, _b in lines})
    assert len(tops) == 3  # three lines, the strokes of 二 and 三 kept in one
    assert sum(1 for _x0, t, _x1, _b in lines if t == tops[2]) == 2  # the date set apart
    dust = np.zeros((40, 900), np.uint8)
    dust[[5, 20, 33], [100, 400, 700]] = 255
    assert _text_lines(dust) == []


def test_lines_that_touch_are_never_read_as_one() -> None:
    from xxgk.extract.ocr import _text_lines

    for leading in (-2, -1, 0, 1):  # lines set so close that their ink touches here and there
        ink = _prose(["本报告中所列数据的统计期限自", "如对本报告有疑问，请与办公室联系"], leading=leading)
        lines = _text_lines(ink)
        assert lines is None or len({t for _x0, t, _x1, _b in lines}) == 2, leading  # never one line of both


def test_a_bold_character_touching_both_rulings_of_its_row_is_no_column_rule() -> None:
    """Blurred bold characters in a tight row reach both of its rulings; a stroke of one (with
    strokes branching off it) is not a column rule, a rule with paper beside it is."""
    from xxgk.extract.ocr import _rulings

    ink = np.zeros((80, 300), np.uint8)
    ink[10:12, :] = ink[40:42, :] = ink[70:72, :] = 255  # row rules
    ink[10:72, 60:62] = 255  # a column rule over two rows, paper beside it
    ink[10:72, 150:153] = 255  # strokes of 内 over 性, one above the other
    for y in range(14, 70, 5):
        ink[y:y + 3, 138:150] = 255  # ... with bold strokes branching off them
    _h, v_mask, segments = _rulings(ink)
    columns = sorted(round(s.x0) for s in segments if not s.horizontal)
    assert 61 in columns and not any(140 <= x <= 160 for x in columns)
    assert not v_mask[20:35, 150:153].any()
