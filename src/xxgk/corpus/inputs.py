"""What a command reads: files, folders (recursively), glob patterns and zip archives, expanded
exactly as `xxgk ingest` expands them (the ingest's own discovery: the same report-like names,
the same skipped README.md, the same zip-bomb guards), then read one by one."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xxgk import api
from xxgk.errors import InputError, XxgkError

try:  # the ingest moves into this package (issue 8); until then it lives at xxgk.ingest
    from xxgk.corpus.ingest import (  # type: ignore[import-not-found]
        REPORT_SUFFIXES,
        Loaded,
        Source,
        discover,
        ingest,
        load,
    )
except ModuleNotFoundError as _missing:
    if _missing.name != "xxgk.corpus.ingest":
        raise
    from xxgk.ingest import REPORT_SUFFIXES, Loaded, Source, discover, ingest, load

from xxgk.report import Report

if TYPE_CHECKING:
    from xxgk.store import Store

# on_progress(done, total, file): called by the ingest as inputs are stored.
Progress = Callable[[int, int, str], None]
# Whether this version's ingest reports progress through on_progress (else it draws its own Rich bar).
PROGRESS_CALLBACK = "on_progress" in inspect.signature(ingest).parameters

Paths = Iterable[str | os.PathLike[str]]


@dataclass
class ReadResult:
    """Every input read: the reports, the inputs that could not be read (name, reason), and how
    many files a folder walk skipped (not report-like names such as README.md)."""

    reports: list[Report] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0
    skipped_names: list[str] = field(default_factory=list)  # named on the command line, not report-like


def _report_like(items: Iterable[Source | object | None], skipped: list[str]) -> Iterator[Source | object | None]:
    """The walk's rule applied to names given one by one too (a shell's `reports/*` names the
    README.md next to the reports): a name without a report-like suffix is skipped, and listed."""
    for item in items:
        if isinstance(item, Source) and item.member is None and Path(item.path).suffix.lower() not in REPORT_SUFFIXES:
            skipped.append(item.name)
            yield None
        else:
            yield item


def expand(paths: Paths, skipped: list[str] | None = None) -> Iterator[Loaded | tuple[str, str] | None]:
    """Each input's bytes (Loaded), or (name, reason) when it cannot be had, or None for a file
    that is skipped (not a report-like name; those named explicitly are appended to `skipped`) —
    lazily, one input at a time."""
    for item in load(_report_like(discover(paths), [] if skipped is None else skipped)):
        if item is None or isinstance(item, Loaded):
            yield item
        else:
            yield item.name, item.reason


def read_paths(paths: Paths, *, check: bool = True, select: Iterable[str] | None = None,
               ignore: Iterable[str] | None = None,
               on_report: Callable[[Report], None] | None = None) -> ReadResult:
    """Read (and, with check=True, check with the selected rules) every report under `paths`.
    One unreadable input never stops the others: it is listed in `failures` with its reason."""
    result = ReadResult()
    for item in expand(paths, result.skipped_names):
        if item is None:
            result.skipped += 1
            continue
        if isinstance(item, tuple):
            result.failures.append(item)
            continue
        try:
            report = api.read_bytes(item.data, item.source.file, check=check, select=select, ignore=ignore)
        except InputError as e:
            result.failures.append((item.source.name, e.reason))
            continue
        except XxgkError as e:
            result.failures.append((item.source.name, str(e)))
            continue
        result.reports.append(report)
        if on_report is not None:
            on_report(report)
    return result


def ingest_paths(paths: Paths, store: Store, *, on_progress: Progress | None = None, **options: Any) -> Any:
    """`ingest(paths, store, **options)` with progress reported to `on_progress` (nothing drawn)
    when the ingest supports the callback; otherwise the ingest draws its own bar when a callback
    is given (progress=True) and nothing when none is. Returns the IngestSummary."""
    params = inspect.signature(ingest).parameters
    if PROGRESS_CALLBACK:
        options["on_progress"] = on_progress
        if "progress" in params:
            options["progress"] = False
    elif "progress" in params:
        options["progress"] = on_progress is not None
    return ingest(list(paths), store, **options)
