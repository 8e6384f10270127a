"""``estimative query --trajectory``: slice by slice and so far, per policy, with bands and a
chart; every number checked against an independent calculation on the same network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estimative import Network
from estimative.cli import main

DYNAMIC = "models/escalation_dynamic"
LABELS = ["2017H2", "2018H1", "2018H2"]


def test_trajectory_json_per_policy_matches_plain_queries(
    capsys: pytest.CaptureFixture[str],
) -> None:
    net = Network.from_file(DYNAMIC)
    assert (
        main(["query", DYNAMIC, "--target", "clash", "--trajectory", "--each-policy", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["model_hash"] == net.model_hash and out["state"] == "yes"
    assert set(out["alternatives"]) == {"baseline", "restraint", "red_line", "channel"}
    for name, traj in out["alternatives"].items():
        policy = None if name == "baseline" else name
        for i, lab in enumerate(LABELS):
            in_slice = net.query(f"clash@{lab}", policy=policy)["yes"]
            assert traj["probs"]["yes"][i] == pytest.approx(in_slice, abs=1e-12)
        # so far, at the horizon: the model's own window node
        horizon = net.query("clash@2017H2..2018H2", policy=policy)["yes"]
        assert traj["highest_so_far"]["yes"][-1] == pytest.approx(horizon, abs=1e-12)


def test_trajectory_with_draws_writes_a_chart_and_prints_bands(tmp_path: Path, capsys) -> None:
    chart = tmp_path / "t.svg"
    args = ["query", DYNAMIC, "--target", "clash", "--trajectory", "--draws", "200"]
    assert main([*args, "--policy", "red_line", "--chart", str(chart)]) == 0
    text = capsys.readouterr().out
    assert "so far, 90% interval" in text and "200 parameter draws (seed 0)" in text
    assert chart.read_text().startswith("<?xml")
    assert main([*args, "--json", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = out["alternatives"]["baseline"]["slices"]
    assert [r["label"] for r in rows] == LABELS
    assert all(r["so_far"]["low"] <= r["so_far"]["point"] <= r["so_far"]["high"] for r in rows)
    # so far never falls, in every draw's point and at the model's numbers
    points = [r["so_far"]["point"] for r in rows]
    assert points == sorted(points)


def test_trajectory_usage_errors_name_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", DYNAMIC, "--target", "clash@2018H1", "--trajectory"]) != 0
    assert "--trajectory takes the variable without a slice" in capsys.readouterr().err
    assert main(["query", DYNAMIC, "--target", "clash@2018H1", "--draws", "10"]) != 0
    assert "--draws goes with --trajectory" in capsys.readouterr().err
    assert main(["query", "models/example", "--target", "armed_clash", "--trajectory"]) != 0
    assert "has no time slices" in capsys.readouterr().err


def test_a_window_the_model_did_not_name_is_answered_exactly(capsys) -> None:
    """P(a high tension in 2018H1 or 2018H2) by enumerating the two slices' joint."""
    net = Network.from_file(DYNAMIC)
    assert main(["query", DYNAMIC, "--target", "tension@2018H1..2018H2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    joint = net.query_joint(["tension@2018H1", "tension@2018H2"])
    both_low = joint[("low", "low")]
    assert out["probabilities"]["high"] == pytest.approx(1 - both_low, abs=1e-12)
    assert out["model_hash"] == net.model_hash
