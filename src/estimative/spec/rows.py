"""Reading the rows an analyst writes for a CPT: parent configurations by state name, and a
distribution over the child's states, each checked with the path of any problem."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import did_you_mean

SUM_TOLERANCE = 1e-9

# (path relative to the variable, message, extra Problem fields)
Issue = tuple[tuple[str | int, ...], str, dict[str, Any]]


def configurations(
    parents: Sequence[str], states: Mapping[str, Sequence[str]]
) -> list[tuple[str, ...]]:
    return list(itertools.product(*(states[p] for p in parents)))


def fmt_cfg(parents: Sequence[str], cfg: Sequence[str]) -> str:
    return (
        "(" + ", ".join(f"{p}={s}" for p, s in zip(parents, cfg, strict=True)) + ")"
        if parents
        else "(no parents)"
    )


def row_key(
    when: Mapping[str, str],
    parents: Sequence[str],
    states: Mapping[str, Sequence[str]],
    path: tuple,
    issues: list[Issue],
) -> tuple[str, ...] | None:
    ok = True
    for k in when:
        if k not in parents:
            issues.append(
                (
                    (*path, "when", k),
                    f"'{k}' is not a parent of this variable{did_you_mean(k, parents)}",
                    {
                        "expected": f"one of {list(parents)}",
                        "found": repr(k),
                        "fix": "name only the variable's parents",
                    },
                )
            )
            ok = False
    for p in parents:
        if p not in when:
            issues.append(
                (
                    (*path, "when"),
                    f"row does not give a state for parent '{p}'",
                    {"fix": f"add {p}: <state> to when"},
                )
            )
            ok = False
        elif when[p] not in states[p]:
            s = when[p]
            issues.append(
                (
                    (*path, "when", p),
                    f"'{s}' is not a state of '{p}'{did_you_mean(s, states[p])}",
                    {"expected": f"one of {list(states[p])}", "found": repr(s)},
                )
            )
            ok = False
    return tuple(when[p] for p in parents) if ok else None


def first_row(
    key: tuple[str, ...],
    i: int,
    seen: dict[tuple[str, ...], int],
    parents: Sequence[str],
    path: tuple[str | int, ...],
    issues: list[Issue],
) -> bool:
    """Record row ``i`` for its parent configuration; False (and a problem) if one came before."""
    if key in seen:
        issues.append(
            (
                (*path, "when"),
                f"duplicate row {fmt_cfg(parents, key)}",
                {"fix": f"remove this row or the one at {path[-2]}[{seen[key]}]"},
            )
        )
        return False
    seen[key] = i
    return True


def distribution(
    probs: Mapping[str, float],
    child_states: Sequence[str],
    path: tuple,
    issues: list[Issue],
    *,
    normalize: bool,
    what: str = "column",
) -> np.ndarray | None:
    ok = True
    for s in probs:
        if s not in child_states:
            issues.append(
                (
                    (*path, s),
                    f"'{s}' is not a state of this variable{did_you_mean(s, child_states)}",
                    {"expected": f"one of {list(child_states)}", "found": repr(s)},
                )
            )
            ok = False
    missing = [s for s in child_states if s not in probs]
    if missing:
        issues.append(
            (
                path,
                f"no probability for state(s) {missing}",
                {
                    "expected": f"a probability for each of {list(child_states)}",
                    "fix": "add the missing states (0 is allowed)",
                },
            )
        )
        ok = False
    vals = []
    for s in child_states:
        v = probs.get(s)
        if v is None:
            continue
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float))
            or not np.isfinite(v)
            or v < 0
            or (v > 1 and not normalize)
        ):
            issues.append(
                (
                    (*path, s),
                    "probability outside [0, 1]",
                    {
                        "expected": "a non-negative weight" if normalize else "a number in [0, 1]",
                        "found": repr(v),
                    },
                )
            )
            ok = False
        vals.append(float(v) if isinstance(v, (int, float)) else 0.0)
    if not ok:
        return None
    arr = np.asarray(vals, dtype=float)
    with np.errstate(over="ignore"):
        total = float(arr.sum())
    if not np.isfinite(total):
        issues.append(
            (
                path,
                f"{what} sums to more than the largest number a double holds",
                {
                    "expected": "a finite sum",
                    "found": "infinity",
                    "fix": "scale the weights down (only their ratios matter)",
                },
            )
        )
        return None
    if normalize:
        if total <= 0:
            issues.append(
                (
                    path,
                    f"{what} sums to 0 and cannot be normalised",
                    {"fix": "give at least one positive probability"},
                )
            )
            return None
        return arr / total
    if abs(total - 1.0) > SUM_TOLERANCE:
        issues.append(
            (
                path,
                f"{what} sums to {total:.12g}",
                {
                    "expected": f"1 (within {SUM_TOLERANCE:g})",
                    "found": f"{total:.12g}",
                    "fix": "correct a probability, or set normalize: true",
                },
            )
        )
        return None
    return arr
