"""Indicators to watch: mutual information, entropy reduction and the target's posterior per
observation, against brute-force enumeration of the joint."""

from __future__ import annotations

import numpy as np
import pytest

from estimative import Network, QueryError
from estimative.sensitivity.findings import indicators
from reference import conditioned_joint


def _h(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"policy": "status_quo"},
        {"given": {"nk_provocation": "high"}},
        {"scenario": "ambiguous_reports", "do": {"us_rhetoric": "measured"}},
    ],
)
def test_indicators_equal_brute_force(example_net: Network, kw: dict) -> None:
    net = example_net
    ev = net.resolve(**kw)
    joint = conditioned_joint(net, given=ev.given, do=ev.do, soft=ev.soft)
    t = net.variables.index("armed_clash")
    ind = indicators(net, "armed_clash", "yes", **kw)
    expected = [
        v for v in net.variables if v != "armed_clash" and v not in ev.given and v not in ev.do
    ]
    assert sorted(i.variable for i in ind.indicators) == sorted(expected)
    pt = joint.sum(axis=tuple(a for a in range(joint.ndim) if a != t))
    assert ind.point == pytest.approx(pt[1], abs=1e-12)
    for var in expected:
        x = net.variables.index(var)
        ptx = joint.sum(axis=tuple(a for a in range(joint.ndim) if a not in (t, x)))
        if x < t:
            ptx = ptx.T  # axes in network order; we want (target, X)
        px = ptx.sum(axis=0)
        # Expected entropy reduction: H(T) - sum_x P(x) H(T | x).
        after = sum(px[k] * _h(ptx[:, k] / px[k]) for k in range(len(px)) if px[k] > 0)
        got = ind[var]
        assert got.mutual_information == pytest.approx(_h(pt) - after, abs=1e-10), var
        assert got.entropy_reduction == pytest.approx((_h(pt) - after) / _h(pt), abs=1e-9)
        assert np.allclose(got.probabilities, px, atol=1e-12)
        for k, s in enumerate(net.states[var]):
            if px[k] > 0:
                assert got.judgment(s) == pytest.approx(ptx[1, k] / px[k], abs=1e-12)
        hi_state, hi_value = got.high
        assert hi_value == pytest.approx(
            max(ptx[1, k] / px[k] for k in range(len(px)) if px[k] > 0), abs=1e-12
        )
        assert got.judgment(hi_state) == hi_value
    mis = [i.mutual_information for i in ind.indicators]
    assert mis == sorted(mis, reverse=True)


def test_which_way_on_the_example(example_net: Network) -> None:
    ind = indicators(example_net, "armed_clash", "yes", policy="status_quo")
    # A misreading is the clash's only parent: observing it says the most, and "yes" raises the
    # judgment to P(clash | misreading) = 0.125 (the CPT's column), "no" lowers it to 0.03.
    top = ind.indicators[0]
    assert top.variable == "misread_intent"
    assert top.high == ("yes", pytest.approx(0.125, abs=1e-12))
    assert top.low == ("no", pytest.approx(0.03, abs=1e-12))
    frame = ind.to_frame()
    assert list(frame.columns[:3]) == ["variable", "mutual_information", "entropy_reduction"]
    assert ind.to_dict()["indicators"][0]["states"]["yes"]["judgment"] == pytest.approx(
        0.125, abs=1e-12
    )


def test_an_independent_variable_carries_no_information(example_net: Network) -> None:
    ind = indicators(
        example_net,
        "nk_provocation",
        "high",
        do={"us_rhetoric": "bluster"},
        candidates=["private_channel"],
    )
    # nk_provocation depends only on us_rhetoric, which is forced: private_channel tells nothing.
    assert ind["private_channel"].mutual_information == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(QueryError, match="own indicator"):
        indicators(example_net, "armed_clash", "yes", candidates=["armed_clash"])
