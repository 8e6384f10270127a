"""GeNIe's noisy-MAX nodes (``<noisymax>``) in XDSL, written and read, and a CPT's provenance in
its node's ``<comment>``.

The layout is SMILE's ``DSL_noisyMAX``: a noisy-MAX node lists its states from the highest to
the *distinguished* (lowest, "absent") state, the reverse of estimative's order (lowest first).
Each parent's ``<strengths>`` lists the parent's state indices from the strongest to its
distinguished state (``GetOutcomeOfStrength(parent, k) = strengths[k]``). ``<parameters>``
holds, for each parent and each of its states in strength order, the child's distribution
that state produces on its own, without the leak (Díez's "net" parameters, SMILE's native
form; the distinguished state's is a point mass on the child's last state), and then the
leak's distribution. The child's CPT is

    P(Y >= y | x) = P_leak(Y >= y) * prod_i P_i(Y >= y | x_i)

with ``>=`` in the listing order's reverse (cumulating from the last state up), which is
:func:`~estimative.spec.noisy.noisy_max_array` once the states are put lowest first. A binary
node is GeNIe's noisy-OR. Reading, a noisy-MAX node's states are put lowest first (and every
table over the node flipped to match) so that the node becomes the model's ``noisy_or`` or
``noisy_max``; writing, the same in reverse.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from ...spec.models import NoisyMaxSpec, NoisyOrSpec
from ...spec.noisy import noisy_max_array
from ._common import NetView, RawNet, RawVar, VarView, nums, table_fits
from ._names import decode_record, encode_record

#: The property naming the model's form of a noisy node (a binary node may be either).
FORM_PROPERTY = "estimative_form"
#: The line that opens a CPT's provenance in a node comment estimative writes.
PROVENANCE_MARK = "Provenance (estimative):"


# ------------------------------------------------------------------------------ out
def genie_order(view: NetView) -> NetView:
    """``view`` with each noisy node's states as GeNIe lists a noisy-MAX node's (highest
    first) and every table over such a node flipped to match."""
    flipped = {v.id for v in view.variables if v.noisy is not None}
    if not flipped:
        return view
    variables = []
    for v in view.variables:
        table = np.flip(v.table, 0) if v.id in flipped else v.table
        for k, p in enumerate(v.parents):
            if p in flipped:
                table = np.flip(table, 1 + k)
        states = tuple(reversed(v.states)) if v.id in flipped else v.states
        variables.append(dataclasses.replace(v, states=states, table=table))
    utilities = []
    for u in view.utilities:
        values = u.values
        for k, p in enumerate(u.over):
            if p in flipped:
                values = np.flip(values, k)
        utilities.append(dataclasses.replace(u, values=values))
    return dataclasses.replace(view, variables=tuple(variables), utilities=tuple(utilities))


def noisymax_lines(
    v: VarView,
    view: NetView,
    written: NetView,
    ids: dict[str, str],
    states: tuple[str, ...],
    attributes: str = "",
) -> list[str]:
    """The ``<noisymax>`` element of the noisy node ``v`` (as the model has it, in ``view``);
    ``written`` is :func:`genie_order` of ``view``, ``ids`` and ``states`` the names the file
    uses, ``attributes`` more of the element's attributes (`` diagtype="..."``)."""
    point = v.noisy
    assert point is not None
    strengths: list[int] = []
    blocks: list[np.ndarray] = []
    for j, p in enumerate(v.parents):
        ours, listed = view.var(p).states, written.var(p).states
        absent = listed.index(point.absent[p])
        order = [i for i in range(len(listed)) if i != absent] + [absent]
        strengths += order
        for i in order:
            row = point.links[j][ours.index(listed[i])]
            blocks.append(_genie_dist(point.form, row))
    blocks.append(_genie_dist(point.form, point.leak, leak=True))
    out = [f'    <noisymax id="{ids[v.id]}"{attributes}>']
    out += [f'      <state id="{_x(s)}" />' for s in states]
    if v.parents:
        out.append(f"      <parents>{' '.join(ids[p] for p in v.parents)}</parents>")
        out.append(f"      <strengths>{' '.join(map(str, strengths))}</strengths>")
    out.append(f"      <parameters>{nums(np.concatenate(blocks))}</parameters>")
    out.append(f'      <property id="{FORM_PROPERTY}">{point.form}</property>')
    return out


def _genie_dist(form: str, value: Any, *, leak: bool = False) -> np.ndarray:
    """A distribution of the child in GeNIe's order (highest state first): for noisy-OR from a
    probability of the present state (a net link, or the leak), for noisy-MAX by reversing."""
    if form == "noisy_or":
        p = min(max(float(value), 0.0), 1.0)
        return np.array([p, 1.0 - p])
    return np.maximum(np.asarray(value, dtype=float)[::-1], 0.0)  # rounding: -2e-16 is 0


def _x(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def comment_text(description: str, provenance: str) -> str:
    """A node's comment: its description, then its CPT's provenance after
    :data:`PROVENANCE_MARK`."""
    if not provenance:
        return description
    return f"{description.strip()}\n\n{PROVENANCE_MARK}\n{provenance}".lstrip()


def split_comment(text: str) -> tuple[str, str]:
    """(description, provenance) of a comment :func:`comment_text` wrote."""
    head, mark, tail = text.partition(PROVENANCE_MARK)
    return (head.strip(), tail.strip()) if mark else (text, "")


# ------------------------------------------------------------------------------ in
@dataclass
class RawNoisy:
    """A noisy-MAX node's parameters as read: the leak's distribution (K,), each parent's net
    distributions (one row per parent state, K columns), each parent's distinguished state,
    over the states in the file's order until :func:`lowest_first` reverses the child's."""

    leak: np.ndarray
    links: list[np.ndarray]
    absent: list[int]
    form: str | None  # the model's form, when estimative wrote the file
    exact: bool  # the distinguished states' distributions are point masses, as GeNIe keeps them
    line: int


def read_noisymax(
    var: RawVar,
    el: Any,
    raw: RawNet,
    numbers: Callable[[Any, RawNet, str], np.ndarray],
    form: str | None,
) -> None:
    """Set ``var.noisy`` from the ``<noisymax>`` element ``el`` (its parents declared)."""
    parents = var.parents or []
    if any(q not in raw.variables for q in parents):
        return  # reported when the spec is built
    cards = [len(raw.variables[q].states) for q in parents]
    if not table_fits(var, cards, raw, el.line):
        return
    k = len(var.states)
    params = el.find("parameters")
    if params is None:
        raw.problem(f"noisy-MAX node '{var.name}' has no <parameters>", el.line)
        return
    values = numbers(params, raw, f"parameters of {var.name}")
    expected = k * (sum(cards) + 1)
    if values.size != expected:
        raw.problem(
            f"the noisy-MAX parameters of '{var.name}' are {values.size} numbers",
            params.line,
            expected=f"{expected} ({k} states x ({' + '.join(map(str, cards)) or '0'} parent "
            "states + 1 leak))",
        )
        return
    blocks = values.reshape(-1, k)
    sums = blocks.sum(axis=1, keepdims=True)
    if not np.isfinite(blocks).all() or (blocks < -1e-12).any() or np.abs(sums - 1).max() > 1e-6:
        raw.problem(
            f"the noisy-MAX parameters of '{var.name}' hold a block that is not a distribution",
            params.line,
            expected=f"{len(blocks)} distributions of {k} non-negative numbers summing to 1",
        )
        return
    blocks = np.maximum(blocks, 0.0)
    blocks = np.where(np.abs(sums - 1) > 1e-12, blocks / blocks.sum(axis=1, keepdims=True), blocks)
    st = el.find("strengths")
    strengths = [int(x) for x in st.text.split()] if st is not None and st.text else []
    if st is None:
        strengths = [i for c in cards for i in range(c)]
    if len(strengths) != sum(cards) or any(
        sorted(strengths[a : a + c]) != list(range(c))
        for a, c in zip(np.cumsum([0, *cards[:-1]]), cards, strict=True)
    ):
        raw.problem(
            f"the <strengths> of noisy-MAX node '{var.name}' are not an order of each "
            "parent's states",
            st.line if st is not None else el.line,
            expected=f"for each parent, its state indices in strength order ({cards} states)",
        )
        return
    links, absent, exact, at = [], [], True, 0
    point = np.zeros(k)
    point[-1] = 1.0
    for c in cards:
        order = strengths[at : at + c]
        link = np.empty((c, k))
        link[order] = blocks[at : at + c]
        links.append(link)
        absent.append(order[-1])
        exact = exact and bool(np.allclose(blocks[at + c - 1], point, rtol=0, atol=1e-12))
        at += c
    var.noisy = RawNoisy(blocks[-1].copy(), links, absent, form, exact, params.line)
    var.cpt_line = params.line


def lowest_first(raw: RawNet) -> list[str]:
    """Put each noisy-MAX node's states lowest first (reversing GeNIe's order), flip every
    table, transition and parameter block over such a node to match, and expand each node's
    CPT; return the names of the nodes so reordered."""
    noisy = {n: v for n, v in raw.variables.items() if v.noisy is not None}
    if not noisy:
        return []
    for var in noisy.values():
        var.states = list(reversed(var.states))
        if var.names:
            rec = decode_record(var.names)
            if len(rec) == len(var.states) + 1:
                var.names = encode_record([rec[0], *reversed(rec[1:])])
    for var in raw.variables.values():
        parents = var.parents or []
        flips = tuple(1 + k for k, q in enumerate(parents) if q in noisy)
        if var.table is not None and flips:
            var.table = np.flip(var.table, flips)
        if var.transition is not None and flips:
            var.transition = np.flip(var.transition, flips)
        nz = var.noisy
        if nz is None:
            continue
        nz.leak = nz.leak[::-1].copy()
        for k, q in enumerate(parents):
            link = nz.links[k][:, ::-1]
            if q in noisy:
                link = link[::-1]
                nz.absent[k] = len(link) - 1 - nz.absent[k]
            nz.links[k] = link.copy()
        var.table = np.clip(noisy_max_array(nz.leak, nz.links), 0.0, 1.0)
    return list(noisy)


def model_form(
    nz: RawNoisy, states: list[str], parents: list[tuple[str, list[str]]]
) -> NoisyOrSpec | NoisyMaxSpec | None:
    """The model's CPT form for a noisy-MAX node read lowest first (``states``: the child's,
    ``parents``: each parent's id and states): ``noisy_or`` for a binary child (unless the file
    says ``noisy_max``, or the leak is certain), else ``noisy_max``, with each cause's
    distribution the child's with that cause alone present, leak included (the model's
    parameterisation). None when the file's distinguished states are not point masses, which
    no model form holds (the CPT is then the expanded table)."""
    if not nz.exact:
        return None
    absent = {
        p: sts[nz.absent[j]]
        for j, (p, sts) in enumerate(parents)
        if nz.absent[j] != 0  # the model's default absent state is the first
    }
    if len(states) == 2 and nz.form != "noisy_max" and nz.leak[1] < 1:
        leak = float(nz.leak[1])
        return NoisyOrSpec(
            leak=leak,
            causes={
                p: {
                    s: max(leak, 1.0 - (1.0 - leak) * (1.0 - float(nz.links[j][i][1])))
                    for i, s in enumerate(sts)
                    if i != nz.absent[j]
                }
                for j, (p, sts) in enumerate(parents)
            },
            absent=absent,
        )
    cdf_leak = np.cumsum(nz.leak)

    def alone(link: np.ndarray) -> dict[str, float]:
        cdf = cdf_leak * np.cumsum(link)
        cdf[-1] = 1.0
        d = np.clip(np.diff(cdf, prepend=0.0), 0.0, 1.0)
        return {s: float(x) for s, x in zip(states, d, strict=True)}

    return NoisyMaxSpec(
        leak={s: float(x) for s, x in zip(states, nz.leak, strict=True)},
        causes={
            p: {s: alone(nz.links[j][i]) for i, s in enumerate(sts) if i != nz.absent[j]}
            for j, (p, sts) in enumerate(parents)
        },
        absent=absent,
    )
