"""Optimal decision rules: the influence diagram solved by rolling back its decision tree.

Decisions are made in the order the model file lists them. Each sees the chance variables it
``observes`` and remembers every earlier decision and observation (perfect recall). The
decisions are set by do(): their baseline CPTs play no part here.

Roll-back: with ``T[d1..dk, o]`` the probability-weighted expected utility of every
combination of decisions and observations, the last decision is chosen by maximising over its
axis for every state of what it knows, the observations it alone saw are summed out, and so
on back to the first decision; what is left is the maximum expected utility.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..network import Network
from ..network.names import named
from ._core import (
    Draws,
    UtilityModel,
    attribute_tensors,
    decision_variables,
    id_draws,
    id_network,
    tie_tolerance,
    utility_model,
)

_P_ZERO = 1e-12


@dataclass(frozen=True, eq=False)
class DecisionRule:
    """The optimal choice of one decision for every configuration of what it knows.

    ``information`` names the earlier decisions and the observed chance variables;
    ``choice_index`` (shape: their cardinalities) holds the index of the best state, or -1
    where the configuration cannot occur; ``expected[..., k]`` is the expected utility of
    state ``k`` given the configuration; ``probability`` is the probability of the
    configuration's observations given its earlier decisions; ``reachable`` marks the
    configurations that occur with positive probability when every earlier decision follows
    its own optimal rule.
    """

    decision: str
    states: tuple[str, ...]
    information: tuple[str, ...]
    information_states: tuple[tuple[str, ...], ...]
    choice_index: np.ndarray
    expected: np.ndarray
    probability: np.ndarray
    reachable: np.ndarray

    def configurations(self) -> Iterator[tuple[dict[str, str], tuple[int, ...]]]:
        for idx in itertools.product(*(range(len(s)) for s in self.information_states)):
            yield (
                {
                    v: self.information_states[i][k]
                    for i, (v, k) in enumerate(zip(self.information, idx, strict=True))
                },
                idx,
            )

    def choice(self, configuration: Mapping[str, str] | None = None) -> str | None:
        """The best state given ``configuration`` (a state for each information variable);
        ``None`` when that configuration cannot occur."""
        configuration = dict(configuration or {})
        missing = [v for v in self.information if v not in configuration]
        if missing:
            raise UsageError(
                f"the rule of '{self.decision}' needs a state for {missing}",
                expected=f"states for {list(self.information)}",
            )
        idx = []
        for i, v in enumerate(self.information):
            s = configuration[v]
            if s not in self.information_states[i]:
                raise UsageError(
                    f"'{s}' is not a state of '{v}'",
                    expected=f"one of {list(self.information_states[i])}",
                )
            idx.append(self.information_states[i].index(s))
        k = int(self.choice_index[tuple(idx)])
        return None if k < 0 else self.states[k]

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for config, idx in self.configurations():
            k = int(self.choice_index[idx])
            row: dict[str, object] = {
                "decision": self.decision,
                **config,
                "choice": None if k < 0 else self.states[k],
                "probability": float(self.probability[idx]),
                "reachable": bool(self.reachable[idx]),
            }
            for j, s in enumerate(self.states):
                row[f"eu[{s}]"] = float(self.expected[(*idx, j)])
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the decision, what it knows, the rule in words, and one row per
        configuration (choice, expected utility of each state, probability, reachable)."""
        rows = []
        for config, idx in self.configurations():
            k = int(self.choice_index[idx])
            rows.append(
                {
                    "configuration": config,
                    "choice": None if k < 0 else self.states[k],
                    "expected": {
                        s: float(self.expected[(*idx, j)]) for j, s in enumerate(self.states)
                    },
                    "probability": float(self.probability[idx]),
                    "reachable": bool(self.reachable[idx]),
                }
            )
        return {
            "decision": self.decision,
            "information": list(self.information),
            "description": self.describe(),
            "rows": rows,
        }

    def describe(self) -> str:
        """The rule in words, over the configurations reached under the optimal strategy.

        Information that is the same in every reached configuration is left out.
        """
        reached = [(c, idx) for c, idx in self.configurations() if self.reachable[idx]]
        by_choice: dict[str, list[dict[str, str]]] = {}
        for c, idx in reached:
            by_choice.setdefault(self.states[int(self.choice_index[idx])], []).append(c)
        varying = [v for v in self.information if len({c[v] for c, _ in reached}) > 1]
        if len(by_choice) <= 1:
            only = next(iter(by_choice), None)
            return f"{self.decision} = {only}" + (
                " whatever is observed" if varying and only else ""
            )
        parts = []
        for choice, configs in by_choice.items():
            if len(varying) == 1:
                v = varying[0]
                cond = f"{v} is " + " or ".join(c[v] for c in configs)
            else:
                cond = " or ".join(
                    "(" + ", ".join(f"{v}={c[v]}" for v in varying) + ")" for c in configs
                )
            parts.append(f"{choice} if {cond}")
        return f"{self.decision} = " + "; ".join(parts)


@dataclass(frozen=True, eq=False)
class DecisionSolution:
    """The solved decision problem: the maximum expected utility and a rule per decision.

    >>> from estimative import Network, solve
    >>> sol = solve(Network.from_file("models/umbrella"))
    >>> round(sol.meu, 6), sol.rule("umbrella").choice({"forecast": "sunny"})
    (77.0, 'leave')
    """

    model: str
    model_hash: str
    unit: str
    weights: Mapping[str, float]
    fixed: Mapping[str, str]
    meu: float
    rules: tuple[DecisionRule, ...]
    observed: tuple[str, ...] = field(default=())

    def rule(self, decision: str) -> DecisionRule:
        for r in self.rules:
            if r.decision == decision:
                return r
        raise UsageError(
            f"no rule for '{decision}'", expected=f"one of {[r.decision for r in self.rules]}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the maximum expected utility and every rule (:meth:`DecisionRule.to_dict`)."""
        return {
            "model": self.model,
            "model_hash": self.model_hash,
            "unit": self.unit,
            "weights": dict(self.weights),
            "fixed": dict(self.fixed),
            "meu": float(self.meu),
            "rules": [r.to_dict() for r in self.rules],
            "observed": list(self.observed),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per decision and configuration of what it knows."""
        frame = pd.concat([r.to_frame() for r in self.rules], ignore_index=True)
        info = list(dict.fromkeys(v for r in self.rules for v in r.information))
        rest = [c for c in frame.columns if c not in info and c != "decision"]
        return frame[["decision", *info, *rest]]

    def __repr__(self) -> str:
        lines = [f"maximum expected utility {self.meu:.6g} {self.unit}"] + [
            "  " + r.describe() for r in self.rules
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(r.describe())}</li>" for r in self.rules)
        return (
            f"<p>Maximum expected utility <b>{self.meu:.4g}</b> {html.escape(self.unit)}"
            f" (model {html.escape(self.model)}, hash {self.model_hash})</p><ul>{items}</ul>"
        )


@dataclass(frozen=True)
class Plan:
    """The order of a decision problem: the free decisions, what each observes first (in
    order, each observation listed once), and the decisions fixed by do()."""

    free: tuple[str, ...]
    observed: tuple[str, ...]
    new_obs: tuple[tuple[str, ...], ...]  # per free decision, the observations it makes first
    fixed: Mapping[str, str]


def make_plan(net: Network, do: Mapping[str, str] | None) -> Plan:
    """The :class:`Plan` of ``net``'s decisions not fixed by ``do``."""
    fixed = dict(do or {})
    net.resolve(do=fixed)
    free = tuple(d for d in decision_variables(net) if d not in fixed)
    if not free:
        raise UsageError(
            "no decision variable is left to choose",
            fix="mark the model's choices kind: decision, or fix fewer of them with do",
        )
    observed: list[str] = []
    new_obs = []
    for d in free:
        new = tuple(o for o in net.spec.variable(d).observes if o not in observed)
        observed.extend(new)
        new_obs.append(new)
    return Plan(free, tuple(observed), tuple(new_obs), fixed)


def plan_tensors(
    net: Network,
    util: UtilityModel,
    plan: Plan,
    keep: tuple[str, ...] = (),
    cpts: Draws | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """E[attr, *free, *observed, *keep] and P[*free, *observed, *keep] with the decisions set by do()."""
    idnet = id_network(net, plan.free)
    icpts = id_draws(net, idnet, plan.free, cpts) if cpts is not None else None
    e, p = attribute_tensors(idnet, util, [*plan.free, *plan.observed, *keep], plan.fixed, icpts)
    scale = float(np.prod([len(net.states[d]) for d in plan.free]))
    return e * scale, p * scale


def solve(
    net: Network, *, weights: Mapping[str, float] | None = None, do: Mapping[str, str] | None = None
) -> DecisionSolution:
    """Solve the model's decision problem: the optimal rule of every decision variable not
    fixed by ``do`` and the maximum expected utility.

    Parameters
    ----------
    net : Network
        A model with utilities and decision variables.
    weights : mapping of str to float, optional
        Attribute weights overriding the model file's, by attribute id.
    do : mapping of str to str, optional
        Decisions (or other variables) fixed by do().

    Returns
    -------
    DecisionSolution
        The maximum expected utility and, per free decision, the optimal choice for every
        configuration of what it observes.

    Examples
    --------
    >>> from estimative import Network
    >>> sol = solve(Network.from_file("models/umbrella"))
    >>> round(sol.meu, 6), sol.rule("umbrella").choice({"forecast": "rainy"})
    (77.0, 'take')
    """
    do = named(net, do) or None  # aliases name their variables
    util = utility_model(net, weights=weights)
    plan = make_plan(net, do)
    e, p = plan_tensors(net, util, plan)
    t = np.tensordot(util.weight_vector, e, axes=1)
    rules, meu = _rollback(net, plan, t, p)
    return DecisionSolution(
        net.name,
        net.model_hash,
        util.unit,
        dict(util.written_weights),
        dict(plan.fixed),
        meu,
        tuple(rules),
        plan.observed,
    )


def _rollback(
    net: Network, plan: Plan, t: np.ndarray, p: np.ndarray
) -> tuple[list[DecisionRule], float]:
    nf = len(plan.free)
    n_obs_upto = np.cumsum([len(x) for x in plan.new_obs]).tolist()
    raw: list[tuple[int, tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]] = []
    tol = tie_tolerance(t)
    cur = t  # axes: free[:j+1] + observed[:n_obs_upto[j]]
    for j in reversed(range(nf)):
        n_o = n_obs_upto[j]
        info = (*plan.free[:j], *plan.observed[:n_o])
        q = np.moveaxis(cur, j, -1)  # info axes, then the decision's
        pj = (
            p.sum(axis=tuple(range(nf + n_o, nf + len(plan.observed))))
            if n_o < len(plan.observed)
            else p
        )
        # observations up to j do not depend on d_j, ...
        first: tuple[Any, ...] = (*(slice(None),) * j, *(0,) * (nf - j))
        pj = pj[first]
        best = q.max(axis=-1, keepdims=True)
        choice = np.argmax(q >= best - tol, axis=-1)
        possible = pj > _P_ZERO
        choice = np.where(possible, choice, -1)
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = np.where(
                possible[..., None], q / np.where(possible, pj, 1.0)[..., None], np.nan
            )
        raw.append((j, info, choice, expected, pj))
        cur = q.max(axis=-1)
        k = len(plan.new_obs[j])
        if k:
            cur = cur.sum(axis=tuple(range(cur.ndim - k, cur.ndim)))
    raw.reverse()
    rules: list[DecisionRule] = []
    for j, info, choice, expected, pj in raw:
        reach = pj > _P_ZERO
        for i in range(j):  # earlier decisions must follow their own rules
            prev = rules[i]
            ni = len(prev.information)
            n_oi = len(prev.information) - i
            # prev's information = free[:i] + observed[:n_oi], a prefix of free[:j] + observed[:...]
            for idx in itertools.product(*(range(s) for s in choice.shape)):
                if not reach[idx]:
                    continue
                pidx = (*idx[:i], *idx[j : j + n_oi])
                assert len(pidx) == ni
                if int(prev.choice_index[pidx]) != idx[i]:
                    reach[idx] = False
        rules.append(
            DecisionRule(
                decision=plan.free[j],
                states=tuple(net.states[plan.free[j]]),
                information=info,
                information_states=tuple(tuple(net.states[v]) for v in info),
                choice_index=choice,
                expected=expected,
                probability=pj,
                reachable=reach,
            )
        )
    return rules, float(cur)


def _strategy_indicator(
    plan: Plan, rules: list[DecisionRule] | tuple[DecisionRule, ...], shape: tuple[int, ...]
) -> np.ndarray:
    """1 where every decision takes the state its rule prescribes, over axes free + observed."""
    nf, no = len(plan.free), len(plan.observed)
    ind = np.ones(shape)
    for j, r in enumerate(rules):
        n_o = len(r.information) - j
        ch = np.where(r.choice_index < 0, 0, r.choice_index)
        onehot = np.moveaxis((np.arange(shape[j]) == ch[..., None]).astype(float), -1, j)
        # axes now free[:j+1] + observed[:n_o]: give the later decisions and observations size 1
        ind = ind * onehot.reshape(
            *onehot.shape[: j + 1], *(1,) * (nf - j - 1), *onehot.shape[j + 1 :], *(1,) * (no - n_o)
        )
    return ind


def strategy_value(
    plan: Plan, rules: list[DecisionRule] | tuple[DecisionRule, ...], t: np.ndarray
) -> np.ndarray:
    """Expected utility of following ``rules``; ``t`` may carry a trailing draw axis."""
    shape = t.shape[: len(plan.free) + len(plan.observed)]
    ind = _strategy_indicator(plan, rules, shape)
    extra = t.ndim - len(shape)
    ind = ind.reshape(ind.shape + (1,) * extra)
    return (t * ind).sum(axis=tuple(range(len(shape))))


def strategy_values(
    net: Network, solution: DecisionSolution, util: UtilityModel, cpts: Draws
) -> np.ndarray:
    """The expected utility of the solution's rules under each parameter draw, shape ``(N,)``."""
    plan = make_plan(net, solution.fixed)
    e, _ = plan_tensors(net, util, plan, cpts=cpts)
    t = np.tensordot(util.weight_vector, e, axes=1)
    return strategy_value(plan, solution.rules, t)
