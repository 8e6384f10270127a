"""Max-product variable elimination on engine indices: the most probable joint state of some
variables (MPE, or partial MAP when the others are summed out first). Behind
:meth:`estimative.network.Network.map`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import Structure
from ..errors import ImpossibleEvidenceError, QueryError
from ..spec.limits import TABLE_CELLS
from .prepared import Evidence, engine_args
from .results import Explanation

if TYPE_CHECKING:
    from .network import Network

Factor = tuple[tuple[int, ...], np.ndarray]


def most_probable(
    structure: Structure,
    cpts: Sequence[np.ndarray],
    evidence: Mapping[int, np.ndarray],
    do: Mapping[int, int],
    query: Sequence[int],
) -> tuple[float, dict[int, int]]:
    """The most probable state of each ``query`` variable and the unnormalised probability
    ``max P(query, evidence | do)`` of that joint state.

    Parameters
    ----------
    structure : Structure
        The network's graph (engine indices).
    cpts : sequence of arrays
        One CPT per variable, ``(card, *parent cards)``.
    evidence : mapping
        Likelihood vector per observed variable (a one-hot vector for a hard finding).
    do : mapping
        The forced state of each intervened variable (its CPT becomes a point mass).
    query : sequence of int
        The variables to maximise over; every other variable is summed out first.

    Returns
    -------
    tuple
        ``(best, assignment)``: the unnormalised probability and ``{variable: state index}``.

    >>> s = Structure(names=("a",), cards=(2,), parents=((),))
    >>> most_probable(s, [np.array([0.3, 0.7])], {}, {}, [0])
    (0.7, {0: 1})
    """
    # Only the ancestors of the query and the evidence matter (not crossing into the parents of
    # an intervened variable): every other CPT sums to one, a barren node.
    needed = structure.ancestors([*query, *evidence], frozenset(do))
    factors: list[Factor] = []
    for i, cpt in enumerate(cpts):
        if i not in needed:
            continue
        if i in do:
            vec = np.zeros(structure.cards[i])
            vec[do[i]] = 1.0
            factors.append(((i,), vec))
        else:
            factors.append(((i, *structure.parents[i]), cpt))
    for i, vec in evidence.items():
        factors.append(((i,), vec))
    qset = set(query)
    others = [i for i in range(len(structure.cards)) if i not in qset and i in needed]
    # Sum out non-query variables, then max out query variables, recording argmax tables.
    factors, _ = _eliminate(factors, others, structure.cards, mode="sum")
    factors, trace = _eliminate(factors, list(query), structure.cards, mode="max")
    best = float(np.prod([float(np.asarray(f)) for _, f in factors])) if factors else 1.0
    assign: dict[int, int] = {}
    for var, scope, argmax in reversed(trace):
        key = tuple(assign[s] for s in scope)
        if scope:
            assert isinstance(argmax, np.ndarray)
            assign[var] = int(argmax[key])
        else:
            assign[var] = int(argmax)
    return best, assign


# (variable, the rest of its factor's scope, argmax over the variable); with an empty rest the
# argmax is a numpy scalar, not an array.
_Argmax = tuple[int, tuple[int, ...], np.ndarray | np.integer[Any]]


def _eliminate(
    factors: list[tuple[tuple[int, ...], np.ndarray]],
    order_vars: list[int],
    cards: Sequence[int],
    *,
    mode: str,
) -> tuple[list[tuple[tuple[int, ...], np.ndarray]], list[_Argmax]]:
    """Eliminate ``order_vars`` (greedy min-size order) by sum or max; return the remaining
    factors and, for max, each variable's argmax table over the rest of its factor's scope."""
    remaining = list(order_vars)
    trace: list[_Argmax] = []
    factors = list(factors)
    while remaining:

        def cost(v: int, factors: list[tuple[tuple[int, ...], np.ndarray]] = factors) -> int:
            scope: set[int] = set()
            for sc, _ in factors:
                if v in sc:
                    scope.update(sc)
            return int(np.prod([cards[s] for s in scope])) if scope else 1

        var = min(remaining, key=lambda v: (cost(v), v))
        if cost(var) > TABLE_CELLS.value():
            raise QueryError(
                f"the most probable explanation would build a table of {cost(var)} numbers",
                expected=f"at most {TABLE_CELLS.value()} ({TABLE_CELLS.env})",
                fix="name fewer variables to explain, or observe some of them; a factorised "
                "noisy CPT's hidden chain must be summed out before its parents are maximised",
            )
        remaining.remove(var)
        touching = [f for f in factors if var in f[0]]
        factors = [f for f in factors if var not in f[0]]
        scope = tuple(sorted({s for sc, _ in touching for s in sc}))
        if not touching:
            if mode == "max":
                trace.append((var, (), np.int64(0)))
            continue
        letters = {
            s: chr(ord("a") + k) if k < 26 else chr(ord("A") + k - 26) for k, s in enumerate(scope)
        }
        eq = (
            ",".join("".join(letters[s] for s in sc) for sc, _ in touching)
            + "->"
            + "".join(letters[s] for s in scope)
        )
        prod = np.einsum(eq, *[np.asarray(f) for _, f in touching])
        axis = scope.index(var)
        rest = tuple(s for s in scope if s != var)
        if mode == "sum":
            new = prod.sum(axis=axis)
        else:
            new = prod.max(axis=axis)
            trace.append((var, rest, prod.argmax(axis=axis)))
        factors.append((rest, new))
    return factors, trace


def explain(net: Network, variables: Sequence[str] | None, ev: Evidence) -> Explanation:
    """:meth:`Network.map` once its conditions are resolved (and any reacting rules written
    into ``net``)."""
    evidence, dov = engine_args(net.index, net.state_index, net.structure.cards, ev)
    if variables is None:
        query = [
            i
            for i in range(len(net.variables))
            if i not in dov and net.variables[i] not in ev.given
        ]
    else:
        query = [net.index(v) for v in variables]
    best, assign = most_probable(net.structure, net.cpts, evidence, dov, query)
    total = float(net.joint_unnormalized([], ev).sum())
    if not total > 1e-300:
        raise ImpossibleEvidenceError(
            f"the evidence has probability zero under the model: {ev.describe()}"
        )
    names = {net.variables[i]: net.states[net.variables[i]][assign[i]] for i in query}
    return Explanation(names, best / total, dict(ev.given), dict(ev.do))
