"""Inference over time: the unrolled network matches pyAgrum's own unrolling of the same 2TBN
(``pyagrum.lib.dynamicBN.unroll2TBN``) with evidence and do() in different slices; windows
("yes in any slice") match the probability of the complementary evidence; a reacting policy
matches a network built by hand in pyAgrum with the rule written as a CPT."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

from estimative import Network, draw_cpts, load_model

gum = pytest.importorskip("pyagrum")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # dynamicBN is kept, a C++ ktbn is newer
    from pyagrum.lib import dynamicBN

N_SLICES = 4
LABELS = [f"s{i}" for i in range(N_SLICES)]
# template: name -> (states, parents in the 2TBN's transition, parents in the first slice)
TEMPLATE = {
    "w": (2, [], None),  # static
    "a": (3, ["a@t-1", "w"], ["w"]),
    "b": (2, ["a", "b@t-1"], ["a"]),
    "c": (2, ["b", "a@t-1"], ["b"]),
    "u": (2, [], None),  # an instrument, the same CPT in every slice
}


def _random_tables(rng: np.random.Generator) -> dict[str, dict[str, np.ndarray]]:
    out = {}

    def table(k: int, ps: list[str]) -> np.ndarray:
        cards = [TEMPLATE[p.split("@")[0]][0] for p in ps]
        return rng.dirichlet(np.ones(k), size=cards).transpose(-1, *range(len(cards)))

    for name, (k, parents, first) in TEMPLATE.items():
        out[name] = {"cpt": table(k, parents)}
        if first is not None:
            out[name]["initial"] = table(k, first)
    return out


def _cpt_yaml(name: str, parents: list[str], table: np.ndarray) -> dict:
    k = TEMPLATE[name][0]
    states = [f"v{i}" for i in range(k)]
    if not parents:
        return {
            "table": {s: float(table[i]) for i, s in enumerate(states)},
            "assumption": True,
            "rationale": "random",
        }
    rows = []
    cards = [TEMPLATE[p.split("@")[0]][0] for p in parents]
    for combo in itertools.product(*(range(c) for c in cards)):
        rows.append(
            {
                "when": {p: f"v{j}" for p, j in zip(parents, combo, strict=True)},
                "probs": {s: float(table[(i, *combo)]) for i, s in enumerate(states)},
            }
        )
    return {"table": rows, "assumption": True, "rationale": "random"}


def _model(
    tmp_path: Path, tables: dict, *, policies: list | None = None, n_slices: int = N_SLICES
) -> Path:
    variables = []
    for name, (k, parents, first) in TEMPLATE.items():
        var = {
            "id": name,
            "label": name,
            "states": [f"v{i}" for i in range(k)],
            "parents": parents,
            "cpt": _cpt_yaml(name, parents, tables[name]["cpt"]),
        }
        if name == "w":
            var["static"] = True
        if first is not None:
            var["initial"] = _cpt_yaml(name, first, tables[name]["initial"])
        variables.append(var)
    data = {
        "format": "estimative/1",
        "title": "random 2TBN",
        "as_of": "2017-05-15",
        "time": {
            "slices": [f"{2018 + i}-01-01" for i in range(n_slices)],
            "labels": [f"s{i}" for i in range(n_slices)],
        },
        "variables": variables,
        "policies": policies or [],
    }
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _pyagrum_2tbn(tables: dict) -> gum.BayesNet:
    """The same template as pyAgrum's 2TBN: X0 (first slice), Xt (transition), atemporal W."""
    bn = gum.BayesNet()
    for name, (k, _, _) in TEMPLATE.items():
        if name == "w":
            bn.add(gum.LabelizedVariable("W", "W", k))
        else:
            bn.add(gum.LabelizedVariable(f"{name}0", name, k))
            bn.add(gum.LabelizedVariable(f"{name}t", name, k))

    def pname(p: str, slice_: str) -> str:
        var, _, lag = p.partition("@")
        if var == "w":
            return "W"
        return f"{var}0" if lag == "t-1" else f"{var}{slice_}"

    fill: list[tuple[str, list[str], np.ndarray]] = []
    for name, (_, parents, first) in TEMPLATE.items():
        if name == "w":
            fill.append(("W", [], tables[name]["cpt"]))
            continue
        first_parents = first if first is not None else parents
        first_table = tables[name]["initial"] if first is not None else tables[name]["cpt"]
        fill.append((f"{name}0", [pname(p, "0") for p in first_parents], first_table))
        fill.append((f"{name}t", [pname(p, "t") for p in parents], tables[name]["cpt"]))
    for child, parents, table in fill:
        for p in parents:
            bn.addArc(p, child)
        cards = table.shape[1:]
        for combo in itertools.product(*(range(c) for c in cards)):
            bn.cpt(child)[dict(zip(parents, combo, strict=True))] = table[
                (slice(None), *combo)
            ].tolist()
    return bn


def _surgery(bn: gum.BayesNet, var: str, state: int) -> None:
    for p in list(bn.parents(var)):
        bn.eraseArc(p, bn.idFromName(var))
    point = [0.0] * bn.variable(var).domainSize()
    point[state] = 1.0
    bn.cpt(var)[:] = point


def _ours(name: str) -> str:
    """pyAgrum's unrolled name ('a2', 'W') as ours ('a@s2', 'w')."""
    return "w" if name == "W" else f"{name[:-1]}@s{name[-1]}"


@pytest.fixture(scope="module")
def random_pair(tmp_path_factory: pytest.TempPathFactory):
    rng = np.random.default_rng(20170515)
    tables = _random_tables(rng)
    path = _model(tmp_path_factory.mktemp("dyn"), tables)
    return tables, Network.from_file(path)


def _unrolled(tables: dict) -> gum.BayesNet:
    """pyAgrum's own unrolling of the template (a fresh copy: tests mutate it)."""
    return dynamicBN.unroll2TBN(_pyagrum_2tbn(tables), N_SLICES)


def test_every_marginal_matches_pyagrum_unrolled_with_evidence_and_do_in_other_slices(
    random_pair,
) -> None:
    tables, net = random_pair
    bn = _unrolled(tables)
    _surgery(bn, "a1", 2)  # do(a@s1 = v2)
    ie = gum.LazyPropagation(bn)
    ie.setEvidence({"b3": 1, "c0": 0})
    ie.makeInference()
    for node in bn.nodes():
        name = bn.variable(node).name()
        ours = net.query(_ours(name), given={"b@s3": "v1", "c@s0": "v0"}, do={"a@s1": "v2"})
        np.testing.assert_allclose(ours.probs, ie.posterior(name).toarray(), atol=1e-9)


def test_a_window_is_yes_in_any_slice_as_the_complement_of_all_no(
    random_pair, tmp_path: Path
) -> None:
    tables, _ = random_pair
    bn = _unrolled(tables)
    path = _model(tmp_path, tables)
    text = path.read_text() + (
        "questions:\n- id: q\n  text: c in s1..s3?\n  resolution: r\n"
        "  window: [2018-01-02, 2021-01-01]\n  query: {target: c, state: v1}\n"
    )
    path.write_text(text)
    net = Network.from_file(path)
    assert net.spec.questions[0].query.target == "c@s1..s3"
    ie = gum.LazyPropagation(bn)
    ie.setEvidence({"b0": 1})
    ie.makeInference()
    p_ev = ie.evidenceProbability()
    ie.setEvidence({"b0": 1, "c1": 0, "c2": 0, "c3": 0})
    ie.makeInference()
    never = ie.evidenceProbability() / p_ev
    got = net.query("c@s1..s3", given={"b@s0": "v1"})["v1"]
    assert got == pytest.approx(1 - never, abs=1e-9)


def test_a_reacting_policy_matches_the_rule_written_as_a_cpt_by_hand(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    tables = _random_tables(rng)
    policies = [
        {
            "id": "hold",
            "label": "u=v1 after c=v1, else v0",
            "react": [{"set": {"u": "v1"}, "when": {"c@t-1": "v1"}, "otherwise": {"u": "v0"}}],
        },
        {
            "id": "soft",
            "label": "u=v1 after c=v1, else its own CPT",
            "react": [{"set": {"u": "v1"}, "when": {"c@t-1": "v1", "a@t-1": ["v0", "v2"]}}],
        },
    ]
    net = Network.from_file(_model(tmp_path, tables, policies=policies))
    own = tables["u"]["cpt"]
    for policy in ("hold", "soft"):
        bn = _unrolled(tables)
        if policy == "hold":
            bn.cpt("u0")[:] = [1.0, 0.0]  # no slice before the first: the condition fails
        for i in range(1, N_SLICES):
            u = f"u{i}"
            bn.addArc(f"c{i - 1}", u)
            if policy == "soft":
                bn.addArc(f"a{i - 1}", u)
            for cs in range(2):
                for a in range(3):
                    holds = cs == 1 and (policy == "hold" or a in (0, 2))
                    col = (
                        [0.0, 1.0] if holds else ([1.0, 0.0] if policy == "hold" else own.tolist())
                    )
                    idx = {f"c{i - 1}": cs}
                    if policy == "soft":
                        idx[f"a{i - 1}"] = a
                    bn.cpt(u)[idx] = col
        ie = gum.LazyPropagation(bn)
        ie.setEvidence({"b2": 0})
        ie.makeInference()
        for node in bn.nodes():
            name = bn.variable(node).name()
            ours = net.query(_ours(name), given={"b@s2": "v0"}, policy=policy)
            np.testing.assert_allclose(
                ours.probs, ie.posterior(name).toarray(), atol=1e-9, err_msg=f"{policy}: {name}"
            )


def test_batched_draws_under_a_reacting_policy_equal_one_network_per_draw(tmp_path: Path) -> None:
    """Each draw's answer under the rule, from the batch, equals pyAgrum's on that draw's
    tables with the rule written in by hand (three draws)."""
    net = Network.from_file("models/escalation_dynamic")
    draws = draw_cpts(net, 3, rng=np.random.default_rng(3))
    batch = net.query_batch("clash@2018H2", cpts=draws, policy="red_line").prob("yes")
    for k in range(3):
        drawn = net.with_cpts({v: d[..., k] for v, d in zip(net.variables, draws, strict=True)})
        bn = _to_pyagrum(drawn)
        for before, after in [("2017H2", "2018H1"), ("2018H1", "2018H2")]:
            u = f"us_strike@{after}"
            bn.addArc(f"nk_icbm_test@{before}", u)
            bn.cpt(u)[{f"nk_icbm_test@{before}": 0}] = [1.0, 0.0]
            bn.cpt(u)[{f"nk_icbm_test@{before}": 1}] = [0.0, 1.0]
        _surgery(bn, "us_strike@2017H2", 0)
        ie = gum.LazyPropagation(bn)
        ie.makeInference()
        assert batch[k] == pytest.approx(ie.posterior("clash@2018H2").toarray()[1], abs=1e-9)


def _to_pyagrum(net: Network) -> gum.BayesNet:
    """A plain copy of our network's (unrolled) tables in pyAgrum, arcs and CPTs by name."""
    bn = gum.BayesNet()
    for v in net.variables:
        bn.add(gum.LabelizedVariable(v, v, list(net.states[v])))
    for v in net.variables:
        for p in net.parents[v]:
            bn.addArc(p, v)
    for v in net.variables:
        table = net.cpt(v)
        parents = list(net.parents[v])
        for combo in itertools.product(*(range(len(net.states[p])) for p in parents)):
            bn.cpt(v)[dict(zip(parents, combo, strict=True))] = table[
                (slice(None), *combo)
            ].tolist()
    return bn


def test_a_reacting_policy_changes_what_it_should_and_nothing_before_it() -> None:
    net = Network.from_file("models/escalation_dynamic")
    base = net.query("tension@2017H2")
    red = net.query("tension@2017H2", policy="red_line")
    np.testing.assert_allclose(red.probs, base.probs)  # before any rule can act
    # the strike in 2018H1 happens exactly when the 2017H2 test did
    assert net.query("us_strike@2018H1", policy="red_line")["yes"] == pytest.approx(
        net.query("nk_icbm_test@2017H2")["yes"]
    )
    assert (
        net.query("us_strike@2018H1", policy="red_line", given={"nk_icbm_test@2017H2": "no"})["yes"]
        == 0.0
    )
    assert (
        load_model("models/escalation_dynamic").policy("red_line").react[0].variable
        == "us_strike@2018H1"
    )


def test_copies_of_one_cpt_share_each_parameter_draw() -> None:
    net = Network.from_file("models/escalation_dynamic")
    assert net.spec.ties["tension@2018H1"] == net.spec.ties["tension@2018H2"] == "tension.cpt"
    assert net.spec.ties["tension@2017H2"] == "tension.initial"
    assert net.spec.ties["nk_icbm_test@2018H2"] == "nk_icbm_test.slices.2018H2"
    draws = dict(zip(net.variables, draw_cpts(net, 50, rng=np.random.default_rng(1)), strict=True))
    np.testing.assert_array_equal(draws["tension@2018H1"], draws["tension@2018H2"])
    np.testing.assert_array_equal(draws["clash@2017H2"], draws["clash@2018H2"])
    assert not np.array_equal(draws["nk_icbm_test@2018H1"], draws["nk_icbm_test@2018H2"])
    # the draws vary from one draw to the next, so sharing is not a constant table
    assert np.std(draws["tension@2018H1"][1, 0, 0, 0]) > 0.01


@pytest.mark.parametrize("query", ["last slice", "window"])
def test_the_cost_of_a_query_grows_linearly_with_the_number_of_slices(
    tmp_path: Path, query: str
) -> None:
    """The contraction's FLOP count (opt_einsum's, for the compiled plan) on 4, 8, 16 and 32
    slices grows linearly: each doubling adds about twice what the one before added (cost =
    a + b * slices; exponential growth would square the increments)."""
    from estimative.engine import compile_query

    tables = _random_tables(np.random.default_rng(5))
    flops = []
    for n in (4, 8, 16, 32):
        folder = tmp_path / f"n{n}"
        folder.mkdir()
        path = _model(folder, tables, n_slices=n)
        if query == "window":
            text = path.read_text() + (
                "outcomes:\n- {id: o, label: c at some point, target: c, state: v1}\n"
            )
            path.write_text(text)
        net = Network.from_file(path)
        target = f"c@s0..s{n - 1}" if query == "window" else f"c@s{n - 1}"
        plan = compile_query(net.structure, (net.index(target),), (), (), (net.index("b@s0"),))
        ex = plan.executor(tuple(False for _ in plan.operands), "last", 1)
        flops.append(ex.flops)
    steps = [b - a for a, b in itertools.pairwise(flops)]  # 4 more, 8 more, 16 more
    ratios = [b / a for a, b in itertools.pairwise(steps)]
    assert all(1.6 < r < 2.5 for r in ratios), (flops, ratios)


def test_a_trajectory_matches_pyagrum_slice_by_slice_and_so_far(random_pair) -> None:
    """Per slice: pyAgrum's posterior of a_i. So far: P(highest state of a_0..a_i >= v1) is
    1 - P(all v0), and P(highest = v2) is 1 - P(all in {v0, v1}), both from pyAgrum's
    probability of that evidence (likelihoods on each slice)."""
    tables, net = random_pair
    bn = _unrolled(tables)
    traj = net.trajectory("a", given={"b@s1": "v0"})
    assert traj.labels == tuple(LABELS)
    ie = gum.LazyPropagation(bn)
    ie.setEvidence({"b1": 0})
    ie.makeInference()
    p_ev = ie.evidenceProbability()
    for i in range(N_SLICES):
        np.testing.assert_allclose(traj.probs[i], ie.posterior(f"a{i}").toarray(), atol=1e-9)
    for i in range(N_SLICES):
        for allowed, state in (([1, 0, 0], "v1"), ([1, 1, 0], "v2")):
            ie2 = gum.LazyPropagation(bn)
            ie2.setEvidence({"b1": 0, **{f"a{j}": allowed for j in range(i + 1)}})
            ie2.makeInference()
            stays_below = ie2.evidenceProbability() / p_ev
            assert traj.ever(state)[i] == pytest.approx(1 - stays_below, abs=1e-9)
    np.testing.assert_allclose(traj.by.sum(axis=1), 1.0)
    assert traj.to_dict()["model_hash"] == net.model_hash


def test_a_trajectory_of_an_unknown_or_static_variable_or_a_static_model_is_refused() -> None:
    from estimative import QueryError

    net = Network.from_file("models/escalation_dynamic")
    with pytest.raises(QueryError, match="did you mean 'clash'"):
        net.trajectory("clsh")
    with pytest.raises(QueryError, match="not a variable that changes over time"):
        net.trajectory("us_bluster")
    with pytest.raises(QueryError, match="has no time slices"):
        Network.from_file("models/example").trajectory("armed_clash")


def test_a_window_and_a_slice_query_match_brute_force_enumeration(random_pair) -> None:
    """The full joint of the unrolled network (every CPT entry multiplied out, no engine),
    conditioned by hand: P(c in some slice 1..3 | b@s0) and P(a@s3 | c@s1) with do(a@s2)."""
    from reference import conditioned_joint, enumerate_posterior

    _, net = random_pair
    joint = conditioned_joint(net, given={"b@s0": "v1"})
    axes = [net.variables.index(f"c@s{i}") for i in (1, 2, 3)]
    others = tuple(a for a in range(joint.ndim) if a not in axes)
    c_joint = joint.sum(axis=others)  # P(c1, c2, c3 | b0), axes in variable order
    p_never = c_joint[(0, 0, 0)]
    got = net.with_window("c@s1..s3").query("c@s1..s3", given={"b@s0": "v1"})["v1"]
    assert got == pytest.approx(1 - p_never, abs=1e-12)
    ref = enumerate_posterior(net, "a@s3", given={"c@s1": "v0"}, do={"a@s2": "v1"})
    ours = net.query("a@s3", given={"c@s1": "v0"}, do={"a@s2": "v1"}).probs
    np.testing.assert_allclose(ours, ref, atol=1e-12)
