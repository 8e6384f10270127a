"""The sweep command: its JSON report, options overriding the file, refusals and bad options."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from estimative.cli import main
from estimative.sweep import read_sweep

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "models" / "example"
EXAMPLE_SWEEP = EXAMPLE / "sweeps" / "policies.yaml"


def test_cli_sweep_json_and_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    code = main(
        [
            "sweep",
            str(EXAMPLE_SWEEP),
            "--draws",
            "40",
            "--seed",
            "9",
            "--out",
            str(out),
            "--workers",
            "1",
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert (
        report["ok"]
        and report["rows"] == 40 * 3 * 3 * 4 * 2
        and report["draws"] == 40
        and report["seed"] == 9
    )
    assert Path(report["sidecar"]).is_file()
    df = read_sweep(out)
    assert set(df.policy) == {"baseline", "status_quo", "private_channel"}
    assert sorted(df.parameter_value.dropna().unique()) == [0.2, 0.5, 0.8]
    # the file's seed (2017) gives other rows than --seed 9
    code = main(
        [
            "sweep",
            str(EXAMPLE_SWEEP),
            "--draws",
            "40",
            "--out",
            str(tmp_path / "cli2"),
            "--workers",
            "1",
            "--json",
        ]
    )
    assert code == 0
    capsys.readouterr()
    assert not np.allclose(read_sweep(tmp_path / "cli2").probability, df.probability)
    # the same command again into the first folder with another seed: refused, exit 2, JSON error
    code = main(
        [
            "sweep",
            str(EXAMPLE_SWEEP),
            "--draws",
            "40",
            "--seed",
            "10",
            "--out",
            str(out),
            "--workers",
            "1",
            "--json",
        ]
    )
    assert code == 2
    err = json.loads(capsys.readouterr().out)
    assert (
        not err["ok"]
        and err["error"]["kind"] == "UsageError"
        and "seed: 9 in the folder, 10 now" in err["error"]["problems"][0]["message"]
    )


def test_bad_overrides_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", str(EXAMPLE_SWEEP), "--draws", "0", "--out", str(tmp_path / "o")]) == 2
    assert "draws must be an integer >= 1" in capsys.readouterr().err
    assert main(["sweep", str(EXAMPLE_SWEEP), "--workers", "0", "--out", str(tmp_path / "o2")]) == 2
    assert "workers must be an integer >= 1" in capsys.readouterr().err
