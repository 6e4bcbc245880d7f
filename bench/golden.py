"""The write/check loop the golden-output scripts share (golden_text.py, golden_pdf.py): each
input's output stored under FOLDER on `write`, compared on `check` (a differing one written
beside it as .new), and a digest of all stored outputs printed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path


def write_or_check(mode: str, folder: Path, inputs: Iterable[tuple[str, bytes]], output: Callable[[str, bytes], str],
                   what: str) -> int:
    """0 when every output is as stored (or was stored), 1 when any differs."""
    folder.mkdir(parents=True, exist_ok=True)
    differ = []
    count = 0
    for name, data in inputs:
        count += 1
        text = output(name, data)
        path = folder / (name.replace("/", "__") + ".out")
        if mode == "write":
            path.write_text(text, encoding="utf-8")
        elif path.read_text(encoding="utf-8") != text:
            differ.append(name)
            path.with_suffix(".new").write_text(text, encoding="utf-8")
    digest = hashlib.sha256("".join(sorted(p.read_text() for p in folder.glob("*.out"))).encode()).hexdigest()
    print(f"{count} {what}; {len(differ)} differ; digest of stored outputs {digest[:16]}")
    for name in differ:
        print("  differs:", name)
    return 1 if differ else 0
