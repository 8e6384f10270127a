"""Commands that analyse a judgment's uncertainty: ``sensitivity`` and ``sweep``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._random import make_rng, stream
from ..checks import check_count, check_level
from ..errors import UsageError
from ._args import add_conditions, conditions, load, target_state
from ._output import fmt_table, model_fields, out, print_json, without_model


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """How much a judgment rests on shaky numbers: its interval over parameter draws, the
    tornado of one-way sensitivities, the indicators to watch and the Sobol indices.

    The interval and the Sobol indices draw from their own streams of ``--seed`` ("interval",
    "sobol"), so changing ``--draws`` leaves the Sobol indices as they were.

    JSON: ``{"ok": true, "model", "model_hash", "target", "state", "conditions", "draws", "seed",
    "level", "interval": {"point", "mean", "median", "low", "high", "valid_draws"},
    "parameters", "tornado": [{"parameter", "variable", "state", "parents", "value", "low_x",
    "high_x", "low_value", "high_value", "swing", "derivative", "a", "b", "c", "d"}],
    "indicators": [{"variable", "mutual_information", "entropy_reduction", "low_state",
    "low_value", "high_state", "high_value", "swing", "states": {state: {"probability",
    "judgment"}}}], "sobol": {"n", "evaluations", "conf_level", "output_mean", "output_variance",
    "indices": [{"group", "S1", "S1_conf", "ST", "ST_conf"}]}, "charts": [path...], "flip": null or
    {"policy_a", "policy_b", "score", "value_a", "value_b", "level", "statement", "model_hash",
    "flips": [{"parameter", "variable", "value", "crossing", "change", "low_x", "high_x",
    "within_range", "exact"}]}}``.
    Lists are cut to ``--top``; numbers are raw, NaN is null.
    """
    from ..sensitivity import global_sensitivity, indicators, one_way
    from ..uncertainty import query_interval

    net = load(args.path)
    net = net.with_window(args.target.partition("=")[0].strip())  # a window the model lacks
    target, state = target_state(net, args.target)
    # Checked before anything is computed: the Sobol design comes last and would fail late.
    check_count(args.draws, name="draws", minimum=1, example=2000)
    check_count(args.top, name="top", minimum=1, example=10)
    level = check_level(args.level)
    if args.sobol_n < 2 or args.sobol_n & (args.sobol_n - 1):
        raise UsageError(
            "n, the Saltelli base sample, must be a power of 2",
            field="n",
            found=str(args.sobol_n),
            fix="e.g. n=512",
        )
    cond = conditions(args, net)
    if args.by_analyst:
        from .by_analyst import cmd_by_analyst

        return cmd_by_analyst(args, net, target, state, cond, level)
    rng = make_rng(args.seed)
    iv = query_interval(
        net, target, state, **cond, draws=args.draws, rng=stream(rng, "interval"), level=level
    )
    sens = one_way(net, target, state, **cond, level=level)
    ind = indicators(net, target, state, **cond)
    sobol = global_sensitivity(net, target, state, **cond, n=args.sobol_n, rng=stream(rng, "sobol"))
    flips = None
    if args.flip:
        from ..sensitivity import flip_points, target_probability

        a, b = (None if x == "baseline" else x for x in args.flip)
        score = target_probability(
            target,
            state,
            given=cond["given"],
            do=cond["do"],
            soft=cond["soft"],
            scenario=cond["scenario"],
        )
        flips = flip_points(net, a, b, score=score, level=level)
    charts = _write_charts(args, f"{target}-{state}", sens, ind, sobol) if args.chart_dir else []
    d = iv.to_dict()
    tornado = sens.to_frame().head(args.top)
    if args.json:
        print_json(
            {
                "ok": True,
                **model_fields(net.name, net.model_hash),
                "target": target,
                "state": state,
                "conditions": iv.conditions,
                "draws": args.draws,
                "seed": args.seed,
                "level": args.level,
                "interval": {
                    k: d[k] for k in ("point", "mean", "median", "low", "high", "valid_draws")
                },
                "parameters": len(sens.functions),
                "tornado": tornado.to_dict("records"),
                "indicators": ind.to_dict()["indicators"][: args.top],
                "sobol": {
                    k: v
                    for k, v in without_model(sobol.to_dict()).items()
                    if k not in ("label", "indices")
                }
                | {"indices": sobol.to_frame().head(args.top).to_dict("records")},
                "charts": charts,
                "flip": None
                if flips is None
                else {k: v for k, v in flips.to_dict().items() if k != "flips"}
                | {"flips": flips.to_dict()["flips"][: args.top]},
            }
        )
        return 0
    _print_sensitivity(args, net, iv, sens, tornado, ind, sobol, flips, charts)
    return 0


def _write_charts(
    args: argparse.Namespace, stem: str, sens: Any, ind: Any, sobol: Any
) -> list[str]:
    """The tornado, indicators and Sobol charts in ``--chart-dir``; their paths."""
    from pathlib import Path

    from ..charts.sensitivity import indicators_figure, save_figure, sobol_figure, tornado_figure

    folder = Path(args.chart_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        str(save_figure(fig, folder / f"{stem}-{name}.{args.chart_format}"))
        for name, fig in (
            ("tornado", tornado_figure(sens, top=args.top)),
            ("indicators", indicators_figure(ind, top=args.top)),
            ("sobol", sobol_figure(sobol, top=args.top)),
        )
    ]


def _print_sensitivity(
    args: argparse.Namespace,
    net: Any,
    iv: Any,
    sens: Any,
    tornado: Any,
    ind: Any,
    sobol: Any,
    flips: Any,
    charts: list[str],
) -> None:
    d = iv.to_dict()
    pct = f"{100 * args.level:g}%"
    out(f"Sensitivity of {iv.label}")
    out(f"model {net.name}, hash {net.model_hash}")
    out()
    out(
        f"Interval over {d['valid_draws']:,} parameter draws (seed {args.seed}; each CPT column Dirichlet):"
    )
    out(
        f"  point {d['point']:.4f}; mean {d['mean']:.4f}, median {d['median']:.4f}; "
        f"{pct} interval {d['low']:.4f} to {d['high']:.4f}"
    )
    out()
    out(
        f"Tornado: the {min(args.top, len(sens.functions))} of {len(sens.functions)} parameters that move it most "
        f"across their {pct} credible ranges (the rest of each column co-varies):"
    )
    out(
        fmt_table(
            ["parameter", "value", "range", "P at low", "P at high", "swing", "d P/d x"],
            [
                (
                    r.parameter,
                    f"{r.value:.3f}",
                    f"{r.low_x:.3f}-{r.high_x:.3f}",
                    f"{r.low_value:.4f}",
                    f"{r.high_value:.4f}",
                    f"{r.swing:.4f}",
                    f"{r.derivative:+.4f}",
                )
                for r in tornado.itertuples()
            ],
        )
    )
    out()
    out(f"Indicators to watch: what observing each variable would tell (now {ind.point:.4f}):")
    out(
        fmt_table(
            ["variable", "MI (bits)", "entropy cut", "lowest if seen", "highest if seen"],
            [
                (
                    r["variable"],
                    f"{r['mutual_information']:.5f}",
                    f"{100 * r['entropy_reduction']:.2f}%",
                    f"{r['low_value']:.4f} ({r['low_state']})",
                    f"{r['high_value']:.4f} ({r['high_state']})",
                )
                for r in ind.to_frame().head(args.top).to_dict("records")
            ],
        )
    )
    out()
    out(
        f"Sobol indices, one group per CPT ({sobol.evaluations:,} evaluations; +- {100 * sobol.conf_level:g}% "
        "bootstrap half-widths):"
    )
    out(
        fmt_table(
            ["CPT of", "S1", "+-", "ST", "+-"],
            [
                (
                    r["group"],
                    f"{r['S1']:.3f}",
                    f"{r['S1_conf']:.3f}",
                    f"{r['ST']:.3f}",
                    f"{r['ST_conf']:.3f}",
                )
                for r in sobol.to_frame().head(args.top).to_dict("records")
            ],
        )
    )
    if flips is not None:
        out()
        out(f"Flip-points, {args.flip[0]} against {args.flip[1]}:")
        out("  " + flips.statement())
        rows = [r for r in flips.to_frame().to_dict("records") if r["crossing"] == r["crossing"]][
            : args.top
        ]
        if rows:
            out(
                fmt_table(
                    ["parameter", "value", "flips at", f"{pct} range", "inside range"],
                    [
                        (
                            r["parameter"],
                            f"{r['value']:.3f}",
                            f"{r['crossing']:.3f}",
                            f"{r['low_x']:.3f}-{r['high_x']:.3f}",
                            "yes" if r["within_range"] else "no",
                        )
                        for r in rows
                    ],
                )
            )
    if charts:
        out()
        out("charts: " + ", ".join(charts))


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep file into a Parquet dataset, resuming an interrupted run of the same sweep.

    JSON: ``{"ok": true, "sweep", "title", "out", "sidecar", "model", "model_hash", "settings_hash",
    "draws", "seed", "chunk_size", "rows", "chunks": {"total", "computed", "reused"},
    "workers", "scheduler", "seconds", "columns"}``.
    """
    from ..sweep import COLUMNS, load_sweep, run_sweep

    design = load_sweep(args.sweep, draws=args.draws, seed=args.seed, chunk_size=args.chunk_size)
    folder = args.out if args.out else design.output
    bar = None
    if not args.json and sys.stderr.isatty():
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread, so local workers can start by fork
        bar = tqdm(
            total=design.n_chunks,
            unit="chunk",
            desc=f"sweep {design.net.name}",
            file=sys.stderr,
            dynamic_ncols=True,
        )

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.n = done
            bar.refresh()

    try:
        result = run_sweep(
            design, out=folder, workers=args.workers, scheduler=args.scheduler, progress=progress
        )
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        # SweepResult has no to_dict() yet: its fields and the design's, by hand.
        print_json(
            {
                "ok": True,
                "sweep": args.sweep,
                "title": design.title,
                "out": str(result.out),
                "sidecar": str(result.sidecar),
                **model_fields(design.net.name, result.model_hash),
                "settings_hash": result.settings_hash,
                "draws": design.draws,
                "seed": design.seed,
                "chunk_size": design.chunk_size,
                "rows": result.rows,
                "chunks": {
                    "total": result.chunks,
                    "computed": result.chunks_computed,
                    "reused": result.chunks_reused,
                    "redone": list(result.redone),
                },
                "workers": result.workers,
                "scheduler": args.scheduler,
                "seconds": result.seconds,
                "columns": [c for c, _, _ in COLUMNS],
            }
        )
        return 0
    cells = f"{len(design.policies)} policies x {len(design.scenarios)} scenarios"
    if design.parameters:
        cells += f" x {design.settings_count} parameter settings"
    out(
        f"sweep {args.sweep}: model {design.net.name} (hash {result.model_hash}), seed {design.seed}"
    )
    out(
        f"  {design.draws:,} draws x {cells} x {sum(len(s) for _, s in design.targets)} target state(s)"
    )
    out(
        f"  wrote {result.rows:,} rows to {result.out} ({result.chunks} chunks: {result.chunks_computed} computed now, "
        f"{result.chunks_reused} kept from an earlier run) in {result.seconds:.1f} s"
    )
    if result.redone:
        out(
            f"  recomputed {len(result.redone)} part(s) found on disk whose checksum or row count "
            f"did not match the manifest: {', '.join(result.redone)}"
        )
    out(f"  sidecar {result.sidecar}; settings hash {result.settings_hash}")
    out(f'  read it with pandas.read_parquet("{result.out}") or estimative.sweep.read_sweep')
    return 0


def register(add: Any) -> None:
    """Add this group's commands with ``add(name, function, help)`` (see :func:`estimative.cli.main`)."""
    p = add(
        "sensitivity",
        cmd_sensitivity,
        "how much a judgment rests on shaky numbers: its interval, the "
        "tornado of one-way sensitivities, indicators to watch, Sobol indices",
    )
    p.add_argument("path")
    p.add_argument(
        "--target",
        required=True,
        metavar="VAR[=STATE]",
        help="the judgment; without a state: the model's outcome state for VAR, else its last state",
    )
    add_conditions(p)
    p.add_argument(
        "--draws", type=int, default=2000, help="parameter draws for the interval (default 2000)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--level", type=float, default=0.9, help="interval and credible-range level (default 0.9)"
    )
    p.add_argument(
        "--top", type=int, default=10, metavar="K", help="rows per table and chart (default 10)"
    )
    p.add_argument(
        "--sobol-n",
        type=int,
        default=1024,
        metavar="N",
        help="Saltelli base sample, a power of 2 (default 1024)",
    )
    p.add_argument(
        "--chart-dir", metavar="DIR", help="write the tornado, indicators and Sobol charts here"
    )
    p.add_argument(
        "--chart-format",
        choices=["svg", "png", "pdf"],
        default="svg",
        help="chart format (default svg)",
    )
    p.add_argument(
        "--by-analyst",
        action="store_true",
        help="instead: the judgment with each analyst's numbers alone (a model with analysts:), "
        "its interval split into within- and between-analyst parts",
    )
    p.add_argument(
        "--flip",
        nargs=2,
        metavar=("POLICY_A", "POLICY_B"),
        help="also find the smallest single-parameter change that reverses the ranking of two "
        "policies on this judgment ('baseline' for no intervention)",
    )

    p = add(
        "sweep",
        cmd_sweep,
        "run a sweep file: targets over policies x scenarios x parameter draws, "
        "to a resumable Parquet dataset",
    )
    p.add_argument("sweep", metavar="SWEEP.yaml")
    p.add_argument("--draws", type=int, help="parameter draws (overrides the file)")
    p.add_argument("--seed", type=int, help="random seed (overrides the file)")
    p.add_argument(
        "--chunk-size", type=int, help="draws per chunk and part file (overrides the file)"
    )
    p.add_argument("--out", metavar="DIR", help="output folder (overrides the file's output:)")
    p.add_argument(
        "--workers", type=int, metavar="K", help="local worker processes (default: every core)"
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="run the chunks on a Dask cluster, e.g. tcp://127.0.0.1:8786",
    )
