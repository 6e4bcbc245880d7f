"""What every `xxgk` command shares: exit codes, the two consoles, error lines, styles.

Everything printed that comes from a report or a file name goes through `plain()` or
`rich.markup.escape`: report text is never read as Rich markup (a title with "[/]" must print
as it is, a file named "[red]x.txt" too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
import typer.core
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from xxgk.errors import XxgkError
from xxgk.i18n import _

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

STATUS_STYLE = {"read": "", "blank": "dim", "missing": "bold red", "inferred": "cyan"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "blue"}



def plain(text: object, style: str = "") -> Text:
    """Report text or a file name as a Rich Text: printed as it is, never parsed as markup."""
    return Text("" if text is None else str(text), style=style)


def error_line(message: str) -> None:
    """One line on standard error: 错误 + the message (escaped)."""
    err.print(f"[bold red]{escape(_('error'))}[/] {escape(message)}")


def failure_line(name: str, reason: str, console: Console | None = None) -> None:
    """An input that could not be read: its name and the reason (on standard error by default)."""
    (console or err).print(f"[bold red]{escape(_('unreadable'))}[/] {escape(name)}: {escape(reason)}")


def fail(message: str) -> NoReturn:
    """A usage or input error: one line, exit 2."""
    error_line(message)
    raise typer.Exit(EXIT_INPUT)


@contextmanager
def library_errors() -> Iterator[None]:
    """Any error the library raises on purpose (bad value, unreadable database…): one line, exit 2."""
    try:
        yield
    except XxgkError as e:
        fail(str(e))


def exit_for(worst: str | None, failed: int = 0) -> NoReturn:
    """2 when an input could not be read, else 1 when a finding is an error, else 0."""
    if failed:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_FINDINGS if worst == "error" else EXIT_CLEAN)


def codes(values: list[str] | None) -> list[str]:
    """--select T3,T4-groups --select no-title → ['T3', 'T4-groups', 'no-title']."""
    return [c.strip() for v in values or [] for c in v.split(",") if c.strip()]


def progress_bar() -> tuple[Any, Callable[[int, int, str], None]]:
    """A Rich progress bar on standard error and the on_progress(done, total, file) callback that
    drives it (the library reports progress; only the CLI draws). Start and stop the bar around
    the call."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), TextColumn("{task.fields[file]}", markup=False), console=err,
                   transient=True)
    task = bar.add_task(_("reading"), total=None, file="")

    def on_progress(done: int, total: int, file: str) -> None:
        shown = file if len(file) <= 40 else "…" + file[-39:]  # the end of a path says most
        bar.update(task, completed=done, total=total, file=shown)

    return bar, on_progress


def no_progress(done: int, total: int, file: str) -> None:
    """A callback that draws nothing: an ingest without the callback then draws its own bar."""


def _no_type_for_flags() -> None:
    """Typer (0.29) prints "<bool>" after every flag in --help, as if a flag took a value. A flag
    takes none: show no type for it, as Click itself does."""
    original = typer.core.TyperOption.display_type_rich
    if getattr(original, "_xxgk_flags", False):
        return

    def display_type_rich(self: typer.core.TyperOption, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        return original(self, ctx)

    display_type_rich._xxgk_flags = True  # type: ignore[attr-defined]
    typer.core.TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_no_type_for_flags()
