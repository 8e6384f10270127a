"""The brief's figures: which charts it shows, drawn by :mod:`estimative.charts` from the
brief's results with the model's labels and the brief's one percentage rule, and the same as
inline SVG for the HTML page and the PDF."""

from __future__ import annotations

from typing import Any

from ..charts import (
    expected_utility_figure,
    figure_svg,
    graph_figure,
    indicators_figure,
    interval_figure,
    tornado_figure,
    trajectory_figure,
)
from ..spec import BASELINE
from . import words
from .data import TOP_DRIVERS, TOP_INDICATORS, Brief
from .outcomes import policy_label


def brief_figures(brief: Brief) -> dict[str, Any]:
    """The brief's charts as matplotlib Figures, by name (only those that apply): ``utility``
    (page one, when the model has utilities), ``policies`` (page one otherwise: the headline
    outcome under each policy), ``tornado``, ``indicators`` and ``graph``."""
    spec, scale = brief.spec, brief.parameters.scale
    labels = {v.id: v.label for v in spec.variables}
    plabels = {p.id: p.label for p in spec.policies} | {BASELINE: policy_label(spec, BASELINE)}

    def percent(p: float) -> str:
        return words.judged_pct(p, scale=scale)

    figs: dict[str, Any] = {}
    eu = brief.policy.utilities
    if eu is not None:
        figs["utility"] = expected_utility_figure(
            eu, title="Expected utility by policy", labels=plabels
        )
    main = brief.main
    if main is not None:
        o = main.outcome
        if eu is None and len(brief.policy.policies) > 1:
            ranked = next((j.outcome for j in brief.judgments if j.outcome.better is not None), o)
            figs["policies"] = interval_figure(
                brief.policy.comparisons[ranked.id],
                title=f"{words.sentence_case(ranked.label)}, by policy",
                labels=plabels,
                judgment=ranked.label,
                percent=percent,
            )
        figs["tornado"] = tornado_figure(
            brief.drivers[o.id], top=TOP_DRIVERS, labels=labels, judgment=o.label, percent=percent
        )
        figs["indicators"] = indicators_figure(
            brief.indicators[o.id],
            top=TOP_INDICATORS,
            labels=labels,
            judgment=o.label,
            percent=percent,
        )
    for oid, alts in brief.trajectories.items():  # a dynamic model: each outcome over time
        o = next(j.outcome for j in brief.judgments if j.outcome.id == oid)
        figs[f"trajectory_{oid}"] = trajectory_figure(
            {plabels.get(a, a): t for a, t in alts.items()},
            title=f"{words.sentence_case(o.label)}: by the end of each slice",
            in_slice=False,
            judgment="Probability",
        )
    figs["graph"] = graph_figure(brief.spec, outcomes=[j.outcome.target for j in brief.judgments])
    return figs


def brief_svgs(brief: Brief) -> dict[str, str]:
    """Every chart of the brief as SVG markup, by name."""
    return {name: figure_svg(fig) for name, fig in brief_figures(brief).items()}
