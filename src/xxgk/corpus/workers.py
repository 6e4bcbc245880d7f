"""Worker processes with a bound on every task: a timeout, a memory cap, and no orphans.

`concurrent.futures.ProcessPoolExecutor` cannot stop one task: a file that loops or swells
holds its worker for ever (or until the machine swaps), and when one worker dies the whole pool
breaks. This pool runs each task in a worker of its own, watches it from a thread of the parent,
and kills the worker of a task that runs longer than `timeout` seconds or whose resident memory
passes `memory` bytes; the task's future gets `TaskTimeout` / `TaskOutOfMemory` (a crash:
`WorkerDied`), a fresh worker takes the dead one's place, and the other tasks go on.

Workers exit when their parent dies, however it dies (`kill -9` included): each holds the read
end of a pipe whose only write end is the parent's, and a thread in the worker exits the process
when that pipe reports end-of-file — which the kernel does when the parent is gone.

Workers start from a forkserver that preloaded the parser (spawn where there is none, on
Windows), so a replacement costs a fork, not an interpreter start.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import os
import selectors
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from xxgk.i18n import _

# How often the parent looks at the clock and at its busy workers' memory. Memory between two
# looks can grow by what a worker allocates in this time, so the cap is exact to within that.
POLL_SECONDS = 0.05
# Waiting for a killed or retiring worker to go.
JOIN_SECONDS = 5.0
# Tasks handed to a worker at once: the one it runs and the next, so that it starts the next the
# moment it is done, not when the parent's busy thread next gets to hand it one.
PREFETCH = 2
# Workers in a row that die before they are ready: then the pool gives up on its waiting tasks.
MAX_FAILED_STARTS = 3


class TaskTimeout(Exception):
    """The task ran longer than its pool's timeout; its worker was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    def __str__(self) -> str:  # in the reader's language when shown, not the pool thread's
        return _("took longer than {seconds:g} s").format(seconds=self.seconds)


class TaskOutOfMemory(Exception):
    """The task's worker passed its pool's memory cap; it was killed."""

    def __init__(self, limit: int, seen: int) -> None:
        super().__init__(limit, seen)
        self.limit, self.seen = limit, seen

    def __str__(self) -> str:
        return _("used {seen:.0f} MB of memory, more than the {limit:.0f} MB cap").format(
            seen=self.seen / 2**20, limit=self.limit / 2**20)


class WorkerDied(Exception):
    """The task's worker died by itself (a crash in a native library, or killed from outside)."""

    def __init__(self, exitcode: int | None, at_start: bool = False) -> None:
        super().__init__(exitcode, at_start)
        self.exitcode, self.at_start = exitcode, at_start

    def __str__(self) -> str:
        message = _("worker process could not start (exit code {code})") if self.at_start else _(
            "worker process died (exit code {code})")
        return message.format(code=self.exitcode)


def rss(pid: int) -> int | None:
    """Resident memory of a process in bytes (None when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:  # Linux: cheap enough to read 20 times a second
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import psutil

        return int(psutil.Process(pid).memory_info().rss)
    except Exception:  # no psutil, or the process is gone
        return None


def _exit_with_parent(lifeline: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv_bytes()  # nothing is ever sent: this returns only when the parent is gone
    os._exit(70)


def _worker_main(tasks: Connection, lifeline: Connection, initializer: Callable[[], None] | None) -> None:
    threading.Thread(target=_exit_with_parent, args=(lifeline,), daemon=True).start()
    if initializer is not None:
        initializer()
    tasks.send(("ready", None))
    while True:
        try:
            msg = tasks.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        fn, args, kwargs = msg
        try:
            reply = ("ok", fn(*args, **kwargs))
        except BaseException as e:  # the task's own failure goes to its future, the worker lives on
            reply = ("err", e)
        try:
            tasks.send(reply)
        except Exception as e:  # an unpicklable result or exception
            tasks.send(("err", RuntimeError(f"{type(e).__name__}: {e}")))


@dataclass
class _Task:
    future: cf.Future[Any]
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    timeout: float | None
    running: bool = False  # its future is marked running (it may come back to the queue)


class _Worker:
    def __init__(self, ctx: Any, initializer: Callable[[], None] | None) -> None:
        self.conn, child_tasks = ctx.Pipe(duplex=True)
        child_life, self.lifeline = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_worker_main, args=(child_tasks, child_life, initializer), daemon=True)
        self.proc.start()
        # The child's ends live in the child now: closing ours leaves the parent's ends the only ones.
        child_tasks.close()
        child_life.close()
        self.ready = False
        # Sent, in the order the worker runs them: the head is running, the next one waits in the
        # pipe so the worker never idles while the parent is busy.
        self.tasks: deque[_Task] = deque()
        # When the head began, by the parent's clock: when it was sent to an idle worker, or when
        # the task before it came back (the worker starts the next one at once). A few
        # milliseconds early at most, where a message from the worker at each start cost the
        # parent a wake-up per task.
        self.started: float | None = None
        self.measured = 0.0  # when its memory was last read

    @property
    def task(self) -> _Task | None:
        return self.tasks[0] if self.tasks else None

    def stop(self, kill: bool) -> None:
        if kill:
            self.proc.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.proc.join(JOIN_SECONDS)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(JOIN_SECONDS)
        self.conn.close()
        self.lifeline.close()


def _context(preload: Sequence[str]) -> Any:
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(list(preload))
        return ctx
    return mp.get_context("spawn")


class BoundedPool(cf.Executor):
    """`workers` processes; each task bounded by `timeout` seconds and `memory` bytes (None: no bound)."""

    def __init__(
        self,
        workers: int,
        *,
        timeout: float | None = 60.0,
        memory: int | None = 1 << 30,
        initializer: Callable[[], None] | None = None,
        preload: Sequence[str] = (),
    ) -> None:
        self.timeout, self.memory = timeout, memory
        self._initializer = initializer
        self._ctx = _context(preload)
        self._queue: deque[_Task] = deque()
        self._lock = threading.Lock()
        self._closing = False
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        # What the watcher thread waits on: one selector for the pool's life (epoll where there is
        # one), not one built and filled at every wake-up as multiprocessing.connection.wait does.
        self._selector = selectors.DefaultSelector()
        self._size = max(1, workers)
        # Started by the first task: a run with nothing to parse (a re-ingest) starts no process.
        self._workers: list[_Worker] = []
        self.replaced = 0  # workers started in place of killed or dead ones
        self._failed_starts = 0
        self._broken: WorkerDied | None = None  # set when workers cannot even start
        self._thread = threading.Thread(target=self._run, name="xxgk-pool", daemon=True)

    # ------------------------------------------------------------ the Executor interface

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        return self.submit_bounded(self.timeout, fn, *args, **kwargs)

    def submit_bounded(self, timeout: float | None, fn: Callable[..., Any], /, *args: Any,
                       **kwargs: Any) -> cf.Future[Any]:
        """`submit` with a timeout of its own (None: none) instead of the pool's."""
        fut: cf.Future[Any] = cf.Future()
        with self._lock:
            if self._closing:
                raise RuntimeError("cannot submit to a pool that is shutting down")
            if self._broken is not None:
                fut.set_exception(self._broken)
                return fut
            self._queue.append(_Task(fut, fn, args, kwargs, timeout))
            if not self._thread.is_alive() and not self._workers:
                self._workers = [_Worker(self._ctx, self._initializer) for _ in range(self._size)]
                self._thread.start()
        self._wake()
        return fut

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closing = True
            if cancel_futures:
                while self._queue:
                    self._queue.popleft().future.cancel()
        self._wake()
        if not self._thread.is_alive() and not self._workers:  # never started
            self._selector.close()
            self._wake_r.close()
            self._wake_w.close()
            return
        if wait:
            self._thread.join()

    def pids(self) -> list[int]:
        return [w.proc.pid for w in self._workers if w.proc.pid is not None]

    # ------------------------------------------------------------ the watcher thread

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send_bytes(b"")

    def _run(self) -> None:
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        try:
            for w in self._workers:
                self._track(w)
            while True:
                self._assign()
                busy = any(w.task is not None for w in self._workers)
                with self._lock:
                    if self._closing and not self._queue and not busy:
                        break
                ready: set[Any] = set()
                for key, _ in self._selector.select(POLL_SECONDS if busy else None):
                    if key.fileobj is self._wake_r:
                        while self._wake_r.poll():
                            self._wake_r.recv_bytes()
                    else:
                        ready.add(key.fileobj)
                watched = [self._watch(w, ready) for w in self._workers]
                self._workers = [w for w in watched if w is not None]
        finally:
            for w in self._workers:
                self._untrack(w)
                w.stop(kill=False)
            self._selector.close()
            self._wake_r.close()
            self._wake_w.close()
            with self._lock:
                while self._queue:
                    self._queue.popleft().future.cancel()

    def _track(self, w: _Worker) -> None:
        self._selector.register(w.conn, selectors.EVENT_READ)
        self._selector.register(w.proc.sentinel, selectors.EVENT_READ)

    def _untrack(self, w: _Worker) -> None:
        """Out of the selector, before its descriptors are closed (a new worker may reuse them)."""
        for fileobj in (w.conn, w.proc.sentinel):
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(fileobj)

    def _assign(self) -> None:
        for w in self._workers:
            while w.ready and len(w.tasks) < PREFETCH:
                with self._lock:
                    task = None
                    while self._queue and task is None:
                        t = self._queue.popleft()
                        task = t if t.running or t.future.set_running_or_notify_cancel() else None
                if task is None:
                    return
                task.running = True
                try:
                    if not w.tasks:
                        w.started = time.monotonic()  # an idle worker starts it as it arrives
                    w.conn.send((task.fn, task.args, task.kwargs))
                except OSError:  # the worker just died: the task is not to blame, it waits for another
                    with self._lock:
                        self._queue.appendleft(task)
                    break
                except Exception as e:  # the task cannot be pickled (a bug in the caller)
                    task.future.set_exception(e)
                    continue
                w.tasks.append(task)

    def _watch(self, w: _Worker, ready: set[Any]) -> _Worker | None:
        """One worker after a wait: its messages taken, or it killed/replaced when over a bound."""
        if w.conn in ready:
            try:
                # One message a wake-up: the selector reports the next (conn.poll() would build a
                # selector of its own each time); all of them when the worker is gone.
                while True:
                    kind, value = w.conn.recv()
                    if kind == "ready":
                        w.ready = True
                    elif w.tasks:
                        task = w.tasks.popleft()
                        w.started = time.monotonic() if w.tasks else None
                        if kind == "ok":
                            task.future.set_result(value)
                        else:
                            task.future.set_exception(value)
                    if w.proc.sentinel not in ready or not w.conn.poll():
                        break
            except (EOFError, OSError):
                return self._replace(w, WorkerDied(w.proc.exitcode), kill=True)
        if w.proc.sentinel in ready and not w.proc.is_alive():
            w.proc.join(JOIN_SECONDS)
            return self._replace(w, WorkerDied(w.proc.exitcode), kill=True)
        task = w.task
        if task is None or w.started is None:
            return w
        if task.timeout is not None and time.monotonic() - w.started > task.timeout:
            return self._replace(w, TaskTimeout(task.timeout), kill=True)
        if self.memory is not None and time.monotonic() - w.measured >= POLL_SECONDS:
            # At most every POLL_SECONDS: this runs at every message of every worker.
            w.measured = time.monotonic()
            used = rss(w.proc.pid) if w.proc.pid is not None else None
            if used is not None and used > self.memory:
                return self._replace(w, TaskOutOfMemory(self.memory, used), kill=True)
        return w

    def _replace(self, w: _Worker, why: Exception, kill: bool) -> _Worker | None:
        """Stop a worker; its running task fails with `why`, the ones waiting behind it go back
        to the front of the queue; a fresh worker takes its place."""
        self._untrack(w)
        w.stop(kill=kill)
        if w.tasks:
            w.tasks.popleft().future.set_exception(why)
        with self._lock:
            while w.tasks:
                self._queue.appendleft(w.tasks.pop())
            # Workers that die before they are ready (a broken install) would be replaced for
            # ever and the tasks never run: after a few, every waiting task fails instead.
            self._failed_starts = 0 if w.ready else self._failed_starts + 1
            if self._failed_starts >= MAX_FAILED_STARTS:
                self._broken = WorkerDied(w.proc.exitcode, at_start=True)
                while self._queue:
                    self._queue.popleft().future.set_exception(self._broken)
                return None
        self.replaced += 1
        fresh = _Worker(self._ctx, self._initializer)
        self._track(fresh)
        return fresh
