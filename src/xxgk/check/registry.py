"""Rules, like a linter's: a stable code, a severity, a summary, message templates and a doc.

A rule is a function decorated with `@rule(...)`. Report rules take one `Report` and yield
`Finding`s; corpus rules (scope="corpus") take the reports of one body sorted by year. Everything
a person reads of a rule — its summary, its doc (what it checks / why it matters / an example)
and the templates of its messages — is an English message id marked with N_() and translated
in xxgk.po, so `xxgk rules` and every finding speak the reader's language. A finding carries the
parameters of its message, never the rendered text: the message is rendered when shown.

    @rule("T4-groups", "error", N_("Table 四 per group: 总计 must equal 维持 + 纠正 + 其他结果 + 尚未审结"),
          message=N_("{subject}: {total} must equal {rhs_labels}, but {lhs} ≠ {rhs_values} = {rhs}"),
          messages={"inferred": N_("… ({inferred} of these cells inferred from the arithmetic)")},
          what=N_("…"), why=N_("…"), example=N_("…"))
    def t4_groups(report):
        yield get("T4-groups").finding(cells, loc, variant="", subject="行政复议", total="总计", …)

Conventions for parameters (JSON values: numbers, strings, None):
- Cells, rows and columns are named by their template labels — `vocabulary.cell_name(template,
  path)`, `vocabulary.row_name(template, table, row)`, `template.column_of(path).label` — never by
  keys; the keys go in `cells`. Tables by their numeral (`Table.numeral`, 三), sections by
  `Section.title` or `Section.numeral`: template data, the same in every language.
- Several labels or numbers are one string: labels joined with "、", terms with " + ".
- Numbers stay numbers (format specs such as {share:.0%} are allowed in the template). A previous
  year's report is `prev_year` and `prev_file`.
- No words of one language in a parameter: when the wording depends on the case, add a variant
  (`messages={"down": N_(…)}`) and pass `variant="down"`.
- `finding()` refuses a variant that does not exist or a placeholder without a value; extra
  parameters are kept for JSON readers.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from xxgk import report as _report_module
from xxgk.i18n import N_, gettext, placeholders
from xxgk.report import FINDING_MESSAGES, Finding, Report, Severity

# "report": one report; "corpus": one body over its years; "peers": the reports of one year across
# bodies (copies between bodies, bodies that did not report).
Scope = Literal["report", "corpus", "peers"]
ReportRule = Callable[[Report], Iterable[Finding]]
CorpusRule = Callable[[Sequence[Report]], Iterable[Finding]]

DOC_HEADS = (N_("What it checks"), N_("Why it matters"), N_("Example"))
SCOPE_NAMES = {"report": N_("one report"), "corpus": N_("across years"), "peers": N_("across bodies")}
# Column heads of a rule list (`xxgk rules`, docs/rules.md).
LIST_HEADS = (N_("code"), N_("severity"), N_("scope"), N_("summary"))


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    summary_id: str
    scope: Scope
    func: Callable[..., Iterable[Finding]]
    module: str
    # Message templates by variant ("" is the main one); English ids, translated when rendered.
    messages: Mapping[str, str] = field(default_factory=dict)
    what_id: str = ""
    why_id: str = ""
    example_id: str = ""

    @property
    def family(self) -> str:
        return self.module.rsplit(".", 1)[-1]

    @property
    def scope_name(self) -> str:
        """The scope in the current language: one report, or across years."""
        return gettext(SCOPE_NAMES[self.scope])

    @property
    def summary(self) -> str:
        return gettext(self.summary_id)

    @property
    def what(self) -> str:
        return gettext(self.what_id)

    @property
    def why(self) -> str:
        return gettext(self.why_id) if self.why_id else ""

    @property
    def example(self) -> str:
        return gettext(self.example_id) if self.example_id else ""

    @property
    def doc(self) -> str:
        """The documentation in the current language: what it checks / why it matters / example."""
        parts = [(DOC_HEADS[0], self.what), (DOC_HEADS[1], self.why), (DOC_HEADS[2], self.example)]
        return "\n\n".join(f"{gettext(head)}\n{text}" for head, text in parts if text)

    def to_dict(self) -> dict[str, Any]:
        """The rule as `xxgk rules --json` shows it: codes as they are, text in the current language."""
        return {"code": self.code, "severity": self.severity, "scope": self.scope, "family": self.family,
                "summary": self.summary, "what": self.what, "why": self.why, "example": self.example,
                "messages": {variant: gettext(m) for variant, m in sorted(self.messages.items())}}

    def finding(self, cells: Sequence[str] = (), loc: str | None = None, excerpt: str | None = None,
                variant: str = "", **params: Any) -> Finding:
        """A finding of this rule; `params` fill the placeholders of message `variant`.

        Params are what the message names — template labels, printed and expected numbers,
        years — as JSON values (numbers, strings, lists), never words of one language: the
        message is rendered from them in the reader's language whenever it is shown."""
        template = self.messages.get(variant)
        if template is None:
            raise KeyError(f"rule {self.code} has no message {variant!r}")
        lacking = placeholders(template) - params.keys()
        if lacking:
            raise KeyError(f"rule {self.code}, message {variant!r}: no value for {', '.join(sorted(lacking))}")
        return Finding(self.code, self.severity, params, list(cells), loc, excerpt, variant)


RULES: dict[str, Rule] = {}
# Every rule of a scope in code order (what most calls select), kept until a rule registers.
_every: dict[str, list[Rule]] = {}


def rule(code: str, severity: Severity, summary: str, scope: Scope = "report", *,
         message: str, messages: Mapping[str, str] | None = None,
         what: str, why: str, example: str) -> Callable[[Callable], Callable]:
    """Register a rule. `message` is its main message template, `messages` further variants (by
    name); `what`, `why` and `example` its documentation. All are English message ids marked
    with N_() and translated in xxgk.po."""
    templates = {"": message, **(messages or {})}
    if not (summary and what and why and example):
        raise ValueError(f"rule {code}: summary, what, why and example are all required")

    def register(func: Callable) -> Callable:
        if code in RULES and RULES[code].func.__qualname__ != func.__qualname__:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = Rule(code, severity, summary, scope, func, func.__module__, templates, what, why, example)
        _every.clear()  # the rule set changed
        for variant, template in templates.items():
            FINDING_MESSAGES[(code, variant)] = template
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


_report_module._load_messages.append(load_rules)


def selected(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
             scope: Scope = "report") -> list[Rule]:
    """Rules in code order, filtered like ruff: a selector matches a code or a code prefix."""
    rules = load_rules()
    sel = [s.strip() for s in (select or []) if s.strip()]
    ign = [s.strip() for s in (ignore or []) if s.strip()]
    if not sel and not ign:
        if scope not in _every:
            _every[scope] = [rules[code] for code in sorted(rules) if rules[code].scope == scope]
        return list(_every[scope])
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
