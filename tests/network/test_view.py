"""Every posterior at once, the graph's geometry and the rich view of a Network, against
pgmpy's exact inference and hand calculations on the example model."""

from __future__ import annotations

import re

import numpy as np
import pytest
from pgmpy.inference import VariableElimination

from estimative.network import all_marginals, graph_geometry, graph_svg
from estimative.network.view import BAR_W


def test_all_marginals_equal_pgmpy(example_net) -> None:
    given = {"armed_clash": "yes"}
    post = all_marginals(example_net, given=given, policy="status_quo")
    ve = VariableElimination(example_net.to_pgmpy(do=example_net.spec.policy("status_quo").do))
    assert list(post) == list(example_net.variables)
    assert post["armed_clash"].to_dict() == {"no": 0.0, "yes": 1.0}
    for v, p in post.items():
        if v in given:
            continue
        f = ve.query([v], evidence=given, show_progress=False)
        ref = [f.values[f.state_names[v].index(s)] for s in example_net.states[v]]
        np.testing.assert_allclose(p.probs, ref, atol=1e-12)


def test_geometry_reads_left_to_right_and_boxes_do_not_overlap(example_net) -> None:
    g = graph_geometry(example_net)
    box = {n["id"]: n for n in g["nodes"]}
    for v in example_net.variables:
        for p in example_net.parents[v]:
            assert box[p]["x"] + box[p]["w"] < box[v]["x"], (p, v)
    nodes = g["nodes"]
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            assert apart, (a["id"], b["id"])
    assert {n["kind"] for n in nodes if n["id"] in ("armed_clash", "misread_intent")} == {"outcome"}


def test_svg_bars_are_proportional_to_the_probabilities(example_net) -> None:
    svg = graph_svg(graph_geometry(example_net), {"armed_clash": [0.75, 0.25]})
    widths = [float(w) for w in re.findall(r"<rect class='bar'[^>]*width='([0-9.]+)'", svg)]
    assert widths == [pytest.approx(0.75 * BAR_W, abs=0.05), pytest.approx(0.25 * BAR_W, abs=0.05)]
    assert "75.0%" in svg and "25.0%" in svg


def test_network_repr_html_is_a_summary_and_the_graph(example_net) -> None:
    page = example_net._repr_html_()
    assert example_net.model_hash in page and example_net.spec.title in page
    assert "5 variables, 5 edges" in page
    assert all(p.id in page for p in example_net.spec.policies)
    # One bar per state of every variable, at the prior: P(clash) = 0.0595 + ... by pgmpy.
    assert page.count("<rect class='bar'") == sum(len(s) for s in example_net.states.values())
    ref = VariableElimination(example_net.to_pgmpy()).query(["armed_clash"], show_progress=False)
    p_yes = ref.values[ref.state_names["armed_clash"].index("yes")]
    assert f"{100 * p_yes:.1f}%" in page
    assert "<script" not in page
