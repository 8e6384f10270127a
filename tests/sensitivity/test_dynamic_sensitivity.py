"""Sensitivity of a dynamic model's judgments: slice and window targets, and a reacting
policy whose rule makes the instrument depend on an earlier slice. References: pyAgrum's
exact inference on the unrolled tables with the parameter moved by proportional co-variation
(tests/reference.covary) and the rule written as a CPT by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from estimative import Network, draw_cpts, one_way
from estimative.cli import main
from estimative.sensitivity import flip_points, global_sensitivity, target_probability
from estimative.uncertainty import compare_policies

pytest.importorskip("pyagrum")
import dynamic_reference as ref
from reference import covary

TEST = ("nk_icbm_test@2017H2", "yes", {"tension@2017H2": "high"})


@pytest.fixture(scope="module")
def net() -> Network:
    return Network.from_file("models/escalation_dynamic")


def _moved(net: Network, x: float, policy: str | None):
    var, state, parents = TEST
    return ref.pyagrum_for(covary(net, var, state, parents, x), policy)


def test_a_rule_makes_its_conditions_ancestors_count(net) -> None:
    """Under the red line, the 2018H1 strike follows the 2017 test: the test's CPT moves it
    (without the rule the two are unconnected and the parameter's sensitivity is zero)."""
    sens = one_way(net, "us_strike@2018H1", "yes", policy="red_line")
    f = sens.function(*TEST)
    for x in (0.1, 0.4, 0.9):
        want = ref.prob(_moved(net, x, "red_line"), {"us_strike@2018H1": "yes"})
        assert f(x) == pytest.approx(want, abs=1e-9)
    assert f.derivative > 0.1
    # the ruled variable's own CPT no longer matters where the rule gives 'otherwise'
    own = sens.function("us_strike@2018H1", "yes")
    assert abs(own.a) < 1e-12 and abs(own.c) < 1e-12
    plain = one_way(net, "us_strike@2018H1", "yes", policy="restraint")
    assert plain.function(*TEST).swing == 0.0


def test_slice_and_window_targets_match_pyagrum(net) -> None:
    wnet = net.with_window("clash@2018H1..2018H2")  # a window the model does not name
    for target, event in [
        ("clash@2018H2", {"clash@2018H2": "yes"}),
        ("clash@2018H1..2018H2", None),
    ]:
        f = one_way(wnet, target, "yes", policy="red_line").function(*TEST)
        for x in (0.2, 0.7):
            bn = _moved(net, x, "red_line")
            want = (
                ref.prob(bn, event)
                if event
                else 1 - ref.prob(bn, {"clash@2018H1": "no", "clash@2018H2": "no"})
            )
            assert f(x) == pytest.approx(want, abs=1e-9), target


def test_sobol_inputs_under_a_rule_include_its_conditions(net) -> None:
    s = global_sensitivity(
        net, "us_strike@2018H1", "yes", policy="red_line", n=64, rng=np.random.default_rng(0)
    )
    groups = set(s.to_frame()["group"])
    # one input per CPT as written: the test's and the first half-year's tension
    assert {"nk_icbm_test.cpt", "tension.initial", "us_bluster"} <= groups


def test_flip_points_between_a_reacting_policy_and_restraint(net) -> None:
    fp = flip_points(
        net, "red_line", "restraint", score=target_probability("clash@2017H2..2018H2", "yes")
    )
    red = ref.pyagrum_for(net, "red_line")
    assert fp.value_a == pytest.approx(
        1 - ref.prob(red, {f"clash@{s}": "no" for s in ref.SLICES}), abs=1e-9
    )
    p = next(
        q
        for q in fp.points
        if q.parameter.label == "P(nk_icbm_test@2017H2=yes | tension@2017H2=high)"
    )
    want = 1 - ref.prob(_moved(net, 0.8, "red_line"), {f"clash@{s}": "no" for s in ref.SLICES})
    assert p.score_a(0.8) == pytest.approx(want, abs=1e-9)


def test_compare_policies_carries_the_rules_on_every_draw(net) -> None:
    draws = draw_cpts(net, 3, rng=np.random.default_rng(9))
    cmp = compare_policies(
        net, "clash@2017H2..2018H2", "yes", ["restraint", "red_line"], draws=draws, better="lower"
    )
    for k in range(3):
        dnet = ref.drawn(net, draws, k)
        for row, pol in enumerate(("restraint", "red_line")):
            bn = ref.pyagrum_for(dnet, pol)
            want = 1 - ref.prob(bn, {f"clash@{s}": "no" for s in ref.SLICES})
            assert cmp.values[row, k] == pytest.approx(want, abs=1e-9)
    assert cmp.prob_beats("restraint", "red_line") == 1.0


def test_cli_sensitivity_on_a_window_the_model_does_not_name(
    net, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "sensitivity",
            "models/escalation_dynamic",
            "--target",
            "clash@2018H1..2018H2=yes",
            "--policy",
            "red_line",
            "--draws",
            "50",
            "--sobol-n",
            "64",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    red = ref.pyagrum_for(net, "red_line")
    want = 1 - ref.prob(red, {"clash@2018H1": "no", "clash@2018H2": "no"})
    assert out["model_hash"] == net.model_hash
    point = out.get("point", out.get("interval", {}).get("point"))
    assert point == pytest.approx(want, abs=1e-9)
    assert main(["sensitivity", "models/escalation_dynamic", "--target", "clash"]) == 2
    assert "name a slice or a window" in capsys.readouterr().err


def test_sobol_moves_the_copies_of_one_written_cpt_together(net, monkeypatch) -> None:
    """In a dynamic model each Sobol' input is a CPT as written: the slices' copies of one
    table get the same pool draw in every row (as in every parameter draw)."""
    import estimative.sensitivity.global_ as glob

    seen: list[list[np.ndarray]] = []
    real = glob.batched_probability

    def spy(net_, target, states, ev, cpts):
        seen.append(list(cpts))
        return real(net_, target, states, ev, cpts)

    monkeypatch.setattr(glob, "batched_probability", spy)
    s = global_sensitivity(
        net, "clash@2017H2..2018H2", "yes", policy="red_line", n=64, rng=np.random.default_rng(1)
    )
    groups = list(s.to_frame()["group"])
    assert "tension.cpt" in groups and "clash.cpt" in groups
    assert not any("@" in g for g in groups)  # no copy alone, no window node
    a, b = net.index("tension@2018H1"), net.index("tension@2018H2")
    c1, c2 = net.index("clash@2018H1"), net.index("clash@2018H2")
    for cpts in seen:
        np.testing.assert_array_equal(cpts[a], cpts[b])
        np.testing.assert_array_equal(cpts[c1], cpts[c2])
    assert np.ptp(seen[0][a], axis=-1).max() > 0  # and they do move
