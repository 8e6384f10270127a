"""Expected utility of each policy (or combination of decisions), with intervals and the
probability each is best under parameter uncertainty, and the map of which wins as two
weights change.

A named policy sets its do() assignments; decisions it leaves alone keep their baseline CPT
(the analyst's expectation of what that government does), as in every query of a policy. A
reacting policy is judged under its rules, written as CPTs (see :mod:`estimative.network.react`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..checks import check_level
from ..errors import UsageError, did_you_mean
from ..network import Network
from ..network.names import named
from ..spec import BASELINE
from ._core import (
    Alternative,
    AlternativeSet,
    Draws,
    UtilityModel,
    alternative_tensors,
    check_draws,
    combinations,
    default_alternatives,
    tie_tolerance,
    utility_model,
)
from .rollback import DecisionSolution, solve, strategy_values

DEFAULT_LEVEL = 0.9

#: A row added to the alternatives: the alternative, each (unrolled) attribute's expected
#: value, the expected utility per draw, and each attribute's value per draw (when known).
ExtraRow = tuple[Alternative, np.ndarray, np.ndarray | None, np.ndarray | None]


@dataclass(frozen=True, eq=False)
class ExpectedUtilities:
    """Expected utility of each alternative, each attribute's contribution, and (with
    parameter draws) an interval and the probability each alternative is best.

    ``attribute_values[i, a]`` is the expected value of attribute ``a`` (unweighted) under
    alternative ``i``; its contribution is ``weights[a]`` times that. The attributes are
    those the model file writes: in a dynamic model an attribute valued in ``each`` slice is
    one column whose value is the discounted mean over the slices and whose weight is the
    written weight (see :class:`~estimative.decision.UtilityModel`). ``rules[i]`` holds a
    reacting policy's rules in words (empty for the others). ``eu_draws[i, n]`` is the
    expected utility under draw ``n`` (the same draws for every alternative), and
    ``attribute_draws[i, a, n]`` each attribute's expected value under it (NaN for the optimal
    rules, whose draws are rolled back as a whole). The ``baseline`` row (kind ``"baseline"``)
    is a reference: it is never "best". :meth:`reweighted` ranks the same alternatives under
    another party's weights, on the same draws.

    >>> from estimative import Network, expected_utilities
    >>> eu = expected_utilities(Network.from_file("models/umbrella"))
    >>> eu.best, round(eu["umbrella=leave"], 6)
    ('optimal_rules', 70.0)
    """

    model: str
    model_hash: str
    unit: str
    attributes: tuple[str, ...]
    attribute_labels: tuple[str, ...]
    weights: Mapping[str, float]
    ids: tuple[str, ...]
    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    do: tuple[Mapping[str, str], ...]
    attribute_values: np.ndarray
    eu: np.ndarray
    eu_draws: np.ndarray | None
    level: float
    rules: tuple[tuple[str, ...], ...] = ()
    attribute_draws: np.ndarray | None = None

    # ----------------------------------------------------------------- derived numbers
    @property
    def contributions(self) -> np.ndarray:
        """``weights[a] x attribute_values[:, a]``; rows sum to ``eu``."""
        return self.attribute_values * np.array([self.weights[a] for a in self.attributes])

    @property
    def candidates(self) -> np.ndarray:
        """Indices of the rows that compete (every row but the baseline)."""
        return np.array([i for i, k in enumerate(self.kinds) if k != BASELINE], dtype=int)

    @property
    def best(self) -> str:
        """The id of the alternative with the highest expected utility (first among ties)."""
        c = self.candidates
        vals = self.eu[c]
        return self.ids[int(c[np.argmax(vals >= vals.max() - tie_tolerance(vals))])]

    def index(self, alternative: str) -> int:
        if alternative not in self.ids:
            raise UsageError(
                f"unknown alternative '{alternative}'{did_you_mean(alternative, self.ids)}",
                expected=f"one of {list(self.ids)}",
            )
        return self.ids.index(alternative)

    def __getitem__(self, alternative: str) -> float:
        return float(self.eu[self.index(alternative)])

    def reweighted(self, weights: Mapping[str, float]) -> ExpectedUtilities:
        """The same alternatives under other weights on the same attributes: ``weights`` maps
        attribute ids (as written) to weights, and an attribute it leaves out keeps its weight.
        Each expected utility, and with draws each draw's, is the new weights times the
        attributes' expected values, so intervals and P(best) are on the same draws. The
        optimal rules row is left out: other weights call for other rules (ask
        :func:`expected_utilities` with ``weights=``).

        >>> from estimative import Network, expected_utilities
        >>> eu = expected_utilities(Network.from_file("models/oil_wildcatter"), baseline=False)
        >>> free = eu.reweighted({"test_cost": 0.0})  # a seismic test that costs nothing
        >>> round(free["test=yes,drill=yes"], 6), "optimal_rules" in free.ids
        (20.0, False)
        """
        new = dict(self.weights)
        for a, w in weights.items():
            if a not in new:
                raise UsageError(
                    f"unknown utility attribute '{a}'{did_you_mean(a, self.attributes)}",
                    field="weights",
                    expected=f"one of {list(self.attributes)}",
                )
            if not np.isfinite(w) or w < 0:
                raise UsageError(
                    f"the weight of '{a}' must be a non-negative number",
                    field="weights",
                    found=repr(w),
                )
            new[a] = float(w)
        keep = [i for i, k in enumerate(self.kinds) if k != "rules"]
        wv = np.array([new[a] for a in self.attributes])
        values = self.attribute_values[keep]
        eu_draws = None
        if self.eu_draws is not None:
            if self.attribute_draws is None:
                raise UsageError(
                    "these expected utilities keep no per-attribute draws to reweigh",
                    fix="compute them with expected_utilities(..., weights=) instead",
                )
            eu_draws = np.einsum("a,ian->in", wv, self.attribute_draws[keep])
        return replace(
            self,
            weights=new,
            ids=tuple(self.ids[i] for i in keep),
            labels=tuple(self.labels[i] for i in keep),
            kinds=tuple(self.kinds[i] for i in keep),
            do=tuple(self.do[i] for i in keep),
            attribute_values=values,
            eu=values @ wv,
            eu_draws=eu_draws,
            rules=tuple(self.rules[i] for i in keep) if self.rules else (),
            attribute_draws=None if self.attribute_draws is None else self.attribute_draws[keep],
        )

    @property
    def n_draws(self) -> int:
        return 0 if self.eu_draws is None else int(self.eu_draws.shape[1])

    def prob_beats(self, a: str, b: str) -> float:
        """P(``a``'s expected utility is strictly above ``b``'s) over the parameter draws (the
        same draws for both: common random numbers). NaN without draws.

        >>> import numpy as np
        >>> from estimative import Network, expected_utilities
        >>> eu = expected_utilities(Network.from_file("models/umbrella"), draws=200,
        ...                         rng=np.random.default_rng(0))
        >>> 0 <= eu.prob_beats("umbrella=take", "umbrella=leave") <= 1
        True
        """
        if self.eu_draws is None:
            return float("nan")
        diff = self.eu_draws[self.index(a)] - self.eu_draws[self.index(b)]
        ok = np.isfinite(diff)
        return float(np.mean(diff[ok] > 0)) if ok.any() else float("nan")

    @property
    def low(self) -> np.ndarray:
        """Lower end of the central ``level`` interval of each row's EU (NaN without draws)."""
        return self._quantile((1 - self.level) / 2)

    @property
    def high(self) -> np.ndarray:
        return self._quantile((1 + self.level) / 2)

    def _quantile(self, q: float) -> np.ndarray:
        if self.eu_draws is None:
            return np.full(len(self.ids), np.nan)
        return np.quantile(self.eu_draws, q, axis=1)

    @property
    def prob_best(self) -> np.ndarray:
        """Share of draws in which each row has the highest EU among the candidates (ties
        split evenly; NaN for the baseline and without draws)."""
        out = np.full(len(self.ids), np.nan)
        if self.eu_draws is None:
            return out
        c = self.candidates
        vals = self.eu_draws[c]
        top = vals.max(axis=0, keepdims=True)
        winners = vals >= top - tie_tolerance(vals)
        out[c] = (winners / winners.sum(axis=0, keepdims=True)).mean(axis=1)
        return out

    # ----------------------------------------------------------------- rendering
    def to_dict(self) -> dict[str, Any]:
        """Plain data: one entry per alternative (id, label, kind, do, expected utility,
        interval, P(best), each attribute's weighted contribution) and the best; numbers raw,
        NaN where undefined (no draws, the baseline's P(best))."""
        low, high, pbest, contrib = self.low, self.high, self.prob_best, self.contributions
        return {
            "model": self.model,
            "model_hash": self.model_hash,
            "unit": self.unit,
            "weights": dict(self.weights),
            "attributes": list(self.attributes),
            "draws": self.n_draws,
            "level": self.level,
            "alternatives": [
                {
                    "id": pid,
                    "label": self.labels[i],
                    "kind": self.kinds[i],
                    "do": dict(self.do[i]),
                    "rules": list(self.rules[i]) if self.rules else [],
                    "expected_utility": float(self.eu[i]),
                    "low": float(low[i]),
                    "high": float(high[i]),
                    "prob_best": float(pbest[i]),
                    "contributions": {
                        a: float(contrib[i, j]) for j, a in enumerate(self.attributes)
                    },
                }
                for i, pid in enumerate(self.ids)
            ],
            "best": self.best,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per alternative: EU, interval, P(best), and each attribute's contribution."""
        frame = pd.DataFrame(
            {
                "id": list(self.ids),
                "label": list(self.labels),
                "kind": list(self.kinds),
                "expected_utility": self.eu,
                "low": self.low,
                "high": self.high,
                "prob_best": self.prob_best,
            }
        )
        contrib = self.contributions
        for j, a in enumerate(self.attributes):
            frame[f"contribution[{a}]"] = contrib[:, j]
        return frame

    def __repr__(self) -> str:
        return (
            f"<ExpectedUtilities {self.model}: {len(self.ids)} alternatives, best {self.best!r} "
            f"({self.eu[self.index(self.best)]:.4g} {self.unit})>"
        )

    def _repr_html_(self) -> str:
        rows = []
        for i, pid in enumerate(self.ids):
            interval = "" if self.eu_draws is None else f"{self.low[i]:.3g} to {self.high[i]:.3g}"
            pb = "" if np.isnan(self.prob_best[i]) else f"{100 * self.prob_best[i]:.0f}%"
            name = f"<b>{html.escape(pid)}</b>" if pid == self.best else html.escape(pid)
            rows.append(
                f"<tr><td>{name}</td><td>{html.escape(self.labels[i])}</td>"
                f"<td style='text-align:right'>{self.eu[i]:.4g}</td><td>{interval}</td><td>{pb}</td></tr>"
            )
        head = (
            "<tr><th>alternative</th><th>label</th><th>expected utility</th>"
            f"<th>{100 * self.level:.0f}% interval</th><th>P(best)</th></tr>"
        )
        cap = html.escape(
            f"Expected utility ({self.unit}); model {self.model}, hash {self.model_hash}"
        )
        return f"<table><caption>{cap}</caption>{head}{''.join(rows)}</table>"


def _evaluate(
    net: Network,
    util: UtilityModel,
    altset: AlternativeSet,
    cpts: Draws | None,
    level: float,
    extra_rows: Sequence[ExtraRow] = (),
) -> ExpectedUtilities:
    e, _ = alternative_tensors(net, util, altset)
    w = util.weight_vector
    values = e  # (n_alt, n_attr), over the unrolled attributes
    eu_draws = ed = None
    if cpts is not None:
        ed, _ = alternative_tensors(net, util, altset, cpts=cpts)  # (n_alt, n_attr, n)
        eu_draws = np.einsum("a,ian->in", w, ed)
    alts = list(altset.alternatives)
    if extra_rows:
        values = np.vstack([values, *[r[1][None, :] for r in extra_rows]])
        if eu_draws is not None and ed is not None:
            eu_draws = np.vstack(
                [eu_draws, *[r[2][None, :] for r in extra_rows if r[2] is not None]]
            )
            ed = np.concatenate(
                [
                    ed,
                    *[
                        (r[3] if r[3] is not None else np.full(ed.shape[1:], np.nan))[None]
                        for r in extra_rows
                        if r[2] is not None
                    ],
                ]
            )
        alts += [r[0] for r in extra_rows]
    return ExpectedUtilities(
        model=net.name,
        model_hash=net.model_hash,
        unit=util.unit,
        attributes=util.written,
        attribute_labels=tuple(util.written_labels[a] for a in util.written),
        weights=dict(util.written_weights),
        ids=tuple(a.id for a in alts),
        labels=tuple(a.label for a in alts),
        kinds=tuple(a.kind for a in alts),
        do=tuple(dict(a.do) for a in alts),
        attribute_values=util.aggregate(values, axis=1),
        eu=values @ w,
        eu_draws=eu_draws,
        level=level,
        rules=tuple(tuple(r.text for r in a.rules) for a in alts),
        attribute_draws=None if ed is None else util.aggregate(ed, axis=1),
    )


def expected_utilities(
    net: Network,
    *,
    weights: Mapping[str, float] | None = None,
    policies: Sequence[str] | None = None,
    do: Mapping[str, str] | None = None,
    draws: int | Draws = 0,
    rng: np.random.Generator | None = None,
    level: float = DEFAULT_LEVEL,
    strengths: Mapping[str, float] | None = None,
    baseline: bool = True,
) -> ExpectedUtilities:
    """Expected utility of each named policy (every combination of the decisions when the
    model names none), of the baseline, and, when a decision observes something, of the
    optimal decision rules.

    ``draws``: a number of Dirichlet parameter draws to take with ``rng``, or draws already
    taken by :func:`estimative.uncertainty.draw_cpts` (pass the same draws to several
    analyses to compare them on common random numbers). Every alternative is evaluated on
    the same draws.

    Parameters
    ----------
    net : Network
        A model with utilities.
    weights : mapping of str to float, optional
        Attribute weights overriding the model file's, by attribute id.
    policies : sequence of str, optional
        The named policies to compare (default: every policy).
    do : mapping of str to str, optional
        Conditions set by do() for every alternative.
    draws : int or list of arrays
        0 (no intervals), a number of draws to take with ``rng``, or the list
        :func:`estimative.priors.draw_cpts` returned.
    rng : numpy.random.Generator, optional
        The generator the draws come from.
    level : float
        The credible level of the intervals.
    strengths : mapping, optional
        Dirichlet strengths overriding the model file's, by variable.
    baseline : bool
        Add the baseline row (each decision as the analyst expects; never "best").

    Returns
    -------
    ExpectedUtilities
        Each alternative's expected utility and attribute contributions; with draws, its
        interval and P(best).

    Examples
    --------
    >>> from estimative import Network
    >>> eu = expected_utilities(Network.from_file("models/umbrella"))
    >>> eu.best, round(eu["umbrella=leave"], 6), round(eu["optimal_rules"], 6)
    ('optimal_rules', 70.0, 77.0)
    """
    do = named(net, do) or None  # aliases name their variables
    level = check_level(level)
    util = utility_model(net, weights=weights)
    altset = default_alternatives(net, policies, do=do)
    cpts = check_draws(net, draws, rng, strengths)
    extra: list[ExtraRow] = []
    if baseline:
        base = AlternativeSet(
            (
                Alternative(
                    BASELINE,
                    "Baseline: each decision as the analyst expects",
                    dict(do or {}),
                    BASELINE,
                ),
            ),
            dict(do or {}),
        )
        e, _ = alternative_tensors(net, util, base)
        ed = edr = None
        if cpts is not None:
            edr, _ = alternative_tensors(net, util, base, cpts=cpts)
            ed = np.einsum("a,ian->in", util.weight_vector, edr)[0]
        extra.append((base.alternatives[0], e[0], ed, None if edr is None else edr[0]))
    if any(net.spec.variable(d).observes for d in _free(net, do)):
        sol = solve(net, weights=weights, do=do)
        extra.append(_rules_row(net, util, sol, cpts))
    return _evaluate(net, util, altset, cpts, level, extra)


def _free(net: Network, do: Mapping[str, str] | None) -> list[str]:
    return [v.id for v in net.spec.variables if v.kind == "decision" and v.id not in (do or {})]


def _rules_row(
    net: Network, util: UtilityModel, sol: DecisionSolution, cpts: Draws | None
) -> ExtraRow:
    """The optimal rules as one more alternative: each attribute's expected value under them."""
    from .rollback import make_plan, plan_tensors, strategy_value

    plan = make_plan(net, sol.fixed)
    e, _ = plan_tensors(net, util, plan)
    values = np.array(
        [float(strategy_value(plan, sol.rules, e[a])) for a in range(len(util.attributes))]
    )
    ed = strategy_values(net, sol, util, cpts) if cpts is not None else None
    label = "Optimal decision rules: " + "; ".join(r.describe() for r in sol.rules)
    return Alternative("optimal_rules", label, dict(sol.fixed), "rules"), values, ed, None


def decision_table(
    net: Network,
    *,
    weights: Mapping[str, float] | None = None,
    do: Mapping[str, str] | None = None,
    draws: int | Draws = 0,
    rng: np.random.Generator | None = None,
    level: float = DEFAULT_LEVEL,
    strengths: Mapping[str, float] | None = None,
) -> ExpectedUtilities:
    """Expected utility of every combination of the decision variables (those not fixed by
    ``do``), each set by do(): the decision table.

    Parameters
    ----------
    net : Network
        A network with decision variables and utilities.
    weights : mapping of str to float, optional
        Attribute weights overriding the model's.
    do : mapping of str to str, optional
        Decisions (or other variables) held fixed; the others are enumerated.
    draws : int or list of numpy.ndarray
        Parameter draws for intervals and P(best): a count (with ``rng``) or draws from
        :func:`~estimative.priors.draw_cpts`; 0 for point values only.
    rng : numpy.random.Generator, optional
        The generator the draws come from (needed when ``draws`` is a count).
    level : float
        The credible level of the intervals, strictly between 0 and 1.
    strengths : mapping of str to float, optional
        Dirichlet strengths overriding the model's, by variable.

    Returns
    -------
    ExpectedUtilities
        One alternative per combination, with its expected utility (and interval).

    Examples
    --------
    >>> from estimative import Network
    >>> t = decision_table(Network.from_file("models/oil_wildcatter"))
    >>> t.best, round(t["test=no,drill=yes"], 6)
    ('test=no,drill=yes', 20.0)
    """
    do = named(net, do) or None  # aliases name their variables
    level = check_level(level)
    util = utility_model(net, weights=weights)
    cpts = check_draws(net, draws, rng, strengths)
    return _evaluate(net, util, combinations(net, do=do), cpts, level)
