"""Compile and run contraction plans (see the package docstring)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import opt_einsum as oe


@dataclass(frozen=True)
class Structure:
    """A network's structure: variable names, cardinalities and parent indices.

    ``parents[i]`` lists the parents of variable ``i`` in the order of the axes of its CPT
    (axis 0 is the variable itself).
    """

    names: tuple[str, ...]
    cards: tuple[int, ...]
    parents: tuple[tuple[int, ...], ...]
    _index: dict[str, int] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({n: i for i, n in enumerate(self.names)})

    def index(self, name: str) -> int:
        return self._index[name]

    def ancestors(self, nodes: Sequence[int], cut: frozenset[int] = frozenset()) -> set[int]:
        """Nodes in ``nodes`` and their ancestors, not crossing into the parents of ``cut``."""
        seen: set[int] = set()
        stack = list(nodes)
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            if n not in cut:
                stack.extend(self.parents[n])
        return seen


@dataclass(frozen=True)
class Plan:
    """A compiled query: which CPTs and evidence vectors to contract, how, into what."""

    structure: Structure
    targets: tuple[int, ...]
    evidence: tuple[int, ...]
    do: tuple[int, ...]
    kept: tuple[int, ...]  # variables whose CPT enters the contraction (do() variables excluded)
    equation: str
    batched_equation: str
    path: tuple[tuple[int, ...], ...]
    batched_path: tuple[tuple[int, ...], ...]

    def operands(
        self,
        cpts: Sequence[np.ndarray],
        evidence: Sequence[np.ndarray],
        do_states: Sequence[int],
    ) -> list[np.ndarray]:
        ops = [cpts[v] for v in self.kept]
        ops.extend(evidence)
        for v, s in zip(self.do, do_states, strict=True):
            onehot = np.zeros(self.structure.cards[v])
            onehot[s] = 1.0
            ops.append(onehot)
        return ops

    def run(
        self,
        cpts: Sequence[np.ndarray],
        evidence: Sequence[np.ndarray] = (),
        do_states: Sequence[int] = (),
        *,
        batched: bool = False,
    ) -> np.ndarray:
        """Unnormalised joint of the targets with the evidence.

        Returns an array of shape ``(*target_cards)`` (``(*target_cards, N)`` when
        ``batched``); its sum is P(evidence) under do(). With ``batched`` every CPT carries
        the draws on a trailing axis of the same length ``N``.
        """
        ops = self.operands(cpts, evidence, do_states)
        if batched:
            nb = len(self.kept)
            return oe.contract(self.batched_equation, *ops[:nb], *ops[nb:], optimize=list(self.batched_path))
        return oe.contract(self.equation, *ops, optimize=list(self.path))


@functools.lru_cache(maxsize=4096)
def compile_query(
    structure: Structure, targets: tuple[int, ...], evidence: tuple[int, ...], do: tuple[int, ...]
) -> Plan:
    """Compile a query shape into a cached :class:`Plan`."""
    cut = frozenset(do)
    needed = structure.ancestors([*targets, *evidence], cut)
    kept = tuple(sorted(v for v in needed if v not in cut))
    do_kept = tuple(v for v in do if v in needed)
    sym = {v: oe.get_symbol(i) for i, v in enumerate(sorted(needed))}
    batch = oe.get_symbol(len(needed))
    terms = ["".join(sym[x] for x in (v, *structure.parents[v])) for v in kept]
    ev_terms = [sym[v] for v in evidence]
    do_terms = [sym[v] for v in do_kept]
    out = "".join(sym[t] for t in targets)
    equation = ",".join([*terms, *ev_terms, *do_terms]) + "->" + out
    batched_equation = ",".join([*(t + batch for t in terms), *ev_terms, *do_terms]) + "->" + out + batch
    shapes = [tuple(structure.cards[x] for x in (v, *structure.parents[v])) for v in kept]
    shapes += [(structure.cards[v],) for v in evidence] + [(structure.cards[v],) for v in do_kept]
    if len(shapes) == 0:
        path: list = []
        bpath: list = []
    else:
        path, _ = oe.contract_path(equation, *shapes, shapes=True, optimize="greedy")
        if kept:  # with no CPT left (everything intervened on) there is no batch axis to carry
            bshapes = [(*s, 64) for s in shapes[: len(kept)]] + shapes[len(kept):]
            bpath, _ = oe.contract_path(batched_equation, *bshapes, shapes=True, optimize="greedy")
        else:
            bpath = []
    return Plan(structure, targets, evidence, do_kept, kept, equation, batched_equation,
                tuple(map(tuple, path)), tuple(map(tuple, bpath)))


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

    A do() variable keeps its value for its children; its own CPT is cut away. Where a target
    is itself intervened on, the result puts all mass on the forced state.
    """
    evidence = dict(evidence or {})
    do = dict(do or {})
    ev_keys = tuple(sorted(evidence))
    do_keys = tuple(sorted(do))
    plan = compile_query(structure, tuple(targets), ev_keys, do_keys)
    do_states = [do[v] for v in plan.do]
    return plan.run(cpts, [np.asarray(evidence[v], dtype=float) for v in ev_keys], do_states, batched=batched)
