"""Load test of the workbench on localhost: concurrent readers of report pages and uploaders.

    python bench/bench_web.py                      # 50 readers (wrk) + 5 uploaders for 60 s, `xxgk serve --workers 2`
    python bench/bench_web.py --client both        # the same with wrk, then with the Python readers
    python bench/bench_web.py --readers 10 --uploaders 2 --seconds 15 --baseline 5
    python bench/bench_web.py --client python      # the Python readers (without wrk: the same, said once)

The server is `xxgk serve --workers N -j J` on 127.0.0.1 over a fresh SQLite store holding the
bundled samples in a round; every reader has a session of its own (a signed-in browser: the
session cookie, gzip accepted) and asks for the round's report pages one after the other with
no think time. The readers are `wrk` (C, a few percent of a core for thousands of pages a
second: the load generator shares the machine's cores with the server, and a Python client
spends ~2 ms of CPU unpacking each page, as much as the server spends serving it), or with
`--client python` asyncio/httpx readers spread over --client-procs processes. Five uploaders post
distinct text reports through the API with a token and wait for each to be read; a checker
opens a random page now and then and checks it whole (the reader's name and CSRF token in it).
First, in the same run, one reader alone (the baseline); then the readers and uploaders
together for --seconds. Then it waits (at most --drain s) for the uploads still queued and
checks every accepted one was read and put in its round (nothing lost).

Prints, per kind of request, count, rate, p50/p95/max latency and errors; the server's CPU per
page (its processes' /proc times over the phase: the answering processes apart from the niced
upload readers); the load generator's CPU; the load average before and after; and the goals
(p95 of a report page under 300 ms, no error, nothing lost) as met or not.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures as cf
import contextlib
import json
import multiprocessing as mp
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "xxgk" / "samples"
TEXT = SAMPLES / "000_11a4c8c6b3698673.txt"
SESSION_COOKIE = "xxgk_session"
GOAL_P95_MS = 300.0
INSTALL_WRK = "apt-get install -y wrk  (macOS: brew install wrk)"

# The wrk readers: every request is pre-built in init() (a report page with one reader's session
# cookie), rotated over; a response counts as good only when it is a 200 with a whole page.
WRK_SCRIPT = r"""
local threads = {}
function setup(thread)
  thread:set("first", #threads * 7919)
  table.insert(threads, thread)
end
function init(args)
  reqs = {}
  for line in io.lines(args[1]) do
    local path, cookie = line:match("^(%S+)\t(.*)$")
    reqs[#reqs + 1] = wrk.format("GET", path, {["Cookie"] = cookie, ["Accept-Encoding"] = "gzip"})
  end
  minimum = tonumber(args[2])
  at = first % #reqs
  good, bad, redirect, short = 0, 0, 0, 0
end
function request()
  at = at % #reqs + 1
  return reqs[at]
end
function response(status, headers, body)
  if status == 200 and #body >= minimum then
    good = good + 1
  else
    bad = bad + 1
    if status >= 300 and status < 400 then redirect = redirect + 1 end
    if status == 200 then short = short + 1 end
  end
end
function done(summary, latency, requests)
  local good, bad, redirect, short = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    good = good + t:get("good"); bad = bad + t:get("bad")
    redirect = redirect + t:get("redirect"); short = short + t:get("short")
  end
  local e = summary.errors
  io.write(string.format(
    'XXGK-WRK {"requests": %d, "duration_us": %d, "bytes": %d, "good": %d, "bad": %d, "redirect": %d, ' ..
    '"short": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, good, bad, redirect, short, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class Setup:
    db: str
    token: str  # the uploaders' API token
    ids: list[str]  # the round's reports
    round_id: int
    sessions: list[tuple[str, str]]  # (session id, CSRF token), one per reader
    reader: str  # the readers' user name


@dataclass
class Phase:
    """One phase's results."""

    elapsed: float = 0.0
    read: list[float] = field(default_factory=list)  # latencies (s), Python readers
    wrk: dict | None = None  # wrk's summary (its own percentiles)
    upload: list[float] = field(default_factory=list)
    poll: list[float] = field(default_factory=list)
    check: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: int = 0
    done: int = 0
    failed: int = 0
    pending: int = 0
    missing_from_round: int = 0
    server_cpu: float = 0.0  # s, the answering processes
    reading_cpu: float = 0.0  # s, the niced upload readers and their parsing processes
    client_cpu: float = 0.0  # s, the readers' load generator
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def pages(self) -> int:
        return self.wrk["requests"] if self.wrk else len(self.read)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(folder: Path, readers: int) -> Setup:
    """A store with the samples in a round, a signed-in session per reader and an uploader's token."""
    from xxgk.review import open_store, rounds, uploads, users

    db = f"sqlite:///{folder / 'bench.sqlite'}"
    store = open_store(db)
    reader = users.add_user(store.engine, "bench", "reviewer", "bench-password")
    users.add_user(store.engine, "admin", "admin", "admin-password")
    token = users.create_token(store.engine, "bench")
    sessions = [users.open_session(store.engine, reader) for _ in range(max(1, readers))]
    rnd = rounds.create_round(store.engine, "基准测试", None, "admin")
    uid, up = uploads.new_upload(store.engine, folder / "files", rnd.id, "admin")
    z = up / "samples.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted(SAMPLES.glob("*")):
            if p.suffix in (".txt", ".pdf"):
                zf.write(p, p.name)
    uploads.register(store.engine, uid, [("samples.zip", z)], "admin")
    uploads.run_queue(store, workers=0)
    ids = [f.sha256 for f in uploads.progress(store, uid).files if f.state == "done"]
    store.close()
    return Setup(db, token, ids, rnd.id, sessions, reader.name)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def whole_page(text: str, setup: Setup, csrf: str) -> bool:
    """A whole review page for this reader: its end, the reader's name and session's CSRF token."""
    return "</html>" in text and setup.reader in text and csrf in text


# ---------------------------------------------------------------- server CPU


def cpu_split(root: psutil.Process) -> tuple[float, float]:
    """(CPU seconds of the answering processes, of the niced upload readers with their parsing
    processes) of the server's process tree so far."""
    server = reading = 0.0
    for p in [root, *root.children(recursive=True)]:
        try:
            t = p.cpu_times()
            niced = p.nice() > 0
        except psutil.Error:
            continue
        if niced:
            reading += t.user + t.system + t.children_user + t.children_system
        else:
            server += t.user + t.system
    return server, reading


# ---------------------------------------------------------------- the readers


def write_requests(folder: Path, setup: Setup, readers: int) -> Path:
    """wrk's request list: every report page with every reader's session, interleaved."""
    lines = [f"/reports/{sha}\t{SESSION_COOKIE}={sid}" for sid, _csrf in setup.sessions[:readers] for sha in setup.ids]
    path = folder / "requests.tsv"
    path.write_text("\n".join(random.Random(0).sample(lines, len(lines))) + "\n", encoding="utf-8")
    return path


async def wrk_readers(wrk: str, url: str, requests: Path, readers: int, seconds: float, minimum: int,
                      folder: Path) -> tuple[dict, float]:
    """wrk's summary and its CPU seconds."""
    script = folder / "readers.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    threads = max(1, min(2, readers))
    args = [wrk, "-t", str(threads), "-c", str(readers), "-d", f"{seconds:.0f}s", "--timeout", "60s",
            "-s", str(script), url, "--", str(requests), str(minimum)]
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    ps = psutil.Process(proc.pid)
    cpu = 0.0
    while proc.returncode is None:  # its CPU, sampled until it exits
        try:
            t = ps.cpu_times()
            cpu = t.user + t.system
        except psutil.Error:
            pass
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), 0.5)
    out, err = await proc.communicate()
    for line in out.decode().splitlines():
        if line.startswith("XXGK-WRK "):
            return json.loads(line[len("XXGK-WRK "):]), cpu
    raise RuntimeError(f"wrk gave no summary: {out.decode()[-500:]} {err.decode()[-500:]}")


async def py_reader(client: httpx.AsyncClient, setup: Setup, session: tuple[str, str], until: float,
                    lat: list[float], errors: list[str], rng: random.Random) -> None:
    cookie = {"cookie": f"{SESSION_COOKIE}={session[0]}"}
    while time.monotonic() < until:
        sha = rng.choice(setup.ids)
        t0 = time.perf_counter()
        try:
            r = await client.get(f"/reports/{sha}", headers=cookie)
            ok = r.status_code == 200 and whole_page(r.text, setup, session[1])
        except httpx.HTTPError as e:
            ok, r = False, None
            errors.append(f"reader: {type(e).__name__}")
        lat.append(time.perf_counter() - t0)
        if not ok and r is not None:
            errors.append(f"reader: HTTP {r.status_code}" + (" (not the whole page)" if r.status_code == 200 else ""))


def py_readers_process(url: str, setup: Setup, first: int, readers: int, seconds: float
                       ) -> tuple[list[float], list[str], float]:
    """Some of the Python readers, in a process of their own: one Python process parsing every
    response of 50 readers would itself be the bottleneck being measured. Also its CPU seconds."""

    async def go() -> tuple[list[float], list[str]]:
        lat: list[float] = []
        errors: list[str] = []
        limits = httpx.Limits(max_connections=readers + 1)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            until = time.monotonic() + seconds
            rng = random.Random(first)
            sessions = setup.sessions[first:first + readers]
            await asyncio.gather(*[py_reader(client, setup, s, until, lat, errors, rng) for s in sessions])
        return lat, errors

    t0 = time.process_time()
    lat, errors = asyncio.run(go())
    return lat, errors, time.process_time() - t0


# ---------------------------------------------------------------- uploaders and the checker


async def uploader(client: httpx.AsyncClient, n: int, setup: Setup, until: float, res: Phase,
                   uploads: list[int], sent: list[str]) -> None:
    base = TEXT.read_text(encoding="utf-8")
    i = 0
    while time.monotonic() < until:
        i += 1
        body = f"{base}\n（基准测试 上传者{n} 第{i}份 {time.time_ns()}）\n".encode()
        t0 = time.perf_counter()
        try:
            r = await client.post("/api/reports", files={"file": (f"u{n}-{i}.txt", body, "text/plain")},
                                  data={"round": str(setup.round_id)})
        except httpx.HTTPError as e:
            res.errors.append(f"upload: {type(e).__name__}")
            continue
        res.upload.append(time.perf_counter() - t0)
        if r.status_code != 202:
            res.errors.append(f"upload: HTTP {r.status_code}")
            continue
        rid = r.json()["id"]
        sent.append(rid)
        uploads.append(r.json()["upload"])
        while time.monotonic() < until:  # wait for it to be read before the next one
            t1 = time.perf_counter()
            try:
                g = await client.get(f"/api/reports/{rid}")
            except httpx.HTTPError as e:
                res.errors.append(f"upload poll: {type(e).__name__}")
                continue
            res.poll.append(time.perf_counter() - t1)
            if g.status_code not in (200, 202):
                res.errors.append(f"upload poll: HTTP {g.status_code}")
            if g.status_code == 200:
                break
            await asyncio.sleep(0.5)


async def checker(url: str, setup: Setup, until: float, res: Phase) -> None:
    """Now and then one page read whole, beside wrk (which checks only the status and size), with
    a reader's session (no bearer token)."""
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while time.monotonic() < until:
            await check_page(client, setup, rng, res)
            await asyncio.sleep(0.5)


async def check_page(client: httpx.AsyncClient, setup: Setup, rng: random.Random, res: Phase) -> None:
    sid, csrf = rng.choice(setup.sessions)
    t0 = time.perf_counter()
    try:
        r = await client.get(f"/reports/{rng.choice(setup.ids)}", headers={"cookie": f"{SESSION_COOKIE}={sid}"})
        if r.status_code != 200 or not whole_page(r.text, setup, csrf):
            res.errors.append(f"page check: HTTP {r.status_code}" + (" (not the whole page)"
                                                                     if r.status_code == 200 else ""))
    except httpx.HTTPError as e:
        res.errors.append(f"page check: {type(e).__name__}")
    res.check.append(time.perf_counter() - t0)


async def drain(client: httpx.AsyncClient, setup: Setup, res: Phase, sent: list[str], upload_ids: list[int],
                seconds: float) -> None:
    """Nothing lost: every accepted upload ends up read and in its round (bounded wait)."""
    deadline = time.monotonic() + seconds
    pending = set(sent)
    states: dict[str, str] = {}
    while pending and time.monotonic() < deadline:
        for rid in list(pending):
            try:
                g = await client.get(f"/api/reports/{rid}")
            except httpx.HTTPError as e:
                res.errors.append(f"drain: {type(e).__name__}")
                continue
            if g.status_code == 200:
                states[rid] = g.json().get("state", "?")
                pending.discard(rid)
        if pending:
            await asyncio.sleep(1)
    # ... and every upload settled (its reports are put in the round when its run ends)
    open_uploads = set(upload_ids)
    while open_uploads and time.monotonic() < deadline:
        for uid in list(open_uploads):
            try:
                if (await client.get(f"/api/uploads/{uid}")).json()["state"] == "done":
                    open_uploads.discard(uid)
            except httpx.HTTPError as e:
                res.errors.append(f"drain: {type(e).__name__}")
        if open_uploads:
            await asyncio.sleep(1)
    in_round = {r["id"] for r in (await client.get(f"/api/rounds/{setup.round_id}")).json()["reports"]}
    res.sent = len(sent)
    res.done = sum(1 for s in states.values() if s == "done")
    res.failed = sum(1 for s in states.values() if s == "failed")
    res.pending = len(pending)
    res.missing_from_round = len(set(sent) - in_round)


# ---------------------------------------------------------------- a phase


@dataclass
class Plan:
    url: str
    setup: Setup
    folder: Path
    server: psutil.Process
    client: str  # "wrk" or "python"
    wrk: str | None
    requests: Path
    minimum: int  # the smallest whole page's gzipped size, less a margin
    client_procs: int
    drain: float


async def phase(plan: Plan, readers: int, uploaders: int, seconds: float) -> Phase:
    res = Phase()
    headers = {"authorization": f"Bearer {plan.setup.token}"}
    limits = httpx.Limits(max_connections=uploaders + 5)
    loop = asyncio.get_running_loop()
    sent: list[str] = []
    upload_ids: list[int] = []
    async with httpx.AsyncClient(base_url=plan.url, headers=headers, timeout=60, limits=limits) as client:
        cpu0 = cpu_split(plan.server)
        t0 = time.monotonic()
        until = t0 + seconds
        side = [uploader(client, n, plan.setup, until, res, upload_ids, sent) for n in range(uploaders)]
        if uploaders:
            side.append(checker(plan.url, plan.setup, until, res))
        if plan.client == "wrk":
            assert plan.wrk is not None
            reading = wrk_readers(plan.wrk, plan.url, plan.requests, readers, seconds, plan.minimum, plan.folder)
            (res.wrk, res.client_cpu), *_ = await asyncio.gather(reading, *side)
        else:
            procs = max(1, min(plan.client_procs, readers))
            shares = [readers // procs + (1 if i < readers % procs else 0) for i in range(procs)]
            firsts = [sum(shares[:i]) for i in range(procs)]
            with cf.ProcessPoolExecutor(procs, mp_context=mp.get_context("spawn")) as pool:
                jobs = [loop.run_in_executor(pool, py_readers_process, plan.url, plan.setup, f, n, seconds)
                        for f, n in zip(firsts, shares, strict=True) if n]
                results, *_ = await asyncio.gather(asyncio.gather(*jobs), *side)
            for lat, errs, cpu in results:
                res.read += lat
                res.errors += errs
                res.client_cpu += cpu
        res.elapsed = time.monotonic() - t0
        cpu1 = cpu_split(plan.server)
        res.server_cpu, res.reading_cpu = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
        res.load = os.getloadavg()
        if uploaders:
            await drain(client, plan.setup, res, sent, upload_ids, plan.drain)
    return res


# ---------------------------------------------------------------- the report


def ms(us: float) -> str:
    return f"{us / 1000:7.1f} ms"


def la(x: tuple[float, float, float]) -> str:
    return f"{x[0]:.2f} {x[1]:.2f} {x[2]:.2f}"


def page_figures(res: Phase) -> tuple[float, float, float, int]:
    """Report pages: (p50, p95, max) in ms and the errors among them."""
    if res.wrk:
        w = res.wrk
        errs = w["bad"] + w["connect"] + w["read"] + w["write"] + w["timeout"]
        return w["p50_us"] / 1000, w["p95_us"] / 1000, w["max_us"] / 1000, errs
    lat = res.read
    errs = sum(1 for e in res.errors if e.startswith("reader"))
    return (statistics.median(lat) * 1000, percentile(lat, 0.95) * 1000, max(lat) * 1000, errs) if lat else (
        float("nan"), float("nan"), float("nan"), errs)


def report(title: str, res: Phase, client: str) -> None:
    print(title)
    p50, p95, top, errs = page_figures(res)
    rate = res.pages / res.elapsed if res.elapsed else 0.0
    print(f"  pages  {res.pages:7d} requests {rate:7.1f}/s  p50 {ms(p50 * 1000)}  p95 {ms(p95 * 1000)}  "
          f"max {ms(top * 1000)}  errors {errs}   [{client}]")
    if res.wrk:
        w = res.wrk
        print(f"         wrk: good {w['good']}, not a whole 200 page {w['bad']} (redirects {w['redirect']}, "
              f"short {w['short']}), socket errors connect {w['connect']} read {w['read']} write {w['write']}, "
              f"timeouts {w['timeout']}; p99 {ms(w['p99_us'])}")
    for kind in ("upload", "poll", "check"):
        lat = getattr(res, kind)
        if lat:
            print(f"  {kind:6} {len(lat):7d} requests {len(lat) / res.elapsed:7.1f}/s  "
                  f"p50 {ms(statistics.median(lat) * 1e6)}  p95 {ms(percentile(lat, 0.95) * 1e6)}  "
                  f"max {ms(max(lat) * 1e6)}")
    others = [e for e in res.errors if not e.startswith("reader")]
    print(f"  other errors {len(others)}" + (f" ({', '.join(sorted(set(others)))})" if others else ""))
    if res.pages:
        print(f"  CPU: server {res.server_cpu:.1f} s ({res.server_cpu / res.pages * 1000:.2f} ms per page, "
              f"uploads and polls included), upload reading (nice 10) {res.reading_cpu:.1f} s, "
              f"load generator ({client}) {res.client_cpu:.1f} s ({res.client_cpu / res.pages * 1000:.2f} ms "
              f"per page); load average after {la(res.load)}")


def goals(res: Phase, client: str) -> None:
    _p50, p95, _top, page_errs = page_figures(res)
    errors = page_errs + len(res.errors) - sum(1 for e in res.errors if e.startswith("reader"))
    lost = res.sent - res.done - res.failed
    met = {True: "met", False: "NOT met"}
    print(f"  goals [{client}]: report page p95 {p95:.0f} ms < {GOAL_P95_MS:.0f} ms: {met[p95 < GOAL_P95_MS]}; "
          f"errors {errors} = 0: {met[errors == 0]}; uploads accepted {res.sent}, read {res.done}, "
          f"failed {res.failed}, not read {lost}, missing from the round {res.missing_from_round}: "
          f"nothing lost {met[lost == 0 and res.missing_from_round == 0 and res.failed == 0]}")


# ---------------------------------------------------------------- main


def start_server(folder: Path, db: str, port: int, workers: int, jobs: int) -> subprocess.Popen:
    """`xxgk serve` as a person runs it (its warnings on stderr)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
               XXGK_FILES=str(folder / "files"))
    return subprocess.Popen([sys.executable, "-m", "xxgk", "serve", "--db", db, "--port", str(port),
                             "--workers", str(workers), "-j", str(jobs)], env=env, stderr=subprocess.DEVNULL)


def warm(url: str, setup: Setup, workers: int) -> int:
    """Every page opened by every reader's session a few times on fresh connections, so each
    server process has rendered each page (the first view extracts the source and runs the rules);
    returns the smallest whole page's gzipped size."""
    smallest = 1 << 30
    for _ in range(2 * workers):
        for sid, csrf in setup.sessions:
            for sha in setup.ids:
                r = httpx.get(f"{url}/reports/{sha}", headers={"cookie": f"{SESSION_COOKIE}={sid}"}, timeout=60)
                if r.status_code != 200 or not whole_page(r.text, setup, csrf):
                    raise RuntimeError(f"warming: {sha} answered {r.status_code}")
                smallest = min(smallest, int(r.headers.get("content-length", len(r.content))))
    return smallest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--uploaders", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--baseline", type=float, default=10.0, help="seconds of the one-reader baseline (0: none)")
    ap.add_argument("--drain", type=float, default=120.0)
    ap.add_argument("--server-workers", type=int, default=2, help="server processes (xxgk serve --workers)")
    ap.add_argument("--jobs", type=int, default=1, help="the upload reader's parsing processes (xxgk serve -j)")
    ap.add_argument("--client", choices=("wrk", "python", "both"), default="wrk",
                    help="the readers' load generator (wrk when installed)")
    ap.add_argument("--client-procs", type=int, default=2, help="processes the Python readers are spread over")
    a = ap.parse_args()
    a.readers, a.uploaders = max(1, min(a.readers, 200)), min(a.uploaders, 20)  # bounded
    a.seconds, a.baseline = min(a.seconds, 600.0), min(a.baseline, 120.0)
    a.server_workers = max(1, min(a.server_workers, 8))
    wrk = shutil.which("wrk")
    clients = ["wrk", "python"] if a.client == "both" else [a.client]
    if "wrk" in clients and wrk is None:
        print(f"wrk is not installed, so the Python readers measure instead; install it: {INSTALL_WRK}",
              file=sys.stderr)
        clients = ["python"]
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-web-") as tmp:
        folder = Path(tmp)
        setup = prepare(folder, a.readers)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(folder, setup.db, port, a.server_workers, a.jobs)
        results: list[tuple[str, Phase | None, Phase]] = []
        try:
            for _ in range(600):
                try:
                    if httpx.get(url + "/login", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            minimum = warm(url, setup, a.server_workers) * 9 // 10
            requests = write_requests(folder, setup, a.readers)
            plan = Plan(url, setup, folder, psutil.Process(server.pid), "wrk", wrk, requests, minimum,
                        a.client_procs, a.drain)
            for client in clients:
                plan.client = client
                base = asyncio.run(phase(plan, 1, 0, a.baseline)) if a.baseline > 0 else None
                main_phase = asyncio.run(phase(plan, a.readers, a.uploaders, a.seconds))
                results.append((client, base, main_phase))
        finally:
            server.terminate()
            server.wait(timeout=60)

    print(f"workbench load test on 127.0.0.1, {os.cpu_count()} cores: `xxgk serve --workers {a.server_workers} "
          f"-j {a.jobs}`, SQLite; load average before {la(load_before)}")
    for client, base, res in results:
        if base is not None:
            report(f"baseline: 1 reader alone for {base.elapsed:.0f} s", base, client)
        procs = "" if client == "wrk" else f" in {a.client_procs} processes"
        report(f"{a.readers} readers ({client}{procs}) + {a.uploaders} uploaders for {res.elapsed:.0f} s", res, client)
        goals(res, client)


if __name__ == "__main__":
    main()
