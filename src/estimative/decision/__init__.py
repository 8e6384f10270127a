"""Decision analysis: utilities, expected utility of each policy, the probability each is
best, optimal decision rules, value of information, and the decision tree.

The utility is a weighted sum of attributes, each a table over the states of one or more
variables (``utilities:`` in the model file). Decisions are ``kind: decision`` variables, set
by do(); ``observes`` lists what a decision sees before it is made.

>>> import estimative as est
>>> from estimative.decision import solve, value_of_information
>>> net = est.Network.from_file("models/oil_wildcatter")
>>> sol = solve(net)
>>> round(sol.meu, 6), sol.rule("test").choice()
(22.5, 'yes')
>>> round(value_of_information(net, do={"test": "yes"})["seismic_result"], 6)
12.5
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._random import seed_of
from ..network import Network
from ._core import (
    Alternative,
    AlternativeSet,
    UtilityModel,
    check_draws,
    decision_variables,
    parse_weights,
    utility_model,
)
from .policies import (
    DEFAULT_LEVEL,
    ExpectedUtilities,
    decision_table,
    expected_utilities,
)
from .rollback import DecisionRule, DecisionSolution, solve
from .tree import DecisionTree, TreeNode, decision_tree, key_outcomes
from .voi import ValueOfInformation, value_of_information
from .weights import WeightMap, weight_map


@dataclass(frozen=True, eq=False)
class DecisionAnalysis:
    """Everything ``estimative decide`` reports: each alternative's expected utility (with
    intervals when drawn), the optimal rules, and the value of information.

    ``seed`` is the seed of the generator the draws came from (``None`` without draws or when
    the generator's seed is unknown), recorded beside the results.

    >>> from estimative import Network, analyze
    >>> a = analyze(Network.from_file("models/umbrella"))
    >>> a.expected.best, round(a.solution.meu, 6)
    ('optimal_rules', 77.0)
    """

    expected: ExpectedUtilities
    solution: DecisionSolution | None  # None when the model has no decision variable
    information: ValueOfInformation
    seed: int | None = None

    @property
    def model(self) -> str:
        return self.expected.model

    @property
    def model_hash(self) -> str:
        return self.expected.model_hash

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the three results' ``to_dict()`` and the recorded seed."""
        return {
            "model": self.model,
            "model_hash": self.model_hash,
            "seed": self.seed,
            "expected": self.expected.to_dict(),
            "solution": None if self.solution is None else self.solution.to_dict(),
            "information": self.information.to_dict(),
        }


def analyze(
    net: Network,
    *,
    weights: Mapping[str, float] | None = None,
    policies: Sequence[str] | None = None,
    draws: int | Sequence[np.ndarray] = 0,
    rng: np.random.Generator | None = None,
    level: float = DEFAULT_LEVEL,
    voi_variables: Sequence[str] | None = None,
) -> DecisionAnalysis:
    """Expected utilities (with ``draws`` parameter draws), optimal rules and value of
    information in one call.

    Parameters
    ----------
    net : Network
        A model with utilities.
    weights : mapping, optional
        Attribute weights overriding the model file's, by attribute id.
    policies : sequence of str, optional
        The named policies to compare (default: every policy, or every combination of the
        decisions when the model names none).
    draws : int or list of arrays
        Parameter draws for the expected utilities' intervals: a number (0: none) to take
        with ``rng``, or the list :func:`estimative.priors.draw_cpts` returned.
    rng : numpy.random.Generator, optional
        The generator the draws come from; its seed is recorded
        (:func:`estimative._random.seed_of`).
    level : float
        The credible level of the intervals.
    voi_variables : sequence of str, optional
        The variables whose value of information is computed (default: those of
        :func:`estimative.decision.voi.default_candidates`).

    Returns
    -------
    DecisionAnalysis
        The expected utilities, the solution (``None`` without decision variables), the
        value of information, and the recorded seed.

    Examples
    --------
    >>> import numpy as np
    >>> a = analyze(Network.from_file("models/umbrella"), draws=200, rng=np.random.default_rng(0))
    >>> a.expected.best, round(a.solution.meu, 6), a.information.top("EVSI")[0][0], a.seed
    ('optimal_rules', 77.0, 'forecast', 0)
    """
    cpts = check_draws(net, draws, rng)
    expected = expected_utilities(
        net, weights=weights, policies=policies, draws=cpts if cpts is not None else 0, level=level
    )
    solution = solve(net, weights=weights) if decision_variables(net) else None
    information = value_of_information(
        net, weights=weights, policies=policies, variables=voi_variables
    )
    return DecisionAnalysis(expected, solution, information, None if rng is None else seed_of(rng))


__all__ = [
    "Alternative",
    "AlternativeSet",
    "DecisionAnalysis",
    "DecisionRule",
    "DecisionSolution",
    "DecisionTree",
    "ExpectedUtilities",
    "TreeNode",
    "UtilityModel",
    "ValueOfInformation",
    "WeightMap",
    "analyze",
    "decision_table",
    "decision_tree",
    "decision_variables",
    "expected_utilities",
    "key_outcomes",
    "parse_weights",
    "solve",
    "utility_model",
    "value_of_information",
    "weight_map",
]
