"""The ``brief`` command: a probability brief in Markdown, HTML and PDF."""

from __future__ import annotations

import argparse
from typing import Any

from .._random import DEFAULT_DRAWS, make_rng
from ..errors import UsageError
from ._args import load
from ._output import model_fields, out, print_json, progress_bar


def cmd_brief(args: argparse.Namespace) -> int:
    """Write a probability brief: brief.md, brief.html and brief.pdf in ``-o DIR``.

    JSON: ``{"ok": true, "model", "model_hash", "title", "date", "scale", "draws", "seed", "policies",
    "scenario", "files": {"markdown", "html", "pdf", "explore" (with --explore)}, "judgments": [{"outcome", "label", "target",
    "state", "point", "low", "high", "level", "term", "likelihood", "confidence", "assumption_share"}]}``.
    """
    import datetime as dt

    from ..brief import build_brief, likelihood_text, write_brief

    date = None
    if args.date is not None:
        try:
            date = dt.date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(
                "--date takes a date as YYYY-MM-DD",
                found=repr(args.date),
                fix="write e.g. --date 2017-05-20",
            ) from None
    rng = make_rng(args.seed)  # a negative seed is a usage error (exit 2), before any work
    net = load(args.path)
    # The brief records rng's seed and gives each of its analyses a stream of its own.
    with progress_bar("brief", quiet=args.json) as tell:
        brief = build_brief(
            net,
            policies=args.policy or None,
            scenario=args.scenario,
            scale=args.scale,
            draws=args.draws,
            rng=rng,
            date=date,
            reference=args.reference,
            progress=tell,
        )
    explore = None
    if args.explore:
        from pathlib import Path

        from ..explorer.page import write_explore_page

        folder = Path(args.output)
        if not folder.is_file():
            folder.mkdir(parents=True, exist_ok=True)
        page = write_explore_page(
            net,
            folder / "explore.html",
            draws=args.draws,
            rng=make_rng(args.seed),
            policies=args.policy or None,
        )
        explore = page.name
    files = write_brief(brief, args.output, explore=explore)
    prm = brief.parameters
    if args.json:
        # Brief, BriefParameters, BriefFiles and Judgment have no to_dict() yet: by hand.
        print_json(
            {
                "ok": True,
                **model_fields(net.name, net.model_hash),
                "title": net.spec.title,
                "date": prm.date,
                "scale": prm.scale,
                "draws": prm.draws,
                "seed": prm.seed,
                "policies": prm.policies,
                "scenario": prm.scenario,
                "reference": prm.reference,
                "files": {
                    "markdown": files.markdown,
                    "html": files.html,
                    "pdf": files.pdf,
                    **({"explore": files.html.parent / explore} if explore else {}),
                },
                "judgments": [
                    {
                        "outcome": j.outcome.id,
                        "label": j.outcome.label,
                        "target": j.outcome.target,
                        "state": j.outcome.state,
                        "point": j.interval.point,
                        "low": j.interval.low,
                        "high": j.interval.high,
                        "level": j.interval.level,
                        "term": j.term.word,
                        "likelihood": likelihood_text(
                            j.interval.point,
                            j.interval.low,
                            j.interval.high,
                            scale=prm.scale,
                            level=j.interval.level,
                        ),
                        "confidence": j.confidence.level,
                        "assumption_share": j.assumption_share,
                    }
                    for j in brief.judgments
                ],
            }
        )
        return 0
    out(f"Probability brief: {net.spec.title} (model {net.name}, hash {net.model_hash})")
    for path in (files.markdown, files.html, files.pdf):
        out(f"  {path}")
    if explore:
        out(f"  {files.html.parent / explore}")
    return 0


def register(add: Any) -> None:
    """Add this group's command with ``add(name, function, help)`` (see :func:`estimative.cli.main`)."""
    p = add(
        "brief",
        cmd_brief,
        "write a probability brief (Markdown, HTML and PDF): key judgments in "
        "estimative language with intervals, policies, drivers, indicators, scenarios, sources",
    )
    p.add_argument("path")
    p.add_argument(
        "--policy", action="append", metavar="NAME", help="compare only these policies (repeatable)"
    )
    p.add_argument(
        "--scenario", metavar="NAME", help="condition every judgment on a named scenario"
    )
    p.add_argument(
        "--scale",
        choices=["icd203", "phia"],
        default="icd203",
        help="estimative language: ICD 203 (default) or the UK PHIA yardstick",
    )
    p.add_argument(
        "--reference",
        metavar="NAME",
        help="the policy judgments, comparisons, drivers and indicators are computed against "
        "(default: the model's reference_policy, else the baseline)",
    )
    p.add_argument(
        "--draws",
        type=int,
        default=DEFAULT_DRAWS,
        help=f"parameter draws for the intervals and P(best) (default {DEFAULT_DRAWS}, as decide)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the draws (default 0)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the brief's date (default: today)")
    p.add_argument(
        "--explore",
        action="store_true",
        help="also write explore.html (the offline what-if page) and link the HTML brief to it",
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="DIR", help="folder for brief.md, .html and .pdf"
    )
