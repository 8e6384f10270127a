"""Probability briefs: key judgments in estimative language with intervals, the policy
comparison, drivers, indicators, scenarios and provenance, as Markdown, HTML and PDF.

The flow, one module per step: :mod:`.build` computes (:func:`build_brief`, through the
analyses' public APIs) a :class:`Brief` of raw results (:mod:`.data`); :mod:`.context` turns it
into the strings a reader sees (:func:`brief_context`, in the words of :mod:`.words`);
:mod:`.render` lays them out as Markdown and HTML, :mod:`.pdf` as a PDF, with the charts of
:mod:`.figures` (drawn by :mod:`estimative.charts`); :mod:`.write` writes the three files.

>>> import datetime, numpy as np, estimative as est
>>> from estimative.brief import build_brief, render_markdown
>>> b = build_brief(est.Network.from_file("models/example"), draws=500, rng=np.random.default_rng(0),
...                 date=datetime.date(2017, 5, 20))
>>> "## 1. Key judgments" in render_markdown(b)
True
"""

from __future__ import annotations

from ..charts import GraphLayout, figure_svg, graph_figure, layout
from . import words
from .build import build_brief
from .context import brief_context
from .data import Brief, BriefParameters, Judgment
from .pdf import render_pdf
from .render import render_html, render_markdown
from .words import Confidence, confidence_for, likelihood_text
from .write import BriefFiles, write_brief

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
    "words",
    "write_brief",
]
