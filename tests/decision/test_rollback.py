"""Solving decision problems (decision.rollback): the textbook answers, a hand roll-back,
pyAgrum's influence-diagram solver and brute-force enumeration of strategies.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from estimative import Network
from estimative.decision import (
    decision_table,
    decision_tree,
    solve,
)


def test_hand_rollback_reproduces_the_textbook(hand: dict[str, object]) -> None:
    h = hand
    assert h["no_test"] == pytest.approx(20.0)
    assert h["with_test"] == pytest.approx(22.5)
    assert h["rule"] == {"closed": "yes", "open": "yes", "diffuse": "no"}
    assert h["evpi"] == pytest.approx(35.0)
    assert h["evsi"] == pytest.approx(12.5)


# ------------------------------------------------------------------------------ oil wildcatter
def test_oil_optimal_strategy_and_meu(oil: Network, hand: dict[str, object]) -> None:
    h = hand
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
    assert [
        with_test.rule("drill").choice({"seismic_result": s}) for s in ("closed", "open", "diffuse")
    ] == ["yes", "yes", "no"]


# ------------------------------------------------------------------------------ umbrella
def test_umbrella_published_values(umbrella: Network) -> None:
    t = decision_table(umbrella)
    assert t["umbrella=take"] == pytest.approx(35.0)  # Netica's Umbrella: take 35, leave 70
    assert t["umbrella=leave"] == pytest.approx(70.0)
    sol = solve(umbrella)
    assert sol.meu == pytest.approx(77.0)  # Poole and Mackworth: the optimal policy is worth 77
    rule = sol.rule("umbrella")
    assert [rule.choice({"forecast": f}) for f in ("sunny", "cloudy", "rainy")] == [
        "leave",
        "leave",
        "take",
    ]


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
            assert rule.states[int(np.argmax(column))] == rule.choice(config), (
                rule.decision,
                config,
            )


def test_oil_matches_pyagrum(oil: Network) -> None:
    assert_same_as_pyagrum(oil)


def test_umbrella_matches_pyagrum(umbrella: Network) -> None:
    assert_same_as_pyagrum(umbrella)


# ------------------------------------------------------------------------------ random diagrams
def _yaml_table(
    var: str,
    states: list[str],
    parents: list[str],
    pstates: dict[str, list[str]],
    table: np.ndarray,
) -> str:
    if not parents:
        return (
            "      table: {"
            + ", ".join(f"{s}: {float(table[k])!r}" for k, s in enumerate(states))
            + "}\n"
        )
    out = "      table:\n"
    for combo in itertools.product(*(range(len(pstates[p])) for p in parents)):
        when = ", ".join(f"{p}: {pstates[p][c]}" for p, c in zip(parents, combo, strict=True))
        probs = ", ".join(f"{s}: {float(table[(k, *combo)])!r}" for k, s in enumerate(states))
        out += f"        - {{when: {{{when}}}, probs: {{{probs}}}}}\n"
    return out


def random_diagram(folder: Path, seed: int) -> Path:
    """C1 -> D1 (observes C1) -> C2 -> D2 (observes C2) -> C3, with two utility attributes."""
    rng = np.random.default_rng(seed)
    states = {
        "c1": ["a", "b"],
        "d1": ["x", "y"],
        "c2": ["lo", "hi"],
        "d2": ["u", "v", "w"],
        "c3": ["m", "n"],
    }
    parents = {"c1": [], "d1": [], "c2": ["c1", "d1"], "d2": [], "c3": ["c2", "d2", "c1"]}
    text = "format: estimative/1\ntitle: random influence diagram\nas_of: 2020-01-01\nvariables:\n"
    for v in ("c1", "d1", "c2", "d2", "c3"):
        shape = (len(states[v]), *(len(states[p]) for p in parents[v]))
        table = (
            rng.dirichlet(np.ones(shape[0]), size=shape[1:])
            if parents[v]
            else rng.dirichlet(np.ones(shape[0]))
        )
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
