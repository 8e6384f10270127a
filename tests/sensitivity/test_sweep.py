"""Batch sweeps: rows equal pgmpy on the drawn CPTs, chunks are reproducible whoever computes
them (one process, a pool, a Dask cluster, a run killed with SIGKILL and resumed), settings
clashes are refused, and bad sweep files name file, line and field."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from estimative import ModelError, Network, UsageError
from estimative.cli import main
from estimative.sweep import (
    COLUMNS,
    ParameterGrid,
    SweepDesign,
    load_sweep,
    read_sweep,
    run_sweep,
)
from estimative.uncertainty import draw_cpts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "models" / "example"
EXAMPLE_SWEEP = EXAMPLE / "sweeps" / "policies.yaml"


@pytest.fixture(scope="module")
def net() -> Network:
    return Network.from_file(EXAMPLE)


def small_design(net: Network, *, draws: int = 60, chunk_size: int = 25, seed: int = 11) -> SweepDesign:
    return SweepDesign(
        net,
        targets=(("armed_clash", ("yes",)), ("misread_intent", ("no", "yes")), ("us_rhetoric", ("bluster",))),
        policies=("baseline", "status_quo", "private_channel"),
        scenarios=("baseline", "high_provocation", "ambiguous_reports"),
        parameters=(
            # partial 'when': every column with a high-provocation period
            ParameterGrid("misread_intent", "yes", (0.1, 0.7), (("nk_provocation", "high"),)),
            ParameterGrid("armed_clash", "yes", (0.5,), (("misread_intent", "yes"),), id="clash_after_misreading"),
        ),
        draws=draws, seed=seed, chunk_size=chunk_size,
    )


# ------------------------------------------------------------------------- independent reference
def pgmpy_posteriors(net: Network, cpts: list[np.ndarray], targets: list[str], *, do: dict[str, str],
                     given: dict[str, str], soft: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """P(target | given, soft; do) for each target by pgmpy variable elimination on a model with
    these CPTs.

    do() is surgery in the pgmpy model (Network.to_pgmpy(do=...)). Soft evidence
    is a virtual child whose CPT is the likelihood (scaled to <= 1), observed in state 1.
    """
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination

    model = net.with_cpts(dict(zip(net.variables, cpts, strict=True))).to_pgmpy(do=do)
    evidence = dict(given)
    for var, lik in soft.items():
        vec = np.array([lik.get(s, 0.0) for s in net.states[var]])
        vec = vec / vec.max()
        node = f"soft_{var}"
        model.add_edge(var, node)
        model.add_cpds(TabularCPD(node, 2, np.vstack([1 - vec, vec]), evidence=[var],
                                  evidence_card=[len(vec)], state_names={node: ["0", "1"], var: list(net.states[var])}))
        evidence[node] = "1"
    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ve = VariableElimination(model)
        for target in targets:
            if target in do:
                out[target] = {s: 1.0 if s == do[target] else 0.0 for s in net.states[target]}
                continue
            factor = ve.query([target], evidence=evidence or None, show_progress=False)
            out[target] = {s: float(factor.get_value(**{target: s})) for s in net.states[target]}
    return out


def hand_covary(cpt: np.ndarray, state: int, parent_index: dict[int, int], x: float) -> np.ndarray:
    """Set P(state | matching columns) = x, scaling the column's other entries by (1-x)/(1-old)."""
    out = cpt.copy()
    for col in np.ndindex(*cpt.shape[1:]):
        if all(col[a] == i for a, i in parent_index.items()):
            old = out[(state, *col)]
            for s in range(cpt.shape[0]):
                out[(s, *col)] = x if s == state else out[(s, *col)] * (1 - x) / (1 - old)
    return out


def test_rows_equal_pgmpy_on_the_drawn_cpts(net: Network, tmp_path: Path) -> None:
    design = small_design(net)
    result = run_sweep(design, out=tmp_path / "s", workers=1)
    df = read_sweep(result.out)
    assert len(df) == result.rows == 60 * 3 * 3 * 4 * 4  # draws x policies x scenarios x settings x states
    assert list(df.columns) == [c for c, _, _ in COLUMNS]
    # Draw 37 sits in chunk 1 (draws 25..49) at position 12; chunk k uses SeedSequence(seed).spawn(K)[k].
    ss = np.random.SeedSequence(11).spawn(3)[1]
    drawn = [d[..., 12] for d in draw_cpts(net, 25, rng=np.random.default_rng(ss))]
    mi = net.index("misread_intent")
    ac = net.index("armed_clash")
    high = net.states["nk_provocation"].index("high")
    prov_axis = net.parents["misread_intent"].index("nk_provocation")
    settings = {
        (None, None): drawn,
        ("misread_intent=yes | nk_provocation=high", 0.1): None,
        ("misread_intent=yes | nk_provocation=high", 0.7): None,
        ("clash_after_misreading", 0.5): None,
    }
    for (label, x) in list(settings):
        if label is None:
            continue
        cpts = list(drawn)
        if label.startswith("misread"):
            cpts[mi] = hand_covary(drawn[mi], 1, {prov_axis: high}, x)
        else:
            cpts[ac] = hand_covary(drawn[ac], 1, {0: 1}, x)
        settings[(label, x)] = cpts
    rows = df[df["draw"] == 37]
    assert len(rows) == 3 * 3 * 4 * 4
    checked = 0
    for (label, x), cpts in settings.items():
        for pol in ("baseline", "status_quo", "private_channel"):
            do = {} if pol == "baseline" else dict(net.spec.policy(pol).do)
            for sc in ("baseline", "high_provocation", "ambiguous_reports"):
                scen = None if sc == "baseline" else net.spec.scenario(sc)
                given = dict(scen.given) if scen else {}
                soft = {k: dict(v) for k, v in scen.soft.items()} if scen else {}
                targets = ["armed_clash", "misread_intent", "us_rhetoric"]
                refs = pgmpy_posteriors(net, cpts, targets, do=do, given=given, soft=soft)
                for target in targets:
                    ref = refs[target]
                    sel = rows[(rows.policy == pol) & (rows.scenario == sc) & (rows.target == target)]
                    sel = sel[sel.parameter.isna()] if label is None else sel[(sel.parameter == label) & (sel.parameter_value == x)]
                    assert len(sel) == {"armed_clash": 1, "misread_intent": 2, "us_rhetoric": 1}[target]
                    for _, row in sel.iterrows():
                        assert row.evidence_ok
                        assert row.probability == pytest.approx(ref[row.state], abs=1e-10), (label, x, pol, sc, target)
                        checked += 1
    assert checked == 3 * 3 * 4 * 4
    # Common random numbers: every cell of draw 37 used the same CPTs (checked above against
    # one set of drawn CPTs); and the baseline cell's evidence probability is 1.
    base = df[(df.scenario == "baseline")]
    assert np.allclose(base.evidence_probability, 1.0)


def test_parameter_grid_is_the_sensitivity_line_in_every_draw(net: Network, tmp_path: Path) -> None:
    # P(clash=yes) = P(m=no) q_no + P(m=yes) x with x = P(clash=yes | m=yes): a line in x whose
    # slope is P(m=yes) of that draw, and the draw's own value of x lies on it.
    design = SweepDesign(net, targets=(("armed_clash", ("yes",)),), policies=("baseline",),
                         parameters=(ParameterGrid("armed_clash", "yes", (0.25, 0.5), (("misread_intent", "yes"),)),),
                         draws=30, chunk_size=30, seed=3)
    rows = read_sweep(run_sweep(design, out=tmp_path / "p", workers=1).out)
    # P(clash) = P(m=no) q_no + P(m=yes) x: linear in x with slope P(m=yes) > 0 in each draw.
    wide = rows.pivot_table(index="draw", columns="parameter_value", values="probability", observed=True)
    free = rows[rows.parameter.isna()].set_index("draw").probability
    slope = (wide[0.5] - wide[0.25]) / 0.25
    assert (slope > 0).all() and (slope < 1).all()
    # The free draw lies on the same line at its own drawn value of the parameter.
    ss = np.random.SeedSequence(3).spawn(1)[0]
    drawn = draw_cpts(net, 30, rng=np.random.default_rng(ss))[net.index("armed_clash")][1, 1, :]
    assert np.allclose(wide[0.25] + slope * (drawn - 0.25), free.loc[wide.index], atol=1e-12)


def test_strengths_override_the_dirichlet(net: Network, tmp_path: Path) -> None:
    # With a huge equivalent sample size every draw sits on the model's point CPTs, so each
    # row equals pgmpy on the point values.
    design = SweepDesign(net, targets=(("armed_clash", ("yes",)),), policies=("baseline", "status_quo"),
                         strengths={v: 1e9 for v in net.variables}, draws=20, chunk_size=20, seed=1)
    df = read_sweep(run_sweep(design, out=tmp_path / "st", workers=1).out)
    for pol in ("baseline", "status_quo"):
        do = {} if pol == "baseline" else dict(net.spec.policy(pol).do)
        ref = pgmpy_posteriors(net, list(net.cpts), ["armed_clash"], do=do, given={}, soft={})["armed_clash"]["yes"]
        got = df[df.policy == pol].probability.to_numpy()
        assert np.allclose(got, ref, atol=1e-4) and got.std() < 1e-4
    # and with the file's strengths the same query spreads out
    wide = read_sweep(run_sweep(SweepDesign(net, targets=(("armed_clash", ("yes",)),), draws=20, chunk_size=20, seed=1),
                                out=tmp_path / "wide", workers=1).out)
    assert wide.probability.std() > 100 * df[df.policy == "baseline"].probability.std()


def test_same_rows_whatever_the_workers_and_a_partial_rerun(net: Network, tmp_path: Path) -> None:
    design = small_design(net, draws=90, chunk_size=20)
    one = read_sweep(run_sweep(design, out=tmp_path / "one", workers=1).out)
    res = run_sweep(design, out=tmp_path / "two", workers=2)
    assert res.chunks_computed == 5 and res.chunks_reused == 0
    two = read_sweep(res.out)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    # Lose two parts (and leave a torn temp file): the rerun recomputes exactly those.
    (tmp_path / "two" / "part-00001.parquet").unlink()
    (tmp_path / "two" / "part-00004.parquet").unlink()
    (tmp_path / "two" / ".part-00004.parquet.tmp-1-deadbeef").write_bytes(b"torn")
    again = run_sweep(design, out=tmp_path / "two", workers=2)
    assert (again.chunks_computed, again.chunks_reused) == (2, 3)
    pd.testing.assert_frame_equal(one, read_sweep(again.out), check_exact=True)
    assert not list((tmp_path / "two").glob(".part-*"))


def test_dask_local_cluster_equals_local_run(net: Network, tmp_path: Path) -> None:
    from distributed import LocalCluster

    design = small_design(net, draws=50, chunk_size=10)
    local = read_sweep(run_sweep(design, out=tmp_path / "local", workers=1).out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster:
            res = run_sweep(design, out=tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert res.chunks_computed == 5
    pd.testing.assert_frame_equal(local, read_sweep(res.out), check_exact=True)
    sidecar = json.loads(res.sidecar.read_text())
    assert sidecar["timing"]["runs"][-1]["scheduler"] == cluster.scheduler_address


def test_unreachable_scheduler_is_a_usage_error(net: Network, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot reach the Dask scheduler"):
        run_sweep(small_design(net, draws=10, chunk_size=10), out=tmp_path / "x", scheduler="tcp://127.0.0.1:9")


def test_workers_and_scheduler_together_are_refused(net: Network, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not both"):
        run_sweep(small_design(net, draws=10, chunk_size=10), out=tmp_path / "x", workers=2,
                  scheduler="tcp://127.0.0.1:9")


def test_a_second_run_into_a_busy_folder_is_refused(net: Network, tmp_path: Path) -> None:
    import fcntl

    design = small_design(net, draws=20, chunk_size=10)
    folder = tmp_path / "s"
    folder.mkdir()
    # Another process holding the folder's lock (flock locks are per open file description).
    with open(folder / ".lock", "a+") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(UsageError, match="another sweep is writing into"):
            run_sweep(design, out=folder, workers=1)
    # Once the other run has let go, the same command runs to completion.
    res = run_sweep(design, out=folder, workers=1)
    assert len(read_sweep(res.out)) == design.n_rows


def _write_kill_sweep(tmp_path: Path) -> Path:
    f = tmp_path / "kill.yaml"
    f.write_text(
        f"model: {EXAMPLE}\n"
        "targets: [armed_clash=yes, misread_intent]\n"
        "policies: all\nscenarios: all\n"
        "draws: 2000\nchunk_size: 25\nseed: 5\n"
        "output: out/kill\n",
        encoding="utf-8",
    )
    return f


def test_sigkill_midway_then_rerun_gives_identical_rows(tmp_path: Path) -> None:
    sweep = _write_kill_sweep(tmp_path)
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "estimative", "sweep", str(sweep), "--out", str(out), "--workers", "2", "--json"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob("part-*.parquet"))) < 8:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "no part files appeared"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        with contextlib.suppress(ProcessLookupError):  # its pool workers, started by this test
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.stderr:
            proc.stderr.close()
    parts_before = len(list(out.glob("part-*.parquet")))
    manifest = json.loads((out / "_manifest.json").read_text())
    assert 8 <= parts_before < 80 and not manifest["complete"]
    assert not (out / "_sweep.json").exists()
    with pytest.raises(UsageError, match="not finished"):
        read_sweep(out)
    # Rerun the same command: it continues.
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["chunks"]["reused"] >= parts_before and report["chunks"]["computed"] == 80 - report["chunks"]["reused"]
    resumed = read_sweep(out)
    fresh = read_sweep(run_sweep(load_sweep(sweep), out=tmp_path / "fresh", workers=1).out)
    assert len(resumed) == len(fresh) == 2000 * 3 * 3 * 3
    pd.testing.assert_frame_equal(resumed, fresh, check_exact=True)
    # no row lost or doubled
    keys = resumed[["draw", "policy", "scenario", "target", "state"]].astype(str)
    assert not keys.duplicated().any()


def test_rerun_with_other_settings_is_refused(net: Network, tmp_path: Path) -> None:
    design = small_design(net, draws=20, chunk_size=10)
    run_sweep(design, out=tmp_path / "s", workers=1)
    other = small_design(net, draws=30, chunk_size=10)
    with pytest.raises(UsageError) as exc:
        run_sweep(other, out=tmp_path / "s", workers=1)
    text = str(exc.value)
    assert "holds a different sweep" in text and "draws: 20 in the folder, 30 now" in text
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty and holds no sweep"):
        run_sweep(design, out=tmp_path / "foreign", workers=1)


def test_sidecar_and_schema(net: Network, tmp_path: Path) -> None:
    design = small_design(net, draws=20, chunk_size=10)
    res = run_sweep(design, out=tmp_path / "s", workers=1)
    side = json.loads(res.sidecar.read_text())
    assert side["model"]["hash"] == net.model_hash == res.model_hash
    assert side["seed"] == 11 and side["draws"] == 20 and side["chunking"] == {
        "chunk_size": 10, "chunks": 2, "files": ["part-00000.parquet", "part-00001.parquet"]}
    import numpy
    import pyarrow

    assert side["packages"]["numpy"] == numpy.__version__ and side["packages"]["pyarrow"] == pyarrow.__version__
    part_schema = pq.read_schema(res.out / "part-00000.parquet")
    assert [c["name"] for c in side["schema"]] == part_schema.names
    assert part_schema.metadata[b"model_hash"].decode() == net.model_hash
    assert part_schema.metadata[b"settings_hash"].decode() == res.settings_hash == side["settings_hash"]
    assert side["grid"]["policies"] == ["baseline", "status_quo", "private_channel"]
    assert side["rows"] == res.rows == sum(pq.read_metadata(p).num_rows for p in res.out.glob("part-*.parquet"))
    # a plain Parquet reader sees the same dataset (the JSON files are skipped)
    assert len(pd.read_parquet(res.out)) == res.rows


# ------------------------------------------------------------------------- the command
def test_cli_sweep_json_and_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    code = main(["sweep", str(EXAMPLE_SWEEP), "--draws", "40", "--seed", "9", "--out", str(out), "--workers", "1", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["rows"] == 40 * 3 * 3 * 4 * 2 and report["draws"] == 40 and report["seed"] == 9
    assert Path(report["sidecar"]).is_file()
    df = read_sweep(out)
    assert set(df.policy) == {"baseline", "status_quo", "private_channel"}
    assert sorted(df.parameter_value.dropna().unique()) == [0.2, 0.5, 0.8]
    # the file's seed (2017) gives other rows than --seed 9
    code = main(["sweep", str(EXAMPLE_SWEEP), "--draws", "40", "--out", str(tmp_path / "cli2"), "--workers", "1", "--json"])
    assert code == 0
    capsys.readouterr()
    assert not np.allclose(read_sweep(tmp_path / "cli2").probability, df.probability)
    # the same command again into the first folder with another seed: refused, exit 2, JSON error
    code = main(["sweep", str(EXAMPLE_SWEEP), "--draws", "40", "--seed", "10", "--out", str(out), "--workers", "1", "--json"])
    assert code == 2
    err = json.loads(capsys.readouterr().out)
    assert not err["ok"] and err["error"]["kind"] == "UsageError" and "seed: 9 in the folder, 10 now" in err["error"]["problems"][0]["message"]


# ------------------------------------------------------------------------- bad sweep files
def line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if marker in line)


GOOD = f"""\
model: {EXAMPLE}
targets:
  - {{variable: armed_clash, state: "yes"}}
  - misread_intent
policies: [baseline, status_quo]
scenarios: [baseline, high_provocation]
parameters:
  - variable: misread_intent
    state: "yes"
    when: {{nk_provocation: high}}
    values: [0.2, 0.4]
draws: 100
seed: 1
"""

# (replace this, with that, the line marker, the field, words the message must hold)
BAD = [
    ("draws: 100", "draw: 100", "draw: 100", "draw", "did you mean 'draws'"),
    ("variable: armed_clash", "varible: armed_clash", "varible", "targets[0].varible", "did you mean 'variable'"),
    ("variable: armed_clash", "variable: armed_clsh", "armed_clsh", "targets[0].variable", "did you mean 'armed_clash'"),
    ('state: "yes"}', 'state: "yse"}', '"yse"', "targets[0].state", "did you mean 'yes'"),
    ("  - misread_intent", "  - misread_intnt=yes", "misread_intnt", "targets[1]", "did you mean 'misread_intent'"),
    ("[baseline, status_quo]", "[baseline, status_qou]", "status_qou", "policies[1]", "did you mean 'status_quo'"),
    ("[baseline, high_provocation]", "[baseline, high_provocaton]", "high_provocaton", "scenarios[1]", "did you mean 'high_provocation'"),
    ("{nk_provocation: high}", "{nk_provocaton: high}", "nk_provocaton", "parameters[0].when.nk_provocaton", "did you mean 'nk_provocation'"),
    ("{nk_provocation: high}", "{nk_provocation: hihg}", "hihg", "parameters[0].when.nk_provocation", "did you mean 'high'"),
    ("values: [0.2, 0.4]", "values: [0.2, 1.4]", "1.4", "parameters[0].values[1]", "less than or equal to 1"),
    ("draws: 100", "draws: 0", "draws: 0", "draws", "greater than or equal to 1"),
    ("seed: 1", "seed: one", "seed: one", "seed", "valid integer"),
    (f"model: {EXAMPLE}", "model: no/such/model", "model:", "model", "does not load"),
    ("policies: [baseline, status_quo]", "policies: every", "policies: every", "policies", "the word all"),
    ("targets:", "targets:\n  - armed_clash\n  - armed_clash", "  - armed_clash#2", "targets[1]", "listed twice"),
    ("draws: 100", "draws: [100", "seed: 1", None, "not valid YAML"),
    ("seed: 1", "seed: 1\nstrengths: {armed_clsh: 5}", "armed_clsh", "strengths.armed_clsh", "did you mean 'armed_clash'"),
    ("seed: 1", "seed: 1\nchunk_size: -5", "chunk_size", "chunk_size", "greater than or equal to 1"),
]


@pytest.mark.parametrize(("old", "new", "marker", "field", "words"), BAD, ids=[b[3] or "yaml" for b in BAD])
def test_bad_sweep_file_names_line_and_field(tmp_path: Path, old: str, new: str, marker: str, field: str | None,
                                             words: str) -> None:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as exc:
        load_sweep(f)
    marker, _, nth = marker.partition("#")
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if marker in line]
    want = lines[int(nth) - 1 if nth else 0]
    hits = [p for p in exc.value.problems if words in str(p)]
    assert hits, [str(p) for p in exc.value.problems]
    p = hits[0]
    assert p.file is not None and p.file.endswith("bad.yaml")
    if field is not None:
        assert p.field == field
        assert p.line == want, str(p)
    else:
        assert p.line in (want, want - 1), str(p)  # YAML reports the flow error where it is noticed


def test_bad_sweep_via_cli_exits_2_and_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(GOOD.replace("[baseline, status_quo]", "[baseline, status_qou]"), encoding="utf-8")
    assert main(["sweep", str(f), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"bad.yaml:{line_of(GOOD, 'policies:')}: policies[1]: unknown policy 'status_qou' (did you mean 'status_quo'?)" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_bad_overrides_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", str(EXAMPLE_SWEEP), "--draws", "0", "--out", str(tmp_path / "o")]) == 2
    assert "draws must be an integer >= 1" in capsys.readouterr().err
    assert main(["sweep", str(EXAMPLE_SWEEP), "--workers", "0", "--out", str(tmp_path / "o2")]) == 2
    assert "workers must be an integer >= 1" in capsys.readouterr().err
