"""The estimative command: exit codes, --json output, no tracebacks for user mistakes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from estimative import Network
from estimative.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "estimative", *args], capture_output=True, text=True
    )


def test_query_json_matches_api(capsys: pytest.CaptureFixture[str], example_net: Network) -> None:
    rc = main(
        [
            "query",
            "models/example",
            "--target",
            "armed_clash",
            "--given",
            "nk_provocation=high",
            "--do",
            "private_channel=yes",
            "--json",
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    ref = example_net.query(
        "armed_clash", given={"nk_provocation": "high"}, do={"private_channel": "yes"}
    )
    assert out["probabilities"]["yes"] == pytest.approx(ref["yes"], abs=1e-15)
    assert out["model_hash"] == example_net.model_hash
    assert out["given"] == {"nk_provocation": "high"} and out["do"] == {"private_channel": "yes"}


def test_query_with_policy_scenario_and_soft(
    capsys: pytest.CaptureFixture[str], example_net: Network
) -> None:
    assert (
        main(
            [
                "query",
                "models/example",
                "--target",
                "misread_intent",
                "--policy",
                "status_quo",
                "--soft",
                "nk_provocation=1,1,4",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    ref = example_net.query(
        "misread_intent", policy="status_quo", soft={"nk_provocation": [1, 1, 4]}
    )
    assert out["probabilities"]["yes"] == pytest.approx(ref["yes"], abs=1e-15)


def test_validate_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "models/example", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["counts"]["variables"] == 5 and len(out["model_hash"]) == 16


def test_compare_prints_every_policy(
    capsys: pytest.CaptureFixture[str], example_net: Network
) -> None:
    assert main(["compare", "models/example", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["columns"] == ["baseline", "status_quo", "private_channel"]
    row = next(r for r in out["rows"] if r["target"] == "armed_clash")
    assert row["probabilities"]["private_channel"] == pytest.approx(
        example_net.query("armed_clash", policy="private_channel")["yes"], abs=1e-15
    )


def test_map_json(capsys: pytest.CaptureFixture[str], example_net: Network) -> None:
    assert main(["map", "models/example", "--given", "armed_clash=yes", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assignment"] == dict(example_net.map(given={"armed_clash": "yes"}).assignment)


@pytest.mark.parametrize(
    "args",
    [
        ["query", "models/example", "--target", "armed_clsh"],
        ["query", "models/example", "--target", "armed_clash", "--given", "nk_provocation"],
        ["query", "models/example", "--target", "armed_clash", "--policy", "nope"],
        ["query", "models/nowhere", "--target", "x"],
        ["show", "tests/data/broken_cycle.yaml"],
    ],
)
def test_user_errors_exit_2_without_traceback(args: list[str]) -> None:
    proc = run(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: ")


def test_json_errors_are_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "models/example", "--target", "armed_clsh", "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert (
        out["ok"] is False
        and "did you mean 'armed_clash'" in out["error"]["problems"][0]["message"]
    )


def test_impossible_evidence_is_a_user_error(tmp_path) -> None:
    proc = run(
        "query",
        "models/example",
        "--target",
        "armed_clash",
        "--given",
        "us_rhetoric=bluster",
        "--do",
        "us_rhetoric=measured",
    )
    assert proc.returncode == 2 and "probability zero" in proc.stderr


def test_every_command_has_help() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    commands = ["validate", "show", "query", "compare", "map"]
    for c in commands:
        assert c in proc.stdout
        sub = run(c, "--help")
        assert sub.returncode == 0 and "usage: estimative " + c in sub.stdout


def test_show_lists_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "models/example", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    by_id = {v["id"]: v for v in out["variables"]}
    assert by_id["nk_provocation"]["assumption"] is True and by_id["nk_provocation"]["rationale"]
    assert by_id["us_rhetoric"]["sources"][0]["quote"].startswith("Another side effect")
