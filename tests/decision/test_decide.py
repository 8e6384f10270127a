"""The ``decide`` command: JSON and text output, weights, trees and decision tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estimative import Network, load_model
from estimative.cli import main

ROOT = Path(__file__).resolve().parents[2]
OIL = ROOT / "models" / "oil_wildcatter"
UMBRELLA = ROOT / "models" / "umbrella"
KOREA = ROOT / "models" / "korea_2017"


# ------------------------------------------------------------------------------ command
def test_decide_json_oil(capsys: pytest.CaptureFixture[str], tmp_path: Path, oil: Network) -> None:
    tree = tmp_path / "oil.svg"
    assert (
        main(["decide", str(OIL), "--draws", "200", "--seed", "3", "--tree", str(tree), "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["model_hash"] == oil.model_hash and out["meu"] == pytest.approx(22.5)
    assert out["best"] == "optimal_rules"
    rows = {r["id"]: r for r in out["alternatives"]}
    assert rows["test=no,drill=yes"]["expected_utility"] == pytest.approx(20.0)
    assert rows["baseline"]["prob_best"] is None
    assert sum(r["prob_best"] or 0 for r in out["alternatives"]) == pytest.approx(1.0)
    drill = next(r for r in out["rules"] if r["decision"] == "drill")
    choice = {
        r["configuration"]["seismic_result"]: r["choice"] for r in drill["rows"] if r["reachable"]
    }
    assert choice == {"closed": "yes", "open": "yes", "diffuse": "no"}
    voi = {r["variable"]: r["value"] for r in out["value_of_information"]["rows"]}
    assert voi["oil_amount"] == pytest.approx(35.0)
    assert out["tree"] == str(tree) and tree.read_text().startswith("<?xml")


def test_decide_text_and_weights(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        main(
            [
                "decide",
                str(UMBRELLA),
                "--draws",
                "0",
                "--weights",
                "satisfaction=2",
                "--tree",
                str(tmp_path / "t.md"),
                "--weight-map",
                "satisfaction",
                "satisfaction",
                str(tmp_path / "w.svg"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "must differ" in err and "Traceback" not in err
    assert (
        main(
            [
                "decide",
                str(UMBRELLA),
                "--draws",
                "0",
                "--weights",
                "satisfaction=2",
                "--tree",
                str(tmp_path / "t.md"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "satisfaction=2 (set)" in out and "154.000" in out  # 2 x 77
    assert "umbrella = leave if forecast is sunny or cloudy; take if forecast is rainy" in out
    assert "forecast" in out and "EVSI" in out
    assert (tmp_path / "t.md").read_text().startswith("Decision tree")
    assert main(["decide", str(UMBRELLA), "--weights", "comfort=1"]) == 2
    assert "unknown utility attribute 'comfort'" in capsys.readouterr().err
    assert main(["decide", str(UMBRELLA), "--weights", "satisfaction"]) == 2
    assert "ATTRIBUTE=WEIGHT" in capsys.readouterr().err


def test_decide_flagship(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tree = tmp_path / "korea.png"
    assert main(["decide", str(KOREA), "--draws", "100", "--tree", str(tree)]) == 0
    out = capsys.readouterr().out
    spec = load_model(KOREA)
    for p in spec.policies:
        assert p.id in out
    assert "90% interval" in out and "P(best)" in out
    assert "top indicators by EVSI" in out
    assert tree.stat().st_size > 10_000


def test_decide_table_json(capsys: pytest.CaptureFixture[str], oil: Network) -> None:
    assert main(["decide", str(OIL), "--draws", "0", "--table", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    table = {r["id"]: r["expected_utility"] for r in out["decision_table"]}
    assert table == pytest.approx(
        {
            "test=yes,drill=yes": 10.0,
            "test=yes,drill=no": -10.0,
            "test=no,drill=yes": 20.0,
            "test=no,drill=no": 0.0,
        }
    )
    assert all(r["low"] is None and r["prob_best"] is None for r in out["alternatives"])
