"""Flip-points: the smallest single-parameter change that reverses two policies' ranking.

Under proportional co-variation (see :mod:`.oneway`) any probability, and any expected
utility (a weighted sum of probabilities with one denominator, P(evidence)), is a ratio of two
linear functions of one parameter ``x``. Writing ``t = x - x0`` around the model's value,

    f(x) = (g + alpha t) / (1 + gamma t),

three evaluations determine ``(g, alpha, gamma)`` exactly, and the two policies' values cross
where a quadratic in ``t`` vanishes. We evaluate every parameter at three interior points (and
a fourth to check the fit) for both policies in batched engine calls, solve the quadratics,
and keep the root nearest the model's value at which the difference changes sign.

The score is any *batched scorer* ``score(net, policy, cpts) -> values``: given batched CPTs
(trailing axis ``N``), the value of ``policy`` under each of the ``N`` parameter sets.
:func:`target_probability` builds the scorer for ``P(target in states | conditions)``; decision
analysis passes one for expected utility.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..checks import check_level
from ..errors import UsageError
from ..network import Network, Soft
from ..spec import BASELINE
from ..uncertainty import batched_probability
from .oneway import CHUNK, Parameter, parameters, perturbed_cpts

#: ``score(net, policy, cpts)``: the value of ``policy`` (a policy name, or ``None`` for the
#: baseline) under each parameter set of the batched ``cpts``; shape ``(N,)``.
Scorer = Callable[[Network, "str | None", Sequence[np.ndarray]], np.ndarray]


def target_probability(
    target: str,
    state: str | Sequence[str],
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    soft: Soft | None = None,
    scenario: str | None = None,
) -> Scorer:
    """The scorer of ``P(target in state | conditions)`` under a policy.

    Parameters
    ----------
    target : str
        The variable the probability is about.
    state : str or sequence of str
        The target state, or several.
    given, do, soft, scenario : optional
        Conditions shared by every policy.

    Returns
    -------
    Scorer
        ``score(net, policy, cpts)``: the probability under ``policy`` for each parameter set
        of the batched ``cpts``.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> score = target_probability("armed_clash", "yes")
    >>> round(float(score(net, "status_quo", [c[..., None] for c in net.cpts])[0]), 6)
    0.083853
    """

    def score(net: Network, policy: str | None, cpts: Sequence[np.ndarray]) -> np.ndarray:
        prep = net.prepare(
            target, state, given=given, do=do, soft=soft, policy=policy, scenario=scenario
        )
        return batched_probability(net, prep.target, prep.states, prep.evidence, cpts)[0]

    st = state if isinstance(state, str) else ",".join(state)
    score.label = f"P({target}={st})"  # type: ignore[attr-defined]
    return score


@dataclass(frozen=True)
class FlipPoint:
    """Where one parameter's change reverses the ranking of policies ``a`` and ``b``."""

    parameter: Parameter
    crossing: float  # the parameter value at which a and b score equal; NaN if none in its bounds
    low_x: float
    high_x: float
    value_a: float  # a's score at the model's numbers
    value_b: float
    fit_a: tuple[float, float, float]  # (g, alpha, gamma): f(x) = (g + alpha t) / (1 + gamma t)
    fit_b: tuple[float, float, float]
    exact: bool  # the fourth evaluation agreed with the fitted ratio of linear functions

    @property
    def exists(self) -> bool:
        return bool(np.isfinite(self.crossing))

    @property
    def change(self) -> float:
        """The change of the parameter that reverses the ranking (NaN if none)."""
        return self.crossing - self.parameter.value

    @property
    def within_range(self) -> bool:
        """The crossing lies inside the parameter's credible range."""
        return self.exists and self.low_x <= self.crossing <= self.high_x

    def score_a(self, x: float) -> float:
        g, a, c = self.fit_a
        t = x - self.parameter.value
        return (g + a * t) / (1 + c * t)

    def score_b(self, x: float) -> float:
        g, a, c = self.fit_b
        t = x - self.parameter.value
        return (g + a * t) / (1 + c * t)


@dataclass(frozen=True, eq=False)
class FlipPoints:
    """Flip-points of every parameter for two policies, nearest flip first.

    >>> from estimative import Network, flip_points, target_probability
    >>> fp = flip_points(Network.from_file("models/example"), "status_quo", "private_channel",
    ...                  score=target_probability("armed_clash", "yes"))
    >>> fp.nearest is not None
    True
    """

    policy_a: str
    policy_b: str
    score: str
    value_a: float
    value_b: float
    level: float
    points: tuple[FlipPoint, ...]
    model_hash: str

    @property
    def nearest(self) -> FlipPoint | None:
        """The smallest single-parameter change that reverses the ranking, if any in [0, 1]."""
        return self.points[0] if self.points and self.points[0].exists else None

    @property
    def nearest_within_range(self) -> FlipPoint | None:
        """The smallest reversing change inside its parameter's credible range, if any."""
        return next((p for p in self.points if p.within_range), None)

    def statement(self) -> str:
        """One sentence saying what it would take to reverse the ranking."""
        a, b = self.policy_a, self.policy_b
        if self.value_a == self.value_b:
            return f"{a} and {b} score the same ({self.value_a:.4g}) on {self.score}: there is no ranking to reverse."
        hi, lo = (a, b) if self.value_a > self.value_b else (b, a)
        head = f"{self.score} is higher under {hi} ({max(self.value_a, self.value_b):.4g}) than under {lo} ({min(self.value_a, self.value_b):.4g})"
        win = self.nearest_within_range
        near = self.nearest
        pct = f"{100 * self.level:g}%"
        if win is not None:
            p = win.parameter
            return (
                f"{head}; the ranking reverses if {p.label} moves from {p.value:.4g} to {win.crossing:.4g}, "
                f"inside its {pct} credible range [{win.low_x:.4g}, {win.high_x:.4g}]."
            )
        if near is not None:
            p = near.parameter
            return (
                f"{head}; no single parameter within its {pct} credible range reverses it. The nearest flip "
                f"needs {p.label} to move from {p.value:.4g} to {near.crossing:.4g} (range "
                f"[{near.low_x:.4g}, {near.high_x:.4g}])."
            )
        return f"{head}; no single-parameter change, anywhere in [0, 1], reverses it."

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "parameter": p.parameter.label,
                "variable": p.parameter.variable,
                "value": p.parameter.value,
                "crossing": p.crossing,
                "change": p.change,
                "low_x": p.low_x,
                "high_x": p.high_x,
                "within_range": p.within_range,
                "exact": p.exact,
            }
            for p in self.points
        ]
        return pd.DataFrame(
            rows,
            columns=[
                "parameter",
                "variable",
                "value",
                "crossing",
                "change",
                "low_x",
                "high_x",
                "within_range",
                "exact",
            ],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_a": self.policy_a,
            "policy_b": self.policy_b,
            "score": self.score,
            "value_a": self.value_a,
            "value_b": self.value_b,
            "level": self.level,
            "statement": self.statement(),
            "flips": self.to_frame().query("crossing == crossing").to_dict("records"),
            "model_hash": self.model_hash,
        }

    def __repr__(self) -> str:
        return (
            f"<FlipPoints {self.policy_a} vs {self.policy_b} on {self.score}: {self.statement()}>"
        )

    def _repr_html_(self) -> str:
        df = self.to_frame()
        return f"<p>{html.escape(self.statement())}</p>" + df[df["crossing"].notna()].head(
            20
        ).to_html(index=False, float_format=lambda x: f"{x:.4f}")


def _fit(
    values: np.ndarray, ts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(g, alpha, gamma) per row from values at t = 0, t1, t2, and whether the value at t3 fits."""
    g0, g1, g2, g3 = values.T
    t1, t2, t3 = ts.T
    s1, s2 = (g1 - g0) / t1, (g2 - g0) / t2
    dg = g2 - g1
    scale = np.maximum(np.abs(values).max(axis=1), 1e-300)
    flat = np.abs(dg) <= 1e-13 * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = np.where(flat, 0.0, (s1 - s2) / np.where(flat, 1.0, dg))
    alpha = s1 + gamma * g1
    alpha = np.where(flat, 0.0, alpha)
    with np.errstate(invalid="ignore", divide="ignore"):
        pred = (g0 + alpha * t3) / (1 + gamma * t3)
    exact = np.abs(pred - g3) <= 1e-9 + 1e-7 * np.abs(g3)
    return g0, alpha, gamma, exact


def _nearest_crossing(
    ga: np.ndarray,
    aa: np.ndarray,
    ca: np.ndarray,
    gb: np.ndarray,
    ab: np.ndarray,
    cb: np.ndarray,
    p: np.ndarray,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
) -> np.ndarray:
    """The root of (ga + aa t)(1 + cb t) - (gb + ab t)(1 + ca t) nearest t = 0 with a sign change
    and x = p + t in [lo, hi] (default [0, 1]; denominators positive); NaN where there is none."""
    lo = np.zeros(p.shape) if lo is None else lo
    hi = np.ones(p.shape) if hi is None else hi
    c0 = ga - gb
    c1 = aa + ga * cb - ab - gb * ca
    c2 = aa * cb - ab * ca
    out = np.full(p.shape, np.nan)
    for k in range(p.size):  # a quadratic per parameter: cheap scalar arithmetic
        roots = _roots(c2[k], c1[k], c0[k])
        best = np.nan
        for t in roots:
            x = p[k] + t
            if not lo[k] - 1e-12 <= x <= hi[k] + 1e-12:
                continue
            if 1 + ca[k] * t <= 0 or 1 + cb[k] * t <= 0:
                continue
            deriv = c1[k] + 2 * c2[k] * t
            if abs(deriv) <= 1e-12 * (abs(c1[k]) + abs(c2[k]) + abs(c0[k]) + 1e-300):
                continue  # a double root touches without reversing
            if not np.isfinite(best) or abs(t) < abs(best - p[k]):
                best = min(max(x, lo[k]), hi[k])
        out[k] = best
    return out


def _roots(c2: float, c1: float, c0: float) -> list[float]:
    scale = abs(c2) + abs(c1) + abs(c0)
    if scale == 0 or c0 == 0:
        return []  # identical scores, or tied at the model's value: nothing to reverse
    if abs(c2) <= 1e-14 * scale:
        return [] if c1 == 0 else [-c0 / c1]
    disc = c1 * c1 - 4 * c2 * c0
    if disc < 0:
        return []
    q = -0.5 * (c1 + np.copysign(np.sqrt(disc), c1))
    return [q / c2, c0 / q] if q != 0 else [0.0]


def flip_points(
    net: Network,
    policy_a: str | None,
    policy_b: str | None,
    *,
    score: Scorer,
    level: float = 0.9,
    variables: Sequence[str] | None = None,
    strengths: Mapping[str, float] | None = None,
    over: str = "entered",
) -> FlipPoints:
    """For every parameter, the value at which ``policy_a`` and ``policy_b`` swap ranks.

    ``score`` is a batched scorer (see :func:`target_probability`); ``None`` as a policy is
    the baseline. Results come nearest flip first; :meth:`FlipPoints.statement` says whether
    any flip lies inside its parameter's credible (``level``) range.

    Parameters
    ----------
    net : Network
        The model.
    policy_a, policy_b : str or None
        The two policies (``None``: the baseline).
    score : Scorer
        ``score(net, policy, cpts) -> values`` for batched CPTs.
    level : float
        The credible level of each parameter's range.
    variables : sequence of str, optional
        Consider only these variables' parameters.
    strengths : mapping, optional
        Dirichlet strengths overriding the model file's, by variable.

    Returns
    -------
    FlipPoints
        Per parameter, the value at which the two policies score equal, nearest flip first.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> fp = flip_points(net, "status_quo", "private_channel",
    ...                  score=target_probability("armed_clash", "yes"))
    >>> fp.nearest.parameter.label, round(fp.nearest.crossing, 4)
    ('P(armed_clash=yes | misread_intent=yes)', 0.03)
    """
    level = check_level(level)
    if policy_a == policy_b:
        raise UsageError("compare two different policies", found=f"{policy_a!r} twice")
    for pol in (policy_a, policy_b):
        if pol is not None:
            net.resolve(policy=pol)
    params = parameters(net, variables=variables, strengths=strengths, over=over)
    base = [c[..., np.newaxis] for c in net.cpts]
    va = float(np.asarray(score(net, policy_a, base))[0])
    vb = float(np.asarray(score(net, policy_b, base))[0])
    if not (np.isfinite(va) and np.isfinite(vb)):
        raise UsageError(
            "the score is undefined at the model's numbers", fix="check the evidence is possible"
        )
    p = np.array([q.value for q in params])
    lo_b = np.array([q.bounds[0] for q in params])
    hi_b = np.array([q.bounds[1] for q in params])
    # Interior points of each parameter's valid range: the denominator P(evidence) is
    # positive there whenever it is at x0.
    xs = np.column_stack([p, p - 0.5 * (p - lo_b), p + 0.5 * (hi_b - p), p + 0.25 * (hi_b - p)])
    ts = xs[:, 1:] - p[:, None]
    fits = []
    for pol in (policy_a, policy_b):
        vals = np.empty((len(params), 4))
        vals[:, 0] = va if pol == policy_a else vb
        for start in range(0, len(params), CHUNK):
            sub = params[start : start + CHUNK]
            m = len(sub)
            cpts = perturbed_cpts(net, list(sub) * 3, xs[start : start + m, 1:].T.reshape(-1))
            out = np.asarray(score(net, pol, cpts), dtype=float)
            vals[start : start + m, 1:] = out.reshape(3, m).T
        fits.append(_fit(vals, ts))
    (ga, aa, ca, ea), (gb, ab, cb, eb) = fits
    cross = _nearest_crossing(ga, aa, ca, gb, ab, cb, p, lo_b, hi_b)
    points = []
    for k, q in enumerate(params):
        lo, hi = q.credible(level)
        points.append(
            FlipPoint(
                q,
                float(cross[k]),
                lo,
                hi,
                va,
                vb,
                (float(ga[k]), float(aa[k]), float(ca[k])),
                (float(gb[k]), float(ab[k]), float(cb[k])),
                bool(ea[k] and eb[k]),
            )
        )
    points.sort(key=lambda f: (not f.exists, abs(f.change) if f.exists else 0.0))
    label = getattr(score, "label", getattr(score, "__name__", "score"))
    return FlipPoints(
        BASELINE if policy_a is None else policy_a,
        BASELINE if policy_b is None else policy_b,
        str(label),
        va,
        vb,
        level,
        tuple(points),
        net.model_hash,
    )
