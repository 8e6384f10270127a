"""Independent references for tests: brute-force enumeration of a network's full joint, and
a CPT parameter moved by proportional co-variation.

Nothing here uses the engine: the joint is the product of every CPT entry, enumerated
(:func:`estimative.network.brute_force_joint`), so it only suits tiny networks.
"""

from __future__ import annotations

import numpy as np

from estimative import Network
from estimative.network import brute_force_joint


def conditioned_joint(net: Network, *, given=None, do=None, soft=None) -> np.ndarray:
    """The full joint, mutilated for do() (the intervened CPT made a point mass) and multiplied
    by hard and soft evidence; normalised."""
    do = dict(do or {})
    if do:
        cut = {}
        for var, st in do.items():
            cpt = np.zeros_like(net.cpt(var))
            cpt[net.states[var].index(st)] = 1.0
            cut[var] = cpt
        net = net.with_cpts(cut)
    joint = brute_force_joint(net)
    for var, st in {**(given or {}), **do}.items():
        i = net.variables.index(var)
        mask = np.zeros(joint.shape[i])
        mask[net.states[var].index(st)] = 1.0
        joint = joint * mask.reshape([-1 if a == i else 1 for a in range(joint.ndim)])
    for var, lik in (soft or {}).items():
        i = net.variables.index(var)
        joint = joint * np.asarray(lik, dtype=float).reshape(
            [-1 if a == i else 1 for a in range(joint.ndim)]
        )
    return joint / joint.sum()


def enumerate_posterior(net: Network, target: str, *, given=None, do=None, soft=None) -> np.ndarray:
    """P(target | given, soft; do) by enumeration."""
    joint = conditioned_joint(net, given=given, do=do, soft=soft)
    t = net.variables.index(target)
    return joint.sum(axis=tuple(a for a in range(joint.ndim) if a != t))


def covary(net: Network, variable: str, state: str, parents: dict[str, str], x: float) -> Network:
    """The network with P(variable=state | parents) set to x, the rest of its column scaled
    proportionally (the proportional co-variation of the sensitivity literature)."""
    cpt = net.cpt(variable).copy()
    col = (slice(None), *(net.states[p].index(parents[p]) for p in net.parents[variable]))
    column = cpt[col]
    s = net.states[variable].index(state)
    new = column * (1 - x) / (1 - column[s])
    new[s] = x
    cpt[col] = new
    return net.with_cpts({variable: cpt})
