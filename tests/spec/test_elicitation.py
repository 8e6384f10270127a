"""CPT forms expanded to full tables, checked against hand calculations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, load_model

HEAD = "title: t\nas_of: 2017-05-15\nvariables:\n"
BIN_ROOT = (
    "  - id: {id}\n    label: {id}\n    states: [absent, present]\n"
    "    cpt:\n      table: {{absent: 0.5, present: 0.5}}\n      assumption: true\n      rationale: r\n"
)


def _load(tmp_path: Path, body: str):
    f = tmp_path / "m.yaml"
    f.write_text(HEAD + BIN_ROOT.format(id="a") + BIN_ROOT.format(id="b") + body)
    return load_model(f)


def test_noisy_or_diez_matches_hand_calculation(tmp_path: Path) -> None:
    spec = _load(
        tmp_path,
        """  - id: y
    label: y
    states: ["no", "yes"]
    parents: [a, b]
    cpt:
      noisy_or:
        leak: 0.1
        causes: {a: {present: 0.5}, b: {present: 0.3}}
      assumption: true
      rationale: r
""",
    )
    t = spec.variable("y").table  # axes: y, a, b ; state 0 of a and b is 'absent'
    # Diez: a parameter is P(y | this cause alone), leak included.
    assert t[1, 0, 0] == pytest.approx(0.1, abs=1e-15)
    assert t[1, 1, 0] == pytest.approx(0.5, abs=1e-15)
    assert t[1, 0, 1] == pytest.approx(0.3, abs=1e-15)
    assert t[1, 1, 1] == pytest.approx(1 - 0.9 * (0.5 / 0.9) * (0.7 / 0.9), abs=1e-15)
    assert np.allclose(t.sum(axis=0), 1.0)


def test_noisy_max_diez_matches_hand_calculation(tmp_path: Path) -> None:
    spec = _load(
        tmp_path,
        """  - id: y
    label: y
    states: [low, medium, high]
    parents: [a, b]
    cpt:
      noisy_max:
        leak: {low: 0.7, medium: 0.2, high: 0.1}
        causes:
          a: {present: {low: 0.2, medium: 0.5, high: 0.3}}
          b: {present: {low: 0.5, medium: 0.3, high: 0.2}}
      assumption: true
      rationale: r
""",
    )
    t = spec.variable("y").table
    assert t[:, 0, 0] == pytest.approx([0.7, 0.2, 0.1])
    assert t[:, 1, 0] == pytest.approx([0.2, 0.5, 0.3])
    assert t[:, 0, 1] == pytest.approx([0.5, 0.3, 0.2])
    # Both present: P(Y <= y) = CL(y) * (CA(y) / CL(y)) * (CB(y) / CL(y)).
    c_low = 0.7 * (0.2 / 0.7) * (0.5 / 0.7)
    c_med = 0.9 * (0.7 / 0.9) * (0.8 / 0.9)
    assert t[:, 1, 1] == pytest.approx([c_low, c_med - c_low, 1 - c_med], abs=1e-12)


def test_noisy_or_cause_below_leak_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as exc:
        _load(
            tmp_path,
            """  - id: y
    label: y
    states: ["no", "yes"]
    parents: [a]
    cpt:
      noisy_or: {leak: 0.2, causes: {a: {present: 0.1}}}
      assumption: true
      rationale: r
""",
        )
    (p,) = exc.value.problems
    assert "below the leak" in p.message and p.field == "variables[2].cpt.noisy_or.causes.a.present"


def test_noisy_or_missing_cause_state_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as exc:
        _load(
            tmp_path,
            """  - id: y
    label: y
    states: ["no", "yes"]
    parents: [a, b]
    cpt:
      noisy_or: {leak: 0.2, causes: {a: {present: 0.5}}}
      assumption: true
      rationale: r
""",
        )
    assert any("no entry for parent 'b'" in p.message for p in exc.value.problems)


def test_verbal_terms_map_to_band_midpoints(tmp_path: Path) -> None:
    spec = _load(
        tmp_path,
        """  - id: y
    label: y
    states: ["no", "yes"]
    parents: [a]
    cpt:
      verbal:
        - when: {a: absent}
          term: unlikely
        - when: {a: present}
          term: highly probable
      assumption: true
      rationale: r
""",
    )
    v = spec.variable("y")
    # ICD 203: unlikely 20-45% -> 0.325; very likely / highly probable 80-95% -> 0.875.
    assert v.table[1].tolist() == pytest.approx([0.325, 0.875])
    assert v.bands[:, 0].tolist() == pytest.approx([0.20, 0.45])
    assert v.bands[:, 1].tolist() == pytest.approx([0.80, 0.95])


def test_unknown_verbal_term_suggests_one(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as exc:
        _load(
            tmp_path,
            """  - id: y
    label: y
    states: ["no", "yes"]
    cpt:
      verbal: likley
      assumption: true
      rationale: r
""",
        )
    (p,) = exc.value.problems
    assert "did you mean 'likely'" in p.message


def test_normalize_true_rescales_columns(tmp_path: Path) -> None:
    spec = _load(
        tmp_path,
        """  - id: y
    label: y
    states: [u, v, w]
    cpt:
      table: {u: 2, v: 1, w: 1}
      normalize: true
      assumption: true
      rationale: r
""",
    )
    assert spec.variable("y").table.tolist() == [0.5, 0.25, 0.25]
