"""Drawing synthetic reports: the truth (`truth`), then the requested defects (`defects`) and the
printing patterns of real offices (`patterns`). Kept apart from both so that neither imports the
other's consumer (no import cycle).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from xxgk.synth import values
from xxgk.synth.defects import DEFECTS, applicable, inject
from xxgk.synth.names import make_body
from xxgk.synth.narrative import TextSpec
from xxgk.synth.patterns import PATTERNS, check_patterns
from xxgk.synth.truth import Expectation, Number, SyntheticReport, stream
from xxgk.template import TEMPLATES, template_for_year

YEARS = tuple(range(2019, 2026))


def _flatten(tables: Mapping[str, Mapping[str, Mapping[str, Number]]]) -> dict[str, Number]:
    return {f"{t}.{r}.{c}": v
            for t, rows in tables.items() for r, cols in rows.items() for c, v in cols.items()}


def generate(seed: int, template: str | None = None, year: int | None = None,
             defects: Iterable[str] = (), level: str | None = None,
             patterns: Iterable[str] = ()) -> SyntheticReport:
    """A random, realistic, internally consistent report; then the requested defects injected.

    The template follows the year (2019 for 2019–2020) unless given; a 2021+ year on the 2019
    template expects `outdated-template`, a 2019–2020 year on the 2021 template `early-template`.
    `patterns` are the ways real offices print beyond the template (xxgk.synth.patterns); a
    report drawn without them is the same as before they existed.
    """
    chosen = check_patterns(patterns)
    wanted = list(defects)
    rng = stream(seed, "report")
    if year is None:
        # A given template gets a year it is the right template for; a mismatch only on request.
        needs_2021 = (any(d in DEFECTS and DEFECTS[d].needs_2021 for d in wanted)
                      or any(PATTERNS[p].needs_2021 for p in chosen))
        years = [y for y in YEARS
                 if (template is None or template_for_year(y).id == template or needs_2021)
                 and (y >= 2021 or not needs_2021)]
        year = rng.choice(years)
    else:
        rng.random()  # keep the stream aligned whether or not the year was given
    tpl = TEMPLATES[template] if template else template_for_year(year)
    body = make_body(stream(seed, "body"), level)
    vrng = stream(seed, "values")
    active_tpl = TEMPLATES["2019"] if "old-active" in chosen else tpl
    tables = {"active": values.active(vrng, active_tpl, body.level),
              "applications": values.applications(vrng, tpl, body.level),
              "appeals": values.appeals(vrng, tpl, body.level)}
    apps, appeals = tables["applications"], tables["appeals"]
    stated = {"new_received": apps["new_received"]["total"], "review": appeals["review"]["total"],
              "litigation": (appeals["litigation_direct"]["total"]
                             + appeals["litigation_after_review"]["total"])}
    fee = year >= 2021 or rng.random() < 0.3
    text = TextSpec(stated=stated, fee_statement=fee,
                    period_year=year if rng.random() < 0.85 else None)
    # Departments publish by 1月31日, a people's government's own report by 3月31日 (FORMAT.md);
    # a sub-district office (街道办事处) or a zone's committee keeps the departments' date.
    if body.level in ("department", "zone") or not body.name.endswith("人民政府"):
        month, day = 1, rng.randint(10, 31)
    else:
        month, day = rng.randint(1, 3), rng.randint(1, 28)
    report = SyntheticReport(seed=seed, template=tpl.id, year=year, body=body,
                             published=f"{year + 1}-{month:02d}-{day:02d}", values=_flatten(tables),
                             text=text, patterns=chosen)
    expectations = []
    if tpl.id == "2019" and year >= 2021:
        expectations.append(Expectation("outdated-template", why=f"{year} report on the 2019 template"))
    if tpl.id == "2021" and year < 2021:
        expectations.append(Expectation("early-template", why=f"{year} report already on the 2021 template"))
    if "old-active" in chosen and tpl.id == "2021":
        cells = tuple(sorted(p for p in report.values if p.startswith("active.")))
        expectations.append(Expectation("outdated-template-row", cells,
                                        why=f"{year} report prints the 2019 table 二"))
    report = report.evolve(expectations=tuple(expectations))
    drng = stream(seed, "defects")
    for kind in wanted:
        report = inject(report, kind, drng)
    return report


def sample(seed: int, defect_rate: float, patterns: Iterable[str] = ()) -> SyntheticReport:
    """The seed's report; with probability `defect_rate` (drawn from the seed) one defect in it,
    of a kind that applies to it. For corpora and benchmarks that mix clean and faulty reports."""
    rng = stream(seed, "sample")
    report = generate(seed, patterns=patterns)
    if rng.random() < defect_rate:
        kinds = [k for k in sorted(DEFECTS) if applicable(report, k) is None]
        report = generate(seed, year=report.year, template=report.template, defects=[rng.choice(kinds)],
                          patterns=patterns)
    return report
