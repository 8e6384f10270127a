"""Compute everything a probability brief presents, through the analyses' public APIs.

:func:`build_brief` asks :mod:`estimative.uncertainty` for the intervals and the policy
comparison, :mod:`estimative.sensitivity` for the one-way sensitivities and the indicators,
and :mod:`estimative.decision` for expected utilities and the value of information; it only
picks, orders and packs their results into a :class:`~estimative.brief.data.Brief`.

Randomness: the brief makes no draw of its own. Each independent analysis gets its own stream
of the generator ``rng`` (:func:`estimative._random.stream`), so adding draws to one never
changes another's numbers:

- ``"intervals"``: the Dirichlet parameter draws ``draw_cpts(net, draws, rng=stream(rng,
  "intervals"))``, taken once and shared by every key judgment, forecast question, scenario
  row *and* the policy comparison (common random numbers: the comparison's baseline row is the
  key judgment, and a policy's effect is a difference draw by draw);
- ``"decide"``: the draws behind expected utilities and the probability each policy is best,
  ``expected_utilities(net, draws=draws, rng=stream(rng, "decide"))``: the stream the
  ``decide`` command uses, so a brief and ``decide`` with the same seed and draws print the
  same P(best).

The frame: every judgment, comparison, driver and indicator is computed against the
*reference* (``reference=``, else the model's ``reference_policy``, else the baseline, where
decision variables keep their prior probabilities). Drivers leave out the CPTs of decision
variables (the analyst's leanings are not uncertainty about the world); indicators are
observable variables (``observable: true``, the default) that are neither the outcome, nor a
decision, nor a consequence (descendant) of a decision: what can be watched before choosing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from .._random import make_rng, seed_of, stream
from .._version import __version__
from ..checks import check_count, check_level
from ..errors import ImpossibleEvidenceError, UsageError, did_you_mean
from ..graphs import children_of, reachable
from ..network import Network
from ..sensitivity.findings import indicators
from ..sensitivity.oneway import SensitivityFunction, one_way
from ..spec import BASELINE, ModelSpec, OutcomeSpec, QuestionSpec, conditions_text
from ..uncertainty import (
    DEFAULT_DRAWS,
    ProbabilityInterval,
    analyst_split,
    draw_cpts,
    query_interval,
)
from . import words
from .data import (
    HILP_THRESHOLD,
    Assumption,
    BottomLine,
    Brief,
    BriefParameters,
    ForecastAnswer,
    HilpItem,
    Judgment,
    PolicySection,
    Quote,
    ScenarioRow,
)
from .over_time import over_time
from .policies import policy_section

#: The named random streams of a brief (see the module docstring).
INTERVALS_STREAM = "intervals"
DECISION_STREAM = "decide"

#: ``progress(done, total, what)``: told before each step of a brief (for a progress bar).
Progress = Callable[[int, int, str], None]


def build_brief(
    net: Network,
    *,
    policies: Sequence[str] | None = None,
    scenario: str | None = None,
    scale: str = "icd203",
    draws: int = DEFAULT_DRAWS,
    rng: np.random.Generator | None = None,
    date: _dt.date | None = None,
    level: float = 0.9,
    reference: str | None = None,
    progress: Progress | None = None,
) -> Brief:
    """Compute everything a probability brief presents.

    Parameters
    ----------
    net : Network
        The model.
    policies : sequence of str, optional
        The model's policies to compare (default: all of them).
    scenario : str, optional
        A scenario of the model every judgment is conditioned on (default: the baseline).
    scale : {"icd203", "phia"}
        The scale of estimative words the brief speaks.
    draws : int
        Dirichlet parameter draws per analysis (at least 2).
    rng : numpy.random.Generator, optional
        The generator the analyses' streams are spawned from (``"intervals"``,
        ``"decision"``; see :mod:`estimative.brief.build`). Make it from a seed,
        ``numpy.random.default_rng(SEED)``, so the brief can record and print the seed.
        Default: ``default_rng(0)``.
    date : datetime.date, optional
        The brief's date (default: today).
    level : float
        The credible level of every interval, strictly between 0 and 1.
    reference : str, optional
        The policy judgments, comparisons, drivers and indicators are computed against
        (default: the model's ``reference_policy``; without one, the baseline).
    progress : callable, optional
        ``progress(done, total, what)``, called before each step (a progress bar).

    Returns
    -------
    Brief
        Raw results; :func:`~estimative.brief.brief_context` turns them into words.

    Raises
    ------
    UsageError
        An unknown policy or scenario, a bad ``draws``, ``level`` or ``rng``
        (``field`` names the parameter).
    ImpossibleEvidenceError
        The scenario's evidence has probability zero (before any draw is taken).

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> b = build_brief(net, draws=200, rng=np.random.default_rng(1), date=_dt.date(2017, 5, 20))
    >>> [j.outcome.id for j in b.judgments], b.judgments[0].term.word, b.parameters.seed
    (['clash', 'misreading'], 'very unlikely', 1)
    """
    rng = _generator(rng)
    words.check_scale(scale)
    n_draws = check_count(draws, name="draws", minimum=2, example=DEFAULT_DRAWS)
    level = check_level(level)
    spec = net.spec
    pols = tuple(policies) if policies else tuple(p.id for p in spec.policies)
    _check_names(net, pols, scenario)
    ref = _reference(net, reference)
    if ref is not None and ref not in pols:
        pols = (ref, *pols)
    interval_rng, decision_rng = stream(rng, INTERVALS_STREAM), stream(rng, DECISION_STREAM)
    params = BriefParameters(
        pols,
        scenario,
        scale,
        n_draws,
        seed_of(rng),
        date or _dt.date.today(),
        level,
        ref if ref is not None else BASELINE,
    )
    outcomes = _outcomes(net)
    for o in outcomes:
        net.state_index(o.target, o.state)
    _check_scenario_possible(net, outcomes, scenario)
    steps = 4 + 2 * len(outcomes)
    tell = progress or (lambda done, total, what: None)
    tell(0, steps, "parameter draws")
    cpts = draw_cpts(net, n_draws, rng=interval_rng)
    decisions = [v.id for v in spec.variables if v.kind == "decision"]
    consequences = reachable(children_of(net.parents), decisions) if decisions else set()

    judgments, drivers, inds = [], {}, {}
    for k, o in enumerate(outcomes):
        tell(1 + 2 * k, steps, f"judgment on {o.id}")
        iv = query_interval(
            net, o.target, o.state, policy=ref, scenario=scenario, draws=cpts, level=level
        )
        sens = one_way(net, o.target, o.state, policy=ref, scenario=scenario, level=level)
        share = words.assumption_share(
            [f.swing for f in sens.functions],
            [_assumed(spec, f.parameter.variable) for f in sens.functions],
        )
        judgments.append(
            Judgment(
                o,
                iv,
                sens,
                share,
                words.confidence_for(iv.low, iv.high, share),
                words.likelihood_term(iv.point, scale=scale),
                ref is not None and sets_outcome(spec, ref, o.target),
            )
        )
        drivers[o.id] = replace(
            sens,
            functions=_distinct(
                spec, [f for f in sens.functions if f.parameter.variable not in decisions]
            ),
        )
        tell(2 + 2 * k, steps, f"indicators of {o.id}")
        ev = net.resolve(policy=ref, scenario=scenario)
        observed = set(ev.given) | set(ev.soft) | set(ev.do)
        candidates = [
            v.id
            for v in spec.variables
            if v.observable
            and v.id != o.target
            and v.id not in decisions
            and v.id not in consequences
            and v.id not in observed
        ]
        inds[o.id] = indicators(
            net, o.target, o.state, policy=ref, scenario=scenario, candidates=candidates
        )

    tell(1 + 2 * len(outcomes), steps, "forecast questions")
    questions = []
    for q in spec.questions:
        if q.query.event is None and q.query.target is not None:
            qiv = query_interval(
                net, q.query.target, q.query.target_states(), draws=cpts, level=level
            )
        else:
            qiv = _event_interval(net, q, cpts, level)
        questions.append(
            ForecastAnswer(q, qiv.point, qiv, words.likelihood_term(qiv.point, scale=scale))
        )

    tell(2 + 2 * len(outcomes), steps, "policies and expected utilities")
    policy = policy_section(net, outcomes, pols, ref, scenario, cpts, level, n_draws, decision_rng)

    tell(3 + 2 * len(outcomes), steps, "scenarios")
    rows = []
    for sid in [None, *(s.id for s in spec.scenarios)]:
        if sid == scenario:
            rows.append(ScenarioRow(sid, {j.outcome.id: j.interval for j in judgments}))
            continue
        try:
            rows.append(
                ScenarioRow(
                    sid,
                    {
                        o.id: query_interval(
                            net,
                            o.target,
                            o.state,
                            policy=ref,
                            scenario=sid,
                            draws=cpts,
                            level=level,
                        )
                        for o in outcomes
                    },
                )
            )
        except ImpossibleEvidenceError:
            rows.append(ScenarioRow(sid, None))
    tell(steps, steps, "done")

    relevant = net.ancestors([o.target for o in outcomes])  # every CPT a baseline judgment rests on
    splits = {}  # several analysts: each judgment with each analyst's numbers alone
    if spec.analysts:
        arng = stream(rng, "analysts")
        for o in outcomes:
            splits[o.id] = analyst_split(
                net,
                o.target,
                o.state,
                scenario=scenario,
                policies=[BASELINE, *pols],
                draws=n_draws,
                rng=stream(arng, o.id),
                level=level,
            )
    return Brief(
        spec,
        params,
        __version__,
        tuple(judgments),
        tuple(questions),
        policy,
        drivers,
        inds,
        tuple(rows),
        _hilp(spec, judgments, policy, rows, scenario),
        _assumptions(spec, judgments, relevant),
        _quotes(spec, pols, relevant),
        frozenset(relevant),
        _bottom_line(outcomes, policy),
        splits,
        over_time(net, outcomes, pols, ref, scenario, cpts, level),
    )


def sets_outcome(spec: ModelSpec, policy: str, target: str) -> bool:
    """Whether ``policy`` sets ``target`` by do(): the variable itself, or for a window of a
    dynamic model every slice it spans (``us_strike@2017H2..2018H2`` under a policy that sets
    ``us_strike`` in every half-year)."""
    do = spec.policy(policy).do
    if target in do:
        return True
    var, _, when = target.partition("@")
    if ".." not in when or spec.time is None:
        return False
    labels = list(spec.time.labels)
    first, last = when.split("..")
    return all(f"{var}@{s}" in do for s in labels[labels.index(first) : labels.index(last) + 1])


def _distinct(
    spec: ModelSpec, functions: Sequence[SensitivityFunction]
) -> tuple[SensitivityFunction, ...]:
    """Each number the analyst wrote once: in a dynamic model the copies of one template CPT
    (``ModelSpec.ties``) hold the same entries, so only the most influential copy of each is
    kept (``functions`` come largest swing first)."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for f in functions:
        p = f.parameter
        key = (
            spec.ties.get(p.variable, p.variable),
            p.state,
            p.kind,
            tuple((q.partition("@")[0], st) for q, st in p.parents),
        )
        if key not in seen:
            seen.add(key)
            out.append(f)
    return tuple(out)


def _reference(net: Network, reference: str | None) -> str | None:
    """The reference policy: ``reference``, else the model's ``reference_policy``."""
    ref = reference if reference is not None else net.spec.reference_policy
    if ref is None or ref == BASELINE:
        return None
    known = [p.id for p in net.spec.policies]
    if ref not in known:
        raise UsageError(
            f"unknown reference policy '{ref}'{did_you_mean(ref, known)}",
            field="reference",
            expected=f"one of {known}" if known else "no policy: the model defines none",
            fix="name a policy of the model (estimative show lists them)",
        )
    return ref


def _bottom_line(outcomes: Sequence[OutcomeSpec], policy: PolicySection) -> BottomLine | None:
    """The recommendation: the policy of highest expected utility (the model's utilities),
    with the share of draws in which it is best; else the policy most often best on the first
    headline outcome that says which way is better; ``None`` when neither exists or fewer than two policies are compared."""
    eu = policy.utilities
    if eu is not None and eu.n_draws:
        ids = [a for a, kind in zip(eu.ids, eu.kinds, strict=True) if kind != "baseline"]
        if len(ids) >= 2:
            pb = {a: float(eu.prob_best[eu.index(a)]) for a in ids}
            # The recommendation is the highest expected utility; P(best) says how sure.
            best = max(ids, key=lambda a: eu[a])
            runner = max((a for a in ids if a != best), key=lambda a: eu[a])
            d = np.asarray(eu.eu_draws)[eu.index(best)] - np.asarray(eu.eu_draws)[eu.index(runner)]
            return BottomLine(
                "utility", best, runner, pb[best], eu[best] - eu[runner], d, eu.n_draws
            )
    for o in outcomes:
        cmp = policy.comparisons.get(o.id)
        if o.better is None or cmp is None:
            continue
        ids = [p for p in cmp.policies if p != BASELINE or policy.reference == BASELINE]
        if len(ids) < 2:
            return None
        pb = cmp.prob_best()
        best = max(ids, key=lambda p: pb[p])
        sign = 1.0 if o.better == "higher" else -1.0
        points = dict(zip(cmp.policies, cmp.points, strict=True))
        runner = max((p for p in ids if p != best), key=lambda p: sign * points[p])
        d = sign * cmp.difference(best, runner)
        return BottomLine(
            o.id,
            best,
            runner,
            pb[best],
            sign * float(points[best] - points[runner]),
            d,
            int(cmp.values.shape[1]),
        )
    return None


def _generator(rng: np.random.Generator | None) -> np.random.Generator:
    """``rng``, checked; a generator seeded with 0 when none is given."""
    if rng is None:
        return make_rng(0)
    if not isinstance(rng, np.random.Generator):
        raise UsageError(
            "rng must be a numpy random Generator",
            field="rng",
            found=repr(rng),
            fix="pass rng=numpy.random.default_rng(SEED)",
        )
    return rng


def _outcomes(net: Network) -> list[OutcomeSpec]:
    """The model's headline outcomes; without an ``outcomes:`` list, the last state of every
    variable that has parents and no children."""
    if net.spec.outcomes:
        return list(net.spec.outcomes)
    has_child = {p for v in net.variables for p in net.parents[v]}
    return [
        OutcomeSpec(
            id=v.replace(".", "_").replace("-", "_"),
            label=net.spec.variable(v).label,
            target=v,
            state=net.states[v][-1],
        )
        for v in net.variables
        if net.parents[v] and v not in has_child
    ]


def _check_names(net: Network, policies: Sequence[str], scenario: str | None) -> None:
    known = [p.id for p in net.spec.policies]
    for p in policies:
        if p not in known:
            raise UsageError(
                f"unknown policy '{p}'{did_you_mean(p, known)}",
                field="policies",
                expected=f"one of {known}" if known else "no policy: the model defines none",
                fix="name a policy of the model (estimative show lists them)",
            )
    if len(set(policies)) != len(policies):
        raise UsageError("a policy is named twice", field="policies", found=str(list(policies)))
    if scenario is not None:
        ids = [s.id for s in net.spec.scenarios]
        if scenario not in ids:
            raise UsageError(
                f"unknown scenario '{scenario}'{did_you_mean(scenario, ids)}",
                field="scenario",
                expected=f"one of {ids}" if ids else "no scenario: the model defines none",
                fix="name a scenario of the model (estimative show lists them)",
            )


def _check_scenario_possible(
    net: Network, outcomes: Sequence[OutcomeSpec], scenario: str | None
) -> None:
    """The scenario must be possible: fail before any draw is taken."""
    if scenario is None or not outcomes:
        return
    try:
        net.query(outcomes[0].target, scenario=scenario)
    except ImpossibleEvidenceError as exc:
        sc = net.spec.scenario(scenario)
        raise ImpossibleEvidenceError(
            f"scenario '{scenario}' ({sc.label}) is impossible under the model: its evidence "
            f"({net.resolve(scenario=scenario).describe()}) has probability zero",
            field="scenario",
            fix="choose another scenario, or change the model so this evidence can occur",
        ) from exc


def _assumed(spec: ModelSpec, variable: str) -> bool:
    return not spec.variable(variable).cpt.sourced


def _event_interval(
    net: Network, q: QuestionSpec, cpts: Sequence[np.ndarray], level: float
) -> ProbabilityInterval:
    """A forecast question about an event over several variables, at the model's numbers and
    over the shared draws: the joint posterior of the event's variables per draw (the network's
    batched query), summed over the event's cells."""
    assert q.query.event is not None
    terms = q.query.event.terms()
    variables = sorted({v for t in terms for v in t})
    bp = net.query_batch(variables, cpts=list(cpts))
    mask = np.zeros(bp.probs.shape[1:], dtype=bool)
    for t in terms:
        mask[tuple(net.state_index(v, t[v]) if v in t else slice(None) for v in variables)] = True
    valid = ~np.asarray(bp.impossible, dtype=bool)
    values = np.where(valid, bp.probs[:, mask].sum(axis=1), np.nan)
    label = " or ".join(f"({conditions_text(given=t)})" for t in terms)
    return ProbabilityInterval(
        f"event {label}",
        ("yes",),
        "",
        float(net.probability(q.query)),
        values,
        valid,
        level,
        net.model_hash,
    )


def _hilp(
    spec: ModelSpec,
    judgments: Sequence[Judgment],
    policy: PolicySection,
    rows: Sequence[ScenarioRow],
    scenario: str | None,
) -> tuple[HilpItem, ...]:
    """High-impact outcomes below :data:`HILP_THRESHOLD`, each with the highest value it
    reaches under a compared policy or another scenario."""
    hilp = []
    for j in judgments:
        if j.outcome.impact != "high" or not j.interval.point < HILP_THRESHOLD or j.fixed:
            continue
        where = [(j.interval.point, "")]
        cmp = policy.comparisons.get(j.outcome.id)
        if cmp is not None:
            for pid, val in zip(cmp.policies, cmp.points, strict=True):
                # A policy that sets the outcome itself says nothing about how likely it is.
                if pid != BASELINE and not sets_outcome(spec, pid, j.outcome.target):
                    where.append(
                        (float(val), f"under the policy \u201c{spec.policy(pid).label}\u201d")
                    )
        for row in rows:
            if (
                row.intervals is not None
                and row.scenario is not None
                and row.scenario != scenario
                and j.outcome.target not in spec.scenario(row.scenario).given
            ):
                where.append(
                    (
                        row.intervals[j.outcome.id].point,
                        f"in the scenario \u201c{spec.scenario(row.scenario).label}\u201d",
                    )
                )
        top = max(where, key=lambda w: w[0])
        hilp.append(HilpItem(j, top[0], top[1]))
    return tuple(hilp)


def _assumptions(
    spec: ModelSpec, judgments: Sequence[Judgment], relevant: set[str] | frozenset[str]
) -> tuple[Assumption, ...]:
    """The assumption CPTs the key judgments rest on, most influential first."""
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
    # a dynamic model's copies of one CPT are one assumption: its most influential copy
    seen: set[str] = set()
    kept = []
    for a in assumptions:
        key = spec.ties.get(a.variable.id, a.variable.id)
        if key not in seen:
            seen.add(key)
            kept.append(a)
    return tuple(kept)


def _quotes(
    spec: ModelSpec, pols: Sequence[str], relevant: set[str] | frozenset[str]
) -> tuple[Quote, ...]:
    """Every verbatim quote behind the judgments, the compared policies, the scenarios and the
    utilities."""
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
    return tuple(quotes)
