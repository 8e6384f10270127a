"""Reference implementations the tests, benchmarks and exports compare against: the network as
a pgmpy model (do() by surgery in the model itself) and the full joint by enumeration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .chains import factorised_error

if TYPE_CHECKING:
    from .network import Network


def to_pgmpy(net: Network, *, do: Mapping[str, str] | None = None) -> Any:
    """``net`` as a pgmpy ``DiscreteBayesianNetwork``; see :meth:`Network.to_pgmpy`."""
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    for name in net.chains:
        raise factorised_error(net, name, "its full table (a pgmpy TabularCPD)")
    do = dict(do or {})
    for var, st in do.items():
        net.state_index(var, st)
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(net.variables)
    for v, cpt in zip(net.variables, net.cpts, strict=True):
        states = list(net.states[v])
        if v in do:
            onehot = np.array([[1.0 if s == do[v] else 0.0] for s in states])
            model.add_cpds(TabularCPD(v, len(states), onehot, state_names={v: states}))
            continue
        pars = list(net.parents[v])
        model.add_edges_from([(p, v) for p in pars])
        model.add_cpds(
            TabularCPD(
                v,
                len(states),
                cpt.reshape(len(states), -1),
                evidence=pars or None,
                evidence_card=[len(net.states[p]) for p in pars] or None,
                state_names={v: states, **{p: list(net.states[p]) for p in pars}},
            )
        )
    return model


def brute_force_joint(net: Network) -> np.ndarray:
    """The full joint distribution by enumeration (tiny networks only; used by tests): every
    CPT, its axes put in the variables' order, broadcast over the whole joint and multiplied
    in, so each entry is the product of one entry of each CPT; a factorised CPT's hidden chain
    nodes are summed out, one axis per variable."""
    shape = tuple(net.structure.cards)
    joint = np.ones(shape)
    for i, cpt in enumerate(net.cpts):
        axes = (i, *net.structure.parents[i])
        order = sorted(range(len(axes)), key=lambda k: axes[k])
        table = np.transpose(np.asarray(cpt, dtype=float), order)
        joint = joint * table.reshape([shape[a] if a in axes else 1 for a in range(len(shape))])
    return joint.sum(axis=tuple(range(len(net.variables), len(shape))))
