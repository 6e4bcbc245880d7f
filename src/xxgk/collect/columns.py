"""The `--list` file: a CSV of bodies and their column URLs.

A header row names the columns (`url` — also `column`, `column_url`, `栏目`, `网址`, `链接` — and
optionally `body` — also `name`, `机关`, `单位`, `名称`); without a header, the first cell that is
a web address is the URL and the first other cell the body. UTF-8 (with or without BOM) or
GB18030, as spreadsheets save them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from xxgk.collect.run import Column
from xxgk.errors import InputError, os_reason
from xxgk.i18n import _

_URL_KEYS = ("url", "column", "column_url", "栏目", "栏目地址", "网址", "链接", "地址")
_BODY_KEYS = ("body", "name", "agency", "机关", "单位", "名称", "机关名称", "单位名称")


def _is_url(text: str) -> bool:
    return text.strip().lower().startswith(("http://", "https://", "//"))


def read_columns(path: str | Path) -> list[Column]:
    """Columns listed in a CSV file. Raises InputError (file and reason) when it cannot be used."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(str(path), _("cannot be read: {why}").format(why=os_reason(e))) from e
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(str(path), _("not a text file (neither UTF-8 nor GB18030)"))
    return parse_columns(text, str(path))


def parse_columns(text: str, file: str = "") -> list[Column]:
    """Columns listed in CSV text (a file's, or pasted in the workbench: one column a line, its
    URL and optionally its body). Raises InputError when no column URL is in it."""
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise InputError(file, _("no column URL in the list"))
    head = [c.strip().lower() for c in rows[0]]
    url_at = next((i for i, c in enumerate(head) if c in _URL_KEYS), None)
    body_at = next((i for i, c in enumerate(head) if c in _BODY_KEYS), None)
    out: list[Column] = []
    if url_at is not None:
        for r in rows[1:]:
            url = r[url_at].strip() if url_at < len(r) else ""
            if url:
                body = r[body_at].strip() if body_at is not None and body_at < len(r) else ""
                out.append(Column(_absolute(url), body or None))
    else:
        for r in rows:
            if len(r) == 1:  # a pasted line: the URL and the body's name, by spaces
                words = r[0].split()
                url = next((w for w in words if _is_url(w)), None)
                body = " ".join(w for w in words if w != url) or None
            else:
                url = next((c.strip() for c in r if _is_url(c)), None)
                body = next((c.strip() for c in r if c.strip() and not _is_url(c)), None)
            if url:
                out.append(Column(_absolute(url), body))
    if not out:
        raise InputError(file, _("no column URL in the list"))
    return out


def _absolute(url: str) -> str:
    return "https:" + url if url.startswith("//") else url
