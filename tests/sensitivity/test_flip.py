"""Flip-points against brute-force scanning: every parameter of the example moved across a grid
under proportional co-variation, both policies scored by enumerating the full joint."""

from __future__ import annotations

import numpy as np
import pytest

from estimative import Network, UsageError
from estimative.sensitivity.flip import flip_points, target_probability
from estimative.uncertainty import batched_probability


def _posterior(net: Network, target: str, state: str, *, given=None, do=None) -> float:
    """P(target=state | given; do) from the full joint (einsum over every CPT, do() by surgery)."""
    do = dict(do or {})
    ops: list = []
    for i, v in enumerate(net.variables):
        if v in do:
            vec = np.zeros(len(net.states[v]))
            vec[net.states[v].index(do[v])] = 1.0
            ops += [vec, [i]]
        else:
            ops += [net.cpt(v), [i, *(net.variables.index(p) for p in net.parents[v])]]
    joint = np.einsum(*ops, list(range(len(net.variables))))
    for var, st in (given or {}).items():
        i = net.variables.index(var)
        joint = np.take(joint, [net.states[var].index(st)], axis=i)
    t = net.variables.index(target)
    marg = joint.sum(axis=tuple(a for a in range(joint.ndim) if a != t))
    total = marg.sum()
    return float(marg[net.states[target].index(state)] / total) if total > 0 else float("nan")


CASES = [
    ("status_quo", "private_channel", "armed_clash", {}),
    ("status_quo", None, "armed_clash", {"nk_provocation": "high"}),
    ("private_channel", "status_quo", "misread_intent", {}),
]


@pytest.mark.parametrize(("a", "b", "target", "given"), CASES)
def test_flip_points_equal_brute_force_scanning(
    example_net: Network, covaried, a, b, target, given
) -> None:
    net = example_net
    fp = flip_points(net, a, b, score=target_probability(target, "yes", given=given), over="cells")
    do_a, do_b = (net.resolve(policy=p).do for p in (a, b))
    grid = np.linspace(0, 1, 401)
    step = grid[1] - grid[0]
    for f in fp.points:
        p = f.parameter
        diff = []
        for x in grid:
            moved = covaried(net, p.variable, p.state, dict(p.parents), x)
            diff.append(
                _posterior(moved, target, "yes", given=given, do=do_a)
                - _posterior(moved, target, "yes", given=given, do=do_b)
            )
        diff = np.array(diff)
        sign = np.sign(diff)  # NaN where the evidence is impossible (an end of the grid)
        brackets = [
            (grid[i], grid[i + 1])
            for i in range(len(grid) - 1)
            if np.isfinite(sign[i])
            and np.isfinite(sign[i + 1])
            and sign[i] * sign[i + 1] <= 0
            and (sign[i] or sign[i + 1])
        ]
        if not f.exists:
            assert not brackets, p.label
            continue
        assert f.exact
        nearest = min(brackets, key=lambda br: min(abs(br[0] - p.value), abs(br[1] - p.value)))
        assert (
            nearest[0] - 1e-9 <= f.crossing <= nearest[1] + 1e-9
            or abs(min(abs(nearest[0] - p.value), abs(nearest[1] - p.value)) - abs(f.change))
            <= step
        ), p.label
        # At the crossing the two policies score the same, recomputed independently.
        moved = covaried(net, p.variable, p.state, dict(p.parents), f.crossing)
        assert _posterior(moved, target, "yes", given=given, do=do_a) == pytest.approx(
            _posterior(moved, target, "yes", given=given, do=do_b), abs=1e-10
        ), p.label
    changes = [abs(f.change) for f in fp.points if f.exists]
    assert changes == sorted(changes)
    assert fp.nearest is fp.points[0]


def test_statements_say_whether_a_flip_is_credible(example_net: Network) -> None:
    fp = flip_points(
        example_net, "status_quo", "private_channel", score=target_probability("armed_clash", "yes")
    )
    # Hand check: the clash differs between policies only through misreading, so the ranking
    # reverses exactly when P(clash | misreading) falls to P(clash | no misreading) = 0.03.
    assert fp.nearest.parameter.label == "P(armed_clash=yes | misread_intent=yes)"
    assert fp.nearest.crossing == pytest.approx(0.03, abs=1e-12)
    assert fp.nearest_within_range is None
    assert "no single parameter within its 90% credible range" in fp.statement()
    wide = flip_points(
        example_net,
        "status_quo",
        None,
        score=target_probability("armed_clash", "yes", given={"nk_provocation": "high"}),
        over="cells",  # an expanded cell of the noisy-MAX flips inside its range
    )
    assert (
        wide.nearest_within_range is not None
        and "inside its 90% credible range" in wide.statement()
    )


def test_any_batched_scorer_works_like_expected_utility(example_net: Network, covaried) -> None:
    # A utility-like score: -(3 P(clash) + P(misreading)), as decision analysis would pass.
    def score(net: Network, policy, cpts):
        ev = net.resolve(policy=policy)
        clash = batched_probability(net, "armed_clash", "yes", ev, cpts)[0]
        mis = batched_probability(net, "misread_intent", "yes", ev, cpts)[0]
        return -(3 * clash + mis)

    fp = flip_points(example_net, "status_quo", "private_channel", score=score, over="cells")
    assert fp.nearest is not None and all(f.exact for f in fp.points)
    f = fp.nearest
    p = f.parameter
    moved = covaried(example_net, p.variable, p.state, dict(p.parents), f.crossing)
    do_a, do_b = (example_net.resolve(policy=x).do for x in ("status_quo", "private_channel"))
    ua = -(
        3 * _posterior(moved, "armed_clash", "yes", do=do_a)
        + _posterior(moved, "misread_intent", "yes", do=do_a)
    )
    ub = -(
        3 * _posterior(moved, "armed_clash", "yes", do=do_b)
        + _posterior(moved, "misread_intent", "yes", do=do_b)
    )
    assert ua == pytest.approx(ub, abs=1e-10)
    with pytest.raises(UsageError, match="two different"):
        flip_points(example_net, "status_quo", "status_quo", score=score)
