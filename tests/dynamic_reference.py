"""An independent reference for the dynamic example (models/escalation_dynamic): its unrolled
tables copied into pyAgrum (without our window nodes), policies written by hand (do() as a
point mass, the red line as a CPT on the test in the half-year before), and expected
utilities computed from pyAgrum's exact inference by hand, following the model file's
utilities (no clash over the horizon, talks in each half-year discounted by 0.9, no ICBM
test in the last half-year)."""

from __future__ import annotations

import itertools

import numpy as np

from estimative import Network

gum = __import__("pyagrum")

SLICES = ("2017H2", "2018H1", "2018H2")
DISCOUNT = 0.9
WEIGHTS = {"no_clash": 0.6, "talks_going": 0.2, "no_icbm_late": 0.2}


def to_pyagrum(net: Network) -> gum.BayesNet:
    """Our unrolled network's slice copies (window nodes left out) as a pyAgrum network."""
    keep = [v for v in net.variables if ".." not in v]
    bn = gum.BayesNet()
    for v in keep:
        bn.add(gum.LabelizedVariable(v, v, list(net.states[v])))
    for v in keep:
        for p in net.parents[v]:
            bn.addArc(p, v)
    for v in keep:
        table = net.cpt(v)
        parents = list(net.parents[v])
        for combo in itertools.product(*(range(len(net.states[p])) for p in parents)):
            bn.cpt(v)[dict(zip(parents, combo, strict=True))] = table[
                (slice(None), *combo)
            ].tolist()
    return bn


def apply_policy(bn: gum.BayesNet, policy: str | None) -> gum.BayesNet:
    """``bn`` under a policy of the example, written by hand (variables without parents: a
    do() is a point mass; the red line: us_strike in a half-year copies the test before)."""
    point = {"no": [1.0, 0.0], "yes": [0.0, 1.0]}
    if policy in ("restraint", "channel"):
        for s in SLICES:
            bn.cpt(f"us_strike@{s}")[:] = point["no"]
    if policy == "channel":
        bn.cpt("private_channel")[:] = point["yes"]
    if policy == "red_line":
        bn.cpt("us_strike@2017H2")[:] = point["no"]  # no half-year before the first
        for before, after in itertools.pairwise(SLICES):
            u = f"us_strike@{after}"
            bn.addArc(f"nk_icbm_test@{before}", u)
            bn.cpt(u)[{f"nk_icbm_test@{before}": 0}] = point["no"]
            bn.cpt(u)[{f"nk_icbm_test@{before}": 1}] = point["yes"]
    return bn


def pyagrum_for(net: Network, policy: str | None) -> gum.BayesNet:
    return apply_policy(to_pyagrum(net), policy)


def prob(bn: gum.BayesNet, event: dict[str, str], given: dict[str, str] | None = None) -> float:
    """P(every variable of ``event`` in its state | given), from pyAgrum's P(evidence)."""

    def p_of(ev: dict[str, str]) -> float:
        if not ev:
            return 1.0
        ie = gum.LazyPropagation(bn)
        ie.setEvidence(ev)
        ie.makeInference()
        return float(ie.evidenceProbability())

    given = dict(given or {})
    return p_of({**given, **event}) / p_of(given)


def attribute_values(bn: gum.BayesNet, given: dict[str, str] | None = None) -> dict[str, float]:
    """Each written attribute's expected value (0-100): talks_going as the discounted mean."""
    share = np.array([DISCOUNT**k for k in range(len(SLICES))])
    share /= share.sum()
    no_clash = 100 * prob(bn, {f"clash@{s}": "no" for s in SLICES}, given)
    talks = sum(
        share[k] * 100 * prob(bn, {f"talks@{s}": "yes"}, given) for k, s in enumerate(SLICES)
    )
    late = 100 * prob(bn, {"nk_icbm_test@2018H2": "no"}, given)
    return {"no_clash": no_clash, "talks_going": float(talks), "no_icbm_late": late}


def expected_utility(
    bn: gum.BayesNet, weights: dict[str, float] | None = None, given: dict[str, str] | None = None
) -> float:
    w = {**WEIGHTS, **(weights or {})}
    return sum(w[a] * v for a, v in attribute_values(bn, given).items())


def drawn(net: Network, draws: list[np.ndarray], k: int) -> Network:
    """``net`` with draw ``k``'s tables."""
    return net.with_cpts({v: d[..., k] for v, d in zip(net.variables, draws, strict=True)})
