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

import numpy as np

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
    WeightMap,
    decision_table,
    expected_utilities,
    weight_map,
)
from .rollback import DecisionRule, DecisionSolution, solve
from .tree import DecisionTree, TreeNode, decision_tree, key_outcomes
from .voi import ValueOfInformation, value_of_information


@dataclass(frozen=True, eq=False)
class DecisionAnalysis:
    """Everything ``estimative decide`` reports: each alternative's expected utility (with
    intervals when drawn), the optimal rules, and the value of information."""

    expected: ExpectedUtilities
    solution: DecisionSolution | None  # None when the model has no decision variable
    information: ValueOfInformation
    seed: int | None = None

    @property
    def model(self) -> str:
        return self.expected.model

    @property
    def hash(self) -> str:
        return self.expected.hash


def analyze(
    net: Network,
    *,
    weights: Mapping[str, float] | None = None,
    policies: Sequence[str] | None = None,
    draws: int | Sequence[np.ndarray] = 0,
    rng: np.random.Generator | None = None,
    level: float = DEFAULT_LEVEL,
    seed: int | None = None,
) -> DecisionAnalysis:
    """Expected utilities (with ``draws`` parameter draws), optimal rules and value of
    information in one call; ``seed`` is only recorded.

    >>> import numpy as np
    >>> a = analyze(Network.from_file("models/umbrella"), draws=200, rng=np.random.default_rng(0))
    >>> a.expected.best, round(a.solution.meu, 6), a.information.top("EVSI")[0][0]
    ('optimal_rules', 77.0, 'forecast')
    """
    cpts = check_draws(net, draws, rng)
    expected = expected_utilities(net, weights=weights, policies=policies, draws=cpts if cpts is not None else 0,
                                  level=level)
    solution = solve(net, weights=weights) if decision_variables(net) else None
    information = value_of_information(net, weights=weights, policies=policies)
    return DecisionAnalysis(expected, solution, information, seed)


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
