"""Batch sweeps: many queries over many parameter draws, written as a resumable Parquet dataset.

A sweep evaluates every target under every cell of a grid (policy x scenario x one-way
parameter setting) for ``draws`` Dirichlet draws of the model's CPTs
(:func:`estimative.priors.draw_cpts`), on the batched engine. Every grid cell sees the same
draws (common random numbers), so differences between cells are paired.

Work is split into chunks of ``chunk_size`` draws. Chunk ``k`` draws its CPTs from
``np.random.SeedSequence(seed, spawn_key=(k,))``, so its rows depend only on the settings and
``k``: never on how many workers ran, in what order, or whether the run was interrupted. Each
finished chunk is written atomically as its own Parquet file; a rerun of the same sweep into the
same folder computes only the missing chunks, and a rerun with different settings is refused.
That is why a sweep records a *seed* rather than taking a live generator: a rerun in another
process must rebuild the same streams (``SweepDesign(rng=make_rng(seed))`` records its seed).

Modules, one job each:

- :mod:`~estimative.sweep.file`: the sweep YAML file, checked with file, line and field;
- :mod:`~estimative.sweep.design`: :class:`SweepDesign`, :class:`ParameterGrid`, :func:`load_sweep`;
- :mod:`~estimative.sweep.compute`: one chunk's stream and rows (:func:`compute_chunk`);
- :mod:`~estimative.sweep.store`: the Parquet parts, manifest, sidecar, :data:`SCHEMA`, :func:`read_sweep`;
- :mod:`~estimative.sweep.run`: :func:`run_sweep` on local processes or Dask, the folder lock, resuming.
"""

from __future__ import annotations

from ..spec import BASELINE
from .compute import SweepJob, chunk_rng, compute_chunk, covary, make_job
from .design import FORMAT, ParameterGrid, SweepDesign, load_sweep
from .file import MAX_DRAWS, SweepFile, load_sweep_file, parameter_label
from .run import SweepResult, default_workers, run_sweep
from .store import COLUMNS, SCHEMA, read_sweep

__all__ = [
    "BASELINE",
    "COLUMNS",
    "FORMAT",
    "MAX_DRAWS",
    "SCHEMA",
    "ParameterGrid",
    "SweepDesign",
    "SweepFile",
    "SweepJob",
    "SweepResult",
    "chunk_rng",
    "compute_chunk",
    "covary",
    "default_workers",
    "load_sweep",
    "load_sweep_file",
    "make_job",
    "parameter_label",
    "read_sweep",
    "run_sweep",
]
