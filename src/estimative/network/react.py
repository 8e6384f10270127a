"""Policies that react: an instrument set by a rule on what happened before it.

A rule (``us_strike@2018H1 = yes if nk_icbm_test@2017H2 = yes, else no``) is a conditional
intervention. It is evaluated exactly by writing it as a CPT: the ruled variable gains the
rule's conditions as parents, and its table becomes a point mass on the rule's state where
every condition holds and, elsewhere, a point mass on ``otherwise`` (or, without one, the
variable's own CPT). The network with those tables is an ordinary network; it is built once
per set of rules and runs on the same engine, batched over parameter draws like any other.

>>> from estimative import Network
>>> net = Network.from_file("models/escalation_dynamic")
>>> rules = net.spec.policy("red_line").react
>>> reacting(net, rules).parents["us_strike@2018H1"]
('nk_icbm_test@2017H2',)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import QueryError
from ..spec import derive
from ..spec.timing import RuleSpec

if TYPE_CHECKING:
    from .network import Network


def reacting(net: Network, rules: Sequence[RuleSpec]) -> Network:
    """The network in which ``rules`` are written as CPTs (cached on ``net``)."""
    key = tuple(r.model_dump_json() for r in rules)
    cache: dict[tuple[str, ...], Network] = net.__dict__.setdefault("_reacting", {})
    if key in cache:
        return cache[key]
    _check(net, rules)
    byid = {v.id: v for v in net.spec.variables}
    changed = {}
    tables = {}
    for rule in rules:
        v = byid[rule.variable]
        extra = [c for c in rule.when if c not in v.parents]
        changed[v.id] = v.model_copy(update={"parents": [*v.parents, *extra]})
        tables[v.id] = rule_table(net, rule, net.cpt(v.id))
    spec = derive(
        net.spec,
        [changed.get(v.id, v) for v in net.spec.variables],
        tables=tables,
    )
    out = type(net)(spec)
    cache[key] = out
    return out


def rule_table(
    net: Network, rule: RuleSpec, table: np.ndarray, *, batched: bool = False
) -> np.ndarray:
    """The ruled variable's table with the rule written in: axes ``(child, *parents,
    *new condition parents[, draws])``."""
    var = rule.variable
    parents = list(net.parents[var])
    extra = [c for c in rule.when if c not in parents]
    tail = (table.shape[-1],) if batched else ()
    base = np.asarray(table, dtype=float).reshape(
        table.shape[: 1 + len(parents)] + (1,) * len(extra) + tail
    )
    full = (
        len(net.states[var]),
        *(len(net.states[p]) for p in parents),
        *(len(net.states[c]) for c in extra),
    )
    holds = np.ones(full[1:], dtype=bool)
    axes = [*parents, *extra]
    for c, states in rule.when.items():
        ok = np.zeros(len(net.states[c]), dtype=bool)
        ok[[net.state_index(c, s) for s in states]] = True
        shape = [1] * len(axes)
        shape[axes.index(c)] = len(ok)
        holds = holds & ok.reshape(shape)
    k = net.state_index(var, rule.state)
    set_to = np.zeros(full[0])
    set_to[k] = 1.0
    if rule.fallback is None:
        other = np.broadcast_to(base, full + tail)
    else:
        o = np.zeros(full[0])
        o[net.state_index(var, rule.fallback)] = 1.0
        other = np.broadcast_to(o.reshape((-1,) + (1,) * (len(full) - 1 + len(tail))), full + tail)
    point = set_to.reshape((-1,) + (1,) * (len(full) - 1 + len(tail)))
    mask = holds.reshape((1, *holds.shape) + (1,) * len(tail))
    return np.where(mask, point, other).astype(float)


def reacting_cpts(
    net: Network, rules: Sequence[RuleSpec], cpts: Sequence[np.ndarray], *, batched: bool
) -> list[np.ndarray]:
    """``cpts`` (one per engine node of ``net``, in its order) as the reacting network takes
    them: reordered to its nodes, the ruled variables' tables rewritten."""
    target = reacting(net, rules)
    # by engine node: a factorised CPT's hidden chain nodes keep their names in ``target``
    byname = dict(zip(net.structure.names, cpts, strict=True))
    for rule in rules:
        byname[rule.variable] = rule_table(net, rule, byname[rule.variable], batched=batched)
    return [byname[v] for v in target.structure.names]


def _check(net: Network, rules: Sequence[RuleSpec]) -> None:
    seen: set[str] = set()
    for rule in rules:
        net.state_index(rule.variable, rule.state)
        if rule.fallback is not None:
            net.state_index(rule.variable, rule.fallback)
        for c, states in rule.when.items():
            for s in states:
                net.state_index(c, s)
        if rule.variable in seen:
            raise QueryError(
                f"two rules set '{rule.variable}'",
                fix="apply one policy with rules for each variable at a time",
            )
        seen.add(rule.variable)
