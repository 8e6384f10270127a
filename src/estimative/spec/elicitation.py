"""From what an analyst writes to full CPTs.

Full tables keyed by parent states, noisy-OR and noisy-MAX with a leak (Diez's
parameterisation), and verbal ICD 203 terms are all expanded here to an array of shape
``(len(states), *parent cardinalities)`` whose columns sum to 1. A noisy-OR or noisy-MAX CPT
too large to expand (:func:`estimative.spec.limits.factorised`) is checked the same way and
kept as its parameters (:func:`factorise_cpt`), which the network runs as a chain of small
tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import did_you_mean
from ..scales import ICD203, icd203_term
from .models import CptSpec, VariableSpec
from .noisy import NoisyPoint, noisy_factors, noisy_max_table, noisy_or_table
from .pooling import expand_pooled
from .rows import Issue, configurations, distribution, first_row, fmt_cfg, row_key

#: Dirichlet equivalent sample size when the file gives none: numbers resting on quotes are
#: firmer than analyst assumptions.
DEFAULT_STRENGTH_SOURCED = 20.0
DEFAULT_STRENGTH_ASSUMPTION = 5.0


def default_strength(cpt: CptSpec) -> float:
    """The Dirichlet strength of a CPT's columns: the file's, or the default for its provenance."""
    if cpt.strength is not None:
        return float(cpt.strength)
    return DEFAULT_STRENGTH_SOURCED if cpt.sourced else DEFAULT_STRENGTH_ASSUMPTION


def _table(
    var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]
) -> np.ndarray | None:
    cpt = var.cpt
    parents = var.parents
    shape = (len(var.states), *(len(states[p]) for p in parents))
    out = np.zeros(shape)
    rows = cpt.table
    if isinstance(rows, dict):
        if parents:
            issues.append(
                (
                    ("cpt", "table"),
                    "a variable with parents needs a list of rows",
                    {
                        "expected": "a list of {when: {...}, probs: {...}}",
                        "found": "a single distribution",
                    },
                )
            )
            return None
        d = distribution(rows, var.states, ("cpt", "table"), issues, normalize=cpt.normalize)
        return None if d is None else d.copy()
    assert rows is not None
    seen: dict[tuple[str, ...], int] = {}
    ok = True
    for i, row in enumerate(rows):
        path = ("cpt", "table", i)
        key = row_key(row.when, parents, states, path, issues)
        d = distribution(
            row.probs,
            var.states,
            (*path, "probs"),
            issues,
            normalize=cpt.normalize,
            what=f"column {fmt_cfg(parents, key) if key else ''}".strip(),
        )
        if key is None or d is None or not first_row(key, i, seen, parents, path, issues):
            ok = False
            continue
        idx = tuple(states[p].index(s) for p, s in zip(parents, key, strict=True))
        column: tuple[Any, ...] = (slice(None), *idx)
        out[column] = d
    missing = [c for c in configurations(parents, states) if c not in seen]
    if missing and ok:
        shown = ", ".join(fmt_cfg(parents, c) for c in missing[:4]) + (
            f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        )
        issues.append(
            (
                ("cpt", "table"),
                f"missing row(s) {shown}",
                {
                    "expected": f"{len(configurations(parents, states))} rows, one per combination of parent states",
                    "found": f"{len(seen)} rows",
                    "fix": "add a row for each missing combination",
                },
            )
        )
        return None
    return out if ok else None


def _verbal(
    var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]
) -> tuple[np.ndarray, np.ndarray] | None:
    cpt = var.cpt
    if len(var.states) != 2:
        issues.append(
            (
                ("cpt", "verbal"),
                "a verbal CPT needs a binary variable",
                {"found": f"{len(var.states)} states", "fix": "use a table or noisy_max"},
            )
        )
        return None
    event = cpt.event if cpt.event is not None else var.states[-1]
    if event not in var.states:
        issues.append(
            (
                ("cpt", "event"),
                f"'{event}' is not a state of this variable{did_you_mean(event, var.states)}",
                {"expected": f"one of {list(var.states)}"},
            )
        )
        return None
    e = var.states.index(event)
    words = [t.word for t in ICD203]

    def term(word: str, path: tuple) -> Any:
        t = icd203_term(word)
        if t is None:
            issues.append(
                (
                    path,
                    f"'{word}' is not an ICD 203 term{did_you_mean(word, words)}",
                    {"expected": "one of " + ", ".join(words)},
                )
            )
        return t

    shape = tuple(len(states[p]) for p in var.parents)
    probs = np.zeros((2, *shape))
    bands = np.zeros((2, *shape))
    if isinstance(cpt.verbal, str):
        if var.parents:
            issues.append(
                (
                    ("cpt", "verbal"),
                    "a variable with parents needs a list of rows",
                    {"expected": "a list of {when: {...}, term: ...}"},
                )
            )
            return None
        t = term(cpt.verbal, ("cpt", "verbal"))
        if t is None:
            return None
        probs[e], probs[1 - e] = t.midpoint, 1 - t.midpoint
        bands[0], bands[1] = t.low, t.high
        return probs, bands
    assert cpt.verbal is not None
    seen: dict[tuple[str, ...], int] = {}
    ok = True
    for i, row in enumerate(cpt.verbal):
        path = ("cpt", "verbal", i)
        key = row_key(row.when, var.parents, states, path, issues)
        t = term(row.term, (*path, "term"))
        if key is None or t is None or not first_row(key, i, seen, var.parents, path, issues):
            ok = False
            continue
        idx = tuple(states[p].index(s) for p, s in zip(var.parents, key, strict=True))
        probs[(e, *idx)] = t.midpoint
        probs[(1 - e, *idx)] = 1 - t.midpoint
        bands[(0, *idx)] = t.low
        bands[(1, *idx)] = t.high
    missing = [c for c in configurations(var.parents, states) if c not in seen]
    if missing and ok:
        shown = ", ".join(fmt_cfg(var.parents, c) for c in missing[:4]) + (
            f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        )
        issues.append(
            (
                ("cpt", "verbal"),
                f"missing row(s) {shown}",
                {
                    "expected": f"{len(configurations(var.parents, states))} rows",
                    "found": f"{len(seen)} rows",
                },
            )
        )
        return None
    return (probs, bands) if ok else None


def expand_cpt(
    var: VariableSpec,
    states: Mapping[str, Sequence[str]],
    *,
    weights: Mapping[str, float] | None = None,
) -> tuple[np.ndarray | None, np.ndarray | None, list[Issue]]:
    """Expand a variable's CPT to a full table.

    Returns ``(table, bands, issues)``; ``table`` has shape ``(len(states), *parent cards)``
    and is ``None`` when there are issues; ``bands`` is set for verbal CPTs only.

    ``states`` maps every variable id (at least this one's parents) to its states. A CPT with
    ``elicitations`` is each of them expanded and pooled (:mod:`.pooling`); ``weights`` are the
    analysts' weights by id (the model's ``analysts:``).
    """
    if var.cpt.elicitations:
        pooled, found = expand_pooled(var, states, weights, expand_cpt)
        return pooled, None, found
    issues: list[Issue] = []
    forms = [
        f for f in ("table", "noisy_or", "noisy_max", "verbal") if getattr(var.cpt, f) is not None
    ]
    if len(forms) != 1:
        issues.append(
            (
                ("cpt",),
                "a CPT needs exactly one of table, noisy_or, noisy_max, verbal",
                {"found": ", ".join(forms) if forms else "none of them"},
            )
        )
        return None, None, issues
    if var.cpt.event is not None and forms[0] != "verbal":
        issues.append(
            (("cpt", "event"), "event applies to verbal CPTs only", {"fix": "remove event"})
        )
        return None, None, issues
    form = forms[0]
    bands = None
    if form == "table":
        table = _table(var, states, issues)
    elif form == "noisy_or":
        table = noisy_or_table(var, states, issues)
    elif form == "noisy_max":
        table = noisy_max_table(var, states, issues)
    else:
        res = _verbal(var, states, issues)
        table, bands = res if res is not None else (None, None)
    if issues:
        return None, None, issues
    return table, bands, issues


def is_noisy(var: VariableSpec) -> bool:
    """Whether ``var``'s CPT is one noisy-OR or noisy-MAX (not pooled), the forms that can be
    factorised."""
    cpt = var.cpt
    forms = [f for f in ("table", "noisy_or", "noisy_max", "verbal") if getattr(cpt, f) is not None]
    return forms in (["noisy_or"], ["noisy_max"]) and not cpt.elicitations


def factorise_cpt(
    var: VariableSpec, states: Mapping[str, Sequence[str]]
) -> tuple[NoisyPoint | None, list[Issue]]:
    """Check a noisy-OR or noisy-MAX CPT (:func:`is_noisy`) as :func:`expand_cpt` does, and
    return its parameters instead of its full table: ``(point, issues)``, ``point`` ``None``
    when there are issues."""
    issues: list[Issue] = []
    if not is_noisy(var):
        issues.append((("cpt",), "only a noisy_or or noisy_max CPT can be factorised", {}))
        return None, issues
    if var.cpt.event is not None:
        issues.append(
            (("cpt", "event"), "event applies to verbal CPTs only", {"fix": "remove event"})
        )
        return None, issues
    point = noisy_factors(var, states, issues)
    return (None if issues else point), issues
