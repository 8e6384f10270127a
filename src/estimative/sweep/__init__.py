"""Batch sensitivity sweeps: a declarative sweep file, a design of runs, batched computation,
a Parquet store that survives a kill, and a runner on local processes or a Dask cluster."""

from __future__ import annotations

from .core import (
    COLUMNS,
    SCHEMA,
    ParameterGrid,
    SweepDesign,
    SweepResult,
    _job,
    chunk_rng,
    compute_chunk,
    default_workers,
    load_sweep,
    read_sweep,
    run_sweep,
)
from .file import BASELINE, MAX_DRAWS, SweepFile, load_sweep_file, parameter_label

__all__ = [
    "BASELINE",
    "COLUMNS",
    "MAX_DRAWS",
    "SCHEMA",
    "ParameterGrid",
    "SweepDesign",
    "SweepFile",
    "SweepResult",
    "chunk_rng",
    "compute_chunk",
    "default_workers",
    "load_sweep",
    "load_sweep_file",
    "parameter_label",
    "read_sweep",
    "run_sweep",
]
