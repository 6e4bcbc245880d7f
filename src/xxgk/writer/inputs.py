"""What `xxgk render` accepts: a filled-in form (XLSX), the JSON contract of `xxgk parse --json`,
or any report file xxgk reads (re-rendering a published report on the official form)."""

from __future__ import annotations

import json
from pathlib import Path

import xxgk
from xxgk.errors import InputError
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
        raise InputError(str(path), e.strerror or str(e)) from e
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
