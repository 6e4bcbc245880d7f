"""Run the rules over a report. Rules live in xxgk.check.rules, one family per module."""

from __future__ import annotations

from collections.abc import Iterable

from xxgk.check.registry import RULES, Rule, load_rules, rule, selected
from xxgk.report import Finding, Report

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def run_rules(report: Report, select: Iterable[str] | None = None,
              ignore: Iterable[str] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for r in selected(select, ignore):
        findings.extend(r.func(report))
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.cells[:1], f.message))


__all__ = ["RULES", "Rule", "load_rules", "rule", "run_rules", "selected"]
