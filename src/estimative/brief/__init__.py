"""Probability briefs: key judgments in estimative language with intervals, the policy
comparison, drivers, indicators, scenarios and provenance, as Markdown, HTML and PDF.

>>> import datetime, estimative as est
>>> from estimative.brief import build_brief, render_markdown
>>> b = build_brief(est.Network.from_file("models/example"), draws=500, seed=0,
...                 date=datetime.date(2017, 5, 20))
>>> "## 3. Key judgments" in render_markdown(b)
True
"""

from __future__ import annotations

from ..charts.graph import GraphLayout, graph_figure, layout
from .render import (
    Brief,
    BriefFiles,
    BriefParameters,
    Judgment,
    brief_context,
    build_brief,
    figure_svg,
    render_html,
    render_markdown,
    render_pdf,
    write_brief,
)
from .words import Confidence, confidence_for, likelihood_text

__all__ = [
    "Brief",
    "BriefFiles",
    "BriefParameters",
    "Confidence",
    "GraphLayout",
    "Judgment",
    "brief_context",
    "build_brief",
    "confidence_for",
    "figure_svg",
    "graph_figure",
    "layout",
    "likelihood_text",
    "render_html",
    "render_markdown",
    "render_pdf",
    "write_brief",
]
