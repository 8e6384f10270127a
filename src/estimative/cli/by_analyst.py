"""``estimative sensitivity --by-analyst``: the judgment with each analyst's numbers alone,
its interval split into the analysts' own uncertainty and their disagreement."""

from __future__ import annotations

import argparse
from typing import Any

from .._random import make_rng, stream
from ._output import fmt_table, model_fields, out, print_json


def cmd_by_analyst(
    args: argparse.Namespace, net: Any, target: str, state: str, cond: dict[str, Any], level: float
) -> int:
    """Each analyst's answer to the judgment (``--by-analyst``).

    JSON: ``{"ok": true, "model", "model_hash", "target", "state", "draws", "seed",
    "by_analyst": {"pooled", "pooled_low", "pooled_high", "level", "within", "between",
    "total", "between_share", "changes_judgment", "statement", "analysts": [{"analyst",
    "shown", "weight", "point", "mean", "low", "high", "term", "best_policy", "policies"}]}}``.
    """
    from ..uncertainty import analyst_split

    rng = make_rng(args.seed)
    policies = ["baseline", *(p.id for p in net.spec.policies)] if net.spec.policies else None
    sp = analyst_split(
        net,
        target,
        state,
        **cond,
        policies=policies,
        draws=args.draws,
        rng=stream(rng, "analysts"),
        level=level,
    )
    d = sp.to_dict()
    if args.json:
        fields = {k: v for k, v in d.items() if k not in ("model_hash", "target", "states")}
        print_json(
            {
                "ok": True,
                **model_fields(net.name, net.model_hash),
                "target": target,
                "state": state,
                "draws": args.draws,
                "seed": args.seed,
                "by_analyst": fields,
            }
        )
        return 0
    pct = f"{100 * level:g}%"
    cond_text = f" | {sp.conditions}" if sp.conditions else ""
    out(f"P({target}={state}{cond_text}) by analyst: each analyst's numbers alone")
    out(f"model {net.name}, hash {net.model_hash}")
    out()
    rows = []
    for r in d["analysts"]:
        rows.append(
            [
                r["analyst"],
                r["shown"],
                f"{r['weight']:.2f}",
                f"{r['point']:.4f}",
                f"{r['low']:.4f} to {r['high']:.4f}",
                r["term"],
                r["best_policy"] or "",
            ]
        )
    rows.append(
        [
            "pooled",
            "the model's pool",
            "1.00",
            f"{d['pooled']:.4f}",
            f"{d['pooled_low']:.4f} to {d['pooled_high']:.4f}",
            "",
            "",
        ]
    )
    header = ["analyst", "who", "weight", "point", f"{pct} interval", "term", "best policy"]
    out(fmt_table(header, rows))
    out()
    out(
        f"Spread over {args.draws:,} draws per analyst (seed {args.seed}): variance "
        f"{d['total']:.3g} = within-analyst {d['within']:.3g} + between-analyst {d['between']:.3g} "
        f"({d['between_share']:.0%} disagreement)"
    )
    out(sp.statement())
    return 0
