"""The Jupyter explorer's model state after simulated clicks, against exact inference by pgmpy
(an independent engine) and against ``Network.query``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("anywidget")

from pgmpy.inference import VariableElimination

from estimative import Network
from estimative.explorer import explore

ROOT = Path(__file__).resolve().parents[2]
KOREA = ROOT / "models" / "korea_2017"
#: The flagship is dynamic: a node is one half-year's copy. The click: an ICBM test in 2017;
#: the clash followed is the next half-year's, which the test reaches through tension.
ICBM = "nk_icbm_test@2017H2"
CLASH = "miscalculation_clash@2018H1"
STRIKE = "us_strike@2017H2"
ENFORCEMENT = "china_enforcement@2017H2"


@pytest.fixture(scope="session")
def korea() -> Network:
    return Network.from_file(KOREA)


def pgmpy_marginal(net: Network, target: str, *, given=None, do=None) -> np.ndarray:
    ve = VariableElimination(net.to_pgmpy(do=do))
    factor = ve.query([target], evidence=dict(given or {}), show_progress=False)
    names = factor.state_names[target]
    return np.array([factor.values[names.index(s)] for s in net.states[target]])


def test_clicking_icbm_test_yes_updates_every_node_to_the_exact_posterior(korea: Network) -> None:
    w = explore(korea, draws=50)
    w.toggle(ICBM, "yes")
    assert w.evidence == {ICBM: "yes"}
    got = w.view["marginals"]
    clash = korea.query(CLASH, given={ICBM: "yes"})
    assert clash["yes"] > korea.query(CLASH)["yes"]  # the test raises the next clash
    # the widget's one marginals pass and a single query are two exact algorithms: equal to
    # the last few bits
    np.testing.assert_allclose(got[CLASH], [clash["no"], clash["yes"]], atol=1e-14)
    np.testing.assert_allclose(
        got[CLASH], pgmpy_marginal(korea, CLASH, given={ICBM: "yes"}), atol=1e-10
    )
    for v in korea.variables:  # every node moved to its posterior, not only the clash
        np.testing.assert_allclose(got[v], korea.query(v, given={ICBM: "yes"}).probs, atol=1e-12)
    assert w.view["fixed"] == {ICBM: "yes"}
    assert got[ICBM] == [0.0, 1.0]


def test_a_second_click_clears_the_finding(korea: Network) -> None:
    w = explore(korea, draws=50)
    prior = w.view["marginals"][CLASH]
    w.toggle(ICBM, "yes").toggle(ICBM, "yes")
    assert w.evidence == {}
    assert w.view["marginals"][CLASH] == prior
    np.testing.assert_allclose(prior, pgmpy_marginal(korea, CLASH), atol=1e-10)


def test_policy_and_scenario_menus_and_findings_combine(korea: Network) -> None:
    w = explore(korea, draws=50)
    policy = korea.spec.policies[-1]
    w.policy = policy.id
    np.testing.assert_allclose(
        w.view["marginals"][STRIKE],
        pgmpy_marginal(korea, STRIKE, do=policy.do),
        atol=1e-10,
    )
    assert {k: w.view["fixed"][k] for k in policy.do} == dict(policy.do)
    scenario = korea.spec.scenarios[0]
    w.scenario = scenario.id
    w.toggle(ENFORCEMENT, "strict")
    given = {**scenario.given, ENFORCEMENT: "strict"}
    for o in korea.spec.outcomes:
        expected = korea.query(
            o.target, policy=policy.id, scenario=scenario.id, given={ENFORCEMENT: "strict"}
        )
        np.testing.assert_allclose(w.view["marginals"][o.target], expected.probs, atol=1e-14)
    headline = {r["id"]: r["point"] for r in w.view["headline"]}
    o = korea.spec.outcomes[0]
    if not scenario.soft:
        ref = pgmpy_marginal(korea, o.target, given=given, do=policy.do)
        assert headline[o.id] == pytest.approx(
            ref[korea.states[o.target].index(o.state)], abs=1e-10
        )


def test_observing_a_variable_the_policy_sets_is_refused_and_reverted(korea: Network) -> None:
    w = explore(korea, draws=50)
    policy = next(p for p in korea.spec.policies if p.do)
    var, state = next(iter(policy.do.items()))
    w.policy = policy.id
    before = w.view["marginals"]
    other = next(s for s in korea.states[var] if s != state)
    w.toggle(var, other)
    assert w.evidence == {}, "the click is undone"
    assert var in w.view["error"] and policy.id in w.view["error"]
    assert w.view["marginals"] == before


def test_selected_node_shows_its_interval_under_the_current_conditions(example_net) -> None:
    w = explore(example_net, draws=400, level=0.8)
    w.toggle("nk_provocation", "high")
    w.selected = "armed_clash"
    rows = w.interval["armed_clash"]
    exact = pgmpy_marginal(example_net, "armed_clash", given={"nk_provocation": "high"})
    assert [r["state"] for r in rows] == ["no", "yes"]
    for r, p in zip(rows, exact, strict=True):
        assert r["point"] == pytest.approx(p, abs=1e-12)
        assert r["low"] < r["point"] < r["high"]
    assert w.details["armed_clash"]["assumption"] is True
    w.policy = "private_channel"  # the panel follows the conditions
    exact = pgmpy_marginal(
        example_net,
        "armed_clash",
        given={"nk_provocation": "high"},
        do=example_net.spec.policy("private_channel").do,
    )
    assert w.interval["armed_clash"][1]["point"] == pytest.approx(exact[1], abs=1e-12)


def test_without_a_widget_front_end_the_output_is_the_graph_as_static_svg(example_net) -> None:
    w = explore(example_net, draws=50)
    w.toggle("misread_intent", "yes")
    data, _ = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    page = data["text/html"]
    assert "<svg" in page and "<script" not in page
    # The clash bar is drawn at P(clash | misread) = 0.125 (the example's CPT, by hand).
    assert "12.5%" in page and "misread_intent=yes" in page


def test_unknown_state_is_a_query_error_with_a_suggestion(example_net) -> None:
    from estimative import QueryError

    w = explore(example_net, draws=50)
    with pytest.raises(QueryError, match="did you mean 'yes'"):
        w.toggle("misread_intent", "yess")
