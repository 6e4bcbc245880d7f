"""Commands over many reports: export, compile (汇总), stats, compare and audit.

`xxgk.cli` calls `register(app)`. Each command parses its options, calls one library function
(xxgk.corpus.*, xxgk.export) and prints. Every command reads a store (`--db URL`: a SQLite
path, or postgresql://…; default ./xxgk.sqlite) except `audit`, which also ingests the files
it is given. Exit codes: 0 clean, 1 findings at error level (audit), 2 usage or input error.
"""

from __future__ import annotations

import json
import sys
import tempfile
import webbrowser
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable
from rich.text import Text

from xxgk.cli.common import (
    SEVERITY_STYLE,
    err,
    exit_for,
    fail,
    failure_line,
    library_errors,
    no_progress,
    out,
    plain,
    progress_bar,
)
from xxgk.corpus.selection import Filters, check_text, open_store, select
from xxgk.errors import os_reason
from xxgk.i18n import N_, _
from xxgk.vocabulary import level_name, location_text, severity_name, status_name

if TYPE_CHECKING:
    from xxgk.corpus.audit import Audit
    from xxgk.corpus.compile import Compilation
    from xxgk.report import Report

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="XXGK_DB",
        help=_("Database: a SQLite file path or sqlite:///…, postgresql://user@host/db. Default ./xxgk.sqlite."),
    ),
]
YearOpt = Annotated[int | None, typer.Option("--year", help=_("Only reports for this year."))]
AgencyOpt = Annotated[str | None, typer.Option("--agency", help=_("Only bodies whose name contains this text."))]
RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        help=_("Only this region: a name (substring) or a 6-digit code (320800 = the city and under)."),
    ),
]
LevelOpt = Annotated[str | None, typer.Option(
    "--level", help=_("Only bodies of this level: province, city, county, township, development_zone, department."))]
TemplateOpt = Annotated[str | None, typer.Option("--template", help=_("Only reports on this template (2019/2021)."))]


# --help texts of the commands (the functions' docstrings are for developers).
EXPORT_HELP = N_("Export stored reports as one dataset: CSV (long or wide), XLSX, Parquet or JSON.\n\nUnknown "
                 "cells stay empty (never 0); the long forms carry each cell's status and location.")
COMPILE_HELP = N_("汇总: sum the selected reports of one year into one set of template tables.\n\nEvery compiled "
                  "cell says how many reports gave a known value and how many did not; a cell with any unknown "
                  "contributor is marked incomplete. Bodies missing (from --expect, or present the year before) "
                  "and bodies whose report carries error findings are listed.")
STATS_HELP = N_("Indicators per body and year, ranked within region and level, with the change from the year "
                "before: applications received, disclosure rate, refusal rate, 复议纠错率, 诉讼纠错率.\n\nAn indicator "
                "that cannot be computed (denominator 0 or unknown) is shown as — with its reason.")
COMPARE_HELP = N_("One body's reports side by side: the cells that changed, the indicators and the cross-year "
                  "findings (e.g. this year's 上年结转 against last year's 结转下年度).")
AUDIT_HELP = N_("The main job: read a folder of reports, store them, check them and write ONE self-contained "
                "HTML audit (summary, charts, every finding with its rule and cell, every report's tables laid "
                "out like the template), with a summary table here.\n\nExit code 0 when clean, 1 when a finding "
                "is at error level, 2 for unreadable input or usage errors.")
FINDINGS_HELP = N_("The stored findings of the selected reports: each report's own, the cross-year ones and the "
                  "cross-body ones (copied-from-other-body, missing-subordinate) that ingest wrote.\n\n--code takes "
                  "a code or a prefix (T3-, copied-); --format csv or json for programs.")


class ExportFormat(StrEnum):
    csv = "csv"
    csv_wide = "csv-wide"
    xlsx = "xlsx"
    parquet = "parquet"
    json = "json"


class StatsFormat(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


TableFormatOpt = Annotated[StatsFormat, typer.Option("--format", "-f", help=_("text (a table), csv or json."))]

# ------------------------------------------------------------------ export


def export_cmd(
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help=_("csv (long: one row per cell), csv-wide (one row per report), xlsx (laid out like the "
            "template), parquet (long), json."),
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help=_("Output file; csv, csv-wide and json go to standard output when "
                                              "omitted.")),
    ] = None,
    db: DbOpt = None,
    year: YearOpt = None,
    agency: AgencyOpt = None,
    region: RegionOpt = None,
    level: LevelOpt = None,
    template: TemplateOpt = None,
) -> None:
    """Export stored reports as one dataset: CSV (long or wide), XLSX, Parquet or JSON.

    Unknown cells stay empty (never 0); the long forms carry each cell's status and location.
    """
    from xxgk import export as ex

    with library_errors():
        filters = Filters(year, agency, region, level, template)
        with open_store(db) as store:
            reports = select(store, filters)
    if not reports:
        fail(_("no stored report matches the filters"))
    if output is None:
        if fmt in (ExportFormat.xlsx, ExportFormat.parquet):
            fail(_("--format {format} writes a binary file: give -o FILE").format(format=fmt.value))
        text = {"csv": ex.csv_long, "csv-wide": ex.csv_wide, "json": ex.json_text}[fmt.value](reports)
        sys.stdout.write(text)
        return
    try:
        n = ex.export(reports, fmt.value, output)
    except OSError as e:
        fail(_("cannot write {file}: {reason}").format(file=output, reason=os_reason(e)))
    err.print(plain(_("{n} report(s) written to {file} ({format})").format(n=n, file=output, format=fmt.value)))


# ------------------------------------------------------------------ compile


def _compile_summary(comp: Compilation) -> None:
    from xxgk.export.compilation import compilation_heading

    out.rule(plain(compilation_heading(comp), "bold"))
    grid = RichTable(show_header=True, header_style="bold")
    for name in (_("body"), _("status"), _("file"), _("error findings")):
        grid.add_column(name, overflow="fold")
    for b in comp.included:
        grid.add_row(plain(b.body), _("included"), plain(b.file), Text(", ".join(b.errors), style="bold red"))
    for m in comp.missing:
        grid.add_row(plain(m.body), Text(_("missing"), style="bold red"), "", plain(m.reason))
    for b in comp.unexpected:
        grid.add_row(plain(b.body), Text(_("not on the expected list"), style="yellow"), plain(b.file), "")
    for d in comp.duplicates:
        grid.add_row(plain(d.body), Text(_("duplicate (not counted)"), style="yellow"), plain(d.file),
                     plain(_("counted: {file}").format(file=d.kept)))
    out.print(grid)
    inc = [c for c in comp.cells.values() if c.status != "complete"]
    if inc:
        out.print(Text(_("{n} compiled cell(s) are incomplete or unknown (some bodies' values are not known); "
                         "see the cells sheet of the XLSX or the JSON").format(n=len(inc)), style="yellow"))
    breaks = [c for c in comp.checks if c.result == "breaks"]
    if breaks:
        out.print(Text(_("{n} template equation(s) do not hold on the compiled numbers").format(n=len(breaks)),
                       style="bold red"))
    for n in comp.notes:
        out.print(plain(_("note: {text}").format(text=n)))


def compile_cmd(
    year: Annotated[int, typer.Option("--year", help=_("The year to compile (a 汇总 is for one year)."))],
    db: DbOpt = None,
    region: RegionOpt = None,
    level: LevelOpt = None,
    agency: AgencyOpt = None,
    template: TemplateOpt = None,
    expect: Annotated[
        Path | None,
        typer.Option("--expect", help=_("File of the body names expected to report, one a line (# comments "
                                        "allowed).")),
    ] = None,
    per_template: Annotated[
        bool,
        typer.Option("--per-template",
                     help=_("When the selection mixes templates, compile each (out-2021.xlsx, out-2019.xlsx…).")),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help=_("out.xlsx (laid out like the template, plus cells, bodies and checks sheets) or out.json; "
            "'-' for JSON on standard output; omitted: a summary."),
        ),
    ] = None,
) -> None:
    """汇总: sum the selected reports of one year into one set of template tables.

    Every compiled cell says how many reports gave a known value and how many did not; a cell
    with any unknown contributor is marked incomplete. Bodies missing (from --expect, or present
    the year before) and bodies whose report carries error findings are listed.
    """
    from xxgk.corpus.compile import CompileError, compile_store, read_expect_file
    from xxgk.export.compilation import write_compilation_xlsx

    if output is not None and str(output) != "-" and output.suffix.lower() not in (".xlsx", ".json"):
        fail(_("-o {file}: the output must end in .xlsx or .json (or be '-')").format(file=output))
    expected = None
    if expect is not None:
        try:
            expected = read_expect_file(expect)
        except (OSError, UnicodeDecodeError) as e:
            fail(_("cannot read --expect {file}: {reason}").format(file=expect, reason=e))
    with library_errors():
        filters = Filters(year, agency, region, level, template)
        with open_store(db) as store:
            try:
                comps = compile_store(store, filters, expected=expected, per_template=per_template)
            except CompileError as e:
                hint = _(" (or pass --per-template)") if e.mixed_templates else ""
                fail(str(e) + hint)
    if output is None:
        for comp in comps:
            _compile_summary(comp)
        return
    if str(output) == "-":
        payload = comps[0].to_dict() if len(comps) == 1 else [c.to_dict() for c in comps]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    for comp in comps:
        target = output if len(comps) == 1 else output.with_name(f"{output.stem}-{comp.template}{output.suffix}")
        try:
            if target.suffix.lower() == ".xlsx":
                write_compilation_xlsx(comp, target)
            else:
                target.write_text(comp.to_json(), encoding="utf-8")
        except OSError as e:
            fail(_("cannot write {file}: {reason}").format(file=target, reason=os_reason(e)))
        err.print(plain(_("compiled {n} report(s), template {template}, into {file}").format(
            n=len(comp.included), template=comp.template, file=target)))


# ------------------------------------------------------------------ stats


def stats_cmd(
    db: DbOpt = None,
    year: YearOpt = None,
    region: RegionOpt = None,
    level: LevelOpt = None,
    agency: AgencyOpt = None,
    fmt: TableFormatOpt = StatsFormat.text,
) -> None:
    """Indicators per body and year, ranked within region and level, with the change from the
    year before: applications received, disclosure rate, refusal rate, 复议纠错率, 诉讼纠错率.

    An indicator that cannot be computed (denominator 0 or unknown) is shown as — with its reason.
    """
    from xxgk.corpus.indicators import INDICATORS, format_change, format_indicator, indicator_name
    from xxgk.corpus.stats import stats

    with library_errors():
        filters = Filters(year, agency, region, level)
        with open_store(db) as store:
            result = stats(store, filters)
    if fmt is StatsFormat.json:
        sys.stdout.write(result.to_json())
        return
    if fmt is StatsFormat.csv:
        sys.stdout.write(result.to_csv())
        return
    grid = RichTable(title=_("xxgk stats"), title_justify="left", header_style="bold")
    grid.add_column(_("body"), overflow="fold", min_width=8)
    wide = out.width >= 120  # region and level only when there is room for them
    if wide:
        grid.add_column(_("region · level"), overflow="fold", style="dim")
    grid.add_column(_("year"))
    for key in INDICATORS:
        name = indicator_name(key)
        grid.add_column(name, justify="right", overflow="fold", min_width=min(12, len(name) * 2))
    for r in result.rows:
        cells: list[Text] = [plain(r.body or f"（{r.file}）"), plain(r.year or "")]
        if wide:
            cells.insert(1, plain(" · ".join(x for x in (r.region, level_name(r.level) if r.level else "") if x)))
        for key in INDICATORS:
            ind = r.values[key]
            if ind.value is None:
                cells.append(Text("—", style="dim"))
                continue
            t = Text(format_indicator(key, ind.value) + ("*" if ind.inferred else ""))
            rank = r.ranks.get(key)
            if rank:
                t.append(f" #{rank.rank}/{rank.of}", style="dim")
            ch = format_change(key, r.changes.get(key))
            if ch:
                t.append(f" {ch}", style="green" if ch.startswith("+") else "red")
            cells.append(t)
        grid.add_row(*cells)
    out.print(grid)
    groups = sorted({rk.describe() for r in result.rows for rk in r.ranks.values() if rk is not None})
    out.print(Text(_("— : cannot be computed (denominator 0 or unknown; --format json gives the reason) · "
                     "* : uses an inferred cell · #k/n : rank among the n bodies of the same region, level and "
                     "year that have a value · ± : change from the year before"), style="dim"))
    if groups:
        out.print(Text(_("ranked within: {groups}").format(groups="；".join(groups)), style="dim"))


# ------------------------------------------------------------------ findings


def findings_cmd(
    db: DbOpt = None,
    year: YearOpt = None,
    region: RegionOpt = None,
    level: LevelOpt = None,
    agency: AgencyOpt = None,
    code: Annotated[str | None, typer.Option("--code", help=_("Only this rule code, or codes with this prefix."))]
    = None,
    severity: Annotated[str | None, typer.Option("--severity", help=_("Only this level: error, warning, info."))]
    = None,
    fmt: TableFormatOpt = StatsFormat.text,
) -> None:
    from xxgk.corpus.findings import stored_csv, stored_findings, stored_records

    with library_errors():
        check_text(code, "--code")
        filters = Filters(year, agency, region, level)
        with open_store(db) as store:
            items = stored_findings(store, filters, code, severity)
    if fmt is StatsFormat.json:
        sys.stdout.write(json.dumps(stored_records(items), ensure_ascii=False, indent=1) + "\n")
        return
    if fmt is StatsFormat.csv:
        sys.stdout.write(stored_csv(items))
        return
    grid = RichTable(title=_("xxgk findings"), title_justify="left", header_style="bold")
    for name in (_("body"), _("year"), _("severity"), _("rule"), _("location"), _("message")):
        grid.add_column(name, overflow="fold")
    for s in items:
        where = location_text(s.finding.loc)
        grid.add_row(plain(s.agency or s.file), plain(s.year or ""),
                     Text(severity_name(s.severity), style=SEVERITY_STYLE.get(s.severity, "")),
                     plain(s.code), plain(where), plain(s.finding.message))
    out.print(grid)
    counts = Counter(s.severity for s in items)
    out.print(" · ".join(f"{counts.get(sev, 0)} {severity_name(sev)}" for sev in ("error", "warning", "info")))


# ------------------------------------------------------------------ compare


def compare_cmd(
    ctx: typer.Context,
    body: Annotated[str, typer.Argument(help=_("The body's name (exact, or a substring matching one body)."))],
    years: Annotated[
        list[str] | None,
        typer.Option("--years", "-y", help=_("Years to compare: --years 2023 2024 (or 2023,2024). Default: every "
                      "stored year.")),
    ] = None,
    db: DbOpt = None,
    fmt: Annotated[StatsFormat, typer.Option("--format", "-f", help=_("text, or json."))] = StatsFormat.text,
) -> None:
    """One body's reports side by side: the cells that changed, the indicators and the cross-year
    findings (e.g. this year's 上年结转 against last year's 结转下年度)."""
    from xxgk.corpus.compare import compare_body
    from xxgk.corpus.indicators import INDICATORS, format_indicator, indicator_name

    wanted: list[int] = []
    for token in [*(years or []), *ctx.args]:  # --years 2023 2024: click leaves "2024" as an extra argument
        for part in token.split(","):
            if not part.strip():
                continue
            if not part.strip().isdigit() or len(part.strip()) > 4:
                fail(_("--years: {value} is not a year").format(value=part.strip()))
            wanted.append(int(part))
    with library_errors():
        check_text(body, "BODY")  # before the database: a 20,000-character name is a typing error
        with open_store(db) as store:
            comp = compare_body(store, body, wanted)
    if fmt is StatsFormat.json:
        sys.stdout.write(json.dumps(comp.to_dict(), ensure_ascii=False, indent=1) + "\n")
        return
    out.rule(Text.assemble((comp.body, "bold"), " ", " → ".join(map(str, comp.years))))
    cells = RichTable(
        title=_("cells that changed ({changed}; {unchanged} unchanged)").format(
            changed=len(comp.changed), unchanged=comp.unchanged),
        title_justify="left",
        header_style="bold",
    )
    cells.add_column(_("cell"), overflow="fold")
    for y in comp.years:
        cells.add_column(str(y), justify="right")
    for c in comp.changed:
        vals = []
        for v, s in zip(c.values, c.statuses, strict=True):
            if s is None:
                vals.append(Text(_("(not in the template)"), style="dim"))
            elif v is None:
                vals.append(Text(status_name(s), style="bold red" if s == "missing" else "dim"))
            else:
                shown = f"{v:g}" if isinstance(v, float) else str(v)
                vals.append(Text(shown, style="cyan" if s == "inferred" else ""))
        cells.add_row(plain(c.label), *vals)
    out.print(cells)
    ind = RichTable(title=_("indicators"), title_justify="left", header_style="bold")
    ind.add_column(_("indicator"))
    for y in comp.years:
        ind.add_column(str(y), justify="right")
    for key in INDICATORS:
        ind.add_row(indicator_name(key), *[format_indicator(key, i[key].value) for i in comp.indicators])
    out.print(ind)
    if comp.findings:
        out.print(Text(_("cross-year findings"), style="bold"))
        for f in comp.findings:
            out.print(Text.assemble("  ", (severity_name(f.severity), SEVERITY_STYLE[f.severity]), f" {f.code} ",
                                    f.message))
    else:
        out.print(Text(_("no cross-year finding"), style="dim"))


# ------------------------------------------------------------------ audit


def _audit_summary(audit: Audit, html: Path) -> None:
    grid = RichTable(title=_("xxgk audit"), title_justify="left", header_style="bold")
    grid.add_column(_("report"), overflow="fold")
    grid.add_column(_("year"), justify="right")
    grid.add_column(_("template"))
    for s in SEVERITY_STYLE:
        grid.add_column(severity_name(s), justify="right")

    def n(r: Report, s: str) -> int:
        return sum(f.severity == s for f in r.findings)

    ordered = sorted(audit.reports, key=lambda r: (-n(r, "error"), -n(r, "warning"), r.meta.agency or "",
                                                   r.source.file))
    shown = ordered[:25]
    for r in shown:
        grid.add_row(plain(r.meta.agency or f"({r.source.file})"), str(r.meta.year or "?"), r.meta.template or "?",
                     *[Text(str(n(r, s)), style=SEVERITY_STYLE[s] if n(r, s) else "dim") for s in SEVERITY_STYLE])
    out.print(grid)
    if len(ordered) > len(shown):
        out.print(Text(_("… and {n} more report(s) in the HTML").format(n=len(ordered) - len(shown)), style="dim"))
    by_rule = Counter((f.code, f.severity) for f in audit.findings)
    if by_rule:
        table = RichTable(title=_("findings by rule"), title_justify="left", header_style="bold")
        table.add_column(_("rule"))
        table.add_column(_("severity"))
        table.add_column(_("count"), justify="right")
        for (code, sev), k in sorted(by_rule.items(), key=lambda x: (list(SEVERITY_STYLE).index(x[0][1]), x[0][0])):
            table.add_row(code, Text(severity_name(sev), style=SEVERITY_STYLE[sev]), str(k))
        out.print(table)
    for file, reason in audit.failures:
        failure_line(file, reason)
    summary = Text(_("{read} report(s) read, {failed} unreadable").format(
        read=len(audit.reports), failed=len(audit.failures)))
    for s, k in audit.counts().items():
        summary.append(" · ")
        summary.append(f"{k} {severity_name(s)}", style=SEVERITY_STYLE[s])
    summary.append("\n" + _("audit written to {file}").format(file=html))
    out.print(summary)


def audit_cmd(
    paths: Annotated[list[str] | None, typer.Argument(
        help=_("Report files, folders, globs or zip archives. None: the bundled sample reports."))] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help=_("Keep the reports in this database (SQLite path or postgresql://…). "
                     "Default: a temporary one.")),
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help=_("The HTML file to write."))] = Path("audit.html"),
    stored: Annotated[bool, typer.Option(
        "--stored", help=_("Audit every report already in --db (no PATH)."))] = False,
    open_: Annotated[bool, typer.Option("--open", help=_("Open the HTML in the default browser."))] = False,
    workers: Annotated[int | None, typer.Option("--workers", "-j", min=0, help=_("Parallel parsing "
                                                                                 "processes."))] = None,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help=_("Progress bar (default: on a terminal)."))] = sys.stderr.isatty(),
    expect: Annotated[
        Path | None,
        typer.Option("--expect", help=_("File of the body names expected to report, one a line (# comments "
                                        "allowed): those without a report are listed (missing-subordinate).")),
    ] = None,
) -> None:
    """The main job: read a folder of reports, store them, check them and write ONE self-contained
    HTML audit (summary, charts, every finding with its rule and cell, every report's tables laid
    out like the template), with a summary table here.

    Exit code 0 when clean, 1 when a finding is at error level, 2 for unreadable input or usage errors.
    """
    from xxgk.corpus.audit import audit, audit_stored, sample_paths
    from xxgk.corpus.compile import read_expect_file
    from xxgk.corpus.inputs import PROGRESS_CALLBACK

    if stored and paths:
        fail(_("--stored audits the database: give no PATH"))
    if stored and db is None:
        fail(_("--stored needs --db"))
    expected = None
    if expect is not None:
        try:
            expected = read_expect_file(expect)
        except (OSError, UnicodeDecodeError) as e:
            fail(_("cannot read --expect {file}: {reason}").format(file=expect, reason=e))
    with (tempfile.TemporaryDirectory(prefix="xxgk-audit-") as tmp, library_errors(),
          open_store(db if db is not None else str(Path(tmp) / "audit.sqlite"), must_exist=stored) as store):
        if stored:
            result = audit_stored(store, expected=expected)
        else:
            bar, on_progress = progress_bar() if progress and PROGRESS_CALLBACK else (None, None)
            if progress and not PROGRESS_CALLBACK:
                on_progress = no_progress  # the ingest then draws its own bar
            try:
                if bar is not None:
                    bar.start()  # type: ignore[attr-defined]
                result = audit(paths or sample_paths(Path(tmp)), store, workers=workers,
                               on_progress=on_progress, expected=expected)  # type: ignore[arg-type]
            finally:
                if bar is not None:
                    bar.stop()  # type: ignore[attr-defined]
    html = result.html()
    try:
        output.write_text(html, encoding="utf-8")
    except OSError as e:
        fail(_("cannot write {file}: {reason}").format(file=output, reason=os_reason(e)))
    _audit_summary(result, output)
    if open_:
        webbrowser.open(output.resolve().as_uri())
    if not result.reports and not result.failures:
        fail(_("no report to audit"))
    exit_for(result.worst, len(result.failures))


def register(app: typer.Typer) -> None:
    """Add export, compile, stats, compare and audit to the `xxgk` app."""
    app.command("export", help=_(EXPORT_HELP))(export_cmd)
    app.command("compile", help=_(COMPILE_HELP))(compile_cmd)
    app.command("stats", help=_(STATS_HELP))(stats_cmd)
    app.command("findings", help=_(FINDINGS_HELP))(findings_cmd)
    app.command("compare", help=_(COMPARE_HELP), context_settings={"allow_extra_args": True})(compare_cmd)
    app.command("audit", help=_(AUDIT_HELP))(audit_cmd)
