"""Shared helpers for the store, ingest and cross-report tests (imported, not a pytest conftest).

Databases: every test gets a fresh one. SQLite always; PostgreSQL when XXGK_TEST_POSTGRES_URL
points at a database its user owns (each test gets its own schema there, dropped afterwards;
`bash scripts/postgres.sh` makes one and prints the URL). Without the variable the PostgreSQL runs are skipped, saying why.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from xxgk.report import Cell, Meta, Report, SectionText, Source
from xxgk.template import TEMPLATES

PG_URL = os.environ.get("XXGK_TEST_POSTGRES_URL")
PG_SKIP = (
    "XXGK_TEST_POSTGRES_URL is not set: the PostgreSQL variant of this test needs a running server "
    "(run `bash scripts/postgres.sh`, which prints it)"
)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.skipif(not PG_URL, reason=PG_SKIP)),
]

DATA = Path(__file__).parent / "data"


@contextmanager
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to a new, empty database of that backend. On PostgreSQL it is a new schema in the
    test database (the URL sets its search_path), dropped after: the test role needs no right
    beyond owning that one database (see scripts/postgres.sh)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    import psycopg

    assert PG_URL
    name = f"xxgk_t_{uuid.uuid4().hex[:12]}"
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '20s'")
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def make_report(
    agency: str | None = "淮安市洪泽区人民政府",
    year: int | None = 2024,
    template: str = "2021",
    values: dict[str, int | float | None] | None = None,
    section5: str = "本年度存在的主要问题：公开内容不够全面。",
    file: str | None = None,
    default: int | None = 0,
) -> Report:
    """A complete report made by hand: every cell of the template `read` with `default` (or the
    given values), six sections, and a sha256 derived from the content so distinct reports
    differ and equal reports are equal."""
    tpl = TEMPLATES[template]
    values = values or {}
    cells: dict[str, Cell] = {}
    for i, path in enumerate(tpl.cell_paths()):
        v = values.get(path, default)
        if tpl.column_of(path).kind == "money" and v is not None:
            v = float(v)
        cells[path] = Cell(v, "read" if v is not None else "blank", f"p{2 + i // 60}:L{i % 60 + 1}")
    title = f"{agency or ''}{year}年政府信息公开工作年度报告" if year else None
    sections = [
        SectionText(
            1,
            "一、总体情况",
            f"{agency or '本机关'}坚持主动公开、依申请公开、政府信息管理、平台建设、监督保障。",
        ),
        SectionText(2, "二、主动公开政府信息情况", ""),
        SectionText(3, "三、收到和处理政府信息公开申请情况", ""),
        SectionText(4, "四、政府信息公开行政复议、行政诉讼情况", ""),
        SectionText(5, "五、存在的主要问题及改进情况", section5),
        SectionText(6, "六、其他需要报告的事项", "本年度未收取信息处理费。"),
    ]
    meta = Meta(
        title,
        agency,
        None,
        None,
        year,
        template,
        (f"{year}-01-01", f"{year}-12-31") if year else None,
        None,
        {"agency": "title", "year": "title", "template": "labels"} if agency else {"template": "labels"},
    )
    body = repr((agency, year, template, sorted(values.items()), section5, default)).encode()
    sha = hashlib.sha256(body).hexdigest()
    return Report(Source(file or f"{sha[:8]}.txt", sha, "text", None), meta, sections, cells)


def write_synth_corpus(
    folder: Path, bodies: int, years: tuple[int, ...] = (2021, 2022, 2023), first_seed: int = 0
) -> list[Path]:
    """Text reports from xxgk.synth: `bodies` bodies, each reporting every year (same seed and
    another year give the same body), so the cross-year rules have pairs to compare."""
    from xxgk.synth import generate, render_text

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for seed in range(first_seed, first_seed + bodies):
        for year in years:
            rendered = render_text(generate(seed, year=year), style="tsv", encoding="utf-8")
            p = folder / f"b{seed:04d}-{year}.txt"
            p.write_bytes(rendered.data)
            out.append(p)
    return out


def write_region(reg, folder: Path) -> Path:
    """A synth region (xxgk.synth.corpus) as text files in `folder`."""
    from xxgk.synth import render_text

    folder.mkdir(parents=True, exist_ok=True)
    for name, rep in reg.reports:
        (folder / name).write_bytes(render_text(rep).data)
    return folder


def one_county_region(seed: int, drop_one: bool = True):
    """A synth region whose bodies are departments of one county (the same region and level), so
    that a department missing in the last year is expected by last year's reports alone."""
    from xxgk.synth.corpus import region
    from xxgk.synth.names import DEPARTMENTS, Body

    reg = region(seed, bodies=4)
    depts: dict[str, Body] = {}
    for _, rep in reg.reports:
        if rep.body.name not in depts:
            dept, we = DEPARTMENTS[len(depts) * 3]
            depts[rep.body.name] = Body(f"淮安市洪泽区{dept}", "江苏省淮安市洪泽区", "department", we,
                                        f"淮安市洪泽区{dept}办公室")
    reg.reports = [(f"{depts[rep.body.name].name}-{rep.year}.txt", rep.evolve(body=depts[rep.body.name]))
                   for _, rep in reg.reports]
    if drop_one:
        gone = sorted(f for f, rep in reg.reports if rep.year == 2024)[1]
        reg.reports = [(f, rep) for f, rep in reg.reports if f != gone]
    return reg
