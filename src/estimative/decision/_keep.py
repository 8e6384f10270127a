"""Expected attribute utility jointly with each state of many variables at once.

For every alternative ``i`` and variable ``x``: ``P[i, x] = P(x | do_i)`` and
``E[i, a, x] = E[value_a ; x | do_i] = lo_a P(x | do_i) + (hi_a - lo_a) P(U_a = high | do_i)
P(x | U_a = high, do_i)``, through the utility network's nodes ``U_a`` (Cooper, 1988).

All of them come from all-marginals passes (:meth:`Network.marginals`) on the utility network,
one with no finding and one with each utility node seen ``high`` (the finding's probability is
``P(U_a = high | do_i)``; the other utility nodes are left out), in which every alternative is
a batch row: the alternatives' do() are per-row conditions, so each pass compiles one plan for
all of them (its shape does not depend on which alternative a row is). Alternatives with
reacting rules run on the network with their rules written as CPTs, one set of passes per set
of rules (and per set of intervened variables that have parents).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import ImpossibleEvidenceError
from ..network import Network
from ._core import AlternativeSet, UtilityModel, _utility_network


@dataclass(frozen=True)
class KeptTensors:
    """``base[i, a]`` = E[value_a | do_i]; ``tensors[x]`` = ``(E[i, a, x], P[i, x])``."""

    base: np.ndarray
    tensors: dict[str, tuple[np.ndarray, np.ndarray]]


def keep_tensors(
    net: Network, util: UtilityModel, alts: AlternativeSet, variables: Sequence[str]
) -> KeptTensors:
    """``alternative_tensors(net, util, alts, keep=[x])`` for every ``x`` in ``variables``, and
    ``alternative_tensors(net, util, alts)`` itself (``base``), at the model's numbers, from
    ``1 + attributes`` batched all-marginals passes per set of reacting rules."""
    unet, unames, lo, hi = _utility_network(net, util)
    n_alt, n_att = len(alts.alternatives), len(unames)
    base = np.zeros((n_alt, n_att))
    e = {v: np.zeros((n_alt, n_att, len(net.states[v]))) for v in variables}
    p = {v: np.zeros((n_alt, len(net.states[v]))) for v in variables}
    # One group per set of rules and of intervened variables that have parents: in a group
    # those are set in every row, so do() cuts them from their parents as it does one query
    # (a row that left one alone would keep its parents joined for every row).
    groups: list[tuple[tuple, frozenset[str], list[int]]] = []
    for i, alt in enumerate(alts.alternatives):
        cut = frozenset(k for k in alt.do if unet.parents[k])
        for rules, keys, members in groups:
            if rules == alt.rules and keys == cut:
                members.append(i)
                break
        else:
            groups.append((alt.rules, cut, [i]))
    for rules, _, members in groups:
        do = _row_do(alts, members)
        rows = len(members)  # rows that agree on every do() come back as one row
        if variables:
            m = unet.marginals(do=do, rules=rules, variables=variables)  # one row per member
            for v in variables:
                p[v][members] = np.broadcast_to(m.probs[v], (rows, m.probs[v].shape[1]))
                e[v][members] = lo[None, :, None] * p[v][members][:, None, :]
        base[members] = lo
        for a, u in enumerate(unames):
            if hi[a] <= lo[a]:
                continue
            # U_a seen high: P(U_a = high | do_i) is the finding's probability, and the other
            # utility nodes are left out (all of them at once would join every attribute's
            # variables in one contraction)
            try:
                seen = unet.marginals(given={u: "high"}, do=do, rules=rules, variables=variables)
            except ImpossibleEvidenceError:  # one row, and U_a can never be high
                continue
            high = np.broadcast_to(seen.evidence_prob, (rows,))
            base[members, a] += (hi[a] - lo[a]) * high
            for v in variables:
                for r, i in enumerate(members):
                    if high[r] > 0:
                        row = seen.probs[v][r if len(seen) > 1 else 0]
                        e[v][i, a] += (hi[a] - lo[a]) * high[r] * row
    return KeptTensors(base, {v: (e[v], p[v]) for v in variables})


def _row_do(alts: AlternativeSet, rows: Sequence[int]) -> dict[str, str | list[str | None]]:
    """The alternatives' do() per row: a state shared by every row once, others per row."""
    keys = dict.fromkeys(k for i in rows for k in alts.alternatives[i].do)
    out: dict[str, str | list[str | None]] = {}
    for k in keys:
        states = [alts.alternatives[i].do.get(k) for i in rows]
        first = states[0]
        out[k] = first if first is not None and all(s == first for s in states) else states
    return out
