"""Build a probability brief's data, then render it as Markdown, HTML and PDF.

:func:`build_brief` computes every number (exact queries, one shared set of Dirichlet
parameter draws, one-way sensitivities, indicators, expected utilities) and returns a
:class:`Brief` of raw results. :func:`brief_context` turns a brief into the strings a reader
sees, once, so the three formats say the same thing; :func:`render_markdown`,
:func:`render_html` and :func:`render_pdf` lay those strings out, and :func:`write_brief`
writes all three atomically.

The draws are ``draw_cpts(net, draws, rng=np.random.default_rng(seed))``, taken once and
shared by every interval of the brief (common random numbers), so any number in the brief can
be recomputed through the public API from the model, ``draws`` and ``seed``.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..errors import ImpossibleEvidenceError, QueryError, UsageError, did_you_mean
from ..network import Network
from ..scales import Term
from ..sensitivity.findings import Indicators, indicators
from ..sensitivity.oneway import OneWaySensitivity, one_way
from ..spec import ModelSpec, OutcomeSpec, QuestionSpec, VariableSpec
from ..uncertainty import (
    PolicyComparison,
    ProbabilityInterval,
    compare_policies,
    draw_cpts,
    query_interval,
)
from . import words
from .words import Confidence, pct

#: A high-impact outcome whose probability is below this is listed as one "we cannot rule out".
HILP_THRESHOLD = 0.20
#: Rows of the tornado table and chart.
TOP_DRIVERS = 10
#: Rows of the indicators table for the main outcome.
TOP_INDICATORS = 8
#: Indicators named for each of the other outcomes.
TOP_INDICATORS_OTHER = 3
#: Outcome columns per table (wider tables are split so they fit a page).
TABLE_COLUMNS = 4
#: The label of the no-policy column.
BASELINE = "baseline"


# ================================================================================== the data
@dataclass(frozen=True)
class BriefParameters:
    """The options a brief was made with (printed in its header)."""

    policies: tuple[str, ...]
    scenario: str | None
    scale: str
    draws: int
    seed: int
    date: _dt.date
    level: float


@dataclass(frozen=True, eq=False)
class Judgment:
    """A key judgment: a headline outcome's probability, its interval and its confidence."""

    outcome: OutcomeSpec
    interval: ProbabilityInterval
    sensitivity: OneWaySensitivity
    assumption_share: float
    confidence: Confidence
    term: Term


@dataclass(frozen=True, eq=False)
class ForecastAnswer:
    """A forecast question answered from the baseline, with its interval over the draws."""

    question: QuestionSpec
    point: float
    interval: ProbabilityInterval
    term: Term


@dataclass(frozen=True, eq=False)
class PolicySection:
    """Each compared policy's effect on each outcome, and expected utility when the model has
    utilities."""

    policies: tuple[str, ...]
    comparisons: Mapping[str, PolicyComparison]  # by outcome id
    utilities: Any | None  # estimative.decision.ExpectedUtilities
    information: Any | None  # estimative.decision.ValueOfInformation
    excluded: Mapping[str, str]  # policy -> why it is left out


@dataclass(frozen=True, eq=False)
class ScenarioRow:
    """One scenario's probabilities of every outcome (``None`` when the scenario's evidence is
    impossible under the model)."""

    scenario: str | None
    intervals: Mapping[str, ProbabilityInterval] | None


@dataclass(frozen=True, eq=False)
class HilpItem:
    """A high-impact outcome below :data:`HILP_THRESHOLD`, and where it is highest."""

    judgment: Judgment
    highest: float
    highest_where: str


@dataclass(frozen=True)
class Assumption:
    """A CPT behind the key judgments that rests on analyst assumptions."""

    variable: VariableSpec
    swing: float  # the largest swing of one of its parameters on any key judgment
    judgment: str  # the outcome id of that judgment


@dataclass(frozen=True)
class Quote:
    """A verbatim quote of a source and what it supports."""

    source: str
    quote: str
    supports: str


@dataclass(frozen=True, eq=False)
class Brief:
    """Every computed result a probability brief presents (raw numbers; no formatting)."""

    spec: ModelSpec
    parameters: BriefParameters
    version: str
    judgments: tuple[Judgment, ...]
    questions: tuple[ForecastAnswer, ...]
    policy: PolicySection
    drivers: OneWaySensitivity | None
    indicators: Mapping[str, Indicators]  # by outcome id
    scenarios: tuple[ScenarioRow, ...]
    hilp: tuple[HilpItem, ...]
    assumptions: tuple[Assumption, ...]
    quotes: tuple[Quote, ...]
    relevant: frozenset[str] = field(default_factory=frozenset)  # the CPTs the key judgments rest on

    @property
    def main(self) -> Judgment | None:
        """The first headline outcome's judgment: the one the drivers are shown for."""
        return self.judgments[0] if self.judgments else None

    def judgment(self, outcome: str) -> Judgment:
        for j in self.judgments:
            if j.outcome.id == outcome:
                return j
        raise QueryError(f"no key judgment for outcome '{outcome}'"
                         f"{did_you_mean(outcome, [j.outcome.id for j in self.judgments])}")


# ============================================================================= computation
def _outcomes(net: Network) -> list[OutcomeSpec]:
    """The model's headline outcomes; without an ``outcomes:`` list, the last state of every
    variable that has parents and no children."""
    if net.spec.outcomes:
        return list(net.spec.outcomes)
    has_child = {p for v in net.variables for p in net.parents[v]}
    return [OutcomeSpec(id=v.replace(".", "_").replace("-", "_"), label=net.spec.variable(v).label, target=v,
                        state=net.states[v][-1])
            for v in net.variables if net.parents[v] and v not in has_child]


def _check_names(net: Network, policies: Sequence[str], scenario: str | None) -> None:
    known = [p.id for p in net.spec.policies]
    for p in policies:
        if p not in known:
            raise UsageError(f"unknown policy '{p}'{did_you_mean(p, known)}", field="--policy",
                             expected=f"one of {known}" if known else "no policy: the model defines none",
                             fix="name a policy of the model (estimative show lists them)")
    if len(set(policies)) != len(policies):
        raise UsageError("a policy is named twice", field="--policy", found=str(list(policies)))
    if scenario is not None:
        ids = [s.id for s in net.spec.scenarios]
        if scenario not in ids:
            raise UsageError(f"unknown scenario '{scenario}'{did_you_mean(scenario, ids)}", field="--scenario",
                             expected=f"one of {ids}" if ids else "no scenario: the model defines none",
                             fix="name a scenario of the model (estimative show lists them)")


def _assumed(spec: ModelSpec, variable: str) -> bool:
    return not spec.variable(variable).cpt.sourced


def build_brief(
    net: Network,
    *,
    policies: Sequence[str] | None = None,
    scenario: str | None = None,
    scale: str = "icd203",
    draws: int = 2000,
    seed: int = 0,
    date: _dt.date | None = None,
    level: float = 0.9,
) -> Brief:
    """Compute everything a probability brief presents.

    ``policies`` are the model's policies to compare (default: all of them); ``scenario``
    conditions every judgment on a named scenario; ``scale`` is ``"icd203"`` or ``"phia"``;
    ``draws`` Dirichlet parameter draws are taken with ``np.random.default_rng(seed)`` and
    shared by every interval; ``date`` is the brief's date (default: today).

    >>> net = Network.from_file("models/example")
    >>> b = build_brief(net, draws=200, seed=1, date=_dt.date(2017, 5, 20))
    >>> [j.outcome.id for j in b.judgments], b.judgments[0].term.word
    (['clash', 'misreading'], 'very unlikely')
    """
    words.check_scale(scale)
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 2:
        raise UsageError("draws must be a whole number of at least 2", field="--draws", found=repr(draws),
                         fix="e.g. --draws 2000")
    if not 0 < level < 1:
        raise UsageError("level must be strictly between 0 and 1", field="level", found=str(level))
    spec = net.spec
    pols = tuple(policies) if policies else tuple(p.id for p in spec.policies)
    _check_names(net, pols, scenario)
    params = BriefParameters(pols, scenario, scale, int(draws), int(seed), date or _dt.date.today(), float(level))
    outcomes = _outcomes(net)
    for o in outcomes:
        net.state_index(o.target, o.state)
    # The scenario must be possible: fail before any draw is taken.
    if scenario is not None and outcomes:
        try:
            net.query(outcomes[0].target, scenario=scenario)
        except ImpossibleEvidenceError as exc:
            sc = spec.scenario(scenario)
            raise ImpossibleEvidenceError(
                f"scenario '{scenario}' ({sc.label}) is impossible under the model: its evidence "
                f"({net.resolve(scenario=scenario).describe()}) has probability zero", field="--scenario",
                fix="choose another scenario, or change the model so this evidence can occur") from exc
    cpts = draw_cpts(net, params.draws, rng=np.random.default_rng(params.seed))

    judgments = []
    for o in outcomes:
        iv = query_interval(net, o.target, o.state, scenario=scenario, draws=cpts, level=level)
        sens = one_way(net, o.target, o.state, scenario=scenario, level=level)
        share = words.assumption_share([f.swing for f in sens.functions],
                                       [_assumed(spec, f.parameter.variable) for f in sens.functions])
        judgments.append(Judgment(o, iv, sens, share, words.confidence_for(iv.low, iv.high, share),
                                  words.likelihood_term(iv.point, scale=scale)))

    questions = []
    for q in spec.questions:
        if q.query.event is None and q.query.target is not None:
            qiv = query_interval(net, q.query.target, q.query.target_states(), draws=cpts, level=level)
        else:
            qiv = _event_interval(net, q, cpts, level)
        questions.append(ForecastAnswer(q, qiv.point, qiv, words.likelihood_term(qiv.point, scale=scale)))

    policy = _policy_section(net, outcomes, pols, scenario, cpts, level)
    inds = {o.id: indicators(net, o.target, o.state, scenario=scenario) for o in outcomes}

    rows = []
    for sid in [None, *(s.id for s in spec.scenarios)]:
        if sid == scenario:
            rows.append(ScenarioRow(sid, {j.outcome.id: j.interval for j in judgments}))
            continue
        try:
            rows.append(ScenarioRow(sid, {o.id: query_interval(net, o.target, o.state, scenario=sid, draws=cpts,
                                                                level=level) for o in outcomes}))
        except ImpossibleEvidenceError:
            rows.append(ScenarioRow(sid, None))

    hilp = []
    for j in judgments:
        if j.outcome.impact != "high" or not j.interval.point < HILP_THRESHOLD:
            continue
        where = [(j.interval.point, "")]
        cmp = policy.comparisons.get(j.outcome.id)
        if cmp is not None:
            for pid, val in zip(cmp.policies, cmp.points, strict=True):
                # A policy that sets the outcome itself says nothing about how likely it is.
                if pid != BASELINE and j.outcome.target not in spec.policy(pid).do:
                    where.append((float(val), f"under the policy \u201c{spec.policy(pid).label}\u201d"))
        for row in rows:
            if (row.intervals is not None and row.scenario is not None and row.scenario != scenario
                    and j.outcome.target not in spec.scenario(row.scenario).given):
                where.append((row.intervals[j.outcome.id].point,
                              f"in the scenario \u201c{spec.scenario(row.scenario).label}\u201d"))
        top = max(where, key=lambda w: w[0])
        hilp.append(HilpItem(j, top[0], top[1]))

    relevant = net.ancestors([o.target for o in outcomes])  # every CPT a baseline judgment rests on
    assumptions = []
    for v in spec.variables:
        if v.id not in relevant or v.cpt.sourced:
            continue
        best = (0.0, judgments[0].outcome.id if judgments else "")
        for j in judgments:
            for f in j.sensitivity.functions:
                if f.parameter.variable == v.id and f.swing > best[0]:
                    best = (f.swing, j.outcome.id)
        assumptions.append(Assumption(v, best[0], best[1]))
    assumptions.sort(key=lambda a: -a.swing)

    quotes: list[Quote] = []
    for v in spec.variables:
        if v.id in relevant:
            quotes += [Quote(c.source, c.quote, v.label) for c in v.cpt.sources]
    for pid in pols:
        p = spec.policy(pid)
        quotes += [Quote(c.source, c.quote, f"policy: {p.label}") for c in p.sources]
    for s in spec.scenarios:
        quotes += [Quote(c.source, c.quote, f"scenario: {s.label}") for c in s.sources]
    if spec.utilities is not None:
        for a in spec.utilities.attributes:
            quotes += [Quote(c.source, c.quote, f"utility: {a.label}") for c in a.sources]

    return Brief(spec, params, __version__, tuple(judgments), tuple(questions), policy,
                 judgments[0].sensitivity if judgments else None, inds, tuple(rows), tuple(hilp),
                 tuple(assumptions), tuple(quotes), frozenset(relevant))


def _event_interval(net: Network, q: QuestionSpec, cpts: Sequence[np.ndarray], level: float) -> ProbabilityInterval:
    """A forecast question about an event over several variables, at the model's numbers and
    over the shared draws: the joint posterior of the event's variables per draw, summed over
    the event's cells."""
    assert q.query.event is not None
    terms = q.query.event.terms()
    variables = sorted({v for t in terms for v in t})
    bp = net.query_batch(variables, cpts=list(cpts))
    mask = np.zeros(bp.probs.shape[1:], dtype=bool)
    for t in terms:
        mask[tuple(net.state_index(v, t[v]) if v in t else slice(None) for v in variables)] = True
    valid = ~np.asarray(bp.impossible, dtype=bool)
    values = np.where(valid, bp.probs[:, mask].sum(axis=1), np.nan)
    label = " or ".join("(" + ", ".join(f"{v}={s}" for v, s in t.items()) + ")" for t in terms)
    return ProbabilityInterval(f"event {label}", ("yes",), "", float(net.probability(q.query)), values, valid, level,
                               net.model_hash)


def _policy_section(net: Network, outcomes: Sequence[OutcomeSpec], pols: Sequence[str], scenario: str | None,
                    cpts: Sequence[np.ndarray], level: float) -> PolicySection:
    excluded: dict[str, str] = {}
    usable: list[str] = []
    for pid in pols:
        try:
            if outcomes:
                net.query(outcomes[0].target, policy=pid, scenario=scenario)
            usable.append(pid)
        except ImpossibleEvidenceError:
            excluded[pid] = "the scenario's evidence is impossible under this policy"
    comparisons = {o.id: compare_policies(net, o.target, o.state, [None, *usable], scenario=scenario, draws=cpts,
                                          level=level) for o in outcomes}
    utilities = information = None
    # Without named policies, the decision module weighs every combination of the decisions.
    alternatives = list(usable) if usable else None
    if net.spec.utilities is not None and (usable or not net.spec.policies):
        from ..decision import expected_utilities, value_of_information

        utilities = expected_utilities(net, policies=alternatives, draws=list(cpts), level=level)
        information = value_of_information(net, policies=alternatives)
    return PolicySection(tuple([BASELINE, *usable]), comparisons, utilities, information, excluded)


# =============================================================================== the words
def _md_escape(value: Any) -> str:
    r"""Text safe inside Markdown, also inside a table cell: backslash-escape what Markdown or
    HTML would read (emphasis, links, headings, tables, HTML tags, entities, a list marker at
    the start) and fold line breaks into spaces. Underscores inside words stay as they are.

    >>> _md_escape("a <b>|c</b> *d* snake_case _e_")
    'a \\<b\\>\\|c\\</b\\> \\*d\\* snake_case \\_e\\_'
    >>> _md_escape("- 1. item"), _md_escape("1. item"), _md_escape("0.1.0 +0.9")
    ('\\- 1. item', '1\\. item', '0.1.0 +0.9')
    """
    text = " ".join(str(value).split())
    text = re.sub(r"[\\`*\[\]<>#|~&$]", lambda m: "\\" + m.group(0), text)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    text = re.sub(r"^([-+*=])(?=\s|$)", r"\\\1", text)
    return re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", text)


def _signed_pts(x: float) -> str:
    """A difference of probabilities in percentage points: ``+4.2``, ``-0.3``, ``0``."""
    v = 100 * x
    if abs(v) < 0.05:
        return "0"
    return f"{v:+.1f}".replace("-", "\u2212")


def _fmt_num(x: float) -> str:
    """A utility for a reader: one decimal (none from 1,000 up), a true minus sign.

    >>> _fmt_num(-56.94), _fmt_num(12345.6), _fmt_num(float("nan"))
    ('\u221256.9', '12,346', 'n/a')
    """
    if not np.isfinite(x):
        return "n/a"
    text = f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"
    return text.replace("-", "\u2212")


def _cond_words(parents: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{p} = {s}" for p, s in parents)


def brief_context(brief: Brief) -> dict[str, Any]:
    """The brief as the plain strings and tables its templates lay out (nothing escaped yet)."""
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
        return {"p": round(100 * iv.point, 2), "lo": round(100 * iv.low, 2),
                "w": round(max(100 * (iv.high - iv.low), 0.4), 2)}

    header = {
        "title": spec.title,
        "date": prm.date.isoformat(),
        "as_of": spec.as_of.isoformat(),
        "model": spec.name,
        "hash": spec.model_hash,
        "version": brief.version,
        "parameters": [
            ("scale", words.SCALE_TITLES[scale]),
            ("policies compared", ", ".join(prm.policies) or "none"),
            ("scenario", prm.scenario or "none (the baseline)"),
            ("parameter draws", f"{prm.draws:,}"),
            ("seed", str(prm.seed)),
            ("credible level", lvl),
        ],
    }
    condition = (f"given the scenario \u201c{scen.label}\u201d" if scen is not None else
                 "under the baseline")
    scope = {
        "description": spec.description,
        "condition": condition,
        "baseline": (f"The baseline is the model's expectation as of {spec.as_of.isoformat()}: each government "
                     "acts as the analyst expected, so the policy instruments keep their prior probabilities "
                     "rather than being set by a do() intervention."),
        "scenario": (f"Every judgment is conditioned on the scenario \u201c{scen.label}\u201d"
                     + (f": {scen.description.strip()}" if scen.description.strip() else ".")) if scen else "",
        "outcomes": [o.label for o in (j.outcome for j in brief.judgments)],
        "policies": [spec.policy(p).label for p in prm.policies],
        "n_questions": len(brief.questions),
        "horizons": sorted({q.question.horizon.isoformat() for q in brief.questions}),
    }
    terms = [{"word": t.word, "range": t.range_text()} for t in words.scale_terms(scale)]
    judgments_intro = f"{words.sentence_case(condition)}, with information as of {spec.as_of.isoformat()}:"

    judgments = []
    for j in brief.judgments:
        iv = j.interval
        judgments.append({
            "id": j.outcome.id,
            "label": j.outcome.label,
            "likelihood": lik(iv.point, iv.low, iv.high),
            "sentence": f"{words.sentence_case(j.outcome.label)} \u2014 {lik(iv.point, iv.low, iv.high)}.",
            "confidence": j.confidence.level,
            "confidence_sentence": j.confidence.sentence(level=prm.level),
            "impact": j.outcome.impact,
            "word": j.term.word,
            "bar": bar(iv),
        })
    questions = [{
        "id": a.question.id,
        "text": a.question.text,
        "horizon": a.question.horizon.isoformat(),
        "answer": lik(a.point, a.interval.low, a.interval.high),
    } for a in brief.questions]

    # --- policies
    pol = brief.policy
    plabel = {BASELINE: "Baseline (no policy set)"} | {p.id: p.label for p in spec.policies}
    outs = list(label)
    groups = [outs[i:i + TABLE_COLUMNS] for i in range(0, len(outs), TABLE_COLUMNS)]

    def effect(c: PolicyComparison, pid: str) -> str:
        d = c.difference(pid, BASELINE)
        d = d[np.isfinite(d)]
        lo, hi = np.quantile(d, [(1 - prm.level) / 2, (1 + prm.level) / 2]) if d.size else (np.nan, np.nan)
        point = float(c.points[c.policies.index(pid)] - c.points[c.policies.index(BASELINE)])
        return f"{_signed_pts(point)} pts ({_signed_pts(lo)} to {_signed_pts(hi)})"

    policy_blocks = []
    for g in groups:
        rows = []
        for pid in pol.policies:
            cells = []
            for o in g:
                c = pol.comparisons[o]
                iv = c.interval(pid)
                eff = "" if pid == BASELINE else effect(c, pid)
                cells.append({"text": cell(iv), "effect": eff, "bar": bar(iv),
                              "combined": cell(iv) + (f"; {eff}" if eff else "")})
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
            eu_rows.append([name, _fmt_num(eu.eu[i]),
                            f"{_fmt_num(eu.low[i])} to {_fmt_num(eu.high[i])}" if eu.n_draws else "n/a",
                            "reference" if eu.kinds[i] == "baseline" else (pct(pb[i]) if np.isfinite(pb[i]) else "n/a")])
        eu_best = plabel.get(eu.best, eu.labels[eu.index(eu.best)])
    policies = {
        "blocks": policy_blocks,
        "intro": (f"Probability of each outcome under each policy ({lvl} interval in brackets), then its effect "
                  f"against the baseline in percentage points ({lvl} interval of the difference, on common random "
                  "draws):" if len(pol.policies) > 1 else
                  f"No policy is compared, so the table shows the baseline ({lvl} interval in brackets):"),
        "excluded": [f"{plabel[p]}: {why}" for p, why in pol.excluded.items()],
        "eu_rows": eu_rows,
        "eu_unit": eu_unit,
        "eu_best": eu_best,
        "has_utilities": eu is not None,
        "scenario_note": ("Expected utilities are computed without the scenario's evidence."
                          if eu is not None and scen is not None else ""),
    }

    # --- drivers
    drivers = None
    if brief.drivers is not None and brief.main is not None:
        rows = []
        for f in brief.drivers.top(TOP_DRIVERS):
            p = f.parameter
            if f.swing <= 0:
                continue
            v = spec.variable(p.variable)
            rows.append([f"{v.label}: {p.state}", _cond_words(p.parents) or "(no parents)",
                         f"{pct(p.value)} ({words.interval_text(f.low_x, f.high_x)})",
                         f"{100 * min(f.low_value, f.high_value):.1f}% to {100 * max(f.low_value, f.high_value):.1f}%",
                         "assumption" if _assumed(spec, p.variable) else "sourced"])
        drivers = {"intro": (f"The numbers that most move the judgment on "
                             f"{words.in_sentence(brief.main.outcome.label)}, now {pct(brief.drivers.point)}. Each "
                             f"moves across its own {lvl} credible range while the others keep the model's values:"),
                   "rows": rows}

    # --- indicators
    ind_main = None
    ind_other = []
    for k, j in enumerate(brief.judgments):
        ind = brief.indicators[j.outcome.id]
        items = [i for i in ind.indicators if i.entropy_reduction >= 0.0005]
        if k == 0:
            rows = []
            for i in items[:TOP_INDICATORS]:
                (ls, lv), (hs, hv) = i.low, i.high
                vlabel = spec.variable(i.variable).label
                rows.append([vlabel, f"{hs}: {pct(hv)}", f"{ls}: {pct(lv)}", f"{i.entropy_reduction * 100:.1f}%"])
            ind_main = {"intro": (f"The observations that would tell us most about "
                                  f"{words.in_sentence(j.outcome.label)}, now {pct(ind.point)}, and which way "
                                  "each would move the judgment:"), "rows": rows}
        else:
            parts = []
            for i in items[:TOP_INDICATORS_OTHER]:
                (ls, lv), (hs, hv) = i.low, i.high
                parts.append(f"{spec.variable(i.variable).label} ({hs}: {pct(hv)}; {ls}: {pct(lv)})")
            ind_other.append({"outcome": j.outcome.label, "point": pct(ind.point),
                              "text": "; ".join(parts) if parts else "no observation moves it"})
    voi_rows = []
    if pol.information is not None:
        info = pol.information
        for var, val in info.top(None, 5):
            if val <= 0:
                continue
            k = info.variables.index(var)
            voi_rows.append([spec.variable(var).label, info.measure[k], _fmt_num(val)])

    # --- scenarios
    # A scenario that observes an outcome's variable settles it: say so instead of 100% or 0%.
    observed = {}
    outcome_of = {j.outcome.id: j.outcome for j in brief.judgments}
    for s_ in spec.scenarios:
        for o in label:
            tgt = outcome_of[o]
            if tgt.target in s_.given:
                observed[(s_.id, o)] = "observed" if s_.given[tgt.target] == tgt.state else "ruled out (observed)"
    scen_rows = []
    for row in brief.scenarios:
        name = "No scenario: the baseline" if row.scenario is None else spec.scenario(row.scenario).label
        if row.scenario == prm.scenario:
            name += " (this brief)"
        scen_rows.append((row.scenario, name, row.intervals))
    scenario_blocks = []
    for g in groups:
        rows = []
        for sid, name, ivs in scen_rows:
            cells = [{"text": "impossible under the model", "bar": None} if ivs is None else
                     {"text": observed[(sid, o)], "bar": None} if (sid, o) in observed else
                     {"text": cell(ivs[o]), "bar": bar(ivs[o])} for o in g]
            rows.append({"label": name, "cells": cells})
        scenario_blocks.append({"columns": [label[o] for o in g], "rows": rows})
    sdesc = []
    for s in spec.scenarios:
        ev = [f"{k} = {v}" for k, v in s.given.items()]
        ev += [f"soft evidence on {k} (likelihoods " + " : ".join(f"{st} {x:g}" for st, x in lik_.items()) + ")"
               for k, lik_ in s.soft.items()]
        sdesc.append({"label": s.label, "evidence": "; ".join(ev), "description": s.description.strip()})

    # --- high impact, low probability
    hilp = []
    for h in brief.hilp:
        iv = h.judgment.interval
        text = (f"We cannot rule out {words.in_sentence(h.judgment.outcome.label)}: "
                f"{lik(iv.point, iv.low, iv.high)}.")
        if h.highest_where and h.highest > iv.point:
            text += f" It is highest ({pct(h.highest)}) {h.highest_where}."
        hilp.append(text)
    high_impact = [j.outcome.label for j in brief.judgments if j.outcome.impact == "high"]

    # --- assumptions and sources
    assumptions = []
    for a in brief.assumptions:
        v = a.variable
        assumptions.append({
            "label": v.label, "id": v.id,
            "rationale": (v.cpt.rationale or "").strip() or "No rationale is given in the model file.",
            "influence": (f"moves the judgment on {words.in_sentence(label.get(a.judgment, a.judgment))} by up to "
                          f"{100 * a.swing:.1f} points across its credible range" if a.swing > 0 else
                          "does not move any key judgment"),
        })
    docs = {d.id: d for d in spec.sources}
    sources = []
    for sid in dict.fromkeys(q.source for q in brief.quotes):
        d = docs.get(sid)
        title = (d.title or d.path) if d else sid
        meta = ", ".join(x for x in ((d.author or "") if d else "", (d.date or "") if d else "") if x)
        groups: dict[str, list[str]] = {}
        for q in brief.quotes:
            if q.source == sid:
                groups.setdefault(q.supports, []).append(" ".join(q.quote.split()))
        sources.append({"id": sid, "title": title, "meta": meta,
                        "groups": [{"supports": k, "quotes": v} for k, v in groups.items()]})

    method = _method(brief)
    return {
        "header": header, "scope": scope, "terms": terms, "scale_title": words.SCALE_TITLES[scale],
        "judgments": judgments, "judgments_intro": judgments_intro, "questions": questions, "policies": policies, "drivers": drivers,
        "indicators": ind_main, "indicators_other": ind_other, "voi_rows": voi_rows,
        "scenario_blocks": scenario_blocks, "scenario_desc": sdesc,
        "hilp": hilp, "high_impact": high_impact, "hilp_threshold": pct(HILP_THRESHOLD),
        "assumptions": assumptions, "sources": sources, "method": method, "level": lvl,
        "command": _command(brief),
    }


def _command(brief: Brief) -> str:
    prm = brief.parameters
    root = brief.spec.root or brief.spec.name
    parts = ["estimative brief", str(root)]
    all_pols = tuple(p.id for p in brief.spec.policies)
    if prm.policies != all_pols:
        parts += [f"--policy {p}" for p in prm.policies]
    if prm.scenario:
        parts.append(f"--scenario {prm.scenario}")
    parts += [f"--scale {prm.scale}", f"--draws {prm.draws}", f"--seed {prm.seed}", f"--date {prm.date.isoformat()}",
              "-o DIR"]
    return " ".join(parts)


def _method(brief: Brief) -> list[str]:
    prm = brief.parameters
    lvl = words.level_text(prm.level)
    n_vars = len(brief.spec.variables)
    n_assumed = sum(1 for v in brief.spec.variables if not v.cpt.sourced)
    return [
        (f"The model is a Bayesian network of {n_vars} variables; {n_vars - n_assumed} of its conditional "
         f"probability tables (CPTs) cite verbatim quotes from the sources and {n_assumed} rest on analyst "
         "assumptions, each with a written rationale. Every probability in this brief is computed by exact "
         "inference on the model; a policy is a do() intervention that sets its instruments and cuts the "
         "arrows into them; a scenario is evidence the judgments are conditioned on."),
        (f"Intervals: each CPT column is uncertain, drawn from a Dirichlet distribution whose strength "
         f"reflects its provenance (sourced numbers are firmer than assumptions; verbal terms get the "
         f"spread of their band). The brief takes {prm.draws:,} joint draws of every CPT with seed "
         f"{prm.seed} and shares them across every judgment, policy and scenario (common random "
         f"numbers), so differences between policies carry honest intervals. A {lvl} interval is the "
         "central range of a quantity over the draws; the headline number is the exact value at the "
         "model's own numbers."),
        ("Words: each probability is given the scale's term whose band contains it; where two bands share "
         "an edge, the edge goes to the band nearer 50%; a probability in a gap the scale leaves between "
         "two bands is named by both terms, with the gap as its range. The word is always followed by its "
         "band, the number and its interval."),
        (f"Confidence follows a fixed rule from two inputs. Interval width is measured in odds: the "
         f"interval is narrow when the odds at its upper end are at most {words.NARROW_ODDS_RATIO:g} times "
         f"those at its lower end, and wide when they are more than {words.WIDE_ODDS_RATIO:g} times. The "
         "assumption share is the fraction of the judgment's total squared one-way sensitivity carried "
         "by parameters of CPTs that rest on assumptions rather than quoted sources; a parameter's "
         f"sensitivity is how far the judgment moves as it crosses its own {lvl} credible range. "
         f"High confidence needs a narrow interval and an assumption share below "
         f"{100 * words.SOURCED_SHARE:.0f}%; a wide interval or a share above "
         f"{100 * words.ASSUMED_SHARE:.0f}% gives low confidence; anything else is moderate."),
        ("Key drivers (the tornado): each CPT entry moves across its credible range while the rest of "
         "its column moves in proportion; the bar is the range the main judgment then spans. "
         "Indicators to watch rank observable variables by their mutual information with the outcome: "
         "the expected share of its uncertainty (entropy) an observation would remove, with the "
         "judgment after each of the observations that would move it most."),
        (f"High impact, low probability: every headline outcome the model marks as high impact whose "
         f"probability is below {pct(HILP_THRESHOLD)}, with the highest value it reaches under a compared "
         "policy or an alternative scenario."),
        ("Expected utility, where the model defines utilities, is the weighted sum of its attributes' "
         "values under each policy, computed on the same draws; the probability a policy is best is the "
         "share of draws in which its expected utility is the highest."),
    ]


# ============================================================================== rendering
def _md_finalize(value: Any) -> Any:
    """Escape every value a Markdown template prints, except what a macro already built
    (marked safe)."""
    from markupsafe import Markup

    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return _md_escape(value)


def _environment(kind: str) -> Any:
    import jinja2

    loader = jinja2.FileSystemLoader(str(Path(__file__).with_name("templates")))
    if kind == "html":
        env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                 undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    else:
        env = jinja2.Environment(loader=loader, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                                 undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                                 finalize=_md_finalize)
    return env


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown (GitHub-flavoured tables; every piece of model text escaped)."""
    return _environment("md").get_template("brief.md.j2").render(**brief_context(brief))


def _figures(brief: Brief) -> dict[str, Any]:
    """The brief's charts as matplotlib Figures, by name (only those that apply)."""
    from ..charts.graph import graph_figure
    from ..charts.sensitivity import indicators_figure, tornado_figure

    figs: dict[str, Any] = {}
    if brief.policy.utilities is not None:
        from ..charts.decision import expected_utility_figure

        figs["utility"] = expected_utility_figure(brief.policy.utilities, title="Expected utility by policy")
    if brief.drivers is not None:
        figs["tornado"] = tornado_figure(brief.drivers, top=TOP_DRIVERS)
    main = brief.main
    if main is not None:
        figs["indicators"] = indicators_figure(brief.indicators[main.outcome.id], top=TOP_INDICATORS)
    figs["graph"] = graph_figure(brief.spec, outcomes=[j.outcome.target for j in brief.judgments])
    return figs


def figure_svg(fig: Any) -> str:
    """A matplotlib figure as deterministic, self-contained SVG markup: text drawn as paths, no
    XML header, no metadata or date, element ids fixed by a constant hash salt."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "estimative-brief", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    return re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)


def _charts(brief: Brief) -> dict[str, str]:
    """Every chart of the brief as SVG markup, by name."""
    return {name: figure_svg(fig) for name, fig in _figures(brief).items()}


def _svg_size(svg: str) -> tuple[float, float]:
    """The width and height (points) of a matplotlib SVG."""
    head = svg[: svg.index(">")]
    w = re.search(r'width="([0-9.]+)pt"', head)
    h = re.search(r'height="([0-9.]+)pt"', head)
    if not (w and h):
        raise ValueError("SVG without a width and height in points")
    return float(w.group(1)), float(h.group(1))


def render_html(brief: Brief, *, context: Mapping[str, Any] | None = None,
                charts: Mapping[str, str] | None = None) -> str:
    """The brief as one self-contained HTML page: inline CSS, charts as inline SVG, no remote
    fonts, scripts or images. Every piece of model text is escaped."""
    from markupsafe import Markup

    ctx = dict(context if context is not None else brief_context(brief))
    svgs = charts if charts is not None else _charts(brief)
    ctx["charts"] = {name: Markup(svg) for name, svg in svgs.items()}
    return _environment("html").get_template("brief.html.j2").render(**ctx)


def render_pdf(brief: Brief, *, context: Mapping[str, Any] | None = None,
               charts: Mapping[str, str] | None = None) -> bytes:
    """The brief as a PDF: fpdf2 with the DejaVu fonts matplotlib ships (text extractable),
    charts and the graph as vector images."""
    ctx = context if context is not None else brief_context(brief)
    svgs = charts if charts is not None else _charts(brief)
    return _pdf_bytes(ctx, svgs, date=brief.parameters.date)


@dataclass(frozen=True)
class BriefFiles:
    """Where a brief was written."""

    markdown: Path
    html: Path
    pdf: Path


def write_brief(brief: Brief, out_dir: str | Path) -> BriefFiles:
    """Write ``brief.md``, ``brief.html`` and ``brief.pdf`` into ``out_dir`` (created if needed).

    All three are rendered first into a temporary folder inside ``out_dir`` and moved into place
    only when every one succeeded, so a failure leaves no partial files.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"'{out}' exists and is not a folder", field="-o", fix="name a folder for the brief")
    ctx = brief_context(brief)
    svgs = _charts(brief)
    md = render_markdown(brief)
    page = render_html(brief, context=ctx, charts=svgs)
    pdf = render_pdf(brief, context=ctx, charts=svgs)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".brief-", dir=out))
    try:
        (tmp / "brief.md").write_text(md, encoding="utf-8")
        (tmp / "brief.html").write_text(page, encoding="utf-8")
        (tmp / "brief.pdf").write_bytes(pdf)
        for name in ("brief.md", "brief.html", "brief.pdf"):
            os.replace(tmp / name, out / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return BriefFiles(out / "brief.md", out / "brief.html", out / "brief.pdf")


# ==================================================================================== PDF
def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _pdf_bytes(ctx: Mapping[str, Any], images: Mapping[str, str], *, date: _dt.date) -> bytes:
    """Lay the brief's strings out with fpdf2: A4, DejaVu fonts (shipped with matplotlib, so
    any Unicode text renders and extracts), charts as vector images (SVG), the graph on a page
    of its own."""
    from fpdf import FPDF, FontFace
    from fpdf.enums import XPos, YPos

    fonts = _font_dir()
    ink, muted, accent, band = (29, 29, 27), (91, 91, 85), (47, 93, 138), (243, 241, 234)

    class _Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("sans", size=7.5)
            self.set_text_color(*muted)
            self.cell(0, 5, f"{ctx['header']['title']} \u00b7 model {ctx['header']['model']} "
                            f"{ctx['header']['hash']} \u00b7 page {self.page_no()}", align="C")
            self.set_text_color(*ink)

    pdf = _Doc(orientation="P", unit="mm", format="A4")
    pdf.add_font("sans", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("sans", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("sans", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
    pdf.add_font("mono", "", str(fonts / "DejaVuSansMono.ttf"))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_creation_date(_dt.datetime(date.year, date.month, date.day, tzinfo=_dt.UTC))
    pdf.set_title(f"{ctx['header']['title']}: probability brief")
    pdf.set_author("estimative " + ctx["header"]["version"])
    pdf.set_creator("estimative " + ctx["header"]["version"])
    pdf.set_producer("estimative " + ctx["header"]["version"])
    pdf.add_page()
    width = pdf.epw

    def para(text: str, *, size: float = 9.5, style: str = "", color: tuple[int, int, int] = ink,
             gap: float = 1.6, h: float | None = None) -> None:
        pdf.set_font("sans", style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(width, h or size * 0.48, " ".join(text.split()), new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                       align="L")
        pdf.set_text_color(*ink)
        pdf.ln(gap)

    def heading(text: str) -> None:
        if pdf.get_y() > pdf.h - 45:
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font("sans", "B", 13)
        pdf.cell(width, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y = pdf.get_y()
        pdf.set_draw_color(*ink)
        pdf.set_line_width(0.5)
        pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
        pdf.ln(2.5)

    def subheading(text: str) -> None:
        if pdf.get_y() > pdf.h - 35:
            pdf.add_page()
        pdf.ln(1)
        para(text, size=10.5, style="B", gap=1)

    def bullet(text: str, *, size: float = 9.5, bold_lead: str = "") -> None:
        text, bold_lead = " ".join(text.split()), " ".join(bold_lead.split())
        pdf.set_font("sans", "", size)
        x = pdf.l_margin
        pdf.set_x(x)
        pdf.cell(4, size * 0.48, "\u2022")
        pdf.set_x(x + 4)
        if bold_lead:
            pdf.set_font("sans", "B", size)
            pdf.multi_cell(width - 4, size * 0.48, bold_lead, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
            pdf.set_x(x + 4)
            pdf.set_font("sans", "", size)
        if text:
            pdf.multi_cell(width - 4, size * 0.48, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        pdf.ln(1.2)

    def table(head: Sequence[str], rows: Sequence[Sequence[str]], *, widths: Sequence[float] | None = None,
              size: float = 8) -> None:
        pdf.set_font("sans", "", size)
        pdf.set_draw_color(200, 196, 186)
        pdf.set_line_width(0.2)
        with pdf.table(col_widths=tuple(widths) if widths else None, width=width, line_height=size * 0.5,
                       text_align="LEFT", borders_layout="HORIZONTAL_LINES", padding=(1.2, 1.5, 1.2, 1.5),
                       headings_style=FontFace(emphasis="BOLD", fill_color=band), repeat_headings=1) as t:
            r = t.row()
            for c in head:
                r.cell(str(c))
            for row in rows:
                r = t.row()
                for c in row:
                    r.cell(str(c))
        pdf.ln(2.5)

    def image(name: str, caption: str, *, max_h: float = 150) -> None:
        svg = images.get(name)
        if svg is None:
            return
        w_pt, h_pt = _svg_size(svg)
        w = width
        h = w * h_pt / w_pt
        if h > max_h:
            h = max_h
            w = h * w_pt / h_pt
        if pdf.get_y() + h + 8 > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.image(io.BytesIO(svg.encode()), x=pdf.l_margin + (width - w) / 2, w=w, h=h)
        pdf.ln(1)
        para(caption, size=8, color=muted)

    hd = ctx["header"]
    para("PROBABILITY BRIEF", size=8.5, style="B", color=accent, gap=0.5)
    para(hd["title"], size=19, style="B", gap=1.5, h=8.5)
    para(f"Dated {hd['date']} \u00b7 information as of {hd['as_of']} \u00b7 model {hd['model']}, "
         f"content hash {hd['hash']} \u00b7 estimative {hd['version']}", size=8.5, color=muted, gap=1)
    for k, v in hd["parameters"]:
        para(f"{k}: {v}", size=8, color=muted, gap=0)
    pdf.ln(2)

    sc = ctx["scope"]
    heading("1. Scope note")
    if sc["description"]:
        para(sc["description"])
    para(f"This brief judges how likely each headline outcome is {sc['condition']}, compares the policies "
         f"below, and says which numbers and which observations would change the judgments. {sc['baseline']}"
         + (f" {sc['scenario']}" if sc["scenario"] else ""))
    subheading("Headline outcomes")
    for o in sc["outcomes"]:
        bullet(o)
    if sc["policies"]:
        subheading("Policies compared (each a do() intervention on the policy instruments)")
        for p in sc["policies"]:
            bullet(p)
    if sc["n_questions"]:
        para(f"The model also answers {sc['n_questions']} forecast question{'s' if sc['n_questions'] != 1 else ''} "
             f"(horizon {', '.join(sc['horizons'])}), listed with their answers after the key judgments.")

    heading("2. What we mean when we say")
    para(f"{ctx['scale_title']}. We use these words and no others for likelihood; each is shown with its range.",
         size=9)
    terms = ctx["terms"]
    pdf.set_font("sans", "", 8)
    with pdf.table(width=width, line_height=4, text_align="CENTER", borders_layout="ALL",
                   headings_style=FontFace(emphasis="BOLD", fill_color=band), padding=1.2) as t:
        r = t.row()
        for term in terms:
            r.cell(term["word"])
        r = t.row()
        for term in terms:
            r.cell(term["range"])
    pdf.ln(2)
    para("Confidence (low, moderate, high) is a separate judgment about how firm the number is; it is stated in "
         "its own sentence and set by the rule in the method note.", size=8.5, color=muted)

    heading("3. Key judgments")
    para(ctx["judgments_intro"], size=9)
    for j in ctx["judgments"]:
        bullet(j["confidence_sentence"], bold_lead=j["sentence"], size=9.5)
    if ctx["questions"]:
        subheading("Forecast questions, answered from the baseline")
        table(["Question", "Horizon", "Answer"],
              [[f"{q['id']}: {q['text']}", q["horizon"], q["answer"]] for q in ctx["questions"]],
              widths=(5, 1.5, 3.3), size=7.5)

    pol = ctx["policies"]
    heading("4. Policy comparison")
    if pol["blocks"]:
        para(pol["intro"], size=9)
        for b in pol["blocks"]:
            n = len(b["columns"])
            table(["Policy", *b["columns"]],
                  [[r["label"], *(c["text"] + (f"\n{c['effect']}" if c["effect"] else "") for c in r["cells"])]
                   for r in b["rows"]], widths=(2.2, *([1.6] * n)), size=7.5)
        for e in pol["excluded"]:
            para(f"Left out: {e}.", size=8.5, color=muted)
    if pol["has_utilities"]:
        para(f"Expected utility ({pol['eu_unit']}) and the probability that each policy is best (share of "
             f"parameter draws in which it has the highest expected utility). Highest expected utility: "
             f"{pol['eu_best']}.", size=9)
        table(["Policy", "Expected utility", f"{ctx['level']} interval", "P(best)"], pol["eu_rows"],
              widths=(3.5, 1.3, 1.7, 1), size=8)
        if pol["scenario_note"]:
            para(pol["scenario_note"], size=8.5, color=muted)
        image("utility", f"Expected utility of each policy with its {ctx['level']} interval.", max_h=90)
    else:
        para("The model defines no utilities, so no expected utility or probability of being best is computed.",
             size=9, color=muted)

    heading("5. Key drivers")
    dr = ctx["drivers"]
    if dr:
        para(dr["intro"], size=9)
        image("tornado", "Tornado: the range of the judgment as each number crosses its credible range.", max_h=95)
        table(["Number (CPT entry)", "When", "Model value (credible range)", "Judgment moves between", "Basis"],
              dr["rows"], widths=(2.6, 2.6, 1.4, 1.4, 1), size=7.5)
    else:
        para("The model has no headline outcome, so no driver is shown.")

    heading("6. Indicators to watch")
    ind = ctx["indicators"]
    if ind:
        para(ind["intro"], size=9)
        table(["Watch", "If seen (raises)", "If seen (lowers)", "Uncertainty removed"], ind["rows"],
              widths=(3, 1.6, 1.6, 1.2), size=7.5)
        image("indicators", "The judgment if each variable were observed in each of its states (dot size: how "
                            "likely that state is now); the vertical line is the judgment now.", max_h=95)
        if ctx["indicators_other"]:
            para("For the other headline outcomes, the most telling observations:", size=9)
        for o in ctx["indicators_other"]:
            bullet(f"{o['outcome']} (now {o['point']}): {o['text']}.", size=8.5)
    if ctx["voi_rows"]:
        subheading("Value of observing before choosing")
        table(["Variable", "Measure", f"Rise in expected utility ({pol['eu_unit']})"], ctx["voi_rows"],
              widths=(3, 1, 1.6), size=7.5)

    heading("7. Alternative scenarios")
    for b in ctx["scenario_blocks"]:
        table(["Scenario", *b["columns"]], [[r["label"], *(c["text"] for c in r["cells"])] for r in b["rows"]],
              widths=(2.2, *([1.6] * len(b["columns"]))), size=7.5)
    for s in ctx["scenario_desc"]:
        bullet(f"{s['evidence']}" + (f". {s['description']}" if s["description"] else ""), size=8.5,
               bold_lead=s["label"])

    heading("8. High impact, low probability")
    if ctx["hilp"]:
        for h in ctx["hilp"]:
            bullet(h)
    elif ctx["high_impact"]:
        para(f"No high-impact outcome ({'; '.join(ctx['high_impact'])}) is below {ctx['hilp_threshold']}.")
    else:
        para("The model marks no headline outcome as high impact.")

    heading("9. Key assumptions and sources")
    if ctx["assumptions"]:
        para("Assumptions behind the key judgments, most influential first:", size=9)
        for a in ctx["assumptions"]:
            bullet(f"({a['id']}; {a['influence']}) {a['rationale']}", size=8.5, bold_lead=a["label"])
    else:
        para("No key judgment rests on an assumption CPT.")
    for s in ctx["sources"]:
        subheading(f"Source: {s['title']}" + (f" ({s['meta']})" if s["meta"] else ""))
        for g in s["groups"]:
            bullet(" \u00b7 ".join(f"\u201c{q}\u201d" for q in g["quotes"]), size=8.5, bold_lead=g["supports"])

    heading("10. Method note")
    for p in ctx["method"]:
        para(p, size=9)
    para(f"Reproduce: {ctx['command']}", size=8, color=muted)
    if "graph" in images:
        svg = images["graph"]
        w_pt, h_pt = _svg_size(svg)
        pdf.add_page(orientation="L" if w_pt > 1.2 * h_pt else "P")
        para("The model's graph", size=11, style="B", gap=1)
        avail_w, avail_h = pdf.epw, pdf.h - pdf.get_y() - pdf.b_margin - 12
        w = min(avail_w, avail_h * w_pt / h_pt)
        pdf.image(io.BytesIO(svg.encode()), x=pdf.l_margin + (avail_w - w) / 2, w=w, h=w * h_pt / w_pt)
        pdf.ln(1)
        para("Read left to right: policy instruments (blue), chance variables (grey), headline outcomes (orange); "
             "a dashed border marks a table that rests on assumptions. The figure is a vector drawing: zoom in "
             "to read it.", size=8, color=muted)
    return bytes(pdf.output())
