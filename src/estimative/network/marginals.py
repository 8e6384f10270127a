"""Every variable's posterior under one set of conditions: :meth:`Network.marginals`.

One compiled contraction and its reverse-mode derivative (:mod:`estimative.engine.marginals`)
answer all variables at once, for the model's numbers or for ``N`` batch rows (parameter
draws, per-row findings and interventions).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.core import Layout
from ..engine.marginals import marginals_batch
from ..errors import ImpossibleEvidenceError, QueryError
from .batch import RowStates, _cpts, _describe, batch_conditions, ruled_rows
from .names import named
from .results import Posterior, named_state, named_variable, state_position, variable_position

if TYPE_CHECKING:
    import pandas as pd

    from ..spec.timing import RuleSpec
    from .network import Network


@dataclass(frozen=True)
class Marginals:
    """P(v | conditions) for every variable ``v`` of a network, over ``N`` batch rows.

    ``probs[v]`` has shape ``(N, card)`` (``N`` is 1 without batched inputs); rows whose
    evidence has probability zero are NaN and flagged in ``impossible``. Raw numbers.

    >>> from estimative import Network
    >>> m = Network.from_file("models/example").marginals(given={"misread_intent": "yes"})
    >>> round(m["armed_clash"]["yes"], 3), m.prob("misread_intent", "yes").tolist()
    (0.125, [1.0])
    """

    variables: tuple[str, ...]
    states: Mapping[str, tuple[str, ...]]
    probs: Mapping[str, np.ndarray]
    evidence_prob: np.ndarray
    impossible: np.ndarray
    conditions: str = ""
    model_hash: str = ""
    #: Other names of the variables (``{alias: id}``), accepted wherever a variable is named.
    aliases: Mapping[str, str] = field(default_factory=dict, repr=False)
    #: Other names of the states (``{id: {alias: state}}``), accepted wherever a state is named.
    state_aliases: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.evidence_prob.shape[0])

    def __getitem__(self, variable: str) -> Posterior:
        return self.posterior(variable)

    def posterior(self, variable: str, row: int = 0) -> Posterior:
        """The posterior of ``variable`` in batch row ``row`` (the only row when unbatched)."""
        variable = named_variable(self.aliases, variable)
        variable_position(self.variables, variable)
        pe = float(self.evidence_prob[row])
        return Posterior(
            variable,
            self.states[variable],
            self.probs[variable][row],
            evidence_probability=pe,
            state_aliases=self.state_aliases.get(variable, {}),
        )

    def prob(self, variable: str, state: str | Sequence[str]) -> np.ndarray:
        """P(variable in state(s)) per row, shape ``(N,)``; NaN in impossible rows."""
        variable = named_variable(self.aliases, variable)
        variable_position(self.variables, variable)
        wanted = [state] if isinstance(state, str) else list(state)
        table = self.state_aliases.get(variable, {})
        idx = [
            state_position(variable, self.states[variable], named_state(table, s)) for s in wanted
        ]
        return self.probs[variable][:, idx].sum(axis=1)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: per variable its states and per-row probabilities; evidence, flags."""
        return {
            "variables": {
                v: {"states": list(self.states[v]), "probs": self.probs[v].tolist()}
                for v in self.variables
            },
            "evidence_prob": self.evidence_prob.tolist(),
            "impossible": [bool(x) for x in self.impossible],
            "conditions": self.conditions,
            "model_hash": self.model_hash,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per (batch row, variable, state) with its probability."""
        import pandas as pd

        rows = [
            {"row": n, "variable": v, "state": s, "probability": float(self.probs[v][n, k])}
            for n in range(len(self))
            for v in self.variables
            for k, s in enumerate(self.states[v])
        ]
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        cond = f" | {self.conditions}" if self.conditions else ""
        return f"<Marginals of {len(self.variables)} variables{cond}: {len(self)} rows>"

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{html.escape(v)}</td><td>"
            + ", ".join(
                f"{html.escape(s)}: {p:.4f}"
                for s, p in zip(self.states[v], self.probs[v][0], strict=True)
            )
            + "</td></tr>"
            for v in self.variables
        )
        return f"<div><b>{html.escape(repr(self))}</b> (row 0)<table>{body}</table></div>"


def marginals(
    net: Network,
    *,
    given: Mapping[str, RowStates] | None = None,
    do: Mapping[str, RowStates] | None = None,
    soft: Mapping[str, Any] | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
    cpts: Sequence[np.ndarray] | Mapping[str, np.ndarray] | None = None,
    layout: Layout = "last",
    memory_cap: int | None = None,
    rules: Sequence[RuleSpec] = (),
    variables: Sequence[str] | None = None,
) -> Marginals:
    """See :meth:`estimative.network.Network.marginals`."""
    if layout not in ("last", "first"):
        raise QueryError("layout must be 'last' or 'first'", found=repr(layout))
    given, do, soft = named(net, given), named(net, do), named(net, soft)
    wanted = tuple(
        net.variables if variables is None else dict.fromkeys(map(net.name_of, variables))
    )
    for v in wanted:
        net.index(v)
    ev, hard, dov, softv, row_soft = batch_conditions(
        net, given=given, soft=soft, do=do, policy=policy, scenario=scenario, rules=rules
    )
    if ev.rules:  # a reacting policy: every marginal of the network with the rules as CPTs
        ruled, kw = ruled_rows(net, ev, cpts, given, do, row_soft, layout)
        return marginals(ruled, memory_cap=memory_cap, variables=variables, **kw)
    res = marginals_batch(
        net.structure,
        _cpts(net, cpts),
        hard=hard,
        soft=softv,
        do=dov,
        layout=layout,
        memory_cap=memory_cap,
        only=None if variables is None else [net.index(v) for v in wanted],
    )
    batched = len(res.impossible) > 1 or any(
        not isinstance(v, str) for m in (given or {}, do or {}) for v in m.values()
    )
    if not batched and bool(res.impossible[0]):
        raise ImpossibleEvidenceError(
            f"the evidence has probability zero under the model: {ev.describe()}",
            fix="remove or change one of these findings; the model rules out their combination",
        )
    return Marginals(
        wanted,
        {v: net.states[v] for v in wanted},
        {v: res.probs[net.index(v)] for v in wanted},
        res.evidence_prob,
        res.impossible,
        _describe(ev.describe(), given, do, row_soft),
        net.model_hash,
        net.spec.aliases,
        net._state_aliases,
    )
