"""What every chart shares: the one figure writer, SVG markup for pages, colours and the
title and label helpers.

:func:`save_figure` is the only way a figure reaches a file (atomically, byte-identical on a
rerun); :func:`figure_svg` is the only way a figure becomes inline SVG (the brief's HTML and
PDF).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from .._io import atomic_writer
from ..errors import UsageError

#: The file types :func:`save_figure` writes, by suffix.
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
# One colour-blind-safe palette (Okabe and Ito, "Color Universal Design", 2008).
LOW = "#0072B2"  # blue: the parameter at the low end of its range; lowers the judgment
HIGH = "#D55E00"  # vermillion: ... at the high end; raises the judgment
BEST = "#009E73"  # bluish green: the best alternative
OTHER = "#999999"  # grey: the rest, the reference
INK = "#333333"
GRID = "#dddddd"
#: The smallest type size (points) of a chart; charts drawn WIDTH inches wide keep it in print.
TEXT = 8.5
#: The width (inches) of a chart in a brief: an A4 page's text column, drawn at 100%.
WIDTH = 6.5

#: How a chart prints a probability by default (the house rule: no scientific notation).
Percent = Callable[[float], str]


def label_of(labels: Mapping[str, str] | None, key: str) -> str:
    """``labels[key]`` when given, else ``key``."""
    return labels.get(key, key) if labels else key


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (.svg, .png or .pdf) atomically.

    The figure goes to a temporary file in the same folder, then is renamed over the target.
    SVGs carry no date and fixed element ids, so reruns are byte-identical.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Any figure of :mod:`estimative.charts`.
    path : str or pathlib.Path
        The file to write; its suffix chooses the format.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import os, tempfile
    >>> from matplotlib.figure import Figure
    >>> p = save_figure(Figure(figsize=(1, 1)), os.path.join(tempfile.mkdtemp(), "f.svg"))
    >>> p.suffix, p.stat().st_size > 0
    ('.svg', True)
    """
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"cannot write a figure as '{p.suffix or p.name}'",
            field="path",
            expected=f"one of {sorted(FORMATS)}",
            fix="name the file .svg, .png or .pdf",
        )
    # A fixed salt makes SVG element ids deterministic, so reruns write identical files.
    with (
        atomic_writer(p, binary=True, what="figure") as fh,
        matplotlib.rc_context({"svg.hashsalt": "estimative"}),
    ):
        fig.savefig(
            fh, format=fmt, metadata={"Date": None} if fmt == "svg" else None, bbox_inches="tight"
        )
    return p


def figure_svg(fig: Any) -> str:
    """A figure as deterministic, self-contained SVG markup, to inline in a page.

    Text is drawn as paths (no fonts needed), there is no XML header, no metadata or date, and
    element ids are fixed by a constant hash salt.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    str
        Markup starting at ``<svg``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> figure_svg(Figure(figsize=(1, 1))).startswith("<svg")
    True
    """
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "estimative-brief", "svg.fonttype": "path"}):
        fig.savefig(
            buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight"
        )
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    return re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)


def svg_size(svg: str) -> tuple[float, float]:
    """The width and height (points) of SVG markup :func:`figure_svg` made.

    >>> svg_size('<svg width="72pt" height="36pt">')
    (72.0, 36.0)
    """
    head = svg[: svg.index(">")]
    w = re.search(r'width="([0-9.]+)pt"', head)
    h = re.search(r'height="([0-9.]+)pt"', head)
    if not (w and h):
        raise ValueError("SVG without a width and height in points")
    return float(w.group(1)), float(h.group(1))


def plain_axes(fig: Figure) -> Any:
    """One axes without the top and right spines, a light vertical grid behind the data."""
    ax = fig.add_subplot(1, 1, 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    return ax


def hash_footer(fig: Figure, model_hash: str) -> None:
    """The model's hash in small print at the bottom right (nothing when it is empty)."""
    if model_hash:
        fig.text(
            0.99,
            0.005,
            f"model {model_hash}",
            ha="right",
            va="bottom",
            fontsize=8,
            color="#888888",
        )


def shorten(label: str, width: int = 70) -> str:
    """``label`` cut to ``width`` characters with an ellipsis."""
    return label if len(label) <= width else label[: width - 1] + "…"


def title_with_conditions(head: str, conditions: str = "", width: int = 110) -> str:
    """A title line, then the query's conditions wrapped (a policy's do() list can be long)."""
    if not conditions:
        return head
    return (
        head
        + "\n"
        + "\n".join(textwrap.wrap(f"given {conditions}", width=width, break_long_words=False))
    )


def wrap_label(label: str, width: int = 60) -> str:
    """Break a long parameter label after commas, at most three lines."""
    lines = textwrap.wrap(label, width=width, break_long_words=False)
    return "\n".join(lines[:2] + ([shorten(" ".join(lines[2:]), width)] if len(lines) > 2 else []))


def bottom_legend(fig: Figure, handles: list[Any], *, ncol: int) -> None:
    """A legend centred under the axes, clear of the model hash below it, and the layout
    tightened above both (fixed distances in inches, whatever the figure's height)."""
    h = fig.get_figheight()
    fig.legend(
        handles=handles,
        fontsize=TEXT,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.18 / h),
        ncol=ncol,
        frameon=False,
    )
    fig.tight_layout(rect=(0, 0.5 / h, 1, 1))
