"""Running and resuming: the same rows whatever the workers, a lost part recomputed, a run
killed with SIGKILL and rerun, a busy folder and a folder of another sweep refused."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from estimative import Network, UsageError
from estimative.sweep import SweepDesign, load_sweep, read_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "models" / "example"


def test_same_rows_whatever_the_workers_and_a_partial_rerun(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
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


def test_a_second_run_into_a_busy_folder_is_refused(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
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
    cmd = [
        sys.executable,
        "-m",
        "estimative",
        "sweep",
        str(sweep),
        "--out",
        str(out),
        "--workers",
        "2",
        "--json",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
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
    # Parts whose checksum reached the manifest; a part written just before the kill, whose
    # checksum did not, is not trusted and is computed again.
    vouched = sum(1 for rec in manifest["parts"].values() if rec.get("sha256"))
    assert parts_before - 1 <= vouched <= parts_before
    assert 8 <= parts_before < 80 and not manifest["complete"]
    assert not (out / "_sweep.json").exists()
    with pytest.raises(UsageError, match="not finished"):
        read_sweep(out)
    # Rerun the same command: it continues.
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (
        report["chunks"]["reused"] == vouched
        and report["chunks"]["computed"] == 80 - report["chunks"]["reused"]
    )
    resumed = read_sweep(out)
    fresh = read_sweep(run_sweep(load_sweep(sweep), out=tmp_path / "fresh", workers=1).out)
    assert len(resumed) == len(fresh) == 2000 * 3 * 3 * 3
    pd.testing.assert_frame_equal(resumed, fresh, check_exact=True)
    # no row lost or doubled
    keys = resumed[["draw", "policy", "scenario", "target", "state"]].astype(str)
    assert not keys.duplicated().any()


def test_rerun_with_other_settings_is_refused(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
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
