"""The numbers the analyst entered, as parameters a sensitivity analysis can move.

Each :class:`Parameter` is one number of the model file (a table cell, a noisy-OR link or
leak, a noisy-MAX link's or leak's entry, a verbal term) with its prior marginal and the
direction its variable's table moves in: every form's table is affine in each of its entered
numbers when the others stay as written (a table cell co-varies its column proportionally;
a noisy-OR link moves with the leak fixed; a leak moves with each cause's net link fixed; a
noisy-MAX entry co-varies its distribution), so ``table(x) = table(x0) + (x - x0) direction``
holds exactly and every probability of the network stays a ratio of two linear functions of
``x``. ``over="cells"`` lists every free cell of the expanded tables instead (the older view).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from ..errors import UsageError
from ..network import Network
from ..spec import elicited
from ..spec.noisy import noisy_chain, noisy_max_array, noisy_or_array, noisy_point
from .draws import concentrations
from .forms import elicitation_strength, spec_variable, strength_of, verbal_strength
from .pooled import analyst_weights

KIND_TEXT = {
    "table": "table",
    "cell": "expanded cell",
    "noisy_or_link": "noisy-OR link",
    "noisy_or_leak": "noisy-OR leak",
    "noisy_max_link": "noisy-MAX link",
    "noisy_max_leak": "noisy-MAX leak",
    "verbal": "verbal term",
}


@dataclass(frozen=True)
class Parameter:
    """One number ``P(variable=state | parents)`` the analysis moves, with its prior marginal.

    ``kind`` says what the number is in the model file (``table``, ``noisy_or_link``,
    ``noisy_or_leak``, ``noisy_max_link``, ``noisy_max_leak``, ``verbal``, or ``cell`` for an
    expanded cell). Its prior marginal is ``offset + scale x Beta(alpha, alpha0 - alpha)``;
    ``bounds`` is the range in which the form stays valid.
    """

    variable: str
    state: str
    parents: tuple[tuple[str, str], ...]
    value: float
    alpha: float
    alpha0: float
    var_index: int  # the engine node whose table the number moves (for a factorised CPT, a
    # node of its chain; see Network.nodes)
    state_index: int
    column: int  # flat index of the column (-1 for a noisy form's link or leak)
    kind: str = "cell"
    term: str | None = None
    offset: float = 0.0
    scale: float = 1.0
    bounds: tuple[float, float] = (0.0, 1.0)
    direction: np.ndarray | None = field(default=None, compare=False, repr=False)
    analyst: str | None = None  # a pooled CPT: whose elicitation the number is

    @property
    def label(self) -> str:
        """``P(variable=state | condition)``; a noisy form's link reads ``| parent=s only``; a
        pooled CPT's number ends ``[analyst A]``."""
        if self.kind in ("noisy_or_leak", "noisy_max_leak"):
            cond = "no cause"
        elif self.kind in ("noisy_or_link", "noisy_max_link"):
            cond = ", ".join(f"{p}={s}" for p, s in self.parents) + " only"
        else:
            cond = ", ".join(f"{p}={s}" for p, s in self.parents)
        who = f" [analyst {self.analyst}]" if self.analyst else ""
        return f"P({self.variable}={self.state}{' | ' + cond if cond else ''}){who}"

    @property
    def description(self) -> str:
        """The number as the analyst wrote it: ``P(flood=yes | breach=yes only) = 0.6,
        noisy-OR link``."""
        shown = f"{self.term} ({self.value:g})" if self.term else f"{self.value:g}"
        return f"{self.label} = {shown}, {KIND_TEXT.get(self.kind, self.kind)}"

    def credible(self, level: float = 0.9) -> tuple[float, float]:
        """The central ``level`` interval of the parameter's prior marginal (within bounds)."""
        lo, hi = stats.beta.ppf(
            [(1 - level) / 2, (1 + level) / 2], self.alpha, self.alpha0 - self.alpha
        )
        lo, hi = self.offset + self.scale * lo, self.offset + self.scale * hi
        return float(max(lo, self.bounds[0])), float(min(hi, self.bounds[1]))


def _covary(column: np.ndarray, s: int, x: float) -> np.ndarray:
    out = column * (1.0 - x) / (1.0 - column[s])
    out[s] = x
    return out


def _cell_direction(cpt: np.ndarray, col: int, s: int) -> np.ndarray:
    card = cpt.shape[0]
    flat = cpt.reshape(card, -1)
    d = np.zeros_like(flat)
    d[:, col] = -flat[:, col] / (1.0 - flat[s, col])
    d[s, col] = 1.0
    return d.reshape(cpt.shape)


def _slope(table: Callable[[float], np.ndarray]) -> np.ndarray:
    return table(1.0) - table(0.0)  # exact: the table is affine in the parameter


def cell_parameters(
    net: Network, wanted: set[str], strengths: Mapping[str, float] | None
) -> list[Parameter]:
    """Every free cell of the expanded tables (two-state columns: the last state's)."""
    alphas = concentrations(net, strengths=strengths)
    out: list[Parameter] = []
    for vi, name in enumerate(net.variables):
        if name not in wanted:
            continue
        if name in net.chains:  # factorised: no expanded cells, the numbers entered instead
            out.extend(entered_parameters(net, {name}, strengths))
            continue
        cpt = net.cpts[vi]
        kind = "table" if (v := spec_variable(net, name)) is None else v.cpt.form
        kind = "table" if kind == "table" else "cell"
        out.extend(_cells(net, vi, name, cpt, np.asarray(alphas[vi], dtype=float), kind))
    return out


def _cells(
    net: Network, vi: int, name: str, cpt: np.ndarray, alpha: np.ndarray, kind: str
) -> list[Parameter]:
    card = cpt.shape[0]
    flat, aflat = cpt.reshape(card, -1), alpha.reshape(card, -1)
    pars = net.parents[name]
    out = []
    configs = list(itertools.product(*(net.states[p] for p in pars)))
    for col, cfg in enumerate(configs):
        for s in range(card - 1, card) if card == 2 else range(card):
            p = float(flat[s, col])
            if 0.0 < p < 1.0:
                out.append(
                    Parameter(
                        name,
                        net.states[name][s],
                        tuple(zip(pars, cfg, strict=True)),
                        p,
                        float(aflat[s, col]),
                        float(aflat[:, col].sum()),
                        vi,
                        s,
                        col,
                        kind,
                        direction=_cell_direction(cpt, col, s),
                    )
                )
    return out


def entered_parameters(
    net: Network, wanted: set[str], strengths: Mapping[str, float] | None
) -> list[Parameter]:
    """Every number the analyst entered (of the ``wanted`` variables), in model order."""
    out: list[Parameter] = []
    for vi, name in enumerate(net.variables):
        if name not in wanted:
            continue
        cpt = net.cpts[vi]
        var = spec_variable(net, name)
        form = "table" if var is None else var.cpt.form
        s = strength_of(net, name, strengths)
        if form == "table" or var is None:
            ss = 20.0 if s is None else s
            out.extend(_cells(net, vi, name, cpt, ss * cpt, "table"))
        elif form == "verbal":
            out.extend(_verbal(net, vi, var, cpt, s))
        elif form == "pooled":
            out.extend(_pooled(net, vi, name, var, cpt, strengths))
        else:
            assert s is not None
            out.extend(_noisy(net, vi, var, s))
    return out


def _pooled(
    net: Network,
    vi: int,
    name: str,
    var: Any,
    cpt: np.ndarray,
    strengths: Mapping[str, float] | None,
) -> list[Parameter]:
    """A pooled CPT's numbers: a linear pool is affine in each analyst's numbers (the pool
    moves by the analyst's weight times their table's move); a log pool is not, so its
    expanded cells are listed instead."""
    if var.cpt.pool == "log":
        return _cells(net, vi, name, cpt, (strength_of(net, name, strengths) or 20.0) * cpt, "cell")
    weights = analyst_weights(net.spec)
    per = elicited(var, net.states)
    total = sum(weights.get(a, 0.0) for a in per)
    out: list[Parameter] = []
    for a, v in per.items():
        w = weights.get(a, 0.0) / total if total > 0 else 1.0 / len(per)
        s = elicitation_strength(name, var, v, strengths)
        if w <= 0:
            continue
        if v.cpt.form == "table":
            ss = 20.0 if s is None else s
            mine = _cells(net, vi, name, v.table, ss * v.table, "table")
        elif v.cpt.form == "verbal":
            mine = _verbal(net, vi, v, v.table, s)
        else:
            mine = _noisy(net, vi, v, 20.0 if s is None else s)
        out.extend(
            dataclasses.replace(p, analyst=a, direction=w * np.asarray(p.direction)) for p in mine
        )
    return out


def _verbal(net: Network, vi: int, var: Any, cpt: np.ndarray, s: float | None) -> list[Parameter]:
    k = verbal_strength(var, s).reshape(-1)
    e = var.states.index(var.cpt.event) if var.cpt.event is not None else 1
    pars = net.parents[var.id]
    words = {
        tuple(row.when[p] for p in pars): row.term
        for row in (var.cpt.verbal if not isinstance(var.cpt.verbal, str) else [])
    }
    out = []
    for col, cfg in enumerate(itertools.product(*(net.states[p] for p in pars))):
        m = float(cpt.reshape(2, -1)[e, col])
        d = np.zeros((2, k.size))
        d[e, col], d[1 - e, col] = 1.0, -1.0
        term = var.cpt.verbal if isinstance(var.cpt.verbal, str) else words[tuple(cfg)]
        out.append(
            Parameter(
                var.id,
                var.states[e],
                tuple(zip(pars, cfg, strict=True)),
                m,
                float(k[col] * m),
                float(k[col]),
                vi,
                e,
                col,
                "verbal",
                term=term,
                direction=d.reshape(cpt.shape),
            )
        )
    return out


def _placed(
    net: Network, vi: int, var: Any, form: str, j: int, make: Callable[[float], Any]
) -> tuple[int, np.ndarray]:
    """The engine node a noisy CPT's number moves and the direction it moves that node's
    table in: the variable's full table, or for a factorised CPT one node of its chain (the
    leak's, ``j < 0``, or parent ``j``'s). ``make(x)`` gives ``(leak, links)`` with the
    number at ``x``."""
    if var.id not in net.chains:
        full = noisy_or_array if form == "noisy_or" else noisy_max_array
        return vi, _slope(lambda x: full(*make(x)))
    node = net.chains[var.id][j + 1]

    def link(x: float) -> np.ndarray:
        leak, links = make(x)
        return noisy_chain(form, leak, [] if j < 0 else [links[j]])[0 if j < 0 else 1]

    return node, _slope(link)


def _noisy(net: Network, vi: int, var: Any, s: float) -> list[Parameter]:
    pt = var.factors if var.factors is not None else noisy_point(var, net.states)
    pars = list(var.parents)
    out: list[Parameter] = []
    if pt.form == "noisy_or":
        leak = float(pt.leak)
        links = [np.asarray(x) for x in pt.links]
        if 0.0 < leak < 1.0:
            node, d = _placed(net, vi, var, pt.form, -1, lambda x: (x, links))
            out.append(
                Parameter(
                    var.id,
                    var.states[1],
                    (),
                    leak,
                    s * leak,
                    s,
                    node,
                    1,
                    -1,
                    "noisy_or_leak",
                    direction=d,
                )
            )
        for (p, st), c in pt.written.items():
            j, i = pars.index(p), net.states[p].index(st)
            net_link = float(links[j][i])
            if not 0.0 < net_link < 1.0:
                continue

            def m_link(x: float, j: int = j, i: int = i) -> Any:
                new = list(links)
                new[j] = links[j].copy()
                new[j][i] = 1.0 - (1.0 - x) / (1.0 - leak)
                return leak, new

            node, d = _placed(net, vi, var, pt.form, j, m_link)
            out.append(
                Parameter(
                    var.id,
                    var.states[1],
                    ((p, st),),
                    float(c),
                    s * net_link,
                    s,
                    node,
                    1,
                    -1,
                    "noisy_or_link",
                    offset=leak,
                    scale=1.0 - leak,
                    bounds=(leak, 1.0),
                    direction=d,
                )
            )
        return out
    leak_d = np.asarray(pt.leak, dtype=float)
    links = [np.asarray(x) for x in pt.links]
    k = leak_d.size
    ys = range(k - 1, k) if k == 2 else range(k)
    for y in ys:
        if not 0.0 < leak_d[y] < 1.0:
            continue

        def m_mleak(x: float, y: int = y) -> Any:
            return _covary(leak_d, y, x), links

        node, dr = _placed(net, vi, var, pt.form, -1, m_mleak)
        out.append(
            Parameter(
                var.id,
                var.states[y],
                (),
                float(leak_d[y]),
                s * float(leak_d[y]),
                s,
                node,
                y,
                -1,
                "noisy_max_leak",
                direction=dr,
            )
        )
    cdf_leak = np.cumsum(leak_d)
    for (p, st), d in pt.written.items():
        j, i = pars.index(p), net.states[p].index(st)
        q0 = links[j][i]
        for y in ys:
            if not 0.0 < d[y] < 1.0:
                continue

            def net_of(x: float, d: np.ndarray = d, y: int = y) -> np.ndarray:
                cdf = np.cumsum(_covary(d, y, x))
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = np.where(cdf_leak > 0, cdf / np.where(cdf_leak > 0, cdf_leak, 1), 0)
                return np.diff(ratio, prepend=0.0)

            def m_mlink(x: float, j: int = j, i: int = i, f: Any = net_of) -> Any:
                new = list(links)
                new[j] = links[j].copy()
                new[j][i] = f(x)
                return leak_d, new

            # the net distribution is affine in x: it stays a distribution on an interval
            g0, g1 = net_of(0.0), net_of(1.0)
            lo, hi = 0.0, 1.0
            for a, b in zip(g0, g1 - g0, strict=True):
                if b > 1e-15:
                    lo = max(lo, -a / b)
                elif b < -1e-15:
                    hi = min(hi, -a / b)
            # moments of the written entry under q ~ Dirichlet(s q0), the leak fixed
            cj = np.array(
                [
                    cdf_leak[y] * (jj <= y) - (cdf_leak[y - 1] if y > 0 else 0.0) * (jj <= y - 1)
                    for jj in range(k)
                ]
            )
            var_ = (np.sum(cj**2 * q0) - np.sum(cj * q0) ** 2) / (s + 1.0)
            m = float(d[y])
            if var_ <= 0 or lo >= hi:
                continue
            a0 = max(m * (1 - m) / var_ - 1.0, 1e-6)
            node, dr = _placed(net, vi, var, pt.form, j, m_mlink)
            out.append(
                Parameter(
                    var.id,
                    var.states[y],
                    ((p, st),),
                    m,
                    float(m * a0),
                    float(a0),
                    node,
                    y,
                    -1,
                    "noisy_max_link",
                    bounds=(float(lo), float(hi)),
                    direction=dr,
                )
            )
    return out


def parameters_of(
    net: Network,
    *,
    variables: Sequence[str] | None = None,
    strengths: Mapping[str, float] | None = None,
    over: str = "entered",
) -> list[Parameter]:
    """The parameters of ``net`` (of ``variables`` when named): the numbers the analyst
    entered (``over="entered"``) or every free cell of the expanded tables (``"cells"``)."""
    wanted = (
        set(net.variables)
        if variables is None
        else {net.variables[net.index(v)] for v in variables}
    )
    if over == "entered":
        return entered_parameters(net, wanted, strengths)
    if over == "cells":
        return cell_parameters(net, wanted, strengths)
    raise UsageError(
        f"over must be 'entered' or 'cells', not {over!r}",
        field="over",
        fix="use 'entered' (the numbers in the model file) or 'cells'",
    )


def perturbed_cpts(net: Network, params: Sequence[Parameter], xs: np.ndarray) -> list[np.ndarray]:
    """Batched CPTs (trailing axis ``len(params)``): set ``k`` is the model with parameter
    ``params[k]`` moved to ``xs[k]`` (the others as written)."""
    xs = np.asarray(xs, dtype=float)
    n = len(params)
    if xs.shape != (n,):
        raise UsageError(f"xs needs one value per parameter ({n})", found=str(xs.shape))
    vi = np.array([p.var_index for p in params], dtype=int)
    out: list[np.ndarray] = []
    for u, cpt in enumerate(net.cpts):
        sel = np.nonzero(vi == u)[0]
        if sel.size == 0:
            out.append(np.broadcast_to(cpt[..., np.newaxis], (*cpt.shape, n)))
            continue
        arr = np.repeat(cpt[..., np.newaxis], n, axis=-1)
        for k in sel.tolist():
            q = params[k]
            d = q.direction if q.direction is not None else np.zeros_like(cpt)
            arr[..., k] = cpt + (xs[k] - q.value) * d
        out.append(arr)
    return out
