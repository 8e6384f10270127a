"""How a network looks: every node's posterior at once, the graph's geometry on the house's
one layout (:func:`estimative.layout.layout`, left to right), the graph as static SVG with
posterior bars, and :meth:`Network._repr_html_`'s summary.

The geometry is plain data (pixels), so the explorer's page and widget draw exactly the same
boxes in the browser (``estimative/explorer/static/explore.js``) as :func:`graph_svg` draws here.
"""

from __future__ import annotations

import html
import itertools
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..layout import border_point, layout
from .results import Posterior

if TYPE_CHECKING:
    from .network import Network

#: Fill and edge colours by kind of node: policy instruments, chance variables, headline outcomes.
KIND_COLORS = {
    "decision": ("#dbe7f5", "#2f5d8a"),
    "chance": ("#f4f4f0", "#6b6b63"),
    "outcome": ("#fbe3d6", "#a6461d"),
}
BAR_COLOR = "#4a6fa5"
FIXED_COLOR = "#c8553d"  # a state set by a finding or a do()

# Pixel sizes of a node box (the browser drawing reads them from the geometry).
BOX_W = 176
LINE_H = 13
ROW_H = 13
PAD = 5
LABEL_CHARS = 27
STATE_X = 6
BAR_X = 78
BAR_W = 56
MARGIN = 12


def all_marginals(
    net: Network,
    *,
    given: Mapping[str, str] | None = None,
    do: Mapping[str, str] | None = None,
    policy: str | Sequence[str] | None = None,
    scenario: str | None = None,
) -> dict[str, Posterior]:
    """Every variable's posterior under one set of conditions, by variable.

    All of them from one compiled pass (:meth:`Network.marginals`), the query the explorer,
    the figure and the rich view share.

    Parameters
    ----------
    net : Network
        The model.
    given, do, policy, scenario : optional
        The conditions, as for :meth:`Network.query`.

    Returns
    -------
    dict of str to Posterior
        ``{variable: P(variable | conditions)}`` in the network's topological order.

    Raises :class:`~estimative.errors.QueryError` for an unknown name and
    :class:`~estimative.errors.ImpossibleEvidenceError` when the evidence has probability zero.

    Examples
    --------
    >>> from estimative import Network
    >>> post = all_marginals(Network.from_file("models/example"), given={"misread_intent": "yes"})
    >>> round(post["armed_clash"]["yes"], 12), round(post["misread_intent"]["yes"], 12)
    (0.125, 1.0)
    """
    ev = net.resolve(given=given, do=do, policy=policy, scenario=scenario)  # names checked once
    m = net.marginals(given=given, do=do, policy=policy, scenario=scenario)
    if bool(m.impossible[0]):
        net.query(net.variables[0], given=given, do=do, policy=policy, scenario=scenario)  # raises
    pe = float(m.evidence_prob[0])
    return {
        v: Posterior(
            v,
            net.states[v],
            m.probs[v][0],
            dict(ev.given),
            dict(ev.do),
            {},
            pe,
            state_aliases=m.state_aliases.get(v, {}),
        )
        for v in net.variables
    }


def graph_geometry(net: Network, *, outcomes: Sequence[str] | None = None) -> dict[str, Any]:
    """The graph's drawing as plain data in pixels: one box per variable (top-left corner,
    size, wrapped label, states, kind), one SVG path per edge, the canvas size.

    Parameters
    ----------
    net : Network
        The model.
    outcomes : sequence of str, optional
        Variables drawn as headline outcomes (default: the targets of the model's ``outcomes:``).

    Returns
    -------
    dict
        ``{"width", "height", "box": {...sizes}, "nodes": [...], "edges": [{"from", "to", "d"}]}``.

    Examples
    --------
    >>> from estimative import Network
    >>> g = graph_geometry(Network.from_file("models/example"))
    >>> len(g["nodes"]), len(g["edges"]), g["nodes"][0]["x"] < g["nodes"][-1]["x"]
    (5, 5, True)
    """
    spec = net.spec
    outs = set(outcomes if outcomes is not None else (o.target for o in spec.outcomes))
    ids = [v.id for v in spec.variables]
    byid = {v.id: v for v in spec.variables}
    lines = {v.id: textwrap.wrap(v.label, LABEL_CHARS)[:2] or [v.id] for v in spec.variables}
    heights = {n: 2 * PAD + LINE_H * len(lines[n]) + ROW_H * len(net.states[n]) + 2 for n in ids}
    tallest = max(heights.values(), default=40)
    lay = layout(
        ids,
        {n: list(byid[n].parents) for n in ids},
        gap=tallest + 14,
        rank_gap=BOX_W + 60,
        positions={n: byid[n].position for n in ids},  # a file's drawing, when it has one
    )
    ys = [p[1] for p in lay.pos.values()] or [0.0]
    top = min(ys) - tallest / 2

    def center(n: str) -> tuple[float, float]:
        x, y = lay.pos[n]
        return MARGIN + BOX_W / 2 + x, MARGIN + y - top

    nodes: list[dict[str, Any]] = []
    for n in ids:
        v = byid[n]
        cx, cy = center(n)
        kind = "outcome" if n in outs else ("decision" if v.kind == "decision" else "chance")
        nodes.append(
            {
                "id": n,
                "label": v.label,
                "lines": lines[n],
                "states": list(net.states[n]),
                "kind": kind,
                "sourced": v.cpt.sourced,
                "x": round(cx - BOX_W / 2, 2),
                "y": round(cy - heights[n] / 2, 2),
                "w": BOX_W,
                "h": heights[n],
            }
        )
    edges = []
    for p, n, dummies in lay.edges:
        if lay.placed:  # a file's drawing: straight, from border to border
            a, b = center(p), center(n)
            a = border_point(a, b, BOX_W / 2, heights[p] / 2)
            b = border_point(b, a, BOX_W / 2 + 4, heights[n] / 2 + 4)
            edges.append(
                {"from": p, "to": n, "d": f"M{a[0]:.1f},{a[1]:.1f} L{b[0]:.1f},{b[1]:.1f}"}
            )
            continue
        pts = [center(p), *(center(d) for d in dummies), center(n)]
        pts[0] = (pts[0][0] + BOX_W / 2, pts[0][1])
        pts[-1] = (pts[-1][0] - BOX_W / 2 - 4, pts[-1][1])
        d = f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            mx = (x0 + x1) / 2
            d += f" C{mx:.1f},{y0:.1f} {mx:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
        edges.append({"from": p, "to": n, "d": d})
    width = max((nd["x"] + BOX_W for nd in nodes), default=0) + MARGIN
    height = max((nd["y"] + nd["h"] for nd in nodes), default=0) + MARGIN
    box = {
        "line_h": LINE_H,
        "row_h": ROW_H,
        "pad": PAD,
        "state_x": STATE_X,
        "bar_x": BAR_X,
        "bar_w": BAR_W,
    }
    colors = {"kinds": KIND_COLORS, "bar": BAR_COLOR, "fixed": FIXED_COLOR}
    return {
        "width": round(width, 1),
        "height": round(height, 1),
        "box": box,
        "colors": colors,
        "nodes": nodes,
        "edges": edges,
    }


def graph_svg(
    geometry: Mapping[str, Any],
    marginals: Mapping[str, Sequence[float] | np.ndarray] | None = None,
    *,
    fixed: Mapping[str, str] | None = None,
) -> str:
    """The graph as static SVG markup: boxes, labels, arrows and, with ``marginals``, one bar
    and percentage per state (a state in ``fixed``, set by a finding or a do(), in red).

    Parameters
    ----------
    geometry : mapping
        What :func:`graph_geometry` returned.
    marginals : mapping of str to sequence of float, optional
        Each variable's probabilities in state order.
    fixed : mapping of str to str, optional
        States set by evidence or interventions, by variable.

    Returns
    -------
    str
        Markup starting at ``<svg``.

    Examples
    --------
    >>> from estimative import Network
    >>> net = Network.from_file("models/example")
    >>> svg = graph_svg(graph_geometry(net), {v: p.probs for v, p in all_marginals(net).items()})
    >>> svg.startswith("<svg") and svg.count("<rect class='bar'") == 11
    True
    """
    g = geometry
    fixed = dict(fixed or {})
    esc = html.escape
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' class='estimative-graph' width='{g['width']}' "
        f"height='{g['height']}' viewBox='0 0 {g['width']} {g['height']}' "
        "font-family='Helvetica, Arial, sans-serif' font-size='10'>",
        "<defs><marker id='est-arrow' viewBox='0 0 8 8' refX='7' refY='4' markerWidth='7' "
        "markerHeight='7' orient='auto'><path d='M0,0 L8,4 L0,8 z' fill='#8a8a80'/></marker></defs>",
    ]
    for e in g["edges"]:
        out.append(
            f"<path d='{e['d']}' fill='none' stroke='#8a8a80' stroke-width='0.9' "
            "marker-end='url(#est-arrow)'/>"
        )
    box = g["box"]
    for nd in g["nodes"]:
        fill, edge = KIND_COLORS[nd["kind"]]
        x, y = nd["x"], nd["y"]
        dash = "" if nd["sourced"] else " stroke-dasharray='4,2'"
        out.append(
            f"<g class='node' data-id='{esc(nd['id'])}'><title>{esc(nd['id'])}</title>"
            f"<rect x='{x}' y='{y}' width='{nd['w']}' height='{nd['h']}' rx='4' fill='{fill}' "
            f"stroke='{edge}' stroke-width='{1.4 if nd['kind'] == 'outcome' else 0.9}'{dash}/>"
        )
        for i, line in enumerate(nd["lines"]):
            out.append(
                f"<text x='{x + nd['w'] / 2}' y='{y + box['pad'] + box['line_h'] * (i + 1) - 3}' "
                f"text-anchor='middle' font-weight='bold'>{esc(line)}</text>"
            )
        probs = None if marginals is None else marginals.get(nd["id"])
        top = y + box["pad"] + box["line_h"] * len(nd["lines"]) + 2
        for k, st in enumerate(nd["states"]):
            ry = top + k * box["row_h"]
            on = fixed.get(nd["id"]) == st
            weight = " font-weight='bold'" if on else ""
            out.append(
                f"<text x='{x + box['state_x']}' y='{ry + 10}'{weight}>{esc(st[:13])}</text>"
            )
            if probs is not None:
                p = float(probs[k])
                color = FIXED_COLOR if on else BAR_COLOR
                out.append(
                    f"<rect class='bar' x='{x + box['bar_x']}' y='{ry + 3}' "
                    f"width='{box['bar_w'] * p:.1f}' height='8' fill='{color}'/>"
                    f"<text x='{x + nd['w'] - 5}' y='{ry + 10}' text-anchor='end'>{100 * p:.1f}%</text>"
                )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def network_html(net: Network) -> str:
    """A network's rich view: its title, hash, size, policies, scenarios and headline outcomes,
    then the graph with every node's prior posterior as bars (:func:`graph_svg`).

    Parameters
    ----------
    net : Network
        The model.

    Returns
    -------
    str
        An HTML fragment (inline styles only, no script).

    Examples
    --------
    >>> from estimative import Network
    >>> page = network_html(Network.from_file("models/example"))
    >>> "armed_clash" in page and "<svg" in page
    True
    """
    spec = net.spec
    esc = html.escape
    post = all_marginals(net)
    n_edges = sum(len(p) for p in net.parents.values())
    rows = "".join(
        f"<tr><td>{esc(o.label)}</td><td><code>{esc(o.target)}={esc(o.state)}</code></td>"
        f"<td style='text-align:right'>{100 * post[o.target][o.state]:.1f}%</td></tr>"
        for o in spec.outcomes
    )
    names = [
        ("policies", ", ".join(p.id for p in spec.policies)),
        ("scenarios", ", ".join(s.id for s in spec.scenarios)),
    ]
    facts = "".join(f"<li><b>{k}</b>: <code>{esc(v)}</code></li>" for k, v in names if v)
    table = (
        f"<table><tr><th>headline outcome</th><th>event</th><th>baseline</th></tr>{rows}</table>"
        if rows
        else ""
    )
    svg = graph_svg(graph_geometry(net), {v: p.probs for v, p in post.items()})
    return (
        f"<div class='estimative-network'><p><b>{esc(spec.title or net.name)}</b> "
        f"(model <code>{esc(net.name)}</code>, hash <code>{esc(net.model_hash)}</code>): "
        f"{len(net.variables)} variables, {n_edges} edges; as of {esc(str(spec.as_of))}.</p>"
        f"<ul>{facts}</ul>{table}"
        f"<div style='overflow:auto;max-height:720px'>{svg}</div></div>"
    )
