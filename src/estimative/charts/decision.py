"""Figures for decision analysis (matplotlib, no pyplot state, never shown).

Each function takes a result of :mod:`estimative.decision` and returns a
:class:`matplotlib.figure.Figure`; :func:`save_figure` writes one atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .._io import write_text_atomic
from ..decision import DecisionTree, ExpectedUtilities, TreeNode, WeightMap
from ._common import save_figure as save_figure  # the one figure writer; this path keeps working

_BEST = "#1f4e79"
_OTHER = "#9aa5b1"


def _fmt(x: float) -> str:
    return f"{x:.3g}"


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
                label += f"  p={c.probability:.2g}"
            ax.text(
                (x + 0.15 + cx) / 2,
                cy - 0.12,
                label,
                ha="center",
                va="bottom",
                fontsize=7,
                color="black" if chosen else "#555555",
            )
            draw(c, chosen)
        marker = {"decision": "s", "chance": "o", "leaf": "<"}[node.kind]
        color = {"decision": "#f2c14e", "chance": "#8ecae6", "leaf": "#b7e4c7"}[node.kind]
        ax.scatter(
            [x], [y], marker=marker, s=90, color=color, edgecolor="black", linewidth=0.6, zorder=3
        )
        if node.kind == "leaf":
            ax.text(x + 0.08, y, _fmt(node.value), va="center", ha="left", fontsize=7)
        else:
            ax.text(
                x,
                y + 0.22,
                f"EU {_fmt(node.value)}",
                va="top",
                ha="center",
                fontsize=7,
                fontweight="bold" if on_path else "normal",
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
    fig.text(0.01, 0.005, f"model hash {tree.model_hash}", fontsize=6, color="#777777")
    fig.tight_layout()
    return fig


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
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_xlabel(f"weight of {wmap.x}")
    ax.set_ylabel(f"weight of {wmap.y}")
    ax.set_title(
        title or f"Best alternative as two weights vary ({wmap.model})", fontsize=9, loc="left"
    )
    fig.text(
        0.01,
        0.005,
        f"model hash {wmap.model_hash}; other weights held",
        fontsize=6,
        color="#777777",
    )
    fig.tight_layout()
    return fig


def expected_utility_figure(eu: ExpectedUtilities, *, title: str | None = None) -> Figure:
    """Each alternative's expected utility with its interval (when drawn) and P(best).

    Parameters
    ----------
    eu : ExpectedUtilities
        What :func:`estimative.decision.expected_utilities` returned.
    title : str, optional
        The title (default: "Expected utility of each alternative (MODEL)").

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
    fig = Figure(figsize=(7.5, max(2.5, 0.4 * n + 1.2)))
    ax = fig.add_subplot(1, 1, 1)
    y = np.arange(n)[::-1]
    low, high, pb = eu.low, eu.high, eu.prob_best
    for i in range(n):
        color = (
            _OTHER if eu.kinds[i] == "baseline" else (_BEST if eu.ids[i] == eu.best else "#4a6fa5")
        )
        if np.isfinite(low[i]):
            ax.plot([low[i], high[i]], [y[i], y[i]], color=color, lw=2)
        ax.plot([eu.eu[i]], [y[i]], marker="o", color=color)
        if np.isfinite(pb[i]):
            ax.text(eu.eu[i], y[i] + 0.18, f"P(best) {100 * pb[i]:.0f}%", fontsize=7, ha="center")
    ax.set_yticks(y, list(eu.ids), fontsize=7)
    ax.set_xlabel(
        f"expected utility ({eu.unit})"
        + (f"; {100 * eu.level:.0f}% intervals" if eu.n_draws else "")
    )
    ax.set_title(
        title or f"Expected utility of each alternative ({eu.model})", fontsize=9, loc="left"
    )
    fig.text(0.01, 0.005, f"model hash {eu.model_hash}", fontsize=6, color="#777777")
    fig.tight_layout()
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
