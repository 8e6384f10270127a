"""A brief as the plain strings and tables a reader sees, computed once so the Markdown,
HTML and PDF say the same thing.

:func:`brief_context` formats a :class:`~estimative.brief.data.Brief`; it computes no analysis
and escapes nothing (the renderers do). Its ``sections`` list is the brief's order: each entry
names its ``kind`` (the template ``html/<kind>.j2`` / ``md/<kind>.j2`` and the PDF layout that
draws it), its title and number, so a new kind of section (e.g. trajectories) slots in with a
context entry, two templates and a PDF layout. The order is the reader's: the bottom line
first, then key judgments, the policy comparison, drivers and indicators of every outcome,
scenarios, high impact/low probability; forecast questions, method, assumptions, sources and
the metadata in annexes.

One number, one rounding: every probability is printed by one formatter
(:func:`estimative.brief.words.judged_pct` on the brief's scale), in every section and chart.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..charts import plain_strings, replaced_warning
from ..spec import BASELINE
from . import annex, outcomes, words
from .data import HILP_THRESHOLD, TABLE_COLUMNS, Brief

#: Rows of the key-judgments table on page one.
FRONT_JUDGMENTS = 5


def brief_context(brief: Brief) -> dict[str, Any]:
    """The brief as the plain strings and tables its templates lay out (nothing escaped yet).

    Parameters
    ----------
    brief : Brief
        What :func:`~estimative.brief.build_brief` computed.

    Returns
    -------
    dict
        ``header``, ``bottom_line``, ``judgments``, ``policies``, ``outcomes``, ... and
        ``sections``: the brief's parts in reading order, each ``{"id", "kind", "title",
        "number", "annex"}``.

    Examples
    --------
    >>> import datetime, numpy as np
    >>> from estimative import Network
    >>> from estimative.brief import build_brief
    >>> b = build_brief(Network.from_file("models/example"), draws=100, rng=np.random.default_rng(0),
    ...                 date=datetime.date(2017, 5, 20))
    >>> ctx = brief_context(b)
    >>> ctx["sections"][0]["kind"], ctx["judgments"][0]["word"]
    ('bottom_line', 'very unlikely')
    """
    spec, prm = brief.spec, brief.parameters
    lvl = words.level_text(prm.level)
    scale = prm.scale

    def fmt(p: float) -> str:
        return words.judged_pct(p, scale=scale)

    def lik(point: float, low: float, high: float) -> str:
        return words.likelihood_text(point, low, high, scale=scale, level=prm.level)

    label = {j.outcome.id: j.outcome.label for j in brief.judgments}
    scen = spec.scenario(prm.scenario) if prm.scenario else None
    ref_label = outcomes.policy_label(spec, prm.reference)
    condition = (
        f"under the policy \u201c{ref_label}\u201d"
        if prm.reference != BASELINE
        else "under the baseline"
    ) + (f", given the scenario \u201c{scen.label}\u201d" if scen is not None else "")

    header = {
        "title": spec.title,
        "date": prm.date.isoformat(),
        "as_of": spec.as_of.isoformat(),
        "model": spec.name,
        "model_hash": spec.model_hash,
        "version": brief.version,
        "parameters": [
            ("scale", words.SCALE_TITLES[scale]),
            ("reference", ref_label),
            (
                "policies compared",
                ", ".join(outcomes.policy_label(spec, p) for p in prm.policies) or "none",
            ),
            ("scenario", scen.label if scen else "none"),
            ("parameter draws", f"{prm.draws:,}"),
            ("seed", annex.seed_text(prm.seed)),
            ("credible level", lvl),
        ],
    }
    baseline = spec.baseline_note.strip() or (
        f"Every judgment is computed under the reference policy \u201c{ref_label}\u201d."
        if prm.reference != BASELINE
        else "The baseline leaves every decision variable at its prior probability (no policy is set)."
    )
    scope = {
        "description": spec.description.strip(),
        "condition": condition,
        "baseline": baseline,
        "scenario": (
            f"Every judgment is conditioned on the scenario \u201c{scen.label}\u201d"
            + (f": {scen.description.strip()}" if scen.description.strip() else ".")
        )
        if scen
        else "",
        "outcomes": list(label.values()),
        "policies": [outcomes.policy_label(spec, p) for p in prm.policies],
    }
    terms = [{"word": t.word, "range": t.range_text()} for t in words.scale_terms(scale)]

    judgments = []
    for j in brief.judgments:
        iv = j.interval
        # an outcome the reference policy sets itself is a number by construction
        said = (
            f"{fmt(iv.point)}, set by the policy \u201c{ref_label}\u201d itself"
            if j.fixed
            else lik(iv.point, iv.low, iv.high)
        )
        judgments.append(
            {
                "id": j.outcome.id,
                "label": j.outcome.label,
                "likelihood": said,
                "sentence": f"{words.sentence_case(j.outcome.label)} \u2014 {said}.",
                "confidence": "n/a" if j.fixed else j.confidence.level,
                "confidence_sentence": (
                    "Not a judgment: the reference policy fixes it; the policy comparison shows "
                    "how the other policies move it."
                    if j.fixed
                    else j.confidence.sentence(level=prm.level)
                ),
                "impact": j.outcome.impact,
                "word": j.term.word,
                "point": fmt(iv.point),
                "interval": outcomes.interval(iv, fmt),
                "bar": _bar(iv.point, iv.low, iv.high),
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

    matrix = outcomes.policy_matrix(brief, fmt)
    policies = {**matrix, **_utilities(brief, fmt)}
    policies["excluded"] = [
        f"{outcomes.policy_label(spec, p)}: {why}" for p, why in brief.policy.excluded.items()
    ]
    bottom = _bottom_line(brief, fmt, judgments, ref_label)
    front = _front_table(brief, fmt, bottom)

    hilp = []
    for h in brief.hilp:
        iv = h.judgment.interval
        text = (
            f"We cannot rule out {words.in_sentence(h.judgment.outcome.label)}: "
            f"{lik(iv.point, iv.low, iv.high)}."
        )
        if h.highest_where and h.highest > iv.point:
            text += f" It is highest ({fmt(h.highest)}) {h.highest_where}."
        hilp.append(text)
    voi_rows = []
    info = brief.policy.information
    if info is not None:
        for var, val in info.top(None, 5):
            if val > 0:
                k = info.variables.index(var)
                voi_rows.append(
                    [spec.variable(var).label, info.measure[k], words.utility_text(val)]
                )

    ctx: dict[str, Any] = {
        "header": header,
        "scope": scope,
        "terms": terms,
        "scale_title": words.SCALE_TITLES[scale],
        "bottom_line": bottom,
        "front": front,
        "judgments": judgments,
        "judgments_intro": f"{words.sentence_case(condition)}, with information as of {spec.as_of.isoformat()}:",
        "questions": questions,
        "policies": policies,
        "outcomes": outcomes.per_outcome(brief, fmt),
        "voi_rows": voi_rows,
        "scenario_blocks": outcomes.scenario_blocks(brief, fmt),
        "scenario_desc": [
            {
                "label": s.label,
                "evidence": _evidence(spec, s.given, s.soft),
                "description": s.description.strip(),
            }
            for s in spec.scenarios
        ],
        "hilp": hilp,
        "high_impact": [j.outcome.label for j in brief.judgments if j.outcome.impact == "high"],
        "hilp_threshold": fmt(HILP_THRESHOLD),
        "assumptions": annex.assumptions(brief, label),
        "sources": annex.sources(brief),
        "method": annex.method(brief),
        "level": lvl,
        "command": annex.command(brief),
        "main_label": words.in_sentence(brief.main.outcome.label) if brief.main else "",
        "trajectories": _trajectories(brief, fmt),
        "trajectories_intro": (
            "Each headline outcome over the horizon: its probability over the slices up to the "
            "end of each one (for an event, that it has happened by then; for a graded outcome, "
            "that the worst reached by then is that grade), under each alternative (the same "
            f"parameter draws for all; {lvl} intervals in brackets)."
        ),
    }
    ctx["sections"] = _sections(ctx)
    # a lone surrogate in the model's text can be neither drawn nor written as UTF-8
    found: set[str] = set()
    ctx = plain_strings(ctx, found)
    replaced_warning(found)
    return ctx


def _trajectories(brief: Brief, fmt: Any) -> list[dict[str, Any]]:
    """Each horizon outcome of a dynamic model slice by slice: for every alternative, its
    probability over the slices up to the end of each one (the highest state so far is the
    outcome's), with its interval."""
    spec = brief.spec
    time = spec.time
    out: list[dict[str, Any]] = []
    if time is None:
        return out
    ends = dict(zip(time.labels, time.slices, strict=True))
    for j in brief.judgments:
        alts = brief.trajectories.get(j.outcome.id)
        if not alts:
            continue
        names = [outcomes.policy_label(spec, a) for a in alts]
        rows = []
        for k, lab in enumerate(time.labels):
            cells = []
            for t in alts.values():
                iv = t.so_far[k]
                cells.append(f"{fmt(iv.point)} ({fmt(iv.low)} to {fmt(iv.high)})")
            rows.append([f"{lab} (to {ends[lab].isoformat()})", *cells])
        head = ["By the end of", *names]
        out.append(
            {
                "id": j.outcome.id,
                "label": j.outcome.label,
                "chart": f"trajectory_{j.outcome.id}",
                "head": head,
                "rows": rows,
                # the alternatives a few at a time, so a table fits the page
                "blocks": [
                    {
                        "head": [head[0], *head[1 + i : 1 + i + TABLE_COLUMNS]],
                        "rows": [[r[0], *r[1 + i : 1 + i + TABLE_COLUMNS]] for r in rows],
                    }
                    for i in range(0, len(names), TABLE_COLUMNS)
                ],
            }
        )
    return out


def _sections(ctx: dict[str, Any]) -> list[dict[str, Any]]:
    """The brief's parts in reading order; body sections numbered, annexes lettered."""
    body: list[tuple[str, str]] = [
        ("bottom_line", "Bottom line"),
        ("judgments", "Key judgments"),
        *([("trajectories", "Over time")] if ctx["trajectories"] else []),
        ("policies", "Policy comparison"),
        ("outcomes", "What drives each judgment, and what to watch"),
    ]
    if ctx["scenario_blocks"] and len(ctx["scenario_blocks"][0]["rows"]) > 1:
        body.append(("scenarios", "Alternative scenarios"))
    body.append(("hilp", "High impact, low probability"))
    annexes: list[tuple[str, str]] = []
    if ctx["questions"]:
        annexes.append(("questions", "Forecast questions"))
    annexes += [
        ("scope", "Scope note and the words we use"),
        ("method", "Method"),
        ("assumptions", "Key assumptions"),
    ]
    if ctx["sources"]:
        annexes.append(("sources", "Sources"))
    annexes.append(("metadata", "How this brief was made"))
    out = [
        {
            "id": k.replace("_", "-"),
            "kind": k,
            "title": t,
            "number": "" if k == "bottom_line" else str(i),
            "annex": False,
        }
        for i, (k, t) in enumerate(body)
    ]
    out += [
        {
            "id": k.replace("_", "-"),
            "kind": k,
            "title": t,
            "number": f"Annex {chr(65 + i)}",
            "annex": True,
        }
        for i, (k, t) in enumerate(annexes)
    ]
    return out


def _bar(point: float, low: float, high: float) -> dict[str, float] | None:
    """Positions (percent of the 0-100% track) for the HTML interval bars."""
    if not np.isfinite(low):
        return None
    return {
        "p": round(100 * point, 2),
        "lo": round(100 * low, 2),
        "w": round(max(100 * (high - low), 0.4), 2),
    }


def _evidence(spec: Any, given: Any, soft: Any) -> str:
    """A scenario's evidence with the variables' labels."""
    return words.evidence_words(
        given={spec.variable(k).label: v for k, v in given.items()},
        soft={spec.variable(k).label: v for k, v in soft.items()},
    )


def _utilities(brief: Brief, fmt: Any) -> dict[str, Any]:
    """The expected-utility table (the baseline row left out against a reference policy)."""
    eu, spec = brief.policy.utilities, brief.spec
    if eu is None:
        return {"has_utilities": False, "eu_rows": [], "eu_unit": "", "eu_best": ""}
    against_ref = brief.policy.reference != BASELINE
    rows = []
    for i, aid in enumerate(eu.ids):
        if against_ref and eu.kinds[i] == "baseline":
            continue
        name = (
            outcomes.policy_label(spec, aid)
            if aid in {p.id for p in spec.policies}
            else eu.labels[i]
        )
        pb = eu.prob_best[i]
        rows.append(
            [
                name,
                words.utility_text(eu.eu[i]),
                f"{words.utility_text(eu.low[i])} to {words.utility_text(eu.high[i])}"
                if eu.n_draws
                else "n/a",
                "reference"
                if eu.kinds[i] == "baseline"
                else (fmt(pb) if np.isfinite(pb) else "n/a"),
            ]
        )
    return {
        "has_utilities": True,
        "eu_rows": rows,
        "weightings": outcomes.weightings(brief, fmt),
        "eu_unit": eu.unit,
        "eu_draws": f"{eu.n_draws:,}",
        "scenario_note": (
            "Expected utilities are computed without the scenario's evidence."
            if brief.parameters.scenario
            else ""
        ),
    }


def _bottom_line(
    brief: Brief, fmt: Any, judgments: list[dict[str, Any]], ref_label: str
) -> dict[str, Any]:
    """The recommendation in one paragraph: the best policy and by how much, how sure we are
    and why, and what would change our mind."""
    spec, prm, bl = brief.spec, brief.parameters, brief.bottom_line
    lvl = words.level_text(prm.level)
    parts: list[str] = []
    best_label = ""
    if bl is not None:
        eu_labels = (
            dict(zip(brief.policy.utilities.ids, brief.policy.utilities.labels, strict=True))
            if brief.policy.utilities is not None
            else {}
        )

        def name(pid: str) -> str:
            if pid in {p.id for p in spec.policies} or pid not in eu_labels:
                return outcomes.policy_label(spec, pid)
            return eu_labels[pid]

        best_label, runner = name(bl.best), name(bl.runner_up)
        d = bl.margin_draws[np.isfinite(bl.margin_draws)]
        lo, hi = (
            np.quantile(d, [(1 - prm.level) / 2, (1 + prm.level) / 2]) if d.size else (np.nan,) * 2
        )
        if bl.basis == "utility":
            eu = brief.policy.utilities
            assert eu is not None
            unit = eu.unit
            parts.append(
                f"We recommend {best_label}. It has the highest expected utility in "
                f"{fmt(bl.prob_best)} of {bl.draws:,} parameter draws (P(best) {fmt(bl.prob_best)}), "
                f"{words.utility_text(bl.margin)} {unit} above the next best, {runner} "
                f"({lvl} interval of the difference {words.utility_text(lo)} to {words.utility_text(hi)})."
            )
        else:
            o = next(j.outcome for j in brief.judgments if j.outcome.id == bl.basis)
            c = brief.policy.comparisons[o.id]
            pb_val, pr_val = (float(c.points[c.policies.index(x)]) for x in (bl.best, bl.runner_up))
            way = "lowest" if o.better == "lower" else "highest"
            parts.append(
                f"We recommend {best_label}. It gives the {way} chance of "
                f"{words.in_sentence(o.label)} in {fmt(bl.prob_best)} of {bl.draws:,} parameter "
                f"draws (P(best) {fmt(bl.prob_best)}): {fmt(pb_val)} against {fmt(pr_val)} under "
                f"the next best, {runner} ({lvl} interval of the difference "
                f"{words.points_text(lo)} to {words.points_text(hi)} points)."
            )
    else:
        parts.append(
            "The brief makes no recommendation: the model has no utilities and no headline "
            "outcome that says whether higher or lower is better (write `better:` on an outcome)."
        )
    main = brief.main
    change = ""
    if main is not None:
        j0 = judgments[0]
        parts.append(
            f"{words.sentence_case(main.outcome.label)} \u2014 {j0['likelihood']} "
            + (f"under {ref_label}." if prm.reference != BASELINE else "under the baseline.")
        )
        parts.append(
            f"We have {main.confidence.level} confidence in that judgment: its interval is "
            f"{main.confidence.width} and it is {main.confidence.basis}."
        )
        ind = brief.indicators[main.outcome.id]
        top_ind = next(iter(ind.indicators), None)
        top_drv = next((f for f in brief.drivers[main.outcome.id].top(1) if f.swing > 0), None)
        bits = []
        if top_ind is not None and top_ind.entropy_reduction >= 0.0005:
            (ls, lv), (hs, hv) = top_ind.low, top_ind.high
            bits.append(
                f"seeing {words.in_sentence(spec.variable(top_ind.variable).label)} as \u201c{hs}\u201d "
                f"would move it to {fmt(hv)} (as \u201c{ls}\u201d, to {fmt(lv)})"
            )
        if top_drv is not None:
            p = top_drv.parameter
            lo_v, hi_v = sorted((top_drv.low_value, top_drv.high_value))
            bits.append(
                f"the number it rests on most, in the table of "
                f"{words.in_sentence(spec.variable(p.variable).label)}, moves it between "
                f"{fmt(lo_v)} and {fmt(hi_v)} across its credible range"
            )
        info = brief.policy.information
        if info is not None:
            top_voi = next(((v, x) for v, x in info.top(None, 1) if x > 0), None)
            if top_voi is not None and brief.policy.utilities is not None:
                bits.append(
                    f"observing {words.in_sentence(spec.variable(top_voi[0]).label)} before choosing "
                    f"is worth {words.utility_text(top_voi[1])} {brief.policy.utilities.unit}"
                )
        if bits:
            change = "What would change our mind: " + "; ".join(bits) + "."
    return {
        "paragraph": " ".join(parts),
        "change": change,
        "best": best_label,
        "chart": "utility" if brief.policy.utilities is not None else "policies",
    }


def _front_table(brief: Brief, fmt: Any, bottom: dict[str, Any]) -> dict[str, Any]:
    """Page one's key judgments: the first outcomes under the reference and under the
    recommended policy, and their confidence."""
    prm, bl = brief.parameters, brief.bottom_line
    rec = bl.best if bl is not None and bl.best != prm.reference else None
    if rec not in brief.policy.policies:  # an unnamed combination of decisions: no column
        rec = None
    rows = []
    for j in brief.judgments[:FRONT_JUDGMENTS]:
        iv = j.interval
        row = [
            j.outcome.label,
            f"set by the policy: {fmt(iv.point)}"
            if j.fixed
            else f"{words.likelihood_phrase(iv.point, scale=prm.scale)}: {fmt(iv.point)}",
        ]
        if rec is not None:
            c = brief.policy.comparisons[j.outcome.id]
            point, _, _ = outcomes.effect_interval(c, rec, prm.reference, prm.level)
            row.append(
                f"{fmt(float(c.points[c.policies.index(rec)]))} ({words.points_text(point)} pts)"
            )
        row.append("n/a" if j.fixed else j.confidence.level)
        rows.append(row)
    head = ["Outcome", f"Now ({outcomes.policy_label(brief.spec, prm.reference)})"]
    if rec is not None:
        head.append(f"Under {bottom['best']}")
    head.append("Confidence")
    return {"head": head, "rows": rows}
