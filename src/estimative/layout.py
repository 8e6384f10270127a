"""The layered left-to-right layout of a DAG (causes before effects), computed in pure Python.
The one layout every drawing of a model uses: the static figure (:func:`estimative.charts.graph_figure`),
the rich view of a :class:`~estimative.network.Network` and the explorer.

A small Sugiyama-style layered drawing:

1. **Layers.** Each variable sits one layer after its latest parent (longest path from the
   roots); a root then moves down to just before its earliest child, so edges stay short.
2. **Dummy nodes.** An edge spanning several layers gets one dummy node per layer it crosses,
   so it can bend around the boxes in between.
3. **Order.** Within each layer, nodes are ordered by the barycentre of their neighbours in
   the previous layer, sweeping forward and backward; the order with the fewest edge
   crossings wins. Ties keep the model file's order, so the drawing is deterministic.
4. **Coordinates.** Nodes start evenly spaced; a few passes pull each node toward the mean
   position of its neighbours while keeping the order and a minimum gap.

A model imported from a file that places every node (GeNIe, HUGIN, JavaBayes positions) is
drawn where the file places it instead (``positions=``): the file's coordinates scaled, as
little as keeps every two boxes apart, and edges drawn straight between the boxes' borders
(:func:`border_point`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["GraphLayout", "border_point", "layout"]


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
    #: True when the positions are a file's (``layout(positions=...)``): edges run straight,
    #: between any two sides of the boxes, rather than left to right.
    placed: bool = False


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
    positions: Mapping[str, tuple[float, float] | None] | None = None,
) -> GraphLayout:
    """A layered layout of the DAG ``parents`` (``parents[n]`` lists ``n``'s parents), or the
    positions a file gives.

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
    positions : mapping of str to (x, y), optional
        Where a file places each node (``y`` down). Used when every node has one and no two
        coincide: scaled so that any two nodes are ``rank_gap`` apart across or ``gap``
        apart down, the least scale that does it (``placed`` is then True). Otherwise the
        layered layout.

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
    if positions is not None:
        placed = _placed(nodes, parents, layer, positions, gap, rank_gap)
        if placed is not None:
            return placed
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


#: A file's drawing is used when scaling it to keep boxes apart leaves it at most this many
#: ``rank_gap`` wide (or ``gap`` high) per node; beyond, two nodes nearly coincide.
_MAX_STRETCH = 40.0


def _placed(
    nodes: Sequence[str],
    parents: Mapping[str, Sequence[str]],
    layer: Mapping[str, int],
    positions: Mapping[str, tuple[float, float] | None],
    gap: float,
    rank_gap: float,
) -> GraphLayout | None:
    """The file's positions, scaled as little as keeps every two boxes apart; None when a node
    has none or two (nearly) coincide."""
    got = [positions.get(n) for n in nodes]
    if not nodes or any(p is None for p in got):
        return None
    xy = np.asarray(got, dtype=float)
    if not np.isfinite(xy).all():
        return None
    if len(nodes) > 1:
        dx = np.abs(xy[:, None, 0] - xy[None, :, 0])
        dy = np.abs(xy[:, None, 1] - xy[None, :, 1])
        with np.errstate(divide="ignore"):
            need = np.minimum(rank_gap / dx, gap / dy)  # apart across, or apart down
        np.fill_diagonal(need, 0.0)
        scale = float(need.max())
        span = max(np.ptp(xy[:, 0]) * scale / rank_gap, np.ptp(xy[:, 1]) * scale / gap)
        if not np.isfinite(scale) or span > _MAX_STRETCH * len(nodes):
            return None
    else:
        scale = 1.0
    xy = (xy - xy.min(axis=0)) * scale
    pos = {n: (float(x), float(y)) for n, (x, y) in zip(nodes, xy, strict=True)}
    edges = tuple((p, n, ()) for n in nodes for p in parents[n])
    order = tuple(
        tuple(sorted((n for n in nodes if layer[n] == r), key=lambda n: pos[n][1]))
        for r in range(max(layer.values(), default=-1) + 1)
    )
    return GraphLayout(tuple(nodes), dict(layer), order, pos, edges, 0, placed=True)


def border_point(
    center: tuple[float, float], toward: tuple[float, float], half_w: float, half_h: float
) -> tuple[float, float]:
    """Where the segment from a box's ``center`` toward the point ``toward`` leaves the box
    (half sizes ``half_w``, ``half_h``).

    >>> border_point((0.0, 0.0), (10.0, 5.0), 2.0, 2.0)
    (2.0, 1.0)
    """
    dx, dy = toward[0] - center[0], toward[1] - center[1]
    if dx == 0 and dy == 0:
        return center
    t = min(half_w / abs(dx) if dx else np.inf, half_h / abs(dy) if dy else np.inf, 1.0)
    return (center[0] + t * dx, center[1] + t * dy)


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
