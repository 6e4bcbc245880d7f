"""`xxgk ingest`: read files, folders, globs and zip archives into the store.

`xxgk.cli` calls `register(app)`. Exit codes: 0 every input stored (or already there), 2 some
input could not be read (each listed with its reason; the others are stored all the same) or
a usage / database error.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

EXIT_CLEAN, EXIT_INPUT = 0, 2


class EngineChoice(StrEnum):
    process = "process"
    dask = "dask"


def ingest_cmd(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (read recursively), glob patterns (quote them: 'reports/**/*.pdf') and "
            "zip archives (members read in memory).",
            show_default=False,
        ),
    ],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="XXGK_DB",
            help="Database: a SQLite file path or sqlite:///…, postgresql://user@host/db. Default ./xxgk.sqlite.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-j",
            min=0,
            help="Parsing processes (default: one per core; 0 parses in this process). With --engine dask and no "
            "--scheduler: the size of the local cluster.",
        ),
    ] = None,
    engine: Annotated[
        EngineChoice,
        typer.Option(
            "--engine",
            help="process: a pool of worker processes here. dask: a Dask cluster (pip install 'xxgk[dask]').",
        ),
    ] = EngineChoice.process,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Address of a running Dask scheduler (tcp://host:8786) for --engine dask; "
            "without it a local cluster is started.",
        ),
    ] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Progress bar with rate and ETA (default: on a terminal).")
    ] = sys.stderr.isatty(),
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0, help="Seconds one file may take; a slower file is recorded as failed "
                     "(0: no limit)."),
    ] = 60.0,
    memory: Annotated[
        int,
        typer.Option("--memory", min=0, help="Megabytes of memory a worker may use on one file; a file that needs "
                     "more is recorded as failed (0: no limit)."),
    ] = 1024,
) -> None:
    """Store reports: new content is parsed, the same bytes again are skipped (sha256), a newer
    parser re-parses. Safe to interrupt and re-run: nothing is lost or stored twice."""
    from xxgk.corpus.ingest import ingest
    from xxgk.errors import XxgkError
    from xxgk.store import Store, StoreError

    err = Console(stderr=True, highlight=False)
    if scheduler and engine != EngineChoice.dask:
        err.print("[bold red]error[/] --scheduler needs --engine dask")
        raise typer.Exit(EXIT_INPUT)
    try:
        store = Store.open(db)
    except StoreError as e:
        err.print(f"[bold red]error[/] {escape(str(e))}")
        raise typer.Exit(EXIT_INPUT) from e
    bar = _Bar() if progress else None
    try:
        summary = ingest(paths, store, workers=workers, on_progress=bar.update if bar else None, engine=engine.value,
                         scheduler=scheduler, timeout=timeout or None, memory=(memory << 20) or None)
    except XxgkError as e:
        err.print(f"[bold red]error[/] {escape(str(e))}")
        raise typer.Exit(EXIT_INPUT) from e
    finally:
        if bar is not None:
            bar.stop()
        store.close()
    if as_json:
        print(json.dumps({"database": store.url, **summary.to_dict()}, ensure_ascii=False, indent=1))
    else:
        out = Console(highlight=False)
        rate = summary.total / summary.seconds if summary.seconds else 0.0
        grid = Table(title=f"xxgk ingest → {store.url}", title_justify="left")
        for col in (
            "added",
            "unchanged",
            "re-parsed",
            "failed",
            "skipped",
            "cross-year findings",
            "seconds",
            "files/s",
        ):
            grid.add_column(col, justify="right")
        grid.add_row(
            str(summary.added),
            str(summary.unchanged),
            str(summary.reparsed),
            str(len(summary.failed)),
            str(summary.skipped),
            str(summary.corpus_findings),
            f"{summary.seconds:.1f}",
            f"{rate:,.0f}",
        )
        out.print(grid)
        for file, reason in summary.failed:
            out.print(f"[red]failed[/] {escape(file)}: {escape(reason)}")
    raise typer.Exit(EXIT_INPUT if summary.failed else EXIT_CLEAN)


class _Bar:
    """The progress bar, drawn from the library's progress reports (rate and ETA)."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.fields[status]}"),
                            console=Console(stderr=True), transient=False, speed_estimate_period=10)
        self.bar.start()
        self.tasks: dict[str, object] = {}

    def update(self, p: object) -> None:
        phase, done, total, s = p.phase, p.done, p.total, p.summary  # type: ignore[attr-defined]
        if phase not in self.tasks:
            self.tasks[phase] = self.bar.add_task("ingest" if phase == "files" else "cross-year checks", status="")
        status = f"+{s.added} ={s.unchanged} ~{s.reparsed} !{len(s.failed)}" if phase == "files" else ""
        self.bar.update(self.tasks[phase], completed=done, total=total, status=status)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.bar.stop()


def register(app: typer.Typer) -> None:
    """Add `ingest` to the `xxgk` app."""
    app.command("ingest")(ingest_cmd)
