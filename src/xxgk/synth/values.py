"""Realistic, internally consistent numbers for every cell of a template.

Real reports are skewed: most small bodies receive no application at all, applicants are
overwhelmingly 自然人, most results are 予以公开 or 本机关不掌握, and appeals are rare. Sizes
scale with the body's level. Every arithmetic relation of FORMAT.md holds by construction
(T3-balance per column, T3-results per column, T3-applicants per row, T4-groups per group).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from xxgk.template import APPEAL_PARTS, APPLICANT_PARTS, Template
from xxgk.template.declarations import RESULT_ROWS_2019, RESULT_ROWS_2021

Number = int | float

# level -> (probability of no application at all, largest plausible yearly count)
_APPLICATION_SCALE = {
    "province": (0.0, 5000), "city": (0.02, 3500), "county": (0.12, 600),
    "department": (0.4, 120), "zone": (0.65, 15), "township": (0.6, 12),
}
# level -> (probability of no 行政复议, largest count)
_REVIEW_SCALE = {
    "province": (0.05, 400), "city": (0.1, 350), "county": (0.4, 25),
    "department": (0.7, 6), "zone": (0.92, 2), "township": (0.9, 2),
}
# level -> largest plausible count of 行政许可 decisions
_DECISION_SCALE = {
    "province": 600000, "city": 450000, "county": 40000, "department": 8000, "zone": 300, "township": 500,
}

# Typical share of each applicant column (before per-report jitter).
_APPLICANT_WEIGHTS = {"natural_person": 0.9, "commercial": 0.05, "research": 0.004, "social_welfare": 0.006,
                      "legal_service": 0.02, "other_org": 0.02}
# Typical share of each result row.
_RESULT_WEIGHTS = {
    "granted": 0.42, "partially_granted": 0.1,
    "denied_state_secret": 0.002, "denied_law_prohibited": 0.008, "denied_three_safeties": 0.003,
    "denied_third_party": 0.008, "denied_internal_affairs": 0.006, "denied_process_info": 0.012,
    "denied_enforcement_file": 0.006, "denied_inquiry": 0.03,
    "unable_not_held": 0.22, "unable_needs_creation": 0.02, "unable_unclear": 0.01,
    "rejected_petition": 0.03, "rejected_duplicate": 0.02, "rejected_publication": 0.002,
    "rejected_excessive": 0.004, "rejected_confirmation": 0.004,
    "other_no_correction": 0.03, "other_no_fee": 0.002, "other_other": 0.04,
    "other_handling": 0.07,
}
_APPEAL_WEIGHTS = {"upheld": 0.45, "corrected": 0.12, "other": 0.3, "pending": 0.13}


def log_uniform(rng: random.Random, hi: float, lo: float = 1.0) -> int:
    return round(math.exp(rng.uniform(math.log(lo), math.log(max(hi, lo)))))


def split(rng: random.Random, total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` into len(weights) non-negative ints, randomly, in proportion to the weights."""
    n = len(weights)
    if total <= 0 or not any(weights):
        return [0] * n
    if total <= 4000:
        counts = [0] * n
        for i in rng.choices(range(n), weights=weights, k=total):
            counts[i] += 1
        return counts
    # Large totals: proportional shares with jitter; the few leftover units placed by weight.
    jittered = [w * rng.uniform(0.9, 1.1) for w in weights]
    s = sum(jittered)
    counts = [int(total * x / s) for x in jittered]
    for i in rng.choices(range(n), weights=weights, k=total - sum(counts)):
        counts[i] += 1
    return counts


def _jitter(rng: random.Random, weights: dict[str, float], drop: float) -> dict[str, float]:
    """Per-report variation: some categories never occur at a given body."""
    out = {}
    for k, w in weights.items():
        out[k] = 0.0 if rng.random() < drop else w * rng.uniform(0.2, 2.5)
    return out


def money(rng: random.Random, hi: float) -> float:
    """A 万元 amount: 0–4 decimals, as reports print them."""
    v = math.exp(rng.uniform(math.log(0.01), math.log(hi)))
    return round(v, rng.choice((0, 1, 2, 2, 4)))


def applications(rng: random.Random, template: Template, level: str) -> dict[str, dict[str, int]]:
    result_rows = RESULT_ROWS_2021 if template.id == "2021" else RESULT_ROWS_2019
    p_zero, hi = _APPLICATION_SCALE[level]
    cols = list(APPLICANT_PARTS)
    new_total = 0 if rng.random() < p_zero else log_uniform(rng, hi)
    col_w = _jitter(rng, _APPLICANT_WEIGHTS, 0.35)
    col_w["natural_person"] = max(col_w["natural_person"], 0.5)  # applications come mostly from people
    new = split(rng, new_total, [col_w[c] for c in cols])
    if rng.random() < 0.55:
        carried = [0] * len(cols)
    else:
        carried = split(rng, log_uniform(rng, max(2, new_total // 8 + 1)), [col_w[c] for c in cols])
    forward = []
    for c in range(len(cols)):
        available = new[c] + carried[c]
        forward.append(0 if rng.random() < 0.6 or available == 0 else rng.randint(0, max(1, available // 6)))
        forward[-1] = min(forward[-1], available)
    row_w = _jitter(rng, {r: _RESULT_WEIGHTS[r] for r in result_rows}, 0.3)
    if not any(row_w.values()):
        row_w["granted"] = 1.0
    out: dict[str, dict[str, int]] = {r.key: {} for r in template.table("applications").rows}
    for ci, c in enumerate(cols):
        processed = new[ci] + carried[ci] - forward[ci]
        parts = split(rng, processed, [row_w[r] for r in result_rows])
        out["new_received"][c] = new[ci]
        out["carried_over"][c] = carried[ci]
        out["carried_forward"][c] = forward[ci]
        out["total_processed"][c] = processed
        for r, v in zip(result_rows, parts, strict=True):
            out[r][c] = v
    for cells in out.values():
        cells["total"] = sum(cells[c] for c in cols)
    return out


def appeals(rng: random.Random, template: Template, level: str) -> dict[str, dict[str, int]]:
    p_zero, hi = _REVIEW_SCALE[level]
    out = {}
    for row, factor in zip(template.table("appeals").rows, (1.0, 0.25, 0.15), strict=True):
        none = rng.random() < min(0.97, p_zero + (1 - factor) * 0.3)
        total = 0 if none else log_uniform(rng, max(1, hi * factor))
        w = _jitter(rng, _APPEAL_WEIGHTS, 0.25)
        if not any(w.values()):
            w["upheld"] = 1.0
        parts = split(rng, total, [w[c] for c in APPEAL_PARTS])
        cells = dict(zip(APPEAL_PARTS, parts, strict=True))
        cells["total"] = total
        out[row.key] = cells
    return out


def active(rng: random.Random, template: Template, level: str) -> dict[str, dict[str, Number]]:
    big = level in ("province", "city")
    gov = level in ("province", "city", "county")
    decisions_hi = _DECISION_SCALE[level]

    def count(hi: float, p_zero: float) -> int:
        return 0 if rng.random() < p_zero or hi < 1 else log_uniform(rng, hi)

    out: dict[str, dict[str, Number]] = {}
    if template.id == "2021":
        issued = count(12, 0.3) if big else 0
        out["regulations"] = {"issued": issued, "repealed": count(4, 0.6) if big else 0,
                              "in_force": issued + count(150, 0.05) if big else 0}
        issued = count(40 if gov else 8, 0.35 if gov else 0.75)
        out["normative_documents"] = {"issued": issued, "repealed": count(25, 0.6) if issued else 0,
                                      "in_force": issued + count(200 if gov else 20, 0.3)}
        out["licensing"] = {"decisions": count(decisions_hi, 0.15 if gov else 0.5)}
        out["penalty"] = {"decisions": count(decisions_hi * 2, 0.2 if gov else 0.55)}
        out["coercion"] = {"decisions": count(decisions_hi / 20, 0.35 if gov else 0.7)}
        no_fees = rng.random() < (0.35 if gov else 0.75)
        out["fees"] = {"amount": 0.0 if no_fees else money(rng, 150000 if big else 3000)}
        return out

    made = count(12, 0.3) if big else 0
    out["regulations"] = {"made": made, "published": made,
                          "total_published": made + count(120, 0.1) if big else 0}
    made = count(40 if gov else 8, 0.35 if gov else 0.75)
    published = made if rng.random() < 0.85 else rng.randint(0, made)
    out["normative_documents"] = {"made": made, "published": published,
                                  "total_published": published + count(200 if gov else 20, 0.3)}

    def project_row(items_hi: int, decisions: float, p_zero: float) -> dict[str, Number]:
        previous = count(items_hi, p_zero)
        change = rng.randint(-min(previous, 15), 20) if rng.random() < 0.6 else 0
        return {"previous": previous, "change": change, "decisions": count(decisions, p_zero)}

    out["licensing"] = project_row(600 if gov else 40, decisions_hi, 0.15 if gov else 0.5)
    out["other_services"] = project_row(200 if gov else 20, decisions_hi / 3, 0.4 if gov else 0.7)
    out["penalty"] = project_row(3000 if gov else 200, decisions_hi * 2, 0.2 if gov else 0.55)
    out["coercion"] = project_row(60 if gov else 10, decisions_hi / 20, 0.35 if gov else 0.7)
    fees_previous = count(40 if gov else 5, 0.4 if gov else 0.8)
    out["fees"] = {"previous": fees_previous,
                   "change": rng.randint(-min(fees_previous, 5), 3) if rng.random() < 0.4 else 0}
    projects = count(300 if gov else 20, 0.3 if gov else 0.7)
    out["procurement"] = {"projects": projects,
                          "amount": money(rng, 80000 if big else 5000) if projects else 0.0}
    return out
