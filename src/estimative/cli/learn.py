"""``estimative learn``: CPTs updated from observed cases, written as a new model folder."""

from __future__ import annotations

import argparse
from typing import Any

from .._io import display_path
from ._args import load
from ._output import fmt_table, model_fields, out, print_json


def cmd_learn(args: argparse.Namespace) -> int:
    """Update the model's CPTs from a CSV of cases (the elicited CPTs, with their strength, as
    the Dirichlet prior; EM where cases have missing values) and write the new model folder.

    JSON: ``{"ok": true, "model", "model_hash", "data", "data_hash", "rows", "missing",
    "method", "iterations", "converged", "log_likelihood", "updated": [...], "output",
    "new_model_hash"}``.
    """
    from ..files import load_model
    from ..priors import learn, write_learned

    net = load(args.path)
    latent = [v for v in (args.latent or "").split(",") if v]
    res = learn(net, args.cases, latent=latent, max_iter=args.max_iter)
    path = write_learned(res, args.output, overwrite=args.force)
    new = load_model(path.parent)  # the written folder is a valid model
    if args.json:
        print_json(
            {
                "ok": True,
                **model_fields(net.name, net.model_hash),
                **{
                    k: v
                    for k, v in res.to_dict().items()
                    if k not in ("counts", "cpts", "prior_strengths", "model_hash")
                },
                "output": display_path(path.parent),
                "new_model_hash": new.model_hash,
            }
        )
        return 0
    how = (
        f"EM ({res.iterations} iterations, {'converged' if res.converged else 'NOT converged'}; "
        f"{res.missing} missing values)"
        if res.method == "em"
        else "conjugate Dirichlet update"
    )
    out(f"Learned from {res.rows:,} cases in {res.data} (sha256 {res.data_hash}): {how}")
    out(
        f"model {net.name}, hash {net.model_hash} -> {display_path(path.parent)}, hash {new.model_hash}"
    )
    out()
    rows: list[list[Any]] = []
    for name in res.updated:
        n = res.counts[name].sum()
        s = res.prior_strengths[name]
        moved = abs(res.network.cpt(name) - net.cpt(name)).max()
        rows.append([name, f"{sum(s) / len(s):g}", f"{n:,.1f}", f"{moved:.4f}"])
    out(fmt_table(["variable", "prior strength", "cases counted", "largest change"], rows))
    return 0


def register(add: Any) -> None:
    """Add this group's commands with ``add(name, function, help)`` (see :func:`estimative.cli.main`)."""
    p = add(
        "learn",
        cmd_learn,
        "update CPTs from observed cases (elicited CPTs as the prior; EM for missing values) "
        "and write a new model folder",
    )
    p.add_argument("path")
    p.add_argument("cases", metavar="CASES.csv", help="one case per row, a column per variable")
    p.add_argument(
        "-o", "--output", required=True, metavar="NEW_MODEL", help="the new model folder"
    )
    p.add_argument(
        "--latent", metavar="VAR,...", help="variables no case observes whose CPTs EM fits too"
    )
    p.add_argument("--max-iter", type=int, default=500, help="EM's iteration limit (default 500)")
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty")
