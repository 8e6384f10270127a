"""Batch sweeps: many queries over many parameter draws, written as a resumable Parquet dataset.

A sweep evaluates every target under every cell of a grid (policy x scenario x one-way
parameter setting) for ``draws`` Dirichlet draws of the model's CPTs
(:func:`estimative.uncertainty.draw_cpts`), on the batched engine. Every grid cell sees the
same draws (common random numbers), so differences between cells are paired.

Work is split into chunks of ``chunk_size`` draws. Chunk ``k`` draws its CPTs from
``np.random.SeedSequence(seed, spawn_key=(k,))``, so its rows depend only on the settings and
``k``: never on how many workers ran, in what order, or whether the run was interrupted. Each
finished chunk is written atomically as its own Parquet file; a rerun of the same sweep into the
same folder computes only the missing chunks, and a rerun with different settings is refused.

Output folder
-------------
``part-00000.parquet``, ``part-00001.parquet``, ...
    One file per chunk, rows in the order (policy, scenario, parameter setting, target, state,
    draw). Together a Parquet dataset: ``pandas.read_parquet(folder)`` or :func:`read_sweep`
    (which checks the sweep is complete and keeps chunk order).
``_manifest.json``
    Settings, their hash, the finished chunks and each run's timing (updated after every chunk).
``_sweep.json``
    The sidecar, written when the sweep completes: model hash, package versions, seed, grid,
    draws, chunking, row count, the schema below, and timing.

Files whose names start with ``_`` or ``.`` are skipped by Parquet dataset readers. Each part's
Arrow schema metadata carries ``format``, ``model_hash`` and ``settings_hash``.

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
import hashlib
import json
import multiprocessing as mp
import os
import platform
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import QueryError, UsageError, did_you_mean
from ..network import Network
from ..priors import draw_cpts
from .file import BASELINE, MAX_DRAWS, load_sweep_file, parameter_label

FORMAT = "estimative-sweep/1"
MANIFEST = "_manifest.json"
SIDECAR = "_sweep.json"

_DICT = pa.dictionary(pa.int32(), pa.string())

#: (name, arrow type, meaning) of every column, in order.
COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("draw", pa.int64(), "parameter draw, 0..draws-1; the same CPTs in every grid cell (common random numbers)"),
    ("policy", _DICT, "policy id; 'baseline' = no intervention"),
    ("scenario", _DICT, "scenario id; 'baseline' = no evidence"),
    ("parameter", _DICT, "one-way grid parameter fixed in this row; null = every parameter as drawn"),
    ("parameter_value", pa.float64(), "the value the parameter was fixed to; null when parameter is null"),
    ("target", _DICT, "target variable"),
    ("state", _DICT, "state of the target"),
    ("probability", pa.float64(), "P(target=state | scenario evidence; do(policy)) for this draw; NaN when evidence_ok is false"),
    ("evidence_probability", pa.float64(), "P(scenario evidence | do(policy)) for this draw; 1 for the baseline scenario"),
    ("evidence_ok", pa.bool_(), "false when this draw gives the scenario's evidence probability zero"),
)

SCHEMA = pa.schema([pa.field(n, t, nullable=True, metadata={"description": d}) for n, t, d in COLUMNS],
                   metadata={"format": FORMAT})


# ---------------------------------------------------------------------------------- the design
@dataclass(frozen=True)
class ParameterGrid:
    """A one-way grid: P(variable=state | when) set to each of ``values`` in turn, the other
    states of each affected column scaled proportionally (``when`` may name only some parents:
    every matching column is set)."""

    variable: str
    state: str
    values: tuple[float, ...]
    when: tuple[tuple[str, str], ...] = ()
    id: str | None = None

    @property
    def label(self) -> str:
        return parameter_label(self.variable, self.state, dict(self.when), self.id)


@dataclass(frozen=True, eq=False)
class SweepDesign:
    """What a sweep computes. Build it with :func:`load_sweep` or directly.

    ``policies`` and ``scenarios`` are ids, with ``"baseline"`` for none. ``targets`` pairs each
    variable with the states to record.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> d = SweepDesign(net, targets=(("armed_clash", ("yes",)),), policies=("baseline", "status_quo"),
    ...                 draws=1000, chunk_size=400)
    >>> d.n_chunks, d.n_rows
    (3, 2000)
    """

    net: Network
    targets: tuple[tuple[str, tuple[str, ...]], ...]
    policies: tuple[str, ...] = (BASELINE,)
    scenarios: tuple[str, ...] = (BASELINE,)
    parameters: tuple[ParameterGrid, ...] = ()
    draws: int = 1000
    seed: int = 0
    chunk_size: int = 500
    strengths: Mapping[str, float] = field(default_factory=dict)
    title: str | None = None
    source: str | None = None
    source_sha256: str | None = None
    output: Path | None = None

    def __post_init__(self) -> None:
        net = self.net
        if not self.targets:
            raise UsageError("a sweep needs at least one target", fix="name a variable and its state(s)")
        for var, states in self.targets:
            for s in states:
                net.state_index(var, s)
        if len({v for v, _ in self.targets}) != len(self.targets):
            raise UsageError("a target is listed twice", found=str([v for v, _ in self.targets]))
        for what, ids, known in (("policy", self.policies, [p.id for p in net.spec.policies]),
                                 ("scenario", self.scenarios, [s.id for s in net.spec.scenarios])):
            allowed = [BASELINE, *known]
            if not ids:
                raise UsageError(f"a sweep needs at least one {what}", fix=f"use '{BASELINE}' for none")
            for i in ids:
                if i not in allowed:
                    raise QueryError(f"unknown {what} '{i}'{did_you_mean(i, allowed)}", expected=f"one of {allowed}")
            if len(set(ids)) != len(ids):
                raise UsageError(f"a {what} is listed twice", found=str(list(ids)))
        for g in self.parameters:
            net.state_index(g.variable, g.state)
            for par, st in g.when:
                if par not in net.parents[g.variable]:
                    raise QueryError(f"'{par}' is not a parent of '{g.variable}'{did_you_mean(par, net.parents[g.variable])}")
                net.state_index(par, st)
            if not g.values or any(not (0.0 <= float(x) <= 1.0) for x in g.values):
                raise UsageError(f"values of parameter '{g.label}' must be probabilities in [0, 1]", found=str(list(g.values)))
        if len({g.label for g in self.parameters}) != len(self.parameters):
            raise UsageError("two parameter grids have the same label", fix="give each an id")
        for var in self.strengths:
            net.index(var)
        _check_count("draws", self.draws, 1, MAX_DRAWS)
        _check_count("chunk_size", self.chunk_size, 1, 1_000_000)
        _check_count("seed", self.seed, 0, None)

    # -------------------------------------------------------------- sizes
    @property
    def n_chunks(self) -> int:
        return -(-self.draws // self.chunk_size)

    def chunk_draws(self, k: int) -> tuple[int, int]:
        """The draws ``[start, stop)`` of chunk ``k``."""
        start = k * self.chunk_size
        return start, min(start + self.chunk_size, self.draws)

    @property
    def settings_count(self) -> int:
        """Parameter settings per cell: the draws as they are, plus every grid value."""
        return 1 + sum(len(g.values) for g in self.parameters)

    @property
    def rows_per_draw(self) -> int:
        return len(self.policies) * len(self.scenarios) * self.settings_count * sum(len(s) for _, s in self.targets)

    @property
    def n_rows(self) -> int:
        return self.draws * self.rows_per_draw

    # -------------------------------------------------------------- identity
    def settings(self) -> dict[str, Any]:
        """Everything that determines the rows (not where or how they are computed)."""
        from .._version import __version__

        return {
            "format": FORMAT,
            "estimative": __version__,
            "model_hash": self.net.model_hash,
            "targets": [{"variable": v, "states": list(s)} for v, s in self.targets],
            "policies": list(self.policies),
            "scenarios": list(self.scenarios),
            "parameters": [{"label": g.label, "variable": g.variable, "state": g.state, "when": dict(g.when),
                            "values": [float(x) for x in g.values]} for g in self.parameters],
            "strengths": {k: float(v) for k, v in sorted(self.strengths.items())},
            "draws": int(self.draws),
            "seed": int(self.seed),
            "chunk_size": int(self.chunk_size),
        }

    @property
    def settings_hash(self) -> str:
        blob = json.dumps(self.settings(), sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _check_count(name: str, value: int, low: int, high: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low or (high is not None and value > high):
        rng = f"an integer >= {low}" + (f" and <= {high:,}" if high is not None else "")
        raise UsageError(f"{name} must be {rng}", found=repr(value), fix=f"give --{name.replace('_', '-')} a whole number in range")


def load_sweep(
    path: str | Path, *, draws: int | None = None, seed: int | None = None, chunk_size: int | None = None,
) -> SweepDesign:
    """Read a sweep file into a :class:`SweepDesign`; keyword options override the file.

    Examples
    --------
    >>> d = load_sweep("models/example/sweeps/policies.yaml", draws=100)
    >>> d.draws, d.seed, d.policies
    (100, 2017, ('baseline', 'status_quo', 'private_channel'))
    """
    sf = load_sweep_file(path)
    s = sf.spec
    return SweepDesign(
        sf.net,
        targets=tuple((v, tuple(st)) for v, st in sf.targets),
        policies=tuple(sf.policies),
        scenarios=tuple(sf.scenarios),
        parameters=tuple(ParameterGrid(g.variable, g.state, tuple(float(x) for x in g.values),
                                       tuple(g.when.items()), g.id) for g in s.parameters),
        draws=s.draws if draws is None else draws,
        seed=s.seed if seed is None else seed,
        chunk_size=s.chunk_size if chunk_size is None else chunk_size,
        strengths=dict(s.strengths),
        title=s.title,
        source=str(sf.path),
        source_sha256=sf.sha256,
        output=sf.output,
    )


# ---------------------------------------------------------------------------------- one chunk
@dataclass(frozen=True)
class _Setting:
    code: int
    var: int
    state: int
    selector: tuple[int | None, ...]
    value: float


@dataclass(frozen=True, eq=False)
class _Job:
    """Everything a worker needs to compute any chunk: picklable, self-contained."""

    net: Network
    cells: tuple[tuple[int, int, str | None, str | None], ...]  # (policy code, scenario code, policy, scenario)
    targets: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]  # (variable, state indices, state codes)
    settings: tuple[_Setting | None, ...]
    draws: int
    seed: int
    chunk_size: int
    strengths: dict[str, float]
    policies: tuple[str, ...]
    scenarios: tuple[str, ...]
    parameters: tuple[str, ...]
    target_names: tuple[str, ...]
    state_names: tuple[str, ...]
    metadata: dict[str, str]


def _job(design: SweepDesign) -> _Job:
    net = design.net
    cells = tuple(
        (pi, si, None if p == BASELINE else p, None if s == BASELINE else s)
        for pi, p in enumerate(design.policies) for si, s in enumerate(design.scenarios)
    )
    state_names: list[str] = []
    targets = []
    for var, states in design.targets:
        for s in states:
            if s not in state_names:
                state_names.append(s)
        targets.append((var, tuple(net.state_index(var, s) for s in states), tuple(state_names.index(s) for s in states)))
    settings: list[_Setting | None] = [None]
    for code, g in enumerate(design.parameters):
        when = dict(g.when)
        selector = tuple(net.state_index(p, when[p]) if p in when else None for p in net.parents[g.variable])
        for x in g.values:
            settings.append(_Setting(code, net.index(g.variable), net.state_index(g.variable, g.state), selector, float(x)))
    return _Job(net, cells, tuple(targets), tuple(settings), design.draws, design.seed, design.chunk_size,
                {k: float(v) for k, v in design.strengths.items()}, tuple(design.policies), tuple(design.scenarios),
                tuple(g.label for g in design.parameters), tuple(v for v, _ in design.targets), tuple(state_names),
                {"format": FORMAT, "model_hash": net.model_hash, "settings_hash": design.settings_hash})


def chunk_rng(seed: int, k: int) -> np.random.Generator:
    """The generator of chunk ``k``: the same whoever computes it, whenever.

    >>> float(chunk_rng(1, 3).random()) == float(np.random.default_rng(np.random.SeedSequence(1).spawn(4)[3]).random())
    True
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))


def covary(cpt: np.ndarray, state: int, selector: Sequence[int | None], value: float) -> np.ndarray:
    """A copy of ``cpt`` (shape ``(card, *parents[, N])``) with P(state | column) set to
    ``value`` in the columns ``selector`` picks (an index per parent, ``None`` for all), the
    other states scaled proportionally; where they had no mass, it is shared equally.

    >>> covary(np.array([[0.2], [0.3], [0.5]]), 0, [None], 0.6).ravel().round(3).tolist()
    [0.6, 0.15, 0.25]
    """
    out = np.array(cpt, dtype=float, copy=True)
    col = out[(slice(None), *(slice(None) if i is None else i for i in selector))]
    card = out.shape[0]
    old = col[state].copy()
    rest = 1.0 - old
    empty = rest <= 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(empty, 0.0, (1.0 - value) / np.where(empty, 1.0, rest))
    for o in range(card):
        if o != state:
            col[o] = np.where(empty, (1.0 - value) / (card - 1), col[o] * scale)
    col[state] = value
    return out


def compute_chunk(job: _Job, k: int) -> pa.Table:
    """The rows of chunk ``k`` (a pure function of the job and ``k``)."""
    start = k * job.chunk_size
    n = min(job.chunk_size, job.draws - start)
    base = draw_cpts(job.net, n, rng=chunk_rng(job.seed, k), strengths=job.strengths or None)
    draw_ids = np.arange(start, start + n, dtype=np.int64)
    blocks: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for si, setting in enumerate(job.settings):
        cpts = base
        if setting is not None:
            cpts = list(base)
            cpts[setting.var] = covary(base[setting.var], setting.state, setting.selector, setting.value)
        for ci, (_, _, policy, scenario) in enumerate(job.cells):
            for ti, (var, sidx, _) in enumerate(job.targets):
                bp = job.net.query_batch(var, cpts=cpts, policy=policy, scenario=scenario)
                probs = np.broadcast_to(bp.probs, (n, bp.probs.shape[1]))[:, list(sidx)].T  # (states, n)
                total = np.broadcast_to(bp.evidence_prob, (n,))
                ok = ~np.broadcast_to(bp.impossible, (n,))
                blocks[(ci, si, ti)] = (probs, total, ok)
    cols: dict[str, list[np.ndarray]] = {n_: [] for n_, _, _ in COLUMNS}
    pmask: list[np.ndarray] = []
    for ci, (pc, sc, _, _) in enumerate(job.cells):
        for si, setting in enumerate(job.settings):
            for ti, (_, _, scodes) in enumerate(job.targets):
                probs, total, ok = blocks[(ci, si, ti)]
                m = len(scodes)
                size = m * n
                cols["draw"].append(np.tile(draw_ids, m))
                cols["policy"].append(np.full(size, pc, dtype=np.int32))
                cols["scenario"].append(np.full(size, sc, dtype=np.int32))
                cols["parameter"].append(np.full(size, 0 if setting is None else setting.code, dtype=np.int32))
                cols["parameter_value"].append(np.full(size, np.nan if setting is None else setting.value))
                pmask.append(np.full(size, setting is None))
                cols["target"].append(np.full(size, ti, dtype=np.int32))
                cols["state"].append(np.repeat(np.asarray(scodes, dtype=np.int32), n))
                cols["probability"].append(probs.reshape(-1))
                cols["evidence_probability"].append(np.tile(total, m))
                cols["evidence_ok"].append(np.tile(ok, m))
    cat = {k_: np.concatenate(v) for k_, v in cols.items()}
    null = np.concatenate(pmask)
    dicts = {"policy": job.policies, "scenario": job.scenarios, "parameter": job.parameters,
             "target": job.target_names, "state": job.state_names}
    arrays = []
    for name, typ, _ in COLUMNS:
        if name in dicts:
            mask = null if name == "parameter" else None
            arrays.append(pa.DictionaryArray.from_arrays(pa.array(cat[name], pa.int32(), mask=mask),
                                                         pa.array(list(dicts[name]) or [""], pa.string())))
        elif name == "parameter_value":
            arrays.append(pa.array(cat[name], typ, mask=null))
        else:
            arrays.append(pa.array(cat[name], typ))
    return pa.Table.from_arrays(arrays, schema=SCHEMA.with_metadata(job.metadata))


def _timed_chunk(job: _Job, k: int) -> tuple[int, pa.Table, float]:
    t0 = time.perf_counter()
    table = compute_chunk(job, k)
    return k, table, time.perf_counter() - t0


_WORKER_JOB: _Job | None = None


def _init_worker(job: _Job) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _worker_chunk(k: int) -> tuple[int, pa.Table, float]:
    assert _WORKER_JOB is not None
    return _timed_chunk(_WORKER_JOB, k)


# ---------------------------------------------------------------------------------- files
def part_name(k: int) -> str:
    """The file of chunk ``k``: ``part-00000.parquet``, ..."""
    return f"part-{k:05d}.parquet"


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_json(path: Path, obj: Any) -> None:
    _atomic_write_bytes(path, (json.dumps(obj, indent=2, default=_plain) + "\n").encode())


def _plain(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(type(o).__name__)


def _write_part(path: Path, table: pa.Table) -> None:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    _atomic_write_bytes(path, sink.getvalue().to_pybytes())


def _part_ok(path: Path, rows: int) -> bool:
    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException):
        return False
    return meta.num_rows == rows and meta.schema.to_arrow_schema().names == SCHEMA.names


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _packages(extra: Sequence[str] = ()) -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in ("estimative", "numpy", "opt_einsum", "pyarrow", "pandas", "pydantic", *extra):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _settings_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    diffs = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            a, b = json.dumps(old.get(key)), json.dumps(new.get(key))
            a = a if len(a) < 60 else a[:57] + "..."
            b = b if len(b) < 60 else b[:57] + "..."
            diffs.append(f"{key}: {a} in the folder, {b} now")
    return "; ".join(diffs)


# ---------------------------------------------------------------------------------- running
@dataclass(frozen=True)
class SweepResult:
    """What a finished :func:`run_sweep` wrote."""

    out: Path
    sidecar: Path
    rows: int
    chunks: int
    chunks_computed: int
    chunks_reused: int
    settings_hash: str
    model_hash: str
    seconds: float
    workers: int | None = None

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (see :func:`read_sweep`)."""
        return read_sweep(self.out)


Progress = Callable[[int, int], None]


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_sweep(
    design: SweepDesign,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> SweepResult:
    """Compute the sweep into ``out`` (default ``design.output``), resuming if the folder holds
    part of the same sweep.

    ``workers`` local processes (default: every core; 1 computes in this process), or the
    chunks go to the Dask distributed scheduler at ``scheduler`` (``tcp://host:port``).
    ``progress(done, total)`` is called as chunks finish. Raises
    :class:`~estimative.errors.UsageError` when ``out`` holds something else (another sweep's
    rows, or files that are not a sweep's).
    """
    folder = Path(out) if out is not None else design.output
    if folder is None:
        raise UsageError("no output folder", fix="pass out= (or --out), or name output: in the sweep file")
    if workers is not None and scheduler:
        raise UsageError("give --workers (local processes) or --scheduler (a Dask cluster), not both",
                         fix="the cluster's workers do the work when --scheduler is given: drop --workers")
    if workers is not None:
        _check_count("workers", workers, 1, 4096)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"the output '{folder}' is a file, not a folder", fix="name a folder for the sweep's rows")
    folder.mkdir(parents=True, exist_ok=True)
    with _folder_lock(folder):
        return _run_sweep_locked(design, folder, workers, scheduler, progress)


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the sweep folder, so two runs never write its manifest at
    once. The kernel drops the lock when the process dies, so a killed run can be resumed."""
    import fcntl

    fh = open(folder / ".lock", "a+")  # noqa: SIM115 - held for the duration of the run
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"another sweep is writing into {folder} right now",
                             fix="wait for it to finish (rerunning then resumes or finds it complete), or choose another --out") from None
        yield
    finally:
        fh.close()


def _run_sweep_locked(
    design: SweepDesign, folder: Path, workers: int | None, scheduler: str | None, progress: Progress | None
) -> SweepResult:
    n_workers = workers if workers is not None else default_workers()
    settings = design.settings()
    shash = design.settings_hash
    manifest = _open_folder(folder, settings, shash, design)
    for tmp in folder.glob(".*.tmp-*"):  # left by a run that was killed mid-write
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    expected = {k: (design.chunk_draws(k)[1] - design.chunk_draws(k)[0]) * design.rows_per_draw
                for k in range(design.n_chunks)}
    parts: dict[str, Any] = manifest["parts"]
    done = {k for k in range(design.n_chunks) if _part_ok(folder / part_name(k), expected[k])}
    for name in list(parts):
        if int(name[5:10]) not in done:
            del parts[name]
    for k in done:
        parts.setdefault(part_name(k), {"rows": expected[k], "draws": list(design.chunk_draws(k)), "seconds": None})
    pending = [k for k in range(design.n_chunks) if k not in done]
    run = {"started": _now(), "finished": None, "seconds": None, "chunks_computed": 0,
           "workers": None if scheduler else min(n_workers, max(1, len(pending))), "scheduler": scheduler}
    manifest["runs"].append(run)
    manifest["complete"] = not pending
    _write_json(folder / MANIFEST, manifest)
    t0 = time.perf_counter()
    total = design.n_chunks
    count = len(done)
    if progress is not None:
        progress(count, total)

    def finished(k: int, table: pa.Table, seconds: float) -> None:
        nonlocal count
        if table.num_rows != expected[k]:  # pragma: no cover - a bug, not a user error
            raise RuntimeError(f"chunk {k} has {table.num_rows} rows, expected {expected[k]}")
        _write_part(folder / part_name(k), table)
        parts[part_name(k)] = {"rows": table.num_rows, "draws": list(design.chunk_draws(k)), "seconds": round(seconds, 6)}
        count += 1
        run["chunks_computed"] += 1
        run["seconds"] = round(time.perf_counter() - t0, 6)
        _write_json(folder / MANIFEST, manifest)
        if progress is not None:
            progress(count, total)

    if pending:
        job = _job(design)
        if scheduler:
            _run_dask(job, pending, scheduler, finished)
        else:
            _run_local(job, pending, n_workers, finished)
    seconds = time.perf_counter() - t0
    run["finished"] = _now()
    run["seconds"] = round(seconds, 6)
    manifest["parts"] = dict(sorted(parts.items()))
    manifest["complete"] = True
    _write_json(folder / MANIFEST, manifest)
    sidecar = folder / SIDECAR
    _write_json(sidecar, _sidecar(design, manifest, scheduler))
    return SweepResult(folder, sidecar, design.n_rows, total, run["chunks_computed"], len(done), shash,
                       design.net.model_hash, seconds, run["workers"])


def _open_folder(folder: Path, settings: dict[str, Any], shash: str, design: SweepDesign) -> dict[str, Any]:
    """The folder's manifest: read (same settings) or started (empty or new folder)."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"the output '{folder}' is a file, not a folder", fix="name a folder for the sweep's rows")
    folder.mkdir(parents=True, exist_ok=True)
    mpath = folder / MANIFEST
    if mpath.exists():
        try:
            manifest = json.loads(mpath.read_text(encoding="utf-8"))
            old_hash = manifest["settings_hash"]
            if not isinstance(manifest["parts"], dict) or not isinstance(manifest["runs"], list):
                raise TypeError("manifest shape")
        except (ValueError, KeyError, TypeError):
            raise UsageError(f"{mpath} is not a sweep manifest this version can read",
                             fix="choose another output folder, or delete this one to start over") from None
        if old_hash != shash:
            raise UsageError(
                f"the output folder {folder} holds a different sweep (settings {old_hash}, now {shash}): "
                + _settings_diff(manifest.get("settings", {}), settings),
                fix="rerun with the folder's settings to resume it, choose another --out, or delete the folder to start over",
            )
        return manifest
    visible = [p.name for p in folder.iterdir() if not p.name.startswith(".")]
    if visible:
        raise UsageError(f"the output folder {folder} is not empty and holds no sweep",
                         found=", ".join(sorted(visible)[:5]) + (" ..." if len(visible) > 5 else ""),
                         fix="choose an empty or new folder with --out")
    return {
        "format": FORMAT, "settings_hash": shash, "settings": settings,
        "chunks": design.n_chunks, "chunk_size": design.chunk_size, "draws": design.draws,
        "rows": design.n_rows, "complete": False, "parts": {}, "runs": [],
    }


def _run_local(job: _Job, pending: list[int], workers: int, finished: Callable[[int, pa.Table, float], None]) -> None:
    if workers <= 1 or len(pending) <= 1:
        for k in pending:
            finished(*_timed_chunk(job, k))
        return
    ex = ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=_mp_context(),
                             initializer=_init_worker, initargs=(job,))
    try:
        futures = [ex.submit(_worker_chunk, k) for k in pending]
        for fut in as_completed(futures):
            finished(*fut.result())
    except BaseException:
        ex.shutdown(wait=False, cancel_futures=True)
        raise
    ex.shutdown(wait=True)


def _mp_context() -> Any:
    """fork when this process runs a single thread (workers start in well under a second);
    otherwise forkserver, which forks workers from a clean process that imported this module."""
    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return mp.get_context("fork")
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return mp.get_context("spawn")  # pragma: no cover - Windows


def _run_dask(job: _Job, pending: list[int], address: str, finished: Callable[[int, pa.Table, float], None]) -> None:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:  # pragma: no cover - a dependency of the package
        raise UsageError("--scheduler needs dask[distributed]", fix="pip install 'dask[distributed]'") from None
    fix = "start one (dask scheduler, then dask worker ADDRESS) or check the address, e.g. tcp://127.0.0.1:8786"
    _probe(address, fix)
    try:
        client = Client(address, timeout="30s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address} ({type(exc).__name__}: {exc})", fix=fix) from None
    try:
        [job_future] = client.scatter([job], broadcast=True, hash=False)
        futures = [client.submit(_timed_chunk, job_future, k, pure=False) for k in pending]
        for fut in dask_completed(futures, loop=client.loop):
            finished(*fut.result())
    finally:
        client.close()


def _probe(address: str, fix: str) -> None:
    """Fail fast on a refused TCP address (the Dask client would retry until its timeout)."""
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in {"tcp", "tls"}:
        return  # inproc://, ucx://: let the client judge
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        raise UsageError(f"the scheduler address {address!r} has no host and port", fix=fix)
    try:
        socket.create_connection((host, port), timeout=10).close()
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address} ({exc.strerror or exc})", fix=fix) from None


def _sidecar(design: SweepDesign, manifest: dict[str, Any], scheduler: str | None) -> dict[str, Any]:
    net = design.net
    runs = manifest["runs"]
    chunk_secs = [p["seconds"] for p in manifest["parts"].values() if p.get("seconds") is not None]
    return {
        "format": FORMAT,
        "title": design.title,
        "created": _now(),
        "sweep_file": design.source,
        "sweep_file_sha256": design.source_sha256,
        "model": {"name": net.name, "title": net.spec.title, "path": net.spec.root, "hash": net.model_hash},
        "settings_hash": manifest["settings_hash"],
        "seed": design.seed,
        "draws": design.draws,
        "seed_scheme": "chunk k draws from numpy.random.SeedSequence(seed, spawn_key=(k,)) (= SeedSequence(seed).spawn(K)[k])",
        "chunking": {"chunk_size": design.chunk_size, "chunks": design.n_chunks,
                     "files": list(manifest["parts"])},
        "grid": {
            "policies": list(design.policies),
            "scenarios": list(design.scenarios),
            "targets": [{"variable": v, "states": list(s)} for v, s in design.targets],
            "parameters": [{"label": g.label, "variable": g.variable, "state": g.state, "when": dict(g.when),
                            "values": list(g.values)} for g in design.parameters],
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


def read_sweep(path: str | Path, *, allow_partial: bool = False) -> Any:
    """A sweep's rows as a pandas DataFrame, in chunk order (dictionary columns -> categoricals).

    Raises :class:`~estimative.errors.UsageError` for a folder without a manifest, or for an
    unfinished sweep unless ``allow_partial``.
    """
    folder = Path(path)
    mpath = folder / MANIFEST
    if not mpath.is_file():
        raise UsageError(f"{folder} is not a sweep output folder (no {MANIFEST})", fix="name the folder a sweep wrote")
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    if not manifest.get("complete") and not allow_partial:
        raise UsageError(f"the sweep in {folder} is not finished", fix="rerun the same sweep command to complete it, or pass allow_partial=True")
    files = sorted(folder.glob("part-*.parquet"))
    if not files:
        return SCHEMA.empty_table().to_pandas()
    return pa.concat_tables([pq.read_table(f, schema=SCHEMA) for f in files]).to_pandas()
