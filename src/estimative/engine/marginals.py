"""Every variable's posterior from one contraction and its reverse-mode derivative.

The network's CPTs (sliced at clamped variables) and the likelihood vectors contract to one
number, P(evidence), or to one per batch row. Its derivative with respect to a variable's own
CPT, multiplied by that CPT and summed over the parents, is P(variable, evidence): so one
forward contraction and one backward sweep through the same pairwise steps give all the
marginals (Darwiche's differential approach). The plan (path, pairwise equations and their
derivatives) is compiled once per query shape: which variables are clamped, cut by do() and
carry vectors, and which operands are batched; never the values.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import opt_einsum as oe

from ..errors import QueryError
from .batch import ZERO_EVIDENCE, _batch_size, _mixed_cpt, _rows_onehot
from .batch import memory_cap as _default_cap
from .core import _CHUNK_TARGET_BYTES, Layout, Structure, _best_path

#: The symbol of the batch axis among a term's variables.
_B = -1
# A gradient computed on some axes (a set) and broadcast to all of them (in order).
_Spread = tuple[frozenset[int], tuple[int, ...]]
# Calls to _compile that missed the cache (tests count them; no wall-clock).
stats = {"compiled": 0}


@dataclass(frozen=True)
class MarginalsResult:
    """All marginals of a batch: ``probs[v]`` is ``(N, card_v)``, NaN where ``impossible``."""

    probs: tuple[np.ndarray, ...]
    evidence_prob: np.ndarray
    impossible: np.ndarray


def _local(terms: Sequence[Sequence[int]], out: Sequence[int]) -> str:
    """A numpy einsum equation with letters assigned locally (numpy takes only 52)."""
    sym: dict[int, str] = {}
    for t in (*terms, out):
        for v in t:
            sym.setdefault(v, oe.get_symbol(len(sym)))
    return ",".join("".join(sym[v] for v in t) for t in terms) + "->" + "".join(sym[v] for v in out)


@dataclass(frozen=True, eq=False)
class MarginalPlan:
    """A compiled all-marginals query: forward steps, their derivatives, the read-outs."""

    operands: tuple[tuple[str, int], ...]  # ("cpt", variable) or ("vector", variable)
    scalars: tuple[int, ...]  # CPTs clamped on every axis
    clamps: tuple[tuple[int | None, ...], ...]  # per operand (CPT): clamped variable per axis
    # forward: (input nodes, einsum); backward, per input: (einsum, axes to spread it over)
    forward: tuple[tuple[tuple[int, ...], str], ...]
    backward: tuple[tuple[tuple[int, ...], tuple[tuple[str, _Spread | None], ...]], ...]
    readout: tuple[tuple[int, int, str], ...]  # (variable, operand, einsum to (card[, N]))
    batched: bool
    row_bytes: int  # bytes per batch row of the largest array of a sweep (values + gradient)


def _compile(
    structure: Structure,
    fixed: frozenset[int],
    cut: frozenset[int],
    vectors: tuple[tuple[int, bool], ...],
    batched_cpts: frozenset[int],
    layout: Layout,
    rows: int,
    needed: frozenset[int] | None = None,
) -> MarginalPlan:
    stats["compiled"] += 1
    cards = structure.cards
    terms: list[tuple[int, ...]] = []
    operands: list[tuple[str, int]] = []
    clamps: list[tuple[int | None, ...]] = []
    scalars: list[int] = []
    for v in range(len(cards)):
        if v in cut or (needed is not None and v not in needed):
            continue
        full = (v, *structure.parents[v])
        scope = tuple(x for x in full if x not in fixed)
        clamp = tuple(x if x in fixed else None for x in full)
        if not scope:
            scalars.append(v)
            continue
        if v in batched_cpts:
            scope = (*scope, _B) if layout == "last" else (_B, *scope)
        terms.append(scope)
        operands.append(("cpt", v))
        clamps.append(clamp)
    for v, isb in vectors:
        terms.append((_B, v) if isb else (v,))
        operands.append(("vector", v))
        clamps.append(())
    batched = any(_B in t for t in terms)
    out: tuple[int, ...] = (_B,) if batched else ()
    size = {**dict(enumerate(cards)), _B: max(rows, 2)}
    # opt_einsum's path search on unique symbols (it takes any number of them).
    sym = {v: oe.get_symbol(i) for i, v in enumerate(sorted({x for t in terms for x in t}))}
    eq = ",".join("".join(sym[x] for x in t) for t in terms) + "->" + "".join(sym[x] for x in out)
    path = _best_path(
        eq, [tuple(size[x] for x in t) for t in terms], batch=sym.get(_B) if batched else None
    )[0]
    # Walk the path: each node's term; a node's gradient carries the batch axis last.
    node_terms = list(terms)
    live = list(range(len(terms)))
    forward, backward = [], []
    for k, pair in enumerate(path):
        picked = [live[i] for i in pair]
        for i in sorted(pair, reverse=True):
            live.pop(i)
        if k == len(path) - 1:
            new: tuple[int, ...] = out
        else:
            keep = {x for n in live for x in node_terms[n]} | set(out)
            new = tuple(dict.fromkeys(x for n in picked for x in node_terms[n] if x in keep))
            if _B in new:  # the batch axis outermost (last), as the engine's own programs do
                new = (*(x for x in new if x != _B), _B)
        forward.append((tuple(picked), _local([node_terms[n] for n in picked], new)))
        grads = []
        g_out = _grad_term(new, batched)
        for j, n in enumerate(picked):
            others = [node_terms[m] for i, m in enumerate(picked) if i != j]
            want = _grad_term(node_terms[n], batched)
            present = {x for t in (g_out, *others) for x in t}
            kept = tuple(x for x in want if x in present)
            spread = None if kept == want else (frozenset(kept), want)
            grads.append((_local([g_out, *others], kept), spread))
        backward.append((tuple(picked), tuple(grads)))
        live.append(len(node_terms))
        node_terms.append(new)
    readout = []
    for i, (kind, v) in enumerate(operands):
        # a variable's marginal from its CPT, or from its vector when do() cut the CPT away
        if v not in fixed and (kind == "cpt" or v in cut):
            readout.append((v, i, _local([terms[i], _grad_term(terms[i], batched)], (v, *out))))
    row = max((math.prod(cards[x] for x in t if x != _B) for t in node_terms), default=1)
    return MarginalPlan(
        tuple(operands),
        tuple(scalars),
        tuple(clamps),
        tuple(forward),
        tuple(backward),
        tuple(readout),
        batched,
        16 * row,
    )


def _grad_term(term: tuple[int, ...], batched: bool) -> tuple[int, ...]:
    return (*(x for x in term if x != _B), _B) if batched else term


_compile_cached = functools.lru_cache(maxsize=1024)(_compile)


def _sweep(
    plan: MarginalPlan, ops: list[np.ndarray], cards: Sequence[int], n: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """P(evidence) per row and, per read-out, P(variable, evidence) as ``(card[, N])``."""
    values = list(ops)
    for picked, eq in plan.forward:
        values.append(np.einsum(eq, *(values[m] for m in picked)))
    total = values[-1]
    grads: list[np.ndarray] = [total] * len(values)  # placeholders, each set once below
    grads[-1] = np.ones_like(total)
    for k in range(len(plan.forward) - 1, -1, -1):
        picked, rules = plan.backward[k]
        g = grads[len(ops) + k]
        for j, (eq, spread) in enumerate(rules):
            d = np.einsum(eq, g, *(values[m] for i, m in enumerate(picked) if i != j))
            if spread is not None:  # axes summed away in the forward step: constant along them
                kept, full = spread
                size = [n if x == _B else cards[x] for x in full]
                d = np.broadcast_to(
                    d.reshape([s if x in kept else 1 for x, s in zip(full, size, strict=True)]),
                    size,
                )
            grads[picked[j]] = d
    return total, [np.einsum(eq, ops[i], grads[i]) for _, i, eq in plan.readout]


def marginals_batch(
    structure: Structure,
    cpts: Sequence[np.ndarray],
    *,
    hard: Mapping[int, int | np.ndarray] | None = None,
    soft: Mapping[int, np.ndarray] | None = None,
    do: Mapping[int, int | np.ndarray] | None = None,
    layout: Layout = "last",
    memory_cap: int | None = None,
    only: Sequence[int] | None = None,
) -> MarginalsResult:
    """P(v | evidence; do) for every variable ``v`` and every batch row, in one pass.

    Conditions and CPTs are given as for :func:`~estimative.engine.posterior_batch`
    (shared or per row; ``-1`` in a row: no finding / no intervention there). With ``only``,
    the variables that are neither among them nor ancestors of them or of the evidence (barren
    ones, whose CPTs sum to one) are left out of the contraction, and their entries of
    ``probs`` are NaN.

    Examples
    --------
    >>> s = Structure(("rain", "wet"), (2, 2), ((), (0,)))
    >>> cpts = [np.array([0.2, 0.8]), np.array([[0.9, 0.1], [0.1, 0.9]])]
    >>> r = marginals_batch(s, cpts, hard={1: 0})  # wet = state 0
    >>> r.probs[0].round(3), r.probs[1]
    (array([[0.692, 0.308]]), array([[1., 0.]]))
    """
    cap = memory_cap if memory_cap is not None else _default_cap()
    cards = structure.cards
    n = _batch_size(structure, cpts, hard, soft, do, layout)
    cpts = list(cpts)
    fixed: dict[int, int] = {}
    cut: set[int] = set()
    vecs: dict[int, list[np.ndarray]] = {}
    for v, x in (do or {}).items():
        a = _states(structure, int(v), x, "intervention")
        if a.ndim == 0:
            if int(a) >= 0:
                fixed[int(v)] = int(a)
                cut.add(int(v))
        elif np.all(a >= 0):
            # every row intervenes: the variable is cut from its parents, as a shared do() is,
            # and its state is a one-hot vector per row (its marginal is read off that vector)
            cut.add(int(v))
            vecs.setdefault(int(v), []).append(_rows_onehot(cards[int(v)], a))
        else:
            # some rows intervene, some do not: a point-mass CPT in those rows (no cut)
            cpts[int(v)] = _mixed_cpt(structure, int(v), cpts[int(v)], a, n, layout)
    for v, x in (hard or {}).items():
        a = _states(structure, int(v), x, "hard evidence")
        if a.ndim == 0:
            if int(a) < 0:
                continue
            if int(v) not in fixed:
                fixed[int(v)] = int(a)
            else:
                vecs.setdefault(int(v), []).append(np.eye(cards[int(v)])[int(a)])
        else:
            vecs.setdefault(int(v), []).append(_rows_onehot(cards[int(v)], a))
    for v, x in (soft or {}).items():
        arr = np.asarray(x, dtype=float)
        if arr.shape[-1] != cards[int(v)]:
            raise QueryError(
                f"soft evidence on '{structure.names[int(v)]}' needs {cards[int(v)]} likelihoods",
                found=str(arr.shape),
            )
        vecs.setdefault(int(v), []).append(arr)
    # Vectors on a clamped variable are scalar factors (their entry at the clamped state).
    factors: list[np.ndarray] = []
    for v in [v for v in vecs if v in fixed]:
        for x in vecs.pop(v):
            factors.append(np.asarray(x[..., fixed[v]], dtype=float))
    vector = {v: _product(xs) for v, xs in sorted(vecs.items())}
    batched_cpts = frozenset(
        v for v, a in enumerate(cpts) if a.ndim > 1 + len(structure.parents[v])
    )
    bucket = 1 if n == 1 else 2 ** max(1, min(12, round(math.log2(n))))
    needed = None
    if only is not None:
        needed = frozenset(structure.ancestors([*only, *fixed, *vector], frozenset(cut)))
        batched_cpts = batched_cpts & needed
    plan = _compile_cached(
        structure,
        frozenset(fixed),
        frozenset(cut),
        tuple((v, a.ndim == 2) for v, a in vector.items()),
        batched_cpts,
        layout,
        bucket,
        needed,
    )
    for v in plan.scalars:
        factors.append(_slice(cpts[v], (v, *structure.parents[v]), fixed, layout))
    ops = []
    for (kind, v), clamp in zip(plan.operands, plan.clamps, strict=True):
        if kind == "vector":
            ops.append(vector[v])
        else:
            full = (v, *structure.parents[v])
            ops.append(
                _slice(cpts[v], full, fixed, layout)
                if any(c is not None for c in clamp)
                else cpts[v]
            )
    if plan.row_bytes > cap:
        raise QueryError(
            f"all marginals need an intermediate larger than the memory cap ({cap / 2**20:.0f} MiB)",
            fix="query the variables you need with query_batch, or raise the memory cap",
        )
    if not plan.batched:
        total, joint = _sweep(plan, ops, cards, 1)
        totals, joints = total.reshape(1), [j[:, None] for j in joint]
    else:
        chunk = min(
            n, max(1, cap // plan.row_bytes), max(64, _CHUNK_TARGET_BYTES // plan.row_bytes)
        )
        parts = [
            _sweep(
                plan,
                _rows(plan, ops, lo, min(n, lo + chunk), layout),
                cards,
                min(n, lo + chunk) - lo,
            )
            for lo in range(0, n, chunk)
        ]
        totals = np.concatenate([p[0] for p in parts])
        joints = [
            np.concatenate([p[1][k] for p in parts], axis=-1) for k in range(len(plan.readout))
        ]
    scale = np.ones(n)
    for f in factors:
        scale = scale * f
    pe = np.broadcast_to(totals, (n,)) * scale
    impossible = ~(pe > ZERO_EVIDENCE)
    probs: list[np.ndarray] = [np.full((n, c), np.nan) for c in cards]
    for (v, _, _), j in zip(plan.readout, joints, strict=True):
        j = np.broadcast_to(j, (cards[v], n)).T
        s = j.sum(axis=1, keepdims=True)
        probs[v] = j / np.where(s > 0, s, 1.0)
    for v, st in fixed.items():
        probs[v] = np.zeros((n, cards[v]))
        probs[v][:, st] = 1.0
    for p in probs:
        p[impossible] = np.nan
    return MarginalsResult(tuple(probs), pe, impossible)


def _states(structure: Structure, v: int, x: int | np.ndarray, what: str) -> np.ndarray:
    a = np.asarray(x)
    if not np.issubdtype(a.dtype, np.integer) or (
        a.size and (a.max() >= structure.cards[v] or a.min() < -1)
    ):
        raise QueryError(
            f"{what} on '{structure.names[v]}' must be state indices",
            expected=f"0..{structure.cards[v] - 1} (or -1 for none)",
            found=repr(x),
        )
    return a


def _product(xs: list[np.ndarray]) -> np.ndarray:
    out = np.asarray(xs[0], dtype=float)
    for x in xs[1:]:
        out = out * x
    return out


def _slice(
    arr: np.ndarray, full: tuple[int, ...], fixed: Mapping[int, int], layout: Layout
) -> np.ndarray:
    index: tuple = tuple(fixed[x] if x in fixed else slice(None) for x in full)
    if arr.ndim > len(full) and layout == "first":
        index = (slice(None), *index)
    return arr[index]


def _rows(
    plan: MarginalPlan, ops: list[np.ndarray], lo: int, hi: int, layout: Layout
) -> list[np.ndarray]:
    """Rows ``lo:hi`` of the batched operands."""
    out = []
    for (kind, _), clamp, op in zip(plan.operands, plan.clamps, ops, strict=True):
        if kind == "vector":
            out.append(op[lo:hi] if op.ndim == 2 else op)
        elif op.ndim > sum(c is None for c in clamp):
            out.append(op[..., lo:hi] if layout == "last" else op[lo:hi])
        else:
            out.append(op)
    return out
