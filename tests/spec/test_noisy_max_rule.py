"""A noisy-MAX cause whose own contribution would need a negative probability is refused,
with the file, the line and a fix (issue 13)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, load_model

MODEL = """format: estimative/1
title: t
as_of: 2017-05-15
variables:
  - id: c
    label: c
    states: ["no", "yes"]
    cpt: {table: {"no": 0.5, "yes": 0.5}, assumption: true, rationale: r}
  - id: y
    label: y
    states: [low, mid, high]
    parents: [c]
    cpt:
      noisy_max:
        leak: {low: 0.5, mid: 0.3, high: 0.2}
        causes:
          c: {"yes": CAUSE}
      assumption: true
      rationale: r
"""


def _write(tmp_path: Path, cause: str) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(MODEL.replace("CAUSE", cause))
    return path


def test_a_cause_with_a_negative_net_entry_is_refused(tmp_path: Path) -> None:
    # leak CDF (0.5, 0.8, 1); cause CDF (0.4, 0.5, 1) is below it (more severe) everywhere,
    # but its ratio to the leak's falls from 0.8 to 0.625: the net entry for 'mid' is -0.175
    path = _write(tmp_path, "{low: 0.4, mid: 0.1, high: 0.5}")
    with pytest.raises(ModelError) as err:
        load_model(path)
    (p,) = err.value.problems
    assert p.file is not None and p.file.endswith("model.yaml") and p.line == 17
    assert "'mid' a negative probability (-0.175)" in p.message
    assert p.fix is not None and "give 'mid' more probability" in p.fix


def test_a_cause_whose_net_distribution_is_valid_expands_as_noisy_max(tmp_path: Path) -> None:
    # ratio (0.6, 0.75, 1) rises: net (0.6, 0.15, 0.25); with the cause present the CDF is
    # the leak's times the net's: (0.3, 0.6, 1)
    spec = load_model(_write(tmp_path, "{low: 0.3, mid: 0.3, high: 0.4}"))
    assert spec.variable("y").table[:, 1] == pytest.approx(np.array([0.3, 0.3, 0.4]))
