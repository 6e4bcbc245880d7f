"""Golden outputs of the text reader: the JSON of every bundled text input and of generated
reports, to prove a speed change changed nothing. Run before and after, compare:

    python bench/golden_text.py write /tmp/before   # before the change
    python bench/golden_text.py check /tmp/before   # after: exit 1 and the names of what differs

Covers the samples, the text inputs in tests/data, and generated reports in every text style and
HTML style, clean, with a defect and with the printing patterns (xxgk.synth), findings in both
languages.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from golden import write_or_check

import xxgk
from xxgk.errors import InputError
from xxgk.i18n import use_lang
from xxgk.synth import HTML_STYLES, PATTERNS, STYLES, render_html, render_text, sample

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def inputs(n: int) -> Iterator[tuple[str, bytes]]:
    files = sorted((ROOT / "src" / "xxgk" / "samples").glob("*.txt"))
    for sub in ("corpus", "pypdf", "identity", "store", "html"):
        files += sorted((DATA / sub).glob("*.txt")) + sorted((DATA / sub).glob("*.html"))
    for f in files:
        yield f"{f.parent.name}/{f.name}", f.read_bytes()
    patterns = sorted(PATTERNS)
    for seed in range(n):
        pats = [patterns[seed % len(patterns)]] if seed % 3 == 0 else []
        rep = sample(seed, 0.5, pats)
        r = render_text(rep, STYLES[seed % len(STYLES)])
        yield f"synth-text-{seed}{r.suffix}", r.data
        if seed % 4 == 0:
            h = render_html(rep, HTML_STYLES[seed % len(HTML_STYLES)])
            yield f"synth-html-{seed}.html", h.data


def output(name: str, data: bytes) -> str:
    try:
        report = xxgk.read_bytes(data, name)
    except InputError as e:
        return f"InputError: {e}"
    out = report.to_json()
    with use_lang("zh_CN"):
        out += "\n".join(f.message for f in report.findings)
    with use_lang("en"):
        out += "\n".join(f.message for f in report.findings)
    return out


def main(argv: list[str]) -> int:
    mode, folder = argv[0], Path(argv[1])
    n = int(argv[2]) if len(argv) > 2 else 300
    return write_or_check(mode, folder, inputs(n), output, "inputs")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
