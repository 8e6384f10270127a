"""Exact inference by compiled tensor contraction, batched over parameter draws.

A query's *shape* (structure, targets, evidence variables, do() set) is compiled once into a
:class:`Plan`: do() by graph surgery, barren nodes pruned, a contraction path chosen with
opt_einsum and cached. The plan then runs on any CPT values, including batches of parameter
draws carried on a trailing axis: a CPT of shape ``(card, *parent_cards)`` becomes
``(card, *parent_cards, N)``.

This module knows nothing of model files or names: it works on integer indices and arrays.
:class:`estimative.network.Network` speaks names and calls it.
"""

from __future__ import annotations

from .core import Plan, Structure, compile_query, run_query

__all__ = ["Plan", "Structure", "compile_query", "run_query"]
