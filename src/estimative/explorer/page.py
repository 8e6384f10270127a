"""The offline what-if page: one self-contained HTML file (styles, script and data inline; no
server, no CDN, and a Content-Security-Policy that forbids the page any request).

Every number is computed by :func:`~estimative.explore.data.page_data` and embedded as JSON;
the script (the widget's own ``explore.js``) only looks numbers up and draws them.
"""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .._io import check_output_path, dumps_json, write_text_atomic
from ..checks import check_count, check_level
from ..network import Network
from .data import page_data

#: No request may leave the page: no fetch, no image, font or script from anywhere.
CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"


def static_text(name: str) -> str:
    """The text of a file of the explorer's front end (``explore.js``, ``explore.css``).

    >>> "function render" in static_text("explore.js")
    True
    """
    return resources.files("estimative.explorer").joinpath("static", name).read_text("utf-8")


def _json_for_script(obj: Any) -> str:
    # Inside <script>, "</" could close the element; JSON allows "<\/" for it.
    return dumps_json(obj, indent=None).replace("</", "<\\/")


def explore_page(
    net: Network,
    *,
    draws: int = 1000,
    rng: np.random.Generator,
    level: float = 0.9,
    policies: list[str] | None = None,
) -> str:
    """The offline what-if page of ``net`` as HTML text.

    Parameters
    ----------
    net : Network
        The model.
    draws : int
        Parameter draws behind the headline outcomes' intervals.
    rng : numpy.random.Generator
        Where the draws come from.
    level : float
        The credible level of the intervals.
    policies : list of str, optional
        The policies to offer besides the baseline (default: all).

    Returns
    -------
    str
        One HTML document with everything inline.

    Examples
    --------
    >>> page = explore_page(Network.from_file("models/example"), draws=200, rng=np.random.default_rng(0))
    >>> page.startswith("<!DOCTYPE html>"), "src=" in page, "http://" in page.replace(
    ...     "http://www.w3.org/2000/svg", "")
    (True, False, False)
    """
    draws = check_count(draws, name="draws", minimum=10, example=1000)
    level = check_level(level)
    data = page_data(net, draws=draws, rng=rng, level=level, policies=policies)
    title = html.escape(f"{data['meta']['title']}: explore")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        f"<meta name='estimative-model-hash' content='{html.escape(net.model_hash)}'>"
        f"<title>{title}</title><style>{static_text('explore.css')}</style></head><body>"
        "<div id='estimative-explore'></div>"
        f"<script type='application/json' id='estimative-data'>{_json_for_script(data)}</script>"
        f"<script>{static_text('explore.js')}\n"
        "render({ model: pageModel(JSON.parse(document.getElementById('estimative-data').textContent)),"
        " el: document.getElementById('estimative-explore') });</script>"
        "</body></html>\n"
    )


def write_explore_page(
    net: Network,
    path: str | Path,
    *,
    draws: int = 1000,
    rng: np.random.Generator,
    level: float = 0.9,
    policies: list[str] | None = None,
) -> Path:
    """Write the offline what-if page (:func:`explore_page`) to ``path`` atomically.

    Parameters
    ----------
    net : Network
        The model.
    path : str or pathlib.Path
        The HTML file to write.
    draws, rng, level, policies
        As for :func:`explore_page`.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import os, tempfile
    >>> p = write_explore_page(Network.from_file("models/example"),
    ...                        os.path.join(tempfile.mkdtemp(), "x.html"),
    ...                        draws=100, rng=np.random.default_rng(0))
    >>> p.stat().st_size > 10000
    True
    """
    target = check_output_path(path, what="page")
    text = explore_page(net, draws=draws, rng=rng, level=level, policies=policies)
    return write_text_atomic(target, text, what="page")
