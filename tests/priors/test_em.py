"""Learning with missing values (issue 13): EM against pgmpy's DiscreteEM on a latent
variable, against a direct numerical maximisation on a tiny case with missing cells, and the
complete-data update against pyAgrum's parameter learner."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from estimative import Network
from estimative.priors import learn
from estimative.spec import spec_from_arrays

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example() -> Network:
    return Network.from_file(ROOT / "models" / "example")


@pytest.fixture(scope="module")
def sample(example: Network) -> pd.DataFrame:
    from pgmpy.sampling import BayesianModelSampling

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = BayesianModelSampling(example.to_pgmpy()).forward_sample(
            size=300, seed=3, show_progress=False
        )
    return df.astype(str)


def _loglik(net: Network, data: pd.DataFrame, latent: str) -> float:
    """log P(observed cases) by enumerating the latent variable: a product of CPT entries."""
    total = 0.0
    for row, n in data.value_counts().items():
        ev = dict(zip(data.columns, row, strict=True))
        p = 0.0
        for m in net.states[latent]:
            full = {**ev, latent: m}
            pr = 1.0
            for v in net.variables:
                idx = tuple(net.states[u].index(full[u]) for u in (v, *net.parents[v]))
                pr *= net.cpt(v)[idx]
            p += pr
        total += n * np.log(p)
    return total


def test_em_reaches_pgmpys_likelihood_on_a_latent_variable(
    example: Network, sample: pd.DataFrame
) -> None:
    from pgmpy.parameter_estimator import DiscreteEM

    data = sample.drop(columns=["misread_intent"])
    tiny = {v: 1e-9 for v in example.variables}  # no prior weight: the maximum likelihood
    ours = learn(example, data, latent=["misread_intent"], strengths=tiny, max_iter=400)
    assert ours.method == "em" and set(ours.updated) == set(example.variables)
    model = example.to_pgmpy()
    model.latents = {"misread_intent"}
    init = {c.variable: c for c in model.get_cpds()}  # both start at the elicited CPTs
    states = {k: list(v) for k, v in example.states.items() if k != "misread_intent"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = DiscreteEM(
            latent_card={"misread_intent": 2},
            init_cpds=init,
            max_iter=400,
            atol=1e-10,
            show_progress=False,
            state_names=states,
        ).fit(model, data)
    new = {}
    for cpd in est.parameters_:
        name, theirs = cpd.variable, list(cpd.variables[1:])
        card = example.cpt(name).shape[0]
        vals = cpd.get_values().reshape([card] + [len(example.states[q]) for q in theirs])
        new[name] = vals.transpose([0, *(1 + theirs.index(q) for q in example.parents[name])])
    theirs_net = example.with_cpts(new)
    ll_ours = _loglik(ours.network, data, "misread_intent")
    ll_theirs = _loglik(theirs_net, data, "misread_intent")
    assert ours.log_likelihood == pytest.approx(ll_ours, abs=1e-9)  # its own bookkeeping
    assert ll_ours == pytest.approx(ll_theirs, abs=1e-5)
    assert ll_ours > _loglik(example, data, "misread_intent")  # EM climbed from the start
    for name in ("us_rhetoric", "private_channel", "nk_provocation"):  # fully observed
        assert ours.network.cpt(name) == pytest.approx(theirs_net.cpt(name), abs=1e-9)
    for name in ("misread_intent", "armed_clash"):
        assert ours.network.cpt(name) == pytest.approx(theirs_net.cpt(name), abs=1e-3)


def test_em_with_missing_cells_maximises_the_posterior_found_numerically() -> None:
    # a -> b, both binary; some cases lack a, some lack b. With the Dirichlet prior alpha the
    # EM fixed point maximises log P(observed) + sum (alpha) log theta (the M-step
    # (alpha + expected counts) / total); maximise that directly with scipy.
    spec = spec_from_arrays(
        "t",
        [
            ("a", ["x", "y"], [], np.array([0.5, 0.5])),
            ("b", ["u", "v"], ["a"], np.array([[0.6, 0.3], [0.4, 0.7]])),
        ],
    )
    net = Network(spec)
    rows = [("x", "u")] * 6 + [("x", "v")] * 2 + [("y", "v")] * 5 + [("y", "u")] * 1
    rows += [("x", None)] * 3 + [(None, "v")] * 4 + [(None, "u")] * 2
    data = pd.DataFrame(rows, columns=["a", "b"])
    s = 4.0
    out = learn(net, data, strengths={"a": s, "b": s}, tol=1e-13, max_iter=5000)
    assert out.method == "em" and out.missing == 9 and out.converged
    prior_a, prior_b = np.array([0.5, 0.5]), np.array([[0.6, 0.3], [0.4, 0.7]])

    def objective(z: np.ndarray) -> float:
        pa, pbx, pby = 1 / (1 + np.exp(-z))  # P(a=y), P(b=v | a=x), P(b=v | a=y)
        theta_a = np.array([1 - pa, pa])
        theta_b = np.array([[1 - pbx, 1 - pby], [pbx, pby]])
        ll = 0.0
        for a, b in rows:
            if a is not None and b is not None:
                i, j = ["x", "y"].index(a), ["u", "v"].index(b)
                ll += np.log(theta_a[i] * theta_b[j, i])
            elif a is not None:
                ll += np.log(theta_a[["x", "y"].index(a)])
            else:
                j = ["u", "v"].index(b)
                ll += np.log(theta_a @ theta_b[j])
        ll += np.sum(s * prior_a * np.log(theta_a)) + np.sum(s * prior_b * np.log(theta_b))
        return -ll

    best = optimize.minimize(
        objective,
        np.zeros(3),
        method="Nelder-Mead",
        options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000},
    )
    pa, pbx, pby = 1 / (1 + np.exp(-best.x))
    assert out.network.cpt("a")[1] == pytest.approx(pa, abs=1e-6)
    assert out.network.cpt("b")[1] == pytest.approx([pbx, pby], abs=1e-6)


def test_complete_data_update_matches_pyagrum_smoothing_prior(
    example: Network, sample: pd.DataFrame, tmp_path: Path
) -> None:
    # pyAgrum's smoothing prior adds w to every count; ours adds s x CPT: on uniform CPTs
    # with s = card x w the two priors are the same.
    import pyagrum as gum

    uniform = example.with_cpts(
        {v: np.full(example.cpt(v).shape, 1.0 / example.cpt(v).shape[0]) for v in example.variables}
    )
    w = 1.5
    ours = learn(
        uniform, sample, strengths={v: w * len(example.states[v]) for v in example.variables}
    )
    csv = tmp_path / "cases.csv"
    sample.to_csv(csv, index=False)
    bn = gum.BayesNet("example")
    for v in example.variables:
        bn.add(gum.LabelizedVariable(v, v, list(example.states[v])))
    for v in example.variables:
        for p in example.parents[v]:
            bn.addArc(p, v)
    learner = gum.BNLearner(str(csv), bn)
    learner.useSmoothingPrior(w)
    fitted = learner.learnParameters(bn.dag())
    for v in example.variables:
        pot = fitted.cpt(v)
        names = list(pot.names)[::-1]  # toarray() axes: the names, last first
        arr = pot.toarray()
        order = [names.index(x) for x in (v, *example.parents[v])]
        ref = np.transpose(arr, order)
        assert ours.network.cpt(v) == pytest.approx(ref, abs=1e-9), v
