"""The web-page extractor: report body found inside site chrome, tables on a true grid, encodings.

Fixtures (tests/data/html/, built by make_fixtures.py from real reports) carry their hand-checked
truth beside them (*.truth.json, copied from the corpus ground truth).
"""

from __future__ import annotations

import codecs
import json
import quopri
from pathlib import Path

import pytest

import xxgk
from xxgk.document import Document, Paragraph, Table, TableCell
from xxgk.errors import InputError
from xxgk.extract import detect_kind, extract, extract_bytes
from xxgk.extract.html import declared_encoding, decode_html, extract_html, unwrap_mht
from xxgk.i18n import use_lang
from xxgk.template import TEMPLATE_2019, TEMPLATE_2021


@pytest.fixture(autouse=True)
def _english():
    """These tests read the reasons' English wording (the Chinese one is tested in test_i18n.py)."""
    with use_lang("en"):
        yield

HTML = Path(__file__).parent / "data" / "html"
APPLICANT_KEYS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org",
                  "total"]
APPEAL_KEYS = [(g, c) for g in ("review", "litigation_direct", "litigation_after_review")
               for c in ("upheld", "corrected", "other", "pending", "total")]


def truth(name: str) -> dict:
    return json.loads((HTML / f"{name}.truth.json").read_text(encoding="utf-8"))


def tables(doc: Document) -> list[Table]:
    return list(doc.tables())


def at(table: Table, row: int, col: int) -> TableCell:
    """The cell whose top-left corner is (row, col)."""
    found = [c for c in table.cells if (c.row, c.col) == (row, col)]
    assert len(found) == 1, f"no single cell starts at ({row}, {col})"
    return found[0]


def covering(table: Table, row: int, col: int) -> TableCell:
    found = [c for c in table.cells
             if c.row <= row < c.row + c.rowspan and c.col <= col < c.col + c.colspan]
    assert len(found) == 1, f"slot ({row}, {col}) covered by {len(found)} cells"
    return found[0]


def assert_true_grid(table: Table) -> None:
    """No two cells share a slot, and every cell lies inside the table."""
    seen: set[tuple[int, int]] = set()
    for c in table.cells:
        assert c.rowspan >= 1 and c.colspan >= 1
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                assert (r, k) not in seen, f"slot ({r}, {k}) covered twice"
                seen.add((r, k))
    assert table.aligned


@pytest.fixture(scope="module")
def huaian() -> Document:
    return extract(HTML / "huaian-2024.html")


def test_huaian_is_detected_as_html_and_every_table_is_a_true_grid(huaian: Document) -> None:
    assert detect_kind((HTML / "huaian-2024.html").read_bytes()) == "html"
    assert huaian.kind == "html"
    assert huaian.file == "huaian-2024.html"
    assert len(huaian.sha256) == 64
    assert [t.n_rows for t in tables(huaian)] == [14, 28, 4]
    for t in tables(huaian):
        assert_true_grid(t)


def test_site_chrome_is_left_out(huaian: Document) -> None:
    text = huaian.text()
    for chrome in ("无障碍浏览", "当前位置", "索引号", "字体", "分享到", "打印本页", "上一篇", "相关链接",
                   "网站标识码", "主办单位", "统计代码", "请输入关键字"):
        assert chrome not in text, chrome
    # the metadata box is a table too, but outside the report: only the 3 statistics tables remain
    assert len(tables(huaian)) == 3


def test_paragraphs_and_tables_come_in_reading_order(huaian: Document) -> None:
    paragraphs = [b.text for b in huaian.blocks if isinstance(b, Paragraph)]
    assert paragraphs[:2] == ["淮安市人民政府", "2024年政府信息公开工作年度报告"]
    headings = [p for p in paragraphs if p[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert headings == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                        "六、其他需要报告的事项"]
    kinds = ["T" if isinstance(b, Table) else b.text[:2] for b in huaian.blocks]
    assert kinds.index("二、") < kinds.index("T") < kinds.index("三、")
    order = [i for i, k in enumerate(kinds) if k == "T"]
    assert kinds.index("三、") < order[1] < kinds.index("四、") < order[2] < kinds.index("五、")
    # money printed with its unit stays verbatim: the parser converts units, not the extractor
    assert paragraphs[-1].endswith("全年收取政府信息公开信息处理费3940元。")


def test_table_three_spans_and_values(huaian: Document) -> None:
    t3 = tables(huaian)[1]
    expected = truth("huaian-2024")["applications"]
    assert (t3.n_rows, t3.n_cols) == (28, 10)
    corner = at(t3, 0, 0)
    assert (corner.rowspan, corner.colspan) == (3, 3)
    assert (at(t3, 0, 3).text, at(t3, 0, 3).colspan) == ("申请人情况", 7)
    assert (at(t3, 1, 4).text, at(t3, 1, 4).colspan) == ("法人或其他组织", 5)
    assert (at(t3, 1, 9).text, at(t3, 1, 9).rowspan) == ("总计", 2)
    # the vertical group label, written one character per <br>, is one cell spanning 22 rows
    group = at(t3, 5, 0)
    assert (group.text, group.rowspan, group.colspan) == ("三、本年度办理结果", 22, 1)
    denied = at(t3, 7, 1)
    assert (denied.text, denied.rowspan) == ("（三）不予公开", 8)
    assert covering(t3, 14, 1) is denied and covering(t3, 14, 0) is group
    assert at(t3, 14, 2).text == "8.属于行政查询事项"
    assert at(t3, 26, 1).text == "（七）总计" and at(t3, 26, 1).colspan == 2
    assert at(t3, 27, 0).text == "四、结转下年度继续办理" and at(t3, 27, 0).colspan == 3
    keys = [r.key for r in TEMPLATE_2021.table("applications").rows]
    for i, key in enumerate(keys):
        for j, col in enumerate(APPLICANT_KEYS):
            assert at(t3, 3 + i, 3 + j).text == str(expected[key][col]), (key, col)


def test_table_two_and_four_values(huaian: Document) -> None:
    t2, _, t4 = tables(huaian)
    active = truth("huaian-2024")["active"]
    assert at(t2, 0, 0).colspan == 4
    assert [at(t2, 3, k).text for k in range(4)] == ["行政规范性文件", "8", "26", "66"]
    assert (at(t2, 6, 1).text, at(t2, 6, 1).colspan) == (str(active["licensing"]["decisions"]), 3)
    assert at(t2, 13, 1).text == "96171.6"
    appeals = truth("huaian-2024")["appeals"]
    assert (at(t4, 0, 0).rowspan, at(t4, 0, 0).colspan) == (2, 5)
    assert (at(t4, 0, 5).text, at(t4, 0, 5).colspan) == ("行政诉讼", 10)
    assert at(t4, 2, 0).text == "结果维持"  # "结果<br>维持" joined without a space
    assert [at(t4, 3, k).text for k in range(15)] == [str(appeals[g][c]) for g, c in APPEAL_KEYS]


def test_locations_are_source_lines(huaian: Document) -> None:
    lines = (HTML / "huaian-2024.html").read_text(encoding="utf-8").splitlines()
    for b in huaian.blocks:
        assert b.loc.line is not None and b.loc.page is None
        if isinstance(b, Paragraph):
            assert b.text[:6] in lines[b.loc.line - 1].replace("&gt;", ">")
    t3 = tables(huaian)[1]
    cell = at(t3, 3, 9)
    assert cell.text == "3119" and ">3119<" in lines[cell.loc.line - 1]
    assert all(c.loc is not None and c.loc.line for c in t3.cells)


def test_extraction_is_deterministic() -> None:
    data = (HTML / "huaian-2024.html").read_bytes()
    assert extract_bytes(data, "a.html") == extract_bytes(data, "a.html")


def test_gbk_page_with_http_equiv_charset() -> None:
    data = (HTML / "park-2020-gbk.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert declared_encoding(data) == "gb18030"
    doc = extract_bytes(data, "park.html")
    assert doc.kind == "html" and doc.warnings == []
    paragraphs = [p.text for p in doc.paragraphs()]
    # a centred title wrapped with <br> stays one line
    assert paragraphs[0] == "工业园区2020年政府信息公开工作年度报告"
    assert "工作开展情况：" in paragraphs
    assert "版权所有" not in doc.text() and "网站首页" not in doc.text()
    t2, t3, t4 = tables(doc)
    active = truth("park-2020")["active"]
    assert [at(t2, 6, k).text for k in range(4)] == ["行政许可"] + [
        str(active["licensing"][c]) for c in ("previous", "change", "decisions")]
    assert at(t2, 1, 1).text == "本年新制作数量"  # Word's <p><span>…<br>…</span></p> in a cell
    # 2019 template: （六）其他处理 is a single row, label spanning two columns
    assert (at(t3, 23, 1).text, at(t3, 23, 1).colspan) == ("（六）其他处理", 2)
    assert at(t3, 5, 0).rowspan == 20
    keys = [r.key for r in TEMPLATE_2019.table("applications").rows]
    applications = truth("park-2020")["applications"]
    for i, key in enumerate(keys):
        printed = [at(t3, 3 + i, 3 + j).text for j in range(7)]
        assert printed == [str(applications[key][c]) for c in APPLICANT_KEYS]
    assert at(t4, 3, 14).text == "0"


def test_nbsp_cells_stay_blank_at_their_position() -> None:
    doc = extract(HTML / "kfq-2022-nbsp.html")
    t2, t3, _ = tables(doc)
    for row in (5, 6, 7):  # （一）予以公开, （二）部分公开, 1.属于国家秘密 printed with &nbsp; only
        assert [at(t3, row, 3 + j).text for j in range(7)] == [""] * 7
    assert [at(t3, 8, 3 + j).text for j in range(7)] == ["0"] * 7
    assert at(t2, 13, 1).text == "0.0000"  # printed to 4 places, kept verbatim
    text = doc.text()
    assert "机构职能" not in text and "技术支持" not in text and "办事服务" not in text
    paragraphs = [p.text for p in doc.paragraphs()]
    assert paragraphs[0] == "先进制造业开发区2022年政府信息公开工作年度报告"
    # <br> separates paragraphs of a <div>; &nbsp; indentation is stripped
    i = paragraphs.index("一、总体情况")
    assert paragraphs[i + 2].startswith("(一) 负责县开发区党的政治建设")


@pytest.mark.parametrize("bom, codec", [(codecs.BOM_UTF16_LE, "utf-16-le"),
                                        (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF8, "utf-8")])
def test_byte_order_marks(bom: bytes, codec: str) -> None:
    page = (HTML / "huaian-2024.html").read_text(encoding="utf-8")
    data = bom + page.encode(codec)
    assert detect_kind(data) == "html"
    assert extract_bytes(data, "x.html").blocks == extract_bytes(page.encode("utf-8"), "x.html").blocks


def test_utf8_page_declaring_gb2312_is_read_as_utf8() -> None:
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>' \
           "<body><p>一、总体情况</p><p>全年共收到政府信息公开申请21件。</p></body></html>"
    doc = extract_html(page.encode("utf-8"), "x.html")
    assert [p.text for p in doc.paragraphs()] == ["一、总体情况", "全年共收到政府信息公开申请21件。"]


def test_gbk_page_without_declaration() -> None:
    page = ("<html><body><p>二、主动公开政府信息情况</p>"
            "<table><tr><td>行政许可</td><td>95</td></tr></table></body></html>")
    data = page.encode("gbk")
    text, encoding = decode_html(data)
    assert encoding == "gb18030" and "主动公开" in text
    t = tables(extract_html(data, "x.html"))[0]
    assert [c.text for c in t.cells] == ["行政许可", "95"]


def page(body: str) -> bytes:
    return f"<html><head><title>t</title></head><body>{body}</body></html>".encode()


def test_cell_text_joins_paragraphs_but_never_digits() -> None:
    doc = extract_html(page("<table><tr><td><p>（三）不</p><p>予公开</p></td><td>12<br>5</td>"
                            "<td>251000元</td><td>&nbsp;</td><td> 114 件 </td></tr></table>"), "x.html")
    assert [c.text for c in tables(doc)[0].cells] == ["（三）不予公开", "12 5", "251000元", "", "114 件"]


def test_spans_are_read_as_browsers_do() -> None:
    html = ("<table><tr><td rowspan='9'>a</td><td colspan='0'>b</td><td colspan='x'>c</td></tr>"
            "<tr><td rowspan=' 2px'>d</td><td>e</td></tr><tr><td>f</td></tr></table>")
    t = tables(extract_html(page(html), "x.html"))[0]
    assert_true_grid(t)
    a = at(t, 0, 0)
    assert a.rowspan == 3  # cut at the last row
    assert (at(t, 0, 1).colspan, at(t, 0, 2).colspan) == (1, 1)
    assert (at(t, 1, 1).text, at(t, 1, 1).rowspan) == ("d", 2)
    assert at(t, 1, 2).text == "e"
    assert at(t, 2, 2).text == "f"  # col 0 and col 1 are taken by a and d from above


def test_short_rows_are_not_padded() -> None:
    """A slot no cell covers was never printed: it is absent, not an invented blank."""
    t = tables(extract_html(page("<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr></table>"),
                            "x.html"))[0]
    assert [(c.row, c.col, c.text) for c in t.cells] == [(0, 0, "a"), (0, 1, "b"), (0, 2, "c"), (1, 0, "d")]


def test_th_thead_tbody_caption_and_nested_layout_tables() -> None:
    html = ("<table><tr><td><table><caption>表一</caption><thead><tr><th>信息内容</th>"
            "<th>本年处理决定数量</th></tr></thead><tbody><tr><td>行政许可</td><td>7</td></tr></tbody></table></td></tr></table>")
    doc = extract_html(page(html), "x.html")
    assert [b.text for b in doc.paragraphs()] == ["表一"]
    (t,) = tables(doc)  # the layout table around it is read as flow, not as a 1x1 table
    assert [(c.row, c.col, c.text) for c in t.cells] == [
        (0, 0, "信息内容"), (0, 1, "本年处理决定数量"), (1, 0, "行政许可"), (1, 1, "7")]


def test_hidden_and_script_content_is_dropped() -> None:
    doc = extract_html(page("<p>一、总体情况</p><p style='display: none'>隐藏</p>"
                            "<script>var x='脚本';</script><p hidden>也隐藏</p>"
                            "<noscript>请启用</noscript><p>正文</p>"), "x.html")
    assert [p.text for p in doc.paragraphs()] == ["一、总体情况", "正文"]


def test_title_outside_the_body_container_is_kept() -> None:
    html = ("<div class='nav'><a href='/'>首页</a><a href='/x'>政务公开</a></div>"
            "<h1>某某区人民政府2023年政府信息公开工作年度报告</h1>"
            + "<div class='side'>" + "侧栏文字很多很多" * 100 + "</div>"
            "<div class='content'><p>一、总体情况</p><p>正文。</p><p>二、主动公开政府信息情况</p>"
            "<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>0</td></tr></table></div>")
    doc = extract_html(page(html), "x.html")
    texts = [p.text for p in doc.paragraphs()]
    assert texts == ["某某区人民政府2023年政府信息公开工作年度报告", "一、总体情况", "正文。",
                     "二、主动公开政府信息情况"]


def test_page_title_supplies_a_missing_title() -> None:
    html = ("<html><head><title>某局2022年政府信息公开工作年度报告</title></head><body>"
            "<p>一、总体情况</p><p>正文。</p><p>二、主动公开政府信息情况</p></body></html>")
    doc = extract_html(html.encode(), "x.html")
    assert doc.properties["html:title"] == "某局2022年政府信息公开工作年度报告"
    assert next(doc.paragraphs()).text == "一、总体情况"  # the text itself is left as printed


def test_page_without_landmarks_falls_back_to_the_prose() -> None:
    prose = "".join(f"<p>这是第{i}段正文，内容较长，用于测试没有章节标题的网页，能否找到正文所在的容器。</p>"
                    for i in range(6))
    html = ("<div class='menu'><ul><li><a href='/a'>栏目一</a></li><li><a href='/b'>栏目二</a></li>"
            "</ul></div>"
            f"<div class='main'>{prose}</div><div class='foot'>版权所有 某某政府</div>")
    doc = extract_html(page(html), "x.html")
    texts = [p.text for p in doc.paragraphs()]
    assert len(texts) == 6 and texts[0].startswith("这是第0段正文")


@pytest.mark.parametrize("body, reason", [
    ("", "no text"),
    ("<script>document.write('<p>正文</p>')</script>", "JavaScript"),
    ("<iframe src='/content/2023.html'></iframe>", "/content/2023.html"),
    ("<a href='/files/report-2023.pdf'>下载</a>", "report-2023.pdf"),
])
def test_pages_without_report_text_are_refused_with_a_reason(body: str, reason: str) -> None:
    with pytest.raises(InputError) as e:
        extract_bytes(page(body), "empty.html", kind="html")
    assert e.value.file == "empty.html" and reason in e.value.reason


def test_whitespace_only_and_binary_input() -> None:
    with pytest.raises(InputError):
        extract_bytes(b"   \n\t ", "blank.html", kind="html")
    with pytest.raises(InputError):
        extract_bytes(bytes(range(256)) * 40, "noise.html", kind="html")


def test_hostile_spans_are_refused_not_expanded() -> None:
    rows = "".join("<tr>" + "<td rowspan='65534' colspan='1000'>x</td>" * 3 + "</tr>" for _ in range(300))
    with pytest.raises(InputError) as e:
        extract_html(page(f"<p>一、总体情况</p><table>{rows}</table>"), "bomb.html")
    assert "grid cells" in e.value.reason


# ---------------------------------------------------------------------------------------------
# End to end: the lead's parser reads these Documents to the hand-checked values


def assert_values(report: dict, expected: dict) -> None:
    for table in ("active", "applications", "appeals"):
        for row, cols in expected[table].items():
            for col, value in cols.items():
                assert report[table][row][col] == value, f"{table}.{row}.{col}"


def test_end_to_end_huaian_page() -> None:
    report = xxgk.read(HTML / "huaian-2024.html").to_dict()
    expected = truth("huaian-2024")
    assert report["source"]["kind"] == "html"
    assert report["meta"]["year"] == 2024 and report["meta"]["template"] == "2021"
    assert expected["meta"]["agency_contains"] in report["meta"]["agency"]
    assert_values(report, expected)
    assert {c["status"] for c in report["cells"].values()} == {"read"}


def test_end_to_end_gbk_2019_page() -> None:
    report = xxgk.read(HTML / "park-2020-gbk.html").to_dict()
    assert report["meta"]["year"] == 2020 and report["meta"]["template"] == "2019"
    assert_values(report, truth("park-2020"))


def test_end_to_end_nbsp_blanks_are_not_read_as_zero() -> None:
    report = xxgk.read(HTML / "kfq-2022-nbsp.html").to_dict()
    expected = truth("kfq-2022")
    assert_values(report, expected)  # the truth's values for the blank rows are fixed by the arithmetic
    for row in ("granted", "partially_granted", "denied_state_secret"):
        for col in APPLICANT_KEYS:
            assert report["cells"][f"applications.{row}.{col}"]["status"] != "read"
    assert report["cells"]["applications.denied_law_prohibited.total"]["status"] == "read"
    flagged = {cell for f in report["findings"] for cell in f.get("cells", [])}
    assert any(cell in flagged for rule in expected["must_find"] for cell in rule["cells"])


def mht(html: bytes, charset: str) -> bytes:
    """A single-file web archive as browsers save it: MIME multipart/related, quoted-printable."""
    return (b"From: <Saved by Blink>\r\nSnapshot-Content-Location: http://www.example.gov.cn/art/1.html\r\n"
            b"Subject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n"
            b"\ttype=\"text/html\";\r\n\tboundary=\"----MultipartBoundary--abc\"\r\n\r\n"
            b"------MultipartBoundary--abc\r\nContent-Type: text/html; charset=" + charset.encode() +
            b"\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            b"Content-Location: http://www.example.gov.cn/art/1.html\r\n\r\n" + quopri.encodestring(html) +
            b"\r\n------MultipartBoundary--abc\r\nContent-Type: image/png\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"\r\niVBORw0KGgo=\r\n------MultipartBoundary--abc--\r\n")


def test_single_file_web_archive() -> None:
    page = (HTML / "park-2020-gbk.html").read_bytes()
    archived = mht(page.replace(b"charset=gb2312", b""), "gb2312")
    assert unwrap_mht(archived) is not None
    doc = extract_bytes(archived, "report.mht", kind="html")
    direct = extract_bytes(page, "report.html", kind="html")
    assert [b.text for b in doc.paragraphs()] == [b.text for b in direct.paragraphs()]
    assert [t.cells for t in doc.tables()] != []
    assert [[c.text for c in t.cells] for t in doc.tables()] == [
        [c.text for c in t.cells] for t in direct.tables()]


def test_pictures_instead_of_tables_are_noticed() -> None:
    doc = extract_html(page("<p>一、总体情况</p><p>正文。</p><p>二、主动公开政府信息情况</p>"
                            "<p><img src='/u/table2.png'></p><p>三、收到和处理政府信息公开申请情况</p>"
                            "<p><img src='/u/table3.png'></p>"), "x.html")
    assert any("2 image(s)" in w for w in doc.warnings)
