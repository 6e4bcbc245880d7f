"""Text normalisation shared by every matcher: one place decides what "the same label" means."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# A 、 or comma after a digit and before a non-digit (the same as (?<=\d)[、，,](?=\D)), written to
# open with its character class: the regex engine then skips to the marks instead of trying the
# lookbehind at every position.
_DIGIT_COMMA = re.compile(r"[、，,](?<=\d[、，,])(?=\D)")
_DIGIT_DOT = re.compile(r"(?<=\d)\.\s*")

# Where the characters with a compatibility form that reports print live: Latin-1, general
# punctuation, number forms and enclosed numbers (①, ⑴), CJK symbols and enclosed CJK (㈠),
# CJK compatibility ideographs, vertical and small forms, full-width forms (，（）０-９　).
_COMPAT_BLOCKS = ((0x00A0, 0x0100), (0x2000, 0x2500), (0x3000, 0x3400), (0xF900, 0xFB00),
                  (0xFE10, 0xFE70), (0xFF00, 0xFFF0))


_CHUNK = 1 << 16  # characters searched at a time for compatibility forms
# The compatibility forms report prose is full of (，（）：；), with their NFKC forms.
_PUNCTUATION = tuple((ch, unicodedata.normalize("NFKC", ch)) for ch in "，（）：；")


@cache
def _compat_forms() -> tuple[re.Pattern[str], dict[str, str]]:
    """The characters of those blocks that NFKC changes, with their NFKC form (built once)."""
    forms = {}
    for lo, hi in _COMPAT_BLOCKS:
        for code in range(lo, hi):
            ch = chr(code)
            nf = unicodedata.normalize("NFKC", ch)
            if nf != ch:
                forms[ch] = nf
    return re.compile("[" + "".join(re.escape(ch) for ch in forms) + "]"), forms


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), fast for report text.

    CPython normalises a whole string the slow way as soon as one character is not already in
    NFKC form, and report text is full of full-width punctuation (，（）：). Replacing such a
    character by its own NFKC form first changes nothing in the result — the compatibility
    decomposition of the string is the same, and NFKC is composed from it — and leaves a string
    the quick check passes through.
    """
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text  # ASCII is its own NFKC form; the quick check is fast when it passes
    # The full-width punctuation of Chinese prose first, by str.replace (a fast scan each):
    # usually nothing else is left, and the quick check then passes.
    for ch, nf in _PUNCTUATION:
        text = text.replace(ch, nf)
    if unicodedata.is_normalized("NFKC", text):
        return text
    pattern, forms = _compat_forms()
    found: set[str] = set()
    for start in range(0, len(text), _CHUNK):  # by chunks: a huge text never lists all its matches
        found.update(pattern.findall(text, start, start + _CHUNK))
    for ch in found:  # each such character once, replaced everywhere (in C)
        text = text.replace(ch, forms[ch])
    return unicodedata.normalize("NFKC", text)


def normalize(text: str) -> str:
    """NFKC, no whitespace, `1、` and `1．` become `1.`: the form every label regex is written for."""
    t = "".join(nfkc(text).split())  # str.split() and \s agree on what whitespace is
    if "," in t or "、" in t:
        t = _DIGIT_COMMA.sub(".", t)
    return t


def squash(text: str) -> str:
    """NFKC with whitespace removed, punctuation kept: for searching narrative text."""
    return "".join(nfkc(text).split())
