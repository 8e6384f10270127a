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


def _flip_bytes(path: Path) -> None:
    """Corrupt a part in place, keeping its size: a few bytes in the middle of its data."""
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    for i in range(mid, mid + 16):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def test_manifest_holds_each_part_checksum(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    import hashlib

    res = run_sweep(small_design(net, draws=20, chunk_size=10), out=tmp_path / "s", workers=1)
    manifest = json.loads((res.out / "_manifest.json").read_text())
    for name, rec in manifest["parts"].items():
        # an independent hash of the bytes on disk, and the row count Parquet itself reports
        assert rec["sha256"] == hashlib.sha256((res.out / name).read_bytes()).hexdigest()
        assert rec["rows"] == pq.read_metadata(res.out / name).num_rows


def test_corrupted_part_is_detected_and_recomputed(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    design = small_design(net, draws=30, chunk_size=10)
    fresh = run_sweep(design, out=tmp_path / "fresh", workers=1).to_frame()
    out = tmp_path / "s"
    run_sweep(design, out=out, workers=1)
    bad = out / "part-00001.parquet"
    size = bad.stat().st_size
    _flip_bytes(bad)
    assert bad.stat().st_size == size  # a plausible size: only the checksum can tell
    res = run_sweep(design, out=out, workers=1)
    assert res.redone == ("part-00001.parquet",)
    assert res.chunks_computed == 1 and res.chunks_reused == res.chunks - 1
    pd.testing.assert_frame_equal(res.to_frame(), fresh, check_exact=True)
    runs = json.loads((out / "_manifest.json").read_text())["runs"]
    assert runs[-1]["redone"] == ["part-00001.parquet"]


def test_part_without_a_checksum_is_not_trusted(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    """A part written by a run killed before its manifest entry: recomputed, not trusted."""
    design = small_design(net, draws=20, chunk_size=10)
    out = tmp_path / "s"
    run_sweep(design, out=out, workers=1)
    mpath = out / "_manifest.json"
    manifest = json.loads(mpath.read_text())
    del manifest["parts"]["part-00000.parquet"]
    manifest["complete"] = False
    mpath.write_text(json.dumps(manifest))
    res = run_sweep(design, out=out, workers=1)
    assert res.redone == ("part-00000.parquet",) and res.chunks_computed == 1


def test_two_names_of_one_folder_share_its_lock(
    net: Network, tmp_path: Path, small_design: Callable[..., SweepDesign]
) -> None:
    from estimative.errors import UsageError
    from estimative.sweep.run import folder_lock

    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real)
    with folder_lock(real):
        try:
            run_sweep(small_design(net, draws=10, chunk_size=10), out=tmp_path / "alias", workers=1)
        except UsageError as err:
            assert "another sweep is writing" in str(err)
        else:
            raise AssertionError("a second run through a symlink was not stopped by the lock")
