"""Running a sweep: the folder lock, resuming from the finished parts, and the chunks computed
in this process, in local worker processes, or on a Dask distributed cluster.

Whoever computes a chunk, its rows are the same (:func:`estimative.sweep.compute.chunk_rng`);
this process alone writes the folder, one whole part file per finished chunk, and the
manifest after each.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing as mp
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from .._io import machine_failure
from ..errors import ResourceError, UsageError
from .compute import SweepJob, make_job, timed_chunk
from .design import SweepDesign, check_whole
from .store import now as _now
from .store import (
    open_manifest,
    part_index,
    part_name,
    part_ok,
    part_sha256,
    read_sweep,
    remove_temporary,
    sidecar,
    write_manifest,
    write_part,
    write_sidecar,
)

#: What every machine failure says: nothing finished is lost.
RESUMABLE = "the sweep is resumable: rerun the same command"
#: The file-system failures that are the machine's, not a bug: disk full, quota, read-only.
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}

#: ``progress(done, total)``: called as chunks finish.
Progress = Callable[[int, int], None]
_Finished = Callable[[int, pa.Table, float], None]


@dataclass(frozen=True)
class SweepResult:
    """What a finished :func:`run_sweep` wrote.

    >>> import tempfile
    >>> from estimative import Network, SweepDesign, run_sweep
    >>> d = SweepDesign(Network.from_file("models/example"), targets=(("armed_clash", ("yes",)),),
    ...                 draws=20, chunk_size=10, seed=1)
    >>> run_sweep(d, out=tempfile.mkdtemp(), workers=1).rows
    20
    """

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
    #: Part files found on disk whose checksum or row count did not match the manifest, and
    #: which this run therefore computed again.
    redone: tuple[str, ...] = ()

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (see :func:`~estimative.sweep.store.read_sweep`)."""
        return read_sweep(self.out)


def default_workers() -> int:
    """The number of cores this process may use.

    >>> default_workers() >= 1
    True
    """
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

    Parameters
    ----------
    design : SweepDesign
        What to compute; its seed (recorded in the folder) fixes every chunk's draws.
    out : str or Path, optional
        The output folder (default ``design.output``).
    workers : int, optional
        Local processes (default: every core; 1 computes in this process).
    scheduler : str, optional
        Instead of ``workers``: the address of a Dask distributed scheduler (``tcp://host:port``).
    progress : callable, optional
        ``progress(done, total)``, called as chunks finish.

    Returns
    -------
    SweepResult

    Raises :class:`~estimative.errors.UsageError` when ``out`` holds something else (another
    sweep's rows, or files that are not a sweep's), or another run is writing into it.

    Examples
    --------
    >>> import tempfile
    >>> from estimative.network import Network
    >>> net = Network.from_file("models/example")
    >>> d = SweepDesign(net, targets=(("armed_clash", ("yes",)),), draws=20, chunk_size=10, seed=1)
    >>> r = run_sweep(d, out=tempfile.mkdtemp(), workers=1)
    >>> r.rows, r.chunks_computed, len(r.to_frame())
    (20, 2, 20)
    """
    folder = Path(out) if out is not None else design.output
    if folder is None:
        raise UsageError(
            "no output folder",
            field="out",
            fix="pass out= (or --out), or name output: in the sweep file",
        )
    if workers is not None and scheduler:
        raise UsageError(
            "give --workers (local processes) or --scheduler (a Dask cluster), not both",
            fix="the cluster's workers do the work when --scheduler is given: drop --workers",
        )
    if workers is not None:
        check_whole("workers", workers, 1, 4096)
    if folder.exists() and not folder.is_dir():
        raise UsageError(
            f"the output '{folder}' is a file, not a folder",
            field="out",
            fix="name a folder for the sweep's rows",
        )
    folder = folder.resolve()  # one lock and one manifest however the folder is named
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot create the output folder {folder} ({exc.strerror or exc})",
            field="out",
            fix="name a folder you can write to",
        ) from None
    with folder_lock(folder):
        try:
            return _run_locked(design, folder, workers, scheduler, progress)
        except OSError as exc:
            failure = machine_failure(exc, f"the sweep into {folder}")
            if exc.errno not in _DISK_ERRNOS or failure is None:
                raise
            raise ResourceError(
                failure[0],
                fix=f"{RESUMABLE} once the disk can take it (the parts written so far are kept), "
                "or choose another --out",
            ) from None


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the sweep folder, so two runs never write its manifest at
    once. The kernel drops the lock when the process dies, so a killed run can be resumed."""
    import fcntl

    fh = open(folder / ".lock", "a+")  # noqa: SIM115 - held for the duration of the run
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"another sweep is writing into {folder} right now",
                fix="wait for it to finish (rerunning then resumes or finds it complete), or choose another --out",
            ) from None
        yield
    finally:
        fh.close()


def _run_locked(
    design: SweepDesign,
    folder: Path,
    workers: int | None,
    scheduler: str | None,
    progress: Progress | None,
) -> SweepResult:
    n_workers = workers if workers is not None else default_workers()
    shash = design.settings_hash
    manifest = open_manifest(folder, design)
    remove_temporary(folder)  # left by a run that was killed mid-write
    expected = {k: design.chunk_rows(k) for k in range(design.n_chunks)}
    parts: dict[str, Any] = manifest["parts"]
    done = {
        k
        for k in range(design.n_chunks)
        if part_ok(
            folder / part_name(k),
            expected[k],
            (parts.get(part_name(k)) or {}).get("sha256"),
        )
    }
    # Parts on disk that the manifest cannot vouch for (corrupted, truncated, or written by a
    # run killed before it recorded their checksum) are computed again.
    redone = [
        part_name(k)
        for k in range(design.n_chunks)
        if k not in done and (part_name(k) in parts or (folder / part_name(k)).exists())
    ]
    for name in list(parts):
        if part_index(name) not in done:
            del parts[name]
    pending = [k for k in range(design.n_chunks) if k not in done]
    run: dict[str, Any] = {  # a JSON record of the manifest; its values change type as it runs
        "started": _now(),
        "finished": None,
        "seconds": None,
        "chunks_computed": 0,
        "workers": None if scheduler else min(n_workers, max(1, len(pending))),
        "scheduler": scheduler,
        "redone": redone,
    }
    manifest["runs"].append(run)
    manifest["complete"] = not pending
    write_manifest(folder, manifest)
    t0 = time.perf_counter()
    total = design.n_chunks
    count = len(done)
    if progress is not None:
        progress(count, total)

    def finished(k: int, table: pa.Table, seconds: float) -> None:
        nonlocal count
        if table.num_rows != expected[k]:  # pragma: no cover - a bug, not a user error
            raise RuntimeError(f"chunk {k} has {table.num_rows} rows, expected {expected[k]}")
        write_part(folder / part_name(k), table)
        parts[part_name(k)] = {
            "rows": table.num_rows,
            "sha256": part_sha256(folder / part_name(k)),
            "draws": list(design.chunk_draws(k)),
            "seconds": round(seconds, 6),
        }
        count += 1
        run["chunks_computed"] += 1
        run["seconds"] = round(time.perf_counter() - t0, 6)
        write_manifest(folder, manifest)
        if progress is not None:
            progress(count, total)

    if pending:
        job = make_job(design)
        if scheduler:
            _run_dask(job, pending, scheduler, finished)
        else:
            _run_local(job, pending, n_workers, finished)
    seconds = time.perf_counter() - t0
    run["finished"] = _now()
    run["seconds"] = round(seconds, 6)
    manifest["parts"] = dict(sorted(parts.items()))
    manifest["complete"] = True
    write_manifest(folder, manifest)
    side = write_sidecar(folder, sidecar(design, manifest, scheduler))
    return SweepResult(
        folder,
        side,
        design.n_rows,
        total,
        run["chunks_computed"],
        len(done),
        shash,
        design.net.model_hash,
        seconds,
        run["workers"],
        tuple(redone),
    )


# ---------------------------------------------------------------------------------- local processes
_WORKER_JOB: SweepJob | None = None


def _init_worker(job: SweepJob) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _worker_chunk(k: int) -> tuple[int, pa.Table, float]:
    assert _WORKER_JOB is not None
    return timed_chunk(_WORKER_JOB, k)


def _run_local(job: SweepJob, pending: list[int], workers: int, finished: _Finished) -> None:
    if workers <= 1 or len(pending) <= 1:
        for k in pending:
            finished(*timed_chunk(job, k))
        return
    ex = ProcessPoolExecutor(
        max_workers=min(workers, len(pending)),
        mp_context=_mp_context(),
        initializer=_init_worker,
        initargs=(job,),
    )
    try:
        futures = [ex.submit(_worker_chunk, k) for k in pending]
        for fut in as_completed(futures):
            try:
                result = fut.result()
            except BrokenProcessPool:
                raise ResourceError(
                    "a worker process died (killed, or out of memory) before its chunk finished",
                    fix=f"{RESUMABLE} (with fewer --workers if memory is short)",
                ) from None
            finished(*result)
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


# ---------------------------------------------------------------------------------- Dask
def _run_dask(job: SweepJob, pending: list[int], address: str, finished: _Finished) -> None:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
        from distributed.comm.core import CommClosedError
        from distributed.scheduler import KilledWorker
    except ImportError:  # pragma: no cover - a dependency of the package
        raise UsageError(
            "--scheduler needs dask[distributed]", fix="pip install 'dask[distributed]'"
        ) from None
    fix = "start one (dask scheduler, then dask worker ADDRESS) or check the address, e.g. tcp://127.0.0.1:8786"
    _probe(address, fix)
    try:
        client = Client(address, timeout="30s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(
            f"cannot reach the Dask scheduler at {address} ({type(exc).__name__}: {exc})", fix=fix
        ) from None
    try:
        [job_future] = client.scatter([job], broadcast=True, hash=False)
        futures = [client.submit(timed_chunk, job_future, k, pure=False) for k in pending]
        for fut in dask_completed(futures, loop=client.loop):
            finished(*fut.result())
    except (KilledWorker, CancelledError, CommClosedError, TimeoutError) as exc:
        raise ResourceError(
            f"the Dask cluster at {address} lost the sweep's work ({type(exc).__name__})",
            fix=f"{RESUMABLE} once the scheduler and its workers are up",
        ) from None
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
        raise UsageError(
            f"cannot reach the Dask scheduler at {address} ({exc.strerror or exc})", fix=fix
        ) from None
