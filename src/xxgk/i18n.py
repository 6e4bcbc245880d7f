"""Messages for people: Simplified Chinese by default, English on request.

Every string a person reads goes through a gettext catalogue. The message ids in the code are
English (the gettext convention); the Simplified Chinese catalogue is
`xxgk/locale/zh_CN/LC_MESSAGES/xxgk.po`, compiled to `xxgk.mo` by `scripts/i18n.py` (Babel).
English is the message id itself.

The language is chosen, in this order, by `use_lang()` (a context: one web request, one test),
`set_lang()` (the CLI's `--lang`), the `XXGK_LANG` environment variable, and then `zh`.

    from xxgk.i18n import _, N_
    _("{n} report(s) read").format(n=3)      # '读取报告 3 份' by default
    SUMMARY = N_("Cells printed empty")        # marked for the catalogue, translated where shown
"""

from __future__ import annotations

import gettext as _gettext
import os
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"
DOMAIN = "xxgk"
LOCALE_DIR = Path(__file__).parent / "locale"
# gettext's locale directory names of our languages (English needs no catalogue: msgid is English).
_CATALOGUE = {"zh": "zh_CN"}
_ALIASES = {"zh": "zh", "zh_cn": "zh", "zh-cn": "zh", "zh_hans": "zh", "zh-hans": "zh", "cn": "zh", "chinese": "zh",
            "中文": "zh", "en": "en", "en_us": "en", "en-us": "en", "en_gb": "en", "english": "en"}

_lang: ContextVar[str | None] = ContextVar("xxgk_lang", default=None)
_process_lang: str | None = None


class UnknownLanguage(ValueError):
    """A language xxgk has no catalogue for."""


def normalize_lang(value: str) -> str:
    """'zh', 'zh_CN', 'en-US'… → 'zh' or 'en'; anything else raises UnknownLanguage."""
    key = value.strip().lower().split(".")[0]
    if key in _ALIASES:
        return _ALIASES[key]
    raise UnknownLanguage(value)


def current_lang() -> str:
    """The language of this context: use_lang() › set_lang() › XXGK_LANG › zh."""
    lang = _lang.get() or _process_lang
    if lang:
        return lang
    env = os.environ.get("XXGK_LANG", "")
    if env:
        try:
            return normalize_lang(env)
        except UnknownLanguage:
            return DEFAULT_LANG
    return DEFAULT_LANG


def set_lang(lang: str | None) -> None:
    """Set the language of this process (the CLI's --lang). None: back to XXGK_LANG or zh."""
    global _process_lang
    _process_lang = normalize_lang(lang) if lang else None


@contextmanager
def use_lang(lang: str | None) -> Iterator[str]:
    """Within the block, messages are in `lang` (None keeps the current one)."""
    chosen = normalize_lang(lang) if lang else current_lang()
    token = _lang.set(chosen)
    try:
        yield chosen
    finally:
        _lang.reset(token)


@cache
def _translations(lang: str) -> _gettext.NullTranslations:
    folder = _CATALOGUE.get(lang)
    if folder is None:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[folder], fallback=True)


def gettext(message: str) -> str:
    """`message` (an English message id) in the current language."""
    if not message:
        return message
    return _translations(current_lang()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(current_lang()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a message for the catalogue without translating it now (module-level constants)."""
    return message


# Words a message parameter may hold that are translated when the message is rendered (a kind of
# body, a source of a date…): the finding keeps the English word, each reader sees their language.
_TERMS: set[str] = set()


def term(message: str) -> str:
    """Mark a word for the catalogue AND as a parameter value that `render` translates."""
    _TERMS.add(message)
    return message


class _Params(dict):
    """Format parameters that leave an unknown placeholder visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(message: str, params: Mapping[str, Any] | None = None) -> str:
    """Translate a message template, then fill in its named parameters."""
    text = gettext(message)
    if not params:
        return text
    shown = {k: gettext(v) if isinstance(v, str) and v in _TERMS else v for k, v in params.items()}
    return text.format_map(_Params(shown))  # as Formatter().vformat, at a fifth of its cost


def placeholders(message: str) -> set[str]:
    """The named parameters a message template uses (for the catalogue tests)."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}
