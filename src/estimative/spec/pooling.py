"""A CPT several analysts elicited: each elicitation expanded by its own form, checked, and
pooled into the model's table (:func:`estimative.spec.analysts.pool_tables`).

Problems point into the elicitation (``cpt.elicitations[1].noisy_or.leak``), so the analyst
whose numbers are wrong is named by the line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..errors import did_you_mean
from .analysts import pool_tables
from .models import CptSpec, VariableSpec
from .rows import Issue

Expand = Callable[..., tuple[np.ndarray | None, np.ndarray | None, list[Issue]]]


def as_variable(var: VariableSpec, elicitation: CptSpec) -> VariableSpec:
    """The variable with one analyst's elicitation as its CPT (no table attached)."""
    return var.model_copy(update={"cpt": elicitation})


def pool_weights(cpt: CptSpec, weights: Mapping[str, float]) -> list[float]:
    """The weight of each elicitation of ``cpt``: its analyst's (``weights``; 1 if unlisted)."""
    return [float(weights.get(e.analyst or "", 1.0)) for e in cpt.elicitations]


def _structure(cpt: CptSpec, weights: Mapping[str, float] | None) -> list[Issue]:
    issues: list[Issue] = []
    own = [f for f in ("table", "noisy_or", "noisy_max", "verbal") if getattr(cpt, f) is not None]
    if own:
        issues.append(
            (
                ("cpt", own[0]),
                "a CPT with elicitations is their pool and takes no numbers of its own",
                {"fix": f"move {own[0]}: into an elicitation with its analyst, or remove it"},
            )
        )
    if cpt.event is not None:
        issues.append(
            (("cpt", "event"), "event belongs in a verbal elicitation", {"fix": "move it there"})
        )
    known = list(weights or {})
    seen: dict[str, int] = {}
    for k, e in enumerate(cpt.elicitations):
        path = ("cpt", "elicitations", k)
        if e.analyst is None:
            issues.append(
                (path, "an elicitation needs its analyst", {"fix": "add analyst: <an id>"})
            )
        elif weights is None or e.analyst not in weights:
            issues.append(
                (
                    (*path, "analyst"),
                    f"unknown analyst '{e.analyst}'{did_you_mean(e.analyst, known)}",
                    {
                        "expected": f"one of {known}" if known else "an analyst listed at the top",
                        "fix": "list the analyst under analysts: (id, name, role, weight)",
                    },
                )
            )
        elif e.analyst in seen:
            issues.append(
                (
                    (*path, "analyst"),
                    f"analyst '{e.analyst}' has two elicitations of this CPT",
                    {"fix": f"keep one (the other is elicitations[{seen[e.analyst]}])"},
                )
            )
        else:
            seen[e.analyst] = k
        if e.elicitations:
            issues.append(((*path, "elicitations"), "an elicitation cannot hold elicitations", {}))
    if not issues and weights is not None and sum(pool_weights(cpt, weights)) <= 0:
        issues.append(
            (
                ("cpt", "elicitations"),
                "every analyst of this CPT has weight 0",
                {"fix": "give at least one of them a positive weight under analysts:"},
            )
        )
    return issues


def expand_pooled(
    var: VariableSpec,
    states: Mapping[str, Sequence[str]],
    weights: Mapping[str, float] | None,
    expand: Expand,
) -> tuple[np.ndarray | None, list[Issue]]:
    """Every elicitation expanded by ``expand`` (the one CPT expander), then pooled.

    Returns ``(table, issues)``; issue paths are relative to the variable."""
    cpt = var.cpt
    issues = _structure(cpt, weights)
    tables = []
    for k, e in enumerate(cpt.elicitations):
        table, _, sub = expand(as_variable(var, e.model_copy(update={"elicitations": []})), states)
        for rel, msg, extra in sub:
            who = f"analyst {e.analyst}: " if e.analyst else ""
            issues.append((("cpt", "elicitations", k, *rel[1:]), who + msg, extra))
        tables.append(table)
    if issues:
        return None, issues
    w = pool_weights(cpt, weights or {})
    pooled = pool_tables([t for t in tables if t is not None], w, cpt.pool)
    card = pooled.shape[0]
    empty = np.argwhere(pooled.reshape(card, -1).sum(axis=0) <= 0)
    if empty.size:
        issues.append(
            (
                ("cpt", "pool"),
                "the log pool leaves a column with no probability (the analysts' zeros cover "
                "every state)",
                {"fix": "use pool: linear, or remove a zero from one elicitation"},
            )
        )
        return None, issues
    return pooled, issues
