"""Expected utility of each alternative (decision.policies): decision tables, the baseline
and optimal-rules rows, enumeration of the full joint, intervals and P(best) on common
parameter draws, and weight maps.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from estimative import Network
from estimative.decision import (
    decision_table,
    expected_utilities,
    weight_map,
)

ROOT = Path(__file__).resolve().parents[2]
UMBRELLA = ROOT / "models" / "umbrella"


def test_oil_decision_table_is_open_loop(oil: Network) -> None:
    t = decision_table(oil)
    # every combination set by do(), no observation used: hand values
    assert t["test=no,drill=yes"] == pytest.approx(20.0)
    assert t["test=yes,drill=yes"] == pytest.approx(10.0)
    assert t["test=yes,drill=no"] == pytest.approx(-10.0)
    assert t["test=no,drill=no"] == pytest.approx(0.0)
    assert t.best == "test=no,drill=yes"
    i = t.index("test=yes,drill=yes")
    assert t.contributions[i].tolist() == pytest.approx([20.0, -10.0])  # drilling, test cost


def test_oil_expected_utilities_include_rules_and_baseline(oil: Network) -> None:
    eu = expected_utilities(oil)
    assert eu["optimal_rules"] == pytest.approx(22.5)
    assert eu.best == "optimal_rules"
    # baseline: both decisions at their placeholder 50/50 CPTs: 0.5 x 20 (drill) - 0.5 x 10 (test)
    assert eu["baseline"] == pytest.approx(0.5 * 20.0 - 0.5 * 10.0)
    assert np.allclose(eu.contributions.sum(axis=1), eu.eu)


def _enumerated_eu(
    net: Network,
    do: dict[str, str],
    cpts: list[np.ndarray] | None = None,
    weights: dict[str, float] | None = None,
) -> float:
    """EU by enumerating the full joint with do() surgery by hand (``weights`` replacing the
    file's, by attribute)."""
    from estimative.network import brute_force_joint

    arrays = list(cpts if cpts is not None else net.cpts)
    for v, s in do.items():
        i = net.index(v)
        onehot = np.zeros_like(arrays[i])
        onehot[net.states[v].index(s)] = 1.0
        arrays[i] = onehot
    joint = brute_force_joint(net.with_cpts(dict(zip(net.variables, arrays, strict=True))))
    total = 0.0
    for a in net.spec.utilities.attributes:
        axes = [net.variables.index(v) for v in a.over]
        marg = joint.sum(axis=tuple(k for k in range(joint.ndim) if k not in axes))
        order = np.argsort(axes)
        weight = (weights or {}).get(a.id, a.weight)
        total += weight * float((np.transpose(a.table, order) * marg).sum())
    return total


def test_policy_expected_utility_against_enumeration(example_with_utilities: Path) -> None:
    net = Network.from_file(example_with_utilities)
    eu = expected_utilities(net)
    for p in net.spec.policies:
        assert eu[p.id] == pytest.approx(_enumerated_eu(net, dict(p.do)), abs=1e-12)
    assert eu["baseline"] == pytest.approx(_enumerated_eu(net, {}), abs=1e-12)
    table = decision_table(net)
    for combo, do in zip(table.ids, table.do, strict=True):
        assert table[combo] == pytest.approx(_enumerated_eu(net, dict(do)), abs=1e-12)


def test_intervals_and_prob_best_on_common_draws(example_with_utilities: Path) -> None:
    from estimative.uncertainty import draw_cpts

    net = Network.from_file(example_with_utilities)
    draws = draw_cpts(net, 300, rng=np.random.default_rng(7))
    eu = expected_utilities(net, draws=draws)
    assert eu.n_draws == 300
    # each draw's EU equals enumeration on that draw's CPTs (checked on a few draws)
    for n in (0, 17, 299):
        cpts = [d[..., n] for d in draws]
        for i, do in enumerate(eu.do):
            assert eu.eu_draws[i, n] == pytest.approx(
                _enumerated_eu(net, dict(do), cpts), abs=1e-10
            )
    pb = eu.prob_best
    assert np.isnan(pb[eu.index("baseline")])
    assert np.nansum(pb) == pytest.approx(1.0)
    c = eu.candidates
    wins = np.bincount(np.argmax(eu.eu_draws[c], axis=0), minlength=len(c)) / 300
    assert pb[c] == pytest.approx(wins)
    assert np.all(eu.low <= eu.high)
    lo_ref = np.quantile(eu.eu_draws, 0.05, axis=1)
    assert eu.low == pytest.approx(lo_ref)
    # the same seed gives the same answer; weights shift every draw consistently
    again = expected_utilities(net, draws=300, rng=np.random.default_rng(7))
    assert again.eu_draws == pytest.approx(eu.eu_draws)


def test_reweighted_is_the_same_draws_under_other_weights(example_with_utilities: Path) -> None:
    # another party's weights on the same attributes: every EU, draw by draw, equals
    # enumeration under those weights, and equals asking expected_utilities with them
    from estimative import UsageError
    from estimative.uncertainty import draw_cpts

    net = Network.from_file(example_with_utilities)
    draws = draw_cpts(net, 200, rng=np.random.default_rng(3))
    eu = expected_utilities(net, draws=draws)
    theirs = {"peace": 0.1, "clarity": 0.9}
    other = eu.reweighted(theirs)
    assert other.ids == eu.ids and other.weights == theirs
    for i, do in enumerate(other.do):
        assert other.eu[i] == pytest.approx(_enumerated_eu(net, dict(do), weights=theirs))
        for n in (0, 123):
            cpts = [d[..., n] for d in draws]
            assert other.eu_draws[i, n] == pytest.approx(
                _enumerated_eu(net, dict(do), cpts, weights=theirs), abs=1e-10
            )
    direct = expected_utilities(net, draws=draws, weights=theirs)
    np.testing.assert_allclose(other.eu_draws, direct.eu_draws, atol=1e-10)
    np.testing.assert_allclose(other.prob_best, direct.prob_best, equal_nan=True)
    # an attribute left out keeps its weight; bad names and weights are refused
    assert eu.reweighted({"peace": 0.6}).eu == pytest.approx(eu.eu)
    with pytest.raises(UsageError, match="did you mean 'peace'"):
        eu.reweighted({"paece": 1.0})
    with pytest.raises(UsageError, match="non-negative"):
        eu.reweighted({"peace": -1.0})


def test_reweighted_leaves_out_the_optimal_rules(oil: Network) -> None:
    # the optimal rules depend on the weights, so they are not reweighed
    eu = expected_utilities(oil)
    assert "optimal_rules" in eu.ids
    free = eu.reweighted({"test_cost": 0.0})
    assert "optimal_rules" not in free.ids and len(free.ids) == len(eu.ids) - 1
    assert free["test=yes,drill=yes"] == pytest.approx(eu["test=yes,drill=yes"] + 10.0)


def test_weight_map_agrees_with_direct_evaluation(example_with_utilities: Path) -> None:
    net = Network.from_file(example_with_utilities)
    m = weight_map(net, "peace", "clarity", x_values=[0.0, 0.5, 1.0, 3.0], y_values=[0.0, 0.2, 2.0])
    assert m.winner.shape == (3, 4)
    for x, y in itertools.product([0.0, 0.5, 1.0, 3.0], [0.0, 0.2, 2.0]):
        if x == 0 and y == 0:
            continue
        direct = expected_utilities(net, weights={"peace": x, "clarity": y}, baseline=False)
        assert m.winner_at(x, y) == direct.best
    assert sum(m.shares().values()) == pytest.approx(1.0)
    assert m.current == (0.6, 0.4)
    frame = m.to_frame()
    assert len(frame) == 12 and set(frame["winner"]) <= set(m.ids)


def test_prob_beats_on_shared_draws_matches_a_hand_rollup() -> None:
    """Umbrella: EU(take) = 20(1-p) + 70p and EU(leave) = 100(1-p) with p = P(rain) in each
    draw, so take beats leave exactly when p > 80/150."""
    from estimative import Network, draw_cpts, expected_utilities

    net = Network.from_file(UMBRELLA)
    draws = draw_cpts(net, 4000, rng=np.random.default_rng(11))
    eu = expected_utilities(net, draws=draws)
    p_rain = draws[net.index("weather")][1]
    expected = float(np.mean(20 * (1 - p_rain) + 70 * p_rain > 100 * (1 - p_rain)))
    assert eu.prob_beats("umbrella=take", "umbrella=leave") == pytest.approx(expected, abs=1e-12)
    assert eu.prob_beats("umbrella=leave", "umbrella=take") == pytest.approx(
        1 - expected, abs=1e-12
    )
    assert 0 < expected < 0.5  # P(rain) is 0.3 a priori: leaving usually wins, not always
