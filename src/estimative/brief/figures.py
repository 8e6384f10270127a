"""The brief's figures: which charts it shows, drawn by :mod:`estimative.charts` from the
brief's results, and the same as inline SVG for the HTML page and the PDF."""

from __future__ import annotations

from typing import Any

from ..charts import (
    expected_utility_figure,
    figure_svg,
    graph_figure,
    indicators_figure,
    tornado_figure,
)
from .data import TOP_DRIVERS, TOP_INDICATORS, Brief


def brief_figures(brief: Brief) -> dict[str, Any]:
    """The brief's charts as matplotlib Figures, by name (only those that apply): ``utility``,
    ``tornado``, ``indicators`` and ``graph``."""
    figs: dict[str, Any] = {}
    if brief.policy.utilities is not None:
        figs["utility"] = expected_utility_figure(
            brief.policy.utilities, title="Expected utility by policy"
        )
    if brief.drivers is not None:
        figs["tornado"] = tornado_figure(brief.drivers, top=TOP_DRIVERS)
    main = brief.main
    if main is not None:
        figs["indicators"] = indicators_figure(
            brief.indicators[main.outcome.id], top=TOP_INDICATORS
        )
    figs["graph"] = graph_figure(brief.spec, outcomes=[j.outcome.target for j in brief.judgments])
    return figs


def brief_svgs(brief: Brief) -> dict[str, str]:
    """Every chart of the brief as SVG markup, by name."""
    return {name: figure_svg(fig) for name, fig in brief_figures(brief).items()}
