"""A dynamic model's brief states its horizon outcomes slice by slice ("Over time"), with a
chart beside them; a model without time has no such section."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from estimative import Network
from estimative.brief import build_brief
from estimative.brief.context import brief_context
from estimative.brief.figures import brief_figures
from estimative.brief.words import judged_pct

DYNAMIC = "models/escalation_dynamic"


@pytest.fixture(scope="session")
def net() -> Network:
    return Network.from_file(DYNAMIC)


@pytest.fixture(scope="session")
def brief(net: Network):
    return build_brief(net, draws=200, rng=np.random.default_rng(4), date=dt.date(2017, 5, 20))


def test_over_time_follows_the_key_judgments_and_its_numbers_are_window_queries(net, brief):
    ctx = brief_context(brief)
    kinds = [s["kind"] for s in ctx["sections"]]
    assert kinds.index("trajectories") == kinds.index("judgments") + 1
    clash = next(t for t in ctx["trajectories"] if t["id"] == "clash_by_2018")
    # columns: the baseline, then each policy in the model's order
    assert clash["head"][1].startswith("Baseline") and "Red line at ICBM launches" in clash["head"]
    red = clash["head"].index("Red line at ICBM launches")
    labels = net.spec.time.labels
    for k, row in enumerate(clash["rows"]):
        # so far: the window from the first slice, queried on its own (no draws involved)
        window = f"clash@{labels[0]}" if k == 0 else f"clash@{labels[0]}..{labels[k]}"
        point = net.with_window(window).query(window, policy="red_line")["yes"]
        assert row[red].startswith(judged_pct(point, scale="icd203") + " (")
        assert row[0].startswith(labels[k])
    # so far never falls under any alternative
    for alt in brief.trajectories["clash_by_2018"].values():
        points = [iv.point for iv in alt.so_far]
        assert points == sorted(points)


def test_the_chart_is_drawn_with_labels_and_a_legend(brief):
    figs = brief_figures(brief)
    fig = figs["trajectory_clash_by_2018"]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(t.startswith("Red line at ICBM launches") for t in legend)
    texts = [t.get_text() for t in fig.axes[0].get_yticklabels()] + [fig.axes[0].get_ylabel()]
    assert not any("clash@" in t for t in texts)


def test_a_model_without_time_has_no_over_time_section() -> None:
    b = build_brief(
        Network.from_file("models/example"),
        draws=50,
        rng=np.random.default_rng(0),
        date=dt.date(2017, 5, 20),
    )
    ctx = brief_context(b)
    assert "trajectories" not in [s["kind"] for s in ctx["sections"]] and b.trajectories == {}
