"""Meta read by OCR (title, body, year…) carries the confidence of the lines it was read from
and a status in meta.provenance; a doubtful reading is marked, never presented as sure.

The documents are built as the OCR path builds them (paragraphs with their weakest character's
confidence), so these run without the OCR engine; tests/test_scan_office.py reads real scans.
"""

from __future__ import annotations

import json

from xxgk.api import parse_document
from xxgk.document import Document, Location, Paragraph
from xxgk.parse.lines import LOW_CONFIDENCE

TITLE = "某县人民政府2024年政府信息公开工作年度报告"


def scanned(title_conf: float | None, body_conf: float | None = 0.99, sign_conf: float | None = 0.97) -> Document:
    lines = [
        (TITLE, title_conf),
        ("一、总体情况", body_conf),
        ("2024年，某县人民政府坚持以人民为中心，全面推进政务公开工作。", body_conf),
        ("六、其他需要报告的事项", body_conf),
        ("本年度无其他需要报告的事项。", body_conf),
        ("某县人民政府", sign_conf),
        ("2025年1月20日", sign_conf),
    ]
    blocks = [Paragraph(text, Location(1, n), confidence=c) for n, (text, c) in enumerate(lines, start=1)]
    return Document(blocks, kind="scan", file="scan.pdf", pages=1)


def test_meta_from_a_sure_ocr_title_is_read_with_its_confidence() -> None:
    meta = parse_document(scanned(0.97), check=False).meta
    assert (meta.title, meta.agency, meta.year) == (TITLE, "某县人民政府", 2024)
    p = meta.provenance
    assert (p["title"], p["agency"], p["year"]) == ("text", "title", "title")  # keys kept as they were
    assert (p["title.confidence"], p["title.status"]) == ("0.97", "read")
    assert (p["agency.status"], p["year.status"]) == ("read", "read")
    assert (p["published"], p["published.confidence"], p["published.status"]) == ("text", "0.97", "read")


def test_meta_from_a_doubtful_ocr_title_is_marked_doubtful() -> None:
    weak = round(LOW_CONFIDENCE - 0.2, 2)
    report = parse_document(scanned(weak), check=False)
    p = report.meta.provenance
    assert report.meta.title == TITLE  # kept for a person to check, but not as sure
    for key in ("title", "agency", "year"):
        assert p[f"{key}.status"] == "doubtful"
        assert p[f"{key}.confidence"] == f"{weak:.2f}"
    assert p["published.status"] == "read"  # read from other lines, which were sure
    # in the JSON contract: the keys that were there before are unchanged, the new ones added
    out = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))["meta"]["provenance"]
    assert out["title"] == "text" and out["title.status"] == "doubtful"


def test_the_threshold_is_the_digits_one() -> None:
    at = parse_document(scanned(LOW_CONFIDENCE), check=False).meta.provenance
    below = parse_document(scanned(LOW_CONFIDENCE - 0.01), check=False).meta.provenance
    assert (at["title.status"], below["title.status"]) == ("read", "doubtful")


def test_a_year_read_from_the_text_is_as_sure_as_its_best_mention() -> None:
    doc = scanned(0.99)
    doc.blocks = doc.blocks[1:]  # no title: the year and the body come from the text
    doc.blocks[1].confidence = 0.5  # the first sentence (body and year) read poorly
    doc.blocks.insert(2, Paragraph("2024年共收到申请5件。", Location(1, 9), confidence=0.95))
    meta = parse_document(doc, check=False).meta
    p = meta.provenance
    assert meta.year == 2024 and p["year"] == "text"
    assert (p["year.confidence"], p["year.status"]) == ("0.95", "read")
    assert meta.agency == "某县人民政府"
    assert p["agency"] in ("signature", "text")


def test_an_agency_from_a_doubtful_signature_is_doubtful() -> None:
    doc = scanned(0.99, sign_conf=0.4)
    doc.blocks = doc.blocks[1:]
    doc.blocks[1].text = "本年度，我们坚持以人民为中心。"  # the body is named only in the signature
    meta = parse_document(doc, check=False).meta
    assert meta.agency == "某县人民政府" and meta.provenance["agency"] == "signature"
    assert meta.provenance["agency.status"] == "doubtful"


def test_text_read_exactly_carries_no_ocr_confidence() -> None:
    doc = scanned(None, None, None)
    doc.kind = "pdf"
    p = parse_document(doc, check=False).meta.provenance
    assert not [k for k in p if k.endswith((".confidence", ".status"))]


def test_a_title_wrapped_over_two_ocr_lines_is_one_title() -> None:
    """A scan's lines carry no type size, so the extractor cannot join a title set large over
    two lines; the parser joins them (and marks the title as sure as its weaker line)."""
    doc = scanned(0.99)
    doc.blocks[0] = Paragraph("某县人民政府2024年政府信息公开工作", Location(1, 1), confidence=0.97)
    doc.blocks.insert(1, Paragraph("年度报告", Location(1, 20), confidence=0.62))
    meta = parse_document(doc, check=False).meta
    assert (meta.title, meta.agency, meta.year) == (TITLE, "某县人民政府", 2024)
    assert (meta.provenance["title.confidence"], meta.provenance["title.status"]) == ("0.62", "doubtful")


def test_a_sentence_ending_in_a_title_fragment_is_no_title() -> None:
    doc = scanned(0.99)
    doc.blocks[0] = Paragraph("根据本机关政府信息公开", Location(1, 1), confidence=0.99)
    doc.blocks.insert(1, Paragraph("工作开展情况编制本年度报告。", Location(1, 20), confidence=0.99))
    assert parse_document(doc, check=False).meta.provenance.get("title") != "text"
