"""Ingest: files, folders, globs and zip archives into the store, in parallel, resumably.

The pipeline, and why it is shaped this way:

1. **Discover** the inputs (a file; a folder, recursively; a glob; a zip archive, whose members
   are read in memory). Nothing is parsed yet.
2. **Hash** every input's bytes in this process and ask the store, in batches, which content
   hashes it already holds. Same bytes already parsed by this parser version: nothing to do —
   so a re-ingest of a whole corpus costs one read and one sha256 per file.
3. **Parse** only what is new (or was parsed by an older parser version) in worker processes
   (`engine="process"`) or on a Dask cluster (`engine="dask"`). At most a bounded number of
   inputs (and bytes) are in flight, so memory stays flat whatever the corpus size.
4. **Write** through ONE writer — this process — in batches, each batch one transaction. A
   crash or a `kill -9` loses at most the batch in flight; the next run finds those hashes
   missing and parses them again. Nothing is lost or stored twice (sources are unique by
   sha256 and a stored hash is never parsed again by the same parser version).
5. **Check the bodies** whose reports changed with the cross-year rules (`year-*`). Bodies are
   marked in the same transaction as their reports, so this step too resumes after a crash.
6. **Check the years** whose reports changed with the cross-body rules (copied-from-other-body,
   missing-subordinate), marked the same way (`xxgk.store.peer_state`).

Each unreadable input is recorded (file, reason) and the batch goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import gc
import glob
import hashlib
import os
import queue
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from xxgk.corpus.workers import BoundedPool, TaskOutOfMemory, TaskTimeout, WorkerDied
from xxgk.errors import InputError, MissingExtraError, XxgkError
from xxgk.extract import MAX_BYTES
from xxgk.i18n import _, current_lang, set_lang
from xxgk.store import Failed, Parsed, Store, parser_version, prepare

Engine = Literal["process", "dask"]

# Files a folder walk picks up (an explicitly named file is always read, whatever its name):
# the kinds xxgk reads, zip archives, and names without a suffix. Other files in a folder of
# reports (README.md, expected/*.json, Thumbs.db) are counted as skipped, not as failures.
REPORT_SUFFIXES = frozenset(
    {
        ".txt",
        ".text",
        ".pdf",
        ".htm",
        ".html",
        ".shtml",
        ".xhtml",
        ".mht",
        ".mhtml",
        ".doc",
        ".docx",
        ".wps",
        ".rtf",
        ".png",
        ".jpg",
        ".jpeg",
        ".tif",
        ".tiff",
        ".bmp",
        ".gif",
        ".webp",
        ".zip",
        "",
    }
)

# Zip-bomb guards. Declared sizes in a zip can lie, so a member is also cut off while it is
# being decompressed: no member ever yields more than MAX_BYTES (the one-report limit).
ZIP_MAX_MEMBERS = int(os.environ.get("XXGK_ZIP_MAX_MEMBERS", 100_000))
ZIP_MAX_RATIO = 200  # uncompressed/compressed: text compresses ~5-10x, PDFs ~1-2x; bombs 1000x+
ZIP_RATIO_FLOOR = 1 << 20  # members under 1 MB are too small to bomb anyone, whatever their ratio
ZIP_MAX_TOTAL = int(os.environ.get("XXGK_ZIP_MAX_TOTAL", 8 << 30))  # bytes decompressed per archive

BATCH = 200  # reports per write transaction
FLUSH_SECONDS = 2.0  # ... or every so often, so a slow corpus is still saved as it goes
LOOKUP_CHUNK = 256  # inputs hashed, then looked up in the store, at a time
IN_FLIGHT_BYTES = 64 << 20  # bytes handed to workers and not yet back (memory bound)
TIMEOUT = 60.0  # seconds one file may take (--timeout)
MEMORY = 1 << 30  # resident bytes a worker may use reading one file (--memory)


@dataclass
class IngestSummary:
    added: int = 0
    unchanged: int = 0
    reparsed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    skipped: int = 0  # files a folder walk passed over (not report-like names)
    corpus_findings: int = 0  # cross-year findings written for the bodies that changed
    peer_findings: int = 0  # cross-body findings written for the years that changed

    @property
    def total(self) -> int:
        return self.added + self.unchanged + self.reparsed + len(self.failed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "unchanged": self.unchanged,
            "reparsed": self.reparsed,
            "failed": [{"file": f, "reason": r} for f, r in self.failed],
            "skipped": self.skipped,
            "corpus_findings": self.corpus_findings,
            "peer_findings": self.peer_findings,
            "seconds": round(self.seconds, 3),
        }


# ---------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Source:
    """One input: a file, or a member of a zip archive (`member` set)."""

    name: str  # as recorded in the store: the path as given, "archive.zip!member" inside archives
    path: str
    member: str | None = None

    @property
    def file(self) -> str:
        """The report's `source.file`: the base name (and the member inside an archive)."""
        base = Path(self.path).name
        return f"{base}!{self.member}" if self.member else base


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _walk(folder: Path) -> Iterator[tuple[Path, bool]]:
    """(file, wanted) under a folder, sorted, skipping hidden files and folders."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            p = Path(root) / name
            yield p, p.suffix.lower() in REPORT_SUFFIXES


def discover(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Source | Failed | None]:
    """Expand the inputs lazily: a Source per file, a Failed for a name that is not there, and
    None for a file a folder walk skips. Zip archives are opened later, when their bytes are read."""
    for given in paths:
        text = os.fspath(given)
        p = Path(text)
        if p.is_dir():
            for f, wanted in _walk(p):
                yield Source(str(f), str(f)) if wanted else None
        elif p.exists() or p.is_symlink():
            yield Source(text, text)
        elif _is_glob(text):
            hits = sorted(glob.glob(text, recursive=True))
            if not hits:
                yield Failed(text, _("no file matches this pattern"))
            for h in hits:
                hp = Path(h)
                if hp.is_dir():
                    for f, wanted in _walk(hp):
                        yield Source(str(f), str(f)) if wanted else None
                else:
                    yield Source(h, h)
        else:
            yield Failed(text, _("no such file or folder"))


# ---------------------------------------------------------------- reading bytes


@dataclass
class Loaded:
    source: Source
    data: bytes
    sha256: str


def _read_file(src: Source) -> Loaded | Failed | list[Source | Failed]:
    """The file's bytes; or, for a zip archive, its members to read next."""
    try:
        with open(src.path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size == 0:
                return Failed(src.name, _("empty file (0 bytes)"))
            head = fh.read(4)
            if head == b"PK\x03\x04" and _is_archive(src.path):
                return _members(src)
            if size > MAX_BYTES:
                return Failed(
                    src.name,
                    _("{size:.0f} MB is larger than the {limit:.0f} MB limit for one report "
                      "(set XXGK_MAX_BYTES to raise it)").format(size=size / 1e6, limit=MAX_BYTES / 1e6),
                )
            data = head + fh.read()
    except IsADirectoryError:
        return Failed(src.name, _("is a folder, not a file"))
    except OSError as e:
        return Failed(src.name, _("cannot be read: {why}").format(why=e.strerror or e))
    return Loaded(src, data, hashlib.sha256(data).hexdigest())


def _is_archive(path: str) -> bool:
    """A zip that is an archive of reports, not an Office document (which is a zip too)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # let the extractor say what is wrong with it
    return not ({"word/document.xml", "[Content_Types].xml", "mimetype"} & names)


def _members(src: Source) -> list[Source | Failed] | Failed:
    try:
        with zipfile.ZipFile(src.path) as z:
            infos = [i for i in z.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        return Failed(src.name, _("damaged zip archive: {error}").format(error=e))
    if len(infos) > ZIP_MAX_MEMBERS:
        return Failed(
            src.name,
            _("zip archive with {n} members (more than {limit}; set XXGK_ZIP_MAX_MEMBERS to raise the limit)").format(
                n=len(infos), limit=ZIP_MAX_MEMBERS),
        )
    declared = sum(i.file_size for i in infos)
    if declared > ZIP_MAX_TOTAL:
        return Failed(
            src.name,
            _("zip archive would unpack to {size:.1f} GB (more than {limit:.1f} GB; a zip bomb?)").format(
                size=declared / 1e9, limit=ZIP_MAX_TOTAL / 1e9),
        )
    out: list[Source | Failed] = []
    for i in sorted(infos, key=lambda i: i.filename):
        name = f"{src.name}!{i.filename}"
        parts = PurePosixPath(i.filename.replace("\\", "/")).parts
        if i.filename.startswith(("/", "\\")) or ".." in parts or (parts and parts[0].endswith(":")):
            # Members are read in memory, never written out, so such a name harms nothing here;
            # but it is how zip-slip archives attack unpackers: say so rather than pass it over.
            out.append(Failed(name, _("a member whose path leads out of the archive (absolute or with ..): not read")))
            continue
        if any(p.startswith(".") or p == "__MACOSX" for p in parts):
            continue  # macOS resource forks and hidden files, not reports (as in a folder walk)
        out.append(Source(name, src.path, i.filename))
    return out


def _read_member(src: Source, budget: list[int]) -> Loaded | Failed:
    """A member's bytes, decompressed with a hard cap (declared sizes can lie)."""
    assert src.member is not None
    try:
        with zipfile.ZipFile(src.path) as z:
            info = z.getinfo(src.member)
            if info.flag_bits & 0x1:
                return Failed(src.name, _("encrypted zip member (a password is needed)"))
            if info.file_size > MAX_BYTES:
                return Failed(
                    src.name,
                    _("{size:.0f} MB unpacked is larger than the {limit:.0f} MB limit for one report").format(
                        size=info.file_size / 1e6, limit=MAX_BYTES / 1e6),
                )
            if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
                return Failed(
                    src.name,
                    _("compression ratio {ratio}:1 (a zip bomb?)").format(
                        ratio=info.file_size // max(info.compress_size, 1)),
                )
            with z.open(info) as fh:
                data = fh.read(min(MAX_BYTES, budget[0]) + 1)
    except KeyError:
        return Failed(src.name, _("member vanished from the archive"))
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError, NotImplementedError) as e:
        # zlib/bz2/lzma errors, bad CRC, unsupported compression: one bad member, not the batch.
        return Failed(src.name, _("cannot unpack: {error}").format(error=e))
    if len(data) > MAX_BYTES:
        return Failed(
            src.name,
            _("unpacks to more than the {limit:.0f} MB limit for one report "
              "(its declared size lied: a zip bomb?)").format(limit=MAX_BYTES / 1e6),
        )
    if len(data) > budget[0]:
        return Failed(src.name, _("the archive unpacks to more than {limit:.1f} GB (a zip bomb?)").format(
            limit=ZIP_MAX_TOTAL / 1e9))
    budget[0] -= len(data)
    if not data:
        return Failed(src.name, _("empty file (0 bytes)"))
    if data[:4] == b"PK\x03\x04" and _zip_bytes_is_archive(data):
        return Failed(src.name, _("an archive inside an archive (unpack it first)"))
    return Loaded(src, data, hashlib.sha256(data).hexdigest())


def _zip_bytes_is_archive(data: bytes) -> bool:
    import io

    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return not ({"word/document.xml", "[Content_Types].xml", "mimetype"} & names)


def load(
    items: Iterable[Source | Failed | None], on_expand: Callable[[int], None] = lambda n: None
) -> Iterator[Loaded | Failed | None]:
    """Bytes and hash of every input, archives unpacked in place (None: skipped by the walk)."""
    for item in items:
        if item is None or isinstance(item, Failed):
            yield item
            continue
        got = _read_file(item)
        if isinstance(got, list):
            on_expand(len(got) - 1)  # the archive stands for its members in the count
            budget = [ZIP_MAX_TOTAL]
            for member in got:
                yield member if isinstance(member, Failed) else _read_member(member, budget)
        else:
            yield got


# ---------------------------------------------------------------- parsing (in workers)


def parse_one(name: str, file: str, data: bytes, sha256: str, copy: bool = False) -> Parsed | Failed:
    """Extract, parse, identify and check one input. Runs in a worker; never raises. `copy`: the
    store is PostgreSQL, hand it the cells as COPY text (`xxgk.store.records.copy_text`)."""
    try:
        from xxgk import identity
        from xxgk.check import run_rules
        from xxgk.extract import extract_bytes
        from xxgk.parse import parse_document

        report = parse_document(extract_bytes(data, file))
        ident = identity.apply(report)  # once: the body the store links, and the meta the rules read
        report.findings = run_rules(report)
        # Hand the writer rows, not objects: building them here is parallel work, and plain
        # tuples cross the process boundary cheaper than ~200 Cell objects.
        return Parsed(name, sha256, len(data), None, ident.body, ident.region_code,
                      prepare(report, ident.region_code, copy))
    except InputError as e:
        # Missing optional dependencies are the machine's problem, not the file's: retry next run.
        missing_extra = isinstance(e, MissingExtraError) or "pip install 'xxgk[" in e.reason
        return Failed(name, e.reason, sha256, final=not missing_extra)
    except XxgkError as e:
        return Failed(name, str(e), sha256)
    except MemoryError:
        return Failed(name, _("needs more memory than is available to parse"), sha256)
    except RecursionError:
        return Failed(name, _("structure nested too deeply to parse"), sha256)
    except Exception as e:  # a bug in xxgk: say so, keep the batch going
        return Failed(name, _("internal error while parsing ({error}); please report it").format(
            error=f"{type(e).__name__}: {e}"), sha256)


def _warm_worker(lang: str) -> None:
    """Import the parser and build the place-name automaton once per worker, not per file; speak
    the caller's language (a forkserver's worker has none of the parent's `set_lang`)."""
    set_lang(lang)
    import xxgk.api  # noqa: F401
    from xxgk.identity import _table
    from xxgk.report import Meta, Report, SectionText, Source
    from xxgk.store.records import signature_of

    _table()
    # The sections' signature imports numpy on first use: not inside a file's time.
    signature_of(Report(Source("", "", ""), Meta(), [SectionText(5, "", "预热" * 40)], {}))
    # What is loaded now lives as long as the worker: out of the garbage collector's sight, so its
    # full collections walk what a file made, not the parser's tables and the imported libraries.
    gc.freeze()


class _Serial(cf.Executor):
    """workers=0: parse in this process (debugging, tiny inputs; no timeout or memory cap)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        fut: cf.Future[Any] = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as e:  # parse_one never raises; anything else is reported as a failure
            fut.set_exception(e)
        return fut


def process_pool(workers: int, timeout: float | None = TIMEOUT, memory: int | None = MEMORY) -> BoundedPool:
    """Worker processes that preloaded the parser, each file bounded in time and memory."""
    return BoundedPool(
        workers,
        timeout=timeout,
        memory=memory,
        initializer=functools.partial(_warm_worker, current_lang()),
        # numpy and rapidfuzz for the sections' signatures and the checks: imported once in the
        # forkserver instead of in every worker it forks. (Not datasketch: xxgk.check.similarity
        # reproduces its MinHash and LSH with numpy, and its import, with scipy, took longer
        # than all of these together, while every worker waited for the forkserver.)
        preload=["xxgk.api", "xxgk.identity", "xxgk.corpus.ingest", "xxgk.store.peer_state", "numpy",
                 "rapidfuzz"],
    )


class _NoTimeout(cf.Executor):
    """The pool's workers for the cross-year checks: a group of bodies is not one file, and its
    time grows with the bodies' history, so only the memory cap applies."""

    def __init__(self, pool: BoundedPool) -> None:
        self.pool = pool

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        return self.pool.submit_bounded(None, fn, *args, **kwargs)


@dataclass
class _Dask:
    executor: cf.Executor
    close: Callable[[], None]


def _dask_executor(scheduler: Any, workers: int) -> _Dask:
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:
        raise XxgkError("engine 'dask' needs the optional extra: pip install 'xxgk[dask]'") from e
    closers: list[Callable[[], None]] = []
    if isinstance(scheduler, Client):
        client = scheduler
    elif scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        closers += [client.close, cluster.close]
    else:
        try:
            client = Client(str(scheduler), timeout=os.environ.get("XXGK_DASK_TIMEOUT", "20s"))
        except OSError as e:
            raise XxgkError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from e
        closers.append(client.close)
    # Dask's concurrent.futures facade: the same wait/collect loop as the process pool.
    executor = client.get_executor(pure=False)

    def close() -> None:
        executor.shutdown(wait=False)
        for c in closers:
            c()

    return _Dask(executor, close)


# ---------------------------------------------------------------- the run


# on_progress(done, total, file): told as inputs are stored (`file`: the last one), then as the
# cross-year checks go (`done` and `total` count bodies), then the cross-body ones (years); `file`
# is empty in both. The CLI draws the bar.
Progress = Callable[[int, int, str], None]


class _Counter:
    def __init__(self, on_progress: Progress | None) -> None:
        self.on_progress = on_progress
        self.done, self.total, self.file = 0, 0, ""

    def start(self, total: int) -> None:
        self.done, self.total, self.file = 0, total, ""
        self._tell()

    def advance(self, n: int, file: str = "") -> None:
        if n:
            self.done += n
            self.file = file
            self._tell()

    def grow(self, n: int) -> None:
        if n:
            self.total += n
            self._tell()

    def _tell(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.done, self.total, self.file)


def count_inputs(paths: Sequence[str | os.PathLike[str]]) -> int:
    """How many inputs a run will see (archives count as one until opened)."""
    return sum(1 for x in discover(paths) if x is not None)


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    workers: int | None = None,
    on_progress: Progress | None = None,
    engine: Engine = "process",
    scheduler: Any = None,
    batch: int = BATCH,
    timeout: float | None = TIMEOUT,
    memory: int | None = MEMORY,
) -> IngestSummary:
    """Read every input into the store; see the module doc. Returns what happened.

    `workers`: parsing processes (default: one per core; 0 parses in this process, unbounded).
    `timeout` (seconds) and `memory` (bytes of resident memory per worker) bound each file: a
    file over either is recorded as failed with that reason, its worker is replaced and the
    batch goes on (None: no bound). With `engine="dask"`, `scheduler` is a scheduler address
    (tcp://host:8786) or a `distributed.Client`; without one a local cluster of `workers`
    processes is started (Dask's own limits apply there, not these bounds).
    `on_progress(done, total, file)` is called as inputs are stored, then as the bodies' cross-year
    checks go (see `Progress`).

    Worker processes start by the forkserver (spawn on Windows) method, which imports the
    calling script in each worker: a script that calls ingest() must do so under
    `if __name__ == "__main__":`, as with any multiprocessing code.
    """
    start = time.perf_counter()
    paths = [os.fspath(p) for p in paths]
    version = parser_version()
    n_workers = (os.cpu_count() or 1) if workers is None else max(0, workers)
    summary = IngestSummary()
    bar = _Counter(on_progress)
    bar.start(count_inputs(paths))

    dask: _Dask | None = None
    pool: BoundedPool | None = None
    if engine == "dask":
        dask = _dask_executor(scheduler, max(1, n_workers))
        executor: cf.Executor = dask.executor
    elif engine == "process":
        if n_workers == 0:
            executor = _Serial()
        else:
            executor = pool = process_pool(n_workers, timeout, memory)
    else:
        raise XxgkError(f"unknown engine {engine!r} (process or dask)")
    # Enough queued for the workers to go on parsing while this process writes a batch (it
    # submits nothing meanwhile): with only a few files each, they ran dry at every write.
    # IN_FLIGHT_BYTES still bounds the memory.
    max_in_flight = max(4, 4 * max(1, n_workers), batch + 2 * n_workers)

    copy = store.dialect == "postgresql"  # cells as COPY text, made by the workers
    pending: list[Parsed | Failed] = []  # results waiting for the writer
    in_flight: dict[cf.Future[Any], Loaded] = {}
    busy: set[str] = set()  # hashes submitted or pending in this run (a duplicate file is a no-op)
    flying_bytes = 0
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal last_flush
        if pending:
            res = store.write(pending, version)
            summary.added += res.added
            summary.reparsed += res.reparsed
            for item in pending:
                if isinstance(item, Failed):
                    summary.failed.append((item.name, item.reason))
                if item.sha256:
                    busy.discard(item.sha256)
            bar.advance(len(pending), pending[-1].name)
            pending.clear()
        last_flush = time.monotonic()

    # Futures land here as they finish (a done-callback): taking one costs the same however many
    # are in flight, where cf.wait() walks and locks every one of them at each call.
    finished: queue.SimpleQueue[cf.Future[Any]] = queue.SimpleQueue()

    def collect(block: bool) -> None:
        nonlocal flying_bytes
        done: list[cf.Future[Any]] = []
        if in_flight:
            with contextlib.suppress(queue.Empty):
                done.append(finished.get(block=block))
                while True:
                    done.append(finished.get_nowait())
        for fut in done:
            item = in_flight.pop(fut)
            flying_bytes -= len(item.data)
            pending.append(_result(fut, item))
        if len(pending) >= batch or time.monotonic() - last_flush > FLUSH_SECONDS:
            flush()

    def submit(item: Loaded) -> None:
        nonlocal flying_bytes
        while in_flight and (len(in_flight) >= max_in_flight or flying_bytes + len(item.data) > IN_FLIGHT_BYTES):
            collect(block=True)
        src = item.source
        fut = executor.submit(parse_one, src.name, src.file, item.data, item.sha256, copy)
        in_flight[fut] = item
        fut.add_done_callback(finished.put)
        flying_bytes += len(item.data)

    def settle(chunk: list[Loaded | Failed | None]) -> None:
        known = store.lookup([x.sha256 for x in chunk if isinstance(x, Loaded)], version)
        quiet = 0
        for x in chunk:
            if x is None:
                summary.skipped += 1
            elif isinstance(x, Failed):
                pending.append(x)
            elif x.sha256 in busy:
                summary.unchanged += 1  # the same bytes twice in one run
                quiet += 1
            elif x.sha256 in known and known[x.sha256].state == "current":
                summary.unchanged += 1
                quiet += 1
            elif x.sha256 in known and known[x.sha256].state == "failed":
                summary.failed.append((x.source.name, known[x.sha256].reason or "failed before"))
                quiet += 1
            else:
                busy.add(x.sha256)
                submit(x)
            collect(block=False)
        if chunk:
            last = chunk[-1]
            bar.advance(quiet, last.source.name if isinstance(last, Loaded) else "")

    try:
        chunk: list[Loaded | Failed | None] = []
        chunk_bytes = 0
        for x in load(discover(paths), on_expand=bar.grow):
            chunk.append(x)
            chunk_bytes += len(x.data) if isinstance(x, Loaded) else 0
            if len(chunk) >= LOOKUP_CHUNK or chunk_bytes > IN_FLIGHT_BYTES:
                settle(chunk)
                chunk, chunk_bytes = [], 0
        settle(chunk)
        while in_flight:
            collect(block=True)
        flush()
        # Cross-year checks: read-only work in the worker processes (they open the same
        # database), results written here. A Dask cluster may not see a local SQLite file, so
        # with Dask they run in this process.
        # Cross-body checks, one year at a time, the same way (see xxgk.store.peer_state). Both
        # are queued at once, the years behind the bodies: the workers go on with the years while
        # this process settles the last bodies (the two passes write different findings and
        # settle against different revisions, so neither waits for the other).
        todo = store.bodies_to_check()
        years = store.years_to_check()
        checker = None if pool is None else _NoTimeout(pool)
        bodies_started = store.start_bodies(todo, executor=checker)
        years_started = store.start_years(years, executor=checker)
        bar.start(len(todo))
        summary.corpus_findings = store.recheck_bodies(None, executor=checker, on_progress=bar.advance,
                                                       started=bodies_started)
        bar.start(len(years))
        summary.peer_findings = store.recheck_years(None, executor=checker, on_progress=bar.advance,
                                                    started=years_started)
    finally:
        if dask is not None:
            dask.close()
        else:
            executor.shutdown(wait=True, cancel_futures=True)
    summary.seconds = time.perf_counter() - start
    return summary


def _result(fut: cf.Future[Any], item: Loaded) -> Parsed | Failed:
    """A worker's answer, or the reason it gave none (these reasons are final for these bytes)."""
    name, sha = item.source.name, item.sha256
    try:
        return fut.result()
    except TaskTimeout as e:
        return Failed(name, f"took longer than the {e.seconds:g} s limit to read (see --timeout)", sha)
    except TaskOutOfMemory as e:
        return Failed(
            name, f"needed more than the {e.limit / 2**20:.0f} MB memory limit to read (see --memory)", sha
        )
    except WorkerDied as e:
        if e.at_start:  # the machine's problem, not the file's: the next run tries again
            return Failed(name, f"the parser's worker processes could not start (exit code {e.exitcode})", sha,
                          final=False)
        return Failed(name, f"the parser crashed on this file (its worker process died, exit code {e.exitcode})", sha)
    except Exception as e:  # Dask: KilledWorker, or a task that could not run
        return Failed(name, f"the parser's worker failed on this file ({type(e).__name__}: {e})", sha)
