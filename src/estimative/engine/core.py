"""Compile query shapes into contraction plans and run them (see the package docstring)."""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import opt_einsum as oe

from ..graphs import reachable

Layout = Literal["last", "first"]

#: Default cap on the bytes of any one intermediate array of a contraction (512 MiB).
DEFAULT_MEMORY_CAP = 512 * 2**20

# The batch is cut into chunks whose largest intermediate stays near this size: the
# contractions are memory-bound, so a chunk that stays in cache beats one long call.
_CHUNK_TARGET_BYTES = 2 * 2**20
# Unbatched contractions whose intermediates all stay under this size skip opt_einsum's BLAS route.
_SMALL_BYTES = 64 * 2**10
# Below this many bytes of intermediates per chunk a second thread costs more than it gains.
_THREAD_MIN_BYTES = 256 * 2**10


@dataclass(frozen=True)
class Structure:
    """A network's structure: variable names, cardinalities and parent indices.

    ``parents[i]`` lists the parents of variable ``i`` in the order of the axes of its CPT
    (axis 0 is the variable itself).

    Examples
    --------
    >>> s = Structure(("rain", "wet"), (2, 2), ((), (0,)))
    >>> s.index("wet"), sorted(s.ancestors([1]))
    (1, [0, 1])
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
        return reachable(dict(enumerate(self.parents)), nodes, stop=cut)


@dataclass(frozen=True)
class Operand:
    """One factor of a plan: a CPT (sliced at clamped variables) or an evidence vector."""

    kind: Literal["cpt", "vector"]
    variable: int
    scope: tuple[int, ...]  # variables of the remaining axes, in axis order
    clamps: tuple[int | None, ...] = ()  # for a CPT: per full axis, the clamped variable or None


@dataclass(frozen=True)
class _Step:
    scope: frozenset[int]
    batched: bool


@dataclass(frozen=True, eq=False)
class Executor:
    """A plan specialised to which operands carry the batch axis, with its cached path."""

    equation: str
    shapes: tuple[tuple[int, ...], ...]
    path: tuple[tuple[int, ...], ...]
    flops: float  # FLOPs of one contraction at ``rows`` batch rows
    rows: int
    row_bytes: int  # bytes per batch row of the largest batched intermediate
    fixed_bytes: int  # bytes of the largest intermediate without a batch axis
    steps: tuple[_Step, ...]
    program: tuple[
        tuple[tuple[int, ...], str], ...
    ]  # batched: pairwise einsums, batch axis kept outermost

    @functools.cached_property
    def expression(self) -> oe.contract.ContractExpression:
        """opt_einsum's expression on the path (BLAS route), built on first use: only large
        unbatched contractions run through it."""
        return oe.contract_expression(self.equation, *self.shapes, optimize=list(self.path))

    def __call__(self, *ops: np.ndarray) -> np.ndarray:
        if not self.program:
            return self.expression(*ops)
        # opt_einsum would order an intermediate's axes as they come, burying the batch axis
        # among small ones; keeping it last (or first) makes every einsum loop run along it.
        live = list(ops)
        for pair, eq in self.program:
            args = [live[i] for i in pair]
            for i in sorted(pair, reverse=True):
                live.pop(i)
            live.append(np.einsum(eq, *args))
        return live[0]


@dataclass(frozen=True, eq=False)
class Plan:
    """A compiled query shape: which factors to contract, over which variables, into what.

    do() is graph surgery: a ``cut`` variable's CPT is dropped and its parents are not
    visited. Only ancestors of the targets and the evidence enter (barren nodes are pruned).
    A ``fixed`` variable is clamped to one state: its axis is sliced out of every CPT, which
    disconnects what the evidence d-separates; those parts reduce to scalars (their share
    of P(evidence)) and never enter the target's contraction as large intermediates.
    """

    structure: Structure
    targets: tuple[int, ...]
    evidence: tuple[int, ...]  # variables with a likelihood or one-hot vector operand
    do: tuple[int, ...]  # cut variables among those the query needs
    fixed: tuple[int, ...]  # clamped variables (hard evidence, fixed do states)
    kept: tuple[int, ...]  # variables whose CPT enters the contraction
    operands: tuple[Operand, ...]  # factors with at least one free axis
    scalars: tuple[Operand, ...]  # CPTs whose every axis is clamped
    _executors: dict = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def pruned(self) -> tuple[int, ...]:
        """Variables whose CPT does not enter (barren, d-separated or cut by do())."""
        return tuple(sorted(set(range(len(self.structure.names))) - set(self.kept)))

    @property
    def equation(self) -> str:
        """The einsum equation without a batch axis."""
        return self._equation(tuple(False for _ in self.operands), "last")

    def _letters(self) -> dict[int, str]:
        used = sorted({v for op in self.operands for v in op.scope} | set(self.targets))
        return {v: oe.get_symbol(i) for i, v in enumerate(used)}

    def _equation(self, batched: tuple[bool, ...], layout: Layout) -> str:
        sym = self._letters()
        b = oe.get_symbol(len(sym))
        terms = []
        for op, isb in zip(self.operands, batched, strict=True):
            t = "".join(sym[v] for v in op.scope)
            if isb:
                t = t + b if (op.kind == "cpt" and layout == "last") else b + t
            terms.append(t)
        out = "".join(sym[t] for t in self.targets)
        if any(batched):
            out = out + b if layout == "last" else b + out
        return ",".join(terms) + "->" + out

    def executor(self, batched: tuple[bool, ...], layout: Layout, rows: int) -> Executor:
        """The cached executor for this batching pattern (path chosen at ``rows`` rows)."""
        bucket = 1 if not any(batched) else 2 ** max(1, min(12, round(math.log2(max(rows, 2)))))
        key = (batched, layout if any(batched) else "last", bucket)
        ex = self._executors.get(key)
        if ex is None:
            with self._lock:
                ex = self._executors.get(key) or self._build(batched, key[1], bucket)
                self._executors[key] = ex
        return ex

    def _build(self, batched: tuple[bool, ...], layout: Layout, rows: int) -> Executor:
        cards = self.structure.cards
        shapes = []
        for op, isb in zip(self.operands, batched, strict=True):
            s = tuple(cards[v] for v in op.scope)
            if isb:
                s = (*s, rows) if (op.kind == "cpt" and layout == "last") else (rows, *s)
            shapes.append(s)
        equation = self._equation(batched, layout)
        path, flops = _best_path(equation, shapes)
        steps = _simulate(self.operands, batched, self.targets, path)
        row_bytes = max((8 * _size(s.scope, cards) for s in steps if s.batched), default=0)
        fixed_bytes = max((8 * _size(s.scope, cards) for s in steps if not s.batched), default=0)
        # Without a batch axis, large contractions go to BLAS through opt_einsum (tensordot);
        # small ones run faster as plain pairwise einsums (less Python per step).
        program = (
            _program(equation, path, oe.get_symbol(len(self._letters())), layout)
            if any(batched) or fixed_bytes <= _SMALL_BYTES
            else ()
        )
        return Executor(
            equation,
            tuple(shapes),
            tuple(map(tuple, path)),
            flops,
            rows,
            row_bytes,
            fixed_bytes,
            tuple(steps),
            program,
        )


# Greedy pair-choosing heuristics tried in turn; the path with the fewest FLOPs wins. Each
# is deterministic (opt_einsum breaks ties by operand number), unlike random-greedy, whose
# choices depend on set iteration order and so on Python's hash seed.
_COST_FNS: tuple = (
    "memory-removed",
    lambda s12, s1, s2, k12, k1, k2: s12,
    lambda s12, s1, s2, k12, k1, k2: s12 - 0.5 * (s1 + s2),
    lambda s12, s1, s2, k12, k1, k2: s12 / (s1 + s2),
)
# Below this many FLOPs a better path cannot repay the time spent looking for it.
_PORTFOLIO_MIN_FLOPS = 2e5


def _best_path(
    equation: str, shapes: Sequence[tuple[int, ...]], *, batch: str | None = None
) -> tuple[list, float]:
    """A contraction path and its FLOPs: opt_einsum's greedy, or the cheapest of several
    greedy heuristics. The path search is called directly and the cost counted as
    ``opt_einsum.contract_path`` counts it, without building its contraction list.

    With ``batch`` (the batch axis's symbol), the heuristics also search as if there were one
    row: the batch axis rides along every intermediate it reaches, and a search that sees it
    as large can wander into much wider intermediates than the network's own structure needs.
    Every candidate is costed at the real sizes."""
    inputs, output = equation.split("->")
    terms = inputs.split(",")
    sizes = {
        c: d for t, shp in zip(terms, shapes, strict=True) for c, d in zip(t, shp, strict=True)
    }
    isets, oset = [frozenset(t) for t in terms], frozenset(output)

    def cost(path: Sequence[Sequence[int]]) -> float:
        sets, total = list(isets), 0
        for pair in path:
            pair = tuple(sorted(pair, reverse=True))
            _, sets, removed, contract = oe.helpers.find_contraction(pair, sets, oset)
            total += oe.helpers.flop_count(contract, bool(removed), len(pair), sizes)
        return float(total)

    if len(terms) <= 2:
        path: list = [tuple(range(len(terms)))]
        return path, cost(path)
    best = oe.paths.greedy(isets, oset, sizes, None)
    best_cost = cost(best)
    if best_cost < _PORTFOLIO_MIN_FLOPS:
        return best, best_cost
    searches = [sizes]
    if batch is not None and sizes.get(batch, 1) > 1:
        searches.append({**sizes, batch: 1})
    path = _elimination_path(isets, oset, {**sizes, **({batch: 1} if batch else {})})
    c = cost(path)
    if c < best_cost:
        best, best_cost = path, c
    for k, search in enumerate(searches):
        for cost_fn in _COST_FNS[1:] if k == 0 else _COST_FNS:
            if cost_fn == "memory-removed":
                path = oe.paths.greedy(isets, oset, search, None)
            else:
                path = oe.paths.greedy(
                    [set(t) for t in terms], set(output), search, cost_fn=cost_fn
                )
            c = cost(path)
            if c < best_cost:
                best, best_cost = path, c
    return best, best_cost


def _elimination_path(
    terms: Sequence[frozenset[str]], output: frozenset[str], sizes: dict[str, int]
) -> list[tuple[int, int]]:
    """A pairwise path from a variable elimination order chosen min-weight first (the
    variable whose elimination makes the smallest table, its neighbours' sizes multiplied):
    the classic heuristic for a network's own structure, which greedy pair-choosing can miss
    on wide networks. Each variable's terms are contracted smallest first."""
    live: list[frozenset[str]] = list(terms)
    nbrs: dict[str, set[str]] = {}
    for t in terms:
        for x in t:
            nbrs.setdefault(x, set()).update(t)
    for x in nbrs:
        nbrs[x].discard(x)
    todo = {x for x in nbrs if x not in output}

    def weight(x: str) -> float:
        return math.prod(sizes[y] for y in nbrs[x]) * sizes[x]

    path: list[tuple[int, int]] = []

    def join(i: int, j: int) -> None:
        i, j = min(i, j), max(i, j)
        a, b = live[i], live[j]
        del live[j], live[i]
        rest = frozenset().union(*live) | output
        live.append((a | b) & (rest | (a & b)))
        path.append((i, j))

    while todo:
        x = min(sorted(todo), key=weight)
        todo.discard(x)
        for y in nbrs[x]:
            nbrs[y] |= nbrs[x] - {y}
            nbrs[y].discard(x)
        del nbrs[x]
        while True:
            have = sorted(
                (i for i, t in enumerate(live) if x in t),
                key=lambda i: math.prod(sizes[y] for y in live[i]),
            )
            if len(have) < 2:
                break
            join(have[0], have[1])
    while len(live) > 1:
        join(len(live) - 2, len(live) - 1)
    return path


def _program(
    equation: str, path: Sequence[Sequence[int]], batch: str, layout: Layout
) -> tuple[tuple[tuple[int, ...], str], ...]:
    """The path as pairwise einsum equations whose outputs keep the batch axis outermost."""
    inputs, out = equation.split("->")
    live = inputs.split(",")
    program = []
    for k, pair in enumerate(path):
        picked = [live[i] for i in pair]
        for i in sorted(pair, reverse=True):
            live.pop(i)
        if k == len(path) - 1:
            new = out
        else:
            keep = set("".join(live)) | set(out)
            letters = [c for c in dict.fromkeys("".join(picked)) if c in keep and c != batch]
            has_b = any(batch in t for t in picked)
            new = "".join(letters)
            if has_b:
                new = new + batch if layout == "last" else batch + new
        # numpy's einsum takes only the 52 ASCII letters: rename each step's indices locally.
        local = {c: oe.get_symbol(i) for i, c in enumerate(dict.fromkeys("".join(picked) + new))}
        eq = (
            ",".join("".join(local[c] for c in t) for t in picked)
            + "->"
            + "".join(local[c] for c in new)
        )
        program.append((tuple(pair), eq))
        live.append(new)
    return tuple(program)


def _size(scope: frozenset[int], cards: Sequence[int]) -> int:
    return math.prod(cards[v] for v in scope)


def _simulate(
    operands: Sequence[Operand],
    batched: Sequence[bool],
    targets: Sequence[int],
    path: Sequence[Sequence[int]],
) -> list[_Step]:
    """The scopes of the intermediates a path creates, to size the batch chunks."""
    live = [(frozenset(op.scope), b) for op, b in zip(operands, batched, strict=True)]
    steps = []
    out = frozenset(targets)
    for pair in path:
        picked = [live[i] for i in sorted(pair, reverse=True)]
        for i in sorted(pair, reverse=True):
            live.pop(i)
        rest = frozenset().union(*(s for s, _ in live)) | out
        joined = frozenset().union(*(s for s, _ in picked))
        new = (joined & rest, any(b for _, b in picked))
        live.append(new)
        steps.append(_Step(*new))
    return steps


@functools.lru_cache(maxsize=4096)
def compile_query(
    structure: Structure,
    targets: tuple[int, ...],
    evidence: tuple[int, ...] = (),
    do: tuple[int, ...] = (),
    fixed: tuple[int, ...] = (),
) -> Plan:
    """Compile a query shape into a cached :class:`Plan`.

    Parameters
    ----------
    structure
        The network structure.
    targets
        Variables of the answer, in output axis order.
    evidence
        Variables that get a likelihood vector (soft evidence, per-row hard evidence, per-row
        do() states, or a target that is observed or intervened on).
    do
        Variables intervened on: their CPT is cut away.
    fixed
        Variables clamped to a single state (hard evidence, a fixed do() state); never targets.

    Examples
    --------
    >>> s = Structure(("a", "b", "c"), (2, 2, 2), ((), (0,), (1,)))
    >>> p = compile_query(s, (1,), (), (), (2,))
    >>> p.kept, p.pruned
    ((0, 1, 2), ())
    >>> compile_query(s, (1,), (1,), (1,), ()).kept  # do(b): a is cut off, c is barren
    ()
    """
    if len(set(targets)) != len(targets):
        raise ValueError(f"targets repeat a variable: {targets}")
    clash = set(fixed) & (set(targets) | set(evidence))
    if clash:
        raise ValueError(f"clamped variables {sorted(clash)} must not be targets or carry vectors")
    cut = frozenset(do)
    loose = cut - set(fixed) - set(evidence)
    if loose:
        raise ValueError(f"do() variables {sorted(loose)} need a fixed state or a one-hot vector")
    needed = structure.ancestors([*targets, *evidence, *fixed], cut)
    kept = tuple(sorted(v for v in needed if v not in cut))
    clamped = frozenset(fixed)
    operands: list[Operand] = []
    scalars: list[Operand] = []
    for v in kept:
        full = (v, *structure.parents[v])
        op = Operand(
            "cpt",
            v,
            tuple(x for x in full if x not in clamped),
            tuple(x if x in clamped else None for x in full),
        )
        (operands if op.scope else scalars).append(op)
    operands.extend(Operand("vector", v, (v,)) for v in sorted(evidence))
    # A target intervened on with nothing downstream still needs its one-hot vector (above);
    # a target every factor of which was pruned cannot happen: targets are never clamped.
    return Plan(
        structure,
        tuple(targets),
        tuple(sorted(evidence)),
        tuple(sorted(v for v in cut if v in needed)),
        tuple(sorted(fixed)),
        kept,
        tuple(operands),
        tuple(scalars),
    )
