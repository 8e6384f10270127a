"""The result types of a query (Posterior, JointPosterior, Explanation, BatchPosterior) and the
opening every analysis shares (Network.prepare), against hand-computed values.

The two-variable network: P(a=yes) = 0.2; P(b=yes | a=no) = 0.1, P(b=yes | a=yes) = 0.7; and
c with a structural zero, P(c=yes | a=no) = 0. So P(b=yes) = 0.8 x 0.1 + 0.2 x 0.7 = 0.22 and
P(a=yes | b=yes) = 0.14 / 0.22 = 7/11.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from estimative import ImpossibleEvidenceError, Network, QueryError
from estimative._io import jsonable
from estimative.network import (
    BatchPosterior,
    Evidence,
    Explanation,
    Posterior,
    Prepared,
)
from estimative.spec import spec_from_arrays


@pytest.fixture(scope="module")
def abc() -> Network:
    return Network(
        spec_from_arrays(
            "abc",
            [
                ("a", ["no", "yes"], [], np.array([0.8, 0.2])),
                ("b", ["no", "yes"], ["a"], np.array([[0.9, 0.3], [0.1, 0.7]])),
                ("c", ["no", "yes"], ["a"], np.array([[1.0, 0.5], [0.0, 0.5]])),
            ],
        )
    )


# ------------------------------------------------------------------------------ Posterior
def test_posterior_by_state_name_and_plain_data() -> None:
    p = Posterior(
        "rain", ("no", "yes"), np.array([0.25, 0.75]), given={"season": "wet"}, do={"seed": "yes"}
    )
    assert p["yes"] == 0.75 and p["no"] == 0.25
    assert list(p) == ["no", "yes"] and len(p) == 2
    assert p.to_dict() == {"no": 0.25, "yes": 0.75}
    frame = p.to_frame()
    assert frame["state"].tolist() == ["no", "yes"] and frame["probability"].tolist() == [
        0.25,
        0.75,
    ]
    assert p.condition_text() == "do(seed=yes), season=wet"
    with pytest.raises(
        QueryError, match=r"'yse' is not a state of 'rain' \(did you mean 'yes'\?\)"
    ):
        p["yse"]


def test_query_posterior_against_hand_values(abc: Network) -> None:
    post = abc.query("a", given={"b": "yes"})
    assert post["yes"] == pytest.approx(7 / 11, abs=1e-15)
    assert post.evidence_probability == pytest.approx(0.22, abs=1e-15)
    assert post.to_dict() == pytest.approx({"no": 4 / 11, "yes": 7 / 11}, abs=1e-15)


# ------------------------------------------------------------------------------ JointPosterior
def test_joint_posterior_indexing_marginals_and_plain_data(abc: Network) -> None:
    j = abc.query_joint(["a", "b"])
    hand = {("no", "no"): 0.72, ("no", "yes"): 0.08, ("yes", "no"): 0.06, ("yes", "yes"): 0.14}
    for (sa, sb), want in hand.items():
        assert j[(sa, sb)] == pytest.approx(want, abs=1e-15)
        assert j[{"a": sa, "b": sb}] == pytest.approx(want, abs=1e-15)
    assert j.probability({"b": "yes"}) == pytest.approx(0.22, abs=1e-15)
    assert j.probability({"a": ["no", "yes"], "b": "no"}) == pytest.approx(0.78, abs=1e-15)
    assert j.marginal("a")["yes"] == pytest.approx(0.2, abs=1e-15)
    d = j.to_dict()
    assert d["variables"] == ["a", "b"] and d["states"] == {"a": ["no", "yes"], "b": ["no", "yes"]}
    assert [(r["a"], r["b"]) for r in d["rows"]] == list(hand)
    assert [r["probability"] for r in d["rows"]] == pytest.approx(list(hand.values()), abs=1e-15)
    assert j.to_frame()["probability"].sum() == pytest.approx(1.0)
    json.dumps(jsonable(d))


def test_joint_posterior_unknown_names_say_what_is_wrong(abc: Network) -> None:
    j = abc.query_joint(["a", "b"])
    with pytest.raises(QueryError, match=r"'yse' is not a state of 'b' \(did you mean 'yes'\?\)"):
        j[("no", "yse")]
    with pytest.raises(QueryError, match=r"did you mean 'b'"):
        j[{"a": "no", "bb": "yes"}]
    with pytest.raises(QueryError, match="name a state for each"):
        j[{"a": "no"}]
    with pytest.raises(QueryError, match=r"'noo' is not a state of 'a' \(did you mean 'no'\?\)"):
        j.probability({"a": "noo"})
    with pytest.raises(QueryError, match=r"did you mean 'a'"):
        j.marginal("aa")


# ------------------------------------------------------------------------------ Explanation
def test_explanation_against_hand_values(abc: Network) -> None:
    mpe = abc.map(given={"b": "yes"})
    # P(a, c | b=yes): (no, no) 0.08/0.22, (yes, no) 0.07/0.22, (yes, yes) 0.07/0.22
    assert dict(mpe.assignment) == {"a": "no", "c": "no"}
    assert mpe.probability == pytest.approx(0.08 / 0.22, abs=1e-14)
    d = mpe.to_dict()
    assert d == {
        "assignment": {"a": "no", "c": "no"},
        "probability": pytest.approx(0.08 / 0.22, abs=1e-14),
        "given": {"b": "yes"},
        "do": {},
    }
    frame = mpe.to_frame()
    assert frame.to_dict("records") == [
        {"variable": "a", "state": "no"},
        {"variable": "c", "state": "no"},
    ]
    e = Explanation({"x": "on"}, 0.5, do={"y": "off"})
    assert e.to_dict() == {
        "assignment": {"x": "on"},
        "probability": 0.5,
        "given": {},
        "do": {"y": "off"},
    }


# ------------------------------------------------------------------------------ BatchPosterior
def test_batch_posterior_by_state_name_and_plain_data(abc: Network) -> None:
    bp = abc.query_batch("a", given={"b": ["yes", "no", None]})
    assert isinstance(bp, BatchPosterior) and len(bp) == 3
    want = np.array([7 / 11, 0.06 / 0.78, 0.2])
    assert bp.prob("yes") == pytest.approx(want, abs=1e-15)
    assert bp.prob(["no", "yes"]) == pytest.approx(np.ones(3), abs=1e-15)
    assert bp.prob({"a": "yes"}) == pytest.approx(want, abs=1e-15)
    d = bp.to_dict()
    assert d["targets"] == ["a"] and d["states"] == [["no", "yes"]]
    assert np.array(d["probs"])[:, 1] == pytest.approx(want, abs=1e-15)
    assert d["evidence_prob"] == pytest.approx([0.22, 0.78, 1.0], abs=1e-15)
    assert d["impossible"] == [False, False, False] and d["model_hash"] == abc.model_hash
    frame = bp.to_frame()
    assert frame.columns.tolist() == ["no", "yes", "evidence_prob", "impossible"]
    assert frame["yes"].tolist() == pytest.approx(want.tolist(), abs=1e-15)
    with pytest.raises(QueryError, match=r"'yse' is not a state of 'a' \(did you mean 'yes'\?\)"):
        bp.prob("yse")
    with pytest.raises(QueryError, match=r"not a target of this query \(did you mean 'a'\?\)"):
        bp.prob({"aa": "yes"})


def test_batch_posterior_impossible_rows_are_nan_in_plain_data(abc: Network) -> None:
    bp = abc.query_batch("b", given={"a": ["no", "yes"], "c": "yes"})
    d = bp.to_dict()
    assert d["impossible"] == [True, False]
    assert np.isnan(d["probs"][0]).all() and d["probs"][1] == pytest.approx([0.3, 0.7])
    assert jsonable(d)["probs"][0] == [None, None]


# ------------------------------------------------------------------------------ Network.prepare
def test_prepare_against_hand_values(abc: Network) -> None:
    prep = abc.prepare("a", "yes", given={"b": "yes"})
    assert isinstance(prep, Prepared) and isinstance(prep.evidence, Evidence)
    assert prep.target == "a" and prep.states == ("yes",) and prep.indices == (1,)
    assert prep.point == pytest.approx(7 / 11, abs=1e-15)
    assert prep.evidence.given == {"b": "yes"} and prep.conditions == "b=yes"
    assert prep.model_hash == abc.model_hash
    assert prep.label == "P(a=yes | b=yes)"
    assert prep.to_dict() == {
        "target": "a",
        "states": ["yes"],
        "conditions": "b=yes",
        "point": pytest.approx(7 / 11, abs=1e-15),
        "model_hash": abc.model_hash,
    }
    both = abc.prepare("b", ["no", "yes"])
    assert both.indices == (0, 1) and both.point == pytest.approx(1.0) and both.conditions == ""
    # do() cuts b from a: a keeps its prior
    cut = abc.prepare("a", "yes", do={"b": "yes"})
    assert cut.point == pytest.approx(0.2, abs=1e-15) and cut.conditions == "do(b=yes)"
    # soft evidence on b with likelihoods 1 : 3 -> 0.2 x 2.4 / (0.2 x 2.4 + 0.8 x 1.2) = 1/3
    soft = abc.prepare("a", "yes", soft={"b": {"no": 1.0, "yes": 3.0}})
    assert soft.point == pytest.approx(1 / 3, abs=1e-15)
    assert soft.evidence.soft["b"].tolist() == [1.0, 3.0]


def test_prepare_matches_query_with_a_policy_and_scenario(example_net: Network) -> None:
    prep = example_net.prepare("armed_clash", "yes", policy="status_quo")
    assert prep.point == example_net.query("armed_clash", policy="status_quo")["yes"]
    assert prep.evidence.do == dict(example_net.spec.policy("status_quo").do)
    assert prep.conditions == prep.evidence.text
    with pytest.raises(
        QueryError, match=r"unknown policy 'status_qou' \(did you mean 'status_quo'\?\)"
    ):
        example_net.prepare("armed_clash", "yes", policy="status_qou")
    with pytest.raises(QueryError, match="unknown scenario 'nope'"):
        example_net.prepare("armed_clash", "yes", scenario="nope")


def test_prepare_errors_are_the_query_errors(abc: Network) -> None:
    with pytest.raises(QueryError, match=r"unknown variable 'aa' \(did you mean 'a'\?\)"):
        abc.prepare("aa", "yes")
    with pytest.raises(QueryError, match=r"'yse' is not a state of 'a' \(did you mean 'yes'\?\)"):
        abc.prepare("a", "yse")
    with pytest.raises(QueryError, match="name at least one state"):
        abc.prepare("a", [])
    with pytest.raises(QueryError, match=r"unknown variable 'bb' \(did you mean 'b'\?\)"):
        abc.prepare("a", "yes", given={"bb": "yes"})
    with pytest.raises(QueryError, match=r"unknown policy 'x'; expected one of \[\]"):
        abc.prepare("a", "yes", policy="x")
    with pytest.raises(ImpossibleEvidenceError, match="probability zero"):
        abc.prepare("b", "yes", given={"a": "no", "c": "yes"})


def test_the_spec_lookups_raise_the_one_error(abc: Network) -> None:
    with pytest.raises(
        QueryError, match=r"unknown variable 'bb' \(did you mean 'b'\?\); expected one of"
    ):
        abc.spec.variable("bb")
    with pytest.raises(QueryError, match="unknown policy"):
        abc.spec.policy("p")
    with pytest.raises(QueryError, match="unknown scenario"):
        abc.spec.scenario("s")
