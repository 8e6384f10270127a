"""Exact queries by name: hand-computed cases, pgmpy as reference, and property tests against
brute-force enumeration of the joint."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from estimative import ImpossibleEvidenceError, Network, QueryError
from estimative.network import brute_force_joint
from estimative.spec import spec_from_arrays
from reference import enumerate_posterior


def sprinkler() -> Network:
    """The network of pgmpy issue #3543 (C->S, C->R, S->W, R->W), states 0/1."""
    return Network(
        spec_from_arrays(
            "sprinkler",
            [
                ("C", ["0", "1"], [], np.array([0.5, 0.5])),
                ("S", ["0", "1"], ["C"], np.array([[0.5, 0.9], [0.5, 0.1]])),
                ("R", ["0", "1"], ["C"], np.array([[0.8, 0.2], [0.2, 0.8]])),
                (
                    "W",
                    ["0", "1"],
                    ["S", "R"],
                    np.array([[[1.0, 0.1], [0.1, 0.01]], [[0.0, 0.9], [0.9, 0.99]]]),
                ),
            ],
        )
    )


def test_do_with_evidence_regression_pgmpy_3543() -> None:
    # Hand computation: with S forced to 1 and R observed 1, W depends only on its CPT column
    # (S=1, R=1): P(W=1) = 0.99. pgmpy 1.1.2's CausalInference.query returns 0.9612 here.
    post = sprinkler().query("W", do={"S": "1"}, given={"R": "1"})
    assert post["1"] == pytest.approx(0.99, abs=1e-12)


def test_do_differs_from_conditioning_on_sprinkler() -> None:
    net = sprinkler()
    # P(R=1 | do(S=1)) = P(R=1) = 0.5 (cutting C->S); P(R=1 | S=1) = (0.5*0.5*0.2+0.5*0.1*0.8)/(0.5*0.5+0.5*0.1)
    assert net.query("R", do={"S": "1"})["1"] == pytest.approx(0.5, abs=1e-12)
    assert net.query("R", given={"S": "1"})["1"] == pytest.approx(
        (0.25 * 0.2 + 0.05 * 0.8) / 0.30, abs=1e-12
    )


def kidney_stones() -> Network:
    """Charig et al. (1986) kidney stones, the textbook Simpson's paradox (Pearl, Causality)."""
    small, large = 357 / 700, 343 / 700
    return Network(
        spec_from_arrays(
            "kidney",
            [
                ("Z", ["small", "large"], [], np.array([small, large])),
                ("T", ["A", "B"], ["Z"], np.array([[87 / 357, 263 / 343], [270 / 357, 80 / 343]])),
                (
                    "Y",
                    ["fail", "recover"],
                    ["T", "Z"],
                    np.array(
                        [
                            [[1 - 81 / 87, 1 - 192 / 263], [1 - 234 / 270, 1 - 55 / 80]],
                            [[81 / 87, 192 / 263], [234 / 270, 55 / 80]],
                        ]
                    ),
                ),
            ],
        )
    )


def test_simpsons_paradox_do_and_conditioning_disagree() -> None:
    net = kidney_stones()
    # Observed: A recovers 273/350, B 289/350: B looks better.
    assert net.query("Y", given={"T": "A"})["recover"] == pytest.approx(273 / 350, abs=1e-12)
    assert net.query("Y", given={"T": "B"})["recover"] == pytest.approx(289 / 350, abs=1e-12)
    # Intervening: adjust for stone size; A is better.
    do_a = 81 / 87 * 357 / 700 + 192 / 263 * 343 / 700
    do_b = 234 / 270 * 357 / 700 + 55 / 80 * 343 / 700
    assert net.query("Y", do={"T": "A"})["recover"] == pytest.approx(do_a, abs=1e-12)
    assert net.query("Y", do={"T": "B"})["recover"] == pytest.approx(do_b, abs=1e-12)
    assert do_a > do_b


def test_example_model_matches_pgmpy(example_net: Network) -> None:
    from pgmpy.inference import VariableElimination

    model = example_net.to_pgmpy()
    ve = VariableElimination(model)
    ref = ve.query(["armed_clash"], evidence={"nk_provocation": "high"}, show_progress=False)
    ours = example_net.query("armed_clash", given={"nk_provocation": "high"})
    assert ours["yes"] == pytest.approx(float(ref.get_value(armed_clash="yes")), abs=1e-12)
    ve_do = VariableElimination(model.do(["private_channel"]))
    ref = ve_do.query(
        ["misread_intent"],
        evidence={"private_channel": "yes", "armed_clash": "yes"},
        show_progress=False,
    )
    ours = example_net.query(
        "misread_intent", do={"private_channel": "yes"}, given={"armed_clash": "yes"}
    )
    assert ours["yes"] == pytest.approx(float(ref.get_value(misread_intent="yes")), abs=1e-12)


def test_policy_and_scenario_by_name(example_net: Network) -> None:
    a = example_net.query("armed_clash", policy="private_channel", scenario="high_provocation")
    b = example_net.query(
        "armed_clash",
        do={"us_rhetoric": "measured", "private_channel": "yes"},
        given={"nk_provocation": "high"},
    )
    assert a["yes"] == pytest.approx(b["yes"], abs=1e-15)


def test_impossible_evidence_names_the_evidence() -> None:
    net = sprinkler()
    with pytest.raises(ImpossibleEvidenceError) as exc:
        net.query("C", given={"S": "0", "R": "0", "W": "1"})  # P(W=1 | S=0, R=0) = 0
    assert "S=0" in str(exc.value) and "W=1" in str(exc.value)


def test_unknown_names_get_did_you_mean(example_net: Network) -> None:
    with pytest.raises(QueryError, match="did you mean 'armed_clash'"):
        example_net.query("armed_clsh")
    with pytest.raises(QueryError, match="did you mean 'high'"):
        example_net.query("armed_clash", given={"nk_provocation": "hgh"})
    with pytest.raises(QueryError, match="unknown policy"):
        example_net.query("armed_clash", policy="nope")


# --------------------------------------------------------------------------- property tests
@st.composite
def small_networks(draw):
    n = draw(st.integers(1, 5))
    cards = [draw(st.integers(2, 3)) for _ in range(n)]
    parents = []
    for i in range(n):
        ps = draw(st.lists(st.integers(0, i - 1), max_size=min(2, i), unique=True)) if i else []
        parents.append(sorted(ps))
    items = []
    for i in range(n):
        shape = (cards[i], *(cards[p] for p in parents[i]))
        raw = np.array(
            draw(
                st.lists(
                    st.floats(0.05, 1.0), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))
                )
            )
        )
        table = raw.reshape(shape)
        table = table / table.sum(axis=0, keepdims=True)
        items.append(
            (f"v{i}", [f"s{k}" for k in range(cards[i])], [f"v{p}" for p in parents[i]], table)
        )
    return Network(spec_from_arrays("random", items))


@settings(max_examples=60, deadline=None)
@given(net=small_networks(), data=st.data())
def test_query_equals_enumeration(net: Network, data) -> None:
    target = data.draw(st.sampled_from(net.variables))
    others = [v for v in net.variables if v != target]
    ev_vars = (
        data.draw(st.lists(st.sampled_from(others), unique=True, max_size=2)) if others else []
    )
    given_ = {v: data.draw(st.sampled_from(net.states[v])) for v in ev_vars}
    post = net.query(target, given=given_)
    assert post.probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(post.probs, enumerate_posterior(net, target, given=given_), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(net=small_networks(), data=st.data())
def test_soft_evidence_equals_enumeration(net: Network, data) -> None:
    target = data.draw(st.sampled_from(net.variables))
    var = data.draw(st.sampled_from(net.variables))
    lik = np.array(
        data.draw(
            st.lists(
                st.floats(0.1, 5.0), min_size=len(net.states[var]), max_size=len(net.states[var])
            )
        )
    )
    post = net.query(target, soft={var: lik})
    assert np.allclose(post.probs, enumerate_posterior(net, target, soft={var: lik}), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(net=small_networks(), data=st.data())
def test_do_on_a_root_equals_conditioning(net: Network, data) -> None:
    roots = [v for v in net.variables if not net.parents[v]]
    root = data.draw(st.sampled_from(roots))
    state = data.draw(st.sampled_from(net.states[root]))
    target = data.draw(st.sampled_from(net.variables))
    a = net.query(target, do={root: state})
    b = net.query(target, given={root: state})
    assert np.allclose(a.probs, b.probs, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(net=small_networks(), data=st.data())
def test_mpe_equals_enumeration(net: Network, data) -> None:
    ev_var = data.draw(st.sampled_from(net.variables))
    ev_state = data.draw(st.sampled_from(net.states[ev_var]))
    joint = brute_force_joint(net)
    i = net.variables.index(ev_var)
    sub = np.take(joint, net.states[ev_var].index(ev_state), axis=i)
    best = sub.max() / sub.sum()
    expl = net.map(given={ev_var: ev_state})
    assert expl.probability == pytest.approx(best, rel=1e-9)
    # The returned assignment attains the maximum (ties allowed).
    full = {**expl.assignment, ev_var: ev_state}
    idx = tuple(net.states[v].index(full[v]) for v in net.variables)
    assert joint[idx] == pytest.approx(sub.max(), rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(net=small_networks(), data=st.data())
def test_partial_map_under_do_equals_enumeration(net: Network, data) -> None:
    # a few variables explained, the rest summed out (barren ones never enter), one variable
    # set by do(): the enumeration of the mutilated joint, by hand
    names = list(net.variables)
    assume(len(names) >= 2)
    dv = data.draw(st.sampled_from(names))
    ds = data.draw(st.sampled_from(net.states[dv]))
    rest = [v for v in names if v != dv]
    query = data.draw(st.lists(st.sampled_from(rest), min_size=1, max_size=2, unique=True))
    cpts = list(net.cpts)
    k = names.index(dv)
    cpts[k] = np.zeros_like(cpts[k])
    cpts[k][net.states[dv].index(ds)] = 1.0  # do(): a point mass, whatever the parents
    joint = brute_force_joint(net.with_cpts(dict(zip(names, cpts, strict=True))))
    axes = tuple(i for i, v in enumerate(names) if v not in query)
    marg = joint.sum(axis=axes)  # axes in the network's order of the query variables
    expl = net.map(query, do={dv: ds})
    assert expl.probability == pytest.approx(marg.max(), rel=1e-9)
    order = [v for v in names if v in query]
    idx = tuple(net.states[v].index(expl.assignment[v]) for v in order)
    assert marg[idx] == pytest.approx(marg.max(), rel=1e-9)


def test_query_joint_and_events(example_net: Network) -> None:
    j = example_net.query_joint(["misread_intent", "armed_clash"])
    ref = brute_force_joint(example_net)
    axes = tuple(
        i for i, v in enumerate(example_net.variables) if v not in ("misread_intent", "armed_clash")
    )
    assert np.allclose(j.probs, ref.sum(axis=axes), atol=1e-12)
    assert j.probability({"armed_clash": "yes"}) == pytest.approx(
        example_net.query("armed_clash")["yes"], abs=1e-12
    )
    for combo in itertools.product(*j.states):
        assert j[combo] >= 0


def test_cpt_frame_rows_follow_parent_states(example_net: Network) -> None:
    frame = example_net.cpt_frame("misread_intent")
    parents = example_net.parents["misread_intent"]
    assert list(frame.index.names) == list(parents)
    # Every row equals the CPT column picked by name, read straight from the array.
    cpt = example_net.cpt("misread_intent")
    for combo in itertools.product(*(example_net.states[p] for p in parents)):
        idx = tuple(example_net.states[p].index(s) for p, s in zip(parents, combo, strict=True))
        assert frame.loc[combo].tolist() == cpt[(slice(None), *idx)].tolist()
    assert example_net.cpt_frame("us_rhetoric").loc["(prior)", "bluster"] == 0.6


def test_model_hash_is_stable_and_content_sensitive(example_net: Network) -> None:
    again = Network.from_file("models/example")
    assert again.model_hash == example_net.model_hash
    changed = again.spec.model_copy(update={"title": "another title"})
    for v_new, v_old in zip(changed.variables, again.spec.variables, strict=True):
        v_new._table = v_old._table
    assert changed.model_hash != example_net.model_hash


@settings(max_examples=20, deadline=None)
@given(net=small_networks(), data=st.data())
def test_brute_force_joint_is_the_product_of_one_entry_of_each_cpt(net: Network, data) -> None:
    """The enumeration oracle itself, entry by entry: the product written out by hand."""
    joint = brute_force_joint(net)
    assert joint.sum() == pytest.approx(1.0, abs=1e-12)
    for _ in range(5):
        combo = tuple(data.draw(st.integers(0, c - 1)) for c in net.structure.cards)
        p = 1.0
        for i, cpt in enumerate(net.cpts):
            p *= cpt[(combo[i], *(combo[j] for j in net.structure.parents[i]))]
        assert joint[combo] == pytest.approx(p, rel=1e-12, abs=1e-300)
