"""The ``decide`` command: expected utility of each policy, optimal rules, value of information."""

from __future__ import annotations

import argparse
from typing import Any

from .._random import DEFAULT_DRAWS, make_rng, stream
from ..checks import check_count
from ._args import load
from ._output import fmt_table, model_fields, out, print_json


def cmd_decide(args: argparse.Namespace) -> int:
    """Expected utility of each policy with its interval and P(best), the optimal decision
    rules, value of information, and (``--tree``) the decision tree.

    The parameter draws come from the "decide" stream of ``--seed``.

    JSON: ``{"model", "model_hash", "title", "unit", "weights", "weights_overridden", "draws", "seed",
    "level", "alternatives": [{"id", "label", "kind", "do", "rules", "expected_utility", "low", "high",
    "prob_best", "contributions": {attribute: weight x expected value}}], "best", "meu",
    "rules": [{"decision", "information", "description", "rows": [{"configuration", "choice",
    "expected": {state: EU}, "probability", "reachable"}]}], "value_of_information":
    {"eu_without", "best_without", "rows": [{"variable", "measure", "value", "best_by_state"}],
    "excluded": {variable: reason}, "scope"}, "tree", "weight_map", "decision_table"}``; numbers are raw,
    NaN is null.
    """
    from ..decision import analyze, decision_tree, parse_weights, weight_map

    net = load(args.path)
    weights = parse_weights(args.weights or [])
    if args.weight_set:  # another party's weights from the model file; --weights still override
        if net.spec.utilities is None:
            from ..errors import UsageError

            raise UsageError(
                "--weight-set needs a model with utilities", fix="add a utilities: section"
            )
        weights = {**net.spec.utilities.weight_set(args.weight_set).weights, **weights}
    check_count(args.draws, name="draws", minimum=0, example=DEFAULT_DRAWS)
    analysis = analyze(
        net,
        weights=weights,
        policies=args.policy or None,
        draws=args.draws,
        rng=stream(make_rng(args.seed), "decide"),
        level=args.level,
        voi_variables=_voi_variables(net, args.voi),
    )
    tree_path = wmap_path = None
    if args.tree:
        from ..charts.decision import decision_tree_figure, save_figure, save_text

        tree = decision_tree(net, weights=weights, policies=args.policy or None)
        if args.tree.lower().endswith(".md"):
            tree_path = str(save_text(tree.to_markdown(), args.tree))
        else:
            tree_path = str(save_figure(decision_tree_figure(tree), args.tree))
    if args.weight_map:
        from ..charts.decision import save_figure, weight_map_figure

        x, y, path = args.weight_map
        wmap = weight_map(net, x, y, weights=weights, policies=args.policy or None)
        wmap_path = str(save_figure(weight_map_figure(wmap), path))
    table = None
    if args.table:
        from ..decision import decision_table

        table = decision_table(net, weights=weights)
    if args.json:
        print_json(
            _decide_json(
                net,
                analysis,
                weights=weights,
                seed=args.seed,
                table=table,
                tree=tree_path,
                weight_map=wmap_path,
            )
        )
        return 0
    _print_decide(net, analysis, weights=weights, seed=args.seed, table=table, top=args.top)
    if tree_path:
        out()
        out(f"decision tree written to {tree_path}")
    if wmap_path:
        out(f"weight map written to {wmap_path}")
    return 0


def _voi_variables(net: Any, names: list[str] | None) -> list[str] | None:
    """``--voi``: the variables named, every chance variable for ``all``, else the default."""
    if not names:
        return None
    if [n.lower() for n in names] == ["all"]:
        return [v.id for v in net.spec.variables if v.kind == "chance"]
    return list(names)


def _decide_json(
    net: Any,
    analysis: Any,
    *,
    weights: dict[str, float],
    seed: int,
    table: Any,
    tree: str | None,
    weight_map: str | None,
) -> dict[str, Any]:
    """The JSON object of ``decide``, built by hand: ExpectedUtilities, DecisionSolution,
    DecisionRule, ValueOfInformation and DecisionTable have no ``to_dict()`` yet."""
    eu, sol, voi = analysis.expected, analysis.solution, analysis.information
    return {
        **model_fields(net.name, net.model_hash),
        "title": net.spec.title,
        "unit": eu.unit,
        "weights": eu.weights,
        "weights_overridden": weights,
        "draws": eu.n_draws,
        "seed": seed,
        "level": eu.level,
        "alternatives": [
            {
                "id": pid,
                "label": eu.labels[i],
                "kind": eu.kinds[i],
                "do": eu.do[i],
                "rules": list(eu.rules[i]) if eu.rules else [],
                "expected_utility": eu.eu[i],
                "low": eu.low[i],
                "high": eu.high[i],
                "prob_best": eu.prob_best[i],
                "contributions": {a: eu.contributions[i, j] for j, a in enumerate(eu.attributes)},
            }
            for i, pid in enumerate(eu.ids)
        ],
        "best": eu.best,
        "meu": None if sol is None else sol.meu,
        "rules": []
        if sol is None
        else [
            {
                "decision": r.decision,
                "information": r.information,
                "description": r.describe(),
                "rows": [
                    {
                        "configuration": config,
                        "choice": None
                        if int(r.choice_index[idx]) < 0
                        else r.states[int(r.choice_index[idx])],
                        "expected": {s: r.expected[(*idx, k)] for k, s in enumerate(r.states)},
                        "probability": r.probability[idx],
                        "reachable": r.reachable[idx],
                    }
                    for config, idx in r.configurations()
                ],
            }
            for r in sol.rules
        ],
        "value_of_information": {
            "eu_without": voi.eu_without,
            "best_without": voi.best_without,
            "rows": [
                {
                    "variable": row.variable,
                    "measure": row.measure,
                    "value": row.value,
                    "best_by_state": voi.best_by_state[voi.variables.index(row.variable)],
                }
                for row in voi.to_frame().itertuples()
            ],
            "excluded": voi.excluded,
            "scope": voi.scope,
        },
        "tree": tree,
        "weight_map": weight_map,
        "decision_table": None
        if table is None
        else [
            {"id": t_id, "do": t_do, "expected_utility": t_eu}
            for t_id, t_do, t_eu in zip(table.ids, table.do, table.eu, strict=True)
        ],
    }


def _print_decide(
    net: Any, analysis: Any, *, weights: dict[str, float], seed: int, table: Any, top: int
) -> None:
    import numpy as np

    from ..spec import BASELINE

    eu, sol, voi = analysis.expected, analysis.solution, analysis.information
    low, high, pbest, contrib = eu.low, eu.high, eu.prob_best, eu.contributions
    out(f"Decision analysis: {net.spec.title}")
    out(f"model {net.name}, hash {net.model_hash}; utility in {eu.unit}")
    wtext = ", ".join(
        f"{a}={w:g}" + (" (set)" if a in weights else "") for a, w in eu.weights.items()
    )
    out(f"weights: {wtext}")
    if eu.n_draws:
        out(
            f"{eu.n_draws} parameter draws (seed {seed}), {100 * eu.level:.0f}% intervals; "
            "P(best) counts the draws in which each alternative is best (the same draws for all)"
        )
    out()
    header = (
        ["alternative", "EU"]
        + ([f"{100 * eu.level:.0f}% interval", "P(best)"] if eu.n_draws else [])
        + list(eu.attributes)
    )
    rows = []
    for i, pid in enumerate(eu.ids):
        row = [pid + (" *" if pid == eu.best else ""), f"{eu.eu[i]:.3f}"]
        if eu.n_draws:
            row += [
                f"{low[i]:.2f} to {high[i]:.2f}",
                "-" if np.isnan(pbest[i]) else f"{100 * pbest[i]:.1f}%",
            ]
        row += [f"{contrib[i, j]:.2f}" for j in range(len(eu.attributes))]
        rows.append(row)
    out(fmt_table(header, rows))
    out(
        f"* best: {eu.best} ({eu.labels[eu.index(eu.best)]}); attribute columns are weight x expected value"
    )
    if BASELINE in eu.ids:
        note = net.spec.baseline_note.strip() or "every decision at the analyst's expectation"
        out(f"  {BASELINE}: {note} (a reference, not a choice)")
    if table is not None:
        order = np.argsort(-table.eu, kind="stable")
        out()
        out(
            f"Decision table: every combination of the decision variables, each set by do() ({len(table.ids)} rows, "
            "best first)"
        )
        out(fmt_table(["combination", "EU"], [(table.ids[i], f"{table.eu[i]:.3f}") for i in order]))
    if sol is not None:
        out()
        fixed = f" with {', '.join(f'{k}={v}' for k, v in sol.fixed.items())}" if sol.fixed else ""
        out(
            f"Optimal decision rules{fixed} (every decision variable set to maximise expected utility; "
            f"maximum {sol.meu:.3f} {sol.unit}):"
        )
        for r in sol.rules:
            out(f"  {r.describe()}")
    out()
    out(
        f"Value of information: observing a variable before choosing among {len(voi.alternatives)} alternatives "
        f"(without it: {voi.best_without}, EU {voi.eu_without:.3f})"
    )
    margin = dict(
        zip(
            voi.variables,
            voi.margin if voi.margin is not None else [np.nan] * len(voi.variables),
            strict=True,
        )
    )
    for measure, what in (("EVSI", "indicators"), ("EVPI", "uncertainties")):
        best = voi.top(measure, n=top)
        if best:
            out(f"  top {what} by {measure}:")
            out(
                "    "
                + fmt_table(
                    ["variable", measure, "seen", "choice changes", "closest lead"],
                    [
                        (
                            v,
                            f"{x:.3f}",
                            voi.timing[voi.variables.index(v)]
                            if voi.timing
                            else "before the choice",
                            "yes"
                            if len(set(voi.best_by_state[voi.variables.index(v)].values())) > 1
                            else "no",
                            f"{margin[v]:.3f}",
                        )
                        for v, x in best
                    ],
                ).replace("\n", "\n    ")
            )
    if len(voi.value) and float(np.max(voi.value)) == 0.0:
        out(
            f"  no single observation would change the choice: {voi.best_without} stays best whatever is seen;"
        )
        out(
            "  'closest lead' is its smallest lead over the runner-up across the states of the variable"
        )
    if voi.excluded:
        out(f"  {len(voi.excluded)} variable(s) depend on the choice and cannot be seen before it")
    if voi.scope:
        out(f"  valued: {voi.scope} (--voi VAR ... or --voi all values others)")


def register(add: Any) -> None:
    """Add this group's command with ``add(name, function, help)`` (see :func:`estimative.cli.main`)."""
    p = add(
        "decide",
        cmd_decide,
        "expected utility of each policy with intervals, P(best), optimal decision "
        "rules, value of information, and the decision tree",
    )
    p.add_argument("path")
    p.add_argument(
        "--weights",
        nargs="+",
        metavar="ATTR=W",
        help="override utility weights, e.g. war_avoided=0.5",
    )
    p.add_argument(
        "--weight-set",
        metavar="ID",
        help="decide by one of the model's other weight sets (utilities: weight_sets:), e.g. rok",
    )
    p.add_argument(
        "--policy", action="append", metavar="NAME", help="compare only these policies (repeatable)"
    )
    p.add_argument(
        "--draws",
        type=int,
        default=DEFAULT_DRAWS,
        help=f"parameter draws for intervals and P(best) (0: none; default {DEFAULT_DRAWS}, as brief)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the draws (default 0)")
    p.add_argument("--level", type=float, default=0.9, help="interval level (default 0.9)")
    p.add_argument(
        "--top", type=int, default=5, help="how many variables to list by EVSI and by EVPI"
    )
    p.add_argument(
        "--voi",
        nargs="+",
        metavar="VAR",
        help="the variables to value by EVPI/EVSI ('all': every chance variable; default: all "
        "in a small model, the observable developments its scenarios and decisions name in a "
        "large one)",
    )
    p.add_argument(
        "--table",
        action="store_true",
        help="also print the EU of every combination of the decisions",
    )
    p.add_argument(
        "--tree",
        metavar="FILE",
        help="write the decision tree (.svg, .png, .pdf, or .md for a table)",
    )
    p.add_argument(
        "--weight-map",
        nargs=3,
        metavar=("ATTR_X", "ATTR_Y", "FILE"),
        help="write which alternative wins as two weights vary (.svg, .png or .pdf)",
    )
