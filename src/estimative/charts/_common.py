"""What every chart shares: the one figure writer, SVG markup for pages, colours and the
title and label helpers.

:func:`save_figure` is the only way a figure reaches a file (atomically, byte-identical on a
rerun); :func:`figure_svg` is the only way a figure becomes inline SVG (the brief's HTML and
PDF). Every ``*_figure`` function is wrapped by :func:`plain_figure`: labels are plain text
(``$x_y_z$`` is drawn as written, never as mathtext), and a character no font can draw (a lone
surrogate, a glyph DejaVu Sans lacks) is replaced by U+FFFD, said in a
:class:`~estimative.errors.TextWarning`.
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import matplotlib
from matplotlib.figure import Figure

from .._io import atomic_writer
from ..errors import TextWarning, UsageError

#: What a character that cannot be drawn becomes.
REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_F = TypeVar("_F", bound=Callable[..., Figure])
#: The faces charts and the brief's PDF set text in (DejaVu Sans, shipped with matplotlib).
FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")


def font_dir() -> Path:
    """The folder of the fonts matplotlib ships."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@functools.lru_cache(maxsize=1)
def drawable() -> frozenset[int]:
    """The code points every face of :data:`FACES` has a glyph for."""
    from matplotlib.ft2font import FT2Font

    maps = [set(FT2Font(str(font_dir() / f)).get_charmap()) for f in FACES]
    return frozenset(set.intersection(*maps))


def plain_text(text: str, found: set[str] | None = None) -> str:
    r"""``text`` with every lone surrogate (no font draws one and UTF-8 cannot write it)
    replaced by U+FFFD; each character replaced is added to ``found``.

    >>> found = set()
    >>> plain_text("a \ud800 b", found) == "a \ufffd b", found == {"\ud800"}
    (True, True)
    """
    if _SURROGATE.search(text) is None:
        return text
    if found is not None:
        found.update(_SURROGATE.findall(text))
    return _SURROGATE.sub(REPLACEMENT, text)


def drawn_text(text: str, found: set[str] | None = None) -> str:
    r"""``text`` as the charts and the PDF can draw it: every character :data:`FACES` has no
    glyph for (and every lone surrogate) replaced by U+FFFD, each added to ``found``; line
    breaks and tabs are kept.

    >>> found = set()
    >>> drawn_text("Seoul \u4e2d x", found), sorted(found)
    ('Seoul \ufffd x', ['\u4e2d'])
    """
    if text.isascii():
        return text
    ok = drawable()
    out = []
    for ch in text:
        if ord(ch) < 0x20 or ord(ch) in ok:
            out.append(ch)
        else:
            if found is not None:
                found.add(ch)
            out.append(REPLACEMENT)
    return "".join(out)


def replaced_warning(found: set[str]) -> None:
    """A :class:`~estimative.errors.TextWarning` per kind of character replaced (lone
    surrogates; characters the font lacks); nothing when ``found`` is empty."""
    surrogates = {c for c in found if _SURROGATE.match(c)}
    for kind, chars in (("surrogate", surrogates), ("font", set(found) - surrogates)):
        if chars:
            warnings.warn(TextWarning(kind, chars), stacklevel=3)


#: The longest label a chart draws (a longer one ends with an ellipsis; the brief's text and
#: tables hold it whole).
LONG_LABEL = 160
#: Characters per line of a chart's title, and its lines at most.
TITLE_WIDTH, TITLE_LINES = 100, 3


def plain_strings(
    value: Any, found: set[str], clean: Callable[[str, set[str]], str] | None = None
) -> Any:
    r"""``value`` with every string in it (in plain dicts, lists and tuples, keys included) passed
    through ``clean`` (default :func:`plain_text`: lone surrogates replaced), each character
    replaced added to ``found``; anything else is returned as it is.

    >>> found = set()
    >>> plain_strings({"a": ["x\ud800", 1]}, found) == {"a": ["x\ufffd", 1]}, len(found)
    (True, 1)
    """
    fn = clean or plain_text
    if isinstance(value, str):
        return fn(value, found)
    if type(value) is dict:  # plain containers only: a result type is passed as it is
        return {plain_strings(k, found, fn): plain_strings(v, found, fn) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(plain_strings(v, found, fn) for v in value)
    return value


def plain_data(value: Any, found: set[str]) -> Any:
    """``value`` with :func:`plain_text` applied to every string in it (in dicts, lists and
    tuples, keys included), each cut to :data:`LONG_LABEL` characters; anything else is
    returned as it is."""
    return plain_strings(value, found, lambda t, f: shorten(drawn_text(t, f), LONG_LABEL))


def title_text(title: str) -> str:
    r"""A chart title wrapped to :data:`TITLE_WIDTH` characters a line, at most
    :data:`TITLE_LINES` lines (the last ends with an ellipsis when text was cut).

    >>> title_text("word " * 100).count("\n"), title_text("short")
    (2, 'short')
    """
    lines = [ln for part in title.split("\n") for ln in textwrap.wrap(part, TITLE_WIDTH) or [""]]
    if len(lines) > TITLE_LINES:
        lines = [
            *lines[: TITLE_LINES - 1],
            shorten(" ".join(lines[TITLE_LINES - 1 :]), TITLE_WIDTH),
        ]
    return "\n".join(lines)


def plain_figure(fn: _F) -> _F:
    """Wrap a ``*_figure`` function so that its text is plain: drawn with mathtext off (a
    label ``Sanctions on $x_y_z$`` is drawn as written) and with the characters its font
    cannot draw (lone surrogates, glyphs DejaVu Sans lacks) in its string arguments (and in
    mappings and sequences of strings) replaced by U+FFFD, said in a
    :class:`~estimative.errors.TextWarning`; a string argument longer than
    :data:`LONG_LABEL` is cut with an ellipsis and a long ``title`` wrapped
    (:func:`title_text`)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        found: set[str] = set()
        title = kwargs.get("title")
        args = tuple(plain_data(a, found) for a in args)
        kwargs = {k: plain_data(v, found) for k, v in kwargs.items()}
        if isinstance(title, str):
            kwargs["title"] = title_text(drawn_text(title, found))
        with matplotlib.rc_context({"text.parse_math": False}):
            fig = fn(*args, **kwargs)
        plain_texts(fig, found)
        replaced_warning(found)
        return fig

    return wrapper  # type: ignore[return-value]


def plain_texts(fig: Figure, found: set[str] | None = None) -> None:
    """Every text of ``fig`` drawn as plain text (mathtext off), characters the font lacks
    replaced (:func:`drawn_text`)."""
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        t.set_parse_math(False)
        text = t.get_text()
        clean = drawn_text(text, found)
        if clean != text:
            t.set_text(clean)


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
    plain_texts(fig)  # a figure made elsewhere: its labels are plain text too
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
    plain_texts(fig)
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
