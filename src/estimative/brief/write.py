"""Write a brief's three files, each atomically, after all three rendered."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._io import atomic_writer, write_text_atomic
from ..errors import UsageError
from .context import brief_context
from .data import Brief
from .figures import brief_svgs
from .pdf import render_pdf
from .render import render_html, render_markdown


@dataclass(frozen=True)
class BriefFiles:
    """Where a brief was written."""

    markdown: Path
    html: Path
    pdf: Path


def write_brief(brief: Brief, out_dir: str | Path, *, explore: str | None = None) -> BriefFiles:
    """Write ``brief.md``, ``brief.html`` and ``brief.pdf`` into ``out_dir`` (created if needed).

    All three are rendered in memory first and written only when every one succeeded, each
    through :func:`estimative._io.atomic_writer`: a failure leaves no partial file, and a
    file of an earlier brief is replaced whole or not at all.

    Parameters
    ----------
    brief : Brief
        What :func:`~estimative.brief.build_brief` computed.
    out_dir : str or pathlib.Path
        The folder for the three files.
    explore : str, optional
        A link from the HTML brief to the model's offline what-if page (e.g. ``"explore.html"``
        beside it, as ``estimative brief --explore`` writes).

    Returns
    -------
    BriefFiles
        The three paths.

    Raises
    ------
    UsageError
        ``out_dir`` exists and is not a folder (``field="out_dir"``).

    Examples
    --------
    >>> import datetime, tempfile, numpy as np
    >>> from estimative import Network
    >>> from estimative.brief import build_brief
    >>> b = build_brief(Network.from_file("models/example"), draws=100, rng=np.random.default_rng(0),
    ...                 date=datetime.date(2017, 5, 20))
    >>> files = write_brief(b, tempfile.mkdtemp())
    >>> files.markdown.name, files.html.name, files.pdf.name
    ('brief.md', 'brief.html', 'brief.pdf')
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(
            f"'{out}' exists and is not a folder",
            field="out_dir",
            fix="name a folder for the brief",
        )
    ctx = brief_context(brief)
    svgs = brief_svgs(brief)
    md = render_markdown(brief, context=ctx)
    page = render_html(brief, context=ctx, charts=svgs, explore=explore)
    pdf = render_pdf(brief, context=ctx, charts=svgs)
    out.mkdir(parents=True, exist_ok=True)
    files = BriefFiles(out / "brief.md", out / "brief.html", out / "brief.pdf")
    write_text_atomic(files.markdown, md, what="brief")
    write_text_atomic(files.html, page, what="brief")
    with atomic_writer(files.pdf, binary=True, what="brief") as fh:
        fh.write(pdf)
    return files
