"""The seconds a user waits: all marginals, a brief, ``decide``, and the command line's start.

Run by hand, never in the test suite::

    .venv/bin/python benchmarks/seconds.py            # all rows (~2 min)
    .venv/bin/python benchmarks/seconds.py --quick    # all marginals on alarm, CLI start-up

Every method of a row is timed the same way in the same run: the best of ``--repeats`` runs
(default 5), each of ``inner`` calls, and the median is printed beside it; the header prints
the load average (other processes share this machine's cores).

- **All marginals**: P(v | three findings) for every variable v. Ours: ``marginals_batch``
  (one contraction and its reverse-mode derivative), warm (plan cached) and cold (the plan
  cache cleared before every call); the loop of single queries it replaces; pyAgrum's
  ``LazyPropagation`` with the engine reused (evidence erased and set, one inference, every
  posterior read) and a new engine per call (cold); pgmpy's ``VariableElimination``, one
  query per variable (pgmpy has no all-marginals call: its ``BeliefPropagation.query`` on
  many variables builds their joint). Every method's answers are checked against ours
  (within 1e-9) before it is timed.
- **Brief**: CPU seconds of ``build_brief`` + the three renderings of the flagship
  (2,000 draws, seed 0), in this process; the Markdown's SHA-256 is printed (byte-identical
  output for the same seed is the check).
- **decide**: CPU seconds of ``estimative decide models/oil_wildcatter`` in-process.
- **CLI start-up**: CPU seconds (user + sys, from ``resource``) of a child running
  ``import estimative`` and ``estimative --help``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from engine import load_pgmpy
from estimative.engine import marginals as em
from estimative.engine import posterior_batch

ROOT = Path(__file__).resolve().parents[1]
# korea_2017 is the flagship's second edition since issue 14 (the rows named korea_2017_v2 in
# benchmarks/README.md); the first edition is in the history only (commit c77aeb3).
NETWORKS = ["alarm", "hailfinder", "win95pts", "korea_2017"]


def timed(fn, repeats: int, inner: int) -> tuple[float, float]:
    """(best, median) seconds per call over ``repeats`` runs of ``inner`` calls."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t) / inner)
    return min(times), statistics.median(times)


def agrum_bn(structure, cpts):
    import pyagrum as gum

    bn = gum.BayesNet()
    for n, c in zip(structure.names, structure.cards, strict=True):
        bn.add(gum.RangeVariable(n, n, 0, c - 1))
    for v, ps in enumerate(structure.parents):
        for p in ps:
            bn.addArc(structure.names[p], structure.names[v])
    for v, c in enumerate(cpts):
        scope = [structure.names[x] for x in (v, *structure.parents[v])]
        order = list(reversed(bn.cpt(structure.names[v]).names))
        bn.cpt(structure.names[v]).fillWith(
            np.ascontiguousarray(np.transpose(c, [scope.index(n) for n in order])).ravel()
        )
    return bn


def pgmpy_model(structure, cpts, states):
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    names = structure.names
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(names)
    model.add_edges_from(
        [(names[p], names[v]) for v in range(len(names)) for p in structure.parents[v]]
    )
    for v, c in enumerate(cpts):
        pars = [names[p] for p in structure.parents[v]]
        model.add_cpds(
            TabularCPD(
                names[v],
                c.shape[0],
                c.reshape(c.shape[0], -1),
                evidence=pars or None,
                evidence_card=list(c.shape[1:]) or None,
                state_names={x: states[x] for x in (names[v], *pars)},
            )
        )
    return model


def load_network(name: str):
    """(structure, cpts, states) of a pgmpy example network or of a model folder."""
    if not name.startswith("korea"):
        return load_pgmpy(name)
    from estimative import Network

    net = Network.from_file(ROOT / "models" / name)
    return net.structure, list(net.cpts), {v: list(net.states[v]) for v in net.variables}


def marginals_rows(name: str, repeats: int, log) -> list[tuple]:
    import pyagrum as gum
    from pgmpy.inference import VariableElimination

    st, cpts, states = load_network(name)
    rng = np.random.default_rng(sum(map(ord, name)))
    x = [0] * len(cpts)
    for v, cpt in enumerate(cpts):
        col = cpt[(slice(None), *(x[p] for p in st.parents[v]))]
        x[v] = int(rng.choice(len(col), p=col))
    hard = {int(v): x[int(v)] for v in rng.choice(len(cpts), size=3, replace=False)}
    free = [v for v in range(len(cpts)) if v not in hard]
    names = st.names

    def ours():
        return em.marginals_batch(st, cpts, hard=hard)

    def ours_cold():
        em._compile_cached.cache_clear()
        return em.marginals_batch(st, cpts, hard=hard)

    def loop():
        return [posterior_batch(st, cpts, [v], hard=hard).probs[0] for v in free]

    bn = agrum_bn(st, cpts)
    ev = {names[v]: s for v, s in hard.items()}
    ie = gum.LazyPropagation(bn)

    def agrum_warm():
        ie.eraseAllEvidence()
        ie.setEvidence(ev)
        ie.makeInference()
        return [ie.posterior(names[v]).toarray() for v in free]

    def agrum_cold():
        e = gum.LazyPropagation(bn)
        e.setEvidence(ev)
        e.makeInference()
        return [e.posterior(names[v]).toarray() for v in free]

    model = pgmpy_model(st, cpts, states)
    pev = {names[v]: states[names[v]][s] for v, s in hard.items()}

    ve = VariableElimination(model)

    def pgmpy_ve():
        out = []
        for v in free:
            res = ve.query([names[v]], evidence=pev, show_progress=False)
            out.append(np.array([res.get_value(**{names[v]: s}) for s in states[names[v]]]))
        return out

    ref = ours()
    for label, fn in (("loop", loop), ("pyAgrum", agrum_warm), ("pgmpy", pgmpy_ve)):
        got = fn()
        err = max(
            float(np.abs(np.asarray(g) - ref.probs[v][0]).max())
            for g, v in zip(got, free, strict=True)
        )
        if err > 1e-9:
            raise SystemExit(f"{name}: {label} differs from ours by {err:.3g}")
    rows = []
    for method, fn, inner, note in (
        ("estimative marginals", ours, 20, "warm: plan cached"),
        ("estimative marginals", ours_cold, 3, "cold: compiled every call"),
        ("estimative query loop", loop, 2, f"{len(free)} single queries, plans cached"),
        ("pyAgrum LP", agrum_warm, 10, "engine reused, warm"),
        ("pyAgrum LP", agrum_cold, 5, "a new engine per call, cold"),
        ("pgmpy VE", pgmpy_ve, 1, "one query per variable, VE object reused"),
    ):
        best, med = timed(fn, repeats, inner)
        rows.append((method, name, "all marginals", best, med, note))
        log(f"  {name} {method} {note}: {best * 1e3:.3f} ms")
    return rows


def command_rows(repeats: int, *, v2_repeats: int = 1) -> list[tuple]:
    """CPU seconds (user + sys) of whole commands in a child process, start-up included: the
    brief (seed 0, a fixed date, the default draws) and ``decide`` on both editions of the
    flagship and on oil_wildcatter; the brief's Markdown SHA-256 beside it."""
    import tempfile

    rows = []
    for model, what in (
        ("korea_2017", "brief"),
        ("korea_2017", "decide"),
        ("oil_wildcatter", "decide"),
    ):
        if not (ROOT / "models" / model).is_dir():
            continue
        out = Path(tempfile.mkdtemp(prefix="seconds-"))
        args = ["-m", "estimative", what, f"models/{model}"]
        if what == "brief":
            args += ["-o", str(out), "--date", "2017-05-01"]
        k = v2_repeats if model == "korea_2017" else repeats
        times = [child_cpu(args) for _ in range(k)]
        note = f"{k} run(s), child process"
        if what == "brief":
            md = (out / "brief.md").read_bytes()
            note += f"; markdown sha256 {hashlib.sha256(md).hexdigest()[:16]}"
        rows.append(
            ("estimative", model, f"{what} (CPU s)", min(times), statistics.median(times), note)
        )
    return rows


def sweep_rows(repeats: int, log) -> tuple[list[tuple], str]:
    """The alarm sweep (W2 of benchmarks/engine.py, N = 1,000): ours batched, pgmpy and
    pyAgrum per draw on a subset, every method best of ``repeats`` (median beside)."""
    from engine import AgrumSweep, PgmpySweep, check, dirichlet, ours_sweep, pick_queries

    st, cpts, states = load_pgmpy("alarm")
    b = pick_queries("alarm", st, cpts, states, np.random.default_rng(sum(map(ord, "alarm"))))
    n = 1000
    draws = dirichlet(b.cpts, n, np.random.default_rng(n))
    ev, do = ours_sweep(b, draws)
    pg, ag = PgmpySweep(b), AgrumSweep(b)
    k_pg, k_ag = 20, 200
    for i in range(k_pg):
        e1, e2 = pg.draw(draws, i)
        check("pgmpy", ev[i], e1)
        check("pgmpy", do[i], e2)
    for i in range(k_ag):
        a1, a2 = ag.draw(draws, i)
        check("pyAgrum", ev[i], a1)
        check("pyAgrum", do[i], a2)
    ours = timed(lambda: ours_sweep(b, draws), repeats, 1)
    t_pg = timed(lambda: [pg.draw(draws, i) for i in range(k_pg)], repeats, 1)
    t_ag = timed(lambda: [ag.draw(draws, i) for i in range(k_ag)], repeats, 1)
    per = [x / n for x in ours]
    rows = [
        ("estimative", "alarm", "sweep, per draw", *per, f"{n} draws, 2 queries, batched"),
        ("pgmpy VE", "alarm", "sweep, per draw", *(x / k_pg for x in t_pg), f"{k_pg} draws"),
        ("pyAgrum LP", "alarm", "sweep, per draw", *(x / k_ag for x in t_ag), f"{k_ag} draws"),
    ]
    log(f"  sweep: ours {per[0] * 1e3:.4f} ms per draw")
    note = (
        f"alarm sweep (N = {n}): {t_pg[0] / k_pg / per[0]:,.0f}x faster than pgmpy VE, "
        f"{t_ag[0] / k_ag / per[0]:,.0f}x faster than pyAgrum (best of {repeats} each; medians "
        f"{t_pg[1] / k_pg / per[1]:,.0f}x and {t_ag[1] / k_ag / per[1]:,.0f}x)"
    )
    return rows, note


def child_cpu(args: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, *args], check=True, capture_output=True, env=env, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def startup_rows(repeats: int) -> list[tuple]:
    rows = []
    for label, args in (
        ("import estimative", ["-c", "import estimative"]),
        ("estimative --help", ["-m", "estimative", "--help"]),
        ("python itself", ["-c", "pass"]),
    ):
        times = [child_cpu(args) for _ in range(repeats)]
        rows.append(
            (
                "estimative",
                "-",
                f"{label} (CPU s)",
                min(times),
                statistics.median(times),
                "child process",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="all marginals on alarm and start-up only")
    ap.add_argument("--repeats", type=int, default=5, help="runs per method (best and median)")
    args = ap.parse_args(argv)
    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    load = os.getloadavg()
    print(
        f"# seconds benchmark: numpy {np.__version__}, {os.cpu_count()} cores, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; every method best of {args.repeats} (median beside)"
    )
    rows: list[tuple] = []
    nets = ["alarm"] if args.quick else NETWORKS
    for name in nets:
        rows += marginals_rows(name, args.repeats, log)
    notes = []
    if not args.quick:
        r, note = sweep_rows(args.repeats, log)
        rows += r
        notes.append(note)
        rows += command_rows(min(args.repeats, 3))
    rows += startup_rows(args.repeats)
    print(f"{'method':<22} {'network':<15} {'workload':<26} {'best':>10} {'median':>10}  note")
    for method, net, work, best, med, note in rows:
        unit = 1e3 if "CPU s" not in work else 1.0
        suffix = " ms" if unit == 1e3 else " s "
        print(
            f"{method:<22} {net:<15} {work:<26} {best * unit:>8.3f}{suffix} {med * unit:>8.3f}{suffix} {note}"
        )
    print()
    for name in nets:
        r = {(m, n.split(":")[0].split(",")[0]): b for m, x, _, b, _, n in rows if x == name}
        warm, cold = r[("estimative marginals", "warm")], r[("estimative marginals", "cold")]
        loop = next(b for (m, _), b in r.items() if m == "estimative query loop")
        print(
            f"{name:<11} all marginals: {r[('pyAgrum LP', 'engine reused')] / warm:.1f}x faster than "
            f"pyAgrum warm; cold {cold / r[('pyAgrum LP', 'a new engine per call')]:.2f}x pyAgrum's "
            f"cold time; {loop / warm:.1f}x faster than our query loop; "
            f"{r[('pgmpy VE', 'one query per variable')] / warm:.0f}x faster than pgmpy VE"
        )
    for note in notes:
        print(note)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
