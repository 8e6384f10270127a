"""Exact inference by compiled tensor contraction, batched over draws, evidence and do() rows.

A query's *shape* (structure, targets, evidence variables, do() set) is compiled once into a
:class:`Plan`: do() by graph surgery, barren nodes pruned, hard evidence sliced out of the CPTs
(which cuts off what it d-separates), a contraction path chosen with opt_einsum's greedy
optimizer (deterministic) and cached. The plan then runs on any CPT values, including batches
of parameter draws: a CPT of shape ``(card, *parent_cards)`` becomes ``(card, *parent_cards, N)``
(batch last, the fast layout) or ``(N, card, *parent_cards)``. Large batches are cut into
chunks that keep every intermediate array under a memory cap (default 512 MiB) and spread
over two threads.

This package knows nothing of model files or names: it works on integer indices and arrays.
:class:`estimative.network.Network` speaks names and calls it.
"""

from __future__ import annotations

from .batch import (
    ZERO_EVIDENCE,
    BatchResult,
    memory_cap,
    normalize,
    posterior_batch,
    run_batch,
    run_query,
    set_memory_cap,
    set_threads,
)
from .core import DEFAULT_MEMORY_CAP, Plan, Structure, compile_query

__all__ = [
    "DEFAULT_MEMORY_CAP",
    "ZERO_EVIDENCE",
    "BatchResult",
    "Plan",
    "Structure",
    "compile_query",
    "memory_cap",
    "normalize",
    "posterior_batch",
    "run_batch",
    "run_query",
    "set_memory_cap",
    "set_threads",
]
