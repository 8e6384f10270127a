"""Unroll a dynamic model (one with ``time:``) into the ordinary network every analysis runs on.

A variable that changes over time gets one copy per slice, ``x@2018H1``; its parents in the
same slice (``p``) and in earlier ones (``p@t-1``) become the copies of the right slices; its
CPT is the first slice's (``initial``), a named slice's own (``slices:``) or the transition
(``cpt``). A static variable keeps one copy and its id. Windows (``x@2017H2..2018H2``: the
highest state ``x`` reaches in those slices, "yes in any slice" for a yes/no variable) are
deterministic nodes chained slice by slice, so a query over the horizon costs one node per slice.

Names elsewhere in the file are unrolled too: ``do: {x: s}`` sets ``x`` in every slice; a
headline outcome on ``x`` is about the whole horizon; a forecast question with a ``window``
is about the slices the window covers; reacting rules become one concrete rule per slice.

Problems name the file and line of the template, not of an unrolled copy.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import Problem, did_you_mean
from ..graphs import reachable
from . import unroll_refs
from .locate import Locator, Path_
from .models import CptSpec, ModelSpec, QueryRef, TableRow, VariableSpec
from .slices import UnrolledLocator, UnrollState, at
from .timing import TimeSpec, parse_lag, slice_id, split_slice


def check_timeless(spec: ModelSpec, loc: Locator) -> list[Problem]:
    """The parts of the format that need ``time:``, found in a model without it."""
    out: list[Problem] = []
    fix = "declare time: {slices: [...], labels: [...]} or remove it"
    for i, v in enumerate(spec.variables):
        for name in ("initial", "slices", "static"):
            if getattr(v, name) not in (None, {}, False):
                out.append(
                    loc.problem(("variables", i, name), f"'{name}' is for dynamic models", fix=fix)
                )
        for j, p in enumerate(v.parents):
            if parse_lag(p)[1] > 0 or p.endswith("@t"):
                out.append(
                    loc.problem(
                        ("variables", i, "parents", j),
                        f"'{p}' is a temporal arc, but the model has no time slices",
                        fix=fix,
                    )
                )
    for i, pol in enumerate(spec.policies):
        if pol.react:
            out.append(
                loc.problem(("policies", i, "react"), "reacting rules need time slices", fix=fix)
            )
    for i, q in enumerate(spec.questions):
        if q.window is not None:
            out.append(
                loc.problem(("questions", i, "window"), "a window needs time slices", fix=fix)
            )
    if spec.utilities is not None:
        for i, a in enumerate(spec.utilities.attributes):
            if a.at != "each":
                out.append(
                    loc.problem(
                        ("utilities", "attributes", i, "at"),
                        "'at' is for dynamic models",
                        fix=fix,
                    )
                )
    return out


def unroll(
    spec: ModelSpec, loc: Locator
) -> tuple[list[Problem], ModelSpec | None, Locator, dict[str, str]]:
    """The unrolled spec of a dynamic model (unsealed: its rules are checked next, by
    :func:`~estimative.spec.rules.check_spec`), with a locator that points its problems at
    the template, and which copies share a template CPT (``{"x@B": "x.cpt"}``); or the
    problems that stop it from unrolling."""
    assert spec.time is not None
    st = UnrollState(spec, loc, spec.time)
    _check_time(st)
    _classify(st)
    if st.problems:
        return st.problems, None, loc, {}
    variables, vmap = _unroll_variables(st)
    if st.problems:
        return st.problems, None, loc, {}
    policies = [unroll_refs.policy(st, i, p) for i, p in enumerate(spec.policies)]
    scenarios = [unroll_refs.scenario(st, i, s) for i, s in enumerate(spec.scenarios)]
    claims = [
        c.model_copy(
            update={
                "left": unroll_refs.ref(st, c.left, ("claims", i, "left")),
                "right": unroll_refs.ref(st, c.right, ("claims", i, "right"))
                if isinstance(c.right, QueryRef)
                else c.right,
            }
        )
        for i, c in enumerate(spec.claims)
    ]
    questions = [unroll_refs.question(st, i, q) for i, q in enumerate(spec.questions)]
    outcomes = [unroll_refs.outcome(st, i, o) for i, o in enumerate(spec.outcomes)]
    utilities, amap = unroll_refs.utilities(st)
    if st.problems:
        return st.problems, None, loc, {}
    variables.extend(_window_nodes(st))
    unrolled = spec.model_copy(
        update={
            "variables": variables,
            "policies": policies,
            "scenarios": scenarios,
            "claims": claims,
            "questions": questions,
            "outcomes": outcomes,
            "utilities": utilities,
        }
    )
    _check_rules_acyclic(st, unrolled)
    names = {k: v.id for k, v in enumerate(variables) if k in vmap and "@" in v.id}
    st.ties = {
        variables[k].id: ".".join(str(x) for x in (st.spec.variables[int(w[1])].id, *w[2:]))
        for k, (w, _) in vmap.items()
        if "@" in variables[k].id
    }
    return st.problems, unrolled, UnrolledLocator(loc, vmap, amap, names), st.ties


def _check_time(st: UnrollState) -> None:
    if st.time.slices[0] <= st.spec.as_of:
        st.problem(
            ("time", "slices", 0),
            f"the first slice ends on {st.time.slices[0]}, not after the model's as_of "
            f"({st.spec.as_of})",
            fix="each date in slices: is the last day of a slice; the first slice starts at as_of",
        )


def _classify(st: UnrollState) -> None:
    n = len(st.labels)
    for i, v in enumerate(st.spec.variables):
        if "@" in v.id:
            st.problem(
                ("variables", i, "id"),
                f"'{v.id}': '@' marks a slice in the ids of a dynamic model",
                fix="name the variable without '@'; its copies are named id@slice",
            )
        (st.static if v.static else st.temporal)[v.id] = v
    known = {v.id for v in st.spec.variables}
    for i, v in enumerate(st.spec.variables):
        lags = []
        for j, p in enumerate(v.parents):
            var, lag = parse_lag(p)
            path = ("variables", i, "parents", j)
            if lag < 0:
                st.problem(
                    path,
                    f"'{p}': a template names slices relative to t",
                    fix=f"write {split_slice(p)[0]}@t-1 for the slice before, or "
                    f"{split_slice(p)[0]} for the same slice",
                )
            elif var not in known:
                st.problem(
                    path,
                    f"temporal arc from an unknown variable '{var}'{did_you_mean(var, known)}",
                    fix="define the variable or correct the name",
                )
            elif var == v.id and lag == 0:
                st.problem(
                    path,
                    f"'{v.id}' lists itself in the same slice as a parent",
                    fix=f"write {v.id}@t-1 for its value in the slice before",
                )
            elif var in st.static and lag > 0:
                st.problem(
                    path,
                    f"'{var}' is static (the same in every slice): it has no earlier slice",
                    fix=f"write {var} without a lag",
                )
            elif v.static and var in st.temporal:
                st.problem(
                    path,
                    f"the static variable '{v.id}' cannot depend on '{var}', which changes over time",
                    fix=f"make '{v.id}' change over time (remove static: true), or drop the arc",
                )
            elif lag >= n:
                st.problem(
                    path,
                    f"the lag of '{p}' ({lag} slices) reaches beyond the first slice: "
                    f"the model has {n} slice{'s' if n != 1 else ''}",
                    fix=f"use a lag of at most {n - 1}, or add slices",
                )
            lags.append(max(lag, 0))
        if v.static and (v.initial is not None or v.slices):
            st.problem(
                ("variables", i, "initial" if v.initial is not None else "slices"),
                f"'{v.id}' is static: it has one CPT, not one per slice",
                fix="remove initial:/slices:, or remove static: true",
            )
        if v.initial is not None and max(lags, default=0) == 0:
            st.problem(
                ("variables", i, "initial"),
                f"initial: is the first slice's CPT of a variable with a parent in an earlier "
                f"slice; '{v.id}' has none",
                fix="remove initial: (cpt: applies to every slice) or add a parent x@t-1",
            )
        for label in v.slices:
            if label not in st.labels:
                st.problem(
                    ("variables", i, "slices", label),
                    f"unknown slice '{label}'{did_you_mean(label, st.labels)}",
                    expected=f"one of {st.labels}",
                )
    for v in st.spec.variables:
        if v.id in st.static:
            st.states[v.id] = list(v.states)
        else:
            for label in st.labels:
                st.states[slice_id(v.id, label)] = list(v.states)


def _rename_cpt(cpt: CptSpec, names: Mapping[str, str]) -> CptSpec:
    """The CPT with its parents' names replaced (rows' ``when``, noisy causes, ``absent``),
    in each analyst's elicitation too."""
    data = _renamed(cpt.model_dump(exclude_none=True), names)
    data["elicitations"] = [_renamed(e, names) for e in data.get("elicitations", [])]
    return CptSpec.model_validate(data)


def _renamed(data: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    def ren(d: Mapping[str, Any]) -> dict[str, Any]:
        return {names.get(k, k): v for k, v in d.items()}

    for form in ("table", "verbal"):
        if isinstance(data.get(form), list):
            data[form] = [{**row, "when": ren(row.get("when", {}))} for row in data[form]]
    for form in ("noisy_or", "noisy_max"):
        if form in data:
            data[form] = {
                **data[form],
                "causes": ren(data[form].get("causes", {})),
                "absent": ren(data[form].get("absent", {})),
            }
    return data


def _unroll_variables(
    st: UnrollState,
) -> tuple[list[VariableSpec], dict[int, tuple[Path_, dict[int, int]]]]:
    out: list[VariableSpec] = []
    vmap: dict[int, tuple[Path_, dict[int, int]]] = {}
    index = {v.id: i for i, v in enumerate(st.spec.variables)}
    for v in st.static.values():
        vmap[len(out)] = (("variables", index[v.id], "cpt"), {})
        out.append(v)
    for i, label in enumerate(st.labels):
        for v in st.temporal.values():
            vi = index[v.id]
            present = [(j, p) for j, p in enumerate(v.parents) if at(st, p, i) is not None]
            where: Path_
            if label in v.slices:
                cpt, where = v.slices[label], ("variables", vi, "slices", label)
            elif len(present) == len(v.parents):
                cpt, where = v.cpt, ("variables", vi, "cpt")
            elif i == 0 and v.initial is not None:
                cpt, where = v.initial, ("variables", vi, "initial")
            else:
                gone = [p for p in v.parents if at(st, p, i) is None]
                st.problem(
                    ("variables", vi, "parents"),
                    f"no CPT for '{v.id}' in slice {label}: there {', '.join(gone)} "
                    f"{'is' if len(gone) == 1 else 'are'} before the first slice",
                    fix=(
                        "add initial: (the first slice's CPT, over the parents without a lag)"
                        if i == 0
                        else f"add slices: {{{label}: <a CPT over the parents present there>}}"
                    ),
                )
                continue
            names = {p: at(st, p, i) or p for p in v.parents}
            observes = [x for x in (at(st, o, i) for o in v.observes) if x is not None]
            vmap[len(out)] = (where, {k: j for k, (j, _) in enumerate(present)})
            out.append(
                VariableSpec(
                    id=slice_id(v.id, label),
                    label=f"{v.label} ({label})",
                    description=v.description,
                    states=list(v.states),
                    parents=[names[p] for _, p in present],
                    kind=v.kind,
                    observes=observes,
                    cpt=_rename_cpt(cpt, names),
                    aliases=[slice_id(a, label) for a in v.aliases],
                    state_aliases=dict(v.state_aliases),
                    observable=v.observable,  # what cannot be watched cannot in any slice
                )
            )
    return out, vmap


def _window_nodes(st: UnrollState) -> list[VariableSpec]:
    """The deterministic chains behind every window used: ``x@A..C`` = max(``x@A..B``, ``x@C``)."""
    out: list[VariableSpec] = []
    for (var, a), b in sorted(st.windows.items()):
        out.extend(window_chain(st.temporal[var], st.time, a, b))
    return out


def window_chain(v: VariableSpec, time: TimeSpec, a: int, b: int) -> list[VariableSpec]:
    """The window nodes of the template variable ``v`` from slice ``a``: ``v@A..B`` for every
    slice ``B`` after ``a`` up to ``b``, each the highest state of the one before and of
    ``v@B`` (a deterministic table)."""
    out: list[VariableSpec] = []
    k = len(v.states)
    prev = slice_id(v.id, time.labels[a])
    for j in range(a + 1, b + 1):
        cur = slice_id(v.id, time.labels[j])
        rows = [
            TableRow(
                when={prev: v.states[p], cur: v.states[c]},
                probs={s: float(m == max(p, c)) for m, s in enumerate(v.states)},
            )
            for p, c in itertools.product(range(k), range(k))
        ]
        label = time.window_label(a, j)
        out.append(
            VariableSpec(
                id=slice_id(v.id, label),
                label=f"{v.label} (highest, {label.replace('..', ' to ')})",
                description=f"The highest state of '{v.id}' in slices {label} "
                "(for a yes/no variable: yes in any of them).",
                states=list(v.states),
                parents=[prev, cur],
                cpt=CptSpec(
                    table=rows,
                    assumption=True,
                    rationale="Deterministic: the highest state reached so far "
                    "(states in the order the model lists them).",
                ),
            )
        )
        prev = slice_id(v.id, label)
    return out


def max_table(k: int) -> np.ndarray:
    """The table of a window node over ``k`` states: ``t[m, p, c] = 1`` where ``m = max(p, c)``.

    >>> max_table(2)[1].tolist()
    [[0.0, 1.0], [1.0, 1.0]]
    """
    m = np.maximum.outer(np.arange(k), np.arange(k))
    return (np.arange(k)[:, None, None] == m[None]).astype(float)


def _check_rules_acyclic(st: UnrollState, spec: ModelSpec) -> None:
    """A rule conditioned on the same slice must not be conditioned on its own consequence."""
    edges: dict[str, list[str]] = {v.id: [] for v in spec.variables}
    for v in spec.variables:
        for p in v.parents:
            edges.setdefault(p, []).append(v.id)
    for i, pol in enumerate(spec.policies):
        for rule in pol.react:
            below = reachable(edges, [rule.variable], include_start=True)
            for c in rule.when:
                if c in below:
                    st.problem(
                        ("policies", i, "react"),
                        f"the rule setting {rule.variable} is conditioned on {c}, which "
                        f"depends on {rule.variable} itself",
                        fix="condition on an earlier slice (variable@t-1)",
                    )
