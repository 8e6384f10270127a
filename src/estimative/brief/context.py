"""A brief as the plain strings and tables a reader sees, computed once so the Markdown,
HTML and PDF say the same thing.

:func:`brief_context` formats a :class:`~estimative.brief.data.Brief` (numbers as estimative
words, percentages and intervals); it computes no analysis and escapes nothing (the renderers
do). The method note and the command that reproduces the brief are written here too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..spec import BASELINE
from ..uncertainty import PolicyComparison, ProbabilityInterval
from . import words
from .data import (
    HILP_THRESHOLD,
    TABLE_COLUMNS,
    TOP_DRIVERS,
    TOP_INDICATORS,
    TOP_INDICATORS_OTHER,
    Brief,
)
from .words import pct


def brief_context(brief: Brief) -> dict[str, Any]:
    """The brief as the plain strings and tables its templates lay out (nothing escaped yet).

    Parameters
    ----------
    brief : Brief
        What :func:`~estimative.brief.build_brief` computed.

    Returns
    -------
    dict
        One entry per part of the brief (``header``, ``scope``, ``terms``, ``judgments``,
        ``questions``, ``policies``, ``drivers``, ``indicators``, ``scenario_blocks``, ``hilp``,
        ``assumptions``, ``sources``, ``method``, ``command``, ...), each plain strings, lists
        and dicts.

    Examples
    --------
    >>> import datetime, numpy as np
    >>> from estimative import Network
    >>> from estimative.brief import build_brief
    >>> b = build_brief(Network.from_file("models/example"), draws=100, rng=np.random.default_rng(0),
    ...                 date=datetime.date(2017, 5, 20))
    >>> ctx = brief_context(b)
    >>> ctx["judgments"][0]["word"], dict(ctx["header"]["parameters"])["seed"]
    ('very unlikely', '0')
    """
    spec, prm = brief.spec, brief.parameters
    lvl = words.level_text(prm.level)
    scale = prm.scale
    label = {o.id: o.label for o in (j.outcome for j in brief.judgments)}
    scen = spec.scenario(prm.scenario) if prm.scenario else None

    def lik(iv_point: float, low: float, high: float) -> str:
        return words.likelihood_text(iv_point, low, high, scale=scale, level=prm.level)

    def cell(iv: ProbabilityInterval) -> str:
        return f"{pct(iv.point)} ({words.interval_text(iv.low, iv.high)})"

    def bar(iv: ProbabilityInterval | None) -> dict[str, float] | None:
        """Positions (percent of the 0-100% track) for the HTML interval bars."""
        if iv is None or not np.isfinite(iv.low):
            return None
        return {
            "p": round(100 * iv.point, 2),
            "lo": round(100 * iv.low, 2),
            "w": round(max(100 * (iv.high - iv.low), 0.4), 2),
        }

    header = {
        "title": spec.title,
        "date": prm.date.isoformat(),
        "as_of": spec.as_of.isoformat(),
        "model": spec.name,
        "model_hash": spec.model_hash,
        "version": brief.version,
        "parameters": [
            ("scale", words.SCALE_TITLES[scale]),
            ("policies compared", ", ".join(prm.policies) or "none"),
            ("scenario", prm.scenario or "none (the baseline)"),
            ("parameter draws", f"{prm.draws:,}"),
            ("seed", _seed_text(prm.seed)),
            ("credible level", lvl),
        ],
    }
    condition = (
        f"given the scenario \u201c{scen.label}\u201d" if scen is not None else "under the baseline"
    )
    scope = {
        "description": spec.description,
        "condition": condition,
        "baseline": (
            f"The baseline is the model's expectation as of {spec.as_of.isoformat()}: each government "
            "acts as the analyst expected, so the policy instruments keep their prior probabilities "
            "rather than being set by a do() intervention."
        ),
        "scenario": (
            f"Every judgment is conditioned on the scenario \u201c{scen.label}\u201d"
            + (f": {scen.description.strip()}" if scen.description.strip() else ".")
        )
        if scen
        else "",
        "outcomes": [o.label for o in (j.outcome for j in brief.judgments)],
        "policies": [spec.policy(p).label for p in prm.policies],
        "n_questions": len(brief.questions),
        "horizons": sorted({q.question.horizon.isoformat() for q in brief.questions}),
    }
    terms = [{"word": t.word, "range": t.range_text()} for t in words.scale_terms(scale)]
    judgments_intro = (
        f"{words.sentence_case(condition)}, with information as of {spec.as_of.isoformat()}:"
    )

    judgments = []
    for j in brief.judgments:
        iv = j.interval
        judgments.append(
            {
                "id": j.outcome.id,
                "label": j.outcome.label,
                "likelihood": lik(iv.point, iv.low, iv.high),
                "sentence": f"{words.sentence_case(j.outcome.label)} \u2014 {lik(iv.point, iv.low, iv.high)}.",
                "confidence": j.confidence.level,
                "confidence_sentence": j.confidence.sentence(level=prm.level),
                "impact": j.outcome.impact,
                "word": j.term.word,
                "bar": bar(iv),
                # several analysts: whether their numbers alone change the word or the policy
                "disagreement": brief.analysts[j.outcome.id].statement(scale, what="this")
                if j.outcome.id in brief.analysts
                else "",
            }
        )
    questions = [
        {
            "id": a.question.id,
            "text": a.question.text,
            "horizon": a.question.horizon.isoformat(),
            "answer": lik(a.point, a.interval.low, a.interval.high),
        }
        for a in brief.questions
    ]

    # --- policies
    pol = brief.policy
    plabel = {BASELINE: "Baseline (no policy set)"} | {p.id: p.label for p in spec.policies}
    outs = list(label)
    groups = [outs[i : i + TABLE_COLUMNS] for i in range(0, len(outs), TABLE_COLUMNS)]

    def effect(c: PolicyComparison, pid: str) -> str:
        d = c.difference(pid, BASELINE)
        d = d[np.isfinite(d)]
        lo, hi = (
            np.quantile(d, [(1 - prm.level) / 2, (1 + prm.level) / 2])
            if d.size
            else (np.nan, np.nan)
        )
        point = float(c.points[c.policies.index(pid)] - c.points[c.policies.index(BASELINE)])
        return (
            f"{words.points_text(point)} pts ({words.points_text(lo)} to {words.points_text(hi)})"
        )

    policy_blocks = []
    for g in groups:
        rows = []
        for pid in pol.policies:
            cells = []
            for o in g:
                c = pol.comparisons[o]
                iv = c.interval(pid)
                eff = "" if pid == BASELINE else effect(c, pid)
                cells.append(
                    {
                        "text": cell(iv),
                        "effect": eff,
                        "bar": bar(iv),
                        "combined": cell(iv) + (f"; {eff}" if eff else ""),
                    }
                )
            rows.append({"label": plabel[pid], "cells": cells})
        policy_blocks.append({"columns": [label[o] for o in g], "rows": rows})
    eu = pol.utilities
    eu_rows = []
    eu_unit = ""
    eu_best = ""
    if eu is not None:
        eu_unit = eu.unit
        pb = eu.prob_best
        for i, aid in enumerate(eu.ids):
            name = plabel.get(aid, eu.labels[i])
            eu_rows.append(
                [
                    name,
                    words.utility_text(eu.eu[i]),
                    f"{words.utility_text(eu.low[i])} to {words.utility_text(eu.high[i])}"
                    if eu.n_draws
                    else "n/a",
                    "reference"
                    if eu.kinds[i] == "baseline"
                    else (pct(pb[i]) if np.isfinite(pb[i]) else "n/a"),
                ]
            )
        eu_best = plabel.get(eu.best, eu.labels[eu.index(eu.best)])
    policies = {
        "blocks": policy_blocks,
        "intro": (
            f"Probability of each outcome under each policy ({lvl} interval in brackets), then its effect "
            f"against the baseline in percentage points ({lvl} interval of the difference, on common random "
            "draws):"
            if len(pol.policies) > 1
            else f"No policy is compared, so the table shows the baseline ({lvl} interval in brackets):"
        ),
        "excluded": [f"{plabel[p]}: {why}" for p, why in pol.excluded.items()],
        "eu_rows": eu_rows,
        "eu_unit": eu_unit,
        "eu_best": eu_best,
        "has_utilities": eu is not None,
        "scenario_note": (
            "Expected utilities are computed without the scenario's evidence."
            if eu is not None and scen is not None
            else ""
        ),
    }

    # --- drivers
    drivers = None
    if brief.drivers is not None and brief.main is not None:
        driver_rows = []
        for f in brief.drivers.top(TOP_DRIVERS):
            p = f.parameter
            if f.swing <= 0:
                continue
            v = spec.variable(p.variable)
            driver_rows.append(
                [
                    f"{v.label}: {p.state}",
                    words.evidence_words(given=p.parents, sep=", ") or "(no parents)",
                    f"{pct(p.value)} ({words.interval_text(f.low_x, f.high_x)})",
                    f"{100 * min(f.low_value, f.high_value):.1f}% to {100 * max(f.low_value, f.high_value):.1f}%",
                    "sourced" if spec.variable(p.variable).cpt.sourced else "assumption",
                ]
            )
        drivers = {
            "intro": (
                f"The numbers that most move the judgment on "
                f"{words.in_sentence(brief.main.outcome.label)}, now {pct(brief.drivers.point)}. Each "
                f"moves across its own {lvl} credible range while the others keep the model's values:"
            ),
            "rows": driver_rows,
        }

    # --- indicators
    ind_main = None
    ind_other = []
    for k, j in enumerate(brief.judgments):
        ind = brief.indicators[j.outcome.id]
        items = [i for i in ind.indicators if i.entropy_reduction >= 0.0005]
        if k == 0:
            indicator_rows = []
            for indicator in items[:TOP_INDICATORS]:
                (ls, lv), (hs, hv) = indicator.low, indicator.high
                vlabel = spec.variable(indicator.variable).label
                indicator_rows.append(
                    [
                        vlabel,
                        f"{hs}: {pct(hv)}",
                        f"{ls}: {pct(lv)}",
                        f"{indicator.entropy_reduction * 100:.1f}%",
                    ]
                )
            ind_main = {
                "intro": (
                    f"The observations that would tell us most about "
                    f"{words.in_sentence(j.outcome.label)}, now {pct(ind.point)}, and which way "
                    "each would move the judgment:"
                ),
                "rows": indicator_rows,
            }
        else:
            parts = []
            for indicator in items[:TOP_INDICATORS_OTHER]:
                (ls, lv), (hs, hv) = indicator.low, indicator.high
                parts.append(
                    f"{spec.variable(indicator.variable).label} ({hs}: {pct(hv)}; {ls}: {pct(lv)})"
                )
            ind_other.append(
                {
                    "outcome": j.outcome.label,
                    "point": pct(ind.point),
                    "text": "; ".join(parts) if parts else "no observation moves it",
                }
            )
    voi_rows = []
    if pol.information is not None:
        info = pol.information
        for var, val in info.top(None, 5):
            if val <= 0:
                continue
            k = info.variables.index(var)
            voi_rows.append([spec.variable(var).label, info.measure[k], words.utility_text(val)])

    # --- scenarios
    # A scenario that observes an outcome's variable settles it: say so instead of 100% or 0%.
    observed: dict[tuple[str | None, str], str] = {}  # (scenario id, outcome id): the words
    outcome_of = {j.outcome.id: j.outcome for j in brief.judgments}
    for s_ in spec.scenarios:
        for o in label:
            tgt = outcome_of[o]
            if tgt.target in s_.given:
                observed[(s_.id, o)] = (
                    "observed" if s_.given[tgt.target] == tgt.state else "ruled out (observed)"
                )
    scen_rows = []
    for row in brief.scenarios:
        name = (
            "No scenario: the baseline"
            if row.scenario is None
            else spec.scenario(row.scenario).label
        )
        if row.scenario == prm.scenario:
            name += " (this brief)"
        scen_rows.append((row.scenario, name, row.intervals))
    scenario_blocks = []
    for g in groups:
        rows = []
        for sid, name, ivs in scen_rows:
            cells = [
                {"text": "impossible under the model", "bar": None}
                if ivs is None
                else {"text": observed[(sid, o)], "bar": None}
                if (sid, o) in observed
                else {"text": cell(ivs[o]), "bar": bar(ivs[o])}
                for o in g
            ]
            rows.append({"label": name, "cells": cells})
        scenario_blocks.append({"columns": [label[o] for o in g], "rows": rows})
    sdesc = []
    for s in spec.scenarios:
        sdesc.append(
            {
                "label": s.label,
                "evidence": words.evidence_words(given=s.given, soft=s.soft),
                "description": s.description.strip(),
            }
        )

    # --- high impact, low probability
    hilp = []
    for h in brief.hilp:
        iv = h.judgment.interval
        text = (
            f"We cannot rule out {words.in_sentence(h.judgment.outcome.label)}: "
            f"{lik(iv.point, iv.low, iv.high)}."
        )
        if h.highest_where and h.highest > iv.point:
            text += f" It is highest ({pct(h.highest)}) {h.highest_where}."
        hilp.append(text)
    high_impact = [j.outcome.label for j in brief.judgments if j.outcome.impact == "high"]

    # --- assumptions and sources
    assumptions = []
    for a in brief.assumptions:
        v = a.variable
        assumptions.append(
            {
                "label": v.label,
                "id": v.id,
                "rationale": (v.cpt.rationale or "").strip()
                or "No rationale is given in the model file.",
                "influence": (
                    f"moves the judgment on {words.in_sentence(label.get(a.judgment, a.judgment))} by up to "
                    f"{100 * a.swing:.1f} points across its credible range"
                    if a.swing > 0
                    else "does not move any key judgment"
                ),
            }
        )
    docs = {d.id: d for d in spec.sources}
    sources = []
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
        sources.append(
            {
                "id": sid,
                "title": title,
                "meta": meta,
                "groups": [{"supports": k, "quotes": v} for k, v in by_support.items()],
            }
        )

    method = _method(brief)
    return {
        "header": header,
        "scope": scope,
        "terms": terms,
        "scale_title": words.SCALE_TITLES[scale],
        "judgments": judgments,
        "judgments_intro": judgments_intro,
        "questions": questions,
        "policies": policies,
        "drivers": drivers,
        "indicators": ind_main,
        "indicators_other": ind_other,
        "voi_rows": voi_rows,
        "scenario_blocks": scenario_blocks,
        "scenario_desc": sdesc,
        "hilp": hilp,
        "high_impact": high_impact,
        "hilp_threshold": pct(HILP_THRESHOLD),
        "assumptions": assumptions,
        "sources": sources,
        "method": method,
        "level": lvl,
        "command": _command(brief),
    }


def _seed_text(seed: int | None) -> str:
    return (
        str(seed) if seed is not None else "not recorded (the generator was not made from a seed)"
    )


def _command(brief: Brief) -> str:
    """The command line that writes this brief again."""
    prm = brief.parameters
    root = brief.spec.root or brief.spec.name
    parts = ["estimative brief", str(root)]
    all_pols = tuple(p.id for p in brief.spec.policies)
    if prm.policies != all_pols:
        parts += [f"--policy {p}" for p in prm.policies]
    if prm.scenario:
        parts.append(f"--scenario {prm.scenario}")
    parts += [
        f"--scale {prm.scale}",
        f"--draws {prm.draws}",
        *([f"--seed {prm.seed}"] if prm.seed is not None else []),
        f"--date {prm.date.isoformat()}",
        "-o DIR",
    ]
    return " ".join(parts)


def _method(brief: Brief) -> list[str]:
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
            f"{_seed_text(prm.seed)}) and shares them across every judgment, policy and scenario (common random "
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
            "its column moves in proportion; the bar is the range the main judgment then spans. "
            "Indicators to watch rank observable variables by their mutual information with the outcome: "
            "the expected share of its uncertainty (entropy) an observation would remove, with the "
            "judgment after each of the observations that would move it most."
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
