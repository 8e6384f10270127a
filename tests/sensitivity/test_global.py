"""Sobol indices: SALib's Ishigami function through our wrapper against its analytic indices,
and small networks whose indices follow from Beta moments by hand."""

from __future__ import annotations

import numpy as np
import pytest
from SALib.test_functions import Ishigami

from estimative import Network, UsageError
from estimative.sensitivity.global_ import global_sensitivity, sobol_indices
from estimative.spec import spec_from_arrays


def test_ishigami_reproduces_its_analytic_indices() -> None:
    # Ishigami & Homma (1990), a = 7, b = 0.1, inputs uniform on [-pi, pi] (Saltelli et al. 2008).
    s = sobol_indices(
        Ishigami.evaluate,
        ["x1", "x2", "x3"],
        bounds=[(-np.pi, np.pi)] * 3,
        n=8192,
        rng=np.random.default_rng(1),
    )
    assert np.allclose(s.S1, [0.3139, 0.4424, 0.0], atol=0.02)
    assert np.allclose(s.ST, [0.5576, 0.4424, 0.2437], atol=0.02)
    assert s.evaluations == 8192 * 5
    # Grouping x1 with x3 leaves x2 alone; the group's first-order index is 1 - S_2 - S_12 = 0.5576
    # (no x1-x2 interaction in Ishigami) and x2's is unchanged.
    g = sobol_indices(
        Ishigami.evaluate,
        ["x1", "x2", "x3"],
        bounds=[(-np.pi, np.pi)] * 3,
        groups=["a", "b", "a"],
        n=8192,
        rng=np.random.default_rng(2),
    )
    assert g.names == ("a", "b")
    assert g["a"] == pytest.approx((0.5576, 0.5576), abs=0.02)
    assert g["b"] == pytest.approx((0.4424, 0.4424), abs=0.02)


def _beta_moments(p: float, s: float) -> tuple[float, float]:
    """Mean and variance of Beta(s p, s (1 - p)): p and p (1 - p) / (s + 1)."""
    return p, p * (1 - p) / (s + 1)


def _two_causes(table: np.ndarray) -> Network:
    return Network(
        spec_from_arrays(
            "two",
            [
                ("A", ["0", "1"], [], np.array([0.7, 0.3])),
                ("B", ["0", "1"], [], np.array([0.4, 0.6])),
                ("T", ["0", "1"], ["A", "B"], table),
            ],
        )
    )


def test_additive_network_has_indices_from_beta_variances() -> None:
    # P(T=1 | a, b, c) = 0.05 + 0.4 a + 0.3 b + 0.2 c, so P(T=1) = 0.05 + 0.4 thetaA + 0.3 thetaB
    # + 0.2 thetaC with independent thetaX ~ Beta(s p, s (1 - p)): additive, so S1 = ST and each
    # index is w^2 Var / sum of w^2 Var.
    a, b, c = np.meshgrid([0, 1], [0, 1], [0, 1], indexing="ij")
    t1 = 0.05 + 0.4 * a + 0.3 * b + 0.2 * c
    net = Network(
        spec_from_arrays(
            "three",
            [
                ("A", ["0", "1"], [], np.array([0.7, 0.3])),
                ("B", ["0", "1"], [], np.array([0.4, 0.6])),
                ("C", ["0", "1"], [], np.array([0.5, 0.5])),
                ("T", ["0", "1"], ["A", "B", "C"], np.stack([1 - t1, t1])),
            ],
        )
    )
    strengths = {"A": 10, "B": 4, "C": 6}
    parts = {
        "A": 0.4**2 * _beta_moments(0.3, 10)[1],
        "B": 0.3**2 * _beta_moments(0.6, 4)[1],
        "C": 0.2**2 * _beta_moments(0.5, 6)[1],
    }
    total = sum(parts.values())
    s = global_sensitivity(
        net,
        "T",
        "1",
        variables=["A", "B", "C"],
        strengths=strengths,
        n=16384,
        pool=1 << 15,
        rng=np.random.default_rng(3),
    )
    assert s.output_variance == pytest.approx(total, rel=0.05)
    for v, part in parts.items():
        assert s[v] == pytest.approx((part / total,) * 2, abs=0.03), v
    g = global_sensitivity(
        net,
        "T",
        "1",
        groups={"ab": ["A", "B"], "c": ["C"]},
        strengths=strengths,
        n=16384,
        pool=1 << 15,
        rng=np.random.default_rng(4),
    )
    assert g.names == ("ab", "c")
    assert g["ab"] == pytest.approx(((parts["A"] + parts["B"]) / total,) * 2, abs=0.03)
    assert g["c"] == pytest.approx((parts["C"] / total,) * 2, abs=0.03)


def test_product_network_separates_first_order_and_total() -> None:
    # T = A and B: P(T=1) = thetaA * thetaB. S1_A = E[B]^2 Var A / V, ST_A = E[B^2] Var A / V,
    # V = E[A^2] E[B^2] - E[A]^2 E[B]^2.
    t1 = np.array([[0.0, 0.0], [0.0, 1.0]])
    net = _two_causes(np.stack([1 - t1, t1]))
    ma, va = _beta_moments(0.3, 3)
    mb, vb = _beta_moments(0.6, 2)
    a2, b2 = va + ma**2, vb + mb**2
    v = a2 * b2 - ma**2 * mb**2
    s = global_sensitivity(
        net,
        "T",
        "1",
        variables=["A", "B"],
        strengths={"A": 3, "B": 2},
        n=16384,
        pool=1 << 15,
        rng=np.random.default_rng(4),
    )
    assert s.output_variance == pytest.approx(v, rel=0.05)
    assert s["A"] == pytest.approx((mb**2 * va / v, b2 * va / v), abs=0.035)
    assert s["B"] == pytest.approx((ma**2 * vb / v, a2 * vb / v), abs=0.035)


def test_example_defaults_skip_cut_variables(example_net: Network) -> None:
    s = global_sensitivity(
        example_net, "armed_clash", "yes", policy="status_quo", n=256, rng=np.random.default_rng(6)
    )
    assert set(s.names) == {"nk_provocation", "misread_intent", "armed_clash"}
    assert s.to_frame()["group"][0] == "armed_clash"
    assert s.model_hash == example_net.model_hash


def test_bad_arguments_are_usage_errors(example_net: Network) -> None:
    with pytest.raises(UsageError, match="power of 2"):
        global_sensitivity(example_net, "armed_clash", "yes", n=1000, rng=np.random.default_rng(0))
    with pytest.raises(UsageError, match="two groups"):
        global_sensitivity(
            example_net,
            "armed_clash",
            "yes",
            groups={"all": ["misread_intent", "armed_clash"]},
            rng=np.random.default_rng(0),
        )
