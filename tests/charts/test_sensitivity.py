"""Charts are drawn from the data: the tornado's bars span the posterior's computed range, the
Sobol bars are the indices; figures are written atomically."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from estimative import Network, UsageError
from estimative.charts.sensitivity import (
    indicators_figure,
    interval_figure,
    save_figure,
    sensitivity_function_figure,
    sobol_figure,
    tornado_figure,
)
from estimative.sensitivity import global_sensitivity, indicators, one_way
from estimative.uncertainty import compare_policies


def test_tornado_bars_span_each_parameters_range(example_net: Network) -> None:
    sens = one_way(example_net, "armed_clash", "yes", policy="status_quo")
    fig = tornado_figure(sens, top=5)
    bars = [p for p in fig.axes[0].patches if p.get_height() == pytest.approx(0.6)]
    assert len(bars) == 10  # a low-end and a high-end bar per parameter
    ends = sorted((round(b.get_x() + b.get_width(), 12), round(b.get_y() + 0.3, 6)) for b in bars)
    want = sorted(
        (round(v, 12), float(4 - row))
        for row, f in enumerate(sens.top(5))
        for v in (f.low_value, f.high_value)
    )
    assert np.allclose(ends, want)
    assert all(b.get_x() == pytest.approx(sens.point) for b in bars)


def test_sobol_bars_are_the_indices(example_net: Network) -> None:
    s = global_sensitivity(
        example_net, "armed_clash", "yes", policy="status_quo", n=128, rng=np.random.default_rng(0)
    )
    fig = sobol_figure(s)
    widths = sorted(round(p.get_width(), 12) for p in fig.axes[0].patches)
    assert widths == sorted(round(float(x), 12) for x in (*s.S1, *s.ST))


def test_every_chart_saves_atomically(example_net: Network, tmp_path) -> None:
    sens = one_way(example_net, "armed_clash", "yes")
    figs = {
        "tornado.svg": tornado_figure(sens),
        "function.png": sensitivity_function_figure(sens.functions[0]),
        "indicators.svg": indicators_figure(indicators(example_net, "armed_clash", "yes")),
        "interval.svg": interval_figure(
            compare_policies(
                example_net,
                "armed_clash",
                "yes",
                draws=200,
                rng=np.random.default_rng(1),
                better="lower",
            )
        ),
    }
    for name, fig in figs.items():
        assert isinstance(fig, Figure)
        assert save_figure(fig, tmp_path / name).stat().st_size > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(figs)  # no temporary files left
    svg = (tmp_path / "tornado.svg").read_text(encoding="utf-8")
    save_figure(figs["tornado.svg"], tmp_path / "again.svg")
    assert (tmp_path / "again.svg").read_text(
        encoding="utf-8"
    ) == svg  # no date: reruns are identical
    with pytest.raises(UsageError, match="cannot write a figure"):
        save_figure(figs["tornado.svg"], tmp_path / "x.gif")
