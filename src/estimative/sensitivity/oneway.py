"""One-way sensitivity: every CPT parameter's sensitivity function, ranked as a tornado.

A *parameter* is one number the analyst entered in the model file (:mod:`estimative.priors.
entered`): a table cell (the rest of its column moves in proportion, proportional
co-variation), a noisy-OR link (the leak fixed) or leak (each cause's net link fixed), a
noisy-MAX entry (its distribution co-varied), a verbal term's probability. Each CPT is affine
in each such number, and every probability of the network is multilinear in the CPT entries, so

    P(target, evidence)(x) = a x + b,     P(evidence)(x) = c x + d,

and the posterior is the ratio ``(a x + b) / (c x + d)`` (Castillo, Gutiérrez & Hadi 1997;
Coupé & van der Gaag 2002). We get the four coefficients exactly by running the engine, in one
batched contraction for all parameters, at two points inside each parameter's valid range.

Each parameter's *credible range* is the central interval of its marginal under the prior the
draws are made from: ``offset + scale x Beta(alpha_i, alpha_0 - alpha_i)`` (a table cell's
Dirichlet marginal, a verbal term's band-fitted Beta, a noisy-OR link's Beta on its net link
shifted by the leak, a noisy-MAX entry's moment-matched Beta), within the range where the
form stays valid. ``over="cells"`` moves the expanded tables' cells instead, each with the
Dirichlet marginal of its column. The tornado ranks parameters by how
far the posterior moves across that range (the function is monotone, so its ends suffice).

In a two-state column both entries are the same parameter under co-variation; we list the
last state's. Entries equal to 0 (structural zeros) or 1 cannot move under co-variation and
are not listed. Parameters of a variable under do() or outside the query's ancestors have
sensitivity exactly 0 (``a = c = 0``). Under a reacting policy the ancestors are those of the
network with the rules written as CPTs (a rule's conditions move the instrument it sets).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..checks import check_count, check_level
from ..errors import QueryError
from ..network import Evidence, Network, Soft
from ..network.react import reacting
from ..priors.entered import Parameter, parameters_of, perturbed_cpts
from ..uncertainty import batched_joint

#: Parameters per engine call (each contributes two CPT sets to the batch).
CHUNK = 512


def parameters(
    net: Network,
    *,
    variables: Sequence[str] | None = None,
    strengths: Mapping[str, float] | None = None,
    over: str = "entered",
) -> list[Parameter]:
    """The parameters of ``net`` (of ``variables`` when named), in model order.

    ``over="entered"`` (the default): the numbers the analyst wrote in the model file (table
    cells, noisy-OR/MAX links and leaks, verbal terms); ``over="cells"``: every free cell of
    the expanded tables. See :mod:`estimative.priors.entered`.

    >>> net = Network.from_file("models/example")
    >>> [p.description for p in parameters(net, variables=["armed_clash"])]
    ['P(armed_clash=yes | misread_intent=no) = almost no chance (0.03), verbal term', 'P(armed_clash=yes | misread_intent=yes) = very unlikely (0.125), verbal term']
    """
    return parameters_of(net, variables=variables, strengths=strengths, over=over)


def relevant_variables(net: Network, target: str, ev: Evidence) -> set[int]:
    """Variables whose CPT can change the query: ancestors of target and evidence, not cut by
    do(), as engine nodes (the variables' indices, and the chain nodes of a factorised CPT). Under a reacting policy (``ev.rules``) the ancestors are those of the network with
    the rules written as CPTs, where a ruled variable depends on the rule's conditions; its
    own CPT still counts where no ``otherwise`` is given (there it follows its CPT)."""
    walk = reacting(net, ev.rules) if ev.rules else net
    cut = frozenset(walk.index(v) for v in ev.do)
    nodes = [walk.index(target), *(walk.index(v) for v in (*ev.given, *ev.soft))]
    # engine nodes, by name: a factorised CPT's hidden chain nodes count as its own
    names = {walk.structure.names[v] for v in walk.structure.ancestors(nodes, cut) if v not in cut}
    return {net.structure.index(v) for v in names}


def linear_coefficients(
    net: Network, target: str, state: str | Sequence[str], ev: Evidence, params: Sequence[Parameter]
) -> np.ndarray:
    """``(a, b, c, d)`` per parameter, shape ``(len(params), 4)``: ``P(target, ev)(x) = a x + b``
    and ``P(ev)(x) = c x + d`` under proportional co-variation."""
    _, positions = net.state_indices(target, state)
    idx = list(positions)
    joint = np.asarray(net.joint_unnormalized([target], ev))
    num0, den0 = float(joint[idx].sum()), float(joint.sum())
    coef = np.tile([0.0, num0, 0.0, den0], (len(params), 1))
    rel = relevant_variables(net, target, ev)
    todo = [k for k, p in enumerate(params) if p.var_index in rel]
    for start in range(0, len(todo), CHUNK):
        ks = todo[start : start + CHUNK]
        sub = [params[k] for k in ks]
        m = len(sub)
        # two points inside each parameter's valid range; both sides are linear in x
        lo = np.array([q.bounds[0] for q in sub])
        hi = np.array([q.bounds[1] for q in sub])
        x1, x2 = lo + 0.25 * (hi - lo), lo + 0.75 * (hi - lo)
        cpts = perturbed_cpts(net, sub + sub, np.r_[x1, x2])
        j = batched_joint(net, target, ev, cpts)
        num, den = j[idx].sum(axis=0), j.sum(axis=0)
        a = (num[m:] - num[:m]) / (x2 - x1)
        c = (den[m:] - den[:m]) / (x2 - x1)
        coef[ks] = np.column_stack([a, num[:m] - a * x1, c, den[:m] - c * x1])
    return coef


@dataclass(frozen=True)
class SensitivityFunction:
    """``P(target | evidence)`` as a function of one parameter: ``(a x + b) / (c x + d)``.

    At the parameter's model value the function gives the network's own answer:

    >>> from estimative import Network, one_way
    >>> net = Network.from_file("models/example")
    >>> f = one_way(net, "armed_clash", "yes").functions[0]
    >>> abs(f.value - net.query("armed_clash")["yes"]) < 1e-12
    True
    """

    parameter: Parameter
    a: float
    b: float
    c: float
    d: float
    low_x: float
    high_x: float

    def __call__(self, x: float | np.ndarray) -> float | np.ndarray:
        x = np.asarray(x, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = (self.a * x + self.b) / (self.c * x + self.d)
        return float(out) if out.ndim == 0 else out

    @property
    def value(self) -> float:
        """The posterior at the model's value of the parameter."""
        return float(self(self.parameter.value))

    @property
    def derivative(self) -> float:
        """d posterior / d x at the model's value: ``(a d - b c) / (c x + d)^2``."""
        x = self.parameter.value
        return (self.a * self.d - self.b * self.c) / (self.c * x + self.d) ** 2

    @property
    def low_value(self) -> float:
        """The posterior with the parameter at the low end of its credible range."""
        return float(self(self.low_x))

    @property
    def high_value(self) -> float:
        return float(self(self.high_x))

    @property
    def swing(self) -> float:
        """How far the posterior moves across the parameter's credible range."""
        return abs(self.high_value - self.low_value)

    def to_dict(self) -> dict[str, Any]:
        p = self.parameter
        return {
            "parameter": p.label,
            "entered": p.description,
            "kind": p.kind,
            "variable": p.variable,
            "state": p.state,
            "parents": dict(p.parents),
            "value": p.value,
            "low_x": self.low_x,
            "high_x": self.high_x,
            "low_value": self.low_value,
            "high_value": self.high_value,
            "swing": self.swing,
            "derivative": self.derivative,
            "a": self.a,
            "b": self.b,
            "c": self.c,
            "d": self.d,
        }


@dataclass(frozen=True, eq=False)
class OneWaySensitivity:
    """Every parameter's sensitivity function for one query, largest swing first.

    >>> from estimative import Network, one_way
    >>> sens = one_way(Network.from_file("models/example"), "armed_clash", "yes", policy="status_quo")
    >>> sens.functions[0].parameter.label
    'P(armed_clash=yes | misread_intent=yes)'
    """

    target: str
    states: tuple[str, ...]
    conditions: str
    point: float
    level: float
    functions: tuple[SensitivityFunction, ...]
    model_hash: str

    @property
    def label(self) -> str:
        st = ",".join(self.states)
        return f"P({self.target}={st}{' | ' + self.conditions if self.conditions else ''})"

    def top(self, k: int) -> tuple[SensitivityFunction, ...]:
        """The ``k`` parameters of largest swing."""
        return self.functions[: check_count(k, name="k", minimum=0, example=10)]

    def function(
        self, variable: str, state: str, parents: Mapping[str, str] | None = None
    ) -> SensitivityFunction:
        """The sensitivity function of ``P(variable=state | parents)``."""
        want = dict(parents or {})
        for f in self.functions:
            p = f.parameter
            if p.variable == variable and p.state == state and dict(p.parents) == want:
                return f
        raise QueryError(
            f"no free parameter P({variable}={state} | {want}) in this analysis",
            fix="name the variable, a state (in a two-state column: the last one) and every parent's state",
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the query, its point value, and every parameter's sensitivity function
        (:meth:`SensitivityFunction.to_dict`), largest swing first."""
        return {
            "target": self.target,
            "states": list(self.states),
            "conditions": self.conditions,
            "point": self.point,
            "level": self.level,
            "parameters": [f.to_dict() for f in self.functions],
            "model_hash": self.model_hash,
        }

    def to_frame(self) -> pd.DataFrame:
        cols = [
            "parameter",
            "entered",
            "kind",
            "variable",
            "state",
            "parents",
            "value",
            "low_x",
            "high_x",
            "low_value",
            "high_value",
            "swing",
            "derivative",
            "a",
            "b",
            "c",
            "d",
        ]
        return pd.DataFrame([f.to_dict() for f in self.functions], columns=cols)

    def __repr__(self) -> str:
        return (
            f"<OneWaySensitivity {self.label} = {self.point:.4f}: {len(self.functions)} parameters>"
        )

    def _repr_html_(self) -> str:
        df = self.to_frame().drop(columns=["parents", "a", "b", "c", "d"]).head(20)
        return (
            f"<p>One-way sensitivity of {html.escape(self.label)} = {self.point:.4f}; "
            f"{100 * self.level:g}% credible ranges</p>"
            + df.to_html(index=False, float_format=lambda x: f"{x:.4f}")
        )


def one_way(
    net: Network,
    target: str,
    state: str | Sequence[str],
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    soft: Soft | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
    level: float = 0.9,
    variables: Sequence[str] | None = None,
    strengths: Mapping[str, float] | None = None,
    over: str = "entered",
) -> OneWaySensitivity:
    """The sensitivity function of every parameter for ``P(target in state | conditions)``.

    Ranked as a tornado: by the swing of the posterior across each parameter's credible
    (``level``) range. ``variables`` limits the analysis to those variables' CPTs.

    Parameters
    ----------
    net : Network
        The model.
    target : str
        The variable the probability is about.
    state : str or sequence of str
        The target state, or several.
    given, do, soft, policy, scenario : optional
        The conditions, as for :meth:`estimative.network.Network.query`.
    level : float
        The credible level of each parameter's range.
    variables : sequence of str, optional
        Analyse only these variables' CPTs.
    strengths : mapping, optional
        Dirichlet strengths overriding the model file's, by variable.
    over : {"entered", "cells"}
        Move the numbers the analyst entered (default: a noisy-OR link, a leak, a verbal
        term, a table cell) or every free cell of the expanded tables.

    Returns
    -------
    OneWaySensitivity
        Every free parameter's sensitivity function, largest swing first.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> sens = one_way(net, "armed_clash", "yes", policy="status_quo")
    >>> sens.functions[0].parameter.label
    'P(armed_clash=yes | misread_intent=yes)'
    """
    target = net.name_of(target)  # an alias names its variable
    level = check_level(level)
    prep = net.prepare(
        target, state, given=given, do=do, soft=soft, policy=policy, scenario=scenario
    )
    params = parameters(net, variables=variables, strengths=strengths, over=over)
    coef = linear_coefficients(net, target, prep.states, prep.evidence, params)
    funcs = [
        SensitivityFunction(p, float(a), float(b), float(c), float(d), *p.credible(level))
        for p, (a, b, c, d) in zip(params, coef, strict=True)
    ]
    order = sorted(range(len(funcs)), key=lambda k: (-funcs[k].swing, k))
    return OneWaySensitivity(
        target,
        prep.states,
        prep.conditions,
        prep.point,
        level,
        tuple(funcs[k] for k in order),
        prep.model_hash,
    )
