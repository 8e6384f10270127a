"""Decision analysis: textbook problems with published answers, pyAgrum's influence-diagram
solver, brute-force enumeration of strategies, hand-computed value of information, the
utilities schema, and the ``decide`` command.

Reference values never come from estimative's decision code:
- the oil wildcatter (Raiffa, 1968, Decision Analysis, Addison-Wesley; numbers as in Shenoy,
  1992, "Valuation-based systems for Bayesian decision analysis", Operations Research 40(3),
  and in aGrUM's OilWildcatter test: MEU 22.5, test, then drill unless the structure is diffuse;
  without the test, drill for an expected 20);
- the umbrella problem (Shachter's network; Poole and Mackworth, Artificial Intelligence:
  Foundations of Computational Agents, 2nd ed., Example 9.11; Netica's Umbrella example gives
  EU(take) = 35 and EU(leave) = 70 before the forecast; the optimal policy is worth 77);
- hand roll-backs written out below, enumeration of every strategy, and pyAgrum's
  ShaferShenoyLIMIDInference.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, Network, UsageError, load_model
from estimative.cli import main
from estimative.decision import (
    analyze,
    decision_table,
    decision_tree,
    expected_utilities,
    solve,
    utility_model,
    value_of_information,
    weight_map,
)

ROOT = Path(__file__).resolve().parents[1]
OIL = ROOT / "models" / "oil_wildcatter"
UMBRELLA = ROOT / "models" / "umbrella"
KOREA = ROOT / "models" / "korea_2017"


@pytest.fixture(scope="module")
def oil() -> Network:
    return Network.from_file(OIL)


@pytest.fixture(scope="module")
def umbrella() -> Network:
    return Network.from_file(UMBRELLA)


# ------------------------------------------------------------------------------ hand roll-backs
# Raiffa's numbers, typed from the textbook rather than read from the model file.
P_OIL = {"dry": 0.5, "wet": 0.3, "soaking": 0.2}
P_SEISMIC = {  # P(structure | amount)
    "dry": {"closed": 0.1, "open": 0.3, "diffuse": 0.6},
    "wet": {"closed": 0.3, "open": 0.4, "diffuse": 0.3},
    "soaking": {"closed": 0.5, "open": 0.4, "diffuse": 0.1},
}
PAYOFF = {"dry": -70.0, "wet": 50.0, "soaking": 200.0}
TEST_COST = 10.0


def hand_oil() -> dict[str, object]:
    """Roll the oil wildcatter's tree back by hand."""
    ev_drill_no_test = sum(P_OIL[o] * PAYOFF[o] for o in P_OIL)  # 20
    no_test = max(ev_drill_no_test, 0.0)
    rule = {}
    with_test = 0.0
    for s in ("closed", "open", "diffuse"):
        joint = {o: P_OIL[o] * P_SEISMIC[o][s] for o in P_OIL}
        ps = sum(joint.values())
        ev_drill = sum(joint[o] * PAYOFF[o] for o in P_OIL) / ps
        rule[s] = "yes" if ev_drill > 0 else "no"
        with_test += ps * max(ev_drill, 0.0)
    evpi = sum(P_OIL[o] * max(PAYOFF[o], 0.0) for o in P_OIL) - no_test
    return {"no_test": no_test, "with_test": with_test - TEST_COST, "gross_with_test": with_test,
            "rule": rule, "evpi": evpi, "evsi": with_test - no_test}


def test_hand_rollback_reproduces_the_textbook() -> None:
    h = hand_oil()
    assert h["no_test"] == pytest.approx(20.0)
    assert h["with_test"] == pytest.approx(22.5)
    assert h["rule"] == {"closed": "yes", "open": "yes", "diffuse": "no"}
    assert h["evpi"] == pytest.approx(35.0)
    assert h["evsi"] == pytest.approx(12.5)


# ------------------------------------------------------------------------------ oil wildcatter
def test_oil_optimal_strategy_and_meu(oil: Network) -> None:
    h = hand_oil()
    sol = solve(oil)
    assert sol.meu == pytest.approx(22.5, abs=1e-9)  # Raiffa: test, worth 22.5 (thousand dollars)
    assert sol.meu == pytest.approx(h["with_test"], abs=1e-9)
    assert sol.rule("test").choice() == "yes"
    drill = sol.rule("drill")
    assert drill.information == ("test", "seismic_result")
    for s, want in h["rule"].items():
        assert drill.choice({"test": "yes", "seismic_result": s}) == want
    # a configuration that cannot occur has no choice
    assert drill.choice({"test": "yes", "seismic_result": "no_test"}) is None
    # the conditional expected utilities of drilling (pyAgrum's posteriorUtility of TestResult,
    # net of the test's cost): 77.5, 22.857, and -10 for not drilling on a diffuse result
    assert drill.expected[0, 0, 0] == pytest.approx(77.5)
    assert drill.expected[0, 1, 0] == pytest.approx(160 / 7)
    assert drill.expected[0, 2, 1] == pytest.approx(-10.0)
    assert "closed or open" in drill.describe()


def test_oil_with_and_without_the_test(oil: Network) -> None:
    without = solve(oil, do={"test": "no"})
    assert without.meu == pytest.approx(20.0)  # drill blind: 0.5(-70) + 0.3(50) + 0.2(200)
    assert without.rule("drill").choice({"seismic_result": "no_test"}) == "yes"
    with_test = solve(oil, do={"test": "yes"})
    assert with_test.meu == pytest.approx(22.5)
    assert [with_test.rule("drill").choice({"seismic_result": s}) for s in ("closed", "open", "diffuse")] == \
        ["yes", "yes", "no"]


def test_oil_decision_table_is_open_loop(oil: Network) -> None:
    t = decision_table(oil)
    # every combination set by do(), no observation used: hand values
    assert t["test=no,drill=yes"] == pytest.approx(20.0)
    assert t["test=yes,drill=yes"] == pytest.approx(10.0)
    assert t["test=yes,drill=no"] == pytest.approx(-10.0)
    assert t["test=no,drill=no"] == pytest.approx(0.0)
    assert t.best == "test=no,drill=yes"
    i = t.index("test=yes,drill=yes")
    assert t.contributions[i].tolist() == pytest.approx([20.0, -10.0])  # drilling, test cost


def test_oil_value_of_information(oil: Network) -> None:
    h = hand_oil()
    voi = value_of_information(oil)
    assert voi["oil_amount"] == pytest.approx(h["evpi"])  # EVPI 35
    assert voi.measure[voi.variables.index("oil_amount")] == "EVPI"
    assert "seismic_result" in voi.excluded  # the test decides whether it exists
    after = value_of_information(oil, do={"test": "yes"})
    assert after["seismic_result"] == pytest.approx(h["evsi"])  # EVSI 12.5 > the test's cost of 10
    assert after.measure[after.variables.index("seismic_result")] == "EVSI"
    assert dict(after.best_by_state[after.variables.index("seismic_result")]) == {
        "closed": "drill=yes", "open": "drill=yes", "diffuse": "drill=no"}


def test_oil_expected_utilities_include_rules_and_baseline(oil: Network) -> None:
    eu = expected_utilities(oil)
    assert eu["optimal_rules"] == pytest.approx(22.5)
    assert eu.best == "optimal_rules"
    # baseline: both decisions at their placeholder 50/50 CPTs: 0.5 x 20 (drill) - 0.5 x 10 (test)
    assert eu["baseline"] == pytest.approx(0.5 * 20.0 - 0.5 * 10.0)
    assert np.allclose(eu.contributions.sum(axis=1), eu.eu)


# ------------------------------------------------------------------------------ umbrella
def test_umbrella_published_values(umbrella: Network) -> None:
    t = decision_table(umbrella)
    assert t["umbrella=take"] == pytest.approx(35.0)  # Netica's Umbrella: take 35, leave 70
    assert t["umbrella=leave"] == pytest.approx(70.0)
    sol = solve(umbrella)
    assert sol.meu == pytest.approx(77.0)  # Poole and Mackworth: the optimal policy is worth 77
    rule = sol.rule("umbrella")
    assert [rule.choice({"forecast": f}) for f in ("sunny", "cloudy", "rainy")] == ["leave", "leave", "take"]


def test_umbrella_value_of_information_by_hand(umbrella: Network) -> None:
    p_rain = 0.3
    f = {"no_rain": {"sunny": 0.7, "cloudy": 0.2, "rainy": 0.1}, "rain": {"sunny": 0.15, "cloudy": 0.25, "rainy": 0.6}}
    u = {("no_rain", "take"): 20, ("no_rain", "leave"): 100, ("rain", "take"): 70, ("rain", "leave"): 0}
    pw = {"no_rain": 1 - p_rain, "rain": p_rain}
    best_blind = max(sum(pw[w] * u[(w, a)] for w in pw) for a in ("take", "leave"))
    evpi = sum(pw[w] * max(u[(w, a)] for a in ("take", "leave")) for w in pw) - best_blind
    with_forecast = sum(max(sum(pw[w] * f[w][fc] * u[(w, a)] for w in pw) for a in ("take", "leave"))
                        for fc in ("sunny", "cloudy", "rainy"))
    voi = value_of_information(umbrella)
    assert voi["weather"] == pytest.approx(evpi) and evpi == pytest.approx(21.0)
    assert voi["forecast"] == pytest.approx(with_forecast - best_blind) and with_forecast == pytest.approx(77.0)
    assert voi.eu_without == pytest.approx(best_blind)
    assert voi.measure[voi.variables.index("forecast")] == "EVSI"
    assert voi.top("EVPI")[0] == ("weather", pytest.approx(21.0))


# ------------------------------------------------------------------------------ pyAgrum
def to_pyagrum(net: Network):
    """The model as a pyAgrum influence diagram: chance CPTs, informational arcs from what each
    decision observes, the weighted attributes as utility nodes, no-forgetting in file order."""
    gum = pytest.importorskip("pyagrum")
    spec = net.spec
    diagram = gum.InfluenceDiagram()
    decisions = [v.id for v in spec.variables if v.kind == "decision"]
    for v in net.variables:
        var = gum.LabelizedVariable(v, v, list(net.states[v]))
        if v in decisions:
            diagram.addDecisionNode(var)
        else:
            diagram.addChanceNode(var)
    for v in net.variables:
        if v in decisions:
            for o in spec.variable(v).observes:
                diagram.addArc(o, v)
        else:
            for p in net.parents[v]:
                diagram.addArc(p, v)
    assert spec.utilities is not None
    for a in spec.utilities.attributes:
        diagram.addUtilityNode(gum.LabelizedVariable(f"u_{a.id}", a.label, 1))
        for p in a.over:
            diagram.addArc(p, f"u_{a.id}")
    for v in net.variables:
        if v in decisions:
            continue
        table = net.cpt(v)
        parents = net.parents[v]
        for combo in itertools.product(*(range(len(net.states[p])) for p in parents)):
            key = {p: net.states[p][k] for p, k in zip(parents, combo, strict=True)}
            column = table[(slice(None), *combo)].tolist()
            if key:
                diagram.cpt(v)[key] = column
            else:
                diagram.cpt(v).fillWith(column)
    for a in spec.utilities.attributes:
        for combo in itertools.product(*(range(len(net.states[p])) for p in a.over)):
            key = {p: net.states[p][k] for p, k in zip(a.over, combo, strict=True)}
            diagram.utility(f"u_{a.id}")[key] = float(a.weight * a.table[combo])
    inference = gum.ShaferShenoyLIMIDInference(diagram)
    if len(decisions) > 1:
        inference.addNoForgettingAssumption(decisions)
    inference.makeInference()
    return inference


def assert_same_as_pyagrum(net: Network) -> None:
    inference = to_pyagrum(net)
    sol = solve(net)
    assert sol.meu == pytest.approx(inference.MEU()["mean"], abs=1e-9)
    for rule in sol.rules:
        best = inference.optimalDecision(rule.decision)
        names = set(best.names)
        for config, idx in rule.configurations():
            if not rule.reachable[idx]:
                continue
            key = {v: s for v, s in config.items() if v in names}
            column = np.asarray(best[key] if key else best.toarray()).ravel()
            assert rule.states[int(np.argmax(column))] == rule.choice(config), (rule.decision, config)


def test_oil_matches_pyagrum(oil: Network) -> None:
    assert_same_as_pyagrum(oil)


def test_umbrella_matches_pyagrum(umbrella: Network) -> None:
    assert_same_as_pyagrum(umbrella)


# ------------------------------------------------------------------------------ random diagrams
def _yaml_table(var: str, states: list[str], parents: list[str], pstates: dict[str, list[str]],
                table: np.ndarray) -> str:
    if not parents:
        return "      table: {" + ", ".join(f"{s}: {float(table[k])!r}" for k, s in enumerate(states)) + "}\n"
    out = "      table:\n"
    for combo in itertools.product(*(range(len(pstates[p])) for p in parents)):
        when = ", ".join(f"{p}: {pstates[p][c]}" for p, c in zip(parents, combo, strict=True))
        probs = ", ".join(f"{s}: {float(table[(k, *combo)])!r}" for k, s in enumerate(states))
        out += f"        - {{when: {{{when}}}, probs: {{{probs}}}}}\n"
    return out


def random_diagram(folder: Path, seed: int) -> Path:
    """C1 -> D1 (observes C1) -> C2 -> D2 (observes C2) -> C3, with two utility attributes."""
    rng = np.random.default_rng(seed)
    states = {"c1": ["a", "b"], "d1": ["x", "y"], "c2": ["lo", "hi"], "d2": ["u", "v", "w"], "c3": ["m", "n"]}
    parents = {"c1": [], "d1": [], "c2": ["c1", "d1"], "d2": [], "c3": ["c2", "d2", "c1"]}
    text = "format: estimative/1\ntitle: random influence diagram\nas_of: 2020-01-01\nvariables:\n"
    for v in ("c1", "d1", "c2", "d2", "c3"):
        shape = (len(states[v]), *(len(states[p]) for p in parents[v]))
        table = rng.dirichlet(np.ones(shape[0]), size=shape[1:]) if parents[v] else rng.dirichlet(np.ones(shape[0]))
        if parents[v]:
            table = np.moveaxis(table, -1, 0)
        text += f"  - id: {v}\n    label: {v}\n    states: [{', '.join(states[v])}]\n"
        if parents[v]:
            text += f"    parents: [{', '.join(parents[v])}]\n"
        if v.startswith("d"):
            text += "    kind: decision\n" + f"    observes: [{'c1' if v == 'd1' else 'c2'}]\n"
        text += "    cpt:\n" + _yaml_table(v, states[v], parents[v], states, table)
    u1 = rng.uniform(-50, 100, size=(2, 2))
    u2 = rng.uniform(0, 100, size=(3, 2))
    text += "utilities:\n  attributes:\n"
    text += "    - id: outcome\n      label: outcome\n      over: [c3, d1]\n      weight: 0.7\n      rationale: test\n      values:\n"
    for i, j in itertools.product(range(2), range(2)):
        text += f"        - {{when: {{c3: {states['c3'][i]}, d1: {states['d1'][j]}}}, value: {float(u1[i, j])!r}}}\n"
    text += "    - id: cost\n      label: cost\n      over: [d2, c1]\n      weight: 0.3\n      rationale: test\n      values:\n"
    for i, j in itertools.product(range(3), range(2)):
        text += f"        - {{when: {{d2: {states['d2'][i]}, c1: {states['c1'][j]}}}, value: {float(u2[i, j])!r}}}\n"
    path = folder / f"random_{seed}"
    path.mkdir()
    (path / "model.yaml").write_text(text)
    return path


def brute_force_meu(net: Network) -> tuple[float, dict[tuple[str, ...], str]]:
    """Every deterministic strategy (D1 as a function of C1; D2 of C1, D1, C2) evaluated on the
    full joint: the best value and the best strategy's rule for D1."""
    st = net.states
    cpt = {v: net.cpt(v) for v in net.variables}
    spec = net.spec
    u = {a.id: (a.over, a.weight * a.table) for a in spec.utilities.attributes}
    info2 = list(itertools.product(range(2), range(2), range(2)))  # c1, d1, c2
    best_value, best_rule = -math.inf, {}
    for r1 in itertools.product(range(2), repeat=2):
        for r2 in itertools.product(range(3), repeat=len(info2)):
            rule2 = dict(zip(info2, r2, strict=True))
            total = 0.0
            for c1, c2, c3 in itertools.product(range(2), range(2), range(2)):
                d1 = r1[c1]
                d2 = rule2[(c1, d1, c2)]
                p = cpt["c1"][c1] * cpt["c2"][c2, c1, d1] * cpt["c3"][c3, c2, d2, c1]
                val = u["outcome"][1][c3, d1] + u["cost"][1][d2, c1]
                total += p * val
            if total > best_value + 1e-12:
                best_value = total
                best_rule = {(st["c1"][c],): st["d1"][r1[c]] for c in range(2)}
    return best_value, best_rule


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_diagrams_against_enumeration_and_pyagrum(tmp_path: Path, seed: int) -> None:
    net = Network.from_file(random_diagram(tmp_path, seed))
    value, rule1 = brute_force_meu(net)
    sol = solve(net)
    assert sol.meu == pytest.approx(value, abs=1e-9)
    for (c1,), choice in rule1.items():
        assert sol.rule("d1").choice({"c1": c1}) == choice
    assert_same_as_pyagrum(net)
    # the tree rolls back to the same value
    assert decision_tree(net).value == pytest.approx(value, abs=1e-9)


# ------------------------------------------------------------------------------ policies, draws
def _example_with_utilities(tmp_path: Path) -> Path:
    folder = tmp_path / "example"
    folder.mkdir()
    (folder / "sources").mkdir()
    for f in (ROOT / "models" / "example" / "sources").iterdir():
        (folder / "sources" / f.name).write_text(f.read_text())
    (folder / "model.yaml").write_text((ROOT / "models" / "example" / "model.yaml").read_text())
    (folder / "utilities.yaml").write_text("""utilities:
  attributes:
    - id: peace
      label: No clash
      over: [armed_clash]
      values: {"no": 100, "yes": 0}
      weight: 0.6
      rationale: a clash is the worst outcome
    - id: clarity
      label: No misreading, calm
      over: [misread_intent, nk_provocation]
      values:
        - {when: {misread_intent: "no", nk_provocation: low}, value: 100}
        - {when: {misread_intent: "no", nk_provocation: medium}, value: 80}
        - {when: {misread_intent: "no", nk_provocation: high}, value: 50}
        - {when: {misread_intent: "yes", nk_provocation: low}, value: 40}
        - {when: {misread_intent: "yes", nk_provocation: medium}, value: 20}
        - {when: {misread_intent: "yes", nk_provocation: high}, value: 0}
      weight: 0.4
      rationale: clear intentions and fewer provocations
""")
    return folder


def _enumerated_eu(net: Network, do: dict[str, str], cpts: list[np.ndarray] | None = None) -> float:
    """EU by enumerating the full joint with do() surgery by hand."""
    from estimative.network import brute_force_joint

    arrays = list(cpts if cpts is not None else net.cpts)
    for v, s in do.items():
        i = net.index(v)
        onehot = np.zeros_like(arrays[i])
        onehot[net.states[v].index(s)] = 1.0
        arrays[i] = onehot
    joint = brute_force_joint(net.with_cpts(dict(zip(net.variables, arrays, strict=True))))
    total = 0.0
    for a in net.spec.utilities.attributes:
        axes = [net.variables.index(v) for v in a.over]
        marg = joint.sum(axis=tuple(k for k in range(joint.ndim) if k not in axes))
        order = np.argsort(axes)
        total += a.weight * float((np.transpose(a.table, order) * marg).sum())
    return total


def test_policy_expected_utility_against_enumeration(tmp_path: Path) -> None:
    net = Network.from_file(_example_with_utilities(tmp_path))
    eu = expected_utilities(net)
    for p in net.spec.policies:
        assert eu[p.id] == pytest.approx(_enumerated_eu(net, dict(p.do)), abs=1e-12)
    assert eu["baseline"] == pytest.approx(_enumerated_eu(net, {}), abs=1e-12)
    table = decision_table(net)
    for combo, do in zip(table.ids, table.do, strict=True):
        assert table[combo] == pytest.approx(_enumerated_eu(net, dict(do)), abs=1e-12)


def test_intervals_and_prob_best_on_common_draws(tmp_path: Path) -> None:
    from estimative.uncertainty import draw_cpts

    net = Network.from_file(_example_with_utilities(tmp_path))
    draws = draw_cpts(net, 300, rng=np.random.default_rng(7))
    eu = expected_utilities(net, draws=draws)
    assert eu.n_draws == 300
    # each draw's EU equals enumeration on that draw's CPTs (checked on a few draws)
    for n in (0, 17, 299):
        cpts = [d[..., n] for d in draws]
        for i, do in enumerate(eu.do):
            assert eu.eu_draws[i, n] == pytest.approx(_enumerated_eu(net, dict(do), cpts), abs=1e-10)
    pb = eu.prob_best
    assert np.isnan(pb[eu.index("baseline")])
    assert np.nansum(pb) == pytest.approx(1.0)
    c = eu.candidates
    wins = np.bincount(np.argmax(eu.eu_draws[c], axis=0), minlength=len(c)) / 300
    assert pb[c] == pytest.approx(wins)
    assert np.all(eu.low <= eu.high)
    lo_ref = np.quantile(eu.eu_draws, 0.05, axis=1)
    assert eu.low == pytest.approx(lo_ref)
    # the same seed gives the same answer; weights shift every draw consistently
    again = expected_utilities(net, draws=300, rng=np.random.default_rng(7))
    assert again.eu_draws == pytest.approx(eu.eu_draws)


def test_weight_overrides(tmp_path: Path) -> None:
    net = Network.from_file(_example_with_utilities(tmp_path))
    base = expected_utilities(net)
    heavy = expected_utilities(net, weights={"peace": 2.0})
    i = base.attributes.index("peace")
    assert heavy.attribute_values == pytest.approx(base.attribute_values)
    assert heavy.contributions[:, i] == pytest.approx(2.0 * base.attribute_values[:, i])
    u = utility_model(net, weights={"peace": 2.0})
    assert u.overridden == {"peace": 2.0} and u.file_weights["peace"] == 0.6
    with pytest.raises(UsageError, match="did you mean 'peace'"):
        utility_model(net, weights={"paece": 1.0})
    with pytest.raises(UsageError, match="non-negative"):
        utility_model(net, weights={"peace": -1.0})
    with pytest.raises(UsageError, match="every weight is 0"):
        utility_model(net, weights={"peace": 0, "clarity": 0})


def test_weight_map_agrees_with_direct_evaluation(tmp_path: Path) -> None:
    net = Network.from_file(_example_with_utilities(tmp_path))
    m = weight_map(net, "peace", "clarity", x_values=[0.0, 0.5, 1.0, 3.0], y_values=[0.0, 0.2, 2.0])
    assert m.winner.shape == (3, 4)
    for x, y in itertools.product([0.0, 0.5, 1.0, 3.0], [0.0, 0.2, 2.0]):
        if x == 0 and y == 0:
            continue
        direct = expected_utilities(net, weights={"peace": x, "clarity": y}, baseline=False)
        assert m.winner_at(x, y) == direct.best
    assert sum(m.shares().values()) == pytest.approx(1.0)
    assert m.current == (0.6, 0.4)
    frame = m.to_frame()
    assert len(frame) == 12 and set(frame["winner"]) <= set(m.ids)


# ------------------------------------------------------------------------------ tree
def test_tree_rolls_back_to_meu_and_renders(oil: Network, umbrella: Network, tmp_path: Path) -> None:
    from estimative.charts.decision import (
        decision_tree_figure,
        save_figure,
        save_text,
        weight_map_figure,
    )

    tree = decision_tree(oil)
    assert tree.stages == ("test", "seismic_result", "drill", "oil_amount")
    assert tree.value == pytest.approx(22.5)
    assert tree.n_leaves == 24  # impossible branches (a result without a test) are pruned
    for path, _leaf in tree.root.leaves():
        for node in path:
            if node.kind == "chance":
                assert sum(c.probability for c in node.children) == pytest.approx(1.0)
    leaf_utils = sorted({round(leaf.value, 9) for _, leaf in tree.root.leaves()})
    assert leaf_utils == [-80, -70, -10, 0, 40, 50, 190, 200]  # payoffs net of the test's cost
    md = tree.to_markdown()
    assert "| test | seismic_result | drill | oil_amount |" in md and "**yes (EU 22.5)**" in md
    policy_tree = decision_tree(oil, shape="policies")
    assert policy_tree.value == pytest.approx(20.0) and policy_tree.stages == ("policy", "oil_amount")
    for fmt in ("svg", "png"):
        out = save_figure(decision_tree_figure(tree), tmp_path / f"tree.{fmt}")
        assert out.stat().st_size > 1000
    save_text(md, tmp_path / "tree.md")
    assert (tmp_path / "tree.md").read_text() == md
    save_figure(weight_map_figure(weight_map(oil, "drilling", "test_cost")), tmp_path / "map.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.svg", "tree.md", "tree.png", "tree.svg"]
    with pytest.raises(UsageError, match="cannot write a figure"):
        save_figure(decision_tree_figure(tree), tmp_path / "tree.gif")


def test_policy_tree_leaves_are_conditional_expectations(tmp_path: Path) -> None:
    net = Network.from_file(_example_with_utilities(tmp_path))
    tree = decision_tree(net, outcomes=["armed_clash"])
    eu = expected_utilities(net, baseline=False)
    for child in tree.root.children:
        assert child.value == pytest.approx(eu[child.branch])
        pol = net.spec.policy(child.branch)
        for leaf in child.children:
            p = net.query("armed_clash", policy=pol.id)[leaf.branch]
            assert leaf.probability == pytest.approx(p)
    assert tree.root.value == pytest.approx(eu.eu.max())


# ------------------------------------------------------------------------------ schema
def _model_with_utilities(tmp_path: Path, utilities: str, extra_var: str = "") -> Path:
    folder = tmp_path / "m"
    folder.mkdir(exist_ok=True)
    (folder / "model.yaml").write_text("""format: estimative/1
title: t
as_of: 2020-01-01
variables:
  - id: rain
    label: rain
    states: ["no", "yes"]
    cpt: {table: {"no": 0.7, "yes": 0.3}}
  - id: umbrella
    label: umbrella
    states: [take, leave]
    kind: decision
    cpt: {table: {take: 0.5, leave: 0.5}}
""" + extra_var)
    (folder / "utilities.yaml").write_text(utilities)
    return folder


def _problems(path: Path) -> list[str]:
    with pytest.raises(ModelError) as exc:
        load_model(path)
    return [str(p) for p in exc.value.problems]


GOOD_ROWS = """        - {when: {rain: "no", umbrella: take}, value: 20}
        - {when: {rain: "no", umbrella: leave}, value: 100}
        - {when: {rain: "yes", umbrella: take}, value: 70}
"""


def test_schema_errors_name_file_line_and_fix(tmp_path: Path) -> None:
    text = """utilities:
  attributes:
    - id: comfort
      label: comfort
      over: [rian, umbrella]
      weight: 1
      rationale: why
      values:
        - {when: {rain: "no", umbrella: take}, value: 20}
"""
    probs = _problems(_model_with_utilities(tmp_path, text))
    assert any("utilities.yaml:5" in p and "unknown variable 'rian'" in p and "did you mean 'rain'" in p
               for p in probs), probs

    text = "utilities:\n  attributes:\n    - id: comfort\n      label: comfort\n      over: [rain, umbrella]\n" \
           "      weight: 1\n      rationale: why\n      values:\n" + GOOD_ROWS
    probs = _problems(_model_with_utilities(tmp_path, text))
    assert any("utilities.yaml:8" in p and "no value for (rain=yes, umbrella=leave)" in p for p in probs), probs

    bad_state = text + "        - {when: {rain: \"yes\", umbrella: leeve}, value: 0}\n"
    probs = _problems(_model_with_utilities(tmp_path, bad_state))
    assert any("utilities.yaml:12" in p and "'leeve' is not a state of 'umbrella'" in p and "did you mean 'leave'" in p
               for p in probs), probs

    dup = text + "        - {when: {rain: \"yes\", umbrella: take}, value: 0}\n"
    probs = _problems(_model_with_utilities(tmp_path, dup))
    assert any("duplicate row (rain=yes, umbrella=take)" in p for p in probs), probs


def test_schema_weights_and_rationales(tmp_path: Path) -> None:
    base = "utilities:\n  attributes:\n    - id: dry\n      label: dry\n      over: [rain]\n" \
           "      values: {\"no\": 100, \"yes\": 0}\n"
    probs = _problems(_model_with_utilities(tmp_path, base + "      weight: -1\n      rationale: why\n"))
    assert any("utilities.yaml:7" in p and "weight" in p and "greater than or equal to 0" in p for p in probs), probs
    probs = _problems(_model_with_utilities(tmp_path, base + "      weight: 1\n"))
    assert any("missing required field 'rationale'" in p for p in probs), probs
    probs = _problems(_model_with_utilities(tmp_path, base + "      weight: 1\n      rationale: \"  \"\n"))
    assert any("the weight of 'dry' has no rationale" in p for p in probs), probs
    probs = _problems(_model_with_utilities(tmp_path, base + "      weight: 0\n      rationale: r\n"))
    assert any("every weight is 0" in p for p in probs), probs
    probs = _problems(_model_with_utilities(tmp_path, base + "      weight: 1\n      rationale: r\n      wieght: 2\n"))
    assert any("unknown key 'wieght'" in p and "did you mean 'weight'" in p for p in probs), probs
    multi = "utilities:\n  attributes:\n    - id: dry\n      label: dry\n      over: [rain, umbrella]\n" \
            "      values: {\"no\": 100, \"yes\": 0}\n      weight: 1\n      rationale: r\n"
    probs = _problems(_model_with_utilities(tmp_path, multi))
    assert any("a mapping of states gives values over one variable only" in p for p in probs), probs
    ok = load_model(_model_with_utilities(tmp_path, base + "      weight: 1\n      rationale: r\n"))
    assert ok.utilities is not None and ok.utilities.attributes[0].table.tolist() == [100.0, 0.0]
    assert not hasattr(ok, "extensions")  # no catch-all section: unknown top-level keys are errors
    folder = _model_with_utilities(tmp_path, base + "      weight: 1\n      rationale: r\n")
    with open(folder / "model.yaml", "a") as fh:
        fh.write("extensions: {x: 1}\n")
    probs = _problems(folder)
    assert any("unknown key 'extensions'" in p for p in probs), probs


def test_decisions_cannot_observe_their_consequences(tmp_path: Path) -> None:
    util = "utilities:\n  attributes:\n    - id: dry\n      label: dry\n      over: [rain]\n" \
           "      values: {\"no\": 100, \"yes\": 0}\n      weight: 1\n      rationale: r\n"
    wet = """  - id: wet
    label: wet
    states: ["no", "yes"]
    parents: [umbrella]
    cpt:
      table:
        - {when: {umbrella: take}, probs: {"no": 0.9, "yes": 0.1}}
        - {when: {umbrella: leave}, probs: {"no": 0.5, "yes": 0.5}}
  - id: second
    label: second
    states: [a, b]
    kind: decision
    observes: [OBS]
    cpt: {table: {a: 0.5, b: 0.5}}
"""
    folder = _model_with_utilities(tmp_path, util, wet.replace("OBS", "umbrella"))
    assert any("observes the decision 'umbrella'" in p for p in _problems(folder))
    folder = _model_with_utilities(tmp_path, util, wet.replace("OBS", "rain"))
    load_model(folder)  # observing an unaffected chance variable is fine
    model = (folder / "model.yaml").read_text().replace("kind: decision\n    cpt: {table: {take",
                                                        "kind: decision\n    observes: [wet]\n    cpt: {table: {take")
    (folder / "model.yaml").write_text(model)
    probs = _problems(folder)
    assert any("model.yaml" in p and "'umbrella' observes 'wet', which depends on 'umbrella' itself" in p
               for p in probs), probs


def test_model_without_utilities_is_a_clear_error(example_net: Network) -> None:
    with pytest.raises(ModelError, match="no utilities"):
        solve(example_net)


# ------------------------------------------------------------------------------ flagship
def test_flagship_utilities() -> None:
    spec = load_model(KOREA)
    assert spec.utilities is not None
    ids = {a.id for a in spec.utilities.attributes}
    assert {"war_avoided", "nuclear_program_halted", "alliance_cohesion", "relations_with_china",
            "economic_terms"} <= ids
    for a in spec.utilities.attributes:
        assert len(a.rationale.split()) >= 10 and a.sources
        assert a.table.min() == 0 and a.table.max() == 100
    assert sum(a.weight for a in spec.utilities.attributes) == pytest.approx(1.0)


# ------------------------------------------------------------------------------ command
def test_decide_json_oil(capsys: pytest.CaptureFixture[str], tmp_path: Path, oil: Network) -> None:
    tree = tmp_path / "oil.svg"
    assert main(["decide", str(OIL), "--draws", "200", "--seed", "3", "--tree", str(tree), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["hash"] == oil.model_hash and out["meu"] == pytest.approx(22.5)
    assert out["best"] == "optimal_rules"
    rows = {r["id"]: r for r in out["alternatives"]}
    assert rows["test=no,drill=yes"]["expected_utility"] == pytest.approx(20.0)
    assert rows["baseline"]["prob_best"] is None
    assert sum(r["prob_best"] or 0 for r in out["alternatives"]) == pytest.approx(1.0)
    drill = next(r for r in out["rules"] if r["decision"] == "drill")
    choice = {r["configuration"]["seismic_result"]: r["choice"] for r in drill["rows"]
              if r["reachable"]}
    assert choice == {"closed": "yes", "open": "yes", "diffuse": "no"}
    voi = {r["variable"]: r["value"] for r in out["value_of_information"]["rows"]}
    assert voi["oil_amount"] == pytest.approx(35.0)
    assert out["tree"] == str(tree) and tree.read_text().startswith("<?xml")


def test_decide_text_and_weights(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["decide", str(UMBRELLA), "--draws", "0", "--weights", "satisfaction=2",
                 "--tree", str(tmp_path / "t.md"), "--weight-map", "satisfaction", "satisfaction",
                 str(tmp_path / "w.svg")]) == 2
    err = capsys.readouterr().err
    assert "must differ" in err and "Traceback" not in err
    assert main(["decide", str(UMBRELLA), "--draws", "0", "--weights", "satisfaction=2",
                 "--tree", str(tmp_path / "t.md")]) == 0
    out = capsys.readouterr().out
    assert "satisfaction=2 (set)" in out and "154.000" in out  # 2 x 77
    assert "umbrella = leave if forecast is sunny or cloudy; take if forecast is rainy" in out
    assert "forecast" in out and "EVSI" in out
    assert (tmp_path / "t.md").read_text().startswith("Decision tree")
    assert main(["decide", str(UMBRELLA), "--weights", "comfort=1"]) == 2
    assert "unknown utility attribute 'comfort'" in capsys.readouterr().err
    assert main(["decide", str(UMBRELLA), "--weights", "satisfaction"]) == 2
    assert "ATTRIBUTE=WEIGHT" in capsys.readouterr().err


def test_decide_flagship(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tree = tmp_path / "korea.png"
    assert main(["decide", str(KOREA), "--draws", "100", "--tree", str(tree)]) == 0
    out = capsys.readouterr().out
    spec = load_model(KOREA)
    for p in spec.policies:
        assert p.id in out
    assert "90% interval" in out and "P(best)" in out
    assert "top indicators by EVSI" in out
    assert tree.stat().st_size > 10_000


def test_analyze_bundle(umbrella: Network) -> None:
    a = analyze(umbrella, draws=50, rng=np.random.default_rng(0))
    assert a.expected.n_draws == 50 and a.solution is not None
    assert a.solution.meu == pytest.approx(77.0) and a.information["forecast"] == pytest.approx(7.0)
    assert a.hash == umbrella.model_hash


def test_value_of_an_indicator_seen_before_the_policy(tmp_path: Path) -> None:
    """An indicator the policies change is valued as seen in the world before the policy: it
    updates the hidden state, and each policy is judged on that (hand computation)."""
    pz = np.array([0.6, 0.4])  # hidden: calm, tense
    pd = np.array([0.7, 0.3])  # the baseline expectation of the decision: talk, press
    px = np.array([[[0.8, 0.5], [0.3, 0.1]],  # P(signal = quiet | z, d)
                   [[0.2, 0.5], [0.7, 0.9]]])  # P(signal = loud | z, d); axes (x, z, d)
    py = np.array([[[0.9, 0.6], [0.2, 0.5]],  # P(good | z, d)
                   [[0.1, 0.4], [0.8, 0.5]]])  # axes (y, z, d)
    value = {"good": 100.0, "bad": 0.0}
    folder = tmp_path / "twin"
    folder.mkdir()

    def rows(var: str, arr: np.ndarray, states: list[str]) -> str:
        out = ""
        for z, zs in enumerate(["calm", "tense"]):
            for d, ds in enumerate(["talk", "press"]):
                probs = ", ".join(f"{s}: {float(arr[k, z, d])!r}" for k, s in enumerate(states))
                out += f"        - {{when: {{z: {zs}, d: {ds}}}, probs: {{{probs}}}}}\n"
        return out

    (folder / "model.yaml").write_text(f"""format: estimative/1
title: twin
as_of: 2020-01-01
variables:
  - id: z
    label: hidden state
    states: [calm, tense]
    cpt: {{table: {{calm: {float(pz[0])!r}, tense: {float(pz[1])!r}}}}}
  - id: d
    label: decision
    states: [talk, press]
    kind: decision
    cpt: {{table: {{talk: {float(pd[0])!r}, press: {float(pd[1])!r}}}}}
  - id: x
    label: signal
    states: [quiet, loud]
    parents: [z, d]
    cpt:
      table:
{rows("x", px, ["quiet", "loud"])}  - id: y
    label: outcome
    states: [good, bad]
    parents: [z, d]
    cpt:
      table:
{rows("y", py, ["good", "bad"])}policies:
  - {{id: talk, label: talk, do: {{d: talk}}}}
  - {{id: press, label: press, do: {{d: press}}}}
utilities:
  attributes:
    - {{id: outcome, label: outcome, over: [y], values: {{good: 100, bad: 0}}, weight: 1, rationale: the outcome}}
""")
    net = Network.from_file(folder)
    eu_given_z = np.array([[py[0, z, d] * value["good"] for z in range(2)] for d in range(2)])  # (d, z)
    without = (eu_given_z @ pz).max()
    p_x_before = np.einsum("xzd,d->xz", px, pd)  # the signal as the world is, before the policy
    with_info = sum((eu_given_z * (pz * p_x_before[x])[None, :]).sum(axis=1).max() for x in range(2))
    voi = value_of_information(net)
    assert voi.timing[voi.variables.index("x")] == "before the policy"
    assert voi["x"] == pytest.approx(with_info - without, abs=1e-12)
    assert voi["x"] > 0.5  # the example is built so that the signal changes the choice
    assert voi["z"] == pytest.approx((eu_given_z.max(axis=0) * pz).sum() - without, abs=1e-12)
    strict = value_of_information(net, before_policy=False)
    assert "x" in strict.excluded and "y" in strict.excluded


def test_decide_table_json(capsys: pytest.CaptureFixture[str], oil: Network) -> None:
    assert main(["decide", str(OIL), "--draws", "0", "--table", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    table = {r["id"]: r["expected_utility"] for r in out["decision_table"]}
    assert table == pytest.approx({"test=yes,drill=yes": 10.0, "test=yes,drill=no": -10.0,
                                   "test=no,drill=yes": 20.0, "test=no,drill=no": 0.0})
    assert all(r["low"] is None and r["prob_best"] is None for r in out["alternatives"])


def test_prob_beats_on_shared_draws_matches_a_hand_rollup() -> None:
    """Umbrella: EU(take) = 20(1-p) + 70p and EU(leave) = 100(1-p) with p = P(rain) in each
    draw, so take beats leave exactly when p > 80/150."""
    from estimative import Network, draw_cpts, expected_utilities

    net = Network.from_file(UMBRELLA)
    draws = draw_cpts(net, 4000, rng=np.random.default_rng(11))
    eu = expected_utilities(net, draws=draws)
    p_rain = draws[net.index("weather")][1]
    expected = float(np.mean(20 * (1 - p_rain) + 70 * p_rain > 100 * (1 - p_rain)))
    assert eu.prob_beats("umbrella=take", "umbrella=leave") == pytest.approx(expected, abs=1e-12)
    assert eu.prob_beats("umbrella=leave", "umbrella=take") == pytest.approx(1 - expected, abs=1e-12)
    assert 0 < expected < 0.5  # P(rain) is 0.3 a priori: leaving usually wins, not always
