"""A judgment's spread split into the analysts' own uncertainty and their disagreement.

For a model whose CPTs several analysts elicited (``analysts:`` and ``elicitations:`` in the
model file), :func:`analyst_split` answers the judgment with each analyst's numbers alone
(:func:`estimative.spec.analyst_view`), at the point values and over each analyst's own
parameter draws, and mixes them with the analysts' weights: the mixture is what the pooled
model's draws are (:mod:`estimative.priors.pooled`). By the law of total variance, the
variance of the judgment over the mixture is

    within  = sum_k w_k Var_k       (each analyst's uncertainty about their own numbers)
  + between = sum_k w_k (m_k - m)^2 (the analysts' disagreement, m_k their means)

exactly, on the draws made. ``between_share`` says how much of the spread is disagreement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._random import stream
from ..checks import check_count, check_level
from ..errors import UsageError
from ..network import Network, Soft
from ..priors import draw_cpts
from ..priors.pooled import analyst_weights
from ..scales import term_for
from ..spec import analyst_view
from .intervals import batched_probability


def _weighted_quantiles(
    values: np.ndarray, weights: np.ndarray, qs: Sequence[float]
) -> list[float]:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(np.interp(q, cum, v)) for q in qs]


@dataclass(frozen=True, eq=False)
class AnalystSplit:
    """One judgment answered with each analyst's numbers alone, and its spread split into
    within-analyst uncertainty and between-analyst disagreement.

    ``points[k]`` is the judgment with analyst ``analysts[k]``'s numbers (point values);
    ``values[k]`` the same over that analyst's parameter draws (NaN where a draw makes the
    evidence impossible); ``weights`` the analysts' weights (summing to 1). With
    ``policies``, ``policy_points[k, j]`` is analyst ``k``'s judgment under policy ``j``.

    >>> import numpy as np
    >>> from estimative import Network
    >>> net = Network.from_file("models/example_analysts")
    >>> sp = analyst_split(net, "armed_clash", "yes", draws=500, rng=np.random.default_rng(0))
    >>> sp.analysts, [t.word for t in sp.terms()]
    (('A', 'B'), ['very unlikely', 'unlikely'])
    >>> bool(abs(sp.within + sp.between - sp.total) < 1e-12)
    True
    """

    target: str
    states: tuple[str, ...]
    conditions: str
    pooled: float
    analysts: tuple[str, ...]
    shown: tuple[str, ...]
    weights: np.ndarray
    points: np.ndarray
    values: np.ndarray
    level: float
    model_hash: str
    policies: tuple[str, ...] = ()
    policy_points: np.ndarray | None = None
    better: str = "lower"

    def _stats(self, k: int) -> tuple[float, float]:
        v = self.values[k][np.isfinite(self.values[k])]
        return (float(v.mean()), float(v.var())) if v.size else (np.nan, np.nan)

    @property
    def means(self) -> np.ndarray:
        """Each analyst's mean over their own draws."""
        return np.array([self._stats(k)[0] for k in range(len(self.analysts))])

    @property
    def within(self) -> float:
        """The weighted mean of the analysts' own variances: uncertainty about the numbers."""
        return float(np.dot(self.weights, [self._stats(k)[1] for k in range(len(self.analysts))]))

    @property
    def between(self) -> float:
        """The weighted variance of the analysts' means: their disagreement."""
        m = self.means
        return float(np.dot(self.weights, (m - np.dot(self.weights, m)) ** 2))

    @property
    def total(self) -> float:
        """The variance of the judgment over the weighted mixture of every analyst's draws."""
        mix = np.dot(self.weights, self.means)
        second = [float(np.nanmean(self.values[k] ** 2)) for k in range(len(self.analysts))]
        return float(np.dot(self.weights, second) - mix**2)

    @property
    def between_share(self) -> float:
        """The share of the spread that is disagreement between analysts (0 to 1)."""
        return self.between / self.total if self.total > 0 else 0.0

    def interval(self, analyst: str) -> tuple[float, float]:
        """The central ``level`` interval of one analyst's draws."""
        v = self.values[self.analysts.index(analyst)]
        v = v[np.isfinite(v)]
        lo, hi = np.quantile(v, [(1 - self.level) / 2, (1 + self.level) / 2])
        return float(lo), float(hi)

    def pooled_interval(self) -> tuple[float, float]:
        """The central ``level`` interval of the weighted mixture of every analyst's draws."""
        ok = np.isfinite(self.values)
        w = np.broadcast_to(
            (self.weights / np.maximum(ok.sum(axis=1), 1))[:, np.newaxis], self.values.shape
        )
        lo, hi = _weighted_quantiles(
            self.values[ok], w[ok], [(1 - self.level) / 2, (1 + self.level) / 2]
        )
        return lo, hi

    def terms(self, scale: str = "icd203") -> list[Any]:
        """Each analyst's term for the judgment (their point value) on ``scale``."""
        return [term_for(float(p), scale) for p in self.points]

    def best_policies(self) -> list[str] | None:
        """Each analyst's best policy on this judgment (``None`` without ``policies``)."""
        if self.policy_points is None:
            return None
        pick = np.argmin if self.better == "lower" else np.argmax
        return [self.policies[int(pick(row))] for row in self.policy_points]

    def changes_judgment(self, scale: str = "icd203") -> bool:
        """True when the analysts' numbers give different words, or different best policies."""
        words = {t.word for t in self.terms(scale)}
        best = self.best_policies()
        return len(words) > 1 or (best is not None and len(set(best)) > 1)

    def statement(self, scale: str = "icd203", what: str | None = None) -> str:
        """One sentence on whether the analysts' numbers change the judgment, grouping the
        analysts by their word: "Analysts disagree enough to change the judgment: A judges
        this very unlikely (0.075), B unlikely (0.26); ..."."""
        what = what or "this"
        groups: dict[str, list[str]] = {}
        for a, t, p in zip(self.analysts, self.terms(scale), self.points, strict=True):
            groups.setdefault(t.word, []).append(f"{a} ({p:.2g})")
        parts = []
        for i, (word, who) in enumerate(groups.items()):
            names = who[0] if len(who) == 1 else ", ".join(who[:-1]) + " and " + who[-1]
            verb = (" judges " if len(who) == 1 else " judge ") + f"{what} " if i == 0 else " "
            parts.append(f"{names}{verb}{word}")
        share = f"{self.between_share:.0%} of the spread over parameter draws is disagreement"
        best = self.best_policies()
        if best is not None and len(set(best)) > 1:
            policy = "; their best policy differs: " + ", ".join(
                f"{a} {b}" for a, b in zip(self.analysts, best, strict=True)
            )
        else:
            policy = ""
        if not self.changes_judgment(scale):
            return (
                f"The analysts agree on the word: {', '.join(parts)} (pooled {self.pooled:.2g}); "
                f"{share} between them."
            )
        return (
            f"Analysts disagree enough to change the judgment: {', '.join(parts)} "
            f"(pooled {self.pooled:.2g}){policy}; {share} between them."
        )

    def to_dict(self) -> dict[str, Any]:
        best = self.best_policies()
        rows = []
        for k, a in enumerate(self.analysts):
            lo, hi = self.interval(a)
            rows.append(
                {
                    "analyst": a,
                    "shown": self.shown[k],
                    "weight": float(self.weights[k]),
                    "point": float(self.points[k]),
                    "mean": float(self.means[k]),
                    "low": lo,
                    "high": hi,
                    "term": self.terms()[k].word,
                    "best_policy": None if best is None else best[k],
                    "policies": None
                    if self.policy_points is None
                    else dict(zip(self.policies, self.policy_points[k].tolist(), strict=True)),
                }
            )
        lo, hi = self.pooled_interval()
        return {
            "target": self.target,
            "states": list(self.states),
            "conditions": self.conditions,
            "pooled": self.pooled,
            "pooled_low": lo,
            "pooled_high": hi,
            "level": self.level,
            "within": self.within,
            "between": self.between,
            "total": self.total,
            "between_share": self.between_share,
            "changes_judgment": self.changes_judgment(),
            "statement": self.statement(),
            "analysts": rows,
            "model_hash": self.model_hash,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per analyst: weight, point, mean, interval, term (and best policy)."""
        return pd.DataFrame(self.to_dict()["analysts"]).set_index("analyst")

    def __repr__(self) -> str:
        return (
            f"AnalystSplit(P({self.target}={','.join(self.states)}): pooled {self.pooled:.4g}, "
            + ", ".join(f"{a} {p:.4g}" for a, p in zip(self.analysts, self.points, strict=True))
            + f"; between-analyst share {self.between_share:.0%})"
        )


def analyst_split(
    net: Network,
    target: str,
    state: str | Sequence[str],
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    soft: Soft | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
    policies: Sequence[str] | None = None,
    better: str = "lower",
    draws: int = 1000,
    rng: np.random.Generator,
    level: float = 0.9,
    strengths: Mapping[str, float] | None = None,
) -> AnalystSplit:
    """P(target in state | conditions) with each analyst's numbers alone, and its spread split
    into within-analyst uncertainty and between-analyst disagreement.

    Parameters
    ----------
    net : Network
        A model with ``analysts:`` (and CPTs with ``elicitations:``).
    target, state : str
        The judgment.
    given, do, soft, policy, scenario : optional
        The conditions, as for :meth:`estimative.network.Network.query`.
    policies : sequence of str, optional
        Also answer the judgment under each of these policies (``"baseline"`` for none), to
        see whether the analysts' best policy differs.
    better : {"lower", "higher"}
        Which way is better for the judgment (a risk: lower).
    draws : int
        Parameter draws per analyst (each from its own stream of ``rng``, named by the
        analyst's id).
    rng : numpy.random.Generator
        The generator the draws come from.
    level : float
        The credible level of the intervals.
    strengths : mapping, optional
        Dirichlet strengths overriding the model file's, by variable.

    Returns
    -------
    AnalystSplit
        Each analyst's point value, draws and term; the pooled value; the decomposition.

    Examples
    --------
    >>> net = Network.from_file("models/example_analysts")
    >>> sp = analyst_split(net, "armed_clash", "yes", draws=400, rng=np.random.default_rng(1))
    >>> bool(sp.points[0] < sp.pooled < sp.points[1]), 0 < sp.between_share < 1
    (True, True)
    """
    target = net.name_of(target)  # an alias names its variable
    level = check_level(level)
    draws = check_count(draws, name="draws", minimum=2, example=1000)
    if better not in ("lower", "higher"):
        raise UsageError(f"better must be 'lower' or 'higher', not {better!r}", field="better")
    spec = net.spec
    if not spec.analysts:
        raise UsageError(
            f"the model {spec.name} lists no analysts",
            field="analysts",
            fix="add analysts: and elicitations: to the model (docs/model-format.md)",
        )
    cond: dict[str, Any] = {
        "given": given,
        "do": do,
        "soft": soft,
        "policy": policy,
        "scenario": scenario,
    }
    prep = net.prepare(target, state, **cond)
    w = analyst_weights(spec)
    ids = tuple(w)
    points, values, rows = [], [], []
    pols = tuple(policies or ())
    for a in ids:
        view = Network(analyst_view(spec, a))
        p = view.prepare(target, state, **cond)
        points.append(p.point)
        cpts = draw_cpts(view, draws, rng=stream(rng, a), strengths=strengths)
        values.append(batched_probability(view, target, p.states, p.evidence, cpts)[0])
        if pols:
            rows.append(
                [
                    view.prepare(
                        target, state, **{**cond, "policy": None if x == "baseline" else x}
                    ).point
                    for x in pols
                ]
            )
    shown = {x.id: x.shown for x in spec.analysts}
    return AnalystSplit(
        target,
        prep.states,
        prep.conditions,
        prep.point,
        ids,
        tuple(shown[a] for a in ids),
        np.array([w[a] for a in ids]),
        np.array(points),
        np.stack(values),
        level,
        prep.model_hash,
        pols,
        np.array(rows) if pols else None,
        better,
    )
