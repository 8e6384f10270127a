"""Decision analysis of a dynamic model (models/escalation_dynamic): a reacting policy (the
red line) is judged under its rules, and utilities over slices are shown per attribute as
written. Every reference is pyAgrum's exact inference on the unrolled tables with the rule
written as a CPT by hand, and the expected utility summed by hand (tests/dynamic_reference)."""

from __future__ import annotations

import numpy as np
import pytest

from estimative import Network, UsageError, draw_cpts

pytest.importorskip("pyagrum")
import dynamic_reference as ref
from estimative.decision import (
    decision_tree,
    expected_utilities,
    utility_model,
    value_of_information,
    weight_map,
)

POLICIES = ("restraint", "red_line", "channel")


@pytest.fixture(scope="module")
def net() -> Network:
    return Network.from_file("models/escalation_dynamic")


@pytest.fixture(scope="module")
def hand(net: Network) -> dict[str, dict[str, float]]:
    return {p: ref.attribute_values(ref.pyagrum_for(net, p)) for p in (*POLICIES, None)}


def _eu(values: dict[str, float], weights: dict[str, float] | None = None) -> float:
    w = {**ref.WEIGHTS, **(weights or {})}
    return sum(w[a] * v for a, v in values.items())


def test_each_policy_expected_utility_matches_the_rule_written_as_a_cpt(net, hand) -> None:
    eu = expected_utilities(net)
    for p in POLICIES:
        assert eu[p] == pytest.approx(_eu(hand[p]), abs=1e-9), p
    assert eu["baseline"] == pytest.approx(_eu(hand[None]), abs=1e-9)
    # the red line strikes after a test: its clash risk is far above restraint's
    assert hand["red_line"]["no_clash"] < hand["restraint"]["no_clash"] - 20
    assert eu["red_line"] < eu["restraint"] - 10
    assert eu.to_dict()["alternatives"][1]["rules"] == [
        "us_strike@2018H1=yes if nk_icbm_test@2017H2=yes, else no",
        "us_strike@2018H2=yes if nk_icbm_test@2018H1=yes, else no",
    ]


def test_one_column_per_written_attribute_with_its_total_weight(net, hand) -> None:
    eu = expected_utilities(net)
    assert eu.attributes == ("no_clash", "talks_going", "no_icbm_late")
    assert eu.weights == pytest.approx(ref.WEIGHTS)
    for i, p in enumerate(eu.ids[:3]):
        for j, a in enumerate(eu.attributes):
            assert eu.attribute_values[i, j] == pytest.approx(hand[p][a], abs=1e-9)
    np.testing.assert_allclose(eu.contributions.sum(axis=1), eu.eu, atol=1e-9)


def test_a_weight_override_by_written_id_applies_to_every_slice(net, hand) -> None:
    eu = expected_utilities(net, weights={"talks_going": 0.5, "no_clash": 0.3})
    for p in POLICIES:
        want = _eu(hand[p], {"talks_going": 0.5, "no_clash": 0.3})
        assert eu[p] == pytest.approx(want, abs=1e-9)
    util = utility_model(net, weights={"talks_going": 0.5})
    slices = [util.weights[f"talks_going@{s}"] for s in ref.SLICES]
    assert sum(slices) == pytest.approx(0.5) and slices[1] / slices[0] == pytest.approx(0.9)
    assert util.overridden == {"talks_going": 0.5}
    with pytest.raises(UsageError, match="one slice of the utility attribute 'talks_going'"):
        utility_model(net, weights={"talks_going@2018H1": 0.1})
    with pytest.raises(UsageError, match=r"unknown utility attribute 'talk_going'.*talks_going"):
        utility_model(net, weights={"talk_going": 0.1})


def test_draws_intervals_and_p_best_are_exact_per_draw_on_common_draws(net) -> None:
    draws = draw_cpts(net, 3, rng=np.random.default_rng(5))
    eu = expected_utilities(net, draws=draws)
    for k in range(3):
        dnet = ref.drawn(net, draws, k)
        want = [ref.expected_utility(ref.pyagrum_for(dnet, p)) for p in POLICIES]
        np.testing.assert_allclose(eu.eu_draws[:3, k], want, atol=1e-9)
    # P(best) from the hand values: the share of draws each policy wins
    hand_best = np.argmax(eu.eu_draws[:3], axis=0)
    np.testing.assert_allclose(eu.prob_best[:3], [np.mean(hand_best == i) for i in range(3)])


def test_value_of_information_under_the_red_line_uses_its_rules(net) -> None:
    voi = value_of_information(
        net, policies=["red_line", "restraint"], variables=["nk_icbm_test@2017H2"]
    )
    red, rest = ref.pyagrum_for(net, "red_line"), ref.pyagrum_for(net, "restraint")
    assert voi.eu_without == pytest.approx(
        max(ref.expected_utility(red), ref.expected_utility(rest)), abs=1e-9
    )
    # seeing the 2017 test first: the best of the two in each state, weighed by its probability
    p_yes = ref.prob(red, {"nk_icbm_test@2017H2": "yes"})
    with_info = sum(
        p * max(ref.expected_utility(bn, given={"nk_icbm_test@2017H2": s}) for bn in (red, rest))
        for s, p in (("yes", p_yes), ("no", 1 - p_yes))
    )
    assert voi.eu_with[0] == pytest.approx(with_info, abs=1e-9)
    # the rule's variables are what the choice changes: a clash depends on them
    only = value_of_information(net, policies=["red_line"], variables=["us_strike@2018H1"])
    assert only.timing == ("before the policy",)
    assert only.eu_without == pytest.approx(ref.expected_utility(red), abs=1e-9)


def test_the_policy_tree_rolls_back_to_the_hand_values(net) -> None:
    tree = decision_tree(net, outcomes=["clash@2017H2..2018H2"])
    by_policy = {c.branch: c for c in tree.root.children}
    red = ref.pyagrum_for(net, "red_line")
    assert by_policy["red_line"].value == pytest.approx(ref.expected_utility(red), abs=1e-9)
    yes = next(c for c in by_policy["red_line"].children if c.branch == "yes")
    p_clash = 1 - ref.prob(red, {f"clash@{s}": "no" for s in ref.SLICES})
    assert yes.probability == pytest.approx(p_clash, abs=1e-9)
    assert 0.45 < p_clash < 0.55
    given = {f"clash@{s}": "no" for s in ref.SLICES}
    no = next(c for c in by_policy["red_line"].children if c.branch == "no")
    assert no.value == pytest.approx(ref.expected_utility(red, given=given), abs=1e-9)


def test_the_weight_map_moves_every_slice_of_a_written_attribute(net, hand) -> None:
    m = weight_map(net, "talks_going", "no_clash", x_values=[0.0, 1.0], y_values=[0.0, 0.6])
    i = m.ids.index("red_line")
    want = _eu(hand["red_line"], {"talks_going": 1.0, "no_clash": 0.6})
    assert m.eu[i, 1, 1] == pytest.approx(want, abs=1e-9)
    with pytest.raises(UsageError, match="unknown utility attribute"):
        weight_map(net, "talks_going@2018H1", "no_clash")
