"""Figures for decision analysis (matplotlib, no pyplot state, never shown).

Each function takes a result of :mod:`estimative.decision` and returns a
:class:`matplotlib.figure.Figure`; :func:`save_figure` writes one atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from .._io import write_text_atomic
from ..decision import DecisionTree, ExpectedUtilities, TreeNode, WeightMap
from ..scales import pct
from ._common import (
    BEST,
    LOW,
    OTHER,
    TEXT,
    WIDTH,
    bottom_legend,
    label_of,
    plain_figure,
    wrap_label,
)
from ._common import save_figure as save_figure  # the one figure writer; this path keeps working

_BEST = BEST
_MID = LOW
_OTHER = OTHER


def _fmt(x: float) -> str:
    """A utility or probability for a tree's labels, never in scientific notation."""
    return number_text(x)


def number_text(x: float) -> str:
    """A number for a reader: three significant figures in fixed notation, a true minus.

    >>> number_text(7e-09), number_text(-1234.5), number_text(0.01234), number_text(12.0)
    ('0', '−1,234', '0.0123', '12')
    """
    if not np.isfinite(x):
        return "n/a"
    if abs(x) < 5e-5:
        return "0"
    digits = max(0, 2 - int(np.floor(np.log10(abs(x)))))
    text = f"{x:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "−")


@plain_figure
def decision_tree_figure(tree: DecisionTree, *, title: str | None = None) -> Figure:
    """The tree drawn left to right: squares are choices, circles chance outcomes, triangles
    the utilities at the leaves; every node carries its rolled-back expected utility and the
    chosen options are drawn bold.

    Parameters
    ----------
    tree : DecisionTree
        What :func:`estimative.decision.decision_tree` returned.
    title : str, optional
        The title (default: the model and the tree's expected utility).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, no frame.

    Examples
    --------
    >>> from estimative import Network
    >>> from estimative.decision import decision_tree
    >>> fig = decision_tree_figure(decision_tree(Network.from_file("models/oil_wildcatter")))
    >>> fig.axes[0].get_title(loc="left").startswith("Decision tree: oil_wildcatter")
    True
    """
    leaves = list(tree.root.leaves())
    n_leaves = max(len(leaves), 1)
    depth = len(tree.stages)
    fig = Figure(figsize=(2.4 * (depth + 1) + 1.5, max(3.0, 0.34 * n_leaves + 1.4)))
    ax = fig.add_subplot(1, 1, 1)
    positions: dict[int, tuple[float, float]] = {}
    counter = [0]

    def place(node: TreeNode, d: int) -> float:
        if not node.children:
            y = float(counter[0])
            counter[0] += 1
        else:
            y = float(np.mean([place(c, d + 1) for c in node.children]))
        positions[id(node)] = (float(d), y)
        return y

    place(tree.root, 0)

    def draw(node: TreeNode, on_path: bool) -> None:
        x, y = positions[id(node)]
        for c in node.children:
            cx, cy = positions[id(c)]
            chosen = on_path and (node.kind != "decision" or c.optimal)
            ax.plot(
                [x, x + 0.15, cx],
                [y, cy, cy],
                color=_BEST if chosen else _OTHER,
                lw=2.0 if chosen else 0.9,
                zorder=1,
            )
            label = c.branch or ""
            if node.kind == "chance" and c.probability is not None:
                label += f"  p={pct(c.probability)}"
            ax.text(
                (x + 0.15 + cx) / 2,
                cy - 0.12,
                label,
                ha="center",
                va="bottom",
                fontsize=TEXT,
                color="black" if chosen else "#555555",
            )
            draw(c, chosen)
        marker = {"decision": "s", "chance": "o", "leaf": "<"}[node.kind]
        color = {"decision": "#f2c14e", "chance": "#8ecae6", "leaf": "#b7e4c7"}[node.kind]
        ax.scatter(
            [x], [y], marker=marker, s=90, color=color, edgecolor="black", linewidth=0.6, zorder=3
        )
        if node.kind == "leaf":
            ax.text(x + 0.08, y, _fmt(node.value), va="center", ha="left", fontsize=TEXT)
        else:
            ax.text(
                x,
                y + 0.22,
                f"EU {_fmt(node.value)}",
                va="top",
                ha="center",
                fontsize=TEXT,
                fontweight="bold" if on_path else "normal",
                # On a white box above the branches, so no line crosses the number.
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
                zorder=4,
            )

    draw(tree.root, True)
    for d, name in enumerate(tree.stages):
        ax.text(d + 0.5, -1.0, name, ha="center", va="bottom", fontsize=8, fontweight="bold")
    ax.text(
        depth + 0.1,
        -1.0,
        f"utility ({tree.unit})",
        ha="left",
        va="bottom",
        fontsize=8,
        fontweight="bold",
    )
    ax.set_xlim(-0.3, depth + 1.2)
    ax.set_ylim(n_leaves - 0.3, -1.4)
    ax.axis("off")
    ax.set_title(
        title or f"Decision tree: {tree.model} (expected utility {_fmt(tree.value)} {tree.unit})",
        fontsize=9,
        loc="left",
    )
    fig.text(0.01, 0.005, f"model hash {tree.model_hash}", fontsize=8, color="#777777")
    fig.tight_layout()
    return fig


@plain_figure
def weight_map_figure(wmap: WeightMap, *, title: str | None = None) -> Figure:
    """Which alternative wins on the grid of two weights; the current weights are marked.

    Parameters
    ----------
    wmap : WeightMap
        What :func:`estimative.decision.weight_map` returned.
    title : str, optional
        The title (default: "Best alternative as two weights vary (MODEL)").

    Returns
    -------
    matplotlib.figure.Figure
        One axes: the winner on each cell of the grid, a legend of alternatives.

    Examples
    --------
    >>> from estimative import Network
    >>> from estimative.decision import weight_map
    >>> wmap = weight_map(Network.from_file("models/oil_wildcatter"), "drilling", "test_cost",
    ...                   x_values=[0.5, 1.0], y_values=[0.5, 1.0])
    >>> weight_map_figure(wmap).axes[0].get_xlabel()
    'weight of drilling'
    """
    fig = Figure(figsize=(7.5, 5.0))
    ax = fig.add_subplot(1, 1, 1)
    present = sorted(set(int(k) for k in np.unique(wmap.winner)))
    palette = [f"C{k % 10}" for k in range(len(wmap.ids))]
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(palette)
    ax.pcolormesh(
        wmap.x_values,
        wmap.y_values,
        wmap.winner,
        cmap=cmap,
        vmin=-0.5,
        vmax=len(wmap.ids) - 0.5,
        shading="nearest",
    )
    ax.plot(
        [wmap.current[0]],
        [wmap.current[1]],
        marker="*",
        color="black",
        markersize=12,
        linestyle="none",
    )
    handles = [Patch(color=palette[k], label=wmap.ids[k]) for k in present]
    handles.append(Patch(color="black", label="current weights (*)"))
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_xlabel(f"weight of {wmap.x}")
    ax.set_ylabel(f"weight of {wmap.y}")
    ax.set_title(
        title or f"Best alternative as two weights vary ({wmap.model})", fontsize=9, loc="left"
    )
    fig.text(
        0.01,
        0.005,
        f"model hash {wmap.model_hash}; other weights held",
        fontsize=8,
        color="#777777",
    )
    fig.tight_layout()
    return fig


@plain_figure
def expected_utility_figure(
    eu: ExpectedUtilities, *, title: str | None = None, labels: Mapping[str, str] | None = None
) -> Figure:
    """Each alternative's expected utility with its interval (when drawn) and P(best).

    Parameters
    ----------
    eu : ExpectedUtilities
        What :func:`estimative.decision.expected_utilities` returned.
    title : str, optional
        The title (default: "Expected utility of each alternative (MODEL)").
    labels : mapping of str to str, optional
        Labels by alternative id (default: the alternatives' own labels).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, one row per alternative.

    Examples
    --------
    >>> from estimative import Network
    >>> from estimative.decision import expected_utilities
    >>> eu = expected_utilities(Network.from_file("models/umbrella"))
    >>> len(expected_utility_figure(eu).axes[0].get_yticklabels()) == len(eu.ids)
    True
    """
    n = len(eu.ids)
    fig = Figure(figsize=(WIDTH, max(2.2, 0.3 * n + 1.3)))
    ax = fig.add_subplot(1, 1, 1)
    ax.spines[["top", "right"]].set_visible(False)
    y = np.arange(n)[::-1]
    low, high, pb = eu.low, eu.high, eu.prob_best
    for i in range(n):
        color = _OTHER if eu.kinds[i] == "baseline" else (_BEST if eu.ids[i] == eu.best else _MID)
        if np.isfinite(low[i]):
            ax.plot([low[i], high[i]], [y[i], y[i]], color=color, lw=3)
        ax.plot([eu.eu[i]], [y[i]], marker="D", color=color)
        if np.isfinite(pb[i]):
            right = high[i] if np.isfinite(high[i]) else eu.eu[i]
            ax.text(right, y[i], f"  P(best) {pct(pb[i])}", fontsize=TEXT, va="center")
    names = [
        label_of(labels, a) if labels else lab for a, lab in zip(eu.ids, eu.labels, strict=True)
    ]
    ax.set_yticks(y, [wrap_label(x, 44) for x in names], fontsize=TEXT)
    ax.tick_params(axis="x", labelsize=TEXT)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: number_text(x)))
    lo_all = float(np.nanmin(np.where(np.isfinite(low), low, eu.eu)))
    hi_all = float(np.nanmax(np.where(np.isfinite(high), high, eu.eu)))
    span = hi_all - lo_all or 1.0
    ax.set_xlim(lo_all - 0.05 * span, hi_all + 0.4 * span)
    ax.set_xlabel(
        f"expected utility ({eu.unit})"
        + (f"; {100 * eu.level:.0f}% intervals" if eu.n_draws else ""),
        fontsize=TEXT,
    )
    ax.set_title(
        title or f"Expected utility of each alternative ({eu.model})",
        fontsize=TEXT + 0.5,
        loc="left",
    )
    from matplotlib.lines import Line2D

    fig.text(0.01, 0.005, f"model hash {eu.model_hash}", fontsize=8, color="#777777")
    bottom_legend(
        fig,
        [
            Line2D([], [], marker="D", color=_BEST, lw=3, label="highest expected utility"),
            Line2D([], [], marker="D", color=_MID, lw=3, label="other policies"),
        ]
        + (
            [Line2D([], [], marker="D", color=_OTHER, lw=3, label="baseline")]
            if "baseline" in eu.kinds
            else []
        ),
        ncol=3,
    )
    return fig


def save_text(text: str, path: str | Path) -> Path:
    """Write ``text`` (a Markdown table, say) to ``path`` atomically, UTF-8.

    Parameters
    ----------
    text : str
        The text.
    path : str or pathlib.Path
        The file to write.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    return write_text_atomic(path, text)
