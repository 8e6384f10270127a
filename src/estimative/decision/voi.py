"""Value of information: how much the expected utility of the best choice would rise if a
variable were observed before choosing among the alternatives.

For a variable ``X`` and alternatives ``a`` (named policies, or combinations of decisions):

    EU without it = max_a sum_x P(x) E[U | x, do(a)]
    EU with it    = sum_x P(x) max_a E[U | x, do(a)]

Their difference is never negative. It is the EVPI of ``X`` when ``X`` is an uncertainty that
drives the outcomes, and the EVSI of ``X`` when ``X`` is an indicator: a variable a decision
observes, or one that drives no outcome of the utility and only carries news about those that
do. Only variables the alternatives cannot change can be observed before choosing; the others
are listed in ``excluded`` with the reason.

Which variables are valued by default (:func:`default_candidates`): in a model of at most
:data:`VOI_ALL_LIMIT` chance variables, every one; in a larger model (a dynamic model unrolls
into one copy per slice, and each variable the policies can change costs a twin network), the
developments the model itself names as observable: what its scenarios observe (their ``given``
and ``soft`` evidence) and what its decisions ``observes``, leaving out variables marked
``observable: false``. ``variables=`` values any others.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..checks import check_count
from ..errors import UsageError, did_you_mean
from ..network import Network
from ..network.names import named
from ..spec.build import derive
from ._core import (
    default_alternatives,
    descendants,
    tie_tolerance,
    utility_model,
)
from ._keep import keep_tensors


@dataclass(frozen=True, eq=False)
class ValueOfInformation:
    """Value of observing each variable before choosing, with the best choice per state.

    ``value[i]`` is the rise in expected utility from observing ``variables[i]``;
    ``measure[i]`` is ``"EVPI"`` (an uncertainty) or ``"EVSI"`` (an indicator);
    ``best_by_state[i]`` maps each state of the variable to the alternative chosen when it is
    seen (states of probability zero are left out); ``timing[i]`` says whether it is seen
    ``"before the choice"`` (the choice cannot change it) or ``"before the policy"`` (as it is
    in the world before the chosen policy takes effect); ``margin[i]`` is the smallest lead,
    over the variable's states, of the choice made without the information over the best
    other alternative (how close the observation comes to changing the choice).

    >>> from estimative import Network, value_of_information
    >>> voi = value_of_information(Network.from_file("models/umbrella"))
    >>> round(voi["weather"], 6)
    21.0
    """

    model: str
    model_hash: str
    unit: str
    weights: Mapping[str, float]
    alternatives: tuple[str, ...]
    eu_without: float
    best_without: str
    variables: tuple[str, ...]
    measure: tuple[str, ...]
    value: np.ndarray
    eu_with: np.ndarray
    best_by_state: tuple[Mapping[str, str], ...]
    state_probability: tuple[Mapping[str, float], ...]
    excluded: Mapping[str, str]
    timing: tuple[str, ...] = ()
    margin: np.ndarray | None = None
    #: Which variables were valued: every chance variable, the model's observable
    #: developments (a large model, :func:`default_candidates`), or those named.
    scope: str = ""

    def __getitem__(self, variable: str) -> float:
        if variable not in self.variables:
            hint = (
                f": {self.excluded[variable]}"
                if variable in self.excluded
                else did_you_mean(variable, self.variables)
            )
            raise UsageError(f"no value of information for '{variable}'{hint}")
        return float(self.value[self.variables.index(variable)])

    def top(self, measure: str | None = None, n: int = 5) -> list[tuple[str, float]]:
        """The ``n`` variables of highest value (of one measure, ``"EVPI"`` or ``"EVSI"``);
        among equal values, those that come closest to changing the choice first."""
        n = check_count(n, name="n", minimum=0, example=5)
        margin = self.margin if self.margin is not None else np.zeros(len(self.variables))
        rows = [
            (v, float(x), _tie(float(mg)))
            for v, m, x, mg in zip(self.variables, self.measure, self.value, margin, strict=True)
            if measure is None or m == measure
        ]
        rows.sort(key=lambda r: (-r[1], r[2], self.variables.index(r[0])))
        return [(v, x) for v, x, _ in rows[:n]]

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the best choice without information and one row per variable, highest
        value first (value, measure, timing, EU with it, margin, the choice per state and
        each state's probability), and the variables left out with the reason."""
        order = self.to_frame()["variable"].tolist()
        rows = []
        for v in order:
            i = self.variables.index(v)
            rows.append(
                {
                    "variable": v,
                    "measure": self.measure[i],
                    "value": float(self.value[i]),
                    "timing": self.timing[i] if self.timing else "before the choice",
                    "eu_with": float(self.eu_with[i]),
                    "margin": float(self.margin[i]) if self.margin is not None else float("nan"),
                    "best_by_state": dict(self.best_by_state[i]),
                    "state_probability": dict(self.state_probability[i]),
                }
            )
        return {
            "model": self.model,
            "model_hash": self.model_hash,
            "unit": self.unit,
            "weights": dict(self.weights),
            "alternatives": list(self.alternatives),
            "eu_without": float(self.eu_without),
            "best_without": self.best_without,
            "rows": rows,
            "excluded": dict(self.excluded),
            "scope": self.scope,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per variable, highest value first."""
        frame = pd.DataFrame(
            {
                "variable": list(self.variables),
                "measure": list(self.measure),
                "value": self.value,
                "timing": list(self.timing) if self.timing else "before the choice",
                "eu_with": self.eu_with,
                "eu_without": self.eu_without,
                "margin": self.margin if self.margin is not None else np.nan,
                "decision_changes": [len(set(b.values())) > 1 for b in self.best_by_state],
                "best_by_state": [
                    ", ".join(f"{s}: {a}" for s, a in b.items()) for b in self.best_by_state
                ],
            }
        )
        order = frame.assign(_margin=[_tie(float(m)) for m in frame["margin"]]).sort_values(
            ["value", "_margin"], ascending=[False, True], kind="stable"
        )
        return frame.loc[order.index].reset_index(drop=True)

    def _repr_html_(self) -> str:
        cap = html.escape(
            f"Value of information ({self.unit}); best without it: {self.best_without} "
            f"(EU {self.eu_without:.4g})"
        )
        return (
            self.to_frame()
            .to_html(index=False, float_format=lambda x: f"{x:.4g}")
            .replace("<thead>", f"<caption>{cap}</caption><thead>", 1)
        )


#: Chance variables up to which :func:`value_of_information` values every one by default.
VOI_ALL_LIMIT = 60


def default_candidates(net: Network) -> tuple[list[str], str]:
    """The variables :func:`value_of_information` values when none are named, and a sentence
    saying which.

    Every chance variable in a model of at most :data:`VOI_ALL_LIMIT` of them. In a larger
    model, the developments the model names as observable: the variables its scenarios observe
    (``given`` and ``soft``) and those its decisions observe (``observes``), in that order,
    without those marked ``observable: false``; every chance variable when it names none.

    >>> from estimative import Network
    >>> default_candidates(Network.from_file("models/umbrella"))
    (['weather', 'forecast'], 'every chance variable (2)')
    """
    kinds = {v.id: v.kind for v in net.spec.variables}
    chance = [v for v in net.variables if kinds[v] == "chance"]
    if len(chance) <= VOI_ALL_LIMIT:
        return chance, f"every chance variable ({len(chance)})"
    named = [x for s in net.spec.scenarios for x in (*s.given, *s.soft)]
    named += [o for v in net.spec.variables if v.kind == "decision" for o in v.observes]
    watch = [
        v
        for v in dict.fromkeys(named)
        if v in kinds and kinds[v] == "chance" and net.spec.variable(v).observable
    ]
    if not watch:
        return (
            chance,
            f"every chance variable ({len(chance)}; the model names no observable development)",
        )
    return watch, (
        f"the {len(watch)} developments the model names as observable (what its scenarios and "
        f"decisions observe), of {len(chance)} chance variables"
    )


def _twin_network(net: Network, affected: set[str]) -> tuple[Network, dict[str, str]]:
    """The network plus a copy of every variable the choice can affect, wired to the copies
    of its affected parents and to the shared originals of the others (a twin network): the
    copies are the world as it is before the policy, the originals the world under it."""
    taken = set(net.variables)
    names: dict[str, str] = {}
    for v in net.variables:
        if v in affected:
            name = f"__before__{v}"
            while name in taken:
                name = "_" + name
            names[v] = name
    extra = []
    tables: dict[str, np.ndarray] = {}
    bands: dict[str, np.ndarray | None] = {}
    factors: dict[str, Any] = {}
    for var in net.spec.variables:
        if var.id in names:
            copy = var.model_copy(
                update={
                    "id": names[var.id],
                    "kind": "chance",
                    "observes": [],
                    "parents": [names.get(p, p) for p in var.parents],
                }
            )
            if var.factors is not None:  # a factorised noisy CPT: its parameters, renamed
                f = var.factors
                factors[copy.id] = replace(
                    f,
                    absent={names.get(p, p): s for p, s in f.absent.items()},
                    written={(names.get(p, p), s): x for (p, s), x in f.written.items()},
                )
            else:
                tables[copy.id], bands[copy.id] = var.table, var.bands
            extra.append(copy)
    spec = derive(
        net.spec, [*net.spec.variables, *extra], tables=tables, bands=bands, factors=factors
    )
    return Network(spec), names


def value_of_information(
    net: Network,
    *,
    weights: Mapping[str, float] | None = None,
    policies: Sequence[str] | None = None,
    do: Mapping[str, str] | None = None,
    variables: Sequence[str] | None = None,
    before_policy: bool | None = None,
) -> ValueOfInformation:
    """EVPI of each uncertainty and EVSI of each indicator, observed before choosing among the
    named policies (or every combination of the decisions not fixed by ``do``).

    A variable the choice can change (an ICBM test, when policies act on Pyongyang) can still
    be observed before choosing in the world as it is: with ``before_policy`` (the default
    when named policies are compared) it is valued as seen before the policy takes effect. Its
    observation updates what the policy cannot change, and each policy is then judged on that
    (a twin network: the variables the policies can affect exist once as they are and once
    under the policy). Without it (the default for combinations of decisions, whose
    information is given by ``observes``), such variables are listed in ``excluded``.

    Parameters
    ----------
    net : Network
        A model with utilities.
    weights : mapping of str to float, optional
        Attribute weights overriding the model file's, by attribute id.
    policies : sequence of str, optional
        The named policies to choose among.
    do : mapping of str to str, optional
        Decisions (or other variables) fixed by do().
    variables : sequence of str, optional
        The variables to value (default: :func:`default_candidates`, every chance variable
        in a model of at most :data:`VOI_ALL_LIMIT`, else the developments the model names
        as observable).
    before_policy : bool, optional
        Value variables the choice can change as seen before the policy takes effect.

    Returns
    -------
    ValueOfInformation
        Per variable, the rise in expected utility from seeing it first (EVPI or EVSI), the
        choice per state, and the variables left out with the reason.

    Examples
    --------
    >>> from estimative import Network
    >>> voi = value_of_information(Network.from_file("models/umbrella"))
    >>> round(voi["weather"], 6), round(voi["forecast"], 6)
    (21.0, 7.0)
    """
    do = named(net, do) or None  # aliases name their variables
    variables = None if variables is None else [net.name_of(v) for v in variables]
    util = utility_model(net, weights=weights)
    altset = default_alternatives(net, policies, do=do)
    if before_policy is None:
        before_policy = altset.free is None
    fixed = altset.fixed
    # What every alternative sets alike (``do``) happens before the choice and may be observed.
    varied = sorted(
        {v for a in altset.alternatives for v, st in a.do.items() if fixed.get(v) != st}
        | {r.variable for a in altset.alternatives for r in a.rules}
    )
    affected = descendants(net, varied) | set(varied)
    scope_vars = {v for a in util.attributes for v in util.scopes[a]}
    drivers = net.ancestors(sorted(scope_vars))
    observed = {o for v in net.spec.variables if v.kind == "decision" for o in v.observes}
    kinds = {v.id: v.kind for v in net.spec.variables}
    if variables is None:
        candidates, scope = default_candidates(net)
    else:
        candidates = list(variables)
        for v in candidates:
            net.index(v)
        scope = f"the {len(candidates)} variable(s) named"
    excluded: dict[str, str] = {}
    kept: list[str] = []
    for v in candidates:
        if kinds[v] == "decision":
            excluded[v] = "a decision, not an uncertainty"
        elif v in affected and not before_policy:
            by = sorted(d for d in varied if v == d or v in descendants(net, [d]))
            excluded[v] = (
                f"depends on the choice ({', '.join(by)}), so it cannot be seen before it is made"
            )
        else:
            kept.append(v)
    before = {v for v in kept if v in affected}
    # Seen before the policy, with nothing the policy leaves alone upstream: it teaches nothing.
    blind = {v for v in before if not (net.ancestors([v]) - affected)}
    w = util.weight_vector
    kept_now = keep_tensors(net, util, altset, [v for v in kept if v not in before])
    base = kept_now.base @ w
    tol = tie_tolerance(base)
    i_best = int(np.argmax(base >= base.max() - tol))
    eu_without = float(base[i_best])
    tensors = dict(kept_now.tensors)
    seen = [v for v in kept if v in before and v not in blind]
    if seen:
        # One twin network for all of them: each observation depends only on the copies of its
        # own ancestors, and the other copies sum out (the same answer as a twin per variable).
        copies = set().union(*(net.ancestors([v]) & affected for v in seen))
        twin, names = _twin_network(net, copies)
        on_twin = keep_tensors(twin, util, altset, [names[v] for v in seen]).tensors
        tensors.update({v: on_twin[names[v]] for v in seen})
    prior = net.marginals(do=dict(fixed)) if blind else None
    values, eu_with, best_states, probs, measure, timing, margins = [], [], [], [], [], [], []
    for v in kept:
        if v in blind:
            assert prior is not None
            values.append(0.0)
            eu_with.append(eu_without)
            px = prior.probs[v][0]
            best_states.append(
                {s: altset.ids[i_best] for k, s in enumerate(net.states[v]) if px[k] > 1e-12}
            )
            probs.append({s: float(px[k]) for k, s in enumerate(net.states[v])})
            measure.append("EVSI")
            timing.append("before the policy")
            margins.append(_margin(base[:, None] * px[None, :], px, i_best))
            continue
        e, p = tensors[v]  # e: (alt, attr, x), p: (alt, x)
        vx = np.einsum("a,iax->ix", w, e)
        px = p[0]
        with_info = float(vx.max(axis=0).sum())
        choice = np.argmax(vx >= vx.max(axis=0, keepdims=True) - tie_tolerance(vx), axis=0)
        states = net.states[v]
        best_states.append(
            {s: altset.ids[int(choice[k])] for k, s in enumerate(states) if px[k] > 1e-12}
        )
        probs.append({s: float(px[k]) for k, s in enumerate(states)})
        gain = with_info - eu_without
        values.append(0.0 if abs(gain) <= 1e-9 * max(1.0, abs(eu_without)) else gain)
        margins.append(_margin(vx, px, i_best))
        eu_with.append(with_info)
        if v in before:
            measure.append("EVSI")
            timing.append("before the policy")
        else:
            measure.append("EVSI" if (v in observed or v not in drivers) else "EVPI")
            timing.append("before the choice")
    return ValueOfInformation(
        model=net.name,
        model_hash=net.model_hash,
        unit=util.unit,
        weights=dict(util.written_weights),
        alternatives=altset.ids,
        eu_without=eu_without,
        best_without=altset.ids[i_best],
        variables=tuple(kept),
        measure=tuple(measure),
        value=np.array(values, dtype=float),
        eu_with=np.array(eu_with, dtype=float),
        best_by_state=tuple(best_states),
        state_probability=tuple(probs),
        excluded=excluded,
        timing=tuple(timing),
        margin=np.array(margins, dtype=float),
        scope=scope,
    )


def _tie(margin: float) -> float:
    """A margin as the ordering compares it: equal to ten significant digits is a tie (left in
    the variables' order), so rounding in the last bits never reorders the table."""
    return float(f"{margin:.10g}") if math.isfinite(margin) else margin


def _margin(vx: np.ndarray, px: np.ndarray, i_best: int) -> float:
    """The smallest lead, over the variable's possible states, of the choice made without
    the information over the best other alternative (negative: some state changes the choice)."""
    if vx.shape[0] < 2:
        return float("inf")
    leads = []
    for k in range(vx.shape[1]):
        if px[k] <= 1e-12:
            continue
        cond = vx[:, k] / px[k]
        leads.append(float(cond[i_best] - np.delete(cond, i_best).max()))
    return min(leads) if leads else float("inf")
