"""Sensitivity analyses: how much a judgment rests on shaky numbers.

- :mod:`.oneway`: each CPT parameter's sensitivity function, ranked as a tornado.
- :mod:`.findings`: which observation would move a judgment most (indicators to watch).
- :mod:`.global_`: Sobol indices of a judgment with respect to groups of parameters.
- :mod:`.flip`: the smallest single-parameter change that reverses two policies' ranking.
"""

from __future__ import annotations

from .findings import Indicator, Indicators, indicators
from .flip import FlipPoint, FlipPoints, Scorer, flip_points, target_probability
from .global_ import SobolIndices, global_sensitivity, sobol_indices
from .oneway import OneWaySensitivity, Parameter, SensitivityFunction, one_way, parameters

__all__ = [
    "FlipPoint",
    "FlipPoints",
    "Indicator",
    "Indicators",
    "OneWaySensitivity",
    "Parameter",
    "Scorer",
    "SensitivityFunction",
    "SobolIndices",
    "flip_points",
    "global_sensitivity",
    "indicators",
    "one_way",
    "parameters",
    "sobol_indices",
    "target_probability",
]
