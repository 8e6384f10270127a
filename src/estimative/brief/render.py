"""Lay a brief's strings out as Markdown and as one self-contained HTML page (Jinja
templates in ``templates/``).

Both take the strings :func:`~estimative.brief.brief_context` made, so the formats say the
same thing. Markdown escapes every printed value (:func:`md_escape`); HTML autoescapes, and
only the charts (SVG that matplotlib drew from numbers and escaped labels) are marked safe.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .context import brief_context
from .data import Brief
from .figures import brief_svgs


def md_escape(value: Any) -> str:
    r"""Text safe inside Markdown, also inside a table cell: backslash-escape what Markdown or
    HTML would read (emphasis, links, headings, tables, HTML tags, entities, a list marker at
    the start) and fold line breaks into spaces. Underscores inside words stay as they are.

    >>> md_escape("a <b>|c</b> *d* snake_case _e_")
    'a \\<b\\>\\|c\\</b\\> \\*d\\* snake_case \\_e\\_'
    >>> md_escape("- 1. item"), md_escape("1. item"), md_escape("0.1.0 +0.9")
    ('\\- 1. item', '1\\. item', '0.1.0 +0.9')
    """
    text = " ".join(str(value).split())
    text = re.sub(r"[\\`*\[\]<>#|~&$]", lambda m: "\\" + m.group(0), text)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    text = re.sub(r"^([-+*=])(?=\s|$)", r"\\\1", text)
    return re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", text)


def _md_finalize(value: Any) -> Any:
    """Escape every value a Markdown template prints, except what a macro already built
    (marked safe)."""
    from markupsafe import Markup

    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return md_escape(value)


def _environment(kind: str) -> Any:
    import jinja2

    loader = jinja2.FileSystemLoader(str(Path(__file__).with_name("templates")))
    if kind == "html":
        env = jinja2.Environment(
            loader=loader,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
    else:
        env = jinja2.Environment(
            loader=loader,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            finalize=_md_finalize,
        )
    return env


def render_markdown(brief: Brief, *, context: Mapping[str, Any] | None = None) -> str:
    """The brief as Markdown: GitHub-flavoured tables, every piece of model text escaped.

    Parameters
    ----------
    brief : Brief
        What :func:`~estimative.brief.build_brief` computed.
    context : mapping, optional
        The brief's strings, when :func:`~estimative.brief.brief_context` already made them.

    Returns
    -------
    str
        The Markdown document (the charts are left to the HTML and PDF versions).

    Examples
    --------
    >>> import datetime, numpy as np
    >>> from estimative import Network
    >>> from estimative.brief import build_brief
    >>> b = build_brief(Network.from_file("models/example"), draws=100, rng=np.random.default_rng(0),
    ...                 date=datetime.date(2017, 5, 20))
    >>> md = render_markdown(b)
    >>> md.splitlines()[0], "## Bottom line" in md
    ('# Miscalculation on the Korean Peninsula, in miniature', True)
    """
    ctx = context if context is not None else brief_context(brief)
    return _environment("md").get_template("brief.md.j2").render(**ctx)


def render_html(
    brief: Brief,
    *,
    context: Mapping[str, Any] | None = None,
    charts: Mapping[str, str] | None = None,
    explore: str | None = None,
) -> str:
    """The brief as one self-contained HTML page: inline CSS, charts as inline SVG, no remote
    fonts, scripts or images. Every piece of model text is escaped.

    Parameters
    ----------
    brief : Brief
        What :func:`~estimative.brief.build_brief` computed.
    context : mapping, optional
        The brief's strings, when :func:`~estimative.brief.brief_context` already made them.
    charts : mapping of str to str, optional
        The charts' SVG markup by name, when already drawn (default: drawn from ``brief``).
    explore : str, optional
        A link (relative to the page) to the model's offline what-if page
        (:func:`estimative.write_explore_page`); shown under the header when given.

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> import datetime, numpy as np
    >>> from estimative import Network
    >>> from estimative.brief import build_brief
    >>> b = build_brief(Network.from_file("models/example"), draws=100, rng=np.random.default_rng(0),
    ...                 date=datetime.date(2017, 5, 20))
    >>> page = render_html(b)
    >>> page.startswith("<!DOCTYPE html>"), "<script" in page
    (True, False)
    """
    from markupsafe import Markup

    ctx = dict(context if context is not None else brief_context(brief))
    svgs = charts if charts is not None else brief_svgs(brief)
    ctx["charts"] = {name: Markup(svg) for name, svg in svgs.items()}
    ctx["explore"] = explore
    return _environment("html").get_template("brief.html.j2").render(**ctx)
