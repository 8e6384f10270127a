"""Network.query_batch: named batched queries, checked row by row against pgmpy VariableElimination."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

from estimative import Network
from estimative.errors import ImpossibleEvidenceError, QueryError


@pytest.fixture(scope="module")
def net() -> Network:
    return Network.from_file("models/example")


def reference(
    net: Network, target: str, *, given=None, do=None, soft=None, cpts=None
) -> np.ndarray:
    """pgmpy VE on the (possibly redrawn) network; do() by surgery plus evidence (pgmpy #3543)."""
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination

    model = (net.with_cpts(cpts) if cpts else net).to_pgmpy()
    do = do or {}
    if do:
        model = model.do(list(do))
    # pgmpy wants likelihoods in [0, 1]; a likelihood vector's scale does not matter.
    virtual = [
        TabularCPD(
            v,
            len(lik),
            (np.asarray(lik, float) / max(lik)).reshape(-1, 1),
            state_names={v: list(net.states[v])},
        )
        for v, lik in (soft or {}).items()
    ]
    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = VariableElimination(model).query(
            [target],
            evidence={**(given or {}), **do} or None,
            virtual_evidence=virtual or None,
            show_progress=False,
        )
    return np.array([res.get_value(**{target: s}) for s in net.states[target]])


def redraws(net: Network, n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for c in net.cpts:
        g = rng.gamma(np.broadcast_to((1 + 10 * c)[..., None], (*c.shape, n)))
        out.append(g / g.sum(axis=0, keepdims=True))
    return out


def test_per_row_evidence_and_interventions_match_pgmpy(net: Network) -> None:
    prov = ["low", "high", None, "medium"]
    rhet = ["bluster", None, "measured", "bluster"]
    bp = net.query_batch("armed_clash", given={"nk_provocation": prov}, do={"us_rhetoric": rhet})
    assert bp.probs.shape == (4, 2) and not bp.impossible.any()
    for i in range(4):
        given = {"nk_provocation": prov[i]} if prov[i] else {}
        do = {"us_rhetoric": rhet[i]} if rhet[i] else {}
        np.testing.assert_allclose(
            bp.probs[i], reference(net, "armed_clash", given=given, do=do), atol=1e-12
        )


def test_draws_with_a_policy_and_a_soft_scenario_match_pgmpy_per_draw(net: Network) -> None:
    draws = redraws(net, 3, seed=11)
    bp = net.query_batch(
        "nk_provocation", cpts=draws, policy="private_channel", scenario="ambiguous_reports"
    )
    first = net.query_batch(
        "nk_provocation",
        cpts=[np.moveaxis(d, -1, 0) for d in draws],
        layout="first",
        policy="private_channel",
        scenario="ambiguous_reports",
    )
    policy = dict(net.spec.policy("private_channel").do)
    for i in range(3):
        cpts = {v: d[..., i] for v, d in zip(net.variables, draws, strict=True)}
        expected = reference(
            net, "nk_provocation", do=policy, soft={"misread_intent": [1.0, 3.0]}, cpts=cpts
        )
        np.testing.assert_allclose(bp.probs[i], expected, atol=1e-12)
        np.testing.assert_allclose(first.probs[i], expected, atol=1e-12)


def test_a_mapping_redraws_only_the_named_cpts(net: Network) -> None:
    draws = redraws(net, 4, seed=3)
    k = net.variables.index("misread_intent")
    bp = net.query_batch(
        "armed_clash", cpts={"misread_intent": draws[k]}, given={"us_rhetoric": "bluster"}
    )
    for i in range(4):
        expected = reference(
            net,
            "armed_clash",
            given={"us_rhetoric": "bluster"},
            cpts={"misread_intent": draws[k][..., i]},
        )
        np.testing.assert_allclose(bp.probs[i], expected, atol=1e-12)
    np.testing.assert_allclose(bp.prob("yes"), bp.probs[:, 1])


def test_impossible_rows_are_flagged_while_a_single_query_raises(net: Network) -> None:
    table = np.array(net.cpt("armed_clash"), dtype=float)
    table[:, 0] = [1.0, 0.0]  # no misreading, no clash
    bp = net.query_batch(
        "nk_provocation",
        cpts={"armed_clash": table},
        given={"armed_clash": "yes", "misread_intent": ["no", "yes"]},
    )
    assert bp.impossible.tolist() == [True, False]
    assert np.isnan(bp.probs[0]).all() and bp.evidence_prob[0] == 0.0
    expected = reference(
        net,
        "nk_provocation",
        given={"armed_clash": "yes", "misread_intent": "yes"},
        cpts={"armed_clash": table},
    )
    np.testing.assert_allclose(bp.probs[1], expected, atol=1e-12)
    with pytest.raises(ImpossibleEvidenceError):
        net.with_cpts({"armed_clash": table}).query(
            "nk_provocation", given={"armed_clash": "yes", "misread_intent": "no"}
        )


def test_several_targets_and_the_result_record(net: Network) -> None:
    bp = net.query_batch(
        ["misread_intent", "armed_clash"], given={"nk_provocation": ["high", "low"]}
    )
    assert bp.probs.shape == (2, 2, 2)
    assert bp.model_hash == net.model_hash
    joint = net.query_joint(
        ["misread_intent", "armed_clash"], given={"nk_provocation": "high"}
    ).probs
    np.testing.assert_allclose(bp.probs[0], joint, atol=1e-12)
    np.testing.assert_allclose(bp.prob({"armed_clash": "yes"}), bp.probs[:, :, 1].sum(axis=1))
    frame = bp.to_frame()
    assert list(frame.columns[:4]) == ["no|no", "no|yes", "yes|no", "yes|yes"] and len(frame) == 2
    assert "2 rows" in repr(bp)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"given": {"nk_provokation": ["low"]}}, "did you mean 'nk_provocation'"),
        ({"given": {"nk_provocation": ["low", "severe"]}}, "'severe' is not a state"),
        (
            {"given": {"nk_provocation": ["low", "high"]}, "do": {"us_rhetoric": ["bluster"] * 3}},
            "disagree",
        ),
        ({"soft": {"misread_intent": np.ones((2, 3))}}, "shape \\(N, 2\\)"),
        (
            {
                "given": {"misread_intent": ["no", "yes"]},
                "soft": {"misread_intent": np.ones((2, 2))},
            },
            "both hard and soft",
        ),
        ({"cpts": [np.ones(2)]}, "one array per variable"),
        ({"layout": "middle"}, "layout"),
    ],
)
def test_bad_requests_say_what_is_wrong(net: Network, kwargs: dict, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        net.query_batch("armed_clash", **kwargs)
