"""The model's graph, laid out and drawn in pure Python (matplotlib; no graphviz).

The layout is a small Sugiyama-style layered drawing, computed here:

1. **Layers.** Each variable sits one layer after its latest parent (longest path from the
   roots); a root then moves down to just before its earliest child, so edges stay short.
2. **Dummy nodes.** An edge spanning several layers gets one dummy node per layer it crosses,
   so it can bend around the boxes in between.
3. **Order.** Within each layer, nodes are ordered by the barycentre of their neighbours in
   the previous layer, sweeping forward and backward; the order with the fewest edge
   crossings wins. Ties keep the model file's order, so the drawing is deterministic.
4. **Coordinates.** Nodes start evenly spaced; a few passes pull each node toward the mean
   position of its neighbours while keeping the order and a minimum gap.

Edges are drawn as cubic Bezier curves through their dummy nodes, ending in an arrow.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..spec import ModelSpec

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class GraphLayout:
    """Positions of a layered drawing. ``layer`` is the rank of each real node (0 first);
    ``pos`` maps real and dummy nodes to ``(rank coordinate, cross coordinate)``;
    ``edges`` lists each original edge with the dummy nodes it passes through."""

    nodes: tuple[str, ...]
    layer: Mapping[str, int]
    order: tuple[tuple[str, ...], ...]
    pos: Mapping[str, tuple[float, float]]
    edges: tuple[tuple[str, str, tuple[str, ...]], ...]
    crossings: int


def _layers(nodes: Sequence[str], parents: Mapping[str, Sequence[str]]) -> dict[str, int]:
    children: dict[str, list[str]] = {n: [] for n in nodes}
    for n in nodes:
        for p in parents[n]:
            children[p].append(n)
    layer: dict[str, int] = {}

    def depth(n: str) -> int:
        if n not in layer:
            layer[n] = 1 + max((depth(p) for p in parents[n]), default=-1)
        return layer[n]

    for n in nodes:
        depth(n)
    # Roots move down to just before their earliest child.
    for n in nodes:
        if not parents[n] and children[n]:
            layer[n] = max(0, min(layer[c] for c in children[n]) - 1)
    return layer


def _crossings(order: Sequence[Sequence[str]], down: Mapping[str, Sequence[str]]) -> int:
    total = 0
    for a, b in itertools.pairwise(order):
        pos_b = {n: i for i, n in enumerate(b)}
        segs = [(i, pos_b[c]) for i, n in enumerate(a) for c in down.get(n, ()) if c in pos_b]
        for k, (u1, v1) in enumerate(segs):
            for u2, v2 in segs[k + 1 :]:
                if (u1 - u2) * (v1 - v2) < 0:
                    total += 1
    return total


def layout(
    nodes: Sequence[str],
    parents: Mapping[str, Sequence[str]],
    *,
    sweeps: int = 12,
    gap: float = 1.0,
    rank_gap: float = 1.0,
) -> GraphLayout:
    """A layered layout of the DAG ``parents`` (``parents[n]`` lists ``n``'s parents).

    Parameters
    ----------
    nodes : sequence of str
        The nodes, in the order ties keep.
    parents : mapping of str to sequence of str
        Each node's parents.
    sweeps : int
        Ordering sweeps (forward and backward) to reduce crossings.
    gap : float
        The minimum gap between nodes of a layer.
    rank_gap : float
        The distance between layers.

    Returns
    -------
    GraphLayout
        Layers, order, positions and edges (with their dummy nodes).

    Examples
    --------
    >>> lay = layout(["a", "b", "c"], {"a": [], "b": ["a"], "c": ["a", "b"]})
    >>> dict(lay.layer), lay.crossings
    ({'a': 0, 'b': 1, 'c': 2}, 0)
    """
    nodes = list(nodes)
    layer = _layers(nodes, parents)
    n_layers = max(layer.values(), default=-1) + 1
    down: dict[str, list[str]] = {}
    up: dict[str, list[str]] = {}
    edges: list[tuple[str, str, tuple[str, ...]]] = []
    rank: dict[str, int] = dict(layer)
    for n in nodes:
        for p in parents[n]:
            chain = [p]
            for r in range(layer[p] + 1, layer[n]):
                d = f"\x00{p}\x00{n}\x00{r}"
                rank[d] = r
                chain.append(d)
            chain.append(n)
            for u, v in itertools.pairwise(chain):
                down.setdefault(u, []).append(v)
                up.setdefault(v, []).append(u)
            edges.append((p, n, tuple(chain[1:-1])))
    # Initial order: model order for real nodes; dummies next to their source.
    seq = {n: float(i) for i, n in enumerate(nodes)}
    for p, n, dummies in edges:
        for k, d in enumerate(dummies):
            seq[d] = (seq[p] + seq[n]) / 2 + 1e-3 * (k + 1)
    order = [
        sorted((x for x in rank if rank[x] == r), key=lambda x: (seq[x], x))
        for r in range(n_layers)
    ]

    def sweep(order: list[list[str]], forward: bool) -> list[list[str]]:
        order = [list(o) for o in order]
        rng = range(1, n_layers) if forward else range(n_layers - 2, -1, -1)
        for r in rng:
            ref = order[r - 1] if forward else order[r + 1]
            where = {x: i for i, x in enumerate(ref)}
            nb = up if forward else down
            cur = {x: i for i, x in enumerate(order[r])}

            def key(
                x: str,
                where: dict[str, int] = where,
                nb: dict[str, list[str]] = nb,
                cur: dict[str, int] = cur,
            ) -> tuple[float, int]:
                ps = [where[y] for y in nb.get(x, ()) if y in where]
                return (float(np.mean(ps)) if ps else float(cur[x]), cur[x])

            order[r] = sorted(order[r], key=key)
        return order

    best, best_c = order, _crossings(order, down)
    for i in range(sweeps):
        order = sweep(order, forward=(i % 2 == 0))
        c = _crossings(order, down)
        if c < best_c:
            best, best_c = order, c
    order = best

    x = _coordinates(order, down, gap)
    lo = min(x.values(), default=0.0)
    pos = {n: (rank[n] * rank_gap, x[n] - lo) for n in rank}
    return GraphLayout(
        tuple(nodes),
        {n: layer[n] for n in nodes},
        tuple(tuple(o) for o in order),
        pos,
        tuple(edges),
        best_c,
    )


def _isotonic(target: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted least-squares non-decreasing fit (pool adjacent violators)."""
    vals: list[float] = []
    wts: list[float] = []
    sizes: list[int] = []
    for t, w in zip(target, weight, strict=True):
        vals.append(float(t))
        wts.append(float(w))
        sizes.append(1)
        while len(vals) > 1 and vals[-2] > vals[-1]:
            w2 = wts[-2] + wts[-1]
            v2 = (vals[-2] * wts[-2] + vals[-1] * wts[-1]) / w2
            n2 = sizes[-2] + sizes[-1]
            del vals[-1], wts[-1], sizes[-1]
            vals[-1], wts[-1], sizes[-1] = v2, w2, n2
    return np.repeat(vals, sizes)


def _coordinates(
    order: Sequence[Sequence[str]], down: Mapping[str, Sequence[str]], gap: float, sweeps: int = 60
) -> dict[str, float]:
    """Positions along each layer that make edges as straight as possible (least squares)
    while keeping every layer's order and a minimum gap.

    Block coordinate descent: each layer in turn is solved exactly given its neighbours, a
    weighted isotonic regression after subtracting the cumulative gaps. Segments between two
    dummy nodes weigh most (long edges run straight); a light pull toward even spacing keeps
    nodes without neighbours in place.
    """
    width = max((len(o) for o in order), default=1)
    x: dict[str, float] = {}
    for o in order:
        off = (width - len(o)) / 2
        for i, n in enumerate(o):
            x[n] = (off + i) * gap
    x0 = dict(x)
    nbrs: dict[str, list[tuple[str, float]]] = {n: [] for n in x}
    for u, vs in down.items():
        for v in vs:
            w = (1.0, 2.0, 8.0)[u.startswith("\x00") + v.startswith("\x00")]
            nbrs[u].append((v, w))
            nbrs[v].append((u, w))
    lam = 1e-3
    seps = [
        np.array(
            [
                gap * (0.35 if a.startswith("\x00") and b.startswith("\x00") else 1.0)
                for a, b in itertools.pairwise(o)
            ]
        )
        for o in order
    ]
    for it in range(sweeps):
        rows = range(len(order)) if it % 2 == 0 else range(len(order) - 1, -1, -1)
        for r in rows:
            o = order[r]
            if not o:
                continue
            wsum = np.array([lam + sum(w for _, w in nbrs[n]) for n in o])
            tgt = np.array([(lam * x0[n] + sum(w * x[m] for m, w in nbrs[n])) for n in o]) / wsum
            cum = np.concatenate([[0.0], np.cumsum(seps[r])])
            z = _isotonic(tgt - cum, wsum)
            for n, val in zip(o, z + cum, strict=True):
                x[n] = float(val)
    return x


# ------------------------------------------------------------------------------ drawing
_COLORS = {
    "decision": ("#dbe7f5", "#2f5d8a"),  # fill, edge: policy instruments
    "chance": ("#f4f4f0", "#6b6b63"),
    "outcome": ("#fbe3d6", "#a6461d"),  # headline outcomes
}


def graph_figure(
    spec: ModelSpec,
    *,
    outcomes: Sequence[str] | None = None,
    wrap: int = 18,
    font_size: float = 6.5,
) -> Figure:
    """The model's graph as a matplotlib Figure, read left to right: policy instruments
    (blue), chance variables (grey), headline outcomes (orange); a dashed border marks a CPT
    that rests on analyst assumptions rather than quoted sources.

    Parameters
    ----------
    spec : ModelSpec
        The model (:func:`estimative.load_model`, or ``Network.spec``).
    outcomes : sequence of str, optional
        The variables drawn as headline outcomes (default: the targets of the model's
        ``outcomes:``).
    wrap : int
        Characters per line of a variable's label; the boxes follow the text.
    font_size : float
        The labels' size in points.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a box per variable, an arrow per edge, a legend.

    Examples
    --------
    >>> from estimative import load_model
    >>> fig = graph_figure(load_model("models/example"))
    >>> len(fig.axes)
    1
    """
    # A bare Figure needs no backend: choosing one here (matplotlib.use) would switch off
    # Jupyter's inline display for the rest of a notebook.
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
    from matplotlib.path import Path

    ids = [v.id for v in spec.variables]
    parents = {v.id: list(v.parents) for v in spec.variables}
    outs = set(outcomes if outcomes is not None else (o.target for o in spec.outcomes))
    labels = {v.id: textwrap.wrap(v.label, wrap) or [v.id] for v in spec.variables}
    max_lines = max((len(x) for x in labels.values()), default=1)
    # Units are inches: box size follows the text.
    char_w = font_size / 72 * 0.55
    line_h = font_size / 72 * 1.25
    box_w = wrap * char_w + 0.12
    box_h = max_lines * line_h + 0.10
    rank_gap = box_w + 0.45
    gap = box_h + 0.14
    lay = layout(ids, parents, gap=gap, rank_gap=rank_gap)

    xs = [p[0] for p in lay.pos.values()] or [0.0]
    ys = [p[1] for p in lay.pos.values()] or [0.0]
    legend_h = 0.35
    margin = 0.15
    w = max(xs) - min(xs) + box_w + 2 * margin
    h = max(ys) - min(ys) + box_h + 2 * margin + legend_h
    fig = Figure(figsize=(w, h))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(min(xs) - box_w / 2 - margin, max(xs) + box_w / 2 + margin)
    ax.set_ylim(max(ys) + box_h / 2 + margin + legend_h, min(ys) - box_h / 2 - margin)
    ax.set_axis_off()

    def center(n: str) -> tuple[float, float]:
        return lay.pos[n]

    for p, n, dummies in lay.edges:
        pts = [center(p), *(center(d) for d in dummies), center(n)]
        pts[0] = (pts[0][0] + box_w / 2, pts[0][1])
        pts[-1] = (pts[-1][0] - box_w / 2, pts[-1][1])
        verts = [pts[0]]
        codes = [Path.MOVETO]
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            mx = (x0 + x1) / 2
            verts += [(mx, y0), (mx, y1), (x1, y1)]
            codes += [Path.CURVE4] * 3
        ax.add_patch(
            FancyArrowPatch(
                path=Path(verts, codes),
                arrowstyle="-|>",
                mutation_scale=6,
                lw=0.6,
                color="#8a8a80",
                shrinkA=0,
                shrinkB=0,
                zorder=1,
            )
        )

    byid = {v.id: v for v in spec.variables}
    for n in ids:
        v = byid[n]
        kind = "outcome" if n in outs else ("decision" if v.kind == "decision" else "chance")
        fill, edge = _COLORS[kind]
        cx, cy = center(n)
        ax.add_patch(
            FancyBboxPatch(
                (cx - box_w / 2, cy - box_h / 2),
                box_w,
                box_h,
                boxstyle="round,pad=0,rounding_size=0.05",
                fc=fill,
                ec=edge,
                lw=1.2 if kind == "outcome" else 0.8,
                ls="--" if not v.cpt.sourced else "-",
                zorder=2,
            )
        )
        ax.text(
            cx,
            cy,
            "\n".join(labels[n]),
            ha="center",
            va="center",
            fontsize=font_size,
            color="#1d1d1b",
            zorder=3,
            linespacing=1.15,
            fontweight="bold" if kind == "outcome" else "normal",
        )
    handles = [
        Patch(fc=_COLORS["decision"][0], ec=_COLORS["decision"][1], label="policy instrument"),
        Patch(fc=_COLORS["chance"][0], ec=_COLORS["chance"][1], label="chance variable"),
        Patch(fc=_COLORS["outcome"][0], ec=_COLORS["outcome"][1], label="headline outcome"),
        Line2D([], [], color="#6b6b63", ls="--", lw=0.8, label="dashed: CPT rests on assumptions"),
    ]
    ax.legend(
        handles=handles,
        loc="lower left",
        ncol=4,
        fontsize=font_size + 0.5,
        frameon=False,
        bbox_to_anchor=(0.0, 0.0),
        borderaxespad=0.3,
        handlelength=1.6,
    )
    return fig
