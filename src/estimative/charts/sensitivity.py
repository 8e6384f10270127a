"""Figures from analysis results (matplotlib, no pyplot state, never shown).

Each function takes a result object and returns a :class:`matplotlib.figure.Figure`; the data
come first, the picture is drawn from them. :func:`~estimative.charts.save_figure` writes a
figure atomically (re-exported here for old imports).

Uncertainty and sensitivity: :func:`interval_figure`, :func:`tornado_figure`,
:func:`sensitivity_function_figure`, :func:`indicators_figure`, :func:`sobol_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ._common import (
    GRID,
    HIGH,
    INK,
    LOW,
    hash_footer,
    plain_axes,
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
    from ..sensitivity.oneway import OneWaySensitivity, SensitivityFunction
    from ..uncertainty import PolicyComparison


def tornado_figure(result: OneWaySensitivity, *, top: int = 12, title: str | None = None) -> Figure:
    """The tornado: for the ``top`` parameters with the largest swing, the posterior as each
    moves across its credible range (blue end: parameter low; red end: parameter high).

    Parameters
    ----------
    result : OneWaySensitivity
        What :func:`estimative.sensitivity.one_way` returned.
    top : int
        How many parameters to show, largest swing first.
    title : str, optional
        The title (default: the judgment, the level and the query's conditions).

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
    fig = Figure(figsize=(9.0, 1.2 + 0.55 * n))
    ax = plain_axes(fig)
    for row, f in enumerate(funcs):
        y = n - 1 - row
        lo, hi = f.low_value, f.high_value
        ax.barh(y, lo - result.point, left=result.point, color=LOW, height=0.6)
        ax.barh(y, hi - result.point, left=result.point, color=HIGH, height=0.6)
        p = f.parameter
        ax.text(
            max(lo, hi),
            y,
            f"  {p.value:.2g} [{f.low_x:.2g}, {f.high_x:.2g}]",
            va="center",
            fontsize=7,
            color=INK,
        )
    ax.axvline(result.point, color=INK, linewidth=1)
    ax.set_yticks(range(n))
    ax.set_yticklabels([wrap_label(f.parameter.description) for f in reversed(funcs)], fontsize=7)
    judgment = f"P({result.target}={','.join(result.states)})"
    ax.set_xlabel(f"{judgment}  (now {result.point:.3f})")
    ax.set_title(
        title
        or title_with_conditions(
            f"What moves {judgment}: each parameter across its {100 * result.level:g}% "
            "credible range",
            result.conditions,
        ),
        fontsize=9,
        loc="left",
    )
    ax.legend(
        handles=[
            Patch(color=LOW, label="parameter at its low end"),
            Patch(color=HIGH, label="parameter at its high end"),
        ],
        fontsize=7,
        loc="lower right",
        frameon=False,
    )
    xs = [v for f in funcs for v in (f.low_value, f.high_value)] + [result.point]
    span = max(xs) - min(xs) or 0.01
    ax.set_xlim(min(xs) - 0.05 * span, max(xs) + 0.35 * span)
    hash_footer(fig, result.model_hash)
    fig.tight_layout()
    return fig


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
    ax.legend(fontsize=7, frameon=False)
    ax.set_title(
        title or f"({f.a:.3g} x + {f.b:.3g}) / ({f.c:.3g} x + {f.d:.3g})", fontsize=9, loc="left"
    )
    fig.tight_layout()
    return fig


def indicators_figure(result: Indicators, *, top: int = 10, title: str | None = None) -> Figure:
    """For the ``top`` most informative observations, the judgment after each possible
    observed state (dot area: how likely that state is now), against the judgment now.

    Parameters
    ----------
    result : Indicators
        What :func:`estimative.sensitivity.indicators` returned.
    top : int
        How many observable variables to show, most informative first.
    title : str, optional
        The title (default: the judgment and the query's conditions).

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
    fig = Figure(figsize=(9.0, 1.2 + 0.45 * n))
    ax = plain_axes(fig)
    for row, ind in enumerate(inds):
        yy = n - 1 - row
        vals = ind.posteriors[ind.focus]
        ok = ind.probabilities > 0
        ax.plot(
            [np.nanmin(vals[ok]), np.nanmax(vals[ok])], [yy, yy], color=GRID, linewidth=2, zorder=1
        )
        for k, s in enumerate(ind.states):
            if not ok[k]:
                continue
            color = HIGH if vals[k] > result.point else LOW
            ax.scatter(
                [vals[k]],
                [yy],
                s=20 + 300 * float(ind.probabilities[k]),
                color=color,
                zorder=2,
                edgecolor="white",
                linewidth=0.5,
            )
            # Alternate above and below so the names of close states do not overprint.
            ax.annotate(
                s,
                (vals[k], yy),
                xytext=(0, 7 if k % 2 == 0 else -12),
                textcoords="offset points",
                ha="center",
                fontsize=6,
            )
        ax.text(
            1.0,
            yy,
            f" {ind.mutual_information:.3f} bits",
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=7,
            color=INK,
        )
    ax.axvline(result.point, color=INK, linewidth=1)
    ax.set_yticks(range(n))
    ax.set_yticklabels([i.variable for i in reversed(inds)], fontsize=8)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(
        f"P({result.target}={result.focus}) if the variable were observed in each state "
        f"(now {result.point:.3f})"
    )
    ax.set_title(
        title
        or title_with_conditions(
            f"Indicators to watch for P({result.target}={result.focus})", result.conditions
        ),
        fontsize=9,
        loc="left",
    )
    hash_footer(fig, result.model_hash)
    fig.tight_layout()
    return fig


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
    ax.legend(fontsize=7, frameon=False, loc="lower right")
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


def interval_figure(result: PolicyComparison, *, title: str | None = None) -> Figure:
    """Each policy's value: point (diamond), median (bar) and credible interval (line).

    Parameters
    ----------
    result : PolicyComparison
        What :func:`estimative.uncertainty.compare_policies` returned.
    title : str, optional
        The title (default: "Policies compared on the same parameter draws").

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
    fig = Figure(figsize=(7.5, 1.2 + 0.5 * n))
    ax = plain_axes(fig)
    y = np.arange(len(df))[::-1]
    ax.hlines(y, df["low"], df["high"], color=LOW, linewidth=3)
    ax.plot(df["median"], y, "|", color=INK, markersize=14)
    ax.plot(df["point"], y, "D", color=HIGH, markersize=5)
    for yy, (_, r) in zip(y, df.iterrows(), strict=True):
        ax.text(r["high"], yy, f"  P(best) {r['p_best']:.2f}", va="center", fontsize=7)
    ax.set_yticks(y)
    ax.set_yticklabels(df["policy"], fontsize=8)
    ax.set_xlabel(
        f"P({result.target}={','.join(result.states)})  ({100 * result.level:g}% intervals; "
        f"{result.better} is better)"
    )
    ax.set_title(title or "Policies compared on the same parameter draws", fontsize=9, loc="left")
    hash_footer(fig, result.model_hash)
    fig.tight_layout()
    return fig
