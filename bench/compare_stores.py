"""Compare two stores table by table: every row of every data table, ids and timestamps aside.

    .venv/bin/python bench/compare_stores.py URL_A URL_B      # exit 0: identical contents
    # the same files ingested by another revision's code (main) and by this checkout's, compared:
    XXGK_TEST_POSTGRES_URL=... .venv/bin/python bench/compare_stores.py --ingest FILES... [--rev main] [--db sqlite]

Used to prove that a change to the ingest stores exactly what the code before it stored: ingest
the same files with both versions into two stores, then compare them here. Unlike `Store.dump()`
(reports rebuilt through the library), this reads the tables themselves, column by column, so
nothing the library would paper over (an extra row, a float written differently, a finding's
order) goes unseen.

Ids are the database's own numbering and differ with the order rows were written in, so every
reference is replaced by what it stands for: a report or source by its content hash, a body by
its key. Timestamps (when a row was written) are left out, and so are the `revision` counters
of bodies and years (how many write transactions touched them: bookkeeping for concurrent
writers, not content; two runs of the same code differ there, since a batch is also flushed
every FLUSH_SECONDS) unless `--revisions` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_ingest: fresh databases

import sqlalchemy as sa

from xxgk.store import schema as t
from xxgk.store.database import database_url, make_engine

TIMESTAMPS = {"first_seen", "created", "seen", "applied"}


def table_rows(url: str, ignore_revisions: bool) -> dict[str, Counter[str]]:
    """Every data table as a multiset of canonical JSON rows (ids replaced, timestamps dropped)."""
    engine = make_engine(database_url(url))
    out: dict[str, Counter[str]] = {}
    try:
        with engine.connect() as conn:
            source_sha = dict(conn.execute(sa.select(t.sources.c.id, t.sources.c.sha256)).all())
            report_sha = {rid: source_sha[sid] for rid, sid in
                          conn.execute(sa.select(t.reports.c.id, t.reports.c.source_id))}
            body_key = dict(conn.execute(sa.select(t.bodies.c.id, t.bodies.c.key)).all())
            refs = {"report_id": report_sha, "source_id": source_sha, "body_id": body_key}
            for table in t.DATA_TABLES:
                rows: Counter[str] = Counter()
                cols = [c.name for c in table.columns if c.name not in TIMESTAMPS
                        and not (c.name == "id" and c.primary_key)
                        and not (ignore_revisions and c.name == "revision")]
                for row in conn.execute(sa.select(*(table.c[c] for c in cols))):
                    rows[json.dumps([_canonical(c, v, refs) for c, v in zip(cols, row, strict=True)],
                                    ensure_ascii=False)] += 1
                out[table.name] = rows
    finally:
        engine.dispose()
    return out


def _canonical(column: str, value: Any, refs: dict[str, dict[int, str]]) -> Any:
    if column in refs and value is not None:
        return refs[column][value]
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)  # every bit of it
    return value


INGEST = """
import json, sys
from xxgk.corpus.ingest import ingest
from xxgk.store import Store
if __name__ == "__main__":
    with Store.open(sys.argv[1]) as s:
        r = ingest(sys.argv[2:], s)
    print(json.dumps({k: r.to_dict()[k] for k in ("added", "corpus_findings", "peer_findings", "seconds")}))
"""


def ingest_both(paths: list[str], rev: str, db: str, work: Path) -> tuple[str, str, Any]:
    """Ingest `paths` with `rev`'s code and with this checkout's into two fresh stores."""
    import shutil
    import subprocess

    from bench_ingest import Databases

    root = Path(__file__).resolve().parents[1]
    old = work / "rev-src"
    shutil.rmtree(old, ignore_errors=True)
    old.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(root), "archive", rev, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    script = work / "ingest.py"
    script.write_text(INGEST)
    dbs = Databases(work, os.environ.get("XXGK_BENCH_POSTGRES_URL") or os.environ.get("XXGK_TEST_POSTGRES_URL"))
    urls = []
    for name, src in (("rev", old / "src"), ("this", root / "src")):
        url = dbs.new(db, f"compare_{name}")
        out = subprocess.run([sys.executable, str(script), url, *paths], check=True, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(src)}).stdout
        print(f"{name:<5} ({rev if name == 'rev' else 'this checkout'}): {out.strip()}", flush=True)
        urls.append(url)
    return urls[0], urls[1], dbs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stores", nargs="*", help="two store URLs, or with --ingest the files to ingest")
    ap.add_argument("--ingest", action="store_true", help="ingest the files given with --rev's code and this one's")
    ap.add_argument("--rev", default="main", help="the revision to compare with (--ingest)")
    ap.add_argument("--db", default="postgresql", choices=("postgresql", "sqlite"))
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "xxgk-compare-stores")
    ap.add_argument("--revisions", action="store_true", help="compare the revision counters too")
    ap.add_argument("--show", type=int, default=5, help="differing rows shown per table")
    args = ap.parse_args()
    dbs = None
    if args.ingest:
        args.work.mkdir(parents=True, exist_ok=True)
        url_a, url_b, dbs = ingest_both(args.stores, args.rev, args.db, args.work)
    elif len(args.stores) == 2:
        url_a, url_b = args.stores
    else:
        ap.error("give two store URLs, or --ingest and the files")
    try:
        a, b = table_rows(url_a, not args.revisions), table_rows(url_b, not args.revisions)
    finally:
        if dbs is not None:
            dbs.drop_all()
    same = True
    for name in a:
        only_a, only_b = a[name] - b[name], b[name] - a[name]
        status = "identical" if not only_a and not only_b else "DIFFERENT"
        print(f"{name:<12} {sum(a[name].values()):>9,} rows  {sum(b[name].values()):>9,} rows  {status}")
        if only_a or only_b:
            same = False
            for label, rows in (("only in A", only_a), ("only in B", only_b)):
                for row in list(rows)[: args.show]:
                    print(f"    {label}: {row[:300]}")
    print("IDENTICAL" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
