"""The language of this command line, taken from `--lang` before anything is imported.

Typer builds `--help` from texts evaluated when the command modules are imported, before the
command line is parsed; so `xxgk --lang en check --help` would still show Chinese. This module
is imported first by xxgk.cli and sets the language from the arguments (the `--lang` option
then checks the value and says so when it is not zh or en).
"""

from __future__ import annotations

import contextlib
import sys

from xxgk.i18n import UnknownLanguage, set_lang


def lang_in(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


_given = lang_in(sys.argv[1:])
if _given:
    with contextlib.suppress(UnknownLanguage):  # reported by the --lang option itself, with exit code 2
        set_lang(_given)
