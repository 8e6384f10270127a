"""The command line's conventions: one random stream per analysis, errors named by the flag the
user typed, strict JSON."""

from __future__ import annotations

import json

import pytest

from estimative.cli import main


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    text = capsys.readouterr().out

    def no_nan(name: str) -> None:
        raise AssertionError(f"{name} in the JSON output")

    return json.loads(text, parse_constant=no_nan)


def test_sobol_indices_do_not_depend_on_the_interval_draws(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The interval and the Sobol indices draw from their own streams of --seed: more draws for
    the interval leave the Sobol rows exactly as they were."""
    base = [
        "sensitivity",
        "models/example",
        "--target",
        "armed_clash",
        "--policy",
        "status_quo",
        "--sobol-n",
        "64",
        "--seed",
        "7",
    ]
    few = _json(capsys, *base, "--draws", "500")
    many = _json(capsys, *base, "--draws", "2000")
    assert few["sobol"] == many["sobol"]
    assert few["sobol"]["indices"]  # there are rows to compare
    # The interval did change: the test would catch Sobol following it.
    assert few["interval"]["valid_draws"] == 500 and many["interval"]["valid_draws"] == 2000
    assert (
        few["interval"]["low"] != many["interval"]["low"]
        or few["interval"]["high"] != many["interval"]["high"]
    )
    assert few["interval"]["mean"] != many["interval"]["mean"]
    # Another seed moves the Sobol estimates: the seed reaches them.
    other = _json(capsys, *base[:-1], "8", "--draws", "500")
    assert other["sobol"]["indices"] != few["sobol"]["indices"]


def test_same_seed_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["decide", "models/umbrella", "--draws", "100", "--seed", "5"]
    assert _json(capsys, *args) == _json(capsys, *args)


@pytest.mark.parametrize(
    ("argv", "flag", "fix"),
    [
        (
            ["sensitivity", "models/example", "--target", "armed_clash", "--draws", "0"],
            "--draws",
            "e.g. --draws 2000",
        ),
        (
            ["sensitivity", "models/example", "--target", "armed_clash", "--top", "0"],
            "--top",
            "e.g. --top 10",
        ),
        (
            ["sensitivity", "models/example", "--target", "armed_clash", "--level", "1.5"],
            "--level",
            "e.g. --level 0.9",
        ),
        (
            ["sensitivity", "models/example", "--target", "armed_clash", "--sobol-n", "100"],
            "--sobol-n",
            "e.g. --sobol-n 512",
        ),
        (
            ["sensitivity", "models/example", "--target", "armed_clash", "--seed", "-1"],
            "--seed",
            "e.g. --seed 0",
        ),
        (["decide", "models/umbrella", "--draws", "-1"], "--draws", "e.g. --draws 2000"),
        (["brief", "models/example", "--seed", "-1", "-o", "unused"], "--seed", "e.g. --seed 0"),
    ],
)
def test_errors_name_the_flag(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str, fix: str
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {flag}: ") and fix in err and "Traceback" not in err


def test_json_error_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["sensitivity", "models/example", "--target", "armed_clash", "--draws", "0", "--json"])
        == 2
    )
    problem = json.loads(capsys.readouterr().out)["error"]["problems"][0]
    assert problem["field"] == "--draws" and problem["found"] == "0"


def test_decide_json_is_strict(capsys: pytest.CaptureFixture[str]) -> None:
    """The baseline's P(best) is NaN in the library and null in the JSON, never NaN."""
    out = _json(capsys, "decide", "models/umbrella", "--draws", "50")
    base = next(r for r in out["alternatives"] if r["id"] == "baseline")
    assert base["prob_best"] is None


def test_the_interval_is_recomputed_from_its_stream(
    capsys: pytest.CaptureFixture[str], example_net
) -> None:
    """docs/cli.md: the API gives the same interval with ``rng=stream(make_rng(S), "interval")``."""
    from estimative._random import make_rng, stream
    from estimative.uncertainty import query_interval

    out = _json(
        capsys,
        "sensitivity",
        "models/example",
        "--target",
        "armed_clash",
        "--policy",
        "status_quo",
        "--draws",
        "300",
        "--sobol-n",
        "64",
        "--seed",
        "11",
    )
    iv = query_interval(
        example_net,
        "armed_clash",
        "yes",
        policy="status_quo",
        draws=300,
        rng=stream(make_rng(11), "interval"),
        level=0.9,
    )
    assert out["interval"]["low"] == iv.low and out["interval"]["high"] == iv.high
