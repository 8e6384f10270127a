"""Noisy-OR and noisy-MAX CPTs (Diez's parameterisation, with a leak) expanded to full tables.

Each cause's row is the child's distribution with only that cause present; the checks make
sure every cause can only raise the child, as the form requires.

The expansion goes through two maps from the form's own parameters to a full table, which the
parameter draws (:mod:`estimative.priors`) use too, so a draw is expanded by the same code as
the point values: :func:`noisy_or_array` (the leak and each cause's *net* link, the chance the
cause alone produces the child over and above the leak) and :func:`noisy_max_array` (the
leak's distribution and each cause's net distribution, whose CDF times the leak's CDF is the
CDF of the child with only that cause present). :func:`noisy_point` reads a checked spec's
numbers into those parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import did_you_mean
from .models import NoisyMaxSpec, NoisyOrSpec, VariableSpec
from .rows import Issue, distribution


def _along(a: np.ndarray, axis: int, n_axes: int, lead: int) -> np.ndarray:
    """``a`` of shape ``(*lead dims, card, *batch)`` with its card axis moved to position
    ``lead + axis`` among ``n_axes`` parent axes (size-1 axes elsewhere)."""
    a = np.asarray(a, dtype=float)
    head, card, batch = a.shape[:lead], a.shape[lead], a.shape[lead + 1 :]
    shape = (*head, *([1] * axis), card, *([1] * (n_axes - axis - 1)), *batch)
    return a.reshape(shape)


def noisy_or_array(leak: Any, links: Sequence[np.ndarray]) -> np.ndarray:
    """The noisy-OR table from the leak and each parent's net links.

    ``leak`` is P(child present | every cause absent), a number or an array of shape ``batch``;
    ``links[j]`` has shape ``(card_j, *batch)``: for each state of parent ``j`` the chance that
    this state alone produces the child over and above the leak (0 for the absent state).
    Returns ``(2, *cards, *batch)``: P(absent | cfg) = (1 - leak) x prod_j (1 - link_j).

    >>> noisy_or_array(0.1, [np.array([0.0, 0.5])])[1].round(2).tolist()
    [0.1, 0.55]
    """
    n = len(links)
    q = 1.0 - np.asarray(leak, dtype=float)
    q = q.reshape((1,) * n + q.shape)
    for j, link in enumerate(links):
        q = q * (1.0 - _along(link, j, n, 0))
    return np.stack([q, 1.0 - q])


def noisy_max_array(leak: np.ndarray, links: Sequence[np.ndarray]) -> np.ndarray:
    """The noisy-MAX table from the leak's distribution and each parent's net distributions.

    ``leak`` has shape ``(K, *batch)`` (the child's distribution with every cause absent);
    ``links[j]`` has shape ``(card_j, K, *batch)``: for each state of parent ``j`` the
    distribution the cause contributes on its own (a point mass on the lowest state for the
    absent state). The child's CDF in a configuration is the leak's CDF times each present
    cause's CDF. Returns ``(K, *cards, *batch)``.

    >>> noisy_max_array(np.array([0.8, 0.2]), [np.array([[1.0, 0.0], [0.5, 0.5]])])[1].round(2).tolist()
    [0.2, 0.6]
    """
    n = len(links)
    leak = np.asarray(leak, dtype=float)
    cdf = np.cumsum(leak, axis=0)
    cdf = cdf.reshape((cdf.shape[0],) + (1,) * n + cdf.shape[1:])
    for j, link in enumerate(links):
        cum = np.moveaxis(np.cumsum(np.asarray(link, dtype=float), axis=1), 0, 1)
        cdf = cdf * _along(cum, j, n, 1)
    out = np.diff(cdf, axis=0, prepend=0.0)
    if len(cdf) > 1:
        out[-1] = 1.0 - cdf[len(cdf) - 2]
    return out


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
    """The checked noisy-OR CPT of ``var`` as a full table (``None``, with ``issues``, when a
    check fails)."""
    absent = _or_checked(var, states, issues)
    if absent is None:
        return None
    spec = var.cpt.noisy_or
    assert spec is not None
    return noisy_or_array(spec.leak, _or_links(var, states, absent))


def _or_checked(
    var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]
) -> dict[str, str] | None:
    """Each parent's absent state when ``var``'s noisy-OR passes every check, else ``None``."""
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
    return absent if ok else None


def _or_links(
    var: VariableSpec, states: Mapping[str, Sequence[str]], absent: Mapping[str, str]
) -> list[np.ndarray]:
    spec = var.cpt.noisy_or
    assert spec is not None
    links = []
    for p in var.parents:
        link = np.zeros(len(states[p]))
        for i, s in enumerate(states[p]):
            if s != absent[p]:
                link[i] = 1.0 - (1.0 - spec.causes[p][s]) / (1.0 - spec.leak)
        links.append(link)
    return links


def noisy_max_table(
    var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]
) -> np.ndarray | None:
    """The checked noisy-MAX CPT of ``var`` as a full table (``None``, with ``issues``, when
    a check fails)."""
    checked = _max_checked(var, states, issues)
    if checked is None:
        return None
    leak, absent, ratios = checked
    return np.clip(noisy_max_array(leak, _max_links(var, states, absent, ratios)), 0.0, 1.0)


def _max_checked(
    var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]
) -> tuple[np.ndarray, dict[str, str], dict[tuple[str, str], np.ndarray]] | None:
    """``(leak, absent states, CDF ratios)`` when ``var``'s noisy-MAX passes every check."""
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
            net = np.diff(ratios[(p, s)], prepend=0.0)
            if np.any(net < -1e-9):
                y = int(np.argmin(net))
                issues.append(
                    (
                        path,
                        f"with only {p}={s} present, the cause's own contribution would give "
                        f"'{var.states[y]}' a negative probability ({net[y]:.3g}): "
                        "P(child <= y | cause alone) / P(child <= y | leak) must not fall as y rises",
                        {
                            "expected": "a distribution whose CDF, divided by the leak's CDF, "
                            "rises with the state",
                            "found": ", ".join(f"{x:.3g}" for x in ratios[(p, s)]),
                            "fix": f"for {p}={s}, give '{var.states[y]}' more probability "
                            f"(from a higher state) or the states below it less; or use a "
                            "full table",
                        },
                    )
                )
                ok = False
    if not ok:
        return None
    return leak, absent, ratios


def _max_links(
    var: VariableSpec,
    states: Mapping[str, Sequence[str]],
    absent: Mapping[str, str],
    ratios: Mapping[tuple[str, str], np.ndarray],
) -> list[np.ndarray]:
    k = len(var.states)
    links = []
    for p in var.parents:
        link = np.zeros((len(states[p]), k))
        for i, s in enumerate(states[p]):
            if s == absent[p]:
                link[i, 0] = 1.0
            else:
                link[i] = np.diff(ratios[(p, s)], prepend=0.0)
        links.append(link)
    return links


@dataclass(frozen=True)
class NoisyPoint:
    """A checked noisy-OR or noisy-MAX CPT as the arguments of its map: ``leak`` (a number for
    noisy-OR, the leak's distribution for noisy-MAX), ``links`` (one array per parent, in the
    variable's parent order, see :func:`noisy_or_array` / :func:`noisy_max_array`),
    ``absent`` (each parent's absent state) and ``written`` (each cause's numbers as written:
    P(present | cause alone) for noisy-OR, the distribution for noisy-MAX)."""

    form: str
    leak: Any
    links: tuple[np.ndarray, ...]
    absent: dict[str, str]
    written: dict[tuple[str, str], Any]

    def table(self) -> np.ndarray:
        """The full table these parameters give."""
        if self.form == "noisy_or":
            return noisy_or_array(self.leak, self.links)
        return noisy_max_array(self.leak, self.links)

    def chain(self) -> tuple[np.ndarray, ...]:
        """The factorised form of the table: see :func:`noisy_chain` (a checked noisy-MAX's
        net links may miss 0 by rounding: clipped, as the full table is)."""
        return tuple(np.clip(t, 0.0, 1.0) for t in noisy_chain(self.form, self.leak, self.links))


def noisy_chain(form: str, leak: Any, links: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """The factorised form of a noisy-OR or noisy-MAX CPT (parent divorcing): the tables of a
    chain ``Z_0 = L``, ``Z_j = max(Z_{j-1}, U_j)``, whose last node is the child.

    ``L`` is the leak's state and ``U_j`` the state parent ``j`` alone produces, drawn from
    its net link (for noisy-OR the presence ``1`` with probability ``link_j``). The child of a
    noisy-MAX is the highest of the leak's state and every cause's own contribution, so
    ``Z_n`` has exactly the distribution of the full table in every configuration, while each
    table stays small: ``Z_0``'s is ``(K, *batch)`` (the leak's distribution) and ``Z_j``'s
    is ``(K, K, card_j, *batch)`` over ``(Z_j, Z_{j-1}, parent j)``, with
    ``P(Z_j = y | z, x) = [y = z] P(U_j <= y | x) + [y > z] P(U_j = y | x)``.
    ``leak`` and ``links`` are as for :func:`noisy_or_array` (``form="noisy_or"``) or
    :func:`noisy_max_array`, with the same trailing batch axes.

    >>> lk, step = noisy_chain("noisy_or", 0.1, [np.array([0.0, 0.5])])
    >>> lk.tolist(), step[1, 0].round(2).tolist(), step[1, 1].tolist()
    ([0.9, 0.1], [0.0, 0.5], [1.0, 1.0])
    """
    if form == "noisy_or":
        lo = np.asarray(leak, dtype=float)
        leak_d = np.stack([1.0 - lo, lo])
        dists = [
            np.stack([1.0 - np.asarray(x, float), np.asarray(x, float)], axis=1) for x in links
        ]
    else:
        leak_d = np.asarray(leak, dtype=float)
        dists = [np.asarray(x, dtype=float) for x in links]
    k = leak_d.shape[0]
    tables = [leak_d]
    for d in dists:  # (card_j, K, *batch)
        lk = np.moveaxis(d, 1, 0)[:, np.newaxis]  # (K, 1, card_j, *batch): P(U = y | x)
        cdf = np.cumsum(lk, axis=0)  # P(U <= y | x)
        tail = (1,) * (d.ndim - 1)
        same = np.eye(k).reshape(k, k, *tail)
        above = np.tril(np.ones((k, k)), -1).reshape(k, k, *tail)
        tables.append(same * cdf + above * lk)
    return tuple(tables)


def noisy_factors(
    var: VariableSpec, states: Mapping[str, Sequence[str]], issues: list[Issue]
) -> NoisyPoint | None:
    """The checked parameters of ``var``'s noisy-OR or noisy-MAX CPT, never expanded to a
    full table (``None``, with ``issues``, when a check fails): the factorised form of a CPT
    too large to expand (see :func:`noisy_chain`)."""
    if var.cpt.noisy_or is not None:
        ok = _or_checked(var, states, issues) is not None
    else:
        ok = _max_checked(var, states, issues) is not None
    return noisy_point(var, states) if ok else None


def noisy_point(var: VariableSpec, states: Mapping[str, Sequence[str]]) -> NoisyPoint:
    """The parameters of a (checked) noisy-OR or noisy-MAX CPT, read from the spec.

    >>> from estimative import load_model
    >>> spec = load_model("models/example")
    >>> var = spec.variable("misread_intent")
    >>> pt = noisy_point(var, {v.id: v.states for v in spec.variables})
    >>> bool(np.allclose(pt.table(), var.table))
    True
    """
    spec = var.cpt.noisy_or if var.cpt.noisy_or is not None else var.cpt.noisy_max
    if spec is None:
        raise ValueError(f"variable {var.id!r} has neither a noisy_or nor a noisy_max CPT")
    issues: list[Issue] = []
    absent = {p: spec.absent.get(p, states[p][0]) for p in var.parents}
    if isinstance(spec, NoisyOrSpec):
        written_or = {
            (p, s): float(c) for p, given in spec.causes.items() for s, c in given.items()
        }
        links = _or_links(var, states, absent)
        return NoisyPoint("noisy_or", float(spec.leak), tuple(links), absent, written_or)
    norm = var.cpt.normalize
    leak = distribution(spec.leak, var.states, (), issues, normalize=norm)
    assert leak is not None, issues
    cdf_leak = np.cumsum(leak)
    cdf_leak[-1] = 1.0
    ratios: dict[tuple[str, str], np.ndarray] = {}
    written: dict[tuple[str, str], Any] = {}
    for p, given in spec.causes.items():
        for s, probs in given.items():
            d = distribution(probs, var.states, (), issues, normalize=norm)
            assert d is not None, issues
            written[(p, s)] = d
            cdf = np.cumsum(d)
            cdf[-1] = 1.0
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios[(p, s)] = np.where(
                    cdf_leak > 0, cdf / np.where(cdf_leak > 0, cdf_leak, 1.0), 0.0
                )
    links = _max_links(var, states, absent, ratios)
    return NoisyPoint("noisy_max", leak, tuple(links), absent, written)
