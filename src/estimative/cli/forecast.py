"""Forecast questions: ``forecast`` (the model's probabilities) and ``score`` (against outcomes)."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import UsageError
from ._args import load
from ._output import fmt_table, model_fields, out, print_json, without_model


def cmd_forecast(args: argparse.Namespace) -> int:
    """The model's probability for each of its forecast questions, from the baseline.

    JSON: ``{"ok": true, "model", "model_hash", "as_of", "forecasts": [{"id", "text", "probability",
    "horizon", "resolution"}]}``.
    """
    from ..scales import term_for
    from ..scoring import forecasts

    net = load(args.path)
    table = forecasts(net)
    if not table.rows:
        raise UsageError(
            f"the model {net.name} has no forecast questions",
            fix="add a questions: section (see docs/model-format.md)",
        )
    if args.json:
        print_json(
            {
                "ok": True,
                **model_fields(table.model, table.model_hash),
                **without_model(table.to_dict()),
            }
        )
        return 0
    out(f"{net.spec.title}")
    out(f"as of {table.as_of}; model {table.model}, hash {table.model_hash}")
    out(
        "Probability that each question resolves yes, from the baseline (each government as the analyst expects):"
    )
    out()
    rows = [
        (f.id, f"{100 * f.probability:.1f}%", term_for(f.probability).word, str(f.horizon), f.text)
        for f in table
    ]
    out(fmt_table(["id", "probability", "ICD 203 term", "horizon", "question"], rows))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    """Brier score, log score and calibration of the model's forecasts against a resolutions file.

    JSON: ``{"ok": true, "model", "model_hash", "resolutions", "n", "brier", "brier_note", "log_score",
    "log_note", "questions": [{"id", "text", "probability", "outcome", "squared_error",
    "log_score"}], "calibration": [{"low", "high", "count", "mean_forecast",
    "observed_frequency"}], "unresolved": [id, ...]}`` (an empty bin's mean and frequency are null).
    """
    from ..scoring import forecasts, load_resolutions, score

    net = load(args.path)
    table = forecasts(net)
    outcomes = load_resolutions(args.resolutions, questions=table.ids)
    report = score(table, outcomes, bins=args.bins)
    if args.json:
        print_json(
            {
                "ok": True,
                **model_fields(report.model, report.model_hash),
                "resolutions": args.resolutions,
                **without_model(report.to_dict()),
            }
        )
        return 0
    out(f"{net.spec.title}: {report.n} resolved question(s) from {args.resolutions}")
    out(f"model {report.model}, hash {report.model_hash}")
    out()
    out(
        f"Brier score  {report.brier:.4f}   (mean squared error of the probabilities, 0 to 1; 0 is perfect, always 50% scores 0.25)"
    )
    out(
        f"log score   {report.log_score:.4f}   (mean natural log of the probability given to what happened; 0 is perfect)"
    )
    out()
    out("Calibration")
    out(
        fmt_table(
            ["forecast bin", "questions", "mean forecast", "observed frequency"],
            [
                (
                    f"{100 * b.low:.0f}-{100 * b.high:.0f}%",
                    b.count,
                    "-" if b.count == 0 else f"{100 * b.mean_forecast:.1f}%",
                    "-" if b.count == 0 else f"{100 * b.observed_frequency:.1f}%",
                )
                for b in report.calibration
            ],
        )
    )
    out()
    out(
        fmt_table(
            ["id", "forecast", "outcome", "squared error", "log score"],
            [
                (
                    q.id,
                    f"{100 * q.probability:.1f}%",
                    "yes" if q.outcome else "no",
                    f"{q.squared_error:.4f}",
                    f"{q.log_score:.4f}",
                )
                for q in report.questions
            ],
        )
    )
    if report.unresolved:
        out()
        out(f"not scored (no resolution given): {', '.join(report.unresolved)}")
    return 0


def register(add: Any) -> None:
    """Add this group's commands with ``add(name, function, help)`` (see :func:`estimative.cli.main`)."""
    p = add(
        "forecast",
        cmd_forecast,
        "the model's probability for each forecast question (baseline, no do())",
    )
    p.add_argument("path")

    p = add(
        "score",
        cmd_score,
        "Brier score, log score and calibration of the forecasts against outcomes",
    )
    p.add_argument("path")
    p.add_argument(
        "resolutions", metavar="RESOLUTIONS.yaml", help="question id: 0 or 1, one per line"
    )
    p.add_argument(
        "--bins", type=int, default=5, metavar="N", help="calibration bins over [0, 1] (default 5)"
    )
