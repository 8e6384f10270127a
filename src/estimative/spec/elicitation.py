"""From what an analyst writes to full CPTs.

Full tables keyed by parent states, noisy-OR and noisy-MAX with a leak (Diez's
parameterisation), and verbal ICD 203 terms are all expanded here to an array of shape
``(len(states), *parent cardinalities)`` whose columns sum to 1.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import did_you_mean
from ..scales import ICD203, icd203_term
from .models import CptSpec, NoisyMaxSpec, NoisyOrSpec, VariableSpec

SUM_TOLERANCE = 1e-9
#: Dirichlet equivalent sample size when the file gives none: numbers resting on quotes are
#: firmer than analyst assumptions.
DEFAULT_STRENGTH_SOURCED = 20.0
DEFAULT_STRENGTH_ASSUMPTION = 5.0

# (path relative to the variable, message, extra Problem fields)
Issue = tuple[tuple[str | int, ...], str, dict[str, Any]]


def default_strength(cpt: CptSpec) -> float:
    """The Dirichlet strength of a CPT's columns: the file's, or the default for its provenance."""
    if cpt.strength is not None:
        return float(cpt.strength)
    return DEFAULT_STRENGTH_SOURCED if cpt.sourced else DEFAULT_STRENGTH_ASSUMPTION


def _cfg(parents: Sequence[str], states: Mapping[str, Sequence[str]]) -> list[tuple[str, ...]]:
    return list(itertools.product(*(states[p] for p in parents)))


def _fmt_cfg(parents: Sequence[str], cfg: Sequence[str]) -> str:
    return "(" + ", ".join(f"{p}={s}" for p, s in zip(parents, cfg, strict=True)) + ")" if parents else "(no parents)"


def _row_key(
    when: Mapping[str, str], parents: Sequence[str], states: Mapping[str, Sequence[str]], path: tuple, issues: list[Issue]
) -> tuple[str, ...] | None:
    ok = True
    for k in when:
        if k not in parents:
            issues.append(
                ((*path, "when", k), f"'{k}' is not a parent of this variable{did_you_mean(k, parents)}",
                 {"expected": f"one of {list(parents)}", "found": repr(k), "fix": "name only the variable's parents"})
            )
            ok = False
    for p in parents:
        if p not in when:
            issues.append(((*path, "when"), f"row does not give a state for parent '{p}'",
                           {"fix": f"add {p}: <state> to when"}))
            ok = False
        elif when[p] not in states[p]:
            s = when[p]
            issues.append(
                ((*path, "when", p), f"'{s}' is not a state of '{p}'{did_you_mean(s, states[p])}",
                 {"expected": f"one of {list(states[p])}", "found": repr(s)})
            )
            ok = False
    return tuple(when[p] for p in parents) if ok else None


def _first_row(key: tuple[str, ...], i: int, seen: dict[tuple[str, ...], int], parents: Sequence[str],
               path: tuple[str | int, ...], issues: list[Issue]) -> bool:
    """Record row ``i`` for its parent configuration; False (and a problem) if one came before."""
    if key in seen:
        issues.append(((*path, "when"), f"duplicate row {_fmt_cfg(parents, key)}",
                       {"fix": f"remove this row or the one at {path[-2]}[{seen[key]}]"}))
        return False
    seen[key] = i
    return True


def _dist(
    probs: Mapping[str, float], child_states: Sequence[str], path: tuple, issues: list[Issue], *, normalize: bool,
    what: str = "column",
) -> np.ndarray | None:
    ok = True
    for s in probs:
        if s not in child_states:
            issues.append(((*path, s), f"'{s}' is not a state of this variable{did_you_mean(s, child_states)}",
                           {"expected": f"one of {list(child_states)}", "found": repr(s)}))
            ok = False
    missing = [s for s in child_states if s not in probs]
    if missing:
        issues.append((path, f"no probability for state(s) {missing}",
                       {"expected": f"a probability for each of {list(child_states)}",
                        "fix": "add the missing states (0 is allowed)"}))
        ok = False
    vals = []
    for s in child_states:
        v = probs.get(s)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0 or (v > 1 and not normalize):
            issues.append(((*path, s), "probability outside [0, 1]",
                           {"expected": "a non-negative weight" if normalize else "a number in [0, 1]", "found": repr(v)}))
            ok = False
        vals.append(float(v) if isinstance(v, (int, float)) else 0.0)
    if not ok:
        return None
    arr = np.asarray(vals, dtype=float)
    total = float(arr.sum())
    if normalize:
        if total <= 0:
            issues.append((path, f"{what} sums to 0 and cannot be normalised", {"fix": "give at least one positive probability"}))
            return None
        return arr / total
    if abs(total - 1.0) > SUM_TOLERANCE:
        issues.append((path, f"{what} sums to {total:.12g}",
                       {"expected": f"1 (within {SUM_TOLERANCE:g})", "found": f"{total:.12g}",
                        "fix": "correct a probability, or set normalize: true"}))
        return None
    return arr


def _table(var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]) -> np.ndarray | None:
    cpt = var.cpt
    parents = var.parents
    shape = (len(var.states), *(len(states[p]) for p in parents))
    out = np.zeros(shape)
    rows = cpt.table
    if isinstance(rows, dict):
        if parents:
            issues.append((("cpt", "table"), "a variable with parents needs a list of rows",
                           {"expected": "a list of {when: {...}, probs: {...}}", "found": "a single distribution"}))
            return None
        d = _dist(rows, var.states, ("cpt", "table"), issues, normalize=cpt.normalize)
        return None if d is None else d.copy()
    assert rows is not None
    seen: dict[tuple[str, ...], int] = {}
    ok = True
    for i, row in enumerate(rows):
        path = ("cpt", "table", i)
        key = _row_key(row.when, parents, states, path, issues)
        d = _dist(row.probs, var.states, (*path, "probs"), issues, normalize=cpt.normalize,
                  what=f"column {_fmt_cfg(parents, key) if key else ''}".strip())
        if key is None or d is None or not _first_row(key, i, seen, parents, path, issues):
            ok = False
            continue
        idx = tuple(states[p].index(s) for p, s in zip(parents, key, strict=True))
        column: tuple[Any, ...] = (slice(None), *idx)
        out[column] = d
    missing = [c for c in _cfg(parents, states) if c not in seen]
    if missing and ok:
        shown = ", ".join(_fmt_cfg(parents, c) for c in missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        issues.append((("cpt", "table"), f"missing row(s) {shown}",
                       {"expected": f"{len(_cfg(parents, states))} rows, one per combination of parent states",
                        "found": f"{len(seen)} rows", "fix": "add a row for each missing combination"}))
        return None
    return out if ok else None


def _causes_check(
    var: VariableSpec, spec: NoisyOrSpec | NoisyMaxSpec, states: Mapping[str, Sequence[str]], form: str, issues: list[Issue]
) -> dict[str, str] | None:
    ok = True
    for k in spec.absent:
        if k not in var.parents:
            issues.append((("cpt", form, "absent", k), f"'{k}' is not a parent{did_you_mean(k, var.parents)}", {}))
            ok = False
        elif spec.absent[k] not in states[k]:
            issues.append((("cpt", form, "absent", k), f"'{spec.absent[k]}' is not a state of '{k}'{did_you_mean(spec.absent[k], states[k])}",
                           {"expected": f"one of {list(states[k])}"}))
            ok = False
    for k in spec.causes:
        if k not in var.parents:
            issues.append((("cpt", form, "causes", k), f"'{k}' is not a parent of this variable{did_you_mean(k, var.parents)}",
                           {"expected": f"one of {list(var.parents)}", "fix": "add it to parents or remove it"}))
            ok = False
    if not ok:
        return None
    absent = {p: spec.absent.get(p, states[p][0]) for p in var.parents}
    for p in var.parents:
        if p not in spec.causes:
            issues.append((("cpt", form, "causes"), f"no entry for parent '{p}'",
                           {"fix": f"give the child's probability for each state of '{p}' except '{absent[p]}' (its absent state)"}))
            ok = False
            continue
        given = spec.causes[p]
        for s in given:
            if s not in states[p]:
                issues.append((("cpt", form, "causes", p, s), f"'{s}' is not a state of '{p}'{did_you_mean(s, states[p])}",
                               {"expected": f"one of {list(states[p])}"}))
                ok = False
            elif s == absent[p]:
                issues.append((("cpt", form, "causes", p, s), f"'{s}' is the absent state of '{p}' and takes no parameter",
                               {"fix": "remove it (the leak covers it) or set absent: for this parent"}))
                ok = False
        for s in states[p]:
            if s != absent[p] and s not in given:
                issues.append((("cpt", form, "causes", p), f"no parameter for '{p}={s}'",
                               {"fix": f"add {s}: <probability> under {p}"}))
                ok = False
    return absent if ok else None


def _noisy_or(var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]) -> np.ndarray | None:
    spec = var.cpt.noisy_or
    assert spec is not None
    if len(var.states) != 2:
        issues.append((("cpt", "noisy_or"), "noisy_or needs a binary variable",
                       {"found": f"{len(var.states)} states", "fix": "use noisy_max for graded variables"}))
        return None
    if spec.leak >= 1:
        issues.append((("cpt", "noisy_or", "leak"), "leak must be below 1", {"found": repr(spec.leak)}))
        return None
    absent = _causes_check(var, spec, states, "noisy_or", issues)
    if absent is None:
        return None
    ok = True
    for p, given in spec.causes.items():
        for s, c in given.items():
            if c < spec.leak:
                issues.append((("cpt", "noisy_or", "causes", p, s),
                               f"P({var.states[1]} | {p}={s} alone) is below the leak: a noisy-OR cause cannot lower the probability",
                               {"expected": f">= leak {spec.leak}", "found": repr(c), "fix": "raise it, or model this parent with a full table"}))
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


def _noisy_max(var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]) -> np.ndarray | None:
    spec = var.cpt.noisy_max
    assert spec is not None
    normalize = var.cpt.normalize
    leak = _dist(spec.leak, var.states, ("cpt", "noisy_max", "leak"), issues, normalize=normalize, what="leak")
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
            d = _dist(probs, var.states, path, issues, normalize=normalize, what=f"distribution for {p}={s}")
            if d is None:
                ok = False
                continue
            cdf = np.cumsum(d)
            cdf[-1] = 1.0
            if np.any(cdf > cdf_leak + 1e-12):
                issues.append((path, f"with only {p}={s} present the child is less severe than with the leak alone; a noisy-MAX cause can only raise it",
                               {"expected": "P(child <= y) no larger than the leak's for every y",
                                "fix": "shift probability toward higher states, or use a full table"}))
                ok = False
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios[(p, s)] = np.where(cdf_leak > 0, cdf / np.where(cdf_leak > 0, cdf_leak, 1.0), 0.0)
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


def _verbal(var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]) -> tuple[np.ndarray, np.ndarray] | None:
    cpt = var.cpt
    if len(var.states) != 2:
        issues.append((("cpt", "verbal"), "a verbal CPT needs a binary variable",
                       {"found": f"{len(var.states)} states", "fix": "use a table or noisy_max"}))
        return None
    event = cpt.event if cpt.event is not None else var.states[-1]
    if event not in var.states:
        issues.append((("cpt", "event"), f"'{event}' is not a state of this variable{did_you_mean(event, var.states)}",
                       {"expected": f"one of {list(var.states)}"}))
        return None
    e = var.states.index(event)
    words = [t.word for t in ICD203]

    def term(word: str, path: tuple) -> Any:
        t = icd203_term(word)
        if t is None:
            issues.append((path, f"'{word}' is not an ICD 203 term{did_you_mean(word, words)}",
                           {"expected": "one of " + ", ".join(words)}))
        return t

    shape = tuple(len(states[p]) for p in var.parents)
    probs = np.zeros((2, *shape))
    bands = np.zeros((2, *shape))
    if isinstance(cpt.verbal, str):
        if var.parents:
            issues.append((("cpt", "verbal"), "a variable with parents needs a list of rows",
                           {"expected": "a list of {when: {...}, term: ...}"}))
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
        key = _row_key(row.when, var.parents, states, path, issues)
        t = term(row.term, (*path, "term"))
        if key is None or t is None or not _first_row(key, i, seen, var.parents, path, issues):
            ok = False
            continue
        idx = tuple(states[p].index(s) for p, s in zip(var.parents, key, strict=True))
        probs[(e, *idx)] = t.midpoint
        probs[(1 - e, *idx)] = 1 - t.midpoint
        bands[(0, *idx)] = t.low
        bands[(1, *idx)] = t.high
    missing = [c for c in _cfg(var.parents, states) if c not in seen]
    if missing and ok:
        shown = ", ".join(_fmt_cfg(var.parents, c) for c in missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        issues.append((("cpt", "verbal"), f"missing row(s) {shown}",
                       {"expected": f"{len(_cfg(var.parents, states))} rows", "found": f"{len(seen)} rows"}))
        return None
    return (probs, bands) if ok else None


def expand_cpt(
    var: VariableSpec, states: Mapping[str, Sequence[str]]
) -> tuple[np.ndarray | None, np.ndarray | None, list[Issue]]:
    """Expand a variable's CPT to a full table.

    Returns ``(table, bands, issues)``; ``table`` has shape ``(len(states), *parent cards)``
    and is ``None`` when there are issues; ``bands`` is set for verbal CPTs only.

    ``states`` maps every variable id (at least this one's parents) to its states.
    """
    issues: list[Issue] = []
    forms = [f for f in ("table", "noisy_or", "noisy_max", "verbal") if getattr(var.cpt, f) is not None]
    if len(forms) != 1:
        issues.append((("cpt",), "a CPT needs exactly one of table, noisy_or, noisy_max, verbal",
                       {"found": ", ".join(forms) if forms else "none of them"}))
        return None, None, issues
    if var.cpt.event is not None and forms[0] != "verbal":
        issues.append((("cpt", "event"), "event applies to verbal CPTs only", {"fix": "remove event"}))
        return None, None, issues
    form = forms[0]
    bands = None
    if form == "table":
        table = _table(var, states, issues)
    elif form == "noisy_or":
        table = _noisy_or(var, states, issues)
    elif form == "noisy_max":
        table = _noisy_max(var, states, issues)
    else:
        res = _verbal(var, states, issues)
        table, bands = (res if res is not None else (None, None))
    if issues:
        return None, None, issues
    return table, bands, issues
