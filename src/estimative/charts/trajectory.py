"""Time: each alternative's probability of an outcome slice by slice, with its band.

The chart takes :class:`~estimative.uncertainty.TrajectoryInterval` results (one per policy,
made on the same draws) and draws the probability reached so far ("a clash by then"), solid,
with the credible band shaded; the probability within each slice is dotted.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from ..uncertainty import TrajectoryInterval
from ._common import GRID, INK, hash_footer, plain_figure, shorten

#: Line colours for up to eight alternatives (colour-blind safe, Okabe-Ito).
PALETTE = ("#000000", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442")


@plain_figure
def trajectory_figure(
    trajectories: Mapping[str, TrajectoryInterval],
    *,
    title: str | None = None,
    in_slice: bool = True,
    judgment: str | None = None,
) -> Figure:
    """Each alternative's P(outcome so far) per slice, with its credible band.

    Parameters
    ----------
    trajectories : mapping of str to TrajectoryInterval
        ``{label: result}``: what :func:`estimative.trajectory_interval` returned for each
        alternative (the labels are the legend's).
    title : str, optional
        The title (default: "P(<variable>=<state>) over time").
    in_slice : bool
        Also draw the probability within each slice (dotted).
    judgment : str, optional
        The outcome in words for the axis (default: ``P(variable=state)``).

    Returns
    -------
    matplotlib.figure.Figure
        One axes: slices along the bottom, probability up the side, a legend.

    Examples
    --------
    >>> import numpy as np
    >>> from estimative import Network, draw_cpts, trajectory_interval
    >>> net = Network.from_file("models/escalation_dynamic")
    >>> draws = draw_cpts(net, 100, rng=np.random.default_rng(0))
    >>> fig = trajectory_figure({p: trajectory_interval(net, "clash", "yes", draws=draws, policy=p)
    ...                          for p in ("restraint", "red_line")})
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][::2]
    ['restraint: so far', 'red_line: so far']
    """
    if not trajectories:
        raise ValueError("trajectory_figure needs at least one trajectory")
    first = next(iter(trajectories.values()))
    labels = list(first.labels)
    x = np.arange(len(labels))
    fig = Figure(figsize=(7.5, 4.2))
    ax = fig.add_subplot(1, 1, 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for k, (name, t) in enumerate(trajectories.items()):
        colour = PALETTE[k % len(PALETTE)]
        so_far = np.array([iv.point for iv in t.so_far])
        low = np.array([iv.low for iv in t.so_far])
        high = np.array([iv.high for iv in t.so_far])
        ax.fill_between(x, low, high, color=colour, alpha=0.12, linewidth=0)
        ax.plot(x, so_far, "-o", color=colour, markersize=4, label=f"{shorten(name, 40)}: so far")
        if in_slice:
            ax.plot(
                x,
                [iv.point for iv in t.per_slice],
                ":",
                color=colour,
                linewidth=1,
                label=f"{shorten(name, 40)}: in the slice",
            )
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontsize=9)
    ax.set_ylim(
        0, max(1e-9, min(1.0, 1.1 * max(iv.high for t in trajectories.values() for iv in t.so_far)))
    )
    ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    level = first.so_far[0].level if first.so_far else 0.9
    ax.set_ylabel(
        f"P({first.variable}={first.state})  (bands: {100 * level:g}% intervals)", fontsize=9
    )
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_title(
        title or f"P({first.variable}={first.state}) over time, by then and within each slice",
        fontsize=10,
        loc="left",
        color=INK,
    )
    hash_footer(fig, first.model_hash)
    fig.tight_layout()
    return fig
