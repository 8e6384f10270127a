"""Network.marginals equals pgmpy's exact inference (VariableElimination on Network.to_pgmpy,
do() by surgery in the pgmpy model) on every bundled model, one variable at a time."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

from estimative import ImpossibleEvidenceError, Network, draw_cpts

MODELS = ["models/example", "models/korea_2017", "models/oil_wildcatter", "models/umbrella"]


def pgmpy_posterior(net: Network, var: str, given: dict, do: dict) -> np.ndarray:
    from pgmpy.inference import VariableElimination

    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = VariableElimination(net.to_pgmpy(do=do or None)).query(
            [var], evidence={**given, **do} or None, show_progress=False
        )
    return np.array([res.get_value(**{var: s}) for s in net.states[var]])


def conditions(net: Network) -> tuple[dict, dict]:
    """A finding on a leaf and, if the model has one, a policy's do()."""
    leaf = next(v for v in reversed(net.variables) if not any(v in p for p in net.parents.values()))
    given = {leaf: net.states[leaf][0]}
    do = dict(net.spec.policies[0].do) if net.spec.policies else {}
    do = {k: v for k, v in do.items() if k != leaf}
    return given, do


@pytest.mark.parametrize("path", MODELS)
def test_marginals_match_pgmpy_on_every_bundled_model(path: str) -> None:
    net = Network.from_file(path)
    given, do = conditions(net)
    m = net.marginals(given=given, do=do)
    assert len(m) == 1 and m.model_hash == net.model_hash
    for var in net.variables:
        if var in given or var in do:
            assert m[var][given.get(var) or do[var]] == 1.0
            continue
        np.testing.assert_allclose(
            m[var].probs, pgmpy_posterior(net, var, given, do), atol=1e-9, rtol=0
        )


def test_batched_draws_and_rows_match_pgmpy_row_by_row() -> None:
    net = Network.from_file("models/example")
    draws = draw_cpts(net, 3, rng=np.random.default_rng(0))
    rows = ["yes", None, "no"]
    m = net.marginals(cpts=draws, given={"misread_intent": rows})
    assert len(m) == 3 and m.prob("misread_intent", "yes").tolist()[0] == 1.0
    for i in range(3):
        row = net.with_cpts({v: d[..., i] for v, d in zip(net.variables, draws, strict=True)})
        given = {"misread_intent": rows[i]} if rows[i] else {}
        for var in net.variables:
            if var not in given:
                np.testing.assert_allclose(
                    m.probs[var][i], pgmpy_posterior(row, var, given, {}), atol=1e-9, rtol=0
                )


def test_impossible_evidence_raises_unbatched_and_flags_rows() -> None:
    net = Network.from_file("models/example")
    zero = {v: np.zeros_like(net.cpt(v)) for v in net.variables[:1]}  # P(anything) = 0
    zero[net.variables[0]][0] = 1.0
    bad = net.with_cpts(zero)
    state = net.states[net.variables[0]][1]
    with pytest.raises(ImpossibleEvidenceError, match="probability zero"):
        bad.marginals(given={net.variables[0]: state})
    m = bad.marginals(given={net.variables[0]: [state, None]})
    assert m.impossible.tolist() == [True, False]
    assert np.isnan(m.prob(net.variables[1], net.states[net.variables[1]][0])[0])
