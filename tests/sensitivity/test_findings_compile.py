"""Indicators compile a handful of plans, not one per candidate (counted, never timed)."""

from __future__ import annotations

import numpy as np

from estimative import Network
from estimative.engine import compile_query, core
from estimative.engine import marginals as engine_marginals
from estimative.sensitivity import indicators


def test_indicators_compile_per_target_state_not_per_candidate(monkeypatch) -> None:
    net = Network.from_file("models/korea_2017")
    target = net.spec.outcomes[0].target
    state = net.states[target][-1]
    builds = {"n": 0}
    real = core.Plan._build

    def counted(self, *args, **kwargs):
        builds["n"] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(core.Plan, "_build", counted)
    compile_query.cache_clear()
    engine_marginals._compile_cached.cache_clear()
    before = engine_marginals.stats["compiled"]
    ind = indicators(net, target, state)
    assert len(ind.indicators) > 20  # a loop of joint queries would compile as many plans
    assert builds["n"] <= 2  # prepare()'s point query
    assert engine_marginals.stats["compiled"] - before == 1  # one shape: the target observed
    # each candidate's distribution is P(x | conditions), as a single query gives it
    for i in ind.indicators[:5]:
        np.testing.assert_allclose(i.probabilities, net.query(i.variable).probs, atol=1e-12)
