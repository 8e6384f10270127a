"""Claims: evaluated by exact inference, compared with pgmpy, violated claims located in the file."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from pgmpy.inference import VariableElimination

from estimative import Network
from estimative.claims import check_claims, compare, describe_query, evaluate_claims
from estimative.spec import QueryRef

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "models" / "example"


def _pgmpy_prob(net: Network, target: str, state: str, do: dict[str, str]) -> float:
    """Reference: P(target=state | do(...)) by pgmpy variable elimination on the mutilated graph."""
    model = net.to_pgmpy()
    if do:
        # pgmpy's do() cuts the incoming edges (leaving a marginal CPT); conditioning on the
        # now parentless variables then clamps them, which is the intervention.
        model = model.do(list(do))
    ve = VariableElimination(model)
    evidence = dict(do)
    if target in evidence:
        return float(evidence[target] == state)
    return float(
        ve.query([target], evidence=evidence or None, show_progress=False).get_value(
            **{target: state}
        )
    )


def test_compare_strict_and_tolerant() -> None:
    assert compare(0.3, ">", 0.2) and not compare(0.2, ">", 0.3)
    assert not compare(0.2, ">", 0.2) and not compare(0.2, "<", 0.2)
    assert compare(0.2, ">=", 0.2) and compare(0.2, "<=", 0.2)
    assert not compare(0.2 + 1e-15, ">", 0.2)  # rounding noise is not a direction
    assert not compare(math.nan, "<", 0.5)


def test_describe_query_names_every_condition() -> None:
    q = QueryRef(
        target="armed_clash",
        states=["no", "yes"],
        policy="status_quo",
        do={"a": "x"},
        given={"b": "y"},
    )
    assert describe_query(q) == "P(armed_clash in {no, yes} | policy status_quo, do(a=x), b=y)"
    ev = QueryRef.model_validate({"event": {"any_of": [{"a": "x"}, {"b": "y"}]}})
    assert describe_query(ev) == "P((a=x) or (b=y))"


def test_example_claims_match_pgmpy(example_net: Network) -> None:
    results = evaluate_claims(example_net)
    assert [r.id for r in results] == ["bluster_raises_risk", "channel_lowers_risk"]
    r = results[0]
    # P(armed_clash=yes | do(us_rhetoric=bluster)) vs do(measured), by pgmpy.
    ref_left = _pgmpy_prob(example_net, "armed_clash", "yes", {"us_rhetoric": "bluster"})
    ref_right = _pgmpy_prob(example_net, "armed_clash", "yes", {"us_rhetoric": "measured"})
    assert r.left == pytest.approx(ref_left, abs=1e-12)
    assert r.right == pytest.approx(ref_right, abs=1e-12)
    assert r.holds is (ref_left > ref_right)
    # The second claim compares two policies on misread_intent.
    pol = {p.id: p.do for p in example_net.spec.policies}
    r2 = results[1]
    assert r2.left == pytest.approx(
        _pgmpy_prob(example_net, "misread_intent", "yes", pol["private_channel"]), abs=1e-12
    )
    assert r2.right == pytest.approx(
        _pgmpy_prob(example_net, "misread_intent", "yes", pol["status_quo"]), abs=1e-12
    )
    assert check_claims(example_net) == []


def test_claim_against_a_fixed_number(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "model.yaml").read_text()
    text = text.replace(
        "claims:\n",
        "claims:\n"
        "  - id: clash_rare\n"
        "    text: An unchosen clash is rare.\n"
        "    source: seed\n"
        "    quote: which may increase the risk of miscalculation\n"
        '    left: {target: armed_clash, state: "yes"}\n'
        '    op: "<"\n'
        "    right: 0.01\n",
        1,
    )
    (folder / "model.yaml").write_text(text)
    net = Network.from_file(folder)
    ref = _pgmpy_prob(net, "armed_clash", "yes", {})
    res = evaluate_claims(net)[0]
    assert res.left == pytest.approx(ref, abs=1e-12) and res.right == 0.01
    assert res.holds is (ref < 0.01)
    problems = check_claims(net)
    assert len(problems) == (0 if ref < 0.01 else 1)


def test_violated_claim_is_located_and_names_both_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(EXAMPLE, folder)
    path = folder / "model.yaml"
    text = path.read_text()
    # Turn the first claim around: now it says bluster LOWERS the risk, which the model denies.
    flipped = text.replace('    op: ">"\n', '    op: "<"\n', 1)
    assert flipped != text
    path.write_text(flipped)
    net = Network.from_file(folder)
    problems = check_claims(net)
    assert len(problems) == 1
    p = problems[0]
    left = _pgmpy_prob(net, "armed_clash", "yes", {"us_rhetoric": "bluster"})
    right = _pgmpy_prob(net, "armed_clash", "yes", {"us_rhetoric": "measured"})
    assert f"{left:.4f}" in p.message and f"{right:.4f}" in p.message
    assert "bluster_raises_risk" in p.message
    assert p.file is not None and p.file.endswith("model.yaml")
    claim_line = next(
        i for i, line in enumerate(flipped.splitlines(), 1) if "id: bluster_raises_risk" in line
    )
    assert p.line == claim_line
    assert p.field == "claims[0]"


def test_claims_in_a_sibling_file_are_located_there(tmp_path: Path) -> None:
    import yaml

    folder = tmp_path / "m"
    shutil.copytree(EXAMPLE, folder)
    data = yaml.safe_load((folder / "model.yaml").read_text())
    claims = data.pop("claims")
    claims[1]["op"] = ">"  # the private channel now "raises" misreading: false
    text = (folder / "model.yaml").read_text()
    start = text.index("\nclaims:\n")
    end = text.index("\nquestions:\n")
    (folder / "model.yaml").write_text(text[:start] + text[end:])
    (folder / "claims.yaml").write_text(yaml.safe_dump({"claims": claims}, sort_keys=False))
    problems = check_claims(Network.from_file(folder))
    assert len(problems) == 1
    assert problems[0].file.endswith("claims.yaml") and problems[0].field == "claims[1]"
    lines = (folder / "claims.yaml").read_text().splitlines()
    assert "channel_lowers_risk" in lines[problems[0].line - 1]


def test_validate_command_exits_2_on_a_violated_claim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from estimative.cli import main

    folder = tmp_path / "m"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "model.yaml").read_text()
    (folder / "model.yaml").write_text(text.replace('    op: ">"\n', '    op: "<="\n', 1))
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "bluster_raises_risk" in err and "does not hold" in err
    assert main(["validate", str(EXAMPLE)]) == 0
