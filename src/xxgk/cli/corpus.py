"""Commands over many reports: export, compile (汇总), stats, compare and audit.

`xxgk.cli` calls `register(app)`. Every command reads a store (`--db URL`: a SQLite path, or
postgresql://…; default ./xxgk.sqlite) except `audit`, which also ingests the files it is given.
Exit codes: 0 clean, 1 findings at error level (audit), 2 usage or input error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import tempfile
import webbrowser
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

from xxgk.errors import XxgkError
from xxgk.report import Finding, Report

if TYPE_CHECKING:
    from xxgk.store import Store

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "blue"}
out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: a SQLite file path or sqlite:///…, postgresql://user@host/db. Default ./xxgk.sqlite.",
    ),
]
YearOpt = Annotated[int | None, typer.Option("--year", help="Only reports for this year.")]
AgencyOpt = Annotated[str | None, typer.Option("--agency", help="Only bodies whose name contains this text.")]
RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="Only this region: a name (substring) or a 6-digit code (320800 = the city and under).",
    ),
]
LevelOpt = Annotated[str | None, typer.Option("--level", help="Only bodies of this level.")]
TemplateOpt = Annotated[
    str | None, typer.Option("--template", help="Only reports on this template (2019/2021).")
]


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


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error[/] {escape(message)}")
    return typer.Exit(EXIT_INPUT)


@contextmanager
def _store(db: str | None, must_exist: bool = True) -> Iterator[Store]:
    """Open the store or exit 2 with the reason; a read command on a missing SQLite file is an
    error (opening would silently create an empty database)."""
    from xxgk.store import Store, StoreError, database_url

    url = database_url(db)
    if must_exist and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            raise _fail(f"no database at {path}: run `xxgk ingest FILES --db {db or path.name}` first")
    try:
        store = Store.open(db)
    except StoreError as e:
        raise _fail(str(e)) from e
    try:
        yield store
    finally:
        store.close()


def _select(
    store: Store,
    year: int | None = None,
    agency: str | None = None,
    region: str | None = None,
    level: str | None = None,
    template: str | None = None,
) -> list[Report]:
    return list(store.reports(year=year, agency=agency, region=region, level=level, template=template))


def _filters(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


# ------------------------------------------------------------------ export


def export_cmd(
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="csv (long: one row per cell), csv-wide (one "
            "row per report), xlsx (laid out like the "
            "template), parquet (long), json.",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Output file; csv, csv-wide and json go to standard output when omitted."
        ),
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

    with _store(db) as store:
        reports = _select(store, year, agency, region, level, template)
    if not reports:
        raise _fail("no stored report matches the filters")
    if output is None:
        if fmt in (ExportFormat.xlsx, ExportFormat.parquet):
            raise _fail(f"--format {fmt.value} writes a binary file: give -o FILE")
        text = {"csv": ex.csv_long, "csv-wide": ex.csv_wide, "json": ex.json_text}[fmt.value](reports)
        sys.stdout.write(text)
        return
    try:
        n = ex.export(reports, fmt.value, output)
    except OSError as e:
        raise _fail(f"cannot write {output}: {e.strerror or e}") from e
    err.print(f"{n} report(s) written to {output} ({fmt.value})")


# ------------------------------------------------------------------ compile


def _compile_summary(comp: Any) -> None:
    from xxgk.export.compilation import compilation_heading

    out.rule(f"[bold]{escape(compilation_heading(comp))}[/]")
    grid = RichTable(show_header=True, header_style="bold")
    for name in ("body", "status", "file", "error findings"):
        grid.add_column(name)
    for b in comp.included:
        grid.add_row(
            b.body, "included", b.file, Text(", ".join(b.errors), style="bold red") if b.errors else ""
        )
    for m in comp.missing:
        grid.add_row(m.body, Text("missing", style="bold red"), "", m.reason)
    for b in comp.unexpected:
        grid.add_row(b.body, Text("not expected", style="yellow"), b.file, "")
    for d in comp.duplicates:
        grid.add_row(d.body, Text("duplicate", style="yellow"), d.file, f"counted: {d.kept}")
    out.print(grid)
    inc = [c for c in comp.cells.values() if c.status != "complete"]
    if inc:
        out.print(
            f"[yellow]{len(inc)} compiled cell(s) are incomplete or unknown[/] (some bodies' values "
            "are not known); see the cells sheet of the XLSX or the JSON"
        )
    breaks = [c for c in comp.checks if c.result == "breaks"]
    if breaks:
        out.print(f"[bold red]{len(breaks)} template equation(s) do not hold on the compiled numbers[/]")
    for n in comp.notes:
        out.print(f"[dim]note:[/] {escape(n)}")


def compile_cmd(
    year: Annotated[int, typer.Option("--year", help="The year to compile (a 汇总 is for one year).")],
    db: DbOpt = None,
    region: RegionOpt = None,
    level: LevelOpt = None,
    agency: AgencyOpt = None,
    template: TemplateOpt = None,
    expect: Annotated[
        Path | None,
        typer.Option(
            "--expect", help="File of the body names expected to report, one a line (# comments allowed)."
        ),
    ] = None,
    per_template: Annotated[
        bool,
        typer.Option(
            "--per-template",
            help="When the selection mixes templates, compile each (out-2021.xlsx, out-2019.xlsx…).",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="out.xlsx (laid out like the template, "
            "plus cells, bodies and checks sheets) or "
            "out.json; '-' for JSON on standard "
            "output; omitted: a summary.",
        ),
    ] = None,
) -> None:
    """汇总: sum the selected reports of one year into one set of template tables.

    Every compiled cell says how many reports gave a known value and how many did not; a cell
    with any unknown contributor is marked incomplete. Bodies missing (from --expect, or present
    the year before) and bodies whose report carries error findings are listed.
    """
    from xxgk.compile import CompileError, compile_by_template, compile_reports, read_expect_file

    if output is not None and str(output) != "-" and output.suffix.lower() not in (".xlsx", ".json"):
        raise _fail(f"-o {output}: the output must end in .xlsx or .json (or be '-')")
    expected = None
    if expect is not None:
        try:
            expected = read_expect_file(expect)
        except (OSError, UnicodeDecodeError) as e:
            raise _fail(f"cannot read --expect {expect}: {e}") from e
    with _store(db) as store:
        reports = _select(store, year, agency, region, level, template)
        previous = _select(store, year - 1, agency, region, level, None)
    filters = _filters(year=year, region=region, level=level, agency=agency, template=template)
    try:
        if per_template:
            comps = compile_by_template(
                reports, expected=expected, previous=previous or None, filters=filters
            )
        else:
            comps = [compile_reports(reports, expected=expected, previous=previous or None, filters=filters)]
    except CompileError as e:
        hint = " (or pass --per-template)" if "mixes templates" in str(e) else ""
        raise _fail(str(e) + hint) from e
    if output is None:
        for comp in comps:
            _compile_summary(comp)
        return
    if str(output) == "-":
        payload = comps[0].to_dict() if len(comps) == 1 else [c.to_dict() for c in comps]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    for comp in comps:
        target = (
            output if len(comps) == 1 else output.with_name(f"{output.stem}-{comp.template}{output.suffix}")
        )
        try:
            if target.suffix.lower() == ".xlsx":
                comp.write_xlsx(target)
            else:
                target.write_text(comp.to_json(), encoding="utf-8")
        except OSError as e:
            raise _fail(f"cannot write {target}: {e.strerror or e}") from e
        err.print(f"compiled {len(comp.included)} report(s), template {comp.template}, into {target}")


# ------------------------------------------------------------------ stats


def stats_cmd(
    db: DbOpt = None,
    year: YearOpt = None,
    region: RegionOpt = None,
    level: LevelOpt = None,
    agency: AgencyOpt = None,
    fmt: Annotated[
        StatsFormat, typer.Option("--format", "-f", help="text (a table), csv or json.")
    ] = StatsFormat.text,
) -> None:
    """Indicators per body and year, ranked within region and level, with the change from the
    year before: applications received, disclosure rate, refusal rate, 复议纠错率, 诉讼纠错率.

    An indicator that cannot be computed (denominator 0 or unknown) is shown as — with its reason.
    """
    from xxgk.indicators import INDICATORS, format_change, format_indicator, indicator_table

    with _store(db) as store:
        reports = _select(store, year, agency, region, level)
        years = sorted({r.meta.year for r in reports if r.meta.year is not None})
        history = _select(store, [y - 1 for y in years], agency, region, level) if years else []  # type: ignore[arg-type]
    if not reports:
        raise _fail("no stored report matches the filters")
    rows = indicator_table(reports, history)
    if fmt is StatsFormat.json:
        sys.stdout.write(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1) + "\n")
        return
    if fmt is StatsFormat.csv:
        recs = [r.flat() for r in rows]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(recs[0]), lineterminator="\n")
        w.writeheader()
        for rec in recs:
            w.writerow({k: "" if v is None else v for k, v in rec.items()})
        sys.stdout.write(buf.getvalue())
        return
    grid = RichTable(title="xxgk stats", title_justify="left", header_style="bold")
    grid.add_column("机关", overflow="fold", min_width=8)
    wide = out.width >= 120  # region and level only when there is room for them
    if wide:
        grid.add_column("地区 · 层级", overflow="fold", style="dim")
    grid.add_column("年度")
    for name, _doc in INDICATORS.values():
        grid.add_column(name, justify="right", min_width=len(name) * 2)
    for r in rows:
        cells: list[Text | str] = [
            r.body or f"（{r.file}）",
            str(r.year or ""),
        ]
        if wide:
            cells.insert(1, " · ".join(x for x in (r.region, r.level) if x))
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
    out.print(
        "[dim]— : cannot be computed (denominator 0 or unknown; --format json gives the reason) · "
        "* : uses an inferred cell · #k/n : rank within region, level and year · ± : change from the "
        "year before[/]"
    )


# ------------------------------------------------------------------ compare


def compare_cmd(
    ctx: typer.Context,
    body: Annotated[str, typer.Argument(help="The body's name (exact, or a substring matching one body).")],
    years: Annotated[
        list[str] | None,
        typer.Option(
            "--years",
            "-y",
            help="Years to compare: --years 2023 2024 (or 2023,2024). Default: every stored year.",
        ),
    ] = None,
    db: DbOpt = None,
    fmt: Annotated[StatsFormat, typer.Option("--format", "-f", help="text, or json.")] = StatsFormat.text,
) -> None:
    """One body's reports side by side: the cells that changed, the indicators and the cross-year
    findings (e.g. this year's 上年结转 against last year's 结转下年度)."""
    from xxgk.compile import normalize_name
    from xxgk.indicators import INDICATORS, compare_reports, format_indicator

    wanted: list[int] = []
    for token in [*(years or []), *ctx.args]:  # --years 2023 2024: click leaves "2024" as an extra argument
        for part in token.split(","):
            if not part.strip():
                continue
            if not part.strip().isdigit():
                raise _fail(f"--years: {part!r} is not a year")
            wanted.append(int(part))
    with _store(db) as store:
        candidates = _select(store, agency=body)
    names = sorted({r.meta.agency for r in candidates if r.meta.agency})
    exact = [n for n in names if normalize_name(n) == normalize_name(body)]
    if not names:
        raise _fail(f"no stored report of a body named like {body!r}")
    if len(exact) != 1 and len(names) > 1:
        raise _fail(f"{body!r} matches several bodies: {', '.join(names)}; give the full name")
    name = exact[0] if exact else names[0]
    reports = [r for r in candidates if r.meta.agency == name]
    have = sorted({r.meta.year for r in reports if r.meta.year is not None})
    chosen_years = sorted(set(wanted)) if wanted else have
    absent = [y for y in chosen_years if y not in have]
    if absent:
        raise _fail(
            f"{name} has no stored report for {', '.join(map(str, absent))} "
            f"(stored: {', '.join(map(str, have)) or 'none with a year'})"
        )
    picked = [next(r for r in reports if r.meta.year == y) for y in chosen_years]
    if len(picked) < 2:
        raise _fail(f"{name}: need two years to compare (stored: {', '.join(map(str, have))})")
    comp = compare_reports(picked)
    if fmt is StatsFormat.json:
        sys.stdout.write(json.dumps(comp.to_dict(), ensure_ascii=False, indent=1) + "\n")
        return
    out.rule(f"[bold]{escape(name)}[/] {' → '.join(map(str, comp.years))}")
    cells = RichTable(
        title=f"cells that changed ({len(comp.changed)}; {comp.unchanged} unchanged)",
        title_justify="left",
        header_style="bold",
    )
    cells.add_column("cell")
    for y in comp.years:
        cells.add_column(str(y), justify="right")
    for c in comp.changed:
        vals = []
        for v, s in zip(c.values, c.statuses, strict=True):
            if s is None:
                vals.append(Text("(not in template)", style="dim"))
            elif v is None:
                vals.append(Text(s, style="bold red" if s == "missing" else "dim"))
            else:
                vals.append(
                    Text(
                        f"{v:g}" if isinstance(v, float) else str(v), style="cyan" if s == "inferred" else ""
                    )
                )
        cells.add_row(f"{c.label}\n[dim]{c.path}[/]", *vals)
    out.print(cells)
    ind = RichTable(title="indicators", title_justify="left", header_style="bold")
    ind.add_column("indicator")
    for y in comp.years:
        ind.add_column(str(y), justify="right")
    for key, (label, _doc) in INDICATORS.items():
        ind.add_row(label, *[format_indicator(key, i[key].value) for i in comp.indicators])
    out.print(ind)
    if comp.findings:
        out.print("[bold]cross-year findings[/]")
        for f in comp.findings:
            out.print(f"  [{SEVERITY_STYLE[f.severity]}]{f.severity}[/] {f.code} {escape(f.message)}")
    else:
        out.print("[dim]no cross-year finding[/]")


# ------------------------------------------------------------------ audit


def _expand(paths: Sequence[Path]) -> list[Path]:
    out_: list[Path] = []
    for p in paths:
        if p.is_dir():
            out_ += sorted(x for x in p.rglob("*") if x.is_file() and not x.name.startswith("."))
        else:
            out_.append(p)
    return out_


def _samples(tmp: Path) -> Path:
    """The bundled sample reports as a folder (copied out when the package is not on disk)."""
    root = files("xxgk") / "samples"
    if isinstance(root, Path):
        return root
    dest = tmp / "samples"
    dest.mkdir()
    for item in root.iterdir():
        if item.is_file():
            (dest / item.name).write_bytes(item.read_bytes())
    return dest


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _corpus_findings(reports: Sequence[Report]) -> dict[str, list[Finding]]:
    """Cross-year findings (the checker's corpus rules, bodies told apart by xxgk.identity),
    keyed by the sha256 of the report each belongs to."""
    from xxgk.check.rules.cross_report import check_corpus

    found: dict[str, list[Finding]] = {}
    for report, finding in check_corpus(reports):
        found.setdefault(report.source.sha256, []).append(finding)
    return found


def _audit_summary(
    reports: Sequence[Report],
    failures: Sequence[tuple[str, str]],
    html: Path,
    corpus: dict[str, list[Finding]],
) -> None:
    from collections import Counter

    grid = RichTable(title="xxgk audit", title_justify="left", header_style="bold")
    for name, justify in (
        ("report", "left"),
        ("year", "right"),
        ("template", "left"),
        ("error", "right"),
        ("warning", "right"),
        ("info", "right"),
    ):
        grid.add_column(name, justify=justify)  # type: ignore[arg-type]
    ordered = sorted(
        reports,
        key=lambda r: (
            -sum(f.severity == "error" for f in r.findings),
            -sum(f.severity == "warning" for f in r.findings),
            r.meta.agency or "",
            r.source.file,
        ),
    )
    shown = ordered[:25]
    for r in shown:
        counts = [sum(f.severity == s for f in r.findings) for s in SEVERITY_STYLE]
        grid.add_row(
            escape(r.meta.agency or f"({r.source.file})"),
            str(r.meta.year or "?"),
            r.meta.template or "?",
            *[
                Text(str(n), style=SEVERITY_STYLE[s] if n else "dim")
                for n, s in zip(counts, SEVERITY_STYLE, strict=True)
            ],
        )
    out.print(grid)
    if len(ordered) > len(shown):
        out.print(f"[dim]… and {len(ordered) - len(shown)} more report(s) in the HTML[/]")
    rules = Counter((f.code, f.severity) for r in reports for f in r.findings)
    for fs in corpus.values():
        rules.update((f.code, f.severity) for f in fs)
    if rules:
        by_rule = RichTable(title="findings by rule", title_justify="left", header_style="bold")
        by_rule.add_column("rule")
        by_rule.add_column("severity")
        by_rule.add_column("count", justify="right")
        for (code, sev), n in sorted(
            rules.items(), key=lambda x: (list(SEVERITY_STYLE).index(x[0][1]), x[0][0])
        ):
            by_rule.add_row(code, Text(sev, style=SEVERITY_STYLE[sev]), str(n))
        out.print(by_rule)
    for file, reason in failures:
        err.print(f"[bold red]unreadable[/] {escape(file)}: {escape(reason)}")
    totals = Counter(f.severity for r in reports for f in r.findings)
    out.print(
        f"{len(reports)} report(s) read, {len(failures)} unreadable · "
        + " · ".join(f"[{SEVERITY_STYLE[s]}]{totals.get(s, 0)} {s}[/]" for s in SEVERITY_STYLE)
        + f"\naudit written to [bold]{escape(str(html))}[/]"
    )


def audit_cmd(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Report files or folders. None: the bundled sample reports.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Keep the reports in this database (SQLite path or "
            "postgresql://…). Default: a temporary one.",
        ),
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write.")] = Path(
        "audit.html"
    ),
    stored: Annotated[
        bool, typer.Option("--stored", help="Audit every report already in --db (no PATH).")
    ] = False,
    open_: Annotated[bool, typer.Option("--open", help="Open the HTML in the default browser.")] = False,
    workers: Annotated[int | None, typer.Option("--workers", help="Parallel parsing processes.")] = None,
) -> None:
    """The main job: read a folder of reports, store them, check them and write ONE self-contained
    HTML audit (summary, charts, every finding with its rule and cell, every report's tables laid
    out like the template), with a summary table here.

    Exit code 0 when clean, 1 when a finding is at error level, 2 for unreadable input or usage errors.
    """
    import xxgk
    from xxgk.audit import render_audit

    if stored and paths:
        raise _fail("--stored audits the database: give no PATH")
    if stored and db is None:
        raise _fail("--stored needs --db")
    with tempfile.TemporaryDirectory(prefix="xxgk-audit-") as tmp:
        if stored:
            inputs: list[Path] = []
        else:
            given = list(paths) if paths else [_samples(Path(tmp))]
            missing = [str(p) for p in given if not p.exists()]
            if missing:
                raise _fail(f"no such file or folder: {', '.join(missing)}")
            inputs = [p for p in _expand(given) if not (p.name.lower() == "readme.md" and not paths)]
            if not inputs:
                raise _fail("no file to audit")
        with _store(db if db is not None else str(Path(tmp) / "audit.sqlite"), must_exist=stored) as store:
            if stored:
                reports = list(store.reports())
                failures = store.failures()
            else:
                from xxgk.corpus.ingest import ingest

                try:
                    ingest(inputs, store, workers=workers)  # progress: see cli/ingest.py _Bar
                except XxgkError as e:
                    raise _fail(str(e)) from e
                wanted: dict[str, Path] = {}
                for p in inputs:
                    with suppress(OSError):  # unreadable: ingest recorded it as a failure
                        wanted[_sha256(p)] = p
                reports = [r for r in store.reports() if r.source.sha256 in wanted]
                names = (
                    {str(p) for p in inputs} | {p.name for p in inputs} | {str(p.resolve()) for p in inputs}
                )
                failures = [(f, why) for f, why in store.failures() if f in names or Path(f).name in names]
    for r in reports:
        r.findings = xxgk.check(r)  # the current rules, whatever parse the store held
    corpus = _corpus_findings(reports)
    html = render_audit(reports, failures, corpus)
    try:
        output.write_text(html, encoding="utf-8")
    except OSError as e:
        raise _fail(f"cannot write {output}: {e.strerror or e}") from e
    _audit_summary(reports, failures, output, corpus)
    if open_:
        webbrowser.open(output.resolve().as_uri())
    if failures or not reports:
        raise typer.Exit(EXIT_INPUT)
    errors = any(f.severity == "error" for r in reports for f in r.findings) or any(
        f.severity == "error" for fs in corpus.values() for f in fs
    )
    raise typer.Exit(EXIT_FINDINGS if errors else EXIT_CLEAN)


def register(app: typer.Typer) -> None:
    """Add export, compile, stats, compare and audit to the `xxgk` app."""
    app.command("export")(export_cmd)
    app.command("compile")(compile_cmd)
    app.command("stats")(stats_cmd)
    app.command("compare", context_settings={"allow_extra_args": True})(compare_cmd)
    app.command("audit")(audit_cmd)
