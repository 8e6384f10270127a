"""Indicators compile a handful of plans, not one per candidate (counted, never timed)."""

from __future__ import annotations

import numpy as np

from estimative import Network
from estimative.sensitivity import indicators


def test_indicators_compile_per_target_state_not_per_candidate(plan_builds) -> None:
    net = Network.from_file("models/korea_2017")
    target = net.spec.outcomes[0].target
    state = net.states[target][-1]
    ind = indicators(net, target, state)
    assert len(ind.indicators) > 20  # a loop of joint queries would compile as many plans
    assert plan_builds.n <= 2  # prepare()'s point query
    assert plan_builds.compiled() == 1  # one shape: the target observed
    # each candidate's distribution is P(x | conditions), as a single query gives it
    for i in ind.indicators[:5]:
        np.testing.assert_allclose(i.probabilities, net.query(i.variable).probs, atol=1e-12)
