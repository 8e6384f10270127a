"""Property tests: on random small networks the engine equals brute-force enumeration of the joint.

Random structures, CPTs (some with zeros, so some evidence is impossible), targets, hard and soft
evidence, interventions, per-row conditions and batched CPTs. The reference multiplies every CPT
entry of every full assignment (do() replaces a CPT by a point mass) and sums: nothing of the
engine is reused.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estimative.engine import Structure, compile_query, posterior_batch, run_batch, run_query

N_ROWS = 3


def enumerate_joint(structure: Structure, cpts, targets, hard, soft, do, n: int) -> np.ndarray:
    """P(targets, evidence | do) per row by enumerating every full assignment."""
    cards = structure.cards
    out = np.zeros((n, *(cards[t] for t in targets)))
    for row in range(n):
        for x in itertools.product(*(range(c) for c in cards)):
            p = 1.0
            for v in range(len(cards)):
                dv = do.get(v)
                dv = None if dv is None else (int(dv) if np.ndim(dv) == 0 else int(dv[row]))
                if dv is not None and dv >= 0:
                    p *= 1.0 if x[v] == dv else 0.0
                else:
                    table = (
                        cpts[v]
                        if cpts[v].ndim == 1 + len(structure.parents[v])
                        else cpts[v][..., row]
                    )
                    p *= table[(x[v], *(x[q] for q in structure.parents[v]))]
                hv = hard.get(v)
                hv = None if hv is None else (int(hv) if np.ndim(hv) == 0 else int(hv[row]))
                if hv is not None and hv >= 0:
                    p *= 1.0 if x[v] == hv else 0.0
                if v in soft:
                    lik = soft[v] if soft[v].ndim == 1 else soft[v][row]
                    p *= lik[x[v]]
                if p == 0.0:
                    break
            out[(row, *(x[t] for t in targets))] += p
    return out


@st.composite
def networks_and_queries(draw):
    nv = draw(st.integers(2, 6))
    cards = tuple(draw(st.integers(2, 3)) for _ in range(nv))
    parents = []
    for v in range(nv):
        k = draw(st.integers(0, min(3, v)))
        parents.append(tuple(sorted(draw(st.permutations(range(v)))[:k])) if v else ())
    structure = Structure(tuple(f"v{i}" for i in range(nv)), cards, tuple(parents))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    zeros = draw(st.booleans())
    cpts = []
    for v in range(nv):
        shape = (cards[v], *(cards[p] for p in parents[v]))
        batched = draw(st.booleans())
        a = rng.random(shape + ((N_ROWS,) if batched else ()))
        if zeros:  # knock out some entries, keep one per column
            a = np.where(rng.random(a.shape) < 0.3, 0.0, a)
            a[0] = np.where(a.sum(axis=0) == 0, 1.0, a[0])
        cpts.append(a / a.sum(axis=0, keepdims=True))
    order = draw(st.permutations(range(nv)))
    targets = tuple(order[: draw(st.integers(1, min(2, nv)))])
    hard, soft, do = {}, {}, {}
    for v in range(nv):
        kind = draw(
            st.sampled_from(
                ["none", "none", "hard", "hard_rows", "soft", "soft_rows", "do", "do_rows"]
            )
        )
        if kind == "hard":
            hard[v] = draw(st.integers(0, cards[v] - 1))
        elif kind == "hard_rows":
            hard[v] = np.array([draw(st.integers(-1, cards[v] - 1)) for _ in range(N_ROWS)])
        elif kind == "soft":
            soft[v] = rng.random(cards[v])
        elif kind == "soft_rows":
            soft[v] = rng.random((N_ROWS, cards[v]))
        elif kind == "do":
            do[v] = draw(st.integers(0, cards[v] - 1))
        elif kind == "do_rows":
            do[v] = np.array([draw(st.integers(-1, cards[v] - 1)) for _ in range(N_ROWS)])
    return structure, cpts, targets, hard, soft, do


def _rows(cpts, hard, soft, do) -> int:
    batched = any(
        c.ndim > 1 and c.shape[-1] == N_ROWS for c in cpts
    )  # only a guess for the reference
    per_row = any(np.ndim(x) == 1 for x in [*hard.values(), *do.values()]) or any(
        s.ndim == 2 for s in soft.values()
    )
    return N_ROWS if (batched or per_row) else 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks_and_queries())
def test_engine_equals_enumeration(case) -> None:
    structure, cpts, targets, hard, soft, do = case
    joint = run_batch(structure, cpts, targets, hard=hard, soft=soft, do=do)
    n = joint.shape[0]
    expected = enumerate_joint(structure, cpts, targets, hard, soft, do, n)
    np.testing.assert_allclose(joint, expected, rtol=1e-10, atol=1e-14)
    post = posterior_batch(structure, cpts, targets, hard=hard, soft=soft, do=do)
    total = expected.reshape(n, -1).sum(axis=1)
    assert post.impossible.tolist() == (total <= 1e-300).tolist()
    ok = ~post.impossible
    assert np.isnan(post.probs[~ok]).all()
    np.testing.assert_allclose(
        post.probs[ok],
        expected[ok] / total[ok].reshape((-1,) + (1,) * len(targets)),
        rtol=1e-9,
        atol=1e-12,
    )
    # The leading-batch layout gives the same numbers.
    first = [
        np.moveaxis(c, -1, 0) if c.ndim > 1 + len(structure.parents[v]) else c
        for v, c in enumerate(cpts)
    ]
    np.testing.assert_allclose(
        run_batch(structure, first, targets, hard=hard, soft=soft, do=do, layout="first"),
        expected,
        rtol=1e-10,
        atol=1e-14,
    )


@settings(max_examples=60, deadline=None)
@given(networks_and_queries())
def test_do_on_a_root_equals_conditioning_on_it(case) -> None:
    structure, cpts, targets, _, _, _ = case
    cpts = [c[..., 0] if c.ndim > 1 + len(structure.parents[v]) else c for v, c in enumerate(cpts)]
    roots = [v for v in range(len(cpts)) if not structure.parents[v] and v not in targets]
    if not roots:
        return
    r = roots[0]
    for s in range(structure.cards[r]):
        if cpts[r][s] == 0:
            continue
        by_do = posterior_batch(structure, cpts, targets, do={r: s}).probs
        by_given = posterior_batch(structure, cpts, targets, hard={r: s}).probs
        np.testing.assert_allclose(by_do, by_given, rtol=1e-9, atol=1e-12)


def chain(n: int, card: int = 4) -> tuple[Structure, list[np.ndarray]]:
    """A network whose every variable has the previous three as parents."""
    rng = np.random.default_rng(5)
    parents = tuple(tuple(range(max(0, v - 3), v)) for v in range(n))
    s = Structure(tuple(f"x{v}" for v in range(n)), (card,) * n, parents)
    cpts = []
    for v in range(n):
        a = rng.random((card,) * (1 + len(parents[v])))
        cpts.append(a / a.sum(axis=0, keepdims=True))
    return s, cpts


def test_memory_cap_splits_the_batch_and_keeps_answers() -> None:
    s, cpts = chain(12)
    n = 3000
    rng = np.random.default_rng(1)
    draws = [
        np.moveaxis(rng.dirichlet(np.ones(c.shape[0]), size=(n, *c.shape[1:])), -1, 1) for c in cpts
    ]
    draws = [np.moveaxis(d, 0, -1).copy() for d in draws]  # (card, *parents, n)
    plan = compile_query(s, (11,), (), (), (0,))
    ex = plan.executor((True,) * len(plan.operands), "last", n)
    whole = ex.row_bytes * n
    cap = 64 * 1024
    assert whole > 16 * cap  # unchunked, the largest intermediate would be far over the cap
    ref = posterior_batch(s, draws, [11], hard={0: 1}, memory_cap=2**31)
    tracemalloc.start()
    got = posterior_batch(s, draws, [11], hard={0: 1}, memory_cap=cap)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    np.testing.assert_allclose(got.probs, ref.probs, rtol=1e-12, atol=0)
    assert peak < whole / 4


def test_a_row_over_the_cap_is_split_by_conditioning() -> None:
    """When one row alone breaks the cap the engine sums over a variable's states."""
    s, cpts = chain(7)
    plan = compile_query(s, (6, 0), (), (), ())
    ex = plan.executor((False,) * len(plan.operands), "last", 1)
    cap = 1024
    assert ex.fixed_bytes > cap
    got = run_batch(s, cpts, [6, 0], memory_cap=cap)[0]
    np.testing.assert_allclose(got, enumerate_joint(s, cpts, (6, 0), {}, {}, {}, 1)[0], rtol=1e-12)


def test_single_query_entry_point_keeps_its_shapes() -> None:
    s, cpts = chain(5, card=2)
    one = run_query(s, cpts, [4, 2], {0: np.array([0.0, 1.0]), 1: np.array([0.3, 0.6])}, {3: 1})
    assert one.shape == (2, 2)
    np.testing.assert_allclose(
        one,
        enumerate_joint(s, cpts, (4, 2), {0: 1}, {1: np.array([0.3, 0.6])}, {3: 1}, 1)[0],
        rtol=1e-12,
    )
    batched = run_query(s, [c[..., None] * np.ones(4) for c in cpts], [4], batched=True)
    assert batched.shape == (2, 4)


def test_paths_do_not_depend_on_the_hash_seed() -> None:
    script = textwrap.dedent("""
        import numpy as np
        from estimative.engine import Structure, compile_query
        rng = np.random.default_rng(3)
        n = 40
        parents = tuple(tuple(sorted(rng.choice(v, size=min(v, 3), replace=False).tolist())) if v else ()
                        for v in range(n))
        s = Structure(tuple(f"x{v}" for v in range(n)), tuple(int(c) for c in rng.integers(2, 5, n)), parents)
        plan = compile_query(s, (39, 20), (5,), (7,), (3, 7))
        ex = plan.executor(tuple(True for _ in plan.operands), "last", 1000)
        print(plan.kept, ex.path, ex.program)
    """)
    outs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        res = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
        )
        outs.add(res.stdout)
    assert len(outs) == 1


def test_bad_inputs_are_query_errors() -> None:
    from estimative.errors import QueryError

    s, cpts = chain(4, card=2)
    with pytest.raises(QueryError, match="disagree on the number of rows"):
        run_batch(s, [cpts[0][..., None] * np.ones(3), *cpts[1:]], [3], hard={1: np.array([0, 1])})
    with pytest.raises(QueryError, match="out of range"):
        run_batch(s, cpts, [3], hard={1: 2})
    with pytest.raises(QueryError, match="or that with a batch axis"):
        run_batch(s, [cpts[3], *cpts[1:]], [3])
    with pytest.raises(QueryError, match="has shape"):
        run_batch(s, [cpts[0], cpts[1][:1], *cpts[2:]], [3])
    with pytest.raises(QueryError, match="memory cap"):
        run_batch(s, cpts, [3], memory_cap=10)


def test_threads_split_chunks_without_changing_answers() -> None:
    from estimative.engine import batch, set_threads

    s, cpts = chain(8)
    rng = np.random.default_rng(2)
    n = 6000
    draws = []
    for c in cpts:
        g = rng.gamma(np.broadcast_to((1 + 5 * c)[..., None], (*c.shape, n)))
        draws.append(g / g.sum(axis=0, keepdims=True))
    old = set_threads(1)
    try:
        serial = run_batch(s, draws, [7], hard={0: 2})
        set_threads(2)
        batch._pool = None
        threaded = run_batch(s, draws, [7], hard={0: 2}, memory_cap=1 << 20)
        assert batch._pool is not None  # the chunks went to the pool
    finally:
        set_threads(old)
    np.testing.assert_array_equal(serial, threaded)
    row = 17
    np.testing.assert_allclose(
        serial[row],
        enumerate_joint(s, [d[..., row] for d in draws], (7,), {0: 2}, {}, {}, 1)[0],
        rtol=1e-12,
    )


def test_contractions_over_more_variables_than_einsum_has_letters() -> None:
    """A 70-step Markov chain: the marginal of the last variable is a product of 70 matrices."""
    n_var, n = 70, 5
    s = Structure(
        tuple(f"x{v}" for v in range(n_var)), (2,) * n_var, ((), *((v,) for v in range(n_var - 1)))
    )
    rng = np.random.default_rng(9)
    draws = [rng.dirichlet([1.0, 1.0], size=n).T] + [
        np.moveaxis(rng.dirichlet([1.0, 1.0], size=(n, 2)), 0, -1).transpose(1, 0, 2)
        for _ in range(n_var - 1)
    ]
    got = run_batch(s, draws, [n_var - 1], soft={0: np.array([1.0, 1.0])})
    for row in range(n):
        p = draws[0][:, row]
        for t in draws[1:]:
            p = t[:, :, row] @ p  # t[x_v, x_{v-1}]
        np.testing.assert_allclose(got[row], p, rtol=1e-12)
    single = run_query(s, [d[..., 0] for d in draws], [n_var - 1, 0])
    np.testing.assert_allclose(single.sum(axis=1), got[0], rtol=1e-12)
