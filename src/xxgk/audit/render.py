"""Build the audit HTML from reports, failures and findings.

Everything the page shows is computed here and handed to one Jinja2 template; the tables laid out
like the template are generated from `xxgk.export.layout` grids (the declaration's verbatim labels).
Output is deterministic: no clock, everything sorted, so the same input gives the same bytes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from xxgk.check.registry import Rule, load_rules
from xxgk.corpus.indicators import (
    INDICATORS,
    RATES,
    IndicatorRow,
    format_change,
    format_indicator,
    indicator_doc,
    indicator_name,
    indicator_table,
)
from xxgk.export.layout import Grid, label_of, report_grid
from xxgk.i18n import _, current_lang, gettext, ngettext
from xxgk.report import Finding, Report
from xxgk.template import TEMPLATES
from xxgk.vocabulary import level_name, location_text, severity_name, status_name

SEVERITIES = ("error", "warning", "info")
CorpusFindings = Mapping[str, Sequence[Finding]] | Iterable[tuple[str, Finding]]


@dataclass
class FindingView:
    finding: Finding
    report: ReportView | None
    scope: str  # "report" or "corpus"
    labels: list[str]
    rule: Rule | None

    @property
    def severity(self) -> str:
        return self.finding.severity


@dataclass
class ReportView:
    report: Report
    anchor: str
    title: str
    indicators: IndicatorRow
    findings: list[FindingView] = field(default_factory=list)
    tables: list[tuple[str, str, Markup]] = field(default_factory=list)  # (key, heading, html)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def unknown_cells(self) -> int:
        return sum(1 for c in self.report.cells.values() if c.value is None)


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("xxgk.audit", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.filters["ind"] = lambda value, key: format_indicator(key, value)
    env.filters["chg"] = lambda change, key: format_change(key, change)
    env.filters["level"] = level_name
    env.filters["loc"] = location_text
    env.filters["sev"] = severity_name
    env.globals["indicator_name"] = indicator_name
    env.globals["indicator_doc"] = indicator_doc
    return env


def _static(name: str) -> str:
    return (files("xxgk.audit") / "static" / name).read_text(encoding="utf-8")


def _script_json(data: Any) -> Markup:
    """JSON safe inside <script>: no "</" can close the element early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.replace("</", "<\\/").replace("<!--", "<\\!--"))


def _anchors(reports: Sequence[Report]) -> list[str]:
    """Stable anchors: the source's sha256 prefix (the same link in every audit), an index when
    two reports share it or have none."""
    keys = [r.source.sha256[:12] for r in reports]
    dup = {k for k, n in Counter(keys).items() if n > 1 or not k}
    return [f"r-{k}" if k not in dup else f"r-{i + 1}" for i, k in enumerate(keys)]


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.4f}".rstrip("0").rstrip(".")
    return f"{v:,}" if isinstance(v, int) else str(v)


def grid_html(grid: Grid, report: Report, flagged: Mapping[str, tuple[str, list[str]]]) -> Markup:
    """One table laid out like the template; each value cell coloured by its status, cells an
    error or warning points at outlined in that severity's colour, the messages in its tooltip.

    flagged: path -> (worst severity, finding messages)."""
    out = [f'<table class="tpl tpl-{grid.table.key}">']
    for row in grid.rows():
        out.append("<tr>")
        for g in row:
            span = (f' rowspan="{g.rowspan}"' if g.rowspan > 1 else "") + (
                f' colspan="{g.colspan}"' if g.colspan > 1 else ""
            )
            if g.kind == "value" and g.path:
                cell = report.cells.get(g.path)
                status = cell.status if cell else "missing"
                value = cell.value if cell else None
                shown = _fmt(value) if value is not None else (cell.raw if cell and cell.raw else "")
                tip = [label_of(report.template, g.path), status_name(status)]
                if cell and cell.loc:
                    tip.append(location_text(cell.loc))
                if cell and cell.note:
                    tip.append(cell.note)
                cls = f"v s-{status}"
                if g.path in flagged:
                    severity, messages = flagged[g.path]
                    cls += f" flag flag-{severity}"
                    tip += messages
                if g.foreign:
                    cls += " foreign"
                # A plain read cell needs no tooltip (its row and column labels are on screen);
                # leaving it out keeps a 500-report audit to a size a browser opens quickly.
                plain = status == "read" and g.path not in flagged and not (cell and cell.note)
                title = "" if plain else f' title="{escape(chr(10).join(tip))}"'
                path = escape(g.path)
                out.append(f'<td class="{cls}" data-path="{path}"{title}{span}>{escape(shown)}</td>')
            else:
                tag = "th" if g.kind in ("head", "block") else "td"
                text = g.text + (_(" (not in the template)") if g.foreign else "")
                cls = f"{g.kind}{' foreign' if g.foreign else ''}"
                out.append(f'<{tag} class="{cls}"{span}>{escape(text)}</{tag}>')
        out.append("</tr>")
    out.append("</table>")
    return Markup("".join(out))


def _corpus_pairs(corpus_findings: CorpusFindings | None) -> list[tuple[str, Finding]]:
    if corpus_findings is None:
        return []
    if isinstance(corpus_findings, Mapping):
        return [(k, f) for k, fs in corpus_findings.items() for f in fs]
    return list(corpus_findings)


def _histogram(rows: Sequence[IndicatorRow]) -> dict[str, Any]:
    """Counts of bodies per 10-point bucket of each rate (the unknown ones counted apart)."""
    buckets = [f"{10 * i}–{10 * i + 10}%" for i in range(10)]
    series = []
    unknown = {}
    for key in RATES:
        counts = [0] * 10
        n_unknown = 0
        for r in rows:
            v = r.values[key].value
            if v is None:
                n_unknown += 1
            else:
                counts[min(9, max(0, int(v * 10)))] += 1
        series.append({"name": indicator_name(key), "data": counts})
        unknown[indicator_name(key)] = n_unknown
    return {"buckets": buckets, "series": series, "unknown": unknown}


def render_audit(
    reports: Iterable[Report],
    failures: Iterable[tuple[str, str]] = (),
    corpus_findings: CorpusFindings | None = None,
    *,
    title: str | None = None,
    history: Iterable[Report] = (),
    set_findings: Iterable[Finding] = (),
) -> str:
    """The audit as one self-contained HTML document (a str).

    reports: the reports, with their findings attached (as `xxgk.read` or the store gives them).
    failures: (file, reason) for every input that could not be read.
    corpus_findings: cross-year findings, keyed by the report (source sha256 or file name) they
    were raised on; or (key, finding) pairs.
    history: earlier reports of the same bodies, used only for year-over-year indicator changes.
    set_findings: findings about the set as a whole, not one report (bodies that did not report).
    """
    from xxgk import __version__

    rules = load_rules()
    title = title or _("Audit of government information disclosure annual reports")
    reps = sorted(
        reports,
        key=lambda r: (
            r.meta.region or "",
            r.meta.agency or "\uffff",
            r.meta.year or 0,
            r.source.file,
            r.source.sha256,
        ),
    )
    fails = sorted(failures)
    rows = {row.report: row for row in indicator_table(reps, history)}
    views: list[ReportView] = []
    by_key: dict[str, ReportView] = {}
    for rep, anchor in zip(reps, _anchors(reps), strict=True):
        m = rep.meta
        title_text = " · ".join(
            x for x in (m.agency or _("(body not identified)"), _("year {year}").format(year=m.year) if m.year else "")
            if x
        )
        view = ReportView(rep, anchor, title_text, rows[rep.source.sha256])
        views.append(view)
        by_key.setdefault(rep.source.sha256, view)
        by_key.setdefault(rep.source.file, view)

    all_findings: list[FindingView] = []
    for v in views:
        for f in v.report.findings:
            fv = FindingView(
                f, v, "report", [label_of(v.report.template, p) for p in f.cells], rules.get(f.code)
            )
            v.findings.append(fv)
            all_findings.append(fv)
    cross: list[FindingView] = []
    for key, f in _corpus_pairs(corpus_findings):
        owner = by_key.get(key)
        fv = FindingView(
            f,
            owner,
            "corpus",
            [label_of(owner.report.template if owner else TEMPLATES["2021"], p) for p in f.cells],
            rules.get(f.code),
        )
        cross.append(fv)
        if owner:
            owner.findings.append(fv)
    all_findings += cross
    order = {s: i for i, s in enumerate(SEVERITIES)}

    def fkey(fv: FindingView) -> tuple[Any, ...]:
        anchor = fv.report.anchor if fv.report else ""
        return (
            order[fv.severity],
            fv.finding.code,
            views.index(fv.report) if fv.report else -1,
            anchor,
            fv.finding.cells[:1],
            fv.finding.message,
        )

    all_findings.sort(key=fkey)
    for v in views:
        v.findings.sort(key=fkey)
        flagged: dict[str, tuple[str, list[str]]] = {}
        for fv in v.findings:  # sorted errors first: the first severity seen is the worst
            if fv.severity in ("error", "warning"):
                for p in fv.finding.cells:
                    flagged.setdefault(p, (fv.severity, []))[1].append(
                        f"⚠ {fv.finding.code}: {fv.finding.message}"
                    )
        for table in v.report.template.tables:
            grid = report_grid(v.report.template, table.key, v.report.cells)
            v.tables.append(
                (table.key, table.title, grid_html(grid, v.report, flagged))
            )

    sev_counts = Counter(f.severity for f in all_findings)
    by_rule = Counter((f.finding.code, f.severity) for f in all_findings)
    rule_rows = []
    for code in sorted(
        {c for c, _sev in by_rule}, key=lambda c: (min(order[s] for (k, s) in by_rule if k == c), c)
    ):
        r = rules.get(code)
        n = {s: by_rule.get((code, s), 0) for s in SEVERITIES}
        reports_hit = len({f.report.anchor for f in all_findings if f.finding.code == code and f.report})
        rule_rows.append(
            {"code": code, "rule": r, "counts": n, "total": sum(n.values()), "reports": reports_hit}
        )
    years = Counter((r.meta.year, r.meta.template) for r in reps)
    year_keys = sorted({y for y, _ in years}, key=lambda y: (y is None, y or 0))
    template_keys = sorted({t for _, t in years}, key=lambda t: t or "")
    charts = {
        "rules": {
            "codes": [x["code"] for x in rule_rows][::-1],
            "series": [
                {"name": severity_name(s), "key": s, "data": [x["counts"][s] for x in rule_rows][::-1]}
                for s in SEVERITIES
            ],
        },
        "years": {
            "years": [_("year unknown") if y is None else str(y) for y in year_keys],
            "series": [
                {"name": _("template {template}").format(template=t) if t else _("template unknown"),
                 "data": [years.get((y, t), 0) for y in year_keys]}
                for t in template_keys
            ],
        },
        "rates": _histogram([v.indicators for v in views]),
        "text": {"reports": _("number of reports"), "bodies": _("number of bodies"),
                 "unknown": _(" (cannot be computed: {n})"), "shown": _("showing {n} / {total}")},
    }
    clean = sum(1 for v in views if v.count("error") == 0)
    context = {
        "title": title,
        "version": __version__,
        "views": views,
        "failures": fails,
        "set_findings": [(f, rules.get(f.code)) for f in set_findings],
        "findings": all_findings,
        "cross": cross,
        "sev_counts": {s: sev_counts.get(s, 0) for s in SEVERITIES},
        "rule_rows": rule_rows,
        "rules": [rules[c] for c in sorted(rules)],
        "used_codes": {x["code"] for x in rule_rows},
        "clean": clean,
        "bodies": len({v.report.meta.agency or v.report.source.file for v in views}),
        "indicators": INDICATORS,
        "rates": RATES,
        "lang": "zh-CN" if current_lang() == "zh" else "en",
        "charts": _script_json(charts),
        "css": Markup(_static("audit.css")),
        "js": Markup(_static("audit.js")),
        "echarts": Markup(_static("echarts.min.js")),
    }
    return _env().get_template("audit.html.j2").render(context)
