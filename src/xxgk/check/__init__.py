"""Run the rules over a report. Rules live in xxgk.check.rules, one family per module."""

from __future__ import annotations

import json
from collections.abc import Iterable

from xxgk.check.registry import RULES, Rule, load_rules, rule, selected
from xxgk.report import Finding, Report

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def run_rules(report: Report, select: Iterable[str] | None = None,
              ignore: Iterable[str] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for r in selected(select, ignore):
        findings.extend(r.func(report))
    return sorted(findings, key=_order)


def _order(f: Finding) -> tuple:
    """Severity, code, first cell, then the parameters: the same order in every language."""
    params = json.dumps(f.params, ensure_ascii=False, sort_keys=True, default=str)
    return (SEVERITY_ORDER[f.severity], f.code, f.cells[:1], f.loc or "", f.variant, params)


__all__ = ["RULES", "Rule", "load_rules", "rule", "run_rules", "selected"]
