"""Ingest benchmark: throughput, re-ingest rate, peak memory, and crash safety, on SQLite and
PostgreSQL.

    .venv/bin/python bench/bench_ingest.py                      # 10,000 texts + 1,000 PDFs
    .venv/bin/python bench/bench_ingest.py --texts 1000 --pdfs 50   # a quick run
    XXGK_BENCH_POSTGRES_URL=$(bash scripts/postgres.sh) .venv/bin/python bench/bench_ingest.py
    # issue 11's figure, PostgreSQL text ingest against >= 200 reports/s (no PDFs, no crash check):
    XXGK_BENCH_POSTGRES_URL=... .venv/bin/python bench/bench_ingest.py --texts 3000 --pdfs 0 --crash-files 0 \
        --backends postgresql

For the text ingest it prints the rate next to the goal, the same run's parse-only rate, the CPU
a report costs in the writer process, the workers and the database backends (and what that
allows on this machine's cores), each phase's wall time and CPU (start, parse + write, the
cross-year checks, the cross-body checks) and the load average before and after: on a shared
machine the CPU figures say more than the rate.

The corpus comes from xxgk.synth: text reports of `texts / 5` distinct bodies over five years
(so the cross-year rules have work to do), and PDFs rendered by LibreOffice from synthetic reports
(`--unique-pdfs` of them, slow to make, cached in the work folder). Up to `--pdfs` files are
made from those by appending a distinct PDF comment after %%EOF: distinct bytes (so nothing is
deduplicated) and the full parsing cost each, at a fraction of the rendering time.

Every ingest runs in its own process; memory is sampled over that process and its workers
(psutil) every 0.1 s. The crash check ingests a corpus with a corrupted file in the middle
twice — once cleanly, once killed with SIGKILL half-way and then run again — and compares the
two databases' canonical dumps (`Store.dump()`). Targets (2-core machine): >= 200 text
reports/s, >= 10 PDFs/s, re-ingest >= 2,000 files/s, peak RSS <= 500 MB per process.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

TARGETS = {"text_reports_per_s": 200.0, "pdfs_per_s": 10.0, "reingest_files_per_s": 2000.0, "peak_rss_mb": 500.0}
YEARS = (2019, 2020, 2021, 2022, 2023)

# The same-run baseline: the same files read and parsed by the same worker pool, nothing stored.
# Ingest's rate over this is what the store, the writer and the cross-year checks cost; on a
# busy machine both fall together, so the ratio says more than either alone.
PARSE_ONLY = textwrap.dedent("""
    import hashlib, json, os, sys, time
    from pathlib import Path
    from xxgk.corpus.ingest import parse_one, process_pool
    if __name__ == "__main__":
        workers, folder = sys.argv[1], sys.argv[2]
        n = (os.cpu_count() or 1) if workers == "auto" else int(workers)
        files = sorted(Path(folder).glob("*.txt"))
        start = time.perf_counter()
        with process_pool(n) as pool:
            futures = []
            for f in files:
                data = f.read_bytes()
                futures.append(pool.submit(parse_one, str(f), f.name, data, hashlib.sha256(data).hexdigest()))
            done = sum(1 for fut in futures if fut.result() is not None)
        print(json.dumps({"parsed": done, "seconds": time.perf_counter() - start}), flush=True)
""")

# The ingest's phases, told by its progress callback: each starts its count at 0 (files, then
# the bodies' cross-year checks, then the years' cross-body checks); the marks are wall-clock
# times, so the sampler's CPU readings can be split by phase.
RUN = textwrap.dedent("""
    import json, sys, time
    from xxgk.corpus.ingest import ingest
    from xxgk.store import Store
    if __name__ == "__main__":
        url, workers, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
        marks = [time.time()]
        def progress(done, total, file):
            if done == 0:
                marks.append(time.time())
        with Store.open(url) as s:
            r = ingest(paths, s, workers=None if workers == "auto" else int(workers), on_progress=progress)
        marks.append(time.time())
        print(json.dumps({**r.to_dict(), "marks": marks}), flush=True)
""")
PHASES = ("start", "parse + write", "cross-year", "cross-body")


# ---------------------------------------------------------------- corpus


def body_seeds(n: int) -> list[int]:
    """The first `n` synth seeds whose bodies all differ: synth draws bodies from a finite list,
    and two seeds with the same body would make one body file two reports a year."""
    from xxgk.synth import generate

    seen: set[str] = set()
    seeds: list[int] = []
    seed = 0
    while len(seeds) < n:
        name = generate(seed, year=YEARS[0]).body.name
        if name not in seen:
            seen.add(name)
            seeds.append(seed)
        seed += 1
        if seed > 50 * n + 1000:
            raise SystemExit(f"xxgk.synth has fewer than {n} distinct bodies")
    return seeds


def make_texts(folder: Path, n: int) -> list[Path]:
    """`n` text reports: n / 5 distinct bodies, each reporting 2019-2023."""
    from xxgk.synth import generate, render_text

    folder.mkdir(parents=True, exist_ok=True)
    seeds = body_seeds(-(-n // len(YEARS)))
    out = []
    for i in range(n):
        k, year = divmod(i, len(YEARS))
        p = folder / f"t{seeds[k]:05d}-{YEARS[year]}.txt"
        if not p.exists():
            p.write_bytes(render_text(generate(seeds[k], year=YEARS[year])).data)
        out.append(p)
    return out


def make_pdfs(folder: Path, n: int, unique: int) -> list[Path]:
    from xxgk.synth import generate
    from xxgk.synth.render_pdf import render_pdf_many, soffice

    folder.mkdir(parents=True, exist_ok=True)
    seeds = folder / "unique"
    seeds.mkdir(exist_ok=True)
    have = sorted(seeds.glob("*.pdf"))
    if len(have) < unique:
        if soffice() is None:
            raise SystemExit("rendering PDFs needs LibreOffice (apt-get install libreoffice-writer)")
        todo = [i for i in range(unique) if not (seeds / f"s{i:04d}.pdf").exists()]
        print(f"rendering {len(todo)} PDFs with LibreOffice (once; cached in {seeds})", flush=True)
        for start in range(0, len(todo), 25):
            chunk = todo[start : start + 25]
            for i, r in zip(
                chunk, render_pdf_many([generate(10_000 + i, year=YEARS[i % 5]) for i in chunk]), strict=True
            ):
                (seeds / f"s{i:04d}.pdf").write_bytes(r.data)
        have = sorted(seeds.glob("*.pdf"))
    bases = [p.read_bytes() for p in have[:unique]]
    out = []
    for i in range(n):
        p = folder / f"p{i:05d}.pdf"
        if not p.exists():
            p.write_bytes(bases[i % len(bases)] + f"\n% xxgk bench copy {i}\n".encode())
        out.append(p)
    return out


# ---------------------------------------------------------------- running


class CpuMeter:
    """CPU seconds (user + system) of a process tree, split into the process itself (the ingest's
    writer) and its descendants (the parsing workers), and of the PostgreSQL backends serving it
    (found by the client ports of the tree's connections). Sampled: a process's last reading
    counts, so a worker that exits between two samples loses at most 0.1 s of its time."""

    def __init__(self, root: psutil.Process, pg_port: int | None) -> None:
        self.root, self.pg_port = root, pg_port
        self.seen: dict[int, tuple[str, float]] = {}
        self._backends: dict[int, psutil.Process] = {}
        self._ticks = 0
        self.series: list[tuple[float, dict[str, float]]] = []  # (time, totals then)

    @staticmethod
    def _cpu(p: psutil.Process) -> float:
        t = p.cpu_times()
        return t.user + t.system

    def sample(self, tree: list[psutil.Process]) -> None:
        for p in tree:
            with contextlib.suppress(psutil.Error):
                self.seen[p.pid] = ("parent" if p.pid == self.root.pid else "workers", self._cpu(p))
        self._ticks += 1
        if self.pg_port is not None and self._ticks % 5 == 1:
            self._find_backends(tree)
        for pid, b in list(self._backends.items()):
            with contextlib.suppress(psutil.Error):
                self.seen[-pid] = ("postgresql", self._cpu(b))
        self.series.append((time.time(), self.totals()))

    def at(self, when: float) -> dict[str, float]:
        """The totals at the last sample before `when` (0 before the first)."""
        last = {"parent": 0.0, "workers": 0.0, "postgresql": 0.0}
        for t, totals in self.series:
            if t > when:
                break
            last = totals
        return last

    def _find_backends(self, tree: list[psutil.Process]) -> None:
        ports = set()
        for p in tree:
            with contextlib.suppress(psutil.Error):
                ports |= {c.laddr.port for c in p.net_connections(kind="tcp")
                          if c.raddr and c.raddr.port == self.pg_port}
        if not ports:
            return
        for proc in psutil.process_iter(["name", "cmdline"]):
            cmd = " ".join(proc.info.get("cmdline") or [])
            mine = cmd.startswith("postgres") and any(f"({port})" in cmd for port in ports)
            if mine and proc.pid not in self._backends:
                self._backends[proc.pid] = proc

    def totals(self) -> dict[str, float]:
        out = {"parent": 0.0, "workers": 0.0, "postgresql": 0.0}
        for kind, seconds in self.seen.values():
            out[kind] += seconds
        return out


def _pg_port(url: str) -> int | None:
    if not url.startswith("postgres"):
        return None
    import sqlalchemy as sa

    return sa.engine.make_url(url.split("?", 1)[0]).port or 5432


def run_sampled(argv: list[str], url: str | None = None, kill_after: int | None = None) -> dict:
    """A child process (and its workers), memory and CPU sampled every 0.1 s; killed with SIGKILL
    (whole process group) once `kill_after` reports are stored in `url`, when given."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env, start_new_session=True)
    peak_total = peak_proc = 0
    killed = False
    root = psutil.Process(proc.pid)
    cpu = CpuMeter(root, _pg_port(url) if url else None)
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            rss = []
            for p in tree:
                with contextlib.suppress(psutil.Error):  # a worker may exit between list and read
                    rss.append(p.memory_info().rss)
            peak_total = max(peak_total, sum(rss))
            peak_proc = max([peak_proc, *rss])
            cpu.sample(tree)
        except psutil.Error:
            pass
        if kill_after is not None and url and not killed and _stored(url) >= kill_after:
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.1)
    out = proc.stdout.read() if proc.stdout else ""
    wall = time.perf_counter() - start
    res = json.loads(out.strip().splitlines()[-1]) if out.strip() and not killed else {}
    res.update(
        wall=wall,
        peak_rss_total_mb=peak_total / 2**20,
        peak_rss_process_mb=peak_proc / 2**20,
        killed=killed,
        returncode=proc.returncode,
        cpu=cpu.totals(),
    )
    marks = res.get("marks")
    if marks:  # wall seconds and CPU seconds of each phase of the ingest (sampled every 0.1 s)
        res["phases"] = {}
        for name, t0, t1 in zip(PHASES, marks, marks[1:], strict=False):
            a, b = cpu.at(t0), cpu.at(t1)
            res["phases"][name] = {"wall": t1 - t0, "cpu": {k: b[k] - a[k] for k in a}}
    return res


def run_ingest(url: str, paths: list[str], workers: str, kill_after: int | None = None) -> dict:
    """One ingest in a child process (see run_sampled)."""
    script = Path(tempfile.gettempdir()) / "xxgk_bench_run.py"
    script.write_text(RUN)
    return run_sampled([sys.executable, str(script), url, workers, *paths], url, kill_after)


def _stored(url: str) -> int:
    import sqlalchemy as sa

    from xxgk.store.database import database_url
    from xxgk.store.database import make_engine as _engine

    eng = _engine(database_url(url))
    try:
        with eng.connect() as c:
            return c.execute(sa.text("SELECT count(*) FROM reports")).scalar_one()
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        eng.dispose()


def dump_digest(url: str) -> tuple[str, int]:
    from xxgk.store import Store

    h = hashlib.sha256()
    n = 0
    with Store.open(url) as s:
        for line in s.dump():
            h.update(line.encode())
            h.update(b"\n")
            n += 1
    return h.hexdigest(), n


class Databases:
    """Fresh databases: SQLite files in the work folder; on PostgreSQL a schema each in the
    URL's database (its user needs to own that database only; see scripts/postgres.sh), dropped after."""

    def __init__(self, work: Path, pg_url: str | None) -> None:
        self.work, self.pg_url = work, pg_url
        self.created: list[str] = []

    def _admin(self) -> str:
        assert self.pg_url
        return self.pg_url.replace("postgresql+psycopg://", "postgresql://")

    def new(self, backend: str, name: str) -> str:
        if backend == "sqlite":
            p = self.work / f"{name}.sqlite"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{p}{suffix}").unlink(missing_ok=True)
            return str(p)
        import psycopg

        assert self.pg_url
        schema = f"xxgk_bench_{name}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(self._admin(), autocommit=True) as c:
            c.execute(f'CREATE SCHEMA "{schema}"')
        self.created.append(schema)
        sep = "&" if "?" in self.pg_url else "?"
        return f"{self.pg_url}{sep}options=-csearch_path%3D{schema}"

    def drop_all(self) -> None:
        if not self.created:
            return
        import psycopg

        with psycopg.connect(self._admin(), autocommit=True) as c:
            for schema in self.created:
                c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def parse_only(folder: Path, workers: str) -> dict:
    """The same-run baseline (PARSE_ONLY): reports/s and CPU seconds."""
    script = Path(tempfile.gettempdir()) / "xxgk_bench_parse.py"
    script.write_text(PARSE_ONLY)
    r = run_sampled([sys.executable, str(script), workers, str(folder)])
    r["per_s"] = r["parsed"] / r["seconds"]
    return r


def bench_backend(
    backend: str, dbs: Databases, texts: list[Path], pdfs: list[Path], crash: list[Path], workers: str
) -> dict:
    out: dict = {"backend": backend}
    url = dbs.new(backend, "main")
    base = parse_only(texts[0].parent, workers)
    baseline = base["per_s"]
    load_before = os.getloadavg()[0]
    r = run_ingest(url, [str(texts[0].parent)], workers)
    n = max(1, r["added"])
    out["texts"] = {
        "parse_only_per_s": baseline,
        "ratio_to_parse_only": r["added"] / r["wall"] / baseline,
        # Where the CPU goes, in ms a report: what the ingest adds to parsing is the difference.
        "parse_only_cpu_ms": {k: v * 1000 / max(1, base["parsed"]) for k, v in base["cpu"].items()},
        "cpu_ms": {k: v * 1000 / n for k, v in r["cpu"].items()},
        # Per phase: wall seconds, and CPU ms a report of the writer, the workers and PostgreSQL.
        "phases": {name: {"wall": ph["wall"], "cpu_ms": {k: v * 1000 / n for k, v in ph["cpu"].items()}}
                   for name, ph in r.get("phases", {}).items()},
        "load_before": load_before,
        "load": os.getloadavg()[0],
        "files": len(texts),
        "added": r["added"],
        "failed": len(r["failed"]),
        "seconds": r["wall"],
        "reports_per_s": r["added"] / r["wall"],
        "cross_year_findings": r["corpus_findings"],
        "cross_body_findings": r.get("peer_findings"),
        "peak_rss_process_mb": r["peak_rss_process_mb"],
        "peak_rss_total_mb": r["peak_rss_total_mb"],
    }
    print(f"[{backend}] texts: {out['texts']}", flush=True)
    r = run_ingest(url, [str(texts[0].parent)], workers)
    out["reingest"] = {
        "files": r["unchanged"],
        "seconds": r["wall"],
        "files_per_s": r["unchanged"] / r["wall"],
        "in_process_seconds": r["seconds"],
        "peak_rss_process_mb": r["peak_rss_process_mb"],
    }
    print(f"[{backend}] re-ingest: {out['reingest']}", flush=True)
    if pdfs:
        r = run_ingest(url, [str(pdfs[0].parent / "p*.pdf")], workers)
        out["pdfs"] = {
            "files": len(pdfs),
            "added": r["added"],
            "failed": len(r["failed"]),
            "seconds": r["wall"],
            "pdfs_per_s": r["added"] / r["wall"],
            "peak_rss_process_mb": r["peak_rss_process_mb"],
            "peak_rss_total_mb": r["peak_rss_total_mb"],
        }
        print(f"[{backend}] pdfs: {out['pdfs']}", flush=True)
    if not crash:
        return out
    # Crash safety: a corrupted file in the middle; a clean run vs a run killed half-way, then resumed.
    folder = str(crash[0].parent)
    clean = dbs.new(backend, "clean")
    run_ingest(clean, [folder], workers)
    killed = dbs.new(backend, "killed")
    half = (len(crash) - 1) // 2
    k = run_ingest(killed, [folder], workers, kill_after=half)
    stored_at_kill = _stored(killed)
    resumed = run_ingest(killed, [folder], workers)
    a, b = dump_digest(clean), dump_digest(killed)
    out["crash"] = {
        "files": len(crash),
        "killed": k["killed"],
        "stored_when_killed": stored_at_kill,
        "resumed_added": resumed.get("added"),
        "resumed_unchanged": resumed.get("unchanged"),
        "failed": resumed.get("failed"),
        "dump_lines": a[1],
        "identical": a == b,
    }
    print(f"[{backend}] crash: {out['crash']}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=10_000)
    ap.add_argument("--pdfs", type=int, default=1_000)
    ap.add_argument("--unique-pdfs", type=int, default=50)
    ap.add_argument("--crash-files", type=int, default=1_000)
    ap.add_argument("--workers", default="auto", help="parsing processes (default: one per core)")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "xxgk-bench-ingest")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()

    pg_url = os.environ.get("XXGK_BENCH_POSTGRES_URL") or os.environ.get("XXGK_TEST_POSTGRES_URL")
    backends = [b for b in args.backends.split(",") if b]
    if "postgresql" in backends and not pg_url:
        print("PostgreSQL skipped: set XXGK_BENCH_POSTGRES_URL (the URL scripts/postgres.sh prints)", flush=True)
        backends.remove("postgresql")
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    texts = make_texts(work / f"bodies-texts-{args.texts}", args.texts)
    pdfs = make_pdfs(work / f"pdfs-{args.pdfs}", args.pdfs, args.unique_pdfs) if args.pdfs else []
    crash: list[Path] = []
    if args.crash_files:  # 0: no crash check
        crash_dir = work / f"bodies-crash-{args.crash_files}"
        crash = make_texts(crash_dir, args.crash_files)
        bad = crash_dir / f"{crash[len(crash) // 2].stem}-corrupt.pdf"  # sorts into the middle of the walk
        bad.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R")
        crash.append(bad)
    print(f"corpus ready in {time.perf_counter() - t0:.0f} s: {len(texts)} texts, {len(pdfs)} PDFs", flush=True)

    dbs = Databases(work, pg_url)
    results = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "runs": []}
    try:
        for backend in backends:
            results["runs"].append(bench_backend(backend, dbs, texts, pdfs, crash, args.workers))
    finally:
        dbs.drop_all()
    load = os.getloadavg()
    print("\nresults (targets: >= 200 text reports/s, >= 10 PDFs/s, re-ingest >= 2,000 files/s, <= 500 MB per process)"
          f"; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    for run in results["runs"]:
        tx = run["texts"]
        # Checks: (value, goal met?); None for a figure shown without a goal.
        checks: dict[str, tuple[object, bool | None]] = {
            "text reports/s (goal >= 200)": (tx["reports_per_s"], tx["reports_per_s"] >= 200),
            "  same run, parse only (baseline) /s": (tx["parse_only_per_s"], None),
            "  ingest / parse only": (tx["ratio_to_parse_only"], None),
            "  CPU ms/report: parse-only workers": (tx["parse_only_cpu_ms"]["workers"], None),
            "  CPU ms/report: ingest workers": (tx["cpu_ms"]["workers"], None),
            "  CPU ms/report: ingest writer process": (tx["cpu_ms"]["parent"], None),
            "  CPU ms/report: database backends": (tx["cpu_ms"]["postgresql"], None),
            "  CPU ms/report: all / 2 cores -> ceiling /s": (
                1000 * (os.cpu_count() or 1) / max(1e-9, sum(tx["cpu_ms"].values())), None),
            "  load average before / after": (f"{tx['load_before']:.2f} / {tx['load']:.2f}", None),
        }
        for name, ph in tx.get("phases", {}).items():
            cpu = ph["cpu_ms"]
            checks[f"  {name}: s | CPU ms/report w/wk/db"] = (
                f"{ph['wall']:.2f} | {cpu['parent']:.2f}/{cpu['workers']:.2f}/{cpu['postgresql']:.2f}", None)
        checks["re-ingest files/s (goal >= 2,000)"] = (
            run["reingest"]["files_per_s"], run["reingest"]["files_per_s"] >= 2000)
        peak = max(tx["peak_rss_process_mb"], run.get("pdfs", {}).get("peak_rss_process_mb", 0))
        checks["peak RSS MB, largest process (<= 500)"] = (peak, peak <= 500)
        if "crash" in run:
            checks["crash + corrupt file: identical dump"] = (run["crash"]["identical"], run["crash"]["identical"])
        if "pdfs" in run:
            checks["PDFs/s (goal >= 10)"] = (run["pdfs"]["pdfs_per_s"], run["pdfs"]["pdfs_per_s"] >= 10)
        for name, (value, ok) in checks.items():
            shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
            verdict = "" if ok is None else "PASS" if ok else "FAIL"
            print(f"  [{run['backend']:<10}] {name:<44} {shown:>22}  {verdict}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
