"""The model's graph drawn with matplotlib (no graphviz), on the house's one layered layout
(:func:`estimative.layout.layout`): read left to right, each variable a box with its label and,
for a network, its posterior as small bars.

Edges are drawn as cubic Bezier curves through their dummy nodes, ending in an arrow.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..layout import GraphLayout, border_point, layout
from ..network import Network, all_marginals
from ..network.view import BAR_COLOR, KIND_COLORS
from ..spec import ModelSpec
from ._common import drawn_text, plain_figure, replaced_warning

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["GraphLayout", "graph_figure", "layout"]


# ------------------------------------------------------------------------------ drawing
_COLORS = KIND_COLORS


#: Lines of a variable's label in its box; a longer label ends with an ellipsis.
LABEL_LINES = 4


def _lines(label: str, wrap: int) -> list[str]:
    """A label wrapped to ``wrap`` characters, at most :data:`LABEL_LINES` lines (a long
    word is broken; the last line ends with an ellipsis when text was cut)."""
    lines = textwrap.wrap(label, wrap, break_long_words=True)
    if len(lines) > LABEL_LINES:
        lines = [*lines[: LABEL_LINES - 1], lines[LABEL_LINES - 1][: max(wrap - 1, 1)] + "\u2026"]
    return lines


@plain_figure
def graph_figure(
    model: Network | ModelSpec,
    *,
    outcomes: Sequence[str] | None = None,
    marginals: Mapping[str, Sequence[float] | np.ndarray] | None = None,
    bars: bool = True,
    wrap: int = 18,
    font_size: float = 6.5,
) -> Figure:
    """The model's graph as a matplotlib Figure, read left to right: policy instruments
    (blue), chance variables (grey), headline outcomes (orange), each box with its label and
    its posterior as small bars; a dashed border marks a CPT that rests on analyst
    assumptions rather than quoted sources. The same layout as the explorer and
    :meth:`Network._repr_html_ <estimative.network.Network>`.

    Parameters
    ----------
    model : Network or ModelSpec
        The model (:class:`~estimative.network.Network`, or :func:`estimative.load_model`'s spec).
    outcomes : sequence of str, optional
        The variables drawn as headline outcomes (default: the targets of the model's
        ``outcomes:``).
    marginals : mapping of str to sequence of float, optional
        The bars' probabilities by variable, in state order (default: every node's prior
        posterior, :func:`~estimative.network.all_marginals`); e.g. an explorer's
        ``view["marginals"]`` to draw what it shows.
    bars : bool
        Draw the posterior bars (``False``: labels only).
    wrap : int
        Characters per line of a variable's label; the boxes follow the text.
    font_size : float
        The labels' size in points.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a box per variable, an arrow per edge, a bar per state, a legend.

    Examples
    --------
    >>> from estimative import Network
    >>> fig = graph_figure(Network.from_file("models/example"))
    >>> len(fig.axes)
    1
    """
    # A bare Figure needs no backend: choosing one here (matplotlib.use) would switch off
    # Jupyter's inline display for the rest of a notebook.
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, Rectangle
    from matplotlib.path import Path

    net = model if isinstance(model, Network) else Network(model)
    spec = net.spec
    probs: Mapping[str, Sequence[float] | np.ndarray] = {}
    if bars:
        probs = (
            marginals
            if marginals is not None
            else {v: p.probs for v, p in all_marginals(net).items()}
        )
    ids = [v.id for v in spec.variables]
    parents = {v.id: list(v.parents) for v in spec.variables}
    outs = set(outcomes if outcomes is not None else (o.target for o in spec.outcomes))
    found: set[str] = set()
    labels = {v.id: _lines(drawn_text(v.label, found), wrap) or [v.id] for v in spec.variables}
    replaced_warning(found)
    max_lines = max((len(x) for x in labels.values()), default=1)
    # Units are inches: box size follows the text.
    char_w = font_size / 72 * 0.55
    line_h = font_size / 72 * 1.25
    row_h = (font_size - 0.5) / 72 * 1.3
    n_rows = {n: len(net.states[n]) if bars else 0 for n in ids}
    box_w = max(wrap * char_w + 0.12, 1.15 if bars else 0.0)
    heights = {n: max_lines * line_h + n_rows[n] * row_h + 0.10 for n in ids}
    box_h = max(heights.values(), default=0.3)
    rank_gap = box_w + 0.45
    gap = box_h + 0.14
    positions = {v.id: v.position for v in spec.variables}  # a file's drawing, when it has one
    lay = layout(ids, parents, gap=gap, rank_gap=rank_gap, positions=positions)
    xs = [p[0] for p in lay.pos.values()] or [0.0]
    ys = [p[1] for p in lay.pos.values()] or [0.0]
    legend_h = 0.35
    margin = 0.15
    w = max(xs) - min(xs) + box_w + 2 * margin
    h = max(ys) - min(ys) + box_h + 2 * margin + legend_h
    fig = Figure(figsize=(w, h))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(min(xs) - box_w / 2 - margin, max(xs) + box_w / 2 + margin)
    ax.set_ylim(max(ys) + box_h / 2 + margin + legend_h, min(ys) - box_h / 2 - margin)
    ax.set_axis_off()

    def center(n: str) -> tuple[float, float]:
        return lay.pos[n]

    for p, n, dummies in lay.edges:
        if lay.placed:  # a file's drawing: straight, from border to border
            a = border_point(center(p), center(n), box_w / 2, heights[p] / 2)
            b = border_point(center(n), center(p), box_w / 2, heights[n] / 2)
            verts, codes = [a, b], [Path.MOVETO, Path.LINETO]
        else:
            pts = [center(p), *(center(d) for d in dummies), center(n)]
            pts[0] = (pts[0][0] + box_w / 2, pts[0][1])
            pts[-1] = (pts[-1][0] - box_w / 2, pts[-1][1])
            verts = [pts[0]]
            codes = [Path.MOVETO]
            for (x0, y0), (x1, y1) in itertools.pairwise(pts):
                mx = (x0 + x1) / 2
                verts += [(mx, y0), (mx, y1), (x1, y1)]
                codes += [Path.CURVE4] * 3
        ax.add_patch(
            FancyArrowPatch(
                path=Path(verts, codes),
                arrowstyle="-|>",
                mutation_scale=6,
                lw=0.6,
                color="#8a8a80",
                shrinkA=0,
                shrinkB=0,
                zorder=1,
            )
        )

    byid = {v.id: v for v in spec.variables}
    for n in ids:
        v = byid[n]
        kind = "outcome" if n in outs else ("decision" if v.kind == "decision" else "chance")
        fill, edge = _COLORS[kind]
        cx, cy = center(n)
        bh = heights[n]
        ax.add_patch(
            FancyBboxPatch(
                (cx - box_w / 2, cy - bh / 2),
                box_w,
                bh,
                boxstyle="round,pad=0,rounding_size=0.05",
                fc=fill,
                ec=edge,
                lw=1.2 if kind == "outcome" else 0.8,
                ls="--" if not v.cpt.sourced else "-",
                zorder=2,
            )
        )
        label_y = cy - bh / 2 + 0.05 + len(labels[n]) * line_h / 2
        ax.text(
            cx,
            label_y if bars else cy,
            "\n".join(labels[n]),
            ha="center",
            va="center",
            fontsize=font_size,
            color="#1d1d1b",
            zorder=3,
            linespacing=1.15,
            fontweight="bold" if kind == "outcome" else "normal",
        )
        if n in probs:
            top = cy - bh / 2 + 0.05 + len(labels[n]) * line_h
            left = cx - box_w / 2
            for k, (st, pr) in enumerate(zip(net.states[n], probs[n], strict=True)):
                ry = top + (k + 0.5) * row_h
                small = font_size - 1
                ax.text(left + 0.05, ry, st[:11], ha="left", va="center", fontsize=small, zorder=3)
                ax.add_patch(
                    Rectangle(
                        (left + 0.48, ry - row_h * 0.3),
                        0.36 * float(pr),
                        row_h * 0.6,
                        fc=BAR_COLOR,
                        lw=0,
                        zorder=3,
                    )
                )
                ax.text(
                    left + box_w - 0.04,
                    ry,
                    f"{100 * float(pr):.1f}%",
                    ha="right",
                    va="center",
                    fontsize=small,
                    zorder=3,
                )
    handles = [
        Patch(fc=_COLORS["decision"][0], ec=_COLORS["decision"][1], label="policy instrument"),
        Patch(fc=_COLORS["chance"][0], ec=_COLORS["chance"][1], label="chance variable"),
        Patch(fc=_COLORS["outcome"][0], ec=_COLORS["outcome"][1], label="headline outcome"),
        Line2D([], [], color="#6b6b63", ls="--", lw=0.8, label="dashed: CPT rests on assumptions"),
    ]
    ax.legend(
        handles=handles,
        loc="lower left",
        ncol=4,
        fontsize=font_size + 0.5,
        frameon=False,
        bbox_to_anchor=(0.0, 0.0),
        borderaxespad=0.3,
        handlelength=1.6,
    )
    return fig
