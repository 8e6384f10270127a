"""GeNIe's dynamic XDSL: a dynamic model written as SMILE's temporal plate, and read back.

A plate file lists the variables that do not change over time in ``<nodes>`` as usual and the
ones that do inside ``<dynamic numslices="N">``: each with its states and its first-slice CPT
over the parents in the same slice (and static ones), then, for a variable with parents in the
slice before, a ``<cpt id="x" order="1">`` whose ``<parents>`` are those parents and whose
``<probabilities>`` are the transition CPT over the same-slice parents followed by the
slice-before ones (row-major, the child fastest, as every XDSL table).

What the plate cannot hold is returned in words for the one export warning: per-slice CPTs
beyond the first slice (the plate has one transition), windows, the discount, reacting rules,
decisions (written as chance nodes with their baseline tables) and utilities. A lag beyond
one slice is refused (write the unrolled network instead).

Read back, the plate becomes a model with ``time:``: the slices' labels and dates are those an
estimative file records (``estimative_time``); in a file from GeNIe they are ``t0 .. tN-1``,
slice ``i`` ending ``i + 1`` days after the model's ``as_of`` (the file's date), to be
relabelled in the YAML.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import UsageError
from ...graphs import topological_order
from ...spec import ModelSpec
from ...spec.timing import TimeSpec, parse_lag, split_slice
from ._common import (
    RawNet,
    from_flat,
    genie_rectangle,
    ident_or_default,
    num,
    nums,
    oneline,
    time_unwritable,
)
from ._names import NAMES_PROPERTY, written_names

if TYPE_CHECKING:
    from .xml import Element

#: The most slices a plate file may ask for (each slice is a copy of the plate's nodes).
MAX_SLICES = 1000
#: The property (on the plate's first node) holding the slices' labels and dates.
TIME_PROPERTY = "estimative_time"


def _x(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(str(text), {'"': "&quot;"})


def _time_record(spec: ModelSpec) -> str:
    assert spec.time is not None
    parts = [f"as_of:{spec.as_of}", f"discount:{num(spec.time.discount)}"]
    parts += [f"{lab}:{d}" for lab, d in zip(spec.time.labels, spec.time.slices, strict=True)]
    return " ".join(parts)


def plate_unwritable(spec: ModelSpec) -> list[str]:
    """What the plate file of the dynamic model ``spec`` does not hold, in words."""
    tmpl = spec.template
    assert tmpl is not None and spec.time is not None
    out = [
        f"{len(items)} {what}"
        for what, items in (
            ("policies", tmpl.policies),
            ("scenarios", tmpl.scenarios),
            ("claims", tmpl.claims),
            ("forecast questions", tmpl.questions),
            ("outcomes", tmpl.outcomes),
            ("sources", tmpl.sources),
        )
        if items
    ]
    windows = [v.id for v in spec.variables if ".." in (split_slice(v.id)[1] or "")]
    out += time_unwritable(spec, windows, plate=True)
    labels = spec.time.labels
    overridden = [
        f"{v.id} ({', '.join(lab for lab in v.slices if lab != labels[0] or not _lagged(v.parents))})"
        for v in tmpl.variables
        if any(lab != labels[0] or not _lagged(v.parents) for lab in v.slices)
    ]
    if overridden:
        out.append(
            "the per-slice CPTs of " + "; ".join(overridden) + " (GeNIe's plate holds one "
            "transition CPT: those slices are written with it; export with unrolled=True / "
            "--unrolled to keep them)"
        )
    decisions = [v.id for v in tmpl.variables if v.kind == "decision"]
    if decisions:
        out.append(
            f"the decisions {', '.join(decisions)}, written as chance nodes with their "
            "baseline tables"
        )
    if tmpl.utilities is not None:
        out.append(f"{len(tmpl.utilities.attributes)} utility attributes")
    if any(v.cpt.sources or v.cpt.rationale for v in tmpl.variables):
        out.append("the provenance (quotes, rationales) of the CPTs")
    forms = [v.id for v in tmpl.variables if v.cpt.form in ("noisy_or", "noisy_max", "verbal")]
    if forms:
        out.append(
            f"the CPT forms (noisy-OR, noisy-MAX, verbal) of {', '.join(forms)}, written as "
            "full tables"
        )
    return out


def _lagged(parents: Sequence[str]) -> list[str]:
    return [parse_lag(p)[0] for p in parents if parse_lag(p)[1] == 1]


def write_plate(spec: ModelSpec) -> str:
    """The dynamic model ``spec`` as an XDSL file with GeNIe's temporal plate."""
    tmpl, time = spec.template, spec.time
    assert tmpl is not None and time is not None
    labels = time.labels
    for v in tmpl.variables:
        deep = [p for p in v.parents if parse_lag(p)[1] > 1]
        if deep:
            raise UsageError(
                f"'{v.id}' has a parent more than one slice before ({', '.join(deep)}), which "
                "estimative does not write into GeNIe's plate",
                field="unrolled",
                fix="export the unrolled network (unrolled=True, --unrolled)",
            )
    names = written_names(
        [(v.id, v.states) for v in tmpl.variables],
        variable_fits=str.isidentifier,
        state_fits=str.isidentifier,
    )
    w = names.variables
    static = [v for v in tmpl.variables if v.static]
    temporal = {v.id: v for v in tmpl.variables if not v.static}
    ties = spec.ties

    roles = any(not v.observable for v in tmpl.variables)  # GeNIe's diagnostic roles

    def node(
        vid: str,
        tag_id: str,
        states: Sequence[str],
        parents: Sequence[str],
        table: Any,
        extra: Sequence[str] = (),
    ) -> list[str]:
        observable = next(v.observable for v in tmpl.variables if v.id == vid)
        diag = f' diagtype="{"observation" if observable else "auxiliary"}"' if roles else ""
        out = [f'    <cpt id="{_x(tag_id)}"{diag}>']
        out += [f'      <state id="{_x(s)}" />' for s in states]
        if parents:
            out.append(f"      <parents>{' '.join(w[p] for p in parents)}</parents>")
        out.append(
            f"      <probabilities>{nums(np.moveaxis(table, 0, -1).ravel())}</probabilities>"
        )
        rec = names.records.get(vid)
        if rec:
            out.append(f'      <property id="{NAMES_PROPERTY}">{rec}</property>')
        out += extra
        out.append("    </cpt>")
        return out

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- written by estimative; model {_x(spec.name)}, hash {spec.model_hash}; "
        "GeNIe's temporal plate -->",
        f'<smile version="1.0" id="{ident_or_default(spec.name, "model")}" numsamples="10000" '
        'discsamples="10000">',
        "  <nodes>",
    ]
    for v in static:
        u = spec.variable(v.id)
        out += node(v.id, w[v.id], v.states, u.parents, np.asarray(u.table, dtype=float))
    out += ["  </nodes>", f'  <dynamic numslices="{len(labels)}">']
    before = {
        vid: [parse_lag(p)[0] for p in v.parents if parse_lag(p)[1] == 0 and p in temporal]
        for vid, v in temporal.items()
    }
    order = topological_order(before) or list(temporal)
    transitions: list[str] = []
    for k, vid in enumerate(order):
        v = temporal[vid]
        lagged = _lagged(v.parents)
        copies = [f"{vid}@{lab}" for lab in labels]
        if lagged:
            base = spec.variable(copies[0])
        else:  # the same CPT in every slice: the transition's, where a slice has it
            base = spec.variable(
                next((c for c in copies if ties.get(c) == f"{vid}.cpt"), copies[0])
            )
        extra = (
            [f'      <property id="{TIME_PROPERTY}">{_time_record(spec)}</property>']
            if k == 0
            else []
        )
        out += node(
            vid,
            w[vid],
            v.states,
            [split_slice(p)[0] for p in base.parents],
            np.asarray(base.table, dtype=float),
            extra,
        )
        if lagged and len(labels) > 1:
            pick = next((c for c in copies[1:] if ties.get(c) == f"{vid}.cpt"), copies[1])
            cur = spec.variable(pick)
            lags = [parse_lag(p)[1] for p in v.parents]  # cur.parents follow v.parents
            axes = [
                0,
                *(1 + i for i, g in enumerate(lags) if g == 0),
                *(1 + i for i, g in enumerate(lags) if g == 1),
            ]
            table = np.transpose(np.asarray(cur.table, dtype=float), axes)
            transitions += [
                f'    <cpt id="{_x(w[vid])}" order="1">',
                f"      <parents>{' '.join(w[p] for p in lagged)}</parents>",
                f"      <probabilities>{nums(np.moveaxis(table, 0, -1).ravel())}</probabilities>",
                "    </cpt>",
            ]
    out += transitions
    out += ["  </dynamic>", "  <extensions>"]
    out.append(f'    <genie version="1.0" app="estimative" name="{_x(oneline(tmpl.title))}">')
    pos = _plate_positions(tmpl)
    for v in [*static, *(temporal[vid] for vid in order)]:
        out += [
            f'      <node id="{_x(w[v.id])}">',
            f"        <name>{_x(oneline(v.label))}</name>",
            '        <interior color="e5f6f7" />',
            '        <outline color="000080" />',
            '        <font color="000000" name="Arial" size="8" />',
            f"        <position>{genie_rectangle(pos[v.id])}</position>",
            "      </node>",
        ]
    out += ["    </genie>", "  </extensions>", "</smile>"]
    return "\n".join(out) + "\n"


def _plate_positions(tmpl: ModelSpec) -> dict[str, tuple[float, float]]:
    """Where each variable of the template is drawn: the model's positions (a file's, read
    back) when every variable has one, else the house's layered layout of the template's
    arcs within a slice (GeNIe needs a position for every node)."""
    own = {v.id: v.position for v in tmpl.variables}
    if all(p is not None for p in own.values()):
        return {k: p for k, p in own.items() if p is not None}
    from ...layout import layout

    ids = [v.id for v in tmpl.variables]
    parents = {
        v.id: [q for q in (parse_lag(p)[0] for p in v.parents if not parse_lag(p)[1]) if q in own]
        for v in tmpl.variables
    }
    lay = layout(ids, parents, gap=90.0, rank_gap=200.0)
    return {k: (round(100.0 + x), round(60.0 + y)) for k, (x, y) in lay.pos.items()}


# ------------------------------------------------------------------------------ in
def read_transition(el: Element, raw: RawNet, numbers: Any) -> None:
    """An ``order="1"`` element of the plate: the transition CPT of a plate node."""
    vid = el.attrib.get("id", "")
    order = el.attrib.get("order", "")
    var = raw.variables.get(vid)
    if order != "1":
        raw.problem(
            f"node '{vid}' has temporal arcs of order {order}",
            el.line,
            expected='order="1" (parents in the slice before)',
            fix="estimative reads lags of one slice; unroll the network in GeNIe first",
        )
        return
    if var is None or not var.plate:
        raw.problem(f"order=\"1\" definition of '{vid}', which is not a node of the plate", el.line)
        return
    par = el.find("parents")
    lagged = par.text.split() if par is not None else []
    bad = [q for q in lagged if q not in raw.variables or not raw.variables[q].plate]
    probs = el.find("probabilities")
    if bad or probs is None:
        raw.problem(
            f"the temporal definition of '{vid}' "
            + (f"names '{bad[0]}', not a node of the plate" if bad else "has no <probabilities>"),
            el.line,
        )
        return
    flat = numbers(probs, raw, f"probabilities of {vid} (order 1)")
    pcards = [len(raw.variables[q].states) for q in (*(var.parents or []), *lagged)]
    size = len(var.states) * int(np.prod(pcards))
    if flat.size != size:
        raw.problem(
            f"the temporal table of '{vid}' has {flat.size} numbers",
            probs.line,
            expected=f"{size} (over its parents, then {', '.join(lagged)} in the slice before)",
        )
        return
    var.lagged, var.transition_line = lagged, probs.line
    var.transition = from_flat(flat, len(var.states), pcards)


def time_of(raw: RawNet, mtime: _dt.date) -> tuple[TimeSpec, _dt.date]:
    """The slices of a plate file (its ``estimative_time`` record, else ``t0 .. tN-1`` a day
    apart after ``mtime``) and the model's ``as_of``."""
    n = raw.slices or 1
    rec = dict(tok.split(":", 1) for tok in (raw.time_record or "").split() if ":" in tok)
    try:
        as_of = _dt.date.fromisoformat(rec.pop("as_of"))
        discount = float(rec.pop("discount", "1"))
        if len(rec) == n:
            return TimeSpec(
                slices=[_dt.date.fromisoformat(d) for d in rec.values()],
                labels=list(rec),
                discount=discount,
            ), as_of
    except (KeyError, ValueError):
        pass
    return TimeSpec(
        slices=[mtime + _dt.timedelta(days=i + 1) for i in range(n)],
        labels=[f"t{i}" for i in range(n)],
    ), mtime
