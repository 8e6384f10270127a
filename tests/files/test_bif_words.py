"""BIF states of several words, unquoted, as pgmpy's BIF writer emits them
(``{ low value, high, very high }``, rows ``( low value )``): read as the states written, or
refused naming the line when the words cannot be told apart.

Reference: pgmpy, which writes these files and reads them back, with its exact inference.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from estimative import ModelError, Network
from estimative.cli import main


def _pgmpy_file(tmp_path: Path) -> tuple[Path, object]:
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork
    from pgmpy.readwrite import BIFWriter

    levels = ["low value", "high", "very high"]
    model = DiscreteBayesianNetwork([("income", "loan"), ("history", "loan")])
    model.add_cpds(
        TabularCPD("income", 3, [[0.2], [0.5], [0.3]], state_names={"income": levels}),
        TabularCPD(
            "history", 2, [[0.7], [0.3]], state_names={"history": ["no defaults", "a default"]}
        ),
        TabularCPD(
            "loan",
            2,
            [[0.1, 0.05, 0.5, 0.2, 0.8, 0.4], [0.9, 0.95, 0.5, 0.8, 0.2, 0.6]],
            evidence=["income", "history"],
            evidence_card=[3, 2],
            state_names={
                "loan": ["granted", "refused"],
                "income": levels,
                "history": ["no defaults", "a default"],
            },
        ),
    )
    path = tmp_path / "loan.bif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        BIFWriter(model).write_bif(str(path))
    return path, model


def test_pgmpy_multi_word_states_are_read_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pgmpy.inference import VariableElimination

    path, model = _pgmpy_file(tmp_path)
    text = path.read_text()
    assert "{ low value, high, very high }" in text and "( low value, a default )" in text
    net = Network.from_file(path)
    assert net.states["income"] == ("low value", "high", "very high")
    assert net.states["history"] == ("no defaults", "a default")
    ve = VariableElimination(model)
    for evidence in ({"income": "low value"}, {"income": "very high", "history": "a default"}):
        ref = ve.query(["loan"], evidence=evidence)
        post = net.query("loan", given=evidence)
        for state, p in zip(ref.state_names["loan"], ref.values, strict=True):
            assert post[state] == pytest.approx(float(p), abs=1e-12), evidence
    args = ["query", str(path), "--target", "loan", "--given", "income=very high", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    ref = ve.query(["loan"], evidence={"income": "very high"})
    assert out["probabilities"]["granted"] == pytest.approx(float(ref.values[0]), abs=1e-12)


def test_rows_without_commas_are_cut_by_the_parents_states(tmp_path: Path) -> None:
    path = tmp_path / "w.bif"
    path.write_text(
        "network w {\n}\n"
        "variable a {\n  type discrete [ 2 ] { low value, high };\n}\n"
        "variable b {\n  type discrete [ 2 ] { no, yes };\n}\n"
        "variable c {\n  type discrete [ 2 ] { off, on };\n}\n"
        "probability ( a ) {\n  table 0.4, 0.6;\n}\n"
        "probability ( b ) {\n  table 0.5, 0.5;\n}\n"
        "probability ( c | a, b ) {\n"
        "  ( low value no ) 0.1, 0.9;\n  ( low value yes ) 0.2, 0.8;\n"
        "  ( high no ) 0.3, 0.7;\n  ( high yes ) 0.4, 0.6;\n}\n"
    )
    net = Network.from_file(path)
    # hand calculation: P(c=on | a=low value) = 0.5 x 0.9 + 0.5 x 0.8
    assert net.query("c", given={"a": "low value"})["on"] == pytest.approx(0.85, abs=1e-15)


def test_words_that_cannot_be_told_apart_are_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.bif"
    path.write_text(
        "network bad {\n}\n"
        "variable a {\n  type discrete [ 3 ] { low value high very high };\n}\n"
        "probability ( a ) {\n  table 0.2, 0.3, 0.5;\n}\n"
    )
    with pytest.raises(ModelError) as err:
        Network.from_file(path)
    msg = str(err.value)
    assert "bad.bif:4" in msg and "declares 3 states but lists 5 words without commas" in msg
    assert "separate the states with commas" in msg
    assert "undeclared" not in msg  # one problem, not a cascade
    # a row whose words could be cut two ways is refused too
    path.write_text(
        "network bad {\n}\n"
        "variable a {\n  type discrete [ 2 ] { x, x y };\n}\n"
        "variable b {\n  type discrete [ 2 ] { y z, z };\n}\n"
        "variable c {\n  type discrete [ 2 ] { off, on };\n}\n"
        "probability ( a ) {\n  table 0.4, 0.6;\n}\n"
        "probability ( b ) {\n  table 0.5, 0.5;\n}\n"
        "probability ( c | a, b ) {\n  ( x y z ) 0.1, 0.9;\n  default 0.5, 0.5;\n}\n"
    )
    with pytest.raises(ModelError) as err:
        Network.from_file(path)
    assert "bad.bif:19" in str(err.value) and "cannot be told" in str(err.value)
