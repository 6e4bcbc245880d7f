"""Load test of the workbench on localhost: concurrent readers of report pages and uploaders.

    python bench/bench_web.py                      # 50 readers + 5 uploaders for 60 s, 2 server processes
    python bench/bench_web.py --server-workers 1   # one server process
    python bench/bench_web.py --readers 10 --uploaders 2 --seconds 15

The server runs as `xxgk serve` does (uvicorn with the app factory, --server-workers processes,
127.0.0.1, a fresh SQLite store holding the bundled samples, uploads read by the niced reader
with --jobs parsing processes); the load comes from other processes (httpx, asyncio). Readers
fetch review pages of the samples; uploaders post distinct text reports through the API and wait
for each to be read. First, in the same run, one reader alone for --baseline seconds (the
baseline); then the readers and uploaders together. Bounded in count and time: it stops at
--seconds, then waits (at most --drain s) for the uploads still queued. Prints p50/p95/max
latency per kind of request, errors, whether every upload was stored (nothing lost), and the
machine's load average before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures as cf
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "xxgk" / "samples"
TEXT = SAMPLES / "000_11a4c8c6b3698673.txt"
KEEP_ALIVE = 75  # seconds, as `xxgk serve` (a browser keeps its connections about this long)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(folder: Path) -> tuple[str, str, list[str], int]:
    """A store with the samples in a round, a reviewer and a token: (db url, token, report ids, round)."""
    from xxgk.review import open_store, rounds, uploads, users

    db = f"sqlite:///{folder / 'bench.sqlite'}"
    store = open_store(db)
    users.add_user(store.engine, "bench", "reviewer", "bench-password")
    users.add_user(store.engine, "admin", "admin", "admin-password")
    token = users.create_token(store.engine, "bench")
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
    return db, token, ids, rnd.id


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def reader(client: httpx.AsyncClient, ids: list[str], until: float, lat: list[float], errors: list[str],
                 rng: random.Random) -> None:
    while time.monotonic() < until:
        sha = rng.choice(ids)
        t0 = time.perf_counter()
        try:
            r = await client.get(f"/reports/{sha}")
            ok = r.status_code == 200 and "findings" in r.text
        except httpx.HTTPError as e:
            ok, r = False, None
            errors.append(f"reader: {type(e).__name__}")
        lat.append(time.perf_counter() - t0)
        if not ok and r is not None:
            errors.append(f"reader: HTTP {r.status_code}")


async def uploader(client: httpx.AsyncClient, n: int, round_id: int, until: float, lat: list[float],
                   errors: list[str], sent: list[str], uploads: list[int], polls: list[float]) -> None:
    base = TEXT.read_text(encoding="utf-8")
    i = 0
    while time.monotonic() < until:
        i += 1
        body = f"{base}\n（基准测试 上传者{n} 第{i}份 {time.time_ns()}）\n".encode()
        t0 = time.perf_counter()
        try:
            r = await client.post("/api/reports", files={"file": (f"u{n}-{i}.txt", body, "text/plain")},
                                  data={"round": str(round_id)})
        except httpx.HTTPError as e:
            errors.append(f"upload: {type(e).__name__}")
            continue
        lat.append(time.perf_counter() - t0)
        if r.status_code != 202:
            errors.append(f"upload: HTTP {r.status_code}")
            continue
        rid = r.json()["id"]
        sent.append(rid)
        uploads.append(r.json()["upload"])
        while time.monotonic() < until:  # wait for it to be read before the next one
            t1 = time.perf_counter()
            try:
                g = await client.get(f"/api/reports/{rid}")
            except httpx.HTTPError as e:
                errors.append(f"upload poll: {type(e).__name__}")
                continue
            polls.append(time.perf_counter() - t1)
            if g.status_code not in (200, 202):
                errors.append(f"upload poll: HTTP {g.status_code}")
            if g.status_code == 200:
                break
            await asyncio.sleep(0.5)


def readers_process(url: str, token: str, ids: list[str], readers: int, seconds: float, seed: int
                     ) -> tuple[list[float], list[str]]:
    """Some of the readers, in a process of their own: one Python process parsing every response
    of 50 readers would itself be the bottleneck being measured."""

    async def go() -> tuple[list[float], list[str]]:
        lat: list[float] = []
        errors: list[str] = []
        limits = httpx.Limits(max_connections=readers + 1)
        async with httpx.AsyncClient(base_url=url, headers={"authorization": f"Bearer {token}"}, timeout=60,
                                     limits=limits) as client:
            until = time.monotonic() + seconds
            rng = random.Random(seed)
            await asyncio.gather(*[reader(client, ids, until, lat, errors, rng) for _ in range(readers)])
        return lat, errors

    return asyncio.run(go())


async def run(url: str, token: str, ids: list[str], round_id: int, readers: int, uploaders: int,
              seconds: float, drain: float, procs: int) -> dict:
    headers = {"authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=uploaders + 5)
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) as client:
        until = time.monotonic() + seconds
        read_lat: list[float] = []
        up_lat: list[float] = []
        polls: list[float] = []
        errors: list[str] = []
        sent: list[str] = []
        upload_ids: list[int] = []
        t0 = time.monotonic()
        shares = [readers // procs + (1 if i < readers % procs else 0) for i in range(procs)]
        with cf.ProcessPoolExecutor(procs, mp_context=mp.get_context("spawn")) as pool:
            jobs = [loop.run_in_executor(pool, readers_process, url, token, ids, n, seconds, i)
                    for i, n in enumerate(shares) if n]
            await asyncio.gather(*[uploader(client, n, round_id, until, up_lat, errors, sent, upload_ids, polls)
                                   for n in range(uploaders)])
            for lat, errs in await asyncio.gather(*jobs):
                read_lat += lat
                errors += errs
        elapsed = time.monotonic() - t0
        # nothing lost: every accepted upload ends up read (bounded wait for the queue to drain)
        deadline = time.monotonic() + drain
        pending = set(sent)
        states: dict[str, str] = {}
        while pending and time.monotonic() < deadline:
            for rid in list(pending):
                try:
                    g = await client.get(f"/api/reports/{rid}")
                except httpx.HTTPError as e:
                    errors.append(f"drain: {type(e).__name__}")
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
                    errors.append(f"drain: {type(e).__name__}")
            if open_uploads:
                await asyncio.sleep(1)
        in_round = (await client.get(f"/api/rounds/{round_id}")).json()["reports"]
    stored = {r["id"] for r in in_round}
    return {"elapsed": elapsed, "read": read_lat, "upload": up_lat, "poll": polls, "errors": errors, "sent": len(sent),
            "done": sum(1 for s in states.values() if s == "done"), "failed": sum(1 for s in states.values()
                                                                                 if s == "failed"),
            "pending": len(pending), "missing_from_round": len(set(sent) - stored)}


def serve(db: str, port: int, files: str, server_workers: int, jobs: int) -> None:
    """The server process, as `xxgk serve --workers N -j J` runs it: uvicorn with the app factory."""
    import uvicorn

    os.environ.update(XXGK_DB=db, XXGK_FILES=files, XXGK_WEB_JOBS=str(jobs))
    uvicorn.run("xxgk.web.app:app_from_env", factory=True, workers=server_workers, host="127.0.0.1", port=port,
                log_level="warning", timeout_keep_alive=KEEP_ALIVE)


def report(title: str, res: dict) -> None:
    print(title)
    for kind in ("read", "upload", "poll"):
        lat = res.get(kind) or []
        if lat:
            print(f"  {kind:6} {len(lat):6d} requests  {len(lat) / res['elapsed']:7.1f}/s  "
                  f"p50 {statistics.median(lat) * 1000:7.1f} ms  p95 {percentile(lat, 0.95) * 1000:7.1f} ms  "
                  f"max {max(lat) * 1000:7.1f} ms")
    errs = res["errors"]
    print(f"  errors {len(errs)}" + (f" ({', '.join(sorted(set(errs)))})" if errs else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--uploaders", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--baseline", type=float, default=15.0, help="seconds of the one-reader baseline (0: none)")
    ap.add_argument("--drain", type=float, default=120.0)
    ap.add_argument("--server-workers", type=int, default=2, help="server processes (xxgk serve --workers)")
    ap.add_argument("--jobs", type=int, default=1, help="the upload reader's parsing processes (xxgk serve -j)")
    ap.add_argument("--client-procs", type=int, default=2, help="processes the readers are spread over")
    ap.add_argument("--serve", nargs=3, metavar=("DB", "PORT", "FILES"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:  # the server process
        db, port, files = a.serve
        serve(db, int(port), files, a.server_workers, a.jobs)
        return
    a.readers, a.uploaders = min(a.readers, 200), min(a.uploaders, 20)  # bounded
    a.seconds, a.baseline = min(a.seconds, 600.0), min(a.baseline, 120.0)
    a.server_workers = max(1, min(a.server_workers, 8))
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-web-") as tmp:
        folder = Path(tmp)
        db, token, ids, round_id = prepare(folder)
        port = free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
        server = subprocess.Popen([sys.executable, __file__, "--server-workers", str(a.server_workers),
                                   "--jobs", str(a.jobs), "--serve", db, str(port), str(folder / "files")], env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(url + "/login", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            # warm: each report page a few times, so every server process has read each one once
            # (the first view extracts the source and runs the rules)
            for _ in range(2 * a.server_workers):
                for sha in ids:
                    httpx.get(f"{url}/reports/{sha}", headers={"authorization": f"Bearer {token}"}, timeout=60)
            base = None
            if a.baseline > 0:
                base = asyncio.run(run(url, token, ids, round_id, 1, 0, a.baseline, a.drain, 1))
                base["load"] = os.getloadavg()
            res = asyncio.run(run(url, token, ids, round_id, a.readers, a.uploaders, a.seconds, a.drain,
                                  max(1, min(a.client_procs, 8))))
            load_after = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=60)

    def la(x: tuple[float, float, float]) -> str:
        return f"{x[0]:.2f} {x[1]:.2f} {x[2]:.2f}"

    print(f"workbench load test on 127.0.0.1, {os.cpu_count()} cores, {a.server_workers} server process(es), "
          f"upload reader with {a.jobs} parsing process(es); load average before {la(load_before)}")
    if base is not None:
        report(f"baseline: 1 reader alone for {base['elapsed']:.0f} s (load average after {la(base['load'])})", base)
    report(f"{a.readers} readers (in {a.client_procs} processes) + {a.uploaders} uploaders for {res['elapsed']:.0f} s "
           f"(load average after {la(load_after)})", res)
    print(f"  uploads accepted {res['sent']}: read {res['done']}, failed {res['failed']}, "
          f"still pending {res['pending']}, missing from the round {res['missing_from_round']}")


if __name__ == "__main__":
    main()
