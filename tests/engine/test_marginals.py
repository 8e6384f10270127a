"""All marginals in one pass equal pyAgrum's exact inference (LazyPropagation), variable by
variable.

The networks are pgmpy's bundled ones; the reference is pyAgrum's junction tree built from the
same CPTs (do() by surgery: arcs into the variable removed, a point-mass CPT); batches of redrawn CPTs and per-row findings
are compared row by row. Compilation is counted, never timed.
"""

from __future__ import annotations

import numpy as np
import pytest

from estimative.engine import marginals as engine_marginals
from estimative.engine.marginals import marginals_batch


def exact_all(ref, cpts, hard, do, soft=None) -> dict[int, np.ndarray]:
    """pyAgrum's LazyPropagation posterior of every free variable; do() by surgery (the
    variable's arcs removed, its CPT a point mass, its state entered as evidence)."""
    import pyagrum as gum

    st, names = ref.structure, ref.structure.names
    bn = gum.BayesNet()
    for v in names:
        bn.add(gum.LabelizedVariable(v, v, list(ref.states[v])))
    for v in range(len(names)):
        if v not in do:
            for p in st.parents[v]:
                bn.addArc(names[p], names[v])
    for v in range(len(names)):
        table, axes = np.asarray(cpts[v], float), (names[v], *(names[p] for p in st.parents[v]))
        if v in do:
            table, axes = np.eye(st.cards[v])[do[v]], (names[v],)
        order = tuple(reversed(bn.cpt(names[v]).names))  # pyAgrum's array axes
        bn.cpt(names[v]).fillWith(table.transpose([axes.index(n) for n in order]).ravel().tolist())
    ie = gum.LazyPropagation(bn)
    ev: dict = {names[v]: int(s) for v, s in {**hard, **do}.items()}
    ev.update({names[v]: [float(x) for x in lik] for v, lik in (soft or {}).items()})
    ie.setEvidence(ev)
    ie.makeInference()
    return {
        v: np.asarray(ie.posterior(names[v]).toarray(), float)
        for v in range(len(names))
        if v not in hard and v not in do
    }


def findings(ref, rng, k: int, do: dict[int, int] | None = None) -> dict[int, int]:
    """``k`` hard findings drawn from a forward sample (so P(evidence) > 0)."""
    x = ref.sample(rng, do)
    free = [v for v in range(len(x)) if v not in (do or {})]
    return {int(v): x[int(v)] for v in rng.choice(free, size=k, replace=False)}


@pytest.mark.parametrize(
    "name", ["asia", "sachs", "alarm", "child", "insurance", "hailfinder", "win95pts"]
)
def test_every_marginal_matches_lazy_propagation(name: str, refs) -> None:
    ref = refs.load(name)
    rng = np.random.default_rng(sum(map(ord, name)))
    st = ref.structure
    # a do() on a variable with children, its state one the parent-average CPT gives mass to
    x = next(v for v in range(len(st.names)) if any(v in p for p in st.parents))
    avg = ref.cpts[x].reshape(st.cards[x], -1).mean(axis=1)
    do = {x: int(np.flatnonzero(avg > 0)[0])}
    hard = findings(ref, rng, 3, do)
    rest = [v for v in range(len(st.names)) if v not in hard and v not in do]
    sv = int(rng.choice(rest))
    soft = {sv: rng.uniform(0.1, 1.0, st.cards[sv])}
    for h, d, s in ((hard, {}, {}), (hard, do, {}), (hard, do, soft)):
        got = marginals_batch(st, ref.cpts, hard=h, do=d, soft=s)
        assert not got.impossible[0]
        expected = exact_all(ref, ref.cpts, h, d, s)
        for v, p in expected.items():
            np.testing.assert_allclose(got.probs[v][0], p, atol=1e-9, rtol=0)
        for v, state in {**h, **d}.items():  # observed and intervened: a point mass
            assert got.probs[v][0].tolist() == np.eye(st.cards[v])[state].tolist()


def redraw(cpts, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    out = []
    for c in cpts:
        g = rng.gamma(np.broadcast_to((1.0 + 20.0 * c)[..., None], (*c.shape, n)))
        out.append(g / g.sum(axis=0, keepdims=True))
    return out


@pytest.mark.parametrize("layout", ["last", "first"])
def test_batches_of_draws_and_rows_match_per_row_lazy_propagation(layout, refs) -> None:
    ref = refs.load("alarm")
    st = ref.structure
    rng = np.random.default_rng(3)
    n = 3
    draws = redraw(ref.cpts, n, rng)
    if layout == "first":
        draws = [np.moveaxis(d, -1, 0) for d in draws]
    hard = findings(ref, rng, 2)
    e = next(v for v in range(len(st.names)) if v not in hard)
    rows = np.array([0, -1, 1])  # per-row finding on e; -1: none in that row
    x = next(v for v in range(len(st.names)) if v not in hard and v != e and st.parents[v])
    do_rows = np.array([-1, 0, 1])  # per-row intervention on x; -1: none in that row
    got = marginals_batch(st, draws, hard={**hard, e: rows}, do={x: do_rows}, layout=layout)
    assert got.evidence_prob.shape == (n,) and not got.impossible.any()
    for i in range(n):
        cpts = [d[..., i] if layout == "last" else d[i] for d in draws]
        h = {**hard, **({e: int(rows[i])} if rows[i] >= 0 else {})}
        d = {x: int(do_rows[i])} if do_rows[i] >= 0 else {}
        expected = exact_all(ref, cpts, h, d)
        for v, p in expected.items():
            np.testing.assert_allclose(got.probs[v][i], p, atol=1e-9, rtol=0)


def test_impossible_rows_are_nan_and_flagged(refs) -> None:
    """asia's 'either' is tub OR lung: either=no with lung=yes cannot happen."""
    ref = refs.load("asia")
    st = ref.structure
    lung, either = st.index("lung"), st.index("either")
    yes_l = ref.states["lung"].index("yes")
    no_e, yes_e = ref.states["either"].index("no"), ref.states["either"].index("yes")
    got = marginals_batch(st, ref.cpts, hard={lung: yes_l, either: np.array([yes_e, no_e])})
    assert got.impossible.tolist() == [False, True]
    assert got.evidence_prob[1] == 0.0
    assert all(np.isnan(p[1]).all() for p in got.probs)
    assert not np.isnan(got.probs[st.index("dysp")][0]).any()


def test_a_query_shape_compiles_once_whatever_the_values(refs) -> None:
    ref = refs.load("alarm")
    st = ref.structure
    rng = np.random.default_rng(5)
    engine_marginals._compile_cached.cache_clear()
    before = engine_marginals.stats["compiled"]
    hard = findings(ref, rng, 3)
    for _ in range(4):  # same variables observed, other states and other CPT values
        states = {v: int(rng.integers(st.cards[v])) for v in hard}
        marginals_batch(st, [c * rng.uniform(0.5, 1.5) for c in ref.cpts], hard=states)
    assert engine_marginals.stats["compiled"] - before == 1
    marginals_batch(st, ref.cpts, hard={next(iter(hard)): 0})  # another shape: one more
    assert engine_marginals.stats["compiled"] - before == 2


@pytest.mark.parametrize("name", ["alarm", "win95pts"])
def test_per_row_do_in_every_row_and_only_some_variables_match_lazy_propagation(
    name: str, refs
) -> None:
    """A do() given per row and set in every row cuts the variable from its parents (as a
    shared do() does) and its marginal is the row's state; with ``only``, the variables asked
    for (and those the answer needs) equal pyAgrum's, the barren rest is NaN."""
    ref = refs.load(name)
    st = ref.structure
    rng = np.random.default_rng(11)
    xs = [v for v in range(len(st.names)) if st.parents[v]][:2]
    do_rows = {x: rng.integers(st.cards[x], size=3) for x in xs}
    hard = findings(ref, rng, 2, do={x: 0 for x in xs})
    hard = {v: s for v, s in hard.items() if v not in xs}
    leaves = [v for v in range(len(st.names)) if not any(v in ps for ps in st.parents)]
    only = [v for v in leaves if v not in hard and v not in xs][:2]
    for kw in ({}, {"only": only}):
        got = marginals_batch(st, ref.cpts, hard=hard, do=do_rows, **kw)
        assert not got.impossible.all()
        for i in range(3):
            d = {x: int(do_rows[x][i]) for x in xs}
            expected = exact_all(ref, ref.cpts, hard, d)
            if got.impossible[i]:
                continue
            for x in xs:
                assert got.probs[x][i].tolist() == np.eye(st.cards[x])[d[x]].tolist()
            for v, p in expected.items():
                if "only" not in kw or v in only:
                    np.testing.assert_allclose(got.probs[v][i], p, atol=1e-9, rtol=0)
        if "only" in kw:
            needed = st.ancestors([*only, *hard, *xs], frozenset(xs))
            pruned = [v for v in range(len(st.names)) if v not in needed]
            assert pruned and all(np.isnan(got.probs[v]).all() for v in pruned)
