"""The `xxgk` command line: it parses options, calls the library and prints, nothing more.

Exit codes (xxgk.cli.common): 0 clean, 1 findings at error level, 2 usage or input error.
Messages are in Simplified Chinese; `xxgk --lang en …` or XXGK_LANG=en gives English.
"""

from __future__ import annotations

import importlib
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable
from rich.text import Text

from xxgk.check.across import check_across
from xxgk.check.registry import Rule, load_rules, selected
from xxgk.cli import _lang  # noqa: F401  (first: the language of the help texts)
from xxgk.cli.common import (
    SEVERITY_STYLE,
    STATUS_STYLE,
    codes,
    err,
    error_line,
    exit_for,
    fail,
    failure_line,
    out,
    plain,
)
from xxgk.cli.framework import localize_typer
from xxgk.corpus.findings import finding_line, findings_csv, findings_json, severity_counts, worst
from xxgk.corpus.inputs import ReadResult, read_paths
from xxgk.i18n import UnknownLanguage, _, set_lang
from xxgk.report import Report
from xxgk.vocabulary import row_name, severity_name, status_name

localize_typer()

app = typer.Typer(
    name="xxgk",
    help=_("Read, audit, store and compare 政府信息公开工作年度报告 (government information disclosure annual "
           "reports). Messages are in Chinese; `--lang en` (or XXGK_LANG=en) gives English.\n\n"
           "Start with `xxgk parse REPORT.pdf` to see what xxgk reads, `xxgk check FOLDER` to list every problem, "
           "`xxgk rules` for what each rule means. The JSON: docs/format.md; the rules: docs/rules.md."),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
)


class Format(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


@app.callback()
def main_options(
    lang: Annotated[str | None, typer.Option(
        "--lang", envvar="XXGK_LANG", metavar="zh|en", help=_("Language of the messages: zh (default) or "
                                                              "en."))] = None,
) -> None:
    """Global options (before the command): `xxgk --lang en check FOLDER`."""
    try:
        set_lang(lang)
    except UnknownLanguage:
        fail(_("--lang {value}: choose zh or en").format(value=lang))
    localize_typer()


# ------------------------------------------------------------------ parse

PATHS_HELP = _("Report files, folders (read recursively), glob patterns and zip archives — as `xxgk ingest` "
              "takes them; kind detected from content.")


def _cell_text(report: Report, path: str) -> Text:
    cell = report.cells.get(path)
    if cell is None:  # a cell the report's template has but this report does not carry
        return Text("?", style=STATUS_STYLE["missing"])
    shown = "?" if cell.value is None else f"{cell.value:g}" if isinstance(cell.value, float) else str(cell.value)
    if cell.status == "blank" and cell.value is None:
        shown = cell.raw or "␣"
    return Text(shown, style=STATUS_STYLE.get(cell.status, ""))


def _print_report(report: Report) -> None:
    m = report.meta
    out.rule(Text(report.source.file, style="bold"))
    none = "—"
    out.print(Text.assemble(
        (_("title") + " ", "dim"), m.title or none, "\n",
        (_("body") + " ", "dim"), m.agency or none, "    ", (_("year") + " ", "dim"), str(m.year or none),
        "    ", (_("template") + " ", "dim"), str(m.template or none), "    ",
        (_("statistics period") + " ", "dim"), _(" to ").join(m.period) if m.period else none))
    out.print(Text.assemble((_("sections") + " ", "dim"),
                            " ".join("一二三四五六"[s.no - 1] for s in report.sections if 1 <= s.no <= 6) or none))
    template = report.template
    for table in template.tables:
        rows = list(table.rows)
        if table.key == "applications":
            rows += [r for r in template.foreign_rows if r.key in report.foreign_rows()]
        grid = RichTable(title=plain(table.title), title_justify="left", show_lines=False, pad_edge=False)
        if table.key == "active":
            grid.add_column(_("item"), overflow="fold")
            grid.add_column(_("values"), overflow="fold")
            for row in rows:
                values = Text("  ").join(
                    Text(f"{c.label}=") + _cell_text(report, f"active.{row.key}.{c.key}") for c in row.columns)
                grid.add_row(plain(row.label), values)
        else:
            # Full labels, wrapped (never cut): table 三's rows carry their group, （三）不予公开 · 1.…
            grid.add_column("", overflow="fold", min_width=16)
            for col in rows[0].columns:
                grid.add_column(plain(col.label), justify="right", overflow="fold")
            for row in rows:
                cells = (_cell_text(report, f"{table.key}.{row.key}.{c.key}") for c in row.columns)
                grid.add_row(plain(row_name(template, table.key, row.key)), *cells)
        out.print(grid)
    out.print(Text.assemble((_("colours:") + " ", "dim"), status_name("read"), " · ",
                            (status_name("inferred"), STATUS_STYLE["inferred"]), " · ",
                            ("? " + status_name("missing"), STATUS_STYLE["missing"]), " · ",
                            (status_name("blank"), STATUS_STYLE["blank"])))
    _print_findings(report)


def _print_findings(report: Report) -> None:
    if not report.findings:
        out.print(Text("✓ " + _("{file}: no findings").format(file=report.source.file), style="green"))
        return
    for f in report.findings:
        line = finding_line(report, f)
        text = Text.assemble((f"{line.severity_name:4}", SEVERITY_STYLE[f.severity]), " ", (line.code, "bold"))
        if line.where:
            text.append(f" {line.where}", style="dim")
        text.append(f" {line.message}")
        if line.cells:
            text.append(f"（{line.cells}）", style="dim")
        out.print(text)


def _report_failures(result: ReadResult) -> None:
    for name in result.skipped_names:
        err.print(Text(_("skipped (not a report-like name): {file}").format(file=name), style="dim"))
    for name, reason in result.failures:
        failure_line(name, reason)


@app.command(help=_("Read reports and show every cell with its status (read, blank, missing, inferred) and the "
                    "findings.\n\n`xxgk parse report.pdf --json > report.json` gives the machine-readable form "
                    "(docs/format.md)."))
def parse(
    paths: Annotated[list[str], typer.Argument(help=PATHS_HELP, show_default=False, metavar="PATH")],
    json_out: Annotated[bool, typer.Option(
        "--json", help=_("Print the JSON of docs/format.md (one object, or an array for several reports)."))] = False,
    no_check: Annotated[bool, typer.Option("--no-check", help=_("Parse only; leave `findings` empty."))] = False,
) -> None:
    """Read reports and show every cell with its status (read, blank, missing, inferred) and the findings.

    `xxgk parse report.pdf --json > report.json` gives the machine-readable form (docs/format.md).
    """
    result = read_paths(paths, check=not no_check)
    reports = result.reports
    _report_failures(result)
    if json_out:
        single = len(paths) == 1 and len(reports) == 1 and not result.failures and Path(paths[0]).is_file()
        if reports or len(paths) > 1:
            payload = reports[0].to_dict() if single else [r.to_dict() for r in reports]
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    else:
        for r in reports:
            _print_report(r)
    if not reports and not result.failures:
        fail(_("no report found in {paths}").format(paths=" ".join(paths)))
    exit_for(worst(f for r in reports for f in r.findings), len(result.failures))


# ------------------------------------------------------------------ check


@app.command(help=_("Check reports: list every arithmetic, template and consistency problem with the cell it "
                    "concerns.\n\nExit code 0 when no finding is at error level, 1 when one is, 2 for "
                    "unreadable input or bad options. The rules: `xxgk rules`, docs/rules.md."))
def check(
    paths: Annotated[list[str], typer.Argument(help=PATHS_HELP, show_default=False, metavar="PATH")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help=_("text (terminal), json or csv."))] = Format.text,
    select: Annotated[list[str] | None, typer.Option(
        "--select", help=_("Only these rule codes or prefixes (comma-separated or repeated), e.g. "
                           "T3,T4-groups."))] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", help=_("Skip these rule codes or prefixes, e.g. no-fee-statement."))] = None,
) -> None:
    """Check reports: list every arithmetic, template and consistency problem with the cell it concerns.

    Exit code 0 when no finding is at error level, 1 when one is, 2 for unreadable input or bad options.
    The rules: `xxgk rules`, docs/rules.md.
    """
    try:
        selected(codes(select), codes(ignore))
    except KeyError as e:
        fail(str(e.args[0]))
    result = read_paths(paths, select=codes(select), ignore=codes(ignore))
    reports = result.reports
    # Several reports: the rules across years (one body) and across bodies (one year) run too.
    about_set = check_across(reports, codes(select), codes(ignore)) if len(reports) > 1 else []
    _report_failures(result)
    if fmt is Format.json:
        sys.stdout.write(findings_json(reports, about_set))
    elif fmt is Format.csv:
        sys.stdout.write(findings_csv(reports, about_set))
    else:
        for r in reports:
            who = f"{r.meta.agency or ''} {r.meta.year or ''}"
            out.rule(Text.assemble((r.source.file, "bold"), " ", (who, "dim")))
            _print_findings(r)
        if about_set:
            out.rule(Text(_("About the set as a whole"), style="bold"))
            for f in about_set:
                out.print(Text.assemble((f"{severity_name(f.severity):4}", SEVERITY_STYLE[f.severity]), " ",
                                        (f.code, "bold"), " ", plain(f.message)))
        counts = severity_counts([*(f for r in reports for f in r.findings), *about_set])
        summary = Text("\n" + _("{read} report(s) read, {failed} unreadable").format(
            read=len(reports), failed=len(result.failures)))
        for s, n in counts.items():
            summary.append(" · ")
            summary.append(f"{n} {severity_name(s)}", style=SEVERITY_STYLE[s])
        out.print(summary)
    if not reports and not result.failures:
        fail(_("no report found in {paths}").format(paths=" ".join(paths)))
    exit_for(worst([*(f for r in reports for f in r.findings), *about_set]), len(result.failures))


# ------------------------------------------------------------------ rules


def _rule_dict(r: Rule) -> dict[str, object]:
    return {**r.to_dict(), "doc": r.doc}


@app.command(help=_("List the rules (code, severity, summary), or explain one: `xxgk rules T3-balance` (all: "
                    "docs/rules.md)."))
def rules(
    code: Annotated[str | None, typer.Argument(help=_("A rule code: print its documentation."))] = None,
    json_out: Annotated[bool, typer.Option("--json", help=_("Machine-readable list."))] = False,
) -> None:
    """List the rules (code, severity, summary), or explain one: `xxgk rules T3-balance` (all: docs/rules.md)."""
    registry = load_rules()
    if code is not None:
        r = registry.get(code)
        if r is None:
            fail(_("unknown rule {code}; `xxgk rules` lists them").format(code=code))
        if json_out:
            sys.stdout.write(json.dumps(_rule_dict(r), ensure_ascii=False) + "\n")
            return
        out.print(Text.assemble((r.code, "bold"), " (", (severity_name(r.severity), SEVERITY_STYLE[r.severity]),
                                ")\n"))
        out.print(plain(r.summary + "\n"))
        out.print(plain(r.doc))
        return
    ordered = sorted(registry.values(), key=lambda r: (r.scope, r.family, r.code))
    if json_out:
        sys.stdout.write(json.dumps([_rule_dict(r) for r in ordered], ensure_ascii=False, indent=1) + "\n")
        return
    grid = RichTable(title=_("xxgk rules"), title_justify="left")
    for name in (_("rule"), _("severity"), _("what it checks")):
        grid.add_column(name, overflow="fold")
    for r in ordered:
        grid.add_row(plain(r.code), Text(severity_name(r.severity), style=SEVERITY_STYLE[r.severity]), plain(r.summary))
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


__all__ = ["app", "error_line", "main"]

if __name__ == "__main__":
    main()
