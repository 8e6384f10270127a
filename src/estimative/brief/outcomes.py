"""The brief's per-outcome parts as strings: the policy comparison (a compact matrix and, per
outcome, the full rows), each outcome's drivers and indicators, the scenarios, and the ranking
under each of the model's other weight sets (used by :mod:`estimative.brief.context`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..spec import BASELINE, ModelSpec
from ..uncertainty import PolicyComparison, ProbabilityInterval
from . import words
from .data import TABLE_COLUMNS, Brief

#: Drivers and indicators named per headline outcome.
PER_OUTCOME = 3

Fmt = Callable[[float], str]


def policy_label(spec: ModelSpec, pid: str) -> str:
    """A policy's label; the baseline's words."""
    if pid == BASELINE:
        return "Baseline (decisions at their prior probabilities)"
    known = {p.id: p.label for p in spec.policies}
    return known.get(pid, pid)  # an unnamed alternative (a combination of decisions): its id


def effect_interval(c: PolicyComparison, pid: str, ref: str, level: float) -> tuple[float, ...]:
    """The point difference ``pid - ref`` and its central ``level`` interval over the draws."""
    d = c.difference(pid, ref)
    d = d[np.isfinite(d)]
    lo, hi = np.quantile(d, [(1 - level) / 2, (1 + level) / 2]) if d.size else (np.nan, np.nan)
    point = float(c.points[c.policies.index(pid)] - c.points[c.policies.index(ref)])
    return point, float(lo), float(hi)


def policy_matrix(brief: Brief, fmt: Fmt) -> dict[str, Any]:
    """Policies by outcomes: each cell the probability and the change against the reference
    (bold where the interval of the change excludes zero), the best policy per ranked outcome
    marked; then per outcome the full rows (interval, change with its interval, P(best))."""
    spec, prm, pol = brief.spec, brief.parameters, brief.policy
    ref = pol.reference
    outs = [j.outcome for j in brief.judgments]
    columns = []
    for o in outs:
        arrow = {"lower": " (lower is better)", "higher": " (higher is better)"}.get(
            o.better or "", ""
        )
        columns.append({"id": o.id, "label": o.label, "better": arrow.strip(" ()")})
    best_of: dict[str, str] = {}
    for o in outs:
        c = pol.comparisons[o.id]
        if o.better is not None and len(c.policies) > 1:
            pb = c.prob_best()
            best_of[o.id] = max(c.policies, key=lambda p: pb[p])
    rows: list[dict[str, Any]] = []
    for pid in pol.policies:
        cells = []
        for o in outs:
            c = pol.comparisons[o.id]
            text = fmt(float(c.points[c.policies.index(pid)]))
            change, strong = "", False
            if pid != ref:
                point, lo, hi = effect_interval(c, pid, ref, prm.level)
                change = words.points_text(point)
                strong = bool(np.isfinite(lo) and (lo > 0 or hi < 0))
            cells.append(
                {"text": text, "change": change, "strong": strong, "best": best_of.get(o.id) == pid}
            )
        rows.append({"label": policy_label(spec, pid), "reference": pid == ref, "cells": cells})
    blocks = [
        {
            "columns": columns[i : i + TABLE_COLUMNS],
            "rows": [{**r, "cells": r["cells"][i : i + TABLE_COLUMNS]} for r in rows],
        }
        for i in range(0, len(columns), TABLE_COLUMNS)
    ]
    details = []
    for o in outs:
        c = pol.comparisons[o.id]
        pb = c.prob_best() if o.better is not None else {}
        drows = []
        for pid in pol.policies:
            iv = c.interval(pid)
            eff = ""
            if pid != ref:
                point, lo, hi = effect_interval(c, pid, ref, prm.level)
                eff = (
                    f"{words.points_text(point)} pts ({words.points_text(lo)} to "
                    f"{words.points_text(hi)})"
                )
            drows.append(
                [
                    policy_label(spec, pid),
                    f"{fmt(iv.point)} ({interval(iv, fmt)})",
                    eff or "reference",
                    fmt(pb[pid]) if pid in pb else "not ranked",
                ]
            )
        details.append({"label": o.label, "rows": drows, "ranked": o.better is not None})
    return {
        "columns": columns,
        "rows": rows,
        "blocks": blocks,
        "details": details,
        "reference": policy_label(spec, ref),
    }


def interval(iv: ProbabilityInterval, fmt: Fmt) -> str:
    """``low-high%`` with the brief's rounding."""
    lo, hi = fmt(iv.low), fmt(iv.high)
    return hi if lo == hi else f"{lo.rstrip('%')}-{hi}"


def parameter_text(spec: ModelSpec, variable: str, state: str, parents: Any) -> str:
    """A CPT entry in the model's words: ``label: state (when parent label = state, ...)``."""
    when = ", ".join(f"{spec.variable(p).label} = {s}" for p, s in parents)
    return f"{spec.variable(variable).label}: {state}" + (f" (when {when})" if when else "")


def per_outcome(brief: Brief, fmt: Fmt) -> list[dict[str, Any]]:
    """Each headline outcome's top drivers and indicators, in words."""
    spec = brief.spec
    out = []
    for j in brief.judgments:
        o = j.outcome
        sens = brief.drivers[o.id]
        drivers = []
        for f in sens.top(PER_OUTCOME):
            if f.swing <= 0:
                continue
            p = f.parameter
            lo, hi = sorted((f.low_value, f.high_value))
            drivers.append(
                {
                    "text": parameter_text(spec, p.variable, p.state, p.parents),
                    "value": f"{fmt(p.value)} (credible {fmt(f.low_x).rstrip('%')}-{fmt(f.high_x)})",
                    "moves": f"{fmt(lo)} to {fmt(hi)}",
                    "basis": "sourced" if spec.variable(p.variable).cpt.sourced else "assumption",
                }
            )
        ind = brief.indicators[o.id]
        inds = []
        for i in [x for x in ind.indicators if x.entropy_reduction >= 0.0005][:PER_OUTCOME]:
            (ls, lv), (hs, hv) = i.low, i.high
            inds.append(
                {
                    "text": spec.variable(i.variable).label,
                    "raises": f"{hs}: {fmt(hv)}",
                    "lowers": f"{ls}: {fmt(lv)}",
                    "removed": f"{100 * i.entropy_reduction:.1f}%",
                }
            )
        out.append(
            {
                "id": o.id,
                "label": o.label,
                "now": fmt(j.interval.point),
                "drivers": drivers,
                "indicators": inds,
            }
        )
    return out


def scenario_blocks(brief: Brief, fmt: Fmt) -> list[dict[str, Any]]:
    """Scenarios by outcomes; a scenario that observes an outcome's variable settles it."""
    spec, prm = brief.spec, brief.parameters
    outs = [j.outcome for j in brief.judgments]
    rows = []
    for row in brief.scenarios:
        name = "No scenario" if row.scenario is None else spec.scenario(row.scenario).label
        if row.scenario == prm.scenario:
            name += " (this brief)"
        given: Mapping[str, str] = spec.scenario(row.scenario).given if row.scenario else {}
        cells = []
        for o in outs:
            if row.intervals is None:
                cells.append("impossible under the model")
            elif o.target in given:
                cells.append("observed" if given[o.target] == o.state else "ruled out (observed)")
            else:
                iv = row.intervals[o.id]
                cells.append(f"{fmt(iv.point)} ({interval(iv, fmt)})")
        rows.append({"label": name, "cells": cells})
    return [
        {
            "columns": [o.label for o in outs[i : i + TABLE_COLUMNS]],
            "rows": [
                {"label": r["label"], "cells": r["cells"][i : i + TABLE_COLUMNS]} for r in rows
            ],
        }
        for i in range(0, len(outs), TABLE_COLUMNS)
    ]


def ranking(eu: Any) -> list[str]:
    """The alternatives that compete (the baseline left out), highest expected utility first
    (ties in the order they are listed)."""
    ids = [a for a, k in zip(eu.ids, eu.kinds, strict=True) if k != "baseline"]
    return sorted(ids, key=lambda a: -eu[a])


def _ordinal(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


def weightings(brief: Brief, fmt: Fmt) -> list[dict[str, Any]]:
    """Each of the model's other weight sets: the rank of every policy under the model's
    weights and under it, its expected utility and P(best) under both, and a sentence saying
    where the two rankings differ."""
    eu, spec = brief.policy.utilities, brief.spec
    if eu is None or spec.utilities is None:
        return []
    out = []
    ours = ranking(eu)
    for wid, other in brief.policy.weightings.items():
        ws = spec.utilities.weight_set(wid)
        theirs = ranking(other)
        name = {a: policy_label(spec, a) for a in ours}
        rank = {a: ours.index(a) + 1 for a in ours}
        rank2 = {a: theirs.index(a) + 1 for a in theirs}
        moved = [a for a in ours if rank[a] != rank2[a]]
        pb, pb2 = eu.prob_best, other.prob_best
        if not moved:
            summary = (
                f"Under {ws.label}, the policies rank in the same order as under the model's "
                f"weights; {name[ours[0]]} is best under both"
            )
            i, j = eu.index(ours[0]), other.index(ours[0])
            if eu.n_draws and np.isfinite(pb[i]) and np.isfinite(pb2[j]):
                summary += (
                    f" (P(best) {fmt(pb[i])} under the model's weights, {fmt(pb2[j])} under these)"
                )
            summary += "."
        else:
            summary = (
                f"Under {ws.label}, the ranking differs from the model's weights: "
                + "; ".join(
                    f"{name[a]} is {_ordinal(rank2[a])} (not {_ordinal(rank[a])})" for a in moved
                )
                + "."
            )
        rows = []
        for a in ours:
            i, j = eu.index(a), other.index(a)
            rows.append(
                [
                    name[a],
                    str(rank[a]),
                    str(rank2[a]),
                    words.utility_text(eu.eu[i]),
                    words.utility_text(other.eu[j]),
                    fmt(pb[i]) if np.isfinite(pb[i]) else "n/a",
                    fmt(pb2[j]) if np.isfinite(pb2[j]) else "n/a",
                    rank[a] != rank2[a],
                ]
            )
        out.append(
            {
                "id": wid,
                "label": ws.label,
                "summary": summary,
                "rationale": " ".join(ws.rationale.split()),
                "head": [
                    "Policy",
                    "Rank (model's weights)",
                    "Rank (these)",
                    "Expected utility (model's)",
                    "Expected utility (these)",
                    "P(best) (model's)",
                    "P(best) (these)",
                ],
                "rows": rows,
            }
        )
    return out
