"""Expectation-maximisation for cases with missing values, the elicited CPTs as the prior.

Each iteration fills in what a case does not say with its posterior under the current CPTs
(the E-step: one exact joint query per distinct pattern of observed values, over that
pattern's missing variables) and adds the expected counts to the prior's pseudo counts
(the M-step: ``(alpha + expected counts) / total``, column by column). Started at the
elicited CPTs, it climbs ``log P(observed cases | CPTs) + sum alpha log CPT``, the
objective pgmpy's ``DiscreteEM`` climbs with a Dirichlet M-step, to a local maximum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..network import Network


def _family_counts(
    net: Network, name: str, row: Sequence[int], missing: Sequence[str], joint: np.ndarray
) -> np.ndarray:
    """The expected counts one case adds to ``name``'s CPT, given the joint posterior of its
    missing variables (axes in ``missing`` order); shape of the CPT."""
    family = [name, *net.parents[name]]
    cards = [len(net.states[v]) for v in family]
    out = np.zeros(cards)
    col = {v: i for i, v in enumerate(net.variables)}
    lost = [v for v in family if row[col[v]] < 0]
    if not lost:
        out[tuple(row[col[v]] for v in family)] = 1.0
        return out
    # the posterior of the family's missing variables: sum the joint over the others
    axes = tuple(i for i, v in enumerate(missing) if v not in lost)
    marg = joint.sum(axis=axes) if axes else joint
    kept = [v for v in missing if v in lost]  # marg's axis order
    marg = np.transpose(marg, [kept.index(v) for v in lost])
    index = tuple(slice(None) if row[col[v]] < 0 else row[col[v]] for v in family)
    out[index] = marg
    return out


def em(
    net: Network,
    codes: np.ndarray,
    alpha: Mapping[str, np.ndarray],
    *,
    max_iter: int = 500,
    tol: float = 1e-10,
) -> tuple[Network, dict[str, np.ndarray], float, int, bool]:
    """Fit the CPTs in ``alpha`` (their Dirichlet pseudo counts, CPT-shaped) to the cases.

    ``codes`` has one row per case and one column per network variable (``net.variables``
    order): the state's index, or -1 where the case does not say. Returns the fitted
    network, the expected counts of the last E-step, the log-likelihood of the observed
    cases under the fitted CPTs, the number of iterations and whether it converged."""
    patterns, weights = np.unique(codes, axis=0, return_counts=True)
    current = net
    names = list(alpha)
    counts: dict[str, np.ndarray] = {}
    converged, it = False, 0
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is returned)
        counts, _ = _expected(current, patterns, weights, names)
        new = {}
        for name in names:
            post = alpha[name] + counts[name]
            card = post.shape[0]
            flat = post.reshape(card, -1)
            total = flat.sum(axis=0, keepdims=True)
            old = current.cpt(name).reshape(card, -1)
            flat = np.where(total > 0, flat / np.where(total > 0, total, 1.0), old)
            new[name] = flat.reshape(post.shape)
        change = max(float(np.abs(new[n] - current.cpt(n)).max()) for n in names)
        current = current.with_cpts(new)
        if change < tol:
            converged = True
            break
    counts, loglik = _expected(current, patterns, weights, names)
    return current, counts, loglik, it, converged


def _expected(
    net: Network, patterns: np.ndarray, weights: np.ndarray, names: Sequence[str]
) -> tuple[dict[str, np.ndarray], float]:
    counts = {n: np.zeros(net.cpt(n).shape) for n in names}
    loglik = 0.0
    for row, w in zip(patterns, weights, strict=True):
        given = {
            v: net.states[v][int(k)] for v, k in zip(net.variables, row, strict=True) if k >= 0
        }
        missing = [v for v, k in zip(net.variables, row, strict=True) if k < 0]
        if missing:
            ev = net.resolve(given=given)
            raw = net.joint_unnormalized(missing, ev)
            pe = float(raw.sum())
            joint = raw / pe if pe > 0 else raw
        else:
            pe = float(
                np.prod(
                    [
                        net.cpt(v)[tuple(int(row[net.index(u)]) for u in (v, *net.parents[v]))]
                        for v in net.variables
                    ]
                )
            )
            joint = np.ones(())
        loglik += float(w) * float(np.log(max(pe, 1e-300)))
        for n in names:
            counts[n] += float(w) * _family_counts(net, n, row, missing, joint)
    return counts, loglik
