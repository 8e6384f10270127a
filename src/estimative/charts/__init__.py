"""Figures: matplotlib charts of every analysis, and the model graph.

Each ``*_figure`` function takes a result and returns a :class:`matplotlib.figure.Figure`;
nothing here computes an analysis. :func:`save_figure` writes any figure to a file
atomically; :func:`figure_svg` turns one into inline SVG markup.

- uncertainty and sensitivity (:mod:`.sensitivity`): :func:`interval_figure`,
  :func:`tornado_figure`, :func:`sensitivity_function_figure`, :func:`indicators_figure`,
  :func:`sobol_figure`;
- decision analysis (:mod:`.decision`): :func:`decision_tree_figure`,
  :func:`weight_map_figure`, :func:`expected_utility_figure`;
- the model graph (:mod:`.graph`): :func:`graph_figure`, laid out by :func:`layout`;
- time (:mod:`.trajectory`): :func:`trajectory_figure`.
"""

from __future__ import annotations

from ._common import (
    drawn_text,
    figure_svg,
    font_dir,
    plain_strings,
    replaced_warning,
    save_figure,
    svg_size,
)
from .decision import decision_tree_figure, expected_utility_figure, save_text, weight_map_figure
from .graph import GraphLayout, graph_figure, layout
from .sensitivity import (
    indicators_figure,
    interval_figure,
    sensitivity_function_figure,
    sobol_figure,
    tornado_figure,
)
from .trajectory import trajectory_figure

__all__ = [
    "GraphLayout",
    "decision_tree_figure",
    "drawn_text",
    "expected_utility_figure",
    "figure_svg",
    "font_dir",
    "graph_figure",
    "indicators_figure",
    "interval_figure",
    "layout",
    "plain_strings",
    "replaced_warning",
    "save_figure",
    "save_text",
    "sensitivity_function_figure",
    "sobol_figure",
    "svg_size",
    "tornado_figure",
    "trajectory_figure",
    "weight_map_figure",
]
