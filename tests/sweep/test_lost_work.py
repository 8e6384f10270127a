"""When the machine fails a sweep: a Dask worker killed mid-chunk, the scheduler lost, the disk
full. Each is a ResourceError (exit 2) saying the sweep is resumable; rerunning then finishes
it, and the dataset equals an uninterrupted run (the reference: the same design run locally in
one go). A brief or an export that meets a full disk leaves the earlier file as it was.

A full disk is a real one where the test may mount a small tmpfs (as root); elsewhere the
atomic writer's fsync is made to fail with ENOSPC once the folder's budget is spent.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

import estimative
from estimative import Network
from estimative.errors import ResourceError
from estimative.sweep import SweepDesign, read_sweep, run_sweep
from mutate import run_cli

ROOT = Path(__file__).resolve().parents[2]
SRC = str(Path(estimative.__file__).resolve().parents[1])


def _reference(design: SweepDesign, tmp_path: Path) -> pd.DataFrame:
    return read_sweep(run_sweep(design, out=tmp_path / "reference", workers=1).out)


# ------------------------------------------------------------------------------------ Dask
def _kill_once(marker: str, folder: str) -> object:
    """A Dask worker plugin (made here so that cloudpickle sends it by value: the workers
    cannot import the tests)."""
    from distributed import WorkerPlugin

    class KillOnce(WorkerPlugin):
        """A Dask worker plugin: the first task to start once the sweep has written a part kills
        its own worker process (SIGKILL, as the kernel's OOM killer would), once (a marker file)."""

        name = "estimative-test-kill-once"

        def __init__(self, marker: str, folder: str) -> None:
            self.marker, self.folder = marker, folder

        def setup(self, worker: object) -> None:
            pass

        def teardown(self, worker: object) -> None:
            pass

        def transition(self, key: object, start: str, finish: str, **kwargs: object) -> None:
            if finish != "executing" or not os.path.exists(self.marker):
                return
            if not any(Path(self.folder).glob("part-*.parquet")):
                return
            try:
                os.remove(self.marker)
            except FileNotFoundError:
                return
            os.kill(os.getpid(), signal.SIGKILL)

    return KillOnce(marker, folder)


def test_a_killed_dask_worker_is_resumable(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    import dask
    from distributed import Client, LocalCluster

    design = small_design(net, draws=80, chunk_size=10)
    out, marker = tmp_path / "dask", tmp_path / "kill-marker"
    marker.write_text("kill the worker running the next chunk")
    # a task that kills its worker is not retried (default: after 3 such deaths)
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        with LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        ) as cluster:
            with Client(cluster.scheduler_address) as client:
                client.register_plugin(_kill_once(str(marker), str(out)))
            with pytest.raises(ResourceError) as err:
                run_sweep(design, out=out, scheduler=cluster.scheduler_address)
            text = str(err.value)
            assert "lost the sweep's work (KilledWorker)" in text
            assert "the sweep is resumable: rerun the same command" in text
            assert not marker.exists()  # the kill happened, after a part was written
            before = len(list(out.glob("part-*.parquet")))
            assert 1 <= before < design.n_chunks
            # the nanny has started a fresh worker: the same command finishes the sweep
            res = run_sweep(design, out=out, scheduler=cluster.scheduler_address)
    assert res.chunks_computed == design.n_chunks - before
    pd.testing.assert_frame_equal(_reference(design, tmp_path), read_sweep(out), check_exact=True)


def _dask_process(*argv: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    exe = str(Path(sys.executable).with_name("dask"))
    return subprocess.Popen(
        [exe, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )


def test_a_lost_scheduler_is_resumable(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    """The scheduler process is killed while chunks are out: a ResourceError, the parts
    written so far kept; rerunning (here on local processes) finishes the same dataset."""
    design = small_design(net, draws=400, chunk_size=10)
    out, info = tmp_path / "dask", tmp_path / "scheduler.json"
    scheduler = _dask_process(
        "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
        "--scheduler-file", str(info),
    )  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # the file is written whole before the scheduler listens
        address = json.loads(info.read_text())["address"]
        worker = _dask_process(
            "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-nanny",
            "--no-dashboard",
        )  # fmt: skip

        def kill_when_a_part_is_written() -> None:
            while not any(out.glob("part-*.parquet")) and time.monotonic() < deadline + 60:
                time.sleep(0.01)
            scheduler.kill()

        threading.Thread(target=kill_when_a_part_is_written, daemon=True).start()
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        with pytest.raises(ResourceError) as err:
            run_sweep(design, out=out, scheduler=address)
    finally:
        for proc in (scheduler, worker):
            if proc is not None:
                proc.kill()
                proc.wait(timeout=30)
    assert "the sweep is resumable: rerun the same command" in str(err.value)
    assert f"the Dask cluster at {address} lost the sweep's work" in str(err.value)
    kept = len(list(out.glob("part-*.parquet")))
    assert 1 <= kept < design.n_chunks
    res = run_sweep(design, out=out, workers=1)
    assert res.chunks_computed <= design.n_chunks - 1  # the parts written before were kept
    pd.testing.assert_frame_equal(_reference(design, tmp_path), read_sweep(out), check_exact=True)


# ------------------------------------------------------------------------------- a full disk
class Disk:
    """A small disk the test can fill: ``fill(leave)`` leaves about ``leave`` bytes free,
    ``free()`` makes room again."""

    def __init__(self, path: Path, real: bool) -> None:
        self.path, self.real = path, real
        self.budget: int | None = None

    def fill(self, leave: int) -> None:
        if not self.real:
            self.budget = leave
            return
        with open(self.path / "filler", "ab") as fh:
            while True:
                st = os.statvfs(self.path)
                room = st.f_bavail * st.f_frsize
                if room <= leave:
                    break
                try:
                    fh.write(b"\0" * max(4096, min(1 << 16, room - leave)))
                    fh.flush()
                except OSError:
                    break

    def free(self) -> None:
        self.budget = None
        with contextlib.suppress(FileNotFoundError):
            (self.path / "filler").unlink()

    def fsync(self, real: Callable[[int], None]) -> Callable[[int], None]:
        """``os.fsync`` failing with ENOSPC for files in the folder once the budget is spent."""

        def fsync(fd: int) -> None:
            path = os.readlink(f"/proc/self/fd/{fd}")
            if self.budget is not None and path.startswith(str(self.path)):
                size = os.fstat(fd).st_size
                if size > self.budget:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                self.budget -= size
            real(fd)

        return fsync


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Disk]:
    path = tmp_path / "disk"
    path.mkdir()
    real = False
    if os.geteuid() == 0:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(path)],
            capture_output=True,
            text=True,
        )
        real = done.returncode == 0
        if not real:
            print(f"cannot mount a tmpfs ({done.stderr.strip()}): ENOSPC is injected instead")
    if not real:
        if not Path("/proc/self/fd").is_dir():
            pytest.skip("neither a tmpfs mount nor /proc/self/fd to inject ENOSPC")
        print("not root: ENOSPC is injected at the atomic writer's fsync")
    d = Disk(path, real)
    if not real:
        monkeypatch.setattr(os, "fsync", d.fsync(os.fsync))
    try:
        yield d
    finally:
        if real:
            subprocess.run(["umount", "-l", str(path)], check=False)


def _no_temporary_files(folder: Path) -> None:
    assert not [p.name for p in folder.rglob("*.tmp*")]


SWEEP = """format: estimative-sweep/1
title: a small sweep
model: {model}
targets:
  - {{variable: armed_clash, state: "yes"}}
  - {{variable: misread_intent, state: "yes"}}
policies: [baseline, status_quo, private_channel]
scenarios: all
draws: 600
seed: 5
chunk_size: 50
"""


def test_a_sweep_on_a_full_disk_resumes_when_there_is_room(disk: Disk, tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(SWEEP.format(model=ROOT / "models" / "example"))
    ref = run_cli(
        ["sweep", str(sweep), "--out", str(tmp_path / "ref"), "--workers", "1"], timeout=120
    )
    assert ref.code == 0, ref.stderr
    out = disk.path / "out"
    disk.fill(leave=60_000)  # room for a few parts, not for twelve
    first = run_cli(["sweep", str(sweep), "--out", str(out), "--workers", "1"], timeout=120)
    assert first.code == 2, first.stderr
    assert "the disk is full: cannot write the sweep into" in first.stderr
    assert "the sweep is resumable: rerun the same command" in first.stderr
    _no_temporary_files(out)
    kept = len(list(out.glob("part-*.parquet")))
    assert 1 <= kept < 12
    disk.free()
    again = run_cli(["sweep", str(sweep), "--out", str(out), "--workers", "1"], timeout=120)
    assert again.code == 0, again.stderr
    runs = json.loads((out / "_manifest.json").read_text())["runs"]
    assert runs[-1]["chunks_computed"] <= 12 - kept + 1  # a part the manifest missed: redone
    pd.testing.assert_frame_equal(read_sweep(tmp_path / "ref"), read_sweep(out), check_exact=True)


def test_a_brief_on_a_full_disk_keeps_the_earlier_brief(disk: Disk) -> None:
    out = disk.path / "brief"
    args = ["brief", str(ROOT / "models" / "example"), "-o", str(out), "--draws", "200"]
    assert run_cli([*args, "--seed", "1"], timeout=120).code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {"brief.md", "brief.html", "brief.pdf"}
    disk.fill(leave=0)
    res = run_cli([*args, "--seed", "2"], timeout=120)  # other draws: other bytes
    assert res.code == 2, res.stderr
    assert "the disk is full: cannot write the output" in res.stderr
    assert "free space on that disk" in res.stderr and "internal error" not in res.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    _no_temporary_files(out)


def test_an_export_on_a_full_disk_keeps_the_earlier_file(disk: Disk) -> None:
    target = disk.path / "model.bif"
    first = run_cli(
        ["export", str(ROOT / "models" / "example"), "--format", "bif", "-o", str(target)]
    )
    assert first.code == 0, first.stderr
    before = target.read_bytes()
    disk.fill(leave=0)
    umbrella = str(ROOT / "models" / "umbrella")
    res = run_cli(["export", umbrella, "--format", "bif", "-o", str(target)])
    assert res.code == 2 and "the disk is full" in res.stderr, res.stderr
    assert target.read_bytes() == before
    _no_temporary_files(disk.path)
