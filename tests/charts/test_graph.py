"""The model graph's layered layout, checked against hand-drawn small DAGs."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from estimative import load_model
from estimative.charts.graph import graph_figure
from estimative.layout import _crossings, layout

ROOT = Path(__file__).resolve().parents[2]


def test_layers_are_longest_paths_with_roots_pulled_down():
    # a -> b -> c -> d, and a root r whose only child is d: r sits just before d (layer 2), not at 0.
    parents = {"a": [], "b": ["a"], "c": ["b"], "r": [], "d": ["c", "r"]}
    lay = layout(list(parents), parents)
    assert dict(lay.layer) == {"a": 0, "b": 1, "c": 2, "r": 2, "d": 3}


def test_long_edges_get_one_dummy_per_crossed_layer():
    parents = {"a": [], "b": ["a"], "c": ["b"], "d": ["c", "a"]}
    lay = layout(list(parents), parents)
    dummies = {(p, n): d for p, n, d in lay.edges}
    assert len(dummies[("a", "d")]) == 2  # a (layer 0) -> d (layer 3) crosses layers 1 and 2
    assert dummies[("c", "d")] == ()
    assert [lay.pos[x][0] for x in dummies[("a", "d")]] == [lay.pos["b"][0], lay.pos["c"][0]]


def test_crossing_count_by_hand():
    # Layer 0: x, y; layer 1: u, v. Edges x->v and y->u cross once; x->u, y->v do not.
    down = {"x": ["v", "u"], "y": ["u", "v"]}
    assert _crossings([["x", "y"], ["u", "v"]], down) == 1
    assert _crossings([["x", "y"], ["u", "v"]], {"x": ["u"], "y": ["v"]}) == 0


def test_a_planar_layered_graph_is_drawn_without_crossings():
    # Two independent chains given in an interleaved order: a good ordering untangles them.
    parents = {
        "a1": [],
        "b1": [],
        "a2": ["a1"],
        "b2": ["b1"],
        "b3": ["b2"],
        "a3": ["a2"],
        "m": ["a3", "b3"],
    }
    lay = layout(list(parents), parents)
    assert lay.crossings == 0


def test_order_and_gaps_are_kept():
    spec = load_model(ROOT / "models" / "example")
    parents = {v.id: list(v.parents) for v in spec.variables}
    lay = layout([v.id for v in spec.variables], parents, gap=1.0)
    for layer in lay.order:
        ys = [lay.pos[n][1] for n in layer]
        assert all(b - a >= 0.35 - 1e-9 for a, b in itertools.pairwise(ys))
    again = layout([v.id for v in spec.variables], parents, gap=1.0)
    assert dict(again.pos) == dict(lay.pos) and again.order == lay.order


def test_figure_draws_every_variable_and_edge():
    spec = load_model(ROOT / "models" / "example")
    fig = graph_figure(spec)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == len(spec.variables)
    assert len(arrows) == sum(len(v.parents) for v in spec.variables)
    labels = {t.get_text().replace("\n", " ") for t in ax.texts}
    assert "North Korean provocation" in labels
    # Assumption CPTs are dashed: nk_provocation and armed_clash in the example.
    assert sum(1 for b in boxes if b.get_linestyle() == "--") == sum(
        1 for v in spec.variables if not v.cpt.sourced
    )


def test_figure_of_a_network_draws_posterior_bars_with_the_same_layout():
    from matplotlib.patches import Rectangle
    from pgmpy.inference import VariableElimination

    from estimative import Network

    net = Network.from_file(ROOT / "models" / "example")
    fig = graph_figure(net)
    bars = [p for p in fig.axes[0].patches if type(p) is Rectangle]
    assert len(bars) == sum(len(s) for s in net.states.values())
    ve = VariableElimination(net.to_pgmpy())
    # Bar widths are proportional to the probabilities (order: the model file's variables).
    order = [v.id for v in net.spec.variables]
    ref = [
        float(ve.query([v], show_progress=False).get_value(**{v: s}))
        for v in order
        for s in net.states[v]
    ]
    widths = [b.get_width() for b in bars]
    scale = widths[0] / ref[0]
    np.testing.assert_allclose(widths, [scale * r for r in ref], atol=1e-9)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert f"{100 * ref[-1]:.1f}%" in texts
    # The spec draws the same boxes at the same places; bars=False draws none.
    same = graph_figure(net.spec)
    boxes = [p.get_x() for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]
    assert boxes == [p.get_x() for p in same.axes[0].patches if isinstance(p, FancyBboxPatch)]
    plain = graph_figure(net, bars=False)
    assert not [p for p in plain.axes[0].patches if type(p) is Rectangle]
