"""Parameter uncertainty: Dirichlet draws of every CPT column.

Each CPT column is Dirichlet(strength x p), with ``strength`` the equivalent sample size from
the model file (or the default for the CPT's provenance, see
:func:`estimative.elicitation.default_strength`). A verbal CPT (ICD 203 terms) without an
explicit strength gets, per column, the Beta whose mean is the term's midpoint and whose
central 90% interval spans the term's band. Structural zeros stay zero.

Draws carry the batch on a trailing axis, ``(card, *parent_cards, N)``, the layout the
engine contracts fastest.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .elicitation import default_strength
from .errors import QueryError, UsageError, did_you_mean
from .network import Evidence, Network, Soft

_Z90 = 1.6448536269514722  # standard normal 95th percentile: a 90% central interval is +-1.645 sd


def band_concentration(mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """a + b of the Beta with the given mean whose sd is the band's half-width / 1.645.

    >>> float(band_concentration(np.array(0.675), np.array(0.55), np.array(0.80)).round(1))
    37.0
    """
    sd = (high - low) / (2 * _Z90)
    var = np.maximum(sd**2, 1e-12)
    return np.maximum(mean * (1 - mean) / var - 1.0, 1.0)


def concentrations(net: Network, *, strengths: Mapping[str, float] | None = None) -> list[np.ndarray]:
    """The Dirichlet parameters of every CPT (same shapes as ``net.cpts``).

    ``strengths`` overrides the file's strength for named variables.
    """
    out = []
    byid = {v.id: v for v in net.spec.variables}
    for name, cpt in zip(net.variables, net.cpts, strict=True):
        var = byid.get(name)
        override = (strengths or {}).get(name)
        if override is not None:
            alpha = float(override) * cpt
        elif var is not None and var.bands is not None and var.cpt.strength is None:
            event = -1 if var.cpt.event is None else var.states.index(var.cpt.event)
            total = band_concentration(cpt[event], var.bands[0], var.bands[1])
            alpha = cpt * total[np.newaxis, ...]
        else:
            s = default_strength(var.cpt) if var is not None else 20.0
            alpha = s * cpt
        out.append(alpha)
    return out


def draw_cpts(
    net: Network, n: int, *, rng: np.random.Generator, strengths: Mapping[str, float] | None = None
) -> list[np.ndarray]:
    """``n`` joint draws of every CPT; each array has shape ``(card, *parent_cards, n)``.

    Columns are drawn independently (vectorised gamma draws normalised per column); entries
    whose point value is 0 stay 0.

    >>> net = Network.from_file("models/example")
    >>> draws = draw_cpts(net, 1000, rng=np.random.default_rng(1))
    >>> draws[0].shape, bool(np.allclose(draws[0].sum(axis=0), 1.0))
    ((2, 1000), True)
    """
    if n < 1:
        raise UsageError("the number of draws must be at least 1", found=str(n))
    out = []
    for alpha in concentrations(net, strengths=strengths):
        a = np.asarray(alpha, dtype=float)
        g = rng.standard_gamma(np.where(a > 0, a, 1.0)[..., np.newaxis] * np.ones(n))
        g = np.where(a[..., np.newaxis] > 0, g, 0.0)
        total = g.sum(axis=0, keepdims=True)
        # A column whose every draw underflowed to zero falls back to its point value.
        safe = np.where(total > 0, total, 1.0)
        draw = np.where(total > 0, g / safe, (a / np.maximum(a.sum(axis=0, keepdims=True), 1e-300))[..., np.newaxis])
        out.append(draw)
    return out


# ---------------------------------------------------------------------------------- intervals
Draws = Sequence[np.ndarray]


def resolve_draws(net: Network, draws: int | Draws, rng: np.random.Generator | None,
                  strengths: Mapping[str, float] | None = None) -> list[np.ndarray]:
    """The draws to use: drawn now (``int``) or checked against the network (a list)."""
    if isinstance(draws, int | np.integer):
        if rng is None:
            raise UsageError("drawing parameters needs a random generator",
                             fix="pass rng=np.random.default_rng(SEED), or pass draws from draw_cpts")
        if draws < 1:
            raise UsageError("draws must be at least 1", found=str(draws))
        return draw_cpts(net, int(draws), rng=rng, strengths=strengths)
    out = [np.asarray(d, dtype=float) for d in draws]
    if len(out) != len(net.cpts):
        raise UsageError(f"draws has {len(out)} arrays; the network has {len(net.cpts)} CPTs",
                         fix="pass the list draw_cpts(net, N, rng=...) returns")
    n = out[0].shape[-1] if out and out[0].ndim else 0
    for name, d, cpt in zip(net.variables, out, net.cpts, strict=True):
        if d.shape != (*cpt.shape, n):
            raise UsageError(f"draws for '{name}' have shape {d.shape}", expected=str((*cpt.shape, n)),
                             fix="pass the list draw_cpts(net, N, rng=...) returns for this network")
    return out


def n_draws(draws: Draws) -> int:
    """The number of parameter sets in a list of batched CPTs."""
    return int(draws[0].shape[-1])


def batched_joint(net: Network, target: str, ev: Evidence, cpts: Draws) -> np.ndarray:
    """P(target, evidence | do) for every parameter set in ``cpts``: shape ``(card, N)``.

    Runs :meth:`Network.query_batch`, which chunks the batch to bound memory. A set under
    which the evidence is impossible gives a column of zeros.
    """
    bp = net.query_batch(target, cpts=cpts, given=ev.given, soft=ev.soft, do=ev.do)
    joint = np.where(bp.impossible[:, np.newaxis], 0.0, bp.probs) * bp.evidence_prob[:, np.newaxis]
    return joint.T


def _state_indices(net: Network, target: str, state: str | Sequence[str]) -> tuple[tuple[str, ...], list[int]]:
    net.index(target)
    states = (state,) if isinstance(state, str) else tuple(state)
    if not states:
        raise QueryError(f"name at least one state of '{target}'", expected=f"one of {list(net.states[target])}")
    return states, [net.state_index(target, s) for s in states]


def batched_probability(net: Network, target: str, state: str | Sequence[str], ev: Evidence,
                        cpts: Draws) -> tuple[np.ndarray, np.ndarray]:
    """P(target in states | evidence; do) per parameter set, and the mask of valid sets.

    A set under which the evidence has probability zero is flagged (``valid`` False, value
    NaN), never normalised.
    """
    states, _ = _state_indices(net, target, state)
    bp = net.query_batch(target, cpts=cpts, given=ev.given, soft=ev.soft, do=ev.do)
    valid = ~bp.impossible
    return np.where(valid, bp.prob(list(states)), np.nan), valid


def _summary(values: np.ndarray, level: float) -> tuple[float, float, float, float]:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return (np.nan,) * 4  # type: ignore[return-value]
    lo, hi = np.quantile(v, [(1 - level) / 2, (1 + level) / 2])
    return float(v.mean()), float(np.median(v)), float(lo), float(hi)


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise UsageError("level must be strictly between 0 and 1", found=str(level), fix="e.g. level=0.9")
    return float(level)


def _cond_text(ev: Evidence) -> str:
    d = ev.describe()
    return "" if d == "no evidence" else d


@dataclass(frozen=True, eq=False)
class ProbabilityInterval:
    """A probability with its point value and its spread over parameter draws.

    ``values`` holds one value per draw (NaN where the draw makes the evidence impossible;
    ``valid`` flags the others). Summaries are computed from the valid draws.
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
        return {"target": self.target, "states": list(self.states), "conditions": self.conditions,
                "point": self.point, "mean": mean, "median": median, "low": lo, "high": hi,
                "level": self.level, "draws": self.n_draws, "valid_draws": self.n_valid,
                "model_hash": self.model_hash}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.to_dict()])

    def __repr__(self) -> str:
        d = self.to_dict()
        return (f"{self.label} = {d['point']:.4f}; mean {d['mean']:.4f}, median {d['median']:.4f}, "
                f"{100 * self.level:g}% interval [{d['low']:.4f}, {d['high']:.4f}] over {self.n_valid} draws")

    def _repr_html_(self) -> str:
        return (f"<p>{html.escape(self.label)}</p>"
                + self.to_frame().drop(columns=["target", "states", "conditions"]).to_html(
                    index=False, float_format=lambda x: f"{x:.4f}"))


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
    draws: int | Draws = 1000,
    rng: np.random.Generator | None = None,
    level: float = 0.9,
    strengths: Mapping[str, float] | None = None,
) -> ProbabilityInterval:
    """P(target in state | conditions) at the model's numbers and over parameter draws.

    ``draws`` is a number of draws (then ``rng`` is required) or the list
    :func:`draw_cpts` returned: pass the same list to several calls to compare policies or
    scenarios on common random numbers.

    >>> net = Network.from_file("models/example")
    >>> iv = query_interval(net, "armed_clash", "yes", policy="status_quo", draws=2000,
    ...                     rng=np.random.default_rng(0))
    >>> bool(iv.low < iv.point < iv.high), iv.n_valid
    (True, 2000)
    """
    level = _check_level(level)
    ev = net.resolve(given=given, do=do, soft=soft, policy=policy, scenario=scenario)
    states, idx = _state_indices(net, target, state)
    point = net.query(target, given=ev.given, do=ev.do, soft=ev.soft)
    cpts = resolve_draws(net, draws, rng, strengths)
    values, valid = batched_probability(net, target, states, ev, cpts)
    return ProbabilityInterval(target, states, _cond_text(ev), float(point.probs[idx].sum()), values, valid,
                               level, net.content_hash)


# ------------------------------------------------------------------------- policy comparisons
BASELINE = "baseline"


@dataclass(frozen=True, eq=False)
class PolicyComparison:
    """Several policies' values of one probability on the same parameter draws.

    ``values[i]`` holds policy ``policies[i]``'s value per draw (NaN where invalid). Because
    every policy sees the same draws, differences are computed draw by draw: their interval
    and P(A beats B) are honest about the shared uncertainty. ``better`` says whether a higher
    or a lower value is better (a risk: lower).
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
            raise QueryError(f"'{policy}' is not among the compared policies{did_you_mean(policy, self.policies)}",
                             expected=f"one of {list(self.policies)}") from None

    def interval(self, policy: str) -> ProbabilityInterval:
        i = self._row(policy)
        cond = ", ".join(x for x in (f"policy={policy}", self.conditions) if x)
        return ProbabilityInterval(self.target, self.states, cond, float(self.points[i]), self.values[i],
                                   np.isfinite(self.values[i]), self.level, self.model_hash)

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

    def to_frame(self) -> pd.DataFrame:
        """One row per policy: point, mean, median, interval, P(best)."""
        best = self.prob_best()
        rows = []
        for p in self.policies:
            d = self.interval(p).to_dict()
            rows.append({"policy": p, "point": d["point"], "mean": d["mean"], "median": d["median"],
                         "low": d["low"], "high": d["high"], "p_best": best[p], "valid_draws": d["valid_draws"]})
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
                rows.append({"a": a, "b": b, "point": float(self.points[self._row(a)] - self.points[self._row(b)]),
                             "mean": mean, "median": median, "low": lo, "high": hi,
                             "p_a_greater": self.prob_greater(a, b), "p_a_beats_b": self.prob_beats(a, b)})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return (f"<PolicyComparison P({self.target}={','.join(self.states)}) over {len(self.policies)} policies, "
                f"{self.values.shape[1]} draws, {self.better} is better>")

    def _repr_html_(self) -> str:
        fmt = {"float_format": lambda x: f"{x:.4f}", "index": False}
        return (f"<p>P({html.escape(self.target)}={html.escape(','.join(self.states))})"
                f"{html.escape(' | ' + self.conditions if self.conditions else '')}; "
                f"{100 * self.level:g}% intervals; {self.better} is better</p>"
                + self.to_frame().to_html(**fmt) + self.pairs_frame().to_html(**fmt))


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
    draws: int | Draws = 1000,
    rng: np.random.Generator | None = None,
    level: float = 0.9,
    better: Literal["higher", "lower"] = "higher",
    strengths: Mapping[str, float] | None = None,
) -> PolicyComparison:
    """Compare policies on one probability with common random numbers.

    ``policies`` names the model's policies (``None`` in the list: the baseline, no policy;
    default: the baseline and every policy). Every policy is evaluated on the same draws.

    >>> net = Network.from_file("models/example")
    >>> cmp = compare_policies(net, "armed_clash", "yes", ["status_quo", "private_channel"],
    ...                        draws=2000, rng=np.random.default_rng(0), better="lower")
    >>> cmp.prob_beats("private_channel", "status_quo") > 0.9
    True
    """
    level = _check_level(level)
    if better not in ("higher", "lower"):
        raise UsageError("better must be 'higher' or 'lower'", found=repr(better))
    if policies is None:
        policies = [None, *(p.id for p in net.spec.policies)]
    if not policies:
        raise UsageError("name at least one policy to compare")
    states, idx = _state_indices(net, target, state)
    cpts = resolve_draws(net, draws, rng, strengths)
    labels, points, values = [], [], []
    base = net.resolve(given=given, do=do, soft=soft, scenario=scenario)
    for pol in policies:
        ev = net.resolve(given=given, do=do, soft=soft, policy=pol, scenario=scenario)
        labels.append(BASELINE if pol is None else pol)
        points.append(float(net.query(target, given=ev.given, do=ev.do, soft=ev.soft).probs[idx].sum()))
        values.append(batched_probability(net, target, states, ev, cpts)[0])
    if len(set(labels)) != len(labels):
        raise UsageError("a policy is named twice", found=str(labels))
    return PolicyComparison(target, states, _cond_text(base), tuple(labels), np.array(points), np.vstack(values),
                            level, better, net.content_hash)
