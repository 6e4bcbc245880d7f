"""The Word (.docx) extractor: merged cells on a true grid, body order, damaged and hostile files.

huaian-2024.docx was written by python-docx (merges as Word writes them: w:gridSpan, w:vMerge
restart/continue); huaian-2024-lo.docx is the same report's web page saved as .docx by
LibreOffice (its own merge markup, and the page's chrome, which a .docx keeps). Small documents
for single features are built here from WordprocessingML, as Word writes it.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import pytest

import xxgk
from xxgk.document import Document, Paragraph, Table, TableCell
from xxgk.errors import InputError
from xxgk.extract import detect_kind, extract, extract_bytes
from xxgk.extract.docx import MAX_UNPACKED, extract_docx
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
APPEAL_KEYS = [(g, c) for g in ("review", "litigation_direct", "litigation_after_review")
               for c in ("upheld", "corrected", "other", "pending", "total")]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>')


def make_docx(body: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal but complete .docx package around `body` (the children of w:body)."""
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document xmlns:w="{W}" '
                f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                f'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
                f'xmlns:v="urn:schemas-microsoft-com:vml"><w:body>{body}</w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def p(text: str) -> str:
    return f"<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def tc(text: str, *props: str) -> str:
    return f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr>{p(text) if text else '<w:p/>'}</w:tc>"


def span(n: int) -> str:
    return f'<w:gridSpan w:val="{n}"/>'


RESTART = '<w:vMerge w:val="restart"/>'
CONTINUE = "<w:vMerge/>"


def tbl(*rows: str) -> str:
    return "<w:tbl><w:tblPr/><w:tblGrid/>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>"


def at(table: Table, row: int, col: int) -> TableCell:
    found = [c for c in table.cells if (c.row, c.col) == (row, col)]
    assert len(found) == 1, f"no single cell starts at ({row}, {col})"
    return found[0]


def assert_true_grid(table: Table) -> None:
    seen: set[tuple[int, int]] = set()
    for c in table.cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                assert (r, k) not in seen, f"slot ({r}, {k}) covered twice"
                seen.add((r, k))
    assert table.aligned


def truth() -> dict:
    return json.loads((DATA / "html" / "huaian-2024.truth.json").read_text(encoding="utf-8"))


def check_huaian_tables(doc: Document) -> None:
    """The three statistics tables of the 淮安 report hold the hand-checked values, on the grid."""
    t2, t3, t4 = [t for t in doc.tables() if t.n_cols in (4, 10, 15) and t.n_rows in (14, 28, 4)]
    expected = truth()
    for t in (t2, t3, t4):
        assert_true_grid(t)
    assert [at(t2, 2, k).text for k in range(4)] == ["规章", "1", "0", "11"]
    assert (at(t2, 9, 1).text, at(t2, 9, 1).colspan) == ("3985758", 3)
    group = at(t3, 5, 0)
    assert (group.text, group.rowspan) == ("三、本年度办理结果", 22)
    assert (at(t3, 7, 1).text, at(t3, 7, 1).rowspan) == ("（三）不予公开", 8)
    assert (at(t3, 0, 0).rowspan, at(t3, 0, 0).colspan) == (3, 3)
    keys = [r.key for r in TEMPLATE_2021.table("applications").rows]
    for i, key in enumerate(keys):
        printed = [at(t3, 3 + i, 3 + j).text for j in range(7)]
        assert printed == [str(expected["applications"][key][c]) for c in APPLICANT_KEYS], key
    assert [at(t4, 3, k).text for k in range(15)] == [str(expected["appeals"][g][c]) for g, c in APPEAL_KEYS]
    assert (at(t4, 0, 0).rowspan, at(t4, 0, 0).colspan, at(t4, 0, 5).colspan) == (2, 5, 10)


def test_word_written_docx() -> None:
    data = (DOCX / "huaian-2024.docx").read_bytes()
    assert detect_kind(data) == "docx"
    doc = extract(DOCX / "huaian-2024.docx")
    assert doc.kind == "docx" and doc.file == "huaian-2024.docx" and doc.warnings == []
    check_huaian_tables(doc)
    paragraphs = [b for b in doc.blocks if isinstance(b, Paragraph)]
    assert [b.text for b in paragraphs[:2]] == ["淮安市人民政府", "2024年政府信息公开工作年度报告"]
    assert paragraphs[-1].text.endswith("信息处理费3940元。")
    # locations are body block indexes, increasing in reading order, tables included
    lines = [b.loc.line for b in doc.blocks]
    assert lines == sorted(lines) and len(set(lines)) == len(lines) and lines[0] == 1
    kinds = ["T" if isinstance(b, Table) else b.text[:2] for b in doc.blocks]
    assert kinds.index("三、") + 1 == kinds.index("T", kinds.index("三、"))


def test_libreoffice_written_docx() -> None:
    doc = extract(DOCX / "huaian-2024-lo.docx")
    check_huaian_tables(doc)
    assert "一、总体情况" in [b.text for b in doc.paragraphs()]


def test_extraction_is_deterministic() -> None:
    data = (DOCX / "huaian-2024.docx").read_bytes()
    assert extract_bytes(data, "a.docx") == extract_bytes(data, "a.docx")


def test_vertical_and_horizontal_merges() -> None:
    body = p("三、收到和处理政府信息公开申请情况") + tbl(
        tc("三、本年度办理结果", RESTART) + tc("（一）予以公开", span(2)) + tc("5"),
        tc("", CONTINUE) + tc("（三）不予公开", RESTART) + tc("1.属于国家秘密") + tc("0"),
        tc("", CONTINUE) + tc("", CONTINUE) + tc("2.其他法律行政法规禁止公开") + tc(""),
        tc("（七）总计", span(3)) + tc("5"),
    ) + p("四、政府信息公开行政复议、行政诉讼情况")
    doc = extract_docx(make_docx(body), "m.docx")
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph"]
    assert [b.loc.line for b in doc.blocks] == [1, 2, 3]
    (t,) = doc.tables()
    assert_true_grid(t)
    assert (at(t, 0, 0).text, at(t, 0, 0).rowspan) == ("三、本年度办理结果", 3)
    assert (at(t, 0, 1).colspan, at(t, 0, 3).text) == (2, "5")
    assert (at(t, 1, 1).text, at(t, 1, 1).rowspan) == ("（三）不予公开", 2)
    assert at(t, 2, 2).text == "2.其他法律行政法规禁止公开"
    assert at(t, 2, 3).text == ""  # an empty cell stays an empty cell at its place
    assert (at(t, 3, 0).text, at(t, 3, 0).colspan, at(t, 3, 3).text) == ("（七）总计", 3, "5")


def test_grid_before_and_legacy_hmerge() -> None:
    body = tbl(
        tc("信息内容") + tc("本年制发件数") + tc("本年废止件数"),
        '<w:trPr><w:gridBefore w:val="1"/></w:trPr>' + tc("3") + tc("4"),
        tc("行政许可", '<w:hMerge w:val="restart"/>') + tc("", "<w:hMerge/>") + tc("9"),
    )
    (t,) = extract_docx(make_docx(body), "g.docx").tables()
    assert_true_grid(t)
    assert [(c.row, c.col, c.text, c.colspan) for c in t.cells] == [
        (0, 0, "信息内容", 1), (0, 1, "本年制发件数", 1), (0, 2, "本年废止件数", 1),
        (1, 1, "3", 1), (1, 2, "4", 1),
        (2, 0, "行政许可", 2), (2, 2, "9", 1)]


def test_continued_cell_text_is_kept_not_lost() -> None:
    body = tbl(tc("（四）无", RESTART) + tc("1"), tc("法提供", CONTINUE) + tc("2"))
    (t,) = extract_docx(make_docx(body), "c.docx").tables()
    assert (at(t, 0, 0).text, at(t, 0, 0).rowspan) == ("（四）无 法提供", 2)


def test_cell_paragraphs_join_into_one_string() -> None:
    cell = ("<w:tc>" + p("三、") + p("本") + p("年") + "</w:tc>"
            "<w:tc>" + p("12") + p("5") + "</w:tc><w:tc>" + p("251000元") + "</w:tc>")
    (t,) = extract_docx(make_docx(tbl(cell, tc("a") + tc("b") + tc("c"))), "j.docx").tables()
    assert [c.text for c in t.rows()[0]] == ["三、本年", "12 5", "251000元"]


def test_revisions_content_controls_fields_and_breaks() -> None:
    body = (
        '<w:sdt><w:sdtPr/><w:sdtContent>' + p("一、总体情况") + '</w:sdtContent></w:sdt>'
        '<w:p><w:r><w:t>全年共收到申请</w:t></w:r>'
        '<w:del><w:r><w:delText>99</w:delText></w:r></w:del>'
        '<w:ins><w:r><w:t>21</w:t></w:r></w:ins><w:r><w:t>件。</w:t></w:r>'
        '<w:r><w:br/><w:t>第二行</w:t></w:r></w:p>'
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        '<w:p><w:hyperlink r:id="rId9"><w:r><w:t>链接文字</w:t></w:r></w:hyperlink>'
        '<w:r><w:tab/><w:t>后</w:t></w:r></w:p>' + p("")
    )
    doc = extract_docx(make_docx(body), "r.docx")
    assert [(b.text, b.loc.line) for b in doc.paragraphs()] == [
        ("一、总体情况", 1), ("全年共收到申请21件。", 2), ("第二行", 2), ("3", 3), ("链接文字 后", 4)]


def test_text_box_is_read_once() -> None:
    box = '<w:txbxContent>' + p("政府信息公开工作年度报告") + '</w:txbxContent>'
    body = ('<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>' + box +
            '</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>' + box +
            '</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>正文</w:t></w:r></w:p>')
    doc = extract_docx(make_docx(body), "b.docx")
    assert [b.text for b in doc.paragraphs()] == ["正文", "政府信息公开工作年度报告"]


def test_one_cell_frame_is_read_as_flow() -> None:
    inner = tbl(tc("规章") + tc("0"), tc("行政规范性文件") + tc("2"))
    body = "<w:tbl><w:tr><w:tc>" + p("二、主动公开政府信息情况") + inner + "<w:p/></w:tc></w:tr></w:tbl>"
    doc = extract_docx(make_docx(body), "f.docx")
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table"]
    assert [c.text for c in next(doc.tables()).cells] == ["规章", "0", "行政规范性文件", "2"]


def test_embedded_html_chunk_is_read() -> None:
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rIdHtml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/aFChunk" Target="chunk.htm"/></Relationships>')
    html = "<html><body><p>一、总体情况</p><table><tr><td>行政许可</td><td>7</td></tr></table></body></html>"
    data = make_docx(p("标题") + '<w:altChunk r:id="rIdHtml"/>',
                     {"word/_rels/document.xml.rels": rels.encode(), "word/chunk.htm": html.encode()})
    doc = extract_docx(data, "a.docx")
    assert [b.text for b in doc.paragraphs()] == ["标题", "一、总体情况"]
    t = next(doc.tables())
    assert [c.text for c in t.cells] == ["行政许可", "7"] and t.loc.line == 2


# ---------------------------------------------------------------------------------------------
# Bad input: one InputError naming the file, never a traceback


def refused(data: bytes, name: str = "bad.docx") -> InputError:
    with pytest.raises(InputError) as e:
        extract_bytes(data, name, kind="docx")
    assert e.value.file == name
    return e.value


def test_truncated_docx() -> None:
    data = (DOCX / "huaian-2024.docx").read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 100):
        assert "damaged or truncated" in refused(data[:cut]).reason


def test_random_bytes_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(bytes(range(256)) * 16)
    for kind in (None, "docx"):  # detected by content, or forced as a .docx
        with pytest.raises(InputError) as e:
            extract(path, kind=kind)
        assert e.value.file.endswith("report.docx")


def test_zip_bomb_by_ratio() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("word/document.xml", b"<" + b"\0" * (30 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 100_000
    assert detect_kind(data) == "docx"
    assert "zip bomb" in refused(data).reason


def test_zip_bomb_by_declared_size() -> None:
    """The directory is checked before decompressing: a member claiming 300 MB is refused at once."""
    data = bytearray(make_docx(p("一、总体情况")))
    # patch the uncompressed-size field of every central-directory entry
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        struct.pack_into("<I", data, pos + 24, 300 * 1024 * 1024)
        pos = data.find(b"PK\x01\x02", pos + 4)
    reason = refused(bytes(data)).reason
    assert f"{MAX_UNPACKED / 1e6:.0f} MB" in reason


def test_zip_without_word_document() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "not a .docx" in refused(buf.getvalue()).reason


def test_malformed_document_xml() -> None:
    data = make_docx(p("一、总体情况")).replace(b"</w:body>", b"</w:bod>")
    # the zip still holds a CRC of the original text, so rebuild it with the broken XML instead
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body>{p("x")}</w:bod>')
    assert data  # (the byte-patched zip is refused too, by its CRC)
    assert "not well-formed XML" in refused(buf.getvalue()).reason


def test_not_a_wordprocessing_document() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<sheet><row/></sheet>")
    assert "WordprocessingML" in refused(buf.getvalue()).reason


def test_entities_are_not_expanded() -> None:
    """A billion-laughs DOCTYPE neither expands nor hangs."""
    bomb = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&c;一、总体情况</w:t></w:r></w:p></w:body>'
            '</w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", bomb)
    try:
        doc = extract_bytes(buf.getvalue(), "e.docx", kind="docx")
    except InputError:
        return
    assert "aaaaaaaaaa" not in doc.text()


def test_images_only_document_says_so() -> None:
    body = '<w:p><w:r><w:drawing/></w:r></w:p><w:p><w:r><w:drawing/></w:r></w:p>'
    assert "2 picture(s)" in refused(make_docx(body)).reason


def test_empty_document() -> None:
    assert "no text" in refused(make_docx("<w:p/>")).reason


def test_encrypted_member() -> None:
    data = bytearray(make_docx(p("一、总体情况")))
    name = b"word/document.xml"
    for sig, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        pos = data.find(sig)
        while pos != -1:
            if data[pos + name_at: pos + name_at + len(name)] == name:
                data[pos + flag_at] |= 0x1
            pos = data.find(sig, pos + 4)
    assert "encrypted" in refused(bytes(data)).reason


# ---------------------------------------------------------------------------------------------
# End to end: the lead's parser reads these Documents to the hand-checked values


@pytest.mark.parametrize("name", ["huaian-2024.docx", "huaian-2024-lo.docx"])
def test_end_to_end(name: str) -> None:
    report = xxgk.read(DOCX / name).to_dict()
    expected = truth()
    assert report["source"]["kind"] == "docx"
    assert report["meta"]["year"] == 2024 and report["meta"]["template"] == "2021"
    for table in ("active", "applications", "appeals"):
        for row, cols in expected[table].items():
            for col, value in cols.items():
                assert report[table][row][col] == value, f"{table}.{row}.{col}"
    assert {c["status"] for c in report["cells"].values()} == {"read"}
