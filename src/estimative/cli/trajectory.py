"""``estimative query MODEL --target VAR --trajectory``: a dynamic model's variable slice by
slice (in each slice, and reached so far), optionally with intervals (``--draws``), for each
policy of the model (``--each-policy``), and as a chart (``--chart FILE``)."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import UsageError
from ._output import fmt_table, model_fields, out, print_json


def run_trajectory(args: argparse.Namespace, net: Any, conditions: dict[str, Any]) -> int:
    """Print (or write as JSON) the trajectory of ``args.target``; see the module."""
    from .._random import make_rng, stream
    from ..spec import BASELINE

    var = net.name_of(args.target)
    if "@" in var:
        raise UsageError(
            f"--trajectory takes the variable without a slice: '{var.partition('@')[0]}'",
            field="target",
            found=repr(var),
        )
    traj = net.trajectory(var, **conditions)
    state = args.state or _outcome_state(net, var) or traj.states[-1]
    if args.each_policy:
        if conditions.get("policy"):
            raise UsageError("give --each-policy or --policy, not both", field="policy")
        columns = [(BASELINE, None)] + [(p.id, p.id) for p in net.spec.policies]
    else:
        columns = [
            (
                ", ".join(conditions["policy"]) if conditions.get("policy") else BASELINE,
                conditions.get("policy"),
            )
        ]
    rows: dict[str, Any] = {}
    draws = None
    if args.draws:
        from ..priors import draw_cpts

        rng = make_rng(args.seed)
        draws = draw_cpts(net, args.draws, rng=stream(rng, "trajectory"))
    for name, pol in columns:
        kw = {**conditions, "policy": pol}
        if draws is not None:
            from ..uncertainty import trajectory_interval

            rows[name] = trajectory_interval(net, var, state, draws=draws, level=args.level, **kw)
        else:
            rows[name] = net.trajectory(var, **kw)
    if args.chart:
        if draws is None:
            raise UsageError("--chart draws bands: give --draws N as well", field="draws")
        from ..charts import save_figure, trajectory_figure

        save_figure(trajectory_figure(rows), args.chart)
    if args.json:
        print_json(
            {
                **model_fields(net.name, net.model_hash),
                "target": var,
                "state": state,
                "draws": args.draws,
                "seed": args.seed if args.draws else None,
                "alternatives": {name: r.to_dict() for name, r in rows.items()},
            }
        )
        return 0
    spec = net.spec
    out(f"P({var}={state}) over time   [model {net.name}, hash {net.model_hash}]")
    if traj.conditions:
        out(f"given {traj.conditions}")
    ends = dict(zip(spec.time.labels, spec.time.slices, strict=True))
    for name, r in rows.items():
        out()
        out(f"{name}:")
        header = ["slice", "ends", "in the slice", "so far"]
        table: list[tuple[str, ...]]
        if draws is not None:
            header += [f"so far, {100 * args.level:g}% interval"]
            table = [
                (
                    lab,
                    str(ends[lab]),
                    f"{a.point:.1%}",
                    f"{b.point:.1%}",
                    f"{b.low:.1%} to {b.high:.1%}",
                )
                for lab, a, b in zip(r.labels, r.per_slice, r.so_far, strict=True)
            ]
        else:
            k = r.states.index(state)
            table = [
                (lab, str(ends[lab]), f"{r.probs[i, k]:.1%}", f"{r.by[i, k:].sum():.1%}")
                for i, lab in enumerate(r.labels)
            ]
        out(fmt_table(header, table))
    if draws is not None:
        out()
        out(f"{args.draws} parameter draws (seed {args.seed}), the same for every alternative")
    if args.chart:
        out(f"chart written to {args.chart}")
    return 0


def _outcome_state(net: Any, var: str) -> str | None:
    for o in net.spec.outcomes:
        if o.target.partition("@")[0] == var:
            return str(o.state)
    return None


def add_trajectory_flags(p: argparse.ArgumentParser) -> None:
    """``--trajectory``, ``--state``, ``--each-policy``, ``--draws``, ``--seed``, ``--level``,
    ``--chart`` on the query command."""
    g = p.add_argument_group("time (dynamic models)")
    g.add_argument(
        "--trajectory",
        action="store_true",
        help="the target in every slice and reached so far (target without @slice)",
    )
    g.add_argument("--state", help="the target state (default: the outcome's, else the last)")
    g.add_argument(
        "--each-policy", action="store_true", help="one trajectory per policy and the baseline"
    )
    g.add_argument("--draws", type=int, help="parameter draws for intervals")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--level", type=float, default=0.9, help="interval level (default 0.9)")
    g.add_argument("--chart", metavar="FILE", help="write a trajectory chart (.svg/.png/.pdf)")
