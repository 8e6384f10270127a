"""Explore a model by clicking: the Jupyter widget and the offline what-if page.

- :mod:`.data`: every number and text the explorer shows, computed in Python (the graph's
  geometry, each node's CPT and provenance, the menus, the view under one set of conditions,
  and every policy-scenario combination for the page).
- :mod:`.widget`: :func:`explore` and its :class:`Explorer` (anywidget): Python answers each
  click with :func:`~estimative.network.all_marginals`.
- :mod:`.page`: :func:`explore_page` and :func:`write_explore_page`: one self-contained HTML
  file, numbers embedded, no request possible.
- ``static/explore.js`` and ``explore.css``: the one front end both use; it computes nothing.
"""

from __future__ import annotations

from typing import Any

from .data import node_details, page_data, view_state
from .page import explore_page, write_explore_page


def __getattr__(name: str) -> Any:
    # The widget needs anywidget (the notebook extra); the page and the command line do not.
    if name in ("Explorer", "explore"):
        from . import widget

        return getattr(widget, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Explorer",
    "explore",
    "explore_page",
    "node_details",
    "page_data",
    "view_state",
    "write_explore_page",
]
