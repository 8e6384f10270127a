"""The brief's annexes as strings: assumptions, sources, the method note, the metadata and
the command that writes the brief again (used by :mod:`estimative.brief.context`)."""

from __future__ import annotations

from typing import Any

from ..spec import BASELINE
from . import words
from .data import HILP_THRESHOLD, Brief
from .words import pct


def assumptions(brief: Brief, label: dict[str, str]) -> list[dict[str, str]]:
    """The assumption CPTs behind the key judgments, most influential first."""
    out = []
    for a in brief.assumptions:
        v = a.variable
        out.append(
            {
                "label": v.label,
                "id": v.id,
                "rationale": (v.cpt.rationale or "").strip()
                or "No rationale is given in the model file.",
                "influence": (
                    f"moves the judgment on {words.in_sentence(label.get(a.judgment, a.judgment))} "
                    f"by up to {100 * a.swing:.1f} points across its credible range"
                    if a.swing > 0
                    else "does not move any key judgment"
                ),
            }
        )
    return out


def sources(brief: Brief) -> list[dict[str, Any]]:
    """Every source quoted, with its quotes grouped by what they support."""
    docs = {d.id: d for d in brief.spec.sources}
    out = []
    for sid in dict.fromkeys(q.source for q in brief.quotes):
        d = docs.get(sid)
        title = (d.title or d.path) if d else sid
        meta = ", ".join(
            x for x in ((d.author or "") if d else "", (d.date or "") if d else "") if x
        )
        by_support: dict[str, list[str]] = {}
        for q in brief.quotes:
            if q.source == sid:
                by_support.setdefault(q.supports, []).append(" ".join(q.quote.split()))
        out.append(
            {
                "id": sid,
                "title": title,
                "meta": meta,
                "groups": [{"supports": k, "quotes": v} for k, v in by_support.items()],
            }
        )
    return out


def seed_text(seed: int | None) -> str:
    return (
        str(seed) if seed is not None else "not recorded (the generator was not made from a seed)"
    )


def command(brief: Brief) -> str:
    """The command line that writes this brief again."""
    prm = brief.parameters
    root = brief.spec.root or brief.spec.name
    parts = ["estimative brief", str(root)]
    all_pols = tuple(p.id for p in brief.spec.policies)
    if prm.policies != all_pols:
        parts += [f"--policy {p}" for p in prm.policies]
    if prm.scenario:
        parts.append(f"--scenario {prm.scenario}")
    if prm.reference != (brief.spec.reference_policy or BASELINE):
        parts.append(f"--reference {prm.reference}")
    parts += [
        f"--scale {prm.scale}",
        f"--draws {prm.draws}",
        *([f"--seed {prm.seed}"] if prm.seed is not None else []),
        f"--date {prm.date.isoformat()}",
        "-o DIR",
    ]
    return " ".join(parts)


def method(brief: Brief) -> list[str]:
    """The method note's paragraphs."""
    prm = brief.parameters
    lvl = words.level_text(prm.level)
    n_vars = len(brief.spec.variables)
    n_assumed = sum(1 for v in brief.spec.variables if not v.cpt.sourced)
    return [
        (
            f"The model is a Bayesian network of {n_vars} variables; {n_vars - n_assumed} of its conditional "
            f"probability tables (CPTs) cite verbatim quotes from the sources and {n_assumed} rest on analyst "
            "assumptions, each with a written rationale. Every probability in this brief is computed by exact "
            "inference on the model; a policy is a do() intervention that sets its instruments and cuts the "
            "arrows into them; a scenario is evidence the judgments are conditioned on."
        ),
        (
            f"Intervals: each CPT column is uncertain, drawn from a Dirichlet distribution whose strength "
            f"reflects its provenance (sourced numbers are firmer than assumptions; verbal terms get the "
            f"spread of their band). The brief takes {prm.draws:,} joint draws of every CPT (seed "
            f"{seed_text(prm.seed)}) and shares them across every judgment, policy and scenario (common random "
            f"numbers), so differences between policies carry honest intervals. A {lvl} interval is the "
            "central range of a quantity over the draws; the headline number is the exact value at the "
            "model's own numbers."
        ),
        (
            "Words: each probability is given the scale's term whose band contains it; where two bands share "
            "an edge, the edge goes to the band nearer 50%; a probability in a gap the scale leaves between "
            "two bands is named by both terms, with the gap as its range. The word is always followed by its "
            "band, the number and its interval."
        ),
        (
            f"Confidence follows a fixed rule from two inputs. Interval width is measured in odds: the "
            f"interval is narrow when the odds at its upper end are at most {words.NARROW_ODDS_RATIO:g} times "
            f"those at its lower end, and wide when they are more than {words.WIDE_ODDS_RATIO:g} times. The "
            "assumption share is the fraction of the judgment's total squared one-way sensitivity carried "
            "by parameters of CPTs that rest on assumptions rather than quoted sources; a parameter's "
            f"sensitivity is how far the judgment moves as it crosses its own {lvl} credible range. "
            f"High confidence needs a narrow interval and an assumption share below "
            f"{100 * words.SOURCED_SHARE:.0f}%; a wide interval or a share above "
            f"{100 * words.ASSUMED_SHARE:.0f}% gives low confidence; anything else is moderate."
        ),
        (
            "Key drivers (the tornado): each CPT entry moves across its credible range while the rest of "
            "its column moves in proportion; the bar is the range the judgment then spans. The CPTs of "
            "decision variables are left out: they hold the decision maker's own leanings, which a "
            "policy sets. Indicators to watch rank the variables that can be observed before choosing "
            "(observable, neither the outcome, nor a decision, nor a consequence of one) by their mutual "
            "information with the outcome: the expected share of its uncertainty (entropy) an "
            "observation would remove, with the judgment after each of the observations that would "
            "move it most."
        ),
        (
            f"High impact, low probability: every headline outcome the model marks as high impact whose "
            f"probability is below {pct(HILP_THRESHOLD)}, with the highest value it reaches under a compared "
            "policy or an alternative scenario."
        ),
        (
            "Expected utility, where the model defines utilities, is the weighted sum of its attributes' "
            "values under each policy, computed on draws of its own (as many, from the same seed) that every "
            "policy shares; the probability a policy is best is the share of those draws in which its "
            "expected utility is the highest."
        ),
    ]
