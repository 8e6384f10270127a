"""Time a full batch sweep against the same sweep through pgmpy variable elimination.

Run by hand, never in the test suite::

    .venv/bin/python benchmarks/sweep.py                 # flagship: 10,000 draws x every policy x every scenario
    .venv/bin/python benchmarks/sweep.py --quick         # 1,000 draws, one pgmpy draw
    .venv/bin/python benchmarks/sweep.py --model models/example --draws 4000

The sweep: every headline outcome of the model (its ``outcomes:``) under the baseline and every
policy, crossed with the baseline and every scenario, for N Dirichlet draws of every CPT; the
whole pipeline of ``estimative sweep`` (draws, batched engine, Parquet parts, manifest,
sidecar), timed end to end with one worker process and with every core, with peak memory.

pgmpy answers the same queries draw by draw: for each draw and policy a fresh
DiscreteBayesianNetwork with the drawn CPTs (do() as graph surgery: the variable loses its
parents and gets a one-hot CPT; soft evidence as a virtual child), one VariableElimination per
model reused across scenarios and targets. It is timed on the first ``--pgmpy-draws`` draws
(the same draws the sweep used) and extrapolated linearly to N; its answers are checked
against the sweep's rows. The last line is exactly
``sweep_seconds=<s> pgmpy_seconds_extrapolated=<s> speedup_single_core=<x> speedup_all_cores=<x>``.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import resource
import shutil
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

from estimative import Network
from estimative.sweep import (
    BASELINE,
    SweepDesign,
    chunk_rng,
    compute_chunk,
    default_workers,
    make_job,
    read_sweep,
    run_sweep,
)
from estimative.uncertainty import draw_cpts

ROOT = Path(__file__).resolve().parents[1]


def design_for(net: Network, draws: int, chunk_size: int, seed: int) -> SweepDesign:
    targets = [(o.target, (o.state,)) for o in net.spec.outcomes]
    if not targets:  # a model without outcomes: every variable's last state
        targets = [(v, (net.states[v][-1],)) for v in net.variables]
    seen: dict[str, list[str]] = {}
    for v, (s,) in targets:
        seen.setdefault(v, [])
        if s not in seen[v]:
            seen[v].append(s)
    return SweepDesign(
        net,
        targets=tuple((v, tuple(s)) for v, s in seen.items()),
        policies=(BASELINE, *(p.id for p in net.spec.policies)),
        scenarios=(BASELINE, *(s.id for s in net.spec.scenarios)),
        draws=draws,
        seed=seed,
        chunk_size=chunk_size,
    )


def peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def time_sweep(design: SweepDesign, out: Path, workers: int) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    gc.collect()
    t0 = time.perf_counter()
    result = run_sweep(design, out=out, workers=workers)
    seconds = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in out.glob("part-*.parquet")) / 2**20
    return {"seconds": seconds, "rows": result.rows, "parquet_mib": size}


def chunk_peak_mib(design: SweepDesign) -> float:
    """Peak numpy/Python allocation while one chunk is computed and serialised (tracemalloc;
    chunks stream to disk, so this bounds a worker's working set)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    job = make_job(design)
    compute_chunk(job, 0)  # warm the plan cache
    gc.collect()
    tracemalloc.start()
    table = compute_chunk(job, 0)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


# ------------------------------------------------------------------------------ pgmpy
def pgmpy_model(net: Network, cpts: list[np.ndarray], do: dict[str, str]):
    """A pgmpy model with these CPTs, do() done by surgery."""
    return net.with_cpts(dict(zip(net.variables, cpts, strict=True))).to_pgmpy(do=do)


def add_soft(model, net: Network, soft: dict[str, dict[str, float]]) -> dict[str, str]:
    """Soft evidence as a virtual child observed in state 1; returns the evidence to add."""
    from pgmpy.factors.discrete import TabularCPD

    ev = {}
    for var, lik in soft.items():
        vec = np.array([lik.get(s, 0.0) for s in net.states[var]], dtype=float)
        vec = vec / vec.max()
        node = f"__soft_{var}"
        model.add_node(node)
        model.add_edge(var, node)
        model.add_cpds(
            TabularCPD(
                node,
                2,
                np.vstack([1 - vec, vec]),
                evidence=[var],
                evidence_card=[len(vec)],
                state_names={node: ["0", "1"], var: list(net.states[var])},
            )
        )
        ev[node] = "1"
    return ev


def pgmpy_sweep(design: SweepDesign, draws: int) -> tuple[float, dict[tuple, float], int]:
    """The first ``draws`` draws of the sweep through pgmpy; (seconds, values, queries)."""
    warnings.simplefilter("ignore")
    from pgmpy.inference import VariableElimination

    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    net = design.net
    batch = draw_cpts(net, min(design.chunk_size, design.draws), rng=chunk_rng(design.seed, 0))
    values: dict[tuple, float] = {}
    queries = 0
    t0 = time.perf_counter()
    for d in range(draws):
        cpts = [b[..., d] for b in batch]
        for pol in design.policies:
            do = {} if pol == BASELINE else dict(net.spec.policy(pol).do)
            shared = VariableElimination(
                pgmpy_model(net, cpts, do)
            )  # reused by every hard-evidence scenario
            for sc in design.scenarios:
                scen = None if sc == BASELINE else net.spec.scenario(sc)
                evidence = dict(scen.given) if scen else {}
                ve = shared
                if scen and scen.soft:
                    model = pgmpy_model(net, cpts, do)
                    evidence.update(
                        add_soft(model, net, {k: dict(v) for k, v in scen.soft.items()})
                    )
                    ve = VariableElimination(model)
                for target, states in design.targets:
                    queries += 1
                    if target in do:
                        for s in states:
                            values[(d, pol, sc, target, s)] = 1.0 if s == do[target] else 0.0
                        continue
                    ev = {k: v for k, v in evidence.items() if k != target}
                    if target in evidence:  # observed target: P(target=s | e) is 0 or 1
                        for s in states:
                            values[(d, pol, sc, target, s)] = 1.0 if s == evidence[target] else 0.0
                        continue
                    f = ve.query([target], evidence=ev or None, show_progress=False)
                    for s in states:
                        values[(d, pol, sc, target, s)] = float(f.get_value(**{target: s}))
    return time.perf_counter() - t0, values, queries


# ------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=str(ROOT / "models" / "korea_2017"))
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--chunk-size", type=int, default=500)
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="the all-cores run (default: every core)",
    )
    ap.add_argument(
        "--pgmpy-draws", type=int, default=2, help="draws pgmpy is timed on (then extrapolated)"
    )
    ap.add_argument("--out", default=str(ROOT / "out" / "bench_sweep"))
    ap.add_argument("--quick", action="store_true", help="1,000 draws, one pgmpy draw")
    args = ap.parse_args(argv)
    if args.quick:
        args.draws, args.pgmpy_draws = 1000, 1

    net = Network.from_file(args.model)
    design = design_for(net, args.draws, args.chunk_size, args.seed)
    n_cells = len(design.policies) * len(design.scenarios)
    n_targets = sum(len(s) for _, s in design.targets)
    print(
        f"model {net.name} ({len(net.variables)} variables, hash {net.model_hash}); "
        f"{len(design.policies)} policies x {len(design.scenarios)} scenarios = {n_cells} cells; "
        f"{n_targets} target states; {design.draws:,} draws in {design.n_chunks} chunks of {design.chunk_size}; "
        f"{design.n_rows:,} rows"
    )
    print(
        f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )

    t0 = time.perf_counter()
    draw_cpts(net, design.chunk_size, rng=chunk_rng(design.seed, 0))
    sample_s = (time.perf_counter() - t0) * design.n_chunks
    rss0 = peak_rss_mib(resource.RUSAGE_SELF)

    out = Path(args.out)
    one = time_sweep(design, out / "workers1", 1)
    rss1 = peak_rss_mib(resource.RUSAGE_SELF)
    many = time_sweep(design, out / f"workers{args.workers}", args.workers)
    traced = chunk_peak_mib(design)
    child_rss = peak_rss_mib(resource.RUSAGE_CHILDREN)
    print()
    print("estimative sweep (draws + batched engine + Parquet, end to end)")
    print(
        f"  1 worker (in process):  {one['seconds']:8.1f} s   {design.n_rows / one['seconds']:12,.0f} rows/s   "
        f"{design.draws * n_cells * n_targets / one['seconds']:10,.0f} queries x draws/s"
    )
    print(
        f"  {args.workers} workers (processes): {many['seconds']:7.1f} s   {design.n_rows / many['seconds']:12,.0f} rows/s"
    )
    print(f"  of which Dirichlet sampling ~{sample_s:.1f} s (single core, measured on one chunk)")
    print(
        f"  peak memory: RSS {rss1:.0f} MiB for the 1-worker run (of which {rss0:.0f} MiB after imports and model "
        f"load); largest worker process {child_rss:.0f} MiB; numpy/Python allocations per chunk "
        f"{traced:.0f} MiB (tracemalloc)"
    )
    print(f"  output: {one['parquet_mib']:.1f} MiB of Parquet")

    print()
    print(
        f"pgmpy VariableElimination on the first {args.pgmpy_draws} draw(s) (same draws) ...",
        flush=True,
    )
    pg_s, pg_values, queries = pgmpy_sweep(design, args.pgmpy_draws)
    per_draw = pg_s / args.pgmpy_draws
    pg_total = per_draw * design.draws
    df = read_sweep(out / "workers1")
    df = df[df["draw"] < args.pgmpy_draws]
    ours = {
        (int(r.draw), r.policy, r.scenario, r.target, r.state): r.probability
        for r in df.itertuples()
    }
    diffs = [abs(ours[k] - v) for k, v in pg_values.items()]
    print(
        f"  {queries} queries in {pg_s:.1f} s: {per_draw:.1f} s per draw, {pg_s / queries * 1000:.1f} ms per query"
    )
    print(f"  extrapolated to {design.draws:,} draws: {pg_total:,.0f} s ({pg_total / 3600:.1f} h)")
    print(
        f"  agreement with the sweep on those draws: max |difference| {max(diffs):.2e} over {len(diffs)} values"
    )
    if max(diffs) > 1e-8:
        print("  WARNING: answers differ", file=sys.stderr)
    print()
    single = pg_total / one["seconds"]
    allc = pg_total / many["seconds"]
    print(f"speedup: {single:,.0f}x on one core, {allc:,.0f}x with {args.workers} workers")
    print(
        f"sweep_seconds={many['seconds']:.2f} pgmpy_seconds_extrapolated={pg_total:.0f} "
        f"speedup_single_core={single:.0f} speedup_all_cores={allc:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
