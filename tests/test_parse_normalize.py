"""xxgk.text: the fast NFKC is NFKC, and the label forms built on it did not change."""

from __future__ import annotations

import random
import unicodedata

from xxgk.text import nfkc, normalize, squash


def test_nfkc_is_unicodedata_nfkc_for_every_bmp_character() -> None:
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        assert nfkc(ch) == unicodedata.normalize("NFKC", ch), hex(code)


def test_nfkc_is_unicodedata_nfkc_for_mixed_strings() -> None:
    # Full-width forms next to combining marks, Hangul jamo, compatibility ideographs and plain
    # CJK: the characters whose neighbours change how a string composes.
    codes = [*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x300, 0x370), *range(0x1100, 0x1200),
             *range(0x2000, 0x2500), *range(0x3000, 0x3400), *range(0x4E00, 0x4E40), *range(0xAC00, 0xAC40),
             *range(0xF900, 0xFB00), *range(0xFE10, 0xFE70), *range(0xFF00, 0xFFF0)]
    pool = [chr(c) for c in codes]
    rng = random.Random(11)
    for _ in range(5000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(1, 16)))
        assert nfkc(s) == unicodedata.normalize("NFKC", s), ascii(s)


def test_label_forms() -> None:
    assert normalize("（一）予以公开 　") == "(一)予以公开"
    assert normalize("1、属于国家秘密") == "1.属于国家秘密"
    assert normalize("第１，２项") == "第1,2项"  # a comma before a digit stays
    assert normalize("１２，　共") == "12.共"
    assert squash("收到申请 １５ 件，办结。") == "收到申请15件,办结。"
    assert nfkc("plain ascii") == "plain ascii"


def test_regexes_written_to_open_with_their_class_match_as_first_written() -> None:
    import re

    from xxgk.parse import lines
    from xxgk.text import _DIGIT_COMMA

    pairs = [(re.compile(r"(?<=\d)[、，,](?=\D)"), _DIGIT_COMMA, "12、，,ab。中 3"),
             (re.compile(f"(?![{lines._VALUE_CHARS}])[\u4e00-\u9fff]"), lines._WORDY, "0123件无空元万中文ab-—/٣"),
             (re.compile(r"\d+(件|个|条|项|次|人|宗|份|起|家)"), lines._PROSE_COUNT, "0123件个条项次人宗份起家中٣a")]
    rng = random.Random(5)
    for first, written, alphabet in pairs:
        for _ in range(5000):
            s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            assert [m.span() for m in first.finditer(s)] == [m.span() for m in written.finditer(s)] \
                or first.pattern.startswith(r"\d+"), s  # \d+件 spans the digits; only its presence is used
            assert bool(first.search(s)) == bool(written.search(s)), s
            assert first.sub(".", s) == written.sub(".", s) or first.pattern.startswith(r"\d+"), s
