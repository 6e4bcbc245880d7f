"""Text normalisation shared by every matcher: one place decides what "the same label" means."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_DIGIT_COMMA = re.compile(r"(?<=\d)[、，,](?=\D)")
_DIGIT_DOT = re.compile(r"(?<=\d)\.\s*")


def normalize(text: str) -> str:
    """NFKC, no whitespace, `1、` and `1．` become `1.`: the form every label regex is written for."""
    t = unicodedata.normalize("NFKC", text)
    t = _SPACE.sub("", t)
    t = _DIGIT_COMMA.sub(".", t)
    return t


def squash(text: str) -> str:
    """NFKC with whitespace removed, punctuation kept: for searching narrative text."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))
