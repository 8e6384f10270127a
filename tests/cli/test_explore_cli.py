"""``estimative explore`` and ``estimative brief --explore``: the page's file and its link."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from estimative import Network
from estimative.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "models" / "example"


def _data(page: Path) -> dict:
    m = re.search(
        r"<script type='application/json' id='estimative-data'>(.*?)</script>",
        page.read_text(),
        re.S,
    )
    assert m
    return json.loads(m.group(1))


def test_explore_writes_one_page_with_every_combination(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_net: Network, enumerate_posterior
) -> None:
    out = tmp_path / "x.html"
    assert main(["explore", str(EXAMPLE), "-o", str(out), "--draws", "100", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["model_hash"] == example_net.model_hash and Path(printed["file"]) == out
    data = _data(out)
    n = (1 + len(example_net.spec.policies)) * (1 + len(example_net.spec.scenarios))
    assert len(data["combos"]) == n
    # A number of the page against brute-force enumeration of the joint (tests/reference.py).
    do = example_net.spec.policy("private_channel").do
    given = example_net.spec.scenario("high_provocation").given
    ref = enumerate_posterior(example_net, "armed_clash", given=given, do=do)
    got = data["combos"]["private_channel|high_provocation"]["marginals"]["armed_clash"]
    assert got == pytest.approx(list(ref), abs=1e-12)


def test_explore_rejects_an_unknown_policy_naming_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["explore", str(EXAMPLE), "-o", str(tmp_path / "x.html"), "--policy", "privat"])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown policy 'privat'" in err and "private_channel" in err
    assert not (tmp_path / "x.html").exists()


def test_brief_explore_links_the_html_brief_to_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["brief", str(EXAMPLE), "--draws", "100", "--date", "2017-05-20", "-o", str(tmp_path)]
    assert main([*args, "--explore"]) == 0
    assert (tmp_path / "explore.html").is_file()
    assert '<a href="explore.html">' in (tmp_path / "brief.html").read_text()
    assert main([*args, "-o", str(tmp_path / "plain")]) == 0
    assert "explore.html" not in (tmp_path / "plain" / "brief.html").read_text()
