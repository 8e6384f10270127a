"""Figures from analysis results (matplotlib, no pyplot state, never shown).

Each function takes a result object and returns a :class:`matplotlib.figure.Figure`; the data
come first, the picture is drawn from them. :func:`~estimative.charts.save_figure` writes a
figure atomically (re-exported here for old imports).

Uncertainty and sensitivity: :func:`interval_figure`, :func:`tornado_figure`,
:func:`sensitivity_function_figure`, :func:`indicators_figure`, :func:`sobol_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..scales import pct
from ._common import (
    BEST,
    GRID,
    HIGH,
    INK,
    LOW,
    OTHER,
    TEXT,
    WIDTH,
    Percent,
    bottom_legend,
    hash_footer,
    label_of,
    plain_axes,
    plain_figure,
    shorten,
    title_with_conditions,
    wrap_label,
)
from ._common import (
    save_figure as save_figure,  # the one figure writer; this import path keeps working
)

if TYPE_CHECKING:
    from ..sensitivity.findings import Indicators
    from ..sensitivity.global_ import SobolIndices
    from ..sensitivity.oneway import OneWaySensitivity, Parameter, SensitivityFunction
    from ..uncertainty import PolicyComparison


@plain_figure
def tornado_figure(
    result: OneWaySensitivity,
    *,
    top: int = 12,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    judgment: str | None = None,
    percent: Percent = pct,
) -> Figure:
    """The tornado: for the ``top`` parameters with the largest swing, the posterior as each
    moves across its credible range (blue end: parameter low; vermillion end: parameter high).

    Parameters
    ----------
    result : OneWaySensitivity
        What :func:`estimative.sensitivity.one_way` returned.
    top : int
        How many parameters to show, largest swing first.
    title : str, optional
        The title (default: the judgment, the level and the query's conditions).
    labels : mapping of str to str, optional
        Variable labels by id: parameters are named ``label: state (when ...)``, never by id.
    judgment : str, optional
        The judgment's name for the axis (default: ``P(target=state)``).
    percent : callable, optional
        How a probability is printed (default :func:`estimative.scales.pct`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, two bars per parameter.

    Examples
    --------
    >>> from estimative import Network
    >>> from estimative.sensitivity import one_way
    >>> fig = tornado_figure(one_way(Network.from_file("models/example"), "armed_clash", "yes"), top=3)
    >>> len(fig.axes[0].get_yticklabels())
    3
    """
    funcs = [f for f in result.top(top) if f.swing > 0] or list(result.top(top))
    n = max(len(funcs), 1)
    fig = Figure(figsize=(WIDTH, 1.5 + 0.5 * n))
    ax = plain_axes(fig)
    for row, f in enumerate(funcs):
        y = n - 1 - row
        lo, hi = f.low_value, f.high_value
        ax.barh(y, lo - result.point, left=result.point, color=LOW, height=0.6)
        ax.barh(y, hi - result.point, left=result.point, color=HIGH, height=0.6)
        ax.text(
            max(lo, hi),
            y,
            f"  {percent(f.parameter.value)} ({percent(f.low_x)} to {percent(f.high_x)})",
            va="center",
            fontsize=TEXT,
            color=INK,
        )
    ax.axvline(result.point, color=INK, linewidth=1)
    ax.set_yticks(range(n))
    ax.set_yticklabels(
        [wrap_label(_parameter_words(f.parameter, labels), 38) for f in reversed(funcs)],
        fontsize=TEXT,
    )
    name = judgment or f"P({result.target}={','.join(result.states)})"
    ax.set_xlabel(f"{shorten(name, 60)} (now {percent(result.point)})", fontsize=TEXT)
    ax.tick_params(axis="x", labelsize=TEXT)
    ax.xaxis.set_major_formatter(_percent_axis(percent))
    ax.set_title(
        title
        or (
            f"What moves the judgment: each number across its {100 * result.level:g}% range"
            if labels is not None
            else title_with_conditions(
                f"What moves {name}: each parameter across its {100 * result.level:g}% "
                "credible range",
                result.conditions,
                width=80,
            )
        ),
        fontsize=TEXT + 0.5,
        loc="left",
    )
    xs = [v for f in funcs for v in (f.low_value, f.high_value)] + [result.point]
    span = max(xs) - min(xs) or 0.01
    ax.set_xlim(min(xs) - 0.05 * span, max(xs) + 0.6 * span)
    ax.set_ylim(-0.7, n - 0.3)
    hash_footer(fig, result.model_hash)
    bottom_legend(
        fig,
        [
            Patch(color=LOW, label="number at the low end of its range"),
            Patch(color=HIGH, label="number at the high end"),
        ],
        ncol=2,
    )
    return fig


def _parameter_words(p: Parameter, labels: Mapping[str, str] | None) -> str:
    """A CPT entry as ``label: state (when parent = state, ...)``; ids without ``labels``."""
    if labels is None:
        return str(getattr(p, "description", "") or p.label)
    when = ", ".join(f"{label_of(labels, v)} = {st}" for v, st in p.parents)
    head = f"{label_of(labels, p.variable)}: {p.state}"
    kind = str(getattr(p, "kind", "table"))
    tail = "" if kind in ("table", "cell") else f", {kind.replace('_', ' ')}"
    return head + (f" (when {when})" if when else "") + tail


def _percent_axis(percent: Percent) -> object:
    """A tick formatter printing probabilities with ``percent``."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: percent(x) if 0 <= x <= 1 else "")


@plain_figure
def sensitivity_function_figure(f: SensitivityFunction, *, title: str | None = None) -> Figure:
    """One sensitivity function over [0, 1], its credible range shaded, the model's value marked.

    Parameters
    ----------
    f : SensitivityFunction
        One of ``one_way(...).functions``.
    title : str, optional
        The title (default: the function's formula).

    Returns
    -------
    matplotlib.figure.Figure
        One axes with the curve.

    Examples
    --------
    >>> from estimative import Network
    >>> from estimative.sensitivity import one_way
    >>> sens = one_way(Network.from_file("models/example"), "armed_clash", "yes")
    >>> tuple(float(x) for x in sensitivity_function_figure(sens.functions[0]).axes[0].get_xlim())
    (0.0, 1.0)
    """
    fig = Figure(figsize=(6.0, 3.6))
    ax = plain_axes(fig)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    x = np.linspace(0.0, 1.0, 401)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.asarray(f(x), dtype=float)
    ax.axvspan(f.low_x, f.high_x, color=LOW, alpha=0.15, linewidth=0, label="credible range")
    ax.plot(x, y, color=INK, linewidth=1.4)
    ax.plot(
        [f.parameter.value],
        [f.value],
        "o",
        color=HIGH,
        label=f"model value {f.parameter.value:.3g}",
    )
    ax.set_xlabel(shorten(f.parameter.label, 80))
    ax.set_ylabel("posterior")
    ax.set_xlim(0, 1)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(
        title or f"({f.a:.3g} x + {f.b:.3g}) / ({f.c:.3g} x + {f.d:.3g})", fontsize=9, loc="left"
    )
    fig.tight_layout()
    return fig


@plain_figure
def indicators_figure(
    result: Indicators,
    *,
    top: int = 10,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    judgment: str | None = None,
    percent: Percent = pct,
) -> Figure:
    """For the ``top`` most informative observations, the judgment after each possible
    observed state (dot area: how likely that state is now), against the judgment now. The
    states that would lower and raise the judgment most are named at the ends of each row.

    Parameters
    ----------
    result : Indicators
        What :func:`estimative.sensitivity.indicators` returned.
    top : int
        How many observable variables to show, most informative first.
    title : str, optional
        The title (default: the judgment and the query's conditions).
    labels : mapping of str to str, optional
        Variable labels by id (rows are named by label, never by id).
    judgment : str, optional
        The judgment's name for the axis (default: ``P(target=state)``).
    percent : callable, optional
        How a probability is printed (default :func:`estimative.scales.pct`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, one row per variable.

    Examples
    --------
    >>> from estimative import Network
    >>> from estimative.sensitivity import indicators
    >>> fig = indicators_figure(indicators(Network.from_file("models/example"), "armed_clash", "yes"))
    >>> "armed_clash" in fig.axes[0].get_xlabel()
    True
    """
    inds = list(result.indicators[:top])
    n = max(len(inds), 1)
    fig = Figure(figsize=(WIDTH, 1.6 + 0.55 * n))
    ax = plain_axes(fig)
    for row, ind in enumerate(inds):
        yy = n - 1 - row
        vals = ind.posteriors[ind.focus]
        ok = ind.probabilities > 0
        ax.plot(
            [np.nanmin(vals[ok]), np.nanmax(vals[ok])], [yy, yy], color=GRID, linewidth=2, zorder=1
        )
        for k in range(len(ind.states)):
            if ok[k]:
                ax.scatter(
                    [vals[k]],
                    [yy],
                    s=20 + 200 * float(ind.probabilities[k]),
                    color=HIGH if vals[k] > result.point else LOW,
                    zorder=2,
                    edgecolor="white",
                    linewidth=0.5,
                )
        # Only the two end states are named, outward from the row: names cannot overprint.
        (ls, lv), (hs, hv) = ind.low, ind.high
        ax.annotate(
            shorten(ls, 18),
            (lv, yy),
            xytext=(-7, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=TEXT,
            color=LOW,
        )
        if hs != ls:
            ax.annotate(
                shorten(hs, 18),
                (hv, yy),
                xytext=(7, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=TEXT,
                color=HIGH,
            )
    ax.axvline(result.point, color=INK, linewidth=1)
    ax.set_yticks(range(n))
    ax.set_yticklabels(
        [wrap_label(label_of(labels, i.variable), 30) for i in reversed(inds)], fontsize=TEXT
    )
    ax.set_ylim(-0.7, n - 0.3)
    lo_all = min([float(np.nanmin(i.posteriors[i.focus])) for i in inds] + [result.point])
    hi_all = max([float(np.nanmax(i.posteriors[i.focus])) for i in inds] + [result.point])
    span = hi_all - lo_all or 0.01
    ax.set_xlim(max(0.0, lo_all - 0.3 * span), min(1.0, hi_all + 0.3 * span))
    ax.tick_params(axis="x", labelsize=TEXT)
    ax.xaxis.set_major_formatter(_percent_axis(percent))
    name = judgment or f"P({result.target}={result.focus})"
    ax.set_xlabel(
        f"{shorten(name, 50)} if the variable were observed (now {percent(result.point)})",
        fontsize=TEXT,
    )
    ax.set_title(
        title
        or (
            "Indicators to watch"
            if labels is not None
            else title_with_conditions(
                f"Indicators to watch for {name}", result.conditions, width=80
            )
        ),
        fontsize=TEXT + 0.5,
        loc="left",
    )
    from matplotlib.lines import Line2D

    hash_footer(fig, result.model_hash)
    bottom_legend(
        fig,
        [
            Line2D([], [], marker="o", ls="", color=HIGH, label="seen: raises the judgment"),
            Line2D([], [], marker="o", ls="", color=LOW, label="seen: lowers it"),
        ],
        ncol=2,
    )
    return fig


@plain_figure
def sobol_figure(result: SobolIndices, *, top: int = 15, title: str | None = None) -> Figure:
    """First-order and total Sobol indices per group, largest total first, with SALib's
    bootstrap confidence half-widths.

    Parameters
    ----------
    result : SobolIndices
        What :func:`estimative.sensitivity.global_sensitivity` returned.
    top : int
        How many groups to show, largest total index first.
    title : str, optional
        The title (default: the judgment and the query's conditions).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, two bars (S1, ST) per group.

    Examples
    --------
    >>> import numpy as np
    >>> from estimative import Network
    >>> from estimative.sensitivity import global_sensitivity
    >>> s = global_sensitivity(Network.from_file("models/example"), "armed_clash", "yes", n=64,
    ...                        rng=np.random.default_rng(0))
    >>> len(sobol_figure(s).axes[0].patches) == 2 * len(s.to_frame())
    True
    """
    df = result.to_frame().head(top)
    n = max(len(df), 1)
    fig = Figure(figsize=(8.0, 1.2 + 0.42 * n))
    ax = plain_axes(fig)
    y = np.arange(len(df))[::-1]
    ax.barh(
        y + 0.18,
        df["ST"],
        height=0.34,
        color=HIGH,
        xerr=df["ST_conf"],
        error_kw={"linewidth": 0.7},
        label="total (ST)",
    )
    ax.barh(
        y - 0.18,
        df["S1"],
        height=0.34,
        color=LOW,
        xerr=df["S1_conf"],
        error_kw={"linewidth": 0.7},
        label="first order (S1)",
    )
    ax.set_yticks(y)
    ax.set_yticklabels(df["group"], fontsize=8)
    ax.set_xlim(min(0.0, float(df["S1"].min()) - 0.02) if len(df) else 0.0, 1.0)
    ax.set_xlabel("share of the variance of the judgment")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    head, _, cond = result.label.partition(" | ")
    ax.set_title(
        title
        or title_with_conditions(
            f"Which CPTs drive the uncertainty of {head + ')' if cond else head} (Sobol indices)",
            cond[:-1] if cond else "",
        ),
        fontsize=9,
        loc="left",
    )
    hash_footer(fig, result.model_hash)
    fig.tight_layout()
    return fig


@plain_figure
def interval_figure(
    result: PolicyComparison,
    *,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    judgment: str | None = None,
    percent: Percent = pct,
) -> Figure:
    """Each policy's value: point (diamond), median (bar) and credible interval (line), with
    P(best) beside it and a legend.

    Parameters
    ----------
    result : PolicyComparison
        What :func:`estimative.uncertainty.compare_policies` returned.
    title : str, optional
        The title (default: "Policies compared on the same parameter draws").
    labels : mapping of str to str, optional
        Policy labels by id (rows are named by label, never by id).
    judgment : str, optional
        The judgment's name for the axis (default: ``P(target=state)``).
    percent : callable, optional
        How a probability is printed (default :func:`estimative.scales.pct`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes, one row per policy.

    Examples
    --------
    >>> import numpy as np
    >>> from estimative import Network, compare_policies
    >>> cmp = compare_policies(Network.from_file("models/example"), "armed_clash", "yes", draws=100,
    ...                        rng=np.random.default_rng(0))
    >>> len(interval_figure(cmp).axes[0].get_yticklabels()) == len(cmp.policies)
    True
    """
    df = result.to_frame()
    n = max(len(df), 1)
    fig = Figure(figsize=(WIDTH, 1.6 + 0.45 * n))
    ax = plain_axes(fig)
    y = np.arange(len(df))[::-1]
    pb = result.prob_best()
    best = max(pb, key=lambda k: pb[k]) if pb else None
    for yy, (_, r) in zip(y, df.iterrows(), strict=True):
        color = BEST if r["policy"] == best else OTHER
        ax.hlines(yy, r["low"], r["high"], color=color, linewidth=3)
        ax.plot(r["median"], yy, "|", color=INK, markersize=12)
        ax.plot(r["point"], yy, "D", color=color, markersize=5)
        ax.text(r["high"], yy, f"  P(best) {percent(r['p_best'])}", va="center", fontsize=TEXT)
    ax.set_yticks(y)
    ax.set_yticklabels([wrap_label(label_of(labels, p), 30) for p in df["policy"]], fontsize=TEXT)
    ax.tick_params(axis="x", labelsize=TEXT)
    ax.xaxis.set_major_formatter(_percent_axis(percent))
    lo, hi = float(df["low"].min()), float(df["high"].max())
    span = hi - lo or 0.01
    ax.set_xlim(max(0.0, lo - 0.05 * span), hi + 0.45 * span)
    name = judgment or f"P({result.target}={','.join(result.states)})"
    ax.set_xlabel(
        f"{shorten(name, 50)} ({100 * result.level:g}% intervals; {result.better} is better)",
        fontsize=TEXT,
    )
    ax.set_title(
        title or "Policies compared on the same parameter draws", fontsize=TEXT + 0.5, loc="left"
    )
    from matplotlib.lines import Line2D

    hash_footer(fig, result.model_hash)
    bottom_legend(
        fig,
        [
            Line2D([], [], marker="D", ls="", color=INK, label="model value"),
            Line2D([], [], marker="|", ls="", color=INK, markersize=10, label="median of draws"),
            Line2D([], [], color=OTHER, lw=3, label=f"{100 * result.level:g}% interval"),
            Line2D([], [], color=BEST, lw=3, label="most often best"),
        ],
        ncol=4,
    )
    return fig
