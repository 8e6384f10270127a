"""Value of information compiles a handful of plans, not one per variable and alternative
(counted, never timed), and its values equal a direct computation from the joint."""

from __future__ import annotations

import numpy as np

from estimative import Network
from estimative.decision import value_of_information


def test_voi_compiles_per_attribute_not_per_variable_or_alternative(plan_builds) -> None:
    net = Network.from_file("models/korea_2017")
    n_att = len(net.spec.utilities.attributes)
    # the flagship's default values the few developments it names as observable; ask for
    # many more, so that one plan per variable would show in the count
    kinds = {v.id: v.kind for v in net.spec.variables}
    chance = [v for v in net.variables if kinds[v] == "chance"][:48]
    voi = value_of_information(net, variables=chance)
    assert len(voi.variables) > 40 and len(voi.alternatives) > 5
    assert plan_builds.n == 0  # no single query at all
    # per network (the model and one twin) and per group of alternatives that intervene on the
    # same variables with parents: one pass with no finding and one per attribute
    groups = len({frozenset(k for k in p.do if net.parents[k]) for p in net.spec.policies})
    assert plan_builds.compiled() <= 2 * groups * (1 + n_att) + 1


def test_voi_of_a_variable_equals_the_joint_computed_directly() -> None:
    """EVPI of a variable the policies cannot change, from the brute-force joint of the
    network under each policy's do() (no engine): sum_x max_a E[U | x, do(a)] P(x | do(a))."""
    from estimative.decision._core import utility_model
    from reference import conditioned_joint

    net = Network.from_file("models/umbrella")
    voi = value_of_information(net)
    util = utility_model(net)
    alts = [(f"{d}={s}", {d: s}) for d in ["umbrella"] for s in net.states[d]]
    for v in voi.variables:
        i = net.variables.index(v)
        eu = np.zeros((len(alts), len(net.states[v])))
        for k, (_, do) in enumerate(alts):
            joint = conditioned_joint(net, do=do)
            for a in util.attributes:
                scope = [net.variables.index(x) for x in util.scopes[a]]
                table = util.tables[a]
                axes = tuple(x for x in range(joint.ndim) if x not in (i, *scope))
                m = joint.sum(axis=axes)  # axes in variable order: i and the scope
                order = sorted({i, *scope})
                for idx in np.ndindex(*m.shape):
                    val = dict(zip(order, idx, strict=True))
                    eu[k, val[i]] += util.weights[a] * m[idx] * table[tuple(val[x] for x in scope)]
        with_info = eu.max(axis=0).sum()
        without = eu.sum(axis=1).max()
        assert voi[v] == np.float64(voi[v]) and abs(voi[v] - (with_info - without)) < 1e-9
