"""Walks over a directed graph given as an adjacency mapping: the one place they are written.

Nodes may be any hashable (variable names in the spec layer, indices in the engine). Every
walk is iterative and visits nodes in the mapping's order, so results are deterministic
(networkx's import alone costs the command line half a second, hence our own).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def reachable(
    edges: Mapping[N, Sequence[N]],
    start: Iterable[N],
    *,
    include_start: bool = True,
    stop: frozenset[N] | set[N] = frozenset(),
) -> set[N]:
    """Every node reachable from ``start`` along ``edges``; a node in ``stop`` is reached but
    not walked through. Pass children for descendants, parents for ancestors.

    >>> sorted(reachable({"a": ["b"], "b": ["c"], "c": []}, ["a"]))
    ['a', 'b', 'c']
    >>> sorted(reachable({"a": ["b"], "b": ["c"], "c": []}, ["a"], include_start=False))
    ['b', 'c']
    >>> sorted(reachable({"a": ["b"], "b": ["c"], "c": []}, ["a"], stop={"b"}))
    ['a', 'b']
    """
    starts = list(start)
    seen: set[N] = set()
    stack = (
        list(starts)
        if include_start
        else [c for s in starts if s not in stop for c in edges.get(s, ())]
    )
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        if n not in stop:
            stack.extend(edges.get(n, ()))
    return seen


def children_of(parents: Mapping[N, Sequence[N]]) -> dict[N, list[N]]:
    """Invert a parents mapping into a children mapping (children in the mapping's order).

    >>> children_of({"a": [], "b": ["a"], "c": ["a", "b"]})
    {'a': ['b', 'c'], 'b': ['c'], 'c': []}
    """
    children: dict[N, list[N]] = {n: [] for n in parents}
    for n, ps in parents.items():
        for p in ps:
            children.setdefault(p, []).append(n)
    return children


def topological_order(parents: Mapping[N, Sequence[N]]) -> list[N] | None:
    """Kahn's algorithm with ties broken by the mapping's order; ``None`` if there is a cycle.

    >>> topological_order({"c": ["a", "b"], "a": [], "b": ["a"]})
    ['a', 'b', 'c']
    >>> topological_order({"a": ["b"], "b": ["a"]}) is None
    True
    """
    import heapq

    pos = {n: i for i, n in enumerate(parents)}
    indeg = {n: len(ps) for n, ps in parents.items()}
    children = children_of(parents)
    ready = [pos[n] for n in parents if indeg[n] == 0]
    heapq.heapify(ready)
    nodes = list(parents)
    out: list[N] = []
    while ready:
        n = nodes[heapq.heappop(ready)]
        out.append(n)
        for c in children[n]:
            indeg[c] -= 1
            if indeg[c] == 0:
                heapq.heappush(ready, pos[c])
    return out if len(out) == len(nodes) else None


def find_cycle(edges: Mapping[N, Sequence[N]]) -> list[N] | None:
    """A directed cycle as a list of nodes (``a -> b -> ... -> a`` without the repeat), or None.

    Iterative depth-first search in the mapping's order, so the cycle reported is deterministic
    (see the module note).

    >>> find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]})
    ['a', 'b', 'c']
    >>> find_cycle({"a": ["b"], "b": []}) is None
    True
    """
    state: dict[N, int] = {}  # 1 on the stack, 2 done
    for root in edges:
        if state.get(root):
            continue
        stack: list[tuple[N, int]] = [(root, 0)]
        path: list[N] = [root]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            children = edges.get(node, [])
            if i < len(children):
                stack[-1] = (node, i + 1)
                child = children[i]
                if state.get(child) == 1:
                    return path[path.index(child) :]
                if not state.get(child):
                    state[child] = 1
                    stack.append((child, 0))
                    path.append(child)
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return None
