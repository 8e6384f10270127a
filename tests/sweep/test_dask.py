"""Chunks on a Dask cluster: the same rows as a local run; an unreachable scheduler and
--workers with --scheduler are usage errors."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from estimative import Network, UsageError
from estimative.sweep import SweepDesign, read_sweep, run_sweep


def test_dask_local_cluster_equals_local_run(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    from distributed import LocalCluster

    design = small_design(net, draws=50, chunk_size=10)
    local = read_sweep(run_sweep(design, out=tmp_path / "local", workers=1).out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster:
            res = run_sweep(design, out=tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert res.chunks_computed == 5
    pd.testing.assert_frame_equal(local, read_sweep(res.out), check_exact=True)
    sidecar = json.loads(res.sidecar.read_text())
    assert sidecar["timing"]["runs"][-1]["scheduler"] == cluster.scheduler_address


def test_unreachable_scheduler_is_a_usage_error(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    with pytest.raises(UsageError, match="cannot reach the Dask scheduler"):
        run_sweep(
            small_design(net, draws=10, chunk_size=10),
            out=tmp_path / "x",
            scheduler="tcp://127.0.0.1:9",
        )


def test_workers_and_scheduler_together_are_refused(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    with pytest.raises(UsageError, match="not both"):
        run_sweep(
            small_design(net, draws=10, chunk_size=10),
            out=tmp_path / "x",
            workers=2,
            scheduler="tcp://127.0.0.1:9",
        )
