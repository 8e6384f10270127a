"""The flagship's brief (what `make brief` writes), built once per session with few draws:
every headline outcome judged and checked against pgmpy, the "Over time" section consistent
with the key judgments, each number the analyst wrote named once among the drivers, the value
of information over the developments the model names, and Seoul's weights beside the model's
(the ranking shown equals one computed here from the decision API's per-attribute values with
Seoul's weights applied by hand)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import yaml
from pgmpy.inference import VariableElimination

from estimative.brief import render_markdown, words
from estimative.brief.context import brief_context
from estimative.decision import expected_utilities

from .conftest import FLAGSHIP, FLAGSHIP_DRAWS

SLICES = ("2017H2", "2018H1", "2018H2")


@pytest.fixture(scope="module")
def ctx(flagship_brief):
    return brief_context(flagship_brief)


@pytest.fixture(scope="module")
def pg(flagship):
    return flagship.to_pgmpy()


def _highest(pg, var: str, state: str, slices, do=None) -> float:
    """P(the highest state of var over slices is state), from pgmpy's joint of the slices."""
    model = pg.do(list(do)) if do else pg
    nodes = [f"{var}@{s}" for s in slices]
    joint = VariableElimination(model).query(nodes, evidence=do or None, show_progress=False)
    states = list(pg.get_cpds(nodes[0]).state_names[nodes[0]])
    return sum(
        float(joint.get_value(**dict(zip(nodes, combo, strict=True))))
        for combo in itertools.product(states, repeat=len(nodes))
        if max(combo, key=states.index) == state
    )


def test_every_outcome_is_judged_and_the_graded_ones_match_pgmpy(flagship, flagship_brief, pg):
    b, net = flagship_brief, flagship
    md = render_markdown(b)
    assert [j.outcome.id for j in b.judgments] == [o.id for o in net.spec.outcomes]
    for j in b.judgments:
        said = (
            "0%, set by the policy"
            if j.fixed
            else f"{words.likelihood_term(j.interval.point, scale='icd203').word} ("
        )
        assert f"{j.outcome.label} \u2014 {said}" in md, j.outcome.id
    # the two outcomes on the graded conflict, told apart by their state, under the reference
    sq = dict(net.spec.policy("status_quo").do)
    for oid in ("no_deadly_conflict", "war"):
        j = next(j for j in b.judgments if j.outcome.id == oid)
        ref = _highest(pg, "conflict_level", j.outcome.state, SLICES, do=sq)
        assert j.interval.point == pytest.approx(ref, abs=1e-10)
    assert b.policy.utilities is not None and len(b.policy.comparisons) == len(net.spec.outcomes)
    assert len(net.spec.questions) == len(b.questions) == md.count("| 2018-12-31 |")


def test_over_time_ends_at_the_key_judgment_and_matches_pgmpy(flagship_brief, pg, flagship):
    b = flagship_brief
    assert set(b.trajectories) == {"miscalculation", "no_deadly_conflict", "war"}
    for oid, alts in b.trajectories.items():
        cmp = b.policy.comparisons[oid]
        for alt, t in alts.items():
            # the last slice is the outcome over the whole horizon, on the same draws
            assert t.so_far[-1].point == pytest.approx(cmp.points[cmp.policies.index(alt)])
            np.testing.assert_allclose(t.so_far[-1].values, cmp.values[cmp.policies.index(alt)])
    # "no deadly conflict" by mid-2018 under the status quo: nothing above "none" in 2017H2
    # and 2018H1 (it falls as the slices add up; a strike in 2017 ends it at once)
    none = b.trajectories["no_deadly_conflict"]
    sq = flagship.spec.policy("status_quo").do
    ref = _highest(pg, "conflict_level", "none", SLICES[:2], do=dict(sq))
    assert none["status_quo"].so_far[1].point == pytest.approx(ref, abs=1e-10)
    points = [iv.point for iv in none["status_quo"].so_far]
    assert points == sorted(points, reverse=True)
    assert none["preventive_strike"].so_far[0].point == pytest.approx(0.0, abs=1e-12)


def test_drivers_name_each_number_the_analyst_wrote_once(flagship_brief, flagship):
    ties = flagship.spec.ties
    for oid, sens in flagship_brief.drivers.items():
        keys = [
            (
                ties.get(f.parameter.variable, f.parameter.variable),
                f.parameter.state,
                tuple((p.partition("@")[0], s) for p, s in f.parameter.parents),
            )
            for f in sens.functions
        ]
        assert len(keys) == len(set(keys)), oid
        # and the most influential copy is the one kept: the full tornado's top entry
        top = flagship_brief.judgments[
            [j.outcome.id for j in flagship_brief.judgments].index(oid)
        ].sensitivity.functions
        decisions = {v.id for v in flagship.spec.variables if v.kind == "decision"}
        first = next(f for f in top if f.parameter.variable not in decisions)
        assert sens.functions[0] is first


def test_value_of_information_covers_the_developments_the_model_names(flagship_brief, flagship):
    info = flagship_brief.policy.information
    named = list(dict.fromkeys(x for s in flagship.spec.scenarios for x in (*s.given, *s.soft)))
    assert list(info.variables) == named and "developments" in info.scope
    assert np.all(info.value >= 0)


def test_seouls_weights_rank_as_the_decision_api_does_with_them_applied_by_hand(
    flagship, flagship_brief, ctx
):
    # Seoul's weights read from the file by hand, not through the loader
    data = yaml.safe_load((FLAGSHIP / "utilities.yaml").read_text(encoding="utf-8"))
    (rok,) = [w for w in data["utilities"]["weight_sets"] if w["id"] == "rok"]
    us = {a["id"]: a["weight"] for a in data["utilities"]["attributes"]}
    pols = [p.id for p in flagship.spec.policies]
    eu = expected_utilities(flagship, policies=pols, baseline=False)
    by_hand = {}
    for i, pid in enumerate(eu.ids):
        by_hand[pid] = sum(
            rok["weights"][a] * eu.attribute_values[i, k] for k, a in enumerate(eu.attributes)
        )
        us_eu = sum(us[a] * eu.attribute_values[i, k] for k, a in enumerate(eu.attributes))
        assert us_eu == pytest.approx(eu.eu[i])
    ours = sorted(pols, key=lambda p: -eu[p])
    theirs = sorted(pols, key=lambda p: -by_hand[p])
    (block,) = ctx["policies"]["weightings"]
    label = {p.id: p.label for p in flagship.spec.policies}
    shown = [r[0] for r in block["rows"]]
    assert shown == [label[p] for p in ours]  # rows in the model's order
    assert [int(r[1]) for r in block["rows"]] == list(range(1, len(pols) + 1))
    assert {r[0]: int(r[2]) for r in block["rows"]} == {label[p]: theirs.index(p) + 1 for p in pols}
    assert [r[0] for r in block["rows"] if r[7]] == [
        label[p] for p in ours if ours.index(p) != theirs.index(p)
    ]
    # P(best) under Seoul's weights: the same as expected_utilities asked with those weights
    # on the brief's own draws (the "decide" stream)
    from estimative._random import stream

    direct = expected_utilities(
        flagship,
        policies=pols,
        weights=rok["weights"],
        draws=FLAGSHIP_DRAWS,
        rng=stream(np.random.default_rng(0), "decide"),
    )
    shown_pb = flagship_brief.policy.weightings["rok"]
    for p in pols:
        assert shown_pb.prob_best[shown_pb.index(p)] == pytest.approx(
            direct.prob_best[direct.index(p)]
        )
    md = render_markdown(flagship_brief)
    assert "### Under Seoul's weights (the Moon government)" in md and block["summary"] in md


def test_against_the_status_quo_an_outcome_it_sets_is_no_judgment(flagship, flagship_brief, ctx):
    # the flagship's reference is the status quo, which sets a US strike to "no" in every
    # half-year: the strike outcome is 0 by construction, said so, and never a HILP item
    assert flagship_brief.parameters.reference == "status_quo"
    fixed = {j.outcome.id for j in flagship_brief.judgments if j.fixed}
    assert fixed == {"us_strike"}
    strike = next(j for j in flagship_brief.judgments if j.outcome.id == "us_strike")
    assert strike.interval.point == 0.0
    said = next(j for j in ctx["judgments"] if j["id"] == "us_strike")
    assert "set by the policy \u201cStatus quo (May 2017)\u201d itself" in said["sentence"]
    assert said["confidence"] == "n/a" and "Not a judgment" in said["confidence_sentence"]
    assert "us_strike" not in {h.judgment.outcome.id for h in flagship_brief.hilp}
    # a policy that strikes only by its rule (the red line) does not set it
    from estimative.brief.build import sets_outcome

    assert not sets_outcome(flagship.spec, "red_line", "us_strike@2017H2..2018H2")
    assert sets_outcome(flagship.spec, "preventive_strike", "us_strike@2017H2..2018H2")
    assert not sets_outcome(flagship.spec, "status_quo", "miscalculation_clash@2017H2..2018H2")


def test_each_assumption_is_listed_once(flagship, flagship_brief):
    keys = [
        flagship.spec.ties.get(a.variable.id, a.variable.id) for a in flagship_brief.assumptions
    ]
    assert keys and len(keys) == len(set(keys))
