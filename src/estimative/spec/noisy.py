"""Noisy-OR and noisy-MAX CPTs (Diez's parameterisation, with a leak) expanded to full tables.

Each cause's row is the child's distribution with only that cause present; the checks make
sure every cause can only raise the child, as the form requires.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import did_you_mean
from .models import NoisyMaxSpec, NoisyOrSpec, VariableSpec
from .rows import Issue, distribution


def _causes_check(
    var: VariableSpec,
    spec: NoisyOrSpec | NoisyMaxSpec,
    states: Mapping[str, Sequence[str]],
    form: str,
    issues: list[Issue],
) -> dict[str, str] | None:
    ok = True
    for k in spec.absent:
        if k not in var.parents:
            issues.append(
                (
                    ("cpt", form, "absent", k),
                    f"'{k}' is not a parent{did_you_mean(k, var.parents)}",
                    {},
                )
            )
            ok = False
        elif spec.absent[k] not in states[k]:
            issues.append(
                (
                    ("cpt", form, "absent", k),
                    f"'{spec.absent[k]}' is not a state of '{k}'{did_you_mean(spec.absent[k], states[k])}",
                    {"expected": f"one of {list(states[k])}"},
                )
            )
            ok = False
    for k in spec.causes:
        if k not in var.parents:
            issues.append(
                (
                    ("cpt", form, "causes", k),
                    f"'{k}' is not a parent of this variable{did_you_mean(k, var.parents)}",
                    {
                        "expected": f"one of {list(var.parents)}",
                        "fix": "add it to parents or remove it",
                    },
                )
            )
            ok = False
    if not ok:
        return None
    absent = {p: spec.absent.get(p, states[p][0]) for p in var.parents}
    for p in var.parents:
        if p not in spec.causes:
            issues.append(
                (
                    ("cpt", form, "causes"),
                    f"no entry for parent '{p}'",
                    {
                        "fix": f"give the child's probability for each state of '{p}' except '{absent[p]}' (its absent state)"
                    },
                )
            )
            ok = False
            continue
        given = spec.causes[p]
        for s in given:
            if s not in states[p]:
                issues.append(
                    (
                        ("cpt", form, "causes", p, s),
                        f"'{s}' is not a state of '{p}'{did_you_mean(s, states[p])}",
                        {"expected": f"one of {list(states[p])}"},
                    )
                )
                ok = False
            elif s == absent[p]:
                issues.append(
                    (
                        ("cpt", form, "causes", p, s),
                        f"'{s}' is the absent state of '{p}' and takes no parameter",
                        {"fix": "remove it (the leak covers it) or set absent: for this parent"},
                    )
                )
                ok = False
        for s in states[p]:
            if s != absent[p] and s not in given:
                issues.append(
                    (
                        ("cpt", form, "causes", p),
                        f"no parameter for '{p}={s}'",
                        {"fix": f"add {s}: <probability> under {p}"},
                    )
                )
                ok = False
    return absent if ok else None


def noisy_or_table(
    var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]
) -> np.ndarray | None:
    spec = var.cpt.noisy_or
    assert spec is not None
    if len(var.states) != 2:
        issues.append(
            (
                ("cpt", "noisy_or"),
                "noisy_or needs a binary variable",
                {"found": f"{len(var.states)} states", "fix": "use noisy_max for graded variables"},
            )
        )
        return None
    if spec.leak >= 1:
        issues.append(
            (("cpt", "noisy_or", "leak"), "leak must be below 1", {"found": repr(spec.leak)})
        )
        return None
    absent = _causes_check(var, spec, states, "noisy_or", issues)
    if absent is None:
        return None
    ok = True
    for p, given in spec.causes.items():
        for s, c in given.items():
            if c < spec.leak:
                issues.append(
                    (
                        ("cpt", "noisy_or", "causes", p, s),
                        f"P({var.states[1]} | {p}={s} alone) is below the leak: a noisy-OR cause cannot lower the probability",
                        {
                            "expected": f">= leak {spec.leak}",
                            "found": repr(c),
                            "fix": "raise it, or model this parent with a full table",
                        },
                    )
                )
                ok = False
    if not ok:
        return None
    q_leak = 1.0 - spec.leak
    shape = (2, *(len(states[p]) for p in var.parents))
    out = np.zeros(shape)
    for idx in itertools.product(*(range(len(states[p])) for p in var.parents)):
        q = q_leak
        for p, i in zip(var.parents, idx, strict=True):
            s = states[p][i]
            if s != absent[p]:
                q *= (1.0 - spec.causes[p][s]) / q_leak
        out[(0, *idx)] = q
        out[(1, *idx)] = 1.0 - q
    return out


def noisy_max_table(
    var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]
) -> np.ndarray | None:
    spec = var.cpt.noisy_max
    assert spec is not None
    normalize = var.cpt.normalize
    leak = distribution(
        spec.leak,
        var.states,
        ("cpt", "noisy_max", "leak"),
        issues,
        normalize=normalize,
        what="leak",
    )
    absent = _causes_check(var, spec, states, "noisy_max", issues)
    if leak is None or absent is None:
        return None
    cdf_leak = np.cumsum(leak)
    cdf_leak[-1] = 1.0
    ratios: dict[tuple[str, str], np.ndarray] = {}
    ok = True
    for p, given in spec.causes.items():
        for s, probs in given.items():
            path = ("cpt", "noisy_max", "causes", p, s)
            d = distribution(
                probs,
                var.states,
                path,
                issues,
                normalize=normalize,
                what=f"distribution for {p}={s}",
            )
            if d is None:
                ok = False
                continue
            cdf = np.cumsum(d)
            cdf[-1] = 1.0
            if np.any(cdf > cdf_leak + 1e-12):
                issues.append(
                    (
                        path,
                        f"with only {p}={s} present the child is less severe than with the leak alone; a noisy-MAX cause can only raise it",
                        {
                            "expected": "P(child <= y) no larger than the leak's for every y",
                            "fix": "shift probability toward higher states, or use a full table",
                        },
                    )
                )
                ok = False
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios[(p, s)] = np.where(
                    cdf_leak > 0, cdf / np.where(cdf_leak > 0, cdf_leak, 1.0), 0.0
                )
    if not ok:
        return None
    shape = (len(var.states), *(len(states[p]) for p in var.parents))
    out = np.zeros(shape)
    for idx in itertools.product(*(range(len(states[p])) for p in var.parents)):
        cdf = cdf_leak.copy()
        for p, i in zip(var.parents, idx, strict=True):
            s = states[p][i]
            if s != absent[p]:
                cdf = cdf * ratios[(p, s)]
        column: tuple[Any, ...] = (slice(None), *idx)
        out[column] = np.diff(np.concatenate([[0.0], cdf]))
    return np.clip(out, 0.0, 1.0)
