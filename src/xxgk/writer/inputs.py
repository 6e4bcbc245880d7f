"""What `xxgk render` accepts: a filled-in form (XLSX), the JSON contract of `xxgk parse --json`,
or any report file xxgk reads (re-rendering a published report on the official form)."""

from __future__ import annotations

import json
from pathlib import Path

import xxgk
from xxgk.errors import InputError, os_reason
from xxgk.i18n import _
from xxgk.report import SCHEMA, Cell, Report
from xxgk.template import TEMPLATES
from xxgk.writer.read_form import is_form, read_form


def report_from_json(data: bytes, file: str) -> Report:
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(file, _("not valid JSON ({error})").format(error=e)) from e
    if isinstance(payload, list):
        if len(payload) != 1:
            raise InputError(file, _("holds {n} reports; give a file with one").format(n=len(payload)))
        payload = payload[0]
    if not isinstance(payload, dict) or payload.get("schema") != SCHEMA:
        raise InputError(file, _("not the JSON of xxgk parse --json (schema {schema})").format(schema=SCHEMA))
    report = Report.from_dict(payload)
    template = report.meta.template
    if template not in TEMPLATES:
        raise InputError(file, _("unknown template {template!r}").format(template=template))
    if not report.cells:  # a hand-written JSON with tables only: every number given is read
        for table in ("active", "applications", "appeals"):
            for row, cols in (payload.get(table) or {}).items():
                for col, value in (cols or {}).items():
                    report.cells[f"{table}.{row}.{col}"] = Cell(value, "read" if value is not None else "missing")
    return report


def load_report(path: str | Path) -> Report:
    """A report from a form, a JSON contract or a report file; InputError names the file and why."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(str(path), os_reason(e)) from e
    if not data.strip():
        raise InputError(str(path), _("the file is empty"))
    if data.lstrip()[:1] in (b"{", b"[") or data.startswith(b"\xef\xbb\xbf{"):
        return report_from_json(data, str(path))
    if p.suffix.lower() in (".xlsx", ".xlsm") or is_form(data):
        if not is_form(data):
            raise InputError(str(path), _("not a form written by xxgk form (its map sheet is missing)"))
        report = read_form(data, str(path))
        report.findings = xxgk.check(report)
        return report
    return xxgk.read(p)


def last_year_from_store(url: str, body: str | None, year: int) -> Report:
    """The `year`-1 report of `body` in a store (`--db`): the body whose name is exactly `body`,
    else the only one whose name contains it. InputError when none or several match."""
    from xxgk.store import Store, StoreError

    if not body:
        raise InputError(url, _("--db needs --body NAME to find last year's report"))
    try:
        store = Store.open(url)
    except StoreError as e:
        raise InputError(url, str(e)) from e
    try:
        entries = store.entries(year=year - 1, agency=body)
        exact = [e for e in entries if e.agency == body]
        chosen = exact or entries
        if not chosen:
            raise InputError(url, _("no {year} report of {body} in the store").format(year=year - 1, body=body))
        if len(chosen) > 1:
            names = "、".join(sorted({e.agency or e.file for e in chosen}))
            raise InputError(url, _("{n} reports of {year} match {body}: {names}; give the exact name").format(
                n=len(chosen), year=year - 1, body=body, names=names))
        return store.report(chosen[0].id)
    finally:
        store.close()
