"""Time the compiled engine against pgmpy VariableElimination and pyAgrum LazyPropagation.

Run by hand, never in the test suite::

    .venv/bin/python benchmarks/engine.py            # W1 + W2 (N = 1,000 and 10,000), five networks + flagship
    .venv/bin/python benchmarks/engine.py --quick    # W2 on alarm, N = 1,000 (under a minute)

W1: single-query latency, P(target | evidence), the network's CPTs as they are.
W2: a sweep of N Dirichlet redraws of every CPT; each draw answers P(target | evidence) and
P(target | do(x)). The engine does all N draws in one batched call per query; pgmpy and pyAgrum
answer draw by draw (timed on a subset of draws and extrapolated when slow), with a new
inference object per draw (pyAgrum caches results across in-place CPT edits), and their
answers are checked against ours. Dirichlet sampling is timed separately and is not counted
in any method's throughput. The flagship model (models/korea_2017) is swept over every policy
and scenario with 10,000 draws. The last line of ``--quick`` is exactly
``sweep_speedup_vs_pgmpy=<x> sweep_speedup_vs_pyagrum=<y>`` (ratios of draws per second).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
import tracemalloc
import warnings
from dataclasses import dataclass

import numpy as np

from estimative.engine import Structure, compile_query, posterior_batch

NETWORKS = ["asia", "alarm", "insurance", "hailfinder", "win95pts"]


# ------------------------------------------------------------------------------ networks
@dataclass
class Bench:
    name: str
    structure: Structure
    cpts: list[np.ndarray]
    states: dict[str, list[str]]
    target: int
    hard: dict[int, int]
    do: dict[int, int]


def load_pgmpy(name: str) -> tuple[Structure, list[np.ndarray], dict[str, list[str]]]:
    """A pgmpy example network as engine inputs (columns normalised, own state order)."""
    import networkx as nx
    from pgmpy.utils import get_example_model

    model = get_example_model(name)
    order = list(nx.lexicographical_topological_sort(model))
    cpds = {c.variable: c for c in model.get_cpds()}
    states = {v: list(cpds[v].state_names[v]) for v in order}
    idx = {v: i for i, v in enumerate(order)}
    cpts, parents = [], []
    for v in order:
        cpd = cpds[v]
        values = np.asarray(cpd.values, dtype=float)
        for ax, var in enumerate(cpd.variables):
            own = list(cpd.state_names[var])
            values = np.take(values, [own.index(s) for s in states[var]], axis=ax)
        cpts.append(values / values.sum(axis=0, keepdims=True))
        parents.append(tuple(idx[p] for p in cpd.variables[1:]))
    return (
        Structure(tuple(order), tuple(len(states[v]) for v in order), tuple(parents)),
        cpts,
        states,
    )


def pick_queries(name: str, structure: Structure, cpts: list[np.ndarray], states, rng) -> Bench:
    """Target: the variable with most ancestors; evidence: two others, states from a forward
    sample (so P(evidence) > 0); do(): an ancestor of the target, to a state it can take."""
    n = len(structure.names)
    anc = [len(structure.ancestors([v])) for v in range(n)]
    target = max(range(n), key=lambda v: (anc[v], -v))
    x = [0] * n
    for v, cpt in enumerate(cpts):
        col = cpt[(slice(None), *(x[p] for p in structure.parents[v]))]
        x[v] = int(rng.choice(len(col), p=col))
    others = [v for v in range(n) if v != target]
    hard = {int(v): x[int(v)] for v in rng.choice(others, size=min(2, len(others)), replace=False)}
    cands = sorted(structure.ancestors([target]) - {target} - set(hard)) or [
        v for v in others if v not in hard
    ]
    dv = int(rng.choice(cands))
    avg = cpts[dv].reshape(structure.cards[dv], -1).mean(axis=1)
    return Bench(name, structure, cpts, states, target, hard, {dv: int(np.flatnonzero(avg > 0)[0])})


def dirichlet(
    cpts: list[np.ndarray], n: int, rng: np.random.Generator, strength: float = 20.0
) -> list[np.ndarray]:
    """``n`` redraws of every CPT column, batch on a trailing axis; zero entries stay zero."""
    out = []
    for c in cpts:
        alpha = np.where(c > 0, 1.0 + strength * c, 0.0)
        g = rng.standard_gamma(np.where(alpha > 0, alpha, 1.0)[..., None] * np.ones(n))
        g = np.where(alpha[..., None] > 0, g, 0.0)
        out.append(g / g.sum(axis=0, keepdims=True))
    return out


# ------------------------------------------------------------------------------ methods
def ours_sweep(b: Bench, draws: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    ev = posterior_batch(b.structure, draws, [b.target], hard=b.hard)
    do = posterior_batch(b.structure, draws, [b.target], do=b.do)
    return ev.probs, do.probs


def ours_single(b: Bench) -> np.ndarray:
    return posterior_batch(b.structure, b.cpts, [b.target], hard=b.hard).probs[0]


class PgmpySweep:
    """pgmpy VE per draw: CPD values replaced in place, one VariableElimination per model
    reused (it reads the CPDs at query time; every answer is checked against ours)."""

    def __init__(self, b: Bench) -> None:
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.models import DiscreteBayesianNetwork

        names = b.structure.names
        self.b = b
        model = DiscreteBayesianNetwork()
        model.add_nodes_from(names)
        model.add_edges_from(
            [(names[p], names[v]) for v in range(len(names)) for p in b.structure.parents[v]]
        )
        for v, c in enumerate(b.cpts):
            pars = [names[p] for p in b.structure.parents[v]]
            model.add_cpds(
                TabularCPD(
                    names[v],
                    c.shape[0],
                    c.reshape(c.shape[0], -1),
                    evidence=pars or None,
                    evidence_card=list(c.shape[1:]) or None,
                    state_names={x: b.states[x] for x in (names[v], *pars)},
                )
            )
        self.model = model
        self.model_do = model.do([names[v] for v in b.do])
        self.cpd = [model.get_cpds(n) for n in names]
        self.cpd_do = [self.model_do.get_cpds(n) for n in names]
        self.ev = {names[v]: b.states[names[v]][s] for v, s in b.hard.items()}
        self.ev_do = {names[v]: b.states[names[v]][s] for v, s in b.do.items()}
        from pgmpy.inference import VariableElimination

        self.ve = VariableElimination(self.model)
        self.ve_do = VariableElimination(self.model_do)

    def _posterior(self, ve, evidence) -> np.ndarray:
        name = self.b.structure.names[self.b.target]
        res = ve.query([name], evidence=evidence, show_progress=False)
        return np.array([res.get_value(**{name: s}) for s in self.b.states[name]])

    def draw(self, draws: list[np.ndarray], i: int) -> tuple[np.ndarray, np.ndarray]:
        for v, d in enumerate(draws):
            self.cpd[v].values = d[..., i]
            if v not in self.b.do:
                self.cpd_do[v].values = d[..., i]
        return self._posterior(self.ve, self.ev), self._posterior(self.ve_do, self.ev_do)

    def single(self, ve) -> np.ndarray:
        name = self.b.structure.names[self.b.target]
        res = ve.query([name], evidence=self.ev, show_progress=False)
        return np.array([res.get_value(**{name: s}) for s in self.b.states[name]])


class AgrumSweep:
    """pyAgrum LazyPropagation per draw: CPTs refilled in place, then the engine's evidence is
    erased and set again so that it recomputes (in-place edits alone leave stale results;
    every answer is checked against ours)."""

    def __init__(self, b: Bench) -> None:
        import pyagrum as gum

        self.gum = gum
        self.b = b
        self.bn = self._bn(cut=())
        self.bn_do = self._bn(cut=tuple(b.do))
        names = b.structure.names
        self.perm = []
        for v in range(len(names)):
            scope = [v, *b.structure.parents[v]]
            axes = [names.index(x) for x in self.bn.cpt(names[v]).names]
            self.perm.append([scope.index(a) for a in axes][::-1])
        self.fill(self.bn, b.cpts, None, ())
        self.fill(self.bn_do, b.cpts, None, tuple(b.do))
        for v in b.do:  # after surgery the do() variable is a root clamped by evidence
            self.bn_do.cpt(names[v]).fillWith(
                np.full(b.structure.cards[v], 1.0 / b.structure.cards[v])
            )
        self.ev = {names[v]: s for v, s in b.hard.items()}
        self.ev_do = {names[v]: s for v, s in b.do.items()}
        self.ie = gum.LazyPropagation(self.bn)
        self.ie_do = gum.LazyPropagation(self.bn_do)

    def _bn(self, cut: tuple[int, ...]):
        st = self.b.structure
        bn = self.gum.BayesNet()
        for n, c in zip(st.names, st.cards, strict=True):
            bn.add(self.gum.RangeVariable(n, n, 0, c - 1))
        for v, ps in enumerate(st.parents):
            if v not in cut:
                for p in ps:
                    bn.addArc(st.names[p], st.names[v])
        return bn

    def fill(self, bn, draws: list[np.ndarray], i: int | None, cut: tuple[int, ...]) -> None:
        names = self.b.structure.names
        for v, d in enumerate(draws):
            if v in cut:
                continue
            arr = d if i is None else d[..., i]
            bn.cpt(names[v]).fillWith(np.ascontiguousarray(np.transpose(arr, self.perm[v])).ravel())

    def posterior(self, ie, evidence) -> np.ndarray:
        ie.eraseAllEvidence()
        ie.setEvidence(evidence)
        ie.makeInference()
        return np.asarray(
            ie.posterior(self.b.structure.names[self.b.target]).toarray(), dtype=float
        )

    def fresh(self, bn, evidence) -> np.ndarray:
        ie = self.gum.LazyPropagation(bn)
        ie.setEvidence(evidence)
        ie.makeInference()
        return np.asarray(
            ie.posterior(self.b.structure.names[self.b.target]).toarray(), dtype=float
        )

    def draw(self, draws: list[np.ndarray], i: int) -> tuple[np.ndarray, np.ndarray]:
        self.fill(self.bn, draws, i, ())
        self.fill(self.bn_do, draws, i, tuple(self.b.do))
        return self.posterior(self.ie, self.ev), self.posterior(self.ie_do, self.ev_do)


# ------------------------------------------------------------------------------ timing
@dataclass
class Row:
    method: str
    network: str
    workload: str
    n: int
    seconds: float  # wall time for the whole workload (extrapolated where marked)
    queries: int
    peak_mib: float | None
    note: str = ""

    @property
    def ms_per_query(self) -> float:
        return 1000 * self.seconds / self.queries

    @property
    def draws_per_s(self) -> float:
        return self.n / self.seconds


#: Every method of a workload is timed the same way: the best of this many runs.
REPEATS = 5


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def peak_mib(fn) -> float:
    """Peak of Python and numpy allocations (tracemalloc) while ``fn`` runs, MiB."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def check(name: str, ours: np.ndarray, theirs: np.ndarray) -> float:
    err = float(np.max(np.abs(ours - theirs)))
    if not err <= 1e-9:
        raise SystemExit(f"{name}: answers differ from ours by {err:.3g}")
    return err


def run_w2(
    b: Bench, n: int, rng: np.random.Generator, *, subset_pgmpy: int, subset_agrum: int, log
) -> tuple[list[Row], dict]:
    t = time.perf_counter()
    draws = dirichlet(b.cpts, n, rng)
    t_sample = time.perf_counter() - t
    ev, do = ours_sweep(b, draws)  # warm: compile and cache the plans
    if np.isnan(ev).any() or np.isnan(do).any():
        raise SystemExit(f"{b.name}: some draws made the evidence impossible; pick other evidence")
    t_ours = best_of(lambda: ours_sweep(b, draws), REPEATS)
    mem_ours = peak_mib(lambda: ours_sweep(b, draws))
    rows = [Row("estimative", b.name, "W2 sweep", n, t_ours, 2 * n, mem_ours)]

    pg = PgmpySweep(b)
    k = min(n, subset_pgmpy)
    for i in range(k):  # checked once, untimed; then timed as ours is (best of REPEATS)
        e1, e2 = pg.draw(draws, i)
        check("pgmpy", ev[i], e1)
        check("pgmpy", do[i], e2)
    t_pg = best_of(lambda: [pg.draw(draws, i) for i in range(k)], REPEATS) * n / k
    mem_pg = peak_mib(lambda: pg.draw(draws, 0)) if k else None
    rows.append(
        Row(
            "pgmpy VE",
            b.name,
            "W2 sweep",
            n,
            t_pg,
            2 * n,
            mem_pg,
            f"{k} draws timed, x{n / k:.0f}" if k < n else "",
        )
    )

    ag = AgrumSweep(b)
    k = min(n, subset_agrum)
    for i in range(k):
        a1, a2 = ag.draw(draws, i)
        check("pyAgrum", ev[i], a1)
        check("pyAgrum", do[i], a2)
    t_ag = best_of(lambda: [ag.draw(draws, i) for i in range(k)], REPEATS) * n / k
    rows.append(
        Row(
            "pyAgrum LP",
            b.name,
            "W2 sweep",
            n,
            t_ag,
            2 * n,
            None,
            (f"{k} draws timed, x{n / k:.0f}; " if k < n else "") + "C++ heap not traced",
        )
    )

    plans = [
        compile_query(b.structure, (b.target,), (), (), tuple(sorted(b.hard))),
        compile_query(b.structure, (b.target,), (), tuple(sorted(b.do)), tuple(sorted(b.do))),
    ]
    flops = 0.0
    for p in plans:
        for (batched, _layout, _bucket), ex in p._executors.items():
            if any(batched):
                flops += ex.flops / ex.rows * n
                break
    extra = {"sample_s": t_sample, "flops": flops, "gflops": flops / t_ours / 1e9}
    log(
        f"  {b.name} N={n}: sampling {t_sample * 1000:.1f} ms; ours {t_ours * 1000:.2f} ms "
        f"({flops / 1e6:.1f} MFLOP, {extra['gflops']:.2f} GFLOP/s)"
    )
    return rows, extra


def run_w1(b: Bench, log) -> list[Row]:
    compile_query.cache_clear()
    t = time.perf_counter()
    ours_single(b)
    cold = time.perf_counter() - t
    reps = 200
    t_ours = best_of(lambda: [ours_single(b) for _ in range(reps)], 3) / reps
    rows = [
        Row(
            "estimative",
            b.name,
            "W1 single",
            1,
            t_ours,
            1,
            None,
            f"first call (compiling) {cold * 1000:.2f} ms",
        )
    ]

    pg = PgmpySweep(b)
    expected = ours_single(b)
    check("pgmpy", expected, pg.single(pg.ve))
    t_pg = best_of(lambda: [pg.single(pg.ve) for _ in range(20)], 3) / 20
    rows.append(Row("pgmpy VE", b.name, "W1 single", 1, t_pg, 1, None, "VE object reused"))

    ag = AgrumSweep(b)
    check("pyAgrum", expected, ag.posterior(ag.ie, ag.ev))
    t_ag = best_of(lambda: [ag.posterior(ag.ie, ag.ev) for _ in range(reps)], 3) / reps
    t_ag_new = best_of(lambda: [ag.fresh(ag.bn, ag.ev) for _ in range(50)], 3) / 50
    rows.append(
        Row(
            "pyAgrum LP",
            b.name,
            "W1 single",
            1,
            t_ag,
            1,
            None,
            f"engine reused; a new engine per query: {t_ag_new * 1000:.3f} ms",
        )
    )
    log(
        f"  {b.name} W1: ours {t_ours * 1000:.3f} ms, pyAgrum {t_ag * 1000:.3f} ms, pgmpy {t_pg * 1000:.3f} ms"
    )
    return rows


def flagship(n: int, log) -> tuple[list[Row], str]:
    """Every policy x (no scenario + every scenario), 10,000 draws, every headline outcome."""
    try:
        from estimative import Network

        net = Network.from_file("models/korea_2017")
    except Exception as exc:  # the flagship model may not load yet while it is being written
        return (
            [],
            f"flagship skipped: models/korea_2017 does not load ({type(exc).__name__}: {exc})",
        )
    rng = np.random.default_rng(2017)
    t = time.perf_counter()
    draws = dirichlet([np.asarray(c) for c in net.cpts], n, rng)
    t_sample = time.perf_counter() - t
    policies = [p.id for p in net.spec.policies] or [None]
    scenarios = [None, *(s.id for s in net.spec.scenarios)]
    outcomes = list(dict.fromkeys(o.target for o in net.spec.outcomes)) or [net.variables[-1]]
    headline = outcomes[0]

    def sweep(targets: list[str]) -> int:
        k = 0
        for p in policies:
            for s in scenarios:
                for tgt in targets:
                    net.query_batch(tgt, cpts=draws, policy=p, scenario=s)
                    k += 1
        return k

    k1 = sweep([headline])  # warm: compile every plan once
    t1 = best_of(lambda: sweep([headline]), 3)
    kall = sweep(outcomes)
    tall = best_of(lambda: sweep(outcomes), 2)
    mem = peak_mib(lambda: sweep([headline]))
    rows = [
        Row(
            "estimative",
            "korea_2017",
            f"sweep 1 outcome x {len(policies)} pol x {len(scenarios)} scen",
            n,
            t1,
            k1 * n,
            mem,
            f"{k1} batched calls",
        ),
        Row(
            "estimative",
            "korea_2017",
            f"sweep {len(outcomes)} outcomes x pol x scen",
            n,
            tall,
            kall * n,
            None,
            f"{kall} batched calls",
        ),
    ]
    log(
        f"  flagship: sampling {t_sample * 1000:.0f} ms; {k1} queries x {n} draws in {t1:.3f} s; "
        f"{kall} queries in {tall:.3f} s"
    )
    return rows, (
        f"flagship ({len(net.variables)} variables): {n} draws, {len(policies)} policies x "
        f"{len(scenarios)} scenario settings: headline outcome '{headline}' {t1:.3f} s "
        f"(goal < 1 s: {'met' if t1 < 1 else 'MISSED'}); all {len(outcomes)} outcomes {tall:.3f} s; "
        f"Dirichlet sampling {t_sample:.3f} s (not counted)"
    )


def matmul_gflops() -> float:
    a = np.random.default_rng(0).random((2048, 2048))
    a @ a
    t = best_of(lambda: a @ a, 3)
    return 2 * 2048**3 / t / 1e9


def print_table(rows: list[Row]) -> None:
    print("# W1 rows: draws/s reads queries/s. W2 rows: ms/query is the time per draw and query.")
    print(
        f"{'method':<11} {'network':<11} {'workload':<34} {'N':>6} {'ms/query':>10} {'draws/s':>12} "
        f"{'peak MiB':>9}  note"
    )
    for r in rows:
        mem = f"{r.peak_mib:9.1f}" if r.peak_mib is not None else f"{'n/a':>9}"
        print(
            f"{r.method:<11} {r.network:<11} {r.workload:<34} {r.n:>6} {r.ms_per_query:>10.3g} "
            f"{r.draws_per_s:>12,.0f} {mem}  {r.note}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="W2 on alarm with N = 1,000 only")
    args = ap.parse_args(argv)
    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"# engine benchmark: numpy {np.__version__}, {os.cpu_count()} cores, load average {load:.2f} "
        f"(other processes share these cores; times are the best of several runs)"
    )
    rows: list[Row] = []
    speed: dict[tuple[str, int], dict[str, float]] = {}
    nets = ["alarm"] if args.quick else NETWORKS
    sizes = [1000] if args.quick else [1000, 10000]
    extras = {}
    for name in nets:
        structure, cpts, states = load_pgmpy(name)
        b = pick_queries(name, structure, cpts, states, np.random.default_rng(sum(map(ord, name))))
        if not args.quick:
            rows += run_w1(b, log)
        for n in sizes:
            r, extra = run_w2(
                b,
                n,
                np.random.default_rng(n),
                subset_pgmpy=20 if n == 1000 else 10,
                subset_agrum=200 if n == 1000 else 100,
                log=log,
            )
            rows += r
            extras[(name, n)] = extra
            speed[(name, n)] = {x.method: x.draws_per_s for x in r}
    notes = []
    if not args.quick:
        fr, note = flagship(10000, log)
        rows += fr
        notes.append(note)
    print_table(rows)
    print()
    mm = matmul_gflops()
    for (name, n), s in speed.items():
        e = extras[(name, n)]
        print(
            f"{name:<11} N={n:<6} speed-up vs pgmpy VE {s['estimative'] / s['pgmpy VE']:>9,.0f}x   "
            f"vs pyAgrum {s['estimative'] / s['pyAgrum LP']:>7,.1f}x   "
            f"{e['gflops']:.2f} GFLOP/s ({100 * e['gflops'] / mm:.1f}% of a 2048x2048 matmul's {mm:.1f}); "
            f"Dirichlet sampling {e['sample_s'] * 1000:.1f} ms"
        )
    for note in notes:
        print(note)
    s = speed[("alarm", 1000)]
    print(
        f"sweep_speedup_vs_pgmpy={s['estimative'] / s['pgmpy VE']:.0f} "
        f"sweep_speedup_vs_pyagrum={s['estimative'] / s['pyAgrum LP']:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
