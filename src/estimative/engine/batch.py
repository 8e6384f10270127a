"""Run compiled plans over batches of parameter draws, evidence rows and do() rows.

Conditions come per variable, each either shared by every row or given per row:

- ``hard``: a state index (shared) or an integer array of shape ``(N,)``; ``-1`` in a row
  means "no finding on this variable in this row".
- ``soft``: a likelihood vector of shape ``(card,)`` (shared) or ``(N, card)``.
- ``do``: a state index (shared) or an integer array of shape ``(N,)``; ``-1`` in a row means
  "not intervened on in this row" (that row keeps the variable's CPT).

CPTs are ``(card, *parent_cards)`` when shared, and carry the batch on a trailing axis
``(card, *parent_cards, N)`` (``layout="last"``, the fast one) or a leading one
``(N, card, *parent_cards)`` (``layout="first"``). Results always put the batch first:
``(N, *target_cards)``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..errors import QueryError
from .core import (
    _CHUNK_TARGET_BYTES,
    _THREAD_MIN_BYTES,
    DEFAULT_MEMORY_CAP,
    Layout,
    Plan,
    Structure,
    compile_query,
)

#: P(evidence) at or below this is treated as zero (the evidence is impossible).
ZERO_EVIDENCE = 1e-300

_settings = {"memory_cap": DEFAULT_MEMORY_CAP, "threads": 2}
_pool: ThreadPoolExecutor | None = None


def set_memory_cap(nbytes: int) -> int:
    """Set the default cap on any one intermediate array, in bytes; return the old one.

    Examples
    --------
    >>> old = set_memory_cap(64 * 2**20)
    >>> set_memory_cap(old) == 64 * 2**20
    True
    """
    _check_cap(nbytes)
    old = _settings["memory_cap"]
    _settings["memory_cap"] = int(nbytes)
    return old


def _check_cap(nbytes: object) -> int:
    if isinstance(nbytes, bool) or not (isinstance(nbytes, int | np.integer) and nbytes >= 1024):
        raise QueryError(
            "memory cap must be a whole number of bytes, at least 1024",
            found=repr(nbytes),
            fix="pass e.g. memory_cap=512 * 2**20",
        )
    return int(nbytes)


def set_threads(n: int) -> int:
    """Threads that share a large batch's chunks (default 2, this machine's cores); 1 turns
    threading off, e.g. inside worker processes that already fill the cores. Returns the old value.

    Examples
    --------
    >>> old = set_threads(1)
    >>> set_threads(old)
    1
    """
    if isinstance(n, bool) or not (isinstance(n, int | np.integer) and 1 <= n <= 64):
        raise QueryError("threads must be a whole number from 1 to 64", found=repr(n))
    old = _settings["threads"]
    _settings["threads"] = int(n)
    return old


def memory_cap() -> int:
    """The current default memory cap in bytes."""
    return _settings["memory_cap"]


@dataclass(frozen=True)
class BatchResult:
    """Posteriors of a batch: ``probs`` is ``(N, *target_cards)``, NaN where ``impossible``.

    ``evidence_prob[n]`` is P(evidence of row n) under that row's do(); ``impossible[n]`` is
    True where it is zero (the row's posterior is undefined, never silently normalised).
    """

    probs: np.ndarray
    evidence_prob: np.ndarray
    impossible: np.ndarray


@dataclass
class _Cond:
    cut: bool = False
    clamp: int | None = None
    vectors: list[np.ndarray] = field(default_factory=list)


class _OverCap(Exception):
    def __init__(self, plan: Plan, scopes: list[frozenset[int]]) -> None:
        self.plan = plan
        self.scopes = scopes


def run_batch(
    structure: Structure,
    cpts: Sequence[np.ndarray],
    targets: Sequence[int],
    *,
    hard: Mapping[int, int | np.ndarray] | None = None,
    soft: Mapping[int, np.ndarray] | None = None,
    do: Mapping[int, int | np.ndarray] | None = None,
    layout: Layout = "last",
    memory_cap: int | None = None,
) -> np.ndarray:
    """P(targets, evidence | do) for every batch row: an array ``(N, *target_cards)``.

    Summing a row over the target axes gives that row's P(evidence). Rows are the draws of
    the batched CPTs and the per-row conditions (all batched inputs share one ``N``; with
    nothing batched ``N`` is 1).

    Examples
    --------
    >>> s = Structure(("rain", "wet"), (2, 2), ((), (0,)))
    >>> cpts = [np.array([0.2, 0.8]), np.array([[0.9, 0.1], [0.1, 0.9]])]
    >>> run_batch(s, cpts, [0], hard={1: np.array([0, 1])}).round(2)  # wet=yes; wet=no
    array([[0.18, 0.08],
           [0.02, 0.72]])
    """
    cap = _check_cap(memory_cap) if memory_cap is not None else _settings["memory_cap"]
    targets = tuple(int(t) for t in targets)
    n = _batch_size(structure, cpts, hard, soft, do, layout)
    cpts = list(cpts)
    conds = _resolve(structure, cpts, n, hard or {}, soft or {}, do or {}, layout)
    for t in targets:
        c = conds.get(t)
        if c is not None and c.clamp is not None:
            c.vectors.append(_onehot(structure.cards[t], c.clamp))
            c.clamp = None
    return _run_sliced(structure, cpts, n, targets, conds, layout, cap)


def posterior_batch(
    structure: Structure,
    cpts: Sequence[np.ndarray],
    targets: Sequence[int],
    *,
    hard: Mapping[int, int | np.ndarray] | None = None,
    soft: Mapping[int, np.ndarray] | None = None,
    do: Mapping[int, int | np.ndarray] | None = None,
    layout: Layout = "last",
    memory_cap: int | None = None,
) -> BatchResult:
    """P(targets | evidence; do) for every batch row, with impossible rows flagged.

    Examples
    --------
    >>> s = Structure(("rain", "wet"), (2, 2), ((), (0,)))
    >>> cpts = [np.array([0.2, 0.8]), np.array([[1.0, 0.1], [0.0, 0.9]])[..., None] * [1, 1]]
    >>> cpts[1][:, 0, 1] = [0.0, 1.0]  # second draw: rain always leaves the grass dry
    >>> r = posterior_batch(s, cpts, [0], hard={1: 0})
    >>> r.probs.round(3), r.impossible
    (array([[0.714, 0.286],
           [0.   , 1.   ]]), array([False, False]))
    """
    joint = run_batch(
        structure, cpts, targets, hard=hard, soft=soft, do=do, layout=layout, memory_cap=memory_cap
    )
    return normalize(joint)


def normalize(joint: np.ndarray) -> BatchResult:
    """Normalise ``(N, *cards)`` joints row by row; rows summing to zero become NaN."""
    n = joint.shape[0]
    total = joint.reshape(n, -1).sum(axis=1)
    impossible = ~(total > ZERO_EVIDENCE)
    safe = np.where(impossible, 1.0, total)
    probs = joint / safe.reshape((n,) + (1,) * (joint.ndim - 1))
    probs[impossible] = np.nan
    return BatchResult(probs, total, impossible)


def run_query(
    structure: Structure,
    cpts: Sequence[np.ndarray],
    targets: Sequence[int],
    evidence: Mapping[int, np.ndarray] | None = None,
    do: Mapping[int, int] | None = None,
    *,
    batched: bool = False,
) -> np.ndarray:
    """Unnormalised joint of ``targets`` with ``evidence`` (likelihood vectors) under ``do``.

    The single-query form: returns ``(*target_cards)``, or ``(*target_cards, N)`` when
    ``batched`` (CPTs then carry ``N`` draws on a trailing axis). A likelihood vector with
    one non-zero entry is applied as hard evidence (the CPTs are sliced, not multiplied).

    Examples
    --------
    >>> s = Structure(("rain", "wet"), (2, 2), ((), (0,)))
    >>> cpts = [np.array([0.2, 0.8]), np.array([[0.9, 0.1], [0.1, 0.9]])]
    >>> run_query(s, cpts, [1], do={0: 0}).round(2)
    array([0.9, 0.1])
    """
    hard: dict[int, int] = {}
    soft: dict[int, np.ndarray] = {}
    scale = 1.0
    for v, vec in (evidence or {}).items():
        vec = np.asarray(vec, dtype=float)
        nz = np.flatnonzero(vec) if vec.ndim == 1 else None
        if nz is not None and nz.size == 1:
            hard[v] = int(nz[0])
            scale *= float(vec[nz[0]])
        else:
            soft[v] = vec
    out = run_batch(structure, cpts, targets, hard=hard, soft=soft, do=dict(do or {}))
    out = out * scale if scale != 1.0 else out
    if batched:
        return np.moveaxis(out, 0, -1)
    if out.shape[0] != 1:
        raise QueryError("CPTs carry a batch axis; pass batched=True")
    return out[0]


# --------------------------------------------------------------------------- internals
def _onehot(card: int, state: int) -> np.ndarray:
    v = np.zeros(card)
    v[state] = 1.0
    return v


def _rows_onehot(card: int, states: np.ndarray) -> np.ndarray:
    """(N, card) one-hot rows; a row with state -1 is all ones (no finding)."""
    out = np.zeros((states.shape[0], card))
    on = states >= 0
    out[np.flatnonzero(on), states[on]] = 1.0
    out[~on] = 1.0
    return out


@functools.lru_cache(maxsize=64)
def _cpt_shapes(structure: Structure) -> tuple[tuple[int, ...], ...]:
    return tuple(
        tuple(structure.cards[x] for x in (v, *structure.parents[v]))
        for v in range(len(structure.names))
    )


def _batch_size(
    structure: Structure,
    cpts: Sequence[np.ndarray],
    hard: Mapping | None,
    soft: Mapping | None,
    do: Mapping | None,
    layout: Layout,
) -> int:
    if len(cpts) != len(structure.names):
        raise QueryError(f"got {len(cpts)} CPTs for {len(structure.names)} variables")
    sizes: dict[int, str] = {}
    for v, (arr, expect) in enumerate(zip(cpts, _cpt_shapes(structure), strict=True)):
        shape = arr.shape
        if shape == expect:
            continue
        if len(shape) != len(expect) + 1:
            raise QueryError(
                f"CPT of '{structure.names[v]}' has shape {shape}",
                expected=f"{expect}, or that with a batch axis ({layout})",
            )
        n, got = (shape[-1], shape[:-1]) if layout == "last" else (shape[0], shape[1:])
        if got != expect:
            raise QueryError(
                f"CPT of '{structure.names[v]}' has shape {shape}",
                expected=f"{expect} plus a batch axis ({layout})",
            )
        sizes.setdefault(n, f"CPT of '{structure.names[v]}'")
    for what, m in (("hard evidence", hard), ("intervention", do)):
        for v, x in (m or {}).items():
            a = np.asarray(x)
            if a.ndim == 1:
                sizes.setdefault(a.shape[0], f"{what} on '{structure.names[v]}'")
            elif a.ndim != 0:
                raise QueryError(
                    f"{what} on '{structure.names[v]}' has shape {a.shape}",
                    expected="a state or (N,)",
                )
    for v, x in (soft or {}).items():
        a = np.asarray(x)
        if a.ndim == 2:
            sizes.setdefault(a.shape[0], f"soft evidence on '{structure.names[v]}'")
        elif a.ndim != 1:
            raise QueryError(
                f"soft evidence on '{structure.names[v]}' has shape {a.shape}",
                expected=f"({structure.cards[v]},) or (N, {structure.cards[v]})",
            )
    if len(sizes) > 1:
        raise QueryError(
            "batched inputs disagree on the number of rows",
            found=", ".join(f"{k} rows in {w}" for k, w in sizes.items()),
        )
    return next(iter(sizes), 1)


def _resolve(
    structure: Structure,
    cpts: list[np.ndarray],
    n: int,
    hard: Mapping,
    soft: Mapping,
    do: Mapping,
    layout: Layout,
) -> dict[int, _Cond]:
    """Turn the caller's conditions into per-variable cut / clamp / vectors."""
    conds: dict[int, _Cond] = {}
    cards = structure.cards

    def check(v: int, states: np.ndarray, what: str) -> None:
        if not np.issubdtype(states.dtype, np.integer):
            raise QueryError(
                f"{what} on '{structure.names[v]}' must be state indices", found=str(states.dtype)
            )
        if states.size and (states.max() >= cards[v] or states.min() < -1):
            raise QueryError(
                f"{what} on '{structure.names[v]}' names a state out of range",
                expected=f"0..{cards[v] - 1} (or -1 for none)",
            )

    for v, x in do.items():
        v = int(v)
        a = np.asarray(x)
        check(v, a.reshape(-1), "intervention")
        c = conds.setdefault(v, _Cond())
        if a.ndim == 0:
            if int(a) < 0:
                continue
            c.cut, c.clamp = True, int(a)
        elif np.all(a >= 0):
            c.cut = True
            c.vectors.append(_rows_onehot(cards[v], a))
        else:
            # Some rows intervene, some do not: those rows get a point-mass CPT (surgery
            # without pruning), the others keep the variable's own CPT.
            cpts[v] = _mixed_cpt(structure, v, cpts[v], a, n, layout)
    for v, x in hard.items():
        v = int(v)
        a = np.asarray(x)
        check(v, a.reshape(-1), "hard evidence")
        c = conds.setdefault(v, _Cond())
        if a.ndim == 0:
            if int(a) < 0:
                continue
            if c.clamp is None and not c.vectors and not c.cut:
                c.clamp = int(a)
            else:
                c.vectors.append(_onehot(cards[v], int(a)))
        else:
            c.vectors.append(_rows_onehot(cards[v], a))
    for v, x in soft.items():
        v = int(v)
        a = np.asarray(x, dtype=float)
        if a.shape[-1] != cards[v]:
            raise QueryError(
                f"soft evidence on '{structure.names[v]}' needs {cards[v]} likelihoods",
                found=str(a.shape),
            )
        conds.setdefault(v, _Cond()).vectors.append(a)
    return conds


def _mixed_cpt(
    structure: Structure, v: int, cpt: np.ndarray, states: np.ndarray, n: int, layout: Layout
) -> np.ndarray:
    full = 1 + len(structure.parents[v])
    base = cpt if cpt.ndim == full else (cpt if layout == "last" else np.moveaxis(cpt, 0, -1))
    if base.ndim == full:
        base = base[..., None]
    mixed = np.array(np.broadcast_to(base, (*base.shape[:-1], n)))
    rows = np.flatnonzero(states >= 0)
    view = np.moveaxis(mixed, -1, 1)  # (card, N, *parents)
    view[:, rows] = 0.0
    view[states[rows], rows] = 1.0
    return mixed if layout == "last" else np.moveaxis(mixed, -1, 0)


def _combine(vectors: list[np.ndarray]) -> np.ndarray:
    out = vectors[0]
    for x in vectors[1:]:
        out = out * x
    return out


def _run_sliced(
    structure: Structure,
    cpts: list[np.ndarray],
    n: int,
    targets: tuple[int, ...],
    conds: dict[int, _Cond],
    layout: Layout,
    cap: int,
) -> np.ndarray:
    """Run, looping over the states of a variable when one row alone would break the cap."""
    try:
        return _run(structure, cpts, n, targets, conds, layout, cap)
    except _OverCap as over:
        counts: dict[int, int] = {}
        for scope in over.scopes:
            for v in scope:
                if v not in targets:
                    counts[v] = counts.get(v, 0) + 1
        if not counts:
            raise QueryError(
                f"this query needs an intermediate larger than the memory cap ({cap / 2**20:.0f} MiB) "
                "even for one row, and only target variables are left to split",
                fix="raise the cap with estimative.engine.set_memory_cap(...) or ask for fewer targets",
            ) from None
        u = max(counts, key=lambda v: (counts[v], structure.cards[v], -v))
        total = None
        for s in range(structure.cards[u]):
            sub = {k: _Cond(c.cut, c.clamp, list(c.vectors)) for k, c in conds.items()}
            sub.setdefault(u, _Cond()).clamp = s  # u is free: it appeared in an intermediate
            part = _run_sliced(structure, cpts, n, targets, sub, layout, cap)
            total = part if total is None else total + part
        assert total is not None
        return total


def _run(
    structure: Structure,
    cpts: list[np.ndarray],
    n: int,
    targets: tuple[int, ...],
    conds: dict[int, _Cond],
    layout: Layout,
    cap: int,
) -> np.ndarray:
    cut = tuple(sorted(v for v, c in conds.items() if c.cut))
    fixed = tuple(sorted(v for v, c in conds.items() if c.clamp is not None))
    vec_vars = tuple(sorted(v for v, c in conds.items() if c.clamp is None and c.vectors))
    plan = compile_query(structure, targets, vec_vars, cut, fixed)

    # Scalar factors: a clamped variable's own vectors, and CPTs clamped on every axis.
    scalars: list[float | np.ndarray] = []
    for c in conds.values():
        if c.clamp is not None and c.vectors:
            scalars.append(_combine([x[..., c.clamp] for x in c.vectors]))
    for op in plan.scalars:
        scalars.append(_slice_cpt(structure, cpts[op.variable], op.clamps, conds, layout))

    ops: list[np.ndarray] = []
    batched: list[bool] = []
    for op in plan.operands:
        if op.kind == "cpt":
            arr = _slice_cpt(structure, cpts[op.variable], op.clamps, conds, layout)
            ops.append(arr)
            batched.append(arr.ndim > len(op.scope))
        else:
            arr = _combine(conds[op.variable].vectors)
            ops.append(arr)
            batched.append(arr.ndim == 2)
    out_shape = tuple(structure.cards[t] for t in targets)
    if ops:
        joint = _contract(plan, ops, tuple(batched), layout, n, cap)
    else:
        joint = np.ones((1, *out_shape))
    for s in scalars:
        s = np.asarray(s, dtype=float)
        joint = joint * (s.reshape((-1,) + (1,) * len(out_shape)) if s.ndim else s)
    if joint.shape[0] != n:
        joint = np.broadcast_to(joint, (n, *out_shape)).copy()
    return joint


def _slice_cpt(
    structure: Structure,
    arr: np.ndarray,
    clamps: tuple[int | None, ...],
    conds: dict[int, _Cond],
    layout: Layout,
) -> np.ndarray:
    if all(c is None for c in clamps):
        return arr
    index = tuple(slice(None) if c is None else conds[c].clamp for c in clamps)
    if arr.ndim > len(clamps) and layout == "first":
        index = (slice(None), *index)
    return arr[index]


def _thread_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool._max_workers != _settings["threads"]:
        _pool = ThreadPoolExecutor(
            max_workers=_settings["threads"], thread_name_prefix="estimative-engine"
        )
    return _pool


def _contract(
    plan: Plan, ops: list[np.ndarray], batched: tuple[bool, ...], layout: Layout, n: int, cap: int
) -> np.ndarray:
    """Contract, cutting the batch into chunks that keep every intermediate under ``cap``."""
    ex = plan.executor(batched, layout, n)
    if ex.fixed_bytes > cap or ex.row_bytes > cap:
        cards = plan.structure.cards
        over = [s.scope for s in ex.steps if 8 * math.prod(cards[v] for v in s.scope) > cap]
        raise _OverCap(plan, over)
    if not any(batched):
        return ex(*ops)[None]
    rows_cap = max(1, cap // max(ex.row_bytes, 1))
    rows_fast = max(64, _CHUNK_TARGET_BYTES // max(ex.row_bytes, 1))
    chunk = min(n, rows_cap, rows_fast)
    if chunk >= n:
        out = ex(*ops)
        return np.moveaxis(out, -1, 0) if layout == "last" else out

    def piece(lo: int) -> np.ndarray:
        hi = min(n, lo + chunk)
        part = []
        for op, isb, spec in zip(ops, batched, plan.operands, strict=True):
            if not isb:
                part.append(op)
            elif spec.kind == "cpt" and layout == "last":
                part.append(op[..., lo:hi])
            else:
                part.append(op[lo:hi])
        return ex(*part)

    starts = range(0, n, chunk)
    if _settings["threads"] > 1 and len(starts) >= 2 and chunk * ex.row_bytes >= _THREAD_MIN_BYTES:
        parts = list(_thread_pool().map(piece, starts))
    else:
        parts = [piece(lo) for lo in starts]
    if layout == "last":
        return np.moveaxis(np.concatenate(parts, axis=-1), -1, 0)
    return np.concatenate(parts, axis=0)
