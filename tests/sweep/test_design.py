"""The design: sizes, settings and their hash, and the seed a sweep records (from ``seed=`` or
from a generator made by ``make_rng``, or a stream of one), from which every chunk's stream is
derived."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from estimative import Network, UsageError
from estimative._random import make_rng, stream
from estimative.priors import draw_cpts
from estimative.sweep import (
    BASELINE,
    SweepDesign,
    chunk_rng,
    compute_chunk,
    make_job,
    read_sweep,
    run_sweep,
)


def test_sizes_and_chunks(net: Network, small_design: Callable[..., SweepDesign]) -> None:
    d = small_design(net, draws=60, chunk_size=25)
    assert d.n_chunks == 3 and [d.chunk_draws(k) for k in range(3)] == [(0, 25), (25, 50), (50, 60)]
    assert d.settings_count == 4 and d.rows_per_draw == 3 * 3 * 4 * 4
    assert [d.chunk_rows(k) for k in range(3)] == [
        25 * 144,
        25 * 144,
        10 * 144,
    ] and d.n_rows == 60 * 144


def test_a_generator_records_its_seed_and_gives_the_seeds_rows(
    net: Network, small_design: Callable[..., SweepDesign]
) -> None:
    by_seed = small_design(net, draws=30, chunk_size=10, seed=11)
    kw = {
        f: getattr(by_seed, f)
        for f in ("targets", "policies", "scenarios", "parameters", "draws", "chunk_size")
    }
    by_rng = SweepDesign(net, **kw, rng=make_rng(11))
    assert by_rng.seed == 11 and by_rng.spawn_key == ()
    assert by_rng.settings() == by_seed.settings() and by_rng.settings_hash == by_seed.settings_hash
    for k in range(3):
        assert compute_chunk(make_job(by_rng), k).equals(compute_chunk(make_job(by_seed), k))


def test_a_stream_records_its_spawn_key_and_resumes_identically(
    net: Network, tmp_path: Path
) -> None:
    targets = (("armed_clash", ("yes",)),)
    d = SweepDesign(
        net,
        targets=targets,
        policies=(BASELINE, "status_quo"),
        draws=30,
        chunk_size=10,
        rng=stream(make_rng(5), "sweep"),
    )
    key = (zlib.crc32(b"sweep"),)
    assert d.seed == 5 and d.spawn_key == key and d.settings()["spawn_key"] == list(key)
    assert (
        d.settings_hash
        != SweepDesign(
            net, targets=targets, policies=(BASELINE, "status_quo"), draws=30, chunk_size=10, seed=5
        ).settings_hash
    )
    # chunk k draws from SeedSequence(seed, spawn_key=(*spawn_key, k))
    want = draw_cpts(
        net, 10, rng=np.random.default_rng(np.random.SeedSequence(5, spawn_key=(*key, 1)))
    )
    got = draw_cpts(net, 10, rng=chunk_rng(5, 1, spawn_key=key))
    assert all(np.array_equal(a, b) for a, b in zip(want, got, strict=True))
    res = run_sweep(d, out=tmp_path / "s", workers=1)
    first = read_sweep(res.out)
    (tmp_path / "s" / "part-00001.parquet").unlink()
    again = SweepDesign(
        net,
        targets=targets,
        policies=(BASELINE, "status_quo"),
        draws=30,
        chunk_size=10,
        rng=stream(make_rng(5), "sweep"),
    )
    res2 = run_sweep(again, out=tmp_path / "s", workers=1)
    assert (res2.chunks_computed, res2.chunks_reused) == (1, 2)
    pd.testing.assert_frame_equal(first, read_sweep(res2.out), check_exact=True)
    import json

    side = json.loads(res2.sidecar.read_text())
    assert side["spawn_key"] == list(key) and "spawn_key=(*" in side["seed_scheme"]


def test_a_generator_without_a_recordable_seed_is_refused(net: Network) -> None:
    targets = (("armed_clash", ("yes",)),)
    with pytest.raises(UsageError, match="records the seed") as exc:
        SweepDesign(net, targets=targets, rng=np.random.default_rng(np.random.SeedSequence([1, 2])))
    assert exc.value.problems[0].field == "rng"
    with pytest.raises(UsageError, match="seed or rng, not both"):
        SweepDesign(net, targets=targets, seed=3, rng=make_rng(4))


@pytest.mark.parametrize(
    ("name", "value"), [("draws", 0), ("chunk_size", 0), ("seed", -1), ("draws", 2.5)]
)
def test_bad_counts_name_the_parameter(net: Network, name: str, value: object) -> None:
    with pytest.raises(UsageError, match=f"{name} must be an integer") as exc:
        SweepDesign(net, targets=(("armed_clash", ("yes",)),), **{name: value})  # type: ignore[arg-type]
    assert exc.value.problems[0].field == name
    assert "--" not in str(exc.value)  # the library names the parameter, the CLI maps it to a flag


def test_chunk_rows_are_a_function_of_k_alone(
    net: Network, small_design: Callable[..., SweepDesign]
) -> None:
    job = make_job(small_design(net, draws=30, chunk_size=10))
    later = compute_chunk(job, 2)
    _ = compute_chunk(job, 0), compute_chunk(job, 1)
    assert isinstance(later, pa.Table) and later.equals(compute_chunk(job, 2))
    assert later.column("draw").to_pylist()[:3] == [20, 21, 22]
