"""Draws made in the analyst's own parameters (issue 13): every noisy-OR draw is a noisy-OR
(monotone in each cause), every noisy-MAX draw keeps its causes raising the child, verbal
draws lie in their band at the stated rate, and the mean of the draws is the point value.

References: the monotonicity a noisy-OR/MAX must have (its definition), the band rate of the
scale (90%), hand-computed moments of the leak/link construction, and scipy's Beta."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from estimative import Network
from estimative.priors import band_strength, draw_cpts

DATA = Path(__file__).resolve().parents[1] / "data"
N = 10_000


@pytest.fixture(scope="module")
def flood() -> Network:
    return Network.from_file(DATA / "flood.yaml")


@pytest.fixture(scope="module")
def draws(flood: Network) -> list[np.ndarray]:
    return draw_cpts(flood, N, rng=np.random.default_rng(13))


def test_no_noisy_or_draw_breaks_monotonicity(flood: Network, draws) -> None:
    f = draws[flood.index("flood")][1]  # P(flood=yes | breach, backup), shape (2, 2, N)
    none, breach, backup, both = f[0, 0], f[1, 0], f[0, 1], f[1, 1]
    assert np.all(breach >= none) and np.all(backup >= none)
    assert np.all(both >= breach) and np.all(both >= backup)
    # and each draw is a noisy-OR: P(no | both) (1 - leak) = P(no | breach) P(no | backup)
    assert np.allclose((1 - both) * (1 - none), (1 - breach) * (1 - backup), atol=1e-12)


def test_a_dirichlet_on_the_expanded_table_would_break_it(flood: Network) -> None:
    # What the draws used to be: each column of the expanded table drawn on its own.
    rng = np.random.default_rng(13)
    cpt = flood.cpt("flood")
    g = rng.standard_gamma(12 * cpt[..., None] * np.ones(N))
    yes = (g / g.sum(axis=0))[1]
    broken = np.mean((yes[1, 1] < yes[1, 0]) | (yes[1, 1] < yes[0, 1]))
    assert broken > 0.1  # the old way broke the form often; the new way never does (above)


def test_noisy_max_draws_keep_every_cause_raising_the_child(flood: Network, draws) -> None:
    d = draws[flood.index("damage")]  # (3, flood, backup, N)
    cdf = np.cumsum(d, axis=0)
    tol = 1e-12
    assert np.all(cdf[:, 1, :] <= cdf[:, 0, :] + tol)  # flood present: never less damage
    assert np.all(cdf[:, :, 1] <= cdf[:, :, 0] + tol)  # backup present: never less damage
    assert np.all(d >= 0) and np.allclose(d.sum(axis=0), 1.0)


def test_the_mean_of_the_draws_is_the_point_value(flood: Network, draws) -> None:
    for name, d in zip(flood.variables, draws, strict=True):
        point = flood.cpt(name)
        se = d.std(axis=-1) / np.sqrt(N)
        assert np.all(np.abs(d.mean(axis=-1) - point) <= 4.5 * se + 1e-12), name


def test_noisy_or_leak_and_link_have_their_hand_computed_moments(flood: Network, draws) -> None:
    # leak ~ Beta(12 x 0.05, 12 x 0.95); breach's net link p = 1 - 0.4/0.95 ~ Beta(12 p, 12 (1-p))
    f = draws[flood.index("flood")][1]
    leak = f[0, 0]
    assert stats.kstest(leak, stats.beta(0.6, 11.4).cdf).pvalue > 0.01
    p = 1 - 0.4 / 0.95
    m1_l, m2_l = 0.95, 0.95 * (0.95 * 12 + 1) / 13  # moments of 1 - leak
    m1_p, m2_p = 1 - p, (1 - p) * ((1 - p) * 12 + 1) / 13  # moments of 1 - p
    var = m2_l * m2_p - (m1_l * m1_p) ** 2  # c = 1 - (1 - leak)(1 - p), independent factors
    assert f[1, 0].var() == pytest.approx(var, rel=0.05)


@pytest.mark.parametrize(
    ("variable", "column", "low", "high"),
    [
        ("breach", (), 0.20, 0.45),  # unlikely
        ("backup", (), 0.55, 0.80),  # likely
        ("report", (0,), 0.05, 0.20),  # very unlikely
        ("report", (1,), 0.45, 0.55),  # roughly even chance
        ("report", (2,), 0.95, 0.99),  # almost certain
    ],
)
def test_verbal_draws_lie_in_their_band_at_the_stated_rate(
    flood: Network, draws, variable, column, low, high
) -> None:
    x = draws[flood.index(variable)][(1, *column)]
    inside = np.mean((x > low) & (x < high))
    assert abs(inside - 0.9) <= 0.02, (variable, column, inside)
    assert x.mean() == pytest.approx((low + high) / 2, abs=4.5 * x.std() / np.sqrt(N))


def test_band_strength_puts_the_mass_in_the_band() -> None:
    for low, high in [(0.01, 0.05), (0.2, 0.45), (0.8, 0.95), (0.45, 0.55)]:
        m = (low + high) / 2
        k = band_strength(m, low, high)
        dist = stats.beta(k * m, k * (1 - m))
        assert dist.cdf(high) - dist.cdf(low) == pytest.approx(0.9, abs=1e-9)
        assert dist.mean() == pytest.approx(m, abs=1e-12)
    assert band_strength(0.675, 0.55, 0.8, mass=0.5) < band_strength(0.675, 0.55, 0.8)
    with pytest.raises(ValueError):
        band_strength(0.0, 0.0, 0.05)


def test_a_network_with_replaced_cpts_is_drawn_as_tables(flood: Network) -> None:
    new = flood.cpt("flood").copy()
    new[:, 1, 1] = [0.5, 0.5]  # no longer a noisy-OR
    net = flood.with_cpts({"flood": new})
    d = draw_cpts(net, 4000, rng=np.random.default_rng(2))[net.index("flood")]
    assert d[1, 1, 1].mean() == pytest.approx(0.5, abs=0.02)  # drawn around the given table
