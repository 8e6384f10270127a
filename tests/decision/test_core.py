"""The utility model (decision._core): weight overrides, the utilities schema with located
errors, and the flagship's utilities.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from estimative import ModelError, Network, UsageError, load_model
from estimative.decision import (
    expected_utilities,
    solve,
    utility_model,
)

ROOT = Path(__file__).resolve().parents[2]
KOREA = ROOT / "models" / "korea_2017"


def test_weight_overrides(example_with_utilities: Path) -> None:
    net = Network.from_file(example_with_utilities)
    base = expected_utilities(net)
    heavy = expected_utilities(net, weights={"peace": 2.0})
    i = base.attributes.index("peace")
    assert heavy.attribute_values == pytest.approx(base.attribute_values)
    assert heavy.contributions[:, i] == pytest.approx(2.0 * base.attribute_values[:, i])
    u = utility_model(net, weights={"peace": 2.0})
    assert u.overridden == {"peace": 2.0} and u.file_weights["peace"] == 0.6
    with pytest.raises(UsageError, match="did you mean 'peace'"):
        utility_model(net, weights={"paece": 1.0})
    with pytest.raises(UsageError, match="non-negative"):
        utility_model(net, weights={"peace": -1.0})
    with pytest.raises(UsageError, match="every weight is 0"):
        utility_model(net, weights={"peace": 0, "clarity": 0})


# ------------------------------------------------------------------------------ schema
def _model_with_utilities(tmp_path: Path, utilities: str, extra_var: str = "") -> Path:
    folder = tmp_path / "m"
    folder.mkdir(exist_ok=True)
    (folder / "model.yaml").write_text(
        """format: estimative/1
title: t
as_of: 2020-01-01
variables:
  - id: rain
    label: rain
    states: ["no", "yes"]
    cpt: {table: {"no": 0.7, "yes": 0.3}}
  - id: umbrella
    label: umbrella
    states: [take, leave]
    kind: decision
    cpt: {table: {take: 0.5, leave: 0.5}}
"""
        + extra_var
    )
    (folder / "utilities.yaml").write_text(utilities)
    return folder


def _problems(path: Path) -> list[str]:
    with pytest.raises(ModelError) as exc:
        load_model(path)
    return [str(p) for p in exc.value.problems]


GOOD_ROWS = """        - {when: {rain: "no", umbrella: take}, value: 20}
        - {when: {rain: "no", umbrella: leave}, value: 100}
        - {when: {rain: "yes", umbrella: take}, value: 70}
"""


def test_schema_errors_name_file_line_and_fix(tmp_path: Path) -> None:
    text = """utilities:
  attributes:
    - id: comfort
      label: comfort
      over: [rian, umbrella]
      weight: 1
      rationale: why
      values:
        - {when: {rain: "no", umbrella: take}, value: 20}
"""
    probs = _problems(_model_with_utilities(tmp_path, text))
    assert any(
        "utilities.yaml:5" in p and "unknown variable 'rian'" in p and "did you mean 'rain'" in p
        for p in probs
    ), probs

    text = (
        "utilities:\n  attributes:\n    - id: comfort\n      label: comfort\n      over: [rain, umbrella]\n"
        "      weight: 1\n      rationale: why\n      values:\n" + GOOD_ROWS
    )
    probs = _problems(_model_with_utilities(tmp_path, text))
    assert any(
        "utilities.yaml:8" in p and "no value for (rain=yes, umbrella=leave)" in p for p in probs
    ), probs

    bad_state = text + '        - {when: {rain: "yes", umbrella: leeve}, value: 0}\n'
    probs = _problems(_model_with_utilities(tmp_path, bad_state))
    assert any(
        "utilities.yaml:12" in p
        and "'leeve' is not a state of 'umbrella'" in p
        and "did you mean 'leave'" in p
        for p in probs
    ), probs

    dup = text + '        - {when: {rain: "yes", umbrella: take}, value: 0}\n'
    probs = _problems(_model_with_utilities(tmp_path, dup))
    assert any("duplicate row (rain=yes, umbrella=take)" in p for p in probs), probs


def test_schema_weights_and_rationales(tmp_path: Path) -> None:
    base = (
        "utilities:\n  attributes:\n    - id: dry\n      label: dry\n      over: [rain]\n"
        '      values: {"no": 100, "yes": 0}\n'
    )
    probs = _problems(
        _model_with_utilities(tmp_path, base + "      weight: -1\n      rationale: why\n")
    )
    assert any(
        "utilities.yaml:7" in p and "weight" in p and "greater than or equal to 0" in p
        for p in probs
    ), probs
    probs = _problems(_model_with_utilities(tmp_path, base + "      weight: 1\n"))
    assert any("missing required field 'rationale'" in p for p in probs), probs
    probs = _problems(
        _model_with_utilities(tmp_path, base + '      weight: 1\n      rationale: "  "\n')
    )
    assert any("the weight of 'dry' has no rationale" in p for p in probs), probs
    probs = _problems(
        _model_with_utilities(tmp_path, base + "      weight: 0\n      rationale: r\n")
    )
    assert any("every weight is 0" in p for p in probs), probs
    probs = _problems(
        _model_with_utilities(
            tmp_path, base + "      weight: 1\n      rationale: r\n      wieght: 2\n"
        )
    )
    assert any("unknown key 'wieght'" in p and "did you mean 'weight'" in p for p in probs), probs
    multi = (
        "utilities:\n  attributes:\n    - id: dry\n      label: dry\n      over: [rain, umbrella]\n"
        '      values: {"no": 100, "yes": 0}\n      weight: 1\n      rationale: r\n'
    )
    probs = _problems(_model_with_utilities(tmp_path, multi))
    assert any("a mapping of states gives values over one variable only" in p for p in probs), probs
    ok = load_model(_model_with_utilities(tmp_path, base + "      weight: 1\n      rationale: r\n"))
    assert ok.utilities is not None and ok.utilities.attributes[0].table.tolist() == [100.0, 0.0]
    assert not hasattr(ok, "extensions")  # no catch-all section: unknown top-level keys are errors
    folder = _model_with_utilities(tmp_path, base + "      weight: 1\n      rationale: r\n")
    with open(folder / "model.yaml", "a") as fh:
        fh.write("extensions: {x: 1}\n")
    probs = _problems(folder)
    assert any("unknown key 'extensions'" in p for p in probs), probs


def test_decisions_cannot_observe_their_consequences(tmp_path: Path) -> None:
    util = (
        "utilities:\n  attributes:\n    - id: dry\n      label: dry\n      over: [rain]\n"
        '      values: {"no": 100, "yes": 0}\n      weight: 1\n      rationale: r\n'
    )
    wet = """  - id: wet
    label: wet
    states: ["no", "yes"]
    parents: [umbrella]
    cpt:
      table:
        - {when: {umbrella: take}, probs: {"no": 0.9, "yes": 0.1}}
        - {when: {umbrella: leave}, probs: {"no": 0.5, "yes": 0.5}}
  - id: second
    label: second
    states: [a, b]
    kind: decision
    observes: [OBS]
    cpt: {table: {a: 0.5, b: 0.5}}
"""
    folder = _model_with_utilities(tmp_path, util, wet.replace("OBS", "umbrella"))
    assert any("observes the decision 'umbrella'" in p for p in _problems(folder))
    folder = _model_with_utilities(tmp_path, util, wet.replace("OBS", "rain"))
    load_model(folder)  # observing an unaffected chance variable is fine
    model = (
        (folder / "model.yaml")
        .read_text()
        .replace(
            "kind: decision\n    cpt: {table: {take",
            "kind: decision\n    observes: [wet]\n    cpt: {table: {take",
        )
    )
    (folder / "model.yaml").write_text(model)
    probs = _problems(folder)
    assert any(
        "model.yaml" in p and "'umbrella' observes 'wet', which depends on 'umbrella' itself" in p
        for p in probs
    ), probs


def test_weight_sets_are_checked_with_file_line_and_fix(tmp_path: Path) -> None:
    base = (
        "utilities:\n  attributes:\n    - id: dry\n      label: dry\n      over: [rain]\n"
        '      values: {"no": 100, "yes": 0}\n      weight: 1\n      rationale: r\n'
        "  weight_sets:\n"
    )
    good = "    - id: theirs\n      label: Theirs\n      weights: {dry: 2}\n      rationale: r\n"
    spec = load_model(_model_with_utilities(tmp_path, base + good))
    assert spec.utilities.weight_set("theirs").weights == {"dry": 2.0}
    with pytest.raises(Exception, match="did you mean 'theirs'"):
        spec.utilities.weight_set("their")
    probs = _problems(_model_with_utilities(tmp_path, base + good.replace("{dry: 2}", "{dyr: 2}")))
    assert any(
        "utilities.yaml:12" in p and "unknown attribute 'dyr'" in p and "did you mean 'dry'" in p
        for p in probs
    ), probs
    probs = _problems(_model_with_utilities(tmp_path, base + good.replace("{dry: 2}", "{dry: 0}")))
    assert any("weight set 'theirs' makes every weight 0" in p for p in probs), probs
    probs = _problems(_model_with_utilities(tmp_path, base + good + good))
    assert any("duplicate weight set id 'theirs'" in p for p in probs), probs
    probs = _problems(
        _model_with_utilities(tmp_path, base + good.replace("rationale: r", 'rationale: " "'))
    )
    assert any("weight set 'theirs' has no rationale" in p for p in probs), probs
    quoted = good + "      sources:\n        - {source: nowhere, quote: not in any document}\n"
    probs = _problems(_model_with_utilities(tmp_path, base + quoted))
    assert any("weight_sets[0].sources[0]" in p for p in probs), probs


def test_model_without_utilities_is_a_clear_error(example_net: Network) -> None:
    with pytest.raises(ModelError, match="no utilities"):
        solve(example_net)


# ------------------------------------------------------------------------------ flagship
def test_flagship_utilities() -> None:
    spec = load_model(KOREA)
    assert spec.utilities is not None
    written = spec.template.utilities
    ids = {a.id for a in written.attributes}
    assert ids == {
        "war_avoided",
        "homeland_safe",
        "programme_checked",
        "alliance_cohesion",
        "china_cooperation",
        "talks_going",
    }
    for a in spec.utilities.attributes:
        assert len(a.rationale.split()) >= 10 and a.sources
        assert a.table.min() == 0 and a.table.max() == 100
    assert sum(a.weight for a in written.attributes) == pytest.approx(1.0)
    # a dynamic model's slices share their attribute's weight
    assert sum(a.weight for a in spec.utilities.attributes) == pytest.approx(1.0)
    rok = spec.utilities.weight_set("rok")
    assert set(rok.weights) == ids and sum(rok.weights.values()) == pytest.approx(1.0)
