"""Keep the message catalogue in step with the code (Babel).

    python scripts/i18n.py update    # extract the message ids from src/xxgk into zh_CN/xxgk.po (keeps translations)
    python scripts/i18n.py compile   # xxgk.po -> xxgk.mo (deterministic: same .po, same bytes)
    python scripts/i18n.py check     # list untranslated or fuzzy messages, exit 1 if any

Message ids are English; write the Chinese in `msgstr`. `update` never drops a translation: a
message no longer in the code is kept as obsolete (#~) until removed by hand.
"""

from __future__ import annotations

import datetime
import importlib
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

_NO_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "xxgk"
PO = SRC / "locale" / "zh_CN" / "LC_MESSAGES" / "xxgk.po"
MO = PO.with_suffix(".mo")
# _("…"), N_("…"), term("…"), render("…", params), ngettext("one", "many", n)
KEYWORDS = {"_": None, "N_": None, "term": None, "gettext": None, "render": (1,), "ngettext": (1, 2)}
METHOD_MAP = [("**/synth/**.py", "ignore"), ("**.py", "python"), ("**.j2", "jinja2"), ("**.html", "jinja2")]
OPTIONS = {"**.j2": {"extensions": "jinja2.ext.i18n"}, "**.html": {"extensions": "jinja2.ext.i18n"}}


# Typer writes texts of its own (Usage:, Options, Show this message and exit.), marked for gettext;
# xxgk.cli.framework routes them through this catalogue, so they are extracted from the installed
# Typer (not from the Click it carries in typer/_click, which does not mark its texts).
FRAMEWORK = "typer"
FRAMEWORK_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    """Every message id in the source (and in Typer), in a fixed order (by id), without locations."""
    template = Catalog(project="xxgk", charset="utf-8")
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(SRC), METHOD_MAP, OPTIONS, keywords=KEYWORDS, strip_comment_tags=True):
        template.add(message)
    folder = Path(importlib.import_module(FRAMEWORK).__file__ or "").parent
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), [("_click/**", "ignore"), ("**.py", "python")], keywords=FRAMEWORK_KEYWORDS,
            strip_comment_tags=True):
        template.add(message)
    return template


def load() -> Catalog:
    if not PO.exists():
        return Catalog(locale="zh_CN", project="xxgk", charset="utf-8")
    with PO.open("rb") as f:
        return read_po(f, locale="zh_CN")


def save(catalog: Catalog) -> None:
    PO.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, no_location=True, omit_header=False, sort_output=True,
             include_previous=False)
    PO.write_bytes(_stable_header(buf.getvalue()))


def _stable_header(data: bytes) -> bytes:
    """Drop the creation and revision dates Babel stamps, so an unchanged catalogue is unchanged bytes."""
    keep = [ln for ln in data.split(b"\n")
            if not ln.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date', b"# FIRST AUTHOR", b"# Translations"))]
    return b"\n".join(keep)


def update() -> Catalog:
    catalog = load()
    catalog.update(extract(), no_fuzzy_matching=True, update_header_comment=False)
    save(catalog)
    return catalog


def compile_mo(catalog: Catalog | None = None) -> bytes:
    catalog = catalog or load()
    # Babel stamps "now" into the .mo header when the .po has no dates: pin them, so the same .po
    # always compiles to the same bytes (and a test can tell a stale .mo).
    catalog.creation_date = catalog.revision_date = _NO_DATE
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def untranslated(catalog: Catalog | None = None) -> list[str]:
    catalog = catalog or load()
    bad = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        if m.fuzzy or not all(strings):
            bad.append(m.id if isinstance(m.id, str) else m.id[0])
    return bad


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "update"
    if cmd == "update":
        catalog = update()
        MO.write_bytes(compile_mo(catalog))
        missing = untranslated(catalog)
        print(f"{PO.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} untranslated")
        return 0
    if cmd == "compile":
        MO.write_bytes(compile_mo())
        return 0
    if cmd == "check":
        missing = untranslated()
        for m in missing:
            print(f"untranslated: {m}")
        return 1 if missing else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
