"""`estimative learn` and `estimative sensitivity --by-analyst` (issue 13), checked against
the library's independent pieces: the CSV's own SHA-256, the model file as written, pgmpy's
BayesianEstimator and each analyst's own model queried by pgmpy."""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from estimative import Network, load_model
from estimative.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_learn_writes_a_new_model_folder_with_provenance(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from pgmpy.sampling import BayesianModelSampling

    prior = Network.from_file(ROOT / "models" / "example")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = BayesianModelSampling(prior.to_pgmpy()).forward_sample(
            size=200, seed=11, show_progress=False
        )
    csv = tmp_path / "cases.csv"
    cases.astype(str).to_csv(csv, index=False)
    out = tmp_path / "learned"
    d = _run(capsys, "learn", str(ROOT / "models" / "example"), str(csv), "-o", str(out))
    assert d["rows"] == 200 and d["method"] == "conjugate"
    assert d["data_hash"] == hashlib.sha256(csv.read_bytes()).hexdigest()[:16]
    new = load_model(out)
    assert new.model_hash == d["new_model_hash"] != prior.model_hash
    old = load_model(ROOT / "models" / "example")
    for v in old.variables:
        cpt = new.variable(v.id).cpt
        assert cpt.learned is not None and cpt.learned.rows == 200
        assert cpt.learned.data_hash == d["data_hash"] and cpt.learned.model_hash == old.model_hash
        assert cpt.prior == v.cpt  # the elicited CPT is kept as the analyst wrote it
        assert cpt.sources == v.cpt.sources  # and its quotes still check against the sources
        # the new table: (prior strength x elicited + counts) / total, counted here by hand
        pars = list(old.variable(v.id).parents)
        s = np.asarray(cpt.learned.prior_strength).reshape(v.table.shape[1:])
        n = np.zeros(v.table.shape)
        for _, row in cases.astype(str).iterrows():
            idx = tuple(old.variable(u).states.index(row[u]) for u in (v.id, *pars))
            n[idx] += 1
        post = s[np.newaxis] * v.table + n
        assert new.variable(v.id).table == pytest.approx(post / post.sum(axis=0), abs=1e-12)
    assert main(["learn", str(ROOT / "models" / "example"), str(csv), "-o", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err


def test_sensitivity_by_analyst_prints_each_analysts_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pgmpy.inference import VariableElimination

    path = str(ROOT / "models" / "example_analysts")
    d = _run(
        capsys, "sensitivity", path, "--target", "armed_clash=yes", "--by-analyst", "--draws", "300"
    )
    rows = {r["analyst"]: r for r in d["by_analyst"]["analysts"]}
    # analyst A's numbers are models/example's: pgmpy on that model
    ve = VariableElimination(Network.from_file(ROOT / "models" / "example").to_pgmpy())
    want = ve.query(["armed_clash"], show_progress=False).values[1]
    assert rows["A"]["point"] == pytest.approx(want, abs=1e-12)
    assert rows["A"]["term"] == "very unlikely" and rows["B"]["term"] == "unlikely"
    assert d["by_analyst"]["changes_judgment"] is True
    assert d["by_analyst"]["pooled"] == pytest.approx(
        Network.from_file(path).query("armed_clash")["yes"], abs=1e-12
    )
    assert main(["sensitivity", path, "--target", "armed_clash=yes", "--by-analyst"]) == 0
    text = capsys.readouterr().out
    assert "Analyst A (regional specialist)" in text and "disagree enough" in text


def test_a_two_analyst_brief_says_where_they_disagree(tmp_path: Path) -> None:
    assert (
        main(
            [
                "brief",
                str(ROOT / "models" / "example_analysts"),
                "-o",
                str(tmp_path),
                "--draws",
                "200",
            ]
        )
        == 0
    )
    md = (tmp_path / "brief.md").read_text()
    assert (
        "Analysts disagree enough to change the judgment: A (0.075) judges this very unlikely, B (0.26) unlikely"
        in md
    )
