"""CPTs updated from cases (issue 13): checked against pgmpy's BayesianEstimator with a
Dirichlet prior, on cases forward-sampled by pgmpy from a different generating model."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from estimative import Network, UsageError
from estimative.priors import learn

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def prior() -> Network:
    return Network.from_file(ROOT / "models" / "example")


@pytest.fixture(scope="module")
def generating(prior: Network) -> Network:
    # A different truth: every CPT moved well away from the elicited one.
    rng = np.random.default_rng(99)
    new = {}
    for name, cpt in zip(prior.variables, prior.cpts, strict=True):
        g = rng.dirichlet(np.ones(cpt.shape[0]), size=cpt.shape[1:])  # (*parents, card)
        new[name] = np.moveaxis(g, -1, 0)
    return prior.with_cpts(new)


@pytest.fixture(scope="module")
def cases(generating: Network) -> pd.DataFrame:
    from pgmpy.sampling import BayesianModelSampling

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = BayesianModelSampling(generating.to_pgmpy()).forward_sample(
            size=1000, seed=7, show_progress=False
        )
    return df.astype(str)


def test_learn_matches_pgmpy_bayesian_estimator(prior: Network, cases: pd.DataFrame) -> None:
    from pgmpy.estimators import BayesianEstimator

    out = learn(prior, cases)
    assert set(out.updated) == set(prior.variables) and out.rows == 1000
    model = prior.to_pgmpy()
    est = BayesianEstimator(model, cases, state_names=dict(prior.states))
    for name in prior.variables:
        ours = list(prior.parents[name])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pgmpy's column order: its CPD's evidence order
            theirs = list(est.estimate_cpd(name, prior_type="K2").variables[1:])
        perm = [0, *(1 + ours.index(q) for q in theirs)]
        cpt = prior.cpt(name)
        card = cpt.shape[0]
        s = np.asarray(out.prior_strengths[name]).reshape(cpt.shape[1:])
        alpha = (s[None, ...] * cpt).transpose(perm).reshape(card, -1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = est.estimate_cpd(name, prior_type="dirichlet", pseudo_counts=alpha)
        got = out.network.cpt(name).transpose(perm).reshape(card, -1)
        assert got == pytest.approx(ref.get_values(), abs=1e-9), name


def test_learn_moves_every_cpt_toward_the_generating_one(
    prior: Network, generating: Network, cases: pd.DataFrame
) -> None:
    out = learn(prior, cases)
    for name in prior.variables:
        before = np.abs(prior.cpt(name) - generating.cpt(name)).sum()
        after = np.abs(out.network.cpt(name) - generating.cpt(name)).sum()
        assert after < before, name


def test_the_prior_strength_weighs_against_the_counts(prior: Network) -> None:
    # us_rhetoric: (0.4, 0.6) at strength 10; 30 cases, 30 measured: (4 + 30) / 40.
    cases = pd.DataFrame({"us_rhetoric": ["measured"] * 30})
    assert learn(prior, cases).network.cpt("us_rhetoric")[0] == pytest.approx(34 / 40)
    strong = learn(prior, cases, strengths={"us_rhetoric": 1000.0})
    assert strong.network.cpt("us_rhetoric")[0] == pytest.approx((400 + 30) / 1030)
    # a variable whose parents are not observed keeps its CPT
    assert np.array_equal(strong.network.cpt("armed_clash"), prior.cpt("armed_clash"))


def test_the_csv_is_recorded_and_bad_rows_are_named(prior: Network, tmp_path: Path) -> None:
    good = tmp_path / "cases.csv"
    good.write_text("us_rhetoric,nk_provocation\nbluster,high\nmeasured,low\n")
    out = learn(prior, good)
    assert out.rows == 2 and out.data == str(good) and len(out.data_hash) == 16
    assert out.to_dict()["model_hash"] == prior.model_hash
    bad = tmp_path / "bad.csv"
    bad.write_text("us_rhetoric,nk_provocation\nbluster,high\nmeasured,extreme\n")
    with pytest.raises(UsageError, match=r"row 2, column 'nk_provocation': 'extreme'"):
        learn(prior, bad)
    col = tmp_path / "col.csv"
    col.write_text("us_rhetorc\nbluster\n")
    with pytest.raises(UsageError, match=r"column 'us_rhetorc' .*did you mean 'us_rhetoric'"):
        learn(prior, col)
    gap = tmp_path / "gap.csv"  # an empty cell is a missing value: EM fills it in
    gap.write_text("us_rhetoric,nk_provocation\nbluster,\n")
    out = learn(prior, gap)
    assert out.method == "em" and out.missing == 1 and out.converged
