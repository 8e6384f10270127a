"""The ``explore`` command: the offline what-if page of a model."""

from __future__ import annotations

import argparse
from typing import Any

from .._random import make_rng
from ._args import load
from ._output import model_fields, out, print_json


def cmd_explore(args: argparse.Namespace) -> int:
    """Write one self-contained HTML page in which a reader switches policies and scenarios.

    JSON: ``{"ok": true, "model", "model_hash", "file", "draws", "seed", "level", "policies",
    "scenarios"}``.
    """
    from ..explorer.page import write_explore_page

    rng = make_rng(args.seed)
    net = load(args.path)
    path = write_explore_page(
        net, args.output, draws=args.draws, rng=rng, level=args.level, policies=args.policy
    )
    policies = args.policy or [p.id for p in net.spec.policies]
    if args.json:
        print_json(
            {
                "ok": True,
                **model_fields(net.name, net.model_hash),
                "file": path,
                "draws": args.draws,
                "seed": args.seed,
                "level": args.level,
                "policies": policies,
                "scenarios": [s.id for s in net.spec.scenarios],
            }
        )
        return 0
    out(f"Explorer page: {net.spec.title} (model {net.name}, hash {net.model_hash})")
    out(f"  {path}  ({1 + len(policies)} policies x {1 + len(net.spec.scenarios)} scenarios)")
    return 0


def register(add: Any) -> None:
    """Add this group's command with ``add(name, function, help)`` (see :func:`estimative.cli.main`)."""
    p = add(
        "explore",
        cmd_explore,
        "write an offline what-if page (one self-contained HTML file): switch policies and "
        "scenarios and watch the graph's bars, the headline outcomes and their intervals",
    )
    p.add_argument("path")
    p.add_argument(
        "--policy", action="append", metavar="NAME", help="offer only these policies (repeatable)"
    )
    p.add_argument(
        "--draws", type=int, default=1000, help="parameter draws for the intervals (default 1000)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the draws (default 0)")
    p.add_argument(
        "--level", type=float, default=0.9, help="credible level of the intervals (default 0.9)"
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML file to write")
