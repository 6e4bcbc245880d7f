"""`xxgk audit` as a library call: ingest the inputs into a store, check every report with the
current rules, run the cross-year rules, and render the self-contained HTML page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from xxgk import api
from xxgk.audit import render_audit
from xxgk.check.peers import peer_findings
from xxgk.check.rules.cross_report import check_corpus
from xxgk.corpus.findings import severity_counts, worst
from xxgk.corpus.inputs import Loaded, Paths, Progress, expand, ingest_paths
from xxgk.errors import UsageError
from xxgk.i18n import _
from xxgk.report import Finding, Report

if TYPE_CHECKING:
    from xxgk.store import Store

@dataclass
class Audit:
    """What an audit found: the reports (findings attached, current rules), the inputs that could
    not be read (name, reason) and the cross-year findings keyed by the sha256 of their report."""

    reports: list[Report]
    failures: list[tuple[str, str]]
    corpus: dict[str, list[Finding]] = field(default_factory=dict)
    # Findings about the set, not one report: bodies expected to report that did not.
    set_findings: list[Finding] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return ([f for r in self.reports for f in r.findings] + [f for fs in self.corpus.values() for f in fs]
                + self.set_findings)

    def counts(self) -> dict[str, int]:
        return severity_counts(self.findings)

    @property
    def worst(self) -> str | None:
        return worst(self.findings)

    def html(self) -> str:
        """The audit as one self-contained HTML page, in the current language."""
        return render_audit(self.reports, self.failures, self.corpus, set_findings=self.set_findings)


def sample_paths(tmp: Path) -> list[Path]:
    """The bundled sample reports (copied to `tmp` when the package is not on disk)."""
    root = files("xxgk") / "samples"
    if isinstance(root, Path):
        return [root]
    dest = tmp / "samples"
    dest.mkdir()
    for item in root.iterdir():
        if item.is_file():
            (dest / item.name).write_bytes(item.read_bytes())
    return [dest]


def audit(paths: Paths, store: Store, *, workers: int | None = None,
          on_progress: Progress | None = None, expected: Sequence[str] | None = None) -> Audit:
    """Store every report under `paths` (files, folders, globs, zips: as `ingest`), check each with
    the current rules and the cross-year rules; the reports audited are those of these inputs only,
    even when `store` holds others. `expected`: the bodies that must report (missing-subordinate)."""
    given = [str(p) for p in paths]
    if not given:
        raise UsageError(_("no file to audit"))
    wanted: set[str] = set()
    skipped: list[str] = []
    for item in expand(given, skipped):
        if isinstance(item, Loaded):
            wanted.add(item.sha256)
    # Names given one by one that are not report-like (README.md from a shell's `reports/*`)
    # are skipped, as in a folder walk.
    summary = ingest_paths([p for p in given if p not in skipped], store, workers=workers, on_progress=on_progress)
    reports = [r for r in store.reports() if r.source.sha256 in wanted]
    return _finish(reports, list(summary.failed), expected)


def audit_stored(store: Store, *, expected: Sequence[str] | None = None) -> Audit:
    """Audit every report already in `store` (and its recorded failures)."""
    return _finish(list(store.reports()), store.failures(), expected)


def _finish(reports: list[Report], failures: Iterable[tuple[str, str]],
            expected: Sequence[str] | None = None) -> Audit:
    for r in reports:
        r.findings = api.check(r)  # the current rules, whatever parse the store held
    corpus: dict[str, list[Finding]] = {}
    for report, finding in check_corpus(reports):
        corpus.setdefault(report.source.sha256, []).append(finding)
    set_findings: list[Finding] = []
    for owner, finding in peer_findings(reports, expected=expected):
        if owner is None:
            set_findings.append(finding)
        else:
            corpus.setdefault(owner.source.sha256, []).append(finding)
    return Audit(reports, sorted(set(failures)), corpus, set_findings)
