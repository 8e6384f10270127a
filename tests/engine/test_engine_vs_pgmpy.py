"""The engine equals pgmpy's VariableElimination on pgmpy's bundled networks.

do() is checked against VariableElimination on ``model.do([...])`` with the intervened states
entered as evidence (graph surgery), not ``CausalInference.query``, which is wrong with evidence
(pgmpy #3543). Queries are seeded random targets, evidence (sampled from the network so that it
has positive probability) and interventions; batches of redrawn CPTs are compared draw by draw.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

from estimative.engine import posterior_batch, run_query

NETWORKS = [
    "asia",
    "cancer",
    "earthquake",
    "sachs",
    "survey",
    "alarm",
    "child",
    "insurance",
    "water",
    "hailfinder",
    "win95pts",
]


def ve_posterior(
    ref,
    model,
    target: int,
    hard: dict[int, int],
    do: dict[int, int],
    soft: dict[int, np.ndarray] | None = None,
) -> np.ndarray:
    """pgmpy VariableElimination, do() by surgery (model.do + the do states as evidence)."""
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination

    names = ref.structure.names
    if do:
        model = model.do([names[v] for v in do])
    evidence = {names[v]: ref.states[names[v]][s] for v, s in {**hard, **do}.items()}
    virtual = [
        TabularCPD(
            names[v],
            len(lik),
            np.asarray(lik, float).reshape(-1, 1),
            state_names={names[v]: ref.states[names[v]]},
        )
        for v, lik in (soft or {}).items()
    ]
    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = VariableElimination(model).query(
            [names[target]],
            evidence=evidence or None,
            virtual_evidence=virtual or None,
            show_progress=False,
        )
    # Read by state name: pgmpy may order states its own way.
    return np.array([res.get_value(**{names[target]: s}) for s in ref.states[names[target]]])


def random_query(ref, rng: np.random.Generator, *, with_do: bool, with_soft: bool = False):
    """A random target, hard evidence on 1-4 variables, optionally one do() and one soft finding."""
    st = ref.structure
    nv = len(st.names)
    target = int(rng.integers(nv))
    others = [v for v in range(nv) if v != target]
    do: dict[int, int] = {}
    if with_do:
        x = int(rng.choice(others))
        # pgmpy's do() replaces the CPT by its parent-average: pick a state it gives mass to.
        avg = ref.cpts[x].reshape(st.cards[x], -1).mean(axis=1)
        do = {x: int(rng.choice(np.flatnonzero(avg > 0)))}
    sample = ref.sample(rng, do)  # evidence drawn from the (mutilated) network: P(e) > 0
    free = [v for v in others if v not in do]
    k = min(len(free), int(rng.integers(1, 5)))
    hard = {int(v): sample[int(v)] for v in rng.choice(free, size=k, replace=False)}
    soft: dict[int, np.ndarray] = {}
    if with_soft:
        rest = [v for v in free if v not in hard]
        if rest:
            v = int(rng.choice(rest))
            soft[v] = rng.uniform(0.1, 1.0, st.cards[v])
    return target, hard, do, soft


@pytest.mark.parametrize("name", NETWORKS)
def test_single_queries_match_variable_elimination(name: str, refs) -> None:
    ref = refs.load(name)
    rng = np.random.default_rng(sum(map(ord, name)))
    for q in range(4):
        target, hard, do, soft = random_query(ref, rng, with_do=q % 2 == 1, with_soft=q == 2)
        expected = ve_posterior(ref, ref.model, target, hard, do, soft)
        got = posterior_batch(ref.structure, ref.cpts, [target], hard=hard, do=do, soft=soft)
        assert not got.impossible[0]
        np.testing.assert_allclose(got.probs[0], expected, atol=1e-9, rtol=0)
        # The single-query entry point Network uses: evidence as likelihood vectors.
        vecs = {v: np.eye(ref.structure.cards[v])[s] for v, s in hard.items()} | soft
        joint = run_query(ref.structure, ref.cpts, [target], vecs, do)
        np.testing.assert_allclose(joint / joint.sum(), expected, atol=1e-9, rtol=0)


def dirichlet_draws(
    cpts, n: int, rng: np.random.Generator, strength: float = 20.0
) -> list[np.ndarray]:
    """``n`` Dirichlet redraws of every CPT column, batch on a trailing axis."""
    out = []
    for c in cpts:
        alpha = 1.0 + strength * c  # alpha >= 1 keeps every entry positive
        g = rng.gamma(np.broadcast_to(alpha[..., None], (*c.shape, n)))
        out.append(g / g.sum(axis=0, keepdims=True))
    return out


@pytest.mark.parametrize("name", ["asia", "sachs", "alarm", "insurance", "hailfinder"])
def test_batches_of_redrawn_cpts_match_per_draw_variable_elimination(name: str, refs) -> None:
    ref = refs.load(name)
    rng = np.random.default_rng(7 + len(name))
    n = 3
    draws = dirichlet_draws(ref.cpts, n, rng)
    for with_do in (False, True):
        target, hard, do, _ = random_query(ref, rng, with_do=with_do)
        last = posterior_batch(ref.structure, draws, [target], hard=hard, do=do)
        first = posterior_batch(
            ref.structure,
            [np.moveaxis(d, -1, 0) for d in draws],
            [target],
            hard=hard,
            do=do,
            layout="first",
        )
        assert last.probs.shape == (n, ref.structure.cards[target])
        assert not last.impossible.any()
        for i in range(n):
            model = refs.pgmpy_model(ref.structure, [d[..., i] for d in draws], ref.states)
            expected = ve_posterior(ref, model, target, hard, do)
            np.testing.assert_allclose(last.probs[i], expected, atol=1e-9, rtol=0)
            np.testing.assert_allclose(first.probs[i], expected, atol=1e-9, rtol=0)


def test_rows_of_evidence_and_policies_match_variable_elimination(refs) -> None:
    """Per-row hard evidence and per-row do() states in one call (shared CPTs)."""
    ref = refs.load("alarm")
    st = ref.structure
    target = st.index("BP")
    x = st.index("CATECHOL")
    e = st.index("HRBP")
    rows_do = np.array([0, 1, -1, 1])  # -1: no intervention in that row
    rows_ev = np.array([0, 2, 1, -1])  # -1: no finding in that row
    got = posterior_batch(st, ref.cpts, [target], hard={e: rows_ev}, do={x: rows_do})
    for i in range(4):
        do = {x: int(rows_do[i])} if rows_do[i] >= 0 else {}
        hard = {e: int(rows_ev[i])} if rows_ev[i] >= 0 else {}
        np.testing.assert_allclose(
            got.probs[i], ve_posterior(ref, ref.model, target, hard, do), atol=1e-9, rtol=0
        )


def test_impossible_rows_are_nan_and_flagged_never_normalised(refs) -> None:
    """asia's 'either' is a deterministic OR of tub and lung: either=no with lung=yes is impossible."""
    ref = refs.load("asia")
    st = ref.structure
    lung, either, dysp = st.index("lung"), st.index("either"), st.index("dysp")
    yes_l = ref.states["lung"].index("yes")
    no_e, yes_e = ref.states["either"].index("no"), ref.states["either"].index("yes")
    got = posterior_batch(
        st, ref.cpts, [dysp], hard={lung: yes_l, either: np.array([yes_e, no_e, yes_e])}
    )
    assert got.impossible.tolist() == [False, True, False]
    assert np.isnan(got.probs[1]).all()
    assert got.evidence_prob[1] == 0.0
    expected = ve_posterior(ref, ref.model, dysp, {lung: yes_l, either: yes_e}, {})
    np.testing.assert_allclose(got.probs[[0, 2]], [expected, expected], atol=1e-9, rtol=0)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["andes", "munin1"])
def test_large_networks_match_variable_elimination(name: str, refs) -> None:
    """Hundreds of variables: contractions with more indices than einsum has letters."""
    ref = refs.load(name)
    rng = np.random.default_rng(sum(map(ord, name)))
    for q in range(2):
        target, hard, do, _ = random_query(ref, rng, with_do=q == 1)
        expected = ve_posterior(ref, ref.model, target, hard, do)
        got = posterior_batch(ref.structure, ref.cpts, [target], hard=hard, do=do)
        np.testing.assert_allclose(got.probs[0], expected, atol=1e-9, rtol=0)
    draws = dirichlet_draws(ref.cpts, 2, rng)
    target, hard, do, _ = random_query(ref, rng, with_do=True)
    got = posterior_batch(ref.structure, draws, [target], hard=hard, do=do)
    for i in range(2):
        model = refs.pgmpy_model(ref.structure, [d[..., i] for d in draws], ref.states)
        np.testing.assert_allclose(
            got.probs[i], ve_posterior(ref, model, target, hard, do), atol=1e-9, rtol=0
        )
