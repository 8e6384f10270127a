"""Noisy-OR and noisy-MAX CPTs too large to expand run factorised (a chain of small tables).

The references are independent of the code under test: the joint of the whole network
enumerated with itertools over every configuration, with each CPT written here from the
definition of the form (Diez's parameterisation: ``P(Y <= y | causes) = CDF_leak(y) x
prod over present causes of CDF_cause(y) / CDF_leak(y)``), and for 40 independent root causes
the hand formula ``P(Y = no) = (1 - leak) x prod_i (1 - p_i P(net link i))``.
"""

from __future__ import annotations

import itertools
import json
import math
import time
import tracemalloc
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pytest
import yaml

from estimative import Network, QueryError, global_sensitivity, one_way, query_interval
from estimative.errors import ModelError
from estimative.explorer.data import node_details
from estimative.files import load_model
from estimative.network import all_marginals
from estimative.network.chains import HIDDEN
from mutate import run_cli

Factor = Callable[[Mapping[str, np.ndarray]], np.ndarray]


# ---------------------------------------------------------------- models written for the tests
def _root(name: str, probs: Mapping[str, float]) -> dict:
    return {
        "id": name,
        "label": f"Cause {name}",
        "states": list(probs),
        "cpt": {"table": dict(probs), "assumption": True, "rationale": "test"},
    }


def _write(path: Path, variables: list[dict], **extra: object) -> Path:
    model = {
        "format": "estimative/1",
        "title": "wide noisy",
        "as_of": "2020-01-01",
        "variables": variables,
        **extra,
    }
    path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    return path


def noisy_or_model(path: Path, n: int, seed: int = 0, *, chained: bool = True) -> dict:
    """``n`` causes of ``y`` (noisy-OR), ``x1`` depending on ``x0`` when ``chained``, and
    ``z`` a child of ``y``. Returns the numbers written, for the reference."""
    rng = np.random.default_rng(seed)
    prior = rng.uniform(0.05, 0.6, n).round(4)
    cause = rng.uniform(0.05, 0.45, n).round(4)  # P(y = yes | this cause alone)
    leak = 0.03
    x1_given_x0 = (0.2, 0.7)
    variables = []
    for i in range(n):
        if chained and i == 1:
            variables.append(
                {
                    "id": "x1",
                    "label": "Cause x1",
                    "states": ["no", "yes"],
                    "parents": ["x0"],
                    "cpt": {
                        "table": [
                            {"when": {"x0": s}, "probs": {"no": 1 - p, "yes": p}}
                            for s, p in zip(["no", "yes"], x1_given_x0, strict=True)
                        ],
                        "assumption": True,
                        "rationale": "test",
                    },
                }
            )
        else:
            variables.append(_root(f"x{i}", {"no": float(1 - prior[i]), "yes": float(prior[i])}))
    variables.append(
        {
            "id": "y",
            "label": "Effect",
            "states": ["no", "yes"],
            "parents": [f"x{i}" for i in range(n)],
            "cpt": {
                "noisy_or": {
                    "leak": leak,
                    "causes": {f"x{i}": {"yes": float(cause[i])} for i in range(n)},
                },
                "assumption": True,
                "rationale": "test",
            },
        }
    )
    variables.append(
        {
            "id": "z",
            "label": "Downstream",
            "states": ["no", "yes"],
            "parents": ["y"],
            "cpt": {
                "table": [
                    {"when": {"y": "no"}, "probs": {"no": 0.9, "yes": 0.1}},
                    {"when": {"y": "yes"}, "probs": {"no": 0.35, "yes": 0.65}},
                ],
                "assumption": True,
                "rationale": "test",
            },
        }
    )
    outcomes = [{"id": "eff", "label": "The effect", "target": "y", "state": "yes"}]
    policies = [{"id": "cut", "label": "Cut cause 0", "do": {"x0": "no"}}]
    _write(path, variables, outcomes=outcomes, policies=policies)
    x1 = x1_given_x0 if chained else None
    return {"n": n, "prior": prior, "cause": cause, "leak": leak, "x1": x1}


def noisy_or_factors(w: dict) -> tuple[list[tuple[str, int]], dict[str, Factor]]:
    """The network of :func:`noisy_or_model` as variables and CPT functions, from the form's
    definition: P(y = no | x) = (1 - leak) x prod over present causes of (1 - c_i) / (1 - leak)."""
    n, prior, cause, leak = w["n"], w["prior"], w["cause"], w["leak"]
    names = [(f"x{i}", 2) for i in range(n)] + [("y", 2), ("z", 2)]
    f: dict[str, Factor] = {}
    for i in range(n):
        f[f"x{i}"] = lambda v, i=i: np.where(v[f"x{i}"] == 1, prior[i], 1 - prior[i])
    if w["x1"] is not None:
        f["x1"] = lambda v: np.where(
            v["x1"] == 1, np.take(w["x1"], v["x0"]), 1 - np.take(w["x1"], v["x0"])
        )

    def y_cpt(v: Mapping[str, np.ndarray]) -> np.ndarray:
        q = np.full(len(v["y"]), 1 - leak)
        for i in range(n):
            q = q * np.where(v[f"x{i}"] == 1, (1 - cause[i]) / (1 - leak), 1.0)
        return np.where(v["y"] == 0, q, 1 - q)

    f["y"] = y_cpt

    def z_cpt(v: Mapping[str, np.ndarray]) -> np.ndarray:
        pz = np.where(v["y"] == 1, 0.65, 0.1)
        return np.where(v["z"] == 1, pz, 1 - pz)

    f["z"] = z_cpt
    return names, f


class Enumerated:
    """The joint of a network over every configuration (itertools), with do() as surgery."""

    def __init__(self, names: list[tuple[str, int]], factors: Mapping[str, Factor]) -> None:
        grid = np.array(list(itertools.product(*(range(k) for _, k in names))), dtype=np.int8)
        self.values = {name: grid[:, i] for i, (name, _) in enumerate(names)}
        self.factors = factors

    def prob(
        self,
        target: str,
        state: int,
        given: Mapping[str, int] | None = None,
        do: Mapping[str, int] | None = None,
    ) -> float:
        w = np.ones(len(next(iter(self.values.values()))))
        for name, fn in self.factors.items():
            cut = do is not None and name in do  # do(): surgery, the CPT replaced
            w = w * ((self.values[name] == do[name]) if cut else fn(self.values))
        keep = np.ones(len(w), dtype=bool)
        for k, s in {**(given or {}), **(do or {})}.items():
            keep &= self.values[k] == s
        return float(w[keep & (self.values[target] == state)].sum() / w[keep].sum())


# ------------------------------------------------------------------------------- noisy-OR
@pytest.fixture(scope="module")
def or14(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Enumerated]:
    path = tmp_path_factory.mktemp("or14") / "model.yaml"
    written = noisy_or_model(path, 14)
    return path, Enumerated(*noisy_or_factors(written))


@pytest.fixture
def factorise_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """Factorise every noisy CPT over 64 numbers (14 parents: 32,768 numbers)."""
    monkeypatch.setenv("ESTIMATIVE_MAX_NOISY_CELLS", "64")


YES, NO = 1, 0
OR_CASES = [
    ("y", {}, {}),
    ("x3", {"y": YES}, {}),
    ("x3", {"y": YES, "x5": YES}, {}),
    ("x0", {"y": NO, "x1": YES}, {}),
    ("x2", {"z": YES}, {}),
    ("x4", {"y": YES, "z": NO, "x6": NO}, {}),
    ("y", {}, {"x0": YES}),
    ("x3", {"y": YES}, {"x1": NO}),
    ("x0", {"y": YES}, {"x1": YES}),
    ("x3", {}, {"y": YES}),
    ("z", {}, {"y": NO}),
]


def _names(cond: Mapping[str, int]) -> dict[str, str]:
    return {k: ("no", "yes")[s] for k, s in cond.items()}


@pytest.mark.parametrize(("target", "given", "do"), OR_CASES)
def test_factorised_noisy_or_equals_enumeration(
    or14, factorise_all, target: str, given: dict, do: dict
) -> None:
    path, joint = or14
    net = Network.from_file(path)
    assert "y" in net.chains and len(net.chains["y"]) == 15  # the leak's node, one per parent
    assert len(net.structure.names) == len(net.variables) + 14  # 14 hidden chain nodes
    got = net.query(target, given=_names(given), do=_names(do))["yes"]
    assert got == pytest.approx(joint.prob(target, YES, given, do), abs=1e-12)


def test_factorised_and_expanded_noisy_or_agree(or14, monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = or14
    full = Network.from_file(path)
    assert not full.chains  # 32,768 numbers: expanded under the default limit
    monkeypatch.setenv("ESTIMATIVE_MAX_NOISY_CELLS", "64")
    chain = Network.from_file(path)
    for target, given, do in OR_CASES:
        a = full.query(target, given=_names(given), do=_names(do))["yes"]
        b = chain.query(target, given=_names(given), do=_names(do))["yes"]
        assert a == pytest.approx(b, abs=1e-13)


def test_factorised_marginals_and_batches_equal_enumeration(or14, factorise_all) -> None:
    path, joint = or14
    net = Network.from_file(path)
    m = net.marginals(given={"y": "yes", "x5": "no"})
    assert m.variables == net.variables  # no hidden node among them
    for v in net.variables:
        want = joint.prob(v, YES, {"y": YES, "x5": NO})
        assert m[v]["yes"] == pytest.approx(want, abs=1e-12)
    rows = net.query_batch("x2", given={"y": ["yes", "no", None]}, do={"x1": [None, "yes", "no"]})
    cases = [({"y": YES}, {}), ({"y": NO}, {"x1": YES}), ({}, {"x1": NO})]
    for k, (g, d) in enumerate(cases):
        assert rows.prob("yes")[k] == pytest.approx(joint.prob("x2", YES, g, d), abs=1e-12)


def test_map_of_the_child_on_the_factorised_form(or14, factorise_all) -> None:
    path, joint = or14
    net = Network.from_file(path)
    got = net.map(["y"], given={"x2": "yes", "z": "no"})
    p_yes = joint.prob("y", YES, {"x2": YES, "z": NO})
    assert got.assignment["y"] == ("yes" if p_yes > 0.5 else "no")
    assert got.probability == pytest.approx(max(p_yes, 1 - p_yes), abs=1e-12)


# ------------------------------------------------------------------------------- noisy-MAX
def noisy_max_model(path: Path, n: int, seed: int = 1) -> dict:
    """``y`` graded (low < mid < high) with ``n`` root causes of 2 or 3 states (the first is
    absent); each cause's written distribution is that of ``max(leak, its own draw)``."""
    rng = np.random.default_rng(seed)
    ks = ["low", "mid", "high"]
    leak = np.array([0.8, 0.15, 0.05])
    cards = [2 if i % 2 == 0 else 3 for i in range(n)]
    variables, priors, written = [], [], []
    for i, c in enumerate(cards):
        p = rng.dirichlet(np.full(c, 2.0)).round(4)
        p[-1] = 1 - p[:-1].sum()
        priors.append(p)
        names = ["none", "some", "much"][:c]
        variables.append(_root(f"x{i}", {s: float(q) for s, q in zip(names, p, strict=True)}))
        causes = {}
        for s in range(1, c):
            own = rng.dirichlet([3.0, 2.0, 1.5])  # the cause's net contribution
            cdf = np.cumsum(leak) * np.cumsum(own)
            d = np.diff(cdf, prepend=0.0).round(5)
            d[-1] = 1 - d[:-1].sum()
            causes[names[s]] = {k: float(x) for k, x in zip(ks, d, strict=True)}
        written.append(causes)
    variables.append(
        {
            "id": "y",
            "label": "Severity",
            "states": ks,
            "parents": [f"x{i}" for i in range(n)],
            "cpt": {
                "noisy_max": {
                    "leak": {k: float(x) for k, x in zip(ks, leak, strict=True)},
                    "causes": {f"x{i}": written[i] for i in range(n)},
                },
                "assumption": True,
                "rationale": "test",
            },
        }
    )
    _write(path, variables)
    return {"n": n, "cards": cards, "priors": priors, "written": written, "leak": leak}


def noisy_max_factors(w: dict) -> tuple[list[tuple[str, int]], dict[str, Factor]]:
    """The network of :func:`noisy_max_model` from the definition of noisy-MAX:
    P(y <= k | x) = CDF_leak(k) x prod over present causes of CDF_i(k) / CDF_leak(k)."""
    n, cards, priors, written = w["n"], w["cards"], w["priors"], w["written"]
    cdf_leak = np.cumsum(w["leak"])
    names = [(f"x{i}", c) for i, c in enumerate(cards)] + [("y", 3)]
    f: dict[str, Factor] = {}
    for i in range(n):
        f[f"x{i}"] = lambda v, i=i: np.asarray(priors[i])[v[f"x{i}"]]
    ratio = []  # per cause, per state: CDF(k | the state alone) / CDF_leak(k); 1 when absent
    for i, c in enumerate(cards):
        r = np.ones((c, 3))
        for s, (_, d) in enumerate(written[i].items(), start=1):
            r[s] = np.cumsum([d["low"], d["mid"], d["high"]]) / cdf_leak
        ratio.append(r)

    def y_cpt(v: Mapping[str, np.ndarray]) -> np.ndarray:
        cdf = np.tile(cdf_leak, (len(v["y"]), 1))
        for i in range(n):
            cdf = cdf * ratio[i][v[f"x{i}"]]
        cdf[:, -1] = 1.0
        pmf = np.diff(cdf, axis=1, prepend=0.0)
        return pmf[np.arange(len(pmf)), v["y"]]

    f["y"] = y_cpt
    return names, f


@pytest.fixture(scope="module")
def max12(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Enumerated]:
    path = tmp_path_factory.mktemp("max12") / "model.yaml"
    written = noisy_max_model(path, 12)
    return path, Enumerated(*noisy_max_factors(written))


@pytest.mark.parametrize(
    ("target", "state", "given", "do"),
    [
        ("y", 2, {}, {}),
        ("y", 1, {"x1": 2}, {}),
        ("x1", 2, {"y": 2}, {}),
        ("x4", 1, {"y": 1, "x3": 0}, {}),
        ("x5", 0, {"y": 0}, {"x2": 1}),
        ("y", 2, {}, {"x7": 2}),
        ("x0", 1, {}, {"y": 2}),
    ],
)
def test_factorised_noisy_max_equals_enumeration(
    max12, factorise_all, target: str, state: int, given: dict, do: dict
) -> None:
    path, joint = max12
    net = Network.from_file(path)
    assert "y" in net.chains
    states = {v: net.states[v] for v in net.variables}
    got = net.query(
        target,
        given={k: states[k][s] for k, s in given.items()},
        do={k: states[k][s] for k, s in do.items()},
    )[states[target][state]]
    assert got == pytest.approx(joint.prob(target, state, given, do), abs=1e-12)


def test_factorised_and_expanded_noisy_max_agree(max12, monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = max12
    monkeypatch.setenv("ESTIMATIVE_MAX_NOISY_CELLS", "200000")  # 139,968 numbers: expanded
    full = Network.from_file(path)
    monkeypatch.setenv("ESTIMATIVE_MAX_NOISY_CELLS", "64")
    chain = Network.from_file(path)
    assert not full.chains and "y" in chain.chains
    a = full.marginals(given={"x1": "much"}, do={"x2": "some"})
    b = chain.marginals(given={"x1": "much"}, do={"x2": "some"})
    for v in full.variables:
        np.testing.assert_allclose(a.probs[v], b.probs[v], atol=1e-13)


# ------------------------------------------------------------------ 40 parents, by hand
def _wide_or(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "wide" / "model.yaml"
    path.parent.mkdir()
    return path, noisy_or_model(path, 40, seed=7, chained=False)


def _hand_or(w: dict, skip: int | None = None, present: bool = False) -> float:
    """P(y = no) for independent root causes: (1 - leak) prod_i (1 - p_i net_i), net_i =
    1 - (1 - c_i) / (1 - leak); cause ``skip`` forced present (``present``) or absent."""
    leak = w["leak"]
    q = 1 - leak
    for i in range(w["n"]):
        net_i = 1 - (1 - w["cause"][i]) / (1 - leak)
        if i == skip:
            q *= (1 - net_i) if present else 1.0
        else:
            q *= 1 - w["prior"][i] * net_i
    return q


def test_forty_parent_noisy_or_answers_exactly_in_bounded_memory(tmp_path: Path) -> None:
    path, w = _wide_or(tmp_path)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        net = Network.from_file(path)
        p_no = net.query("y")["no"]
        post = net.query("x3", given={"y": "no"})["yes"]
        forced = net.query("y", do={"x3": "yes"})["no"]
        m = net.marginals(given={"y": "no"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 30  # a hang guard, not a timing
    assert peak < 64 * 2**20  # the full table would be 2^41 numbers (16 TiB)
    assert "y" in net.chains
    assert p_no == pytest.approx(_hand_or(w), rel=1e-12)
    # Bayes by hand: P(x3 | y = no) = p3 (1 - net3) / (1 - p3 net3)
    net3 = 1 - (1 - w["cause"][3]) / (1 - w["leak"])
    p3 = w["prior"][3]
    assert post == pytest.approx(p3 * (1 - net3) / (1 - p3 * net3), rel=1e-12)
    assert m["x3"]["yes"] == pytest.approx(post, rel=1e-12)
    assert forced == pytest.approx(_hand_or(w, skip=3, present=True), rel=1e-12)
    assert net.query("z")["yes"] == pytest.approx(0.1 * p_no + 0.65 * (1 - p_no), rel=1e-12)


def test_forty_parent_noisy_or_through_the_command_line(tmp_path: Path) -> None:
    path, w = _wide_or(tmp_path)
    out = run_cli(["query", str(path), "--target", "y", "--json"], timeout=30)
    assert out.code == 0, out.stderr
    probs = json.loads(out.stdout)["probabilities"]
    assert probs["no"] == pytest.approx(_hand_or(w), rel=1e-12)
    out = run_cli(["query", str(path), "--target", "y", "--do", "x3=no", "--json"], timeout=30)
    assert json.loads(out.stdout)["probabilities"]["no"] == pytest.approx(
        _hand_or(w, skip=3, present=False), rel=1e-12
    )


def test_forty_parent_noisy_max_answers_exactly(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    w = noisy_max_model(path, 40, seed=3)
    net = Network.from_file(path)
    assert "y" in net.chains
    cdf_leak = np.cumsum(w["leak"])
    # independent roots: P(y <= k) = CDF_leak(k) prod_i sum_s P(x_i = s) CDF_i,s(k) / CDF_leak(k)
    cdf = cdf_leak.copy()
    for i in range(len(w["cards"])):
        term = np.full(3, float(w["priors"][i][0]))
        for s, d in enumerate(w["written"][i].values(), start=1):
            term = term + w["priors"][i][s] * np.cumsum([d["low"], d["mid"], d["high"]]) / cdf_leak
        cdf = cdf * term
    got = net.query("y")
    assert got["low"] == pytest.approx(cdf[0], rel=1e-10)
    assert got["low"] + got["mid"] == pytest.approx(cdf[1], rel=1e-10)


# ------------------------------------------------------------- the hidden nodes stay hidden
def test_hidden_chain_nodes_are_not_variables(tmp_path: Path) -> None:
    path, _ = _wide_or(tmp_path)
    net = Network.from_file(path)
    hidden = [n for n in net.structure.names if HIDDEN in n]
    assert len(hidden) == 40 and not any(HIDDEN in v for v in net.variables)
    for name in (hidden[0], f"y{HIDDEN}3"):
        with pytest.raises(QueryError, match="unknown variable"):
            net.query(name)
        with pytest.raises(QueryError, match="unknown variable"):
            net.query("y", given={name: "yes"})
    assert set(all_marginals(net)) == set(net.variables)
    assert set(node_details(net)) == set(net.variables)
    assert node_details(net)["y"]["cpt"][0] == {"when": "no cause (leak)", "probs": [0.97, 0.03]}
    assert net.ancestors(["y"]) == set(net.variables) - {"z"}
    shown = run_cli(["show", str(path), "--json"], timeout=30)
    variables = json.loads(shown.stdout)["variables"]
    assert [v["id"] for v in variables] == list(net.variables)
    assert next(v for v in variables if v["id"] == "y")["table"] is None


def test_steps_that_need_the_full_table_refuse_clearly(tmp_path: Path) -> None:
    path, _ = _wide_or(tmp_path)
    net = Network.from_file(path)
    for call in (
        lambda: net.cpt("y"),
        lambda: net.with_cpts({"y": np.zeros((2, 2))}),
        lambda: net.query_batch("y", cpts={"y": np.zeros((2, 2))}),
        lambda: net.to_pgmpy(),
    ):
        with pytest.raises(QueryError, match="kept factorised"):
            call()
    with pytest.raises(ModelError, match="kept factorised"):
        _ = load_model(path).variable("y").table
    with pytest.raises(QueryError, match=r"table of \d+ numbers"):
        net.map()  # every parent maximised after the chain is summed: refused, not a blow-up
    out = run_cli(["export", str(path), "--format", "bif", "-o", str(tmp_path / "x.bif")])
    assert out.code == 2 and "'y'" in out.stderr and "factorised" in out.stderr
    assert not (tmp_path / "x.bif").exists()


def test_factorised_checks_are_those_of_the_form(tmp_path: Path) -> None:
    """A cause below the leak is refused on the factorised path too, with its line."""
    path, _ = _wide_or(tmp_path)
    text = path.read_text().replace("leak: 0.03", "leak: 0.5")
    path.write_text(text)
    out = run_cli(["validate", str(path)], timeout=30)
    assert out.code == 2 and "below the leak" in out.stderr and "model.yaml:" in out.stderr


def test_the_hash_covers_the_factorised_numbers(tmp_path: Path) -> None:
    path, w = _wide_or(tmp_path)
    before = load_model(path).model_hash
    c = float(w["cause"][5])
    text = path.read_text()
    assert f"'yes': {c}" in text
    path.write_text(text.replace(f"'yes': {c}", f"'yes': {c + 0.01:.4f}", 1))
    assert load_model(path).model_hash != before


# ------------------------------------------------- draws and sensitivity on the factorised form
def _analyses(path: Path) -> dict:
    net = Network.from_file(path)
    ow = one_way(net, "x2", "yes", given={"y": "yes"})
    qi = query_interval(net, "y", "yes", draws=3000, rng=np.random.default_rng(1))
    sob = global_sensitivity(
        net, "x2", "yes", given={"y": "yes"}, n=128, rng=np.random.default_rng(0)
    )
    return {
        "chains": dict(net.chains),
        "one_way": sorted(
            (f.parameter.label, f.low_x, f.high_x, float(f(0.3))) for f in ow.functions
        ),
        "interval": (qi.mean, qi.low, qi.high),
        "sobol": sob.to_frame().drop(columns="group").to_numpy(),
    }


def test_draws_and_sensitivity_equal_those_of_the_expanded_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same draws in the form's parameters (a Beta per leak and link), run as a chain or as
    the full table: the expanded path is the reference (tested against pgmpy elsewhere)."""
    path = tmp_path / "model.yaml"
    noisy_or_model(path, 9)
    full = _analyses(path)
    monkeypatch.setenv("ESTIMATIVE_MAX_NOISY_CELLS", "64")
    chain = _analyses(path)
    assert not full["chains"] and "y" in chain["chains"]
    # 8 roots, x1's two rows, the leak, 9 links, z's two rows
    assert len(full["one_way"]) == len(chain["one_way"]) == 8 + 2 + 1 + 9 + 2
    for a, b in zip(full["one_way"], chain["one_way"], strict=True):
        assert a[0] == b[0]
        np.testing.assert_allclose(a[1:], b[1:], atol=1e-12)
    np.testing.assert_allclose(full["interval"], chain["interval"], atol=1e-12)
    np.testing.assert_allclose(full["sobol"], chain["sobol"], atol=1e-12)


def test_forty_parent_sensitivity_moves_the_links(tmp_path: Path) -> None:
    """Each link's one-way function of the 40-parent model is exact at two points by hand."""
    path, w = _wide_or(tmp_path)
    net = Network.from_file(path)
    ow = one_way(net, "y", "no")
    f = next(g for g in ow.functions if g.parameter.label == "P(y=yes | x3=yes only)")
    for c in (0.1, 0.4):
        moved = dict(w, cause=np.where(np.arange(40) == 3, c, w["cause"]))
        assert float(f(c)) == pytest.approx(_hand_or(moved), rel=1e-10)
    assert math.isclose(float(f(f.parameter.value)), _hand_or(w), rel_tol=1e-12)


def test_a_brief_of_a_factorised_model_shows_no_hidden_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    import pypdf

    from estimative.brief import build_brief, write_brief

    path = tmp_path / "model.yaml"
    noisy_or_model(path, 6)
    monkeypatch.setenv("ESTIMATIVE_MAX_NOISY_CELLS", "16")
    net = Network.from_file(path)
    assert "y" in net.chains
    b = build_brief(net, draws=200, rng=np.random.default_rng(0), date=dt.date(2020, 1, 2))
    files = write_brief(b, tmp_path / "out")
    texts = [files.markdown.read_text(), files.html.read_text()]
    texts.append("\n".join(p.extract_text() for p in pypdf.PdfReader(files.pdf).pages))
    for text in texts:
        assert "Effect" in text and HIDDEN not in text
    assert b.judgments[0].interval.point == pytest.approx(net.query("y")["yes"], abs=1e-12)


def _numbers(x: object, path: str = "") -> dict[str, object]:
    """Every leaf of a JSON document by its path (hashes left out: the spec differs)."""
    if isinstance(x, dict):
        return {k: v for key, val in x.items() for k, v in _numbers(val, f"{path}/{key}").items()}
    if isinstance(x, list):
        return {k: v for i, val in enumerate(x) for k, v in _numbers(val, f"{path}[{i}]").items()}
    return {} if "hash" in path else {path: x}


def test_decisions_on_the_factorised_form_equal_those_on_full_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The flagship's noisy-MAX CPTs factorised: expected utilities, intervals, P(best) and the
    value of information (a twin network copies a factorised CPT) are the expanded tables'."""
    argv = ["decide", str(Path(__file__).resolve().parents[2] / "models" / "korea_2017")]
    argv += ["--draws", "200", "--json"]
    full = run_cli(argv, timeout=120)
    monkeypatch.setenv("ESTIMATIVE_MAX_NOISY_CELLS", "1")
    assert Network.from_file(argv[1]).chains  # every noisy CPT is now a chain
    chain = run_cli(argv, timeout=120)
    assert full.code == chain.code == 0, chain.stderr
    a, b = _numbers(json.loads(full.stdout)), _numbers(json.loads(chain.stdout))
    assert a.keys() == b.keys() and len(a) > 50
    for k in a:
        if isinstance(a[k], float):
            assert b[k] == pytest.approx(a[k], abs=1e-9), k
        else:
            assert b[k] == a[k], k


def test_an_alias_of_a_factorised_variable_is_the_variable(tmp_path: Path) -> None:
    """Named by its alias, a factorised CPT refuses its full table and gives its chain, as
    by its id; before, the alias reached the chain's last node and returned its 2x2x2 table."""
    path, _ = _wide_or(tmp_path)
    path.write_text(path.read_text().replace("- id: y\n", "- id: y\n  aliases: [effect]\n", 1))
    net = Network.from_file(path)
    assert net.name_of("effect") == "y"
    assert net.nodes("effect") == net.nodes("y") and len(net.nodes("y")) == 41
    for call in (
        lambda: net.cpt("effect"),
        lambda: net.with_cpts({"effect": np.zeros((2, 2, 2))}),
        lambda: net.query_batch("y", cpts={"effect": np.zeros((2, 2, 2))}),
    ):
        with pytest.raises(QueryError, match="kept factorised"):
            call()
