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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem, did_you_mean
from ..graphs import reachable
from .locate import Locator, Path_
from .models import (
    AttributeSpec,
    CptSpec,
    EventSpec,
    ModelSpec,
    OutcomeSpec,
    PolicySpec,
    QueryRef,
    QuestionSpec,
    ScenarioSpec,
    TableRow,
    UtilitySpec,
    VariableSpec,
)
from .timing import RuleSpec, TimeSpec, parse_lag, slice_id, split_slice


class UnrolledLocator(Locator):
    """A locator for the unrolled spec: paths into an unrolled variable or attribute are
    translated to the template's (``variables[k]`` of ``x@2018H1`` -> ``variables[i].cpt``
    of ``x``) before the file and line are looked up."""

    def __init__(
        self, base: Locator, variables: Mapping[int, tuple[Path_, Mapping[int, int]]],
        attributes: Mapping[int, int],
        names: Mapping[int, str] | None = None,
    ) -> None:
        super().__init__(base.default)
        self._names = dict(names or {})
        self.sections = base.sections
        self._variables = dict(variables)
        self._attributes = dict(attributes)

    def translate(self, path: Path_) -> Path_:
        """The template path of an unrolled path."""
        if len(path) >= 2 and path[0] == "variables" and isinstance(path[1], int):
            where = self._variables.get(path[1])
            if where is None:
                return ("time",)
            base, parents = where
            rest = path[2:]
            if rest[:1] == ("cpt",):
                return (*base, *rest[1:])
            if rest[:1] == ("parents",) and len(rest) > 1 and isinstance(rest[1], int):
                return (*base[:2], "parents", parents.get(rest[1], rest[1]), *rest[2:])
            return (*base[:2], *rest)
        if len(path) >= 3 and path[:2] == ("utilities", "attributes") and isinstance(path[2], int):
            return ("utilities", "attributes", self._attributes.get(path[2], path[2]), *path[3:])
        return path

    def problem(self, path: Path_, message: str, **kwargs: Any) -> Problem:
        t = self.translate(path)
        if len(path) >= 2 and path[0] == "variables" and isinstance(path[1], int):
            copy = self._names.get(path[1])
            if copy is not None:  # "cpt of x@B: ..." -> "cpt of x (slice B): ..."
                var, label = split_slice(copy)
                message = message.replace(copy, f"{var} (slice {label})")
        return Locator.map_for(self, t).problem(t, message, **kwargs)

    def where(self, path: Path_) -> tuple[str, int | None]:
        t = self.translate(path)
        m = Locator.map_for(self, t)
        return m.file, m.line(t)


@dataclass
class _State:
    spec: ModelSpec
    loc: Locator
    time: TimeSpec
    problems: list[Problem] = field(default_factory=list)
    temporal: dict[str, VariableSpec] = field(default_factory=dict)
    static: dict[str, VariableSpec] = field(default_factory=dict)
    states: dict[str, list[str]] = field(default_factory=dict)  # unrolled id -> states
    windows: dict[tuple[str, int], int] = field(default_factory=dict)  # (var, first) -> last
    ties: dict[str, str] = field(default_factory=dict)  # unrolled id -> template CPT key

    def problem(self, path: Path_, message: str, **kwargs: Any) -> None:
        self.problems.append(self.loc.problem(path, message, **kwargs))

    @property
    def labels(self) -> list[str]:
        return self.time.labels


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
    st = _State(spec, loc, spec.time)
    _check_time(st)
    _classify(st)
    if st.problems:
        return st.problems, None, loc, {}
    variables, vmap = _unroll_variables(st)
    if st.problems:
        return st.problems, None, loc, {}
    policies = [_policy(st, i, p) for i, p in enumerate(spec.policies)]
    scenarios = [_scenario(st, i, s) for i, s in enumerate(spec.scenarios)]
    claims = [
        c.model_copy(
            update={
                "left": _ref(st, c.left, ("claims", i, "left")),
                "right": _ref(st, c.right, ("claims", i, "right"))
                if isinstance(c.right, QueryRef)
                else c.right,
            }
        )
        for i, c in enumerate(spec.claims)
    ]
    questions = [_question(st, i, q) for i, q in enumerate(spec.questions)]
    outcomes = [_outcome(st, i, o) for i, o in enumerate(spec.outcomes)]
    utilities, amap = _utilities(st)
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


def _check_time(st: _State) -> None:
    if st.time.slices[0] <= st.spec.as_of:
        st.problem(
            ("time", "slices", 0),
            f"the first slice ends on {st.time.slices[0]}, not after the model's as_of "
            f"({st.spec.as_of})",
            fix="each date in slices: is the last day of a slice; the first slice starts at as_of",
        )


def _classify(st: _State) -> None:
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
                st.problem(path, f"'{v.id}' lists itself in the same slice as a parent",
                           fix=f"write {v.id}@t-1 for its value in the slice before")
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
        for j, o in enumerate(v.observes):
            var, lag = parse_lag(o)
            if lag < 0 or var not in known:
                continue  # reported by the rules, on the unrolled names
    for v in st.spec.variables:
        if v.id in st.static:
            st.states[v.id] = list(v.states)
        else:
            for label in st.labels:
                st.states[slice_id(v.id, label)] = list(v.states)


def _at(st: _State, name: str, i: int) -> str | None:
    """The unrolled id a template name (``p``, ``p@t-k``) refers to in slice ``i``; ``None``
    before the first slice."""
    var, lag = parse_lag(name)
    if var in st.static:
        return var
    if lag < 0 or var not in st.temporal:
        return name
    return slice_id(var, st.labels[i - lag]) if i - lag >= 0 else None


def _rename_cpt(cpt: CptSpec, names: Mapping[str, str]) -> CptSpec:
    """The CPT with its parents' names replaced (rows' ``when``, noisy causes, ``absent``)."""
    data = cpt.model_dump(exclude_none=True)

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
    return CptSpec.model_validate(data)


def _unroll_variables(st: _State) -> tuple[list[VariableSpec], dict[int, tuple[Path_, dict[int, int]]]]:
    out: list[VariableSpec] = []
    vmap: dict[int, tuple[Path_, dict[int, int]]] = {}
    index = {v.id: i for i, v in enumerate(st.spec.variables)}
    for v in st.static.values():
        vmap[len(out)] = (("variables", index[v.id], "cpt"), {})
        out.append(v)
    for i, label in enumerate(st.labels):
        for v in st.temporal.values():
            vi = index[v.id]
            present = [(j, p) for j, p in enumerate(v.parents) if _at(st, p, i) is not None]
            if label in v.slices:
                cpt, where = v.slices[label], ("variables", vi, "slices", label)
            elif len(present) == len(v.parents):
                cpt, where = v.cpt, ("variables", vi, "cpt")
            elif i == 0 and v.initial is not None:
                cpt, where = v.initial, ("variables", vi, "initial")
            else:
                gone = [p for p in v.parents if _at(st, p, i) is None]
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
            names = {p: _at(st, p, i) or p for p in v.parents}
            observes = [x for x in (_at(st, o, i) for o in v.observes) if x is not None]
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
                )
            )
    return out, vmap


def _window(st: _State, var: str, a: int, b: int) -> str:
    """The id of the window node of ``var`` over slices ``a..b`` (registering it)."""
    if a == b:
        return slice_id(var, st.labels[a])
    st.windows[(var, a)] = max(st.windows.get((var, a), b), b)
    return slice_id(var, st.time.window_label(a, b))


def _name(st: _State, name: str, path: Path_, *, evidence: str) -> list[str]:
    """A name in a query, policy or scenario, as unrolled ids: a bare variable that changes
    over time means every slice for ``do``, is refused elsewhere; a window is registered."""
    var, label = split_slice(name)
    if var in st.static or var not in st.temporal:
        return [name]
    if label is None:
        if evidence == "do":
            return [slice_id(var, lab) for lab in st.labels]
        st.problem(
            path,
            f"'{var}' changes over time: name a slice or a window",
            fix=f"write {var}@{st.labels[0]} (one slice) or "
            f"{var}@{st.time.window_label(0, len(st.labels) - 1)} (any slice of the horizon)",
        )
        return []
    w = st.time.window(label)
    if w is not None:
        if evidence == "do":
            st.problem(path, f"do() sets one slice, not a window: '{name}'",
                       fix=f"write {var} (every slice) or {var}@{st.labels[w[0]]}")
            return []
        return [_window(st, var, *w)]
    if label not in st.labels:
        st.problem(
            path,
            f"unknown slice '{label}' in '{name}'{did_you_mean(label, st.labels)}",
            expected=f"one of {st.labels}, or a window A..B",
        )
        return []
    return [name]


def _names(st: _State, d: Mapping[str, Any], path: Path_, *, evidence: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        for u in _name(st, k, (*path, k), evidence=evidence):
            out[u] = v
    return out


def _ref(st: _State, q: QueryRef, path: Path_, target: str | None = None) -> QueryRef:
    update: dict[str, Any] = {
        "given": _names(st, q.given, (*path, "given"), evidence="given"),
        "soft": _names(st, q.soft, (*path, "soft"), evidence="soft"),
        "do": _names(st, q.do, (*path, "do"), evidence="do"),
    }
    if target is not None:
        update["target"] = target
    elif q.target is not None:
        got = _name(st, q.target, (*path, "target"), evidence="target")
        update["target"] = got[0] if got else q.target
    if q.event is not None:
        terms = [
            _names(st, t, (*path, "event", "all_of" if q.event.all_of is not None else "any_of"),
                   evidence="event")
            for t in q.event.terms()
        ]
        update["event"] = (
            EventSpec(all_of=terms[0]) if q.event.all_of is not None else EventSpec(any_of=terms)
        )
    return q.model_copy(update=update)


def _policy(st: _State, i: int, pol: PolicySpec) -> PolicySpec:
    path: Path_ = ("policies", i)
    do = _names(st, pol.do, (*path, "do"), evidence="do")
    rules: list[RuleSpec] = []
    for r, rule in enumerate(pol.react):
        rpath = (*path, "react", r)
        var = rule.variable
        if var not in st.temporal:
            st.problem(
                (*rpath, "set"),
                f"a rule sets a variable that changes over time; '{var}' "
                + ("is static: set it with do:" if var in st.static else "is not one"
                   + did_you_mean(var, st.temporal)),
            )
            continue
        states = st.temporal[var].states
        for s in {rule.state, rule.fallback} - {None}:
            if s not in states:
                st.problem((*rpath, "set"), f"'{s}' is not a state of '{var}'"
                           f"{did_you_mean(str(s), states)}", expected=f"one of {states}")
        for c, allowed in rule.when.items():
            cvar, lag = parse_lag(c)
            cstates = (st.temporal.get(cvar) or st.static.get(cvar))
            if lag < 0 or cstates is None:
                st.problem(
                    (*rpath, "when", c),
                    f"'{c}' is not a condition on a variable of the model"
                    + (did_you_mean(cvar, [*st.temporal, *st.static]) if lag >= 0 else ""),
                    fix="write variable@t-1 (the slice before), variable@t (the same slice) "
                    "or a static variable",
                )
                continue
            for s in allowed:
                if s not in cstates.states:
                    st.problem((*rpath, "when", c), f"'{s}' is not a state of '{cvar}'",
                               expected=f"one of {cstates.states}")
        for lab in rule.slices or []:
            if lab not in st.labels:
                st.problem((*rpath, "slices"), f"unknown slice '{lab}'"
                           f"{did_you_mean(lab, st.labels)}", expected=f"one of {st.labels}")
        for k, label in enumerate(st.labels):
            if rule.slices is not None and label not in rule.slices:
                continue
            target = slice_id(var, label)
            if target in do:
                st.problem(
                    (*rpath, "set"),
                    f"policy '{pol.id}' both sets {target} by do() and by a rule",
                    fix="keep one",
                )
                continue
            when = {_at(st, c, k): s for c, s in rule.when.items()}
            if None in when:  # a condition before the first slice does not hold
                if rule.fallback is not None:
                    do[target] = rule.fallback
                continue
            otherwise = None if rule.fallback is None else {target: rule.fallback}
            rules.append(
                RuleSpec(set={target: rule.state}, when={str(c): s for c, s in when.items()},
                         otherwise=otherwise, note=rule.note)
            )
    return pol.model_copy(update={"do": do, "react": rules})


def _scenario(st: _State, i: int, sc: ScenarioSpec) -> ScenarioSpec:
    return sc.model_copy(
        update={
            "given": _names(st, sc.given, ("scenarios", i, "given"), evidence="given"),
            "soft": _names(st, sc.soft, ("scenarios", i, "soft"), evidence="soft"),
        }
    )


def _question(st: _State, i: int, q: QuestionSpec) -> QuestionSpec:
    path: Path_ = ("questions", i)
    if q.window is None:
        return q.model_copy(update={"query": _ref(st, q.query, (*path, "query"))})
    start, end = q.window
    if start < st.spec.as_of:
        st.problem((*path, "window"), f"the window opens on {start}, before the model's "
                   f"as_of ({st.spec.as_of})", fix="a question asks about what comes after as_of")
        return q
    got = st.time.slices_in(start, end, st.spec.as_of)
    if isinstance(got, str):
        st.problem((*path, "window"), f"the window {start} to {end} does not match the slices",
                   fix=got)
        return q
    var = q.query.target
    if var is None or var not in st.temporal:
        st.problem(
            (*path, "query", "target" if var is not None else "event"),
            "a question with a window asks about a variable that changes over time, "
            "named without a slice",
            found=repr(var),
        )
        return q
    target = _window(st, var, *got)
    return q.model_copy(update={"query": _ref(st, q.query, (*path, "query"), target=target)})


def _outcome(st: _State, i: int, o: OutcomeSpec) -> OutcomeSpec:
    if o.target in st.temporal:
        return o.model_copy(update={"target": _window(st, o.target, 0, len(st.labels) - 1)})
    got = _name(st, o.target, ("outcomes", i, "target"), evidence="target")
    return o.model_copy(update={"target": got[0]}) if got else o


def _utilities(st: _State) -> tuple[UtilitySpec | None, dict[int, int]]:
    u = st.spec.utilities
    if u is None:
        return None, {}
    out: list[AttributeSpec] = []
    amap: dict[int, int] = {}
    n = len(st.labels)
    d = st.time.discount
    total = sum(d**k for k in range(n))
    for i, a in enumerate(u.attributes):
        temporal = [v for v in a.over if v in st.temporal]
        if not temporal:
            amap[len(out)] = i
            out.append(a)
            continue
        picks: list[tuple[str, list[int], float]]
        if a.at == "each":
            picks = [(f"@{st.labels[k]}", [k], a.weight * d**k / total) for k in range(n)]
        elif a.at == "last":
            picks = [("", [n - 1], a.weight)]
        else:
            picks = [("", [0, n - 1], a.weight)]
        for suffix, ks, weight in picks:
            names = {
                v: (_window(st, v, ks[0], ks[-1]) if len(ks) == 2 else slice_id(v, st.labels[ks[0]]))
                if v in st.temporal
                else v
                for v in a.over
            }
            values = a.values
            if isinstance(values, list):
                values = [row.model_copy(update={"when": {names.get(k, k): s for k, s in row.when.items()}})
                          for row in values]
            amap[len(out)] = i
            out.append(
                a.model_copy(
                    update={
                        "id": a.id + suffix,
                        "label": a.label + (f" ({suffix[1:]})" if suffix else ""),
                        "over": [names[v] for v in a.over],
                        "values": values,
                        "weight": weight,
                    }
                )
            )
    return u.model_copy(update={"attributes": out}), amap


def _window_nodes(st: _State) -> list[VariableSpec]:
    """The deterministic chains behind every window used: ``x@A..C`` = max(``x@A..B``, ``x@C``)."""
    out: list[VariableSpec] = []
    for (var, a), b in sorted(st.windows.items()):
        v = st.temporal[var]
        k = len(v.states)
        prev = slice_id(var, st.labels[a])
        for j in range(a + 1, b + 1):
            cur = slice_id(var, st.labels[j])
            rows = [
                TableRow(
                    when={prev: v.states[p], cur: v.states[c]},
                    probs={s: float(m == max(p, c)) for m, s in enumerate(v.states)},
                )
                for p, c in itertools.product(range(k), range(k))
            ]
            label = st.time.window_label(a, j)
            out.append(
                VariableSpec(
                    id=slice_id(var, label),
                    label=f"{v.label} (highest, {label.replace('..', ' to ')})",
                    description=f"The highest state of '{var}' in slices {label} "
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
            prev = slice_id(var, label)
    return out


def _check_rules_acyclic(st: _State, spec: ModelSpec) -> None:
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

