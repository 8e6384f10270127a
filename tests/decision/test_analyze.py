"""decision.analyze: the three analyses in one call, and every decision result as plain data."""

from __future__ import annotations

import numpy as np
import pytest

from estimative import Network
from estimative.decision import analyze


def test_analyze_bundle(umbrella: Network) -> None:
    a = analyze(umbrella, draws=50, rng=np.random.default_rng(0))
    assert a.expected.n_draws == 50 and a.solution is not None
    assert a.solution.meu == pytest.approx(77.0) and a.information["forecast"] == pytest.approx(7.0)
    assert a.model_hash == umbrella.model_hash


def test_analyze_records_the_seed_of_its_generator(umbrella: Network) -> None:
    from estimative._random import make_rng

    assert analyze(umbrella, draws=20, rng=make_rng(2017)).seed == 2017
    assert analyze(umbrella, draws=20, rng=np.random.default_rng(5)).seed == 5
    assert analyze(umbrella).seed is None


def test_results_as_plain_data_against_the_textbook(oil: Network, hand: dict[str, object]) -> None:
    """to_dict() of every decision result holds the raw numbers (oil wildcatter, by hand)."""
    import json

    from estimative._io import jsonable
    from estimative.decision import decision_table, decision_tree, weight_map

    a = analyze(oil)
    d = a.to_dict()
    assert d["model_hash"] == oil.model_hash and d["seed"] is None
    sol = d["solution"]
    assert sol["meu"] == pytest.approx(hand["with_test"]) and sol["model_hash"] == oil.model_hash
    drill = next(r for r in sol["rules"] if r["decision"] == "drill")
    assert drill["information"] == ["test", "seismic_result"]
    choice = {
        r["configuration"]["seismic_result"]: r["choice"] for r in drill["rows"] if r["reachable"]
    }
    assert choice == hand["rule"]
    closed = next(
        r
        for r in drill["rows"]
        if r["configuration"] == {"test": "yes", "seismic_result": "closed"}
    )
    assert closed["expected"]["yes"] == pytest.approx(77.5)
    voi = {r["variable"]: r for r in d["information"]["rows"]}
    assert (
        voi["oil_amount"]["value"] == pytest.approx(hand["evpi"])
        and voi["oil_amount"]["measure"] == "EVPI"
    )
    assert "seismic_result" in d["information"]["excluded"]
    rows = {r["id"]: r for r in d["expected"]["alternatives"]}
    assert rows["optimal_rules"]["expected_utility"] == pytest.approx(22.5)
    assert rows["baseline"]["expected_utility"] == pytest.approx(0.5 * 20.0 - 0.5 * 10.0)
    assert np.isnan(rows["baseline"]["prob_best"]) and np.isnan(
        rows["baseline"]["low"]
    )  # raw: no draws
    assert d["expected"]["best"] == "optimal_rules"
    table = {r["id"]: r for r in decision_table(oil).to_dict()["alternatives"]}
    assert table["test=yes,drill=yes"]["contributions"] == pytest.approx(
        {"drilling": 20.0, "test_cost": -10.0}
    )
    tree = decision_tree(oil).to_dict()
    assert tree["value"] == pytest.approx(22.5) and tree["stages"] == [
        "test",
        "seismic_result",
        "drill",
        "oil_amount",
    ]
    assert tree["root"]["kind"] == "decision" and len(tree["root"]["children"]) == 2
    # with any weight on drilling and on the test's cost, drilling blind wins (20x vs 20x - 10y)
    wmap = weight_map(
        oil, "drilling", "test_cost", x_values=[0.5, 1.0], y_values=[1.0, 2.0]
    ).to_dict()
    assert wmap["x_values"] == [0.5, 1.0] and wmap["y_values"] == [1.0, 2.0]
    assert (
        wmap["winner"] == [["test=no,drill=yes"] * 2] * 2
        and wmap["shares"]["test=no,drill=yes"] == 1.0
    )
    json.dumps(jsonable(d))
