"""`xxgk collect`: annual reports from government websites into the store.

`xxgk.cli` calls `register(app)`. Exit codes: 0 everything collected, 2 some page or file
failed (each listed with its reason; the rest is collected all the same) or a usage / database
error.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from xxgk.cli.common import EXIT_CLEAN, EXIT_INPUT, err, fail, library_errors, out, plain
from xxgk.i18n import _


def collect_cmd(
    urls: Annotated[list[str] | None, typer.Argument(
        help=_("First list page of each column (栏目), e.g. https://www.example.gov.cn/col/col123/index.html."),
        show_default=False)] = None,
    list_file: Annotated[str | None, typer.Option(
        "--list", help=_("CSV of bodies and their column URLs (columns: body, url)."), show_default=False)] = None,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="XXGK_DB",
        help=_("Database: a SQLite file path or sqlite:///…, postgresql://user@host/db. Default ./xxgk.sqlite."),
    )] = None,
    since: Annotated[int | None, typer.Option("--since", help=_("Only reports of this year or later."))] = None,
    rate: Annotated[float, typer.Option("--rate", min=0, help=_("Seconds between two requests to one site."))] = 2.0,
    max_pages: Annotated[int, typer.Option("--max-pages", min=1, help=_("List pages read per column."))] = 100,
    out_dir: Annotated[str, typer.Option("--out", help=_("Folder for the downloaded files."))] = "collected",
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help=_("Seconds to wait for an answer."))] = 30.0,
    retries: Annotated[int, typer.Option("--retries", min=0, help=_("Retries on 5xx, 429 and timeouts."))] = 3,
    refresh: Annotated[bool, typer.Option(
        "--refresh", help=_("Ask again (conditionally) for articles collected before."))] = False,
    insecure: Annotated[bool, typer.Option(
        "--insecure", help=_("Accept HTTPS certificates that are expired or self-signed (common on government "
                             "sites)."))] = False,
    parallel: Annotated[int, typer.Option(
        "--parallel", min=1, help=_("Sites read at the same time (each still one request per --rate)."))] = 4,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-j", min=0, help=_("Parsing processes of the ingest (0: in this process)."))] = None,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help=_("Say what is being read (default: on a terminal)."))] = sys.stderr.isatty(),
    as_json: Annotated[bool, typer.Option("--json", help=_("Print the summary as JSON."))] = False,
) -> None:
    """Collect annual reports from government websites: follow each column's list pages, open
    every article whose title names an annual report, keep its text and attachments, and store
    them with their URL and publication time. Polite (robots.txt, --rate) and resumable."""
    from xxgk.collect import Event, Options, collect
    from xxgk.collect.columns import read_columns
    from xxgk.corpus.selection import open_store

    columns: list = list(urls or [])
    if list_file:
        with library_errors():
            columns.extend(read_columns(list_file))
    if not columns:
        fail(_("give the URL of a column's first list page, or --list with a CSV of columns"))
    options = Options(rate=rate, timeout=timeout, retries=retries, since=since, max_pages=max_pages, out=out_dir,
                      refresh=refresh, workers=workers, parallel=parallel, verify=not insecure)

    def say(event: Event) -> None:
        err.print(plain(event.text, "dim"))

    with library_errors(), open_store(db, must_exist=False) as store:
        summary = collect(columns, store, options, progress=say if progress else lambda _event: None)
        url = store.url
    if as_json:
        print(json.dumps({"database": url, **summary.to_dict()}, ensure_ascii=False, indent=1))
    else:
        grid = Table(title=_("xxgk collect"), title_justify="left", show_header=False)
        grid.add_column(justify="left")
        grid.add_column(justify="right")
        rows = ((_("columns"), summary.columns), (_("list pages"), summary.pages), (_("reports found"), summary.found),
                (_("new"), summary.new), (_("unchanged"), summary.unchanged), (_("failed"), len(summary.failed)),
                (_("files downloaded"), summary.files), (_("reports stored"), summary.reports_added),
                (_("publication dates set"), summary.published_set), (_("seconds"), f"{summary.seconds:.1f}"))
        for label, value in rows:
            grid.add_row(label, str(value))
        out.print(grid)
        out.print(plain(_("database: {db}").format(db=url)))
        failed = _("failed")
        for f in summary.failed:
            out.print(f"[red]{escape(failed)}[/] {escape(f.url)}: {escape(f.reason)}")
    raise typer.Exit(EXIT_INPUT if summary.failed else EXIT_CLEAN)


def register(app: typer.Typer) -> None:
    """Add `collect` to the `xxgk` app."""
    app.command("collect", help=_(
        "Collect annual reports from government websites: follow each column's list pages, open every article "
        "whose title names an annual report, keep its text and attachments, and store them with their URL and "
        "publication time. Polite (robots.txt, --rate) and resumable."))(collect_cmd)
