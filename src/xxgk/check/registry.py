"""Rules, like a linter's: a stable code, a severity, a one-line summary and a one-paragraph doc.

A rule is a function decorated with `@rule(...)`. Report rules take one `Report` and yield
`Finding`s; corpus rules take the reports of one body over several years. The rule's docstring
is its documentation (`xxgk rules CODE` prints it).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from xxgk.report import Finding, Report, Severity

Scope = Literal["report", "corpus"]
ReportRule = Callable[[Report], Iterable[Finding]]
CorpusRule = Callable[[Sequence[Report]], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    summary: str
    doc: str
    scope: Scope
    func: Callable[..., Iterable[Finding]]
    module: str

    @property
    def family(self) -> str:
        return self.module.rsplit(".", 1)[-1]

    def finding(self, message: str, cells: Sequence[str] = (), loc: str | None = None,
                excerpt: str | None = None) -> Finding:
        return Finding(self.code, self.severity, message, list(cells), loc, excerpt)


RULES: dict[str, Rule] = {}


def rule(code: str, severity: Severity, summary: str, scope: Scope = "report") -> Callable[[Callable], Callable]:
    def register(func: Callable) -> Callable:
        if code in RULES and RULES[code].func.__qualname__ != func.__qualname__:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = Rule(code, severity, summary, inspect.cleandoc(func.__doc__ or summary), scope, func,
                           func.__module__)
        return func
    return register


def get(code: str) -> Rule:
    load_rules()
    return RULES[code]


_loaded = False


def load_rules() -> dict[str, Rule]:
    """Import every module of xxgk.check.rules once; each registers its rules on import."""
    global _loaded
    if not _loaded:
        package = importlib.import_module("xxgk.check.rules")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            importlib.import_module(f"{package.__name__}.{info.name}")
        _loaded = True
    return RULES


def selected(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
             scope: Scope = "report") -> list[Rule]:
    """Rules in code order, filtered like ruff: a selector matches a code or a code prefix."""
    rules = load_rules()
    sel = [s.strip() for s in (select or []) if s.strip()]
    ign = [s.strip() for s in (ignore or []) if s.strip()]
    unknown = [s for s in sel + ign if not any(c == s or c.startswith(s) for c in rules)]
    if unknown:
        raise KeyError(f"unknown rule code(s): {', '.join(unknown)} (see `xxgk rules`)")
    out = []
    for code in sorted(rules):
        r = rules[code]
        if r.scope != scope:
            continue
        if sel and not any(code == s or code.startswith(s) for s in sel):
            continue
        if any(code == s or code.startswith(s) for s in ign):
            continue
        out.append(r)
    return out
