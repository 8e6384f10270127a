"""Batched queries by name: the layer behind :meth:`estimative.network.Network.query_batch`."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import posterior_batch
from ..engine.core import Layout
from ..errors import QueryError
from ..spec.timing import RuleSpec
from .chains import factorised_error
from .names import named
from .prepared import Evidence
from .react import reacting, reacting_cpts
from .results import named_state, named_variable, state_position, variable_position

if TYPE_CHECKING:
    import pandas as pd

    from .network import Network

#: A condition value: one state for every row, or one per row (``None``: none in that row).
RowStates = str | Sequence[str | None]


@dataclass(frozen=True)
class BatchPosterior:
    """Posteriors of one query over ``N`` batch rows (parameter draws, evidence rows, do() rows).

    ``probs`` has shape ``(N, *target_cards)`` (``(N, card)`` for one target); rows whose
    evidence has probability zero are NaN and flagged in ``impossible``. ``evidence_prob[n]`` is
    P(evidence of row n) under that row's do(). Raw numbers: nothing is rounded.

    >>> from estimative import Network
    >>> bp = Network.from_file("models/example").query_batch("armed_clash", given={"misread_intent": ["yes", "no"]})
    >>> len(bp), bp.prob("yes").round(3).tolist()
    (2, [0.125, 0.03])
    """

    targets: tuple[str, ...]
    states: tuple[tuple[str, ...], ...]
    probs: np.ndarray
    evidence_prob: np.ndarray
    impossible: np.ndarray
    conditions: str = ""
    model_hash: str = ""
    _index: dict = field(default_factory=dict, compare=False, repr=False)
    #: Other names of the targets (``{alias: id}``) and of their states (``{id: {alias:
    #: state}}``), accepted wherever a target or a state is named.
    aliases: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    state_aliases: Mapping[str, Mapping[str, str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __len__(self) -> int:
        return int(self.probs.shape[0])

    def prob(self, state: str | Sequence[str] | Mapping[str, str | Sequence[str]]) -> np.ndarray:
        """P(event) per row, shape ``(N,)``: a state (or list of states) of a single target, or
        ``{target: state(s)}`` for several; NaN in impossible rows.

        Examples
        --------
        >>> bp = BatchPosterior(("rain",), (("no", "yes"),), np.array([[0.2, 0.8], [0.5, 0.5]]),
        ...                     np.ones(2), np.zeros(2, bool))
        >>> bp.prob("yes")
        array([0.8, 0.5])
        """
        if not isinstance(state, Mapping):
            if len(self.targets) != 1:
                raise QueryError(
                    "name the target of each state: prob({target: state, ...})", found=repr(state)
                )
            state = {self.targets[0]: state}
        mask = np.zeros(self.probs.shape[1:], dtype=bool)
        index: list[Any] = [slice(None)] * len(self.targets)
        for name, st in state.items():
            name = named_variable(self.aliases, name)
            k = variable_position(self.targets, name, what="a target of this query")
            wanted = [st] if isinstance(st, str) else list(st)
            table = self.state_aliases.get(name, {})
            index[k] = [state_position(name, self.states[k], named_state(table, s)) for s in wanted]
        sub = np.ix_(
            *[
                np.arange(len(s)) if isinstance(i, slice) else np.asarray(i)
                for s, i in zip(self.states, index, strict=True)
            ]
        )
        mask[sub] = True
        return self.probs.reshape(len(self), -1)[:, mask.reshape(-1)].sum(axis=1)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: targets, their states, per-row probabilities (nested lists, one axis per
        target; NaN in impossible rows), evidence probabilities and flags.

        >>> bp = BatchPosterior(("rain",), (("no", "yes"),), np.array([[0.2, 0.8]]), np.ones(1), np.zeros(1, bool))
        >>> bp.to_dict()["probs"], bp.to_dict()["impossible"]
        ([[0.2, 0.8]], [False])
        """
        return {
            "targets": list(self.targets),
            "states": [list(s) for s in self.states],
            "probs": self.probs.tolist(),
            "evidence_prob": self.evidence_prob.tolist(),
            "impossible": [bool(x) for x in self.impossible],
            "conditions": self.conditions,
            "model_hash": self.model_hash,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per batch row; a column per (joint) state, plus ``evidence_prob``, ``impossible``."""
        import itertools

        import pandas as pd

        cols = ["|".join(c) for c in itertools.product(*self.states)]
        df = pd.DataFrame(self.probs.reshape(len(self), -1), columns=cols)
        df["evidence_prob"] = self.evidence_prob
        df["impossible"] = self.impossible
        return df

    def __repr__(self) -> str:
        bad = int(self.impossible.sum())
        cond = f" | {self.conditions}" if self.conditions else ""
        return (
            f"<BatchPosterior P({', '.join(self.targets)}{cond}): {len(self)} rows"
            f"{f', {bad} impossible' if bad else ''}>"
        )

    def _repr_html_(self) -> str:
        mean = (
            np.nanmean(self.probs.reshape(len(self), -1), axis=0)
            if len(self) > int(self.impossible.sum())
            else np.full(int(np.prod(self.probs.shape[1:])), np.nan)
        )
        import itertools

        rows = "".join(
            f"<tr><td>{html.escape('|'.join(c))}</td><td style='text-align:right'>{m:.4f}</td></tr>"
            for c, m in zip(itertools.product(*self.states), mean, strict=True)
        )
        return (
            f"<div><b>{html.escape(repr(self))}</b><table><tr><th>state</th><th>mean over rows</th></tr>"
            f"{rows}</table></div>"
        )


def query_batch(
    net: Network,
    target: str | Sequence[str],
    *,
    cpts: Sequence[np.ndarray] | Mapping[str, np.ndarray] | None = None,
    given: Mapping[str, RowStates] | None = None,
    soft: Mapping[str, Any] | None = None,
    do: Mapping[str, RowStates] | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
    layout: Layout = "last",
    memory_cap: int | None = None,
    rules: Sequence[RuleSpec] = (),
) -> BatchPosterior:
    """See :meth:`estimative.network.Network.query_batch`."""
    targets = [net.name_of(t) for t in ([target] if isinstance(target, str) else target)]
    given, do, soft = named(net, given), named(net, do), named(net, soft)
    tidx = [net.index(t) for t in targets]
    if len(set(tidx)) != len(tidx):
        raise QueryError("a target is named twice", found=str(targets))
    if layout not in ("last", "first"):
        raise QueryError("layout must be 'last' or 'first'", found=repr(layout))
    ev, hard, dov, softv, row_soft = batch_conditions(
        net, given=given, soft=soft, do=do, policy=policy, scenario=scenario, rules=rules
    )
    if ev.rules:  # a reacting policy: the same rows on the network with the rules as CPTs
        ruled, kw = ruled_rows(net, ev, cpts, given, do, row_soft, layout)
        out = query_batch(ruled, targets, memory_cap=memory_cap, **kw)
        return BatchPosterior(
            out.targets,
            out.states,
            out.probs,
            out.evidence_prob,
            out.impossible,
            _describe(ev.describe(), given, do, row_soft),
            net.model_hash,
            aliases=net.spec.aliases,
            state_aliases=net._state_aliases,
        )
    arrays = _cpts(net, cpts)
    res = posterior_batch(
        net.structure,
        arrays,
        tidx,
        hard=hard,
        soft=softv,
        do=dov,
        layout=layout,
        memory_cap=memory_cap,
    )
    return BatchPosterior(
        tuple(targets),
        tuple(net.states[t] for t in targets),
        res.probs,
        res.evidence_prob,
        res.impossible,
        _describe(ev.describe(), given, do, row_soft),
        net.model_hash,
        aliases=net.spec.aliases,
        state_aliases=net._state_aliases,
    )


def batch_conditions(
    net: Network,
    *,
    given: Mapping[str, RowStates] | None = None,
    soft: Mapping[str, Any] | None = None,
    do: Mapping[str, RowStates] | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
    rules: Sequence[RuleSpec] = (),
) -> tuple[Evidence, dict[int, Any], dict[int, Any], dict[int, np.ndarray], dict[str, np.ndarray]]:
    """Shared and per-row conditions as engine indices: ``(shared evidence, hard, do, soft,
    per-row soft by name)``; every name and state checked. When the evidence carries reacting
    rules (``ev.rules``), the indices are of no use: run on :func:`ruled_rows` instead."""
    shared_given = {k: v for k, v in (given or {}).items() if isinstance(v, str)}
    shared_do = {k: v for k, v in (do or {}).items() if isinstance(v, str)}
    shared_soft, row_soft = {}, {}
    for k, v in (soft or {}).items():
        arr = None if isinstance(v, Mapping) else np.asarray(v, dtype=float)
        if arr is not None and arr.ndim == 2:
            row_soft[k] = arr
        else:
            shared_soft[k] = v
    ev = net.resolve(
        given=shared_given, do=shared_do, soft=shared_soft, policy=policy, scenario=scenario
    )
    if rules:
        ev = replace(ev, rules=(*ev.rules, *rules))
    if ev.rules:
        return ev, {}, {}, {}, row_soft
    hard: dict[int, Any] = {net.index(k): net.state_index(k, s) for k, s in ev.given.items()}
    dov: dict[int, Any] = {net.index(k): net.state_index(k, s) for k, s in ev.do.items()}
    softv: dict[int, np.ndarray] = {net.index(k): v for k, v in ev.soft.items()}
    for k, v in (given or {}).items():
        if not isinstance(v, str):
            i = net.index(k)
            hard[i] = _row_states(net, k, v)
            softv.pop(i, None)  # an explicit per-row finding replaces a scenario's soft one
    for k, v in (do or {}).items():
        if not isinstance(v, str):
            dov[net.index(k)] = _row_states(net, k, v)
    for k, arr in row_soft.items():
        i = net.index(k)
        card = net.structure.cards[i]
        if arr.shape[1] != card or np.any(~np.isfinite(arr)) or np.any(arr < 0):
            raise QueryError(
                f"per-row soft evidence on '{k}' must be non-negative, shape (N, {card})",
                found=str(arr.shape),
            )
        if i in hard:
            raise QueryError(f"'{k}' has both hard and soft evidence", fix="give one of them")
        softv[i] = arr
    return ev, hard, dov, softv, row_soft


def ruled_rows(
    net: Network,
    ev: Evidence,
    cpts: Sequence[np.ndarray] | Mapping[str, np.ndarray] | None,
    given: Mapping[str, RowStates] | None,
    do: Mapping[str, RowStates] | None,
    row_soft: Mapping[str, np.ndarray],
    layout: Layout,
) -> tuple[Network, dict[str, Any]]:
    """The network with ``ev``'s rules written as CPTs, and the keyword arguments that put the
    same rows (draws, per-row findings and do()) on it."""
    arrays = _cpts(net, cpts)
    batched = any(a.ndim > c.ndim for a, c in zip(arrays, net.cpts, strict=True))
    if batched and layout == "first":
        arrays = [
            np.moveaxis(a, 0, -1) if a.ndim > c.ndim else a
            for a, c in zip(arrays, net.cpts, strict=True)
        ]
    kw: dict[str, Any] = {
        "cpts": reacting_cpts(net, ev.rules, arrays, batched=batched),
        "given": {**ev.given, **{k: v for k, v in (given or {}).items() if not isinstance(v, str)}},
        "soft": {**dict(ev.soft.items()), **row_soft},
        "do": {**ev.do, **{k: v for k, v in (do or {}).items() if not isinstance(v, str)}},
    }
    return reacting(net, ev.rules), kw


def _row_states(net: Network, var: str, values: Sequence[str | None]) -> np.ndarray:
    out = np.empty(len(values), dtype=np.int64)
    for n, s in enumerate(values):
        out[n] = -1 if s is None else net.state_index(var, s)
    return out


def _cpts(
    net: Network, cpts: Sequence[np.ndarray] | Mapping[str, np.ndarray] | None
) -> list[np.ndarray]:
    if cpts is None:
        return list(net.cpts)
    if isinstance(cpts, Mapping):
        arrays = list(net.cpts)
        for written, arr in cpts.items():
            name = net.name_of(written)  # an alias of a factorised variable refuses too
            i = net.index(name)
            if name in net.chains:
                raise factorised_error(net, name, "its CPT given as one array")
            arrays[i] = np.asarray(arr, dtype=float)
        return arrays
    if len(cpts) != len(net.cpts):
        hidden = len(net.cpts) - len(net.variables)
        raise QueryError(
            f"got {len(cpts)} CPTs for {len(net.variables)} variables"
            + (f" and {hidden} hidden chain nodes of factorised CPTs" if hidden else ""),
            fix="pass one array per variable in net.variables order (then the chain nodes, "
            "as draw_cpts returns them), or a {name: array} mapping",
        )
    return [np.asarray(a, dtype=float) for a in cpts]


def _describe(shared: str, given: Mapping | None, do: Mapping | None, row_soft: Mapping) -> str:
    parts = [] if shared == "no evidence" else [shared]
    parts += [f"do({k}=<per row>)" for k, v in (do or {}).items() if not isinstance(v, str)]
    parts += [f"{k}=<per row>" for k, v in (given or {}).items() if not isinstance(v, str)]
    parts += [f"{k}~<per row>" for k in row_soft]
    return ", ".join(parts)
