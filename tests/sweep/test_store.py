"""The output folder: the sidecar, the part files' schema and metadata, a plain Parquet reader."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from estimative import Network
from estimative.sweep import SweepDesign, run_sweep


def test_sidecar_and_schema(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    design = small_design(net, draws=20, chunk_size=10)
    res = run_sweep(design, out=tmp_path / "s", workers=1)
    side = json.loads(res.sidecar.read_text())
    assert side["model"]["model_hash"] == net.model_hash == res.model_hash
    assert (
        side["seed"] == 11
        and side["draws"] == 20
        and side["chunking"]
        == {"chunk_size": 10, "chunks": 2, "files": ["part-00000.parquet", "part-00001.parquet"]}
    )
    import numpy
    import pyarrow

    assert (
        side["packages"]["numpy"] == numpy.__version__
        and side["packages"]["pyarrow"] == pyarrow.__version__
    )
    part_schema = pq.read_schema(res.out / "part-00000.parquet")
    assert [c["name"] for c in side["schema"]] == part_schema.names
    assert part_schema.metadata[b"model_hash"].decode() == net.model_hash
    assert (
        part_schema.metadata[b"settings_hash"].decode()
        == res.settings_hash
        == side["settings_hash"]
    )
    assert side["grid"]["policies"] == ["baseline", "status_quo", "private_channel"]
    assert (
        side["rows"]
        == res.rows
        == sum(pq.read_metadata(p).num_rows for p in res.out.glob("part-*.parquet"))
    )
    # a plain Parquet reader sees the same dataset (the JSON files are skipped)
    assert len(pd.read_parquet(res.out)) == res.rows
