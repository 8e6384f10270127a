"""Several analysts (issue 13): pooled tables against hand-pooled ones, each analyst's view
against pgmpy on that analyst's own model, draws made per analyst, the within/between split
against the mixture's variance computed directly, sensitivity on each analyst's numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, Network, load_model
from estimative.priors import draw_cpts
from estimative.sensitivity import one_way
from estimative.spec import analyst_view
from estimative.uncertainty import analyst_split

ROOT = Path(__file__).resolve().parents[2]
TWO = ROOT / "models" / "example_analysts"


@pytest.fixture(scope="module")
def net() -> Network:
    return Network.from_file(TWO)


def _noisy_or_by_hand() -> np.ndarray:
    # analyst B: leak 0.3; causes written as P(yes | cause alone): net link 1 - (1-c)/(1-leak)
    leak = 0.3
    link = {
        k: 1 - (1 - c) / (1 - leak) for k, c in {"bl": 0.6, "nc": 0.5, "md": 0.4, "hi": 0.7}.items()
    }
    out = np.zeros((2, 2, 2, 3))  # misread, us_rhetoric, private_channel, nk_provocation
    for r in range(2):  # measured, bluster
        for c in range(2):  # no, yes (absent: yes)
            for k in range(3):  # low, medium, high
                q = (1 - leak) * (1 - link["bl"]) ** r * (1 - link["nc"]) ** (c == 0)
                q *= {0: 1.0, 1: 1 - link["md"], 2: 1 - link["hi"]}[k]
                out[:, r, c, k] = [q, 1 - q]
    return out


def test_the_pool_is_the_hand_pooled_table(net: Network) -> None:
    # armed_clash: ICD 203 midpoints, A (0.03, 0.125) and B (0.125, 0.325), equal weights
    assert net.cpt("armed_clash")[1] == pytest.approx([(0.03 + 0.125) / 2, (0.125 + 0.325) / 2])
    # misread_intent: A's noisy-MAX is models/example's CPT; B's noisy-OR computed by hand
    a = Network.from_file(ROOT / "models" / "example").cpt("misread_intent")
    assert net.cpt("misread_intent") == pytest.approx(
        0.5 * a + 0.5 * _noisy_or_by_hand(), abs=1e-12
    )


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "m"
    shutil.copytree(TWO, folder)
    text = (folder / "model.yaml").read_text()
    assert old in text
    (folder / "model.yaml").write_text(text.replace(old, new, 1))
    return folder


def test_weights_and_the_log_pool(tmp_path: Path) -> None:
    weighted = load_model(_variant(tmp_path / "w", "    weight: 1\n", "    weight: 3\n"))
    assert weighted.variable("armed_clash").table[1] == pytest.approx(
        [0.75 * 0.03 + 0.25 * 0.125, 0.75 * 0.125 + 0.25 * 0.325]
    )
    logp = load_model(
        _variant(
            tmp_path / "l",
            "      elicitations:\n        - analyst: A\n          verbal:",
            "      pool: log\n      elicitations:\n        - analyst: A\n          verbal:",
        )
    )
    geo = np.sqrt([[0.97 * 0.875, 0.875 * 0.675], [0.03 * 0.125, 0.125 * 0.325]])
    assert logp.variable("armed_clash").table == pytest.approx(geo / geo.sum(axis=0))


def test_each_analysts_view_matches_pgmpy_on_their_own_model(net: Network) -> None:
    from pgmpy.inference import VariableElimination

    # analyst A's numbers are exactly models/example's: pgmpy on that model is the reference
    ref = VariableElimination(Network.from_file(ROOT / "models" / "example").to_pgmpy())
    a = Network(analyst_view(net.spec, "A"))
    got = a.query("armed_clash", policy="status_quo")["yes"]
    want = ref.query(["armed_clash"], evidence=None, show_progress=False)
    assert a.query("armed_clash")["yes"] == pytest.approx(want.values[1], abs=1e-12)
    assert 0 < got < 1
    with pytest.raises(Exception, match=r"unknown analyst 'a'; expected one of \['A', 'B'\]"):
        analyst_view(net.spec, "a")


def test_draws_are_per_analyst_and_their_mean_is_the_pool(net: Network) -> None:
    d = draw_cpts(net, 20000, rng=np.random.default_rng(5))
    i = net.index("armed_clash")
    assert d[i].mean(axis=-1) == pytest.approx(net.cpt("armed_clash"), abs=3e-3)
    # every draw is one analyst's: A's verbal draws for 'no' sit near 0.03, B's near 0.125
    lo = d[i][1, 0]
    assert 0.35 < np.mean(lo < 0.07) < 0.65
    # misread_intent: a draw is a noisy-MAX of A or a noisy-OR of B; both are monotone
    m = d[net.index("misread_intent")][1]
    assert np.all(m[1] >= m[0] - 1e-12)  # bluster never lowers it
    assert np.all(m[:, 0] >= m[:, 1] - 1e-12)  # nor does the lack of a private channel


def test_the_split_adds_up_to_the_mixtures_variance(net: Network) -> None:
    sp = analyst_split(net, "armed_clash", "yes", draws=1500, rng=np.random.default_rng(2))
    mix = np.concatenate(list(sp.values))  # equal weights, equal draws: a plain mixture
    assert sp.total == pytest.approx(float(np.var(mix)), rel=1e-9)
    assert sp.within + sp.between == pytest.approx(sp.total, rel=1e-9)
    a_net = Network(analyst_view(net.spec, "A"))
    assert sp.points[0] == pytest.approx(a_net.query("armed_clash")["yes"], abs=1e-12)
    assert [t.word for t in sp.terms()] == ["very unlikely", "unlikely"]
    assert sp.changes_judgment() and "A (0.075) judges this very unlikely" in sp.statement()
    lo, hi = sp.pooled_interval()
    assert lo < sp.pooled < hi


def test_sensitivity_moves_each_analysts_own_numbers(net: Network) -> None:
    sens = one_way(net, "armed_clash", "yes")
    labels = {f.parameter.description for f in sens.functions}
    assert (
        "P(armed_clash=yes | misread_intent=yes) [analyst B] = unlikely (0.325), verbal term"
        in labels
    )
    f = next(
        f
        for f in sens.functions
        if f.parameter.analyst == "B"
        and f.parameter.kind == "verbal"
        and f.parameter.parents == (("misread_intent", "yes"),)
    )
    # moving B's number to x moves the pooled column by half as much: recompute by hand
    x = 0.5
    pooled = net.cpt("armed_clash").copy()
    pooled[1, 1] = 0.5 * 0.125 + 0.5 * x
    pooled[0, 1] = 1 - pooled[1, 1]
    want = net.with_cpts({"armed_clash": pooled}).query("armed_clash")["yes"]
    assert f(x) == pytest.approx(want, abs=1e-12)


def test_bad_elicitations_are_named_with_their_line(tmp_path: Path) -> None:
    folder = _variant(
        tmp_path / "u",
        "        - analyst: B\n          noisy_or:",
        "        - analyst: C\n          noisy_or:",
    )
    with pytest.raises(ModelError) as err:
        load_model(folder)
    p = err.value.problems[0]
    assert "unknown analyst 'C'" in str(p) and p.line is not None and p.file.endswith("model.yaml")
    folder = _variant(
        tmp_path / "d",
        "        - analyst: B\n          noisy_or:",
        "        - analyst: A\n          noisy_or:",
    )
    with pytest.raises(ModelError, match="analyst 'A' has two elicitations"):
        load_model(folder)
    folder = _variant(
        tmp_path / "b", "            leak: 0.3\n", "            leak: 0.3\n            bogus: 1\n"
    )
    with pytest.raises(ModelError):
        load_model(folder)


def test_a_dynamic_models_pooled_copies_share_each_draw(tmp_path: Path) -> None:
    import yaml

    src = ROOT / "models" / "escalation_dynamic"
    folder = tmp_path / "dyn"
    shutil.copytree(src, folder)
    data = yaml.safe_load((folder / "model.yaml").read_text())
    data["analysts"] = [{"id": "A"}, {"id": "B", "weight": 3}]
    tension = next(v for v in data["variables"] if v["id"] == "tension")
    a = dict(tension["cpt"], analyst="A")
    b = dict(a, analyst="B", table=[dict(r, probs={"low": 0.5, "high": 0.5}) for r in a["table"]])
    tension["cpt"] = {"elicitations": [a, b]}
    (folder / "model.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    net = Network.from_file(folder)
    plain = Network.from_file(src)
    copies = [v for v in net.variables if v.startswith("tension@") and v != "tension@2017H2"]
    for v in copies:  # 1/4 of A's table (the file's) and 3/4 of B's (0.5 everywhere)
        assert net.cpt(v) == pytest.approx(0.25 * plain.cpt(v) + 0.75 * 0.5, abs=1e-12)
    d = draw_cpts(net, 400, rng=np.random.default_rng(0))
    first, second = (d[net.index(v)] for v in copies[:2])
    assert np.array_equal(first, second)
    assert not np.allclose(first, first.mean(axis=-1, keepdims=True))
