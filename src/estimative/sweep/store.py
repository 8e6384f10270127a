"""A sweep's output folder: the Parquet parts, the manifest, the sidecar, and reading it back.

Output folder
-------------
``part-00000.parquet``, ``part-00001.parquet``, ...
    One file per chunk, rows in the order (policy, scenario, parameter setting, target, state,
    draw). Together a Parquet dataset: ``pandas.read_parquet(folder)`` or :func:`read_sweep`
    (which checks the sweep is complete and keeps chunk order).
``_manifest.json``
    Settings, their hash, the finished chunks (each part's row count and the SHA-256 of its
    bytes) and each run's timing (updated after every chunk). A rerun trusts a part only when
    its checksum and row count match; any other part is computed again, and the run's record
    lists it under ``redone``.
``_sweep.json``
    The sidecar, written when the sweep completes: model hash, package versions, seed, grid,
    draws, chunking, row count, the schema below, and timing.

Every file is written through :func:`estimative._io.atomic_writer` (a temporary file renamed
into place; parts are also flushed to disk first), so a killed run leaves whole files and, at
worst, a temporary ``.*.tmp`` file that the next run deletes. Files whose names start with
``_`` or ``.`` are skipped by Parquet dataset readers. Each part's Arrow schema metadata
carries ``format``, ``model_hash`` and ``settings_hash``.

Schema (one row per draw x policy x scenario x parameter setting x target state)
--------------------------------------------------------------------------------
=====================  ======================  ===================================================
column                 type                    meaning
=====================  ======================  ===================================================
draw                   int64                   parameter draw, 0 .. draws-1 (same CPTs in every cell)
policy                 dictionary<string>      policy id; ``baseline`` = no intervention
scenario               dictionary<string>      scenario id; ``baseline`` = no evidence
parameter              dictionary<string>      one-way grid parameter fixed in this row; null = none
parameter_value        float64                 the value it was fixed to; null when parameter is null
target                 dictionary<string>      target variable
state                  dictionary<string>      state of the target
probability            float64                 P(target=state | scenario; do(policy)) for this draw;
                                               NaN when evidence_ok is false
evidence_probability   float64                 P(scenario evidence | do(policy)) for this draw
evidence_ok            bool                    false when the draw gives the evidence probability 0
=====================  ======================  ===================================================
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .._io import atomic_writer, write_json_atomic
from ..errors import UsageError
from ..spec import BASELINE
from .design import FORMAT, SweepDesign

MANIFEST = "_manifest.json"
SIDECAR = "_sweep.json"

_DICT = pa.dictionary(pa.int32(), pa.string())

#: (name, arrow type, meaning) of every column, in order.
COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = (
    (
        "draw",
        pa.int64(),
        "parameter draw, 0..draws-1; the same CPTs in every grid cell (common random numbers)",
    ),
    ("policy", _DICT, f"policy id; '{BASELINE}' = no intervention"),
    ("scenario", _DICT, f"scenario id; '{BASELINE}' = no evidence"),
    (
        "parameter",
        _DICT,
        "one-way grid parameter fixed in this row; null = every parameter as drawn",
    ),
    (
        "parameter_value",
        pa.float64(),
        "the value the parameter was fixed to; null when parameter is null",
    ),
    ("target", _DICT, "target variable"),
    ("state", _DICT, "state of the target"),
    (
        "probability",
        pa.float64(),
        "P(target=state | scenario evidence; do(policy)) for this draw; NaN when evidence_ok is false",
    ),
    (
        "evidence_probability",
        pa.float64(),
        f"P(scenario evidence | do(policy)) for this draw; 1 for the {BASELINE} scenario",
    ),
    (
        "evidence_ok",
        pa.bool_(),
        "false when this draw gives the scenario's evidence probability zero",
    ),
)

#: The Arrow schema of every part file.
SCHEMA = pa.schema(
    [pa.field(n, t, nullable=True, metadata={"description": d}) for n, t, d in COLUMNS],
    metadata={"format": FORMAT},
)


# ---------------------------------------------------------------------------------- parts
def part_name(k: int) -> str:
    """The file of chunk ``k``.

    >>> part_name(3)
    'part-00003.parquet'
    """
    return f"part-{k:05d}.parquet"


def part_index(name: str) -> int:
    """The chunk a part file holds.

    >>> part_index("part-00003.parquet")
    3
    """
    return int(name[5:10])


def write_part(path: Path, table: pa.Table) -> None:
    """Write a chunk's rows atomically (``atomic_writer`` flushes them to disk before the rename)."""
    with atomic_writer(path, binary=True, what="sweep part") as fh:
        pq.write_table(table, fh, compression="zstd")


def part_sha256(path: Path) -> str | None:
    """The SHA-256 of a part file's bytes (``None`` when it cannot be read)."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def part_ok(path: Path, rows: int, sha256: str | None = None) -> bool:
    """Whether ``path`` is a whole part file of ``rows`` rows in :data:`SCHEMA` whose bytes have
    the checksum ``sha256`` the manifest recorded when it was written. A part without a recorded
    checksum is not trusted (a run killed between writing it and the manifest)."""
    if not sha256 or part_sha256(path) != sha256:
        return False
    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException):
        return False
    return meta.num_rows == rows and meta.schema.to_arrow_schema().names == SCHEMA.names


def remove_temporary(folder: Path) -> None:
    """Delete the temporary files a run killed mid-write left (call it holding the folder's lock)."""
    for tmp in folder.glob(".*.tmp*"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# ---------------------------------------------------------------------------------- manifest
def open_manifest(folder: Path, design: SweepDesign) -> dict[str, Any]:
    """The folder's manifest: read (same settings) or started (empty or new folder).

    Raises :class:`~estimative.errors.UsageError` when the folder holds another sweep (naming
    each setting that differs) or other files.
    """
    settings = design.settings()
    shash = design.settings_hash
    mpath = folder / MANIFEST
    if mpath.exists():
        try:
            manifest = json.loads(mpath.read_text(encoding="utf-8"))
            old_hash = manifest["settings_hash"]
            if not isinstance(manifest["parts"], dict) or not isinstance(manifest["runs"], list):
                raise TypeError("manifest shape")
        except (ValueError, KeyError, TypeError):
            raise UsageError(
                f"{mpath} is not a sweep manifest this version can read",
                fix="choose another output folder, or delete this one to start over",
            ) from None
        if old_hash != shash:
            raise UsageError(
                f"the output folder {folder} holds a different sweep (settings {old_hash}, now {shash}): "
                + settings_diff(manifest.get("settings", {}), settings),
                fix="rerun with the folder's settings to resume it, choose another --out, or delete the folder to start over",
            )
        return manifest
    visible = [p.name for p in folder.iterdir() if not p.name.startswith(".")]
    if visible:
        raise UsageError(
            f"the output folder {folder} is not empty and holds no sweep",
            found=", ".join(sorted(visible)[:5]) + (" ..." if len(visible) > 5 else ""),
            fix="choose an empty or new folder with --out",
        )
    return {
        "format": FORMAT,
        "settings_hash": shash,
        "settings": settings,
        "chunks": design.n_chunks,
        "chunk_size": design.chunk_size,
        "draws": design.draws,
        "rows": design.n_rows,
        "complete": False,
        "parts": {},
        "runs": [],
    }


def write_manifest(folder: Path, manifest: Mapping[str, Any]) -> None:
    """Write the manifest atomically."""
    write_json_atomic(folder / MANIFEST, manifest, what="sweep manifest")


def settings_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """Each setting that differs, as ``"key: OLD in the folder, NEW now"``.

    >>> settings_diff({"draws": 20, "seed": 1}, {"draws": 30, "seed": 1})
    'draws: 20 in the folder, 30 now'
    """
    diffs = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            a, b = json.dumps(old.get(key)), json.dumps(new.get(key))
            a = a if len(a) < 60 else a[:57] + "..."
            b = b if len(b) < 60 else b[:57] + "..."
            diffs.append(f"{key}: {a} in the folder, {b} now")
    return "; ".join(diffs)


def now() -> str:
    """The time now, UTC, ISO 8601 to the second."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------- sidecar
def _packages(extra: Sequence[str] = ()) -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in ("estimative", "numpy", "opt_einsum", "pyarrow", "pandas", "pydantic", *extra):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def sidecar(
    design: SweepDesign, manifest: Mapping[str, Any], scheduler: str | None
) -> dict[str, Any]:
    """The sidecar of a finished sweep: what it is, where it came from, how it was computed."""
    net = design.net
    runs = manifest["runs"]
    chunk_secs = [p["seconds"] for p in manifest["parts"].values() if p.get("seconds") is not None]
    key = f"(*{list(design.spawn_key)}, k)" if design.spawn_key else "(k,)"
    out: dict[str, Any] = {
        "format": FORMAT,
        "title": design.title,
        "created": now(),
        "sweep_file": design.source,
        "sweep_file_sha256": design.source_sha256,
        "model": {
            "name": net.name,
            "title": net.spec.title,
            "path": net.spec.root,
            "model_hash": net.model_hash,
        },
        "settings_hash": manifest["settings_hash"],
        "seed": design.seed,
        "draws": design.draws,
        "seed_scheme": f"chunk k draws from numpy.random.SeedSequence(seed, spawn_key={key})"
        + ("" if design.spawn_key else " (= SeedSequence(seed).spawn(K)[k])"),
        "chunking": {
            "chunk_size": design.chunk_size,
            "chunks": design.n_chunks,
            "files": list(manifest["parts"]),
        },
        "grid": {
            "policies": list(design.policies),
            "scenarios": list(design.scenarios),
            "targets": [{"variable": v, "states": list(s)} for v, s in design.targets],
            "parameters": [
                {
                    "label": g.label,
                    "variable": g.variable,
                    "state": g.state,
                    "when": dict(g.when),
                    "values": list(g.values),
                }
                for g in design.parameters
            ],
            "strengths": dict(design.strengths),
        },
        "rows": design.n_rows,
        "row_order": ["policy", "scenario", "parameter", "target", "state", "draw"],
        "schema": [{"name": n, "type": str(t), "description": d} for n, t, d in COLUMNS],
        "packages": _packages(("distributed",) if scheduler else ()),
        "timing": {
            "wall_seconds": round(sum(r["seconds"] or 0.0 for r in runs), 6),
            "chunk_compute_seconds": round(sum(chunk_secs), 6),
            "chunk_seconds_mean": round(float(np.mean(chunk_secs)), 6) if chunk_secs else None,
            "runs": runs,
        },
    }
    if design.spawn_key:
        out["spawn_key"] = list(design.spawn_key)
    return out


def write_sidecar(folder: Path, data: Mapping[str, Any]) -> Path:
    """Write the sidecar atomically; return its path."""
    return write_json_atomic(folder / SIDECAR, data, what="sweep sidecar")


# ---------------------------------------------------------------------------------- reading
def read_sweep(path: str | Path, *, allow_partial: bool = False) -> Any:
    """A sweep's rows as a pandas DataFrame, in chunk order (dictionary columns -> categoricals).

    Parameters
    ----------
    path : str or Path
        The folder a sweep wrote.
    allow_partial : bool
        Read an unfinished sweep's parts instead of refusing.

    Returns
    -------
    pandas.DataFrame
        One row per draw x policy x scenario x parameter setting x target state (:data:`COLUMNS`).

    Raises :class:`~estimative.errors.UsageError` for a folder without a manifest, or for an
    unfinished sweep unless ``allow_partial``.

    Examples
    --------
    >>> import tempfile
    >>> read_sweep(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    estimative.errors.UsageError: ... is not a sweep output folder (no _manifest.json). Fix: name the folder a sweep wrote
    """
    folder = Path(path)
    mpath = folder / MANIFEST
    if not mpath.is_file():
        raise UsageError(
            f"{folder} is not a sweep output folder (no {MANIFEST})",
            fix="name the folder a sweep wrote",
        )
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    if not manifest.get("complete") and not allow_partial:
        raise UsageError(
            f"the sweep in {folder} is not finished",
            fix="rerun the same sweep command to complete it, or pass allow_partial=True",
        )
    files = sorted(folder.glob("part-*.parquet"))
    if not files:
        return SCHEMA.empty_table().to_pandas()
    return pa.concat_tables([pq.read_table(f, schema=SCHEMA) for f in files]).to_pandas()
