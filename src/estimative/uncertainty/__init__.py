"""Parameter uncertainty carried into answers: intervals on any query, policy comparisons with
common random numbers (the same parameter draws for every policy), and trajectories over a
dynamic model's slices.

- :mod:`.intervals`: :func:`query_interval`, :func:`compare_policies` and their results.
- :mod:`.analysts`: :func:`analyst_split` (:class:`AnalystSplit`): a judgment with each
  analyst's numbers alone, its spread split into within- and between-analyst parts.
- :mod:`.trajectory`: :func:`trajectory_interval` (:class:`TrajectoryInterval`).

The draws themselves come from :mod:`estimative.priors`.
"""

from __future__ import annotations

from .._random import DEFAULT_DRAWS
from ..priors import Draws, band_concentration, concentrations, draw_cpts, n_draws, resolve_draws
from .analysts import AnalystSplit, analyst_split
from .intervals import (
    PolicyComparison,
    ProbabilityInterval,
    batched_joint,
    batched_probability,
    better_for,
    compare_policies,
    query_interval,
)
from .trajectory import TrajectoryInterval, trajectory_interval

__all__ = [
    "DEFAULT_DRAWS",
    "AnalystSplit",
    "Draws",
    "PolicyComparison",
    "ProbabilityInterval",
    "TrajectoryInterval",
    "analyst_split",
    "band_concentration",
    "batched_joint",
    "batched_probability",
    "better_for",
    "compare_policies",
    "concentrations",
    "draw_cpts",
    "n_draws",
    "query_interval",
    "resolve_draws",
    "trajectory_interval",
]
