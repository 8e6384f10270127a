"""Sweeps of a dynamic model: slice and window targets (a window the model does not name is
added), a reacting policy among the cells. Reference: pyAgrum's exact inference on each
draw's unrolled tables with the red line written as a CPT by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from estimative import ModelError, Network, draw_cpts
from estimative.sweep import SweepDesign, load_sweep_file
from estimative.sweep.compute import chunk_rng, compute_chunk, make_job

pytest.importorskip("pyagrum")
import dynamic_reference as ref

ROOT = Path(__file__).resolve().parents[2]
TARGETS = (("clash@2018H2", ("yes",)), ("clash@2018H1..2018H2", ("yes",)))


def _hand(bn, target: str) -> float:
    if ".." in target:
        return 1 - ref.prob(bn, {"clash@2018H1": "no", "clash@2018H2": "no"})
    return ref.prob(bn, {target: "yes"})


def test_slice_and_window_targets_under_a_reacting_policy_match_pyagrum() -> None:
    net = Network.from_file(ROOT / "models" / "escalation_dynamic")
    design = SweepDesign(
        net, targets=TARGETS, policies=("baseline", "red_line"), draws=3, seed=4, chunk_size=3
    )
    assert "clash@2018H1..2018H2" in design.net.states and design.net.model_hash == net.model_hash
    job = make_job(design)
    frame = compute_chunk(job, 0).to_pandas()
    draws = draw_cpts(job.net, 3, rng=chunk_rng(job.seed, 0, spawn_key=job.spawn_key))
    # the window's node adds no randomness: the model's variables get the same draws
    same = draw_cpts(net, 3, rng=chunk_rng(job.seed, 0, spawn_key=job.spawn_key))
    for v in net.variables:
        np.testing.assert_array_equal(draws[job.net.index(v)], same[net.index(v)])
    for policy in ("baseline", "red_line"):
        for k in range(3):
            bn = ref.pyagrum_for(ref.drawn(net, same, k), None if policy == "baseline" else policy)
            for target, _ in TARGETS:
                row = frame[(frame.policy == policy) & (frame.target == target) & (frame.draw == k)]
                assert float(row.probability.iloc[0]) == pytest.approx(
                    _hand(bn, target), abs=1e-9
                ), (policy, target, k)


def test_a_sweep_file_names_slice_and_window_targets(tmp_path: Path) -> None:
    model = ROOT / "models" / "escalation_dynamic"
    good = tmp_path / "sweep.yaml"
    good.write_text(
        "format: estimative-sweep/1\n"
        f"model: {model}\n"
        "targets:\n"
        "  - {variable: clash@2018H2, state: 'yes'}\n"
        "  - {variable: clash@2018H1..2018H2, state: 'yes'}\n"
        "policies: [baseline, red_line]\n"
        "draws: 4\n"
    )
    sf = load_sweep_file(good)
    assert [t for t, _ in sf.targets] == ["clash@2018H2", "clash@2018H1..2018H2"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("clash@2018H1..2018H2", "clash@2018H1..2019H2"))
    with pytest.raises(ModelError) as err:
        load_sweep_file(bad)
    problem = err.value.problems[0]
    assert "clash@2018H1..2019H2" in problem.message and problem.line == 5
