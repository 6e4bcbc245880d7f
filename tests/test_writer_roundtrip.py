"""Round trips of the writer: parse(render(x)) gives back every cell (value, status `read`), the
meta (title, body, year, template) and the six section texts — for generated reports of both
templates and for every bundled sample, through DOCX, HTML and (slow) PDF.

A failure names the seed and template: `xxgk.synth.generate(seed, template)` rebuilds the report.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xxgk
from xxgk.report import Cell, Meta, Report, SectionText, Source
from xxgk.synth import generate
from xxgk.writer import LintError, render, render_many
from xxgk.writer.draft import title_of
from xxgk.writer.sections import narrative

SAMPLES = sorted(p for p in (Path(xxgk.__file__).parent / "samples").iterdir() if p.suffix in (".txt", ".pdf"))
seeds = st.integers(min_value=0, max_value=2**31)
templates = st.sampled_from(["2019", "2021"])
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="needs LibreOffice (apt-get install libreoffice-writer-nogui)")


def report_of(seed: int, template: str | None = None, defects: tuple[str, ...] = ()) -> Report:
    """A generated report (the synthetic truth) as the writer's input: every cell read."""
    s = generate(seed, template=template, defects=defects)
    meta = Meta(title=s.title, agency=s.body.name, year=s.year, template=s.template)
    meta.title = title_of(Report(Source("", "", ""), meta, [], {}))
    sections = [SectionText(x.no, x.title, "\n".join(x.paragraphs)) for x in s.sections]
    return Report(Source(f"seed-{seed}", "", "synthetic"), meta, sections,
                  {p: Cell(v, "read") for p, v in s.values.items()})


def assert_prose_kept(x: Report) -> None:
    """None of a generated report's prose is mistaken for a table line (the round trip compares
    prose only, so a line dropped on both sides would go unnoticed)."""
    kept = narrative(x).texts
    for s in x.sections:
        assert kept[s.no] == s.text, f"{x.source.file}: section {s.no}"


def _squash(text: str) -> str:
    return "".join(text.split())


def assert_round_trip(x: Report, back: Report, where: str, exact_text: bool = True) -> None:
    """Every known cell comes back with its value, every cell read comes back `read` (a cell the
    arithmetic fixed may be printed, then read, or left to the arithmetic again: the 2021 （六）
    rows of a report printing the 2019 （六）其他处理 row instead)."""
    wrong = [f"{p}: {c.value!r} -> {back.cells[p].value if p in back.cells else None!r}"
             f" ({back.cells[p].status if p in back.cells else 'absent'})"
             for p, c in x.cells.items() if c.value is not None
             and (p not in back.cells or back.cells[p].value != c.value
                  or (c.status == "read" and back.cells[p].status != "read"))]
    assert not wrong, f"{where}: {len(wrong)} cells: {wrong[:4]}"
    # A report printed without a title (sample 002) gets the usual one, built from its body and year.
    assert back.meta.title == title_of(x), f"{where}: title"
    for key in ("agency", "year", "template"):
        assert getattr(back.meta, key) == getattr(x.meta, key), f"{where}: meta {key}"
    want, got = narrative(x), narrative(back)
    for no in range(1, 7):
        a, b = want.texts[no], got.texts[no]
        if not exact_text:
            a, b = _squash(a), _squash(b)
        assert a == b, f"{where}: section {no}:\n{a[:300]!r}\n{b[:300]!r}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=seeds, template=templates)
def test_html_round_trip(seed, template):
    x = report_of(seed, template)
    assert_prose_kept(x)
    r = render(x, "html")  # raises LintError on an error-level finding: generated reports are clean
    assert_round_trip(x, r.lint.back, f"seed={seed} template={template}")
    assert not r.lint.mismatches


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=seeds, template=templates)
def test_docx_round_trip(seed, template):
    x = report_of(seed, template)
    r = render(x, "docx")
    assert_round_trip(x, r.lint.back, f"seed={seed} template={template}")


def _sample(path: Path) -> Report:
    """What `xxgk parse --json sample` gives, read back as the writer reads a JSON input."""
    return Report.from_dict(json.loads(xxgk.read(path).to_json()))


@pytest.mark.parametrize("kind", ["docx", "html"])
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_samples_round_trip(path, kind):
    x = _sample(path)
    r = render(x, kind, force=True)
    assert_round_trip(x, r.lint.back, f"{path.name} → {kind}")
    assert not r.lint.mismatches


def test_same_report_same_bytes():
    x = report_of(11, "2021")
    for kind in ("docx", "html"):
        assert render(x, kind).data == render(x, kind).data


@pytest.mark.slow
@needs_soffice
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seeds=st.lists(seeds, min_size=2, max_size=2), template=templates)
def test_pdf_round_trip_generated(seeds, template):
    """A few examples (each starts LibreOffice once, for two reports): PDF text is wrapped by the
    layout, so section texts are compared without their line breaks."""
    reports = [report_of(seed, template) for seed in seeds]
    for x, r in zip(reports, render_many(reports, "pdf"), strict=True):
        assert r.data.startswith(b"%PDF-")
        assert_round_trip(x, r.lint.back, f"pdf {x.source.file} template={template}", exact_text=False)


@pytest.mark.slow
@needs_soffice
def test_pdf_round_trip_samples():
    reports = [_sample(p) for p in SAMPLES]
    rendered = render_many(reports, "pdf", force=True)
    for path, x, r in zip(SAMPLES, reports, rendered, strict=True):
        assert_round_trip(x, r.lint.back, f"{path.name} → pdf", exact_text=False)
        assert not r.lint.mismatches
    again = render_many(reports[:1], "pdf", force=True)[0]
    assert again.data == rendered[0].data  # reproducible bytes


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_cli_parse_render_parse(path, tmp_path):
    """`xxgk parse --json sample` → `xxgk render` → `xxgk parse --json` gives the same cells."""
    from typer.testing import CliRunner

    from xxgk.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["parse", "--json", str(path)])
    assert first.exit_code == 0
    src = tmp_path / "report.json"
    src.write_text(first.stdout, encoding="utf-8")
    out = tmp_path / "report.html"
    rendered = runner.invoke(app, ["render", str(src), "--force", "-o", str(out)])
    assert rendered.exit_code in (0, 1) and out.exists(), rendered.output
    again = json.loads(runner.invoke(app, ["parse", "--json", str(out)]).stdout)
    before = json.loads(first.stdout)
    for table in ("active", "applications", "appeals"):
        for row, cols in before[table].items():
            for col, value in cols.items():
                if value is not None:
                    assert again[table][row][col] == value, f"{path.name}: {table}.{row}.{col}"


@pytest.mark.parametrize("defect", ["T3-balance", "T3-results", "T3-applicants", "T4-groups", "negative-count",
                                    "narrative-count"])
def test_the_lint_finds_what_is_wrong(defect):
    """A report with a known defect: the lint reports it (and an error stops the write)."""
    for seed in range(3):
        s = generate(seed, defects=[defect])
        x = report_of(seed, defects=(defect,))
        r = render(x, "html", force=True)
        codes = {f.code for f in r.lint.findings}
        assert set(s.expected_codes) <= codes, f"seed={seed}: {s.expected_codes} not in {sorted(codes)}"
        if r.lint.errors:
            with pytest.raises(LintError):
                render(x, "html")
