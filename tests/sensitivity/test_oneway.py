"""One-way sensitivity functions against recomputation with the modified CPT (brute-force
enumeration and pgmpy variable elimination) and against finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from estimative import Network
from estimative.sensitivity import one_way, parameters

QUERIES = [
    {"policy": "status_quo"},
    {"given": {"nk_provocation": "high"}},
    {"scenario": "ambiguous_reports"},
    {"given": {"armed_clash": "yes"}, "do": {"private_channel": "no"}},
]


def _target(kw: dict) -> tuple[str, str]:
    return (
        ("misread_intent", "yes")
        if "armed_clash" in kw.get("given", {})
        else ("armed_clash", "yes")
    )


@pytest.mark.parametrize("kw", QUERIES)
def test_functions_equal_recomputation_at_the_ends_and_between(
    example_net: Network, kw, enumerate_posterior, covaried
) -> None:
    target, state = _target(kw)
    sens = one_way(example_net, target, state, **kw, over="cells")
    ev = example_net.resolve(**kw)
    k = example_net.states[target].index(state)
    assert sens.point == pytest.approx(
        enumerate_posterior(example_net, target, given=ev.given, do=ev.do, soft=ev.soft)[k],
        abs=1e-12,
    )
    assert (
        len(sens.functions) == 22
    )  # every entry strictly between 0 and 1, one per two-state column
    for f in sens.functions:
        p = f.parameter
        for x in (f.low_x, f.high_x, 0.05, 0.93):
            net = covaried(example_net, p.variable, p.state, dict(p.parents), x)
            ref = enumerate_posterior(net, target, given=ev.given, do=ev.do, soft=ev.soft)[k]
            assert f(x) == pytest.approx(ref, abs=1e-12), (p.label, x)
        assert f.low_value == pytest.approx(f(f.low_x)) and f.value == pytest.approx(
            sens.point, abs=1e-12
        )


@pytest.mark.parametrize("kw", QUERIES)
def test_derivative_equals_finite_differences(
    example_net: Network, kw, enumerate_posterior, covaried
) -> None:
    target, state = _target(kw)
    sens = one_way(example_net, target, state, **kw, over="cells")
    ev = example_net.resolve(**kw)
    k = example_net.states[target].index(state)
    h = 1e-6
    for f in sens.functions:
        p = f.parameter
        up, down = (
            enumerate_posterior(
                covaried(example_net, p.variable, p.state, dict(p.parents), p.value + s),
                target,
                given=ev.given,
                do=ev.do,
                soft=ev.soft,
            )[k]
            for s in (h, -h)
        )
        assert f.derivative == pytest.approx((up - down) / (2 * h), abs=1e-7), p.label


def test_intervened_variables_have_sensitivity_zero(example_net: Network) -> None:
    sens = one_way(example_net, "armed_clash", "yes", policy="status_quo")
    cut = [f for f in sens.functions if f.parameter.variable in ("us_rhetoric", "private_channel")]
    assert len(cut) == 2
    for f in cut:
        assert f.a == 0 and f.c == 0 and f.derivative == 0 and f.swing == 0
    # Under status quo (bluster forced), the provocation column for measured rhetoric is unused too.
    f = sens.function("nk_provocation", "high", {"us_rhetoric": "measured"})
    assert f.derivative == 0
    # The largest swing comes first, and every swing is the move across the credible range.
    swings = [f.swing for f in sens.functions]
    assert swings == sorted(swings, reverse=True)


def test_credible_ranges_are_beta_marginals_of_the_dirichlet(example_net: Network) -> None:
    sens = one_way(example_net, "armed_clash", "yes")
    # us_rhetoric: table (0.4, 0.6) with strength 10 -> P(bluster) ~ Beta(6, 4).
    f = sens.function("us_rhetoric", "bluster")
    assert (f.low_x, f.high_x) == pytest.approx(
        tuple(stats.beta.ppf([0.05, 0.95], 6, 4)), abs=1e-12
    )
    # nk_provocation is an assumption (default strength 5): P(high | bluster) = 0.3 ~ Beta(1.5, 3.5).
    f = sens.function("nk_provocation", "high", {"us_rhetoric": "bluster"})
    assert (f.low_x, f.high_x) == pytest.approx(
        tuple(stats.beta.ppf([0.05, 0.95], 1.5, 3.5)), abs=1e-12
    )
    narrow = one_way(example_net, "armed_clash", "yes", level=0.5).function(
        "us_rhetoric", "bluster"
    )
    assert narrow.low_x == pytest.approx(stats.beta.ppf(0.25, 6, 4), abs=1e-12)


def test_multistate_network_against_pgmpy(pgmpy_net, covaried) -> None:
    from pgmpy.inference import VariableElimination

    net = pgmpy_net("sachs")  # 11 variables with three states each
    given = {"P38": "HIGH"}
    sens = one_way(net, "Akt", "LOW", given=given, do={"Raf": "AVG"})
    assert len(sens.functions) == len(parameters(net)) == 267
    onehot = np.eye(3)[net.states["Raf"].index("AVG")].reshape(-1, *[1] * len(net.parents["Raf"]))
    do_free = net.with_cpts({"Raf": onehot * np.ones_like(net.cpt("Raf"))})  # surgery by hand
    assert sens.functions[7].swing > 0.01
    for f in sens.top(8):
        p = f.parameter
        for x in (f.low_x, f.high_x):
            model = covaried(do_free, p.variable, p.state, dict(p.parents), x).to_pgmpy()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = VariableElimination(model).query(
                    ["Akt"], evidence={**given, "Raf": "AVG"}, show_progress=False
                )
            assert f(x) == pytest.approx(ref.get_value(Akt="LOW"), abs=1e-9), p.label
    # Raf is under do(): its parameters cannot matter.
    assert all(f.swing == 0 for f in sens.functions if f.parameter.variable == "Raf")


def test_results_as_plain_data(example_net: Network) -> None:
    sens = one_way(example_net, "armed_clash", "yes", policy="status_quo")
    d = sens.to_dict()
    assert d["point"] == example_net.query("armed_clash", policy="status_quo")["yes"]
    assert d["states"] == ["yes"] and d["model_hash"] == example_net.model_hash
    assert [p["parameter"] for p in d["parameters"]] == [f.parameter.label for f in sens.functions]
    top = d["parameters"][0]
    assert (
        top["swing"] == sens.functions[0].swing and top["low_value"] == sens.functions[0].low_value
    )
