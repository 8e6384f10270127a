"""Parameter uncertainty carried into answers: intervals on any query, and policy comparisons
with common random numbers (the same parameter draws for every policy).

The draws themselves come from :mod:`estimative.priors`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._random import DEFAULT_DRAWS
from ..checks import check_level
from ..errors import QueryError, UsageError, did_you_mean
from ..network import Evidence, Network, Soft
from ..priors import Draws, resolve_draws
from ..spec import BASELINE


def batched_joint(net: Network, target: str, ev: Evidence, cpts: Draws) -> np.ndarray:
    """P(target, evidence | do) for every parameter set in ``cpts``: shape ``(card, N)``.

    Runs :meth:`Network.query_batch`, which chunks the batch to bound memory. A set under
    which the evidence is impossible gives a column of zeros.
    """
    bp = net.query_batch(target, cpts=cpts, given=ev.given, soft=ev.soft, do=ev.do, rules=ev.rules)
    joint = np.where(bp.impossible[:, np.newaxis], 0.0, bp.probs) * bp.evidence_prob[:, np.newaxis]
    return joint.T


def batched_probability(
    net: Network, target: str, state: str | Sequence[str], ev: Evidence, cpts: Draws
) -> tuple[np.ndarray, np.ndarray]:
    """P(target in states | evidence; do) per parameter set, and the mask of valid sets.

    A set under which the evidence has probability zero is flagged (``valid`` False, value
    NaN), never normalised.
    """
    states, _ = net.state_indices(target, state)
    bp = net.query_batch(target, cpts=cpts, given=ev.given, soft=ev.soft, do=ev.do, rules=ev.rules)
    valid = ~bp.impossible
    return np.where(valid, bp.prob(list(states)), np.nan), valid


def _summary(values: np.ndarray, level: float) -> tuple[float, float, float, float]:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return (np.nan,) * 4
    lo, hi = np.quantile(v, [(1 - level) / 2, (1 + level) / 2])
    return float(v.mean()), float(np.median(v)), float(lo), float(hi)


@dataclass(frozen=True, eq=False)
class ProbabilityInterval:
    """A probability with its point value and its spread over parameter draws.

    ``values`` holds one value per draw (NaN where the draw makes the evidence impossible;
    ``valid`` flags the others). Summaries are computed from the valid draws.

    >>> import numpy as np
    >>> from estimative import Network
    >>> iv = query_interval(Network.from_file("models/example"), "armed_clash", "yes",
    ...                     draws=500, rng=np.random.default_rng(0))
    >>> bool(iv.low < iv.point < iv.high), iv.n_draws
    (True, 500)
    """

    target: str
    states: tuple[str, ...]
    conditions: str
    point: float
    values: np.ndarray
    valid: np.ndarray
    level: float
    model_hash: str

    @property
    def mean(self) -> float:
        return _summary(self.values, self.level)[0]

    @property
    def median(self) -> float:
        return _summary(self.values, self.level)[1]

    @property
    def low(self) -> float:
        return _summary(self.values, self.level)[2]

    @property
    def high(self) -> float:
        return _summary(self.values, self.level)[3]

    @property
    def n_draws(self) -> int:
        return int(self.values.size)

    @property
    def n_valid(self) -> int:
        return int(self.valid.sum())

    @property
    def label(self) -> str:
        st = self.states[0] if len(self.states) == 1 else "{" + ",".join(self.states) + "}"
        return f"P({self.target}={st}{' | ' + self.conditions if self.conditions else ''})"

    def to_dict(self) -> dict[str, Any]:
        mean, median, lo, hi = _summary(self.values, self.level)
        return {
            "target": self.target,
            "states": list(self.states),
            "conditions": self.conditions,
            "point": self.point,
            "mean": mean,
            "median": median,
            "low": lo,
            "high": hi,
            "level": self.level,
            "draws": self.n_draws,
            "valid_draws": self.n_valid,
            "model_hash": self.model_hash,
        }

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.to_dict()])

    def __repr__(self) -> str:
        d = self.to_dict()
        return (
            f"{self.label} = {d['point']:.4f}; mean {d['mean']:.4f}, median {d['median']:.4f}, "
            f"{100 * self.level:g}% interval [{d['low']:.4f}, {d['high']:.4f}] over {self.n_valid} draws"
        )

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.label)}</p>" + self.to_frame().drop(
            columns=["target", "states", "conditions"]
        ).to_html(index=False, float_format=lambda x: f"{x:.4f}")


def query_interval(
    net: Network,
    target: str,
    state: str | Sequence[str],
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    soft: Soft | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
    draws: int | Draws = DEFAULT_DRAWS,
    rng: np.random.Generator | None = None,
    level: float = 0.9,
    strengths: Mapping[str, float] | None = None,
) -> ProbabilityInterval:
    """P(target in state | conditions) at the model's numbers and over parameter draws.

    ``draws`` is a number of draws (then ``rng`` is required) or the list
    :func:`draw_cpts` returned: pass the same list to several calls to compare policies or
    scenarios on common random numbers.

    Parameters
    ----------
    net : Network
        The model.
    target : str
        The variable the probability is about.
    state : str or sequence of str
        The target state, or several (their probabilities add up).
    given, do, soft, policy, scenario : optional
        The conditions, as for :meth:`estimative.network.Network.query`.
    draws : int or list of arrays
        A number of draws (then ``rng`` is required) or the list :func:`draw_cpts` returned.
    rng : numpy.random.Generator, optional
        The generator the draws come from.
    level : float
        The credible level of the interval, strictly between 0 and 1.
    strengths : mapping, optional
        Dirichlet strengths overriding the model file's, by variable.

    Returns
    -------
    ProbabilityInterval
        The point value, one value per draw (NaN where a draw makes the evidence impossible),
        and their mean, median and central ``level`` interval.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> iv = query_interval(net, "armed_clash", "yes", policy="status_quo", draws=2000,
    ...                     rng=np.random.default_rng(0))
    >>> bool(iv.low < iv.point < iv.high), iv.n_valid
    (True, 2000)
    """
    target = net.name_of(target)  # an alias names its variable
    level = check_level(level)
    prep = net.prepare(
        target, state, given=given, do=do, soft=soft, policy=policy, scenario=scenario
    )
    cpts = resolve_draws(net, draws, rng, strengths)
    values, valid = batched_probability(net, target, prep.states, prep.evidence, cpts)
    return ProbabilityInterval(
        target, prep.states, prep.conditions, prep.point, values, valid, level, prep.model_hash
    )


# ------------------------------------------------------------------------- policy comparisons


@dataclass(frozen=True, eq=False)
class PolicyComparison:
    """Several policies' values of one probability on the same parameter draws.

    ``values[i]`` holds policy ``policies[i]``'s value per draw (NaN where invalid). Because
    every policy sees the same draws, differences are computed draw by draw: their interval
    and P(A beats B) are honest about the shared uncertainty. ``better`` says whether a higher
    or a lower value is better (a risk: lower).

    >>> import numpy as np
    >>> from estimative import Network
    >>> net = Network.from_file("models/example")
    >>> cmp = compare_policies(net, "armed_clash", "yes", draws=300, rng=np.random.default_rng(0))
    >>> round(sum(cmp.prob_best().values()), 9)
    1.0
    """

    target: str
    states: tuple[str, ...]
    conditions: str
    policies: tuple[str, ...]
    points: np.ndarray
    values: np.ndarray
    level: float
    better: str
    model_hash: str

    def _row(self, policy: str) -> int:
        try:
            return self.policies.index(policy)
        except ValueError:
            raise QueryError(
                f"'{policy}' is not among the compared policies{did_you_mean(policy, self.policies)}",
                expected=f"one of {list(self.policies)}",
            ) from None

    def interval(self, policy: str) -> ProbabilityInterval:
        i = self._row(policy)
        cond = ", ".join(x for x in (f"policy={policy}", self.conditions) if x)
        return ProbabilityInterval(
            self.target,
            self.states,
            cond,
            float(self.points[i]),
            self.values[i],
            np.isfinite(self.values[i]),
            self.level,
            self.model_hash,
        )

    def difference(self, a: str, b: str) -> np.ndarray:
        """Per-draw value of ``a`` minus ``b`` (NaN where either is invalid)."""
        return self.values[self._row(a)] - self.values[self._row(b)]

    def prob_greater(self, a: str, b: str) -> float:
        """P(value under ``a`` > value under ``b``) over the valid draws."""
        d = self.difference(a, b)
        d = d[np.isfinite(d)]
        return float(np.mean(d > 0)) if d.size else float("nan")

    def prob_beats(self, a: str, b: str) -> float:
        """P(``a`` is strictly better than ``b``), with ``better`` deciding the direction."""
        return self.prob_greater(a, b) if self.better == "higher" else self.prob_greater(b, a)

    def prob_best(self) -> dict[str, float]:
        """P(each policy is the best one) over draws valid for every policy (ties split)."""
        v = self.values[:, np.all(np.isfinite(self.values), axis=0)]
        if v.shape[1] == 0:
            return {p: float("nan") for p in self.policies}
        best = v.max(axis=0) if self.better == "higher" else v.min(axis=0)
        wins = (v == best).astype(float)
        wins /= wins.sum(axis=0, keepdims=True)
        return dict(zip(self.policies, map(float, wins.mean(axis=1)), strict=True))

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the probability compared, one row per policy (:meth:`to_frame`) and one
        per ordered pair (:meth:`pairs_frame`); numbers raw, NaN where undefined."""
        return {
            "target": self.target,
            "states": list(self.states),
            "conditions": self.conditions,
            "policies": list(self.policies),
            "better": self.better,
            "level": self.level,
            "draws": int(self.values.shape[1]),
            "rows": self.to_frame().to_dict("records"),
            "pairs": self.pairs_frame().to_dict("records"),
            "model_hash": self.model_hash,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per policy: point, mean, median, interval, P(best)."""
        best = self.prob_best()
        rows = []
        for p in self.policies:
            d = self.interval(p).to_dict()
            rows.append(
                {
                    "policy": p,
                    "point": d["point"],
                    "mean": d["mean"],
                    "median": d["median"],
                    "low": d["low"],
                    "high": d["high"],
                    "p_best": best[p],
                    "valid_draws": d["valid_draws"],
                }
            )
        return pd.DataFrame(rows)

    def pairs_frame(self) -> pd.DataFrame:
        """One row per ordered pair (A, B): the difference A - B, its interval, P(A beats B)."""
        rows = []
        for a in self.policies:
            for b in self.policies:
                if a == b:
                    continue
                d = self.difference(a, b)
                mean, median, lo, hi = _summary(d, self.level)
                rows.append(
                    {
                        "a": a,
                        "b": b,
                        "point": float(self.points[self._row(a)] - self.points[self._row(b)]),
                        "mean": mean,
                        "median": median,
                        "low": lo,
                        "high": hi,
                        "p_a_greater": self.prob_greater(a, b),
                        "p_a_beats_b": self.prob_beats(a, b),
                    }
                )
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return (
            f"<PolicyComparison P({self.target}={','.join(self.states)}) over {len(self.policies)} policies, "
            f"{self.values.shape[1]} draws, {self.better} is better>"
        )

    def _repr_html_(self) -> str:
        fmt = {"float_format": lambda x: f"{x:.4f}", "index": False}
        return (
            f"<p>P({html.escape(self.target)}={html.escape(','.join(self.states))})"
            f"{html.escape(' | ' + self.conditions if self.conditions else '')}; "
            f"{100 * self.level:g}% intervals; {self.better} is better</p>"
            + self.to_frame().to_html(**fmt)
            + self.pairs_frame().to_html(**fmt)
        )


def compare_policies(
    net: Network,
    target: str,
    state: str | Sequence[str],
    policies: Sequence[str | None] | None = None,
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    soft: Soft | None = None,
    scenario: str | None = None,
    draws: int | Draws = DEFAULT_DRAWS,
    rng: np.random.Generator | None = None,
    level: float = 0.9,
    better: Literal["higher", "lower"] | None = None,
    strengths: Mapping[str, float] | None = None,
) -> PolicyComparison:
    """Compare policies on one probability with common random numbers.

    ``policies`` names the model's policies (``None`` in the list: the baseline, no policy;
    default: the baseline and every policy). Every policy is evaluated on the same draws.

    Parameters
    ----------
    net : Network
        The model.
    target : str
        The variable the probability is about.
    state : str or sequence of str
        The target state, or several.
    policies : sequence of str or None, optional
        The policies to compare (``None`` in the list: the baseline).
    given, do, soft, scenario : optional
        Conditions shared by every policy, as for :meth:`estimative.network.Network.query`.
    draws : int or list of arrays
        A number of draws (then ``rng`` is required) or the list :func:`draw_cpts` returned.
    rng : numpy.random.Generator, optional
        The generator the draws come from.
    level : float
        The credible level of the intervals.
    better : {"higher", "lower"}, optional
        Whether a higher or a lower probability is better (a risk: lower). Default: what the
        model's headline outcome on ``target`` and ``state`` says (its ``better:``); a model
        that does not say needs it here.
    strengths : mapping, optional
        Dirichlet strengths overriding the model file's, by variable.

    Returns
    -------
    PolicyComparison
        Each policy's point value and per-draw values on the same draws, with differences,
        P(A beats B) and P(best).

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> cmp = compare_policies(net, "armed_clash", "yes", ["status_quo", "private_channel"],
    ...                        draws=2000, rng=np.random.default_rng(0), better="lower")
    >>> cmp.prob_beats("private_channel", "status_quo") > 0.9
    True
    """
    target = net.name_of(target)  # an alias names its variable
    level = check_level(level)
    better = better_for(net, target, state) if better is None else better
    if better not in ("higher", "lower"):
        raise UsageError("better must be 'higher' or 'lower'", field="better", found=repr(better))
    if policies is None:
        policies = [None, *(p.id for p in net.spec.policies)]
    if not policies:
        raise UsageError("name at least one policy to compare", field="policies")
    states, _ = net.state_indices(target, state)
    cpts = resolve_draws(net, draws, rng, strengths)
    labels, points, values = [], [], []
    base = net.resolve(given=given, do=do, soft=soft, scenario=scenario)
    for pol in policies:
        prep = net.prepare(
            target, states, given=given, do=do, soft=soft, policy=pol, scenario=scenario
        )
        labels.append(BASELINE if pol is None else pol)
        points.append(prep.point)
        values.append(batched_probability(net, target, states, prep.evidence, cpts)[0])
    if len(set(labels)) != len(labels):
        raise UsageError("a policy is named twice", field="policies", found=str(labels))
    return PolicyComparison(
        target,
        states,
        base.text,
        tuple(labels),
        np.array(points),
        np.vstack(values),
        level,
        better,
        net.model_hash,
    )


def better_for(net: Network, target: str, state: str | Sequence[str]) -> Literal["higher", "lower"]:
    """Whether a higher or a lower probability of ``target`` in ``state`` is better, as the
    model's headline outcome on it says (its ``better:``).

    Raises :class:`UsageError` (``field="better"``) when no outcome on ``target`` and
    ``state`` says: ranking policies on a probability without knowing which way is better
    would silently call the riskiest option best.

    >>> net = Network.from_file("models/example")
    >>> better_for(net, "armed_clash", "yes")   # the outcome "clash" says: lower
    'lower'
    >>> try:
    ...     better_for(net, "misread_intent", "no")
    ... except Exception as err:
    ...     print(err.problems[0].field, "|", err.problems[0].fix)
    better | pass better='lower' for a risk (or 'higher'), or write `better: lower` on the model's outcome for it
    """
    states = [state] if isinstance(state, str) else list(state)
    said = {o.better for o in net.spec.outcomes if o.target == target and [o.state] == states}
    said.discard(None)
    if len(said) == 1:
        return said.pop()  # type: ignore[return-value]
    mentions = [o.id for o in net.spec.outcomes if o.target == target and [o.state] == states]
    raise UsageError(
        f"say whether a higher or a lower P({target}={','.join(states)}) is better",
        field="better",
        expected="'higher' or 'lower'",
        found=("outcomes that disagree" if said else "no outcome of the model says")
        + (f" ({', '.join(mentions)})" if mentions else ""),
        fix="pass better='lower' for a risk (or 'higher'), or write `better: lower` on the "
        "model's outcome for it",
    )
