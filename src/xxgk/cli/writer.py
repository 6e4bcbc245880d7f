"""`xxgk form` and `xxgk render`: the agency's side — a workbook to fill in, then the report on the
official form as DOCX, HTML or PDF, read back and checked before it is written.

`xxgk.cli` calls `register(app)`. Exit codes: 0 written and clean, 1 error-level findings (the
document is not written unless --force), 2 bad input, options or a missing tool.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from xxgk.errors import XxgkError, os_reason
from xxgk.i18n import _
from xxgk.vocabulary import severity_name

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
SHOWN = 12  # findings listed on the terminal; the rest are counted
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str) -> None:
    err.print(f"[bold red]{escape(_('error'))}[/] {escape(message)}")


def _list(console: Console, lines: list[str]) -> None:
    for line in lines[:SHOWN]:
        console.print("  " + escape(line))
    if len(lines) > SHOWN:
        console.print("  " + _("… and {n} more").format(n=len(lines) - SHOWN))


def form_cmd(
    year: Annotated[int, typer.Option("--year", min=2019, max=2100, help=_(
        "The year the report is for (the template follows it: 2021 from 2021 on)."))],
    output: Annotated[Path, typer.Option("--output", "-o", help=_("The workbook to write, e.g. 填报表.xlsx."))],
    body: Annotated[str | None, typer.Option("--body", help=_("The body (机关) the report is from."))] = None,
    last_file: Annotated[Path | None, typer.Option(
        "--from", help=_("Last year's report (any kind xxgk reads, or its JSON): prefills 上年结转 and shows "
                         "last year's 现行有效件数."))] = None,
    db: Annotated[str | None, typer.Option(
        "--db", help=_("Find last year's report of --body in this store (SQLite path or URL) "
                       "instead of --from."))] = None,
) -> None:
    """Write the XLSX form to fill in: the official tables with locked labels, validated inputs,
    总计 as formulas and a check sheet of every relation (red when broken)."""
    from xxgk.writer import fill_in_form, load_report
    from xxgk.writer.inputs import last_year_from_store

    if last_file is not None and db is not None:
        _fail(_("give last year's report with --from or --db, not both"))
        raise typer.Exit(EXIT_INPUT)
    try:
        last = load_report(last_file) if last_file else last_year_from_store(db, body, year) if db else None
        if last is not None and last.meta.year is not None and last.meta.year != year - 1:
            err.print(_("note: the report given as last year's is for {y}").format(y=last.meta.year))
        data = fill_in_form(year, body, last)
        output.write_bytes(data)
    except XxgkError as e:
        _fail(str(e))
        raise typer.Exit(EXIT_INPUT) from e
    except OSError as e:
        _fail(f"{output}: {os_reason(e)}")
        raise typer.Exit(EXIT_INPUT) from e
    out.print(_("wrote {file}: the form for {year}").format(file=escape(str(output)), year=year))
    if last is not None:
        out.print(_("prefilled from last year's report: {file}").format(file=escape(last.source.file)))


def render_cmd(
    input_file: Annotated[Path, typer.Argument(
        metavar="INPUT", help=_("A filled-in form (.xlsx from xxgk form), the JSON of `xxgk parse --json`, "
                                "or any report file xxgk reads."))],
    output: Annotated[Path, typer.Option("--output", "-o", help=_("OUT.docx, OUT.html or OUT.pdf."))],
    text: Annotated[Path | None, typer.Option(
        "--text", help=_("The six sections' text: Markdown or plain text with the six headings "
                         "(一、总体情况 … 六、其他需要报告的事项)."))] = None,
    force: Annotated[bool, typer.Option("--force", help=_("Write even when the lint finds errors."))] = False,
) -> None:
    """Write the report on the official form as DOCX, HTML or PDF. The document is read back and
    checked with every rule first; an error stops the write unless --force."""
    from xxgk.writer import LintError, format_of, load_report, read_markdown, render

    try:
        kind = format_of(output)
        report = load_report(input_file)
        narrative = read_markdown(text) if text else None
        rendered = render(report, kind, narrative, force=force)
    except LintError as e:
        _fail(_("{file} was not written: the document has errors").format(file=str(output)))
        _list(err, e.result.lines())
        err.print(_("correct them, or write anyway with --force"))
        raise typer.Exit(EXIT_FINDINGS) from e
    except XxgkError as e:
        _fail(str(e))
        raise typer.Exit(EXIT_INPUT) from e
    try:
        output.write_bytes(rendered.data)
    except OSError as e:
        _fail(f"{output}: {os_reason(e)}")
        raise typer.Exit(EXIT_INPUT) from e
    result = rendered.lint
    out.print(_("wrote {file}").format(file=escape(str(output))))
    _list(out, result.lines(("error", "warning")))
    if rendered.placeholders:
        out.print(_("still to write (marked 【待填写】): sections {sections}").format(
            sections="、".join("一二三四五六"[n - 1] for n in rendered.placeholders)))
    counts = {s: sum(f.severity == s for f in result.findings) for s in ("error", "warning", "info")}
    out.print(" · ".join(f"{n} {severity_name(s)}" for s, n in counts.items()))
    raise typer.Exit(EXIT_FINDINGS if result.blocking else EXIT_CLEAN)


def register(app: typer.Typer) -> None:
    """Add `form` and `render` to the `xxgk` app."""
    app.command("form", short_help=_("Write the XLSX form to fill in, with its checks."), help=_(
        "Write the XLSX form to fill in: the official tables with locked labels, validated inputs, "
        "总计 as formulas and a check sheet of every relation (red when broken)."))(form_cmd)
    app.command("render", short_help=_("Write a report on the official form: DOCX, HTML or PDF."), help=_(
        "Write the report on the official form as DOCX, HTML or PDF. The document is read back and "
        "checked with every rule first; an error stops the write unless --force."))(render_cmd)
