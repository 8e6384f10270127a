"""The brief's per-outcome parts as strings: the policy comparison (a compact matrix and, per
outcome, the full rows), each outcome's drivers and indicators, and the scenarios (used by
:mod:`estimative.brief.context`)."""

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
