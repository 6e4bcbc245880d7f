"""Tables joined across a page break (layout._join_tables): a header alone at the foot of a
page is joined to the rows at the head of the next only when they are its rows.

Pages are built as extractors build them (glyphs and rulings in points), so these run without
the OCR engine.
"""

from __future__ import annotations

from xxgk.extract.layout import Glyph, PageContent, Segment, Units, build_document

UNITS = Units(snap=2.0, min_cell=4.0)


def grid(xs: list[float], top: float, rows: int, height: float = 20.0) -> list[Segment]:
    bottom = top + rows * height
    return ([Segment(xs[0], top + i * height, xs[-1], top + i * height) for i in range(rows + 1)]
            + [Segment(x, top, x, bottom) for x in xs])


def glyph(text: str, x: float, y: float) -> Glyph:
    return Glyph(text, x, y, x + 8 * len(text), y + 10, 10)


def table_texts(pages: list[PageContent]) -> list[list[list[str]]]:
    doc = build_document(pages, kind="pdf", file="split.pdf", units=UNITS)
    return [[[c.text for c in row] for row in t.rows()] for t in doc.tables()]


HEADER_XS = [50.0, 250.0, 400.0, 545.0]  # 信息内容 | 自然人 | 总计, as wide as the text block


def header_page() -> PageContent:
    return PageContent(1, 595, 842, [glyph("信息内容", 60, 765), glyph("自然人", 260, 765), glyph("总计", 410, 765)],
                       grid(HEADER_XS, 760, 1))


def test_a_header_at_the_foot_of_a_page_is_joined_to_its_rows() -> None:
    rows = PageContent(2, 595, 842, [glyph("一、本年新收", 60, 65), glyph("3", 260, 65), glyph("3", 410, 65),
                                     glyph("二、上年结转", 60, 85), glyph("1", 260, 85), glyph("1", 410, 85)],
                       grid([50.0, 120.0, 250.0, 400.0, 545.0], 60, 2))  # the rows draw one rule more
    (table,) = table_texts([header_page(), rows])
    assert table[0] == ["信息内容", "自然人", "总计"]
    assert [r for r in table if "3" in r] and len(table) == 3


def test_a_header_at_the_foot_of_a_page_is_not_glued_to_another_table() -> None:
    """The next page opens with another table as wide as the text block: it shares the header's
    outer edges (two of its three rulings) but not the header's columns."""
    other = PageContent(2, 595, 842, [glyph("行政复议", 60, 65), glyph("维持", 330, 65),
                                      glyph("0", 60, 85), glyph("0", 330, 85)],
                        grid([50.0, 320.0, 545.0], 60, 2))
    tables = table_texts([header_page(), other])
    assert tables == [[["信息内容", "自然人", "总计"]], [["行政复议", "维持"], ["0", "0"]]]


def test_a_table_with_numbers_still_continues_when_its_columns_line_up() -> None:
    """The stricter test is for a header alone: a table cut between two rows of numbers
    continues on the next page as before."""
    top = PageContent(1, 595, 842, [glyph("信息内容", 60, 745), glyph("自然人", 260, 745), glyph("总计", 410, 745),
                                    glyph("一、本年新收", 60, 765), glyph("3", 260, 765), glyph("3", 410, 765)],
                      grid(HEADER_XS, 740, 2))
    rest = PageContent(2, 595, 842, [glyph("二、上年结转", 60, 65), glyph("1", 260, 65), glyph("1", 410, 65)],
                       grid(HEADER_XS, 60, 1))
    (table,) = table_texts([top, rest])
    assert table == [["信息内容", "自然人", "总计"], ["一、本年新收", "3", "3"], ["二、上年结转", "1", "1"]]
