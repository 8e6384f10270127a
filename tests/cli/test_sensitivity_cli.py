"""`estimative sensitivity`: the JSON it prints against independent recomputation, charts
written atomically, user errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estimative import Network
from estimative.cli import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_matches_recomputation_and_charts_are_written(
    example_net: Network, capsys, tmp_path, enumerate_posterior, covaried
) -> None:
    charts = tmp_path / "charts"
    code, out, _ = _run(
        capsys,
        "sensitivity",
        "models/example",
        "--target",
        "armed_clash",
        "--policy",
        "status_quo",
        "--draws",
        "500",
        "--sobol-n",
        "128",
        "--top",
        "3",
        "--chart-dir",
        str(charts),
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    assert (
        doc["model_hash"] == example_net.model_hash and doc["state"] == "yes"
    )  # the model's outcome state
    do = example_net.resolve(policy="status_quo").do
    assert doc["interval"]["point"] == pytest.approx(
        enumerate_posterior(example_net, "armed_clash", do=do)[1], abs=1e-12
    )
    assert doc["interval"]["low"] < doc["interval"]["point"] < doc["interval"]["high"]
    # The numbers entered in models/example: 1 table cell (us_rhetoric), 1 verbal term
    # (private_channel), 6 table cells (nk_provocation), a noisy-MAX leak and 4 links
    # (misread_intent), 2 verbal terms (armed_clash): 15.
    assert len(doc["tornado"]) == 3 and doc["parameters"] == 15
    top = doc["tornado"][0]
    assert top["kind"] == "verbal"  # a two-state column: moving it is co-varying the cell
    moved = covaried(example_net, top["variable"], top["state"], top["parents"], top["high_x"])
    assert top["high_value"] == pytest.approx(
        enumerate_posterior(moved, "armed_clash", do=do)[1], abs=1e-12
    )
    assert doc["indicators"][0]["variable"] == "misread_intent"
    assert {r["group"] for r in doc["sobol"]["indices"]} == {
        "armed_clash",
        "misread_intent",
        "nk_provocation",
    }
    assert doc["sobol"]["evaluations"] == 128 * 5
    assert sorted(p.name for p in charts.iterdir()) == [
        "armed_clash-yes-indicators.svg",
        "armed_clash-yes-sobol.svg",
        "armed_clash-yes-tornado.svg",
    ]
    for path in doc["charts"]:
        assert Path(path).read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_text_output_names_every_section(capsys) -> None:
    code, out, _ = _run(
        capsys,
        "sensitivity",
        "models/example",
        "--target",
        "misread_intent=yes",
        "--given",
        "nk_provocation=high",
        "--draws",
        "200",
        "--sobol-n",
        "64",
    )
    assert code == 0
    for head in (
        "Interval over 200 parameter draws",
        "Tornado:",
        "Indicators to watch",
        "Sobol indices",
    ):
        assert head in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--target", "armed_clsh"], "did you mean 'armed_clash'"),
        (["--target", "armed_clash=maybe"], "not a state"),
        (["--target", "armed_clash", "--sobol-n", "100"], "power of 2"),
        (["--target", "armed_clash", "--policy", "nope"], "unknown policy"),
    ],
)
def test_user_errors_exit_2(capsys, argv, message) -> None:
    code, _, err = _run(capsys, "sensitivity", "models/example", *argv)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_flip_option_finds_where_the_two_policies_tie(capsys: pytest.CaptureFixture[str]) -> None:
    """The reported crossing, put back into the CPT by hand (its column's other entry takes the
    rest), makes the two policies' probabilities equal."""
    rc = main(
        [
            "sensitivity",
            "models/example",
            "--target",
            "armed_clash=yes",
            "--flip",
            "status_quo",
            "private_channel",
            "--draws",
            "50",
            "--sobol-n",
            "64",
            "--json",
        ]
    )
    assert rc == 0
    flip = json.loads(capsys.readouterr().out)["flip"]
    assert flip["policy_a"] == "status_quo" and flip["policy_b"] == "private_channel"
    first = flip["flips"][0]
    assert first["parameter"] == "P(armed_clash=yes | misread_intent=yes)"
    net = Network.from_file("models/example")
    cpt = net.cpt("armed_clash").copy()
    cpt[:, 1] = [1 - first["crossing"], first["crossing"]]
    moved = net.with_cpts({"armed_clash": cpt})
    a = moved.query("armed_clash", policy="status_quo")["yes"]
    b = moved.query("armed_clash", policy="private_channel")["yes"]
    assert a == pytest.approx(b, abs=1e-9)
    # At the model's own numbers the two differ (there is a ranking to reverse).
    assert flip["value_a"] == pytest.approx(
        net.query("armed_clash", policy="status_quo")["yes"], abs=1e-12
    )
    assert flip["value_b"] == pytest.approx(
        net.query("armed_clash", policy="private_channel")["yes"], abs=1e-12
    )
    assert flip["value_a"] != pytest.approx(flip["value_b"], abs=1e-6)
