"""Decisions with parents, in and out of XMLBIF, XDSL and NET.

- A decision the model expects to depend on something (its baseline CPT has parents) keeps
  that baseline through an export and back: plain queries and decide's baseline row answer
  as before (hand calculations in the tests).
- An influence diagram from another tool, whose decision observes earlier variables, is
  decided as pyAgrum decides it (``ShaferShenoyLIMIDInference``: the maximum expected utility
  and the optimal choice in every configuration of what the decision knows), from pyAgrum's
  own XMLBIF file and from the same diagram as HUGIN and GeNIe write it. The file gives no
  baseline: it is uniform (documented, said in a note and by decide), hand-checked.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from estimative import Network
from estimative.cli import main
from estimative.decision import expected_utilities, solve
from estimative.files import InteropWarning, export_network, import_file

gum = pytest.importorskip("pyagrum")

P_OIL = {"dry": 0.6, "wet": 0.4}
#: P(res | oil, test)
P_RES = {
    ("dry", "no"): (1.0, 0.0, 0.0),
    ("dry", "yes"): (0.0, 0.8, 0.2),
    ("wet", "no"): (1.0, 0.0, 0.0),
    ("wet", "yes"): (0.0, 0.3, 0.7),
}
U_DRILL = {("dry", "no"): 0.0, ("dry", "yes"): -70.0, ("wet", "no"): 0.0, ("wet", "yes"): 130.0}
U_TEST = {"no": 0.0, "yes": -8.0}
RES = ("none", "bad", "good")


def _pyagrum_diagram() -> object:
    d = gum.InfluenceDiagram()
    test = d.addDecisionNode(gum.LabelizedVariable("test", "test", ["no", "yes"]))
    oil = d.addChanceNode(gum.LabelizedVariable("oil", "oil", ["dry", "wet"]))
    res = d.addChanceNode(gum.LabelizedVariable("res", "res", list(RES)))
    drill = d.addDecisionNode(gum.LabelizedVariable("drill", "drill", ["no", "yes"]))
    u = d.addUtilityNode(gum.LabelizedVariable("u", "u", 1))
    c = d.addUtilityNode(gum.LabelizedVariable("c", "c", 1))
    for a, b in (
        (oil, res),
        (test, res),
        (test, drill),
        (res, drill),
        (oil, u),
        (drill, u),
        (test, c),
    ):
        d.addArc(a, b)
    d.cpt(oil).fillWith([P_OIL["dry"], P_OIL["wet"]])
    for (o, t), probs in P_RES.items():
        d.cpt(res)[{"oil": o, "test": t}] = list(probs)
    for (o, k), value in U_DRILL.items():
        d.utility(u)[{"oil": o, "drill": k}] = value
    for t, value in U_TEST.items():
        d.utility(c)[{"test": t}] = value
    return d


def _hugin_text() -> str:
    res = " ".join(
        "(" + " ".join(f"({' '.join(repr(x) for x in P_RES[(o, t)])})" for t in ("no", "yes")) + ")"
        for o in ("dry", "wet")
    )
    u = " ".join(f"({U_DRILL[(o, 'no')]!r} {U_DRILL[(o, 'yes')]!r})" for o in ("dry", "wet"))
    return (
        "net\n{\n}\n"
        'decision test\n{\n    label = "Test?";\n    states = ("no" "yes");\n}\n'
        'node oil\n{\n    states = ("dry" "wet");\n}\n'
        'node res\n{\n    states = ("none" "bad" "good");\n}\n'
        'decision drill\n{\n    states = ("no" "yes");\n}\n'
        "utility u\n{\n}\nutility c\n{\n}\n"
        "potential (test) { }\n"
        f"potential (oil) {{ data = ({P_OIL['dry']!r} {P_OIL['wet']!r}); }}\n"
        f"potential (res | oil test) {{ data = ({res}); }}\n"
        "potential (drill | test res) { }\n"
        f"potential (u | oil drill) {{ data = ({u}); }}\n"
        f"potential (c | test) {{ data = ({U_TEST['no']!r} {U_TEST['yes']!r}); }}\n"
    )


def _genie_text() -> str:
    res = " ".join(repr(x) for o in ("dry", "wet") for t in ("no", "yes") for x in P_RES[(o, t)])
    u = " ".join(repr(U_DRILL[(o, k)]) for o in ("dry", "wet") for k in ("no", "yes"))
    states = lambda *s: "".join(f'<state id="{x}" />' for x in s)  # noqa: E731
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<smile version="1.0" id="wildcat" numsamples="10000" discsamples="10000">\n<nodes>\n'
        f'<decision id="test">{states("no", "yes")}</decision>\n'
        f'<cpt id="oil">{states("dry", "wet")}<probabilities>{P_OIL["dry"]!r} {P_OIL["wet"]!r}'
        "</probabilities></cpt>\n"
        f'<cpt id="res">{states(*RES)}<parents>oil test</parents>'
        f"<probabilities>{res}</probabilities></cpt>\n"
        f'<decision id="drill">{states("no", "yes")}<parents>test res</parents></decision>\n'
        f'<utility id="u"><parents>oil drill</parents><utilities>{u}</utilities></utility>\n'
        f'<utility id="c"><parents>test</parents><utilities>{U_TEST["no"]!r} {U_TEST["yes"]!r}'
        "</utilities></utility>\n</nodes>\n</smile>\n"
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("id")
    out = {"xmlbif": d / "wildcat.bifxml", "net": d / "wildcat.net", "xdsl": d / "wildcat.xdsl"}
    gum.saveID(_pyagrum_diagram(), str(out["xmlbif"]))
    out["net"].write_text(_hugin_text())
    out["xdsl"].write_text(_genie_text())
    return out


@pytest.fixture(scope="module")
def agrum() -> object:
    ie = gum.ShaferShenoyLIMIDInference(_pyagrum_diagram())
    ie.makeInference()
    return ie


def _import(path: Path) -> tuple[Network, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InteropWarning)
        net = Network.from_spec(import_file(path))
    return net, [str(w.message) for w in caught if issubclass(w.category, InteropWarning)]


@pytest.mark.parametrize("fmt", ["xmlbif", "net", "xdsl"])
def test_imported_decision_with_parents_is_decided_as_pyagrum_decides(
    fmt: str, files: dict[str, Path], agrum: object
) -> None:
    net, notes = _import(files[fmt])
    assert net.spec.variable("drill").observes == ["res"]
    sol = solve(net)
    assert sol.meu == pytest.approx(agrum.MEU()["mean"], abs=1e-9)  # type: ignore[attr-defined]
    best_test = "yes" if agrum.optimalDecision("test")[{"test": "yes"}] == 1 else "no"  # type: ignore[attr-defined]
    assert sol.rule("test").choice() == best_test == "yes"
    rule = sol.rule("drill")
    policy = agrum.optimalDecision("drill")  # type: ignore[attr-defined]
    # pyAgrum's rule is meaningful where the optimal strategy goes (the test is made)
    for r in ("bad", "good"):
        knows = {"test": best_test, "res": r}
        want = "yes" if policy[{**knows, "drill": "yes"}] == 1 else "no"
        assert rule.choice(knows) == want, knows
    # without the test, hand calculation: drilling is worth 0.6 x -70 + 0.4 x 130 = 10 > 0
    assert rule.choice({"test": "no", "res": "none"}) == "yes"
    # the file gives no baseline: uniform, said in a note, in the model, and by decide
    assert any("no expectation of the decisions test, drill" in n for n in notes)
    assert "equal probability" in net.spec.baseline_note
    eu = expected_utilities(net)
    # hand calculation: each choice with probability 1/2, independently of what is seen:
    # E[u] = 1/2 (0.6 x -70 + 0.4 x 130) = 5; E[c] = 1/2 x -8 = -4
    assert eu["baseline"] == pytest.approx(1.0, abs=1e-12)
    assert eu["optimal_rules"] == pytest.approx(agrum.MEU()["mean"], abs=1e-9)  # type: ignore[attr-defined]


def test_cli_decide_says_what_the_baseline_is(
    files: dict[str, Path], agrum: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", str(files["net"])]) == 0
    text = capsys.readouterr().out
    assert "baseline: The file states no expectation of the decisions test, drill" in text
    assert main(["decide", str(files["xdsl"]), "--json", "--draws", "10"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["meu"] == pytest.approx(agrum.MEU()["mean"], abs=1e-9)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ written
MODEL = """title: A test and a drilling decision the analyst expects to follow the test
as_of: 2020-01-01
variables:
  - id: oil
    label: Oil
    states: [dry, wet]
    cpt: {table: {dry: 0.6, wet: 0.4}, assumption: true, rationale: r}
  - id: signal
    label: The survey's signal
    states: [bad, good]
    parents: [oil]
    cpt:
      assumption: true
      rationale: r
      table:
        - {when: {oil: dry}, probs: {bad: 0.8, good: 0.2}}
        - {when: {oil: wet}, probs: {bad: 0.3, good: 0.7}}
  - id: drill
    label: Drill
    kind: decision
    states: ["no", "yes"]
    parents: [signal]
    observes: [signal]
    cpt:
      assumption: true
      rationale: what the operator usually does
      table:
        - {when: {signal: bad}, probs: {"no": 0.9, "yes": 0.1}}
        - {when: {signal: good}, probs: {"no": 0.25, "yes": 0.75}}
utilities:
  unit: k$
  attributes:
    - id: payoff
      label: Payoff
      over: [oil, drill]
      values:
        - {when: {oil: dry, drill: "no"}, value: 0}
        - {when: {oil: dry, drill: "yes"}, value: -70}
        - {when: {oil: wet, drill: "no"}, value: 0}
        - {when: {oil: wet, drill: "yes"}, value: 130}
      weight: 1
      rationale: r
"""


@pytest.mark.parametrize("fmt", ["xmlbif", "net", "xdsl", "dne"])
def test_a_baseline_with_parents_survives_the_trip(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MODEL)
    net = Network.from_file(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InteropWarning)
        out = export_network(net, fmt, tmp_path / f"m.{fmt}")
    assert not any("baseline table" in str(w.message) for w in caught)
    back, _ = _import(out)
    drill = back.spec.variable("drill")
    assert (drill.kind, drill.parents, drill.observes) == ("decision", ["signal"], ["signal"])
    assert np.array_equal(back.cpt("drill"), net.cpt("drill"))
    assert back.spec.baseline_note == ""  # the file gives the baseline: no note
    # hand calculation of the baseline: P(drill=yes) = sum over oil and signal
    p_signal_good = 0.6 * 0.2 + 0.4 * 0.7
    assert back.query("drill")["yes"] == pytest.approx(
        (1 - p_signal_good) * 0.1 + p_signal_good * 0.75, abs=1e-15
    )
    # decide's baseline row: E[payoff] = sum P(oil, signal) P(yes | signal) value(oil, yes)
    p = {("dry", "bad"): 0.6 * 0.8, ("dry", "good"): 0.6 * 0.2}
    p |= {("wet", "bad"): 0.4 * 0.3, ("wet", "good"): 0.4 * 0.7}
    yes = {"bad": 0.1, "good": 0.75}
    value = {"dry": -70.0, "wet": 130.0}
    want = sum(p[(o, s)] * yes[s] * value[o] for o, s in p)
    assert expected_utilities(back)["baseline"] == pytest.approx(want, abs=1e-12)
    assert solve(back).meu == pytest.approx(solve(net).meu, abs=1e-12)


def test_a_baseline_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MODEL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InteropWarning)
        out = export_network(Network.from_file(path), "net", tmp_path / "m.net")
    text = out.read_text()
    start = text.index('estimative_baseline = "') + len('estimative_baseline = "')
    broken = text[:start] + "0.5 " + text[start:]  # one number too many
    out.write_text(broken)
    from estimative import ModelError

    with pytest.raises(ModelError, match="estimative_baseline of the decision 'drill'"):
        Network.from_file(out)


def test_decision_analyses_take_aliases(files: dict[str, Path], agrum: object) -> None:
    from estimative.decision import value_of_information

    net, _ = _import(files["net"])  # HUGIN's label "Test?" names the decision test
    assert net.spec.variable("test").aliases == ["Test?"]
    by_alias = solve(net, do={"Test?": "yes"})
    assert by_alias.meu == pytest.approx(agrum.MEU()["mean"], abs=1e-9)  # type: ignore[attr-defined]
    assert by_alias.meu == solve(net, do={"test": "yes"}).meu
    voi = value_of_information(net, do={"Test?": "no"}, variables=["oil"])
    # hand calculation: without the test, knowing oil is worth 0.4 x 130 - max(0, 10) = 42
    assert voi["oil"] == pytest.approx(0.4 * 130 - 10, abs=1e-9)
