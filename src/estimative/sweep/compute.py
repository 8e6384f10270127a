"""One chunk of a sweep: its random stream, its drawn CPTs, the covaried grid settings and the
batched queries, as an Arrow table of rows.

Chunk ``k`` draws its CPTs from ``np.random.SeedSequence(seed, spawn_key=(*spawn_key, k))``
(:func:`chunk_rng`; the spawn key is empty for a plain seed), so its rows are a pure function
of the design and ``k``: never of how many workers ran, in what order, or whether the run was
interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..network import Network
from ..priors import draw_cpts
from ..spec import BASELINE
from .design import FORMAT, SweepDesign
from .store import COLUMNS, SCHEMA


@dataclass(frozen=True)
class _Setting:
    code: int
    var: int
    state: int
    selector: tuple[int | None, ...]
    value: float


@dataclass(frozen=True, eq=False)
class SweepJob:
    """Everything a worker needs to compute any chunk: picklable, self-contained.

    Make it with :func:`make_job`; give it to :func:`compute_chunk`.
    """

    net: Network
    cells: tuple[
        tuple[int, int, str | None, str | None], ...
    ]  # (policy code, scenario code, policy, scenario)
    targets: tuple[
        tuple[str, tuple[int, ...], tuple[int, ...]], ...
    ]  # (variable, state indices, state codes)
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
    spawn_key: tuple[int, ...] = ()


def make_job(design: SweepDesign) -> SweepJob:
    """The job of ``design``: every name resolved to indices and codes, ready to ship to workers.

    Parameters
    ----------
    design : SweepDesign

    Returns
    -------
    SweepJob

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> job = make_job(SweepDesign(net, targets=(("armed_clash", ("yes",)),), draws=10, chunk_size=4))
    >>> job.cells, job.target_names
    (((0, 0, None, None),), ('armed_clash',))
    """
    net = design.net
    cells = tuple(
        (pi, si, None if p == BASELINE else p, None if s == BASELINE else s)
        for pi, p in enumerate(design.policies)
        for si, s in enumerate(design.scenarios)
    )
    state_names: list[str] = []
    targets = []
    for var, states in design.targets:
        for s in states:
            if s not in state_names:
                state_names.append(s)
        targets.append(
            (
                var,
                tuple(net.state_index(var, s) for s in states),
                tuple(state_names.index(s) for s in states),
            )
        )
    settings: list[_Setting | None] = [None]
    for code, g in enumerate(design.parameters):
        when = dict(g.when)
        selector = tuple(
            net.state_index(p, when[p]) if p in when else None for p in net.parents[g.variable]
        )
        for x in g.values:
            settings.append(
                _Setting(
                    code,
                    net.index(g.variable),
                    net.state_index(g.variable, g.state),
                    selector,
                    float(x),
                )
            )
    return SweepJob(
        net,
        cells,
        tuple(targets),
        tuple(settings),
        design.draws,
        design.seed,
        design.chunk_size,
        {k: float(v) for k, v in design.strengths.items()},
        tuple(design.policies),
        tuple(design.scenarios),
        tuple(g.label for g in design.parameters),
        tuple(v for v, _ in design.targets),
        tuple(state_names),
        {"format": FORMAT, "model_hash": net.model_hash, "settings_hash": design.settings_hash},
        tuple(design.spawn_key),
    )


def chunk_rng(seed: int, k: int, *, spawn_key: Sequence[int] = ()) -> np.random.Generator:
    """The generator of chunk ``k``: the same whoever computes it, whenever.

    Parameters
    ----------
    seed : int
        The sweep's recorded seed.
    k : int
        The chunk.
    spawn_key : sequence of int
        The recorded spawn key of the seed (empty for a plain seed).

    Returns
    -------
    numpy.random.Generator
        ``default_rng(SeedSequence(seed, spawn_key=(*spawn_key, k)))``: for a plain seed, the
        ``k``-th child of ``SeedSequence(seed).spawn(K)``.

    Examples
    --------
    >>> float(chunk_rng(1, 3).random()) == float(np.random.default_rng(np.random.SeedSequence(1).spawn(4)[3]).random())
    True
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(*spawn_key, k)))


def covary(cpt: np.ndarray, state: int, selector: Sequence[int | None], value: float) -> np.ndarray:
    """A copy of ``cpt`` (shape ``(card, *parents[, N])``) with P(state | column) set to
    ``value`` in the columns ``selector`` picks (an index per parent, ``None`` for all), the
    other states scaled proportionally; where they had no mass, it is shared equally.

    Parameters
    ----------
    cpt : numpy.ndarray
        A CPT, or a stack of drawn CPTs (last axis the draws).
    state : int
        The state whose probability is set.
    selector : sequence of int or None
        An index per parent, ``None`` for every state of that parent.
    value : float
        The probability to set.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
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


def compute_chunk(job: SweepJob, k: int) -> pa.Table:
    """The rows of chunk ``k`` (a pure function of the job and ``k``).

    Parameters
    ----------
    job : SweepJob
        From :func:`make_job`.
    k : int
        The chunk.

    Returns
    -------
    pyarrow.Table
        Rows in the :data:`~estimative.sweep.store.SCHEMA`, ordered by policy, scenario,
        parameter setting, target, state, then draw.

    Examples
    --------
    >>> net = Network.from_file("models/example")
    >>> job = make_job(SweepDesign(net, targets=(("armed_clash", ("yes",)),), draws=10, chunk_size=4))
    >>> compute_chunk(job, 2).column("draw").to_pylist()
    [8, 9]
    """
    start = k * job.chunk_size
    n = min(job.chunk_size, job.draws - start)
    rng = chunk_rng(job.seed, k, spawn_key=job.spawn_key)
    base = draw_cpts(job.net, n, rng=rng, strengths=job.strengths or None)
    draw_ids = np.arange(start, start + n, dtype=np.int64)
    blocks: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for si, setting in enumerate(job.settings):
        cpts = base
        if setting is not None:
            cpts = list(base)
            cpts[setting.var] = covary(
                base[setting.var], setting.state, setting.selector, setting.value
            )
        for ci, (_, _, policy, scenario) in enumerate(job.cells):
            for ti, (var, sidx, _) in enumerate(job.targets):
                bp = job.net.query_batch(var, cpts=cpts, policy=policy, scenario=scenario)
                probs = np.broadcast_to(bp.probs, (n, bp.probs.shape[1]))[
                    :, list(sidx)
                ].T  # (states, n)
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
                cols["parameter"].append(
                    np.full(size, 0 if setting is None else setting.code, dtype=np.int32)
                )
                cols["parameter_value"].append(
                    np.full(size, np.nan if setting is None else setting.value)
                )
                pmask.append(np.full(size, setting is None))
                cols["target"].append(np.full(size, ti, dtype=np.int32))
                cols["state"].append(np.repeat(np.asarray(scodes, dtype=np.int32), n))
                cols["probability"].append(probs.reshape(-1))
                cols["evidence_probability"].append(np.tile(total, m))
                cols["evidence_ok"].append(np.tile(ok, m))
    cat = {k_: np.concatenate(v) for k_, v in cols.items()}
    null = np.concatenate(pmask)
    dicts = {
        "policy": job.policies,
        "scenario": job.scenarios,
        "parameter": job.parameters,
        "target": job.target_names,
        "state": job.state_names,
    }
    arrays = []
    for name, typ, _ in COLUMNS:
        if name in dicts:
            mask = null if name == "parameter" else None
            arrays.append(
                pa.DictionaryArray.from_arrays(
                    pa.array(cat[name], pa.int32(), mask=mask),
                    pa.array(list(dicts[name]) or [""], pa.string()),
                )
            )
        elif name == "parameter_value":
            arrays.append(pa.array(cat[name], typ, mask=null))
        else:
            arrays.append(pa.array(cat[name], typ))
    return pa.Table.from_arrays(arrays, schema=SCHEMA.with_metadata(job.metadata))


def timed_chunk(job: SweepJob, k: int) -> tuple[int, pa.Table, float]:
    """``(k, compute_chunk(job, k), seconds it took)``: what a worker sends back."""
    t0 = time.perf_counter()
    table = compute_chunk(job, k)
    return k, table, time.perf_counter() - t0
