"""Parameter uncertainty: intervals over Dirichlet draws, checked against Beta quantiles
(scipy), against brute-force enumeration of each drawn network, and on common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from estimative import Network, UsageError
from estimative.uncertainty import compare_policies, draw_cpts, query_interval
from reference import enumerate_posterior


def draw_k(net: Network, draws: list[np.ndarray], k: int) -> Network:
    return net.with_cpts({v: d[..., k] for v, d in zip(net.variables, draws, strict=True)})


def test_root_interval_matches_beta_quantiles(example_net: Network) -> None:
    # us_rhetoric has table (0.4, 0.6) with strength 10: P(bluster) ~ Beta(6, 4).
    iv = query_interval(
        example_net, "us_rhetoric", "bluster", draws=40_000, rng=np.random.default_rng(3)
    )
    lo, hi = stats.beta.ppf([0.05, 0.95], 6, 4)
    assert iv.point == pytest.approx(0.6, abs=1e-12)
    assert iv.mean == pytest.approx(0.6, abs=0.004)
    assert iv.median == pytest.approx(stats.beta.median(6, 4), abs=0.006)
    assert iv.low == pytest.approx(lo, abs=0.006)
    assert iv.high == pytest.approx(hi, abs=0.006)
    iv80 = query_interval(
        example_net, "us_rhetoric", "bluster", draws=40_000, rng=np.random.default_rng(3), level=0.8
    )
    assert iv80.low == pytest.approx(stats.beta.ppf(0.1, 6, 4), abs=0.006)


def test_verbal_term_interval_spans_its_band(example_net: Network) -> None:
    # private_channel is "unlikely": ICD 203 puts it at 20-45%; its Beta is matched to that band.
    iv = query_interval(
        example_net, "private_channel", "yes", draws=40_000, rng=np.random.default_rng(4)
    )
    assert iv.low == pytest.approx(0.20, abs=0.015)
    assert iv.high == pytest.approx(0.45, abs=0.015)


@pytest.mark.parametrize(
    "kw",
    [
        {"policy": "status_quo"},
        {"given": {"nk_provocation": "high"}},
        {"scenario": "ambiguous_reports", "do": {"private_channel": "yes"}},
    ],
)
def test_every_draw_equals_enumeration_of_that_draw(example_net: Network, kw: dict) -> None:
    draws = draw_cpts(example_net, 25, rng=np.random.default_rng(5))
    iv = query_interval(example_net, "armed_clash", "yes", draws=draws, **kw)
    ev = example_net.resolve(**kw)
    for k in range(25):
        ref = enumerate_posterior(
            draw_k(example_net, draws, k), "armed_clash", given=ev.given, do=ev.do, soft=ev.soft
        )
        assert iv.values[k] == pytest.approx(ref[1], abs=1e-12)
    assert iv.point == pytest.approx(
        enumerate_posterior(example_net, "armed_clash", given=ev.given, do=ev.do, soft=ev.soft)[1],
        abs=1e-12,
    )
    v = np.sort(iv.values)
    assert iv.mean == pytest.approx(v.mean(), abs=1e-15)
    assert iv.low == pytest.approx(np.quantile(v, 0.05), abs=1e-15)


def test_state_sets_add_up(example_net: Network) -> None:
    draws = draw_cpts(example_net, 50, rng=np.random.default_rng(6))
    both = query_interval(example_net, "nk_provocation", ["medium", "high"], draws=draws)
    low = query_interval(example_net, "nk_provocation", "low", draws=draws)
    assert np.allclose(both.values + low.values, 1.0, atol=1e-12)


def test_impossible_draws_are_masked_not_normalised(example_net: Network) -> None:
    draws = draw_cpts(example_net, 10, rng=np.random.default_rng(7))
    i = example_net.variables.index("nk_provocation")
    prov = draws[i].copy()
    prov[:, 1, 3] = [0.5, 0.5, 0.0]  # draw 3: no high provocation under bluster
    draws[i] = prov
    iv = query_interval(
        example_net,
        "armed_clash",
        "yes",
        policy="status_quo",
        given={"nk_provocation": "high"},
        draws=draws,
    )
    assert not iv.valid[3] and np.isnan(iv.values[3])
    assert iv.valid.sum() == 9 and iv.n_valid == 9
    assert np.isfinite(iv.mean) and iv.mean == pytest.approx(np.nanmean(iv.values))


def test_compare_policies_on_common_random_numbers(example_net: Network) -> None:
    n = 60
    draws = draw_cpts(example_net, n, rng=np.random.default_rng(8))
    cmp = compare_policies(
        example_net,
        "armed_clash",
        "yes",
        ["status_quo", "private_channel", None],
        draws=draws,
        better="lower",
    )
    ref = {}
    for pol in ("status_quo", "private_channel", None):
        ev = example_net.resolve(policy=pol)
        ref[pol or "baseline"] = np.array(
            [
                enumerate_posterior(draw_k(example_net, draws, k), "armed_clash", do=ev.do)[1]
                for k in range(n)
            ]
        )
    assert np.allclose(cmp.values[0], ref["status_quo"], atol=1e-12)
    diff = ref["private_channel"] - ref["status_quo"]
    assert np.allclose(cmp.difference("private_channel", "status_quo"), diff, atol=1e-12)
    assert cmp.prob_beats("private_channel", "status_quo") == pytest.approx(np.mean(diff < 0))
    assert cmp.prob_greater("private_channel", "status_quo") == pytest.approx(np.mean(diff > 0))
    pairs = cmp.pairs_frame().set_index(["a", "b"])
    assert pairs.loc[("private_channel", "status_quo"), "high"] == pytest.approx(
        np.quantile(diff, 0.95)
    )
    best = np.argmin(
        np.vstack([ref["status_quo"], ref["private_channel"], ref["baseline"]]), axis=0
    )
    assert cmp.prob_best()["private_channel"] == pytest.approx(np.mean(best == 1))
    frame = cmp.to_frame()
    assert list(frame["policy"]) == ["status_quo", "private_channel", "baseline"]
    assert cmp.interval("status_quo").point == pytest.approx(
        enumerate_posterior(
            example_net, "armed_clash", do=example_net.resolve(policy="status_quo").do
        )[1]
    )


def test_same_seed_same_interval(example_net: Network) -> None:
    a = query_interval(example_net, "armed_clash", "yes", draws=300, rng=np.random.default_rng(11))
    b = query_interval(example_net, "armed_clash", "yes", draws=300, rng=np.random.default_rng(11))
    assert np.array_equal(a.values, b.values)


def test_bad_arguments_are_usage_errors(example_net: Network) -> None:
    with pytest.raises(UsageError, match="random generator"):
        query_interval(example_net, "armed_clash", "yes", draws=10)
    with pytest.raises(UsageError, match="level"):
        query_interval(
            example_net, "armed_clash", "yes", draws=10, rng=np.random.default_rng(0), level=1.5
        )
    with pytest.raises(UsageError, match="shape"):
        draws = draw_cpts(example_net, 5, rng=np.random.default_rng(0))
        draws[0] = draws[0][..., :3]
        query_interval(example_net, "armed_clash", "yes", draws=draws)


def test_results_as_plain_data(example_net: Network) -> None:
    draws = draw_cpts(example_net, 400, rng=np.random.default_rng(3))
    iv = query_interval(example_net, "armed_clash", "yes", policy="status_quo", draws=draws)
    d = iv.to_dict()
    assert d["point"] == example_net.query("armed_clash", policy="status_quo")["yes"]
    assert d["low"] == pytest.approx(np.quantile(iv.values, 0.05)) and d["draws"] == 400
    cmp = compare_policies(
        example_net, "armed_clash", "yes", ["status_quo", None], draws=draws, better="lower"
    )
    c = cmp.to_dict()
    assert (
        c["policies"] == ["status_quo", "baseline"] and c["better"] == "lower" and c["draws"] == 400
    )
    rows = {r["policy"]: r for r in c["rows"]}
    assert rows["status_quo"]["point"] == d["point"]
    assert rows["baseline"]["point"] == example_net.query("armed_clash")["yes"]
    assert rows["status_quo"]["mean"] == pytest.approx(np.nanmean(iv.values))
    pair = next(p for p in c["pairs"] if p["a"] == "status_quo")
    assert pair["p_a_beats_b"] == cmp.prob_beats("status_quo", "baseline")
    assert c["model_hash"] == example_net.model_hash


def test_a_trajectory_interval_is_each_draw_answered_exactly_by_pyagrum() -> None:
    """Per draw, pyAgrum's exact answer on that draw's tables: P(clash in 2018H2) under the
    private channel, and P(a clash so far) as 1 - P(no clash in every slice up to then); with
    ``exactly``, P(the highest state so far is "no") is P(no clash in every slice) itself."""
    import itertools

    import pyagrum as gum

    from estimative import draw_cpts, trajectory_interval

    net = Network.from_file("models/escalation_dynamic")
    draws = draw_cpts(net, 3, rng=np.random.default_rng(11))
    ti = trajectory_interval(net, "clash", "yes", draws=draws, policy="channel")
    never = trajectory_interval(net, "clash", "no", draws=draws, policy="channel", exactly=True)
    top = trajectory_interval(net, "clash", "yes", draws=draws, policy="channel", exactly=True)
    assert never.exactly and [iv.values.tolist() for iv in top.so_far] == [
        iv.values.tolist() for iv in ti.so_far
    ]  # the last state: the same either way
    labels = ["2017H2", "2018H1", "2018H2"]
    for k in range(3):
        drawn = net.with_cpts({v: d[..., k] for v, d in zip(net.variables, draws, strict=True)})
        bn = gum.BayesNet()
        for v in drawn.variables:
            bn.add(gum.LabelizedVariable(v, v, list(drawn.states[v])))
        for v in drawn.variables:
            for p in drawn.parents[v]:
                bn.addArc(p, v)
        for v in drawn.variables:
            table, parents = drawn.cpt(v), list(drawn.parents[v])
            for combo in itertools.product(*(range(len(drawn.states[p])) for p in parents)):
                bn.cpt(v)[dict(zip(parents, combo, strict=True))] = table[
                    (slice(None), *combo)
                ].tolist()
        for v, st in {"private_channel": 1, **{f"us_strike@{lab}": 0 for lab in labels}}.items():
            for p in list(bn.parents(v)):
                bn.eraseArc(p, bn.idFromName(v))
            bn.cpt(v)[:] = [1.0, 0.0] if st == 0 else [0.0, 1.0]
        ie = gum.LazyPropagation(bn)
        ie.makeInference()
        assert ti.per_slice[2].values[k] == pytest.approx(
            ie.posterior("clash@2018H2").toarray()[1], abs=1e-9
        )
        for i in range(3):
            ie2 = gum.LazyPropagation(bn)
            ie2.setEvidence({f"clash@{lab}": 0 for lab in labels[: i + 1]})
            ie2.makeInference()
            assert ti.so_far[i].values[k] == pytest.approx(1 - ie2.evidenceProbability(), abs=1e-9)
            assert never.so_far[i].values[k] == pytest.approx(ie2.evidenceProbability(), abs=1e-9)


def test_a_trajectory_interval_shares_the_draws_of_a_query_interval() -> None:
    from estimative import draw_cpts, trajectory_interval

    net = Network.from_file("models/escalation_dynamic")
    draws = draw_cpts(net, 200, rng=np.random.default_rng(2))
    ti = trajectory_interval(net, "talks", "yes", draws=draws, policy="red_line")
    qi = query_interval(net, "talks@2018H1", "yes", draws=draws, policy="red_line")
    np.testing.assert_array_equal(ti.per_slice[1].values, qi.values)
    horizon = query_interval(net, "talks@2017H2..2018H2", "yes", draws=draws, policy="red_line")
    np.testing.assert_allclose(ti.so_far[2].values, horizon.values, atol=1e-12)
    assert ti.to_dict()["model_hash"] == net.model_hash
