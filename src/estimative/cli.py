"""The ``estimative`` command. The only module that parses arguments and prints.

Exit status: 0 success, 2 usage or model error (the message names file, line and field),
1 anything else. ``--debug`` shows a traceback for unexpected errors.

Every command that prints results takes ``--json``; its output is one JSON object on stdout
(documented in docs/cli.md). On an error with ``--json``, stdout holds
``{"ok": false, "error": {"kind": ..., "problems": [...]}}`` and the text goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ._version import __version__
from .errors import EstimativeError, UsageError

Command = Callable[[argparse.Namespace], int]


# ------------------------------------------------------------------------------------------- io
def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, sort_keys=False, default=_jsonable) + "\n")


def _jsonable(o: Any) -> Any:
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if hasattr(o, "isoformat"):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _fmt_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [list(map(str, header))] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    numeric = [all(_looks_numeric(r[i]) for r in cells[1:]) and len(cells) > 1 for i in range(len(header))]
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if numeric[j] else c.ljust(w) for j, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _looks_numeric(text: str) -> bool:
    t = text.strip().rstrip("%").replace(",", "")
    try:
        float(t)
    except ValueError:
        return False
    return True


def _pairs(items: Sequence[str] | None, flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"{flag} takes VARIABLE=STATE", found=repr(item), fix=f"write e.g. {flag} icbm_test=yes")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _soft(items: Sequence[str] | None) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError("--soft takes VARIABLE=L1,L2,...", found=repr(item), fix="write e.g. --soft china_enforcement=0.2,0.8")
        k, v = item.split("=", 1)
        try:
            out[k.strip()] = [float(x) for x in v.split(",")]
        except ValueError:
            raise UsageError("--soft likelihoods must be numbers", found=repr(v)) from None
    return out


def _load(path: str) -> Any:
    from .network import Network

    return Network.from_file(path)


# ------------------------------------------------------------------------------------- commands
def _cmd_validate(args: argparse.Namespace) -> int:
    from .files import load_model
    from .network import Network

    spec = load_model(args.path)
    net = Network(spec)
    problems = []
    claims_checked = 0
    import importlib.util

    if spec.claims and importlib.util.find_spec("estimative.claims") is not None:
        from .claims import check_claims

        problems = check_claims(net)
        claims_checked = len(spec.claims)
    quotes = sum(len(v.cpt.sources) for v in spec.variables) + len(spec.claims) + sum(
        len(p.sources) for p in spec.policies) + sum(len(s.sources) for s in spec.scenarios)
    summary = {
        "ok": not problems,
        "model": spec.name,
        "path": args.path,
        "hash": spec.model_hash,
        "counts": {
            "variables": len(spec.variables),
            "policies": len(spec.policies),
            "scenarios": len(spec.scenarios),
            "claims": len(spec.claims),
            "questions": len(spec.questions),
            "quotes": quotes,
        },
        "claims_checked": claims_checked,
        "problems": [p.to_dict() for p in problems],
    }
    if args.json:
        _json(summary)
    if problems:
        for p in problems:
            sys.stderr.write(f"error: {p}\n")
        sys.stderr.write(f"{len(problems)} problem(s) in {args.path}\n")
        return 2
    if not args.json:
        c = summary["counts"]
        _out(f"{args.path}: valid ({spec.title})")
        _out(f"  {c['variables']} variables, {c['policies']} policies, {c['scenarios']} scenarios, "
             f"{c['questions']} questions")
        _out(f"  {quotes} quotes found verbatim in their sources; {claims_checked} claims hold")
        _out(f"  model hash {spec.model_hash}")
    return 0


def _provenance(v: Any) -> str:
    cpt = v.cpt
    if cpt.sources and not cpt.assumption:
        return f"{len(cpt.sources)} quote(s)"
    if cpt.sources:
        return f"assumption + {len(cpt.sources)} quote(s)"
    return "assumption" if cpt.assumption else "none"


def _cmd_show(args: argparse.Namespace) -> int:
    from .spec.elicitation import default_strength

    net = _load(args.path)
    spec = net.spec
    variables = [spec.variable(v) for v in net.variables]
    if args.variable:
        net.index(args.variable)
        variables = [spec.variable(args.variable)]
    if args.json:
        _json({
            "model": spec.name, "title": spec.title, "as_of": spec.as_of, "hash": spec.model_hash,
            "variables": [{
                "id": v.id, "label": v.label, "kind": v.kind, "states": v.states, "parents": v.parents,
                "cpt_form": v.cpt.form, "strength": default_strength(v.cpt), "assumption": v.cpt.assumption,
                "rationale": v.cpt.rationale,
                "sources": [c.model_dump() for c in v.cpt.sources],
                "table": net.cpt(v.id),
            } for v in variables],
            "policies": [p.model_dump() for p in spec.policies],
            "scenarios": [s.model_dump() for s in spec.scenarios],
        })
        return 0
    _out(f"{spec.title} (as of {spec.as_of}; model {spec.name}, hash {spec.model_hash})")
    _out()
    rows = [(v.id, v.kind, "/".join(v.states), ",".join(v.parents) or "-", v.cpt.form, f"{default_strength(v.cpt):g}",
             _provenance(v)) for v in variables]
    _out(_fmt_table(["variable", "kind", "states", "parents", "cpt", "strength", "provenance"], rows))
    if args.variable:
        v = variables[0]
        _out()
        _out(f"{v.label}: {v.description}".strip())
        for c in v.cpt.sources:
            _out(f'  [{c.source}] "{c.quote.strip()}"')
        if v.cpt.rationale:
            _out(f"  rationale: {v.cpt.rationale.strip()}")
        return 0
    if spec.policies:
        _out()
        _out(_fmt_table(["policy", "label", "do()"], [(p.id, p.label, ", ".join(f"{k}={s}" for k, s in p.do.items())) for p in spec.policies]))
    if spec.scenarios:
        _out()
        _out(_fmt_table(["scenario", "label", "evidence"], [
            (s.id, s.label, ", ".join([f"{k}={x}" for k, x in s.given.items()] + [f"{k}~soft" for k in s.soft]))
            for s in spec.scenarios]))
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    net = _load(args.path)
    post = net.query(args.target, given=_pairs(args.given, "--given"), do=_pairs(args.do, "--do"),
                     soft=_soft(args.soft), policy=args.policy or None, scenario=args.scenario)
    if args.json:
        _json({
            "model": net.name, "hash": net.model_hash, "target": post.variable,
            "given": dict(post.given), "do": dict(post.do), "soft": {k: dict(v) for k, v in post.soft.items()},
            "probabilities": post.to_dict(), "evidence_probability": post.evidence_probability,
        })
        return 0
    cond = post.condition_text()
    _out(f"P({post.variable}{' | ' + cond if cond else ''})   [model {net.name}, hash {net.model_hash}]")
    _out(_fmt_table(["state", "probability"], [(s, f"{p:.4f}") for s, p in post.to_dict().items()]))
    return 0


def _outcome_rows(net: Any) -> list[tuple[str, str, str]]:
    spec = net.spec
    if spec.outcomes:
        return [(o.label, o.target, o.state) for o in spec.outcomes]
    return [(v, v, net.states[v][-1]) for v in net.variables if net.parents[v]]


def _outcome_keys(net: Any) -> list[str]:
    """Short column names for the outcomes: their ids, or the target variables."""
    spec = net.spec
    if spec.outcomes:
        return [o.id for o in spec.outcomes]
    return [v for v in net.variables if net.parents[v]]


def _cmd_compare(args: argparse.Namespace) -> int:
    net = _load(args.path)
    spec = net.spec
    policies = args.policy or [p.id for p in spec.policies]
    columns = [("baseline", None)] + [(p, p) for p in policies]
    outcomes = _outcome_rows(net)
    values = {
        (label, col): net.query(target, policy=pol, scenario=args.scenario)[state]
        for label, target, state in outcomes for col, pol in columns
    }
    if args.json:
        _json({
            "model": spec.name, "hash": spec.model_hash, "scenario": args.scenario,
            "columns": [c for c, _ in columns],
            "rows": [{"outcome": label, "target": t, "state": s,
                      "probabilities": {c: values[(label, c)] for c, _ in columns}} for label, t, s in outcomes],
        })
        return 0
    _out(f"{spec.title}")
    _out(f"as of {spec.as_of}; model {spec.name}, hash {spec.model_hash}"
         + (f"; scenario {args.scenario}" if args.scenario else ""))
    _out("Probability of each outcome under the baseline (each government as the analyst expects)")
    _out("and under each policy (do() of its instruments):")
    _out()
    # One row per policy, one short column per outcome: stays readable with many policies.
    keys = _outcome_keys(net)
    header = ["policy", *keys]
    rows = [[c] + [f"{100 * values[(label, c)]:.1f}%" for label, _, _ in outcomes] for c, _ in columns]
    _out(_fmt_table(header, rows))
    _out()
    _out("Outcomes:")
    for key, (label, t, st) in zip(keys, outcomes, strict=True):
        _out(f"  {key}: {label} ({t}={st})")
    if spec.policies:
        _out("Policies:")
        _out("  baseline: no intervention; every decision at its prior")
        for p in spec.policies:
            if p.id in policies:
                _out(f"  {p.id}: {p.label}")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    """Run a sweep file into a Parquet dataset, resuming an interrupted run of the same sweep.

    JSON: ``{"ok": true, "sweep", "title", "out", "sidecar", "model", "hash", "settings_hash",
    "draws", "seed", "chunk_size", "rows", "chunks": {"total", "computed", "reused"},
    "workers", "scheduler", "seconds", "columns"}``.
    """
    from .sweep import COLUMNS, load_sweep, run_sweep

    design = load_sweep(args.sweep, draws=args.draws, seed=args.seed, chunk_size=args.chunk_size)
    out = args.out if args.out else design.output
    bar = None
    if not args.json and sys.stderr.isatty():
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread, so local workers can start by fork
        bar = tqdm(total=design.n_chunks, unit="chunk", desc=f"sweep {design.net.name}", file=sys.stderr,
                   dynamic_ncols=True)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.n = done
            bar.refresh()

    try:
        result = run_sweep(design, out=out, workers=args.workers, scheduler=args.scheduler, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        _json({
            "ok": True, "sweep": args.sweep, "title": design.title, "out": str(result.out), "sidecar": str(result.sidecar),
            "model": design.net.name, "hash": result.model_hash, "settings_hash": result.settings_hash,
            "draws": design.draws, "seed": design.seed, "chunk_size": design.chunk_size, "rows": result.rows,
            "chunks": {"total": result.chunks, "computed": result.chunks_computed, "reused": result.chunks_reused},
            "workers": result.workers, "scheduler": args.scheduler,
            "seconds": result.seconds, "columns": [c for c, _, _ in COLUMNS],
        })
        return 0
    cells = f"{len(design.policies)} policies x {len(design.scenarios)} scenarios"
    if design.parameters:
        cells += f" x {design.settings_count} parameter settings"
    _out(f"sweep {args.sweep}: model {design.net.name} (hash {result.model_hash}), seed {design.seed}")
    _out(f"  {design.draws:,} draws x {cells} x {sum(len(s) for _, s in design.targets)} target state(s)")
    _out(f"  wrote {result.rows:,} rows to {result.out} ({result.chunks} chunks: {result.chunks_computed} computed now, "
         f"{result.chunks_reused} kept from an earlier run) in {result.seconds:.1f} s")
    _out(f"  sidecar {result.sidecar}; settings hash {result.settings_hash}")
    _out(f'  read it with pandas.read_parquet("{result.out}") or estimative.sweep.read_sweep')
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    net = _load(args.path)
    expl = net.map(args.variables or None, given=_pairs(args.given, "--given"), do=_pairs(args.do, "--do"),
                   soft=_soft(args.soft), policy=args.policy or None, scenario=args.scenario)
    if args.json:
        _json({"model": net.name, "hash": net.model_hash, "assignment": dict(expl.assignment),
               "probability": expl.probability, "given": dict(expl.given), "do": dict(expl.do)})
        return 0
    _out(f"Most probable explanation (P = {expl.probability:.4g})   [model {net.name}, hash {net.model_hash}]")
    _out(_fmt_table(["variable", "state"], list(expl.assignment.items())))
    return 0


def _target_state(net: Any, text: str) -> tuple[str, str]:
    """``VAR=STATE``, or ``VAR`` alone: the state of the model's outcome on VAR, else its last state."""
    var, _, state = text.partition("=")
    var, state = var.strip(), state.strip()
    net.index(var)
    if not state:
        outcome = next((o for o in net.spec.outcomes if o.target == var), None)
        state = outcome.state if outcome is not None else net.states[var][-1]
    net.state_index(var, state)
    return var, state


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    """How much a judgment rests on shaky numbers: its interval over parameter draws, the
    tornado of one-way sensitivities, the indicators to watch and the Sobol indices.

    JSON: ``{"ok": true, "model", "hash", "target", "state", "conditions", "draws", "seed",
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
    from pathlib import Path

    import numpy as np

    from .sensitivity import global_sensitivity, indicators, one_way
    from .uncertainty import query_interval

    net = _load(args.path)
    target, state = _target_state(net, args.target)
    if args.draws < 1:
        raise UsageError("--draws must be at least 1", found=str(args.draws))
    if args.top < 1:
        raise UsageError("--top must be at least 1", found=str(args.top))
    if not 0 < args.level < 1:
        raise UsageError("--level must be strictly between 0 and 1", found=str(args.level), fix="e.g. --level 0.9")
    if args.sobol_n < 2 or args.sobol_n & (args.sobol_n - 1):
        raise UsageError("--sobol-n must be a power of 2", found=str(args.sobol_n), fix="e.g. --sobol-n 512")
    cond = dict(given=_pairs(args.given, "--given"), do=_pairs(args.do, "--do"), soft=_soft(args.soft),
                policy=args.policy or None, scenario=args.scenario)
    rng = np.random.default_rng(args.seed)
    iv = query_interval(net, target, state, **cond, draws=args.draws, rng=rng, level=args.level)
    sens = one_way(net, target, state, **cond, level=args.level)
    ind = indicators(net, target, state, **cond)
    sobol = global_sensitivity(net, target, state, **cond, n=args.sobol_n, rng=rng)
    flips = None
    if args.flip:
        from .sensitivity import flip_points, target_probability

        a, b = (None if x == "baseline" else x for x in args.flip)
        score = target_probability(target, state, given=cond["given"], do=cond["do"], soft=cond["soft"],
                                   scenario=cond["scenario"])
        flips = flip_points(net, a, b, score=score, level=args.level)
    charts: list[str] = []
    if args.chart_dir:
        from .charts.sensitivity import indicators_figure, save_figure, sobol_figure, tornado_figure

        folder = Path(args.chart_dir)
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{target}-{state}"
        for name, fig in (("tornado", tornado_figure(sens, top=args.top)),
                          ("indicators", indicators_figure(ind, top=args.top)),
                          ("sobol", sobol_figure(sobol, top=args.top))):
            charts.append(str(save_figure(fig, folder / f"{stem}-{name}.{args.chart_format}")))
    d = iv.to_dict()
    tornado = sens.to_frame().head(args.top)
    if args.json:
        _json({
            "ok": True, "model": net.name, "hash": net.model_hash, "target": target, "state": state,
            "conditions": iv.conditions, "draws": args.draws, "seed": args.seed, "level": args.level,
            "interval": {k: _finite(d[k]) for k in ("point", "mean", "median", "low", "high")}
            | {"valid_draws": d["valid_draws"]},
            "parameters": len(sens.functions),
            "tornado": [{k: _finite(v) for k, v in r.items()} for r in tornado.to_dict("records")],
            "indicators": [{k: _finite(v) for k, v in r.items()} for r in ind.to_dict()["indicators"][: args.top]],
            "sobol": {k: v for k, v in sobol.to_dict().items() if k not in ("label", "model_hash", "indices")}
            | {"indices": [{k: _finite(v) for k, v in r.items()} for r in sobol.to_frame().head(args.top).to_dict("records")]},
            "charts": charts,
            "flip": None if flips is None else {
                k: v for k, v in flips.to_dict().items() if k != "flips"
            } | {"flips": [{k: _finite(v) for k, v in r.items()} for r in flips.to_dict()["flips"][: args.top]]},
        })
        return 0
    pct = f"{100 * args.level:g}%"
    _out(f"Sensitivity of {iv.label}")
    _out(f"model {net.name}, hash {net.model_hash}")
    _out()
    _out(f"Interval over {d['valid_draws']:,} parameter draws (seed {args.seed}; each CPT column Dirichlet):")
    _out(f"  point {d['point']:.4f}; mean {d['mean']:.4f}, median {d['median']:.4f}; "
         f"{pct} interval {d['low']:.4f} to {d['high']:.4f}")
    _out()
    _out(f"Tornado: the {min(args.top, len(sens.functions))} of {len(sens.functions)} parameters that move it most "
         f"across their {pct} credible ranges (the rest of each column co-varies):")
    _out(_fmt_table(["parameter", "value", "range", "P at low", "P at high", "swing", "d P/d x"], [
        (r.parameter, f"{r.value:.3f}", f"{r.low_x:.3f}-{r.high_x:.3f}", f"{r.low_value:.4f}", f"{r.high_value:.4f}",
         f"{r.swing:.4f}", f"{r.derivative:+.4f}") for r in tornado.itertuples()]))
    _out()
    _out(f"Indicators to watch: what observing each variable would tell (now {ind.point:.4f}):")
    _out(_fmt_table(["variable", "MI (bits)", "entropy cut", "lowest if seen", "highest if seen"], [
        (r["variable"], f"{r['mutual_information']:.5f}", f"{100 * r['entropy_reduction']:.2f}%",
         f"{r['low_value']:.4f} ({r['low_state']})", f"{r['high_value']:.4f} ({r['high_state']})")
        for r in ind.to_frame().head(args.top).to_dict("records")]))
    _out()
    _out(f"Sobol indices, one group per CPT ({sobol.evaluations:,} evaluations; +- {100 * sobol.conf_level:g}% "
         "bootstrap half-widths):")
    _out(_fmt_table(["CPT of", "S1", "+-", "ST", "+-"], [
        (r["group"], f"{r['S1']:.3f}", f"{r['S1_conf']:.3f}", f"{r['ST']:.3f}", f"{r['ST_conf']:.3f}")
        for r in sobol.to_frame().head(args.top).to_dict("records")]))
    if flips is not None:
        _out()
        _out(f"Flip-points, {args.flip[0]} against {args.flip[1]}:")
        _out("  " + flips.statement())
        rows = [r for r in flips.to_frame().to_dict("records") if r["crossing"] == r["crossing"]][: args.top]
        if rows:
            _out(_fmt_table(["parameter", "value", "flips at", f"{pct} range", "inside range"], [
                (r["parameter"], f"{r['value']:.3f}", f"{r['crossing']:.3f}", f"{r['low_x']:.3f}-{r['high_x']:.3f}",
                 "yes" if r["within_range"] else "no") for r in rows]))
    if charts:
        _out()
        _out("charts: " + ", ".join(charts))
    return 0


def _finite(x: Any) -> Any:
    """NaN and infinities as JSON null."""
    import math

    return None if isinstance(x, float) and not math.isfinite(x) else x


def _cmd_decide(args: argparse.Namespace) -> int:
    """Expected utility of each policy with its interval and P(best), the optimal decision
    rules, value of information, and (``--tree``) the decision tree.

    JSON: ``{"model", "hash", "title", "unit", "weights", "weights_overridden", "draws", "seed",
    "level", "alternatives": [{"id", "label", "kind", "do", "expected_utility", "low", "high",
    "prob_best", "contributions": {attribute: weight x expected value}}], "best", "meu",
    "rules": [{"decision", "information", "description", "rows": [{"configuration", "choice",
    "expected": {state: EU}, "probability", "reachable"}]}], "value_of_information":
    {"eu_without", "best_without", "rows": [{"variable", "measure", "value", "best_by_state"}],
    "excluded": {variable: reason}}, "tree", "weight_map"}``; numbers are raw, NaN is null.
    """
    import numpy as np

    from .decision import analyze, decision_tree, parse_weights, weight_map

    net = _load(args.path)
    weights = parse_weights(args.weights or [])
    if args.draws < 0:
        raise UsageError("--draws must be 0 (no intervals) or more", found=str(args.draws))
    analysis = analyze(net, weights=weights, policies=args.policy or None, draws=args.draws,
                       rng=np.random.default_rng(args.seed), level=args.level, seed=args.seed)
    eu, sol, voi = analysis.expected, analysis.solution, analysis.information
    tree_path = wmap_path = None
    if args.tree:
        from .charts.decision import decision_tree_figure, save_figure, save_text

        tree = decision_tree(net, weights=weights, policies=args.policy or None)
        if args.tree.lower().endswith(".md"):
            tree_path = str(save_text(tree.to_markdown(), args.tree))
        else:
            tree_path = str(save_figure(decision_tree_figure(tree), args.tree))
    if args.weight_map:
        from .charts.decision import save_figure, weight_map_figure

        x, y, out = args.weight_map
        wmap = weight_map(net, x, y, weights=weights, policies=args.policy or None)
        wmap_path = str(save_figure(weight_map_figure(wmap), out))
    low, high, pbest, contrib = eu.low, eu.high, eu.prob_best, eu.contributions
    if args.table:
        from .decision import decision_table

        table = decision_table(net, weights=weights)
    if args.json:
        _json({
            "model": net.name, "hash": net.model_hash, "title": net.spec.title, "unit": eu.unit,
            "weights": dict(eu.weights), "weights_overridden": weights, "draws": eu.n_draws,
            "seed": args.seed, "level": eu.level,
            "alternatives": [{
                "id": pid, "label": eu.labels[i], "kind": eu.kinds[i], "do": dict(eu.do[i]),
                "expected_utility": float(eu.eu[i]), "low": _finite(float(low[i])), "high": _finite(float(high[i])),
                "prob_best": _finite(float(pbest[i])),
                "contributions": {a: float(contrib[i, j]) for j, a in enumerate(eu.attributes)},
            } for i, pid in enumerate(eu.ids)],
            "best": eu.best,
            "meu": None if sol is None else sol.meu,
            "rules": [] if sol is None else [{
                "decision": r.decision, "information": list(r.information), "description": r.describe(),
                "rows": [{
                    "configuration": config,
                    "choice": None if int(r.choice_index[idx]) < 0 else r.states[int(r.choice_index[idx])],
                    "expected": {s: _finite(float(r.expected[(*idx, k)])) for k, s in enumerate(r.states)},
                    "probability": float(r.probability[idx]), "reachable": bool(r.reachable[idx]),
                } for config, idx in r.configurations()],
            } for r in sol.rules],
            "value_of_information": {
                "eu_without": voi.eu_without, "best_without": voi.best_without,
                "rows": [{"variable": row.variable, "measure": row.measure, "value": float(row.value),
                          "best_by_state": dict(voi.best_by_state[voi.variables.index(row.variable)])}
                         for row in voi.to_frame().itertuples()],
                "excluded": dict(voi.excluded),
            },
            "tree": tree_path, "weight_map": wmap_path,
            "decision_table": None if not args.table else [
                {"id": t_id, "do": dict(t_do), "expected_utility": float(t_eu)}
                for t_id, t_do, t_eu in zip(table.ids, table.do, table.eu, strict=True)],
        })
        return 0
    _out(f"Decision analysis: {net.spec.title}")
    _out(f"model {net.name}, hash {net.model_hash}; utility in {eu.unit}")
    wtext = ", ".join(f"{a}={w:g}" + (" (set)" if a in weights else "") for a, w in eu.weights.items())
    _out(f"weights: {wtext}")
    if eu.n_draws:
        _out(f"{eu.n_draws} parameter draws (seed {args.seed}), {100 * eu.level:.0f}% intervals; "
             "P(best) counts the draws in which each alternative is best (the same draws for all)")
    _out()
    header = ["alternative", "EU"] + ([f"{100 * eu.level:.0f}% interval", "P(best)"] if eu.n_draws else []) + \
        list(eu.attributes)
    rows = []
    for i, pid in enumerate(eu.ids):
        row = [pid + (" *" if pid == eu.best else ""), f"{eu.eu[i]:.3f}"]
        if eu.n_draws:
            row += [f"{low[i]:.2f} to {high[i]:.2f}", "-" if np.isnan(pbest[i]) else f"{100 * pbest[i]:.1f}%"]
        row += [f"{contrib[i, j]:.2f}" for j in range(len(eu.attributes))]
        rows.append(row)
    _out(_fmt_table(header, rows))
    _out(f"* best: {eu.best} ({eu.labels[eu.index(eu.best)]}); attribute columns are weight x expected value")
    if "baseline" in eu.ids:
        _out("  baseline: every decision at the analyst's expectation (a reference, not a choice)")
    if args.table:
        order = np.argsort(-table.eu, kind="stable")
        _out()
        _out(f"Decision table: every combination of the decision variables, each set by do() ({len(table.ids)} rows, "
             "best first)")
        _out(_fmt_table(["combination", "EU"], [(table.ids[i], f"{table.eu[i]:.3f}") for i in order]))
    if sol is not None:
        _out()
        fixed = f" with {', '.join(f'{k}={v}' for k, v in sol.fixed.items())}" if sol.fixed else ""
        _out(f"Optimal decision rules{fixed} (every decision variable set to maximise expected utility; "
             f"maximum {sol.meu:.3f} {sol.unit}):")
        for r in sol.rules:
            _out(f"  {r.describe()}")
    _out()
    _out(f"Value of information: observing a variable before choosing among {len(voi.alternatives)} alternatives "
         f"(without it: {voi.best_without}, EU {voi.eu_without:.3f})")
    margin = dict(zip(voi.variables, voi.margin if voi.margin is not None else [np.nan] * len(voi.variables),
                      strict=True))
    for measure, what in (("EVSI", "indicators"), ("EVPI", "uncertainties")):
        top = voi.top(measure, n=args.top)
        if top:
            _out(f"  top {what} by {measure}:")
            _out("    " + _fmt_table(["variable", measure, "seen", "choice changes", "closest lead"], [
                (v, f"{x:.3f}", voi.timing[voi.variables.index(v)] if voi.timing else "before the choice",
                 "yes" if len(set(voi.best_by_state[voi.variables.index(v)].values())) > 1 else "no",
                 f"{margin[v]:.3f}") for v, x in top]).replace("\n", "\n    "))
    if len(voi.value) and float(np.max(voi.value)) == 0.0:
        _out(f"  no single observation would change the choice: {voi.best_without} stays best whatever is seen;")
        _out("  'closest lead' is its smallest lead over the runner-up across the states of the variable")
    if voi.excluded:
        _out(f"  {len(voi.excluded)} variable(s) depend on the choice and cannot be seen before it")
    if tree_path:
        _out()
        _out(f"decision tree written to {tree_path}")
    if wmap_path:
        _out(f"weight map written to {wmap_path}")
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    """The model's probability for each of its forecast questions, from the baseline.

    JSON: ``{"ok": true, "model", "hash", "as_of", "forecasts": [{"id", "text", "probability",
    "horizon", "resolution"}]}``.
    """
    from .scales import term_for
    from .scoring import forecasts

    net = _load(args.path)
    table = forecasts(net)
    if not table.rows:
        raise UsageError(f"the model {net.name} has no forecast questions", fix="add a questions: section (see docs/model-format.md)")
    if args.json:
        _json({"ok": True, **table.to_dict()})
        return 0
    _out(f"{net.spec.title}")
    _out(f"as of {table.as_of}; model {table.model}, hash {table.model_hash}")
    _out("Probability that each question resolves yes, from the baseline (each government as the analyst expects):")
    _out()
    rows = [(f.id, f"{100 * f.probability:.1f}%", term_for(f.probability).word, str(f.horizon), f.text) for f in table]
    _out(_fmt_table(["id", "probability", "ICD 203 term", "horizon", "question"], rows))
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    """Brier score, log score and calibration of the model's forecasts against a resolutions file.

    JSON: ``{"ok": true, "model", "hash", "resolutions", "n", "brier", "brier_note", "log_score",
    "log_note", "questions": [{"id", "text", "probability", "outcome", "squared_error",
    "log_score"}], "calibration": [{"low", "high", "count", "mean_forecast",
    "observed_frequency"}], "unresolved": [id, ...]}`` (an empty bin's mean and frequency are null).
    """
    from .scoring import forecasts, load_resolutions, score

    net = _load(args.path)
    table = forecasts(net)
    outcomes = load_resolutions(args.resolutions, questions=table.ids)
    report = score(table, outcomes, bins=args.bins)
    if args.json:
        _json({"ok": True, **{k: v for k, v in report.to_dict().items() if k not in {"model", "hash"}},
               "model": report.model, "hash": report.model_hash, "resolutions": args.resolutions})
        return 0
    _out(f"{net.spec.title}: {report.n} resolved question(s) from {args.resolutions}")
    _out(f"model {report.model}, hash {report.model_hash}")
    _out()
    _out(f"Brier score  {report.brier:.4f}   (mean squared error of the probabilities, 0 to 1; 0 is perfect, always 50% scores 0.25)")
    _out(f"log score   {report.log_score:.4f}   (mean natural log of the probability given to what happened; 0 is perfect)")
    _out()
    _out("Calibration")
    _out(_fmt_table(["forecast bin", "questions", "mean forecast", "observed frequency"], [
        (f"{100 * b.low:.0f}-{100 * b.high:.0f}%", b.count,
         "-" if b.count == 0 else f"{100 * b.mean_forecast:.1f}%",
         "-" if b.count == 0 else f"{100 * b.observed_frequency:.1f}%") for b in report.calibration]))
    _out()
    _out(_fmt_table(["id", "forecast", "outcome", "squared error", "log score"], [
        (q.id, f"{100 * q.probability:.1f}%", "yes" if q.outcome else "no", f"{q.squared_error:.4f}", f"{q.log_score:.4f}")
        for q in report.questions]))
    if report.unresolved:
        _out()
        _out(f"not scored (no resolution given): {', '.join(report.unresolved)}")
    return 0


def _cmd_brief(args: argparse.Namespace) -> int:
    """Write a probability brief: brief.md, brief.html and brief.pdf in ``-o DIR``.

    JSON: ``{"ok": true, "model", "hash", "title", "date", "scale", "draws", "seed", "policies",
    "scenario", "files": {"markdown", "html", "pdf"}, "judgments": [{"outcome", "label", "target",
    "state", "point", "low", "high", "level", "term", "likelihood", "confidence", "assumption_share"}]}``.
    """
    import datetime as dt

    from .brief import build_brief, likelihood_text, write_brief

    date = None
    if args.date is not None:
        try:
            date = dt.date.fromisoformat(args.date)
        except ValueError:
            raise UsageError("--date takes a date as YYYY-MM-DD", found=repr(args.date),
                             fix="write e.g. --date 2017-05-20") from None
    net = _load(args.path)
    brief = build_brief(net, policies=args.policy or None, scenario=args.scenario, scale=args.scale,
                        draws=args.draws, seed=args.seed, date=date)
    files = write_brief(brief, args.output)
    prm = brief.parameters
    if args.json:
        _json({
            "ok": True, "model": net.name, "hash": net.model_hash, "title": net.spec.title,
            "date": prm.date, "scale": prm.scale, "draws": prm.draws, "seed": prm.seed,
            "policies": list(prm.policies), "scenario": prm.scenario,
            "files": {"markdown": str(files.markdown), "html": str(files.html), "pdf": str(files.pdf)},
            "judgments": [{"outcome": j.outcome.id, "label": j.outcome.label, "target": j.outcome.target,
                           "state": j.outcome.state, "point": j.interval.point, "low": j.interval.low,
                           "high": j.interval.high, "level": j.interval.level, "term": j.term.word,
                           "likelihood": likelihood_text(j.interval.point, j.interval.low, j.interval.high,
                                                         scale=prm.scale, level=j.interval.level),
                           "confidence": j.confidence.level, "assumption_share": j.assumption_share}
                          for j in brief.judgments],
        })
        return 0
    _out(f"Probability brief: {net.spec.title} (model {net.name}, hash {net.model_hash})")
    for path in (files.markdown, files.html, files.pdf):
        _out(f"  {path}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    """Write the network to ``-o FILE`` as BIF, XMLBIF, XDSL (GeNIe), NET (HUGIN) or UAI.

    JSON: ``{"ok": true, "model", "hash", "format", "output", "variables"}``.
    """
    from .files import export_network

    net = _load(args.path)
    out = export_network(net, args.format, args.output)
    if args.json:
        _json({"ok": True, "model": net.name, "hash": net.model_hash, "format": args.format,
               "output": str(out), "variables": len(net.variables)})
        return 0
    _out(f"wrote {out} ({args.format}, {len(net.variables)} variables; model {net.name}, hash {net.model_hash})")
    return 0


# --------------------------------------------------------------------------------------- parser
def _add_conditions(p: argparse.ArgumentParser) -> None:
    p.add_argument("--given", action="append", metavar="VAR=STATE", help="hard evidence (repeatable)")
    p.add_argument("--do", action="append", metavar="VAR=STATE", help="intervention, do(VAR=STATE) (repeatable)")
    p.add_argument("--soft", action="append", metavar="VAR=L1,L2,..", help="likelihood evidence, one number per state")
    p.add_argument("--policy", action="append", metavar="NAME", help="a named policy of the model (repeatable)")
    p.add_argument("--scenario", metavar="NAME", help="a named scenario of the model")


def _build_parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    parser = argparse.ArgumentParser(
        prog="estimative",
        description="Bayesian networks for policy analysis. PATH is a model folder (with model.yaml), "
        "a model YAML file, or a BIF, XMLBIF, XDSL, NET or UAI file.",
    )
    parser.add_argument("--version", action="version", version=f"estimative {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands: dict[str, Command] = {}

    def add(name: str, fn: Command, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--json", action="store_true", help="print one JSON object (see docs/cli.md)")
        p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
        commands[name] = fn
        return p

    p = add("validate", _cmd_validate, "check a model: schema, CPTs, quotes against sources, claims")
    p.add_argument("path")

    p = add("show", _cmd_show, "list a model's variables, provenance, policies and scenarios")
    p.add_argument("path")
    p.add_argument("--variable", metavar="ID", help="show one variable with its quotes and rationale")

    p = add("query", _cmd_query, "P(target | evidence; do(...)) by exact inference")
    p.add_argument("path")
    p.add_argument("--target", required=True, metavar="VAR")
    _add_conditions(p)

    p = add("sweep", _cmd_sweep, "run a sweep file: targets over policies x scenarios x parameter draws, "
            "to a resumable Parquet dataset")
    p.add_argument("sweep", metavar="SWEEP.yaml")
    p.add_argument("--draws", type=int, help="parameter draws (overrides the file)")
    p.add_argument("--seed", type=int, help="random seed (overrides the file)")
    p.add_argument("--chunk-size", type=int, help="draws per chunk and part file (overrides the file)")
    p.add_argument("--out", metavar="DIR", help="output folder (overrides the file's output:)")
    p.add_argument("--workers", type=int, metavar="K", help="local worker processes (default: every core)")
    p.add_argument("--scheduler", metavar="ADDR", help="run the chunks on a Dask cluster, e.g. tcp://127.0.0.1:8786")

    p = add("compare", _cmd_compare, "the model's headline outcomes under the baseline and each policy")
    p.add_argument("path")
    p.add_argument("--policy", action="append", metavar="NAME", help="limit to these policies (repeatable)")
    p.add_argument("--scenario", metavar="NAME", help="condition every column on a named scenario")

    p = add("map", _cmd_map, "the most probable explanation of the evidence (MPE, or MAP over --variables)")
    p.add_argument("path")
    p.add_argument("--variables", nargs="*", metavar="VAR")
    _add_conditions(p)

    p = add("sensitivity", _cmd_sensitivity, "how much a judgment rests on shaky numbers: its interval, the "
            "tornado of one-way sensitivities, indicators to watch, Sobol indices")
    p.add_argument("path")
    p.add_argument("--target", required=True, metavar="VAR[=STATE]",
                   help="the judgment; without a state: the model's outcome state for VAR, else its last state")
    _add_conditions(p)
    p.add_argument("--draws", type=int, default=2000, help="parameter draws for the interval (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--level", type=float, default=0.9, help="interval and credible-range level (default 0.9)")
    p.add_argument("--top", type=int, default=10, metavar="K", help="rows per table and chart (default 10)")
    p.add_argument("--sobol-n", type=int, default=1024, metavar="N",
                   help="Saltelli base sample, a power of 2 (default 1024)")
    p.add_argument("--chart-dir", metavar="DIR", help="write the tornado, indicators and Sobol charts here")
    p.add_argument("--chart-format", choices=["svg", "png", "pdf"], default="svg", help="chart format (default svg)")
    p.add_argument("--flip", nargs=2, metavar=("POLICY_A", "POLICY_B"),
                   help="also find the smallest single-parameter change that reverses the ranking of two "
                   "policies on this judgment ('baseline' for no intervention)")

    p = add("decide", _cmd_decide, "expected utility of each policy with intervals, P(best), optimal decision "
            "rules, value of information, and the decision tree")
    p.add_argument("path")
    p.add_argument("--weights", nargs="+", metavar="ATTR=W", help="override utility weights, e.g. war_avoided=0.5")
    p.add_argument("--policy", action="append", metavar="NAME", help="compare only these policies (repeatable)")
    p.add_argument("--draws", type=int, default=1000, help="parameter draws for intervals and P(best) (0: none)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the draws (default 0)")
    p.add_argument("--level", type=float, default=0.9, help="interval level (default 0.9)")
    p.add_argument("--top", type=int, default=5, help="how many variables to list by EVSI and by EVPI")
    p.add_argument("--table", action="store_true", help="also print the EU of every combination of the decisions")
    p.add_argument("--tree", metavar="FILE", help="write the decision tree (.svg, .png, .pdf, or .md for a table)")
    p.add_argument("--weight-map", nargs=3, metavar=("ATTR_X", "ATTR_Y", "FILE"),
                   help="write which alternative wins as two weights vary (.svg, .png or .pdf)")

    p = add("forecast", _cmd_forecast, "the model's probability for each forecast question (baseline, no do())")
    p.add_argument("path")

    p = add("score", _cmd_score, "Brier score, log score and calibration of the forecasts against outcomes")
    p.add_argument("path")
    p.add_argument("resolutions", metavar="RESOLUTIONS.yaml", help="question id: 0 or 1, one per line")
    p.add_argument("--bins", type=int, default=5, metavar="N", help="calibration bins over [0, 1] (default 5)")

    p = add("brief", _cmd_brief, "write a probability brief (Markdown, HTML and PDF): key judgments in "
            "estimative language with intervals, policies, drivers, indicators, scenarios, sources")
    p.add_argument("path")
    p.add_argument("--policy", action="append", metavar="NAME", help="compare only these policies (repeatable)")
    p.add_argument("--scenario", metavar="NAME", help="condition every judgment on a named scenario")
    p.add_argument("--scale", choices=["icd203", "phia"], default="icd203",
                   help="estimative language: ICD 203 (default) or the UK PHIA yardstick")
    p.add_argument("--draws", type=int, default=2000, help="parameter draws for the intervals (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the draws (default 0)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the brief's date (default: today)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for brief.md, .html and .pdf")

    p = add("export", _cmd_export, "write the network as BIF, XMLBIF, XDSL (GeNIe), NET (HUGIN) or UAI")
    p.add_argument("path")
    p.add_argument("--format", required=True, choices=["bif", "xmlbif", "xdsl", "net", "uai"])
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write (atomically)")

    for register in _EXTRA_COMMANDS:
        register(add)
    return parser, commands


#: Modules that add commands call ``register(add)`` with the ``add`` function above.
_EXTRA_COMMANDS: list[Callable[[Callable[..., argparse.ArgumentParser]], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser, commands = _build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return commands[args.command](args)
    except EstimativeError as exc:
        kind = type(exc).__name__
        if getattr(args, "json", False):
            _json({"ok": False, "error": {"kind": kind, "problems": [p.to_dict() for p in exc.problems]}})
        for p in exc.problems:
            sys.stderr.write(f"error: {p}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:  # e.g. `estimative show ... | head`: the reader left, nothing is wrong
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        if args.debug:
            raise
        sys.stderr.write(f"internal error: {type(exc).__name__}: {exc}\n"
                         "This is a bug in estimative, not in your input. Rerun with --debug for a traceback.\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
