"""Graph walks, against hand-drawn graphs."""

from __future__ import annotations

import random

from estimative.graphs import children_of, find_cycle, reachable, topological_order

# a -> b -> d, a -> c -> d, e alone
PARENTS = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": []}


def test_reachable_gives_ancestors_and_descendants() -> None:
    children = children_of(PARENTS)
    assert children == {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": [], "e": []}
    assert reachable(PARENTS, ["d"]) == {"a", "b", "c", "d"}
    assert reachable(children, ["b"], include_start=False) == {"d"}
    assert reachable(PARENTS, ["d"], stop={"b"}) == {"a", "b", "c", "d"}  # a reached through c
    assert reachable(PARENTS, ["d"], stop={"b", "c"}) == {"b", "c", "d"}


def test_topological_order_breaks_ties_by_the_mappings_order() -> None:
    # Of the nodes whose parents are all placed, the one listed first goes next: after a, the
    # ready set is {b, c, e}; b, then c; then d (listed before e) is ready too.
    assert topological_order(PARENTS) == ["a", "b", "c", "d", "e"]
    assert topological_order({"e": [], **PARENTS}) == ["e", "a", "b", "c", "d"]


def test_topological_order_is_a_valid_order_on_random_dags() -> None:
    rng = random.Random(3)
    for _ in range(50):
        n = rng.randint(1, 12)
        parents = {i: [j for j in range(i) if rng.random() < 0.3] for i in range(n)}
        names = list(parents)
        rng.shuffle(names)
        order = topological_order({k: parents[k] for k in names})
        assert order is not None and sorted(order) == list(range(n))
        pos = {v: i for i, v in enumerate(order)}
        assert all(pos[p] < pos[v] for v in parents for p in parents[v])


def test_cycles_are_found_and_named() -> None:
    assert topological_order({"a": ["c"], "b": ["a"], "c": ["b"]}) is None
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}) == ["a", "b", "c"]
    assert find_cycle(children_of(PARENTS)) is None
