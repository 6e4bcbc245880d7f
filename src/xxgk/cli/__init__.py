"""The `xxgk` command line. Library and CLI are twins: every command calls the public API.

Exit codes: 0 clean, 1 findings at error level, 2 usage or input error.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

import xxgk
from xxgk.check.registry import load_rules, selected
from xxgk.errors import InputError, XxgkError
from xxgk.report import Report

app = typer.Typer(
    name="xxgk",
    help=(
        "Read, audit, store and compare 政府信息公开工作年度报告 (government information disclosure "
        "annual reports).\n\n"
        "Start with `xxgk parse REPORT.pdf` to see what xxgk reads, `xxgk check FOLDER/*` to list every "
        "problem, `xxgk rules` for what each rule means."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
)
out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
STATUS_STYLE = {"read": "", "blank": "dim", "missing": "bold red", "inferred": "cyan"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "blue"}


class Format(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


def _fail(file: str, e: XxgkError) -> None:
    message = str(e) if isinstance(e, InputError) else f"{file}: {e}"
    err.print(f"[bold red]error[/] {escape(message)}")


def _codes(values: list[str] | None) -> list[str]:
    return [c for v in values or [] for c in v.split(",") if c.strip()]


def _read_all(files: list[Path], check: bool = True) -> tuple[list[Report], int]:
    reports, failed = [], 0
    for f in files:
        try:
            reports.append(xxgk.read(f, check=check))
        except XxgkError as e:
            failed += 1
            _fail(str(f), e)
    return reports, failed


# ------------------------------------------------------------------ parse


def _cell_text(report: Report, path: str) -> Text:
    cell = report.cells[path]
    shown = "?" if cell.value is None else f"{cell.value:g}" if isinstance(cell.value, float) else str(cell.value)
    if cell.status == "blank" and cell.value is None:
        shown = cell.raw or "␣"
    return Text(shown, style=STATUS_STYLE[cell.status])


def _print_report(report: Report) -> None:
    m = report.meta
    out.rule(f"[bold]{report.source.file}[/]")
    out.print(f"标题 {m.title or '—'}\n机关 {m.agency or '—'}    年度 {m.year or '—'}    模板 {m.template}"
              f"    统计期限 {' 至 '.join(m.period) if m.period else '—'}")
    out.print(f"章节 {' '.join('一二三四五六'[s.no - 1] for s in report.sections) or '—'}")
    template = report.template
    for table in template.tables:
        rows = [r for r in table.rows] + [r for r in template.foreign_rows if r.key in report.foreign_rows()]
        grid = RichTable(title=table.title, title_justify="left", show_lines=False, pad_edge=False)
        if table.key == "active":
            grid.add_column("项目")
            grid.add_column("数值")
            for row in rows:
                values = Text("  ").join(
                    Text(f"{c.label}=") + _cell_text(report, f"active.{row.key}.{c.key}") for c in row.columns)
                grid.add_row(row.label, values)
        else:
            grid.add_column("")
            for col in rows[0].columns:
                grid.add_column(col.label, justify="right")
            for row in rows:
                cells = (_cell_text(report, f"{table.key}.{row.key}.{c.key}") for c in row.columns)
                grid.add_row(row.label[:24], *cells)
        out.print(grid)
    out.print("[dim]颜色: 普通=读取 read · [cyan]青=推算 inferred[/] · [bold red]? 缺失 missing[/] · 灰=空白 blank[/]")
    _print_findings(report)


def _print_findings(report: Report) -> None:
    if not report.findings:
        out.print(f"[green]✓ {report.source.file}: no findings[/]")
        return
    for f in report.findings:
        where = f" [dim]{f.loc}[/]" if f.loc else ""
        out.print(f"[{SEVERITY_STYLE[f.severity]}]{f.severity:7}[/] [bold]{f.code}[/]{where} {escape(f.message)}")


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(
        help="Report files: text, PDF, HTML, DOCX or scans (kind detected from content).")],
    json_out: Annotated[bool, typer.Option(
        "--json", help="Print the JSON of FORMAT.md (one object, or an array for several files).")] = False,
    no_check: Annotated[bool, typer.Option("--no-check", help="Parse only; leave `findings` empty.")] = False,
) -> None:
    """Read reports and show every cell with its status (read, blank, missing, inferred) and the findings.

    `xxgk parse report.pdf --json > report.json` gives the machine-readable form.
    """
    reports, failed = _read_all(files, check=not no_check)
    if json_out:
        payload = reports[0].to_dict() if len(files) == 1 and reports else [r.to_dict() for r in reports]
        if reports or len(files) > 1:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    else:
        for r in reports:
            _print_report(r)
    raise typer.Exit(EXIT_INPUT if failed else EXIT_CLEAN)


# ------------------------------------------------------------------ check


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Report files (any supported kind).")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text (terminal), json or csv.")] = Format.text,
    select: Annotated[list[str] | None, typer.Option(
        "--select", help="Only these rule codes or prefixes (comma-separated or repeated), e.g. T3,T4-groups.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", help="Skip these rule codes or prefixes, e.g. no-fee-statement.")] = None,
) -> None:
    """Audit reports: list every arithmetic, template and consistency problem with the cell it concerns.

    Exit code 0 when no finding is at error level, 1 when one is, 2 for unreadable input or bad options.
    """
    try:
        selected(_codes(select), _codes(ignore))
    except KeyError as e:
        err.print(f"[bold red]error[/] {e.args[0]}")
        raise typer.Exit(EXIT_INPUT) from e
    reports, failed = _read_all(files, check=False)
    for r in reports:
        r.findings = xxgk.check(r, _codes(select), _codes(ignore))
    if fmt is Format.json:
        payload = [{"file": r.source.file, "sha256": r.source.sha256, "agency": r.meta.agency, "year": r.meta.year,
                    "findings": [f.to_dict() for f in r.findings]} for r in reports]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    elif fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["file", "code", "severity", "message", "cells", "loc"])
        for r in reports:
            for f in r.findings:
                w.writerow([r.source.file, f.code, f.severity, f.message, " ".join(f.cells), f.loc or ""])
        sys.stdout.write(buf.getvalue())
    else:
        for r in reports:
            out.rule(f"[bold]{r.source.file}[/] [dim]{r.meta.agency or ''} {r.meta.year or ''}[/]")
            _print_findings(r)
        counts = {s: sum(f.severity == s for r in reports for f in r.findings) for s in SEVERITY_STYLE}
        out.print(f"\n{len(reports)} report(s) read, {failed} unreadable · "
                  + " · ".join(f"[{SEVERITY_STYLE[s]}]{n} {s}[/]" for s, n in counts.items()))
    if failed:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_FINDINGS if any(f.severity == "error" for r in reports for f in r.findings) else EXIT_CLEAN)


# ------------------------------------------------------------------ rules


@app.command()
def rules(
    code: Annotated[str | None, typer.Argument(help="A rule code: print its documentation.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable list.")] = False,
) -> None:
    """List the rules (code, severity, summary), or explain one: `xxgk rules T3-balance`."""
    registry = load_rules()
    if code is not None:
        r = registry.get(code)
        if r is None:
            err.print(f"[bold red]error[/] unknown rule {code!r}; `xxgk rules` lists them")
            raise typer.Exit(EXIT_INPUT)
        if json_out:
            sys.stdout.write(json.dumps({"code": r.code, "severity": r.severity, "scope": r.scope,
                                         "summary": r.summary, "doc": r.doc}, ensure_ascii=False) + "\n")
            return
        out.print(f"[bold]{r.code}[/] ([{SEVERITY_STYLE[r.severity]}]{r.severity}[/], {r.scope}, {r.family})\n")
        out.print(r.summary + "\n")
        out.print(r.doc)
        return
    ordered = sorted(registry.values(), key=lambda r: (r.scope, r.family, r.code))
    if json_out:
        sys.stdout.write(json.dumps([{"code": r.code, "severity": r.severity, "scope": r.scope,
                                      "summary": r.summary} for r in ordered], ensure_ascii=False, indent=1) + "\n")
        return
    grid = RichTable(title="xxgk rules", title_justify="left")
    for name in ("code", "severity", "scope", "summary"):
        grid.add_column(name)
    for r in ordered:
        grid.add_row(r.code, Text(r.severity, style=SEVERITY_STYLE[r.severity]), r.scope, r.summary)
    out.print(grid)


# Commands that live in their own modules of this package: each has `register(app)`. A module
# whose optional dependencies are missing is skipped (its command is then absent, not broken).
COMMAND_MODULES = ("ingest", "corpus", "collect", "writer", "serve")


def _register_optional_commands() -> None:
    for name in COMMAND_MODULES:
        module = f"{__name__}.{name}"
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
            continue
        mod.register(app)


_register_optional_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
