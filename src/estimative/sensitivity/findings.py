"""Sensitivity to findings: which observation would move a judgment most, and which way.

For a target variable ``T`` under the current conditions ``e`` (evidence, do(), a policy, a
scenario) and every candidate observable ``X``:

- the mutual information ``I(T; X | e)`` in bits, which is the expected reduction of the
  target's entropy from observing ``X``: ``H(T | e) - sum_x P(x | e) H(T | x, e)``;
- the target's posterior ``P(T | X = x, e)`` for each state ``x``, with ``P(x | e)``, so an
  analyst sees which observation would raise or lower the judgment, and by how much.

Each candidate costs one exact query for the joint ``P(T, X, e)``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import QueryError
from ..network import Evidence, Network, Soft


def entropy(p: np.ndarray, axis: int = 0) -> np.ndarray:
    """Shannon entropy in bits along ``axis`` (0 log 0 = 0).

    >>> float(entropy(np.array([0.5, 0.5])))
    1.0
    """
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=axis)


@dataclass(frozen=True, eq=False)
class Indicator:
    """What observing one variable would tell about the target."""

    variable: str
    states: tuple[str, ...]
    probabilities: np.ndarray  # P(X = x | e), one per state of X
    posteriors: (
        np.ndarray
    )  # P(T | X = x, e), shape (target states, states of X); NaN where P(x | e) = 0
    mutual_information: float  # bits
    target_entropy: float  # H(T | e), bits
    focus: int  # index of the target state the judgment is about

    @property
    def entropy_reduction(self) -> float:
        """The share of the target's entropy that observing this variable removes on average."""
        return self.mutual_information / self.target_entropy if self.target_entropy > 0 else 0.0

    def judgment(self, state: str) -> float:
        """P(target state in focus | this variable observed in ``state``)."""
        return float(self.posteriors[self.focus, self.states.index(state)])

    @property
    def low(self) -> tuple[str, float]:
        """The observation that would lower the judgment most, and the judgment then."""
        row = np.where(self.probabilities > 0, self.posteriors[self.focus], np.inf)
        k = int(np.argmin(row))
        return self.states[k], float(row[k])

    @property
    def high(self) -> tuple[str, float]:
        """The observation that would raise the judgment most, and the judgment then."""
        row = np.where(self.probabilities > 0, self.posteriors[self.focus], -np.inf)
        k = int(np.argmax(row))
        return self.states[k], float(row[k])


@dataclass(frozen=True, eq=False)
class Indicators:
    """Every candidate observation for one target, most informative first.

    >>> from estimative import Network, indicators
    >>> ind = indicators(Network.from_file("models/example"), "armed_clash", "yes", policy="status_quo")
    >>> ind.indicators[0].variable
    'misread_intent'
    """

    target: str
    target_states: tuple[str, ...]
    focus: str
    conditions: str
    prior: np.ndarray  # P(T | e)
    indicators: tuple[Indicator, ...]
    model_hash: str

    @property
    def point(self) -> float:
        """The judgment now: P(target = focus | e)."""
        return float(self.prior[self.target_states.index(self.focus)])

    def __getitem__(self, variable: str) -> Indicator:
        for ind in self.indicators:
            if ind.variable == variable:
                return ind
        raise QueryError(
            f"'{variable}' is not among the candidate observations",
            expected=f"one of {[i.variable for i in self.indicators]}",
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: information, and the judgment after the lowest and highest
        observations."""
        rows = []
        for ind in self.indicators:
            (ls, lv), (hs, hv) = ind.low, ind.high
            rows.append(
                {
                    "variable": ind.variable,
                    "mutual_information": ind.mutual_information,
                    "entropy_reduction": ind.entropy_reduction,
                    "low_state": ls,
                    "low_value": lv,
                    "high_state": hs,
                    "high_value": hv,
                    "swing": hv - lv,
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "variable",
                "mutual_information",
                "entropy_reduction",
                "low_state",
                "low_value",
                "high_state",
                "high_value",
                "swing",
            ],
        )

    def states_frame(self) -> pd.DataFrame:
        """One row per (candidate, state): P(state | e) and the judgment if it were observed."""
        rows = []
        for ind in self.indicators:
            for k, s in enumerate(ind.states):
                rows.append(
                    {
                        "variable": ind.variable,
                        "state": s,
                        "probability": float(ind.probabilities[k]),
                        "judgment": float(ind.posteriors[ind.focus, k]),
                        "shift": float(ind.posteriors[ind.focus, k]) - self.point,
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        rows = self.to_frame().to_dict("records")
        for row, ind in zip(rows, self.indicators, strict=True):
            row["states"] = {
                s: {
                    "probability": float(ind.probabilities[k]),
                    "judgment": float(ind.posteriors[ind.focus, k]),
                }
                for k, s in enumerate(ind.states)
            }
        return {
            "target": self.target,
            "focus": self.focus,
            "conditions": self.conditions,
            "point": self.point,
            "target_entropy": float(entropy(self.prior)),
            "indicators": rows,
            "model_hash": self.model_hash,
        }

    def __repr__(self) -> str:
        return f"<Indicators for P({self.target}={self.focus}) = {self.point:.4f}: {len(self.indicators)} candidates>"

    def _repr_html_(self) -> str:
        return (
            f"<p>Indicators to watch for P({html.escape(self.target)}={html.escape(self.focus)})"
            f"{html.escape(' | ' + self.conditions if self.conditions else '')} = {self.point:.4f}</p>"
            + self.to_frame().to_html(index=False, float_format=lambda x: f"{x:.4f}")
        )


def indicators(
    net: Network,
    target: str,
    state: str,
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    soft: Soft | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
    candidates: Sequence[str] | None = None,
) -> Indicators:
    """Rank every observable variable by what observing it would tell about ``target``.

    ``state`` is the target state the judgment is about (for the "which way" columns).
    ``candidates`` defaults to every variable that is neither the target, observed, nor
    under do().

    Parameters
    ----------
    net : Network
        The model.
    target : str
        The variable the judgment is about.
    state : str
        The target state in focus.
    given, do, soft, policy, scenario : optional
        The conditions, as for :meth:`estimative.network.Network.query`.
    candidates : sequence of str, optional
        The variables whose observation is considered.

    Returns
    -------
    Indicators
        One :class:`Indicator` per candidate, most informative first: mutual information,
        P(each observation) and the judgment after it.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> ind = indicators(net, "armed_clash", "yes", policy="status_quo")
    >>> ind.indicators[0].variable, ind.indicators[0].high[0]
    ('misread_intent', 'yes')
    """
    target = net.name_of(target)  # an alias names its variable
    prep = net.prepare(
        target, state, given=given, do=do, soft=soft, policy=policy, scenario=scenario
    )
    if len(prep.indices) != 1:
        raise QueryError(
            "indicators are about one target state",
            found=repr(state),
            fix=f"name one state of '{target}'",
        )
    ev, (focus,) = prep.evidence, prep.indices
    if candidates is None:
        candidates = [
            v for v in net.variables if v != target and v not in ev.given and v not in ev.do
        ]
    else:
        candidates = [net.name_of(v) for v in candidates]
        for v in candidates:
            net.index(v)
            if v == target:
                raise QueryError(
                    f"the target '{target}' cannot be its own indicator",
                    fix="leave it out of candidates",
                )
    prior = prep.posterior.probs
    joints = _joints(net, target, prior, ev, candidates)
    out = []
    for var in candidates:
        joint = joints[var]
        px = joint.sum(axis=0)
        pt = joint.sum(axis=1)
        prior = pt
        with np.errstate(invalid="ignore", divide="ignore"):
            post = np.where(px > 0, joint / np.where(px > 0, px, 1.0), np.nan)
        h_t = float(entropy(pt))
        # Summed directly rather than as H(T) - H(T | X): no cancellation when it is tiny.
        outer = np.outer(pt, px)
        pos = joint > 0
        mi = max(float(np.sum(joint[pos] * np.log2(joint[pos] / outer[pos]))), 0.0)
        out.append(Indicator(var, net.states[var], px, post, mi, h_t, focus))
    out.sort(key=lambda i: (-i.mutual_information, candidates.index(i.variable)))
    return Indicators(
        target,
        net.states[target],
        net.states[target][focus],
        prep.conditions,
        np.asarray(prior),
        tuple(out),
        prep.model_hash,
    )


def _joints(
    net: Network, target: str, prior: np.ndarray, ev: Evidence, candidates: Sequence[str]
) -> dict[str, np.ndarray]:
    """P(target, x | evidence) for every candidate x: one all-marginals pass per target state
    (P(x | evidence, target=t) P(t | evidence)), or one joint query per candidate when the
    target itself carries soft evidence or do()."""
    if target in ev.soft or target in ev.do:
        out = {}
        for var in candidates:
            joint = np.asarray(net.joint_unnormalized([target, var], ev), dtype=float)
            out[var] = joint / joint.sum()  # positive: prepare() checked the evidence
        return out
    rows: dict[str, list[np.ndarray]] = {var: [] for var in candidates}
    for t, pt in zip(net.states[target], prior, strict=True):
        if pt > 0:
            m = net.marginals(given={**ev.given, target: t}, do=ev.do, soft=ev.soft)
        for var in candidates:
            rows[var].append(pt * m.probs[var][0] if pt > 0 else np.zeros(len(net.states[var])))
    return {var: np.stack(r) for var, r in rows.items()}
