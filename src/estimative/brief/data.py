"""A probability brief's data: every computed result it presents, as raw numbers.

:func:`~estimative.brief.build_brief` fills a :class:`Brief`; nothing here formats a number
or computes an analysis.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..errors import QueryError, did_you_mean
from ..scales import Term
from ..sensitivity.findings import Indicators
from ..sensitivity.oneway import OneWaySensitivity
from ..spec import BASELINE, ModelSpec, OutcomeSpec, QuestionSpec, VariableSpec
from ..uncertainty import AnalystSplit, PolicyComparison, ProbabilityInterval, TrajectoryInterval
from .words import Confidence

if TYPE_CHECKING:
    from ..decision import ExpectedUtilities, ValueOfInformation

#: A high-impact outcome whose probability is below this is listed as one "we cannot rule out".
HILP_THRESHOLD = 0.20
#: Rows of the tornado table and chart.
TOP_DRIVERS = 10
#: Rows of the indicators table for the main outcome.
TOP_INDICATORS = 8
#: Indicators named for each of the other outcomes.
TOP_INDICATORS_OTHER = 3
#: Outcome columns per table (wider tables are split so they fit a page).
TABLE_COLUMNS = 4


@dataclass(frozen=True)
class BriefParameters:
    """The options a brief was made with (printed in its header)."""

    policies: tuple[str, ...]
    scenario: str | None
    scale: str
    draws: int
    seed: int | None  # the seed the brief's generator was made from (None: not known)
    date: _dt.date
    level: float
    reference: str = BASELINE  # the policy everything is computed against (BASELINE: none)


@dataclass(frozen=True, eq=False)
class Judgment:
    """A key judgment: a headline outcome's probability, its interval and its confidence."""

    outcome: OutcomeSpec
    interval: ProbabilityInterval
    sensitivity: OneWaySensitivity
    assumption_share: float
    confidence: Confidence
    term: Term
    #: The reference policy sets the outcome itself (a US strike under a policy of no strike):
    #: a number by construction, not a judgment.
    fixed: bool = False


@dataclass(frozen=True, eq=False)
class ForecastAnswer:
    """A forecast question answered from the baseline, with its interval over the draws."""

    question: QuestionSpec
    point: float
    interval: ProbabilityInterval
    term: Term


@dataclass(frozen=True, eq=False)
class PolicySection:
    """Each compared policy's effect on each outcome, and expected utility when the model has
    utilities."""

    policies: tuple[str, ...]
    comparisons: Mapping[str, PolicyComparison]  # by outcome id
    utilities: ExpectedUtilities | None
    information: ValueOfInformation | None
    excluded: Mapping[str, str]  # policy -> why it is left out
    reference: str = BASELINE  # the row every effect is measured against
    #: The model's other weight sets (``utilities: weight_sets:``), by id: the same expected
    #: utilities reweighed (:meth:`ExpectedUtilities.reweighted`, the same draws).
    weightings: Mapping[str, ExpectedUtilities] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class BottomLine:
    """The recommendation: the policy of highest expected utility (or, without utilities, the
    one most often best on a ranked outcome), and how often it is best over the draws.

    ``basis`` is ``"utility"`` (expected utility) or the id of the headline outcome it was
    ranked on; ``margin`` is how much better it is than the runner-up at the model's numbers
    (utility units, or probability for an outcome), ``margin_draws`` the same per draw."""

    basis: str
    best: str
    runner_up: str
    prob_best: float
    margin: float
    margin_draws: np.ndarray
    draws: int


@dataclass(frozen=True, eq=False)
class ScenarioRow:
    """One scenario's probabilities of every outcome (``None`` when the scenario's evidence is
    impossible under the model)."""

    scenario: str | None
    intervals: Mapping[str, ProbabilityInterval] | None


@dataclass(frozen=True, eq=False)
class HilpItem:
    """A high-impact outcome below :data:`HILP_THRESHOLD`, and where it is highest."""

    judgment: Judgment
    highest: float
    highest_where: str


@dataclass(frozen=True)
class Assumption:
    """A CPT behind the key judgments that rests on analyst assumptions."""

    variable: VariableSpec
    swing: float  # the largest swing of one of its parameters on any key judgment
    judgment: str  # the outcome id of that judgment


@dataclass(frozen=True)
class Quote:
    """A verbatim quote of a source and what it supports."""

    source: str
    quote: str
    supports: str


@dataclass(frozen=True, eq=False)
class Brief:
    """Every computed result a probability brief presents (raw numbers; no formatting).

    >>> import datetime, numpy as np
    >>> from estimative import Network, build_brief
    >>> b = build_brief(Network.from_file("models/example"), draws=100, rng=np.random.default_rng(0),
    ...                 date=datetime.date(2017, 5, 20))
    >>> [j.outcome.id for j in b.judgments], b.parameters.seed
    (['clash', 'misreading'], 0)
    """

    spec: ModelSpec
    parameters: BriefParameters
    version: str
    judgments: tuple[Judgment, ...]
    questions: tuple[ForecastAnswer, ...]
    policy: PolicySection
    drivers: Mapping[str, OneWaySensitivity]  # by outcome id; decision variables left out
    indicators: Mapping[str, Indicators]  # by outcome id
    scenarios: tuple[ScenarioRow, ...]
    hilp: tuple[HilpItem, ...]
    assumptions: tuple[Assumption, ...]
    quotes: tuple[Quote, ...]
    relevant: frozenset[str] = field(
        default_factory=frozenset
    )  # the CPTs the key judgments rest on
    bottom_line: BottomLine | None = None
    #: a model with several analysts: each key judgment with each analyst's numbers alone
    analysts: Mapping[str, AnalystSplit] = field(default_factory=dict)  # by outcome id
    #: a dynamic model: each horizon outcome slice by slice, by alternative (same draws)
    trajectories: Mapping[str, Mapping[str, TrajectoryInterval]] = field(default_factory=dict)

    @property
    def main(self) -> Judgment | None:
        """The first headline outcome's judgment: the one the charts show."""
        return self.judgments[0] if self.judgments else None

    def judgment(self, outcome: str) -> Judgment:
        """The key judgment on the outcome with id ``outcome``."""
        for j in self.judgments:
            if j.outcome.id == outcome:
                return j
        raise QueryError(
            f"no key judgment for outcome '{outcome}'"
            f"{did_you_mean(outcome, [j.outcome.id for j in self.judgments])}"
        )
