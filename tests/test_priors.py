"""Dirichlet priors over the CPTs (estimative.priors): concentrations and draws."""

from __future__ import annotations

import numpy as np
import pytest

from estimative import Network, UsageError
from estimative.priors import concentrations, draw_cpts, n_draws, resolve_draws
from estimative.spec import spec_from_arrays


@pytest.fixture(scope="module")
def net() -> Network:
    # c has a structural zero: P(c=yes | a=no) = 0
    return Network(
        spec_from_arrays(
            "priors",
            [
                ("a", ["no", "yes"], [], np.array([0.8, 0.2])),
                ("b", ["lo", "mid", "hi"], ["a"], np.array([[0.5, 0.2], [0.3, 0.3], [0.2, 0.5]])),
                ("c", ["no", "yes"], ["a"], np.array([[1.0, 0.4], [0.0, 0.6]])),
            ],
        )
    )


def test_draws_have_the_cpt_shapes_with_a_trailing_draw_axis(net: Network) -> None:
    draws = draw_cpts(net, 250, rng=np.random.default_rng(0))
    assert len(draws) == len(net.cpts) and n_draws(draws) == 250
    for d, cpt in zip(draws, net.cpts, strict=True):
        assert d.shape == (*cpt.shape, 250)
        assert np.allclose(d.sum(axis=0), 1.0)  # every column of every draw is a distribution
        assert np.all(d >= 0)


def test_structural_zeros_stay_zero(net: Network) -> None:
    draws = draw_cpts(net, 500, rng=np.random.default_rng(1))
    c = draws[net.index("c")]
    assert np.all(c[1, 0] == 0.0) and np.all(c[0, 0] == 1.0)
    assert np.all((c[:, 1] > 0) & (c[:, 1] < 1))


def test_the_mean_is_the_point_value_for_a_large_strength(net: Network) -> None:
    strengths = {v: 1e6 for v in net.variables}
    draws = draw_cpts(net, 400, rng=np.random.default_rng(2), strengths=strengths)
    for d, cpt in zip(draws, net.cpts, strict=True):
        assert d.mean(axis=-1) == pytest.approx(cpt, abs=2e-4)
    # and a Dirichlet(s x p) column has variance p(1 - p) / (s + 1)
    weak = draw_cpts(net, 20000, rng=np.random.default_rng(3), strengths={"a": 9.0})
    assert weak[net.index("a")][1].var() == pytest.approx(0.2 * 0.8 / 10, rel=0.05)


def test_concentrations_are_strength_times_the_point_value(net: Network) -> None:
    alphas = concentrations(net, strengths={"b": 50.0})
    assert alphas[net.index("b")] == pytest.approx(50.0 * net.cpt("b"))


def test_the_same_rng_gives_the_same_draws(net: Network) -> None:
    one = draw_cpts(net, 100, rng=np.random.default_rng(7))
    two = draw_cpts(net, 100, rng=np.random.default_rng(7))
    other = draw_cpts(net, 100, rng=np.random.default_rng(8))
    assert all(np.array_equal(x, y) for x, y in zip(one, two, strict=True))
    assert not np.array_equal(one[0], other[0])


def test_resolve_draws_checks_its_arguments(net: Network) -> None:
    with pytest.raises(UsageError, match="random generator") as exc:
        resolve_draws(net, 10, None)
    assert exc.value.problems[0].field == "rng"
    with pytest.raises(UsageError, match="draws must be a whole number of at least 1") as exc:
        resolve_draws(net, 0, np.random.default_rng(0))
    assert exc.value.problems[0].field == "draws"
    with pytest.raises(UsageError, match="n must be a whole number"):
        draw_cpts(net, 0, rng=np.random.default_rng(0))
    draws = draw_cpts(net, 5, rng=np.random.default_rng(0))
    assert resolve_draws(net, draws, None)[0].shape == (2, 5)
    with pytest.raises(UsageError, match="draws has 2 arrays"):
        resolve_draws(net, draws[:2], None)
