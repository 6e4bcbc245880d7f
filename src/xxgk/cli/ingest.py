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
from rich.table import Table

from xxgk.cli.common import (
    EXIT_CLEAN,
    EXIT_INPUT,
    fail,
    failure_line,
    library_errors,
    no_progress,
    out,
    plain,
    progress_bar,
)
from xxgk.i18n import _


class EngineChoice(StrEnum):
    process = "process"
    dask = "dask"


def ingest_cmd(
    paths: Annotated[
        list[str],
        typer.Argument(
            help=_("Files, folders (read recursively), glob patterns (quote them: 'reports/**/*.pdf') and "
            "zip archives (members read in memory)."),
            show_default=False,
        ),
    ],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="XXGK_DB",
            help=_("Database: a SQLite file path or sqlite:///…, postgresql://user@host/db. Default ./xxgk.sqlite."),
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-j",
            min=0,
            help=_("Parsing processes (default: one per core; 0 parses in this process). With --engine dask and no "
            "--scheduler: the size of the local cluster."),
        ),
    ] = None,
    engine: Annotated[
        EngineChoice,
        typer.Option(
            "--engine",
            help=_("process: a pool of worker processes here. dask: a Dask cluster (pip install 'xxgk[dask]')."),
        ),
    ] = EngineChoice.process,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help=_("Address of a running Dask scheduler (tcp://host:8786) for --engine dask; "
            "without it a local cluster is started."),
        ),
    ] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help=_("Progress bar with rate and ETA (default: on a "
                                                              "terminal)."))
    ] = sys.stderr.isatty(),
    as_json: Annotated[bool, typer.Option("--json", help=_("Print the summary as JSON."))] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0, help=_("Seconds one file may take; a slower file is recorded as "
                                                       "failed and the others go on (0: no limit)."))
    ] = 60.0,
    memory: Annotated[
        int, typer.Option("--memory", min=0, help=_("Megabytes of memory a worker may use on one file; a file that "
                                                     "needs more is recorded as failed (0: no limit)."))
    ] = 1024,
) -> None:
    """Store reports: new content is parsed, the same bytes again are skipped (sha256), a newer
    parser re-parses. Safe to interrupt and re-run: nothing is lost or stored twice."""
    from xxgk.corpus.inputs import PROGRESS_CALLBACK, ingest_paths  # the ingest, wherever it lives
    from xxgk.corpus.selection import open_store

    if scheduler and engine != EngineChoice.dask:
        fail(_("--scheduler needs --engine dask"))
    with library_errors(), open_store(db, must_exist=False) as store:
        bar, on_progress = progress_bar() if progress and PROGRESS_CALLBACK else (None, None)
        if progress and not PROGRESS_CALLBACK:
            on_progress = no_progress  # this version's ingest draws its own bar
        if bar is not None:
            bar.start()
        try:
            summary = ingest_paths(paths, store, on_progress=on_progress, workers=workers, engine=engine.value,
                                   scheduler=scheduler, timeout=timeout or None, memory=(memory << 20) or None)
        finally:
            if bar is not None:
                bar.stop()
        url = store.url
    if as_json:
        print(json.dumps({"database": url, **summary.to_dict()}, ensure_ascii=False, indent=1))
    else:
        rate = summary.total / summary.seconds if summary.seconds else 0.0
        counts = {_("added"): str(summary.added), _("unchanged"): str(summary.unchanged),
                  _("re-parsed"): str(summary.reparsed), _("failed"): str(len(summary.failed)),
                  _("skipped"): str(summary.skipped), _("cross-year findings"): str(summary.corpus_findings),
                  _("cross-body findings"): str(summary.peer_findings), _("seconds"): f"{summary.seconds:.1f}",
                  _("files/s"): f"{rate:,.0f}"}
        grid = Table(title=plain(f"xxgk ingest → {url}"), title_justify="left")
        if out.width >= 100:  # one row of counts; a narrower terminal gets one line per count, never cut headers
            for col in counts:
                grid.add_column(col, justify="right")
            grid.add_row(*counts.values())
        else:
            grid.add_column(_("item"))
            grid.add_column(_("count"), justify="right")
            for label, value in counts.items():
                grid.add_row(label, value)
        out.print(grid)
        for file, reason in summary.failed:
            failure_line(file, reason, out)
    raise typer.Exit(EXIT_INPUT if summary.failed else EXIT_CLEAN)


def register(app: typer.Typer) -> None:
    """Add `ingest` to the `xxgk` app."""
    app.command("ingest", help=_("Store reports: new content is parsed, the same bytes again are skipped (sha256), "
                                 "a newer parser re-parses. Safe to interrupt and re-run: nothing is lost or stored "
                                 "twice."))(ingest_cmd)
