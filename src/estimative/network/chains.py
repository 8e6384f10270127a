"""The engine's nodes: one per variable, and for a factorised noisy CPT a chain of hidden ones.

A noisy-OR or noisy-MAX CPT too large to expand (:func:`estimative.spec.limits.factorised`)
enters the engine as its factorised form (:func:`estimative.spec.noisy.noisy_chain`, parent
divorcing): a hidden node holding the leak's state, then one node per parent, each the highest
of the node before and that parent's own contribution; the last node of the chain is the
variable itself, whose engine parents are the chain's previous node and its last parent. Each
table is ``card x card x parent's states`` numbers, so a 40-parent noisy-OR contracts as a
chain and its answers are exact.

The hidden nodes come after the variables (engine indices ``len(net.variables)`` and up);
their names hold a control character no variable id can, so :meth:`Network.index` never
finds them and nothing built from ``net.variables`` (marginals, views, briefs) lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import Structure
from ..errors import QueryError

if TYPE_CHECKING:
    from .network import Network

#: Joins a variable's id and the position of a chain node in the hidden node's name.
HIDDEN = "\x1f"


def engine_nodes(
    order: Sequence[str],
    states: Mapping[str, Sequence[str]],
    parents: Mapping[str, Sequence[str]],
    variables: Mapping[str, Any],
) -> tuple[Structure, tuple[np.ndarray, ...], dict[str, tuple[int, ...]]]:
    """The engine's structure and tables for variables in topological ``order``, and each
    factorised variable's chain of engine nodes (``(leak node, ..., the variable)``).

    ``variables`` maps (at least) each id of ``order`` to its
    :class:`~estimative.spec.VariableSpec` (its ``table``, or its ``factors`` when factorised).

    >>> from estimative import load_model
    >>> spec = load_model("models/example")
    >>> order = [v.id for v in spec.variables]
    >>> s, cpts, chains = engine_nodes(order, {v.id: v.states for v in spec.variables},
    ...     {v.id: v.parents for v in spec.variables}, {v.id: v for v in spec.variables})
    >>> len(s.names), chains
    (5, {})
    """
    index = {v: i for i, v in enumerate(order)}
    names = list(order)
    cards = [len(states[v]) for v in order]
    pars: list[tuple[int, ...]] = [tuple(index[p] for p in parents[v]) for v in order]
    cpts: list[np.ndarray] = []
    factored = []
    for v in order:
        f = variables[v].factors
        if f is None:
            cpts.append(np.asarray(variables[v].table, dtype=float))
        else:
            cpts.append(np.empty(0))  # set below, with the chain
            factored.append((v, f.chain()))
    chains: dict[str, tuple[int, ...]] = {}
    for v, tables in factored:
        k, last = cards[index[v]], index[v]
        nodes: list[int] = []
        for j in range(len(tables)):
            if j == len(tables) - 1:
                node = last
            else:
                node = len(names)
                names.append(f"{v}{HIDDEN}{j}")
                cards.append(k)
                pars.append(())
                cpts.append(np.empty(0))
            pars[node] = () if j == 0 else (nodes[-1], index[parents[v][j - 1]])
            cpts[node] = np.asarray(tables[j], dtype=float)
            nodes.append(node)
        chains[v] = tuple(nodes)
    return Structure(tuple(names), tuple(cards), tuple(pars)), tuple(cpts), chains


def chain_tables(
    net: Network, variable: str, tables: Sequence[np.ndarray], into: list[np.ndarray]
) -> None:
    """Put a factorised ``variable``'s chain ``tables`` (as
    :func:`~estimative.spec.noisy.noisy_chain` returns them) at its nodes in ``into``, a list
    of engine arrays."""
    for node, t in zip(net.chains[variable], tables, strict=True):
        into[node] = t


def factorised_error(net: Network, variable: str, what: str) -> QueryError:
    """The error for a step that needs a factorised CPT's full table."""
    v = net.spec.variable(variable)
    cells = len(v.states) * int(np.prod([len(net.states[p]) for p in v.parents], dtype=float))
    return QueryError(
        f"the CPT of '{variable}' is a {v.cpt.form} over {len(v.parents)} parents, kept "
        f"factorised (a chain of small tables; its full table would hold {cells:.3g} numbers): "
        f"this step needs {what}",
        fix="queries, marginals, intervals and sensitivity of the numbers entered run on the "
        "factorised form; for this step give the variable fewer parents (the limit is "
        "ESTIMATIVE_MAX_NOISY_CELLS, docs/model-format.md, Limits)",
    )
