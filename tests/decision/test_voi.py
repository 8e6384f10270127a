"""Value of information (decision.voi): EVPI and EVSI against hand computations, and an
indicator the policies change, valued as seen before the policy (twin network).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from estimative import Network
from estimative.decision import (
    value_of_information,
)


def test_oil_value_of_information(oil: Network, hand: dict[str, object]) -> None:
    h = hand
    voi = value_of_information(oil)
    assert voi["oil_amount"] == pytest.approx(h["evpi"])  # EVPI 35
    assert voi.measure[voi.variables.index("oil_amount")] == "EVPI"
    assert "seismic_result" in voi.excluded  # the test decides whether it exists
    after = value_of_information(oil, do={"test": "yes"})
    assert after["seismic_result"] == pytest.approx(h["evsi"])  # EVSI 12.5 > the test's cost of 10
    assert after.measure[after.variables.index("seismic_result")] == "EVSI"
    assert dict(after.best_by_state[after.variables.index("seismic_result")]) == {
        "closed": "drill=yes",
        "open": "drill=yes",
        "diffuse": "drill=no",
    }


def test_umbrella_value_of_information_by_hand(umbrella: Network) -> None:
    p_rain = 0.3
    f = {
        "no_rain": {"sunny": 0.7, "cloudy": 0.2, "rainy": 0.1},
        "rain": {"sunny": 0.15, "cloudy": 0.25, "rainy": 0.6},
    }
    u = {
        ("no_rain", "take"): 20,
        ("no_rain", "leave"): 100,
        ("rain", "take"): 70,
        ("rain", "leave"): 0,
    }
    pw = {"no_rain": 1 - p_rain, "rain": p_rain}
    best_blind = max(sum(pw[w] * u[(w, a)] for w in pw) for a in ("take", "leave"))
    evpi = sum(pw[w] * max(u[(w, a)] for a in ("take", "leave")) for w in pw) - best_blind
    with_forecast = sum(
        max(sum(pw[w] * f[w][fc] * u[(w, a)] for w in pw) for a in ("take", "leave"))
        for fc in ("sunny", "cloudy", "rainy")
    )
    voi = value_of_information(umbrella)
    assert voi["weather"] == pytest.approx(evpi) and evpi == pytest.approx(21.0)
    assert voi["forecast"] == pytest.approx(
        with_forecast - best_blind
    ) and with_forecast == pytest.approx(77.0)
    assert voi.eu_without == pytest.approx(best_blind)
    assert voi.measure[voi.variables.index("forecast")] == "EVSI"
    assert voi.top("EVPI")[0] == ("weather", pytest.approx(21.0))


def test_value_of_an_indicator_seen_before_the_policy(tmp_path: Path) -> None:
    """An indicator the policies change is valued as seen in the world before the policy: it
    updates the hidden state, and each policy is judged on that (hand computation)."""
    pz = np.array([0.6, 0.4])  # hidden: calm, tense
    pd = np.array([0.7, 0.3])  # the baseline expectation of the decision: talk, press
    px = np.array(
        [
            [[0.8, 0.5], [0.3, 0.1]],  # P(signal = quiet | z, d)
            [[0.2, 0.5], [0.7, 0.9]],
        ]
    )  # P(signal = loud | z, d); axes (x, z, d)
    py = np.array(
        [
            [[0.9, 0.6], [0.2, 0.5]],  # P(good | z, d)
            [[0.1, 0.4], [0.8, 0.5]],
        ]
    )  # axes (y, z, d)
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
    eu_given_z = np.array(
        [[py[0, z, d] * value["good"] for z in range(2)] for d in range(2)]
    )  # (d, z)
    without = (eu_given_z @ pz).max()
    p_x_before = np.einsum("xzd,d->xz", px, pd)  # the signal as the world is, before the policy
    with_info = sum(
        (eu_given_z * (pz * p_x_before[x])[None, :]).sum(axis=1).max() for x in range(2)
    )
    voi = value_of_information(net)
    assert voi.timing[voi.variables.index("x")] == "before the policy"
    assert voi["x"] == pytest.approx(with_info - without, abs=1e-12)
    assert voi["x"] > 0.5  # the example is built so that the signal changes the choice
    assert voi["z"] == pytest.approx((eu_given_z.max(axis=0) * pz).sum() - without, abs=1e-12)
    strict = value_of_information(net, before_policy=False)
    assert "x" in strict.excluded and "y" in strict.excluded


def _chain_model(tmp_path: Path, n: int, scenarios: str) -> Path:
    """A chain z0 -> z1 -> ... of ``n`` chance variables, a decision d observing z5, and an
    outcome y of the last link and d; utilities over y."""
    lines = [
        "format: estimative/1",
        "title: chain",
        "as_of: 2020-01-01",
        "variables:",
        "  - {id: z0, label: z0, states: ['no', 'yes'], cpt: {table: {'no': 0.6, 'yes': 0.4}}}",
    ]
    for i in range(1, n):
        hidden = "observable: false, " if i == 10 else ""
        lines.append(
            f"  - {{id: z{i}, label: z{i}, {hidden}states: ['no', 'yes'], parents: [z{i - 1}], "
            "cpt: {table: [{when: {z" + str(i - 1) + ": 'no'}, probs: {'no': 0.9, 'yes': 0.1}}, "
            "{when: {z" + str(i - 1) + ": 'yes'}, probs: {'no': 0.2, 'yes': 0.8}}]}}"
        )
    last = f"z{n - 1}"
    lines += [
        "  - {id: d, label: d, kind: decision, states: [a, b], observes: [z5],"
        " cpt: {table: {a: 0.5, b: 0.5}}}",
        f"  - {{id: y, label: y, states: ['no', 'yes'], parents: [{last}, d], cpt: {{table: [",
        f"      {{when: {{{last}: 'no', d: a}}, probs: {{'no': 0.2, 'yes': 0.8}}}},",
        f"      {{when: {{{last}: 'no', d: b}}, probs: {{'no': 0.4, 'yes': 0.6}}}},",
        f"      {{when: {{{last}: 'yes', d: a}}, probs: {{'no': 0.7, 'yes': 0.3}}}},",
        f"      {{when: {{{last}: 'yes', d: b}}, probs: {{'no': 0.3, 'yes': 0.7}}}}]}}}}",
        "policies:",
        "  - {id: pa, label: pa, do: {d: a}}",
        "  - {id: pb, label: pb, do: {d: b}}",
        scenarios,
        "utilities:",
        "  attributes:",
        "    - {id: good, label: good, over: [y], values: {'no': 0, 'yes': 100}, weight: 1,"
        " rationale: r}",
    ]
    path = tmp_path / f"chain{n}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_large_model_values_the_developments_it_names_as_observable(tmp_path: Path) -> None:
    from estimative.decision.voi import VOI_ALL_LIMIT, default_candidates

    near = f"z{VOI_ALL_LIMIT + 3}"  # the link before the outcome's parent
    scen = (
        "scenarios:\n"
        "  - {id: s1, label: s1, given: {z3: 'yes'}}\n"
        f"  - {{id: s2, label: s2, soft: {{z10: {{'no': 1, 'yes': 2}}}}, given: {{{near}: 'no'}}}}"
    )
    big = Network.from_file(_chain_model(tmp_path, VOI_ALL_LIMIT + 5, scen))
    # what the scenarios observe, then what the decision observes; z10 is never watched
    assert default_candidates(big)[0] == ["z3", near, "z5"]
    voi = value_of_information(big)
    assert voi.variables == ("z3", near, "z5") and "3 developments" in voi.scope
    named = value_of_information(big, variables=["z3", near, "z5"])
    np.testing.assert_allclose(voi.value, named.value)
    # seeing the link before the outcome's parent changes the choice: its value is the hand
    # roll-up over its two states
    assert voi[near] > 1.0
    assert voi[near] == pytest.approx(_evpi_by_hand(big, near), abs=1e-9)
    # a large model naming no observable development values every chance variable
    bare = _chain_model(tmp_path, VOI_ALL_LIMIT + 5, "")
    assert default_candidates(Network.from_file(bare))[0] == ["z5"]  # what d observes
    bare.write_text(bare.read_text().replace(" observes: [z5],", ""))
    cands, scope = default_candidates(Network.from_file(bare))
    assert len(cands) == VOI_ALL_LIMIT + 6 and "names no observable development" in scope
    # a small model keeps the old behaviour: every chance variable
    small = Network.from_file(_chain_model(tmp_path, 12, scen.replace(near, "z4")))
    assert default_candidates(small)[0] == [v for v in small.variables if v != "d"]


def _evpi_by_hand(net: Network, x: str) -> float:
    """sum_x P(x) max_a E[U | x, do(a)] - max_a E[U | do(a)], from single queries."""
    without = max(100 * net.query("y", policy=p)["yes"] for p in ("pa", "pb"))
    px = net.query(x)
    with_ = sum(
        px[s] * max(100 * net.query("y", given={x: s}, policy=p)["yes"] for p in ("pa", "pb"))
        for s in net.states[x]
    )
    return with_ - without
